"""Issue 21.14 in the browser: a future partner finds its Caf in « Ma Caf », reads where to send the documents and
downloads them as PDF; axe-core clean; 320 and 1280 px screenshots."""

import pytest
from playwright.sync_api import expect

from habilitations.models import Caf
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ma_caf_gives_the_documents_and_the_address_to_return_them_to(page):
    Caf.objects.filter(code="061").update(
        adresse_postale="Service Partenaires\n48 route de Grenoble\n06200 Nice", email="partenaires@caf06.example"
    )
    page.goto("/")
    page.get_by_role("link", name="Ma Caf", exact=True).first.click()
    page.get_by_label("Code postal").fill("06000")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="Documents de conventionnement")).to_be_visible()
    expect(page.locator("#adresse-retour")).to_contain_text("48 route de Grenoble")
    links = page.locator("#documents a")
    expect(links).to_have_count(7)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Bulletin d'adhésion au service Consulter Dossier (CDAP) (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "mcp-bulletin-adhesion-cdap.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/h21b-ma-caf-{width}.png", full_page=True)
