"""Issue 12.10: the Dialogue e-mail to the Caf has a subject its agents can sort by (the message's number, the
partner, whether a numéro allocataire was given) but no personal data (quality.md: no personal data in e-mail
subjects — neither the numéro allocataire nor the typed object, which may name the beneficiary); its plain-text part
reads as typed (apostrophes, not `&#x27;`)."""

import pytest
from django.core import mail

from cdap.models import Consultation, DialogueMessage
from tests.cdap.dossiers import make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    organism = group.convention.organism
    organism.nom = "Centre communal d'action sociale de Nice"
    organism.save(update_fields=["nom"])
    cafe = caf("061")
    cafe.email = "partenaires@caf06.example"
    cafe.save(update_fields=["email"])
    return Consultation.objects.create(user=user, dossier=make_dossier(cafe), profile_code="T1-ASS", organism=organism)


def send(client, consultation, capture, *, path=None, **overrides):
    data = {
        "organisme": "Centre communal d'action sociale",
        "nom_prenom": "N'Diaye Claire",
        "email": "claire.ndiaye@ccas.example",
        "numero_allocataire": "1234567",
        "objet": "Demande d'attestation de l'allocataire",
        "message": "Bonjour,\nL'allocataire m'a dit qu'il « ne reçoit plus » l'AL & la PAJE <depuis mars>.",
        **overrides,
    }
    with capture(execute=True):
        response = client.post(path or f"/consulter-dossier/{consultation.reference}/dialogue/", data)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_subject_names_the_message_and_the_partner_not_the_dossier(
    client, consultation, django_capture_on_commit_callbacks
):
    sent = send(client, consultation, django_capture_on_commit_callbacks)
    message = DialogueMessage.objects.get()
    expected = (
        f"Mon Compte Partenaire : Dialogue n° {message.pk} — Centre communal d'action sociale de Nice"
        " — avec numéro allocataire"
    )
    assert sent.subject == expected
    assert "1234567" not in sent.subject and "attestation" not in sent.subject
    assert "1234567" in sent.body and "Objet : Demande d'attestation de l'allocataire" in sent.body


def test_without_a_dossier_the_subject_says_so_and_a_typed_line_break_is_no_header(
    client, consultation, django_capture_on_commit_callbacks
):
    sent = send(
        client,
        consultation,
        django_capture_on_commit_callbacks,
        path="/consulter-dossier/dialogue/",
        numero_allocataire="",
        objet="Question\r\nBcc: x@example.com " + "très long " * 15,
    )
    assert sent.subject.endswith(" — sans numéro allocataire")
    assert "Bcc" not in sent.subject and "\n" not in sent.subject and "\r" not in sent.subject
    assert sent.message()["Bcc"] is None  # a typed line break never becomes a header
    assert "Question" in sent.body


def test_the_plain_text_reads_as_typed(client, consultation, django_capture_on_commit_callbacks):
    sent = send(client, consultation, django_capture_on_commit_callbacks)
    body = sent.body
    assert "&#x27;" not in body and "&#39;" not in body and "&amp;" not in body and "&lt;" not in body
    assert "Objet : Demande d'attestation de l'allocataire" in body
    assert "L'allocataire m'a dit qu'il « ne reçoit plus » l'AL & la PAJE <depuis mars>." in body
    assert "Centre communal d'action sociale de Nice" in body and "N'Diaye Claire" in body
    html_part = sent.alternatives[0][0]
    assert "&lt;depuis mars&gt;" in html_part  # the HTML part escapes what was typed
