"""SUPERVISION CONSULTER DOSSIER in the browser: list, counts with the chart drawn under the CSP, axe-core clean."""

import re

import pytest
from playwright.sync_api import expect

from habilitations.journal import Event, journal_write
from tests.browser.conftest import assert_accessible
from tests.factories import UserFactory, habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_reads_the_consultations_and_their_chart(page, login_as):
    supervisor, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP")
    worker = UserFactory(organism=group.convention.organism, nom="Martin", prenom="Paul")
    for rubric in ("synthese", "paiements"):
        journal_write(
            Event.CDAP_RUBRIC,
            user=worker,
            organism=worker.organism,
            profile="T1-ASS",
            caf="061",
            dossier="1234567",
            rubric=rubric,
            outcome="found",
        )
    login_as(supervisor)
    page.get_by_role("link", name="SUPERVISION CONSULTER DOSSIER").first.click()
    expect(page).to_have_url(re.compile(r"/supervision-consulter-dossier/$"))
    expect(page.locator("#consultations")).to_contain_text("MARTIN Paul")
    assert_accessible(page)
    page.get_by_label("Refus uniquement").check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("#consultations")).to_contain_text("Aucune consultation ne correspond à ces critères.")
    assert_accessible(page)
    page.get_by_role("link", name="Consultations par utilisateur et par mois").click()
    page.get_by_role("link", name="Réinitialiser").click()
    expect(page.locator("#graphique-canevas")).to_be_visible()
    expect(page.locator("#comptes")).to_contain_text("MARTIN Paul")
    assert page.evaluate(
        "window.Chart.getChart(document.getElementById('graphique-canevas')).data.datasets[0].data"
    ) == [2]
    assert_accessible(page)
