"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's live server.

Every page a test visits goes through `assert_accessible`: axe-core (WCAG 2.1 A and AA rules and the best-practice
rules, "region" included: all content inside landmarks), then the reflow check — at 320, 1280 and 1920 px wide the
page never scrolls sideways (`document.documentElement.scrollWidth <= innerWidth`, WCAG 1.4.10). The browser is
shared by the whole session; each test gets a fresh context (no cookies carried over) and fails on any uncaught
JavaScript error or Content-Security-Policy refusal.
"""

import os

# Playwright's sync API runs an event loop in the main thread; the ORM calls made by the tests themselves (and
# pytest-django's live server set-up) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.factories import TEST_PASSWORD  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
_axe = Axe()


# The widths every visited page is laid out at: a phone (WCAG 1.4.10's 320 CSS px), a laptop, a large screen.
REFLOW_WIDTHS = (320, 1280, 1920)


# The innermost elements that stick out on the right: where to look when a page scrolls sideways.
WIDEST_ELEMENTS = """() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    if (right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right >= right)) {
      out.push(`${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ").join(".") : ""} `
        + `(${Math.round(right)} px)`);
    }
  }
  return out.slice(0, 3);
}"""


def assert_no_horizontal_scroll(page, widths=REFLOW_WIDTHS) -> None:
    """At each width the page is as wide as the window: no page-level sideways scroll (a wide table scrolls inside
    its own wrapper). The viewport is put back as it was."""
    viewport = page.viewport_size
    overflows = []
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner_width:
                culprits = page.evaluate(WIDEST_ELEMENTS)
                overflows.append(f"{width} px : la page fait {scroll_width} px de large ({', '.join(culprits)})")
    finally:
        page.set_viewport_size(viewport)
    if overflows:
        pytest.fail(f"Défilement horizontal sur {page.url} — " + " ; ".join(overflows), pytrace=False)


def assert_accessible(page) -> None:
    """Zero axe-core violations (WCAG 2.1 A/AA and best practices) on the page as it is now, and no sideways
    scroll at 320, 1280 and 1920 px."""
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        lines = [f"{len(violations)} violation(s) axe-core sur {page.url} :"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}".replace("\n", " "))
                lines.append(f"      {node['html'][:200]}")
        pytest.fail("\n".join(lines), pytrace=False)
    assert_no_horizontal_scroll(page)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_errors():
    """JavaScript errors and CSP refusals seen by the page; the `page` fixture fails the test on any."""
    return []


@pytest.fixture
def page(browser, live_server, browser_errors):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: browser_errors.append(f"JavaScript : {error}"))
    page.on(
        "console",
        lambda message: (
            browser_errors.append(f"console : {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not browser_errors, "\n".join(browser_errors)


@pytest.fixture
def login_as(page):
    """Log in through the real login page; returns the page after the redirect."""

    def _login(user, password=TEST_PASSWORD, *, check=True):
        page.goto("/connexion/")
        if check:
            assert_accessible(page)
        page.get_by_label("Identifiant").fill(user.identifiant)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Connexion", exact=True).click()
        page.wait_for_load_state()
        return page

    return _login
