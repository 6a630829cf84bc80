"""Issue 26.2: the queue an e-mail takes. Transactional (what a person is waiting for: mot de passe oublié, an
identifiant asked for, a confirmation link, a security notice) or bulk (what the portal sends to many: an import's
e-mails, the reminders), decided by the e-mail's kind, or by the call site when one kind can be both. The tasks are
published to an in-memory broker and their queue read; a real worker draining both queues is in
test_celery_worker.py."""

import contextlib
import re
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

import cdap.services  # noqa: F401 — registers its e-mail kind
import portal.views.home  # noqa: F401 — registers its e-mail kinds
from core.mail import tasks as mail_tasks
from core.mail.delivery import email_sweep
from core.mail.kinds import EMAIL_KINDS
from core.mail.models import OutgoingEmail
from core.mail.queue import email_queue
from habilitations import imports, reminders, tasks
from habilitations.accounts import account_create
from habilitations.models import Caf, User
from portal.admin import emails_resend_journaled
from tests.factories import UserFactory
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_imports import csv_upload, result_url, verify
from tests.habilitations.test_reminders import world as reminders_world  # noqa: F401 — a fixture
from tests.portal.test_resilience import forgotten_password_form
from tests.support.brokers import publishing

pytestmark = pytest.mark.django_db

DELIVER, DELIVER_BULK = "core.mail.tasks.deliver_email", "core.mail.tasks.deliver_bulk_email"


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """The (task, queue) of every task published in the block, to an in-memory broker, commit callbacks run."""

    @contextlib.contextmanager
    def block():
        seen: list[tuple[str, str]] = []

        def record(sender=None, routing_key=None, **kwargs):
            seen.append((sender, routing_key))

        before_task_publish.connect(record)
        try:
            with publishing(broker_url="memory://"), django_capture_on_commit_callbacks(execute=True):
                yield seen
        finally:
            before_task_publish.disconnect(record)

    return block


def transactional() -> str:
    return settings.CELERY_TASK_DEFAULT_QUEUE


def bulk() -> str:
    return settings.CELERY_BULK_QUEUE


def test_each_kind_is_transactional_but_the_reminders():
    """A new kind fails here until its queue is decided."""
    assert {name: kind.bulk for name, kind in EMAIL_KINDS.items()} == {
        "identifiant": False,
        "provisional_password": False,
        "password_changed": False,
        "email_change": False,
        "email_changed": False,
        "dialogue_caf": False,
        "caf_contact": False,  # « Contacter ma Caf »: a partner waits for it
        "several_accounts": False,
        "closing_reminder": True,
        "unused_services_reminder": True,
    }


def test_the_two_queues_are_distinct():
    assert transactional() != bulk()


def test_a_forgotten_password_goes_through_the_transactional_queue(client, published):
    user = User.objects.create(identifiant="ACC061TEST", caf=Caf.objects.get(code="061"), email="oubli@x.example")
    with published() as seen:
        client.post("/mot-de-passe-oublie/", forgotten_password_form(client, user.email))
    assert seen == [(DELIVER, transactional())]
    assert not OutgoingEmail.objects.get(user=user).bulk


def test_a_user_created_or_an_identifiant_resent_by_a_person_is_transactional_an_imports_is_bulk(published):
    world = World()
    admin = manager_client(world.admin)
    with published() as seen:
        admin.post(f"/gestion-des-habilitations/utilisateurs/{world.t1_member.pk}/renvoi-identifiant/")
    assert seen == [(DELIVER, transactional())]

    _, token = verify(admin, world, csv_upload(["Lagare;Xavier;x.lagare@partenaire.fr;;;;;T1;oui"]))
    with published() as seen:
        admin.post(result_url(world, token))
    assert seen == [("habilitations.tasks.import_apply", bulk())]  # the import itself is bulk work
    with published() as seen:
        assert imports.apply_run(token) == imports.APPLIED  # what the worker runs
    created = User.objects.get(email="x.lagare@partenaire.fr")
    assert seen == [(DELIVER_BULK, bulk())] * 2
    assert sorted(OutgoingEmail.objects.filter(user=created).values_list("kind", "bulk")) == [
        ("identifiant", True),
        ("provisional_password", True),
    ]

    with published() as seen:
        account_create(prefix="ACC", caf=world.organism.caf_pivot, nom="Seul", prenom="Un", email="seul@x.example")
    assert seen == [(DELIVER, transactional())] * 2  # the same kinds, outside an import


def test_the_reminders_and_their_task_go_through_the_bulk_queue(reminders_world, published):  # noqa: F811
    with published() as seen:
        assert reminders.reminders_send() == 1
        tasks.closing_reminders_send.delay()
    assert seen == [("habilitations.tasks.closing_reminders_send", bulk()), (DELIVER_BULK, bulk())]  # e-mail on commit


def test_each_queue_has_its_sweep_beat_runs_both(published):
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} >= {
        "core.mail.tasks.sweep_emails",
        "core.mail.tasks.sweep_bulk_emails",
    }
    with published() as seen:
        mail_tasks.sweep_emails.delay()
        mail_tasks.sweep_bulk_emails.delay()
    assert seen == [("core.mail.tasks.sweep_emails", transactional()), ("core.mail.tasks.sweep_bulk_emails", bulk())]


def test_the_transactional_sweep_never_sends_a_bulk_row_and_the_bulk_sweep_sends_at_most_its_limit(mailoutbox):
    user = UserFactory()
    urgent = email_queue("password_changed", to="a@x.example", user=user, context={"changed_at": "2026-12-07"})
    massive = [email_queue("closing_reminder", to=f"r{i}@x.example", user=user, context={}) for i in range(3)]
    assert email_sweep() == 1 and [m.to for m in mailoutbox] == [[urgent.to]]
    assert email_sweep(bulk=True, limit=2) == 2
    assert email_sweep(bulk=True, limit=2) == 1 and len(mailoutbox) == 4
    assert OutgoingEmail.objects.filter(pk__in=[e.pk for e in massive], sent_at__isnull=False).count() == 3


def test_renvoyer_sends_each_row_through_its_own_queue(published, rf):
    rows = [email_queue("closing_reminder", to="r@x.example"), email_queue("identifiant", to="i@x.example")]
    OutgoingEmail.objects.update(failed_at=timezone.now())
    request = rf.post("/")
    request.user = AnonymousUser()
    with published() as seen:
        assert emails_resend_journaled(OutgoingEmail.objects.filter(pk__in=[r.pk for r in rows]), request=request) == 2
    assert sorted(seen) == sorted([(DELIVER, transactional()), (DELIVER_BULK, bulk())])


def test_docker_compose_consumes_both_queues_and_runs_beat():
    compose = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    commands = re.findall(r"command: celery -A portal worker -Q (\S+)", compose)
    assert {queue for queues in commands for queue in queues.split(",")} == {"transactional", "bulk"}
    assert "command: celery -A portal beat" in compose
