"""A Caf agent resets the second factor of an account of their Caf (issue 12, item 9: "J'ai perdu mon téléphone /
ma double authentification" sends the person to their Caf): the application and the backup codes go, journaled, and
the person enrols again at the next login. Another Caf's account is out of reach; one's own too."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from habilitations.journal import Event, JournalEntry
from habilitations.models import BackupCode, BackupCodeDevice, Caf
from tests.factories import UserFactory
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

ACTION = "second_factor_reset"


def reset(client, *users):
    return client.post(
        "/admin/habilitations/user/", {"action": ACTION, "_selected_action": [u.pk for u in users]}, follow=True
    )


def test_an_agent_resets_a_partner_administrators_second_factor(client, login):
    administrator = UserFactory(partner_admin=True)
    other_client = Client()
    enrol(other_client, lambda user: login(user, c=other_client), administrator)
    assert TOTPDevice.objects.filter(user=administrator, confirmed=True).exists()
    assert BackupCode.objects.filter(device__user=administrator).count() == 10

    agent = UserFactory(agent=True)
    enrol(client, login, agent)
    page = reset(client, administrator).content.decode()
    assert "Double authentification réinitialisée pour " + administrator.identifiant in page
    assert not TOTPDevice.objects.filter(user=administrator).exists()
    assert (
        not BackupCodeDevice.objects.filter(user=administrator).exists()
        and not BackupCode.objects.filter(device__user=administrator).exists()
    )
    entry = JournalEntry.objects.get(event=Event.OTP_RESET)
    assert (entry.user, entry.actor, entry.organism) == (administrator, agent, administrator.organism)
    assert entry.data == {"application": True, "codes": True}

    # The session already past the second factor must pass it again; so does the next login: a new enrolment.
    assert other_client.get("/accueil/")["Location"] == "/double-authentification/"
    fresh = Client()
    login(administrator, c=fresh)
    assert fresh.get("/double-authentification/")["Location"] == "/double-authentification/enrolement/"


def test_another_cafs_account_and_ones_own_are_left_alone(client, login):
    elsewhere = UserFactory(partner_admin=True, caf=Caf.objects.get(code="831"))
    TOTPDevice.objects.create(user=elsewhere, name="Application", confirmed=True)
    agent = UserFactory(agent=True)
    enrol(client, login, agent)
    reset(client, elsewhere, agent)
    assert TOTPDevice.objects.filter(user=elsewhere).exists()
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
    assert not JournalEntry.objects.filter(event=Event.OTP_RESET).exists()


def test_an_account_without_second_factor_writes_nothing(client, login):
    plain = UserFactory()
    agent = UserFactory(agent=True)
    enrol(client, login, agent)
    page = reset(client, plain).content.decode()
    assert "Aucune double authentification à réinitialiser pour " + plain.identifiant in page
    assert not JournalEntry.objects.filter(event=Event.OTP_RESET).exists()
