"""ADONIS in the browser (issue 15): a SAAD searches a family's file, reads its composition and quotient familial,
records a demande d'aide à domicile and refuses it with its motif, then finds it in the list; axe-clean, no sideways
scroll at 320 / 1280 / 1920 px (assert_accessible), screenshots at 320 and 1280 px with MCP_SCREENSHOTS."""

import os

import pytest
from playwright.sync_api import expect

from tests.adonis.factories import saad_user
from tests.browser.conftest import assert_accessible
from tests.cdap.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(SHOTS, f"adonis-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_saad_searches_a_family_records_a_request_and_refuses_it(page, login_as):
    user, organism = saad_user()
    dossier = DossierFactory(caf=organism.caf_pivot, responsable__nom="Dupré-Lefèvre", quotient_familial=612)
    login_as(user)
    page.goto("/adonis/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ADONIS")
    assert_accessible(page)
    shoot(page, "recherche")

    page.get_by_label("Nom allocataire").fill("dupre lefevre")
    page.get_by_label("Numéro allocataire").fill(dossier.numero)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"DOSSIER ALLOCATAIRE {dossier.numero}")
    expect(page.locator("#quotient-familial")).to_have_text("612 €")
    assert dossier.numero not in page.url  # an opaque reference, not the numéro
    assert_accessible(page)
    shoot(page, "famille")

    page.get_by_role("link", name="Enregistrer une demande d'aide à domicile").click()
    page.get_by_label("Motif d'intervention").select_option("NAISSANCE")
    page.get_by_label("Type d'intervenant").select_option("TISF")
    assert_accessible(page)
    shoot(page, "demande-nouvelle")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.get_by_text("La demande d'aide à domicile est enregistrée.")).to_be_visible()

    page.get_by_label("Refusée").check()
    page.get_by_label("Motif de refus").select_option("INCOMPLET")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("La demande est refusée.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Dossier incomplet")
    assert_accessible(page)
    shoot(page, "demande")

    page.goto("/adonis/demandes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("DEMANDES D'AIDE À DOMICILE")
    expect(page.locator("main")).to_contain_text(dossier.numero)
    assert_accessible(page)
    shoot(page, "demandes")
