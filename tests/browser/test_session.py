"""The "Prolonger ma session" warning (RGAA 13.1) and the logged-in layout."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_session_warning_prolongs_the_session_without_leaving_the_page(page, login_as, settings):
    user = UserFactory()
    login_as(user)
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert_accessible(page)

    body = page.locator("body")
    expect(body).to_have_attribute("data-session-idle", str(int(settings.SESSION_IDLE_TIMEOUT.total_seconds())))
    expect(body).to_have_attribute("data-session-prolong-url", "/session/prolonger/")
    warning = page.locator("#session-warning")
    assert page.evaluate("document.getElementById('session-warning').hidden") is True
    expect(warning).to_be_hidden()

    # A marker that a navigation would wipe out.
    page.evaluate("window.__sameDocument = true")
    page.evaluate("window.MCP.showSessionWarning()")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alertdialog")
    prolong = page.get_by_role("button", name="Prolonger ma session")
    expect(prolong).to_be_focused()
    assert_accessible(page)

    with page.expect_response(lambda response: response.url.endswith("/session/prolonger/")) as answer:
        prolong.click()
    response = answer.value
    assert response.status == 204
    assert response.request.headers.get("hx-request") == "true"
    assert response.request.headers.get("x-csrftoken")
    expect(warning).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert page.evaluate("window.__sameDocument") is True

    # The session is still alive on the server.
    page.goto("/mon-profil/")
    expect(page.get_by_role("heading", level=1)).to_have_text("MON PROFIL")
    assert_accessible(page)


def test_session_warning_form_posts_normally_without_the_script(page, login_as):
    """The plain form submission (what a browser without JavaScript does) extends the session and comes back."""
    login_as(UserFactory())
    page.goto("/mon-profil/")
    # form.submit() skips the script's submit handler: an ordinary POST and navigation.
    with page.expect_navigation():
        page.locator("#session-warning form").evaluate("form => form.submit()")
    expect(page).to_have_url(re.compile(r"/mon-profil/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("MON PROFIL")
    expect(page.locator("#session-warning")).to_be_hidden()
    assert_accessible(page)


def test_htmx_requests_restart_the_session_timer(page, login_as):
    login_as(UserFactory())
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert_accessible(page)
    before = page.evaluate("window.MCP.sessionDeadline()")
    assert before > 0
    page.wait_for_timeout(50)
    # The vendored htmx is loaded under the strict CSP; any request it makes counts as activity.
    page.evaluate("htmx.ajax('GET', '/mon-profil/', {target: '#contenu', swap: 'none'})")
    page.wait_for_function(f"window.MCP.sessionDeadline() > {before}")


def test_logout(page, login_as):
    login_as(UserFactory())
    page.get_by_role("button", name="DÉCONNEXION").click()
    expect(page).to_have_url(re.compile(r"/connexion/\?raison=deconnexion$"))
    expect(page.locator("main")).to_contain_text("Vous êtes déconnecté")
    assert_accessible(page)
