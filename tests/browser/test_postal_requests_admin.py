"""A Caf agent, in a real browser, handles the "Envoyer par courrier" requests in the admin: logs in with the second
factor, filters the requests still to send, downloads the attestation to post (PDF text checked), prints the selected
ones in one PDF, marks the request sent with the action; axe on every page."""

import io
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible
from tests.cdap.test_postal_admin import request_for
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postal():
    return request_for("1234567", nom="Lefèvre")


def test_an_agent_prints_then_marks_a_postal_request_sent(page, login_as, postal):
    agent = UserFactory(agent=True, nom="Agent", prenom="Local")  # Caf 061, second factor enrolled at first login
    login_as(agent)
    expect(page).to_have_url(re.compile(r"/double-authentification/enrolement/$"))
    device = TOTPDevice.objects.get(user=agent)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    expect(page.locator(".message-success")).to_contain_text("La double authentification est activée.")

    page.goto("/admin/cdap/postalrequest/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Attestations à envoyer par courrier")
    page.get_by_role("link", name="À envoyer").click()
    row = page.get_by_role("row").filter(has_text="061 1234567")
    expect(row).to_contain_text("À envoyer")
    assert_accessible(page)

    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("Imprimer l’attestation")).click()
    download = download_info.value
    assert download.suggested_filename == f"attestation-paiement-1234567-{postal.periode:%Y-%m}.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)
    assert "ATTESTATION DE PAIEMENT" in text and "LEFÈVRE" in text

    # The selected requests' attestations in one PDF (the action answers with the download).
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile("^Action")).select_option(
        label="Imprimer les attestations sélectionnées (un PDF)"
    )
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Appliquer l’action").click()
    download = download_info.value
    assert download.suggested_filename.startswith("attestations-paiement-")
    pages = PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages
    assert len(pages) == 1 and "N° allocataire : 1234567" in pages[0].extract_text()

    page.goto("/admin/cdap/postalrequest/?etat=a_envoyer")
    row = page.get_by_role("row").filter(has_text="061 1234567")
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name=re.compile("^Action")).select_option(label="Marquer comme envoyées")
    page.get_by_role("button", name="Appliquer l’action").click()
    expect(page.locator(".messagelist")).to_contain_text("1 demande(s) marquée(s) comme envoyée(s).")
    assert_accessible(page)
    postal.refresh_from_db()
    assert postal.sent_at is not None
    page.get_by_role("link", name="Envoyée", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="061 1234567")).to_contain_text("Envoyée le")
