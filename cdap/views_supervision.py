""" "SUPERVISION CONSULTER DOSSIER": the consultations of the supervisor's organism(s), their counts, the export.

Every page reads through `cdap.supervision.consultations_for(request.access)`: another organism's rows cannot be
reached by a filter or a page number. Constant number of queries whatever the number of rows.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from cdap import supervision
from cdap.forms_supervision import SupervisionFilterForm
from core.charts import Chart, Series
from habilitations import consultations as journal_rows
from habilitations.access.decorators import service_required
from habilitations.journal import journal_write

PAGE_SIZE = 50


def _exports() -> list[tuple[str, str]]:
    """The list toolbar's export links (components/list_toolbar.html adds the filters to each)."""
    return [
        ("Exporter la liste (CSV)", reverse("supervision_cdap:export")),
        ("Exporter la liste (XLSX)", reverse("supervision_cdap:export_xlsx")),
    ]


def _filtered(request):
    access = request.access
    form = SupervisionFilterForm(request.GET or None, users=supervision.organism_users(access))
    return form, form.filter(supervision.consultations_for(access))


@service_required(supervision.SUPERVISION_SERVICE)
def consultations(request):
    """The list, filtered and paginated (a malformed or too large page number gives the first or last page)."""
    form, queryset = _filtered(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = [journal_rows.row_of(entry) for entry in page]
    return render(
        request, "supervision/consultations.html", {"form": form, "page": page, "rows": lines, "exports": _exports()}
    )


@service_required(supervision.SUPERVISION_SERVICE)
def counts(request):
    """Consultations per user and month, with the same filters."""
    form, queryset = _filtered(request)
    table = supervision.counts_per_user_and_month(queryset)
    chart = Chart(  # oldest month first, as a chart reads
        id="graphique",
        title="Nombre total de consultations par mois (du plus ancien au plus récent)",
        label_header="Mois",
        labels=[f"{month:%m/%Y}" for month in reversed(table.months)],
        series=[Series("Consultations", list(reversed(table.totals)))],
    )
    return render(
        request, "supervision/counts.html", {"form": form, "table": table, "chart": chart, "exports": _exports()}
    )


@service_required(supervision.SUPERVISION_SERVICE)
def export(request, file_format="csv"):
    """The filtered list for a spreadsheet, streamed: CSV for Excel (UTF-8 with BOM, ';') or XLSX (dates as
    dates); the export itself is journaled."""
    form, queryset = _filtered(request)
    journal_write(
        supervision.SUPERVISION_EXPORT,
        request=request,
        user=request.user,
        organism=request.user.organism,
        organisms=supervision.supervised_organism_ids(request.access),
        filters=form.as_journal(),
    )
    return journal_rows.EXPORT.response(file_format, f"consultations-{timezone.localdate():%Y-%m-%d}", queryset)
