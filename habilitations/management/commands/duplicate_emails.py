"""List the addresses that several open accounts share (issue 23.2), so that the agents correct them."""

from django.core.management.base import CommandError

from core.commands import PortalCommand
from habilitations.models import Caf
from habilitations.selectors import shared_emails


class Command(PortalCommand):
    help = (
        "Liste les adresses mail partagées par plusieurs comptes ouverts (comptes créés avant la règle de l'adresse "
        "électronique personnelle), avec l'identifiant, le nom, l'organisme et la Caf de chaque compte, pour que "
        "les agents les corrigent : « Modifier l'utilisateur » (administrateur de l'organisme) ou clôture du compte "
        "en trop. Tant qu'une adresse a plusieurs comptes, « Mot de passe oublié ? » demande l'identifiant."
    )

    def add_arguments(self, parser):
        parser.add_argument("--caf", metavar="CODE", help="seulement les adresses dont un compte relève de cette Caf")

    def handle(self, *args, caf=None, **options):
        if caf and not Caf.objects.filter(code=caf).exists():
            raise CommandError(f"Aucune Caf n'a le code « {caf} ».")
        shared = shared_emails(caf_code=caf)
        for email, users in shared:
            self.stdout.write(f"{email} : {len(users)} comptes ouverts")
            for user in users:
                organism = user.organism.nom if user.organism_id else ("agent Caf" if user.is_staff else "—")
                caf_name = user.caf.nom if user.caf_id else "—"
                self.stdout.write(f"  {user.identifiant}  {user.get_full_name()}  {organism}  ({caf_name})")
        if not shared:
            self.stdout.write("Aucune adresse mail n'est partagée par plusieurs comptes ouverts.")
        else:
            count = len(shared)
            self.stdout.write(
                f"{count} adresse{'s' if count > 1 else ''} partagée{'s' if count > 1 else ''} par plusieurs "
                "comptes ouverts."
            )
