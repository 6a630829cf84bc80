"""core.imports.ImportReport: lines accepted or rejected with column and French reason, counts, the cache's plain
data, the detail as a neutralised spreadsheet, and the component that shows it."""

import csv
import io
import re

from django.template.loader import render_to_string

from core.imports import ImportReport, RowError

COLUMNS = [("nom", "Nom"), ("email", "Adresse mail")]


def report() -> ImportReport:
    r = ImportReport(COLUMNS, export_columns=[("identifiant", "Identifiant")])
    r.add(
        2, {"nom": "Lagare", "email": "x@p.fr", "identifiant": "ACC061LAGA"}, "create", "Création", notes=["Nouveau"]
    )
    r.add(
        3,
        {"nom": "=HYPERLINK(1)", "email": "pas-une-adresse"},
        "create",
        "Création",
        errors=[RowError("email", "Adresse mail invalide « pas-une-adresse »."), RowError("", "Ligne en double.")],
        notes=["ignorée"],
    )
    r.add(4, {"nom": "Durand", "email": "d@p.fr"}, "unchanged", "Sans changement")
    return r


def test_a_line_with_an_error_is_rejected_whatever_its_planned_outcome():
    r = report()
    assert [row.line for row in r.accepted] == [2, 4] and [row.line for row in r.rejected] == [3]
    rejected = r.rejected[0]
    assert (rejected.outcome, rejected.outcome_label) == ("rejected", "Rejetée")
    assert rejected.messages == [
        "Colonne « email » : Adresse mail invalide « pas-une-adresse ».",
        "Ligne en double.",
    ]
    assert rejected.columns_at_fault == "email"
    assert r.accepted[0].messages == ["Nouveau"]
    assert (r.count("create"), r.count("rejected"), r.count("unchanged")) == (1, 1, 1)


def test_the_report_survives_the_cache_as_plain_data():
    r = report()
    back = ImportReport.from_dict(r.as_dict())
    assert back == r
    assert back.rejected[0].errors[0] == RowError("email", "Adresse mail invalide « pas-une-adresse ».")


def test_the_detail_csv_every_line_or_the_rejects_neutralised():
    def rows(response):
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))

    everything = rows(report().csv_response("detail.csv"))
    assert everything == [
        ["Ligne", "Nom", "Adresse mail", "Identifiant", "Résultat", "Colonne", "Motif"],
        ["2", "Lagare", "x@p.fr", "ACC061LAGA", "Création", "", "Nouveau"],
        [
            "3",
            "'=HYPERLINK(1)",
            "pas-une-adresse",
            "",
            "Rejetée",
            "email",
            "Adresse mail invalide « pas-une-adresse ». Ligne en double.",
        ],
        ["4", "Durand", "d@p.fr", "", "Sans changement", "", ""],
    ]
    assert rows(report().csv_response("rejets.csv", only_rejected=True)) == [everything[0], everything[2]]


def test_the_component_shows_each_line_its_result_and_the_column_at_fault():
    html = render_to_string(
        "components/import_report.html", {"report": report(), "table_id": "lignes", "csv_url": "/detail.csv"}
    )
    assert (
        '<table class="table table-responsive import-report" id="lignes">' in html
        and "<caption>Détail par ligne</caption>" in html
    )
    assert re.findall(r'<th scope="col">([^<]*)</th>', html) == ["Ligne", "Nom", "Adresse mail", "Résultat"]
    # On a phone each line is a card (table-responsive): « Ligne 2 », each cell under its column's name.
    assert '<th scope="row"><span class="import-line-label">Ligne </span>2</th><td data-label="Nom">' in html
    cells = r'(?:<td data-label="[^"]+">[^<]*</td>){2}\s*<td data-label="Résultat"><div>(.*?)</div></td>'
    rows = dict(re.findall(r'<th scope="row">[^\d]*(\d+)</th>' + cells, html, re.S))
    assert rows["2"] == "Création<br>Nouveau"
    assert rows["3"] == (
        '<strong>Rejetée</strong><br><span class="import-column">Colonne « email » :</span> '
        "Adresse mail invalide « pas-une-adresse ».<br>Ligne en double."
    )
    assert '<tr class="import-rejected">' in html and "=HYPERLINK(1)" in html
    assert '<a href="/detail.csv" download>Télécharger le détail par ligne (CSV)</a>' in html
