"""Survivors of `make mutate` in the habilitation services (issue 20), killed here.

A service writes only the fields it changes: a view reads the object, someone else changes it meanwhile (another
manager, the user on their profile page), then the service closes it or sets its state — the other change stays
(make mutate: `save(update_fields=None)` survived where the object is not re-read under a lock; it wrote the stale
values back)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habilitations import services
from habilitations.journal import JournalEntry
from habilitations.models import (
    Convention,
    ConventionProfile,
    GroupGrant,
    Membership,
    OrganismAdministrator,
    User,
    UserGroup,
)
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile, grant, member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_changing_a_conventions_state_keeps_what_changed_meanwhile():
    convention = ConventionFactory()
    read = Convention.objects.get(pk=convention.pk)
    Convention.objects.filter(pk=convention.pk).update(libelle="Convention renommée")
    services.convention_set_etat(read, etat=Convention.Etat.SUSPENDUE)
    convention.refresh_from_db()
    assert (convention.etat, convention.libelle) == (Convention.Etat.SUSPENDUE, "Convention renommée")


def test_closing_a_conventions_profile_keeps_what_changed_meanwhile():
    cp = convention_profile(ConventionFactory(), "T1-ASS")
    read = ConventionProfile.objects.get(pk=cp.pk)
    ConventionProfile.objects.filter(pk=cp.pk).update(date_ouverture=TODAY() - 10 * DAY)
    services.convention_profile_close(read)
    cp.refresh_from_db()
    assert (cp.date_ouverture, cp.date_cloture) == (TODAY() - 10 * DAY, TODAY())


def test_closing_a_grant_keeps_what_changed_meanwhile():
    given = grant(GroupFactory(), "T1-ASS")
    read = GroupGrant.objects.get(pk=given.pk)
    GroupGrant.objects.filter(pk=given.pk).update(date_ouverture=TODAY() - 10 * DAY)
    services.grant_close(read)
    given.refresh_from_db()
    assert (given.date_ouverture, given.date_cloture) == (TODAY() - 10 * DAY, TODAY())


def test_closing_an_administrator_keeps_what_changed_meanwhile_on_the_role_and_the_user():
    convention = ConventionFactory()
    user = UserFactory(organism=convention.organism, partner_admin=True)
    role = OrganismAdministrator.objects.create(
        organism=convention.organism,
        user=user,
        role=OrganismAdministrator.Role.PRINCIPAL,
        date_ouverture=TODAY() - 20 * DAY,
    )
    read = OrganismAdministrator.objects.select_related("user").get(pk=role.pk)  # the page shows their name
    OrganismAdministrator.objects.filter(pk=role.pk).update(date_ouverture=TODAY() - 10 * DAY)
    User.objects.filter(pk=user.pk).update(email="nouvelle.adresse@partenaire.example", telephone="0493000000")
    services.administrator_close(read)
    role.refresh_from_db()
    user.refresh_from_db()
    assert (role.date_ouverture, role.date_cloture) == (TODAY() - 10 * DAY, TODAY())
    assert not user.is_partner_admin
    assert (user.email, user.telephone) == ("nouvelle.adresse@partenaire.example", "0493000000")


# --- Memberships: what the database refuses after the service's own check (make mutate, membership_add) ---------


def test_a_membership_of_a_group_closed_meanwhile_is_refused_on_the_group_field_and_nothing_is_written():
    """The page read the group open; another manager closed it before the addition: the service's check passes on
    what it was handed, the database's trigger refuses the row, and the user gets the French message on the form's
    group field — not a 500, and no membership."""
    group = GroupFactory()
    user = UserFactory(organism=group.convention.organism)
    read = UserGroup.objects.get(pk=group.pk)
    UserGroup.objects.filter(pk=group.pk).update(date_cloture=TODAY() - DAY)
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=user, group=read)
    assert error.value.message_dict == {"group": ["Cet utilisateur appartient déjà à ce groupe sur cette période."]}
    assert not Membership.objects.filter(user=user).exists()


# --- Memberships: each date rule at its boundary, with its message on its field (make mutate, _check_membership) -

IN_THE_GROUP = "Les dates de l'appartenance doivent être comprises dans celles du groupe."
IN_THE_USER = "Les dates de l'appartenance doivent être comprises dans celles de l'utilisateur."
ALREADY = "Cet utilisateur appartient déjà à ce groupe sur cette période."


def _user_closing(days: int):
    """A group open for long, a user of its organism whose account closes in `days` days, already a member of the
    group until then (the membership to change)."""
    group = GroupFactory()
    user = UserFactory(organism=group.convention.organism, date_cloture=TODAY() + days * DAY)
    return member(user, group, date_cloture=user.date_cloture)


def test_a_user_of_another_organism_is_refused_on_the_user_field():
    group = GroupFactory()
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=UserFactory(organism=ConventionFactory().organism), group=group)
    assert error.value.message_dict == {"user": ["Cet utilisateur n'appartient pas à l'organisme du groupe."]}
    assert not Membership.objects.filter(group=group).exists()


def test_a_membership_ends_with_its_group_at_the_latest():
    group = GroupFactory(date_cloture=TODAY() + 10 * DAY)
    user = UserFactory(organism=group.convention.organism)
    with pytest.raises(ValidationError) as error:
        services.membership_add(user=user, group=group, date_cloture=TODAY() + 11 * DAY)
    assert error.value.message_dict == {"date_ouverture": [IN_THE_GROUP]}
    assert services.membership_add(user=user, group=group, date_cloture=TODAY() + 10 * DAY).pk


def test_a_membership_ends_with_its_user_at_the_latest_and_never_stays_open_past_them():
    membership = _user_closing(10)
    for date_cloture in (TODAY() + 11 * DAY, None):
        with pytest.raises(ValidationError) as error:
            services.membership_update(membership, date_cloture=date_cloture)
        assert error.value.message_dict == {"date_ouverture": [IN_THE_USER]}
    services.membership_update(membership, date_cloture=TODAY() + 9 * DAY)
    services.membership_update(membership, date_cloture=TODAY() + 10 * DAY)  # the user's own closing day
    assert Membership.objects.get(pk=membership.pk).date_cloture == TODAY() + 10 * DAY


def test_another_period_in_the_same_group_or_the_same_period_in_another_group_is_not_an_overlap():
    group = GroupFactory()
    user = UserFactory(organism=group.convention.organism)
    later = member(user, group, date_ouverture=TODAY() + 10 * DAY)
    before = services.membership_add(user=user, group=group, date_cloture=TODAY() + 10 * DAY)  # ends as it starts
    other = services.membership_add(user=user, group=GroupFactory(convention=group.convention, code="AUTRE"))
    assert Membership.objects.filter(user=user).count() == 3 and before.pk and other.pk
    with pytest.raises(ValidationError) as error:
        services.membership_update(before, date_cloture=TODAY() + 11 * DAY)
    assert error.value.message_dict == {"group": [ALREADY]}
    assert Membership.objects.get(pk=later.pk).date_ouverture == TODAY() + 10 * DAY


# --- Memberships one gives oneself (make mutate, membership_self_grant) --------------------------------------------


def test_a_membership_added_by_the_system_is_no_self_grant():
    group = GroupFactory()
    user = UserFactory(organism=group.convention.organism)
    services.membership_add(user=user, group=group, actor=None)
    entry = JournalEntry.objects.get(event="hab.membership_added", user=user)
    assert "self_grant" not in entry.data


def test_an_administrator_of_another_organism_may_not_create_an_account_with_their_address_into_a_group():
    """Only an administrator of the group's organism may give a membership to an account that reaches them."""
    elsewhere = ConventionFactory().organism
    admin = UserFactory(organism=elsewhere, email="claire.bernard@partenaire.example")
    OrganismAdministrator.objects.create(organism=elsewhere, user=admin, role=OrganismAdministrator.Role.PRINCIPAL)
    group = GroupFactory()
    with pytest.raises(ValidationError) as error:
        services.partner_user_create(
            organism=group.convention.organism,
            nom="Bernard",
            prenom="Claire",
            email="Claire.Bernard@partenaire.example",
            group=group,
            actor=admin,
        )
    assert error.value.message_dict == {"user": [services.SELF_GRANT_EMAIL_REFUSED]}
    assert not Membership.objects.filter(group=group).exists()
