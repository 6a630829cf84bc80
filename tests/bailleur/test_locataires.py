"""« Mes locataires » (issue 14.4): the landlord's tenants receiving AL or APL, read from the Caf's housing data
through cdap.selectors, filtered, paginated, a tenant's page; another landlord's tenancy answers 404."""

import pytest
from django.urls import reverse

from tests.bailleur.factories import landlord, tenancy
from tests.cdap.factories import DossierFactory
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    user, organism = landlord()
    _, other = landlord()
    mine = tenancy(organism, responsable__nom="Payet", responsable__prenom="Nadia", commune="Nice")
    al = tenancy(
        organism, aide="AL", montant="198.00", tiers_payant=False, responsable__nom="Bernard", commune="Antibes"
    )
    theirs = tenancy(other, responsable__nom="Étranger")
    # A tenant of this landlord without housing aid, and a former tenant: not listed.
    DossierFactory(
        rights=3, prestations={"AF": "148.52"}, housing__bailleur_organism=organism, responsable__nom="Sansaide"
    )
    DossierFactory(
        rights=3, prestations={"APL": "300.00"}, housing__bailleur_organism=organism, housing__actuel=False,
        responsable__nom="Parti",
    )  # fmt: skip
    return {"client": verified_client(user), "mine": mine, "al": al, "theirs": theirs}


def rows(response) -> str:
    html = response.content.decode()
    return html[html.index('id="locataires"') :]


def test_the_list_shows_the_landlords_tenants_receiving_a_housing_aid(world):
    response = world["client"].get(reverse("bailleur:locataires"))
    assert response.status_code == 200
    table = rows(response)
    assert "PAYET Nadia" in table and "BERNARD" in table
    assert "312,50\u00a0€" in table  # APL paid to the landlord
    assert "Versée au locataire" in table  # the AL paid to the tenant: no amount
    assert "Nice" in table and "01/04/2019" in table  # address, start of the right
    for absent in ("ÉTRANGER", "SANSAIDE", "PARTI"):
        assert absent not in table
    assert "Page 1 sur 1 — 2 résultats" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"nom": "payet"}, "PAYET", "BERNARD"),
        ({"aide": "AL"}, "BERNARD", "PAYET"),
        ({"aide": "APL"}, "PAYET", "BERNARD"),
        ({"commune": "antib"}, "BERNARD", "PAYET"),
    ],
)
def test_filters(world, query, shown, hidden):
    table = rows(world["client"].get(reverse("bailleur:locataires"), query))
    assert shown in table and hidden not in table


def test_a_bad_filter_is_told_in_french_and_ignored(world):
    response = world["client"].get(reverse("bailleur:locataires"), {"aide": "RSA", "nom": "x" * 101})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez une aide de la liste." in html
    assert "Le nom compte au plus 100 caractères." in html
    assert "PAYET" in rows(response) and "BERNARD" in rows(response)


def test_the_tenants_page(world):
    response = world["client"].get(reverse("bailleur:locataire", args=[world["mine"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PAYET Nadia" in html
    assert "Aide personnalisée au logement (APL)" in html
    assert "312,50\u00a0€" in html
    assert world["mine"].dossier.numero in html


def test_another_landlords_tenancy_answers_404(world):
    assert world["client"].get(reverse("bailleur:locataire", args=[world["theirs"].pk])).status_code == 404
    assert world["client"].get(reverse("bailleur:locataire", args=[999_999])).status_code == 404


def test_the_list_is_paginated(world):
    user, organism = landlord()
    for n in range(26):
        tenancy(organism, responsable__nom=f"Locataire{n:02d}")
    client = verified_client(user)
    first = client.get(reverse("bailleur:locataires"))
    assert "Page 1 sur 2 — 26 résultats" in first.content.decode()
    second = client.get(reverse("bailleur:locataires"), {"page": "2"})
    assert "LOCATAIRE25" in rows(second) and "LOCATAIRE00" not in rows(second)


LIST_QUERIES = 5  # session, user, access context, the COUNT and the page: the same for 10 or 200 tenancies


@pytest.mark.parametrize("count", [10, 200])
def test_constant_number_of_queries(django_assert_num_queries, count):
    user, organism = landlord()
    client = verified_client(user)
    for n in range(count):
        tenancy(organism, responsable__nom=f"Locataire{n:03d}")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("bailleur:locataires"))
    assert f"{count} résultats" in response.content.decode()
