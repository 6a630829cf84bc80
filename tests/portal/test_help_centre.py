"""« BESOIN D'AIDE ? » (guide 001: the Centre de Services of the user's Caf — days, hours, phone, e-mail) on the
logged-in pages and Ma Caf, and the contacts per Caf and service (guide 003: pôle, e-mail, named agents and
phones) that the Caf's agents edit in the admin and every page of that service shows."""

import html

import pytest

from habilitations.journal import JournalEntry
from habilitations.models import Caf, CafServiceContact, Service
from portal.help import help_reload
from tests.factories import UserFactory, habilitated_user
from tests.portal.test_otp import enrol
from tests.support.access import verified_client

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


def centre(caf: Caf) -> Caf:
    caf.centre_services_jours = "du lundi au vendredi"
    caf.centre_services_horaires = "de 8 h 30 à 16 h 30"
    caf.centre_services_telephone = "04 93 53 85 52"
    caf.centre_services_email = "centre-de-services@caf06.example"
    caf.save()
    return caf


@pytest.fixture
def caf061():
    return centre(Caf.objects.get(code="061"))


def test_the_users_caf_centre_de_services_is_on_the_logged_in_pages(caf061):
    client = verified_client(UserFactory())
    text = page(client.get("/accueil/"))
    assert "BESOIN D'AIDE ?" in text
    assert (
        "Le Centre de Services de la Caf des Alpes-Maritimes est à votre disposition du lundi au vendredi, "
        "de 8 h 30 à 16 h 30 :" in text
    )
    assert "04 93 53 85 52" in text and "centre-de-services@caf06.example" in text
    assert "centre-de-services@caf06.example" in page(client.get("/mon-profil/"))


def test_another_cafs_user_sees_their_own_caf(caf061):
    client = verified_client(UserFactory(caf=Caf.objects.get(code="831")))
    assert "04 93 53 85 52" not in page(client.get("/accueil/"))


def test_ma_caf_shows_the_centre_de_services(client, caf061):
    text = page(client.post("/ma-caf/", {"code_postal": "06000"}))
    assert "Le Centre de Services est à votre disposition du lundi au vendredi, de 8 h 30 à 16 h 30 :" in text
    assert "04 93 53 85 52" in text


def test_a_service_page_shows_the_cafs_contact_for_that_service(caf061):
    CafServiceContact.objects.create(
        caf=caf061,
        service=Service.objects.get(code="CDAP"),
        pole="Pôle Partenaires",
        email="partenaires@caf06.example",
        interlocuteurs="Mélanie Garrigues, 05 65 77 82 18\nMonique Besse, 05 65 77 82 13",
    )
    help_reload(caf061.pk)  # what the commit of an agent's change does (portal.help.caf_saved)
    user, _ = habilitated_user("T1-ASS")
    client = verified_client(user)
    text = page(client.get("/consulter-dossier/"))
    assert "vous pouvez contacter le Pôle Partenaires de la Caf des Alpes-Maritimes" in text
    assert "partenaires@caf06.example" in text
    # A phone number in one piece (.phone: never broken across two lines).
    assert 'Mélanie Garrigues, <span class="phone">05 65 77 82 18</span>' in text
    assert 'Monique Besse, <span class="phone">05 65 77 82 13</span>' in text
    assert "partenaires@caf06.example" not in page(client.get("/accueil/"))  # that service's pages only


def test_pages_read_the_help_from_the_cache_only(caf061):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client(UserFactory())
    client.get("/regles-d-usage/")
    with CaptureQueriesContext(connection) as with_help:
        assert "04 93 53 85 52" in page(client.get("/regles-d-usage/"))
    cache.delete(f"portal:help:v1:{caf061.pk}")
    with CaptureQueriesContext(connection) as without_help:
        assert "04 93 53 85 52" not in page(client.get("/regles-d-usage/"))
    assert len(with_help) == len(without_help)


@pytest.fixture
def agent_client(client, login):
    agent = UserFactory(agent=True)
    enrol(client, login, agent)
    return client


def contact_formset(rows=(), initial=0) -> dict:
    data = {
        "service_contacts-TOTAL_FORMS": str(len(rows)),
        "service_contacts-INITIAL_FORMS": str(initial),
        "service_contacts-MIN_NUM_FORMS": "0",
        "service_contacts-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"service_contacts-{i}-{k}": v for k, v in row.items()})
    return data


def caf_post(caf, rows=(), **changes) -> dict:
    from habilitations.support import CAF_CONTACT_FIELDS

    data = {name: getattr(caf, name) for name in CAF_CONTACT_FIELDS}
    data.update(changes)
    return {**data, **contact_formset(rows)}


def test_an_agent_edits_the_centre_de_services_and_a_service_contact_of_their_caf(
    agent_client, django_capture_on_commit_callbacks
):
    caf = Caf.objects.get(code="061")
    cdap = Service.objects.get(code="CDAP")
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            f"/admin/habilitations/caf/{caf.pk}/change/",
            caf_post(
                caf,
                rows=[{"service": cdap.pk, "pole": "Pôle Partenaires", "email": "pp@caf06.example"}],
                centre_services_jours="du lundi au jeudi",
                centre_services_telephone="04 93 00 00 00",
                centre_services_email="cs@caf06.example",
            ),
        )
    assert response.status_code == 302, page(response)[:3000]
    caf.refresh_from_db()
    assert (caf.centre_services_jours, caf.centre_services_telephone) == ("du lundi au jeudi", "04 93 00 00 00")
    assert caf.nom == "Caf des Alpes-Maritimes"
    contact = CafServiceContact.objects.get(caf=caf)
    assert (contact.service, contact.pole) == (cdap, "Pôle Partenaires")
    assert JournalEntry.objects.filter(event="ref.caf_contact_changed").count() == 1
    assert JournalEntry.objects.filter(event="ref.service_contact_saved").count() == 1
    # The partners' pages follow at once (the cache rewritten on commit).
    assert "04 93 00 00 00" in page(verified_client(UserFactory()).get("/accueil/"))


def test_an_agent_cannot_change_another_caf(agent_client):
    var = Caf.objects.get(code="831")
    response = agent_client.post(
        f"/admin/habilitations/caf/{var.pk}/change/", caf_post(var, centre_services_telephone="04 00 00 00 00")
    )
    assert response.status_code == 403
    var.refresh_from_db()
    assert var.centre_services_telephone == ""
    assert "04 00 00 00 00" not in page(agent_client.get(f"/admin/habilitations/caf/{var.pk}/change/"))


def test_a_bad_e_mail_is_refused_next_to_its_field(agent_client):
    caf = Caf.objects.get(code="061")
    response = agent_client.post(
        f"/admin/habilitations/caf/{caf.pk}/change/", caf_post(caf, centre_services_email="pas une adresse")
    )
    assert response.status_code == 200 and "Saisissez une adresse de courriel valide." in page(response)
    caf.refresh_from_db()
    assert caf.centre_services_email == ""
