"""A Caf agent, in a real browser, lands in the administration after the second factor (issue 12.6), the admin in the
portal's colours and words; a partner ticking "Mettre à jour votre mot de passe" lands on "Modifier le mot de passe"
(guide 001). axe on every page."""

import os
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.cdap.test_postal_admin import request_for
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("MCP_SCREENSHOTS")  # a directory: the pages are saved there at 320 and 1280 px


def screenshots(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    viewport = page.viewport_size
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(viewport)


def test_an_agent_enrols_the_second_factor_then_lands_in_the_administration(page, login_as):
    request_for("1234567", nom="Lefèvre")
    agent = UserFactory(agent=True, nom="Agent", prenom="Local")  # Caf 061
    login_as(agent)
    expect(page).to_have_url(re.compile(r"/double-authentification/enrolement/$"))
    device = TOTPDevice.objects.get(user=agent)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".message-success")).to_contain_text("La double authentification est activée.")
    page.get_by_role("link", name=re.compile("Continuer")).click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_contain_text("Mon Compte Partenaire — administration Caf")
    expect(page.locator("#user-tools")).to_contain_text("Bonjour Local AGENT — Caf des Alpes-Maritimes.")
    queues = page.locator("#a-traiter")
    expect(queues).to_contain_text("Attestations à envoyer par courrier : 1")
    expect(page.locator("body")).not_to_contain_text("Aucun(e) disponible")
    header = page.locator("#header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 110, 79)"  # the portal's green, #0b6e4f
    screenshots(page, "agent-admin-index")
    assert_accessible(page)

    queues.get_by_role("link", name="Attestations à envoyer par courrier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestations à envoyer par courrier")
    page.set_viewport_size({"width": 1280, "height": 800})
    link = page.get_by_role("link", name=re.compile("Imprimer l’attestation"))
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280  # in view, no sideways scroll
    expect(page.get_by_role("button", name="Appliquer l’action")).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer", exact=True)).to_have_count(0)
    screenshots(page, "agent-postal-requests")
    assert_accessible(page)

    page.goto("/admin/habilitations/organism/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organismes partenaires")
    expect(page.locator("body")).not_to_contain_text("Sélectionnez l’objet")
    assert_accessible(page)

    page.goto("/accueil/")
    expect(
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="ADMINISTRATION CAF")
    ).to_be_visible()
    expect(page.locator(".tile-title", has_text="ADMINISTRATION CAF")).to_be_visible()
    screenshots(page, "agent-home")
    assert_accessible(page)


def test_a_partner_ticks_mettre_a_jour_votre_mot_de_passe_and_lands_on_the_form(page, login_as):
    user = UserFactory()
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(user.identifiant)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.get_by_role("checkbox", name="Mettre à jour votre mot de passe").check()
    assert_accessible(page)
    page.get_by_role("button", name="Connexion", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mon-profil/mot-de-passe/$"))
    expect(page.get_by_label("Mot de passe actuel")).to_be_visible()
    assert_accessible(page)
