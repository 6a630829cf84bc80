"""Demo data: idempotent. Every demo account shares DEMO_PASSWORD (listed in the README)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from habilitations.models import Caf, IssuedIdentifiant, User

DEMO_PASSWORD = "Mcp-Demo#2026"

# identifiant, nom, prénom, Caf code, role flags
DEMO_ACCOUNTS = [
    ("CAF061AGNT", "MARTIN", "Sophie", "061", {"is_staff": True}, "Agent Caf des Alpes-Maritimes"),
    ("CAF831AGNT", "GIRAUD", "Paul", "831", {"is_staff": True}, "Agent Caf du Var"),
    ("CAF121AGNT", "FABRE", "Agnès", "121", {"is_staff": True}, "Agent Caf de l'Aveyron"),
    ("ACC061ADMN", "CERVAYNE", "Lisa", "061", {"is_partner_admin": True}, "Administrateur partenaire"),
    ("ACC061USER", "DUBOIS", "Jean", "061", {}, "Utilisateur sans groupe"),
    ("LOG061HABT", "ROUSSEAU", "Marc", "061", {}, "Bailleur"),
]


class Command(BaseCommand):
    help = "Crée (ou met à jour) les données de démonstration."

    @transaction.atomic
    def handle(self, *args, **options):
        cafs = {caf.code: caf for caf in Caf.objects.filter(code__in={row[3] for row in DEMO_ACCOUNTS})}
        for identifiant, nom, prenom, caf_code, flags, role in DEMO_ACCOUNTS:
            IssuedIdentifiant.objects.get_or_create(value=identifiant)
            user, created = User.objects.update_or_create(
                identifiant=identifiant,
                defaults={
                    "nom": nom,
                    "prenom": prenom,
                    "email": f"{prenom.lower()}.{nom.lower()}@demo.moncomptepartenaire.example".replace("è", "e"),
                    "caf": cafs[caf_code],
                    "provisional_password_expires_at": None,
                    "date_cloture": None,
                    **flags,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"{'créé' if created else 'mis à jour'} : {identifiant} — {role}")
        self.stdout.write(self.style.SUCCESS(f"Mot de passe de démonstration commun : {DEMO_PASSWORD}"))
