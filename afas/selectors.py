"""Reads of AFAS. Who may act as which role on which activity is answered by the access layer
(habilitations.access.service_roles) only: these functions hand it AFAS's assignments."""

from django.db.models import QuerySet

from afas.models import Activity, RoleAssignment
from habilitations.access import service_roles
from habilitations.access.context import AccessContext


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
