"""Demo data, idempotent: each installed app's part (core.demo), in order. Every demo account shares one password."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from core.commands import PortalCommand
from core.demo import demo_parts
from core.mail.models import OutgoingEmail


class Command(PortalCommand):
    help = (
        "Crée (ou complète) les données de démonstration : agents Caf, organismes, conventions, groupes et un "
        "compte par profil et par rôle. Sans effet la seconde fois."
    )
    dry_run_help = "fait tout puis annule (rien n'est enregistré)."

    def add_arguments(self, parser):
        for part in demo_parts():
            part.add_arguments(parser)

    def handle(self, *args, dry_run: bool, **options):
        parts = demo_parts()
        for part in parts:
            part.check(options)
        try:
            with transaction.atomic():
                last_email = OutgoingEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for part in parts:
                    part.seed(self, options)
                if dry_run:
                    for part in parts:
                        part.bulk(self, options)
                if OutgoingEmail.objects.filter(pk__gt=last_email).exists():
                    raise CommandError("Les données de démonstration ne doivent envoyer aucun courriel.")
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(f"Données de démonstration refusées : {'; '.join(error.messages)}") from error
        if not dry_run:
            # Outside the world's transaction: one commit per batch, so a million dossiers do not pile up in one
            # transaction, and an interrupted run is topped up by the next one.
            for part in parts:
                part.bulk(self, options)
        for part in parts:
            part.report(self, options)
        if dry_run:
            self.dry_run_notice()
