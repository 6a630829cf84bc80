"""E-mails through an outbox: the OutgoingEmail row is the truth, the broker only a way to send it sooner.

Queuing writes the row in the caller's transaction and, once it commits, asks a worker to deliver it; a broker that
cannot take the task is logged and costs the request nothing. `email_sweep` (celery beat, every minute) delivers
whatever is due: never tried, or tried and past its backoff. An attempt is recorded (committed) before the message
is handed to the SMTP server, so a worker killed between the server's acceptance and the "sent" commit leads to one
more copy after the backoff, never to a lost message. Every copy is the same message: the content a kind generates
for a row (a provisional password) is made once, at the first attempt, and kept encrypted in the row until it is
sent; the Message-ID is fixed too. Guarantee: « au moins une fois, jamais deux contenus différents ».

Two queues: an e-mail is bulk when its kind says so (the reminders) or when it is queued inside `bulk_emails()` (the
bulk import's identifiants and provisional passwords); bulk e-mails go through the bulk queue, rate-limited, and the
others (mot de passe oublié, identifiant asked for, confirmation links, security notices) never wait behind them.
"""

import base64
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid, parseaddr
from functools import partial

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from habilitations.journal import journal_write
from portal.models import OutgoingEmail

logger = logging.getLogger(__name__)

EMAIL_RESENT = "email.resent"


@dataclass(frozen=True)
class EmailKind:
    subject: str
    template: str
    # Called once per row, at its first attempt, inside the transaction that records it (row locked); returns
    # context that every attempt reuses. It may hold a secret: the row keeps it encrypted until the message is sent.
    prepare: Callable[[OutgoingEmail], dict] | None = None
    # The context key holding the Reply-To address (an address typed by a user is never the From).
    reply_to: str | None = None
    # Sent to many at once by the portal itself (reminders, campaigns), never asked for by the person: the bulk queue.
    bulk: bool = False


EMAIL_KINDS: dict[str, EmailKind] = {}
_bulk_call_site: ContextVar[bool] = ContextVar("portal_mail_bulk", default=False)


def register_email_kind(
    name: str, *, subject: str, template: str, prepare=None, reply_to: str | None = None, bulk: bool = False
) -> None:
    EMAIL_KINDS[name] = EmailKind(subject=subject, template=template, prepare=prepare, reply_to=reply_to, bulk=bulk)


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


def _publish(email_id: int, bulk: bool) -> None:
    from portal.tasks import deliver_bulk_email, deliver_email

    try:
        (deliver_bulk_email if bulk else deliver_email).delay(email_id)
    except Exception:  # noqa: BLE001 — whatever the broker raises, the write committed: the sweep will send it
        logger.error("E-mail %s left pending: the broker did not take its delivery task", email_id, exc_info=True)


def email_deliver(email_id: int) -> bool:
    """One delivery attempt of the row, if it is due and no other worker holds it. Returns whether it was sent.

    A failure is recorded on the row (last error, next attempt after an exponential backoff, "en échec" after
    EMAIL_MAX_ATTEMPTS), never raised: the sweep is what retries.
    """
    claimed = _claim(email_id)
    if claimed is None:
        return False
    email, extra = claimed
    try:
        _message(email, extra).send()
    except Exception as error:  # noqa: BLE001 — SMTP, network, rendering: the row says what went wrong
        failed = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
        logger.warning("E-mail %s, attempt %s failed%s", email.pk, email.attempts, " for good" if failed else "")
        OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(
            last_error=f"{type(error).__name__}: {error}"[:2000], failed_at=timezone.now() if failed else None
        )
        return False
    OutgoingEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now(), secret="", last_error="")
    return True


def email_sweep(*, bulk: bool = False, limit: int = 200) -> int:
    """Deliver the due rows of one queue (bulk or not), oldest first; returns how many were sent. Two sweeps never
    take the same row. Each queue has its own sweep, run by its own workers: bulk rows never hold the other one."""
    due = OutgoingEmail.objects.due().filter(bulk=bulk).order_by("next_attempt_at").values_list("pk", flat=True)
    return sum(email_deliver(pk) for pk in due[:limit])


@transaction.atomic
def emails_resend(queryset, *, request) -> int:
    """ "Renvoyer": the unsent rows among `queryset` are due now, with a fresh series of attempts, and the same
    content. A sent row is left alone: its secret is erased, a new copy could not be the same message."""
    rows = dict(queryset.filter(sent_at__isnull=True).values_list("pk", "bulk"))
    OutgoingEmail.objects.filter(pk__in=rows).update(failed_at=None, attempts=0, next_attempt_at=timezone.now())
    journal_write(EMAIL_RESENT, request=request, emails=list(rows))
    for pk, bulk in rows.items():
        transaction.on_commit(partial(_publish, pk, bulk))
    return len(rows)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th attempt: EMAIL_RETRY_DELAY doubled each time, at most EMAIL_RETRY_MAX_DELAY. It must
    exceed the longest a send can take (EMAIL_TIMEOUT per SMTP step): a running attempt is never due again."""
    return min(settings.EMAIL_RETRY_DELAY * 2 ** (attempts - 1), settings.EMAIL_RETRY_MAX_DELAY)


@transaction.atomic
def _claim(email_id: int) -> tuple[OutgoingEmail, dict] | None:
    """Lock the row if it is due and free, fix its content on the first attempt, and record the attempt."""
    email = (
        OutgoingEmail.objects.due()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(pk=email_id)
        .first()
    )
    if email is None:
        return None
    now = timezone.now()
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        # The last attempt was recorded but never finished (its worker died): it may even have been delivered.
        email.failed_at, email.last_error = now, "Dernière tentative interrompue (processus arrêté pendant l'envoi)"
        email.save(update_fields=["failed_at", "last_error"])
        return None
    kind = EMAIL_KINDS[email.kind]
    if kind.prepare is not None and not email.secret:
        email.secret = _fernet().encrypt(json.dumps(kind.prepare(email)).encode()).decode()
    if not email.message_id:
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or None
        email.message_id = make_msgid(idstring=f"mcp-email-{email.pk}", domain=domain)
    email.attempts += 1
    email.last_attempt_at = now
    email.next_attempt_at = now + retry_delay(email.attempts)
    email.save(update_fields=["secret", "message_id", "attempts", "last_attempt_at", "next_attempt_at"])
    extra = json.loads(_fernet().decrypt(email.secret)) if email.secret else {}
    return email, extra


def _message(email: OutgoingEmail, extra: dict) -> EmailMultiAlternatives:
    kind = EMAIL_KINDS[email.kind]
    context = {"base_url": settings.PORTAL_BASE_URL, **email.context, **extra}
    if email.user is not None:
        context["user"] = email.user
    text = render_to_string(f"emails/{kind.template}.txt", context)
    html = render_to_string(f"emails/{kind.template}.html", context)
    reply_to = [email.context[kind.reply_to]] if kind.reply_to else None
    message = EmailMultiAlternatives(kind.subject, text, settings.DEFAULT_FROM_EMAIL, [email.to], reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.extra_headers["Message-ID"] = email.message_id
    message.extra_headers["X-MCP-Email-Key"] = email.key
    return message


def _fernet() -> MultiFernet:
    """Keys derived from SECRET_KEY, then from its fallbacks: a key rotation still reads the rows written before."""
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(HKDF(SHA256(), 32, salt=None, info=b"portal.mail").derive(key.encode())))
            for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        ]
    )
