"""Reference data from habilitations/data/ (copied from the spec): loaded by data migrations, idempotently."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def caf_contact_email(department: str) -> str:
    # The guides' pattern: contactmoncomptepartenaire@caf06.caf.fr
    return f"contactmoncomptepartenaire@caf{department.lower().zfill(2)}.caf.fr"


def load_cafs(Caf) -> int:
    """Create the Caf missing from the table (Caf is the model class, historical or not). Returns how many."""
    with (DATA / "cafs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(Caf.objects.values_list("code", flat=True))
    created = Caf.objects.bulk_create(
        [
            Caf(
                code=row["caf_code"],
                nom=row["caf_nom"],
                departement=row["departement"],
                nom_departement=row["nom_departement"],
                email=caf_contact_email(row["departement"]),
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
    return len(created)
