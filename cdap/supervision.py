"""Selectors of "SUPERVISION CONSULTER DOSSIER": the Consulter Dossier rows of the journal a supervisor may read.

A supervisor holds SUPERVISION_CDAP through a group of their organism; they read the consultations of that organism
(or organisms) only, whatever the filters say. The rows' French labels come from `habilitations.consultations`,
shared with the Caf agents' admin. Every function here reads; the export's journal row is written by the view.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from habilitations.consultations import consultations, refusals_q
from habilitations.journal import JournalEntry
from habilitations.models import User

SUPERVISION_SERVICE = "SUPERVISION_CDAP"
# Not a "cdap.*" event: the export must not show up among the consultations it exports.
SUPERVISION_EXPORT = "export.supervision_cdap"


def supervised_organism_ids(access) -> list[int]:
    """The organisms whose consultations the user supervises today: those of their SUPERVISION_CDAP grants."""
    return sorted({grant.organism_id for grant in access.grants_for(SUPERVISION_SERVICE)})


def consultations_for(access) -> QuerySet[JournalEntry]:
    """The consultations of the organisms `access` supervises; none for anyone else. A search refused before a
    profile was chosen carries no organism: it belongs to the organism of the user who made it."""
    organism_ids = supervised_organism_ids(access)
    return consultations().filter(
        Q(organism_id__in=organism_ids) | Q(organism__isnull=True, user__organism_id__in=organism_ids)
    )


def organism_users(access) -> QuerySet[User]:
    """The users a supervisor may pick in the "Utilisateur" filter: those of the supervised organisms."""
    return User.objects.filter(organism_id__in=supervised_organism_ids(access)).order_by("nom", "prenom", "pk")


def filter_consultations(
    queryset: QuerySet[JournalEntry],
    *,
    user: User | None = None,
    du: datetime.date | None = None,
    au: datetime.date | None = None,
    dossier: str = "",
    rubric: str = "",
    refused_only: bool = False,
) -> QuerySet[JournalEntry]:
    """Apply the supervision filters; dates are whole days in the portal's time zone, both included."""
    if user is not None:
        queryset = queryset.filter(user=user)
    if du is not None:
        queryset = queryset.filter(at__date__gte=du)
    if au is not None:
        queryset = queryset.filter(at__date__lte=au)
    if dossier:
        queryset = queryset.filter(data__dossier=dossier)
    if rubric:
        queryset = queryset.filter(data__rubric=rubric)
    if refused_only:
        queryset = queryset.filter(refusals_q())
    return queryset


@dataclass(frozen=True)
class MonthlyCounts:
    """The counts-per-user-and-month table: one row per user, one column per month (newest first)."""

    months: list[datetime.date]
    rows: list[dict]  # {"identifiant", "nom", "counts": [int per month], "total"}
    totals: list[int]
    total: int


def counts_per_user_and_month(queryset: QuerySet[JournalEntry]) -> MonthlyCounts:
    """One grouped query, whatever the number of rows: consultations per user and calendar month (local time)."""
    grouped = (
        queryset.order_by()
        .annotate(month=TruncMonth("at"))
        .values("month", "user_id", "user__identifiant", "user__nom", "user__prenom")
        .annotate(n=Count("id"))
    )
    months: set[datetime.date] = set()
    users: dict[int | None, dict] = {}
    cells: dict[tuple[int | None, datetime.date], int] = {}
    for line in grouped:
        month = line["month"].date() if isinstance(line["month"], datetime.datetime) else line["month"]
        months.add(month)
        users.setdefault(
            line["user_id"],
            {
                "identifiant": line["user__identifiant"] or "",
                "nom": f"{(line['user__nom'] or '').upper()} {line['user__prenom'] or ''}".strip(),
            },
        )
        cells[(line["user_id"], month)] = cells.get((line["user_id"], month), 0) + line["n"]
    ordered_months = sorted(months, reverse=True)
    rows = []
    for user_id, user in sorted(users.items(), key=lambda item: (item[1]["nom"], item[1]["identifiant"])):
        counts = [cells.get((user_id, month), 0) for month in ordered_months]
        rows.append({**user, "counts": counts, "total": sum(counts)})
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(ordered_months))]
    return MonthlyCounts(months=ordered_months, rows=rows, totals=totals, total=sum(totals))
