"""Everything Consulter Dossier reads is the searched dossier's: a search control holds on that dossier's own rows
(another dossier's RSA file, protection measure, landlord or RSA period opens nothing), and each rubric, summary and
page shows that dossier's rows only, of the rubric's kinds, newest first, within its bound."""

import datetime

import pytest
from django.db.models import Model
from django.utils import timezone

from cdap import selectors
from cdap.models import (
    Consultation,
    Debt,
    HealthCoverage,
    Housing,
    Letter,
    Payment,
    Person,
    ProtectionMeasure,
    RsaPeriod,
)
from cdap.selectors import BUILDERS, SearchCriteria, dossier_search
from tests.cdap.factories import DossierFactory, complete_dossier, month_start, months_ago
from tests.factories import OrganismFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
INSTRUCTEUR, BAILLEUR = "083C1230100000", "B-42"


def search(dossier, controle, organism, **criteria):
    responsable = dossier.persons.get(role=Person.Role.RESPONSABLE)
    return dossier_search(
        SearchCriteria(
            caf_id=dossier.caf_id,
            nom=responsable.nom,
            numero=dossier.numero,
            profile_code="T",
            controle=controle,
            organism_id=organism.pk,
            **criteria,
        )
    )


def evidence(controle, dossier, organism, **overrides):
    """The row that lets `controle` open `dossier` for `organism`."""
    if controle == "instructeur":
        return RsaPeriod.objects.create(dossier=dossier, date_debut=TODAY() - 30 * DAY, numero_instructeur=INSTRUCTEUR)
    if controle == "tutelle":
        return ProtectionMeasure.objects.create(dossier=dossier, organism=organism, date_debut=TODAY() - 30 * DAY)
    if controle == "bailleur":
        fields = {"type_occupation": "Locataire", "numero_bailleur": BAILLEUR, "bailleur_organism": organism}
        return Housing.objects.create(dossier=dossier, **{**fields, **overrides})
    return RsaPeriod.objects.create(dossier=dossier, date_debut=TODAY() - 30 * DAY)


CRITERIA = {"instructeur": {"numero_instructeur": INSTRUCTEUR}, "bailleur": {"numero_bailleur": BAILLEUR}}


@pytest.mark.parametrize("controle", ["instructeur", "tutelle", "bailleur", "rsa_2_ans"])
def test_a_control_holds_on_the_searched_dossiers_rows_only(controle):
    organism, searched, other = OrganismFactory(), DossierFactory(), DossierFactory()
    evidence(controle, other, organism)
    assert search(searched, controle, organism, **CRITERIA.get(controle, {})) == (
        None,
        selectors.CONTROL_REASONS[controle],
    )
    evidence(controle, searched, organism)
    assert search(searched, controle, organism, **CRITERIA.get(controle, {})) == (searched, "")


def test_a_former_housing_of_the_landlord_opens_nothing():
    organism, dossier = OrganismFactory(), DossierFactory()
    evidence("bailleur", dossier, organism, actuel=False)
    assert search(dossier, "bailleur", organism, numero_bailleur=BAILLEUR)[0] is None


def rows_of(value):
    """Every model instance a rubric's data holds (in dicts, lists, tuples and pages)."""
    if isinstance(value, Model):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from rows_of(item)
    elif isinstance(value, (list, tuple)) or hasattr(value, "object_list"):
        for item in value:
            yield from rows_of(item)


@pytest.mark.parametrize("rubric", sorted(BUILDERS))
@pytest.mark.parametrize("summary", [True, False], ids=["synthese", "page"])
def test_each_rubric_shows_the_dossiers_rows_only(rubric, summary):
    dossier, other = complete_dossier(), complete_dossier()
    rows = list(rows_of(BUILDERS[rubric](dossier, summary)))
    assert rows, f"{rubric}: the complete dossier shows nothing"
    owners = {getattr(row, "dossier_id", None) or row.payment.dossier_id for row in rows}
    assert owners == {dossier.pk}, (rubric, other.pk)


def coverages(dossier, kind, count, start):
    HealthCoverage.objects.bulk_create(
        HealthCoverage(dossier=dossier, kind=kind, date_debut=start + i * DAY, libelle=f"{kind} {i}")
        for i in range(count)
    )


@pytest.mark.parametrize(
    ("rubric", "key", "kinds"),
    [("cmu_cmuc_rsa", "couvertures", {"CMU", "CMUC", "RSA"}), ("cmuc_ressources", "ressources", {"CMUC_RESSOURCES"})],
)
def test_coverage_rubrics_hold_their_kinds_newest_first_at_most_a_hundred(rubric, key, kinds):
    dossier = DossierFactory()
    start = TODAY() - 400 * DAY
    for kind in HealthCoverage.Kind.values:
        coverages(dossier, kind, 101, start)
    rows = BUILDERS[rubric](dossier, False)[key]
    assert len(rows) == 100 and {row.kind for row in rows} == kinds
    order = [(row.date_debut, -row.pk) for row in rows]
    assert order == sorted(order, reverse=True) and rows[0].date_debut == start + 100 * DAY


def test_the_letters_newest_first_at_most_two_hundred_on_the_page_the_synthese_those_of_three_months():
    dossier = DossierFactory()
    Letter.objects.bulk_create(
        Letter(dossier=dossier, date_reception=TODAY() - (i // 2) * DAY, objet=f"Courrier {i}") for i in range(201)
    )
    page = BUILDERS["courriers"](dossier, False)["courriers"]
    order = [(letter.date_reception, letter.pk) for letter in page]
    assert len(page) == 200 and order == sorted(order, reverse=True)
    # "Courriers de <mois> à <mois>" (webinar 004:469): this month and the two before, newest first, at most 20.
    assert BUILDERS["courriers"](dossier, True)["courriers"] == page[:20]


def test_the_synthese_letters_are_those_of_this_month_and_the_two_before():
    dossier = DossierFactory()
    today = datetime.date(2026, 3, 10)
    kept = [datetime.date(2026, 1, 1), datetime.date(2026, 2, 27), datetime.date(2026, 3, 9)]
    for day in [datetime.date(2025, 12, 31), *kept]:
        Letter.objects.create(dossier=dossier, date_reception=day, objet=f"Courrier du {day}")
    summary = BUILDERS["courriers"](dossier, True, today=today)
    assert [letter.date_reception for letter in summary["courriers"]] == kept[::-1]
    assert (summary["depuis"], summary["jusqu_a"]) == (datetime.date(2026, 1, 1), today)


def test_the_attestation_is_for_the_last_month_paid_not_the_last_payment_sent():
    dossier = DossierFactory()
    month, before = month_start(months_ago(1)), month_start(months_ago(2))
    for periode, emission in [(month, month + 25 * DAY), (before, month + 40 * DAY)]:  # a late regularisation
        Payment.objects.create(
            dossier=dossier,
            periode=periode,
            date_emission=emission,
            type_traitement="Mensuel",
            montant_total=10,
            montant_paye=10,
        )
    consultation = Consultation(dossier=dossier, profile_code="T1-ASS")
    assert selectors.attestation_data(consultation)["periode"] == month


def test_the_name_is_the_searched_dossiers_responsable_or_conjoint():
    dossier = DossierFactory(conjoint__nom="GARNIER", children=[6])
    other = DossierFactory(responsable__nom="BERTRAND")
    child = dossier.persons.get(role=Person.Role.ENFANT)
    Person.objects.filter(pk=child.pk).update(nom="ENFANTIN", nom_recherche="ENFANTIN")
    base = {"caf_id": dossier.caf_id, "numero": dossier.numero, "profile_code": "T1-ASS", "controle": ""}
    criteria = lambda nom: SearchCriteria(nom=nom, organism_id=0, **base)  # noqa: E731
    assert dossier_search(criteria("Garnier")) == (dossier, "")
    other_name = other.persons.get(role=Person.Role.RESPONSABLE).nom
    assert dossier_search(criteria(other_name)) == (None, selectors.REASON_NAME)
    assert dossier_search(criteria("Enfantin")) == (None, selectors.REASON_NAME)


def test_the_rsa_periods_and_housings_newest_first_the_synthese_shows_the_first():
    dossier = DossierFactory()
    for months in (30, 10, 20):
        RsaPeriod.objects.create(dossier=dossier, date_debut=TODAY() - months * 30 * DAY)
    periods = BUILDERS["rsa"](dossier, False)["periodes"]
    assert [p.date_debut for p in periods] == sorted((p.date_debut for p in periods), reverse=True) and len(
        periods
    ) == 3
    assert BUILDERS["rsa"](dossier, True)["periodes"] == periods[:1]
    Housing.objects.bulk_create(
        Housing(dossier=dossier, type_occupation="Locataire", actuel=False, date_debut_occupation=TODAY() - i * DAY)
        for i in range(1, 22)
    )
    current = Housing.objects.create(
        dossier=dossier, type_occupation="Propriétaire", actuel=True, date_debut_occupation=TODAY() - 900 * DAY
    )
    housings = BUILDERS["logement"](dossier, False)["logements"]
    assert len(housings) == 20 and housings[0] == current
    assert [h.date_debut_occupation for h in housings[1:]] == [TODAY() - i * DAY for i in range(1, 20)]
    assert BUILDERS["logement"](dossier, True)["logements"] == [current]


def test_the_debts_at_most_two_hundred_and_what_remains_due():
    dossier = DossierFactory()
    Debt.objects.bulk_create(Debt(dossier=dossier, nature="Indu", montant=10, reste_du=2) for _ in range(201))
    data = BUILDERS["creances"](dossier, False)
    assert len(data["creances"]) == 200 and data["reste_du"] == 400
