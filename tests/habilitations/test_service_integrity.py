"""A write that loses a race to a concurrent transaction gets the rule's French message from the database's
constraint (services._integrity), the same as its own check gives: the other transaction inserts the same row and
commits only once this one waits on it, so this one's check saw nothing and its INSERT meets the constraint."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from habilitations import services
from habilitations.accounts import EMAIL_IN_USE
from habilitations.models import (
    Convention,
    ConventionDocument,
    ConventionProfile,
    Organism,
    PartnerType,
    Profile,
    User,
)
from tests.factories import ConventionFactory, OrganismFactory, UserFactory, convention_documents, valid_siret

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate


def racing(insert, call):
    """Run `insert` in another transaction, then `call` here; the other commits once this one waits for a lock."""
    inserted, done = threading.Event(), threading.Event()
    waiter = connection.cursor().connection.info.backend_pid
    failure = []

    def other():
        try:
            with transaction.atomic():
                insert()
                inserted.set()
                with connection.cursor() as cursor:
                    for _ in range(500):
                        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [waiter])
                        if cursor.fetchone()[0]:
                            break
                        done.wait(0.01)
                    else:
                        failure.append("the write never waited for the other transaction")
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert inserted.wait(10)
        with pytest.raises(ValidationError) as error:
            call()
    finally:
        done.set()
        thread.join()
    assert not failure, failure
    return error.value.message_dict


def test_an_organism_registered_twice_at_once():
    siret = valid_siret(9100)
    ccas = PartnerType.objects.get(code="CCAS")
    message = racing(
        lambda: OrganismFactory(siret=siret),
        lambda: services.organism_register(siret=siret, nom="CCAS de Nice", partner_type=ccas, departement="06"),
    )
    assert message == {"siret": ["Un organisme avec ce SIRET existe déjà."]}
    assert Organism.objects.filter(siret=siret).count() == 1


def test_a_convention_created_twice_at_once():
    organism = OrganismFactory()
    message = racing(
        lambda: Convention.objects.create(organism=organism, libelle="x", caf_pivot=organism.caf_pivot),
        lambda: services.convention_create(organism=organism),
    )
    assert message == {"organism": ["Cet organisme a déjà une convention d'accès."]}


def test_a_profile_granted_twice_at_once():
    convention, profile = convention_documents(ConventionFactory(), "CDAP"), Profile.objects.get(code="T2")
    message = racing(
        lambda: ConventionProfile.objects.create(convention=convention, profile=profile, date_ouverture=TODAY()),
        lambda: services.convention_profile_open(convention, profile),
    )
    assert message == {"profile": ["La convention détient déjà ce profil."]}


def test_a_document_recorded_twice_at_once():
    convention = ConventionFactory()
    kind = ConventionDocument.Kind.CONVENTION
    message = racing(
        lambda: ConventionDocument.objects.create(convention=convention, kind=kind, date_reception=TODAY()),
        lambda: services.convention_document_record(convention, kind=kind, date_reception=TODAY()),
    )
    assert message == {"kind": ["Ce document est déjà enregistré pour cette convention."]}


def test_an_address_given_to_two_accounts_at_once():
    """Issue 23.2: the trigger's advisory lock makes the second wait, then see the first account."""
    organism = OrganismFactory()
    message = racing(
        lambda: UserFactory(email="claire.bernard@partenaire.example"),
        lambda: services.partner_user_create(
            organism=organism, nom="Roux", prenom="Ana", email="Claire.Bernard@partenaire.example"
        ),
    )
    assert message == {"email": [EMAIL_IN_USE]}
    assert User.objects.filter(email__iexact="claire.bernard@partenaire.example").count() == 1
