"""ADONIS as a SAAD uses it (issue 15): « Rechercher un dossier » journaled whether it finds or refuses, the family's
page showing only the composition and the QF, the list of requests in a constant number of queries, and a
decision refused without its motif changing nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adonis.models import Etat, FamilyLookup, HomeHelpRequest
from habilitations.models import JournalEntry
from tests.adonis.factories import request, saad_user
from tests.cdap.factories import DossierFactory
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def saad():
    user, organism = saad_user()
    return user, organism, verified_client(user)


def test_a_search_that_finds_journals_and_opens_the_family_by_an_opaque_reference(saad):
    user, organism, client = saad
    dossier = DossierFactory(caf=organism.caf_pivot, responsable__nom="Dupré", quotient_familial=612)
    response = client.post(reverse("adonis:accueil"), {"nom": "dupre", "numero": dossier.numero})
    lookup = FamilyLookup.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == reverse("adonis:famille", args=[lookup.reference])
    assert dossier.numero not in response["Location"]  # nothing of the file in a URL
    entry = JournalEntry.objects.filter(event="adonis.search").latest("pk")
    assert entry.user_id == user.pk and entry.organism_id == organism.pk
    page = client.get(response["Location"]).content.decode()
    assert "612" in page


def test_a_refused_search_is_journaled_and_opens_nothing(saad):
    user, organism, client = saad
    dossier = DossierFactory(caf=organism.caf_pivot, responsable__nom="Dupré")
    response = client.post(reverse("adonis:accueil"), {"nom": "Martin", "numero": dossier.numero})
    assert response.status_code == 200
    assert not FamilyLookup.objects.filter(user=user).exists()
    entry = JournalEntry.objects.filter(event="adonis.search").latest("pk")
    assert entry.user_id == user.pk and entry.organism_id == organism.pk


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("adonis:demandes")).status_code == 200
    return len(captured)


def test_the_list_of_requests_costs_the_same_with_3_and_30_requests(saad):
    user, organism, client = saad
    for _ in range(3):
        request(user, organism)
    _queries(client)  # a first request warms what is cached per process
    few = _queries(client)
    for _ in range(27):
        request(user, organism)
    assert _queries(client) == few


def test_a_refusal_without_its_motif_changes_nothing(saad):
    user, organism, client = saad
    pending = request(user, organism)
    response = client.post(reverse("adonis:decision", args=[pending.pk]), {"decision": "REFUSEE"})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.etat == Etat.DEMANDEE and pending.motif_refus == ""
    assert HomeHelpRequest.objects.filter(organism=organism).count() == 1
