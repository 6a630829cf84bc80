"""What a user may do today, computed once per request in two queries, whatever the number of groups.

The rule of access (spec README): user U may use service S with profile P on day D iff
1. U's account is open on D and U's password is not an expired provisional one (checked at login and by
   portal.middleware.AccountStateMiddleware on every request);
2. U has a membership open on D of a group G open on D whose every ancestor is open on D;
3. G holds a grant open on D for (S, P);
4. (S, P) is a profile of G's convention, open on D, and that convention is open and "Valable" on D.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.utils import timezone

GRANTS_SQL = """
WITH RECURSIVE chain(member_group_id, group_id, parent_id, depth) AS (
    SELECT g.id, g.id, g.parent_id, 0
    FROM habilitations_membership m
    JOIN habilitations_usergroup g ON g.id = m.group_id
    WHERE m.user_id = %(user)s
      AND m.date_ouverture <= %(day)s AND (m.date_cloture IS NULL OR m.date_cloture > %(day)s)
  UNION ALL
    SELECT c.member_group_id, p.id, p.parent_id, c.depth + 1
    FROM chain c
    JOIN habilitations_usergroup p ON p.id = c.parent_id
    WHERE c.depth < 50
),
blocked(group_id) AS (
    SELECT DISTINCT c.member_group_id
    FROM chain c
    JOIN habilitations_usergroup g ON g.id = c.group_id
    WHERE NOT (g.date_ouverture <= %(day)s AND (g.date_cloture IS NULL OR g.date_cloture > %(day)s))
)
SELECT s.code, p.code, p.libelle, s.libelle, g.id, g.code, g.libelle, c.id, c.organism_id,
       m.date_cloture, g.date_cloture, gg.date_cloture, cp.date_cloture, c.date_cloture
FROM habilitations_membership m
JOIN habilitations_usergroup g ON g.id = m.group_id
JOIN habilitations_groupgrant gg ON gg.group_id = g.id
JOIN habilitations_conventionprofile cp ON cp.id = gg.convention_profile_id AND cp.convention_id = g.convention_id
JOIN habilitations_convention c ON c.id = g.convention_id
JOIN habilitations_profile p ON p.id = cp.profile_id
JOIN habilitations_service s ON s.id = p.service_id
WHERE m.user_id = %(user)s
  AND m.date_ouverture <= %(day)s AND (m.date_cloture IS NULL OR m.date_cloture > %(day)s)
  AND gg.date_ouverture <= %(day)s AND (gg.date_cloture IS NULL OR gg.date_cloture > %(day)s)
  AND cp.date_ouverture <= %(day)s AND (cp.date_cloture IS NULL OR cp.date_cloture > %(day)s)
  AND c.date_ouverture <= %(day)s AND (c.date_cloture IS NULL OR c.date_cloture > %(day)s)
  AND c.etat = 'VALABLE'
  AND g.id NOT IN (SELECT group_id FROM blocked)
ORDER BY s.ordre, p.ordre, g.code
"""

ROLES_SQL = """
SELECT 'admin', a.organism_id
FROM habilitations_organismadministrator a
WHERE a.user_id = %(user)s
  AND a.date_ouverture <= %(day)s AND (a.date_cloture IS NULL OR a.date_cloture > %(day)s)
UNION ALL
SELECT 'responsable', g.id
FROM habilitations_usergroup g
WHERE g.responsable_id = %(user)s
  AND g.date_ouverture <= %(day)s AND (g.date_cloture IS NULL OR g.date_cloture > %(day)s)
"""


@dataclass(frozen=True)
class Grant:
    """One way the user may use a service today: which profile, through which group, until when."""

    service: str
    profile: str
    profile_libelle: str
    service_libelle: str
    group_id: int
    group_code: str
    group_libelle: str
    convention_id: int
    organism_id: int
    until: datetime.date | None  # the earliest planned closing (membership, group, grant, profile, convention)


@dataclass(frozen=True)
class AccessContext:
    """Read-only: what `user_id` may do on `day`. Build it with `access_context_for`."""

    user_id: int | None
    day: datetime.date
    grants: tuple[Grant, ...] = ()
    admin_organism_ids: frozenset[int] = field(default_factory=frozenset)
    responsable_group_ids: frozenset[int] = field(default_factory=frozenset)

    @cached_property
    def services(self) -> frozenset[str]:
        return frozenset(grant.service for grant in self.grants)

    def can_use(self, service: str, profile: str | None = None) -> bool:
        return any(g.service == service and (profile is None or g.profile == profile) for g in self.grants)

    def profiles(self, service: str) -> list[str]:
        """The user's profiles for a service, without duplicates, in the reference order."""
        return list(dict.fromkeys(g.profile for g in self.grants if g.service == service))

    def grants_for(self, service: str) -> list[Grant]:
        return [g for g in self.grants if g.service == service]

    @property
    def is_administrator(self) -> bool:
        return bool(self.admin_organism_ids)

    @property
    def is_responsable(self) -> bool:
        return bool(self.responsable_group_ids)

    @property
    def manages_habilitations(self) -> bool:
        return self.is_administrator or self.is_responsable


ANONYMOUS = AccessContext(user_id=None, day=datetime.date.min)


def _latest_closing(*dates):
    planned = [d for d in dates if d is not None]
    return min(planned) if planned else None


def access_context_for(user, day: datetime.date | None = None) -> AccessContext:
    """Compute the context in two queries. An anonymous or closed account may do nothing."""
    day = day or timezone.localdate()
    if user is None or not user.is_authenticated or not user.is_open_on(day) or not user.is_active:
        return AccessContext(user_id=getattr(user, "pk", None), day=day)
    params = {"user": user.pk, "day": day}
    with connection.cursor() as cursor:
        cursor.execute(GRANTS_SQL, params)
        grants = tuple(
            Grant(
                service=row[0],
                profile=row[1],
                profile_libelle=row[2],
                service_libelle=row[3],
                group_id=row[4],
                group_code=row[5],
                group_libelle=row[6],
                convention_id=row[7],
                organism_id=row[8],
                until=_latest_closing(*(_as_date(v) for v in row[9:14])),
            )
            for row in cursor.fetchall()
        )
        cursor.execute(ROLES_SQL, params)
        roles = cursor.fetchall()
    return AccessContext(
        user_id=user.pk,
        day=day,
        grants=grants,
        admin_organism_ids=frozenset(pk for kind, pk in roles if kind == "admin"),
        responsable_group_ids=frozenset(pk for kind, pk in roles if kind == "responsable"),
    )


def _as_date(value):
    """SQLite (the demo) returns dates of raw queries as text."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
