"""Named predicates on the access context. Each docstring states the rule."""

from collections.abc import Iterable

from habilitations.access import rubrics
from habilitations.access.context import AccessContext


def can_use_service(access: AccessContext, service: str) -> bool:
    """The rule of access holds today for `service`, through at least one group."""
    return access.can_use(service)


def can_use_profile(access: AccessContext, service: str, profiles: Iterable[str]) -> bool:
    """The rule of access holds today for `service` with one of `profiles`."""
    return any(access.can_use(service, profile) for profile in profiles)


def can_read_rubric_help(access: AccessContext, rubric: str) -> bool:
    """One of the CDAP profiles the user holds today opens `rubric` (habilitations.access.rubrics): only then is its
    online help there for them, so the help never tells of a rubric that every profile of the user masks."""
    return rubric in rubrics.rubrics_open_to(grant.profile for grant in access.grants_for("CDAP"))


def can_manage_habilitations(access: AccessContext) -> bool:
    """Administrators (of an organism) and responsables d'habilitations (of an open group) see "Gestion des
    habilitations"; responsables see it restricted to their groups."""
    return access.manages_habilitations


def is_administrator(access: AccessContext) -> bool:
    """An open administrator role on at least one organism: creates groups, grants, users; closes them."""
    return access.is_administrator
