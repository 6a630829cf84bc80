"""CDAP's part of `seed_demo` (core.demo): the documented demo dossiers, then `--dossiers` synthetic ones."""

import time

from django.core.management.base import CommandError

from cdap.generator import demo_dossiers_upsert, synthetic_dossiers_add
from core.demo import DemoPart

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


DEMO_PART = CdapDemo
