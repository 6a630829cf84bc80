"""Issue 26: a lost race answers like validation. Twenty requests race over HTTP for one write that a database
constraint holds (the same group code, the same membership, the same administrator role, the same grant), each
from its own client and database connection, released together: exactly one succeeds, the nineteen others get
the form again with the rule's French message next to its field, none a 500, and one row is written."""

import html
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from habilitations.models import GroupGrant, Membership, OrganismAdministrator, UserGroup
from tests.factories import ConventionFactory, UserFactory, convention_profile
from tests.habilitations.test_admin import administrator_data
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import create_url, grants_url, group_form
from tests.habilitations.test_memberships_views import add_form, add_url
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db(transaction=True)

CONTENDERS = 20
# A race the database has to settle is likely, not certain, in one round (the checks may run after the winner's
# commit): three rounds make a run that never reaches the constraint very unlikely.
ROUNDS = 3
TODAY = timezone.localdate


def race(logged_in: Client, url: str, payloads: list[dict]) -> list:
    """POST each payload to `url` from its own client sharing `logged_in`'s session, each in its own thread (its
    own database connection), released together by a barrier. A 500 comes back as a response, never raised."""
    barrier = threading.Barrier(len(payloads))

    def contend(data):
        client = Client(raise_request_exception=False)
        client.cookies = logged_in.cookies
        try:
            barrier.wait(timeout=30)
            return client.post(url, data)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(contend, payloads))


def errors_of(response, field: str) -> list[str]:
    """The messages shown next to the form field `field` (Django renders them in ul#id_<field>_error)."""
    match = re.search(rf'id="id_{field}_error">(.*?)</ul>', html.unescape(response.content.decode()), re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def assert_one_winner(responses, field: str, messages: set[str]) -> None:
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {302: 1, 200: len(responses) - 1}, statuses
    for response in responses:
        if response.status_code == 200:
            shown = errors_of(response, field)
            assert shown and set(shown) <= messages, html.unescape(response.content.decode())[:3000]


@pytest.fixture
def world():
    return World()


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_twenty_creations_of_one_group_code(world, round_):
    payload = group_form(code="RACE", responsable=world.loner.pk)
    responses = race(manager_client(world.admin), create_url(world), [payload] * CONTENDERS)
    assert_one_winner(responses, "code", {"Un groupe ouvert de la convention porte déjà ce code."})
    assert UserGroup.objects.filter(convention=world.convention, code="RACE").count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_twenty_assignments_of_one_profile_to_a_group(world, round_):
    cp = convention_profile(world.convention, "T2")
    responses = race(
        manager_client(world.admin),
        grants_url(world.t1),
        [{"action": "enregistrer", "ajout": cp.pk}] * CONTENDERS,
    )
    assert_one_winner(responses, "convention_profile", {"Le groupe détient déjà ce profil."})
    assert GroupGrant.objects.filter(group=world.t1, convention_profile=cp).count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_twenty_additions_of_one_user_to_a_group(world, round_):
    responses = race(manager_client(world.admin), add_url(world), [add_form(world.loner, world.t1)] * CONTENDERS)
    assert_one_winner(responses, "group", {"Cet utilisateur appartient déjà à ce groupe sur cette période."})
    assert Membership.objects.filter(user=world.loner, group=world.t1).count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_twenty_agents_requests_naming_the_principal_administrator(client, login, round_):
    """Each request names a different user of the organism: the role is the contended row."""
    organism = ConventionFactory().organism
    candidates = [UserFactory(organism=organism) for _ in range(CONTENDERS)]
    enrol(client, login, UserFactory(agent=True))
    payloads = [
        administrator_data(organism, "PRINCIPAL", user=user.pk, nom="", prenom="", email="", email_confirmation="")
        for user in candidates
    ]
    responses = race(client, "/admin/habilitations/organismadministrator/add/", payloads)
    assert_one_winner(
        responses,
        "role",
        {
            "L'organisme a déjà deux administrateurs (un principal et un suppléant) sur cette période.",
            "L'organisme a déjà un administrateur avec ce rôle sur cette période.",
        },
    )
    assert OrganismAdministrator.objects.filter(organism=organism, role="PRINCIPAL").count() == 1
