"""The scoped querysets on contexts built by hand: an administrator reaches their organism's objects, a responsable
the groups they are responsible for and those groups' members and memberships, each object once; anything else
answers 404 (tests/test_access_matrix.py and tests/security/ check the same through every URL)."""

import pytest
from django.http import Http404
from django.utils import timezone

from habilitations.access import querysets as q
from habilitations.access.context import AccessContext
from tests.factories import ConventionFactory, GroupFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organism_world():
    """Convention A: groups T1 and T2 (one responsable for both), T3 (another), a member of both T1 and T2, a user of
    no group; a convention B with a group and a member."""
    convention = ConventionFactory()
    responsable = UserFactory(organism=convention.organism)
    t1 = GroupFactory(convention=convention, code="T1", responsable=responsable)
    t2 = GroupFactory(convention=convention, code="T2", responsable=responsable)
    t3 = GroupFactory(convention=convention, code="T3")
    both = UserFactory(organism=convention.organism)
    memberships = [member(both, t1), member(both, t2)]
    alone = UserFactory(organism=convention.organism)
    in_t3 = UserFactory(organism=convention.organism)
    member(in_t3, t3)
    other = GroupFactory()
    stranger = UserFactory(organism=other.convention.organism)
    member(stranger, other)
    organisms_users = {responsable, t3.responsable, both, alone, in_t3}
    return locals()


def context(admin=(), responsable=()):
    return AccessContext(
        user_id=1,
        day=timezone.localdate(),
        admin_organism_ids=frozenset(admin),
        responsable_group_ids=frozenset(responsable),
    )


def test_an_administrator_reaches_the_organism_only(organism_world):
    w = organism_world
    admin = context(admin=[w["convention"].organism_id])
    assert list(q.organisms_managed(admin)) == [w["convention"].organism]
    assert list(q.conventions_managed(admin)) == [w["convention"]]
    assert q.convention_for_manager(admin, w["convention"].pk) == w["convention"]
    assert q.convention_for_admin(admin, w["convention"].pk) == w["convention"]
    assert set(q.groups_visible(admin, w["convention"])) == {w["t1"], w["t2"], w["t3"]}
    assert set(q.users_visible(admin, w["convention"])) == w["organisms_users"]
    assert q.group_for_admin(admin, w["t3"].pk) == q.group_for_manager(admin, w["t3"].pk) == w["t3"]
    assert q.user_for_admin(admin, w["alone"].pk) == q.user_for_manager(admin, w["alone"].pk) == w["alone"]
    assert q.membership_for_manager(admin, w["memberships"][0].pk) == w["memberships"][0]
    assert q.is_admin_of(admin, w["convention"]) and not q.is_admin_of(admin, w["other"].convention)
    for lookup, pk in [
        (q.convention_for_admin, w["other"].convention.pk),
        (q.convention_for_manager, w["other"].convention.pk),
        (q.group_for_admin, w["other"].pk),
        (q.group_for_manager, w["other"].pk),
        (q.user_for_admin, w["stranger"].pk),
        (q.user_for_manager, w["stranger"].pk),
    ]:
        with pytest.raises(Http404):
            lookup(admin, pk)


def test_a_responsable_reaches_their_groups_and_their_members_once_each(organism_world):
    w = organism_world
    responsable = context(responsable=[w["t1"].pk, w["t2"].pk])
    assert list(q.organisms_managed(responsable)) == [w["convention"].organism]  # once, for two groups
    assert list(q.conventions_managed(responsable)) == [w["convention"]]
    assert q.convention_for_manager(responsable, w["convention"].pk) == w["convention"]
    assert set(q.groups_visible(responsable, w["convention"])) == {w["t1"], w["t2"]}
    assert list(q.users_visible(responsable, w["convention"])) == [w["both"]]  # once, for two memberships
    assert q.user_for_manager(responsable, w["both"].pk) == w["both"]
    assert q.group_for_manager(responsable, w["t2"].pk) == w["t2"]
    assert q.membership_for_manager(responsable, w["memberships"][1].pk) == w["memberships"][1]
    assert set(q.users_addable(responsable, w["convention"])) == w["organisms_users"]
    assert not q.is_admin_of(responsable, w["convention"])
    for lookup, pk in [
        (q.convention_for_admin, w["convention"].pk),
        (q.group_for_admin, w["t1"].pk),
        (q.group_for_manager, w["t3"].pk),
        (q.user_for_admin, w["both"].pk),
        (q.user_for_manager, w["alone"].pk),
        (q.user_for_manager, w["in_t3"].pk),
        (q.membership_for_manager, w["in_t3"].memberships.get().pk),
    ]:
        with pytest.raises(Http404):
            lookup(responsable, pk)


def test_nobody_reaches_anything(organism_world):
    w, nobody = organism_world, context()
    assert not q.organisms_managed(nobody).exists() and not q.conventions_managed(nobody).exists()
    assert not q.groups_visible(nobody, w["convention"]).exists()
    assert not q.users_visible(nobody, w["convention"]).exists()
    with pytest.raises(Http404):
        q.membership_for_manager(nobody, w["memberships"][0].pk)
