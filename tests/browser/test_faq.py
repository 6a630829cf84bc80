"""« Questions / Réponses » (issue 23.5) in a real browser: from « Problème de connexion » to an answer found without
its accents; the review of unused habilitations (issue 23.3) as an administrator sees it. axe on every page."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_agent_landing import screenshots
from tests.browser.test_group_grants import enrolled_admin_page
from tests.habilitations.test_conventions_views import administrator_of
from tests.habilitations.test_service_use import Old, used

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_finds_an_answer_from_probleme_de_connexion(page):
    page.goto("/probleme-de-connexion/")
    page.locator("#faq-lien").get_by_role("link", name="Questions / Réponses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("QUESTIONS / RÉPONSES")
    expect(page.get_by_role("heading", level=2, name="Double authentification")).to_be_visible()
    question = page.get_by_text("Qu'est-ce que la double authentification ?")
    answer = page.get_by_text("un code à 6 chiffres donné par une application")
    expect(answer).to_be_hidden()
    question.click()
    expect(answer).to_be_visible()
    assert_accessible(page)
    screenshots(page, "faq")

    page.get_by_label("Rechercher une question").fill("REINITIALISE")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#faq-resultats")).to_have_text("1 question trouvée pour « REINITIALISE ».")
    expect(page.get_by_text("votre Caf réinitialise votre double authentification")).to_be_visible()
    assert_accessible(page)
    screenshots(page, "faq-recherche")

    page.get_by_label("Rechercher une question").fill("xylophone")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#faq-resultats")).to_contain_text("Aucune question ne correspond à votre recherche")
    page.get_by_role("link", name="Voir toutes les questions").click()
    expect(page.get_by_role("navigation", name="Rubriques")).to_be_visible()
    assert_accessible(page)


def test_an_administrator_closes_a_habilitation_not_used_for_12_months(page, login_as):
    old = Old()
    admin = administrator_of(old.organism, nom="Cervayne", prenom="Lisa")
    used(old.user, 400)
    enrolled_admin_page(page, login_as, admin)
    page.goto(f"/gestion-des-habilitations/conventions/{old.convention.pk}/utilisateurs/")
    page.get_by_role("link", name="Habilitations non utilisées depuis 12 mois").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("HABILITATIONS NON UTILISÉES DEPUIS 12 MOIS")
    last = datetime.date.today() - datetime.timedelta(days=400)
    row = page.locator("#habilitations-non-utilisees tbody tr")
    expect(row).to_contain_text(f"Consulter Dossier : le {last:%d/%m/%Y}")
    assert_accessible(page)
    screenshots(page, "habilitations-non-utilisees")
    row.get_by_role("button", name="Clôturer").click()
    expect(page.locator(".message-success")).to_contain_text("a été clôturée")
    expect(page.locator("#habilitations-non-utilisees")).to_contain_text("Aucune habilitation non utilisée")
    assert_accessible(page)
