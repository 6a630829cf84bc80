"""Reads of AFAS. Who may act as which role on which activity is answered by the access layer
(habilitations.access.service_roles) only: these functions hand it AFAS's assignments."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from afas.models import Activity, Role, RoleAssignment, Site
from habilitations.access import service_roles
from habilitations.access.context import AccessContext
from habilitations.models import Organism, User, open_on_q


def roles_today(access: AccessContext) -> QuerySet[RoleAssignment]:
    """The user's roles that give something today, with their activity and site, in the order of the screens."""
    return (
        service_roles.roles_in_force(access, RoleAssignment.objects.all())
        .select_related("activity", "site")
        .order_by("activity__nom", "activity_id", "site__nom", "role")
    )


def may_act(access: AccessContext, role: str, activity: Activity) -> bool:
    """May the user act as `role` on `activity` today (on the activity itself or one of its sites)."""
    return service_roles.may_act(access, RoleAssignment.objects.all(), role, activity=activity)


def afas_organism_id(access: AccessContext) -> int | None:
    """The organism through which the user reaches AFAS today."""
    return next((grant.organism_id for grant in access.grants_for("AFAS")), None)


def habiliter_users(access: AccessContext):
    """Whom a declarer asks for a role: the users of their organism holding AFAS-HABILITER today."""
    organism_id = afas_organism_id(access)
    if organism_id is None:
        return []
    return list(service_roles.users_holding(organism_id, "AFAS", "AFAS-HABILITER", access.day))


# --- Administration des profils ------------------------------------------------------------------------------

SOURCE = RoleAssignment.ROLE_SOURCE
# The roles « Non attribué » looks for: an activity needs its approbateur, FDA and FDF (an FDI only if it imports),
# a lieu d'implantation its FDA.
EXPECTED_ACTIVITY_ROLES = [Role.APPROBATEUR, Role.FDA, Role.FDF]


def managed_organisms(access: AccessContext) -> QuerySet[Organism]:
    """The partners whose habilitations d'action sociale the user manages today (AFAS-HABILITER)."""
    return Organism.objects.filter(pk__in=service_roles.organisms_managed(access, SOURCE)).order_by("nom", "pk")


def managed_activities(access: AccessContext) -> QuerySet[Activity]:
    return Activity.objects.filter(organism_id__in=service_roles.organisms_managed(access, SOURCE)).select_related(
        "organism"
    )


def managed_assignments(access: AccessContext) -> QuerySet[RoleAssignment]:
    return service_roles.assignments_managed(access, RoleAssignment.objects.all())


def role_receivers(access: AccessContext, organism: Organism | None) -> QuerySet[User]:
    """Whom the user may offer a role in `organism` today: its AFAS-DECLARER members (none if not managed)."""
    if organism is None or organism.pk not in service_roles.organisms_managed(access, SOURCE):
        return User.objects.none()
    return service_roles.role_receivers(SOURCE, organism.pk, access.day)


def declarers_today(access: AccessContext) -> Q:
    """The assignments whose user holds AFAS-DECLARER today in the activity's organism (their role gives
    something), for the organisms the user manages."""
    condition = Q(pk__in=[])
    for organism_id in service_roles.organisms_managed(access, SOURCE):
        receivers = service_roles.role_receivers(SOURCE, organism_id, access.day).values("pk")
        condition |= Q(activity__organism_id=organism_id, user__in=receivers)
    return condition


def people_listed(access: AccessContext) -> QuerySet[User]:
    """The « Utilisateur » criterion: whoever holds or held a role there, and whoever may receive one."""
    organisms = service_roles.organisms_managed(access, SOURCE)
    receivers = User.objects.none()
    for organism_id in organisms:
        receivers = receivers | service_roles.role_receivers(SOURCE, organism_id, access.day)
    return (
        User.objects.filter(Q(afas_roles__activity__organism_id__in=organisms) | Q(pk__in=receivers.values("pk")))
        .distinct()
        .order_by("nom", "prenom", "pk")
    )


@dataclass
class Row:
    role: str
    user: User | None = None
    assignment: RoleAssignment | None = None
    endable: bool = False  # not ended yet: « Supprimer » ends it today

    @property
    def role_label(self) -> str:
        return Role(self.role).label


@dataclass
class Group:
    """« ● Activité : … » or « ● Lieu d'implantation : … » and its rows."""

    kind: str
    activity: Activity
    site: Site | None = None
    rows: list[Row] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.site is None:
            return f"Activité : {self.activity.nom}"
        return f"Lieu d'implantation : {self.site.nom} ({self.activity.nom})"


def _scope_filters(criteria: dict, prefix: str = "") -> Q:
    condition = Q()
    if criteria.get("partenaire"):
        condition &= Q(**{f"{prefix}organism": criteria["partenaire"]})
    if criteria.get("activite"):
        condition &= Q(**{f"{prefix}pk": criteria["activite"].pk})
    if criteria.get("type_activite"):
        condition &= Q(**{f"{prefix}type_activite": criteria["type_activite"]})
    if criteria.get("nature"):
        condition &= Q(**{f"{prefix}nature": criteria["nature"]})
    return condition


def habilitations_found(access: AccessContext, criteria: dict) -> list[Group]:
    """« HABILITATIONS D'ACTION SOCIALE »: the roles of the partners the user manages matching `criteria` (the
    search form's cleaned data), grouped by activity then lieu d'implantation. État: Actif — giving its role today;
    Inactif — dated open but giving nothing today (starting later, or its user no longer in AFAS-DECLARER);
    Historique — ended; Non attribué — the activities and sites open today lacking a role (no active holder).
    Three queries at most, whatever the number of roles."""
    day, etat = access.day, criteria.get("etat") or "ACTIF"
    with_sites = criteria.get("lieux", "OUI") != "NON"
    if etat == "NON_ATTRIBUE":
        return _unassigned(access, criteria, with_sites)
    assignments = managed_assignments(access).filter(_scope_filters(criteria, "activity__"))
    if criteria.get("utilisateur"):
        assignments = assignments.filter(user=criteria["utilisateur"])
    if criteria.get("role"):
        assignments = assignments.filter(role=criteria["role"])
    if not with_sites:
        assignments = assignments.filter(site__isnull=True)
    ended = Q(date_cloture__isnull=False, date_cloture__lte=day)
    if etat == "HISTORIQUE":
        assignments = assignments.filter(ended)
    elif etat == "ACTIF":
        assignments = assignments.filter(open_on_q(day)).filter(declarers_today(access))
    else:  # INACTIF
        assignments = assignments.exclude(ended).exclude(open_on_q(day) & declarers_today(access))
    groups: dict[tuple, Group] = {}
    for assignment in assignments.select_related("activity", "site", "user").order_by(
        "activity__nom", "activity_id", "site__nom", "site_id", "role", "date_ouverture", "pk"
    ):
        key = (assignment.activity_id, assignment.site_id or 0)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(
                "site" if assignment.site_id else "activite", assignment.activity, assignment.site
            )
        endable = assignment.date_cloture is None or assignment.date_cloture > day
        group.rows.append(Row(assignment.role, assignment.user, assignment, endable))
    return list(groups.values())


def _unassigned(access: AccessContext, criteria: dict, with_sites: bool) -> list[Group]:
    day = access.day
    activities = list(
        managed_activities(access).filter(open_on_q(day)).filter(_scope_filters(criteria)).order_by("nom", "pk")
    )
    held = set(
        managed_assignments(access)
        .filter(open_on_q(day), activity__in=activities)
        .filter(declarers_today(access))
        .values_list("activity_id", "site_id", "role")
    )
    sites: dict[int, list[Site]] = {}
    if with_sites:
        for site in Site.objects.filter(open_on_q(day), activity__in=activities).order_by("nom", "pk"):
            sites.setdefault(site.activity_id, []).append(site)
    wanted = criteria.get("role")
    groups = []
    for activity in activities:
        missing = [role for role in EXPECTED_ACTIVITY_ROLES if (activity.pk, None, role) not in held]
        if wanted:
            missing = [role for role in missing if role == wanted]
        if missing:
            groups.append(Group("activite", activity, None, [Row(role) for role in missing]))
        if wanted in (None, "", Role.FDA):
            for site in sites.get(activity.pk, []):
                if (activity.pk, site.pk, Role.FDA) not in held:
                    groups.append(Group("site", activity, site, [Row(Role.FDA)]))
    return groups
