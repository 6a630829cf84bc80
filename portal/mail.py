"""E-mails: queued after commit, delivered once by a Celery task, rendered from French text + HTML templates."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.models import OutgoingEmail


@dataclass(frozen=True)
class EmailKind:
    subject: str
    template: str
    # Called inside the delivery transaction, with the row locked; returns extra context (may hold a secret,
    # which then exists only in the sent message).
    prepare: Callable[[OutgoingEmail], dict] | None = None
    # The context key holding the Reply-To address (an address typed by a user is never the From).
    reply_to: str | None = None


EMAIL_KINDS: dict[str, EmailKind] = {}


def register_email_kind(name: str, *, subject: str, template: str, prepare=None, reply_to: str | None = None) -> None:
    EMAIL_KINDS[name] = EmailKind(subject=subject, template=template, prepare=prepare, reply_to=reply_to)


def email_queue(
    kind: str, *, to: str, user=None, context: dict | None = None, key: str | None = None
) -> OutgoingEmail:
    """Record the e-mail and hand it to Celery once the surrounding transaction commits."""
    from portal.tasks import deliver_email

    if kind not in EMAIL_KINDS:
        raise ValueError(f"Unknown e-mail kind {kind!r}")
    email = OutgoingEmail.objects.create(
        key=key or f"{kind}:{uuid.uuid4()}", kind=kind, to=to, user=user, context=context or {}
    )
    transaction.on_commit(lambda: deliver_email.delay(email.pk))
    return email


def email_deliver(email_id: int) -> bool:
    """Send the e-mail unless it was already sent. Returns whether this call sent it."""
    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update(of=("self",)).select_related("user").get(pk=email_id)
        if email.sent_at is not None:
            return False
        kind = EMAIL_KINDS[email.kind]
        context = {"base_url": settings.PORTAL_BASE_URL, **email.context}
        if email.user is not None:
            context["user"] = email.user
        if kind.prepare is not None:
            context.update(kind.prepare(email))
        text = render_to_string(f"emails/{kind.template}.txt", context)
        html = render_to_string(f"emails/{kind.template}.html", context)
        reply_to = [email.context[kind.reply_to]] if kind.reply_to else None
        message = EmailMultiAlternatives(
            kind.subject, text, settings.DEFAULT_FROM_EMAIL, [email.to], reply_to=reply_to
        )
        message.attach_alternative(html, "text/html")
        message.extra_headers["X-MCP-Email-Key"] = email.key
        email.attempts += 1
        message.send()
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at", "attempts"])
        return True
