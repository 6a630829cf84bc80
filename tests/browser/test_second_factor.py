"""The second factor in a real browser (issue 12, item 9): the backup codes one per line and never broken, even at
320 px, with "Copier les codes", "Imprimer", "Télécharger" and "J'ai conservé mes codes"; the enrolment page says
nothing of codes that do not exist yet; the session warning counts down."""

import os
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")


def test_backup_codes_one_per_line_with_copy_print_download(page, login_as):
    administrator = UserFactory(is_partner_admin=True, identifiant="ACC061BKUP")
    login_as(administrator)
    expect(page.get_by_role("heading", level=1)).to_have_text("ACTIVER LA DOUBLE AUTHENTIFICATION")
    # Before activation there is no code yet: the page does not speak of them.
    assert "secours" not in page.locator("main").inner_text()
    device = TOTPDevice.objects.get(user=administrator)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("VOS CODES DE SECOURS")

    codes = page.locator("#codes-secours code")
    expect(codes).to_have_count(10)
    shown = codes.all_inner_texts()
    assert all(re.fullmatch(r"[A-Z2-9]{5}(-[A-Z2-9]{5}){3}", code) for code in shown), shown
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        boxes = [code.bounding_box() for code in codes.all()]
        line = float(codes.first.evaluate("c => parseFloat(getComputedStyle(c).lineHeight) || 20"))
        # Each code on one line of its own: as tall as one line, below the previous one.
        assert all(box["height"] < 1.5 * line for box in boxes), (width, boxes)
        assert all(b["y"] >= a["y"] + a["height"] - 1 for a, b in zip(boxes, boxes[1:], strict=False)), (width, boxes)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"backup-codes-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copier les codes").click()
    expect(page.locator("#codes-copies")).to_have_text("Les codes sont copiés.")
    assert page.evaluate("navigator.clipboard.readText()") == "\n".join(shown) + "\n"
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger (fichier texte)").click()
    assert download.value.suggested_filename == "codes-de-secours-ACC061BKUP.txt"
    text = open(download.value.path(), encoding="utf-8").read()
    assert text.splitlines()[2:] == shown
    assert_accessible(page)

    page.get_by_role("link", name="J'ai conservé mes codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("BIENVENUE")


def test_session_warning_counts_down(page, login_as):
    login_as(UserFactory())
    page.evaluate("window.MCP.showSessionWarning()")
    countdown = page.locator("#session-countdown")
    expect(countdown).to_have_text(re.compile(r"^(\d+ min )?\d+ s$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3000)
    expect(page.locator("#session-warning-text")).to_contain_text("vous serez déconnecté dans")
