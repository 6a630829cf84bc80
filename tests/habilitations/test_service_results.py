"""What the organism, convention and user services write when they accept: the defaults (today, the organism's
name, not multi-department, no phone), the values given, and what a closing carries along."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habilitations import services
from habilitations.journal import JournalEntry
from habilitations.models import (
    Convention,
    ConventionDocument,
    GroupGrant,
    Membership,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
)
from tests.factories import (
    ConventionFactory,
    GroupFactory,
    OrganismFactory,
    UserFactory,
    convention_documents,
    convention_profile,
    member,
    valid_siret,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def test_an_organism_registered_with_its_fields_and_its_departments_caf():
    ccas = PartnerType.objects.get(code="CCAS")
    organism = services.organism_register(
        siret=valid_siret(9200), nom="CCAS de Toulon", partner_type=ccas, departement="83", commune="Toulon"
    )
    organism.refresh_from_db()
    assert (organism.nom, organism.commune, organism.caf_pivot.code, organism.multi_departement) == (
        "CCAS de Toulon",
        "Toulon",
        "831",
        False,
    )
    multi = services.organism_register(
        siret=valid_siret(9201), nom="UDAF", partner_type=ccas, departement="06", multi_departement=True
    )
    assert type(multi).objects.get(pk=multi.pk).multi_departement


def test_a_convention_named_after_its_organism_opening_today_unless_told():
    organism = OrganismFactory(nom="CCAS de Cannes")
    convention = Convention.objects.get(pk=services.convention_create(organism=organism).pk)
    assert (convention.libelle, convention.date_ouverture, convention.etat) == (
        "CCAS de Cannes",
        TODAY(),
        "EN_ATTENTE",
    )
    assert convention.caf_pivot_id == organism.caf_pivot_id
    other = OrganismFactory()
    given = services.convention_create(organism=other, libelle="Convention 2026", date_ouverture=TODAY() - 9 * DAY)
    assert Convention.objects.filter(pk=given.pk, libelle="Convention 2026", date_ouverture=TODAY() - 9 * DAY).exists()


def test_a_validated_convention_keeps_its_first_validation_date():
    convention = convention_documents(ConventionFactory(etat="EN_ATTENTE", date_validation=None))
    services.convention_set_etat(convention, etat="VALABLE")
    assert Convention.objects.get(pk=convention.pk).date_validation == TODAY()
    services.convention_set_etat(convention, etat="SUSPENDUE")
    Convention.objects.filter(pk=convention.pk).update(date_validation=TODAY() - 5 * DAY)
    convention.refresh_from_db()
    services.convention_set_etat(convention, etat="VALABLE")
    assert Convention.objects.get(pk=convention.pk).date_validation == TODAY() - 5 * DAY


def test_a_profile_held_elsewhere_or_another_profile_does_not_block_the_grant():
    convention, other = convention_documents(ConventionFactory(), "CDAP"), ConventionFactory()
    convention_profile(other, "T2")  # the same profile, another convention
    convention_profile(convention, "T1-ASS")  # another profile, this convention
    opened = services.convention_profile_open(convention, Profile.objects.get(code="T2"))
    assert type(opened).objects.get(pk=opened.pk).date_ouverture == TODAY()
    later = services.convention_profile_open(
        convention, Profile.objects.get(code="T1-CESF"), date_ouverture=TODAY() + DAY
    )
    assert type(later).objects.get(pk=later.pk).date_ouverture == TODAY() + DAY
    services.convention_profile_close(opened)
    assert type(opened).objects.get(pk=opened.pk).date_cloture == TODAY()


def test_a_user_without_phone_and_a_closed_user_carries_memberships_and_roles_along():
    group = GroupFactory()
    organism = group.convention.organism
    created = services.partner_user_create(organism=organism, nom="Roux", prenom="Ana", email="ana@partenaire.example")
    assert type(created).objects.get(pk=created.pk).telephone == ""
    user = UserFactory(organism=organism, date_ouverture=TODAY() - 30 * DAY)
    ended = member(user, group, date_ouverture=TODAY() - 9 * DAY, date_cloture=TODAY() - 2 * DAY)
    current = member(user, GroupFactory(convention=group.convention), date_ouverture=TODAY() - DAY)
    role = services.administrator_name(organism=organism, user=user, role="PRINCIPAL", date_ouverture=TODAY() - DAY)
    services.partner_user_close(user)
    assert type(user).objects.get(pk=user.pk).date_cloture == TODAY()
    assert Membership.objects.get(pk=current.pk).date_cloture == TODAY()
    assert Membership.objects.get(pk=ended.pk).date_cloture == TODAY() - 2 * DAY  # closed before: unchanged
    assert OrganismAdministrator.objects.get(pk=role.pk).date_cloture == TODAY()


def test_a_closed_administrator_keeps_the_flag_while_another_role_or_a_planned_closing_remains():
    """is_partner_admin (which makes the second factor required) goes with the last open role."""
    convention = ConventionFactory()
    organism = convention.organism
    user = UserFactory(organism=organism, date_ouverture=TODAY() - 30 * DAY)
    principal = services.administrator_name(
        organism=organism, user=user, role="PRINCIPAL", date_ouverture=TODAY() - 9 * DAY
    )
    elsewhere = services.administrator_name(organism=organism, user=user, role="SUPPLEANT")
    services.administrator_close(principal)
    assert type(user).objects.get(pk=user.pk).is_partner_admin  # still administrator in another role
    services.administrator_close(elsewhere, date_cloture=TODAY() + 5 * DAY)
    assert type(user).objects.get(pk=user.pk).is_partner_admin  # until that planned closing
    services.administrator_close(OrganismAdministrator.objects.get(pk=elsewhere.pk), date_cloture=TODAY())
    assert not type(user).objects.get(pk=user.pk).is_partner_admin
    assert OrganismAdministrator.objects.get(pk=principal.pk).date_cloture == TODAY()


def test_a_group_moved_takes_the_level_under_its_new_parent():
    top = GroupFactory()
    middle = GroupFactory(convention=top.convention, parent=top, code="MILIEU")
    moved = GroupFactory(convention=top.convention, code="BOUGE")
    assert services.group_update(moved, parent=middle).niveau == 3
    assert type(moved).objects.get(pk=moved.pk).niveau == 3
    assert services.group_update(moved, parent=None).niveau == 1
    closed = services.group_close(moved)
    assert type(moved).objects.get(pk=closed.pk).date_cloture == TODAY()


def test_closing_a_user_later_closes_their_roles_then_and_leaves_what_ended_before():
    group = GroupFactory()
    organism = group.convention.organism
    user = UserFactory(organism=organism, date_ouverture=TODAY() - 30 * DAY)
    ended_role = services.administrator_name(
        organism=organism, user=user, role="SUPPLEANT", date_ouverture=TODAY() - 20 * DAY, date_cloture=TODAY() - DAY
    )
    role = services.administrator_name(organism=organism, user=user, role="PRINCIPAL", date_ouverture=TODAY())
    planned = member(user, group, date_ouverture=TODAY() - 9 * DAY, date_cloture=TODAY() + 30 * DAY)
    services.partner_user_update(user, date_cloture=TODAY() + 5 * DAY)
    assert OrganismAdministrator.objects.get(pk=role.pk).date_cloture == TODAY() + 5 * DAY
    assert OrganismAdministrator.objects.get(pk=ended_role.pk).date_cloture == TODAY() - DAY
    assert Membership.objects.get(pk=planned.pk).date_cloture == TODAY() + 5 * DAY  # brought forward


def test_a_responsable_of_closed_groups_only_may_be_closed_and_a_parent_whose_children_ended():
    parent = GroupFactory()
    GroupFactory(convention=parent.convention, parent=parent, code="ENFANT", date_cloture=TODAY() - DAY)
    former = UserFactory(organism=parent.convention.organism, date_ouverture=TODAY() - 30 * DAY)
    GroupFactory(convention=parent.convention, code="ANCIEN", responsable=former, date_cloture=TODAY() - DAY)
    services.partner_user_close(former)
    assert type(former).objects.get(pk=former.pk).date_cloture == TODAY()
    services.group_close(parent)
    assert type(parent).objects.get(pk=parent.pk).date_cloture == TODAY()


def test_a_bulletin_keeps_its_service_and_a_grant_its_opening_day():
    convention = ConventionFactory()
    cdap = Service.objects.get(code="CDAP")
    document = services.convention_document_record(
        convention, kind=ConventionDocument.Kind.BULLETIN_ADHESION, service=cdap, date_reception=TODAY()
    )
    assert ConventionDocument.objects.get(pk=document.pk).service == cdap
    assert JournalEntry.objects.filter(event="hab.convention_changed", data__service="CDAP").exists()
    group = GroupFactory(convention=convention)
    given = services.grant_assign(group, convention_profile(convention, "T2"), date_ouverture=TODAY() + 3 * DAY)
    assert GroupGrant.objects.get(pk=given.pk).date_ouverture == TODAY() + 3 * DAY


def test_a_responsable_may_keep_the_closing_date_of_their_own_membership():
    group = GroupFactory()
    own = member(group.responsable, group, date_cloture=TODAY() + 10 * DAY)
    services.membership_update(own, date_cloture=TODAY() + 10 * DAY, actor=group.responsable)
    with pytest.raises(ValidationError):
        services.membership_update(own, date_cloture=TODAY() + 11 * DAY, actor=group.responsable)


def test_each_convention_each_kind_and_each_service_has_its_own_document():
    first, second = ConventionFactory(), ConventionFactory()
    record = services.convention_document_record
    Kind = ConventionDocument.Kind
    for convention in (first, second):
        record(convention, kind=Kind.CONVENTION, date_reception=TODAY())
    record(first, kind=Kind.CONTRAT_SERVICE, date_reception=TODAY())
    for code in ("CDAP", "AFAS"):
        record(first, kind=Kind.BULLETIN_ADHESION, service=Service.objects.get(code=code), date_reception=TODAY())
    assert ConventionDocument.objects.filter(convention=first).count() == 4
