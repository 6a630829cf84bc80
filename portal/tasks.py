from celery import shared_task

from portal.mail import email_deliver, email_sweep


# No Celery retries: a failed attempt is recorded on the row and the sweep retries it after its backoff. acks_late
# with reject_on_worker_lost gives a task lost with its worker back to the broker; it is harmless if the attempt
# was already recorded (the row is not due), and the sweep covers the broker's visibility timeout.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def deliver_email(email_id: int) -> bool:
    return email_deliver(email_id)


@shared_task
def sweep_emails() -> int:
    return email_sweep()
