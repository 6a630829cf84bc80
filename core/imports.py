"""The report of a file import: each line of the file, accepted or rejected, with the column and the French reason
of every rejection, the counts, and the detail as a spreadsheet (core.exports: formulas neutralised).

An import (the bulk user import, the AFAS import...) checks its lines its own way and records the outcome here; the
page shows it with ``components/import_report.html`` and offers `ImportReport.csv_response` as « Télécharger le
détail par ligne ». The report is plain data (`as_dict` / `from_dict`) so that it can wait in the cache between
"Vérifier" and "Appliquer".
"""

from dataclasses import dataclass, field

from django.http import StreamingHttpResponse

from core.exports import INTEGER, Column, Export

REJECTED = "rejected"
REJECTED_LABEL = "Rejetée"


@dataclass(frozen=True)
class RowError:
    """Why a line is refused: `column` is the file's column at fault ("" for the line as a whole)."""

    column: str
    reason: str

    def __str__(self):
        return f"Colonne « {self.column} » : {self.reason}" if self.column else self.reason


@dataclass
class ReportRow:
    """One line of the file: its number in the file (the header is line 1), the cells shown, its outcome (a code
    and its French label), the rejections, and notes for an accepted line ("Utilisateur existant ...")."""

    line: int
    values: dict[str, str]
    outcome: str
    outcome_label: str
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def messages(self) -> list[str]:
        """What the line's "Motif" says: its rejections (with their column), else its notes."""
        return [str(error) for error in self.errors] if self.errors else self.notes

    @property
    def columns_at_fault(self) -> str:
        return ", ".join(dict.fromkeys(error.column for error in self.errors if error.column))


@dataclass
class ImportReport:
    """`columns` are the file's columns shown for each line, as (key in `ReportRow.values`, French header);
    `export_columns` are more of them written in the spreadsheet only (an identifiant found, say)."""

    columns: list[tuple[str, str]]
    rows: list[ReportRow] = field(default_factory=list)
    export_columns: list[tuple[str, str]] = field(default_factory=list)

    def add(self, line: int, values: dict[str, str], outcome: str, outcome_label: str, *, errors=(), notes=()):
        errors = list(errors)
        if errors:
            outcome, outcome_label = REJECTED, REJECTED_LABEL
        row = ReportRow(line, dict(values), outcome, outcome_label, errors, [note for note in notes if note])
        self.rows.append(row)
        return row

    @property
    def accepted(self) -> list[ReportRow]:
        return [row for row in self.rows if not row.rejected]

    @property
    def rejected(self) -> list[ReportRow]:
        return [row for row in self.rows if row.rejected]

    @property
    def lines(self) -> list[tuple[ReportRow, list[tuple[str, str]]]]:
        """The rows with their cells in the columns' order, each with its column's header (a phone shows each cell
        under its header), as the component shows them."""
        return [(row, [(header, row.values.get(key, "")) for key, header in self.columns]) for row in self.rows]

    def count(self, outcome: str) -> int:
        return sum(row.outcome == outcome for row in self.rows)

    # --- The spreadsheet of the detail ------------------------------------------------------------------------

    @property
    def export(self) -> Export:
        return Export(
            (
                Column("Ligne", "line", INTEGER),
                *(
                    Column(header, lambda row, key=key: row.values.get(key, ""))
                    for key, header in [*self.columns, *self.export_columns]
                ),
                Column("Résultat", "outcome_label"),
                Column("Colonne", "columns_at_fault"),
                Column("Motif", lambda row: " ".join(error.reason for error in row.errors) or " ".join(row.notes)),
            ),
            sheet_title="Détail par ligne",
        )

    def csv_response(self, filename: str, *, only_rejected: bool = False) -> StreamingHttpResponse:
        return self.export.csv_response(filename, self.rejected if only_rejected else self.rows)

    # --- Plain data, for the cache ----------------------------------------------------------------------------

    def as_dict(self) -> dict:
        return {
            "columns": [list(column) for column in self.columns],
            "export_columns": [list(column) for column in self.export_columns],
            "rows": [
                {
                    "line": row.line,
                    "values": row.values,
                    "outcome": row.outcome,
                    "outcome_label": row.outcome_label,
                    "errors": [[error.column, error.reason] for error in row.errors],
                    "notes": row.notes,
                }
                for row in self.rows
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(
            columns=[tuple(column) for column in data["columns"]],
            export_columns=[tuple(column) for column in data.get("export_columns", [])],
            rows=[
                ReportRow(
                    line=row["line"],
                    values=row["values"],
                    outcome=row["outcome"],
                    outcome_label=row["outcome_label"],
                    errors=[RowError(column, reason) for column, reason in row["errors"]],
                    notes=row["notes"],
                )
                for row in data["rows"]
            ],
        )
