"""The outbox's Celery tasks: small, they call core.mail.delivery (which never imports them back).

Found by the worker through portal.celery (autodiscovery of core.mail); routed by name in portal.celery.BULK_TASKS.
"""

from celery import shared_task
from django.conf import settings

from core.mail.delivery import email_deliver, email_sweep


# No Celery retries: a failed attempt is recorded on the row and the sweep retries it after its backoff. acks_late
# with reject_on_worker_lost gives a task lost with its worker back to the broker (after the visibility timeout); it
# is harmless if the attempt was already recorded (the row is not due).
@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_email(email_id: int) -> bool:
    return email_deliver(email_id)


# The same delivery on the bulk queue (portal.celery), at most EMAIL_BULK_RATE_LIMIT per worker consuming it.
@shared_task(acks_late=True, reject_on_worker_lost=True, rate_limit=settings.EMAIL_BULK_RATE_LIMIT)
def deliver_bulk_email(email_id: int) -> bool:
    return email_deliver(email_id)


# Sweeps are acknowledged on receipt: a sweep lost with its worker is replaced by beat's next one, and one delivered
# again would only repeat the work.
@shared_task(acks_late=False)
def sweep_emails() -> int:
    return email_sweep(bulk=False)


@shared_task(acks_late=False)
def sweep_bulk_emails() -> int:
    return email_sweep(bulk=True, limit=settings.EMAIL_BULK_SWEEP_LIMIT)
