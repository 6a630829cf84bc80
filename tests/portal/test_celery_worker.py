"""A real Celery worker on Redis with its beat (here the outbox sweep runs every second, the backoff starts at 2 s):
account e-mails go out once even when a task runs twice; a pool process killed mid-send, or the whole worker killed
and restarted, loses no e-mail and sends each at most twice, every copy the same message (issue 24); e-mails queued
while the broker was unreachable go out once it answers again (issue 19)."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from email import message_from_string, policy
from pathlib import Path

import pytest
from django.db import connection, transaction

from core.mail.models import OutgoingEmail
from core.mail.tasks import deliver_bulk_email, deliver_email
from habilitations.accounts import account_create, provisional_password_request
from habilitations.models import Caf, User
from portal.celery import app as celery_app
from tests.factories import UserFactory
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_users_views import create_url, valid_post
from tests.support.brokers import closed_port, publishing

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
STALLING_BACKEND = "tests.support.stalling_mail_backend.StallingFileBackend"
PASSWORD = re.compile(r"mot de passe provisoire pour Mon Compte Partenaire : (\S+)")


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(
    tmp_path: Path, *, queue: str, bulk_queue: str, name: str, beat: bool, extra_env: dict
) -> subprocess.Popen:
    """`celery -A portal worker -B -Q <transactional>,<bulk>` (README) on private queues, in its own process group,
    writing e-mails to tmp_path/mails; without `-B` (no sweep) when not `beat`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_BULK_QUEUE": bulk_queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mails"),
        "EMAIL_SWEEP_INTERVAL": "1",
        "EMAIL_RETRY_DELAY": "2",
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
    command += ["-B", "-s", str(tmp_path / f"{name}-beat")] if beat else []
    queues = ",".join(dict.fromkeys([queue, bulk_queue]))  # one queue for both: the layout before issue 26
    command += ["-Q", queues, "-c", "2", "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with (tmp_path / f"{name}.log").open("w") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError):  # its pool and beat processes, whatever became of the worker
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def _worker(
    tmp_path: Path, *, queue: str = "", bulk_queue: str = "", name: str = "worker", beat: bool = True, **extra_env
):
    """A worker, and the test process publishing to its queues. Yields the e-mails' folder and the worker process."""
    queue = queue or f"mcp-test-{uuid.uuid4().hex[:8]}"
    bulk_queue = bulk_queue or f"{queue}-bulk"
    (tmp_path / "mails").mkdir(exist_ok=True)
    process = _start_worker(tmp_path, queue=queue, bulk_queue=bulk_queue, name=name, beat=beat, extra_env=extra_env)
    try:
        with publishing(queue=queue, bulk_queue=bulk_queue):
            yield tmp_path / "mails", process
    finally:
        _stop_worker(process)


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


def _wait_for_stalled_sender(marker: Path) -> int:
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()):
        assert time.monotonic() < deadline, "no e-mail reached the backend"
        time.sleep(0.1)
    return int(marker.read_text())


def _copies(mails: Path) -> dict[str, list]:
    """The messages written by the worker(s), by outbox key."""
    copies: dict[str, list] = {}
    for path in mails.iterdir():
        # The file backend separates the messages of one connection by a line of 79 dashes.
        for text in path.read_text().split("-" * 79):
            if text.strip():
                message = message_from_string(text.strip() + "\n", policy=policy.default)
                copies.setdefault(message["X-MCP-Email-Key"], []).append(message)
    return copies


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _counts(mails: Path) -> dict[str, int]:
    return {key: len(messages) for key, messages in _copies(mails).items()}


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
    time.sleep(2)  # let the duplicate tasks, and a sweep, run to completion

    copies = _copies(worker)
    assert _counts(worker) == {emails[0].key: 1, emails[1].key: 1}
    password = PASSWORD.search(_text(copies[emails[1].key][0])).group(1)
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


def test_an_email_whose_worker_process_is_killed_mid_send_still_goes_out_exactly_once(tmp_path):
    """The pool process sending the first e-mail is SIGKILLed before the SMTP server has it; its attempt was
    recorded, so the redelivered task does nothing and the sweep sends the e-mail after the backoff."""
    marker = tmp_path / "stalled-sender"
    with _worker(tmp_path, EMAIL_BACKEND=STALLING_BACKEND, MCP_TEST_STALL_MARKER=str(marker)) as (mails, process):
        with transaction.atomic():
            user = account_create(
                prefix="ACC", caf=Caf.objects.get(code="061"), nom="Durand", prenom="Léa", email="lea@example.org"
            )
        emails = list(OutgoingEmail.objects.filter(user=user))
        stalled = _wait_for_stalled_sender(marker)
        assert stalled != process.pid  # a pool process, not the worker itself
        os.kill(stalled, signal.SIGKILL)
        _wait_until_sent(2)
        time.sleep(2)  # nothing else may arrive
        assert process.poll() is None  # the worker survived the loss of one of its processes
        assert _counts(mails) == {email.key: 1 for email in emails}
        attempts = sorted(OutgoingEmail.objects.filter(user=user, sent_at__isnull=False).values_list("attempts"))
        assert attempts == [(1,), (2,)]  # the killed attempt is on record


def test_a_worker_killed_after_the_smtp_server_accepted_sends_again_the_same_message(tmp_path):
    """Issue 24: 40 e-mails (20 accounts) in flight; the first provisional password reaches the SMTP server, then
    the whole worker (main process, pool, beat) is SIGKILLed and started again. Every row is sent, at most twice,
    and every copy is the same message: same Message-ID, a provisional password that works."""
    marker = tmp_path / "stalled-sender"
    queue = f"mcp-test-{uuid.uuid4().hex[:8]}"
    stall = {
        "EMAIL_BACKEND": STALLING_BACKEND,
        "MCP_TEST_STALL_MARKER": str(marker),
        "MCP_TEST_STALL_KIND": "provisional_password:",
        "MCP_TEST_STALL_AFTER_WRITE": "1",
    }
    with _worker(tmp_path, queue=queue, name="first", **stall) as (mails, process):
        with transaction.atomic():
            users = [
                account_create(
                    prefix="ACC", caf=Caf.objects.get(code="061"), nom=f"Nom{i}", prenom="P", email=f"u{i}@example.org"
                )
                for i in range(20)
            ]
        _wait_for_stalled_sender(marker)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # The SMTP server has these, the outbox does not know: the stalled provisional password, maybe one more.
    unrecorded = set(OutgoingEmail.objects.filter(sent_at__isnull=True, key__in=_counts(mails)).values_list("key"))
    assert any(key.startswith("provisional_password:") for (key,) in unrecorded)

    with _worker(tmp_path, queue=queue, name="restarted", **stall):
        _wait_until_sent(40)
        time.sleep(3)  # what a sweep could still send
    rows = OutgoingEmail.objects.filter(user__in=users)
    assert rows.count() == 40 and not rows.filter(sent_at__isnull=True).exists()
    assert not rows.exclude(secret="").exists()  # every provisional password erased from the outbox once sent
    copies = _copies(mails)
    assert set(copies) == set(rows.values_list("key", flat=True))
    duplicates = {key: len(messages) - 1 for key, messages in copies.items() if len(messages) > 1}
    assert all(count == 1 for count in duplicates.values()) and {key for (key,) in unrecorded} <= set(duplicates)
    assert len(duplicates) <= 2  # at most the sends in flight in the two pool processes
    for email in rows.filter(kind="provisional_password").select_related("user"):
        received = copies[email.key]
        assert {m["Message-ID"].strip() for m in received} == {email.message_id}
        passwords = {PASSWORD.search(_text(m)).group(1) for m in received}
        assert len(passwords) == 1 and email.user.check_password(passwords.pop()), email.key


def test_a_killed_workers_unacknowledged_delivery_returns_after_the_visibility_timeout(tmp_path):
    """Issue 26.3: the whole worker is SIGKILLed while it sends an e-mail (its message taken, not acknowledged). A
    worker started without beat (no sweep: only the broker can bring the message back) after the visibility timeout
    (here 2 s; 6 min in production, where it was one hour) takes the message back at its first look, at start (then
    every minute), and delivers it."""
    marker = tmp_path / "stalled-sender"
    queue = f"mcp-test-{uuid.uuid4().hex[:8]}"
    stall = {"EMAIL_BACKEND": STALLING_BACKEND, "MCP_TEST_STALL_MARKER": str(marker)}
    with _worker(tmp_path, queue=queue, name="first", beat=False, **stall) as (mails, process):
        with transaction.atomic():
            user = account_create(
                prefix="ACC", caf=Caf.objects.get(code="061"), nom="Roux", prenom="Ana", email="ana@example.org"
            )
        _wait_for_stalled_sender(marker)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # The stalled e-mail (its attempt on record); the other one too if the first worker had not sent it yet.
    taken = dict(OutgoingEmail.objects.filter(user=user, sent_at__isnull=True).values_list("pk", "attempts"))
    assert 1 in taken.values()
    time.sleep(3)
    with _worker(tmp_path, queue=queue, name="restarted", beat=False, CELERY_VISIBILITY_TIMEOUT="2", **stall):
        _wait_until_sent(2, timeout=20)
    redelivered = dict(OutgoingEmail.objects.filter(pk__in=taken).values_list("pk", "attempts"))
    assert redelivered == {pk: attempts + 1 for pk, attempts in taken.items()}  # one attempt more: the message's
    assert _counts(mails) == {email.key: 1 for email in OutgoingEmail.objects.filter(user=user)}


def test_emails_queued_while_the_broker_is_unreachable_go_out_once_it_answers(tmp_path):
    """Issue 19: a user created while the broker refuses connections gets the success page, their e-mails wait in
    the outbox and a worker, once the broker answers, sends them (the sweep: no task was ever published)."""
    world = World()
    client = manager_client(world.admin)
    with publishing(broker_url=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.post(create_url(world.convention), valid_post(), follow=True)
    user = User.objects.get(email="x.lagare@partenaires.fr")
    assert f"({user.identifiant}) a été créé" in response.content.decode()
    pending = OutgoingEmail.objects.filter(user=user, sent_at__isnull=True, attempts=0)
    assert sorted(pending.values_list("kind", flat=True)) == ["identifiant", "provisional_password"]

    with _worker(tmp_path) as (mails, _):
        _wait_until_sent(2)
        time.sleep(2)
    assert _counts(mails) == {email.key: 1 for email in OutgoingEmail.objects.filter(user=user)}


def _queue_length(queue: str) -> int:
    with celery_app.connection_for_write() as broker:
        return broker.default_channel.client.llen(queue)


def _drop_queues(*queues: str) -> None:
    with celery_app.connection_for_write() as broker:
        broker.default_channel.client.delete(*queues)


@pytest.mark.parametrize("one_queue", [False, True], ids=["two queues", "one queue, the control"])
def test_a_password_reset_queued_behind_10_000_bulk_emails_goes_out_within_seconds(tmp_path, one_queue):
    """Issue 26: 10 000 bulk e-mails (an import's) wait on the bulk queue, rate-limited, when a person asks for a
    provisional password: theirs goes out within seconds, the bulk queue still full. The control runs both on one
    queue, the layout before: the reset waits behind the 10 000."""
    user = UserFactory(email="oubli@partenaire.example")
    bulk = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(key=f"bulk:{i}", kind="identifiant", to=f"b{i}@x.example", user=user, bulk=True)
        for i in range(10_000)
    )
    queue = f"mcp-test-{uuid.uuid4().hex[:8]}"
    layout = {"queue": queue, "bulk_queue": queue if one_queue else f"{queue}-bulk"}
    with _worker(tmp_path, **layout, EMAIL_BULK_RATE_LIMIT="10/s", EMAIL_BULK_SWEEP_LIMIT="5") as (mails, _):
        try:
            for email in bulk:
                deliver_bulk_email.delay(email.pk)
            with transaction.atomic():
                provisional_password_request(user)
            reset = OutgoingEmail.objects.get(kind="provisional_password")
            queued = time.monotonic()
            sent = OutgoingEmail.objects.filter(pk=reset.pk, sent_at__isnull=False)
            while time.monotonic() - queued < 5 and not sent.exists():
                time.sleep(0.1)
            waited, still_queued, sent = time.monotonic() - queued, _queue_length(layout["bulk_queue"]), sent.exists()
        finally:
            _drop_queues(*layout.values())
    assert still_queued > 9_000, still_queued  # the reset really was behind the bulk e-mails
    if one_queue:
        assert not sent
    else:
        assert sent, f"not sent after {waited:.1f} s"
        assert reset.key in _counts(mails)
