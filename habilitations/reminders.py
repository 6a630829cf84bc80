"""Reminders: every morning, each organism's open administrators receive the memberships and the users that close
in exactly 30 days, so that they can extend them in time (or let them close knowingly).

One e-mail per administrator and day (all their organisms in it), keyed `reminder:<user id>:<day>`: a second run
the same day finds the key and sends nothing.
"""

import datetime
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.mail.kinds import register_email_kind
from core.mail.models import OutgoingEmail
from core.mail.queue import email_queue
from habilitations.models import Membership, OrganismAdministrator, User, open_on_q

REMINDER_DAYS = 30
EMAIL_KIND = "closing_reminder"

register_email_kind(
    EMAIL_KIND,
    subject="Mon Compte Partenaire : habilitations qui se clôturent dans 30 jours",
    template="reminder_closings",
    bulk=True,
)


def _fr(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def closings_on(day: datetime.date) -> dict[int, dict]:
    """What closes on `day`, by organism id: {"memberships": [...], "users": [...]} (three queries in all)."""
    by_organism: dict[int, dict] = defaultdict(lambda: {"memberships": [], "users": []})
    for membership in (
        Membership.objects.filter(date_cloture=day)
        .select_related("user", "group__convention")
        .order_by("group__code", "user__nom", "user__prenom", "pk")
    ):
        convention = membership.group.convention
        by_organism[convention.organism_id]["memberships"].append(
            {
                "identifiant": membership.user.identifiant,
                "nom": membership.user.nom.upper(),
                "prenom": membership.user.prenom,
                "groupe": f"{membership.group.code} - {membership.group.libelle}",
                "link": reverse("habilitations:user_memberships", args=[membership.user_id]),
            }
        )
    for user in User.objects.filter(date_cloture=day, organism__isnull=False, is_active=True).order_by(
        "nom", "prenom", "pk"
    ):
        by_organism[user.organism_id]["users"].append(
            {
                "identifiant": user.identifiant,
                "nom": user.nom.upper(),
                "prenom": user.prenom,
                "link": reverse("habilitations:user_memberships", args=[user.pk]),
            }
        )
    return dict(by_organism)


def reminders_send(*, day: datetime.date | None = None) -> int:
    """Queue today's reminders; returns how many e-mails were queued (0 on a second run the same day)."""
    day = day or timezone.localdate()
    closing_day = day + datetime.timedelta(days=REMINDER_DAYS)
    closings = closings_on(closing_day)
    if not closings:
        return 0
    per_admin: dict[int, dict] = {}
    for role in (
        OrganismAdministrator.objects.filter(open_on_q(day), organism_id__in=closings.keys())
        .filter(open_on_q(day, "user__"), user__is_active=True)
        .select_related("user", "organism__convention")
        .order_by("organism__nom", "pk")
    ):
        entry = per_admin.setdefault(role.user_id, {"user": role.user, "organisms": []})
        convention = getattr(role.organism, "convention", None)
        entry["organisms"].append(
            {
                "nom": role.organism.nom,
                "groups_link": reverse("habilitations:groups", args=[convention.pk]) if convention else "",
                **closings[role.organism_id],
            }
        )
    keys = {user_id: f"reminder:{user_id}:{day.isoformat()}" for user_id in per_admin}
    already = set(OutgoingEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    queued = 0
    for user_id, entry in per_admin.items():
        if keys[user_id] in already:
            continue
        try:
            with transaction.atomic():
                email_queue(
                    EMAIL_KIND,
                    to=entry["user"].email,
                    user=entry["user"],
                    key=keys[user_id],
                    context={
                        "closing_day": _fr(closing_day),
                        "days": REMINDER_DAYS,
                        "organisms": entry["organisms"],
                    },
                )
        except IntegrityError:  # a concurrent run queued it first
            continue
        queued += 1
    return queued
