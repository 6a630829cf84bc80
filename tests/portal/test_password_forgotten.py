import re

import pytest
from captcha.models import CaptchaStore
from django.core import mail

from habilitations.journal import Event, JournalEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask(client, email, captcha=None, ip="10.0.0.1", extra=None):
    """Fill the form as a user would: read the captcha shown on the page and type its answer."""
    page = client.get("/mot-de-passe-oublie/").content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
    answer = CaptchaStore.objects.get(hashkey=key).challenge if captcha is None else captcha
    return client.post(
        "/mot-de-passe-oublie/",
        {"email": email, "captcha_0": key, "captcha_1": answer, **(extra or {})},
        REMOTE_ADDR=ip,
        follow=True,
    )


def test_same_answer_whether_or_not_the_address_exists(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="connue@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        known = ask(client, "Connue@Partenaire.example")
        unknown = ask(client, "inconnue@partenaire.example")
    assert known.redirect_chain == unknown.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    strip = lambda html: re.sub(rb'nonce="[^"]+"|value="[^"]+"', b"", html)  # noqa: E731
    assert strip(known.content) == strip(unknown.content)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    password = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", mail.outbox[0].body).group(1)
    user.refresh_from_db()
    assert user.has_provisional_password and user.check_password(password)
    assert JournalEntry.objects.filter(event=Event.PASSWORD_RESET_REQUESTED).count() == 2
    assert JournalEntry.objects.filter(event=Event.PROVISIONAL_PASSWORD_ISSUED, user=user).count() == 1
    assert password not in str(list(JournalEntry.objects.values()))


def test_closed_account_gets_nothing(client, django_capture_on_commit_callbacks):
    UserFactory(email="close@partenaire.example", closed=True)
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "close@partenaire.example")
    assert mail.outbox == []


def test_wrong_captcha_is_refused_next_to_the_field(client, django_capture_on_commit_callbacks):
    UserFactory(email="connue@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "connue@partenaire.example", captcha="FAUX")
    assert "Les caractères recopiés ne correspondent pas à l&#x27;image." in response.content.decode()
    assert mail.outbox == []


def test_rate_limited_per_email(client, django_capture_on_commit_callbacks, settings):
    UserFactory(email="connue@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(settings.PASSWORD_RESET_RATE_PER_EMAIL + 2):
            response = ask(client, "connue@partenaire.example", ip=f"10.0.0.{attempt}")
            assert response.redirect_chain == [("/mot-de-passe-oublie/envoye/", 302)]
    assert len(mail.outbox) == settings.PASSWORD_RESET_RATE_PER_EMAIL


def test_rate_limited_per_address(client, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_RESET_RATE_PER_IP = 2
    for i in range(3):
        UserFactory(email=f"u{i}@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            ask(client, f"u{i}@partenaire.example", ip="10.0.0.9")
    assert len(mail.outbox) == 2


def test_new_provisional_password_leads_to_the_forced_change(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="connue@partenaire.example")
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "connue@partenaire.example")
    password = re.search(r"Compte Partenaire : (\S+)", mail.outbox[0].body).group(1)
    response = client.post("/connexion/", {"username": user.identifiant, "password": password}, follow=True)
    assert response.redirect_chain[-1] == ("/premiere-connexion/", 302)


def test_captcha_distinguishes_upper_and_lower_case(client, django_capture_on_commit_callbacks):
    UserFactory(email="connue@partenaire.example")
    page = client.get("/mot-de-passe-oublie/").content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', page).group(1)
    challenge = CaptchaStore.objects.get(hashkey=key).challenge
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/mot-de-passe-oublie/",
            {"email": "connue@partenaire.example", "captcha_0": key, "captcha_1": challenge.swapcase()},
        )
    assert "Les caractères recopiés ne correspondent pas à l&#x27;image." in response.content.decode()
    assert mail.outbox == []
