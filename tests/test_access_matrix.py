"""The access matrix: every URL of the project × every role → the expected answer.

A test walks the URL resolver and fails when a URL name is missing from MATRIX. Object URLs are filled with the
objects of organism A; the administrator of organism B must get 404 on them (same answer as "does not exist").
The Django admin guards itself (staff + second factor + per-Caf querysets) and is covered by its own tests.
"""

import pytest
from django.test import Client
from django.urls import reverse

from cdap.models import Consultation, Dossier
from habilitations.models import Caf, OrganismAdministrator
from tests.factories import ConventionFactory, GroupFactory, UserFactory, grant, member
from tests.support.access import all_url_names, verified_client

ROLES = [
    "anonyme",
    "sans_groupe",
    "utilisateur_t1",
    "responsable",
    "administrateur",
    "admin_autre_organisme",
    "agent_autre_caf",
    "agent_caf",
    "superutilisateur",
]

L, H, R = "login", "home", "redirect"  # redirected to the login page, to the home page, elsewhere
OK, DENIED, MISSING, METHOD = 200, 403, 404, 405

ALL_OK = (OK,) * 9
LOGGED_OK = (L,) + (OK,) * 8
MANAGER_LIST = (L, DENIED, DENIED, OK, OK, OK, DENIED, DENIED, DENIED)
MANAGER_OBJECT = (L, DENIED, DENIED, OK, OK, MISSING, DENIED, DENIED, DENIED)
ADMIN_OBJECT = (L, DENIED, DENIED, DENIED, OK, MISSING, DENIED, DENIED, DENIED)
CDAP_OBJECT = (L, DENIED, MISSING, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)

# url name → (kwargs builder key, outcome per role in ROLES order)
MATRIX = {
    "portal:accueil": (None, ALL_OK),
    "portal:ma_caf": (None, ALL_OK),
    "portal:regles_usage": (None, ALL_OK),
    "portal:accessibilite": (None, ALL_OK),
    "portal:informatique_libertes": (None, ALL_OK),
    "portal:probleme_connexion": (None, ALL_OK),
    "portal:faq": (None, ALL_OK),  # « Questions / Réponses » (issue 23.5): public
    "portal:guide_pdf": ("guide", ALL_OK),
    "portal:document_pdf": ("document", ALL_OK),
    "portal:login": (None, (OK,) + (H,) * 8),
    "portal:login_bailleur": (None, (OK,) + (H,) * 8),
    "portal:logout": (None, (L,) + (METHOD,) * 8),
    "portal:password_forgotten": (None, ALL_OK),
    "portal:password_forgotten_done": (None, ALL_OK),
    "portal:password_first": (None, (L,) + (H,) * 8),
    "portal:otp_verify": (None, (L,) + (H,) * 8),
    "portal:otp_setup": (None, (L, OK, OK, OK, R, R, R, R, R)),
    "portal:session_prolong": (None, (L,) + (METHOD,) * 8),
    "portal:home": (None, LOGGED_OK),
    "portal:profile": (None, LOGGED_OK),
    "portal:password_change": (None, LOGGED_OK),
    "portal:profile_email": (None, LOGGED_OK),
    "portal:profile_email_confirm": ("token", (L,) + (R,) * 8),
    "portal:profile_phone": (None, LOGGED_OK),
    "portal:backup_codes": (None, (L,) + (METHOD,) * 8),
    # « Signaler un changement d'administrateur »: administrators only (of any organism: the form offers theirs).
    "portal:administrator_change": (None, (L, DENIED, DENIED, DENIED, OK, OK, DENIED, DENIED, DENIED)),
    "portal:caf_contact": (None, LOGGED_OK),  # « Contacter ma Caf » (issue 21.15): every logged-in user
    # Services not built yet: their page, for their users only (none of these roles holds them; see
    # tests/portal/test_service_pages.py).
    "portal:service_dgfip": (None, (L,) + (DENIED,) * 8),
    "portal:service_supervision_dgfip": (None, (L,) + (DENIED,) * 8),
    "habilitations:index": (None, (L, DENIED, DENIED, R, R, R, DENIED, DENIED, DENIED)),
    "habilitations:organisms": (None, MANAGER_LIST),
    "habilitations:conventions": (None, MANAGER_LIST),
    "habilitations:partner_types": (None, MANAGER_LIST),
    "habilitations:convention_detail": ("convention", MANAGER_OBJECT),
    "habilitations:convention_pdf": ("convention", MANAGER_OBJECT),
    "habilitations:my_users": (None, (L, DENIED, DENIED, R, R, R, DENIED, DENIED, DENIED)),
    "habilitations:users": ("convention", MANAGER_OBJECT),
    "habilitations:user_create": ("convention", MANAGER_OBJECT),
    "habilitations:user_detail": ("user", MANAGER_OBJECT),
    "habilitations:user_update": ("user", ADMIN_OBJECT),
    "habilitations:user_close": ("user", ADMIN_OBJECT),
    "habilitations:user_resend_identifiant": (
        "user",
        (L, DENIED, DENIED, METHOD, METHOD, METHOD, DENIED, DENIED, DENIED),
    ),
    "habilitations:groups": ("convention", MANAGER_OBJECT),
    "habilitations:group_create": ("convention", ADMIN_OBJECT),
    "habilitations:group_update": ("group", ADMIN_OBJECT),
    "habilitations:group_grants": ("group", ADMIN_OBJECT),
    "habilitations:group_profiles_options": ("group", ADMIN_OBJECT),
    "habilitations:group_memberships": ("group", MANAGER_OBJECT),
    "habilitations:membership_add": ("convention", MANAGER_OBJECT),
    "habilitations:user_memberships": ("user", MANAGER_OBJECT),
    "habilitations:membership_update": ("membership", MANAGER_OBJECT),
    # « Habilitations non utilisées depuis 12 mois » (issue 23.3): the convention's managers.
    "habilitations:unused_memberships": ("convention", MANAGER_OBJECT),
    "habilitations:import_upload": ("convention", ADMIN_OBJECT),
    "habilitations:import_template": ("convention_csv", ADMIN_OBJECT),
    # An unknown (or another administrator's) import token: nothing to apply.
    "habilitations:import_apply": (
        "convention_token",
        (L, DENIED, DENIED, DENIED, MISSING, MISSING, DENIED, DENIED, DENIED),
    ),
    "habilitations:import_report": (
        "convention_token",
        (L, DENIED, DENIED, DENIED, MISSING, MISSING, DENIED, DENIED, DENIED),
    ),
    # SUPERVISION_CDAP is held by none of the roles: every logged-in role is refused
    # (see tests/cdap/test_supervision.py).
    "supervision_cdap:consultations": (None, (L,) + (DENIED,) * 8),
    "supervision_cdap:counts": (None, (L,) + (DENIED,) * 8),
    "supervision_cdap:export": (None, (L,) + (DENIED,) * 8),
    "supervision_cdap:export_xlsx": (None, (L,) + (DENIED,) * 8),
    # Consulter Dossier: the T1 user only; a consultation reference of another user answers 404 even to a T1 user.
    "cdap:search": (None, (L, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "cdap:dialogue_new": (None, (L, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "cdap:synthese": ("consultation", CDAP_OBJECT),
    "cdap:rubric": ("consultation_rubric", CDAP_OBJECT),
    "cdap:attestation": ("consultation", CDAP_OBJECT),
    "cdap:dialogue": ("consultation", CDAP_OBJECT),
    # "Aide en ligne": CDAP users only; a rubric's help, only if one of their profiles opens it (else 404, see
    # tests/cdap/test_help.py).
    "cdap:aide": (None, (L, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "cdap:aide_dialogue": (None, (L, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)),
    "cdap:aide_rubrique": ("help_rubric", (L, DENIED, OK, DENIED, DENIED, DENIED, DENIED, DENIED, DENIED)),
    # ADONIS: none of these roles is a SAAD (SAAD users: tests/adonis/test_access_matrix_adonis.py).
    "adonis:accueil": (None, (L,) + (DENIED,) * 8),
    "adonis:famille": ("adonis_lookup", (L,) + (DENIED,) * 8),
    "adonis:demande_nouvelle": ("adonis_lookup", (L,) + (DENIED,) * 8),
    "adonis:demandes": (None, (L,) + (DENIED,) * 8),
    "adonis:demande": ("adonis_request", (L,) + (DENIED,) * 8),
    "adonis:decision": ("adonis_request", (L,) + (DENIED,) * 8),
    # AFAS: none of these roles holds it (its own roles: tests/afas/test_access_matrix_afas.py).
    "afas:accueil": (None, (L,) + (DENIED,) * 8),
    "afas:profils": (None, (L,) + (DENIED,) * 8),
    "afas:habiliter": (None, (L,) + (DENIED,) * 8),
    "afas:role_end": ("afas_role", (L,) + (DENIED,) * 8),
    # Espace Bailleur: none of these roles is a landlord (landlords: tests/bailleur/test_access_matrix_bailleur.py).
    "bailleur:accueil": (None, (L,) + (DENIED,) * 8),
    "bailleur:locataires": (None, (L,) + (DENIED,) * 8),
    "bailleur:locataire": ("tenancy", (L,) + (DENIED,) * 8),
    "bailleur:paiements": (None, (L,) + (DENIED,) * 8),
    "bailleur:paiements_export": (None, (L,) + (DENIED,) * 8),
    "bailleur:paiements_export_xlsx": (None, (L,) + (DENIED,) * 8),
    "captcha-image": ("captcha", (410,) * 9),  # django-simple-captcha: an unknown key is "gone"
    "captcha-image-2x": ("captcha", (410,) * 9),
    "captcha-audio": ("captcha", (MISSING,) * 9),
    "captcha-refresh": (None, (MISSING,) * 9),
}


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - set(MATRIX)
    assert not missing, f"URLs missing from the access matrix: {sorted(missing)}"
    stale = set(MATRIX) - all_url_names()
    assert not stale, f"URLs of the matrix that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(db):
    """Organism A (with a T1 group, its responsable, a member, a user without group and an administrator),
    organism B with its administrator, Caf agents of A's Caf and of another Caf, a superuser."""
    group = GroupFactory(code="T1", libelle="CDAP T1")
    convention = group.convention
    organism = convention.organism
    t1 = UserFactory(organism=organism)
    grant(group, "T1-ASS")
    membership = member(t1, group)
    admin = UserFactory(organism=organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=organism, user=admin, role="PRINCIPAL")
    other = ConventionFactory()
    other_admin = UserFactory(organism=other.organism, is_partner_admin=True)
    OrganismAdministrator.objects.create(organism=other.organism, user=other_admin, role="PRINCIPAL")
    users = {
        "sans_groupe": UserFactory(organism=organism),
        "utilisateur_t1": t1,
        "responsable": group.responsable,
        "administrateur": admin,
        "admin_autre_organisme": other_admin,
        "agent_autre_caf": UserFactory(agent=True, caf=Caf.objects.get(code="831")),
        "agent_caf": UserFactory(agent=True),
        "superutilisateur": UserFactory(agent=True, is_superuser=True),
    }
    # A consultation of another T1 user of the same organism: never reachable by utilisateur_t1.
    colleague = UserFactory(organism=organism)
    member(colleague, group)
    dossier = Dossier.objects.create(caf=Caf.objects.get(code="061"), numero="7654321")
    consultation = Consultation.objects.create(
        user=colleague, dossier=dossier, profile_code="T1-ASS", organism=organism
    )
    kwargs = {
        None: {},
        "consultation": {"reference": consultation.reference},
        "consultation_rubric": {"reference": consultation.reference, "rubric": "paiements"},
        "help_rubric": {"rubric": "paiements"},
        "convention": {"convention_id": convention.pk},
        "convention_token": {"convention_id": convention.pk, "token": "inconnu"},
        "convention_csv": {"convention_id": convention.pk, "file_format": "csv"},
        "user": {"user_id": t1.pk},
        "group": {"group_id": group.pk},
        "membership": {"membership_id": membership.pk},
        "token": {"token": "jeton-invalide"},
        "captcha": {"key": "inconnue"},
        "guide": {"slug": "administrateur"},
        "tenancy": {"housing_id": 1},
        "afas_role": {"pk": 1},
        "adonis_lookup": {"reference": "7f6d3c1e-1c2b-4e8a-9d0f-2a4b6c8d0e1f"},
        "adonis_request": {"request_id": 1},
        "document": {"caf_code": "061", "slug": "convention-d-acces"},
    }
    return {"users": users, "kwargs": kwargs}


def outcome(response):
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/connexion/"):
            return L
        if location == "/accueil/":
            return H
        return R
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, role):
    client = Client() if role == "anonyme" else verified_client(world["users"][role])
    index = ROLES.index(role)
    wrong = []
    for name, (kwargs_key, expected) in MATRIX.items():
        url = reverse(name, kwargs=world["kwargs"][kwargs_key])
        got = outcome(client.get(url))
        if got != expected[index]:
            wrong.append(f"{name} ({url}): expected {expected[index]}, got {got}")
    assert not wrong, f"role {role}:\n" + "\n".join(wrong)
