"""AFAS's URLs × AFAS's own roles (issue 13): the main matrix (tests/test_access_matrix.py) holds no AFAS role, so
each AFAS URL is tried here as an AFAS-DECLARER member without a role, an FDA, an approbateur, an AFAS-HABILITER
user, a declarer of another organism, a T1 user and the organism's administrator. An AFAS URL missing here fails."""

import pytest
from django.urls import reverse

from afas import services
from habilitations.models import OrganismAdministrator
from tests.afas.factories import activity, afas_groups, declarer_of
from tests.factories import UserFactory, grant, member
from tests.support.access import all_url_names, verified_client

pytestmark = pytest.mark.django_db

ROLES = [
    "declarant_sans_role",
    "fda",
    "approbateur",
    "habiliter",
    "declarant_autre_organisme",
    "habiliter_autre_organisme",
    "t1",
    "administrateur",
]
OK, DENIED, MISSING = 200, 403, 404
HABILITER_ONLY = (DENIED, DENIED, DENIED, OK, DENIED, OK, DENIED, DENIED)
AFAS_MATRIX = {
    "afas:accueil": (None, (OK, OK, OK, OK, OK, OK, DENIED, DENIED)),
    # « Administration des profils »: AFAS-HABILITER only; another partner's role is not found.
    "afas:profils": (None, HABILITER_ONLY),
    "afas:habiliter": (None, HABILITER_ONLY),
    "afas:role_end": ("role", (DENIED, DENIED, DENIED, OK, DENIED, MISSING, DENIED, DENIED)),
}


def test_every_afas_url_is_in_the_matrix():
    assert {name for name in all_url_names() if name.startswith("afas:")} == set(AFAS_MATRIX)


@pytest.fixture
def world():
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    peri = activity(organism)
    fda, approbateur = declarer_of(declarer_group), declarer_of(declarer_group)
    fda_role = services.role_assign(user=fda, role="FDA", activity=peri)
    services.role_assign(user=approbateur, role="APPROBATEUR", activity=peri)
    habiliter = UserFactory(organism=organism)
    member(habiliter, habiliter_group)
    other_group, other_habiliter_group = afas_groups()
    other_habiliter = UserFactory(organism=other_group.convention.organism)
    member(other_habiliter, other_habiliter_group)
    t1 = UserFactory(organism=organism)
    t1_group = declarer_group.__class__.objects.create(
        convention=declarer_group.convention, code="T1", libelle="CDAP T1", responsable=t1
    )
    grant(t1_group, "T1-ASS")
    member(t1, t1_group)
    admin = UserFactory(organism=organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=organism, user=admin, role="PRINCIPAL")
    users = {
        "declarant_sans_role": declarer_of(declarer_group),
        "fda": fda,
        "approbateur": approbateur,
        "habiliter": habiliter,
        "declarant_autre_organisme": declarer_of(other_group),
        "habiliter_autre_organisme": other_habiliter,
        "t1": t1,
        "administrateur": admin,
    }
    return {"users": users, "kwargs": {None: {}, "role": {"pk": fda_role.pk}}}


@pytest.mark.parametrize("role", ROLES)
def test_afas_access_matrix(world, role):
    client = verified_client(world["users"][role])
    index = ROLES.index(role)
    wrong = []
    for name, (kwargs_key, expected) in AFAS_MATRIX.items():
        got = client.get(reverse(name, kwargs=world["kwargs"][kwargs_key])).status_code
        if got != expected[index]:
            wrong.append(f"{name}: expected {expected[index]}, got {got}")
    assert not wrong, f"role {role}:\n" + "\n".join(wrong)
