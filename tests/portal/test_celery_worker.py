"""A real Celery worker on Redis delivers the account-creation e-mails exactly once, even when a task runs twice."""

import os
import re
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


@pytest.fixture
def worker(tmp_path):
    """Start `celery -A portal worker` on a private queue, with a file e-mail backend in tmp_path."""
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
        yield mails
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


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
