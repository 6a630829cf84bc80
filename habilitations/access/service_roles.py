"""Roles a service gives on its own objects, on top of the rule of access: AFAS's FDA, FDF, FDI and approbateur on
an activity or one of its sites (afas.md, "Two phases of habilitation"). THE one place that answers "may this user
act as role R on object X today"; the service's views only ask it.

A service's assignment model (afas.models.RoleAssignment) is dated like every habilitation (date_ouverture, then
date_cloture, exclusive), has `user` and `role` columns, and says by `ROLE_SOURCE` which profile carries its roles
and how to reach the organism of the object. The service passes its queryset: the access layer never imports a
service (tests/test_architecture.py).

Rule: user U may act as role R on object X on day D iff
1. U holds an assignment of R on X (or, for an activity, on one of its sites) open on D;
2. the rule of access gives U, on D, the source profile (AFAS-DECLARER) through a group of X's organism — an open
   account, an open membership of an open group (and open ancestors) holding the profile, a convention open and
   "Valable". A role without that membership gives nothing: closing the membership, the group or the grant takes
   the roles away the same day, and they come back if it is reopened while they are still open.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from habilitations.access.context import AccessContext
from habilitations.models import User, open_on_q


@dataclass(frozen=True)
class RoleSource:
    """Which profile of which service carries the roles of an assignment model, and the lookup from an assignment
    to its object's organism id."""

    service: str
    profile: str
    organism_lookup: str
    # The profile that gives and ends the roles in an organism (AFAS-HABILITER); empty: nobody in the partner does.
    manager_profile: str = ""


def organisms_holding(access: AccessContext, service: str, profile: str) -> frozenset[int]:
    """The organisms through whose groups the rule of access gives the user `profile` of `service` today."""
    return frozenset(g.organism_id for g in access.grants if g.service == service and g.profile == profile)


def roles_in_force(access: AccessContext, assignments: QuerySet) -> QuerySet:
    """The rows of `assignments` that give their role to the access context's user on its day (the rule above).
    No query is made until the queryset is read; none at all for a user without the source profile."""
    source: RoleSource = assignments.model.ROLE_SOURCE
    organisms = organisms_holding(access, source.service, source.profile)
    if access.user_id is None or not organisms:
        return assignments.none()
    return assignments.filter(
        open_on_q(access.day), user_id=access.user_id, **{f"{source.organism_lookup}__in": organisms}
    )


def may_act(access: AccessContext, assignments: QuerySet, role: str, *conditions: Q, **scope) -> bool:
    """Whether the user may act as `role` today on the object that `conditions` and `scope` name (AFAS:
    `activity=A` — the activity or one of its sites)."""
    return roles_in_force(access, assignments).filter(*conditions, role=role, **scope).exists()


def users_holding(organism_id: int, service: str, profile: str, day) -> QuerySet:
    """The organism's open accounts that a membership open on `day` of an open group holding `profile` (grant,
    convention profile and "Valable" convention open that day) gives it: whom to name ("ask your AFAS-HABILITER
    users"), whom to offer a role. Not a right: the groups' ancestors are not walked here, so a service giving
    something checks the one person with `access_context_for` (AFAS: afas.services.role_assign)."""
    return (
        User.objects.filter(open_on_q(day), organism_id=organism_id, is_active=True)
        .filter(
            open_on_q(day, "memberships__"),
            open_on_q(day, "memberships__group__"),
            open_on_q(day, "memberships__group__grants__"),
            open_on_q(day, "memberships__group__grants__convention_profile__"),
            open_on_q(day, "memberships__group__convention__"),
            memberships__group__convention__etat="VALABLE",
            memberships__group__grants__convention_profile__profile__code=profile,
            memberships__group__grants__convention_profile__profile__service__code=service,
        )
        .distinct()
        .order_by("nom", "prenom", "id")
    )


# --- Who gives the roles ------------------------------------------------------------------------------------

SELF_ROLE_REFUSED = (
    "Vous ne pouvez pas vous attribuer un rôle vous-même : seul l'administrateur de votre organisme le peut."
)


def organisms_managed(access: AccessContext, source: RoleSource) -> frozenset[int]:
    """The organisms whose roles the user gives and ends today: those through whose groups the rule of access
    gives them `source.manager_profile` (AFAS-HABILITER)."""
    if not source.manager_profile:
        return frozenset()
    return organisms_holding(access, source.service, source.manager_profile)


def assignments_managed(access: AccessContext, assignments: QuerySet) -> QuerySet:
    """The rows of `assignments` whose object belongs to an organism the user manages the roles of today: what
    « Administration des profils » lists and ends. Another organism's row is not there (its URL answers 404)."""
    source: RoleSource = assignments.model.ROLE_SOURCE
    return assignments.filter(**{f"{source.organism_lookup}__in": organisms_managed(access, source)})


def role_receivers(source: RoleSource, organism_id: int, day) -> QuerySet:
    """Who may receive a role of `source` in the organism on `day`: its accounts holding `source.profile`
    (AFAS-DECLARER). The service checks the chosen one with `access_context_for` (see `users_holding`)."""
    return users_holding(organism_id, source.service, source.profile, day)


def role_giving_refusal(access: AccessContext, source: RoleSource, organism_id: int, receiver) -> str | None:
    """Why the user may not give (or end) a role of `source` to `receiver` in the organism today, or None.

    A manager acts only in the organisms they manage the roles of; and, as for a responsable d'habilitations, the
    delegation covers the others' rights, never their own: a role for themselves (their account, or an account with
    their e-mail address) only from an administrator of the organism."""
    if organism_id not in organisms_managed(access, source):
        return "Vous ne gérez pas les habilitations d'action sociale de ce partenaire."
    if organism_id in access.admin_organism_ids or receiver is None:
        return None
    actor = User.objects.filter(pk=access.user_id).only("email").first()
    own = receiver.pk == access.user_id or bool(
        actor and actor.email and receiver.email and actor.email.casefold() == receiver.email.casefold()
    )
    return SELF_ROLE_REFUSED if own else None
