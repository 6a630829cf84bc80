"""A service not built yet opens its own page (issue 12, item 5), readable at 320 and 1280 px, axe-clean."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import grant, habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("MCP_SCREENSHOTS")


def test_the_menu_entry_opens_the_services_page(page, login_as):
    user, group = habilitated_user("DGFIP")
    grant(group, "SUPERVISION_DGFIP")
    login_as(user)
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="OFFRE DGFIP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OFFRE DGFIP")
    expect(page.get_by_role("heading", name="Ce que le service vous permettra")).to_be_visible()
    expect(page.get_by_role("heading", name="Contacter votre Caf")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(SHOTS, f"service-dgfip-{width}.png"), full_page=True)
