"""The services whose screens come later are no dead end (issue 12, item 5): their tile and menu entry open a page
of the service — what it will offer, whom to contact at the Caf — that only their users reach. (AFAS has its own
pages since issue 13: tests/afas/test_accueil.py; the Espace Bailleur since issue 14: tests/bailleur/
test_accueil.py.)"""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import habilitated_user

pytestmark = pytest.mark.django_db

PAGES = [
    # profile, URL, title, a line of what it will offer
    ("DGFIP", "/offre-dgfip/", "OFFRE DGFIP", "opposition à tiers détenteur"),
    ("SUPERVISION_DGFIP", "/supervision-dgfip/", "SUPERVISION DGFIP", "volumes atypiques"),
]


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(("profile", "url", "title", "offer"), PAGES)
def test_the_tile_and_the_menu_open_the_services_page(client, login, profile, url, title, offer):
    user, group = habilitated_user(profile)
    caf = group.convention.organism.caf_pivot
    caf.email, caf.telephone = "partenaires@caf.example", "32 30"
    caf.save()
    login(user)
    home = text(client.get("/accueil/"))
    assert f'<a href="{url}"><span class="tile-title">{title}</span>' in home
    sidebar = home[home.index('<nav class="sidebar"') :]
    assert re.search(rf'<a href="{url}"[^>]*>\s*{re.escape(title)}\s*</a>', sidebar[: sidebar.index("</nav>")])
    assert "Service ouvert — écran à venir" not in home
    page = text(client.get(url))
    assert f"<h1>{title}</h1>" in page and offer in page
    assert "Ce que le service vous permettra" in page
    contact = page[page.index('id="contact-caf"') :]
    assert caf.nom in contact and 'href="mailto:partenaires@caf.example"' in contact and "32 30" in contact


@pytest.mark.parametrize(("profile", "url", "title", "offer"), PAGES)
def test_only_the_services_users_reach_its_page(client, login, profile, url, title, offer):
    user, _ = habilitated_user("T1-ASS")
    login(user)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith("/connexion/")


def test_the_service_page_costs_a_constant_number_of_queries(client, login, django_assert_num_queries):
    user, _ = habilitated_user("DGFIP")
    login(user)
    with CaptureQueriesContext(connection) as first:
        client.get("/offre-dgfip/")
    with django_assert_num_queries(len(first)):
        client.get("/offre-dgfip/")


def test_a_partner_keeps_the_partners_home(client, login):
    user, _ = habilitated_user("T1-ASS")
    login(user)
    home = text(client.get("/accueil/"))
    assert "niveau d'habilitation" in home and 'id="accueil-bailleur"' not in home
    assert re.search(r"Par mesure de sécurité, vous serez déconnecté au bout de 30 minutes", home)
