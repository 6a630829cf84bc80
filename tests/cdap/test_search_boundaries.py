"""The search controls at their day boundaries (cdap.selectors, spec cdap.md "Search page"):

- T18 / T19: RSA received now or in the last two years — a period ended exactly 730 days ago (RSA_LOOKBACK_DAYS)
  still opens the dossier, one ended 731 days ago does not; a period that starts tomorrow is not received now;
- T9: the user's organism holds or has held a protection measure — one ended yesterday still counts ("has held"),
  one starting tomorrow does not yet."""

import datetime

import pytest
from django.utils import timezone

from cdap.models import ProtectionMeasure, RsaPeriod
from tests.cdap.dossiers import make_dossier
from tests.cdap.test_search import assert_found, assert_refused, search
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def as_user(client, login):
    def _as(code):
        user, group = habilitated_user(code)
        login(user)
        return group.convention.organism

    return _as


@pytest.mark.parametrize("code", ["T18", "T19"])
@pytest.mark.parametrize(
    ("ended_days_ago", "found"),
    [(0, True), (729, True), (730, True), (731, False)],
    ids=["ended_today", "729_days", "730_days", "731_days"],
)
def test_rsa_ended_at_the_edge_of_the_two_years(client, as_user, code, ended_days_ago, found):
    as_user(code)
    make_dossier(caf("061"), rsa_end=today() - ended_days_ago * DAY)
    response = search(client)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "sans_rsa_2_ans")


@pytest.mark.parametrize("code", ["T18", "T19"])
@pytest.mark.parametrize(("starts_in_days", "found"), [(0, True), (1, False)], ids=["today", "tomorrow"])
def test_rsa_starting_tomorrow_is_not_received_now(client, as_user, code, starts_in_days, found):
    as_user(code)
    dossier = make_dossier(caf("061"))
    RsaPeriod.objects.filter(dossier=dossier).update(date_debut=today() + starts_in_days * DAY, date_fin=None)
    response = search(client)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "sans_rsa_2_ans")


@pytest.mark.parametrize(
    ("debut", "fin", "found"),
    [(-900, -1, True), (0, None, True), (1, None, False), (30, 400, False)],
    ids=["ended_yesterday", "starts_today", "starts_tomorrow", "starts_next_month"],
)
def test_t9_measure_at_its_day_boundaries(client, as_user, debut, fin, found):
    organism = as_user("T9")
    dossier = make_dossier(caf("061"))
    ProtectionMeasure.objects.create(
        dossier=dossier,
        organism=organism,
        date_debut=today() + debut * DAY,
        date_fin=None if fin is None else today() + fin * DAY,
    )
    response = search(client)
    if found:
        assert_found(response)
    else:
        assert_refused(response, "sans_mesure_de_protection")
