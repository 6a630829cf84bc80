"""Phase 2 roles (issue 13.3): who may receive a role, the quotas and their French refusals, and THE rule « may act
as role R on activity A today » (habilitations.access.service_roles) as a matrix of the conditions it depends on."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from afas import selectors, services
from afas.models import RoleAssignment
from habilitations.access.context import access_context_for
from tests.afas.factories import DAY, TODAY, activity, afas_groups, declarer_of, site
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def moulins():
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    return {
        "group": declarer_group,
        "habiliter_group": habiliter_group,
        "organism": organism,
        "peri": activity(organism, "Péri Assoc"),
        "extra": activity(organism, "Extra Assoc", nature="EXTRASCOLAIRE"),
    }


def refusal(call, field):
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict[field]


# --- « may act as role R on activity A today »: the matrix ---------------------------------------------------

CASES = [
    # case, expected for (FDA on Péri, FDA on Extra, FDF on Péri)
    ("role_open", (True, False, False)),
    ("site_role", (True, False, False)),  # an FDA of Péri's site acts on Péri (on its site's data)
    ("role_ended_today", (False, False, False)),
    ("role_from_tomorrow", (False, False, False)),
    ("membership_closed_today", (False, False, False)),
    ("membership_from_tomorrow", (False, False, False)),
    ("group_closed", (False, False, False)),
    ("grant_closed", (False, False, False)),
    ("convention_not_valable", (False, False, False)),
    ("account_closed", (False, False, False)),
    ("only_habiliter", (False, False, False)),  # the service open through AFAS-HABILITER, which carries no role
]


def _prepare(case, w):
    user = declarer_of(w["group"])
    membership = user.memberships.get()
    if case == "site_role":
        services.role_assign(user=user, role="FDA", site=site(w["peri"], "Site Ecoles"))
        return user
    start = TODAY() + DAY if case == "role_from_tomorrow" else TODAY()
    assignment = services.role_assign(user=user, role="FDA", activity=w["peri"], date_ouverture=start)
    if case == "role_ended_today":
        services.role_end(assignment)
    elif case == "membership_closed_today":
        membership.date_cloture = TODAY()
        membership.save()
    elif case == "membership_from_tomorrow":
        membership.date_ouverture = TODAY() + DAY
        membership.save()
    elif case == "group_closed":
        w["group"].date_cloture = TODAY()
        w["group"].save()
    elif case == "grant_closed":
        w["group"].grants.update(date_cloture=TODAY())
    elif case == "convention_not_valable":
        w["group"].convention.__class__.objects.filter(pk=w["group"].convention_id).update(etat="EN_ATTENTE")
    elif case == "account_closed":
        user.date_cloture = TODAY()
        user.save()
    elif case == "only_habiliter":
        membership.date_cloture = TODAY()
        membership.save()
        member(user, w["habiliter_group"])
    return user


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[case for case, _ in CASES])
def test_may_act_as_role_on_activity_today(moulins, case, expected):
    user = _prepare(case, moulins)
    access = access_context_for(user)
    got = (
        selectors.may_act(access, "FDA", moulins["peri"]),
        selectors.may_act(access, "FDA", moulins["extra"]),
        selectors.may_act(access, "FDF", moulins["peri"]),
    )
    assert got == expected
    assert (list(selectors.roles_today(access)) != []) == expected[0]


def test_a_role_comes_back_with_a_reopened_membership_and_a_later_day_sees_a_future_role(moulins):
    user = declarer_of(moulins["group"])
    services.role_assign(user=user, role="FDF", activity=moulins["peri"], date_ouverture=TODAY() + DAY)
    assert not selectors.may_act(access_context_for(user), "FDF", moulins["peri"])
    assert selectors.may_act(access_context_for(user, TODAY() + DAY), "FDF", moulins["peri"])


def test_another_organisms_user_holding_a_row_gets_nothing(moulins):
    other_group, _ = afas_groups()
    stranger = declarer_of(other_group)
    # Written past the service (which refuses it): the rule itself gives nothing.
    RoleAssignment.objects.create(user=stranger, role="FDA", activity=moulins["peri"], date_ouverture=TODAY())
    assert not selectors.may_act(access_context_for(stranger), "FDA", moulins["peri"])


# --- Who may receive a role ----------------------------------------------------------------------------------


def test_only_a_declarer_of_the_organism_receives_a_role(moulins):
    not_declarer = UserFactory(organism=moulins["organism"])
    assert (
        "AFAS-DECLARER"
        in refusal(lambda: services.role_assign(user=not_declarer, role="FDA", activity=moulins["peri"]), "user")[0]
    )
    habiliter = UserFactory(organism=moulins["organism"])
    member(habiliter, moulins["habiliter_group"])
    assert refusal(lambda: services.role_assign(user=habiliter, role="FDA", activity=moulins["peri"]), "user")
    other_group, _ = afas_groups()
    stranger = declarer_of(other_group)
    assert refusal(lambda: services.role_assign(user=stranger, role="FDA", activity=moulins["peri"]), "user") == [
        "Cet utilisateur n'appartient pas au partenaire de l'activité."
    ]
    leaving = declarer_of(moulins["group"])
    leaving.memberships.update(date_cloture=TODAY() + DAY)
    assert refusal(
        lambda: services.role_assign(
            user=leaving, role="FDA", activity=moulins["peri"], date_ouverture=TODAY() + 2 * DAY
        ),
        "user",
    )
    assert not RoleAssignment.objects.exists()


def test_bad_roles_dates_and_scopes_are_refused(moulins):
    user = declarer_of(moulins["group"])
    ecoles = site(moulins["peri"], "Site Ecoles")
    assert refusal(lambda: services.role_assign(user=user, role="CHEF", activity=moulins["peri"]), "role")
    assert (
        "seul le rôle de fournisseur de données d'activité"
        in refusal(lambda: services.role_assign(user=user, role="APPROBATEUR", site=ecoles), "role")[0]
    )
    assert refusal(
        lambda: services.role_assign(user=user, role="FDA", activity=moulins["peri"], date_ouverture=TODAY() - DAY),
        "date_ouverture",
    ) == ["La date de début ne peut pas être antérieure à aujourd'hui."]
    closed = activity(moulins["organism"], "Fermée", date_cloture=TODAY())
    assert refusal(lambda: services.role_assign(user=user, role="FDA", activity=closed), "activity") == [
        "L'activité « Fermée » n'est pas ouverte à cette date."
    ]
    assert refusal(lambda: services.role_assign(user=user, role="FDA"), "activity")
    assert not RoleAssignment.objects.exists()


# --- Quotas --------------------------------------------------------------------------------------------------


def test_a_third_fda_is_refused_with_the_activity_and_its_holders(moulins):
    first = declarer_of(moulins["group"], nom="Masson", prenom="Camille")
    second = declarer_of(moulins["group"], nom="Robin", prenom="Jean-Baptiste")
    third = declarer_of(moulins["group"])
    services.role_assign(user=first, role="FDA", activity=moulins["peri"])
    services.role_assign(user=second, role="FDA", activity=moulins["peri"])
    message = refusal(lambda: services.role_assign(user=third, role="FDA", activity=moulins["peri"]), "activity")
    assert message == [
        "L'activité « Péri Assoc » a déjà 2 fournisseurs de données d'activité sur cette période : Masson Camille, "
        "Robin Jean-Baptiste. Terminez l'une de ces habilitations avant d'en attribuer une autre."
    ]
    # Another activity, another role, or a day after one of them ends: accepted.
    services.role_assign(user=third, role="FDA", activity=moulins["extra"])
    services.role_assign(user=third, role="FDF", activity=moulins["peri"])
    services.role_end(RoleAssignment.objects.get(user=first, activity=moulins["peri"], role="FDA"))
    services.role_assign(user=third, role="FDA", activity=moulins["peri"])
    assert RoleAssignment.objects.filter(activity=moulins["peri"], role="FDA").count() == 3


@pytest.mark.parametrize(("role", "places"), [("FDA", 2), ("FDF", 2), ("FDI", 1), ("APPROBATEUR", 1)])
def test_the_quota_of_each_role_on_an_activity(moulins, role, places):
    users = [declarer_of(moulins["group"]) for _ in range(places + 1)]
    for user in users[:places]:
        services.role_assign(user=user, role=role, activity=moulins["peri"])
    assert (
        f"a déjà {places} "
        in refusal(lambda: services.role_assign(user=users[places], role=role, activity=moulins["peri"]), "activity")[
            0
        ]
    )


def test_one_or_two_fda_per_site_besides_the_activitys_own(moulins):
    ecoles = site(moulins["peri"], "Site Ecoles")
    users = [declarer_of(moulins["group"]) for _ in range(3)]
    services.role_assign(user=users[0], role="FDA", activity=moulins["peri"])
    services.role_assign(user=users[1], role="FDA", activity=moulins["peri"])
    services.role_assign(user=users[0], role="FDA", site=ecoles)
    services.role_assign(user=users[1], role="FDA", site=ecoles)
    message = refusal(lambda: services.role_assign(user=users[2], role="FDA", site=ecoles), "site")[0]
    assert message.startswith("Le lieu d'implantation « Site Ecoles » de l'activité « Péri Assoc » a déjà 2 ")


def test_one_person_may_hold_every_role_but_not_one_role_twice(moulins):
    user = declarer_of(moulins["group"])
    for role in ("FDA", "FDF", "FDI", "APPROBATEUR"):
        services.role_assign(user=user, role=role, activity=moulins["peri"])
    services.role_assign(user=user, role="FDA", site=site(moulins["peri"]))
    assert (
        "a déjà ce rôle sur cette période"
        in refusal(lambda: services.role_assign(user=user, role="FDA", activity=moulins["peri"]), "user")[0]
    )
    access = access_context_for(user)
    assert all(selectors.may_act(access, role, moulins["peri"]) for role in ("FDA", "FDF", "FDI", "APPROBATEUR"))


def test_a_planned_role_counts_from_its_start_only(moulins):
    users = [declarer_of(moulins["group"]) for _ in range(2)]
    ended = services.role_assign(
        user=users[0], role="APPROBATEUR", activity=moulins["peri"], date_cloture=TODAY() + 10 * DAY
    )
    assert ended.date_cloture
    assert refusal(
        lambda: services.role_assign(
            user=users[1], role="APPROBATEUR", activity=moulins["peri"], date_ouverture=TODAY() + 9 * DAY
        ),
        "activity",
    )
    services.role_assign(
        user=users[1], role="APPROBATEUR", activity=moulins["peri"], date_ouverture=TODAY() + 10 * DAY
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraints are PostgreSQL's")
def test_postgresql_holds_the_places_whatever_writes(moulins):
    users = [declarer_of(moulins["group"]) for _ in range(2)]
    RoleAssignment.objects.create(user=users[0], role="FDI", activity=moulins["peri"], date_ouverture=TODAY())
    with pytest.raises(IntegrityError, match="afas_role_activity_places"), transaction.atomic():
        RoleAssignment.objects.create(
            user=users[1], role="FDI", activity=moulins["peri"], date_ouverture=TODAY() + 5 * DAY
        )
    with pytest.raises(IntegrityError, match="afas_role_slot_in_quota"), transaction.atomic():
        RoleAssignment.objects.create(
            user=users[1], role="FDI", activity=moulins["peri"], slot=2, date_ouverture=TODAY()
        )
    RoleAssignment.objects.create(user=users[0], role="FDF", activity=moulins["peri"], date_ouverture=TODAY())
    with pytest.raises(IntegrityError, match="afas_role_activity_once"), transaction.atomic():
        RoleAssignment.objects.create(
            user=users[0], role="FDF", activity=moulins["peri"], slot=2, date_ouverture=TODAY()
        )
    # Ended the day before the next one starts: no overlap ([) ranges).
    RoleAssignment.objects.filter(user=users[0], role="FDI").update(date_cloture=TODAY() + 5 * DAY)
    RoleAssignment.objects.create(
        user=users[1], role="FDI", activity=moulins["peri"], date_ouverture=TODAY() + 5 * DAY
    )
