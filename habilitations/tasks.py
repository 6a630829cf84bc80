"""Celery tasks of the habilitations: small, idempotent, they load by id (or token) and call the real work."""

import datetime

from celery import shared_task

from habilitations import imports, reminders


@shared_task(acks_late=True)
def import_apply(token: str) -> str:
    """Apply a verified, claimed bulk import. Re-running it changes nothing (the claim and the re-check)."""
    return imports.apply_run(token)


@shared_task
def closing_reminders_send(day: str | None = None) -> int:
    """Daily (beat): e-mail administrators what closes in 30 days. A second run the same day sends nothing."""
    return reminders.reminders_send(day=datetime.date.fromisoformat(day) if day else None)


@shared_task
def unused_reminders_send(day: str | None = None) -> int:
    """Monthly (beat): e-mail administrators the habilitations not used for 12 months. Once a month."""
    return reminders.unused_reminders_send(day=datetime.date.fromisoformat(day) if day else None)
