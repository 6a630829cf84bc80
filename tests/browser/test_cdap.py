"""Consulter Dossier in a real browser: a T1 social worker searches a complete dossier, opens every rubric her
profile shows, downloads the attestation de paiement (PDF text read) and writes to the Caf through Dialogue; a T2
facility sees only the synthèse (a closed rubric's URL answers 403); a wrong name gets the neutral refusal. Every
page visited is axe-core clean (WCAG 2.1 A/AA)."""

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from cdap.selectors import REFUSAL_MESSAGE
from tests.browser.conftest import assert_accessible
from tests.cdap.factories import INSTRUCTEUR, complete_dossier
from tests.factories import caf, habilitated_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMERO = "2345678"
CAF_EMAIL = "partenaires@caf06.example"

# T1-ASS's tabs, in the guide's order (cdap_profiles.csv: everything but CMU CMUC RSA and CMUC ressources; the
# attestation is an action, not a tab). For each one, texts the rubric's page must show from the dossier.
T1_TABS = {
    "Synthèse": ["Accéder à la rubrique", "Paiements", "Logement"],
    "Dossier": ["Situation familiale", "Mariage", "QF CNAF", "Pas de surendettement en cours"],
    "Paiements": ["Vue par paiement", "Mensuel émis", "399,82 €"],
    "Droits": ["Informations sur les droits", "Allocations familiales", "148,52 €", "251,30 €"],
    "Famille": ["Enfants", "Léa", "Hugo"],
    "Ressources": ["Ressources annuelles", "Salaires", "18\u00a0400,00 €", "Ressources Aide au logement"],
    "RSA": ["Droits au RSA", "Sociale", INSTRUCTEUR, "en cours"],
    "Courriers": ["Attestation de loyer", "Votre dossier a été traité"],
    "Logement": ["Logement conventionné", "Côte d'Azur Habitat", "061HLM0042", "560,00 €"],
    "Créances": ["Indu d'aide au logement", "210,00 €", "Retenue de 35,00 € par mois"],
    "Données complémentaires": ["AEEH", "Allocation d'éducation de l'enfant handicapé"],
}


def _dossier():
    return complete_dossier(
        numero=NUMERO,
        adresse="8 avenue Jean Médecin",
        responsable__nom="Dupré-Lefèvre",
        responsable__prenom="Hélène",
    )


def _search(page, nom, numero=NUMERO):
    page.get_by_label("Nom allocataire").fill(nom)
    page.get_by_label("Numéro allocataire").fill(numero)
    page.get_by_role("button", name="Consulter").click()
    page.wait_for_load_state()


def _open_search_from_home(page):
    expect(page).to_have_url(re.compile(r"/accueil/$"))
    assert_accessible(page)
    page.locator("#service-CDAP").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER")
    expect(page.locator("#caf-selectionnee")).to_have_text(caf("061").nom)
    assert_accessible(page)


def _tab_names(page) -> list[str]:
    return [
        name.strip()
        for name in page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link").all_inner_texts()
    ]


def test_a_social_worker_reads_the_dossier_downloads_the_attestation_and_writes_to_the_caf(page, login_as, tmp_path):
    cafe = caf("061")
    cafe.email = CAF_EMAIL
    cafe.save(update_fields=["email"])
    user, _ = habilitated_user("T1-ASS")
    dossier = _dossier()

    login_as(user)
    _open_search_from_home(page)
    # The name typed without its accents and in lower case, with blanks around it.
    _search(page, "  dupre-lefevre ")
    expect(page).to_have_url(re.compile(r"/consulter-dossier/[0-9a-f-]{36}/$"))
    assert NUMERO not in page.url and "dupre" not in page.url.lower()
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Synthèse")
    identity = page.locator(".cdap-identity")
    expect(identity).to_contain_text(f"Dossier n° {NUMERO}")
    expect(identity).to_contain_text("DUPRÉ-LEFÈVRE Hélène")
    expect(identity).to_contain_text("8 avenue Jean Médecin 06000 Nice")
    assert_accessible(page)

    # Exactly the tabs of the profile, each page with its data.
    assert _tab_names(page) == list(T1_TABS)
    synthese_url = page.url
    for label, texts in T1_TABS.items():
        page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"CONSULTER DOSSIER — {label}")
        tab = page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name=label, exact=True)
        expect(tab).to_have_attribute("aria-current", "page")
        rubric = page.locator(".cdap-rubric")
        for text in texts:
            expect(rubric).to_contain_text(text)
        expect(page.locator("main")).not_to_contain_text("CMUC")
        assert_accessible(page)
    # The other views of Paiements and Droits.
    page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name="Paiements").click()
    page.get_by_role("link", name="Vue par période").click()
    expect(page.get_by_role("link", name="Vue par période")).to_have_attribute("aria-current", "true")
    expect(page.locator(".cdap-rubric")).to_contain_text("399,82 €")
    assert_accessible(page)
    page.get_by_role("navigation", name="Rubriques du dossier").get_by_role("link", name="Droits").click()
    page.get_by_role("link", name="Vue par période").click()
    expect(page.locator(".cdap-rubric")).to_contain_text("Droits par période")
    expect(page.locator(".cdap-rubric")).to_contain_text("148,52 €")
    assert_accessible(page)

    # On a 320 px screen the wide tables scroll inside their box (reachable by keyboard), never the page.
    page.set_viewport_size({"width": 320, "height": 640})
    for rubric in ("", "paiements/", "droits/", "famille/"):
        page.goto(f"{synthese_url}{rubric}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, rubric
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Attestation de paiement: Télécharger → Confirmer gives the PDF.
    page.goto(synthese_url)
    page.locator(".cdap-actions").get_by_role("link", name="Attestation de paiement").click()
    expect(page.get_by_role("heading", level=2, name="Attestation de paiement")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Télécharger").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirmer").click()
    download = download_info.value
    assert re.fullmatch(r"attestation-paiement-\d{4}-\d{2}\.pdf", download.suggested_filename)
    target = Path(tmp_path) / download.suggested_filename
    download.save_as(target)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "ATTESTATION DE PAIEMENT" in text
    assert "DUPRÉ-LEFÈVRE Hélène" in text and "MARTIN Julien" in text
    assert "certifie que" in text
    amounts = text.replace(",", ".")
    assert "148.52" in amounts and "251.30" in amounts and "399.82" in amounts
    assert "QUOTIENT FAMILIAL" in text and "612" in text
    assert f"N° allocataire : {NUMERO}" in text
    assert_accessible(page)

    # Dialogue: prefilled from the account and with the dossier's number, saying what the Caf will see.
    page.locator(".cdap-actions").get_by_role("link", name="Dialogue").click()
    expect(page.get_by_role("heading", level=2, name="Échanger avec la Caf pour le dossier consulté")).to_be_visible()
    expect(page.get_by_label("Nom de votre organisme")).to_have_value(user.organism.nom)
    expect(page.get_by_label("Vos nom et prénom")).to_have_value(f"{user.nom} {user.prenom}")
    expect(page.get_by_label("Numéro allocataire")).to_have_value(NUMERO)
    expect(page.get_by_label("Votre adresse électronique")).to_have_value(user.email)
    expect(page.locator("main")).to_contain_text(f"avec votre identifiant ({user.identifiant})")
    assert_accessible(page)
    # A dossier she never consulted is refused next to the field; nothing is sent.
    page.get_by_label("Numéro allocataire").fill("7654321")
    page.get_by_label("Objet").fill("Demande de précision sur le loyer")
    page.get_by_label("Message").fill("Bonjour,\nLe loyer a-t-il changé en janvier ?")
    page.get_by_role("button", name="Envoyer").click()
    refusal = f"Indiquez le numéro allocataire d'un dossier de la {cafe.nom} que vous avez consulté"
    expect(page.locator(".field-error")).to_contain_text(refusal)
    assert_accessible(page)
    assert not mail.outbox
    # Another organism typed, her own dossier: sent, acknowledged; the Caf reads who really wrote.
    page.get_by_label("Numéro allocataire").fill(NUMERO)
    page.get_by_label("Nom de votre organisme").fill("Caf du Var")
    page.get_by_label("Votre adresse électronique").fill("reponse@ccas.example")
    page.get_by_role("button", name="Envoyer").click()
    expect(page).to_have_url(synthese_url)
    expect(page.locator(".message-success")).to_contain_text("Votre message a bien été transmis à la Caf")
    assert_accessible(page)
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    sent = mail.outbox[0]
    assert sent.to == [CAF_EMAIL] and sent.reply_to == ["reponse@ccas.example"]
    assert "Demande de précision sur le loyer" in sent.body and NUMERO in sent.body
    assert f"Expéditeur authentifié : {user.identifiant}, {user.nom} {user.prenom}, {user.organism.nom}" in sent.body
    assert "Déclaré dans le formulaire : Caf du Var," in sent.body
    assert dossier.persons.count() == 4


def test_a_facility_sees_only_the_synthese(page, login_as):
    user, _ = habilitated_user("T2")
    _dossier()
    login_as(user)
    _open_search_from_home(page)
    # The name typed in capitals with its accents, the conjoint's name would do as well.
    _search(page, "DUPRÉ-LEFÈVRE")
    expect(page.get_by_role("heading", level=1)).to_have_text("CONSULTER DOSSIER — Synthèse")
    expect(page.locator(".cdap-identity")).to_contain_text("DUPRÉ-LEFÈVRE Hélène")
    expect(page.locator(".cdap-identity")).to_contain_text("QF CNAF : 612 €")
    assert _tab_names(page) == ["Synthèse"]
    main = page.locator("main")
    expect(main.get_by_role("link", name="Attestation de paiement")).to_have_count(0)
    expect(main).not_to_contain_text("Accéder à la rubrique")
    expect(main).not_to_contain_text("Mensuel émis")
    expect(main).not_to_contain_text("Côte d'Azur Habitat")
    assert_accessible(page)

    synthese_url = page.url
    for rubric in ("paiements", "logement", "attestation"):
        response = page.goto(f"{synthese_url}{rubric}/")
        assert response.status == 403, rubric
        expect(page.locator("main")).not_to_contain_text("Mensuel émis")
        assert_accessible(page)


def test_a_wrong_name_gets_the_neutral_refusal(page, login_as):
    user, _ = habilitated_user("T1-ASS")
    _dossier()
    login_as(user)
    _open_search_from_home(page)
    _search(page, "Durand")
    expect(page).to_have_url(re.compile(r"/consulter-dossier/$"))
    expect(page.locator("#refus")).to_have_text(REFUSAL_MESSAGE)
    expect(page.locator("main")).not_to_contain_text("DUPRÉ")
    assert_accessible(page)
    # An unknown number answers the very same words.
    _search(page, "Dupré-Lefèvre", "7654321")
    expect(page.locator("#refus")).to_have_text(REFUSAL_MESSAGE)
    assert_accessible(page)
