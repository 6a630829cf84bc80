"""The test process's Celery app pointed at another broker or queue."""

import contextlib
import socket

from portal.celery import app as celery_app


@contextlib.contextmanager
def publishing(*, broker_url: str | None = None, queue: str | None = None):
    """Tasks are published for real (not run eagerly), to `broker_url` and `queue` when given."""
    conf = celery_app.conf
    previous = (conf.task_always_eager, conf.task_default_queue, conf.broker_url)
    conf.task_always_eager = False
    conf.task_default_queue = queue or conf.task_default_queue
    conf.broker_url = broker_url or conf.broker_url
    _forget_connections()
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_default_queue, conf.broker_url = previous
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
