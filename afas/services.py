"""Writes of AFAS, each in a transaction with its journal row (keys documented in habilitations.journal).

- Facilities (Caf agents, in the admin): activity_create / activity_update, site_create / site_update.
- Roles (phase 2): role_assign gives a user a role on an activity or one of its sites, from a date; role_end ends
  it today (« supprimer » in Administration des profils: the row stays, under « Historique »).

The quotas (2 FDA, 2 FDF, 1 FDI, 1 approbateur per activity on any day; 1 or 2 FDA per site) are checked here under
a lock of the activity, so that the demo on SQLite holds them too and the refusal names the holders; on PostgreSQL
the exclusion constraints of afas.models hold them whatever writes, and a write that loses a race there gets the
same French message.
"""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from afas.models import ACTIVITY_QUOTAS, SITE_QUOTAS, Activity, Role, RoleAssignment, Site, check_activity
from habilitations.access.context import access_context_for
from habilitations.access.service_roles import organisms_holding, role_giving_refusal
from habilitations.journal import Event, journal_write

ACTIVITY_FIELDS = ["organism", "caf", "nom", "type_activite", "nature", "date_ouverture", "date_cloture"]
SITE_FIELDS = ["nom", "date_ouverture", "date_cloture"]

# French plurals of the roles, for the quota message.
ROLE_PLURALS = {
    Role.FDA: "fournisseurs de données d'activité",
    Role.FDF: "fournisseurs de données financières",
    Role.FDI: "fournisseur de données par import",
    Role.APPROBATEUR: "approbateur",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _snapshot(obj, fields) -> dict:
    values = {}
    for name in fields:
        value = getattr(obj, f"{name}_id" if name in ("organism", "caf") else name)
        values[name] = None if value is None else str(value)
    return values


def _check_activity(values: dict) -> None:
    check_activity(
        values.get("type_activite", ""),
        values.get("nature", ""),
        values.get("date_ouverture"),
        values.get("date_cloture"),
    )


@transaction.atomic
def activity_create(*, actor=None, request=None, **fields) -> Activity:
    """Register an activity of a partner (Caf agent of the activity's Caf)."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"Fields not settable here: {sorted(unknown)}")
    fields.setdefault("date_ouverture", _today())
    _check_activity(fields)
    activity = Activity.objects.create(**fields)
    journal_write(
        Event.AFAS_ACTIVITY_CREATED,
        request=request,
        actor=actor,
        organism=activity.organism,
        activity=activity.pk,
        nom=activity.nom,
        after=_snapshot(activity, ACTIVITY_FIELDS),
    )
    return activity


@transaction.atomic
def activity_update(activity: Activity, *, actor=None, request=None, **changes) -> Activity:
    """Change an activity's fields (close it with a date de clôture); its partner and its Caf stay."""
    unknown = set(changes) - (set(ACTIVITY_FIELDS) - {"organism", "caf"})
    if unknown:
        raise ValueError(f"Fields not modifiable here: {sorted(unknown)}")
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    before = _snapshot(locked, ACTIVITY_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    _check_activity(
        {name: getattr(locked, name) for name in ("type_activite", "nature", "date_ouverture", "date_cloture")}
    )
    locked.save(update_fields=list(changes))
    journal_write(
        Event.AFAS_ACTIVITY_CHANGED,
        request=request,
        actor=actor,
        organism=locked.organism,
        activity=locked.pk,
        nom=locked.nom,
        before=before,
        after=_snapshot(locked, ACTIVITY_FIELDS),
    )
    return locked


@transaction.atomic
def site_create(*, activity: Activity, nom: str, date_ouverture=None, date_cloture=None, actor=None, request=None):
    """Add a lieu d'implantation to an activity."""
    date_ouverture = date_ouverture or _today()
    if date_cloture and date_cloture < date_ouverture:
        raise ValidationError(
            {"date_cloture": "La date de clôture doit être postérieure ou égale à la date d'ouverture."}
        )
    site = Site.objects.create(activity=activity, nom=nom, date_ouverture=date_ouverture, date_cloture=date_cloture)
    journal_write(
        Event.AFAS_SITE_CREATED,
        request=request,
        actor=actor,
        organism=activity.organism,
        activity=activity.pk,
        site=site.pk,
        nom=site.nom,
        after=_snapshot(site, SITE_FIELDS),
    )
    return site


@transaction.atomic
def site_update(site: Site, *, actor=None, request=None, **changes) -> Site:
    unknown = set(changes) - set(SITE_FIELDS)
    if unknown:
        raise ValueError(f"Fields not modifiable here: {sorted(unknown)}")
    locked = Site.objects.select_for_update().select_related("activity__organism").get(pk=site.pk)
    before = _snapshot(locked, SITE_FIELDS)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.date_cloture and locked.date_cloture < locked.date_ouverture:
        raise ValidationError(
            {"date_cloture": "La date de clôture doit être postérieure ou égale à la date d'ouverture."}
        )
    locked.save(update_fields=list(changes))
    journal_write(
        Event.AFAS_SITE_CHANGED,
        request=request,
        actor=actor,
        organism=locked.activity.organism,
        activity=locked.activity_id,
        site=locked.pk,
        nom=locked.nom,
        before=before,
        after=_snapshot(locked, SITE_FIELDS),
    )
    return locked


# --- Roles -------------------------------------------------------------------------------------------------


def _overlapping(assignments, start: datetime.date, end: datetime.date | None):
    """The assignments whose period [date_ouverture, date_cloture) meets [start, end) (an empty one meets none)."""
    found = assignments.filter(Q(date_cloture__isnull=True) | Q(date_cloture__gt=start)).exclude(
        date_cloture=F("date_ouverture")
    )
    return found if end is None else found.filter(date_ouverture__lt=end)


def _holders(assignments) -> str:
    names = dict.fromkeys(f"{a.user.nom} {a.user.prenom}" for a in assignments.select_related("user"))
    return ", ".join(names)


def _scope_name(activity: Activity, site: Site | None, initial: str = "L") -> str:
    if site is None:
        return f"{initial}'activité « {activity.nom} »"
    return f"{initial}e lieu d'implantation « {site.nom} » de l'activité « {activity.nom} »"


def _quota_message(role: str, activity: Activity, site: Site | None, places: int, holders: str) -> str:
    label = ROLE_PLURALS[role] if places > 1 else Role(role).label.lower()
    return (
        f"{_scope_name(activity, site)} a déjà {places} {label} sur cette période : {holders}. Terminez l'une de "
        f"ces habilitations avant d'en attribuer une autre."
    )


@contextlib.contextmanager
def _integrity(message):
    """The insert in its own savepoint; the constraint that refuses it (a concurrent write) becomes the rule's
    message, the caller's transaction staying usable (as habilitations.services._integrity)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(message() if callable(message) else message) from error


@transaction.atomic
def role_assign(
    *,
    user,
    role: str,
    activity: Activity | None = None,
    site: Site | None = None,
    date_ouverture: datetime.date | None = None,
    date_cloture: datetime.date | None = None,
    actor=None,
    request=None,
) -> RoleAssignment:
    """Give `user` the role `role` on `activity`, or on `site` (an FDA on one lieu d'implantation), from
    `date_ouverture` (today by default). Refused, with a French message on its field: a role that is not one, a
    site role other than FDA, a closed activity or site, a user of another organism or without an open AFAS-DECLARER
    membership on that day, a start in the past, a role the user already holds there, and a full quota (the message
    names the activity and its current holders)."""
    today = _today()
    start = date_ouverture or today
    if role not in Role.values:
        raise ValidationError({"role": "Choisissez un rôle de la liste."})
    if site is not None:
        activity = site.activity
        if role != Role.FDA:
            raise ValidationError(
                {"role": "Sur un lieu d'implantation, seul le rôle de fournisseur de données d'activité s'attribue."}
            )
    if activity is None:
        raise ValidationError({"activity": "La sélection d'au moins une activité est obligatoire."})
    if start < today:
        raise ValidationError({"date_ouverture": "La date de début ne peut pas être antérieure à aujourd'hui."})
    if date_cloture is not None and date_cloture <= start:
        raise ValidationError({"date_cloture": "La date de fin doit être postérieure à la date de début."})
    # Serialises every role of the activity (its sites' too): each contender sees the places the previous took.
    activity = Activity.objects.select_for_update().select_related("organism").get(pk=activity.pk)
    if not activity.is_open_on(start):
        raise ValidationError({"activity": f"L'activité « {activity.nom} » n'est pas ouverte à cette date."})
    if site is not None and not site.is_open_on(start):
        raise ValidationError({"site": f"Le lieu d'implantation « {site.nom} » n'est pas ouvert à cette date."})
    if user.organism_id != activity.organism_id:
        raise ValidationError({"user": "Cet utilisateur n'appartient pas au partenaire de l'activité."})
    if activity.organism_id not in organisms_holding(access_context_for(user, start), "AFAS", "AFAS-DECLARER"):
        raise ValidationError(
            {
                "user": "Seul un utilisateur membre du groupe AFAS-DECLARER (appartenance ouverte à la date de début) "
                "peut recevoir un rôle."
            }
        )
    same_scope = RoleAssignment.objects.filter(activity=activity, role=role, site=site)
    current = _overlapping(same_scope, start, date_cloture)
    if current.filter(user=user).exists():
        raise ValidationError(
            {
                "user": f"{user.nom} {user.prenom} a déjà ce rôle sur cette période "
                f"({_scope_name(activity, site, initial='l')})."
            }
        )
    places = (SITE_QUOTAS if site is not None else ACTIVITY_QUOTAS)[role]
    taken = set(current.values_list("slot", flat=True))
    free = [slot for slot in range(1, places + 1) if slot not in taken]
    field = "site" if site is not None else "activity"
    if not free:
        raise ValidationError({field: _quota_message(role, activity, site, places, _holders(current))})
    with _integrity(lambda: {field: _quota_message(role, activity, site, places, _holders(current))}):
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role,
            activity=activity,
            site=site,
            slot=free[0],
            date_ouverture=start,
            date_cloture=date_cloture,
            created_by=actor,
        )
    journal_write(
        Event.AFAS_ROLE_ASSIGNED,
        request=request,
        user=user,
        actor=actor,
        organism=activity.organism,
        role=role,
        activity=activity.pk,
        site=site.pk if site else None,
        **{"from": start.isoformat(), "until": date_cloture.isoformat() if date_cloture else None},
    )
    return assignment


@transaction.atomic
def role_end(assignment: RoleAssignment, *, actor=None, request=None) -> RoleAssignment:
    """End a role today (« supprimer »): it gives nothing from today and stays in the history. A role planned for
    later ends before it starts (an empty period)."""
    locked = RoleAssignment.objects.select_for_update().select_related("activity__organism").get(pk=assignment.pk)
    today = _today()
    if locked.date_cloture is not None and locked.date_cloture <= today:
        raise ValidationError({"date_cloture": "Cette habilitation est déjà terminée."})
    before = locked.date_cloture
    locked.date_cloture = max(today, locked.date_ouverture)
    locked.save(update_fields=["date_cloture"])
    journal_write(
        Event.AFAS_ROLE_ENDED,
        request=request,
        user=locked.user,
        actor=actor,
        organism=locked.activity.organism,
        role=locked.role,
        activity=locked.activity_id,
        site=locked.site_id,
        before=before.isoformat() if before else None,
        until=locked.date_cloture.isoformat(),
    )
    return locked


# --- Administration des profils (an AFAS-HABILITER user) ------------------------------------------------------


def _refuse_unless_manager(access, organism_id: int, receiver, field: str = "user") -> None:
    refusal = role_giving_refusal(access, RoleAssignment.ROLE_SOURCE, organism_id, receiver)
    if refusal:
        raise ValidationError({field: refusal})


@transaction.atomic
def roles_give(
    *,
    access,
    user,
    role: str,
    activities=(),
    sites=(),
    date_ouverture: datetime.date | None = None,
    actor=None,
    request=None,
) -> list[RoleAssignment]:
    """« HABILITER UN UTILISATEUR »: give `user` the role on each of `activities`, or (an FDA) on each of `sites`,
    from `date_ouverture`, as the AFAS-HABILITER user whose access context is `access`. All or nothing: the first
    refusal (a quota full, the holders named; the user not a declarer on that day …) leaves every scope as it was.
    The giver must manage the roles of the activities' partner and may not give themselves one
    (habilitations.access.service_roles.role_giving_refusal)."""
    scopes = [(activity, None) for activity in activities] + [(site.activity, site) for site in sites]
    if not scopes:
        raise ValidationError({"activity": "La sélection d'au moins une activité est obligatoire."})
    given = []
    for activity, site in scopes:
        _refuse_unless_manager(access, activity.organism_id, user)
        given.append(
            role_assign(
                user=user,
                role=role,
                activity=None if site else activity,
                site=site,
                date_ouverture=date_ouverture,
                actor=actor,
                request=request,
            )
        )
    return given


def role_withdraw(assignment: RoleAssignment, *, access, actor=None, request=None) -> RoleAssignment:
    """« Supprimer » in Administration des profils: end the role today, as a manager of its partner's roles."""
    _refuse_unless_manager(access, assignment.activity.organism_id, None, field="date_cloture")
    return role_end(assignment, actor=actor, request=request)
