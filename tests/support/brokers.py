"""The test process's Celery app pointed at another broker or queue, and a Redis that never answers."""

import contextlib
import os
import socket
import threading

from django.conf import settings
from django.test import override_settings

from portal.celery import app as celery_app


@contextlib.contextmanager
def publishing(*, broker_url: str | None = None, queue: str | None = None, bulk_queue: str | None = None):
    """Tasks are published for real (not run eagerly), to `broker_url`, `queue` (the transactional queue) and
    `bulk_queue` when given."""
    with override_settings(CELERY_BULK_QUEUE=bulk_queue or settings.CELERY_BULK_QUEUE), _publishing(broker_url, queue):
        yield


@contextlib.contextmanager
def _publishing(broker_url: str | None, queue: str | None):
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.task_default_queue, conf.broker_url)
    # Celery reads CELERY_BROKER_URL from the environment before its configuration (a run that sets it for its own
    # broker database would otherwise publish there).
    environment = os.environ.pop("CELERY_BROKER_URL", None) if broker_url else None
    conf.task_always_eager = False
    conf.task_default_queue = queue or conf.task_default_queue
    conf.broker_url = broker_url or conf.broker_url
    _forget_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.broker_url = previous
        if environment is not None:
            os.environ["CELERY_BROKER_URL"] = environment
        _forget_connections()


def _forget_connections() -> None:
    """The app keeps the connection pools of the broker it first published to (what Celery does after a fork)."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def closed_port() -> int:
    """A local port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def frozen_redis():
    """A TCP server that accepts every connection and never answers, like a Redis stopped with SIGSTOP (whose
    kernel still completes the handshakes). Yields its redis:// URL."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    accepted, stop = [], threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        server.close()
