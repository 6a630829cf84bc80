import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from habilitations.journal import Event, JournalEntry
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GENERIC = "Identifiant ou mot de passe incorrect."


def post_login(client, identifiant, password, ip="10.0.0.1", path="/connexion/"):
    return client.post(
        path, {"username": identifiant, "password": password}, REMOTE_ADDR=ip, HTTP_USER_AGENT="Navigateur de test/1.0"
    )


def test_login_is_case_insensitive_on_the_identifiant(client, user):
    response = post_login(client, user.identifiant.lower(), TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accueil/"
    assert client.get("/accueil/").status_code == 200


def test_wrong_password_and_unknown_identifiant_get_the_same_generic_message(client, user):
    wrong_password = post_login(client, user.identifiant, "Mauvais#2026x").content.decode()
    unknown = post_login(client, "ACC061ZZZZ", TEST_PASSWORD).content.decode()
    assert GENERIC in wrong_password and GENERIC in unknown
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[^"]*"|nonce="[^"]+"', "", html)  # noqa: E731
    assert strip(wrong_password) == strip(unknown)


def test_every_attempt_is_journaled_with_ip_and_user_agent_and_no_password(client, user):
    post_login(client, user.identifiant, "Mauvais#2026x", ip="10.1.2.3")
    post_login(client, user.identifiant, TEST_PASSWORD, ip="10.1.2.4")
    failure = JournalEntry.objects.get(event=Event.LOGIN_FAILURE)
    success = JournalEntry.objects.get(event=Event.LOGIN_SUCCESS)
    assert (failure.identifiant, failure.ip, failure.user_agent) == (
        user.identifiant,
        "10.1.2.3",
        "Navigateur de test/1.0",
    )
    assert (success.user, success.ip) == (user, "10.1.2.4")
    dump = " ".join(str(v) for row in JournalEntry.objects.values() for v in row.values())
    assert "Mauvais#2026x" not in dump and TEST_PASSWORD not in dump
    assert client.session.session_key not in dump


def test_lockout_after_exactly_five_failures_across_addresses(client, user):
    for attempt in range(4):
        post_login(client, user.identifiant, "Mauvais#2026x", ip=f"10.0.0.{attempt}")
    # Four failures: the right password still works (and resets the counter).
    assert post_login(client, user.identifiant, TEST_PASSWORD).status_code == 302
    client.post("/deconnexion/")
    for attempt in range(5):
        response = post_login(client, user.identifiant.lower(), "Mauvais#2026x", ip=f"10.9.0.{attempt}")
    assert "verrouillé pendant 15 minutes" in response.content.decode()
    # The attempt after the limit is refused even with the right password, from another address.
    response = post_login(client, user.identifiant, TEST_PASSWORD, ip="192.168.1.1")
    assert response.status_code == 429
    assert "verrouillé pendant 15 minutes" in response.content.decode()
    assert "Mot de passe oublié ?" in response.content.decode()
    assert client.get("/accueil/").status_code == 302
    assert JournalEntry.objects.filter(event=Event.LOCKOUT, identifiant=user.identifiant).exists()


def test_lockout_does_not_lock_other_identifiants_from_the_same_address(client, user):
    other = UserFactory()
    for _ in range(5):
        post_login(client, user.identifiant, "Mauvais#2026x", ip="10.0.0.1")
    assert post_login(client, other.identifiant, TEST_PASSWORD, ip="10.0.0.1").status_code == 302


def test_lockout_lasts_fifteen_minutes_after_the_last_attempt(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            post_login(client, user.identifiant, "Mauvais#2026x")
        traveller.shift(datetime.timedelta(minutes=14, seconds=59))
        # Still locked; an attempt during the lockout starts the 15 minutes again.
        assert post_login(client, user.identifiant, TEST_PASSWORD).status_code == 429
        traveller.shift(datetime.timedelta(minutes=14, seconds=59))
        assert post_login(client, user.identifiant, TEST_PASSWORD).status_code == 429
        traveller.shift(datetime.timedelta(minutes=15, seconds=1))
        assert post_login(client, user.identifiant, TEST_PASSWORD).status_code == 302


def test_closed_or_not_yet_open_account_cannot_log_in(client):
    closed = UserFactory(closed=True)
    future = UserFactory(date_ouverture=timezone.localdate() + datetime.timedelta(days=3))
    for account in (closed, future):
        content = post_login(client, account.identifiant, TEST_PASSWORD).content.decode()
        assert "Contactez l&#x27;administrateur de votre organisme" in content
    assert client.get("/accueil/").status_code == 302


def test_closing_an_account_takes_effect_on_the_next_request(client, login, user):
    login(user)
    assert client.get("/accueil/").status_code == 200
    user.date_cloture = timezone.localdate()
    user.save()
    response = client.get("/accueil/")
    assert response.status_code == 302 and "raison=compte_clos" in response["Location"]
    assert client.get("/mon-profil/").status_code == 302


def test_session_key_changes_at_login(client, user):
    client.get("/connexion/")
    client.session.save()
    before = client.session.session_key
    post_login(client, user.identifiant, TEST_PASSWORD)
    assert client.session.session_key != before


def test_logout_requires_post_destroys_the_session_and_clears_site_data(client, login, user):
    login(user)
    assert client.get("/deconnexion/").status_code == 405
    response = client.post("/deconnexion/")
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/accueil/").status_code == 302
    assert JournalEntry.objects.filter(event=Event.LOGOUT, user=user).exists()


def test_next_redirect_stays_on_the_site(client, user):
    response = client.post(
        "/connexion/?next=https://evil.example/", {"username": user.identifiant, "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/accueil/"
    client.post("/deconnexion/")
    response = client.post(
        "/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD, "next": "/mon-profil/"}
    )
    assert response["Location"] == "/mon-profil/"


def test_home_shows_the_previous_login_and_the_warning(client, login):
    user = UserFactory(date_ouverture=datetime.date(2024, 1, 1))
    with time_machine.travel(datetime.datetime(2025, 2, 3, 10, 1, tzinfo=datetime.UTC), tick=False):
        login(user)
        client.post("/deconnexion/")
    login(user)
    content = client.get("/accueil/").content.decode()
    assert "Dernière connexion le 03/02/2025 à 11h01" in content  # Europe/Paris
    assert "Si vous n'êtes pas à l'origine de cette connexion" in content
    assert "BIENVENUE" in content


def test_home_without_any_service_says_whom_to_contact(client, login, user):
    login(user)
    content = client.get("/accueil/").content.decode()
    assert 'id="aucun-service"' in content
    assert "contactez l'administrateur Mon Compte Partenaire" in content


def test_landlord_login_page_logs_in_with_the_same_mechanism(client):
    landlord = UserFactory(identifiant="LOG061HABT")
    page = client.get("/bailleur/connexion/").content.decode()
    assert "ESPACE BAILLEUR" in page
    assert post_login(client, "log061habt", TEST_PASSWORD, path="/bailleur/connexion/").status_code == 302
    assert client.get("/accueil/").context["user"] == landlord
