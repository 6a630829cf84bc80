""" "SUPERVISION CONSULTER DOSSIER": the consultations of the supervisor's organism(s), their counts, the export.

Every page reads through `cdap.supervision.consultations_for(request.access)`: another organism's rows cannot be
reached by a filter or a page number. Constant number of queries whatever the number of rows.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from cdap import supervision
from cdap.forms_supervision import SupervisionFilterForm
from core.exports import csv_response
from habilitations import consultations as journal_rows
from habilitations.access.decorators import service_required
from habilitations.journal import journal_write

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


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
    return render(request, "supervision/consultations.html", {"form": form, "page": page, "rows": lines})


@service_required(supervision.SUPERVISION_SERVICE)
def counts(request):
    """Consultations per user and month, with the same filters."""
    form, queryset = _filtered(request)
    table = supervision.counts_per_user_and_month(queryset)
    chart = {  # oldest month first, as a chart reads
        "labels": [f"{month:%m/%Y}" for month in reversed(table.months)],
        "values": list(reversed(table.totals)),
    }
    return render(request, "supervision/counts.html", {"form": form, "table": table, "chart": chart})


@service_required(supervision.SUPERVISION_SERVICE)
def export(request):
    """The filtered list as CSV for Excel (UTF-8 with BOM, ';'), streamed; the export itself is journaled."""
    form, queryset = _filtered(request)
    journal_write(
        supervision.SUPERVISION_EXPORT,
        request=request,
        user=request.user,
        organism=request.user.organism,
        organisms=supervision.supervised_organism_ids(request.access),
        filters=form.as_journal(),
    )
    tz = timezone.get_current_timezone()
    entries = queryset.iterator(chunk_size=EXPORT_CHUNK)
    rows = (journal_rows.csv_values(journal_rows.row_of(entry), tz) for entry in entries)
    return csv_response(f"consultations-{timezone.localdate():%Y-%m-%d}.csv", journal_rows.CSV_HEADERS, rows)
