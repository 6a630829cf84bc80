"""The demo's landlord (issue 14.4): LOG061HABT, Côte d'Azur Habitat, finds its tenants in « Mes locataires » — the
documented PAYET Nadia (0610006, APL paid to the landlord) and the synthetic dossiers housed by it."""

import pytest
from django.core.management import call_command

from habilitations.demo import DEMO_PASSWORD
from habilitations.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_landlord_lists_several_tenants(client, login):
    call_command("seed_demo", dossiers=60, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    login(User.objects.get(identifiant="LOG061HABT"), password=DEMO_PASSWORD)
    response = client.get("/espace-bailleur/locataires/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "PAYET Nadia" in html and "312,50\u00a0€" in html
    count = int(html.split("Page 1 sur ")[1].split("— ")[1].split(" résultat")[0].replace("\u202f", ""))
    assert count >= 5
