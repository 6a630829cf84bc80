"""The shared shell and lists in a real browser (issue 12, items 1-3): the users list keeps "Choisir..." in sight at
320, 1280 and 1920 px, its menu is an overlay that Escape closes, focus back on its button; below 768 px the left
menu folds behind "Menu", opened and used by keyboard; the current section under "MON COMPTE PARTENAIRE"; the
organism's name and the user's role on Bienvenue. Every page also goes through assert_accessible (axe-core with the
best-practice rules, no sideways scroll at 320, 1280 and 1920 px)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from habilitations.models import OrganismAdministrator
from tests.browser.conftest import REFLOW_WIDTHS, assert_accessible
from tests.factories import ConventionFactory, GroupFactory, UserFactory, convention_profile, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    """A convention with its administrator and a dozen users with long e-mail addresses (a wide table)."""
    convention = ConventionFactory(libelle="Convention du CCAS de Menton", organism__nom="CCAS de Menton")
    convention_profile(convention, "T1-ASS")
    organism = convention.organism
    administrator = UserFactory(organism=organism, is_partner_admin=True, nom="CERVAYNE", prenom="Lisa")
    OrganismAdministrator.objects.create(organism=organism, user=administrator, role="PRINCIPAL")
    group = GroupFactory(code="T1", libelle="CDAP T1", convention=convention, responsable=administrator)
    for n in range(12):
        user = UserFactory(
            organism=organism,
            nom=f"DUPRÉ-LEFÈVRE-MONTAGNAC{n}",
            prenom="Marie-Charlotte",
            email=f"marie-charlotte.dupre-lefevre-montagnac{n}@centre-communal-action-sociale-menton.fr",
            telephone="04 93 00 00 00",
        )
        member(user, group)
    return convention, administrator


def logged_in_administrator(page, login_as, administrator):
    login_as(administrator)
    device = TOTPDevice.objects.get(user=administrator)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("link", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BIENVENUE")


def inside_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_users_list_keeps_choisir_in_sight_and_its_menu_is_an_overlay(page, login_as, world):
    convention, administrator = world
    logged_in_administrator(page, login_as, administrator)
    # Bienvenue: the guide's "NOM DU PARTENAIRE" and the role.
    expect(page.get_by_role("heading", level=2, name="CCAS DE MENTON")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Votre rôle : Administrateur de l'organisme")
    expect(page.locator(".brand-section")).to_have_text("BIENVENUE")
    assert_accessible(page)

    page.goto(f"/gestion-des-habilitations/conventions/{convention.pk}/utilisateurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("LISTE DES UTILISATEURS")
    expect(page.locator(".brand-section")).to_have_text("MES CONVENTIONS")
    expect(page.locator(".pagination-status").first).to_have_text("Page 1 sur 1 — 13 résultats")
    assert_accessible(page)
    for width in REFLOW_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        rows = page.locator("#utilisateurs tbody tr")
        for index in (0, rows.count() - 1):
            toggle = rows.nth(index).get_by_role("button", name="Choisir...")
            toggle.scroll_into_view_if_needed()  # vertically: the page never scrolls sideways
            assert inside_viewport(page, toggle), f"« Choisir... » hors de l'écran à {width} px"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # The menu opens over the page (its row does not grow), inside the window, and Escape closes it.
        row = rows.nth(5)
        height = row.bounding_box()["height"]
        toggle = row.get_by_role("button", name="Choisir...")
        toggle.click()
        menu = row.get_by_role("link", name="Détail de l'utilisateur")
        expect(menu).to_be_visible()
        assert inside_viewport(page, page.locator(".actions-list:popover-open"))
        assert row.bounding_box()["height"] == height
        page.keyboard.press("Tab")  # into the menu, right after its button
        expect(row.get_by_role("button", name="Renvoi de l'identifiant par mail")).to_be_focused()
        if width == 1280:
            assert_accessible(page)  # with the overlay open
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(toggle).to_be_focused()

    # By keyboard: Enter opens it, a link of the menu is followed.
    page.set_viewport_size({"width": 1280, "height": 900})
    toggle = page.locator("#utilisateurs tbody tr").nth(0).get_by_role("button", name="Choisir...")
    toggle.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Gérer l'appartenance de l'utilisateur")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("APPARTENANCE")
    assert_accessible(page)


def test_the_left_menu_folds_behind_menu_on_small_screens_and_works_by_keyboard(page, login_as, world):
    convention, administrator = world
    logged_in_administrator(page, login_as, administrator)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    menu_button = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Menu principal")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(navigation.get_by_role("link", name="GESTION DES HABILITATIONS")).to_be_hidden()
    # The H1 is on the first screen: the folded menu no longer pushes it down by 320-360 px.
    assert page.get_by_role("heading", level=1).bounding_box()["y"] < 400
    assert_accessible(page)

    # Tab from the top of the page reaches "Menu"; Enter opens it; Tab goes through its links.
    page.locator("body").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('menu-toggle')"):
            break
    expect(menu_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="GESTION DES HABILITATIONS")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="BIENVENUE")).to_be_focused()
    # Escape folds it again, focus back on the button.
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(navigation.get_by_role("link", name="GESTION DES HABILITATIONS")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("CONVENTIONS")
    expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
    assert_accessible(page)

    # From 768 px up the menu is always shown and the button is gone.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(navigation.get_by_role("link", name="Mes conventions")).to_be_visible()
