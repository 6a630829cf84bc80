"""The Espace Bailleur's URLs × the landlords (issue 14.1, 14.4): the main matrix (tests/test_access_matrix.py) holds
no landlord, so each Bailleur URL is tried here as the landlord, another landlord (its tenancy URLs answer 404),
a partner user of CDAP T1 and a partner administrator (refused). A Bailleur URL missing here fails. And a landlord
reaches nothing else of the portal: every service's URL refuses it."""

import pytest
from django.urls import reverse

from habilitations.models import OrganismAdministrator
from tests.bailleur.factories import landlord, tenancy
from tests.factories import UserFactory, habilitated_user
from tests.support.access import all_url_names, verified_client

pytestmark = pytest.mark.django_db

ROLES = ["bailleur", "autre_bailleur", "utilisateur_t1", "administrateur"]
OK, DENIED, MISSING = 200, 403, 404
BAILLEUR_MATRIX = {
    "bailleur:accueil": (None, (OK, OK, DENIED, DENIED)),
    "bailleur:locataires": (None, (OK, OK, DENIED, DENIED)),
    "bailleur:locataire": ("tenancy", (OK, MISSING, DENIED, DENIED)),
    # Another landlord gets its own payments (none here): nothing of this one's (tests/bailleur/test_paiements.py).
    "bailleur:paiements": (None, (OK, OK, DENIED, DENIED)),
    "bailleur:paiements_export": (None, (OK, OK, DENIED, DENIED)),
    "bailleur:paiements_export_xlsx": (None, (OK, OK, DENIED, DENIED)),
}
# The other services' pages, as a landlord must find them: refused.
OTHER_SERVICES = [
    "cdap:search",
    "cdap:dialogue_new",
    "cdap:aide",
    "supervision_cdap:consultations",
    "afas:accueil",
    "adonis:accueil",
    "adonis:demandes",
    "portal:service_dgfip",
    "portal:service_supervision_dgfip",
    "habilitations:index",
    "habilitations:organisms",
    "habilitations:my_users",
    "portal:administrator_change",
]


def test_every_bailleur_url_is_in_the_matrix():
    assert {name for name in all_url_names() if name.startswith("bailleur:")} == set(BAILLEUR_MATRIX)


@pytest.fixture
def world():
    user, organism = landlord()
    other, _ = landlord()
    t1, group = habilitated_user("T1-ASS")
    admin = UserFactory(organism=group.convention.organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=group.convention.organism, user=admin, role="PRINCIPAL")
    users = {"bailleur": user, "autre_bailleur": other, "utilisateur_t1": t1, "administrateur": admin}
    kwargs = {None: {}, "tenancy": {"housing_id": tenancy(organism).pk}}
    return {"users": users, "kwargs": kwargs}


@pytest.mark.parametrize("role", ROLES)
def test_bailleur_access_matrix(world, role):
    client = verified_client(world["users"][role])
    index = ROLES.index(role)
    wrong = []
    for name, (kwargs_key, expected) in BAILLEUR_MATRIX.items():
        got = client.get(reverse(name, kwargs=world["kwargs"][kwargs_key])).status_code
        if got != expected[index]:
            wrong.append(f"{name}: expected {expected[index]}, got {got}")
    assert not wrong, f"role {role}:\n" + "\n".join(wrong)


def test_a_landlord_reaches_nothing_else_of_the_portal(world):
    client = verified_client(world["users"]["bailleur"])
    reached = {name: client.get(reverse(name)).status_code for name in OTHER_SERVICES}
    assert {name: code for name, code in reached.items() if code not in (DENIED, MISSING)} == {}
    assert client.get(reverse("bailleur:accueil")).status_code == OK
