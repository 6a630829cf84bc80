"""The benefits' full names (the rights and payments carry their codes) and what the guide says about some of them.
Pure Python: the generator imports it without Django."""

LIBELLES = {
    "AF": "Allocations familiales",
    "AL": "Allocation de logement",
    "ALF": "Allocation de logement familiale",
    "ALS": "Allocation de logement sociale",
    "APL": "Aide personnalisée au logement",
    "RSA": "Revenu de solidarité active",
    "PA": "Prime d'activité",
    "PAJE": "Prestation d'accueil du jeune enfant",
    "ASF": "Allocation de soutien familial",
    "AAH": "Allocation aux adultes handicapés",
    "MVA": "Majoration pour la vie autonome",
    "AEEH": "Allocation d'éducation de l'enfant handicapé",
    "CF": "Complément familial",
    "ARS": "Allocation de rentrée scolaire",
    "AJPP": "Allocation journalière de présence parentale",
}
# Housing aids: their calculation changed in 2021, the guide's footnote (*) (webinar 004:514, 535).
AIDES_LOGEMENT = {"AL", "ALF", "ALS", "APL", *(LIBELLES[c] for c in ("AL", "ALF", "ALS", "APL"))}
NOTE_AIDES_LOGEMENT = (
    "Les modalités de calcul de l'aide au logement (AL et APL) ont changé à compter du 01/01/2021 et celles de "
    "l'APL Accession à compter du 01/05/2021."
)


def libelle(code: str) -> str:
    """The full name of a benefit code ("AAH" → "Allocation aux adultes handicapés"); an unknown code or a label
    already written out is given back as it is."""
    return LIBELLES.get(code, code)


def is_housing_aid(code_or_label: str) -> bool:
    return code_or_label in AIDES_LOGEMENT
