"""Consulter Dossier's "Aide en ligne" and Dialogue's hints in a real browser (webinar 004:446–453, 697–707): from
the search page's right column to a rubric's help, from a rubric's « Aide en ligne » to its own help, the Dialogue
form's hints read out with their fields. Each page is axe-core clean and does not scroll sideways at 320 px. With
CDAP_SCREENSHOTS=<dir>, every page is saved there at 1280 and 320 px (to look at)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_cdap_rubrics import _shoot
from tests.cdap.factories import complete_dossier
from tests.factories import habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMERO = "2345671"


def test_help_from_the_search_page_and_from_a_rubric(page, login_as):
    user, _ = habilitated_user("T1-ASS")
    complete_dossier(numero=NUMERO, responsable__nom="Dupré-Lefèvre")
    login_as(user)
    page.goto("/consulter-dossier/")
    help_column = page.get_by_role("complementary", name="Aide en ligne")
    expect(help_column.get_by_role("link", name="Présentation des rubriques")).to_be_visible()
    expect(help_column.get_by_role("link", name="CMU CMUC RSA")).to_have_count(0)  # not a T1 rubric
    assert_accessible(page)
    _shoot(page, "20-recherche-aide")

    help_column.get_by_role("link", name="Présentation des rubriques").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Aide en ligne")
    expect(page.get_by_role("heading", name="Fonctionnalités générales")).to_be_visible()
    assert_accessible(page)
    _shoot(page, "21-aide-en-ligne")

    page.get_by_role("main").locator(".cdap-help-topics").get_by_role("link", name="Paiements").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Aide en ligne : Paiements")
    expect(page.get_by_role("main")).to_contain_text(
        "(*) Montant de la retenue sur le paiement (non ventilé par prestation)"
    )
    menu = page.get_by_role("complementary", name="Aide en ligne")
    expect(menu.get_by_role("link", name="Paiements")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    _shoot(page, "22-aide-paiements")

    # From a rubric of a consultation, « Aide en ligne » opens that rubric's help.
    page.goto("/consulter-dossier/")
    page.get_by_label("Nom allocataire").fill("Dupré-Lefèvre")
    page.get_by_label("Numéro allocataire").fill(NUMERO)
    page.get_by_role("button", name="Consulter").click()
    page.wait_for_load_state()
    page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name="Droits").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Aide en ligne : Droits").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Aide en ligne : Droits")
    expect(page.get_by_role("main")).to_contain_text("Montant inférieur au seuil de versement")
    assert_accessible(page)

    page.go_back()
    page.get_by_role("link", name="Dialogue", exact=True).click()
    page.wait_for_load_state()
    email = page.get_by_role("textbox", name="Votre adresse électronique")
    expect(email).to_have_accessible_description(
        "Vérifiez bien votre adresse électronique, c'est la garantie pour vous d'obtenir une réponse. "
        "Format nom@domaine.extension : 64 caractères @ 255 caractères maximum."
    )
    numero = page.get_by_role("textbox", name="Numéro allocataire (facultatif)")
    expect(numero).to_have_value(NUMERO)
    expect(numero).to_have_accessible_description(
        "Si votre message concerne un dossier d'allocataire que vous avez consulté ces 30 derniers jours, indiquez "
        "son numéro ou vérifiez celui renseigné."
    )
    expect(page.get_by_role("form")).to_have_accessible_description(
        "Tous les champs sont obligatoires, sauf mention contraire."
    )
    assert_accessible(page)
    _shoot(page, "23-dialogue")

    email.fill("a" * 65 + "@ccas.example")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    email = page.get_by_role("textbox", name="Votre adresse électronique")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        "Vérifiez bien votre adresse électronique, c'est la garantie pour vous d'obtenir une réponse. "
        "Format nom@domaine.extension : 64 caractères @ 255 caractères maximum. "
        "L'adresse électronique ne peut pas dépasser 64 caractères avant le @ et 255 caractères après."
    )
    assert_accessible(page)

    page.get_by_role("link", name="Aide en ligne : Dialogue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Aide en ligne : Dialogue")
    assert_accessible(page)
    _shoot(page, "24-aide-dialogue")
