"""Consulter Dossier in a real browser for the profiles with a supplementary control: the README's demo account of
T4 (instructeur: numéro d'instructeur of the dossier's RSA file), T9 (tutelle: a protection measure of the
organism) and T10 (bailleur sociaux: numéro de bailleur of the dossier's current housing) logs in through the login
page, fills the search form like a user (control field included) on the README's demo dossier, and sees EXACTLY
the tabs its mask opens — computed from data/cdap_profiles.csv and the Profile rows loaded from it, never listed
here —, opens each of them by clicking, and gets the French 403 page on a closed rubric. A refused search for each
(malformed or foreign numéro d'instructeur, no protection measure, foreign numéro de bailleur). Every page visited
is axe-core clean (WCAG 2.1 A/AA).

The accounts and organisms are made by habilitations.demo's own seeding (same identifiants, groups, profiles and
demo password as `manage.py seed_demo`), limited to the organisms each case needs; the dossiers are the generator's
documented demo dossiers."""

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from cdap import generator
from cdap.forms import INSTRUCTEUR_FORMAT
from cdap.selectors import REFUSAL_MESSAGE
from habilitations.access.rubrics import RUBRIC_LABELS, TAB_ORDER, rubrics_for
from habilitations.demo import AGENTS, DEMO_PASSWORD, ORGANISMS, DemoPassword, demo_account, seed_organism
from habilitations.models import Caf, Profile, User
from habilitations.reference import CDAP_RUBRICS, cdap_profile_rows
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABS = "Rubriques du dossier"
FORBIDDEN_HEADING = "ACCÈS REFUSÉ"
FORBIDDEN_TEXT = "Vous n'avez pas accès à cette page."


@dataclass(frozen=True)
class Search:
    nom: str
    numero: str
    control: str = ""  # the value typed in the profile's control field
    error: str = ""  # the form's explanatory message; empty: the neutral refusal is expected


@dataclass(frozen=True)
class Case:
    profile: str
    identifiant: str  # README "Demo accounts"
    control_label: str  # the search form's control field ("" for none)
    found: Search  # README "Dossiers de démonstration"
    identity: str  # as the synthèse's identity block shows the responsable
    refused: tuple[Search, ...]


CASES = [
    Case(
        profile="T4",
        identifiant="ACC061NSTR",
        control_label="Numéro d'instructeur",
        found=Search("Benali", "0610002", "006C0880100000"),
        identity="BENALI Karim",
        refused=(
            # Lower-case type letter: the form explains the format; the dossier is not even looked up.
            Search("Benali", "0610002", "006c0880100000", error=INSTRUCTEUR_FORMAT),
            # Well formed, but not the service that instructed this dossier's RSA.
            Search("Benali", "0610002", "006C0880200000"),
        ),
    ),
    Case(
        profile="T9",
        identifiant="ACC061TUTR",
        control_label="",
        found=Search("Faure", "0610003"),
        identity="FAURE Josiane",
        # Never under a protection measure.
        refused=(Search("Roche", generator.DEMO_TUTELLE_NEVER),),
    ),
    Case(
        profile="T10",
        identifiant="LOG061PATR",
        control_label="Numéro de bailleur",
        found=Search("Payet", "0610006", "061HLM0042"),
        identity="PAYET Nadia",
        # Another landlord's number.
        refused=(Search("Payet", "0610006", "061HLM0043"),),
    ),
]


# The README's numbers typed above are the generator's documented ones (a change there must show up here).
DOCUMENTED = {
    "T4": (generator.DEMO_RSA_T4, generator.DEMO_INSTRUCTEUR),
    "T9": (generator.DEMO_TUTELLE_CURRENT, ""),
    "T10": (generator.DEMO_TENANT, generator.DEMO_LANDLORD_NUMBER),
}


def _seed_demo_world(identifiant: str) -> User:
    """The README's demo world, through habilitations.demo's own seeding, reduced to what the case needs (the
    whole world takes seconds per test): the Caf 061 agent, the account's organism (its convention, profiles,
    groups and accounts exactly as `seed_demo` makes them) and the organisms the demo dossiers point at (the
    landlord, the association tutélaire); then the documented demo dossiers."""
    password = DemoPassword()
    identifiant_agent, nom, prenom, caf_code = next(agent for agent in AGENTS if agent[3] == "061")
    agent = demo_account(
        identifiant_agent, nom=nom, prenom=prenom, caf=Caf.objects.get(code=caf_code), password=password, is_staff=True
    )
    wanted = {generator.DEMO_LANDLORD_SIRET, generator.DEMO_TUTELAIRE_SIRET}
    wanted |= {demo.siret for demo in ORGANISMS if identifiant in {a.identifiant for a in demo.accounts}}
    for demo in ORGANISMS:
        if demo.siret in wanted:
            seed_organism(demo, agent=agent, password=password)
    generator.demo_dossiers_upsert()
    return User.objects.get(identifiant=identifiant)


def _open_rubrics(profile: str) -> list[str]:
    """The rubrics the profile's mask opens, from the spec's CSV, checked against the Profile row loaded from it
    and against habilitations.access.rubrics (the one place the views ask)."""
    row = next(row for row in cdap_profile_rows() if row["code"] == profile)
    from_csv = {rubric for rubric in CDAP_RUBRICS if row[rubric].strip().lower() == "x"}
    loaded = Profile.objects.get(code=profile, service__code="CDAP")
    assert set(loaded.rubriques) == from_csv, profile
    assert rubrics_for(profile) == from_csv, profile
    return [rubric for rubric in CDAP_RUBRICS if rubric in from_csv]


def _rubric_url(synthese_url: str, rubric: str) -> str:
    if rubric == "synthese":
        return synthese_url
    return f"{synthese_url}{'attestation' if rubric == 'attestation_paiement' else rubric}/"


def _tab_names(page) -> list[str]:
    return [name.strip() for name in page.get_by_role("navigation", name=TABS).get_by_role("link").all_inner_texts()]


def _open_search_from_home(page):
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert_accessible(page)
    page.locator("#service-CDAP").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER")
    assert_accessible(page)


def _search(page, case: Case, search: Search):
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER")
    page.get_by_label("Nom allocataire").fill(search.nom)
    page.get_by_label("Numéro allocataire").fill(search.numero)
    if case.control_label:
        page.get_by_label(case.control_label).fill(search.control)
    page.get_by_role("button", name="Consulter").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("case", CASES, ids=[case.profile for case in CASES])
def test_a_controlled_profile_sees_exactly_its_rubrics(page, login_as, case):
    assert (case.found.numero, case.found.control) == DOCUMENTED[case.profile]
    user = _seed_demo_world(case.identifiant)
    open_rubrics = _open_rubrics(case.profile)
    tabs = [rubric for rubric in TAB_ORDER if rubric in open_rubrics]
    closed = [rubric for rubric in CDAP_RUBRICS if rubric not in open_rubrics]
    assert "synthese" in tabs and closed, case.profile

    login_as(user, DEMO_PASSWORD)
    _open_search_from_home(page)
    main = page.locator("main")
    # Only the control of the profile is asked.
    for label in ("Numéro d'instructeur", "Numéro de bailleur"):
        expect(page.get_by_label(label)).to_have_count(1 if label == case.control_label else 0)

    # Refused searches first: each answers on the search page, nothing of the dossier shown.
    for search in case.refused:
        _search(page, case, search)
        expect(page).to_have_url(re.compile(r"/consulter-dossier/$"))
        if search.error:
            expect(page.locator("#refus")).to_have_count(0)
            expect(page.locator("#erreurs")).to_contain_text(f"{case.control_label} : {search.error}")
            expect(page.get_by_label(case.control_label)).to_have_attribute("aria-invalid", "true")
        else:
            expect(page.locator("#refus")).to_have_text(REFUSAL_MESSAGE)
        expect(main).not_to_contain_text(case.identity)
        assert_accessible(page)

    # The README's dossier: found, on the synthèse, under a reference that tells nothing of the search.
    _search(page, case, case.found)
    expect(page).to_have_url(re.compile(r"/consulter-dossier/[0-9a-f-]{36}/$"))
    assert case.found.numero not in page.url and case.found.nom.lower() not in page.url.lower()
    synthese_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Synthèse")
    expect(page.locator(".cdap-identity")).to_contain_text(f"Dossier n° {case.found.numero}")
    expect(page.locator(".cdap-identity")).to_contain_text(case.identity)
    assert_accessible(page)

    # Exactly the tabs of the mask, in the guide's order; one summary per open rubric besides the synthèse.
    assert _tab_names(page) == [RUBRIC_LABELS[rubric] for rubric in tabs]
    summaries = page.locator(".cdap-summary h3").all_inner_texts()
    assert summaries == [RUBRIC_LABELS[rubric] for rubric in tabs if rubric != "synthese"]
    for rubric in closed:
        expect(main).not_to_contain_text(f"Accéder à la rubrique {RUBRIC_LABELS[rubric]}")
    attestation_link = page.locator(".cdap-actions").get_by_role("link", name="Attestation de paiement")
    expect(attestation_link).to_have_count(1 if "attestation_paiement" in open_rubrics else 0)

    # Every open tab, by clicking: its heading, its tab marked current, nothing but the mask's tabs.
    for rubric in tabs:
        label = RUBRIC_LABELS[rubric]
        page.get_by_role("navigation", name=TABS).get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        expect(page).to_have_url(_rubric_url(synthese_url, rubric))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"CONSULTER DOSSIER — {label}")
        expect(page.locator("#rubrique-titre")).to_have_text(label)
        tab = page.get_by_role("navigation", name=TABS).get_by_role("link", name=label, exact=True)
        expect(tab).to_have_attribute("aria-current", "page")
        expect(page.locator(".cdap-identity")).to_contain_text(case.identity)
        assert _tab_names(page) == [RUBRIC_LABELS[r] for r in tabs]
        assert_accessible(page)
    if "attestation_paiement" in open_rubrics:
        attestation_link.click()
        expect(page).to_have_url(_rubric_url(synthese_url, "attestation_paiement"))
        expect(page.get_by_role("heading", level=2, name="Attestation de paiement")).to_be_visible()
        assert_accessible(page)

    # A closed rubric's URL typed in the address bar: the French 403 page, nothing of the dossier.
    first_closed = closed[0]
    response = page.goto(_rubric_url(synthese_url, first_closed))
    assert response.status == 403, first_closed
    expect(page.get_by_role("heading", level=1)).to_have_text(FORBIDDEN_HEADING)
    expect(main).to_contain_text(FORBIDDEN_TEXT)
    expect(main).not_to_contain_text(case.identity)
    assert_accessible(page)
    # Every other closed rubric answers the same (same session, without rendering each page again).
    for rubric in closed[1:]:
        response = page.request.get(_rubric_url(synthese_url, rubric), max_redirects=0)
        assert response.status == 403, rubric
        body = response.text()
        assert FORBIDDEN_HEADING in body and case.identity not in body, rubric
