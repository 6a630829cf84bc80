"""A real Celery worker on Redis delivers the account-creation e-mails exactly once, even when a task runs twice
or when the pool process sending one is killed mid-task."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from habilitations.accounts import account_create
from habilitations.models import Caf
from portal.celery import app as celery_app
from portal.models import OutgoingEmail
from portal.tasks import deliver_email

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def _worker(tmp_path, **extra_env):
    """Run `celery -A portal worker` on a private queue, with a file e-mail backend in tmp_path/mails."""
    queue = f"mcp-test-{uuid.uuid4().hex[:8]}"
    mails = tmp_path / "mails"
    mails.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mails),
        **extra_env,
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            queue,
            "-c",
            "2",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield mails, process
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def worker(tmp_path):
    with _worker(tmp_path) as (mails, _):
        yield mails


def _wait_until_sent(expected: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if OutgoingEmail.objects.filter(sent_at__isnull=False).count() >= expected:
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not deliver the e-mails in time")


def _messages_by_key(mails: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in mails.iterdir():
        for key in re.findall(r"^X-MCP-Email-Key: (\S+)$", path.read_text(), flags=re.MULTILINE):
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_account_creation_emails_delivered_exactly_once_even_when_the_task_runs_twice(worker):
    with transaction.atomic():
        user = account_create(
            prefix="ACC", caf=Caf.objects.get(code="061"), nom="Dupont", prenom="Claire", email="claire@example.org"
        )
    emails = list(OutgoingEmail.objects.filter(user=user).order_by("kind"))
    assert [e.kind for e in emails] == ["identifiant", "provisional_password"]
    # The same deliveries queued again, twice, while the first ones may still be running.
    for email in emails:
        deliver_email.apply_async((email.pk,))
        deliver_email.apply_async((email.pk,))
    _wait_until_sent(2)
    time.sleep(2)  # let the duplicate tasks run to completion

    counts = _messages_by_key(worker)
    assert counts == {emails[0].key: 1, emails[1].key: 1}
    body = next(p.read_text() for p in worker.iterdir() if emails[1].key in p.read_text())
    password = re.search(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)", body).group(1)
    user.refresh_from_db()
    assert user.check_password(password)
    assert user.has_provisional_password


def test_a_rolled_back_account_creation_sends_nothing(worker):
    with pytest.raises(RuntimeError), transaction.atomic():
        account_create(
            prefix="ACC", caf=Caf.objects.get(code="061"), nom="Roll", prenom="Back", email="rb@example.org"
        )
        raise RuntimeError("the request failed after the account was created")
    time.sleep(3)
    assert OutgoingEmail.objects.count() == 0
    assert list(worker.iterdir()) == []


def test_an_email_whose_worker_process_is_killed_mid_task_still_goes_out_exactly_once(tmp_path):
    """acks_late + reject_on_worker_lost: the pool process sending the first e-mail is SIGKILLed while it holds the
    row lock; PostgreSQL rolls its transaction back, the broker redelivers the task, another process sends it."""
    marker = tmp_path / "stalled-sender"
    backend = "tests.support.stalling_mail_backend.StallingFileBackend"
    with _worker(tmp_path, EMAIL_BACKEND=backend, MCP_TEST_STALL_MARKER=str(marker)) as (mails, process):
        with transaction.atomic():
            user = account_create(
                prefix="ACC", caf=Caf.objects.get(code="061"), nom="Durand", prenom="Léa", email="lea@example.org"
            )
        emails = list(OutgoingEmail.objects.filter(user=user))
        deadline = time.monotonic() + 60
        while not (marker.exists() and marker.read_text()):
            assert time.monotonic() < deadline, "no e-mail reached the backend"
            time.sleep(0.1)
        stalled = int(marker.read_text())
        assert stalled != process.pid  # a pool process, not the worker itself
        os.kill(stalled, signal.SIGKILL)
        _wait_until_sent(2)
        time.sleep(2)  # nothing else may arrive
        assert process.poll() is None  # the worker survived the loss of one of its processes
        assert _messages_by_key(mails) == {email.key: 1 for email in emails}
        for email in OutgoingEmail.objects.filter(user=user):
            assert email.sent_at is not None and email.attempts == 1  # the killed attempt was rolled back
