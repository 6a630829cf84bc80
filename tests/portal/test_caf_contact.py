"""« Contacter ma Caf » (webinar 004:942, issue 21.15): every logged-in user writes to the contact of their account's
Caf — not only the CDAP Dialogue of a consultation. As in Dialogue (tests/security/test_dialogue.py) the Caf reads the
authenticated sender; here the form has no identity field at all: what is posted besides the message is ignored.
Through core.mail (after commit, From the portal, Reply-To the account's address), journaled, a few per hour."""

import html

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from core.mail.models import OutgoingEmail
from habilitations.journal import JournalEntry
from habilitations.models import CafServiceContact, Service
from portal.views.support import CAF_CONTACT_RATE_PER_HOUR, caf_contact_rate_key
from tests.factories import habilitated_user
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db

URL = "/contacter-ma-caf/"
LIMITED = "Vous avez déjà envoyé plusieurs messages à votre Caf cette heure-ci"


@pytest.fixture
def sender():
    user, _ = habilitated_user("T1-ASS", nom="Garrigues", prenom="Mélanie")
    caf = user.caf
    caf.centre_services_email = "centre-de-services@caf.example"
    caf.save()
    cache.delete(caf_contact_rate_key(user))
    yield user
    cache.delete(caf_contact_rate_key(user))


def text(response) -> str:
    return html.unescape(response.content.decode())


def post(client, capture, **data):
    with capture(execute=True):
        return client.post(URL, {"service": "", "objet": "Accès", "message": "Bonjour,\nmerci.", **data})


def test_the_caf_reads_the_account_as_sender_and_answers_to_its_address(sender, django_capture_on_commit_callbacks):
    client = verified_client(sender)
    page = text(client.get(URL))
    assert "CONTACTER MA CAF" in page and sender.identifiant in page and sender.email in page
    impostor = {"email": "directeur@pirate.example", "nom": "Le Directeur", "organisme": "Caf du Var", "user": 1}
    response = post(client, django_capture_on_commit_callbacks, objet="Mes habilitations", **impostor)
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["centre-de-services@caf.example"]
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL and sent.reply_to == [sender.email]
    who = f"Expéditeur authentifié : {sender.identifiant}, GARRIGUES Mélanie, {sender.organism.nom}, {sender.email}"
    for body in (sent.body, html.unescape(sent.alternatives[0].content)):
        assert who in body and "Objet : Mes habilitations" in body
        assert "pirate" not in body and "Le Directeur" not in body
    assert "Bonjour,\nmerci." in sent.body
    entry = JournalEntry.objects.get(event="portal.caf_contact_sent")
    assert (entry.user, entry.actor, entry.organism) == (sender, sender, sender.organism)
    assert entry.data["to"] == "centre-de-services@caf.example" and entry.data["caf"] == sender.caf.code
    assert "Votre message a bien été transmis" in text(client.get(response["Location"]))


def test_a_service_with_its_contact_gets_the_message(sender, django_capture_on_commit_callbacks):
    CafServiceContact.objects.create(
        caf=sender.caf, service=Service.objects.get(code="CDAP"), pole="Pôle Partenaires", email="cdap@caf.example"
    )
    client = verified_client(sender)
    assert '<option value="CDAP">' in text(client.get(URL))  # the services the account uses today
    post(client, django_capture_on_commit_callbacks, service="CDAP")
    assert mail.outbox[0].to == ["cdap@caf.example"] and "Service concerné : CDAP" in mail.outbox[0].body


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"objet": ""}, "objet", "Saisissez l'objet."),
        ({"message": "   "}, "message", "Saisissez votre message."),
        ({"message": "a\x00b"}, "message", "Ce champ contient un caractère non autorisé."),
        ({"service": "AFAS"}, "service", "Choisissez un service de la liste."),  # not one of the account's
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_sent(
    sender, django_capture_on_commit_callbacks, data, field, message
):
    response = post(verified_client(sender), django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    page = text(response)
    assert message in page[page.index(f'for="id_{field}"') :]
    assert not mail.outbox and not OutgoingEmail.objects.filter(kind="caf_contact").exists()
    assert not JournalEntry.objects.filter(event="portal.caf_contact_sent").exists()


def test_a_caf_without_address_says_so_and_sends_nothing(sender, django_capture_on_commit_callbacks):
    caf = sender.caf
    caf.centre_services_email = caf.email = ""
    caf.save()
    response = post(verified_client(sender), django_capture_on_commit_callbacks)
    assert "Votre Caf n'a pas encore d'adresse de contact" in text(response) and not mail.outbox


def test_a_few_messages_per_hour_then_a_french_refusal(sender, django_capture_on_commit_callbacks):
    client = verified_client(sender)
    for _ in range(CAF_CONTACT_RATE_PER_HOUR):
        assert post(client, django_capture_on_commit_callbacks).status_code == 302
    response = post(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and LIMITED in text(response)
    assert len(mail.outbox) == CAF_CONTACT_RATE_PER_HOUR


def test_linked_from_besoin_d_aide_and_the_menu(sender):
    page = text(verified_client(sender).get("/accueil/"))
    assert page.count(f'href="{URL}"') >= 2
    assert "CONTACTER MA CAF</a>" in page and ">Contacter ma Caf</a>" in page
