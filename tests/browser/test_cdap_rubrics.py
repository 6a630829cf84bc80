"""The CDAP rubrics as webinar 004 shows them, in a real browser, at 320 and 1280 px: "VOTRE RECHERCHE", the tabs
on one row (they scroll inside their bar, not the page), "Afficher :", Paiements one payment at a time with
"Paiement précédent / suivant", "Droits à la date" with its month picker, the resources' nature × person tables,
the guide's labels and empty states. Each page is axe-core clean; at 320 px the rubric's first line of data is
within the first screen. With CDAP_SCREENSHOTS=<dir>, every page is saved there at both widths (to look at)."""

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cdap import models as m
from tests.browser.conftest import assert_accessible
from tests.cdap.factories import complete_dossier, month_start, months_ago
from tests.factories import habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMERO = "2345670"
SHOTS = os.environ.get("CDAP_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900 if width > 320 else 640})
        page.reload()
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size(viewport)
    page.reload()


def _dossier():
    dossier = complete_dossier(
        numero=NUMERO,
        responsable__nom="Dupré-Lefèvre",
        responsable__prenom="Hélène",
        responsable__civilite="Mme",
        quotient_familial=None,
    )
    m.Person.objects.filter(dossier=dossier, role="CONJOINT").update(
        nationalite="Étrangère", fin_titre_sejour=datetime.date(2031, 3, 11)
    )
    m.Person.objects.filter(dossier=dossier, role="ENFANT", prenom="Hugo").update(aeeh=True, liens_affectifs=True)
    month = month_start(months_ago(1))
    m.Right.objects.create(
        dossier=dossier, mois=month, prestation="AAH", beneficiaire="RESPONSABLE", montant=Decimal("1049.52")
    )
    m.Right.objects.create(dossier=dossier, mois=month, prestation="PA", montant=Decimal("9.20"), sous_seuil=True)
    conjoint = m.Person.objects.get(dossier=dossier, role="CONJOINT")
    m.Resource.objects.create(
        dossier=dossier, person=conjoint, mois=month, nature="Allocations chômage", montant=Decimal("812.40")
    )
    return dossier


def _tab(page, label):
    page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"CONSULTER DOSSIER — {label}")


def _first_data_within_first_screen(page) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()  # laid out for a phone from the start ("VOTRE RECHERCHE" folded)
    top = page.evaluate(
        "(() => { const el = document.querySelector('.cdap-rubric :is(tbody tr, dl, .cdap-empty, .cdap-summary)');"
        " return el ? el.getBoundingClientRect().top + window.scrollY : null; })()"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    assert top is not None and top < 640, top


def test_the_rubrics_read_like_the_guide(page, login_as):
    user, _ = habilitated_user("T1-ASS")
    _dossier()
    login_as(user)
    page.goto("/consulter-dossier/")
    page.get_by_label("Nom allocataire").fill("Dupré-Lefèvre")
    page.get_by_label("Numéro allocataire").fill(NUMERO)
    page.get_by_role("button", name="Consulter").click()
    page.wait_for_load_state()
    synthese = page.url

    identity = page.locator(".cdap-identity")
    expect(identity.locator("summary")).to_have_text("VOTRE RECHERCHE")
    expect(identity).to_contain_text("Madame DUPRÉ-LEFÈVRE Hélène — Responsable du dossier, née le")
    expect(identity).to_contain_text("QF CNAF : Donnée indisponible")
    main = page.locator(".cdap-rubric")
    expect(main).to_contain_text("Pas de surendettement en cours")
    expect(main).to_contain_text("Quittance présente")
    expect(main).to_contain_text(re.compile(r"Courriers de \S+ \d{4} à \S+ \d{4}"))
    expect(main).to_contain_text("Allocation aux adultes handicapés Madame")
    assert_accessible(page)
    _shoot(page, "01-synthese")

    # The tabs stay on one row: at 320 px they scroll inside their bar.
    page.set_viewport_size({"width": 320, "height": 640})
    tops = page.locator(".cdap-tabs li").evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
    assert len(set(tops)) == 1, tops
    page.set_viewport_size({"width": 1280, "height": 900})

    # "Afficher :" opens the chosen rubric.
    page.get_by_label("Afficher :").select_option(label="Droits")
    page.get_by_role("button", name="Afficher", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Droits")

    _tab(page, "Dossier")
    for text in (
        "Nombre d'enfants à charge au sens des prestations familiales :",
        "Nombre de personnes à charge au sens des aides au logement :",
        "QF CNAF :",
        "Donnée indisponible",
        "Pas de surendettement en cours",
        "Nationalité du responsable du dossier :",
        "Nationalité du conjoint : étrangère",
        "Date de fin de validité du titre de séjour du conjoint : 11/03/2031",
    ):
        expect(main).to_contain_text(text)
    assert_accessible(page)
    _shoot(page, "02-dossier")

    _tab(page, "Paiements")
    expect(page.get_by_role("link", name="Vue par paiement")).to_have_attribute("aria-current", "true")
    expect(main).to_contain_text("Paiement 1 sur 24")
    for text in ("Période :", "Type de traitement :", "Émis le :", "Montant total :", "Montant de la retenue (*) :"):
        expect(main).to_contain_text(text)
    expect(main).to_contain_text("(*) Montant de la retenue sur le paiement (non ventilé par prestation)")
    assert_accessible(page)
    _shoot(page, "03-paiements")
    _first_data_within_first_screen(page)
    page.get_by_role("link", name="Paiement précédent").click()
    expect(main).to_contain_text("Paiement 2 sur 24")
    page.get_by_role("link", name="Paiement suivant").click()
    expect(main).to_contain_text("Paiement 1 sur 24")
    page.get_by_role("link", name="Vue par période").click()
    expect(page.get_by_role("link", name="Vue par période")).to_have_attribute("aria-current", "true")
    assert_accessible(page)
    _shoot(page, "04-paiements-periode")

    _tab(page, "Droits")
    expect(main).to_contain_text("Droits à la date")
    for text in ("Prestation", "Montant inférieur au seuil de versement", "Suspension du droit"):
        expect(main.locator("thead")).to_contain_text(text)
    row = main.locator("tbody tr", has_text="Allocation aux adultes handicapés Madame")
    expect(row).to_contain_text("1\u00a0049,52\u00a0€")
    expect(main.locator("tbody tr", has_text="Prime d'activité")).to_contain_text("Oui")
    assert row.locator("td").nth(1).evaluate("td => getComputedStyle(td).textAlign") == "right"
    assert_accessible(page)
    _shoot(page, "05-droits")
    before = page.get_by_label("Mois sélectionné").input_value()
    page.get_by_role("link", name="Mois précédent").click()
    assert page.get_by_label("Mois sélectionné").input_value() < before
    page.get_by_role("link", name="Mois suivant").click()
    assert page.get_by_label("Mois sélectionné").input_value() == before

    _tab(page, "Famille")
    expect(main).to_contain_text("Situation familiale depuis le")
    expect(main).to_contain_text("Il n'y a pas de données à afficher concernant les autres personnes")
    assert_accessible(page)
    _shoot(page, "06-famille")

    _tab(page, "Ressources")
    expect(main).to_contain_text("Ressources annuelles")
    table = main.locator("table").first
    expect(table.locator("thead")).to_contain_text("Nature des ressources")
    expect(table.locator("thead")).to_contain_text("Madame")
    expect(table.locator("thead")).to_contain_text("Monsieur")
    expect(table.locator("tfoot")).to_contain_text("Sous-Total")
    expect(table.locator("tfoot")).to_contain_text("36\u00a0800,00\u00a0€")
    expect(main).to_contain_text("Ressources Aide au logement")
    expect(main).to_contain_text("Allocations chômage")
    assert_accessible(page)
    _shoot(page, "07-ressources")

    _tab(page, "Logement")
    for text in (
        "Date de début d'ouverture de droit :",
        "Date du loyer de référence :",
        "Surpeuplement :",
        "Quittance de loyer : Présente",
    ):
        expect(main).to_contain_text(text)
    assert_accessible(page)
    _shoot(page, "08-logement")

    _tab(page, "Données complémentaires")
    aeeh = main.locator("table").first
    for text in ("Nom", "Prénom", "Date de naissance", "Activité", "Charge", "Placement", "Liens affectifs"):
        expect(aeeh.locator("thead")).to_contain_text(text)
    expect(aeeh.locator("tbody")).to_contain_text("Hugo")
    expect(aeeh.locator("tbody")).not_to_contain_text("Léa")
    assert_accessible(page)
    _shoot(page, "09-donnees-complementaires")

    page.goto(synthese)
