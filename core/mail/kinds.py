"""The kinds of e-mail: each app registers its own (subject, templates, what to generate at the first attempt)."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.mail.models import OutgoingEmail


@dataclass(frozen=True)
class EmailKind:
    # A fixed subject, or a function of the row's context for a subject per message (Dialogue names its dossier
    # and object): what it returns is put on one line, so a typed value never breaks the header.
    subject: str | Callable[[dict], str]
    template: str
    # Called once per row, at its first attempt, inside the transaction that records it (row locked); returns
    # context that every attempt reuses. It may hold a secret: the row keeps it encrypted until the message is sent.
    prepare: Callable[[OutgoingEmail], dict] | None = None
    # The context key holding the Reply-To address (an address typed by a user is never the From).
    reply_to: str | None = None
    # Sent to many at once by the portal itself (reminders, campaigns), never asked for by the person: the bulk queue.
    bulk: bool = False

    def subject_for(self, context: dict) -> str:
        subject = self.subject(context) if callable(self.subject) else self.subject
        return re.sub(r"\s+", " ", subject).strip()


EMAIL_KINDS: dict[str, EmailKind] = {}


def register_email_kind(
    name: str,
    *,
    subject: str | Callable[[dict], str],
    template: str,
    prepare=None,
    reply_to: str | None = None,
    bulk: bool = False,
) -> None:
    EMAIL_KINDS[name] = EmailKind(subject=subject, template=template, prepare=prepare, reply_to=reply_to, bulk=bulk)
