"""Dialogue (issue 10, finding 4): a partner cannot write to the Caf as another organism or person, nor about a
dossier they never consulted.

The Caf reads the authenticated sender (identifiant, real organism, consultation of origin) beside what was typed;
the typed address is only the Reply-To, never the From; a numéro allocataire is accepted only for a dossier of the
Caf the sender consulted in the last 30 days, with one message whether the dossier exists or not.
"""

import datetime
import html

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from cdap.models import Consultation, DialogueMessage
from habilitations.journal import Event, JournalEntry
from tests.cdap import test_dialogue
from tests.cdap.dossiers import make_dossier
from tests.cdap.test_dialogue import url, valid
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db

consultation = test_dialogue.consultation  # the fixture: a T1-ASS user logged in, consulting a dossier of Caf 061

IMPOSTOR = {"organisme": "Caf du Var — Direction", "nom_prenom": "Le Directeur", "email": "directeur@caf83.example"}
REFUSAL = (
    "Indiquez le numéro allocataire d'un dossier de la {caf} que vous avez consulté ces 30 derniers jours, ou "
    "laissez ce champ vide."
)


def post(client, consultation, *, search_page=False, **overrides):
    target = "/consulter-dossier/dialogue/" if search_page else url(consultation)
    return client.post(target, valid(consultation, **overrides))


def assert_nothing_written():
    assert not DialogueMessage.objects.exists()
    assert not mail.outbox
    assert not JournalEntry.objects.filter(event=Event.CDAP_DIALOGUE).exists()


def test_the_caf_reads_the_authenticated_sender_and_answers_only_to_the_typed_address(
    client, consultation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, consultation, **IMPOSTOR, message="L'allocataire m'a demandé de vous écrire.")
    assert response.status_code == 302
    user, organism = consultation.user, consultation.organism
    message = DialogueMessage.objects.get()
    assert (message.user, message.organism, message.consultation) == (user, organism, consultation)
    assert message.organisme_declare == IMPOSTOR["organisme"] and message.email_declare == IMPOSTOR["email"]
    [sent] = mail.outbox
    created = timezone.localtime(consultation.created_at)
    authenticated = (
        f"Expéditeur authentifié : {user.identifiant}, {user.nom} {user.prenom}, {organism.nom}, "
        f"consultation du {created:%d/%m/%Y à %H:%M} (profil T1-ASS)"
    )
    declared = "Déclaré dans le formulaire : Caf du Var — Direction, Le Directeur, directeur@caf83.example"
    html_part = html.unescape(sent.alternatives[0].content)
    for body in (sent.body, html_part):
        assert authenticated in body and declared in body
    # The text part is plain text: what was typed is neither HTML-escaped nor interpreted.
    assert "L'allocataire m'a demandé de vous écrire." in sent.body
    assert sent.from_email == settings.DEFAULT_FROM_EMAIL and IMPOSTOR["email"] not in sent.from_email
    assert sent.reply_to == [IMPOSTOR["email"]]
    assert sent.message()["Reply-To"] == IMPOSTOR["email"]


@pytest.mark.parametrize("case", ["another user's dossier", "unknown", "consulted too long ago", "another Caf"])
@pytest.mark.parametrize("search_page", [False, True], ids=["dossier page", "search page"])
def test_a_numero_the_sender_did_not_consult_is_refused_without_saying_whether_it_exists(
    client, consultation, django_capture_on_commit_callbacks, case, search_page
):
    numero = "7654321"
    if case == "another user's dossier":
        other, group = habilitated_user("T1-ASS")
        Consultation.objects.create(
            user=other,
            dossier=make_dossier(caf("061"), numero=numero),
            profile_code="T1-ASS",
            organism=group.convention.organism,
        )
    elif case == "consulted too long ago":
        old = Consultation.objects.create(
            user=consultation.user,
            dossier=make_dossier(caf("061"), numero=numero),
            profile_code="T1-ASS",
            organism=consultation.organism,
        )
        Consultation.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=31))
    elif case == "another Caf":
        Consultation.objects.create(
            user=consultation.user,
            dossier=make_dossier(caf("831"), numero=numero),
            profile_code="T1-ASS",
            organism=consultation.organism,
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, consultation, search_page=search_page, numero_allocataire=numero)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    refusal = REFUSAL.format(caf=caf("061").nom)
    # The same sentence in every case, in the summary and next to the field (between its label and its input).
    assert f"Numéro allocataire (facultatif) : {refusal}" in page
    label = page.index('<label for="id_numero_allocataire"')
    assert label < page.index(refusal, label) < page.index('name="numero_allocataire"')
    assert_nothing_written()


def test_a_dossier_consulted_within_30_days_may_be_named_from_the_search_page(
    client, consultation, django_capture_on_commit_callbacks
):
    Consultation.objects.filter(pk=consultation.pk).update(created_at=timezone.now() - datetime.timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, consultation, search_page=True).status_code == 302
    assert DialogueMessage.objects.get().numero_allocataire == "1234567"
    assert "Numéro allocataire : 1234567" in mail.outbox[0].body


def test_another_users_consultation_reference_answers_404_and_writes_nothing(client, login, consultation):
    intruder, _ = habilitated_user("T1-ASS")
    client.logout()
    login(intruder)
    assert post(client, consultation, **IMPOSTOR).status_code == 404
    assert_nothing_written()
