"""The second factor's journal rows, through the real flows: a login completed by the application's code or by a
backup code (OTP_VERIFIED, naming the kind of device), new backup codes from "Mon profil" (BACKUP_CODES_GENERATED).
The enrolment helpers are tests/portal/test_otp.py's."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from habilitations.journal import Event, JournalEntry
from tests.factories import UserFactory
from tests.portal.test_otp import current_token, enrol

pytestmark = pytest.mark.django_db

VERIFY = "/double-authentification/"
BACKUP_CODES = "/mon-profil/codes-de-secours/"


def test_a_login_completed_by_the_applications_code_is_journaled(client, login):
    admin = UserFactory(partner_admin=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        device, _ = enrol(client, login, admin)
        client.post("/deconnexion/")
        traveller.shift(datetime.timedelta(seconds=device.step))  # the next code (the enrolment's is spent)
        login(admin)
        client.post(VERIFY, {"token": "000000"})
        assert not JournalEntry.objects.filter(event=Event.OTP_VERIFIED).exists()  # enrolment and failure are not
        traveller.shift(datetime.timedelta(seconds=5))  # past the throttle of the failure
        response = client.post(VERIFY, {"token": current_token(device)})
    assert response["Location"] == "/accueil/"
    entry = JournalEntry.objects.get(event=Event.OTP_VERIFIED)
    assert (entry.user, entry.actor, entry.data["device"]) == (admin, admin, "TOTPDevice")
    assert entry.ip == "127.0.0.1"


def test_a_login_completed_by_a_backup_code_is_journaled(client, login):
    admin = UserFactory(partner_admin=True)
    _, codes = enrol(client, login, admin)
    client.post("/deconnexion/")
    login(admin)
    assert client.post(VERIFY, {"token": codes[0]})["Location"] == "/accueil/"
    entry = JournalEntry.objects.get(event=Event.OTP_VERIFIED, user=admin)
    assert entry.data["device"] == "BackupCodeDevice" and entry.actor == admin


def test_new_backup_codes_are_journaled_and_replace_the_old_ones(client, login, password):
    admin = UserFactory(partner_admin=True)
    _, old_codes = enrol(client, login, admin)
    response = client.post(BACKUP_CODES, {"current_password": "pas-le-bon"})
    assert response.status_code == 200 and "<code>" not in response.content.decode()
    assert not JournalEntry.objects.filter(event=Event.BACKUP_CODES_GENERATED).exists()

    response = client.post(BACKUP_CODES, {"current_password": password})
    new_codes = re.findall(r"<code>([A-Z0-9-]{23})</code>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    entry = JournalEntry.objects.get(event=Event.BACKUP_CODES_GENERATED)
    assert (entry.user, entry.actor, entry.ip) == (admin, admin, "127.0.0.1")
    assert not any(code.replace("-", "") in str(entry.data) for code in new_codes)  # never a code in the journal

    client.post("/deconnexion/")
    login(admin)
    assert client.post(VERIFY, {"token": new_codes[0]})["Location"] == "/accueil/"
    client.post("/deconnexion/")
    login(admin)
    assert client.post(VERIFY, {"token": old_codes[1]}).status_code == 200  # the old ones stopped working
    assert client.get("/accueil/")["Location"] == VERIFY
