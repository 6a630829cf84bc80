"""core.exports: one description, written as CSV or XLSX — French formats, formulas neutralised, constant memory."""

import csv
import datetime
import io
import tracemalloc
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.exports import DATE, DATETIME, DECIMAL, INTEGER, Column, Export

HOSTILE = '=HYPERLINK("http://attaquant.example/","x")'

EXPORT = Export(
    (
        Column("Nom", "nom"),
        Column("Organisme", "organisme.nom"),
        Column("Né le", "naissance", DATE),
        Column("Le", "at", DATETIME),
        Column("Montant", "montant", DECIMAL),
        Column("Enfants", "enfants", INTEGER),
        Column("Initiale", lambda row: row.nom[:1]),
    ),
    sheet_title="Essai",
)


def person(nom="Dupré-Lefèvre", **overrides):
    values = {
        "nom": nom,
        "organisme": SimpleNamespace(nom="Caf 061"),
        "naissance": datetime.date(2026, 12, 7),
        # 13:05 UTC is 14:05 in Paris: the export writes the local time, as the screens show it.
        "at": datetime.datetime(2026, 12, 7, 13, 5, tzinfo=datetime.UTC),
        "montant": Decimal("1049.52"),
        "enfants": 3,
        **overrides,
    }
    return SimpleNamespace(**values)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.worksheets[0]


def test_csv_french_headers_dates_and_decimals():
    response = EXPORT.csv_response("essai.csv", [person(), person(organisme=None, montant=None)])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="essai.csv"'
    assert read_csv(response) == [
        ["Nom", "Organisme", "Né le", "Le", "Montant", "Enfants", "Initiale"],
        ["Dupré-Lefèvre", "Caf 061", "07/12/2026", "07/12/2026 14:05:00", "1049,52", "3", "D"],
        ["Dupré-Lefèvre", "", "07/12/2026", "07/12/2026 14:05:00", "", "3", "D"],
    ]


def test_xlsx_typed_cells_in_french_formats():
    response = EXPORT.xlsx_response("essai.xlsx", [person()])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="essai.xlsx"'
    sheet = read_xlsx(response)
    assert sheet.title == "Essai"
    header, row = list(sheet.iter_rows())
    assert [cell.value for cell in header] == ["Nom", "Organisme", "Né le", "Le", "Montant", "Enfants", "Initiale"]
    assert header[0].font.bold
    assert row[0].value == "Dupré-Lefèvre" and row[1].value == "Caf 061"
    # Dates and amounts are typed cells (a spreadsheet sorts and adds them), shown as 07/12/2026 and 1 049,52.
    assert row[2].value == datetime.datetime(2026, 12, 7) and row[2].number_format == "DD/MM/YYYY"
    assert row[3].value == datetime.datetime(2026, 12, 7, 14, 5) and row[3].number_format == "DD/MM/YYYY HH:MM:SS"
    assert row[4].value == pytest.approx(1049.52) and row[4].number_format == "#,##0.00"
    assert row[5].value == 3


@pytest.mark.parametrize("value", [HOSTILE, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1"])
def test_a_formula_is_text_in_both_formats(value):
    rows = [person(nom=value, organisme=SimpleNamespace(nom=value))]
    assert read_csv(EXPORT.csv_response("e.csv", rows))[1][:2] == ["'" + value] * 2
    cells = list(read_xlsx(EXPORT.xlsx_response("e.xlsx", rows)).iter_rows(min_row=2))[0]
    for cell in cells[:2]:
        assert cell.data_type == "s" and cell.value == "'" + value


def test_a_formula_in_a_header_is_text_too():
    export = Export((Column("=1+1", "nom"),))
    assert read_xlsx(export.xlsx_response("e.xlsx", [person()])).cell(1, 1).value == "'=1+1"


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_queryset_is_read_with_iterator_never_cached(file_format):
    """.iterator(): rows are fetched in chunks and dropped, the queryset's result cache (every row at once) stays
    empty — iterating the queryset itself fills it (fails if _rows iterates `objects` directly)."""
    queryset = ContentType.objects.order_by("pk")
    export = Export((Column("Application", "app_label"), Column("Modèle", "model")))
    response = export.response(file_format, "types", queryset)
    if file_format == "csv":
        rows = read_csv(response)
    else:
        rows = [[cell.value for cell in row] for row in read_xlsx(response).iter_rows()]
    assert queryset._result_cache is None
    assert rows[1:] == [[t.app_label, t.model] for t in ContentType.objects.order_by("pk")]
    assert len(rows) > 10


def test_the_csv_is_written_as_it_is_sent():
    """The response yields line by line: after the header and one row, one object only has been read."""
    read = []

    def objects():
        for n in range(1_000_000):
            read.append(n)
            yield person(enfants=n)

    response = EXPORT.csv_response("e.csv", objects())
    lines = iter(response.streaming_content)
    next(lines), next(lines)
    assert read == [0]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_memory_does_not_grow_with_the_rows(file_format):
    """Python's peak memory for 8× the rows is about the same (a list of the rows, or of the CSV lines, would be
    eight times larger): the rows are written one by one, the XLSX to a temporary file. (openpyxl is slow under
    tracemalloc: fewer rows for the XLSX.)"""
    count = 400 if file_format == "xlsx" else 1_000

    def peak(count: int) -> int:
        rows = (person(enfants=n) for n in range(count))
        tracemalloc.start()
        try:
            response = EXPORT.response(file_format, "e", rows)
            for _chunk in response.streaming_content:
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(count), peak(8 * count)
    assert large < small * 1.5, (small, large)


def test_datetimes_follow_the_current_timezone():
    with timezone.override("Indian/Reunion"):  # UTC+4
        assert read_csv(EXPORT.csv_response("e.csv", [person()]))[1][3] == "07/12/2026 17:05:00"
