"""Consulter Dossier at speed (issue 12.11): every page of a dossier costs the same number of SQL queries whatever
the dossier holds — a dossier with 10 payments (and as many payment lines, rights, resources, letters, debts,
housings, RSA periods) and one with 200 give the same count, the figures below.

A page's count is the request's fixed part — the user (session), the access context (2, habilitations.access), the
consultation, the journal row (5) — plus the dossier's: its persons once (header, Dossier, Droits, Famille, Données
complémentaires and the synthèse share them), then one query per block shown (Paiements: count, page, lines)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cdap import models as m
from cdap.models import Consultation
from habilitations.access.rubrics import rubrics_for
from tests.cdap.dossiers import make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db

FIXED = 5  # user, access context (2), consultation, journal
# The dossier's own queries on each page (PostgreSQL and SQLite alike).
DOSSIER_QUERIES = {
    "synthese": 5,  # persons, payments, rights, resources, and the five short blocks in one query
    "dossier": 1,
    "paiements": 4,  # persons, count, the page, its lines
    "droits": 2,
    "famille": 1,
    "ressources": 2,
    "rsa": 2,
    "courriers": 2,
    "logement": 2,
    "creances": 2,
    "donnees_complementaires": 2,
    "cmu_cmuc_rsa": 2,
    "cmuc_ressources": 2,
}


def grow(dossier, n: int) -> None:
    """n more rows of every kind the rubrics read."""
    start = timezone.localdate().replace(day=1)
    months = [(start - datetime.timedelta(days=31 * i)).replace(day=1) for i in range(n)]
    payments = m.Payment.objects.bulk_create(
        m.Payment(
            dossier=dossier,
            periode=month,
            date_emission=month,
            type_traitement="Mensuel émis",
            montant_total=Decimal("10"),
            montant_paye=Decimal("10"),
        )
        for month in months
    )
    m.PaymentLine.objects.bulk_create(
        m.PaymentLine(payment=p, prestation=code, montant=Decimal("5")) for p in payments for code in ("AF", "APL")
    )
    m.Right.objects.bulk_create(m.Right(dossier=dossier, mois=month, prestation="AF", montant=1) for month in months)
    m.Resource.objects.bulk_create(
        m.Resource(dossier=dossier, mois=month, nature="Salaires", montant=1) for month in months
    )
    m.Letter.objects.bulk_create(m.Letter(dossier=dossier, date_reception=month, objet="Courrier") for month in months)
    m.Debt.objects.bulk_create(m.Debt(dossier=dossier, nature="Indu", montant=1, reste_du=1) for _ in months)
    m.Housing.objects.bulk_create(
        m.Housing(dossier=dossier, type_occupation="Locataire", actuel=False) for _ in months
    )
    m.RsaPeriod.objects.bulk_create(m.RsaPeriod(dossier=dossier, date_debut=month) for month in months)
    m.ComplementaryData.objects.bulk_create(m.ComplementaryData(dossier=dossier, nature="AEEH") for _ in months)
    m.HealthCoverage.objects.bulk_create(m.HealthCoverage(dossier=dossier, kind="CMU", libelle="CMU") for _ in months)


@pytest.fixture
def consultations(client, login):
    """A T1 (every rubric but the two CMU ones) and a T6 (the CMU ones) user, each with a consultation of a
    sentinel dossier grown by `n` rows of every kind; the client logged in as the one asked for."""

    def _make(code, n):
        user, group = habilitated_user(code)
        login(user)
        dossier = make_dossier(caf("061"), numero=f"{n:07d}")
        grow(dossier, n)
        return Consultation.objects.create(
            user=user, dossier=dossier, profile_code=code, organism=group.convention.organism
        )

    return _make


CASES = [("T1-ASS", r) for r in DOSSIER_QUERIES if not r.startswith("cmu")] + [
    ("T6", "cmu_cmuc_rsa"),
    ("T6", "cmuc_ressources"),
]


@pytest.mark.parametrize("n", [10, 200])
@pytest.mark.parametrize(("code", "rubric"), CASES, ids=[rubric for _, rubric in CASES])
def test_each_page_costs_the_same_queries_whatever_the_dossier_holds(
    client, consultations, django_assert_num_queries, code, rubric, n
):
    consultation = consultations(code, n)
    url = f"/consulter-dossier/{consultation.reference}/" + ("" if rubric == "synthese" else f"{rubric}/")
    client.get(url)  # the session's first touch after login
    with django_assert_num_queries(FIXED + DOSSIER_QUERIES[rubric]):
        response = client.get(url)
    assert response.status_code == 200


def test_every_rubric_has_its_count():
    assert (
        {rubric for _, rubric in CASES}
        == set(DOSSIER_QUERIES)
        == set(rubrics_for("T1-ASS")) - {"attestation_paiement"} | {"cmu_cmuc_rsa", "cmuc_ressources"}
    )
    assert {"cmu_cmuc_rsa", "cmuc_ressources"} <= set(rubrics_for("T6"))


def test_the_short_blocks_come_back_as_the_rows_they_are():
    """The synthèse's one query for RSA, Courriers, Logement, Créances and Données complémentaires gives every field
    of every row as the ORM reads it (dates, amounts, booleans, NULLs), the letters of the last three months only."""
    from cdap.selectors import SHORT_BLOCKS, _courriers_since, _prefetch_short_blocks

    dossier = make_dossier(caf("061"))
    grow(dossier, 5)
    m.Housing.objects.create(
        dossier=dossier, type_occupation="Foyer", loyer=Decimal("1049.52"), surpeuplement=None, quittance_presente=True
    )
    m.Debt.objects.create(dossier=dossier, nature="Indu", montant=Decimal("0.01"), reste_du=Decimal("99999.99"))
    _prefetch_short_blocks(dossier, list(SHORT_BLOCKS))
    since = _courriers_since(timezone.localdate())
    for code, model in SHORT_BLOCKS.items():
        rows = model.objects.filter(dossier=dossier)
        if code == "courriers":
            rows = rows.filter(date_reception__gte=since)
        fields = [f.attname for f in model._meta.concrete_fields]
        expected = sorted(rows.values_list(*fields))
        got = sorted(tuple(getattr(row, f) for f in fields) for row in dossier._short[code])
        assert got == expected and got, code
