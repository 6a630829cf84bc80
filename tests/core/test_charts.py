"""core.charts and components/chart.html: one structure gives the Chart.js data and the table that says it all."""

import json
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from core.charts import Chart, Series


def chart(**overrides) -> Chart:
    values = {
        "id": "montants",
        "title": "Montants versés par mois",
        "label_header": "Mois",
        "labels": ["01/2026", "02/2026"],
        "series": [Series("AF", [Decimal("1049.52"), 12]), Series("APL", [3, Decimal("0.5")])],
        "unit": "€",
    }
    return Chart(**{**values, **overrides})


def render(c: Chart) -> str:
    request = RequestFactory().get("/")
    request.csp_nonce = "n0nce"
    return render_to_string("components/chart.html", {"chart": c, "request": request})


def test_the_table_says_every_value_in_french():
    html = render(chart())
    table = html[html.index("<table") : html.index("</table>")]
    assert "<caption" in table and "Montants versés par mois" in table
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table) == ["Mois", "AF (€)", "APL (€)"]
    rows = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in table.split("<tr>")[2:]]
    assert rows == [["01/2026", "1\u00a0049,52", "3"], ["02/2026", "12", "0,50"]]
    # The values right-aligned under their right-aligned headers (.numeric), the months' column not.
    assert table.count('<th scope="col" class="numeric">') == 2 and table.count('<td class="numeric">') == 4


def test_the_canvas_is_hidden_from_assistive_technologies_and_drawn_from_the_same_data():
    html = render(chart())
    assert '<figure class="chart" id="montants" data-chart="montants-donnees">' in html
    assert '<div class="chart-canvas" hidden><canvas id="montants-canevas" aria-hidden="true"></canvas></div>' in html
    data = json.loads(re.search(r'<script id="montants-donnees" type="application/json">(.*?)</script>', html)[1])
    assert data["labels"] == ["01/2026", "02/2026"] and data["unit"] == "€" and data["kind"] == "bar"
    assert [(s["label"], s["values"]) for s in data["series"]] == [("AF", [1049.52, 12]), ("APL", [3, 0.5])]
    assert 'nonce="n0nce"' in html and "js/charts.js" in html


def test_a_title_or_label_is_escaped():
    html = render(chart(title="<script>x</script>", labels=["<b>", "b"]))
    assert "<script>x</script>" not in html and "&lt;b&gt;" in html


@pytest.mark.parametrize(
    "overrides",
    [{"kind": "camembert"}, {"labels": ["01/2026"]}],
)
def test_a_malformed_chart_is_refused(overrides):
    with pytest.raises(ValueError):
        chart(**overrides)
