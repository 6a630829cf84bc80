"""Loads the 101 Caf from habilitations/data/cafs.csv (copied from the spec's reference data)."""

from django.db import migrations

from habilitations.reference import load_cafs


def load(apps, schema_editor):
    load_cafs(apps.get_model("habilitations", "Caf"))


def unload(apps, schema_editor):
    apps.get_model("habilitations", "Caf").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
