"""Issue 12.10: `seed_demo` gives « SUPERVISION CONSULTER DOSSIER » some history — the consultations the CDAP users
of the Conseil départemental des Alpes-Maritimes made over the last months, as the screens journal them — once."""

import html
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from cdap.demo import HISTORY_MONTHS, HISTORY_USERS
from habilitations.access.rubrics import rubrics_for
from habilitations.consultations import consultations
from habilitations.demo import DEMO_PASSWORD
from habilitations.journal import Event, JournalEntry
from habilitations.models import User

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", dossiers=0, stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


@pytest.fixture
def supervisor(client, login):
    seed()
    login(User.objects.get(identifiant="ACC061SUPV"), password=DEMO_PASSWORD)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())))


def test_the_supervisor_finds_months_of_consultations(supervisor):
    listing = text(supervisor.get("/supervision-consulter-dossier/"))
    assert "Aucune consultation" not in listing
    for nom in ("LEROY Nathalie", "ROUX Isabelle"):
        assert nom in listing
    assert "Refusé : dossier inconnu" in listing or "Refusé : nom ne correspondant pas au dossier" in listing
    counts = supervisor.get("/supervision-consulter-dossier/par-utilisateur-et-par-mois/")
    table = counts.context["table"]
    assert len(table.months) >= HISTORY_MONTHS and len(table.rows) == len(HISTORY_USERS)
    assert all(total > 0 for total in table.totals[-HISTORY_MONTHS:])


def test_the_history_reads_like_the_screens_wrote_it_and_is_seeded_once():
    seed()
    rows = list(consultations().filter(data__has_key="demo_history"))
    assert rows
    today = timezone.localdate()
    for entry in rows:
        at = timezone.localtime(entry.at)
        assert at.date() < today and at.weekday() < 5 and 8 <= at.hour <= 18
        profile = HISTORY_USERS[entry.user.identifiant][0]
        assert entry.data["profile"] == profile and entry.organism == entry.user.organism
        if entry.event == Event.CDAP_RUBRIC:
            assert entry.data["rubric"] in rubrics_for(profile)
        if entry.event == Event.CDAP_ATTESTATION:
            assert "attestation_paiement" in rubrics_for(profile)
    count = JournalEntry.objects.count()
    seed()
    assert JournalEntry.objects.count() == count


@pytest.mark.parametrize(
    "url", ["/supervision-consulter-dossier/", "/supervision-consulter-dossier/par-utilisateur-et-par-mois/"]
)
def test_the_filters_are_the_shared_list_toolbar(supervisor, url):
    """components/list_toolbar.html: « Filtrer » (the primary action) with « Réinitialiser » beside it, and the
    exports in the toolbar, keeping the filters — once each."""
    content = html.unescape(supervisor.get(url, {"rubrique": "paiements"}).content.decode())
    start = content.index('aria-labelledby="filtrer-consultations"')
    toolbar = content[start : content.index("</form>", start)]
    buttons = toolbar[toolbar.index('class="toolbar-buttons"') :]
    assert re.search(
        r'class="button button-primary">Filtrer</button>\s*<a class="button" href="[^"]+">Réinitialiser', buttons
    )
    for label, path in (("CSV", "export.csv"), ("XLSX", "export.xlsx")):
        link = f'href="/supervision-consulter-dossier/{path}?rubrique=paiements">Exporter la liste ({label})</a>'
        assert link in toolbar and content.count(f"Exporter la liste ({label})") == 1
