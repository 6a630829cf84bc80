"""SUPERVISION CONSULTER DOSSIER: the organism's consultations, filters, counts per user and month, CSV export,
and the Caf agents' view in the admin. Journal rows are written here as the consultation screens write them."""

import csv
import datetime
import html
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from habilitations.journal import Event, JournalEntry, journal_write
from habilitations.models import Caf
from tests.factories import OrganismFactory, UserFactory, habilitated_user
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

URL = "/supervision-consulter-dossier/"
COUNTS_URL = "/supervision-consulter-dossier/par-utilisateur-et-par-mois/"
EXPORT_URL = "/supervision-consulter-dossier/export.csv"
ADMIN_URL = "/admin/habilitations/journalentry/consultations/"
EXPORT_HEADERS = [
    "Date et heure",
    "Identifiant",
    "Utilisateur",
    "Profil",
    "Caf",
    "Numéro allocataire",
    "Action",
    "Rubrique",
    "Résultat",
    "Adresse IP",
]


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def consult(user, event=Event.CDAP_RUBRIC, *, at=None, ip="192.0.2.10", **data):
    """One journal row as the consultation screens write it (with a chosen time when `at` is given)."""
    data = {"profile": "T1-ASS", "caf": "061", "dossier": "1234567", **data}
    if at is None:
        return journal_write(event, user=user, actor=user, organism=user.organism, **data)
    return JournalEntry.objects.create(
        at=at, event=event, user=user, actor=user, organism=user.organism, ip=ip, data=data
    )


def local(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@pytest.fixture
def world():
    supervisor, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP", nom="Garde", prenom="Anne")
    organism = group.convention.organism
    worker = UserFactory(organism=organism, nom="Martin", prenom="Paul", identifiant="ACC061MRTN")
    colleague = UserFactory(organism=organism, nom="Bernard", prenom="Lucie", identifiant="ACC061BRND")
    stranger = UserFactory(organism=OrganismFactory(), nom="Etranger", prenom="Eve", identifiant="ACC061TRGR")
    return {
        "supervisor": supervisor,
        "organism": organism,
        "worker": worker,
        "colleague": colleague,
        "stranger": stranger,
    }


@pytest.fixture
def supervisor_client(client, login, world):
    login(world["supervisor"])
    return client


def test_the_list_shows_the_organisms_consultations_and_never_another_organisms(world, supervisor_client):
    consult(world["worker"], Event.CDAP_SEARCH, at=local(2026, 3, 2, 9), outcome="found", dossier="7654321")
    consult(world["worker"], Event.CDAP_RUBRIC, at=local(2026, 3, 2, 10), rubric="paiements", dossier="7654321")
    consult(
        world["colleague"],
        Event.CDAP_SEARCH,
        at=local(2026, 3, 3),
        outcome="refused",
        reason="nom_different",
        dossier="1111111",
        ip="198.51.100.7",
    )
    consult(world["colleague"], Event.CDAP_RUBRIC_REFUSED, at=local(2026, 3, 4), rubric="rsa", outcome="refused")
    consult(world["stranger"], Event.CDAP_SEARCH, at=local(2026, 3, 5), outcome="found", dossier="9999999")
    text = page(supervisor_client.get(URL))
    assert "SUPERVISION CONSULTER DOSSIER" in text
    assert "02/03/2026 10:00:00" in text and "MARTIN Paul" in text and "ACC061MRTN" in text
    assert "Caf 061 — 7654321" in text and "Paiements" in text and "Trouvé" in text
    assert "Refusé : nom ne correspondant pas au dossier" in text and "198.51.100.7" in text
    assert "Refusé : rubrique fermée pour le profil" in text and "RSA" in text
    assert "T1-ASS" in text and "4 résultats" in text
    assert "9999999" not in text and "ETRANGER" not in text and "ACC061TRGR" not in text


def test_a_supervisor_cannot_reach_another_organisms_user_by_the_filter(world, supervisor_client):
    consult(world["stranger"], Event.CDAP_SEARCH, outcome="found", dossier="9999999")
    text = page(supervisor_client.get(URL, {"utilisateur": world["stranger"].pk}))
    assert "Choisissez un utilisateur de la liste." in text and "9999999" not in text
    export = b"".join(supervisor_client.get(EXPORT_URL, {"utilisateur": world["stranger"].pk}).streaming_content)
    assert b"9999999" not in export


def test_filters(world, supervisor_client):
    worker, colleague = world["worker"], world["colleague"]
    consult(worker, Event.CDAP_RUBRIC, at=local(2026, 1, 15), rubric="paiements", dossier="1000001")
    consult(worker, Event.CDAP_RUBRIC, at=local(2026, 2, 15), rubric="famille", dossier="1000002")
    consult(
        colleague,
        Event.CDAP_SEARCH,
        at=local(2026, 2, 20),
        outcome="refused",
        reason="sans_mesure_de_protection",
        dossier="1000003",
    )
    consult(colleague, Event.CDAP_RUBRIC, at=local(2026, 3, 1), rubric="paiements", dossier="1000004")

    def dossiers(**params):
        text = page(supervisor_client.get(URL, params))
        return sorted(n for n in ["1000001", "1000002", "1000003", "1000004"] if n in text)

    assert dossiers() == ["1000001", "1000002", "1000003", "1000004"]
    assert dossiers(utilisateur=worker.pk) == ["1000001", "1000002"]
    assert dossiers(du="2026-02-01", au="2026-02-28") == ["1000002", "1000003"]
    assert dossiers(du="15/01/2026", au="15/01/2026") == ["1000001"]
    assert dossiers(dossier="1000004") == ["1000004"]
    assert dossiers(rubrique="paiements") == ["1000001", "1000004"]
    assert dossiers(refus="on") == ["1000003"]
    assert dossiers(utilisateur=colleague.pk, rubrique="paiements", du="2026-03-01") == ["1000004"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"du": "2026-13-45"}, "Saisissez une date de début valide"),
        ({"au": "demain"}, "Saisissez une date de fin valide"),
        ({"du": "2026-03-01", "au": "2026-02-01"}, "La date de fin doit être postérieure"),
        ({"du": "x" * 10_000}, "Saisissez une date de début valide"),
        ({"dossier": "1" * 10_000}, "Le numéro allocataire compte 7 chiffres."),
        ({"dossier": "12a4567"}, "Le numéro allocataire compte 7 chiffres."),
        ({"dossier": "12\x0034567"}, "Ce champ contient un caractère non autorisé."),
        ({"du": "2026-01-01\x00"}, "Saisissez une date de début valide"),
        ({"utilisateur": "1\x00"}, "Le caractère nul n’est pas autorisé."),
        ({"utilisateur": "9" * 10_000}, "Choisissez un utilisateur de la liste."),
        ({"rubrique": "\x00" * 50}, "Choisissez une rubrique de la liste."),
        ({"rubrique": "inconnue"}, "Choisissez une rubrique de la liste."),
        ({"page": "\x00"}, "SUPERVISION CONSULTER DOSSIER"),
    ],
)
def test_bad_filter_input_gives_a_french_message_never_an_error(world, supervisor_client, params, message):
    consult(world["worker"], Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    for url in (URL, COUNTS_URL):
        text = page(supervisor_client.get(url, params))
        assert message in text
    response = supervisor_client.get(EXPORT_URL, params)
    assert response.status_code == 200
    assert "1000001" in b"".join(response.streaming_content).decode("utf-8-sig")  # the bad filter is ignored


def _rows(user, n):
    start = local(2026, 1, 1)
    JournalEntry.objects.bulk_create(
        JournalEntry(
            at=start + datetime.timedelta(hours=i),
            event=Event.CDAP_RUBRIC,
            user=user,
            actor=user,
            organism=user.organism,
            ip="192.0.2.1",
            data={"profile": "T1-ASS", "caf": "061", "dossier": f"{i:07d}", "rubric": "paiements"},
        )
        for i in range(n)
    )


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        else:
            assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [URL, COUNTS_URL, EXPORT_URL])
def test_constant_number_of_queries(world, supervisor_client, url):
    _rows(world["worker"], 10)
    small = _queries(supervisor_client, url)
    small_filtered = _queries(supervisor_client, url, {"utilisateur": world["worker"].pk, "refus": "on"})
    _rows(world["colleague"], 490)
    large = _queries(supervisor_client, url)
    large_filtered = _queries(supervisor_client, url, {"utilisateur": world["worker"].pk, "refus": "on"})
    assert small == large
    assert small_filtered == large_filtered


def test_the_list_is_paginated(world, supervisor_client):
    _rows(world["worker"], 120)
    first = page(supervisor_client.get(URL))
    assert "Page 1 sur 3 — 120 résultats" in first and "0000119" in first and "0000069" not in first
    last = page(supervisor_client.get(URL, {"page": "999"}))
    assert "Page 3 sur 3" in last and "0000000" in last


def test_counts_per_user_and_month(world, supervisor_client):
    worker, colleague = world["worker"], world["colleague"]
    for day in (3, 4, 5):
        consult(worker, at=local(2026, 1, day))
    consult(worker, at=local(2026, 2, 1))
    consult(colleague, at=local(2026, 2, 10))
    consult(colleague, Event.CDAP_SEARCH, at=local(2026, 2, 11), outcome="refused", reason="dossier_inconnu")
    consult(world["stranger"], at=local(2026, 2, 12))
    text = page(supervisor_client.get(COUNTS_URL))
    table = text[text.index('id="comptes"') :]
    assert table.index("02/2026") < table.index("01/2026")
    bernard = table[table.index("BERNARD Lucie") :]
    assert [cell for cell in _cells(bernard)][:3] == ["2", "0", "2"]
    martin = table[table.index("MARTIN Paul") :]
    assert [cell for cell in _cells(martin)][:3] == ["1", "3", "4"]
    footer = table[table.index("<tfoot>") :]
    assert _cells(footer)[:3] == ["3", "3", "6"]
    assert "ETRANGER" not in text
    # The chart's data is the table's Total row, oldest month first, in its own table too; the chart script comes
    # with it.
    data = json.loads(re.search(r'<script id="graphique-donnees" type="application/json">(.*?)</script>', text)[1])
    assert data["labels"] == ["01/2026", "02/2026"] and [s["values"] for s in data["series"]] == [[3, 3]]
    figure = text[text.index('<figure class="chart" id="graphique"') : text.index("</figure>")]
    assert [_cells(row) for row in figure.split("<tr>")[2:]] == [["3"], ["3"]]
    assert '<th scope="row">01/2026</th>' in figure and "Consultations" in figure
    assert "vendor/chartjs/chart.umd.min.js" in text and 'id="graphique-canevas" aria-hidden="true"' in text
    refusals = page(supervisor_client.get(COUNTS_URL, {"refus": "on"}))
    refusals = refusals[refusals.index('id="comptes"') :]
    assert "BERNARD Lucie" in refusals and "MARTIN Paul" not in refusals


def _cells(fragment: str) -> list[str]:

    row = fragment[: fragment.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_csv_export_is_filtered_french_and_journaled(world, supervisor_client):
    consult(world["worker"], Event.CDAP_RUBRIC, at=local(2026, 3, 2, 14), rubric="paiements", dossier="1000001")
    consult(
        world["colleague"],
        Event.CDAP_SEARCH,
        at=local(2026, 3, 3),
        outcome="refused",
        reason="bailleur_incoherent",
        dossier="1000002",
    )
    consult(world["stranger"], Event.CDAP_RUBRIC, rubric="paiements", dossier="9999999")
    response = supervisor_client.get(EXPORT_URL, {"rubrique": "paiements"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consultations-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == EXPORT_HEADERS
    assert lines[1:] == [
        [
            "02/03/2026 14:00:00",
            "ACC061MRTN",
            "MARTIN Paul",
            "T1-ASS",
            "061",
            "1000001",
            "Rubrique",
            "Paiements",
            "Ouverte",
            "192.0.2.10",
        ]
    ]
    everything = b"".join(supervisor_client.get(EXPORT_URL).streaming_content).decode("utf-8-sig")
    assert "Refusé : numéro de bailleur non cohérent avec le dossier" in everything and "9999999" not in everything
    exports = JournalEntry.objects.filter(event="export.supervision_cdap", actor=world["supervisor"]).order_by("id")
    assert exports.count() == 2
    assert exports[0].data["filters"] == {"rubrique": "paiements"}
    assert exports[0].data["organisms"] == [world["organism"].pk]
    # The export is not a consultation: it does not show in the list it exports.
    assert "export" not in page(supervisor_client.get(URL)).lower().split("exporter la liste (xlsx)")[1]


def xlsx_rows(response) -> list[list]:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_xlsx_export_has_the_csv_columns_typed_filtered_and_journaled(world, supervisor_client):
    consult(world["worker"], Event.CDAP_RUBRIC, at=local(2026, 3, 2, 14), rubric="paiements", dossier="1000001")
    consult(world["colleague"], Event.CDAP_RUBRIC, at=local(2026, 3, 3), rubric="synthese", dossier="1000002")
    consult(world["stranger"], Event.CDAP_RUBRIC, rubric="paiements", dossier="9999999")
    text = page(supervisor_client.get(URL, {"rubrique": "paiements"}))
    assert f'href="{EXPORT_URL[:-3]}xlsx?rubrique=paiements">Exporter la liste (XLSX)' in text
    response = supervisor_client.get(f"{EXPORT_URL[:-3]}xlsx", {"rubrique": "paiements"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="consultations-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0] == EXPORT_HEADERS
    # The time as the screens show it (Paris), a date cell a spreadsheet can sort.
    assert rows[1:] == [
        [
            datetime.datetime(2026, 3, 2, 14),
            "ACC061MRTN",
            "MARTIN Paul",
            "T1-ASS",
            "061",
            "1000001",
            "Rubrique",
            "Paiements",
            "Ouverte",
            "192.0.2.10",
        ]
    ]
    export = JournalEntry.objects.get(event="export.supervision_cdap", actor=world["supervisor"])
    assert export.data["filters"] == {"rubrique": "paiements"}


def test_a_user_without_the_supervision_profile_is_refused(client, login, world):
    login(world["worker"])
    for url in (URL, COUNTS_URL, EXPORT_URL, f"{EXPORT_URL[:-3]}xlsx"):
        assert client.get(url).status_code == 403


def test_the_home_tile_leads_to_the_supervision(world, supervisor_client):
    text = page(supervisor_client.get("/accueil/"))
    assert f'href="{URL}"' in text


# --- The Caf agents' admin --------------------------------------------------------------------------------


@pytest.fixture
def agent_client(client, login):
    agent = UserFactory(agent=True, nom="Agent", prenom="Local")
    enrol(client, login, agent)
    return client


def test_caf_agents_see_the_consultations_of_their_caf_only(world, agent_client):
    other_caf = OrganismFactory(caf_pivot=Caf.objects.get(code="831"))
    far = UserFactory(organism=other_caf, identifiant="ACC831LOIN")
    consult(world["worker"], Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    consult(world["colleague"], Event.CDAP_SEARCH, outcome="refused", reason="sans_rsa_2_ans", dossier="1000002")
    consult(far, Event.CDAP_SEARCH, outcome="found", dossier="8888888")
    journal_write(Event.LOGIN_SUCCESS, user=world["worker"], organism=world["organism"])
    journal = page(agent_client.get("/admin/habilitations/journalentry/"))
    assert f'href="{ADMIN_URL}">Consultations Consulter Dossier</a>' in journal
    text = page(agent_client.get(ADMIN_URL))
    assert "Consultations Consulter Dossier" in text and f'href="{ADMIN_URL}"' not in text
    assert "1000001" in text and "1000002" in text and "8888888" not in text
    assert "Refusé : pas de RSA dans les deux dernières années" in text
    assert "Connexion réussie" not in text
    refused = page(agent_client.get(ADMIN_URL, {"resultat": "refuse"}))
    assert "1000002" in refused and "1000001" not in refused
    searched = page(agent_client.get(ADMIN_URL, {"q": "1000001"}))
    assert "1000001" in searched and "1000002" not in searched


def test_caf_agents_export_the_consultations_as_csv(world, agent_client):
    entry = consult(world["worker"], Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    # "Select all" of the admin: one checked row and select_across, the whole filtered list is exported.
    response = agent_client.post(
        ADMIN_URL, {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": [entry.pk]}
    )
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Date et heure;Identifiant;Utilisateur;Organisme")
    assert "1000001" in text and "Paiements" in text
    assert JournalEntry.objects.filter(event="export.consultations_caf").count() == 1


def test_caf_agents_export_the_consultations_as_xlsx(world, agent_client):
    entry = consult(
        world["worker"], Event.CDAP_RUBRIC, at=local(2026, 3, 2, 14), rubric="paiements", dossier="1000001"
    )
    response = agent_client.post(
        ADMIN_URL, {"action": "export_xlsx", "select_across": "1", "index": "0", "_selected_action": [entry.pk]}
    )
    assert response["Content-Disposition"].startswith('attachment; filename="consultations-caf-')
    rows = xlsx_rows(response)
    assert rows[0][:4] == ["Date et heure", "Identifiant", "Utilisateur", "Organisme"]
    assert rows[1][:4] == [datetime.datetime(2026, 3, 2, 14), "ACC061MRTN", "MARTIN Paul", world["organism"].nom]
    assert rows[1][6:] == ["1000001", "Rubrique", "Paiements", "Ouverte", "192.0.2.10"]
    assert JournalEntry.objects.filter(event="export.consultations_caf").count() == 1


def test_the_admin_list_has_a_constant_number_of_queries(world, agent_client):
    _rows(world["worker"], 10)
    small = _queries(agent_client, ADMIN_URL)
    _rows(world["colleague"], 490)
    assert _queries(agent_client, ADMIN_URL) == small


def test_a_search_refused_before_a_profile_belongs_to_the_users_organism(world, supervisor_client):
    """cdap.services.search_refused may journal without an organism (input refused before the profile)."""
    journal_write(
        Event.CDAP_SEARCH, user=world["worker"], dossier="1000009", outcome="refused", reason="saisie_invalide"
    )
    journal_write(
        Event.CDAP_SEARCH, user=world["stranger"], dossier="9999999", outcome="refused", reason="saisie_invalide"
    )
    text = page(supervisor_client.get(URL))
    assert "1000009" in text and "Refusé : saisie invalide" in text and "9999999" not in text


def test_labels_of_attestations_and_dialogue(world, supervisor_client):
    consult(world["worker"], Event.CDAP_ATTESTATION, rubric="attestation_paiement", mode="courrier", dossier="1000001")
    consult(world["worker"], Event.CDAP_DIALOGUE, outcome="sent", dossier="1000002")
    consult(world["worker"], Event.CDAP_RUBRIC, rubric="logement", outcome="found", dossier="1000003")
    text = page(supervisor_client.get(URL))
    assert "Attestation de paiement" in text and "Courrier demandé" in text
    assert "Dialogue" in text and "Envoyé" in text and "Logement" in text and "Ouverte" in text
    assert "Refusé" not in text
