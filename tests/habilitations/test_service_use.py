"""The yearly use of each service (issue 23.3, guide 000:217 « au moins une fois par an au(x) service(s) auxquels il a
été habilité »): the last use per user and service from the journal, the memberships to review and their screen."""

import datetime

import pytest
from django.utils import timezone

from habilitations import selectors
from habilitations.journal import Event, JournalEntry, journal_write
from habilitations.models import Membership
from tests.factories import ConventionFactory, GroupFactory, UserFactory, grant, member
from tests.habilitations.test_conventions_views import administrator_of, content, manager_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
LONG_AGO = 800 * DAY


def used(user, days_ago: int, event=Event.CDAP_SEARCH, **data):
    """A journaled use of a service `days_ago` days ago, at noon (local time)."""
    at = timezone.make_aware(datetime.datetime.combine(TODAY() - days_ago * DAY, datetime.time(12)))
    return JournalEntry.objects.create(event=event, user=user, at=at, data=data)


class Old:
    """A convention of long standing: a CDAP group T1 and an AFAS group, a member of each for 500 days."""

    def __init__(self):
        self.convention = ConventionFactory(date_ouverture=TODAY() - LONG_AGO)
        self.organism = self.convention.organism
        self.t1 = GroupFactory(
            code="T1", libelle="CDAP T1", convention=self.convention, date_ouverture=TODAY() - LONG_AGO
        )
        grant(self.t1, "T1-ASS")
        self.afas = GroupFactory(code="AFAS", convention=self.convention, date_ouverture=TODAY() - LONG_AGO)
        grant(self.afas, "AFAS-DECLARER")
        self.user = self.new_user(nom="Dupuis", prenom="Martin")
        self.t1_membership = member(self.user, self.t1, date_ouverture=TODAY() - 500 * DAY)

    def new_user(self, **kwargs):
        return UserFactory(organism=self.organism, date_ouverture=TODAY() - LONG_AGO, **kwargs)


@pytest.fixture
def old():
    return Old()


def proposed(**kwargs) -> set[int]:
    return set(selectors.unused_memberships(**kwargs).values_list("pk", flat=True))


# --- The last use per user and service ------------------------------------------------------------------------


def test_last_use_per_user_and_service_is_the_latest_consultation_event(old):
    other = old.new_user()
    used(old.user, 40, Event.CDAP_SEARCH)
    latest = used(old.user, 3, Event.CDAP_RUBRIC)
    used(old.user, 1, Event.LOGIN_SUCCESS)  # a login is no use of a service
    used(old.user, 0, "export.supervision_cdap")  # not measured (the supervision's lists are not journaled)
    JournalEntry.objects.create(event=Event.CDAP_POSTAL_SENT, actor=other)  # an agent's work: nobody concerned
    assert selectors.last_service_uses([old.user.pk, other.pk]) == {(old.user.pk, "CDAP"): latest.at}
    assert selectors.last_service_uses([other.pk]) == {}
    assert selectors.last_service_uses([old.user.pk], services=["AFAS"]) == {}


def test_the_whole_journal_for_the_control_plan_in_one_query(old, django_assert_num_queries):
    other = old.new_user()
    used(old.user, 10)
    used(other, 20, Event.CDAP_ATTESTATION)
    with django_assert_num_queries(1):
        uses = selectors.last_service_uses()
    assert set(uses) == {(old.user.pk, "CDAP"), (other.pk, "CDAP")}


# --- The memberships to review: boundaries -----------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "is_proposed"), [(365, False), (366, True)])
def test_a_service_used_365_days_ago_is_used_this_year_366_is_not(old, days_ago, is_proposed):
    used(old.user, days_ago)
    assert (old.t1_membership.pk in proposed()) is is_proposed


def test_a_use_at_the_first_minute_of_the_365th_day_still_counts(old):
    first_minute = timezone.make_aware(datetime.datetime.combine(selectors.use_cutoff(), datetime.time(0, 0)))
    JournalEntry.objects.create(event=Event.CDAP_DIALOGUE, user=old.user, at=first_minute)
    assert old.t1_membership.pk not in proposed()
    assert old.t1_membership.pk in proposed(day=TODAY() + DAY)


def test_never_used_is_proposed_and_the_same_user_s_login_does_not_count(old):
    used(old.user, 1, Event.LOGIN_SUCCESS)
    assert proposed() == {old.t1_membership.pk}


@pytest.mark.parametrize(("opened_days_ago", "is_proposed"), [(365, False), (366, True)])
def test_a_membership_younger_than_12_months_is_not_proposed(old, opened_days_ago, is_proposed):
    Membership.objects.filter(pk=old.t1_membership.pk).update(date_ouverture=TODAY() - opened_days_ago * DAY)
    assert (old.t1_membership.pk in proposed()) is is_proposed


def test_another_service_s_use_does_not_count(old, monkeypatch):
    """The member used AFAS last week and Consulter Dossier 366 days ago: the CDAP membership is proposed, the AFAS
    one is not."""
    monkeypatch.setitem(selectors.SERVICE_USE_EVENTS, "AFAS", frozenset({"afas.declaration"}))
    afas_membership = member(old.user, old.afas, date_ouverture=TODAY() - 500 * DAY)
    used(old.user, 7, "afas.declaration")
    used(old.user, 366, Event.CDAP_SEARCH)
    assert proposed() == {old.t1_membership.pk}
    assert afas_membership.pk not in proposed()


def test_a_service_nobody_journals_is_never_called_unused(old):
    """AFAS has no screens yet, so no journaled use: its memberships are not proposed."""
    afas_member = old.new_user()
    member(afas_member, old.afas, date_ouverture=TODAY() - 500 * DAY)
    assert proposed() == {old.t1_membership.pk}


def test_the_service_used_through_another_group_counts(old):
    """The service is the user's: a use of Consulter Dossier through another CDAP group covers this one too."""
    t5 = GroupFactory(code="T5", convention=old.convention, date_ouverture=TODAY() - LONG_AGO)
    grant(t5, "T5")
    other_membership = member(old.user, t5, date_ouverture=TODAY() - 500 * DAY)
    assert proposed() == {old.t1_membership.pk, other_membership.pk}
    used(old.user, 100, Event.CDAP_SEARCH, profile="T5")
    assert proposed() == set()


@pytest.mark.parametrize(
    "closed",
    ["membership_today", "membership_yesterday", "user", "group", "grant"],
)
def test_what_is_closed_is_not_proposed(old, closed):
    if closed == "membership_today":
        Membership.objects.filter(pk=old.t1_membership.pk).update(date_cloture=TODAY())
    elif closed == "membership_yesterday":
        Membership.objects.filter(pk=old.t1_membership.pk).update(date_cloture=TODAY() - DAY)
    elif closed == "user":
        type(old.user).objects.filter(pk=old.user.pk).update(date_cloture=TODAY())
    elif closed == "group":
        type(old.t1).objects.filter(pk=old.t1.pk).update(date_cloture=TODAY())
    else:
        old.t1.grants.update(date_cloture=TODAY())
    assert proposed() == set()


def test_a_membership_closing_later_is_still_proposed(old):
    Membership.objects.filter(pk=old.t1_membership.pk).update(date_cloture=TODAY() + 10 * DAY)
    assert proposed() == {old.t1_membership.pk}


def test_unused_services_of_a_page_name_each_service_with_its_last_use(old, django_assert_num_queries):
    last = used(old.user, 400, Event.CDAP_RUBRIC)
    never = old.new_user()
    never_membership = member(never, old.t1, date_ouverture=TODAY() - 400 * DAY)
    page = list(selectors.unused_memberships())
    with django_assert_num_queries(2):
        services = selectors.unused_services_of(page)
    assert services[old.t1_membership.pk] == [selectors.ServiceUse("CDAP", "Consulter Dossier", last.at)]
    assert services[never_membership.pk] == [selectors.ServiceUse("CDAP", "Consulter Dossier", None)]


# --- The screen: « Habilitations non utilisées depuis 12 mois » -------------------------------------------------


def url(convention) -> str:
    return f"/gestion-des-habilitations/conventions/{convention.pk}/habilitations-non-utilisees/"


def test_the_administrator_reviews_and_closes_an_unused_membership(old):
    admin = administrator_of(old.organism, nom="Cervayne", prenom="Lisa")
    user_used = old.new_user(nom="Lacroix")
    member(user_used, old.t1, date_ouverture=TODAY() - 500 * DAY)
    used(user_used, 10)
    used(old.user, 366)
    client = manager_client(admin)
    page = content(client.get(url(old.convention)))
    assert "HABILITATIONS NON UTILISÉES DEPUIS 12 MOIS" in page
    assert old.user.identifiant in page and "DUPUIS" in page and "T1 - CDAP T1" in page
    assert f"Consulter Dossier : le {TODAY() - 366 * DAY:%d/%m/%Y}" in page
    assert user_used.identifiant not in page
    assert "Page 1 sur 1 — 1 résultat" in page

    response = client.post(
        f"/gestion-des-habilitations/appartenances/{old.t1_membership.pk}/",
        {"action": "cloturer", "next": url(old.convention)},
    )
    assert response.status_code == 302 and response["Location"] == url(old.convention)
    old.t1_membership.refresh_from_db()
    assert old.t1_membership.date_cloture == TODAY()
    assert JournalEntry.objects.filter(event=Event.MEMBERSHIP_CLOSED, user=old.user).exists()
    page = content(client.get(url(old.convention)))
    assert "Aucune habilitation non utilisée depuis 12 mois." in page
    assert f"L&#x27;appartenance de {old.user.get_full_name()} au groupe T1 a été clôturée." in page


def test_a_responsable_sees_the_memberships_of_their_groups_only(old):
    t1_user = old.new_user()
    member(t1_user, old.t1, date_ouverture=TODAY() - 500 * DAY)
    t5 = GroupFactory(code="T5", convention=old.convention, date_ouverture=TODAY() - LONG_AGO)
    grant(t5, "T5")
    t5_user = old.new_user()
    member(t5_user, t5, date_ouverture=TODAY() - 500 * DAY)
    page = content(manager_client(old.t1.responsable).get(url(old.convention)))
    assert old.user.identifiant in page and t1_user.identifiant in page
    assert t5_user.identifiant not in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_screen_s_queries_do_not_grow_with_its_rows(old, rows, django_assert_num_queries):
    admin = administrator_of(old.organism)
    for _n in range(rows - 1):
        member(old.new_user(), old.t1, date_ouverture=TODAY() - 500 * DAY)
    client = manager_client(admin)
    client.get(url(old.convention))  # the session's first page loads what a session caches
    # session, user, access context (2), convention, count, page, its grants, its last uses
    with django_assert_num_queries(9):
        response = client.get(url(old.convention) + ("?page=2" if rows == 30 else ""))
    assert response.status_code == 200


def test_another_organism_s_convention_answers_404(old):
    other = ConventionFactory()
    admin = administrator_of(other.organism)
    assert manager_client(admin).get(url(old.convention)).status_code == 404


def test_the_users_list_links_to_the_review(old):
    admin = administrator_of(old.organism)
    page = content(
        manager_client(admin).get(f"/gestion-des-habilitations/conventions/{old.convention.pk}/utilisateurs/")
    )
    assert f'href="{url(old.convention)}"' in page and "Habilitations non utilisées depuis 12 mois" in page


def test_journal_write_use_counts(old):
    """The real writer (cdap.services) writes with `user=` the account: such a row is a use."""
    journal_write(Event.CDAP_SEARCH, user=old.user, profile="T1-ASS", outcome="found")
    assert old.t1_membership.pk not in proposed()
