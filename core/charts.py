"""A chart with its data table: the figure a screen shows as a Chart.js chart *and* as a table, from one structure.

The table is always rendered (it is what a screen reader, a keyboard user, a printout or a browser without
JavaScript reads); the canvas is aria-hidden and drawn by static/js/charts.js from the same data. A view builds a
`Chart` and the template includes ``components/chart.html`` with ``chart=...``.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

KINDS = ("bar", "line")


@dataclass(frozen=True)
class Series:
    """One set of values, one per label (one bar colour, one line; one column of the table)."""

    label: str
    values: list[int | float | Decimal]


@dataclass(frozen=True)
class Chart:
    """`id` names the figure in the page (its canvas, table and data get ids from it); `labels` are the x axis and
    the table's rows, in reading order; `unit` is said in the column headers and the y axis ("consultations", "€")."""

    id: str
    title: str
    labels: list[str]
    series: list[Series]
    unit: str = ""
    label_header: str = ""
    kind: str = "bar"
    colours: list[str] = field(default_factory=lambda: ["#0b6e4f", "#c25400", "#0b4f8a", "#6a1b9a"])

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.labels):
                raise ValueError(
                    f"Series {series.label!r} has {len(series.values)} values for {len(self.labels)} labels"
                )

    @property
    def canvas_id(self) -> str:
        return f"{self.id}-canevas"

    @property
    def data_id(self) -> str:
        return f"{self.id}-donnees"

    @property
    def headers(self) -> list[str]:
        """The table's column headers: the series, with the unit."""
        return [f"{series.label} ({self.unit})" if self.unit else series.label for series in self.series]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table's rows: each label with its values in French (1 049, 1 049,52)."""
        return [(label, [_french(series.values[i]) for series in self.series]) for i, label in enumerate(self.labels)]

    @property
    def data(self) -> dict:
        """What charts.js draws (json_script): plain numbers, in the labels' order."""
        return {
            "kind": self.kind,
            "unit": self.unit,
            "labels": list(self.labels),
            "series": [
                {
                    "label": s.label,
                    "values": [float(v) if isinstance(v, Decimal) else v for v in s.values],
                    "colour": self.colours[i % len(self.colours)],
                }
                for i, s in enumerate(self.series)
            ],
        }


def _french(value) -> str:
    if value is None:
        return ""
    decimals = 0 if isinstance(value, int) or (isinstance(value, float | Decimal) and value == int(value)) else 2
    return number_format(value, decimals, force_grouping=True)
