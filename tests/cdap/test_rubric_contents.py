"""What the rubrics' builders hand the pages (cdap.selectors): the latest year of annual resources with its total and
the last 24 months, the payments by emission or by period with their lines by prestation, the dossier's family
situation — each in its order, so a page or a PDF shows them as the guide does."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cdap.models import Consultation, Payment, PaymentLine, Person, Resource
from cdap.selectors import BUILDERS, PAYMENTS_PER_PAGE, attestation_data
from tests.cdap.factories import DossierFactory, month_start, months_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_the_latest_year_of_resources_with_its_total_and_the_last_24_months():
    dossier = DossierFactory()
    year = TODAY().year - 1
    older = Resource.objects.create(dossier=dossier, annee=year - 1, nature="Salaires", montant=Decimal("9000"))
    first = Resource.objects.create(dossier=dossier, annee=year, nature="Salaires", montant=Decimal("12000"))
    second = Resource.objects.create(dossier=dossier, annee=year, nature="Chômage", montant=Decimal("3000"))
    Resource.objects.bulk_create(
        Resource(dossier=dossier, mois=month_start(months_ago(n)), nature="Mensuel", montant=Decimal(n))
        for n in range(1, 31)
    )
    data = BUILDERS["ressources"](dossier, False)
    assert (data["annee"], data["annuelles"], data["total"]) == (year, [first, second], Decimal("15000"))
    assert older not in data["annuelles"]
    assert [r.montant for r in data["mensuelles"]] == [Decimal(n) for n in range(1, 25)]


def test_no_annual_resources_no_year():
    dossier = DossierFactory()
    Resource.objects.create(dossier=dossier, mois=month_start(months_ago(1)), nature="Mensuel", montant=1)
    data = BUILDERS["ressources"](dossier, False)
    assert (data["annee"], data["annuelles"], data["total"], len(data["mensuelles"])) == (None, [], 0, 1)


def payment(dossier, periode, emission, **fields):
    fields = {"type_traitement": "Mensuel", "montant_total": 10, "montant_paye": 10, **fields}
    return Payment.objects.create(dossier=dossier, periode=periode, date_emission=emission, **fields)


def test_payments_by_emission_or_by_period_lines_by_prestation_the_synthese_shows_the_last_sent():
    dossier = DossierFactory()
    march, february = month_start(months_ago(1)), month_start(months_ago(2))
    late = payment(dossier, february, march + 20 * DAY)  # a regularisation of February, sent last
    regular = payment(dossier, march, march + 5 * DAY)
    older = payment(dossier, february, february + 5 * DAY)
    for prestation in ("Prime d'activité", "Allocations familiales"):
        PaymentLine.objects.create(payment=regular, prestation=prestation, montant=5)
    assert BUILDERS["paiements"](dossier, True)["dernier"] == late
    assert BUILDERS["paiements"](dossier, True)["derniers"] == [late, regular, older]
    # "Vue par paiement": one payment a page, the last sent first ("Paiement précédent" = the next page).
    by_emission = [BUILDERS["paiements"](dossier, False, page=n) for n in (1, 2, 3)]
    assert [list(data["page"]) for data in by_emission] == [[late], [regular], [older]]
    assert by_emission[0]["vue"] == "paiement" and by_emission[0]["page"].paginator.count == 3
    by_period = BUILDERS["paiements"](dossier, False, vue="periode")
    assert list(by_period["page"]) == [regular, late, older] and by_period["vue"] == "periode"
    lines = [line.prestation for line in list(by_emission[1]["page"])[0].lines.all()]
    assert lines == ["Allocations familiales", "Prime d'activité"]


def test_payments_page_one_unless_asked():
    dossier = DossierFactory()
    for n in range(PAYMENTS_PER_PAGE + 1):
        payment(dossier, month_start(months_ago(1)), TODAY() - n * DAY)
    assert BUILDERS["paiements"](dossier, False, vue="periode")["page"].number == 1
    assert len(BUILDERS["paiements"](dossier, False, vue="periode", page=2)["page"]) == 1
    assert BUILDERS["paiements"](dossier, False)["page"].number == 1


def test_the_dossier_rubric_says_the_family_situation_and_since_when():
    dossier = DossierFactory(situation_familiale="Pacs", date_situation_familiale=datetime.date(2019, 4, 1))
    data = BUILDERS["dossier"](dossier, False)
    assert (data["situation_familiale"], data["date_situation_familiale"]) == ("Pacs", datetime.date(2019, 4, 1))
    assert data["situation"] == dossier.situation and data["surendettement"] == dossier.surendettement


def test_the_attestation_holds_this_dossiers_payments_of_the_month_their_lines_by_prestation_and_the_total():
    dossier, neighbour = DossierFactory(), DossierFactory()
    month = month_start(months_ago(1))
    second = payment(dossier, month, month + 20 * DAY)
    first = payment(dossier, month, month + 5 * DAY)
    payment(neighbour, month, month + 5 * DAY)
    PaymentLine.objects.create(payment=first, prestation="Prime d'activité", montant=Decimal("100.00"))
    PaymentLine.objects.create(payment=first, prestation="Allocations familiales", montant=Decimal("140.00"))
    data = attestation_data(Consultation(dossier=dossier, profile_code="T1-ASS"))
    assert data["periode"] == month and data["payments"] == [first, second]
    assert data["lignes"] == [("Allocations familiales", Decimal("140.00")), ("Prime d'activité", Decimal("100.00"))]
    assert data["total"] == Decimal("240.00")


def test_an_attestation_without_lines_shows_the_payments_themselves():
    dossier = DossierFactory()
    month = month_start(months_ago(1))
    payment(dossier, month, month + 5 * DAY, montant_paye=Decimal("55.00"))
    data = attestation_data(Consultation(dossier=dossier, profile_code="T1-ASS"))
    assert data["lignes"] == [("Mensuel", Decimal("55.00"))] and data["total"] == Decimal("55.00")


def test_the_dossier_rubric_lists_the_adults_responsable_first():
    dossier = DossierFactory(conjoint=True, children=[4])
    data = BUILDERS["dossier"](dossier, False)
    assert [p.role for p in data["adultes"]] == [Person.Role.RESPONSABLE, Person.Role.CONJOINT]
