"""An e-mail change cannot take the account (issue 10, finding 3).

Whoever sits at an open session must not change what makes the account theirs (the e-mail, from which "Mot de
passe oublié ?" would hand them the account; the phone; the password; the second factor) without typing the
password again, and a wrong password counts as a failed login. The previous address is told of an e-mail change;
a confirmation link works once, and only while the account still has the address it was issued for.
"""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.mail.models import OutgoingEmail
from habilitations.journal import Event, JournalEntry
from habilitations.models import BackupCode, User
from tests.factories import TEST_PASSWORD, UserFactory
from tests.portal.test_otp import current_token, enrol

pytestmark = pytest.mark.django_db

EMAIL_URL = "/mon-profil/adresse-mail/"
ENROL_URL = "/double-authentification/enrolement/"
WRONG = "Faux#2026xx"
NEW_PASSWORD = "Nouveau#2026x"


def email_form(address: str, password: str) -> dict:
    return {"email": address, "email_confirm": address, "current_password": password}


def backup_hashes(user) -> set[str]:
    return set(BackupCode.objects.filter(device__user=user).values_list("code_hash", flat=True))


def snapshot(user) -> tuple:
    user.refresh_from_db()
    return user.email, user.telephone, user.password, backup_hashes(user)


# Each change of Mon profil: its URL, its fields (without the current password) and what shows it was made.
CHANGES = {
    "email": (
        EMAIL_URL,
        {"email": "attaquant@pirate.example", "email_confirm": "attaquant@pirate.example"},
        lambda user, before: OutgoingEmail.objects.filter(kind="email_change", to="attaquant@pirate.example").exists(),
    ),
    "telephone": (
        "/mon-profil/telephone/",
        {"telephone": "06 66 66 66 66", "telephone_confirm": "06 66 66 66 66"},
        lambda user, before: user.telephone == "06 66 66 66 66",
    ),
    "password": (
        "/mon-profil/mot-de-passe/",
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        lambda user, before: user.check_password(NEW_PASSWORD),
    ),
    "backup_codes": (
        "/mon-profil/codes-de-secours/",
        {},
        lambda user, before: backup_hashes(user) and backup_hashes(user).isdisjoint(before[3]),
    ),
}


@pytest.fixture
def admin(client, login):
    """A partner administrator logged in with the second factor enrolled (so that backup codes exist)."""
    user = UserFactory(partner_admin=True)
    enrol(client, login, user)
    mail.outbox.clear()
    return user


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "Saisissez votre mot de passe actuel."), (WRONG, "Le mot de passe actuel est incorrect.")],
    ids=["missing", "wrong"],
)
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_session_without_the_password_changes_nothing(client, admin, change, password, message):
    url, data, _ = CHANGES[change]
    before = snapshot(admin)
    outbox_before = OutgoingEmail.objects.count()
    response = client.post(url, {**data, "current_password": password})
    assert response.status_code == 200
    content = response.content.decode()
    error = re.search(r'<ul class="errorlist" id="id_current_password_error">(.*?)</ul>', content, re.S)
    assert error is not None and message in error.group(1)  # next to the field
    assert "codes-secours" not in content  # no backup code shown
    assert snapshot(admin) == before
    assert OutgoingEmail.objects.count() == outbox_before
    assert not JournalEntry.objects.filter(
        event__in=[Event.PROFILE_CHANGED, Event.PASSWORD_CHANGED, Event.BACKUP_CODES_GENERATED], user=admin
    ).exists()


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_right_password_makes_the_change(client, admin, change):
    url, data, made = CHANGES[change]
    before = snapshot(admin)
    response = client.post(url, {**data, "current_password": TEST_PASSWORD})
    assert response.status_code in (200, 302)
    admin.refresh_from_db()
    assert made(admin, before)


def test_enrolling_the_second_factor_long_after_the_login_asks_the_password(client, login):
    admin = UserFactory(partner_admin=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(admin)
        client.get(ENROL_URL)
        device = TOTPDevice.objects.get(user=admin)
        # The session was left open at the enrolment page.
        traveller.shift(datetime.timedelta(minutes=11))
        response = client.post(ENROL_URL, {"token": current_token(device)})
        assert "Saisissez votre mot de passe actuel." in response.content.decode()
        response = client.post(ENROL_URL, {"token": current_token(device), "current_password": WRONG})
        assert "Le mot de passe actuel est incorrect." in response.content.decode()
        device.refresh_from_db()
        assert not device.confirmed and not JournalEntry.objects.filter(event=Event.OTP_ENROLLED).exists()
        response = client.post(ENROL_URL, {"token": current_token(device), "current_password": TEST_PASSWORD})
        assert "La double authentification est activée." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed


def confirmation_link(client, address: str, django_capture_on_commit_callbacks) -> str:
    """Ask for `address` (with the password) and return the link e-mailed to it."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(EMAIL_URL, email_form(address, TEST_PASSWORD))
    sent = [message for message in mail.outbox if message.to == [address]][-1]
    return re.search(r"https?://[^/]+(/mon-profil/adresse-mail/confirmer/\S+/)", sent.body).group(1)


def test_the_previous_address_is_told_when_and_from_where(client, login, django_capture_on_commit_callbacks):
    # 10h01 UTC is 11h01 in Paris in winter.
    with time_machine.travel(datetime.datetime(2027, 2, 3, 10, 1, tzinfo=datetime.UTC), tick=False):
        user = UserFactory(email="ancienne@partenaire.example", nom="Martin", prenom="Léa")
        login(user)
        link = confirmation_link(client, "nouvelle@partenaire.example", django_capture_on_commit_callbacks)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.get(link)
    user.refresh_from_db()
    assert user.email == "nouvelle@partenaire.example"
    [notice] = mail.outbox
    assert notice.to == ["ancienne@partenaire.example"]
    assert notice.subject == "Mon Compte Partenaire : votre adresse mail a été modifiée"
    for text in (notice.body, notice.alternatives[0][0]):
        assert "a été modifiée le 3 février 2027 à 11h01" in text
        assert "depuis l'adresse IP 127.0.0.1" in text
        assert "Si ce n'est pas vous, contactez votre administrateur" in text
        assert user.identifiant in text and "nouvelle@partenaire.example" not in text
    entry = JournalEntry.objects.get(event=Event.PROFILE_CHANGED, user=user)
    assert entry.data == {
        "field": "email",
        "before": "ancienne@partenaire.example",
        "after": "nouvelle@partenaire.example",
    }


def test_a_confirmation_link_works_once(client, login, user, django_capture_on_commit_callbacks):
    login(user)
    first = confirmation_link(client, "b@partenaire.example", django_capture_on_commit_callbacks)
    client.get(first)
    second = confirmation_link(client, "c@partenaire.example", django_capture_on_commit_callbacks)
    client.get(second)
    user.refresh_from_db()
    assert user.email == "c@partenaire.example"
    for replayed in (second, first):
        response = client.get(replayed, follow=True)
        assert "Ce lien de confirmation n&#x27;est pas valide ou a expiré." in response.content.decode()
        user.refresh_from_db()
        assert user.email == "c@partenaire.example"
    assert JournalEntry.objects.filter(event=Event.PROFILE_CHANGED, user=user).count() == 2


def test_a_link_dies_when_the_address_changes_by_another_path(client, login, user, django_capture_on_commit_callbacks):
    login(user)
    link = confirmation_link(client, "attaquant@pirate.example", django_capture_on_commit_callbacks)
    # The administrator corrects the account's address meanwhile.
    User.objects.filter(pk=user.pk).update(email="corrigee@partenaire.example")
    response = client.get(link, follow=True)
    assert "Ce lien de confirmation n&#x27;est pas valide ou a expiré." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "corrigee@partenaire.example"


def test_wrong_current_passwords_lock_the_identifiant_like_failed_logins(client, login, user):
    login(user)
    for _ in range(4):
        response = client.post(
            "/mon-profil/mot-de-passe/",
            {"current_password": WRONG, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert "Le mot de passe actuel est incorrect." in response.content.decode()
    assert JournalEntry.objects.filter(event=Event.LOGIN_FAILURE, identifiant=user.identifiant).count() == 4
    response = client.post(EMAIL_URL, email_form("attaquant@pirate.example", WRONG))
    assert response.status_code == 429
    assert "votre identifiant est verrouillé pendant 15 minutes" in response.content.decode()
    # The session ended, and the right password no longer opens one for 15 minutes.
    assert client.get("/accueil/")["Location"].startswith("/connexion/")
    response = client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert JournalEntry.objects.filter(event=Event.LOCKOUT, identifiant=user.identifiant).exists()
    # What django-axes keeps of the attempts holds no password, neither the one tried nor the new one.
    kept = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "current_password" in kept
    assert WRONG not in kept and NEW_PASSWORD not in kept
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD) and user.email != "attaquant@pirate.example"
