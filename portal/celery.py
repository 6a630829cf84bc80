"""The Celery application: `celery -A portal worker -B -Q transactional,bulk` (README "Pannes et reprise")."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["core.mail"])  # the outbox's tasks (core is an app, its tasks are in core.mail.tasks)

# Bulk work: a bulk import, the e-mails marked bulk (core.mail), the daily reminders, their sweep. It has its own
# queue (CELERY_BULK_QUEUE), so the transactional queue (CELERY_TASK_DEFAULT_QUEUE: password resets, identifiants
# asked for, confirmation links, security notices, every other task) is never filled by it.
BULK_TASKS = {
    "core.mail.tasks.deliver_bulk_email",
    "core.mail.tasks.sweep_bulk_emails",
    "habilitations.tasks.import_apply",
    "habilitations.tasks.closing_reminders_send",
    "habilitations.tasks.unused_reminders_send",
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: the bulk queue for bulk work, read at each publish; None is the default queue."""
    from django.conf import settings

    return {"queue": settings.CELERY_BULK_QUEUE} if name in BULK_TASKS else None
