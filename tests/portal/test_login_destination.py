"""Where the login leads: "Mettre à jour votre mot de passe" (guide 001, CONNEXION) and the Caf agent's landing in
the administration (issue 12.6), both after the personal password and the second factor."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD, UserFactory
from tests.portal.test_home_tiles import menu, tiles
from tests.portal.test_otp import current_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nouveau-Secret#2026x"


def post_login(client, user, **extra):
    return client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD, **extra})


def enrol(client):
    device = TOTPDevice.objects.get(confirmed=False)
    page = client.post("/double-authentification/enrolement/", {"token": current_token(device)}).content.decode()
    return re.search(r'href="([^"]+)">J\'ai conservé mes codes — Continuer</a>', page).group(1)


def test_the_login_form_offers_the_checkbox_of_guide_001(client):
    page = client.get("/connexion/").content.decode()
    assert '<input type="checkbox" name="update_password" id="id_update_password">' in page
    assert '<label for="id_update_password">Mettre à jour votre mot de passe</label>' in page


def test_ticked_the_user_lands_on_modifier_le_mot_de_passe(client, user):
    response = post_login(client, user, update_password="on")
    assert response["Location"] == "/mon-profil/mot-de-passe/"
    page = client.get(response["Location"]).content.decode()
    assert "Mot de passe actuel" in page


def test_unticked_the_user_lands_on_bienvenue(client, user):
    assert post_login(client, user)["Location"] == "/accueil/"


def test_ticked_an_administrator_goes_there_after_the_second_factor(client):
    admin = UserFactory(partner_admin=True)
    response = post_login(client, admin, update_password="on")
    # The second factor comes first: the password page is not reachable before.
    assert client.get(response["Location"])["Location"] == "/double-authentification/"
    assert client.get("/double-authentification/")["Location"] == "/double-authentification/enrolement/"
    client.get("/double-authentification/enrolement/")
    assert enrol(client) == "/mon-profil/mot-de-passe/"
    assert client.get("/mon-profil/mot-de-passe/").status_code == 200


def test_ticked_with_a_verified_device_the_code_leads_to_the_password_page(client):
    admin = UserFactory(partner_admin=True)
    device = TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    post_login(client, admin, update_password="on")
    response = client.post("/double-authentification/", {"token": current_token(device)})
    assert response["Location"] == "/mon-profil/mot-de-passe/"
    # Once: the next verification (another login) lands as usual.
    assert client.session.get("_mcp_after_login") is None


def test_a_caf_agent_lands_in_the_administration_after_the_second_factor(client):
    agent = UserFactory(agent=True)
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    response = post_login(client, agent)
    assert response["Location"] == "/admin/"
    assert client.get("/admin/")["Location"].startswith("/double-authentification/")
    response = client.post("/double-authentification/", {"token": current_token(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_caf_agent_enrolling_continues_to_the_administration(client):
    agent = UserFactory(agent=True)
    post_login(client, agent)
    client.get("/double-authentification/enrolement/")
    assert enrol(client) == "/admin/"


def test_a_caf_agent_with_a_provisional_password_then_enrols_then_reaches_the_administration(client):
    agent = UserFactory(agent=True, provisional=True)
    post_login(client, agent)
    assert client.get("/admin/")["Location"] == "/premiere-connexion/"
    response = client.post("/premiere-connexion/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/double-authentification/"
    client.get("/double-authentification/enrolement/")
    assert enrol(client) == "/admin/"


def test_the_agent_has_an_administration_caf_entry_and_tile(client):
    agent = UserFactory(agent=True)
    device = TOTPDevice.objects.create(user=agent, name="app", confirmed=True)
    post_login(client, agent)
    client.post("/double-authentification/", {"token": current_token(device)})
    page = client.get("/accueil/").content.decode()
    assert menu(page) == ["BIENVENUE", "MON PROFIL", "ADMINISTRATION CAF", "CONTACTER MA CAF", "RÈGLES D'USAGE"]
    assert '<a href="/admin/">ADMINISTRATION CAF</a>' in page
    assert tiles(page) == ["MON PROFIL", "ADMINISTRATION CAF"]
    assert '<a href="/admin/"><span class="tile-title">ADMINISTRATION CAF</span>' in page
    assert 'id="aucun-service"' not in page


def test_a_partner_has_no_administration_caf_entry(client, user):
    post_login(client, user)
    assert "ADMINISTRATION CAF" not in client.get("/accueil/").content.decode()
