import pytest
from django.db import DatabaseError, connection, transaction

from habilitations.journal import Event, JournalEntry, journal_write


@pytest.mark.django_db
def test_journal_refuses_update_and_delete_at_the_database_level(user):
    entry = journal_write(Event.LOGIN_SUCCESS, user=user, identifiant=user.identifiant)
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        JournalEntry.objects.filter(pk=entry.pk).update(event=Event.LOGOUT)
    with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM habilitations_journalentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.event == Event.LOGIN_SUCCESS


@pytest.mark.django_db
def test_journal_model_refuses_to_save_twice(user):
    entry = journal_write(Event.LOGOUT, user=user)
    entry.identifiant = "CHANGED"
    with pytest.raises(ValueError):
        entry.save()


@pytest.mark.django_db
def test_journal_keeps_what_was_typed_even_a_nul_character(user):
    """A refused search journals the numéro typed: a NUL in it (PostgreSQL stores none) gave a 500."""
    entry = journal_write(
        Event.CDAP_SEARCH, user=user, identifiant="ACC\x00061", dossier="123\x00456", criteria={"nom\x00": ["a\x00"]}
    )
    entry.refresh_from_db()
    assert entry.identifiant == "ACC\ufffd061"
    assert entry.data == {"dossier": "123\ufffd456", "criteria": {"nom\ufffd": ["a\ufffd"]}}
