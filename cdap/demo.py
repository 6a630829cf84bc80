"""CDAP's part of `seed_demo` (core.demo): the documented demo dossiers, then `--dossiers` synthetic ones."""

import datetime
import functools
import random
import time

from dateutil.relativedelta import relativedelta
from django.core.management.base import CommandError
from django.utils import timezone

from cdap import generator as g
from cdap.generator import demo_dossiers_upsert, synthetic_dossiers_add
from core.demo import DemoPart
from habilitations.access.rubrics import TAB_ORDER, rubrics_for
from habilitations.journal import Event, JournalEntry
from habilitations.models import User

DEFAULT_DOSSIERS = 200
DOSSIERS_MAX = 9_000_000  # numbers are a permutation of the index over 7 digits (cdap.generator.numero_for)


class CdapDemo(DemoPart):
    order = 20

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dossiers",
            type=int,
            default=DEFAULT_DOSSIERS,
            metavar="N",
            help=(
                "dossiers allocataires synthétiques de la Caf des Alpes-Maritimes, en plus des dossiers de "
                f"démonstration documentés (par défaut {DEFAULT_DOSSIERS} ; un nombre plus grand complète, "
                f"jusqu'à {DOSSIERS_MAX})."
            ),
        )

    def check(self, options: dict) -> None:
        if not 0 <= options["dossiers"] <= DOSSIERS_MAX:
            raise CommandError(f"--dossiers : entre 0 et {DOSSIERS_MAX}.")

    def seed(self, command, options: dict) -> None:
        created, updated, _ = demo_dossiers_upsert()
        command.stdout.write(f"Dossiers de démonstration : {created} créés, {updated} mis à jour.")
        written = supervision_history_seed()
        if written:
            command.stdout.write(f"Historique de la supervision Consulter Dossier : {written} consultations.")

    def bulk(self, command, options: dict) -> None:
        dossiers = options["dossiers"]
        started = time.perf_counter()
        progress = command.progress_bar(dossiers, "Dossiers allocataires", always=True) if dossiers else None
        stats = {"rows": 0}
        added = synthetic_dossiers_add(dossiers, progress=progress, stats=stats)
        if progress:
            progress.close()
        seconds = time.perf_counter() - started
        command.stdout.write(
            f"Dossiers synthétiques : {added} ajoutés en {seconds:.1f} s ({dossiers - added} déjà présents) ; "
            f"{stats['rows']} lignes, {stats['rows'] / max(seconds, 1e-9):.0f} lignes/s."
        )


# "SUPERVISION CONSULTER DOSSIER" of the Conseil départemental des Alpes-Maritimes (ACC061SUPV, ACC061ADMN) is not
# empty on the first visit: the consultations its CDAP users made over the last HISTORY_MONTHS months, as the
# screens journal them (cdap.services: searches found or refused with their reason, rubrics opened, attestations).
HISTORY_MONTHS = 6
HISTORY_USERS = {  # identifiant: profile, and the documented dossiers the profile may open
    "ACC061TASS": ("T1-ASS", [g.DEMO_FAMILY, g.DEMO_TUTELLE_CURRENT, g.DEMO_TENANT]),
    "ACC061CESF": ("T1-CESF", [g.DEMO_FAMILY, g.DEMO_TUTELLE_NEVER]),
    "ACC061RSAS": ("T5", [g.DEMO_RSA_T4, g.DEMO_FAMILY]),
    "ACC061CTNX": ("T18", [g.DEMO_RSA_ENDED_23]),
    "ACC061CTRX": ("T19", [g.DEMO_RSA_ENDED_23]),
}
# Refused searches and their reason (cdap.selectors.REASON_*): a number that is no dossier, a name that is not its.
HISTORY_REFUSALS = [("1999999", "dossier_inconnu"), (g.DEMO_FAMILY, "nom_different")]
HISTORY_MARK = "demo_history"  # in the rows' data: a second seed_demo adds none


def supervision_history_seed(today: datetime.date | None = None) -> int:
    """Journal the demo history once (deterministic; nothing when it is there, or when an account is missing).
    Rows are appended with their past date, as the screens would have written them; returns how many."""
    if JournalEntry.objects.filter(data__has_key=HISTORY_MARK).exists():
        return 0
    users = {u.identifiant: u for u in User.objects.filter(identifiant__in=HISTORY_USERS).select_related("organism")}
    if len(users) != len(HISTORY_USERS):
        return 0
    today = today or timezone.localdate()
    rng = random.Random("supervision-cdap")
    rows = []
    for identifiant, (profile, dossiers) in HISTORY_USERS.items():
        user = users[identifiant]
        rubrics = [r for r in TAB_ORDER if r in rubrics_for(profile) and r != "synthese"]
        row = functools.partial(_history_row, user, profile)

        for months_ago in range(HISTORY_MONTHS, 0, -1):
            first = (today - relativedelta(months=months_ago)).replace(day=1)
            for _ in range(rng.randint(2, 7)):
                day = first + datetime.timedelta(days=rng.randint(0, 27))
                if day.weekday() >= 5:  # the partners consult on working days
                    day -= datetime.timedelta(days=day.weekday() - 4)
                at = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(rng.randint(8, 17), rng.randint(0, 59)))
                )
                if rng.random() < 0.15:
                    numero, reason = rng.choice(HISTORY_REFUSALS)
                    rows.append(row(Event.CDAP_SEARCH, at, dossier=numero, outcome="refused", reason=reason))
                    continue
                numero = rng.choice(dossiers)
                rows.append(row(Event.CDAP_SEARCH, at, dossier=numero, outcome="found"))
                for minutes, rubric in enumerate(rng.sample(rubrics, min(len(rubrics), rng.randint(1, 3))), 1):
                    rows.append(
                        row(Event.CDAP_RUBRIC, at + datetime.timedelta(minutes=minutes), dossier=numero, rubric=rubric)
                    )
                if "attestation_paiement" in rubrics_for(profile) and rng.random() < 0.2:
                    periode = (day - relativedelta(months=1)).replace(day=1)
                    rows.append(
                        row(
                            Event.CDAP_ATTESTATION,
                            at + datetime.timedelta(minutes=5),
                            dossier=numero,
                            rubric="attestation_paiement",
                            mode="telecharger",
                            periode=periode.isoformat(),
                        )
                    )
    JournalEntry.objects.bulk_create(rows)
    return len(rows)


def _history_row(user, profile, event, at, **data) -> JournalEntry:
    data = {"profile": profile, "caf": "061", HISTORY_MARK: True, **data}
    return JournalEntry(event=event, at=at, user=user, actor=user, organism=user.organism, ip="10.6.0.12", data=data)


DEMO_PART = CdapDemo
