import smtplib

from celery import shared_task

from portal.mail import email_deliver


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    acks_late=True,
    reject_on_worker_lost=True,
)
def deliver_email(email_id: int) -> bool:
    return email_deliver(email_id)
