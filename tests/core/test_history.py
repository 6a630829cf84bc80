"""core.history: a state moves only along its machine, with a dated, attributed row written in the same transaction,
read back as a French timeline. Tried on the convention's état and its machine (habilitations.services)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core.history import StateChange, history, timeline, transition
from habilitations.models import Convention, User
from habilitations.services import ETAT_TRANSITIONS
from tests.factories import ConventionFactory, UserFactory

pytestmark = pytest.mark.django_db

E = Convention.Etat


def test_an_allowed_move_saves_the_state_and_writes_who_when_from_to_and_why():
    convention, agent = ConventionFactory(), UserFactory(nom="Agent", prenom="Anne")
    before = timezone.now()
    change = transition(convention, E.SUSPENDUE, by=agent, comment="  Contrôle en cours  ", allowed=ETAT_TRANSITIONS)
    assert Convention.objects.get(pk=convention.pk).etat == E.SUSPENDUE and convention.etat == E.SUSPENDUE
    row = StateChange.objects.get()
    assert row == change
    assert (row.field, row.from_state, row.to_state, row.by, row.comment) == (
        "etat",
        "VALABLE",
        "SUSPENDUE",
        agent,
        "Contrôle en cours",
    )
    assert row.object_id == str(convention.pk) and row.content_type.model == "convention"
    assert before <= row.at <= timezone.now()


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        (E.DENONCEE, E.VALABLE, "Passage impossible de l'état « Dénoncée » à l'état « Valable »."),
        (
            E.EN_ATTENTE,
            E.SUSPENDUE,
            "Passage impossible de l'état « En attente de validation » à l'état « Suspendue ».",
        ),
        (E.VALABLE, E.VALABLE, "L'objet est déjà à l'état « Valable »."),
        (E.VALABLE, "FERMEE", "État inconnu « FERMEE »."),
    ],
)
def test_a_move_outside_the_machine_is_refused_in_french_and_writes_nothing(start, to, message):
    convention = ConventionFactory(
        etat=start, date_validation=None if start == E.EN_ATTENTE else datetime.date.today()
    )
    with pytest.raises(ValidationError) as refused:
        transition(convention, to, allowed=ETAT_TRANSITIONS)
    assert refused.value.message_dict == {"etat": [message]}
    assert Convention.objects.get(pk=convention.pk).etat == start
    assert not StateChange.objects.exists()


def test_the_machine_is_read_from_the_state_in_the_database_not_the_objects_copy():
    """Another request suspended the convention since this copy was read: "Valable → Dénoncée" still holds, but
    the history says it left "Suspendue"; "Suspendue → Suspendue" is refused."""
    convention = ConventionFactory()
    Convention.objects.filter(pk=convention.pk).update(etat=E.SUSPENDUE)
    with pytest.raises(ValidationError):
        transition(convention, E.SUSPENDUE, allowed=ETAT_TRANSITIONS)
    assert transition(convention, E.DENONCEE, allowed=ETAT_TRANSITIONS).from_state == "SUSPENDUE"


def test_the_state_and_its_row_are_one_transaction():
    """The history row cannot be written (an author never saved): the state is not changed either."""
    convention = ConventionFactory()
    with pytest.raises(ValueError):
        transition(convention, E.SUSPENDUE, by=User(identifiant="FANTOME"), allowed=ETAT_TRANSITIONS)
    assert Convention.objects.get(pk=convention.pk).etat == E.VALABLE
    assert not StateChange.objects.exists()


def test_other_fields_changed_with_the_move_are_saved_with_it():
    convention = ConventionFactory(etat=E.EN_ATTENTE, date_validation=None)
    convention.date_validation = datetime.date(2026, 12, 7)  # "Valable" needs its date (a CHECK constraint)
    transition(convention, E.VALABLE, allowed=ETAT_TRANSITIONS, update_fields=["date_validation"])
    saved = Convention.objects.get(pk=convention.pk)
    assert (saved.etat, saved.date_validation) == (E.VALABLE, datetime.date(2026, 12, 7))


def test_a_model_without_a_declared_machine_needs_allowed():
    with pytest.raises(TypeError):
        transition(ConventionFactory(), E.SUSPENDUE)


def test_the_history_of_one_object_only_oldest_first_in_one_query(django_assert_num_queries):
    convention, other = ConventionFactory(), ConventionFactory()
    agent = UserFactory()
    transition(convention, E.SUSPENDUE, by=agent, allowed=ETAT_TRANSITIONS)
    transition(other, E.DENONCEE, allowed=ETAT_TRANSITIONS)
    transition(convention, E.VALABLE, by=agent, allowed=ETAT_TRANSITIONS)
    history(convention).count()  # the content type is cached from here on
    with django_assert_num_queries(1):
        moves = [(c.from_state, c.to_state, c.by.identifiant) for c in history(convention)]
    assert moves == [("VALABLE", "SUSPENDUE", agent.identifiant), ("SUSPENDUE", "VALABLE", agent.identifiant)]


def test_the_timeline_in_french():
    convention = ConventionFactory()
    agent = UserFactory(nom="Garde", prenom="Anne")
    transition(convention, E.SUSPENDUE, by=agent, comment="Pièce manquante\nrelance faite", allowed=ETAT_TRANSITIONS)
    transition(convention, E.DENONCEE, allowed=ETAT_TRANSITIONS)
    StateChange.objects.update(at=datetime.datetime(2026, 12, 7, 13, 5, tzinfo=datetime.UTC))
    entries = timeline(convention)
    assert [(e.by, e.from_label, e.to_label) for e in entries] == [
        ("GARDE Anne", "Valable", "Suspendue"),
        ("", "Suspendue", "Dénoncée"),
    ]
    html = render_to_string("components/timeline.html", {"entries": entries, "label": "Historique de la convention"})
    assert '<ol class="timeline" aria-label="Historique de la convention">' in html
    assert html.count('<li class="timeline-step">') == 2
    # 13:05 UTC is 14:05 in Paris.
    assert '<time datetime="2026-12-07T14:05:00+01:00">Le 07/12/2026 à 14:05</time>, par GARDE Anne' in html
    assert "<strong>Suspendue</strong> (auparavant : Valable)" in html
    assert "Pièce manquante<br>relance faite" in html
    assert "automatiquement" in html
    assert "Aucun changement d'état" in render_to_string("components/timeline.html", {"entries": []})


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_from_the_same_state_one_wins():
    """Both requests read "Valable"; the second waits on the row lock and then sees "Dénoncée": refused, so the
    history never says "Valable → Suspendue" after "Valable → Dénoncée"."""
    convention = ConventionFactory()
    locked, results = threading.Event(), []

    def second():
        try:
            transition(Convention.objects.get(pk=convention.pk), E.SUSPENDUE, allowed=ETAT_TRANSITIONS)
            results.append("passé")
        except ValidationError as error:
            results.append(error.message_dict["etat"][0])
        finally:
            connection.close()

    with transaction.atomic():
        transition(convention, E.DENONCEE, allowed=ETAT_TRANSITIONS)
        thread = threading.Thread(target=second)
        thread.start()
        locked.wait(0.5)  # the other transaction is now waiting on the row
    thread.join(10)
    assert results == ["Passage impossible de l'état « Dénoncée » à l'état « Suspendue »."]
    assert list(StateChange.objects.values_list("from_state", "to_state")) == [("VALABLE", "DENONCEE")]
