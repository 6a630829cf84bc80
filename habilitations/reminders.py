"""Reminders: every morning, each organism's open administrators receive the memberships and the users that close
in exactly 30 days, so that they can extend them in time (or let them close knowingly); every month, the memberships
whose services were not used for 12 months (guide 000: each service « au moins une fois par an »).

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
from habilitations import selectors
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
    return _administrators_send(
        EMAIL_KIND,
        closings_on(closing_day),
        day=day,
        key=f"reminder:{{user_id}}:{day.isoformat()}",
        context={"closing_day": _fr(closing_day), "days": REMINDER_DAYS},
    )


def _administrators_send(kind: str, by_organism: dict[int, dict], *, day, key: str, context: dict) -> int:
    """One e-mail of `kind` per open administrator of the organisms of `by_organism` (all their organisms in it),
    keyed `key` (formatted with `user_id`): a key already in the outbox sends nothing. Returns how many were
    queued."""
    if not by_organism:
        return 0
    per_admin: dict[int, dict] = {}
    for role in (
        OrganismAdministrator.objects.filter(open_on_q(day), organism_id__in=by_organism.keys())
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
                "review_link": reverse("habilitations:unused_memberships", args=[convention.pk]) if convention else "",
                **by_organism[role.organism_id],
            }
        )
    keys = {user_id: key.format(user_id=user_id) for user_id in per_admin}
    already = set(OutgoingEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    queued = 0
    for user_id, entry in per_admin.items():
        if keys[user_id] in already:
            continue
        try:
            with transaction.atomic():
                email_queue(
                    kind,
                    to=entry["user"].email,
                    user=entry["user"],
                    key=keys[user_id],
                    context={**context, "organisms": entry["organisms"]},
                )
        except IntegrityError:  # a concurrent run queued it first
            continue
        queued += 1
    return queued


# --- The yearly use of each service (guide 000: « je m'assure que chaque utilisateur se connecte au moins une fois
# par an au(x) service(s) auxquels il a été habilité ») ----------------------------------------------------------

UNUSED_EMAIL_KIND = "unused_services_reminder"
UNUSED_LISTED_PER_ORGANISM = 50  # the e-mail names the first ones; the screen lists them all

register_email_kind(
    UNUSED_EMAIL_KIND,
    subject="Mon Compte Partenaire : habilitations non utilisées depuis 12 mois",
    template="reminder_unused_services",
    bulk=True,
)


def unused_on(day: datetime.date) -> dict[int, dict]:
    """By organism id: {"memberships": [each member, group and the services not used for 12 months, with their last
    use], "more": how many are not listed} — from `selectors.unused_memberships`, counted per service (three
    queries)."""
    memberships = list(
        selectors.unused_memberships(day=day)
        .select_related("group__convention")
        .order_by("group__convention__organism_id", "user__nom", "user__prenom", "group__code", "pk")
    )
    services = selectors.unused_services_of(memberships, day=day)
    by_organism: dict[int, dict] = defaultdict(lambda: {"memberships": [], "more": 0})
    for membership in memberships:
        entry = by_organism[membership.group.convention.organism_id]
        if len(entry["memberships"]) >= UNUSED_LISTED_PER_ORGANISM:
            entry["more"] += 1
            continue
        entry["memberships"].append(
            {
                "identifiant": membership.user.identifiant,
                "nom": membership.user.nom.upper(),
                "prenom": membership.user.prenom,
                "groupe": f"{membership.group.code} - {membership.group.libelle}",
                "services": [_use_label(use) for use in services.get(membership.pk, [])],
                "link": reverse("habilitations:user_memberships", args=[membership.user_id]),
            }
        )
    return dict(by_organism)


def _use_label(use: selectors.ServiceUse) -> str:
    """ "Consulter Dossier (dernière utilisation le 05/11/2025)" or "Consulter Dossier (jamais utilisé)"."""
    if use.last_use is None:
        return f"{use.libelle} (jamais utilisé)"
    return f"{use.libelle} (dernière utilisation le {_fr(timezone.localtime(use.last_use).date())})"


def unused_reminders_send(*, day: datetime.date | None = None) -> int:
    """Monthly (beat, on the 1st): each organism's open administrators receive the memberships whose services their
    member has not used for 12 months, with the link to « Habilitations non utilisées depuis 12 mois » where they
    close them. One e-mail per administrator and month, keyed `unused:<user id>:<AAAA-MM>`: a second run the same
    month sends nothing."""
    day = day or timezone.localdate()
    return _administrators_send(
        UNUSED_EMAIL_KIND,
        unused_on(day),
        day=day,
        key=f"unused:{{user_id}}:{day:%Y-%m}",
        context={"since": _fr(selectors.use_cutoff(day))},
    )
