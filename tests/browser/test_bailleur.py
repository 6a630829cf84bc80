"""« Mes locataires » in the browser (issue 14.4): a landlord goes from its home to the list, filters it, opens a
tenant's page; axe-clean, no sideways scroll at 320 px, screenshots at 320 and 1280 px with MCP_SCREENSHOTS."""

import os

import pytest
from playwright.sync_api import expect

from tests.bailleur.factories import landlord, tenancy
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_landlord_lists_filters_and_opens_its_tenants(page, login_as):
    user, organism = landlord()
    tenancy(organism, responsable__nom="Payet", responsable__prenom="Nadia", commune="Nice")
    tenancy(organism, aide="AL", montant="198.00", tiers_payant=False, responsable__nom="Bernard", commune="Antibes")
    login_as(user)
    expect(page.get_by_role("heading", level=1)).to_have_text("ESPACE BAILLEUR")
    page.locator("#consulter").get_by_role("link", name="MES LOCATAIRES").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("MES LOCATAIRES")
    table = page.locator("#locataires")
    expect(table).to_contain_text("PAYET Nadia")
    expect(table).to_contain_text("Versée au locataire")
    expect(page.get_by_text("Page 1 sur 1 — 2 résultats")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(SHOTS, f"bailleur-locataires-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Aide au logement").select_option("AL")
    page.get_by_role("button", name="Filtrer").click()
    expect(table).to_contain_text("BERNARD")
    expect(table).not_to_contain_text("PAYET")
    page.get_by_role("link", name="Réinitialiser").click()

    table.get_by_role("link", name="PAYET Nadia").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PAYET Nadia")
    expect(page.get_by_text("Aide personnalisée au logement (APL)")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(SHOTS, f"bailleur-locataire-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    no_sideways_scroll(page)


def test_the_landlords_login_page_leads_to_its_home(page, live_server):
    user, _ = landlord()
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_role("link", name="Espace Bailleur", exact=True).click()
    expect(page.get_by_role("heading", name="VOUS ÊTES BAILLEUR")).to_be_visible()
    page.get_by_label("Identifiant").fill(user.identifiant)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Connexion", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ESPACE BAILLEUR")
    expect(page.locator("#declarer")).to_contain_text("SIGNALER UN IMPAYÉ DE LOYER")
    expect(page.locator("#consulter").get_by_role("link", name="MES LOCATAIRES")).to_be_visible()
    expect(page.locator("#aide").get_by_role("link", name="CONTACTER LA CAF")).to_be_visible()
    assert_accessible(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"bailleur-accueil-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    no_sideways_scroll(page)
