"""Spreadsheet exports, CSV and XLSX, streamed, with one place where every cell is neutralised against formulas.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel and LibreOffice
as a formula: a user named ``=HYPERLINK("http://…","x")`` or an imported cell ``=cmd|' /C calc'!A0`` would run in
the spreadsheet of whoever opens the export (OWASP "CSV injection"). Such a cell gets a leading apostrophe, which
spreadsheets show as text and do not display. Numbers stay numbers: an int or a Decimal, or a text that is only a
number (``-12,50``), cannot be a formula.

An export is described once (`Export`: its columns, each a French header, an accessor and a kind) and written as
CSV or XLSX from the same description. Both read a queryset with ``.iterator()`` and write row by row: the memory
used does not grow with the number of rows (the CSV is streamed to the client as it is written; the XLSX, a zip
that can only be closed at the end, is written row by row to a temporary file by openpyxl's write-only mode, then
streamed from it).
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")

TEXT = "text"
INTEGER = "integer"
DECIMAL = "decimal"
DATE = "date"
DATETIME = "datetime"

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's codes, shown in the reader's locale: a French Excel shows 07/12/2026 and 1 049,52.
_XLSX_FORMATS = {DATE: "DD/MM/YYYY", DATETIME: "DD/MM/YYYY HH:MM:SS", DECIMAL: "#,##0.00", INTEGER: "0"}
ITERATOR_CHUNK = 2000


def neutralise(value):
    """The cell as a spreadsheet must receive it: a text that a spreadsheet would evaluate is made plain text."""
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def neutralise_row(values: Iterable) -> list:
    return [neutralise(value) for value in values]


class _Echo:
    """A file-like object whose write() returns what it is given: csv.writer then yields lines one by one."""

    def write(self, value):
        return value


def csv_lines(headers: list[str], rows: Iterable[Iterable]) -> Iterable[str]:
    """Lines for Excel: UTF-8 BOM on the first, ';' separator, every cell neutralised."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(neutralise_row(headers))
    for row in rows:
        yield writer.writerow(neutralise_row(row))


def csv_response(filename: str, headers: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A streamed CSV download: rows are read lazily (pass an iterator over a queryset, not a list of 10⁶ rows)."""
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def french_text(value, kind: str = TEXT) -> str:
    """A cell as a French CSV reader expects it: 07/12/2026, 07/12/2026 14:05:00 (local time), 1049,52."""
    if value is None:
        return ""
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M:%S")
    if kind in (DATE, DATETIME) and isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if kind == DECIMAL and isinstance(value, Decimal | float | int):
        return f"{Decimal(value):.2f}".replace(".", ",")
    return str(value)


def _xlsx_value(value, kind: str):
    """A cell as openpyxl writes it: dates and numbers typed (Excel may sort and add them), local naive times."""
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return _local(value).replace(tzinfo=None)
    if kind == DATE and isinstance(value, datetime.datetime):
        return _local(value).date()
    if kind in (DECIMAL, INTEGER) and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime.date):
        return value
    return neutralise(value)


@dataclass(frozen=True)
class Column:
    """One column of an export: its French header, how to read it from a row (an attribute name, dotted for a
    relation, or a function of the row) and its kind (TEXT, INTEGER, DECIMAL, DATE, DATETIME)."""

    header: str
    accessor: str | Callable[[Any], Any]
    kind: str = TEXT

    def read(self, row):
        if callable(self.accessor):
            return self.accessor(row)
        value = row
        for name in self.accessor.split("."):
            value = getattr(value, name, None) if value is not None else None
        return value


@dataclass(frozen=True)
class Export:
    """An export described once, written as CSV or XLSX. `prepare` turns each object read (a model row) into what
    the accessors read (a view-model), without a query: select_related what it needs."""

    columns: tuple[Column, ...]
    sheet_title: str = "Export"
    prepare: Callable[[Any], Any] | None = None

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def with_columns(self, columns: Iterable[Column]) -> "Export":
        return Export(tuple(columns), self.sheet_title, self.prepare)

    def _rows(self, objects: Iterable) -> Iterable:
        if isinstance(objects, QuerySet):
            objects = objects.iterator(chunk_size=ITERATOR_CHUNK)  # no result cache: constant memory
        for obj in objects:
            yield self.prepare(obj) if self.prepare else obj

    def csv_rows(self, objects: Iterable) -> Iterable[list]:
        for row in self._rows(objects):
            yield [french_text(column.read(row), column.kind) for column in self.columns]

    def csv_response(self, filename: str, objects: Iterable) -> StreamingHttpResponse:
        return csv_response(filename, self.headers, self.csv_rows(objects))

    def xlsx_write(self, out, objects: Iterable) -> None:
        """Write the workbook to the binary file `out`, one row at a time (openpyxl's write-only mode)."""
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(self.sheet_title[:31])
        bold = Font(bold=True)
        header_cells = []
        for header in self.headers:
            cell = WriteOnlyCell(sheet, value=neutralise(header))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        formats = [_XLSX_FORMATS.get(column.kind) for column in self.columns]
        for row in self._rows(objects):
            cells = []
            for column, number_format in zip(self.columns, formats, strict=True):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(column.read(row), column.kind))
                if number_format and cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = number_format
                cells.append(cell)
            sheet.append(cells)
        workbook.save(out)

    def xlsx_response(self, filename: str, objects: Iterable) -> FileResponse:
        """A XLSX download: written to a temporary file (not memory), then streamed from it in blocks."""
        out = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
        self.xlsx_write(out, objects)
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)

    def response(self, file_format: str, basename: str, objects: Iterable):
        """The download in `file_format` ("xlsx", else CSV) named `basename`.csv or .xlsx."""
        if file_format == "xlsx":
            return self.xlsx_response(f"{basename}.xlsx", objects)
        return self.csv_response(f"{basename}.csv", objects)
