"""Accueil AFAS (issue 13.2, guide 002): an AFAS-DECLARER member without a role sees the service's page — Bienvenue,
« Déclarer en trois étapes », Accès direct, Aide — and whom to ask for a role (the AFAS-HABILITER users of their
organism); with roles, the roles that give something today."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from afas import services
from tests.afas.factories import DAY, TODAY, activity, afas_groups, declarer_of, site
from tests.factories import UserFactory, habilitated_user, member

pytestmark = pytest.mark.django_db
URL = "/aide-financiere-d-action-sociale/"


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_declarer_without_a_role_sees_the_page_and_whom_to_ask(client, login):
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    habiliter = UserFactory(organism=organism, nom="Robin", prenom="Jean-Baptiste", email="jb.robin@moulins.example")
    member(habiliter, habiliter_group)
    # Not named: an AFAS-HABILITER of another organism, and one whose membership is closed.
    _, other_hab = afas_groups()
    member(UserFactory(organism=other_hab.convention.organism, nom="Etranger"), other_hab)
    member(UserFactory(organism=organism, nom="Parti"), habiliter_group, date_cloture=TODAY())
    user = declarer_of(declarer_group)
    login(user)
    home = text(client.get("/accueil/"))
    assert f'<a href="{URL}"><span class="tile-title">AIDE FINANCIÈRE D\'ACTION SOCIALE</span>' in home
    page = text(client.get(URL))
    assert "<h1>AIDES FINANCIÈRES D'ACTION SOCIALE</h1>" in page
    for heading in ("Bienvenue", "Déclarer en trois étapes", "Accès direct", "Aide"):
        assert f">{heading}</h2>" in page
    assert "Transmettez en un clic votre déclaration à la Caf." in page
    assert "Vous n'avez pas encore de rôle sur les activités de votre organisme." in page
    ask = page[page.index('id="a-qui-demander"') :]
    ask = ask[: ask.index("</p>")]
    assert "Demandez un rôle à" in ask and "Jean-Baptiste ROBIN" in ask and "mailto:jb.robin@moulins.example" in ask
    assert "ETRANGER" not in ask and "PARTI" not in ask
    assert "Ce que le service vous permettra" not in page  # the placeholder of issue 12.5 is gone


def test_without_any_habiliter_user_the_page_says_to_ask_the_administrator(client, login):
    declarer_group, _ = afas_groups()
    login(declarer_of(declarer_group))
    page = text(client.get(URL))
    assert "Personne n'attribue aujourd'hui les rôles d'action sociale de votre organisme" in page


def test_a_declarer_with_roles_sees_them_and_not_the_ended_ones(client, login):
    declarer_group, _ = afas_groups()
    organism = declarer_group.convention.organism
    user = declarer_of(declarer_group)
    peri = activity(organism, "Péri Assoc")
    ecoles = site(activity(organism, "Extra Assoc", nature="EXTRASCOLAIRE"), "Site Ecoles")
    services.role_assign(user=user, role="APPROBATEUR", activity=peri)
    services.role_assign(user=user, role="FDA", site=ecoles)
    ended = services.role_assign(user=user, role="FDF", activity=peri)
    services.role_end(ended)
    services.role_assign(user=user, role="FDI", activity=peri, date_ouverture=TODAY() + DAY)  # not yet
    login(user)
    page = text(client.get(URL))
    roles = page[page.index('id="mes-roles"') : page.index('id="trois-etapes"')]
    assert "<td>Approbateur</td><td>Péri Assoc</td><td>—</td>" in roles
    assert "<td>Fournisseur de données d'activité</td><td>Extra Assoc</td><td>Site Ecoles</td>" in roles
    assert "financières" not in roles and "import" not in roles
    assert 'id="sans-role"' not in page


def test_a_role_gives_nothing_once_the_declarer_membership_is_closed(client, login):
    declarer_group, habiliter_group = afas_groups()
    user = declarer_of(declarer_group)
    services.role_assign(user=user, role="FDA", activity=activity(declarer_group.convention.organism))
    membership = user.memberships.get()
    membership.date_cloture = TODAY()
    membership.save()
    member(user, habiliter_group)  # AFAS stays open through AFAS-HABILITER, which carries no role
    login(user)
    page = text(client.get(URL))
    roles = page[page.index('id="mes-roles"') : page.index('id="trois-etapes"')]
    assert 'id="sans-role"' in roles and "Fournisseur de données d'activité" not in roles
    assert "Vous ne déclarez pas vous-même" in roles


def test_only_afas_users_reach_the_page(client, login):
    user, _ = habilitated_user("T1-ASS")
    login(user)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL)["Location"].startswith("/connexion/")


def test_the_page_costs_the_same_for_one_or_many_roles(client, login, django_assert_num_queries):
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    user = declarer_of(declarer_group)
    services.role_assign(user=user, role="FDA", activity=activity(organism, "A0"))
    login(user)
    with CaptureQueriesContext(connection) as one:
        text(client.get(URL))
    for n in range(1, 8):
        services.role_assign(user=user, role="FDF", activity=activity(organism, f"A{n}"))
    with django_assert_num_queries(len(one)):
        page = text(client.get(URL))
    assert page.count("<td>Fournisseur de données financières</td>") == 7
