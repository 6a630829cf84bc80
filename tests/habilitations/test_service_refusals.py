"""Each rule a habilitation service checks itself, called directly: the exact French message, on the exact field
(the form shows it there), and nothing journaled. The screens' tests check the same rules through the pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habilitations import services
from habilitations.journal import JournalEntry
from habilitations.models import Convention, ConventionDocument, PartnerType, Service
from tests.factories import (
    ConventionFactory,
    GroupFactory,
    OrganismFactory,
    UserFactory,
    convention_profile,
    grant,
    member,
    valid_siret,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
CLOSING_BEFORE_OPENING = "La date de clôture doit être postérieure ou égale à la date d'ouverture."
Kind = ConventionDocument.Kind


def _register(**overrides):
    fields = {
        "siret": valid_siret(9000),
        "nom": "CCAS de Menton",
        "partner_type": PartnerType.objects.get(code="CCAS"),
        "departement": "06",
    }
    return lambda: services.organism_register(**{**fields, **overrides})


def _siret_taken():
    OrganismFactory(siret=valid_siret(9000))
    return _register()


def _second_convention():
    convention = ConventionFactory()
    return lambda: services.convention_create(organism=convention.organism)


def _etat(start, target):
    convention = ConventionFactory(etat=start)
    return lambda: services.convention_set_etat(convention, etat=target)


def _profile_held():
    convention = ConventionFactory()
    held = convention_profile(convention, "T2")
    return lambda: services.convention_profile_open(convention, held.profile)


def _profile_closed_before_opening():
    held = convention_profile(ConventionFactory(), "T2")
    return lambda: services.convention_profile_close(held, date_cloture=held.date_ouverture - DAY)


def _document(kind, service=None, date_reception=None, partner_type="CCAS", twice=False):
    def prepare():
        convention = ConventionFactory(
            organism=OrganismFactory(partner_type=PartnerType.objects.get(code=partner_type))
        )
        record = lambda: services.convention_document_record(  # noqa: E731
            convention,
            kind=kind,
            service=Service.objects.get(code=service) if service else None,
            date_reception=date_reception or TODAY(),
        )
        if twice:
            record()
        return record

    return prepare


def _user_into_another_organisms_group():
    organism, group = OrganismFactory(), GroupFactory()
    return lambda: services.partner_user_create(
        organism=organism, nom="Durand", prenom="Lise", email="lise@partenaire.example", group=group
    )


def _user_closing_before_opening():
    return lambda: services.partner_user_create(
        organism=OrganismFactory(),
        nom="Durand",
        prenom="Lise",
        email="lise@partenaire.example",
        date_ouverture=TODAY(),
        date_cloture=TODAY() - DAY,
    )


def _closing_a_responsable(close):
    def prepare():
        group = GroupFactory(code="T1")
        GroupFactory(code="T3", convention=group.convention, responsable=group.responsable)
        member(UserFactory(organism=group.convention.organism), group)
        if close:
            return lambda: services.partner_user_close(group.responsable)
        return lambda: services.partner_user_update(group.responsable, date_cloture=TODAY() + DAY)

    return prepare


def _user_closed_before_opened():
    user = UserFactory()
    return lambda: services.partner_user_update(user, date_cloture=user.date_ouverture - DAY)


def _group_opening_after_its_members():
    group = GroupFactory()
    member(UserFactory(organism=group.convention.organism, date_ouverture=group.date_ouverture), group)
    return lambda: services.group_update(group, date_ouverture=group.date_ouverture + DAY)


def _group_with_children_moved():
    parent = GroupFactory()
    GroupFactory(convention=parent.convention, parent=parent, code="ENFANT")
    new_parent = GroupFactory(convention=parent.convention, code="AUTRE")
    return lambda: services.group_update(parent, parent=new_parent)


def _group_closed_before_its_child(child_closing):
    def prepare():
        parent = GroupFactory()
        GroupFactory(convention=parent.convention, parent=parent, code="ENFANT", date_cloture=child_closing)
        return lambda: services.group_close(parent)

    return prepare


def _group_under_itself():
    parent = GroupFactory()
    child = GroupFactory(convention=parent.convention, parent=parent, code="ENFANT")
    return lambda: services.group_update(parent, parent=child)


def _grant_closed_before_opening():
    group = GroupFactory()
    held = grant(group, "T2")
    return lambda: services.grant_close(held, date_cloture=held.date_ouverture - DAY)


def _administrator_closed_before_opening():
    organism = ConventionFactory().organism
    role = services.administrator_name(organism=organism, user=UserFactory(organism=organism), role="PRINCIPAL")
    return lambda: services.administrator_close(role, date_cloture=role.date_ouverture - DAY)


def _responsable_from_another_organism():
    group = GroupFactory()
    return lambda: services.group_update(group, responsable=UserFactory())


REFUSALS = {
    "grant_closed_before_opening": (_grant_closed_before_opening, {"date_cloture": [CLOSING_BEFORE_OPENING]}),
    "administrator_closed_before_opening": (
        _administrator_closed_before_opening,
        {"date_cloture": [CLOSING_BEFORE_OPENING]},
    ),
    "responsable_from_another_organism": (
        _responsable_from_another_organism,
        {"responsable": ["Le responsable d'habilitations doit être un utilisateur de l'organisme."]},
    ),
    "group_opening_after_its_members": (
        _group_opening_after_its_members,
        {"date_ouverture": ["Des appartenances à ce groupe commencent avant cette date : modifiez-les d'abord."]},
    ),
    "group_with_children_moved": (
        _group_with_children_moved,
        {"parent": ["Ce groupe a des sous-groupes : il ne peut pas changer de parent."]},
    ),
    "group_closed_before_its_open_child": (
        _group_closed_before_its_child(None),
        {"date_cloture": ["Clôturez d'abord le sous-groupe ENFANT."]},
    ),
    "group_closed_before_its_child_closes": (
        _group_closed_before_its_child(TODAY() + 5 * DAY),
        {"date_cloture": ["Clôturez d'abord le sous-groupe ENFANT."]},
    ),
    "group_under_itself": (
        _group_under_itself,
        {"parent": ["Un groupe ne peut pas être un sous-groupe de lui-même ou de ses sous-groupes."]},
    ),
    "siret_taken": (_siret_taken, {"siret": ["Un organisme avec ce SIRET existe déjà."]}),
    "no_caf_for_the_department": (
        lambda: _register(departement="00"),
        {"departement": ["Aucune Caf ne correspond à ce département."]},
    ),
    "second_convention": (_second_convention, {"organism": ["Cet organisme a déjà une convention d'accès."]}),
    "denounced_stays_so": (
        lambda: _etat(Convention.Etat.DENONCEE, Convention.Etat.VALABLE),
        {"etat": ["Une convention « Dénoncée » ne peut pas passer à l'état « Valable »."]},
    ),
    "waiting_cannot_be_suspended": (
        lambda: _etat(Convention.Etat.EN_ATTENTE, Convention.Etat.SUSPENDUE),
        {"etat": ["Une convention « En attente de validation » ne peut pas passer à l'état « Suspendue »."]},
    ),
    "profile_held": (_profile_held, {"profile": ["La convention détient déjà ce profil."]}),
    "profile_closed_before_opening": (_profile_closed_before_opening, {"date_cloture": [CLOSING_BEFORE_OPENING]}),
    "bulletin_without_service": (
        _document(Kind.BULLETIN_ADHESION),
        {"service": ["Indiquez le service de ce bulletin."]},
    ),
    "eligibility_for_dgfip": (
        _document(Kind.BULLETIN_ELIGIBILITE, "DGFIP"),
        {"service": ["Un bulletin d'éligibilité ne concerne que Consulter Dossier et l'AFAS."]},
    ),
    "service_not_open_to_the_partner": (
        _document(Kind.BULLETIN_ADHESION, "BAILLEUR"),
        {"service": ["Ce service n'est pas ouvert à ce type de partenaire."]},
    ),
    "convention_for_a_service": (
        _document(Kind.CONVENTION, "CDAP"),
        {"service": ["Ce document ne concerne pas un service en particulier."]},
    ),
    "received_tomorrow": (
        _document(Kind.CONVENTION, date_reception=TODAY() + DAY),
        {"date_reception": ["La date de réception ne peut pas être dans le futur."]},
    ),
    "document_twice": (
        _document(Kind.BULLETIN_ADHESION, "CDAP", twice=True),
        {"kind": ["Ce document est déjà enregistré pour cette convention."]},
    ),
    "user_into_another_organisms_group": (
        _user_into_another_organisms_group,
        {"group": ["Ce groupe n'appartient pas à votre organisme."]},
    ),
    "user_closing_before_opening": (_user_closing_before_opening, {"date_cloture": [CLOSING_BEFORE_OPENING]}),
    "user_closed_before_opened": (_user_closed_before_opened, {"date_cloture": [CLOSING_BEFORE_OPENING]}),
    "closing_a_responsable": (
        _closing_a_responsable(close=True),
        {
            "date_cloture": [
                "Cet utilisateur est responsable d'habilitations du groupe T1, T3 : désignez d'abord un autre "
                "responsable."
            ]
        },
    ),
    "closing_a_responsable_tomorrow": (
        _closing_a_responsable(close=False),
        {
            "date_cloture": [
                "Cet utilisateur est responsable d'habilitations du groupe T1, T3 : désignez d'abord un autre "
                "responsable."
            ]
        },
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_the_service_refuses_with_its_message_on_its_field_and_journals_nothing(case):
    prepare, expected = REFUSALS[case]
    call = prepare()
    journal = JournalEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.message_dict == expected
    assert JournalEntry.objects.count() == journal


def test_a_field_a_service_does_not_change_is_a_programming_error_naming_it():
    organism = OrganismFactory()
    with pytest.raises(ValueError, match=r"Fields not modifiable here: \['nom', 'siret'\]"):
        services.organism_contact_update(organism, siret=valid_siret(9300), nom="Autre", commune="Nice")
