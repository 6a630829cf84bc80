import re

import pytest
import time_machine
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from habilitations.journal import Event, JournalEntry
from habilitations.models import BackupCode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def current_token(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(client, login, user):
    """Log in and enrol the TOTP application as the page asks; returns the device and the backup codes shown."""
    login(user)
    assert client.get("/accueil/")["Location"] == "/double-authentification/"
    assert client.get("/double-authentification/")["Location"] == "/double-authentification/enrolement/"
    page = client.get("/double-authentification/enrolement/").content.decode()
    assert "data:image/svg+xml;base64," in page and 'id="cle-otp"' in page
    assert "secours" not in page.split('id="contenu"')[1]  # no word of codes that do not exist yet
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/double-authentification/enrolement/", {"token": current_token(device)})
    codes = re.findall(r"<code>([A-Z0-9-]{23})</code>", response.content.decode())
    assert (
        "J'ai conservé mes codes" in response.content.decode()
        and 'download="codes-de-secours-' in response.content.decode()
    )
    device.refresh_from_db()
    return device, codes


def test_partner_administrator_enrols_at_first_login_then_reaches_home(client, login):
    admin = UserFactory(partner_admin=True)
    device, codes = enrol(client, login, admin)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/accueil/").status_code == 200
    assert JournalEntry.objects.filter(event=Event.OTP_ENROLLED, user=admin).exists()


def test_session_key_changes_after_the_second_factor(client, login):
    admin = UserFactory(partner_admin=True)
    login(admin)
    client.get("/double-authentification/enrolement/")
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=admin)
    client.post("/double-authentification/enrolement/", {"token": current_token(device)})
    assert client.session.session_key != before


def test_a_token_cannot_be_replayed(client, login, django_user_model):
    admin = UserFactory(partner_admin=True)
    with time_machine.travel(timezone.now(), tick=False):
        device, _ = enrol(client, login, admin)
        token = current_token(device)  # the token just used for the enrolment
        client.post("/deconnexion/")
        login(admin)
        response = client.post("/double-authentification/", {"token": token})
    assert "n&#x27;est pas valide ou a déjà été utilisé" in response.content.decode()
    assert client.get("/accueil/").status_code == 302


def test_wrong_tokens_are_throttled(client, login):
    admin = UserFactory(partner_admin=True)
    device, _ = enrol(client, login, admin)
    client.post("/deconnexion/")
    login(admin)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=1), tick=False) as traveller:
        for _ in range(3):
            client.post("/double-authentification/", {"token": "000000"})
        # A counted failure throttles the device (1 s, doubling with each one): even the right code waits.
        response = client.post("/double-authentification/", {"token": current_token(device)})
        assert "patientez" in response.content.decode()
        assert client.get("/accueil/").status_code == 302
        traveller.shift(timezone.timedelta(seconds=5))
        response = client.post("/double-authentification/", {"token": current_token(device)})
    assert response["Location"] == "/accueil/"
    assert JournalEntry.objects.filter(event=Event.OTP_FAILED, user=admin).count() == 4


def test_backup_codes_are_hashed_and_single_use(client, login):
    admin = UserFactory(partner_admin=True)
    _, codes = enrol(client, login, admin)
    stored = list(BackupCode.objects.values_list("code_hash", flat=True))
    assert all(code.replace("-", "") not in stored and code not in stored for code in codes)
    assert len(codes[0].replace("-", "")) == 20
    client.post("/deconnexion/")
    login(admin)
    assert client.post("/double-authentification/", {"token": codes[0].lower()})["Location"] == "/accueil/"
    client.post("/deconnexion/")
    login(admin)
    response = client.post("/double-authentification/", {"token": codes[0]})
    assert response.status_code == 200 and client.get("/accueil/").status_code == 302


def test_plain_users_need_no_second_factor_unless_the_setting_says_so(client, login, settings):
    user = UserFactory()
    login(user)
    assert client.get("/accueil/").status_code == 200
    settings.OTP_REQUIRED_FOR_ALL = True
    assert client.get("/accueil/")["Location"] == "/double-authentification/"


def test_caf_agents_reach_the_admin_only_after_the_second_factor(client, login):
    agent = UserFactory(agent=True)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    login(agent)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/double-authentification/")
    client.get("/double-authentification/enrolement/")
    device = TOTPDevice.objects.get(user=agent)
    client.post("/double-authentification/enrolement/", {"token": current_token(device)})
    assert client.get("/admin/").status_code == 200


def test_caf_agent_sees_only_the_accounts_and_journal_of_their_caf(client, login):
    from habilitations.models import Caf

    agent = UserFactory(agent=True)
    mine = UserFactory(nom="Localmember")
    other = UserFactory(nom="Elsewhere", caf=Caf.objects.get(code="831"))
    login(agent)
    client.get("/double-authentification/enrolement/")
    device = TOTPDevice.objects.get(user=agent)
    client.post("/double-authentification/enrolement/", {"token": current_token(device)})
    listing = client.get("/admin/habilitations/user/").content.decode()
    assert mine.identifiant in listing and other.identifiant not in listing
    assert client.get(f"/admin/habilitations/user/{other.pk}/change/").status_code == 302  # not found → index
    assert client.get(f"/admin/habilitations/user/{mine.pk}/change/").status_code == 200
    assert client.get("/admin/habilitations/journalentry/").status_code == 200
    assert client.post(f"/admin/habilitations/user/{mine.pk}/delete/").status_code == 403
