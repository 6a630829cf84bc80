"""Postal requests ("Envoyer par courrier") in the Caf agents' admin: the agent of the dossier's Caf lists them,
prints the attestation of the requested month (PDF text checked), marks them sent once (journaled); another Caf's
agent neither sees nor prints nor marks them; partner users never reach the admin."""

import html
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cdap import services
from cdap.models import Consultation, Payment, PostalRequest
from habilitations.journal import Event, JournalEntry
from habilitations.models import Caf
from tests.cdap.dossiers import make_dossier
from tests.factories import UserFactory, caf, habilitated_user
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

LIST = "/admin/cdap/postalrequest/"


def page(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def request_for(numero, code="T1-ASS", nom="Martin"):
    """A `code` user of the Caf 061 asked for the attestation of dossier `numero` (responsable `nom`) to be posted."""
    user, group = habilitated_user(code)
    dossier = make_dossier(caf("061"), numero=numero, nom=nom)
    consultation = Consultation.objects.create(
        user=user, dossier=dossier, profile_code=code, organism=group.convention.organism
    )
    periode = Payment.objects.filter(dossier=dossier).order_by("-periode").first().periode
    return PostalRequest.objects.create(consultation=consultation, periode=periode)


@pytest.fixture
def postal():
    """A T1 user of the Caf 061 asked for the attestation of dossier 1234567 to be posted."""
    return request_for("1234567", nom="Lefèvre")


@pytest.fixture
def agent_client(client, login):
    enrol(client, login, UserFactory(agent=True, nom="Agent", prenom="Local"))  # Caf 061
    return client


def test_the_agent_lists_prints_and_marks_sent_once(agent_client, postal):
    content = page(agent_client.get(LIST))
    assert "061 1234567" in content and "À envoyer" in content and "Imprimer l’attestation (PDF)" in content
    assert "Marquer comme envoyées" in content

    response = agent_client.get(f"{LIST}{postal.pk}/attestation/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"attestation-paiement-1234567-{postal.periode:%Y-%m}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "ATTESTATION DE PAIEMENT" in text and "LEFÈVRE" in text and "QUOTIENT FAMILIAL" in text
    printed = JournalEntry.objects.get(event=Event.CDAP_POSTAL_PRINTED)
    assert printed.data == {
        "caf": "061",
        "dossier": "1234567",
        "periode": postal.periode.isoformat(),
        "postal": postal.pk,
    }
    assert printed.organism is None and printed.actor.nom == "Agent"

    data = {"action": "mark_sent", "_selected_action": [postal.pk]}
    response = agent_client.post(LIST, data, follow=True)
    assert "1 demande(s) marquée(s) comme envoyée(s)." in page(response)
    postal.refresh_from_db()
    sent_at = postal.sent_at
    assert sent_at is not None
    assert f"Envoyée le {timezone.localtime(sent_at):%d/%m/%Y}" in page(agent_client.get(LIST))
    # A second click changes nothing and says so.
    response = agent_client.post(LIST, data, follow=True)
    assert "déjà envoyées" in page(response)
    postal.refresh_from_db()
    assert postal.sent_at == sent_at
    assert JournalEntry.objects.filter(event=Event.CDAP_POSTAL_SENT).count() == 1


def test_the_filter_separates_pending_and_sent(agent_client, postal):
    other = PostalRequest.objects.create(consultation=postal.consultation, periode=postal.periode)
    other.sent_at = timezone.now()
    other.save()
    pending = page(agent_client.get(f"{LIST}?etat=a_envoyer"))
    sent = page(agent_client.get(f"{LIST}?etat=envoyee"))
    assert f"{LIST}{postal.pk}/attestation/" in pending and f"{LIST}{other.pk}/attestation/" not in pending
    assert f"{LIST}{other.pk}/attestation/" in sent and f"{LIST}{postal.pk}/attestation/" not in sent


def test_another_cafs_agent_neither_sees_prints_nor_marks(client, login, postal):
    enrol(client, login, UserFactory(agent=True, caf=Caf.objects.get(code="831")))
    assert "1234567" not in page(client.get(LIST))
    assert client.get(f"{LIST}{postal.pk}/attestation/").status_code == 404
    client.post(LIST, {"action": "mark_sent", "_selected_action": [postal.pk]})
    postal.refresh_from_db()
    assert postal.sent_at is None
    assert not JournalEntry.objects.filter(event__in=[Event.CDAP_POSTAL_SENT, Event.CDAP_POSTAL_PRINTED]).exists()


def test_a_selection_tampered_with_marks_only_the_real_ids(agent_client, postal):
    """A value that is no id among the selected ones was a 500 (Django filtered on it as it was)."""
    response = agent_client.post(LIST, {"action": "mark_sent", "_selected_action": ["<script>", "1e308"]}, follow=True)
    assert response.status_code == 200
    assert "Des éléments doivent être sélectionnés" in page(response)
    postal.refresh_from_db()
    assert postal.sent_at is None
    response = agent_client.post(
        LIST, {"action": "mark_sent", "_selected_action": [postal.pk, "abc\x00"]}, follow=True
    )
    assert "1 demande(s) marquée(s) comme envoyée(s)." in page(response)
    postal.refresh_from_db()
    assert postal.sent_at is not None


def test_a_partner_user_never_reaches_the_postal_requests(client, login, postal):
    login(postal.consultation.user)
    response = client.get(f"{LIST}{postal.pk}/attestation/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_month_without_payment_gives_a_message_not_a_pdf(agent_client, postal):
    Payment.objects.filter(dossier=postal.consultation.dossier).delete()
    response = agent_client.get(f"{LIST}{postal.pk}/attestation/", follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "l'attestation ne peut pas être produite" in page(response)
    assert not JournalEntry.objects.filter(event=Event.CDAP_POSTAL_PRINTED).exists()


def test_marking_sent_is_idempotent_under_a_second_call(postal, rf):
    agent = UserFactory(agent=True)
    request = rf.post("/")
    request.user = agent
    queryset = PostalRequest.objects.filter(pk=postal.pk)
    assert services.postal_requests_mark_sent(request=request, queryset=queryset) == 1
    assert services.postal_requests_mark_sent(request=request, queryset=queryset) == 0


def test_a_request_of_a_profile_without_attestation_gives_a_message_not_an_error(agent_client, postal):
    Consultation.objects.filter(pk=postal.consultation_id).update(profile_code="T2")  # T2 opens the synthèse only
    response = agent_client.get(f"{LIST}{postal.pk}/attestation/", follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "Le profil du demandeur n'ouvre pas l'attestation de paiement" in page(response)
    assert not JournalEntry.objects.filter(event=Event.CDAP_POSTAL_PRINTED).exists()


def test_the_agent_prints_the_selected_attestations_in_one_pdf(agent_client, postal):
    second = request_for("2345678", nom="Durand")
    refused = request_for("3456789", code="T2", nom="Petit")  # T2 does not open the attestation
    assert "Imprimer les attestations sélectionnées (un PDF)" in page(agent_client.get(LIST))
    data = {"action": "print_attestations", "_selected_action": [refused.pk, second.pk, postal.pk]}
    response = agent_client.post(LIST, data)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="attestations-paiement-{timezone.localdate():%Y-%m-%d}.pdf"' in response["Content-Disposition"]
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages]
    assert len(pages) == 2  # one page each, in dossier order; the refused one left out
    assert "N° allocataire : 1234567" in pages[0] and "LEFÈVRE Jeanne" in pages[0]
    assert "N° allocataire : 2345678" in pages[1] and "DURAND Jeanne" in pages[1]
    assert all("ATTESTATION DE PAIEMENT" in text and "3456789" not in text for text in pages)
    printed = JournalEntry.objects.filter(event=Event.CDAP_POSTAL_PRINTED)
    assert sorted(entry.data["dossier"] for entry in printed) == ["1234567", "2345678"]
    # The left-out request is named on the next page, and nothing was marked sent.
    content = page(agent_client.get(LIST))
    assert "Non imprimée : 061 3456789" in content and "n'ouvre pas l'attestation de paiement" in content
    assert not PostalRequest.objects.filter(sent_at__isnull=False).exists()


def test_printing_in_one_pdf_is_bounded(agent_client, postal, monkeypatch):
    from cdap.admin import PostalRequestAdmin

    second = request_for("2345678")
    monkeypatch.setattr(PostalRequestAdmin, "print_max", 1)
    response = agent_client.post(LIST, {"action": "print_attestations", "_selected_action": [postal.pk, second.pk]})
    assert response.status_code == 302
    assert "Sélectionnez au plus 1 demandes par impression." in page(agent_client.get(LIST))
    assert not JournalEntry.objects.filter(event=Event.CDAP_POSTAL_PRINTED).exists()


def test_another_cafs_agent_cannot_print_them_in_one_pdf(client, login, postal):
    enrol(client, login, UserFactory(agent=True, caf=Caf.objects.get(code="831")))
    response = client.post(LIST, {"action": "print_attestations", "_selected_action": [postal.pk]})
    assert response["Content-Type"].startswith("text/html")
    assert not JournalEntry.objects.filter(event=Event.CDAP_POSTAL_PRINTED).exists()
