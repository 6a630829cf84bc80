"""The named predicates and the access context's answers, on contexts built by hand (no database): what each
docstring states, for a grant, another service, another profile, several groups and no grant at all."""

import datetime

import pytest

from habilitations.access import predicates
from habilitations.access.context import ANONYMOUS, AccessContext, Grant

DAY = datetime.date(2026, 3, 2)


def grant(service, profile, group_id=1):
    return Grant(
        service=service,
        profile=profile,
        profile_libelle=profile,
        service_libelle=service,
        group_id=group_id,
        group_code=f"G{group_id}",
        group_libelle=f"Groupe {group_id}",
        convention_id=1,
        organism_id=1,
        until=None,
    )


T1 = grant("CDAP", "T1-ASS", 1)
T1_AGAIN = grant("CDAP", "T1-ASS", 2)  # the same profile through a second group
T2 = grant("CDAP", "T2-CAF", 3)
AFAS = grant("AFAS", "AFAS-DECLARER", 4)
ACCESS = AccessContext(user_id=7, day=DAY, grants=(T1, AFAS, T1_AGAIN, T2))


def test_a_service_is_usable_through_one_of_its_grants_only():
    assert predicates.can_use_service(ACCESS, "CDAP") and predicates.can_use_service(ACCESS, "AFAS")
    assert not predicates.can_use_service(ACCESS, "DGFIP")
    assert not predicates.can_use_service(ANONYMOUS, "CDAP")
    assert ACCESS.services == frozenset({"CDAP", "AFAS"}) and ANONYMOUS.services == frozenset()


@pytest.mark.parametrize(
    ("service", "profiles", "expected"),
    [
        ("CDAP", ["T1-ASS"], True),
        ("CDAP", ["T9-MJPM", "T2-CAF"], True),  # one of them is enough
        ("CDAP", ["T9-MJPM"], False),
        ("CDAP", ["AFAS-DECLARER"], False),  # a profile of another service
        ("AFAS", ["T1-ASS"], False),
        ("CDAP", [], False),
    ],
)
def test_a_profile_is_usable_only_for_its_service(service, profiles, expected):
    assert predicates.can_use_profile(ACCESS, service, profiles) is expected


def test_profiles_and_grants_of_a_service_in_order_without_duplicates():
    assert ACCESS.profiles("CDAP") == ["T1-ASS", "T2-CAF"]
    assert ACCESS.profiles("AFAS") == ["AFAS-DECLARER"] and ACCESS.profiles("DGFIP") == []
    assert ACCESS.grants_for("CDAP") == [T1, T1_AGAIN, T2] and ACCESS.grants_for("DGFIP") == []
    assert ACCESS.can_use("CDAP") and ACCESS.can_use("CDAP", "T2-CAF") and not ACCESS.can_use("AFAS", "T2-CAF")


@pytest.mark.parametrize(
    ("admin", "responsable", "manager"),
    [((), (), False), ((5,), (), True), ((), (9,), True), ((5,), (9,), True)],
)
def test_administrators_and_responsables_manage_habilitations_only_administrators_administer(
    admin, responsable, manager
):
    access = AccessContext(
        user_id=7, day=DAY, admin_organism_ids=frozenset(admin), responsable_group_ids=frozenset(responsable)
    )
    assert predicates.can_manage_habilitations(access) is manager
    assert predicates.is_administrator(access) is bool(admin)
    assert access.is_responsable is bool(responsable)
