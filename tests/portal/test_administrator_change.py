"""« Signaler un changement d'administrateur » (guide 002: who leaves, who comes, from when, « votre profil est
nominatif »): an administrator's request to the Caf pivot, queued for its agents, who mark it treated."""

import datetime
import html
import re

import pytest
from django.utils import timezone

from habilitations import support
from habilitations.journal import JournalEntry
from habilitations.models import AdministratorChangeRequest
from tests.security.world import World

pytestmark = pytest.mark.django_db

URL = "/changement-d-administrateur/"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def world():
    return World()


def request_data(w, **changes) -> dict:
    return {
        "organism": w.a.organism.pk,
        "sortant": w.a.administrator.pk,
        "entrant_nom": "Durand",
        "entrant_prenom": "Claire",
        "entrant_email": "claire.durand@partenaire.example",
        "entrant_telephone": "",
        "date_effet": (timezone.localdate() + datetime.timedelta(days=15)).isoformat(),
        "commentaire": "",
        **changes,
    }


def test_an_administrator_signals_the_change_and_the_agent_treats_it(world):
    admin = world.client(world.a.administrator)
    shown = page(admin.get(URL))
    assert "Votre profil est nominatif." in shown and "SIGNALER UN CHANGEMENT D'ADMINISTRATEUR" in shown
    response = admin.post(URL, request_data(world))
    assert response.status_code == 302 and response["Location"] == "/accueil/"
    change = AdministratorChangeRequest.objects.get()
    assert (change.organism, change.sortant, change.requested_by) == (
        world.a.organism,
        world.a.administrator,
        world.a.administrator,
    )
    assert change.statut == "A_TRAITER"
    assert JournalEntry.objects.get(event=support.ADMIN_CHANGE_REQUESTED).actor == world.a.administrator
    assert "Votre demande a été transmise à la Caf des Alpes-Maritimes." in page(admin.get("/accueil/"))

    agent = world.client(world.agent)
    index = re.sub(r"<[^>]+>", "", page(agent.get("/admin/")))
    assert "Changements d'administrateur à traiter : 1" in " ".join(index.split())
    listing = page(agent.get("/admin/habilitations/administratorchangerequest/?statut__exact=A_TRAITER"))
    assert "Claire Durand (claire.durand@partenaire.example)" in listing
    response = agent.post(
        "/admin/habilitations/administratorchangerequest/",
        {"action": "mark_treated", "_selected_action": [str(change.pk)]},
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.statut, change.treated_by) == ("TRAITEE", world.agent)
    # The agents of another Caf never see it.
    other = world.client(world.other_agent)
    assert "Claire Durand" not in page(other.get("/admin/habilitations/administratorchangerequest/"))
    assert other.get(f"/admin/habilitations/administratorchangerequest/{change.pk}/change/").status_code == 302


def test_another_organisms_administrator_or_organism_is_refused(world):
    admin = world.client(world.a.administrator)
    response = admin.post(URL, request_data(world, sortant=world.b.administrator.pk))
    assert response.status_code == 200
    assert "Choisissez l'un des administrateurs actuels de votre organisme." in page(response)
    response = admin.post(URL, request_data(world, organism=world.b.organism.pk))
    assert "Choisissez un organisme de la liste." in page(response)
    assert not AdministratorChangeRequest.objects.exists()


def test_a_past_date_is_refused(world):
    admin = world.client(world.a.administrator)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = admin.post(URL, request_data(world, date_effet=yesterday))
    assert "La date du changement ne peut pas être passée." in page(response)
    assert not AdministratorChangeRequest.objects.exists()


def test_only_administrators_reach_it(world):
    assert world.client(world.a.responsable).get(URL).status_code == 403
    assert world.client(world.a.cdap_user).get(URL).status_code == 403
