"""Send now the monthly reminder of the habilitations not used for 12 months (issue 23.3; beat sends it on the 1st)."""

from django.db import transaction

from core.commands import PortalCommand
from habilitations import reminders


class Command(PortalCommand):
    help = (
        "Envoie aux administrateurs de chaque organisme la liste des appartenances dont l'utilisateur n'a pas utilisé "
        "les services depuis 12 mois (« au moins une fois par an »), avec le lien vers « Habilitations non utilisées "
        "depuis 12 mois ». Un seul envoi par administrateur et par mois : relancer la commande n'envoie rien de plus."
    )
    dry_run_help = "compte les courriels sans les envoyer"

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            queued = reminders.unused_reminders_send()
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(f"{queued} courriel{'s' if queued > 1 else ''} de rappel mis en envoi.")
        if dry_run:
            self.dry_run_notice()
