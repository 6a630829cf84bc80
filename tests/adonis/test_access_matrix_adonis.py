"""ADONIS's URLs × the people who reach them or must not (issue 15): the main matrix (tests/test_access_matrix.py)
holds no SAAD, so each ADONIS URL is tried here as a SAAD user, a SAAD user of another organism (its objects: 404),
a CDAP-only user and the agent of another Caf (refused). An ADONIS URL missing here fails."""

import pytest
from django.urls import reverse

from habilitations.models import Caf
from tests.adonis.factories import lookup, request, saad_user
from tests.factories import UserFactory, habilitated_user
from tests.support.access import all_url_names, verified_client

pytestmark = pytest.mark.django_db

ROLES = ["saad", "autre_saad", "utilisateur_cdap", "agent_autre_caf"]
OK, FOUND, DENIED, MISSING, METHOD = 200, 302, 403, 404, 405
ADONIS_MATRIX = {
    "adonis:accueil": (None, (OK, OK, DENIED, DENIED)),
    "adonis:famille": ("lookup", (OK, MISSING, DENIED, DENIED)),
    "adonis:demande_nouvelle": ("lookup", (OK, MISSING, DENIED, DENIED)),
    "adonis:demandes": (None, (OK, OK, DENIED, DENIED)),
    "adonis:demande": ("request", (OK, MISSING, DENIED, DENIED)),
    # POST only: a GET goes back to the request's page
    "adonis:decision": ("request", (FOUND, MISSING, DENIED, DENIED)),
}


def test_every_adonis_url_is_in_the_matrix():
    assert {name for name in all_url_names() if name.startswith("adonis:")} == set(ADONIS_MATRIX)


@pytest.fixture
def world():
    user, organism = saad_user()
    other, _ = saad_user()
    cdap, _ = habilitated_user("T1-ASS")
    users = {
        "saad": user,
        "autre_saad": other,
        "utilisateur_cdap": cdap,
        "agent_autre_caf": UserFactory(agent=True, caf=Caf.objects.get(code="831")),
    }
    kwargs = {
        None: {},
        "lookup": {"reference": lookup(user, organism).reference},
        "request": {"request_id": request(user, organism).pk},
    }
    return {"users": users, "kwargs": kwargs}


@pytest.mark.parametrize("role", ROLES)
def test_adonis_access_matrix(world, role):
    client = verified_client(world["users"][role])
    index = ROLES.index(role)
    wrong = []
    for name, (kwargs_key, expected) in ADONIS_MATRIX.items():
        got = client.get(reverse(name, kwargs=world["kwargs"][kwargs_key])).status_code
        if got != expected[index]:
            wrong.append(f"{name}: expected {expected[index]}, got {got}")
    assert not wrong, f"role {role}:\n" + "\n".join(wrong)


def test_another_users_lookup_of_the_same_saad_is_not_found(world):
    """A look-up is its user's own: a colleague of the same SAAD gets 404 on it."""
    saad = world["users"]["saad"]
    colleague = UserFactory(organism=saad.organism)
    from habilitations.models import UserGroup
    from tests.factories import member

    member(colleague, UserGroup.objects.get(memberships__user=saad))
    client = verified_client(colleague)
    assert client.get(reverse("adonis:famille", kwargs=world["kwargs"]["lookup"])).status_code == MISSING
    assert client.get(reverse("adonis:demande", kwargs=world["kwargs"]["request"])).status_code == OK
