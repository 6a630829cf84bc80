"""Reliability (quality.md): with PostgreSQL restarted, the next requests succeed.

A restart of PostgreSQL ends every server-side connection of the portal; the connections idle in the psycopg 3
pool of each gunicorn worker are then dead sockets. The production settings turn CONN_HEALTH_CHECKS on, which
Django 5.2 passes to the pool as `check=ConnectionPool.check_connection`: a connection is checked before it is
handed out and a dead one is replaced. The pool only exists in a real server running the production settings, so
this test starts gunicorn (portal.settings.prod, one sync worker) against the test database, logs a user in,
terminates every backend of the test database but the test's own, and requires the next requests to succeed.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from bench.harness import Client, csrf_token
from tests.factories import TEST_PASSWORD, habilitated_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prod_env(port: int, static_root: Path) -> dict[str, str]:
    """The production settings, fed as production feeds them (see bench/run.py's bench_env), on the test
    database and the tests' Redis database; nothing from the developer's shell may loosen them."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "DJANGO_SECRET_KEY": "restart-test-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "DJANGO_DEBUG": "False",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": "memory://",  # nothing is left in a Redis queue by this test
        "STATIC_ROOT": str(static_root),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key in (
        "DATABASE_POOL",
        "DATABASE_POOL_MIN",
        "DATABASE_POOL_MAX",
        "DATABASE_CONN_MAX_AGE",
        "DJANGO_SECURE_SSL_REDIRECT",
        "CELERY_TASK_ALWAYS_EAGER",
        "OTP_REQUIRED_FOR_ALL",
        "EMAIL_BACKEND",
    ):
        env.pop(key, None)
    return env


@pytest.fixture
def prod_server(tmp_path):
    """gunicorn with the production settings (connection pool on), one sync worker; yields (port, log path)."""
    port = _free_port()
    env = _prod_env(port, tmp_path / "static")
    # The production static storage needs its manifest: the templates' {% static %} read it. The admin's files
    # (no page of this test) are left out: half the time of collectstatic.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0", "-i", "admin"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "portal.wsgi:application",
            "--chdir",
            str(ROOT),
            "--worker-class",
            "sync",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"gunicorn exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"gunicorn did not answer:\n{log_path.read_text()}"
            try:
                Client(port).get("/")
                break
            except OSError:
                time.sleep(0.1)
        yield port, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _portal_backends() -> list[int]:
    """The server processes connected to the test database, other than this test's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def _terminate_portal_backends() -> int:
    """What a PostgreSQL restart does to the portal: every server-side connection of it ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _wait_gone(pids: list[int], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while set(pids) & set(_portal_backends()):
        assert time.monotonic() < deadline, "the terminated backends are still there"
        time.sleep(0.05)


def _status(client: Client, path: str) -> tuple[int, bytes, str | None, float]:
    elapsed_ns, resp, body = client.request("GET", path)
    return resp.status, body, resp.getheader("Location"), elapsed_ns / 1e9


def test_after_every_database_connection_is_killed_the_next_requests_succeed(prod_server):
    port, log_path = prod_server
    user, _ = habilitated_user("T1-ASS")
    # The production hasher (the test settings hash with MD5, which production does not accept).
    user.password = Argon2PasswordHasher().encode(TEST_PASSWORD, Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])

    client = Client(port)
    _, login_page = client.get("/connexion/")
    origin = f"https://{client.host}"
    _, resp, body = client.request(
        "POST",
        "/connexion/",
        body=urlencode(
            {"username": user.identifiant, "password": TEST_PASSWORD, "csrfmiddlewaretoken": csrf_token(login_page)}
        ),
        headers={"Referer": f"{origin}/connexion/", "Origin": origin},
    )
    assert resp.status == 302 and resp.getheader("Location").endswith("/accueil/"), (resp.status, body[:500])
    status, body, _, _ = _status(client, "/accueil/")
    assert status == 200, body[:500]
    assert user.prenom.encode() in body or user.nom.encode() in body

    # The worker's pool holds its connection between requests: that is what the restart kills.
    pool_pids = _portal_backends()
    assert pool_pids, "the production server holds no pooled connection to the database"
    assert _terminate_portal_backends() == len(pool_pids)
    _wait_gone(pool_pids)

    # The very next requests, logged in, then anonymous: no 5xx, no error page.
    anonymous = Client(port)
    for c, path, expected in [
        (client, "/accueil/", 200),
        (client, "/mon-profil/", 200),
        (client, "/accueil/", 200),
        (anonymous, "/", 200),
        (anonymous, "/accueil/", 302),  # the login redirect, as before the restart
    ]:
        status, body, location, seconds = _status(c, path)
        assert status == expected, f"GET {path} after the restart → {status}: {body[:500]!r}"
        if expected == 302:
            assert "/connexion/" in location
        # Without a stall either: each further dead connection in the pool costs a backoff of ≥ 0.9 s (1 s ± 10 %)
        # before the pool tries the next one, and enough of them end in its 10 s timeout, a 500.
        assert seconds < 0.8, f"GET {path} after the restart took {seconds:.2f} s"
    # The session survived (database sessions, Redis in front): still the same user.
    status, body, _, _ = _status(client, "/accueil/")
    assert status == 200 and (user.prenom.encode() in body or user.nom.encode() in body)
    # The pool reconnected: new backends, none of the killed ones.
    assert _portal_backends() and not set(_portal_backends()) & set(pool_pids)

    # Nothing in the server's log of an unhandled error (IncidentMiddleware logs "Incident …" with the traceback).
    server_log = log_path.read_text()
    assert "Traceback" not in server_log and "Incident" not in server_log, server_log
