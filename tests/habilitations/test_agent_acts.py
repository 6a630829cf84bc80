"""Caf agents act inside a convention as guide 003 shows them (issue 21.16): in the admin, they create a partner user
of an organism of their Caf and add a user to a group, through the same services, journaled as the agent; and the
qualification attested (guide 000, issue 21.18) when the group gives a CDAP profile."""

import html

import pytest
from django.core import mail

from habilitations import support
from habilitations.journal import Event, JournalEntry
from habilitations.models import Caf, Membership, User
from tests.factories import ConventionFactory, GroupFactory, OrganismFactory, UserFactory, grant
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def agent():
    return UserFactory(agent=True, nom="Agent", prenom="Local")  # Caf 061


@pytest.fixture
def agent_client(client, login, agent):
    enrol(client, login, agent)
    return client


@pytest.fixture
def cdap_group():
    convention = ConventionFactory()  # an organism of the Caf 061
    group = GroupFactory(convention=convention, code="T1", libelle="CDAP T1")
    grant(group, "T1-ASS")
    return group


def test_an_agent_adds_a_user_to_a_group_attesting_the_qualification(agent_client, agent, cdap_group):
    user = UserFactory(organism=cdap_group.convention.organism)
    url = "/admin/habilitations/membership/add/"
    data = {"user": user.pk, "group": cdap_group.pk, "date_ouverture": "", "date_cloture": ""}
    from django.utils import timezone

    data["date_ouverture"] = timezone.localdate().strftime("%d/%m/%Y")
    refused = agent_client.post(url, data)
    assert refused.status_code == 200
    assert "Confirmez que l'utilisateur détient la qualification requise pour le profil T1-ASS." in page(refused)
    assert not Membership.objects.filter(user=user).exists()

    response = agent_client.post(url, {**data, "qualification": "on"})
    assert response.status_code == 302, page(response)[:3000]
    membership = Membership.objects.get(user=user, group=cdap_group)
    assert (membership.qualification_profils, membership.qualification_attestee_par) == ("T1-ASS", agent)
    assert membership.qualification_attestee_le is not None
    added = JournalEntry.objects.get(event=Event.MEMBERSHIP_ADDED, user=user)
    assert added.actor == agent and added.data["group"] == "T1"
    attested = JournalEntry.objects.get(event=support.QUALIFICATION_ATTESTED, user=user)
    assert attested.actor == agent and attested.data["profils"] == ["T1-ASS"]
    listing = page(agent_client.get("/admin/habilitations/membership/"))
    assert "T1-ASS : par Local Agent" in listing or "T1-ASS : par" in listing


def test_a_group_without_cdap_profile_needs_no_attestation(agent_client):
    group = GroupFactory(convention=ConventionFactory(), code="AFAS")
    user = UserFactory(organism=group.convention.organism)
    from django.utils import timezone

    response = agent_client.post(
        "/admin/habilitations/membership/add/",
        {"user": user.pk, "group": group.pk, "date_ouverture": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302, page(response)[:3000]
    membership = Membership.objects.get(user=user)
    assert membership.qualification_attestee_le is None


def test_another_cafs_group_or_user_is_not_offered(agent_client, cdap_group):
    var = Caf.objects.get(code="831")
    other = GroupFactory(convention=ConventionFactory(organism=OrganismFactory(caf_pivot=var, departement="83")))
    other_user = UserFactory(organism=other.convention.organism, caf=var)
    from django.utils import timezone

    response = agent_client.post(
        "/admin/habilitations/membership/add/",
        {
            "user": other_user.pk,
            "group": other.pk,
            "qualification": "on",
            "date_ouverture": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 200
    assert "Choisissez un utilisateur de la liste." in page(response)
    assert "Choisissez un groupe de la liste." in page(response)
    assert not Membership.objects.filter(user=other_user).exists()


def test_an_agent_creates_a_partner_user_into_a_group(
    agent_client, agent, cdap_group, django_capture_on_commit_callbacks
):
    organism = cdap_group.convention.organism
    data = {
        "organism": organism.pk,
        "nom": "Martin",
        "prenom": "Léa",
        "email": "lea.martin@partenaire.example",
        "email_confirmation": "lea.martin@partenaire.example",
        "telephone": "",
        "group": cdap_group.pk,
    }
    url = "/admin/habilitations/membership/nouvel-utilisateur/"
    assert "Créer un utilisateur partenaire" in page(agent_client.get(url))
    refused = agent_client.post(url, data)
    assert "Confirmez que l'utilisateur détient la qualification requise pour le profil T1-ASS." in page(refused)
    assert not User.objects.filter(nom="Martin").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(url, {**data, "qualification": "on"})
    assert response.status_code == 302, page(response)[:3000]
    user = User.objects.get(nom="Martin")
    assert user.organism == organism and user.caf == organism.caf_pivot
    assert user.identifiant.startswith(organism.partner_type.identifiant_prefixe)
    created = JournalEntry.objects.get(event=Event.USER_CREATED, user=user)
    assert created.actor == agent
    assert Membership.objects.get(user=user).qualification_attestee_par == agent
    assert any(user.identifiant in m.body for m in mail.outbox)


def test_an_agent_cannot_create_a_user_in_another_cafs_organism(agent_client):
    var = Caf.objects.get(code="831")
    other = OrganismFactory(caf_pivot=var, departement="83")
    response = agent_client.post(
        "/admin/habilitations/membership/nouvel-utilisateur/",
        {
            "organism": other.pk,
            "nom": "Martin",
            "prenom": "Léa",
            "email": "lea@partenaire.example",
            "email_confirmation": "lea@partenaire.example",
        },
    )
    assert response.status_code == 200 and "Choisissez un organisme de la liste." in page(response)
    assert not User.objects.filter(nom="Martin").exists()


def test_the_service_refuses_without_attestation_whoever_calls_it(cdap_group, agent):
    user = UserFactory(organism=cdap_group.convention.organism)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refusal:
        support.membership_add_attested(user=user, group=cdap_group, qualification_attestee=False, actor=agent)
    assert refusal.value.message_dict == {
        "qualification": ["Confirmez que l'utilisateur détient la qualification requise pour le profil T1-ASS."]
    }
    # Through a parent group's grant too (a sub-group's members hold its parents' profiles).
    child = GroupFactory(convention=cdap_group.convention, code="T1-SUD", parent=cdap_group, niveau=2)
    with pytest.raises(ValidationError):
        support.membership_add_attested(user=user, group=child, qualification_attestee=False, actor=agent)
