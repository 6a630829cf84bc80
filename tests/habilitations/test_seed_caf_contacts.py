"""The demo Cafs' coordinates (issue 21): address and opening hours (attestation, documents to return), the centre
de services (« BESOIN D'AIDE ? »), the contacts per service — filled by seed_demo through the agents' services,
journaled as the agent, idempotent, and never over an agent's own edit."""

import pytest

from habilitations.demo import AGENTS, CAF_CONTACTS
from habilitations.journal import JournalEntry
from habilitations.models import Caf, CafServiceContact
from tests.habilitations.test_seed_demo import seed

pytestmark = pytest.mark.django_db


def test_every_demo_caf_has_its_address_centre_de_services_and_service_contacts():
    seed()
    for identifiant, _, _, code in AGENTS:
        caf = Caf.objects.get(code=code)
        for name in CAF_CONTACTS[code]:
            assert getattr(caf, name), (code, name)
        assert set(CafServiceContact.objects.filter(caf=caf).values_list("service__code", flat=True)) == {
            "CDAP",
            "AFAS",
        }
        entry = JournalEntry.objects.get(event="ref.caf_contact_changed", data__caf=code)
        assert entry.actor.identifiant == identifiant
    assert Caf.objects.get(code="831").adresse_postale.endswith("83000 Toulon")


def test_a_second_seed_changes_nothing_and_keeps_an_agents_edit():
    seed()
    Caf.objects.filter(code="061").update(centre_services_telephone="04 00 00 00 00")
    rows = JournalEntry.objects.filter(event__startswith="ref.").count()
    seed()
    assert JournalEntry.objects.filter(event__startswith="ref.").count() == rows
    assert Caf.objects.get(code="061").centre_services_telephone == "04 00 00 00 00"
    assert CafServiceContact.objects.filter(caf__code="061").count() == 2
