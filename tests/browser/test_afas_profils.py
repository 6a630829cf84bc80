"""AFAS in the browser (issues 13.2 and 13.4, guides 002 and 003): an AFAS-HABILITER user opens Accueil AFAS from the
menu, goes to « Administration des profils », gives an FDA role on a lieu d'implantation through HABILITER UN
UTILISATEUR (the partner's choice refreshed by htmx), finds it under « Actif », ends it and finds it under
« Historique »; a declarer without a role sees whom to ask. Axe-clean, no sideways scroll at 320 px, screenshots at
320 and 1280 px with MCP_SCREENSHOTS."""

import os

import pytest
from playwright.sync_api import expect

from afas.models import RoleAssignment
from tests.afas.factories import activity, afas_groups, declarer_of, site
from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")


def shots(page, name: str) -> None:
    assert_accessible(page)
    if SHOTS:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(SHOTS, f"afas-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_a_manager_gives_and_ends_a_role_and_a_declarer_sees_whom_to_ask(page, login_as):
    declarer_group, habiliter_group = afas_groups()
    organism = declarer_group.convention.organism
    manager = UserFactory(organism=organism, nom="Robin", prenom="Jean-Baptiste")
    member(manager, habiliter_group)
    camille = declarer_of(declarer_group, nom="Masson", prenom="Camille")
    peri = activity(organism, "Péri Assoc")
    site(peri, "Site")
    site(peri, "Site Ecoles")
    activity(organism, "Multi-accueil", type_activite="EAJE")

    login_as(camille)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="AIDE FINANCIÈRE D'ACTION SOCIALE"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AIDES FINANCIÈRES D'ACTION SOCIALE")
    expect(page.locator("#a-qui-demander")).to_contain_text("Jean-Baptiste ROBIN")
    shots(page, "accueil-declarant")
    page.get_by_role("button", name="DÉCONNEXION").click()

    login_as(manager)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="AIDE FINANCIÈRE D'ACTION SOCIALE"
    ).click()
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Administration des profils"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITATIONS D'ACTION SOCIALE")
    expect(page.locator("#aucun-resultat")).to_be_visible()
    shots(page, "profils")

    page.get_by_role("link", name="Affecter un rôle à un utilisateur habilité").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITER UN UTILISATEUR")
    page.get_by_label("Pour l'utilisateur").select_option(label="MASSON Camille")
    page.get_by_label("Au rôle de").select_option(label="Fournisseur de données d'activité")
    # htmx: choosing « des lieux d'implantation » re-renders the boxes without a page load.
    page.get_by_label("des lieux d'implantation").check()
    expect(page.get_by_label("Sélectionner tous les lieux d'implantation de l'activité Péri Assoc")).to_be_visible()
    page.get_by_label("Site Ecoles").check()
    shots(page, "habiliter")
    page.get_by_role("button", name="Enregistrer et quitter").click()
    expect(page.get_by_text("Les habilitations ont été créées avec succès.")).to_be_visible()
    results = page.locator("#resultats")
    expect(results).to_contain_text("● Lieu d'implantation : Site Ecoles (Péri Assoc)")
    expect(results).to_contain_text("MASSON Camille")
    shots(page, "profils-actif")

    results.get_by_role("link", name="Supprimer").click()
    shots(page, "supprimer")
    page.get_by_role("button", name="Supprimer l'habilitation").click()
    expect(page.get_by_text("L'habilitation est terminée")).to_be_visible()
    page.get_by_text("Historique", exact=True).click()
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#resultats")).to_contain_text("MASSON Camille")
    assert RoleAssignment.objects.get().date_cloture is not None
