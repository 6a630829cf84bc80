"""Queuing an e-mail: the outbox row written in the caller's transaction, its delivery task published on commit
(core.mail)."""

import contextlib
import logging
import uuid
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.utils import timezone

from core.mail.kinds import EMAIL_KINDS
from core.mail.models import OutgoingEmail
from core.mail.tasks import deliver_bulk_email, deliver_email

logger = logging.getLogger(__name__)

_bulk_call_site: ContextVar[bool] = ContextVar("core_mail_bulk", default=False)


@contextlib.contextmanager
def bulk_emails():
    """Every e-mail queued inside is bulk, whatever its kind: the identifiant an import sends to 5 000 new users waits
    on the bulk queue, the one a person asks for ("Renvoi de l'identifiant par mail") does not. Also a decorator."""
    token = _bulk_call_site.set(True)
    try:
        yield
    finally:
        _bulk_call_site.reset(token)


def email_queue(
    kind: str, *, to: str, user=None, context: dict | None = None, key: str | None = None
) -> OutgoingEmail:
    """Record the e-mail and hand it to a worker, on its queue, once the surrounding transaction commits."""
    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    email = OutgoingEmail.objects.create(
        key=key or f"{kind}:{uuid.uuid4()}",
        kind=kind,
        to=to,
        user=user,
        context=context or {},
        bulk=EMAIL_KINDS[kind].bulk or _bulk_call_site.get(),
    )
    transaction.on_commit(partial(_publish, email.pk, email.bulk))
    return email


@transaction.atomic
def emails_resend(queryset) -> list[int]:
    """ "Renvoyer": the unsent rows among `queryset` are due now, with a fresh series of attempts, and the same
    content; returns their ids (the caller journals who asked). A sent row is left alone: its secret is erased, a
    new copy could not be the same message."""
    rows = dict(queryset.filter(sent_at__isnull=True).values_list("pk", "bulk"))
    OutgoingEmail.objects.filter(pk__in=rows).update(failed_at=None, attempts=0, next_attempt_at=timezone.now())
    for pk, bulk in rows.items():
        transaction.on_commit(partial(_publish, pk, bulk))
    return list(rows)


def _publish(email_id: int, bulk: bool) -> None:
    try:
        (deliver_bulk_email if bulk else deliver_email).delay(email_id)
    except Exception:  # noqa: BLE001 — whatever the broker raises, the write committed: the sweep will send it
        logger.error("E-mail %s left pending: the broker did not take its delivery task", email_id, exc_info=True)
