"""Survivors of `make mutate` in the access layer (issue 20), killed here.

A manager's lookup of one convention, group, user or membership reads it and everything its page shows about it in
one query (make mutate: a relation dropped from a scoped queryset's select_related survived — one query more on
each of these pages). The CDAP masks are CDAP profiles' only: another service's profile opens no rubric, even if
its row holds some (make mutate: the service dropped from the mask's lookup survived)."""

import pytest
from django.utils import timezone

from habilitations.access import querysets as q
from habilitations.access import rubrics
from habilitations.access.context import AccessContext
from habilitations.models import Profile
from tests.factories import GroupFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def context(admin=(), responsable=()):
    return AccessContext(
        user_id=1,
        day=timezone.localdate(),
        admin_organism_ids=frozenset(admin),
        responsable_group_ids=frozenset(responsable),
    )


@pytest.fixture
def world():
    parent = GroupFactory(code="P")
    group = GroupFactory(convention=parent.convention, code="G", parent=parent)
    user = UserFactory(organism=group.convention.organism)
    return {"group": group, "user": user, "membership": member(user, group)}


def _read_convention(convention):
    return (convention.organism.nom, convention.caf_pivot.code)


def _read_group(group):
    return (group.convention.organism.nom, group.responsable.nom, group.parent.code)


def _read_membership(membership):
    return (membership.user.nom, membership.group.convention.organism.nom)


@pytest.mark.parametrize("role", ["admin", "responsable"])
def test_a_managers_lookup_reads_the_object_and_what_its_page_shows_in_one_query(
    world, role, django_assert_num_queries
):
    group, user, membership = world["group"], world["user"], world["membership"]
    convention = group.convention
    access = context(admin=[convention.organism_id]) if role == "admin" else context(responsable=[group.pk])
    lookups = [
        (q.convention_for_manager, convention.pk, _read_convention),
        (q.group_for_manager, group.pk, _read_group),
        (q.user_for_manager, user.pk, lambda u: u.organism.convention.pk),
        (q.membership_for_manager, membership.pk, _read_membership),
    ]
    if role == "admin":
        lookups += [
            (q.convention_for_admin, convention.pk, _read_convention),
            (q.group_for_admin, group.pk, _read_group),
            (q.user_for_admin, user.pk, lambda u: u.organism.convention.pk),
        ]
    for lookup, pk, read in lookups:
        with django_assert_num_queries(1):
            read(lookup(access, pk))


@pytest.fixture
def fresh_masks():
    rubrics.clear_cache()
    yield
    rubrics.clear_cache()


def test_another_services_profile_opens_no_cdap_rubric_whatever_its_row_holds(fresh_masks):
    Profile.objects.filter(code="AFAS-DECLARER").update(rubriques=["synthese", "paiements", "attestation_paiement"])
    assert rubrics.rubrics_for("AFAS-DECLARER") == frozenset()
    assert rubrics.tabs_for("AFAS-DECLARER") == [] and not rubrics.may_see("AFAS-DECLARER", "synthese")
    assert "synthese" in rubrics.rubrics_for("T1-ASS")  # a CDAP profile's mask is read


def test_the_context_names_its_user_and_a_services_roles_are_that_users_only(monkeypatch):
    """`AccessContext.user_id` is whom the context is about: the roles a service gives on its objects
    (habilitations.access.service_roles) are read by it, so a context of nobody would give nobody their roles (make
    mutate: `user_id=None` in access_context_for survived). The memberships stand in for a service's dated
    assignments here: the access layer's tests import no service app."""
    from habilitations.access.context import access_context_for
    from habilitations.access.service_roles import RoleSource, roles_in_force
    from habilitations.models import Membership
    from tests.factories import habilitated_user

    user, group = habilitated_user("T1-ASS")
    colleague = UserFactory(organism=group.convention.organism)
    member(colleague, group)
    access = access_context_for(user)
    assert access.user_id == user.pk and access.can_use("CDAP", "T1-ASS")
    monkeypatch.setattr(
        Membership, "ROLE_SOURCE", RoleSource("CDAP", "T1-ASS", "group__convention__organism_id"), raising=False
    )
    assert list(roles_in_force(access, Membership.objects.all())) == [Membership.objects.get(user=user)]
