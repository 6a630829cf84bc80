"""access_context_for's edges: who gets an empty context (nobody, an anonymous visitor, a closed or inactive
account), the day it is computed for, and its two helpers (the earliest planned closing, SQLite's dates as text)."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from habilitations.access import context as c
from tests.factories import habilitated_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_the_earliest_planned_closing_or_none():
    first, second = datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)
    assert c._latest_closing(None, second, None, first) == first
    assert c._latest_closing(second) == second
    assert c._latest_closing(None, None) is None and c._latest_closing() is None


def test_dates_read_as_text_become_dates():
    day = datetime.date(2026, 5, 1)
    assert c._as_date("2026-05-01") == day and c._as_date(day) is day and c._as_date(None) is None


def test_nobody_and_anonymous_visitors_may_do_nothing():
    for user in (None, AnonymousUser()):
        access = c.access_context_for(user)
        assert access.grants == () and not access.manages_habilitations and access.day == TODAY()
    assert c.access_context_for(None).user_id is None


@pytest.mark.parametrize("change", ["closed_today", "inactive"])
def test_a_closed_or_inactive_account_may_do_nothing(change):
    user, _ = habilitated_user("T1-ASS")
    assert c.access_context_for(user).can_use("CDAP")
    if change == "closed_today":
        user.date_cloture = TODAY()
    else:
        user.is_active = False
    access = c.access_context_for(user)
    assert access.grants == () and access.user_id == user.pk


def test_the_context_is_computed_for_the_day_asked():
    opening = TODAY() - 60 * DAY
    user, _ = habilitated_user("T1-ASS", date_ouverture=opening)  # its membership opens with the account
    assert c.access_context_for(user, opening - DAY).grants == ()
    access = c.access_context_for(user, opening)
    assert access.day == opening and access.profiles("CDAP") == ["T1-ASS"]


def test_a_grant_says_through_which_group_convention_and_organism():
    user, group = habilitated_user("T1-ASS")
    (found,) = c.access_context_for(user).grants
    assert (found.group_id, found.group_code, found.convention_id, found.organism_id) == (
        group.pk,
        group.code,
        group.convention_id,
        group.convention.organism_id,
    )
    assert (found.service, found.profile, found.until) == ("CDAP", "T1-ASS", None)
