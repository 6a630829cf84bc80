"""One delivery attempt of an outbox row, and the sweep that retries what is due (core.mail)."""

import base64
import json
import logging
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.mail.kinds import EMAIL_KINDS
from core.mail.models import OutgoingEmail

logger = logging.getLogger(__name__)


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
    subject = kind.subject_for(context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email.to], reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    message.extra_headers["Message-ID"] = email.message_id
    message.extra_headers["X-MCP-Email-Key"] = email.key
    return message


def _fernet() -> MultiFernet:
    """Keys derived from SECRET_KEY, then from its fallbacks: a key rotation still reads the rows written before.
    The derivation's label is the module's first name, kept so that the rows written before the move still read."""
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(HKDF(SHA256(), 32, salt=None, info=b"portal.mail").derive(key.encode())))
            for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        ]
    )
