"""Scoped querysets: every object a view reaches goes through one of these. "Does not exist" and "not yours"
give the same answer (404)."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from habilitations.access.context import AccessContext
from habilitations.models import Convention, Membership, Organism, User, UserGroup


def organisms_managed(access: AccessContext) -> QuerySet[Organism]:
    """Organisms the user administers, or where they are responsable d'habilitations of an open group."""
    return Organism.objects.filter(
        Q(pk__in=access.admin_organism_ids) | Q(convention__groups__pk__in=access.responsable_group_ids)
    ).distinct()


def conventions_managed(access: AccessContext) -> QuerySet[Convention]:
    return Convention.objects.filter(
        Q(organism_id__in=access.admin_organism_ids) | Q(groups__pk__in=access.responsable_group_ids)
    ).distinct()


def convention_for_manager(access: AccessContext, convention_id: int) -> Convention:
    return get_object_or_404(conventions_managed(access).select_related("organism", "caf_pivot"), pk=convention_id)


def convention_for_admin(access: AccessContext, convention_id: int) -> Convention:
    return get_object_or_404(
        Convention.objects.select_related("organism", "caf_pivot"),
        pk=convention_id,
        organism_id__in=access.admin_organism_ids,
    )


def is_admin_of(access: AccessContext, convention: Convention) -> bool:
    """The full (administrator) version of the screens, rather than the responsable's restricted one."""
    return convention.organism_id in access.admin_organism_ids


def groups_visible(access: AccessContext, convention: Convention) -> QuerySet[UserGroup]:
    """An administrator sees every group of the convention; a responsable, the groups they are responsible for."""
    groups = UserGroup.objects.filter(convention=convention)
    if is_admin_of(access, convention):
        return groups
    return groups.filter(pk__in=access.responsable_group_ids)


def group_for_manager(access: AccessContext, group_id: int) -> UserGroup:
    return get_object_or_404(
        UserGroup.objects.select_related("convention__organism", "responsable", "parent").filter(
            Q(convention__organism_id__in=access.admin_organism_ids) | Q(pk__in=access.responsable_group_ids)
        ),
        pk=group_id,
    )


def group_for_admin(access: AccessContext, group_id: int) -> UserGroup:
    return get_object_or_404(
        UserGroup.objects.select_related("convention__organism", "responsable", "parent"),
        pk=group_id,
        convention__organism_id__in=access.admin_organism_ids,
    )


def users_visible(access: AccessContext, convention: Convention) -> QuerySet[User]:
    """An administrator sees every user of the organism; a responsable, the members of their groups."""
    users = User.objects.filter(organism_id=convention.organism_id)
    if is_admin_of(access, convention):
        return users
    return users.filter(memberships__group_id__in=access.responsable_group_ids).distinct()


def users_addable(access: AccessContext, convention: Convention) -> QuerySet[User]:
    """Users a manager may add to a group: the organism's users (a responsable adds existing users too)."""
    return User.objects.filter(organism_id=convention.organism_id)


def user_for_manager(access: AccessContext, user_id: int) -> User:
    return get_object_or_404(
        User.objects.select_related("organism__convention")
        .filter(
            Q(organism_id__in=access.admin_organism_ids) | Q(memberships__group_id__in=access.responsable_group_ids)
        )
        .distinct(),
        pk=user_id,
    )


def user_for_admin(access: AccessContext, user_id: int) -> User:
    return get_object_or_404(
        User.objects.select_related("organism__convention"), pk=user_id, organism_id__in=access.admin_organism_ids
    )


def membership_for_manager(access: AccessContext, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "group__convention__organism").filter(
            Q(group__convention__organism_id__in=access.admin_organism_ids)
            | Q(group_id__in=access.responsable_group_ids)
        ),
        pk=membership_id,
    )


def organisms_administered(access: AccessContext) -> QuerySet[Organism]:
    """Organisms the user administers today (principal or suppléant): what « Signaler un changement
    d'administrateur » may concern."""
    return Organism.objects.filter(pk__in=access.admin_organism_ids)
