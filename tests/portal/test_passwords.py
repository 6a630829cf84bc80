import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from habilitations.accounts import password_change, provisional_password_issue
from habilitations.journal import Event, JournalEntry
from habilitations.models import User
from habilitations.passwords import generate_provisional_password
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1#xyz", "entre 8 et 32 caractères"),  # 7
        ("Ab1#" + "x" * 29, "entre 8 et 32 caractères"),  # 33
        ("ab1#xyzwq", "une majuscule"),
        ("AB1#XYZWQ", "une minuscule"),
        ("Abc#xyzwq", "un chiffre"),
        ("Abc1xyzwq", "un caractère spécial"),
        ("Abc1xyz€q", "un caractère spécial"),  # the euro sign is not a special character
        ("Abc1xyz£$", "un caractère spécial"),
        ("Abc1 xyzq", "un caractère spécial"),  # a space is not one either
        ("Azerty123!", "trop courant"),
        ("Motdepasse1!", "trop courant"),
    ],
)
def test_policy_refuses_with_a_french_message(password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password)
    assert message in " ".join(error.value.messages)


@pytest.mark.parametrize("password", ["Ab1#xyzw", "Ab1#" + "x" * 28, "Zébu-7rouge", "Kq9!mPx2vL", "Abc1xyz€q%"])
def test_policy_accepts(password):
    validate_password(password)


def test_policy_refuses_the_identifiant_the_name_or_the_email():
    user = UserFactory(identifiant="ACC061KXRT", nom="Martinez", prenom="Sophie", email="s.martinez@caf.example")
    for password in ["Acc061kxrt#9", "xMartinez#9", "#9Sophie.lo", "S.martinez@caf.example9#A"]:
        with pytest.raises(ValidationError, match="identifiant"):
            validate_password(password, user)


def test_policy_refuses_one_of_the_last_five_passwords():
    user = UserFactory()
    history = [f"Historique#{i}x" for i in range(6)]
    for password in history:
        password_change(user, password)
    for recent in history[1:]:  # the current one and the four before it
        with pytest.raises(ValidationError, match="5 derniers"):
            validate_password(recent, user)
    validate_password(history[0], user)  # the sixth before is allowed again


def test_generated_provisional_passwords_satisfy_the_policy():
    for _ in range(200):
        validate_password(generate_provisional_password())


def test_provisional_password_valid_24_hours_then_refused(client):
    user = UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        password = provisional_password_issue(user)
        traveller.shift(datetime.timedelta(hours=24))
        assert client.post("/connexion/", {"username": user.identifiant, "password": password}).status_code == 302
        client.post("/deconnexion/")
        traveller.shift(datetime.timedelta(seconds=1))
        response = client.post("/connexion/", {"username": user.identifiant, "password": password})
    assert response.status_code == 200
    assert "Votre mot de passe provisoire a expiré" in response.content.decode()
    assert JournalEntry.objects.filter(event=Event.LOGIN_REFUSED, user=user).exists()


def test_provisional_password_forces_the_change_before_anything_else(client):
    user = UserFactory(provisional=True)
    client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD})
    for url in ["/accueil/", "/mon-profil/", "/mon-profil/mot-de-passe/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == "/premiere-connexion/", url
    page = client.get("/premiere-connexion/")
    assert "CHOISIR VOTRE MOT DE PASSE" in page.content.decode()
    response = client.post("/premiere-connexion/", {"new_password1": "faible", "new_password2": "faible"})
    assert "entre 8 et 32 caractères" in response.content.decode()
    user.refresh_from_db()
    assert user.has_provisional_password
    response = client.post("/premiere-connexion/", {"new_password1": "Perso#2026ok", "new_password2": "Perso#2026ok"})
    assert response["Location"] == "/accueil/"
    assert client.get("/accueil/").status_code == 200
    user.refresh_from_db()
    assert not user.has_provisional_password and user.check_password("Perso#2026ok")


def test_password_change_ends_other_sessions_and_sends_a_notice(login, django_capture_on_commit_callbacks):
    user = UserFactory()
    first, second = Client(), Client()
    login(user, c=first)
    login(user, c=second)
    with django_capture_on_commit_callbacks(execute=True):
        response = first.post(
            "/mon-profil/mot-de-passe/",
            {"current_password": TEST_PASSWORD, "new_password1": "Nouveau#2026x", "new_password2": "Nouveau#2026x"},
        )
    assert response["Location"] == "/mon-profil/"
    assert first.get("/accueil/").status_code == 200
    assert second.get("/accueil/").status_code == 302
    notices = [m for m in mail.outbox if "a été modifié" in m.subject]
    assert len(notices) == 1 and notices[0].to == [user.email]
    assert "Nouveau#2026x" not in notices[0].body
    assert JournalEntry.objects.filter(event=Event.PASSWORD_CHANGED, user=user).exists()


def test_password_change_needs_the_current_password(client, login):
    user = UserFactory()
    login(user)
    response = client.post(
        "/mon-profil/mot-de-passe/",
        {"current_password": "Faux#2026xx", "new_password1": "Nouveau#2026x", "new_password2": "Nouveau#2026x"},
    )
    assert "Le mot de passe actuel est incorrect." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_passwords_are_hashed_with_argon2_in_production(client, login, settings):
    """With the production hashers, a password stored by the previous hasher (PBKDF2) is re-hashed with Argon2 at
    the next login, and a password changed in Mon profil is stored with Argon2."""
    from portal.settings import base

    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=make_password(TEST_PASSWORD, hasher="pbkdf2_sha256"))
    login(user)
    stored = User.objects.get(pk=user.pk).password
    assert identify_hasher(stored).algorithm == "argon2" and check_password(TEST_PASSWORD, stored)
    client.post(
        "/mon-profil/mot-de-passe/",
        {"current_password": TEST_PASSWORD, "new_password1": "Nouveau#2026x", "new_password2": "Nouveau#2026x"},
    )
    stored = User.objects.get(pk=user.pk).password
    assert identify_hasher(stored).algorithm == "argon2" and check_password("Nouveau#2026x", stored)
