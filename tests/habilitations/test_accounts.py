import datetime
import re

import pytest
from django.core import mail

from habilitations import accounts
from habilitations.accounts import account_create, identifiant_generate
from habilitations.journal import Event, JournalEntry
from habilitations.models import Caf, IssuedIdentifiant, User

pytestmark = pytest.mark.django_db

IDENTIFIANT = re.compile(r"^(ACC|ENF|LOG|CAF)\d{3}[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$")


def test_identifiant_format_prefix_caf_code_and_four_unambiguous_characters():
    caf = Caf.objects.get(code="831")
    values = [identifiant_generate(prefix=prefix, caf=caf) for prefix in ["ACC", "ENF", "LOG", "CAF"] * 50]
    assert all(IDENTIFIANT.match(v) and v[3:6] == "831" for v in values)
    assert len(set(values)) == len(values)
    assert not set("".join(v[6:] for v in values)) & set("0O1IL")


def test_identifiant_never_reused_even_after_its_account_disappeared(monkeypatch):
    caf = Caf.objects.get(code="061")
    first = identifiant_generate(prefix="ACC", caf=caf)
    # Force the generator to draw the same characters first, then others.
    draws = iter(list(first[6:]) + list("WXYZ"))
    monkeypatch.setattr(accounts.secrets, "choice", lambda alphabet: next(draws))
    second = identifiant_generate(prefix="ACC", caf=caf)
    assert second == "ACC061WXYZ" and second != first
    assert IssuedIdentifiant.objects.filter(value__in=[first, second]).count() == 2


def test_unknown_prefix_is_refused():
    with pytest.raises(ValueError):
        identifiant_generate(prefix="XYZ", caf=Caf.objects.get(code="061"))


def test_account_creation_emails_identifiant_and_provisional_password_separately(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = account_create(
            prefix="ENF",
            caf=Caf.objects.get(code="121"),
            nom="Nadal",
            prenom="Inès",
            email="ines.nadal@centre-social.example",
        )
    assert IDENTIFIANT.match(user.identifiant) and user.identifiant.startswith("ENF121")
    assert not user.has_usable_password() or user.has_provisional_password
    identifiant_mail, password_mail = sorted(mail.outbox, key=lambda m: "provisoire" in m.subject)
    assert user.identifiant in identifiant_mail.body and "mot de passe provisoire" not in identifiant_mail.subject
    password = re.search(r"Compte Partenaire : (\S+)", password_mail.body).group(1)
    assert user.identifiant not in password_mail.subject and "Inès" not in password_mail.subject
    user.refresh_from_db()
    assert user.check_password(password) and user.has_provisional_password
    assert password_mail.alternatives and password in password_mail.alternatives[0][0]
    assert JournalEntry.objects.filter(event=Event.ACCOUNT_CREATED, user=user).exists()
    assert password not in str(list(JournalEntry.objects.values()))


def test_delivering_the_same_email_twice_sends_it_once(django_capture_on_commit_callbacks):
    from core.mail.delivery import email_deliver
    from core.mail.models import OutgoingEmail

    with django_capture_on_commit_callbacks(execute=True):
        user = account_create(prefix="ACC", caf=Caf.objects.get(code="061"), nom="A", prenom="B", email="ab@x.example")
    first_hash = User.objects.get(pk=user.pk).password
    for email in OutgoingEmail.objects.all():
        assert email_deliver(email.pk) is False
    assert len(mail.outbox) == 2
    assert User.objects.get(pk=user.pk).password == first_hash  # no second provisional password


def test_a_failed_send_is_retried_by_the_beat_sweep_after_its_backoff_with_the_same_password(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The real path: queued on commit, the worker's attempt fails (SMTP down), beat's sweep sends nothing before
    the backoff and both e-mails after it, with the provisional password fixed at the first attempt."""
    import time_machine
    from django.core.mail import EmailMultiAlternatives
    from django.utils import timezone

    from core.mail.models import OutgoingEmail
    from portal.celery import app

    sweep = app.tasks[settings.CELERY_BEAT_SCHEDULE["portal-sweep-emails"]["task"]]

    def smtp_down(self, *args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", smtp_down)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            user = account_create(
                prefix="ACC", caf=Caf.objects.get(code="061"), nom="A", prenom="B", email="ab@x.example"
            )
        emails = OutgoingEmail.objects.filter(user=user)
        assert (
            sorted(emails.values_list("attempts", "sent_at", "last_error"))
            == [(1, None, "ConnectionError: SMTP down")] * 2
        )
        hash_after_the_failure = User.objects.get(pk=user.pk).password
        monkeypatch.undo()
        clock.shift(settings.EMAIL_RETRY_DELAY - datetime.timedelta(seconds=1))
        assert sweep.delay().get() == 0 and mail.outbox == []  # not before its backoff
        clock.shift(datetime.timedelta(seconds=1))
        assert sweep.delay().get() == 2
    assert sorted(emails.values_list("attempts", flat=True)) == [2, 2] and not emails.filter(sent_at=None).exists()
    (password_mail,) = (m for m in mail.outbox if "mot de passe provisoire" in m.subject)
    password = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", password_mail.body).group(1)
    stored = User.objects.get(pk=user.pk)
    assert stored.password == hash_after_the_failure and stored.check_password(password)
    assert sweep.delay().get() == 0 and len(mail.outbox) == 2


def test_deliver_task_is_given_back_to_the_broker_when_its_worker_dies():
    from core.mail.tasks import deliver_email

    assert deliver_email.acks_late and deliver_email.reject_on_worker_lost
