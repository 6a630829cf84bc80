"""Issue 26.3: broker settings that fit the tasks. Every task of ours is bounded, and the broker hands a killed
worker's unacknowledged messages back after a visibility timeout of minutes (it was an hour), longer than any task
may run (or Redis would hand a running task to a second worker). A real killed worker is in test_celery_worker.py."""

import core.mail.tasks  # noqa: F401 — registers the tasks
import habilitations.tasks  # noqa: F401
from portal.celery import app as celery_app

OUR_TASKS = sorted(
    name for name in celery_app.tasks if name.startswith(("core.", "portal.", "habilitations.", "cdap."))
)


def _options(name: str) -> tuple[float, float, bool]:
    task, conf = celery_app.tasks[name], celery_app.conf
    return (
        task.soft_time_limit or conf.task_soft_time_limit,
        task.time_limit or conf.task_time_limit,
        task.acks_late,
    )


def test_the_visibility_timeout_is_minutes_and_outlasts_every_task():
    options = celery_app.conf.broker_transport_options
    visibility = options["visibility_timeout"]
    assert 60 <= visibility <= 10 * 60
    # How often a consumer looks for messages unacknowledged that long: a killed worker's come back within
    # the visibility timeout and one more minute.
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 60
    assert OUR_TASKS
    for name in OUR_TASKS:
        soft, hard, _ = _options(name)
        assert soft and hard and soft < hard < visibility, name


def test_tasks_acknowledge_late_where_running_them_twice_is_harmless():
    """Deliveries (the claim), the import (its claim and re-check) and the reminders (their keys) are idempotent:
    a message lost with its worker comes back. A sweep is replaced by beat's next one instead."""
    acks_late = {name: _options(name)[2] for name in OUR_TASKS}
    assert acks_late == {
        "core.mail.tasks.deliver_bulk_email": True,
        "core.mail.tasks.deliver_email": True,
        "core.mail.tasks.sweep_bulk_emails": False,
        "core.mail.tasks.sweep_emails": False,
        "habilitations.tasks.closing_reminders_send": True,
        "habilitations.tasks.import_apply": True,
        "habilitations.tasks.unused_reminders_send": True,
    }
    assert all(celery_app.tasks[name].reject_on_worker_lost for name, late in acks_late.items() if late)
