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


SIRET_BASE = 73282932000000


def valid_siret(n: int) -> str:
    """The n-th SIRET with a valid Luhn key (never La Poste's SIREN)."""
    from habilitations.validators import luhn_ok

    candidate = SIRET_BASE + n * 10
    while not luhn_ok(str(candidate)):
        candidate += 1
    return str(candidate)


class OrganismFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "habilitations.Organism"

    siret = factory.Sequence(valid_siret)
    nom = factory.Sequence(lambda n: f"CCAS de la commune {n}")
    partner_type = factory.LazyFunction(lambda: _partner_type("CCAS"))
    departement = "06"
    caf_pivot = factory.LazyFunction(lambda: caf("061"))
    email = factory.Sequence(lambda n: f"contact{n}@organisme.example")


def _partner_type(code):
    from habilitations.models import PartnerType

    return PartnerType.objects.get(code=code)


class ConventionFactory(factory.django.DjangoModelFactory):
    """A convention "Valable", open for a year already."""

    class Meta:
        model = "habilitations.Convention"

    organism = factory.SubFactory(OrganismFactory)
    libelle = factory.LazyAttribute(lambda o: o.organism.nom)
    caf_pivot = factory.LazyAttribute(lambda o: o.organism.caf_pivot)
    date_ouverture = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    etat = "VALABLE"
    date_validation = factory.LazyAttribute(lambda o: o.date_ouverture)


def convention_profile(convention, code: str, **kwargs):
    from habilitations.models import ConventionProfile, Profile

    return ConventionProfile.objects.create(
        convention=convention,
        profile=Profile.objects.get(code=code),
        date_ouverture=convention.date_ouverture,
        **kwargs,
    )


def convention_documents(convention, *service_codes: str, received=None):
    """Record, as received, the documents a convention needs for `service_codes` (the signed convention, the
    contrat de service, each service's bulletins): what opening their profiles or "Valable" requires."""
    from habilitations.models import ConventionDocument, Service
    from habilitations.selectors import documents_required

    for kind, code in documents_required(service_codes):
        ConventionDocument.objects.get_or_create(
            convention=convention,
            kind=kind,
            service=Service.objects.get(code=code) if code else None,
            defaults={"date_reception": received or convention.date_ouverture},
        )
    return convention


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "habilitations.UserGroup"

    convention = factory.SubFactory(ConventionFactory)
    code = factory.Sequence(lambda n: f"G{n}")
    libelle = factory.LazyAttribute(lambda o: f"Groupe {o.code}")
    responsable = factory.LazyAttribute(lambda o: UserFactory(organism=o.convention.organism))
    niveau = factory.LazyAttribute(lambda o: o.parent.niveau + 1 if o.parent else 1)
    parent = None
    date_ouverture = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=300))


def grant(group, code: str, **kwargs):
    """Give `group` the profile `code`, granting it to the convention first if needed."""
    from habilitations.models import ConventionProfile, GroupGrant

    cp = ConventionProfile.objects.filter(convention=group.convention, profile__code=code).first()
    cp = cp or convention_profile(group.convention, code)
    return GroupGrant.objects.create(group=group, convention_profile=cp, date_ouverture=group.date_ouverture, **kwargs)


def member(user, group, **kwargs):
    from habilitations.models import Membership

    kwargs.setdefault("date_ouverture", max(group.date_ouverture, user.date_ouverture))
    return Membership.objects.create(user=user, group=group, **kwargs)


def habilitated_user(code: str = "T1-ASS", service_group_code: str | None = None, **user_kwargs):
    """A user of a fresh organism, member of a group holding the profile `code`."""
    group = GroupFactory(code=service_group_code or code.split("-")[0])
    user = UserFactory(organism=group.convention.organism, **user_kwargs)
    grant(group, code)
    member(user, group)
    return user, group
