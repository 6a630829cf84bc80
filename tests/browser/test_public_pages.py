"""The public pages, as an anonymous visitor sees them: content, keyboard use, axe-core, small screens."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accueil_partenaires(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ACCUEIL PARTENAIRES")
    expect(page.get_by_role("heading", name="Connaissez-vous Mon Compte Partenaire ?")).to_be_visible()
    tiles = page.locator(".tiles .tile")
    expect(tiles).to_have_count(5)
    expect(tiles.first).to_contain_text("consulter des données allocataire")
    expect(page.get_by_role("heading", name="Comment devenir partenaire de la Caf ?")).to_be_visible()
    for document in ("convention d'accès", "contrat de service", "bulletin d'adhésion", "bulletin d'éligibilité"):
        expect(page.locator("#devenir + p + h3 + ul")).to_contain_text(document, ignore_case=True)
    access = page.get_by_role("region", name="ACCÈS DIRECT")
    expect(access.get_by_role("link", name="Mon Compte Partenaire")).to_have_attribute("href", "/connexion/")
    expect(access.get_by_role("link", name="Espace Bailleur")).to_have_attribute("href", "/bailleur/connexion/")
    guides = page.get_by_role("region", name="Guides à télécharger")
    expect(guides.get_by_role("link")).to_have_count(3)
    expect(guides.get_by_role("link", name="Guide de l'administrateur (PDF)")).to_have_attribute(
        "href", "/guides/administrateur.pdf"
    )
    assert_accessible(page)


def test_skip_link_is_first_and_visible_on_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "le lien d'évitement doit être visible quand il a le focus"
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    assert_accessible(page)


def test_ma_caf_finds_the_caf_of_a_postal_code(page):
    page.goto("/")
    page.get_by_label("Code postal").fill("06000")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/ma-caf/\?code_postal=06000$"))
    expect(page.locator("#resultat-caf")).to_contain_text("Caf des Alpes-Maritimes")
    assert_accessible(page)


def test_ma_caf_malformed_postal_code_shows_a_french_error(page):
    page.goto("/ma-caf/")
    assert_accessible(page)
    page.get_by_label("Code postal").fill("ABCDE")
    page.get_by_role("button", name="Rechercher").click()
    field = page.locator(".field-error")
    expect(field).to_contain_text("Un code postal compte 5 chiffres, par exemple 06000.")
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#resultat-caf")).to_have_count(0)
    # The error is tied to the field for screen readers.
    described_by = page.get_by_label("Code postal").get_attribute("aria-describedby") or ""
    assert "id_code_postal_error" in described_by
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading", "text"),
    [
        ("/regles-d-usage/", "RÈGLES D'USAGE", "Je ne partage jamais mon identifiant et mon mot de passe."),
        ("/accessibilite/", "DÉCLARATION D'ACCESSIBILITÉ", "partiellement conforme"),
        ("/informatique-et-libertes/", "INFORMATIQUE ET LIBERTÉS", "Réclamation auprès de la CNIL"),
    ],
)
def test_information_pages(page, path, heading, text):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("main")).to_contain_text(text)
    assert_accessible(page)


def test_accessibility_statement_has_the_rgaa_sections(page):
    page.goto("/accessibilite/")
    for section in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Défenseur des droits")
    assert_accessible(page)


def test_probleme_de_connexion_by_keyboard_then_by_clicks(page):
    page.goto("/probleme-de-connexion/")
    expect(page.get_by_role("group", name="Quel est votre problème ?")).to_be_visible()
    assert_accessible(page)

    # Keyboard only: select the first answer, move to the second with the arrow key, submit with Enter.
    page.get_by_label("J'ai oublié mon mot de passe ou il est refusé").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Je ne connais pas mon identifiant")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"etape=identifiant$"))
    expect(page.get_by_role("group", name="Êtes-vous administrateur Mon Compte Partenaire de votre organisme ?"))
    assert_accessible(page)

    page.get_by_label("Non, je suis utilisateur").check()
    page.get_by_role("button", name="Suivant").click()
    answer = page.locator("#reponse")
    expect(answer).to_contain_text("rapprocher de l'administrateur")
    expect(answer).to_contain_text("10 caractères")
    assert_accessible(page)

    page.get_by_role("link", name="Recommencer").click()
    page.get_by_label("Mon compte est verrouillé après plusieurs essais").check()
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("#reponse")).to_contain_text("15 minutes")
    expect(page.locator("#reponse").get_by_role("link", name="« Mot de passe oublié ? »")).to_have_attribute(
        "href", "/mot-de-passe-oublie/"
    )
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "heading", "expected"),
    [
        ("/connexion/", "MON COMPTE PARTENAIRE", "VOUS ÊTES BAILLEUR"),
        ("/bailleur/connexion/", "ESPACE BAILLEUR", "Connexion à Mon Compte Partenaire"),
    ],
)
def test_login_pages(page, path, heading, expected):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("heading", name="SÉCURITÉ")).to_be_visible()
    expect(page.locator("main")).to_contain_text(expected)
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
    expect(page.get_by_role("link", name="Problème de connexion").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/connexion/", "/", "/probleme-de-connexion/?etape=identifiant_user"])
def test_no_horizontal_scroll_at_320_pixels(page, path):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 320, f"{path} : défilement horizontal à 320 px ({scroll_width} px)"
    assert_accessible(page)


def test_error_pages_are_french_and_accessible(page):
    response = page.goto("/cette-page-n-existe-pas/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("PAGE INTROUVABLE")
    assert_accessible(page)
