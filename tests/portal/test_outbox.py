"""The outbox (core.mail): attempts recorded before sending, backoff, "en échec", the sweep, one content per row
(the provisional password encrypted until sent), a stable Message-ID, and "Renvoyer" in the agents' admin."""

import re
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from core.mail.delivery import email_deliver, email_sweep, retry_delay
from core.mail.models import OutgoingEmail
from core.mail.queue import email_queue
from habilitations.accounts import account_create
from habilitations.journal import Event, JournalEntry
from habilitations.models import Caf, User
from portal.admin import EMAIL_RESENT
from tests.factories import UserFactory
from tests.habilitations.test_conventions_views import manager_client

pytestmark = pytest.mark.django_db

PASSWORD = re.compile(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)")
ADMIN_LIST = "/admin/core/outgoingemail/"


@pytest.fixture
def account():
    """An account whose two e-mails (identifiant, provisional password) are queued, none sent (nothing committed)."""
    return account_create(
        prefix="ACC", caf=Caf.objects.get(code="061"), nom="Martin", prenom="Eva", email="e@x.example"
    )


@pytest.fixture
def smtp_down(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    return monkeypatch


def provisional(user) -> OutgoingEmail:
    return OutgoingEmail.objects.get(user=user, kind="provisional_password")


def test_a_failed_attempt_waits_a_doubling_delay_then_the_row_is_en_echec(account, smtp_down, settings):
    settings.EMAIL_MAX_ATTEMPTS = 4
    email = provisional(account)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(1, 5):
            assert email_deliver(email.pk) is False
            email.refresh_from_db()
            assert (email.attempts, email.last_attempt_at) == (attempt, timezone.now())
            assert email.next_attempt_at == timezone.now() + settings.EMAIL_RETRY_DELAY * 2 ** (attempt - 1)
            assert email.last_error == "ConnectionRefusedError: SMTP down"
            assert email_deliver(email.pk) is False and OutgoingEmail.objects.get(pk=email.pk).attempts == attempt
            clock.move_to(email.next_attempt_at)
    assert email.failed_at is not None and email.status == "En échec"
    smtp_down.undo()
    assert email_sweep() == 1  # the identifiant only: a row en échec waits for "Renvoyer"
    assert OutgoingEmail.objects.get(pk=email.pk).attempts == 4


def test_the_backoff_is_capped(settings):
    assert retry_delay(1) == settings.EMAIL_RETRY_DELAY
    assert retry_delay(3) == 4 * settings.EMAIL_RETRY_DELAY
    assert retry_delay(30) == settings.EMAIL_RETRY_MAX_DELAY


def test_an_attempt_interrupted_after_the_smtp_server_accepted_sends_the_same_message_once_more(account, monkeypatch):
    """The worker dies between the server's acceptance and the "sent" commit: one more copy, the same one."""
    email = provisional(account)
    original_send = EmailMultiAlternatives.send

    def send_then_die(self, *args, **kwargs):
        original_send(self, *args, **kwargs)
        raise SystemExit("worker killed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_then_die)
    with pytest.raises(SystemExit):
        email_deliver(email.pk)
    monkeypatch.undo()
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and email.secret
    assert email_sweep() == 1  # the identifiant: the interrupted row waits for its backoff
    with time_machine.travel(email.next_attempt_at):
        assert email_sweep() == 1
    first, second = (m for m in mail.outbox if m.subject.endswith("mot de passe provisoire"))
    assert first.message().as_string().count(email.message_id) == 1
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == email.message_id
    assert f"mcp-email-{email.pk}@" in email.message_id
    assert PASSWORD.search(first.body).group(1) == PASSWORD.search(second.body).group(1)
    assert User.objects.get(pk=account.pk).check_password(PASSWORD.search(second.body).group(1))
    assert JournalEntry.objects.filter(event=Event.PROVISIONAL_PASSWORD_ISSUED, user=account).count() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.secret == "" and email.attempts == 2


def test_the_provisional_password_is_never_in_clear_in_the_outbox_and_erased_once_sent(account, smtp_down):
    email = provisional(account)
    email_deliver(email.pk)
    smtp_down.undo()
    email.refresh_from_db()
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_deliver(email.pk) is True
    password = PASSWORD.search(mail.outbox[0].body).group(1)
    assert password not in email.secret and password not in str(email.context)
    assert OutgoingEmail.objects.get(pk=email.pk).secret == ""


def test_the_secret_is_read_with_a_previous_secret_key(account, smtp_down, settings):
    email = provisional(account)
    email_deliver(email.pk)
    smtp_down.undo()
    settings.SECRET_KEY_FALLBACKS, settings.SECRET_KEY = [settings.SECRET_KEY], "a-new-key-" + "x" * 50
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_deliver(email.pk) is True
    assert User.objects.get(pk=account.pk).check_password(PASSWORD.search(mail.outbox[0].body).group(1))


def test_the_sweep_sends_only_what_is_due_oldest_first(account):
    identifiant = OutgoingEmail.objects.get(user=account, kind="identifiant")
    OutgoingEmail.objects.filter(pk=identifiant.pk).update(next_attempt_at=timezone.now() + retry_delay(1))
    assert email_sweep() == 1 and [m.subject for m in mail.outbox] == [
        "Mon Compte Partenaire : votre mot de passe provisoire"
    ]
    assert email_sweep() == 0
    with time_machine.travel(timezone.now() + retry_delay(1)):
        assert email_sweep() == 1
    assert len(mail.outbox) == 2 and email_sweep() == 0


@pytest.mark.django_db(transaction=True)
def test_a_row_another_worker_holds_is_skipped():
    """select_for_update(skip_locked): two workers never take the same row, and neither waits for the other."""
    email = OutgoingEmail.objects.create(
        key="identifiant:held", kind="identifiant", to="x@x.example", user=UserFactory()
    )
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            OutgoingEmail.objects.select_for_update().get(pk=email.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert email_sweep() == 0 and email_deliver(email.pk) is False
    finally:
        release.set()
        thread.join()
    assert mail.outbox == [] and OutgoingEmail.objects.get(pk=email.pk).attempts == 0
    assert email_sweep() == 1


def test_a_last_attempt_interrupted_leaves_the_row_en_echec(account, settings):
    email = provisional(account)
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=settings.EMAIL_MAX_ATTEMPTS)
    assert email_deliver(email.pk) is False
    email.refresh_from_db()
    assert email.status == "En échec" and "interrompue" in email.last_error and mail.outbox == []


@pytest.fixture
def national_agent(db):
    return UserFactory(agent=True, is_superuser=True, caf=None)


def test_national_agents_list_the_emails_waiting_or_in_failure_and_resend_them(
    account, smtp_down, national_agent, django_capture_on_commit_callbacks
):
    failed = provisional(account)
    OutgoingEmail.objects.filter(pk=failed.pk).update(attempts=9, next_attempt_at=timezone.now())
    email_deliver(failed.pk)  # the 10th attempt fails: en échec
    sent = email_queue("identifiant", to="sent@x.example", user=account)
    OutgoingEmail.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    smtp_down.undo()
    client = manager_client(national_agent)
    assert "Courriels" in client.get("/admin/").content.decode()

    page = client.get(ADMIN_LIST, {"etat": "en_echec"}).content.decode()
    assert "e@x.example" in page and "En échec" in page and "ConnectionRefusedError: SMTP down" in page
    assert "sent@x.example" not in page
    assert "sent@x.example" not in client.get(ADMIN_LIST, {"etat": "en_attente"}).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADMIN_LIST, {"action": "resend", "_selected_action": [failed.pk, sent.pk]}, follow=True)
    page = response.content.decode()
    assert "1 courriel(s) remis en envoi, avec le même contenu." in page
    assert "1 courriel(s) déjà envoyé(s) : non renvoyé(s)." in page
    failed.refresh_from_db()
    assert failed.status == "Envoyé" and failed.attempts == 1
    (message,) = mail.outbox
    assert message.to == ["e@x.example"]
    assert User.objects.get(pk=account.pk).check_password(PASSWORD.search(message.body).group(1))
    assert JournalEntry.objects.get(event=EMAIL_RESENT).data == {"emails": [failed.pk]}


def test_the_outbox_is_for_national_agents_only(db):
    caf_agent = UserFactory(agent=True)
    client = manager_client(caf_agent)
    assert client.get(ADMIN_LIST).status_code == 403
    assert "Courriels" not in client.get("/admin/").content.decode()
