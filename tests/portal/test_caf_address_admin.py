"""An agent edits their Caf's postal address and opening hours in the Django admin (issue 21.10/21.14): what the
attestation's header and the conventionnement documents print; journaled; the Caf's reference fields stay."""

import pytest

from habilitations.journal import JournalEntry
from habilitations.models import Caf
from portal.views import documents
from tests.portal.test_documents import pdf_text
from tests.portal.test_help_centre import agent_client, caf_post  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def test_an_agent_edits_the_adresse_postale_and_horaires_accueil_of_their_caf(agent_client, client):  # noqa: F811
    caf = Caf.objects.get(code="061")
    response = agent_client.post(
        f"/admin/habilitations/caf/{caf.pk}/change/",
        caf_post(
            caf,
            adresse_postale="Service Partenaires\r\n12, avenue Thiers\r\n06000 Nice",
            horaires_accueil="du lundi au vendredi de 8 h 30 à 16 h",
            nom="Caf piratée",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    caf.refresh_from_db()
    assert caf.adresse_postale.splitlines() == ["Service Partenaires", "12, avenue Thiers", "06000 Nice"]
    assert caf.horaires_accueil == "du lundi au vendredi de 8 h 30 à 16 h"
    assert caf.nom == "Caf des Alpes-Maritimes"  # not editable here
    entry = JournalEntry.objects.get(event="ref.caf_contact_changed")
    assert "12, avenue Thiers" in entry.data["after"]["adresse_postale"]
    # The documents to return follow at once.
    text = pdf_text(documents.document_pdf_bytes(documents.DOCUMENTS["contrat-de-service"], caf))
    assert "Service Partenaires 12, avenue Thiers 06000 Nice" in text
