"""Every form of the portal answers bad input in French, next to the field, and changes nothing. Never a 500."""

import pytest
from django.core import mail
from django.test import Client

from core.mail.models import OutgoingEmail
from habilitations.journal import Event, JournalEntry
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NASTY = {
    "vide": "",
    "long": "A" * 10_000,
    "nul": "abc\x00def",
    "unicode": "Zoë 🦊 مرحبا \u202e ﷽",
    "html": "<script>alert(1)</script>",
    "sql": "' OR 1=1 --",
}

# url, fields, needs a logged-in user (None: anonymous, "plain", "provisional", "admin_unverified")
FORMS = [
    ("/connexion/", ["username", "password"], None),
    ("/bailleur/connexion/", ["username", "password"], None),
    ("/mot-de-passe-oublie/", ["email", "captcha_0", "captcha_1"], None),
    ("/ma-caf/", ["code_postal"], None),
    ("/premiere-connexion/", ["new_password1", "new_password2"], "provisional"),
    ("/mon-profil/mot-de-passe/", ["current_password", "new_password1", "new_password2"], "plain"),
    ("/mon-profil/adresse-mail/", ["email", "email_confirm", "current_password"], "plain"),
    ("/mon-profil/telephone/", ["telephone", "telephone_confirm", "current_password"], "plain"),
    ("/double-authentification/enrolement/", ["token"], "admin_unverified"),
    ("/session/prolonger/", ["next"], "plain"),
]


def _client_for(kind):
    client = Client()
    user = None
    if kind == "plain":
        user = UserFactory()
    elif kind == "provisional":
        user = UserFactory(provisional=True)
    elif kind == "admin_unverified":
        user = UserFactory(partner_admin=True)
    if user is not None:
        assert client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD}).status_code == 302
    return client, user


def _snapshot(user):
    if user is None:
        return None
    user.refresh_from_db()
    return (user.password, user.email, user.telephone, user.provisional_password_expires_at)


@pytest.mark.parametrize(("url", "fields", "kind"), FORMS, ids=[f[0] for f in FORMS])
@pytest.mark.parametrize("value", list(NASTY.values()), ids=list(NASTY))
def test_bad_values_get_a_french_answer_and_change_nothing(url, fields, kind, value):
    client, user = _client_for(kind)
    before = _snapshot(user)
    journal_before = JournalEntry.objects.filter(
        event__in=[Event.PASSWORD_CHANGED, Event.PROFILE_CHANGED, Event.OTP_ENROLLED]
    ).count()
    response = client.post(url, {field: value for field in fields})
    assert response.status_code < 500
    if response.status_code == 200:
        content = response.content.decode()
        assert '<html lang="fr">' in content
        assert "errorlist" in content or "error-summary" in content or "message-error" in content
    assert _snapshot(user) == before
    assert (
        JournalEntry.objects.filter(
            event__in=[Event.PASSWORD_CHANGED, Event.PROFILE_CHANGED, Event.OTP_ENROLLED]
        ).count()
        == journal_before
    )
    assert OutgoingEmail.objects.exclude(kind__in=["identifiant", "provisional_password"]).count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(("url", "fields", "kind"), FORMS, ids=[f[0] for f in FORMS])
def test_wrong_types_and_repeated_fields_never_500(url, fields, kind):
    client, _ = _client_for(kind)
    response = client.post(url, {field: ["a", "b" * 5000] for field in fields})
    assert response.status_code < 500
    response = client.post(url, b"\xff\xfe\x00garbage", content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_a_get_with_nasty_parameters_never_500(client):
    for url in ["/ma-caf/", "/probleme-de-connexion/", "/connexion/", "/"]:
        for value in NASTY.values():
            response = client.get(url, {"code_postal": value, "etape": value, "next": value, "raison": value})
            assert response.status_code < 500, url
