"""« Afficher : » on a dossier's pages (its form sends `rubrique` to the synthèse): a rubric of the list leads to its
page, « Synthèse du dossier » to the synthèse, and a value the list does not offer back to the synthèse with a French
message — each choice a redirect that reads and journals nothing itself (the reading is the page it leads to)."""

import pytest

from cdap.models import Consultation
from habilitations.journal import JournalEntry
from tests.cdap.dossiers import make_dossier
from tests.factories import caf, habilitated_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(client, login):
    user, group = habilitated_user("T1-ASS")
    login(user)
    return Consultation.objects.create(
        user=user, dossier=make_dossier(caf("061")), profile_code="T1-ASS", organism=group.convention.organism
    )


def _choose(client, consultation, value):
    before = JournalEntry.objects.count()
    response = client.get(f"/consulter-dossier/{consultation.reference}/", {"rubrique": value})
    return response, JournalEntry.objects.count() - before


def test_a_rubric_of_the_list_leads_to_its_page(client, consultation):
    response, journaled = _choose(client, consultation, "paiements")
    assert response.status_code == 302 and journaled == 0
    assert response["Location"] == f"/consulter-dossier/{consultation.reference}/paiements/"


def test_the_synthese_leads_to_the_synthese(client, consultation):
    response, journaled = _choose(client, consultation, "synthese")
    assert response.status_code == 302 and journaled == 0
    assert response["Location"] == f"/consulter-dossier/{consultation.reference}/"
    assert "Cette rubrique n'existe pas" not in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("value", ["", "inconnue", "<script>alert(1)</script>", "a\x00b", "A" * 10_000])
def test_a_value_the_list_does_not_offer_comes_back_with_a_french_message(client, consultation, value):
    response, journaled = _choose(client, consultation, value)
    assert response.status_code == 302 and journaled == 0
    assert response["Location"] == f"/consulter-dossier/{consultation.reference}/"
    page = client.get(response["Location"]).content.decode()
    assert "Cette rubrique n&#x27;existe pas : choisissez-en une dans la liste « Afficher : »." in page
    assert "<script>alert(1)</script>" not in page
