"""Factories with traits. Every factory-made account shares TEST_PASSWORD."""

import datetime

import factory
from django.utils import timezone

from habilitations.models import Caf, User

TEST_PASSWORD = "Test-Mcp#2026x"


ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def identifiant_suffix(n: int) -> str:
    """The n-th 4-character suffix, in the identifiants' alphabet (no 0/O, 1/I/L)."""
    chars = []
    for _ in range(4):
        n, rest = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[rest])
    return "".join(reversed(chars))


def caf(code: str = "061") -> Caf:
    return Caf.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    identifiant = factory.Sequence(lambda n: f"ACC061{identifiant_suffix(n)}")
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"utilisateur{n}@partenaire.example")
    caf = factory.LazyFunction(lambda: caf("061"))
    date_ouverture = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save()

    class Params:
        provisional = factory.Trait(
            provisional_password_expires_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=24))
        )
        partner_admin = factory.Trait(is_partner_admin=True)
        agent = factory.Trait(is_staff=True, identifiant=factory.Sequence(lambda n: f"CAF061{identifiant_suffix(n)}"))
        closed = factory.Trait(
            date_cloture=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
        )
