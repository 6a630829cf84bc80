"""Dialogue's allowance (issue 21): an account sends DIALOGUE_RATE_PER_HOUR messages an hour at most, from a dossier
or from the search page alike; beyond, a French message above the form (what was typed is kept), nothing stored nor
e-mailed, and the attempt journaled as refused — the supervision reads it. The counter lives in the cache (Redis)."""

import html

import pytest
from django.core import mail
from django.core.cache import cache

from cdap.models import Consultation, DialogueMessage
from cdap.services import DIALOGUE_LIMITED, DIALOGUE_RATE_PER_HOUR, dialogue_rate_key
from habilitations.consultations import outcome_label
from habilitations.journal import Event, JournalEntry
from tests.cdap.test_dialogue import consultation, url, valid  # noqa: F401 — the fixture
from tests.factories import habilitated_user

pytestmark = pytest.mark.django_db

SEARCH_PAGE_DIALOGUE = "/consulter-dossier/dialogue/"


def send(client, consultation, path=None, **overrides):  # noqa: F811
    return client.post(path or url(consultation), valid(consultation, **overrides))


def test_beyond_the_hourly_allowance_nothing_is_sent_and_the_attempt_is_journaled(
    client,
    consultation,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(DIALOGUE_RATE_PER_HOUR - 1):
            assert send(client, consultation, objet=f"Question {i}").status_code == 302
        # The search page's Dialogue shares the account's allowance.
        assert send(client, consultation, SEARCH_PAGE_DIALOGUE, objet="Depuis la recherche").status_code == 302
    assert DialogueMessage.objects.count() == DIALOGUE_RATE_PER_HOUR == len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, consultation, objet="Une de trop", message="Texte gardé")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert DIALOGUE_LIMITED in page
    assert "Vous avez déjà envoyé 10 messages Dialogue au cours de la dernière heure" in page
    assert 'value="Une de trop"' in page and "Texte gardé" in page  # nothing typed is lost
    assert DialogueMessage.objects.count() == DIALOGUE_RATE_PER_HOUR == len(mail.outbox)
    assert not DialogueMessage.objects.filter(objet="Une de trop").exists()
    refused = JournalEntry.objects.get(event=Event.CDAP_DIALOGUE, data__outcome="refused")
    assert refused.user == consultation.user and refused.organism == consultation.organism
    assert refused.data["reason"] == "dialogue_limite" and refused.data["dossier"] == consultation.dossier.numero
    assert outcome_label(refused) == "Refusé : trop de messages Dialogue en une heure"
    # From the search page too, and each refused attempt is journaled.
    response = send(client, consultation, SEARCH_PAGE_DIALOGUE)
    assert DIALOGUE_LIMITED in html.unescape(response.content.decode())
    assert JournalEntry.objects.filter(event=Event.CDAP_DIALOGUE, data__outcome="refused").count() == 2
    assert DialogueMessage.objects.count() == DIALOGUE_RATE_PER_HOUR


def test_the_allowance_is_per_account_and_comes_back_with_the_next_window(client, login, consultation):  # noqa: F811
    cache.set(dialogue_rate_key(consultation.user), DIALOGUE_RATE_PER_HOUR, 3600)  # the hour's messages are sent
    assert DIALOGUE_LIMITED in html.unescape(send(client, consultation).content.decode())
    assert not DialogueMessage.objects.exists()
    # Another account of the same organism writes freely.
    other, group = habilitated_user("T1-ASS")
    other_consultation = Consultation.objects.create(
        user=other, dossier=consultation.dossier, profile_code="T1-ASS", organism=group.convention.organism
    )
    login(other)
    assert send(client, other_consultation).status_code == 302
    # The window over (the key expires an hour after its first message), the first account writes again.
    cache.delete(dialogue_rate_key(consultation.user))
    login(consultation.user)
    assert send(client, consultation).status_code == 302
    assert DialogueMessage.objects.count() == 2
