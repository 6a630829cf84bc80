"""`manage.py seed_demo`: the demo world, idempotent, without e-mail; the README's accounts exist and have the
access the README says; `--users N` is fast and idempotent."""

import io
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.management import call_command

from core.mail.models import OutgoingEmail
from habilitations.access.context import access_context_for
from habilitations.accounts import IDENTIFIANT_ALPHABET
from habilitations.demo import DEMO_PASSWORD, demo_accounts
from habilitations.journal import JournalEntry
from habilitations.models import (
    Convention,
    ConventionDocument,
    ConventionProfile,
    GroupGrant,
    IssuedIdentifiant,
    Membership,
    Organism,
    OrganismAdministrator,
    Profile,
    User,
    UserGroup,
)
from habilitations.reference import cdap_profile_rows
from habilitations.selectors import documents_missing

pytestmark = pytest.mark.django_db

README = Path(settings.BASE_DIR) / "README.md"
COUNTED = [
    User,
    IssuedIdentifiant,
    Organism,
    Convention,
    ConventionProfile,
    ConventionDocument,
    OrganismAdministrator,
    UserGroup,
    GroupGrant,
    Membership,
    JournalEntry,
    OutgoingEmail,
]


def seed(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in COUNTED}


def readme_rows() -> list[tuple[str, str, str, str]]:
    """The demo accounts table of the README: (identifiant, rôle, profil, organisme)."""
    section = README.read_text(encoding="utf-8").split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Z0-9]+)` \| (.+?) \| (.+?) \| (.+?) \|$", section, flags=re.MULTILINE)


@pytest.fixture
def seeded():
    seed()


def test_seed_demo_is_idempotent_and_prints_the_accounts():
    output, _ = seed()
    first = counts()
    passwords = dict(User.objects.values_list("identifiant", "password"))
    output_again, _ = seed()
    assert counts() == first
    assert dict(User.objects.values_list("identifiant", "password")) == passwords
    assert first["Organism"] >= 8 and first["User"] == len(demo_accounts())
    for text in (output, output_again):
        assert (
            "ACC061ADMN" in text
            and "ACC061T" in text
            and f"Mot de passe de démonstration commun : {DEMO_PASSWORD}" in text
        )


def test_the_seed_sends_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()
    # Only the help blocks' cache refreshes of the Cafs whose coordinates the seed filled (portal.help.caf_saved).
    assert all(callback.__qualname__.startswith("caf_saved.") for callback in callbacks)
    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_the_seed_journals_what_it_builds(seeded):
    events = set(JournalEntry.objects.values_list("event", flat=True))
    assert {
        "hab.organism_registered",
        "hab.convention_created",
        "hab.convention_changed",
        "hab.convention_profile_opened",
        "hab.administrator_named",
        "hab.group_created",
        "hab.grant_assigned",
        "hab.membership_added",
        "account.created",
    } <= events
    agent = User.objects.get(identifiant="CAF061AGNT")
    cd06 = Organism.objects.get(nom="Conseil départemental des Alpes-Maritimes")
    assert JournalEntry.objects.filter(event="hab.organism_registered", organism=cd06, actor=agent).exists()


def test_the_readme_lists_exactly_the_demo_accounts():
    rows = readme_rows()
    expected = [(r.identifiant, r.role, ", ".join(r.profiles) or "—", r.organisme) for r in demo_accounts()]
    assert rows == expected
    assert f"**`{DEMO_PASSWORD}`**" in README.read_text(encoding="utf-8")


def test_one_demo_account_per_cdap_profile_and_per_role():
    profiles = [profile for _, _, profile, _ in readme_rows()]
    for row in cdap_profile_rows():  # 16 profiles, 17 labels (T1 twice)
        assert profiles.count(row["code"]) == 1, row["code"]
    for profile in ["AFAS-HABILITER", "AFAS-DECLARER", "ADONIS", "DGFIP", "BAILLEUR", "SUPERVISION_CDAP"]:
        assert profile in profiles
    roles = [role for _, role, _, _ in readme_rows()]
    assert "Utilisateur sans groupe" in roles and any(r.startswith("Responsable d'habilitations") for r in roles)


def test_each_readme_account_exists_and_has_the_access_it_lists(seeded):
    for row in readme_rows():
        check_account(*row)


def check_account(identifiant, role, profile, organisme):
    user = User.objects.select_related("organism__partner_type", "caf").get(identifiant=identifiant)
    assert check_password(DEMO_PASSWORD, user.password), identifiant
    assert user.is_open and not user.has_provisional_password, identifiant
    assert IssuedIdentifiant.objects.filter(value=identifiant).exists(), identifiant
    prefix, caf_code, suffix = identifiant[:3], identifiant[3:6], identifiant[6:]
    assert len(suffix) == 4 and all(ch in IDENTIFIANT_ALPHABET for ch in suffix), identifiant
    assert caf_code == user.caf.code, identifiant
    access = access_context_for(user)
    if role.startswith("Agent Caf"):
        assert user.is_staff and user.organism is None and user.caf.nom == organisme and prefix == "CAF"
        assert not access.grants, identifiant
        return
    assert not user.is_staff, identifiant
    assert user.organism.nom == organisme and prefix == user.organism.partner_type.identifiant_prefixe, identifiant
    assert user.organism.caf_pivot == user.caf, identifiant
    held = sorted({grant.profile for grant in access.grants})
    assert held == ([] if profile == "—" else [profile]), identifiant
    assert access.is_administrator == role.startswith("Administrateur"), identifiant
    if role.startswith("Responsable d'habilitations"):
        assert access.is_responsable and not access.is_administrator, identifiant
    if profile != "—" and Profile.objects.get(code=profile).service.code == "CDAP":
        assert user.organism.partner_type.profils_cdap_legitimes.filter(code=profile).exists(), identifiant


def test_demo_conventions_are_valid_and_hold_only_what_their_type_allows(seeded):
    for convention in Convention.objects.select_related("organism__partner_type"):
        partner_type = convention.organism.partner_type
        assert convention.etat == "VALABLE" and convention.is_open
        eligible = set(partner_type.services_eligibles.values_list("code", flat=True))
        legitimate = set(partner_type.profils_cdap_legitimes.values_list("code", flat=True))
        for cp in convention.convention_profiles.select_related("profile__service"):
            service = cp.profile.service.code.removeprefix("SUPERVISION_")
            assert service in eligible, (convention, cp)
            if service == "CDAP" and not cp.profile.service.supervision:
                assert cp.profile.code in legitimate, (convention, cp)
        kinds = set(convention.documents.values_list("kind", flat=True))
        assert {"CONVENTION", "CONTRAT_SERVICE", "BULLETIN_ADHESION"} <= kinds
        held = {cp.profile.service.code for cp in convention.convention_profiles.select_related("profile__service")}
        assert documents_missing(convention, held) == [], convention  # issue 23: every service's documents
        assert (
            OrganismAdministrator.objects.filter(organism=convention.organism, date_cloture__isnull=True).count() == 1
        )
    groups = set(UserGroup.objects.values_list("code", "libelle"))
    assert {("T1", "CDAP T1"), ("AFAS-HAB", "AFAS-HABILITER"), ("AFAS-DEC", "AFAS-DECLARER")} <= groups
    cd06 = Convention.objects.get(organism__nom="Conseil départemental des Alpes-Maritimes")
    assert cd06.convention_profiles.filter(profile__code="SUPERVISION_CDAP").exists()
    assert OrganismAdministrator.objects.get(organism=cd06.organism).user.identifiant == "ACC061ADMN"


def test_a_demo_user_logs_in_with_the_demo_password(seeded, client, login):
    login(User.objects.get(identifiant="ACC061TASS"), password=DEMO_PASSWORD)
    assert client.get("/accueil/").status_code == 200


def test_the_seed_completes_the_accounts_of_the_older_seed():
    """The previous seed made ACC061ADMN without organism: the seed attaches and names it."""
    User.objects.create_user("ACC061ADMN", DEMO_PASSWORD, nom="CERVAYNE", prenom="Lisa", email="l@x.example")
    seed()
    user = User.objects.get(identifiant="ACC061ADMN")
    assert user.organism.nom == "Conseil départemental des Alpes-Maritimes" and user.is_partner_admin
    assert access_context_for(user).is_administrator


def test_dry_run_saves_nothing():
    before = counts()
    output, _ = seed("--dry-run")
    assert "ACC061ADMN" in output and "rien n'a été enregistré" in output
    assert counts() == before


def test_synthetic_users_are_fast_and_idempotent(seeded):
    before = counts()
    started = time.perf_counter()
    output, progress = seed("--users", "2000")
    elapsed = time.perf_counter() - started
    assert elapsed < 20, elapsed
    after = counts()
    assert after["User"] == before["User"] + 2000
    assert after["IssuedIdentifiant"] == before["IssuedIdentifiant"] + 2000
    assert after["Membership"] == before["Membership"] + 2000
    assert after["JournalEntry"] == before["JournalEntry"] and after["OutgoingEmail"] == 0
    assert "2000 utilisateurs synthétiques ajoutés" in output and "2 000 / 2 000" in progress

    synthetic = User.objects.filter(email__contains="@bench.").order_by("identifiant")
    first = synthetic.first()
    assert re.fullmatch(r"ACC061[2-9][A-Z2-9]{3}", first.identifiant)
    assert check_password(DEMO_PASSWORD, first.password)
    access = access_context_for(first)
    assert access.profiles("CDAP") and not access.is_administrator

    output, _ = seed("--users", "2000")
    assert counts() == after and "0 utilisateurs synthétiques ajoutés" in output
    seed("--users", "2500")
    assert User.objects.count() == after["User"] + 500
