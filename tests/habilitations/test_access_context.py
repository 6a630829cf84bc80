"""The rule of access, condition by condition, and its cost."""

import datetime

import pytest
from django.utils import timezone

from habilitations.access.context import access_context_for
from tests.factories import GroupFactory, UserFactory, grant, habilitated_user, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_member_of_a_habilitated_group_may_use_the_service():
    user, group = habilitated_user("T1-ASS")
    access = access_context_for(user)
    assert access.can_use("CDAP") and access.can_use("CDAP", "T1-ASS")
    assert not access.can_use("CDAP", "T2") and not access.can_use("AFAS")
    (only,) = access.grants
    assert (only.group_code, only.profile_libelle, only.until) == (group.code, "T1 – Assistants service social", None)


@pytest.mark.parametrize(
    "breaker",
    [
        "membership_closed_today",
        "membership_starts_tomorrow",
        "group_closed",
        "group_not_open_yet",
        "ancestor_closed",
        "grand_ancestor_closed",
        "grant_closed",
        "convention_profile_closed",
        "convention_closed",
        "convention_suspended",
        "convention_pending",
        "user_closed",
    ],
)
def test_each_condition_of_the_rule_is_needed(breaker):
    parent = GroupFactory(code="PARENT")
    grand = GroupFactory(code="GRAND", convention=parent.convention)
    parent.parent, parent.niveau = grand, 2
    parent.save()
    group = GroupFactory(code="T1", convention=parent.convention, parent=parent)
    user = UserFactory(organism=group.convention.organism)
    the_grant = grant(group, "T1-ASS")
    membership = member(user, group)
    convention, cp = group.convention, the_grant.convention_profile
    assert access_context_for(user).can_use("CDAP")

    today = TODAY()
    if breaker == "membership_closed_today":
        membership.date_cloture = today
        membership.save()
    elif breaker == "membership_starts_tomorrow":
        membership.date_ouverture = today + DAY
        membership.save()
    elif breaker in ("group_closed", "ancestor_closed", "grand_ancestor_closed"):
        target = {"group_closed": group, "ancestor_closed": parent, "grand_ancestor_closed": grand}[breaker]
        type(target).objects.filter(pk=target.pk).update(date_cloture=today)
    elif breaker == "group_not_open_yet":
        type(group).objects.filter(pk=group.pk).update(date_ouverture=today + DAY)
    elif breaker == "grant_closed":
        the_grant.date_cloture = today
        the_grant.save()
    elif breaker == "convention_profile_closed":
        cp.date_cloture = today
        cp.save()
    elif breaker == "convention_closed":
        convention.date_cloture = today
        convention.save()
    elif breaker in ("convention_suspended", "convention_pending"):
        convention.etat = "SUSPENDUE" if breaker == "convention_suspended" else "EN_ATTENTE"
        convention.save()
    elif breaker == "user_closed":
        user.date_cloture = today
        user.save()
    user.refresh_from_db()
    assert not access_context_for(user).can_use("CDAP")


# A dated row's window around today → (date_ouverture, date_cloture) in days from today (None: unchanged / open
# end), and whether the row is open today. Opening is inclusive, closing exclusive (models.is_open_on).
WINDOWS = {
    "closed_yesterday": (None, -1, False),
    "closes_today": (None, 0, False),
    "closes_tomorrow": (None, 1, True),
    "opens_today": (0, None, True),
    "opens_tomorrow": (1, None, False),
}


def _set_window(row, window: str) -> None:
    """Give `row` the window's dates (a queryset update: the boundary itself, whatever the services allow)."""
    opening, closing, _ = WINDOWS[window]
    changes = {"date_cloture": None if closing is None else TODAY() + closing * DAY}
    if opening is not None:
        changes["date_ouverture"] = TODAY() + opening * DAY
    type(row).objects.filter(pk=row.pk).update(**changes)


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize(
    "row", ["user", "membership", "group", "ancestor", "grant", "convention_profile", "convention"]
)
def test_each_dated_condition_opens_on_its_opening_day_and_ends_on_its_closing_day(row, window):
    """The rule of access at the boundaries of every dated row it crosses: yesterday, today, tomorrow."""
    parent = GroupFactory(code="PARENT")
    group = GroupFactory(code="T1", convention=parent.convention, parent=parent)
    user = UserFactory(organism=group.convention.organism)
    the_grant = grant(group, "T1-ASS")
    membership = member(user, group)
    target = {
        "user": user,
        "membership": membership,
        "group": group,
        "ancestor": parent,
        "grant": the_grant,
        "convention_profile": the_grant.convention_profile,
        "convention": group.convention,
    }[row]
    _set_window(target, window)
    user.refresh_from_db()
    assert access_context_for(user).can_use("CDAP", "T1-ASS") is WINDOWS[window][2]


@pytest.mark.parametrize("window", WINDOWS)
def test_an_administrator_role_counts_only_while_open(window):
    """Administrators' rights (habilitations.access.predicates.is_administrator) follow their role's dates."""
    from habilitations.models import OrganismAdministrator

    organism = GroupFactory().convention.organism
    admin = UserFactory(organism=organism, is_partner_admin=True)
    role = OrganismAdministrator.objects.create(
        organism=organism, user=admin, role="PRINCIPAL", date_ouverture=TODAY() - 30 * DAY
    )
    _set_window(role, window)
    access = access_context_for(admin)
    is_open = WINDOWS[window][2]
    assert access.is_administrator is is_open and access.manages_habilitations is is_open
    assert access.admin_organism_ids == ({organism.pk} if is_open else set())


@pytest.mark.parametrize("window", WINDOWS)
def test_a_responsable_manages_only_the_groups_open_today(window):
    """ "Responsables d'habilitations (of an open group)": a closed group, or one not open yet, gives nothing."""
    group = GroupFactory()
    other = GroupFactory(convention=group.convention, responsable=group.responsable)
    _set_window(group, window)
    access = access_context_for(group.responsable)
    assert access.responsable_group_ids == ({group.pk, other.pk} if WINDOWS[window][2] else {other.pk})
    type(other).objects.filter(pk=other.pk).update(date_cloture=TODAY())
    access = access_context_for(group.responsable)
    assert access.manages_habilitations is WINDOWS[window][2]


def test_until_is_the_earliest_planned_closing():
    user, group = habilitated_user("T2")
    membership = group.memberships.get()
    membership.date_cloture = TODAY() + 40 * DAY
    membership.save()
    type(group).objects.filter(pk=group.pk).update(date_cloture=TODAY() + 20 * DAY)
    assert access_context_for(user).grants[0].until == TODAY() + 20 * DAY


def test_roles_administrator_and_responsable():
    from habilitations.models import OrganismAdministrator

    group = GroupFactory()
    responsable = group.responsable
    access = access_context_for(responsable)
    assert access.responsable_group_ids == {group.pk} and not access.is_administrator
    OrganismAdministrator.objects.create(organism=group.convention.organism, user=responsable, role="PRINCIPAL")
    assert access_context_for(responsable).admin_organism_ids == {group.convention.organism_id}


@pytest.mark.parametrize("groups", [1, 50])
def test_context_costs_two_queries_whatever_the_number_of_groups(groups, django_assert_num_queries):
    user, first = habilitated_user("T1-ASS")
    parent = first
    for index in range(groups - 1):
        group = GroupFactory(convention=first.convention, code=f"S{index}", parent=parent if index % 5 else None)
        grant(group, "T2" if index % 2 else "T1-ASS")
        member(user, group)
        parent = group
    with django_assert_num_queries(2):
        access = access_context_for(user)
    assert len(access.grants) == groups
