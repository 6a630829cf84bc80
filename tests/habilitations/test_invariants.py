"""The invariants hold in the database, against concurrent writes too."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from habilitations import services
from habilitations.models import GroupGrant, Membership, OrganismAdministrator, UserGroup
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile, grant, member

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def run_concurrently(*calls):
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_administrators_naming_a_third_at_the_same_moment():
    convention = ConventionFactory()
    organism = convention.organism
    first, second, third_a, third_b = (UserFactory(organism=organism) for _ in range(4))
    services.administrator_name(organism=organism, user=first, role="PRINCIPAL")
    services.administrator_name(organism=organism, user=second, role="SUPPLEANT")
    services.administrator_close(OrganismAdministrator.objects.get(user=second), date_cloture=TODAY())
    # One suppléant slot is free again: two requests race for it.
    results = run_concurrently(
        lambda: services.administrator_name(organism=organism, user=third_a, role="SUPPLEANT"),
        lambda: services.administrator_name(organism=organism, user=third_b, role="SUPPLEANT"),
    )
    assert sum(isinstance(r, OrganismAdministrator) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert OrganismAdministrator.objects.open_on(TODAY()).filter(organism=organism).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_membership_added_twice_at_the_same_moment():
    group = GroupFactory()
    user = UserFactory(organism=group.convention.organism)
    results = run_concurrently(
        lambda: services.membership_add(user=user, group=group),
        lambda: services.membership_add(user=user, group=group),
    )
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    assert Membership.objects.filter(user=user, group=group).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_responsables_named_at_once_leave_exactly_one():
    group = GroupFactory()
    candidates = [UserFactory(organism=group.convention.organism) for _ in range(2)]
    results = run_concurrently(*(lambda u=u: services.group_update(group, responsable=u) for u in candidates))
    assert all(isinstance(r, UserGroup) for r in results), results
    group.refresh_from_db()
    assert group.responsable in candidates


@pytest.mark.django_db
class TestDatabaseRefusesWhatTheServicesCheck:
    """Writes that bypass the services are refused by constraints and triggers (PostgreSQL)."""

    def _refused(self, write):
        with pytest.raises(IntegrityError), transaction.atomic():
            write()

    def test_a_third_administrator(self):
        organism = ConventionFactory().organism
        users = [UserFactory(organism=organism) for _ in range(3)]
        OrganismAdministrator.objects.create(organism=organism, user=users[0], role="PRINCIPAL")
        OrganismAdministrator.objects.create(organism=organism, user=users[1], role="SUPPLEANT")
        self._refused(lambda: OrganismAdministrator.objects.create(organism=organism, user=users[2], role="SUPPLEANT"))

    def test_an_administrator_of_another_organism(self):
        organism = ConventionFactory().organism
        stranger = UserFactory(organism=ConventionFactory().organism)
        self._refused(lambda: OrganismAdministrator.objects.create(organism=organism, user=stranger, role="PRINCIPAL"))

    def test_a_responsable_of_another_organism(self):
        group = GroupFactory()
        stranger = UserFactory(organism=ConventionFactory().organism)
        self._refused(lambda: UserGroup.objects.filter(pk=group.pk).update(responsable=stranger))

    def test_a_subgroup_cycle(self):
        top = GroupFactory()
        child = GroupFactory(convention=top.convention, parent=top)
        self._refused(lambda: UserGroup.objects.filter(pk=top.pk).update(parent=child, niveau=3))

    def test_a_duplicate_open_group_code(self):
        group = GroupFactory(code="T1")
        self._refused(lambda: GroupFactory(code="T1", convention=group.convention))

    def test_a_closed_group_code_can_be_reused(self):
        group = GroupFactory(code="T1", date_cloture=TODAY())
        assert GroupFactory(code="T1", convention=group.convention, date_ouverture=TODAY())

    def test_overlapping_memberships(self):
        group = GroupFactory()
        user = UserFactory(organism=group.convention.organism)
        member(user, group)
        self._refused(lambda: member(user, group))

    def test_a_membership_outside_the_group_dates(self):
        group = GroupFactory(date_cloture=TODAY() + 10 * DAY)
        user = UserFactory(organism=group.convention.organism)
        self._refused(lambda: member(user, group, date_cloture=None))
        self._refused(lambda: member(user, group, date_ouverture=group.date_ouverture - DAY, date_cloture=TODAY()))

    def test_a_membership_of_a_user_of_another_organism(self):
        group = GroupFactory()
        stranger = UserFactory(organism=ConventionFactory().organism)
        self._refused(lambda: member(stranger, group))

    def test_a_grant_of_a_profile_of_another_convention(self):
        group = GroupFactory()
        other = convention_profile(ConventionFactory(), "T2")
        self._refused(lambda: GroupGrant.objects.create(group=group, convention_profile=other))

    def test_closing_before_opening(self):
        group = GroupFactory()
        self._refused(lambda: UserGroup.objects.filter(pk=group.pk).update(date_cloture=group.date_ouverture - DAY))


@pytest.mark.django_db
class TestServicesSayWhy:
    def test_responsable_of_another_organism(self):
        convention = ConventionFactory()
        stranger = UserFactory(organism=ConventionFactory().organism)
        with pytest.raises(ValidationError) as error:
            services.group_create(convention=convention, code="T1", libelle="CDAP T1", responsable=stranger)
        assert "responsable" in error.value.message_dict
        assert not UserGroup.objects.exists()

    def test_sub_group_cycle(self):
        top = GroupFactory()
        child = GroupFactory(convention=top.convention, parent=top)
        with pytest.raises(ValidationError) as error:
            services.group_update(top, parent=child)
        assert "sous-groupe" in error.value.message_dict["parent"][0]

    def test_profile_the_convention_lacks(self):
        group = GroupFactory()
        other = convention_profile(ConventionFactory(), "T2")
        with pytest.raises(ValidationError) as error:
            services.grant_assign(group, other)
        assert "n'est pas accordé" in error.value.message_dict["convention_profile"][0]

    @pytest.mark.parametrize("closed_days_ago", [0, 1], ids=["closed_today", "closed_yesterday"])
    def test_a_closed_convention_profile_cannot_be_assigned(self, closed_days_ago):
        """The service's own rule (the grant trigger only checks the convention): no grant of a withdrawn profile."""
        group = GroupFactory()
        cp = convention_profile(group.convention, "T2", date_cloture=TODAY() - closed_days_ago * DAY)
        with pytest.raises(ValidationError) as error:
            services.grant_assign(group, cp)
        assert error.value.message_dict == {
            "convention_profile": ["Ce profil n'est pas accordé à la convention de ce groupe."]
        }
        assert not GroupGrant.objects.filter(group=group).exists()

    def test_duplicate_group_code(self):
        group = GroupFactory(code="T1")
        with pytest.raises(ValidationError) as error:
            services.group_create(
                convention=group.convention, code="t1", libelle="Autre", responsable=group.responsable
            )
        assert "code" in error.value.message_dict

    def test_membership_outside_the_group_dates(self):
        group = GroupFactory(date_cloture=TODAY() + 10 * DAY)
        user = UserFactory(organism=group.convention.organism)
        with pytest.raises(ValidationError):
            services.membership_add(user=user, group=group, date_cloture=TODAY() + 20 * DAY)
        assert services.membership_add(user=user, group=group).date_cloture == group.date_cloture

    def test_closing_a_user_closes_their_memberships(self):
        group = GroupFactory()
        user = UserFactory(organism=group.convention.organism)
        membership = member(user, group)
        grant(group, "T2")
        services.partner_user_close(user, date_cloture=TODAY() + 5 * DAY)
        membership.refresh_from_db()
        assert membership.date_cloture == TODAY() + 5 * DAY

    def test_closing_a_responsable_is_refused(self):
        group = GroupFactory()
        with pytest.raises(ValidationError) as error:
            services.partner_user_close(group.responsable)
        assert group.code in error.value.message_dict["date_cloture"][0]


@pytest.mark.django_db
class TestClosingsCascade:
    def test_moving_a_group_opening_after_its_memberships_is_refused(self):
        group = GroupFactory()
        member(UserFactory(organism=group.convention.organism), group)
        with pytest.raises(ValidationError) as error:
            services.group_update(group, date_ouverture=TODAY())
        assert "appartenances" in error.value.message_dict["date_ouverture"][0]

    def test_closing_an_administrator_account_closes_the_role_and_the_flag(self):
        organism = ConventionFactory().organism
        admin = UserFactory(organism=organism)
        services.administrator_name(organism=organism, user=admin, role="PRINCIPAL")
        admin.refresh_from_db()
        assert admin.is_partner_admin
        services.partner_user_close(admin)
        role = OrganismAdministrator.objects.get(user=admin)
        admin.refresh_from_db()
        assert role.date_cloture == TODAY() and not admin.is_partner_admin


@pytest.mark.django_db
def test_a_denounced_convention_stays_denounced():
    convention = ConventionFactory()
    services.convention_set_etat(convention, etat="DENONCEE")
    with pytest.raises(ValidationError) as error:
        services.convention_set_etat(convention, etat="VALABLE")
    assert "Dénoncée" in error.value.message_dict["etat"][0]
