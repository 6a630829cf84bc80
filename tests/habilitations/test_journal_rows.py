"""What a habilitation service's journal row says when a request is given: the address and browser of who acted,
who acted, and none of the details left empty (every write of tests/habilitations/test_journal_coverage.py's table
whose service is in habilitations.services)."""

import inspect

import pytest
from django.db.models import Max
from django.test import RequestFactory

from habilitations import services as hab_services
from habilitations.journal import JournalEntry
from tests.factories import UserFactory
from tests.habilitations.test_journal_coverage import WRITES

pytestmark = pytest.mark.django_db

SERVICES = [w for w in WRITES if w.service.__module__ == hab_services.__name__]
IP, BROWSER = "203.0.113.9", "Navigateur de test/1.0"


def test_every_habilitation_service_takes_the_request():
    assert {w.name for w in SERVICES} == {
        f"{hab_services.__name__}.{name}"
        for name, function in inspect.getmembers(hab_services, inspect.isfunction)
        if function.__module__ == hab_services.__name__
        and not name.startswith("_")
        and "__mutmut_" not in name
        and "request" in inspect.signature(function).parameters
    }


@pytest.mark.parametrize("write", SERVICES, ids=str)
def test_the_journal_row_keeps_the_request_and_every_detail(write):
    actor = UserFactory(agent=True)
    call = write.prepare(actor)
    request = RequestFactory().post("/", REMOTE_ADDR=IP, HTTP_USER_AGENT=BROWSER)
    request.user = actor
    last = JournalEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    call(request=request)
    rows = list(JournalEntry.objects.filter(pk__gt=last).order_by("pk"))
    assert rows and all((row.ip, row.user_agent, row.actor_id) == (IP, BROWSER, actor.pk) for row in rows), write
    habilitation_rows = [row for row in rows if row.event.startswith("hab.")]  # account.*: habilitations.accounts
    assert habilitation_rows and all(row.organism_id for row in habilitation_rows), f"{write}: which organism?"
    for row in rows:
        expected = DOCUMENT_DETAILS if write.service is hab_services.convention_document_record else DETAILS[row.event]
        assert set(row.data) == expected, f"{write}: {row.event}"
        empty = sorted(key for key, value in row.data.items() if value in (None, "", "None") and key not in NULLABLE)
        assert not empty, f"{write}: {row.event} has no value for {empty}"


# The details each event's row holds ("before"/"after": the object's fields before and after the change).
DETAILS = {
    "hab.organism_registered": {"nom", "siret"},
    "hab.convention_created": {"libelle"},
    "hab.convention_changed": {"after", "before"},
    "hab.convention_profile_opened": {"profile"},
    "hab.documents_overridden": {"action", "missing", "profiles", "reason"},
    "hab.convention_profile_closed": {"date_cloture", "profile"},
    "hab.organism_changed": {"after", "before"},
    "account.created": set(),
    "account.identifiant_sent": set(),
    "hab.user_created": {"after"},
    "hab.user_changed": {"after", "before"},
    "hab.user_closed": {"after", "before"},
    "hab.administrator_named": {"after", "role"},
    "hab.administrator_closed": {"after", "before", "role"},
    "hab.group_created": {"after", "group"},
    "hab.group_changed": {"after", "before", "group"},
    "hab.group_closed": {"after", "before", "group"},
    "hab.grant_assigned": {"group", "profile"},
    "hab.grant_closed": {"group", "profile"},
    "hab.membership_added": {"after", "group"},
    "hab.membership_changed": {"after", "before", "group"},
    "hab.membership_closed": {"after", "before", "group"},
}
DOCUMENT_DETAILS = {"date_reception", "document", "service"}  # hab.convention_changed for a received document
# Details that are empty by right: a document for no particular service.
NULLABLE = {"service"}


@pytest.mark.parametrize("write", SERVICES, ids=str)
def test_without_a_request_the_journal_row_keeps_who_acted(write):
    actor = UserFactory(agent=True)
    call = write.prepare(actor)
    last = JournalEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    call()
    rows = list(JournalEntry.objects.filter(pk__gt=last, event__startswith="hab."))
    assert rows and all(row.actor_id == actor.pk and row.ip is None for row in rows), write
