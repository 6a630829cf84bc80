"""AFAS's demo (issue 13.10, first part): the Centre social Les Moulins's activities of guide 002 and the roles of
ENF061AFDC, written through afas.services (journaled as the Caf's agent and as ENF061AFHB); a second run writes
nothing, and a role ended in the meantime stays ended."""

import html
import io

import pytest
from django.core.management import call_command

from afas import services
from afas.models import Activity, RoleAssignment, Site
from habilitations.demo import DEMO_PASSWORD
from habilitations.journal import JournalEntry
from habilitations.models import User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", dossiers=0, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot() -> tuple:
    return (
        sorted(Activity.objects.values_list("nom", "type_activite", "nature", "date_ouverture")),
        sorted(Site.objects.values_list("activity__nom", "nom")),
        sorted(
            (identifiant, role, activity, site or "")
            for identifiant, role, activity, site in RoleAssignment.objects.values_list(
                "user__identifiant", "role", "activity__nom", "site__nom"
            )
        ),
        JournalEntry.objects.filter(event__startswith="afas.").count(),
    )


def test_the_demo_builds_guide_002s_activities_and_roles_once(client, login):
    output = seed()
    assert "AFAS : 5 activités créées, 7 rôles attribués (Centre social Les Moulins)." in output
    activities, sites, roles, journaled = snapshot()
    assert [(nom, kind, nature) for nom, kind, nature, _ in activities] == [
        ("Acc Ados Assoc", "ALSH", "ADOLESCENTS"),
        ("Extra Assoc", "ALSH", "EXTRASCOLAIRE"),
        ("Multi-accueil Les Moulins", "EAJE", ""),
        ("Péri Assoc", "ALSH", "PERISCOLAIRE"),
        ("Relais petite enfance Les Moulins", "RAM_RPE", ""),
    ]
    assert ("Péri Assoc", "Site Ecoles") in sites and len(sites) == 5
    assert ("ENF061AFDC", "FDA", "Péri Assoc", "Site Ecoles") in roles and len(roles) == 7
    agent, habiliter = User.objects.get(identifiant="CAF061AGNT"), User.objects.get(identifiant="ENF061AFHB")
    assert JournalEntry.objects.filter(event="afas.activity_created", actor=agent).count() == 5
    assert JournalEntry.objects.filter(event="afas.site_created", actor=agent).count() == 5
    assert JournalEntry.objects.filter(event="afas.role_assigned", actor=habiliter).count() == 7
    # The declarer sees them on Accueil AFAS.
    login(User.objects.get(identifiant="ENF061AFDC"), password=DEMO_PASSWORD)
    page = html.unescape(client.get("/aide-financiere-d-action-sociale/").content.decode())
    assert "<td>Fournisseur de données d'activité</td><td>Péri Assoc</td><td>Site Ecoles</td>" in page
    assert "<td>Approbateur</td><td>Péri Assoc</td><td>—</td>" in page

    # A second run writes nothing, and keeps a role ended since.
    ended = RoleAssignment.objects.get(role="FDA", activity__nom="Extra Assoc")
    services.role_end(ended, actor=habiliter)
    before = snapshot()
    assert "AFAS :" not in seed()
    assert snapshot() == before
    assert RoleAssignment.objects.get(role="FDA", activity__nom="Extra Assoc").date_cloture is not None
