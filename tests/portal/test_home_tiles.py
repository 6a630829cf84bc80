"""The home page's tiles and the left menu list exactly what the access layer opens today."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habilitations.models import Membership
from tests.factories import GroupFactory, UserFactory, grant, habilitated_user, member
from tests.habilitations.test_conventions_views import World, manager_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def tiles(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<span class="tile-title">([^<]+)</span>', page)]


def menu(page: str) -> list[str]:
    sidebar = page[page.index('<nav class="sidebar"') : page.index("</nav>", page.index('<nav class="sidebar"'))]
    return [html.unescape(label.strip()) for label in re.findall(r"<a [^>]*>([^<]+)</a>", sidebar)]


def home(client) -> str:
    response = client.get("/accueil/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_t1_user_sees_consulter_dossier_and_nothing_else(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    page = home(client)
    assert tiles(page) == ["MON PROFIL", "CONSULTER DOSSIER"]
    assert "Consulter les données allocataires en fonction de votre profil organisme ou métier." in page
    assert "Service ouvert — écran à venir" not in page and 'id="service-CDAP"' in page
    assert '<a href="/consulter-dossier/"><span class="tile-title">CONSULTER DOSSIER' in page
    assert menu(page) == ["BIENVENUE", "MON PROFIL", "CONSULTER DOSSIER", "CONTACTER MA CAF", "RÈGLES D'USAGE"]
    assert '<li><a href="/consulter-dossier/">CONSULTER DOSSIER</a></li>' in page
    assert 'id="aucun-service"' not in page
    assert client.get("/gestion-des-habilitations/").status_code == 403


def test_a_user_whose_membership_closes_today_sees_the_empty_state(client, login):
    user, group = habilitated_user("T1-ASS")
    Membership.objects.filter(user=user).update(date_cloture=TODAY())
    login(user)
    page = home(client)
    assert tiles(page) == ["MON PROFIL"] and 'id="aucun-service"' in page
    assert "contactez l'administrateur" in page
    assert menu(page) == ["BIENVENUE", "MON PROFIL", "CONTACTER MA CAF", "RÈGLES D'USAGE"]


@pytest.mark.parametrize("breaker", ["group_closed", "grant_closed", "convention_suspended", "profile_withdrawn"])
def test_the_tile_goes_with_any_condition_of_the_rule(client, login, breaker):
    user, group = habilitated_user("T1-ASS")
    the_grant = group.grants.get()
    if breaker == "group_closed":
        group.date_cloture = TODAY()
        group.save()
    elif breaker == "grant_closed":
        the_grant.date_cloture = TODAY()
        the_grant.save()
    elif breaker == "convention_suspended":
        group.convention.etat = "SUSPENDUE"
        group.convention.save()
    else:
        the_grant.convention_profile.date_cloture = TODAY()
        the_grant.convention_profile.save()
    login(user)
    assert "CONSULTER DOSSIER" not in home(client)


def test_services_come_in_the_reference_order_with_the_guides_labels(client, login, django_assert_max_num_queries):
    user, group = habilitated_user("AFAS-DECLARER", service_group_code="AFAS-DEC")
    for code in ["DGFIP", "T1-ASS", "SUPERVISION_CDAP", "BAILLEUR", "ADONIS", "SUPERVISION_DGFIP"]:
        grant(group, code)
    login(user)
    page = home(client)
    expected = [
        "CONSULTER DOSSIER",
        "SUPERVISION CONSULTER DOSSIER",
        "ESPACE BAILLEUR",
        "AIDE FINANCIÈRE D'ACTION SOCIALE",
        "ADONIS",
        "OFFRE DGFIP",
        "SUPERVISION DGFIP",
    ]
    assert tiles(page) == ["MON PROFIL", *expected]
    assert menu(page) == ["BIENVENUE", "MON PROFIL", *expected, "CONTACTER MA CAF", "RÈGLES D'USAGE"]


def test_a_service_given_by_two_groups_has_one_tile(client, login):
    user, group = habilitated_user("T1-ASS")
    other = GroupFactory(convention=group.convention, code="T1-BIS")
    grant(other, "T1-ASS")
    member(user, other)
    login(user)
    page = home(client)
    assert tiles(page).count("CONSULTER DOSSIER") == 1 and menu(page).count("CONSULTER DOSSIER") == 1


def test_an_administrator_sees_gestion_des_habilitations():
    world = World()
    page = home(manager_client(world.admin))
    assert tiles(page) == ["MON PROFIL", "GESTION DES HABILITATIONS"]
    assert "Gérer les habilitations de vos collaborateurs." in page
    assert 'href="/gestion-des-habilitations/"' in page and 'id="aucun-service"' not in page
    assert menu(page) == ["BIENVENUE", "MON PROFIL", "GESTION DES HABILITATIONS", "CONTACTER MA CAF", "RÈGLES D'USAGE"]


def test_a_responsable_member_of_their_group_sees_both():
    world = World()
    member(world.responsable, world.t1)
    page = home(manager_client(world.responsable))
    assert tiles(page) == ["MON PROFIL", "GESTION DES HABILITATIONS", "CONSULTER DOSSIER"]


def test_a_responsable_of_a_closed_group_no_longer_manages():
    world = World()
    world.t1.date_cloture = TODAY()
    world.t1.save()
    client = manager_client(world.responsable)
    page = home(client)
    assert "GESTION DES HABILITATIONS" not in page and 'id="aucun-service"' in page
    assert client.get("/gestion-des-habilitations/mes-conventions/").status_code == 403


def test_the_submenu_shows_in_the_section_only():
    world = World()
    client = manager_client(world.admin)
    assert "Mes organismes" not in home(client)
    page = client.get("/gestion-des-habilitations/mes-organismes/").content.decode()
    assert menu(page)[2:7] == [
        "GESTION DES HABILITATIONS",
        "Mes organismes",
        "Mes conventions",
        "Mes utilisateurs (interne)",
        "Les types de partenaires",
    ]
    assert '<a href="/gestion-des-habilitations/mes-organismes/" aria-current="page">' in page


def test_the_home_page_costs_the_same_for_one_or_many_services(client, login, django_assert_num_queries):
    user, group = habilitated_user("T1-ASS")
    login(user)
    with CaptureQueriesContext(connection) as one:
        home(client)
    for code in ["AFAS-DECLARER", "DGFIP", "ADONIS", "BAILLEUR"]:
        extra = GroupFactory(convention=group.convention)
        grant(extra, code)
        member(user, extra)
    with django_assert_num_queries(len(one)):
        page = home(client)
    assert len(tiles(page)) == 6


def test_a_user_without_any_group(client, login):
    login(UserFactory())
    page = home(client)
    assert tiles(page) == ["MON PROFIL"] and 'id="aucun-service"' in page
