"""Loads services, profiles (the CDAP matrix of data/cdap_profiles.csv) and partner types."""

from django.db import migrations

from habilitations.reference import load_services_and_profiles


def load(apps, schema_editor):
    load_services_and_profiles(
        apps.get_model("habilitations", "Service"),
        apps.get_model("habilitations", "Profile"),
        apps.get_model("habilitations", "PartnerType"),
    )


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0005_invariants")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
