"""Attestation de paiement (T1, T9, T19): download (PDF text checked), postal request, journal; other profiles 403."""

import io

import pytest
from pypdf import PdfReader

from cdap.models import Consultation, Payment, PostalRequest
from cdap.templatetags.attestation import mois_precede_de
from habilitations.access.rubrics import may_see
from habilitations.journal import Event, JournalEntry
from tests.cdap.dossiers import SENTINELS, make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consult(client, login):
    def _consult(code, **dossier_kwargs):
        user, group = habilitated_user(code)
        login(user)
        dossier = make_dossier(caf("061"), **dossier_kwargs)
        return Consultation.objects.create(
            user=user, dossier=dossier, profile_code=code, organism=group.convention.organism
        )

    return _consult


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("code", ["T1-ASS", "T1-CESF", "T9", "T19"])
def test_download_pdf_like_the_cafs_document(client, consult, code):
    consultation = consult(code)
    url = f"/consulter-dossier/{consultation.reference}/attestation/"
    page = client.get(url).content.decode()
    assert "Vous souhaitez" in page and "Télécharger" in page and "Envoyer par courrier" in page
    assert "Annuler" in page and "Confirmer" in page
    response = client.post(url, {"mode": "telecharger"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    assert "ATTESTATION DE PAIEMENT" in flat
    assert "Le directeur de la Caf" in flat and "certifie que" in flat
    period = Payment.objects.filter(dossier=consultation.dossier).first().periode
    assert f"ont perçu les prestations suivantes pour le mois {mois_precede_de(period)} :" in flat
    assert "PRESTATIONS" in flat and "MONTANT" in flat and "Soit au total" in flat
    assert "312.40" in flat.replace(",", ".")
    assert "QUOTIENT FAMILIAL" in flat and "654" in flat
    assert "LEFÈVRE Jeanne" in flat and "MARTIN Paul" in flat
    assert "insaisissables" in flat and "L114-9" in flat
    assert SENTINELS["paiements"] in flat
    for rubric, sentinel in SENTINELS.items():
        if rubric != "paiements":
            assert sentinel not in flat, rubric
    entry = JournalEntry.objects.get(event=Event.CDAP_ATTESTATION)
    assert entry.data["mode"] == "download" and entry.data["profile"] == code and entry.data["dossier"] == "1234567"
    assert entry.user == consultation.user


def test_postal_request_recorded_and_confirmed(client, consult):
    consultation = consult("T1-ASS")
    url = f"/consulter-dossier/{consultation.reference}/attestation/"
    response = client.post(url, {"mode": "courrier"}, follow=True)
    assert "la Caf enverra l'attestation de paiement par courrier" in response.content.decode().replace("&#x27;", "'")
    postal = PostalRequest.objects.get()
    assert postal.consultation == consultation
    assert postal.periode == Payment.objects.filter(dossier=consultation.dossier).first().periode
    entry = JournalEntry.objects.get(event=Event.CDAP_ATTESTATION)
    assert entry.data["mode"] == "courrier"


@pytest.mark.parametrize("mode", ["", "autre", "x" * 500])
def test_bad_mode_is_a_french_message(client, consult, mode):
    consultation = consult("T1-ASS")
    response = client.post(f"/consulter-dossier/{consultation.reference}/attestation/", {"mode": mode})
    assert response.status_code == 200
    assert "Choisissez « Télécharger » ou « Envoyer par courrier »." in response.content.decode()
    assert not PostalRequest.objects.exists()
    assert not JournalEntry.objects.filter(event=Event.CDAP_ATTESTATION).exists()


def test_no_payment_no_attestation(client, consult):
    consultation = consult("T1-ASS", payments=0)
    response = client.post(f"/consulter-dossier/{consultation.reference}/attestation/", {"mode": "telecharger"})
    assert response.status_code == 200
    assert "Aucun paiement" in response.content.decode()


@pytest.mark.parametrize("code", ["T2", "T4", "T5", "T10", "T11", "T13", "T18"])
def test_other_profiles_refused_and_journaled(client, consult, code):
    assert not may_see(code, "attestation_paiement")
    consultation = consult(code)
    url = f"/consulter-dossier/{consultation.reference}/attestation/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"mode": "telecharger"}).status_code == 403
    assert client.post(url, {"mode": "courrier"}).status_code == 403
    assert not PostalRequest.objects.exists()
    refused = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC_REFUSED, data__rubric="attestation_paiement")
    assert refused.count() == 3


def test_attestation_link_only_for_its_profiles(client, consult):
    t1 = consult("T1-ASS")
    assert "Attestation de paiement" in client.get(f"/consulter-dossier/{t1.reference}/").content.decode()
    client.logout()
    t4 = consult("T4", numero="7654321")
    assert "Attestation de paiement" not in client.get(f"/consulter-dossier/{t4.reference}/").content.decode()


def test_the_header_gives_the_cafs_postal_address_and_opening_hours(client, consult):
    """Webinar 004:672: the Caf's name, its postal address, "Nous contacter" and its opening hours, as its agents
    typed them in the admin (blank lines and stray spaces dropped)."""
    from habilitations.models import Caf

    Caf.objects.filter(code="061").update(
        adresse_postale="  Rue Émile Ollivier \n\n  CS 90001\n06082   Nice Cedex 9 ",
        horaires_accueil="du lundi au vendredi de 8 h 30 à 16 h 30",
        telephone="3230",
        email="",
    )
    consultation = consult("T1-ASS")
    response = client.post(f"/consulter-dossier/{consultation.reference}/attestation/", {"mode": "telecharger"})
    lines = [" ".join(line.split()) for line in pdf_text(response.content).splitlines()]
    start = lines.index("Rue Émile Ollivier")
    assert lines[start - 1].endswith(consultation.dossier.caf.nom)
    assert lines[start : start + 5] == [
        "Rue Émile Ollivier",
        "CS 90001",
        "06082 Nice Cedex 9",
        "Nous contacter : 3230",
        "Horaires d'accueil : du lundi au vendredi de 8 h 30 à 16 h 30",
    ]


def test_no_address_typed_no_empty_line(client, consult):
    consultation = consult("T1-ASS")
    response = client.post(f"/consulter-dossier/{consultation.reference}/attestation/", {"mode": "telecharger"})
    text = pdf_text(response.content)
    assert "Horaires d'accueil" not in text and "Tous nos contacts sur caf.fr" in text
