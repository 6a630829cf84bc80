"""Demo data: the guides' world (habilitations.demo), idempotent. Every demo account shares DEMO_PASSWORD."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from cdap.generator import demo_dossiers_upsert, synthetic_dossiers_add
from core.commands import PortalCommand
from habilitations.demo import DEMO_PASSWORD, SYNTHETIC_MAX, seed_demo, synthetic_users_add
from portal.models import OutgoingEmail

DEFAULT_DOSSIERS = 200
DOSSIERS_MAX = 9_000_000  # numbers are a permutation of the index over 7 digits (cdap.generator.numero_for)


class Command(PortalCommand):
    help = (
        "Crée (ou complète) les données de démonstration : agents Caf, organismes, conventions, groupes et un "
        "compte par profil et par rôle. Sans effet la seconde fois."
    )
    dry_run_help = "fait tout puis annule (rien n'est enregistré)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--users",
            type=int,
            default=0,
            metavar="N",
            help=f"ajoute N utilisateurs synthétiques (bancs d'essai ; au plus {SYNTHETIC_MAX}).",
        )
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

    def dossiers_add(self, dossiers: int) -> None:
        started = time.perf_counter()
        progress = self.progress_bar(dossiers, "Dossiers allocataires", always=True) if dossiers else None
        stats = {"rows": 0}
        added = synthetic_dossiers_add(dossiers, progress=progress, stats=stats)
        if progress:
            progress.close()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Dossiers synthétiques : {added} ajoutés en {seconds:.1f} s ({dossiers - added} déjà présents) ; "
            f"{stats['rows']} lignes, {stats['rows'] / max(seconds, 1e-9):.0f} lignes/s."
        )

    def handle(self, *args, users: int, dossiers: int, dry_run: bool, **options):
        if not 0 <= users <= SYNTHETIC_MAX:
            raise CommandError(f"--users : entre 0 et {SYNTHETIC_MAX}.")
        if not 0 <= dossiers <= DOSSIERS_MAX:
            raise CommandError(f"--dossiers : entre 0 et {DOSSIERS_MAX}.")
        try:
            with transaction.atomic():
                last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                rows = seed_demo()
                if users:
                    started = time.perf_counter()
                    added = synthetic_users_add(users, write=self._draw)
                    self.stdout.write(
                        f"{added} utilisateurs synthétiques ajoutés en {time.perf_counter() - started:.1f} s "
                        f"({users - added} déjà présents ou identifiants déjà attribués)."
                    )
                created, updated, _ = demo_dossiers_upsert()
                self.stdout.write(f"Dossiers de démonstration : {created} créés, {updated} mis à jour.")
                if dry_run:
                    self.dossiers_add(dossiers)
                if OutgoingEmail.objects.filter(pk__gt=last_email).exists():
                    raise CommandError("Les données de démonstration ne doivent envoyer aucun courriel.")
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(f"Données de démonstration refusées : {'; '.join(error.messages)}") from error
        if not dry_run:
            # Outside the world's transaction: one commit per batch, so a million dossiers do not pile up in one
            # transaction, and an interrupted run is topped up by the next one.
            self.dossiers_add(dossiers)
        width = max(len(row.role) for row in rows)
        for row in rows:
            profile = ", ".join(row.profiles) or "—"
            self.stdout.write(f"{row.identifiant}  {row.role:<{width}}  {profile:<16}  {row.organisme}")
        self.stdout.write(self.style.SUCCESS(f"Mot de passe de démonstration commun : {DEMO_PASSWORD}"))
        if dry_run:
            self.dry_run_notice()
