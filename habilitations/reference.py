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


SERVICES = [
    # code, libellé, description (the guides' one-line), ordre, supervision
    (
        "CDAP",
        "Consulter Dossier",
        "Consulter les données allocataires en fonction de votre profil organisme ou métier.",
        10,
        False,
    ),
    (
        "SUPERVISION_CDAP",
        "Supervision Consulter Dossier",
        "Suivre les consultations de dossiers faites par les utilisateurs de votre organisme.",
        15,
        True,
    ),
    (
        "BAILLEUR",
        "Espace Bailleur",
        "Planifier des relances, extraire des données, consulter les statistiques et le suivi des déclarations.",
        20,
        False,
    ),
    (
        "AFAS",
        "Aide financière d'action sociale",
        "Transmettre vos déclarations de données et visualiser l'estimation du montant de l'Aide Financière "
        "d'Action Sociale.",
        30,
        False,
    ),
    (
        "ADONIS",
        "Adonis",
        "Déclarer l'activité de votre service d'aide et d'accompagnement à domicile et consulter vos statistiques.",
        40,
        False,
    ),
    (
        "DGFIP",
        "Offre DGFIP",
        "Consulter les données allocataires nécessaires à l'envoi d'une opposition à tiers détenteur.",
        50,
        False,
    ),
    (
        "SUPERVISION_DGFIP",
        "Supervision DGFIP",
        "Suivre les consultations de l'offre DGFIP faites par les agents de votre direction.",
        55,
        True,
    ),
]

OTHER_PROFILES = [
    # service, code, libellé
    ("AFAS", "AFAS-HABILITER", "AFAS-HABILITER — gestion des habilitations d'action sociale"),
    ("AFAS", "AFAS-DECLARER", "AFAS-DECLARER — déclaration des données d'activité et financières"),
    ("ADONIS", "ADONIS", "ADONIS — service d'aide et d'accompagnement à domicile"),
    ("DGFIP", "DGFIP", "DGFIP — agent de la direction des finances publiques"),
    ("BAILLEUR", "BAILLEUR", "BAILLEUR — bailleur d'un bénéficiaire d'aide au logement"),
    ("SUPERVISION_CDAP", "SUPERVISION_CDAP", "SUPERVISION CDAP — suivi des consultations"),
    ("SUPERVISION_DGFIP", "SUPERVISION_DGFIP", "SUPERVISION DGFIP — suivi des consultations"),
]

# The rubric columns of data/cdap_profiles.csv, in the order of the guide's screens.
CDAP_RUBRICS = [
    "synthese",
    "paiements",
    "dossier",
    "famille",
    "droits",
    "logement",
    "ressources",
    "rsa",
    "creances",
    "courriers",
    "cmu_cmuc_rsa",
    "cmuc_ressources",
    "donnees_complementaires",
    "attestation_paiement",
]


def cdap_profile_rows() -> list[dict]:
    with (DATA / "cdap_profiles.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_services_and_profiles(Service, Profile, PartnerType) -> None:
    """Services, the 16 CDAP profiles (17 labels) with their rubric masks, the other profiles, partner types."""
    services = {}
    for code, libelle, description, ordre, supervision in SERVICES:
        services[code], _ = Service.objects.update_or_create(
            code=code,
            defaults={"libelle": libelle, "description": description, "ordre": ordre, "supervision": supervision},
        )
    for ordre, row in enumerate(cdap_profile_rows()):
        Profile.objects.update_or_create(
            code=row["code"],
            defaults={
                "service": services["CDAP"],
                "libelle": row["libelle"],
                "controle_supplementaire": row["controle_supplementaire"],
                "rubriques": [rubric for rubric in CDAP_RUBRICS if row[rubric].strip().lower() == "x"],
                "ordre": ordre,
            },
        )
    for ordre, (service, code, libelle) in enumerate(OTHER_PROFILES):
        Profile.objects.update_or_create(
            code=code, defaults={"service": services[service], "libelle": libelle, "ordre": ordre}
        )
    profiles = {p.code: p for p in Profile.objects.all()}
    with (DATA / "partner_types.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            partner_type, _ = PartnerType.objects.update_or_create(
                code=row["code"],
                defaults={"libelle": row["libelle"], "identifiant_prefixe": row["identifiant_prefixe"]},
            )
            partner_type.services_eligibles.set(
                [services[code] for code in row["services_eligibles"].split(";") if code]
            )
            partner_type.profils_cdap_legitimes.set(
                [profiles[code] for code in row["profils_cdap_legitimes"].split(";") if code]
            )


def load_all(apps=None) -> None:
    """Every reference table, idempotently (data migrations, and tests after a truncation)."""
    if apps is None:
        from django.apps import apps
    load_cafs(apps.get_model("habilitations", "Caf"))
    load_services_and_profiles(
        apps.get_model("habilitations", "Service"),
        apps.get_model("habilitations", "Profile"),
        apps.get_model("habilitations", "PartnerType"),
    )
