"""Loads the 101 Caf from habilitations/data/cafs.csv (copied from the spec's reference data)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "cafs.csv"


def contact_email(department: str) -> str:
    # The guides' pattern: contactmoncomptepartenaire@caf06.caf.fr
    return f"contactmoncomptepartenaire@caf{department.lower().zfill(2)}.caf.fr"


def load(apps, schema_editor):
    Caf = apps.get_model("habilitations", "Caf")
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(Caf.objects.values_list("code", flat=True))
    Caf.objects.bulk_create(
        [
            Caf(
                code=row["caf_code"],
                nom=row["caf_nom"],
                departement=row["departement"],
                nom_departement=row["nom_departement"],
                email=contact_email(row["departement"]),
                telephone="3230",
                page_locale=(
                    f"La {row['caf_nom']} accompagne ses partenaires du département ({row['nom_departement']}) : "
                    "conventionnement, habilitations Mon Compte Partenaire, aides d'action sociale. "
                    "Pour toute question sur vos accès, écrivez à l'adresse de contact ci-dessus."
                ),
            )
            for row in rows
            if row["caf_code"] not in existing
        ]
    )


def unload(apps, schema_editor):
    apps.get_model("habilitations", "Caf").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
