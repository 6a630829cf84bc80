"""« Paiements » (issue 14.5): when the Caf pays the aid to the landlord (tiers payant), the monthly detail per tenant
with the total of each month, filtered, paginated, read through cdap.selectors; its export as CSV and XLSX (streamed,
French formats); another landlord's payments are nowhere."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cdap.selectors import landlord_payment_totals, landlord_payments
from habilitations.models import JournalEntry
from tests.bailleur.factories import landlord, tenancy
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def world():
    user, organism = landlord()
    other_user, other = landlord()
    payet = tenancy(organism, responsable__nom="Payet", responsable__prenom="Nadia")
    grand = tenancy(organism, montant="1049.52", responsable__nom="Grandin", responsable__prenom="Luc")
    # The AL of this tenant is paid to the tenant: no payment to the landlord.
    tenancy(organism, aide="AL", montant="198.00", tiers_payant=False, responsable__nom="Bernard")
    # Moved in last month: the earlier months' aid went to the previous landlord.
    tenancy(organism, montant="200.00", responsable__nom="Nouveau", housing__date_debut_occupation=last_month())
    tenancy(other, responsable__nom="Étranger")
    return {
        "client": verified_client(user),
        "other_client": verified_client(other_user),
        "organism": organism,
        "payet": payet,
        "grand": grand,
    }


def section(response, anchor: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</table>", start)]


def test_the_monthly_detail_and_the_totals(world):
    response = world["client"].get(reverse("bailleur:paiements"))
    assert response.status_code == 200
    detail = section(response, "paiements")
    assert "PAYET Nadia" in detail and "GRANDIN Luc" in detail and "NOUVEAU" in detail
    assert f'<td class="numeric">1{NBSP}049,52{NBSP}€</td>' in detail  # French, right-aligned
    assert "BERNARD" not in detail and "ÉTRANGER" not in detail
    # 3 months for Payet and Grandin, 1 for the newcomer.
    assert "Page 1 sur 1 — 7 résultats" in response.content.decode()
    totals = section(response, "totaux")
    assert totals.count("<tr>") == 1 + 3
    assert f"1{NBSP}562,02{NBSP}€" in totals  # 312,50 + 1 049,52 + 200,00
    assert f"1{NBSP}362,02{NBSP}€" in totals  # the months before the newcomer moved in


def test_the_selector_counts_the_months_and_keeps_to_the_landlord(world):
    ids = {world["organism"].pk}
    rows = list(landlord_payments(ids))
    assert len(rows) == 7 and rows[0].periode == last_month()
    totals = landlord_payment_totals(ids)
    assert [t["nombre"] for t in totals] == [3, 2, 2]
    assert totals[0]["total"] == Decimal("1562.02")
    assert list(landlord_payments(set())) == []


@pytest.mark.parametrize(
    ("query", "count"),
    [({"nom": "grandin"}, 3), ({"mois": f"{last_month():%Y-%m}"}, 3), ({"nom": "payet", "mois": ""}, 3)],
)
def test_filters(world, query, count):
    response = world["client"].get(reverse("bailleur:paiements"), query)
    assert f"Page 1 sur 1 — {count} résultats" in response.content.decode()


def test_a_bad_filter_is_told_in_french_and_ignored(world):
    response = world["client"].get(reverse("bailleur:paiements"), {"mois": "1999-01", "nom": "x" * 101})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez un mois de la liste." in html and "Le nom compte au plus 100 caractères." in html
    assert "Page 1 sur 1 — 7 résultats" in html


def test_another_landlord_sees_only_its_own(world):
    response = world["other_client"].get(reverse("bailleur:paiements"))
    detail = section(response, "paiements")
    assert "ÉTRANGER" in detail and "PAYET" not in detail and "GRANDIN" not in detail
    rows = csv_rows(world["other_client"].get(reverse("bailleur:paiements_export")))
    assert len(rows) == 1 + 3 and all(row[3] == "ÉTRANGER" for row in rows[1:])


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))


def test_the_csv_export(world):
    response = world["client"].get(reverse("bailleur:paiements_export"), {"nom": "grandin"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="paiements-')
    rows = csv_rows(response)
    assert rows[0] == [
        "Mois",
        "Numéro allocataire",
        "Civilité",
        "Nom du locataire",
        "Prénom du locataire",
        "Adresse du logement",
        "Code postal",
        "Commune",
        "Montant versé",
        "Date de paiement",
    ]
    assert len(rows) == 1 + 3
    month = last_month()
    assert rows[1][0] == f"{month:%m/%Y}" and rows[1][3] == "GRANDIN" and rows[1][4] == "Luc"
    assert rows[1][8] == "1049,52"
    assert rows[1][9] == f"{month + relativedelta(months=1, day=5):%d/%m/%Y}"
    export = JournalEntry.objects.get(event="export.bailleur_paiements")
    assert export.data["filters"] == {"nom": "grandin"}


def test_the_xlsx_export(world):
    response = world["client"].get(reverse("bailleur:paiements_export_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 7
    grandin = next(row for row in rows if row[3] == "GRANDIN")
    assert grandin[8] == Decimal("1049.52") or grandin[8] == pytest.approx(1049.52)
    assert isinstance(grandin[9], datetime.datetime)


def test_a_constant_number_of_queries(world, django_assert_num_queries):
    url = reverse("bailleur:paiements")
    with CaptureQueriesContext(connection) as small:
        world["client"].get(url)
    for n in range(30):
        tenancy(world["organism"], montant="250.00", responsable__nom=f"Locataire{n}")
    with django_assert_num_queries(len(small)):
        response = world["client"].get(url)
    assert "97 résultats" in response.content.decode()
