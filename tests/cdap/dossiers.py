"""A small dossier builder for the CDAP view tests: one distinct SENTINEL value per rubric, so a test can tell
exactly which rubric's data reached a page (until tests/cdap/factories.py is the common way)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cdap import models as m
from cdap.text import normalize_name

SENTINELS = {
    "dossier": "SENTINELLE-DOSSIER",
    "paiements": "SENTINELLE-PAIEMENTS",
    "droits": "SENTINELLE-DROITS",
    "famille": "SENTINELLE-FAMILLE",
    "ressources": "SENTINELLE-RESSOURCES",
    "rsa": "SENTINELLE-RSA",
    "courriers": "SENTINELLE-COURRIERS",
    "logement": "SENTINELLE-LOGEMENT",
    "creances": "SENTINELLE-CREANCES",
    "donnees_complementaires": "SENTINELLE-COMPLEMENTAIRES",
    "cmu_cmuc_rsa": "SENTINELLE-COUVERTURE",
    "cmuc_ressources": "SENTINELLE-CMUCRESSOURCES",
}
# The blocks added inside a rubric (issue 21): each with its own sentinel, shown only where its rubric is open.
BLOCK_SENTINELS = {
    "dossier": ["sentinelle-nation"],  # "Nationalité du responsable du dossier : …"
    "famille": ["SENTINELLE-ACTIVITE"],  # "Activité depuis le … : …" of the adults
    "ressources": ["SENTINELLE-AIDELOGEMENT"],  # "Ressources Aide au logement", one month
    "donnees_complementaires": ["bénéficiaires de l'AEEH"],  # the table of the AEEH children
}
ALL_SENTINELS = [*SENTINELS.values(), *(s for values in BLOCK_SENTINELS.values() for s in values)]
for a in ALL_SENTINELS:  # no sentinel may contain another one
    assert sum(a in b for b in ALL_SENTINELS) == 1, a

INSTRUCTEUR = "083C12301" + "00000"


def months_ago(n: int, today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - n, 12)
    return today.replace(year=year, month=month + 1, day=min(today.day, 28))


def person(dossier, role, nom, prenom, **kwargs):
    return m.Person.objects.create(
        dossier=dossier, role=role, nom=nom, prenom=prenom, nom_recherche=normalize_name(nom), **kwargs
    )


def make_dossier(caf, numero="1234567", nom="Lefèvre", *, payments=1, rsa_end=None, rsa=True, **fields):
    """A dossier of `caf` with a responsable `nom`, a conjoint "Martin", and one sentinel row per rubric."""
    today = timezone.localdate()
    dossier = m.Dossier.objects.create(
        caf=caf,
        numero=numero,
        situation=SENTINELS["dossier"],
        adresse="12 rue des Lilas",
        code_postal="83000",
        commune="TOULON",
        situation_familiale="Mariage",
        nb_enfants_pf=1,
        nb_personnes_al=3,
        quotient_familial=654,
        **fields,
    )
    responsable = person(
        dossier,
        m.Person.Role.RESPONSABLE,
        nom,
        "Jeanne",
        civilite="Mme",
        date_naissance=datetime.date(1980, 5, 2),
        nationalite=BLOCK_SENTINELS["dossier"][0],
        activite=BLOCK_SENTINELS["famille"][0],
    )
    person(dossier, m.Person.Role.CONJOINT, "Martin", "Paul", civilite="M.", date_naissance=datetime.date(1979, 1, 9))
    person(dossier, m.Person.Role.ENFANT, nom, SENTINELS["famille"], date_naissance=datetime.date(2015, 3, 1))
    period = months_ago(1).replace(day=1)
    for i in range(payments):
        payment = m.Payment.objects.create(
            dossier=dossier,
            periode=period,
            date_emission=period + datetime.timedelta(days=24) - datetime.timedelta(days=i),
            type_traitement=SENTINELS["paiements"] if i == 0 else "Mensuel émis",
            montant_total=Decimal("312.40"),
            montant_paye=Decimal("312.40"),
        )
        m.PaymentLine.objects.create(payment=payment, prestation="Allocations familiales", montant=Decimal("140.00"))
        m.PaymentLine.objects.create(
            payment=payment, prestation="Aide personnalisée au logement", montant=Decimal("172.40")
        )
    m.Right.objects.create(dossier=dossier, mois=period, prestation=SENTINELS["droits"], montant=Decimal("140.00"))
    m.Resource.objects.create(
        dossier=dossier, annee=today.year - 2, nature=SENTINELS["ressources"], montant=Decimal("15000")
    )
    m.Resource.objects.create(
        dossier=dossier,
        person=responsable,
        mois=period,
        nature=BLOCK_SENTINELS["ressources"][0],
        montant=Decimal("1250"),
    )
    if rsa:
        m.RsaPeriod.objects.create(
            dossier=dossier,
            date_debut=months_ago(40),
            date_fin=rsa_end,
            orientation=SENTINELS["rsa"],
            numero_instructeur=INSTRUCTEUR,
        )
    m.Letter.objects.create(
        dossier=dossier, date_reception=period, objet=SENTINELS["courriers"], etat="Votre dossier a été traité"
    )
    m.Housing.objects.create(dossier=dossier, type_occupation=SENTINELS["logement"], loyer=Decimal("520.00"))
    m.Debt.objects.create(
        dossier=dossier, nature=SENTINELS["creances"], montant=Decimal("300"), reste_du=Decimal("120")
    )
    m.ComplementaryData.objects.create(dossier=dossier, nature=SENTINELS["donnees_complementaires"])
    m.HealthCoverage.objects.create(dossier=dossier, kind="CMU", libelle=SENTINELS["cmu_cmuc_rsa"])
    m.HealthCoverage.objects.create(dossier=dossier, kind="CMUC_RESSOURCES", libelle=SENTINELS["cmuc_ressources"])
    return dossier
