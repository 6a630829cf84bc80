"""The landlords' own door (issue 14.3): the login page « VOUS ÊTES BAILLEUR » leads to the Espace Bailleur's home,
written for landlords — what to declare, what to consult, where to find help —, which took over /espace-bailleur/
(the page of a service to come until then) and the home of an account that opens nothing but the Espace Bailleur."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.bailleur.factories import landlord
from tests.factories import TEST_PASSWORD, grant, habilitated_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_landlords_login_leads_to_the_espace_bailleur(client):
    user, _ = landlord()
    page = text(client.get(reverse("portal:login_bailleur")))
    assert "VOUS ÊTES BAILLEUR" in page
    credentials = {"username": user.identifiant, "password": TEST_PASSWORD}
    response = client.post(reverse("portal:login_bailleur"), credentials)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == "/espace-bailleur/"


def test_the_home_speaks_to_a_landlord(client, login):
    user, organism = landlord()
    organism.caf_pivot.email = "bailleurs@caf.example"
    organism.caf_pivot.save()
    login(user)
    assert client.get("/accueil/")["Location"] == "/espace-bailleur/"
    page = text(client.get("/espace-bailleur/"))
    assert "<h1>ESPACE BAILLEUR</h1>" in page
    declare = page[page.index('id="declarer"') : page.index('id="consulter"')]
    for declaration in (
        "DÉCLARER LE MONTANT DU LOYER DE JUILLET",
        "SIGNALER LE DÉPART OU LE DÉMÉNAGEMENT D'UN LOCATAIRE",
        "DÉCLARER UNE MODIFICATION DU NOMBRE DE COLOCATAIRES",
        "SIGNALER UN IMPAYÉ DE LOYER",
        "DÉCLARER UNE FIN DE GESTION DU LOGEMENT",
    ):
        assert declaration in declare
    consult = page[page.index('id="consulter"') : page.index('id="aide"')]
    assert f'<a href="{reverse("bailleur:locataires")}"><span class="tile-title">MES LOCATAIRES</span>' in consult
    help_ = page[page.index('id="aide"') :]
    assert f'href="{reverse("portal:caf_contact")}"><span class="tile-title">CONTACTER LA CAF</span>' in help_
    assert f'href="{reverse("portal:faq")}#rubrique-services"' in help_
    # Not the partners' text about profiles and habilitation levels, nor the page of a service to come.
    assert "niveau d'habilitation" not in page and "Service ouvert" not in page


def test_the_tile_and_the_menu_of_a_partner_who_is_also_a_landlord_open_it(client, login):
    user, group = habilitated_user("BAILLEUR")
    grant(group, "T1-ASS")
    login(user)
    home = text(client.get("/accueil/"))  # more than the Espace Bailleur: the partners' home
    assert '<a href="/espace-bailleur/"><span class="tile-title">ESPACE BAILLEUR</span>' in home
    sidebar = home[home.index('<nav class="sidebar"') :]
    assert re.search(r'<a href="/espace-bailleur/"[^>]*>\s*ESPACE BAILLEUR\s*</a>', sidebar[: sidebar.index("</nav>")])
    assert "<h1>ESPACE BAILLEUR</h1>" in text(client.get("/espace-bailleur/"))


def test_the_home_costs_a_constant_number_of_queries(client, login, django_assert_num_queries):
    user, _ = landlord()
    login(user)
    with CaptureQueriesContext(connection) as first:
        client.get("/espace-bailleur/")
    with django_assert_num_queries(len(first)):
        client.get("/espace-bailleur/")
