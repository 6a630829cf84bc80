"""Survivors of `make mutate` in the habilitation services (issue 20), killed here.

A service writes only the fields it changes: a view reads the object, someone else changes it meanwhile (another
manager, the user on their profile page), then the service closes it or sets its state — the other change stays
(make mutate: `save(update_fields=None)` survived where the object is not re-read under a lock; it wrote the stale
values back)."""

import datetime

import pytest
from django.utils import timezone

from habilitations import services
from habilitations.models import Convention, ConventionProfile, GroupGrant, OrganismAdministrator, User
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile, grant

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
