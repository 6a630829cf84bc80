"""Spreadsheet exports (CSV today, XLSX later): one place where every cell is neutralised against formulas.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel and LibreOffice
as a formula: a user named ``=HYPERLINK("http://…","x")`` or an imported cell ``=cmd|' /C calc'!A0`` would run in
the spreadsheet of whoever opens the export (OWASP "CSV injection"). Such a cell gets a leading apostrophe, which
spreadsheets show as text and do not display. Numbers stay numbers: an int or a Decimal, or a text that is only a
number (``-12,50``), cannot be a formula.
"""

import csv
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


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
