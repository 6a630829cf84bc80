"""Issue 12.3 and 12.10 in the browser, on the demo world itself (`seed_demo`): the supervisor's screens have
history and their chart is drawn in the portal's accent; the T1's search, attestation and Dialogue have one primary
action; the T8 and T14 of the Caf de l'Aveyron open their documented dossiers. Every page axe-core clean, no page-level
horizontal scroll at 320 px. With CDAP_SCREENSHOTS=<dir>, every page is saved there at 320 and 1280 px."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from cdap import generator as g
from habilitations.demo import DEMO_PASSWORD
from habilitations.models import User
from tests.browser.conftest import assert_accessible, assert_no_horizontal_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CDAP_SCREENSHOTS")


def check(page, name: str) -> None:
    assert_accessible(page)
    assert_no_horizontal_scroll(page, widths=(320,))
    if SHOTS:
        for width in (320, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS}/demo-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def demo(page, login_as):
    call_command("seed_demo", dossiers=0, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))

    def as_(identifiant):
        page.context.clear_cookies()
        return login_as(User.objects.get(identifiant=identifiant), DEMO_PASSWORD)

    return as_


def search(page, nom: str, numero: str) -> None:
    page.goto("/consulter-dossier/")
    page.get_by_label("Nom", exact=False).first.fill(nom)
    page.get_by_label("Numéro allocataire").fill(numero)
    page.locator(".button-primary", has_text="Consulter").click()
    expect(page.locator(".cdap-identity")).to_contain_text(f"Dossier n° {numero}")


def test_the_supervisor_reads_months_of_history_in_the_accent_colour(page, demo):
    demo("ACC061SUPV")
    page.goto("/supervision-consulter-dossier/")
    expect(page.locator("#consultations tbody tr").first).not_to_contain_text("Aucune consultation")
    check(page, "supervision-liste")
    page.goto("/supervision-consulter-dossier/par-utilisateur-et-par-mois/")
    expect(page.locator("#graphique-canevas")).to_be_visible()
    colour = page.evaluate(
        "window.Chart.getChart(document.getElementById('graphique-canevas')).data.datasets[0].backgroundColor"
    )
    accent = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--green').trim()")
    assert colour.lower() == accent.lower()
    assert page.locator("#comptes tbody tr").count() >= 5
    check(page, "supervision-comptes")


def test_one_primary_action_on_the_search_the_attestation_and_dialogue(page, demo):
    demo("ACC061TASS")
    page.goto("/consulter-dossier/")
    expect(page.locator("main .button-primary")).to_have_text(["Consulter"])
    check(page, "recherche")
    search(page, "DUPRÉ-LEFÈVRE", g.DEMO_FAMILY)
    reference = re.search(r"/consulter-dossier/([^/]+)/", page.url)[1]
    page.goto(f"/consulter-dossier/{reference}/famille/")
    expect(page.locator("main")).to_contain_text("Salariée")
    check(page, "famille")
    for rubric, action in (("attestation", "Confirmer"), ("dialogue", "Envoyer")):
        page.goto(f"/consulter-dossier/{reference}/{rubric}/")
        expect(page.locator("main .button-primary")).to_have_text([action])
        check(page, rubric)


@pytest.mark.parametrize(
    ("identifiant", "nom", "numero", "rubric"),
    [
        ("ACC121RGPT", "ALBOUY", g.DEMO_AVEYRON_HEALTH, "CMU CMUC RSA"),
        ("ACC121RTRT", "VIGUIER", g.DEMO_AVEYRON_WIDOW, None),
    ],
)
def test_the_aveyron_accounts_open_their_documented_dossier(page, demo, identifiant, nom, numero, rubric):
    demo(identifiant)
    search(page, nom, numero)
    expect(page.locator(".cdap-identity")).to_contain_text("Caf de l'Aveyron")
    check(page, f"{identifiant}-synthese")
    if rubric:
        page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name=rubric).click()
        expect(page.locator("main table").first).to_contain_text("Complémentaire santé solidaire")
        check(page, f"{identifiant}-rubrique")
