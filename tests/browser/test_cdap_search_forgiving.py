"""Issue 12.7 in a real browser: the search page says what to type before anything is typed (the required fields
marked, the numéro allocataire's 7 digits), « dupre lefevre » — a space for the hyphen, no accents, a double space —
opens DUPRÉ-LEFÈVRE's dossier, and focus then stands on the result's heading; a refused search puts focus on the
neutral message. axe-core clean."""

import re

import pytest
from playwright.sync_api import expect

from cdap.selectors import REFUSAL_MESSAGE
from tests.browser.conftest import assert_accessible
from tests.browser.test_cdap import NUMERO, _dossier, _open_search_from_home, _search
from tests.factories import habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dupre_lefevre_typed_loosely_opens_the_dossier_and_focus_goes_to_its_heading(page, login_as):
    user, _ = habilitated_user("T1-ASS")
    _dossier()
    login_as(user)
    _open_search_from_home(page)
    # Before typing: which fields are required, and what a numéro allocataire looks like.
    expect(page.locator("label[for=id_nom]")).to_have_text("Nom allocataire : *")
    expect(page.locator("label[for=id_numero]")).to_have_text("Numéro allocataire : *")
    numero = page.get_by_label("Numéro allocataire")
    expect(numero).to_have_accessible_description(re.compile("7 chiffres"))
    assert_accessible(page)

    _search(page, "wrong name")
    expect(page.locator("#refus")).to_contain_text(REFUSAL_MESSAGE)
    expect(page.locator("#refus")).to_be_focused()

    _search(page, "dupre  lefevre")
    expect(page).to_have_url(re.compile(r"/consulter-dossier/[0-9a-f-]{36}/$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("CONSULTER DOSSIER — Synthèse")
    expect(heading).to_be_focused()
    expect(page.locator(".cdap-identity")).to_contain_text(f"Dossier n° {NUMERO}")
    assert_accessible(page)

    # Focus is moved only after a search: a tab opened afterwards starts at the top of the page as usual.
    page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name="Paiements").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).not_to_be_focused()
