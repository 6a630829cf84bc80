"""« Questions / Réponses » (webinar 004:938): the first questions (portal.faq_data), so that the FAQ exists in
production too."""

from django.db import migrations

from portal.faq_data import load_faq


def load(apps, schema_editor):
    load_faq(apps.get_model("portal", "FaqEntry"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_faq_entry")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
