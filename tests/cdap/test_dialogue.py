"""Dialogue: the guide's form, stored, e-mailed to the Caf's contact address after commit, acknowledged, journaled."""

import html

import pytest
from django.core import mail
from django.utils import timezone

from cdap.models import Consultation, DialogueMessage
from habilitations.journal import Event, JournalEntry
from tests.cdap.dossiers import make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    cafe = caf("061")
    cafe.email = "partenaires@caf06.example"
    cafe.save(update_fields=["email"])
    return Consultation.objects.create(
        user=user, dossier=make_dossier(cafe), profile_code="T1-ASS", organism=group.convention.organism
    )


def url(consultation):
    return f"/consulter-dossier/{consultation.reference}/dialogue/"


def valid(consultation, **overrides):
    data = {
        "organisme": consultation.organism.nom,
        "nom_prenom": "Durand Claire",
        "email": "claire.durand@ccas.example",
        "numero_allocataire": "1234567",
        "objet": "Demande de précision",
        "message": "Bonjour,\nPouvez-vous me rappeler ?",
    }
    data.update(overrides)
    return data


def test_form_prefilled_from_the_account_and_says_what_the_caf_will_see(client, consultation):
    page = html.unescape(client.get(url(consultation)).content.decode())
    user = consultation.user
    assert "Échanger avec la Caf pour le dossier consulté" in page
    for label in [
        "Nom de votre organisme",
        "Vos nom et prénom",
        "Votre adresse électronique",
        "Numéro allocataire (facultatif)",
    ]:
        assert label in page
    assert f'value="{consultation.organism.nom}"' in page
    assert f'value="{user.nom} {user.prenom}"' in page
    assert f'value="{user.email}"' in page
    assert 'value="1234567"' in page
    assert (
        f"Votre message sera transmis à la {consultation.dossier.caf.nom} avec votre identifiant "
        f"({user.identifiant}) et votre organisme ({consultation.organism.nom}), ainsi que la consultation de ce "
        "dossier." in page
    )


def test_sent_stored_emailed_acknowledged_journaled(client, consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(consultation), valid(consultation), follow=True)
    assert "Votre message a bien été transmis à la Caf" in response.content.decode()
    message = DialogueMessage.objects.get()
    assert message.user == consultation.user and message.caf.code == "061" and message.consultation == consultation
    assert message.organism == consultation.organism
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["partenaires@caf06.example"]
    assert "Demande de précision" in sent.body and "claire.durand@ccas.example" in sent.body
    entry = JournalEntry.objects.get(event=Event.CDAP_DIALOGUE)
    assert entry.data["dossier"] == "1234567" and entry.data["caf"] == "061" and entry.data["outcome"] == "sent"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"email": ""}, "Votre adresse électronique est obligatoire."),
        ({"email": "a" * 65 + "@ccas.example"}, "64 caractères avant le @"),
        ({"email": "claire@" + "d" * 253 + ".fr"}, "255 caractères après"),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse électronique valide"),
        ({"numero_allocataire": "12A4567"}, "7 chiffres"),
        ({"objet": ""}, "Ce champ est obligatoire."),
        ({"message": "x" * 5001}, "5000"),
    ],
)
def test_bad_input_french_message_nothing_sent(
    client, consultation, overrides, expected, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(consultation), valid(consultation, **overrides))
    assert response.status_code == 200
    assert expected in html.unescape(response.content.decode())
    assert not DialogueMessage.objects.exists()
    assert not mail.outbox
    assert not JournalEntry.objects.filter(event=Event.CDAP_DIALOGUE).exists()


def test_64_and_255_are_accepted(client, consultation):
    email = "a" * 64 + "@" + ("d" * 60 + ".") * 3 + "d" * 60 + ".fr"
    assert len(email.split("@")[1]) <= 255
    client.post(url(consultation), valid(consultation, email=email))
    assert DialogueMessage.objects.get().email_declare == email


def test_caf_agents_see_their_cafs_messages_and_postal_requests_read_only(client, login, consultation):
    from cdap.models import PostalRequest
    from tests.factories import UserFactory
    from tests.portal.test_otp import enrol

    client.post(url(consultation), valid(consultation, objet="Message du 061"))
    PostalRequest.objects.create(consultation=consultation, periode=consultation.dossier.payments.first().periode)
    client.logout()
    enrol(client, login, UserFactory(agent=True))
    page = html.unescape(client.get("/admin/cdap/dialoguemessage/").content.decode())
    assert "Message du 061" in page
    assert "1234567" in html.unescape(client.get("/admin/cdap/postalrequest/").content.decode())
    message = DialogueMessage.objects.get()
    assert client.post(f"/admin/cdap/dialoguemessage/{message.pk}/change/", {"objet": "x"}).status_code == 403
    assert client.get("/admin/cdap/dialoguemessage/add/").status_code == 403
    client.logout()
    enrol(client, login, UserFactory(agent=True, caf=caf("831")))
    assert "Message du 061" not in html.unescape(client.get("/admin/cdap/dialoguemessage/").content.decode())
    assert "1234567" not in html.unescape(client.get("/admin/cdap/postalrequest/").content.decode())


def test_dialogue_from_the_search_page_goes_to_the_caf_pivot(client, consultation, django_capture_on_commit_callbacks):
    page = html.unescape(client.get("/consulter-dossier/").content.decode())
    assert 'href="/consulter-dossier/dialogue/"' in page
    form = html.unescape(client.get("/consulter-dossier/dialogue/").content.decode())
    assert "Échanger avec la Caf" in form and consultation.organism.nom in form
    # The numéro of a dossier the user consulted (tests/security/test_dialogue.py: any other is refused).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consulter-dossier/dialogue/", valid(consultation))
    assert response.status_code == 302 and response["Location"] == "/consulter-dossier/"
    message = DialogueMessage.objects.get()
    assert message.consultation is None and message.caf == consultation.organism.caf_pivot
    assert message.organism == consultation.organism
    assert mail.outbox[0].to == ["partenaires@caf06.example"]
    assert "page de recherche, sans dossier consulté" in mail.outbox[0].body
    entry = JournalEntry.objects.get(event=Event.CDAP_DIALOGUE)
    assert entry.data["dossier"] == "1234567" and entry.data["profile"] == "T1-ASS"


def test_caf_agents_list_shows_the_authenticated_sender_beside_the_declared_one(client, login, consultation):
    from tests.factories import UserFactory
    from tests.portal.test_otp import enrol

    client.post(url(consultation), valid(consultation, organisme="Caf du Var", nom_prenom="Le Directeur"))
    message = DialogueMessage.objects.get()
    user = consultation.user
    sender = f"{user.identifiant}, {user.nom} {user.prenom}"
    origin = f"consultation du {timezone.localtime(consultation.created_at):%d/%m/%Y à %H:%M} (profil T1-ASS)"
    client.logout()
    enrol(client, login, UserFactory(agent=True))
    listing = html.unescape(client.get("/admin/cdap/dialoguemessage/").content.decode())
    detail = html.unescape(client.get(f"/admin/cdap/dialoguemessage/{message.pk}/change/").content.decode())
    for page in (listing, detail):
        for label in ["xpéditeur authentifié", "rganisme réel", "onsultation d'origine", "rganisme déclaré"]:
            assert label in page
        assert sender in page and consultation.organism.nom in page and origin in page
        assert "Caf du Var" in page and "Le Directeur" in page
    client.logout()
    enrol(client, login, UserFactory(agent=True, caf=caf("831")))
    listing = html.unescape(client.get("/admin/cdap/dialoguemessage/").content.decode())
    assert user.identifiant not in listing and "Le Directeur" not in listing
    assert client.get(f"/admin/cdap/dialoguemessage/{message.pk}/change/").status_code == 302  # "n’existe pas"
