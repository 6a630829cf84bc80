"""Issue 13.1: the Caf agents manage the activities of their Caf and their lieux d'implantation in the admin, through
afas.services (journaled); another Caf's activity is neither listed nor reachable; the rules come back in French."""

import pytest

from afas.models import Activity, Site
from habilitations.journal import Event, JournalEntry
from tests.afas.factories import activity, site
from tests.factories import ConventionFactory, OrganismFactory, UserFactory, caf
from tests.habilitations.test_admin import inline, page
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db
ADD = "/admin/afas/activity/add/"


@pytest.fixture
def agent():
    return UserFactory(agent=True, nom="Agent", prenom="Local")


@pytest.fixture
def admin_client(client, login, agent):
    enrol(client, login, agent)
    return client


def activity_data(organism, **overrides) -> dict:
    data = {
        "organism": organism.pk,
        "caf": organism.caf_pivot.pk,
        "nom": "Péri Assoc",
        "type_activite": "ALSH",
        "nature": "PERISCOLAIRE",
        "date_ouverture": "01/09/2025",
        "date_cloture": "",
        **inline("sites", []),
    }
    return {**data, **overrides}


def test_an_agent_creates_an_alsh_with_two_sites_journaled(admin_client, agent):
    organism = ConventionFactory().organism
    response = admin_client.post(ADD, activity_data(organism))
    assert response.status_code == 302, page(response)[:3000]
    created = Activity.objects.get(nom="Péri Assoc")
    assert (created.organism, created.caf.code, created.nature) == (organism, "061", "PERISCOLAIRE")
    # Its lieux d'implantation are added on its page, once it exists (as a convention's rows).
    row = {"activity": created.pk, "date_ouverture": "01/09/2025"}
    fixed = {"organism", "caf"}
    data = {k: v for k, v in activity_data(organism).items() if k not in fixed}
    data.update(inline("sites", [{**row, "nom": "Site"}, {**row, "nom": "Site Ecoles"}]))
    response = admin_client.post(f"/admin/afas/activity/{created.pk}/change/", data)
    assert response.status_code == 302, page(response)[:3000]
    assert sorted(created.sites.values_list("nom", flat=True)) == ["Site", "Site Ecoles"]
    events = list(JournalEntry.objects.filter(actor=agent, event__startswith="afas.").values_list("event", flat=True))
    assert sorted(events) == sorted([Event.AFAS_ACTIVITY_CREATED, Event.AFAS_SITE_CREATED, Event.AFAS_SITE_CREATED])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nature": ""}, "Choisissez la nature d'activité de l'ALSH"),
        ({"type_activite": "EAJE"}, "Seul un ALSH a une nature d'activité"),
        ({"nom": ""}, "Saisissez le nom de l'activité."),
        ({"date_cloture": "01/01/2025"}, "La date de clôture doit être postérieure ou égale à la date d'ouverture."),
    ],
)
def test_bad_input_comes_back_in_french_and_nothing_is_written(admin_client, overrides, message):
    organism = ConventionFactory().organism
    response = admin_client.post(ADD, activity_data(organism, **overrides))
    assert response.status_code == 200 and message in page(response)
    assert not Activity.objects.exists() and not Site.objects.exists()


def test_changing_an_activity_and_closing_a_site(admin_client, agent):
    peri = activity(ConventionFactory().organism)
    ecoles = site(peri, "Site Ecoles")
    url = f"/admin/afas/activity/{peri.pk}/change/"
    assert "Site Ecoles" in page(admin_client.get(url))
    data = {
        "nom": "Péri Assoc des Moulins",
        "type_activite": "ALSH",
        "nature": "PERISCOLAIRE",
        "date_ouverture": peri.date_ouverture.strftime("%d/%m/%Y"),
        "date_cloture": "",
        **inline(
            "sites",
            [
                {
                    "id": ecoles.pk,
                    "activity": peri.pk,
                    "nom": "Site Ecoles",
                    "date_ouverture": ecoles.date_ouverture.strftime("%d/%m/%Y"),
                    "date_cloture": "01/01/2027",
                }
            ],
            initial=1,
        ),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, page(response)[:3000]
    peri.refresh_from_db()
    ecoles.refresh_from_db()
    assert peri.nom == "Péri Assoc des Moulins" and str(ecoles.date_cloture) == "2027-01-01"
    assert JournalEntry.objects.filter(event=Event.AFAS_ACTIVITY_CHANGED, actor=agent).exists()
    assert JournalEntry.objects.filter(event=Event.AFAS_SITE_CHANGED, actor=agent).exists()


def test_another_cafs_activities_are_neither_listed_nor_reachable(admin_client):
    ours = activity(ConventionFactory().organism, "Péri Assoc")
    var = OrganismFactory(departement="83", caf_pivot=caf("831"))
    theirs = activity(var, "Accueil de loisirs du Var")
    listing = page(admin_client.get("/admin/afas/activity/"))
    assert ours.nom in listing and theirs.nom not in listing
    assert admin_client.get(f"/admin/afas/activity/{theirs.pk}/change/").status_code in (302, 404)
    assert Activity.objects.get(pk=theirs.pk).nom == theirs.nom
    # Nor may an activity be created for a partner or a Caf of another Caf.
    response = admin_client.post(ADD, activity_data(var, nom="Intrus"))
    assert response.status_code == 200 and not Activity.objects.filter(nom="Intrus").exists()
    response = admin_client.post(ADD, activity_data(ours.organism, nom="Intrus", caf=caf("831").pk))
    assert response.status_code == 200 and not Activity.objects.filter(nom="Intrus").exists()
