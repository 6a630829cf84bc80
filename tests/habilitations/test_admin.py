"""The Caf agents' admin, driven as an agent after the second factor: organisms, conventions, administrators,
scoping to the agent's Caf, read-only reference data. Every write is checked in the database and the journal."""

import datetime
import html

import pytest
from django.core import mail
from django.utils import timezone

from core.mail.models import OutgoingEmail
from habilitations.journal import Event, JournalEntry
from habilitations.models import (
    Caf,
    Convention,
    ConventionDocument,
    ConventionProfile,
    Organism,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
)
from tests.factories import ConventionFactory, OrganismFactory, UserFactory, valid_siret
from tests.portal.test_otp import enrol

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
GOOD_SIRET = "78247513600027"


@pytest.fixture
def agent():
    return UserFactory(agent=True, nom="Agent", prenom="Local")


@pytest.fixture
def admin_client(client, login, agent):
    """The agent of the Caf des Alpes-Maritimes, logged in with the second factor."""
    enrol(client, login, agent)
    return client


def page(response) -> str:
    return html.unescape(response.content.decode())


def organism_data(**overrides) -> dict:
    data = {
        "siret": GOOD_SIRET,
        "nom": "CCAS de Grasse",
        "partner_type": PartnerType.objects.get(code="CCAS").pk,
        "departement": "06",
        "adresse": "2 place du Petit Puy",
        "code_postal": "06130",
        "commune": "Grasse",
        "email": "ccas@grasse.example",
    }
    return {**data, **overrides}


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """The management form and rows of an admin inline formset."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


def convention_post(convention, *, etat=None, date_validation="", profiles=(), documents=()):
    """A change-form submission: the état fields, the existing profile rows unchanged, then the new rows."""
    convention.refresh_from_db()
    existing_profiles = [
        {
            "id": cp.pk,
            "convention": convention.pk,
            "profile": cp.profile_id,
            "date_ouverture": cp.date_ouverture.isoformat(),
            "date_cloture": cp.date_cloture.isoformat() if cp.date_cloture else "",
        }
        for cp in convention.convention_profiles.order_by("profile__service__ordre", "profile__ordre")
    ]
    existing_documents = [{"id": d.pk, "convention": convention.pk} for d in convention.documents.all()]
    return {
        "etat": etat or convention.etat,
        "date_validation": date_validation
        or (convention.date_validation.isoformat() if convention.date_validation else ""),
        **inline("convention_profiles", [*existing_profiles, *profiles], initial=len(existing_profiles)),
        **inline("documents", [*existing_documents, *documents], initial=len(existing_documents)),
    }


# --- Organisms -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "siret, message",
    [
        ("78247513600028", "Ce numéro SIRET n'est pas valide (clé de contrôle)."),
        ("7824751360002", "Le SIRET compte 14 chiffres, sans espace."),
        ("7824751360002A", "Le SIRET compte 14 chiffres, sans espace."),
    ],
)
def test_a_bad_siret_is_refused_next_to_the_field_and_nothing_is_written(admin_client, siret, message):
    journal = JournalEntry.objects.count()
    response = admin_client.post("/admin/habilitations/organism/add/", organism_data(siret=siret))
    assert response.status_code == 200
    assert f'id="id_siret_error"><li>{message}</li>' in page(response)  # next to the field
    assert not Organism.objects.exists()
    assert JournalEntry.objects.count() == journal


def test_the_la_poste_exception_is_accepted(admin_client):
    response = admin_client.post(
        "/admin/habilitations/organism/add/", organism_data(siret="35600000000001", nom="La Poste Nice")
    )
    assert response.status_code == 302
    assert Organism.objects.get(siret="35600000000001").nom == "La Poste Nice"


def test_a_duplicate_siret_is_refused_clearly(admin_client):
    OrganismFactory(siret=GOOD_SIRET, nom="Premier")
    response = admin_client.post("/admin/habilitations/organism/add/", organism_data())
    assert response.status_code == 200
    assert 'id="id_siret_error"><li>Un organisme avec ce SIRET existe déjà.</li>' in page(response)
    assert Organism.objects.filter(siret=GOOD_SIRET).count() == 1


def test_registering_an_organism_derives_its_caf_pivot_and_journals_it(admin_client, agent):
    response = admin_client.post("/admin/habilitations/organism/add/", organism_data(siret="782 475 136 00027"))
    assert response.status_code == 302
    organism = Organism.objects.get(siret=GOOD_SIRET)
    assert organism.caf_pivot.code == "061" and organism.partner_type.code == "CCAS"
    entry = JournalEntry.objects.get(event=Event.ORGANISM_REGISTERED)
    assert entry.actor == agent and entry.organism == organism and entry.data["siret"] == GOOD_SIRET
    listing = page(admin_client.get("/admin/habilitations/organism/"))
    assert "CCAS de Grasse" in listing and GOOD_SIRET in listing and "Aucune convention" in listing


def test_an_agent_registers_only_the_organisms_of_their_caf(admin_client):
    response = admin_client.post("/admin/habilitations/organism/add/", organism_data(departement="83"))
    message = "Cet organisme a pour Caf pivot la Caf du Var : c'est à elle de l'enregistrer."
    assert f'id="id_departement_error"><li>{message}</li>' in page(response)
    response = admin_client.post("/admin/habilitations/organism/add/", organism_data(multi_departement="on"))
    assert "Caf pivot la Caf des Yvelines" in page(response)
    assert not Organism.objects.exists()


def test_changing_an_organism_changes_only_its_contact_data(admin_client, agent):
    organism = OrganismFactory(email="avant@ccas.example")
    data = organism_data(email="apres@ccas.example", siret=valid_siret(999), nom="Autre nom", departement="83")
    response = admin_client.post(f"/admin/habilitations/organism/{organism.pk}/change/", data)
    assert response.status_code == 302
    siret, nom = organism.siret, organism.nom
    organism.refresh_from_db()
    assert (organism.email, organism.siret, organism.nom, organism.departement) == (
        "apres@ccas.example",
        siret,
        nom,
        "06",
    )
    entry = JournalEntry.objects.get(event=Event.ORGANISM_CHANGED)
    assert entry.actor == agent
    assert (
        entry.data["before"]["email"] == "avant@ccas.example" and entry.data["after"]["email"] == "apres@ccas.example"
    )


# --- Conventions -----------------------------------------------------------------------------------------


def test_create_validate_a_convention_grant_and_withdraw_a_profile(admin_client, agent):
    organism = OrganismFactory(nom="CCAS de Menton")
    response = admin_client.post(
        "/admin/habilitations/convention/add/",
        {"organism": organism.pk, "libelle": "", "date_ouverture": TODAY().isoformat()},
    )
    assert response.status_code == 302, page(response)[:3000]
    convention = Convention.objects.get(organism=organism)
    assert (convention.libelle, convention.etat, convention.caf_pivot.code) == ("CCAS de Menton", "EN_ATTENTE", "061")
    assert JournalEntry.objects.filter(event=Event.CONVENTION_CREATED, organism=organism, actor=agent).exists()

    url = f"/admin/habilitations/convention/{convention.pk}/change/"
    form = page(admin_client.get(url))
    assert "Consulter Dossier — T1-ASS" in form
    assert "Offre DGFIP" not in form  # DGFIP is not open to a CCAS
    assert "Consulter Dossier — T10 (non légitime pour ce type de partenaire)" in form

    validated = TODAY() - datetime.timedelta(days=2)
    t2 = Profile.objects.get(code="T2")
    # Received before: the signed convention, the contrat de service, the bulletin d'adhésion; the bulletin
    # d'éligibilité comes in the same submission as "Valable" and T2, and counts for both.
    for kind, service in (("CONVENTION", None), ("CONTRAT_SERVICE", None), ("BULLETIN_ADHESION", "CDAP")):
        ConventionDocument.objects.create(
            convention=convention,
            kind=kind,
            service=Service.objects.get(code=service) if service else None,
            date_reception=validated,
        )
    response = admin_client.post(
        url,
        convention_post(
            convention,
            etat="VALABLE",
            date_validation=validated.isoformat(),
            profiles=[{"convention": convention.pk, "profile": t2.pk, "date_ouverture": TODAY().isoformat()}],
            documents=[
                {
                    "convention": convention.pk,
                    "kind": "BULLETIN_ELIGIBILITE",
                    "service": Service.objects.get(code="CDAP").pk,
                    "date_reception": validated.isoformat(),
                }
            ],
        ),
    )
    assert response.status_code == 302, page(response)[:5000]
    convention.refresh_from_db()
    assert convention.etat == "VALABLE" and convention.date_validation == validated
    assert convention.etat_display == f"Validée le {validated:%d/%m/%Y}"
    granted = ConventionProfile.objects.get(convention=convention, profile=t2)
    assert granted.is_open
    assert "<span>Consulter Dossier — T2 – Prestataires services sociaux</span>" in page(admin_client.get(url))
    assert ConventionDocument.objects.get(convention=convention, kind="BULLETIN_ELIGIBILITE").service.code == "CDAP"
    changed = JournalEntry.objects.filter(event=Event.CONVENTION_CHANGED, organism=organism)
    assert any(
        e.data.get("before", {}).get("etat") == "EN_ATTENTE" and e.data["after"]["etat"] == "VALABLE" for e in changed
    )
    assert any(e.data.get("document") == "BULLETIN_ELIGIBILITE" for e in changed)
    assert JournalEntry.objects.filter(event=Event.CONVENTION_PROFILE_OPENED, data__profile="T2").exists()
    assert f"Validée le {validated:%d/%m/%Y}" in page(admin_client.get("/admin/habilitations/convention/"))

    # Withdraw: the row gets a closing date; nothing is deleted.
    data = convention_post(convention)
    data["convention_profiles-0-date_cloture"] = TODAY().isoformat()
    response = admin_client.post(url, data)
    assert response.status_code == 302, page(response)[:5000]
    granted.refresh_from_db()
    assert granted.date_cloture == TODAY() and not granted.is_open
    assert JournalEntry.objects.filter(event=Event.CONVENTION_PROFILE_CLOSED, data__profile="T2").exists()


def test_a_refused_row_rolls_the_whole_submission_back(admin_client):
    convention = ConventionFactory(etat="EN_ATTENTE", date_validation=None)
    journal = JournalEntry.objects.count()
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/",
        convention_post(
            convention,
            etat="VALABLE",
            documents=[{"convention": convention.pk, "kind": "BULLETIN_ADHESION", "date_reception": "2026-01-05"}],
        ),
    )
    assert response.status_code == 200
    assert "Indiquez le service de ce bulletin." in page(response)
    convention.refresh_from_db()
    assert convention.etat == "EN_ATTENTE" and not convention.documents.exists()
    assert JournalEntry.objects.count() == journal


def test_a_profile_of_a_service_not_open_to_the_partner_type_is_refused(admin_client):
    convention = ConventionFactory()
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/",
        convention_post(
            convention,
            profiles=[{"profile": Profile.objects.get(code="DGFIP").pk, "date_ouverture": TODAY().isoformat()}],
        ),
    )
    assert "Ce profil n'est pas ouvert à ce type de partenaire." in page(response)
    assert not convention.convention_profiles.exists()


def test_a_profile_already_held_is_refused_with_the_service_message(admin_client):
    convention = ConventionFactory()
    t1 = Profile.objects.get(code="T1-ASS")
    ConventionProfile.objects.create(convention=convention, profile=t1, date_ouverture=convention.date_ouverture)
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/",
        convention_post(convention, profiles=[{"profile": t1.pk, "date_ouverture": TODAY().isoformat()}]),
    )
    assert response.status_code == 200
    assert "La convention détient déjà ce profil." in page(response)
    assert convention.convention_profiles.count() == 1


def test_a_denounced_convention_does_not_change_state_again(admin_client):
    convention = ConventionFactory(etat="DENONCEE")
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/", convention_post(convention, etat="VALABLE")
    )
    assert "Une convention « Dénoncée » ne peut pas passer à l'état « Valable »." in page(response)
    convention.refresh_from_db()
    assert convention.etat == "DENONCEE"


def test_suspending_a_convention(admin_client):
    convention = ConventionFactory()
    response = admin_client.post(
        f"/admin/habilitations/convention/{convention.pk}/change/", convention_post(convention, etat="SUSPENDUE")
    )
    assert response.status_code == 302
    convention.refresh_from_db()
    assert convention.etat == "SUSPENDUE"
    assert "Suspendue" in page(admin_client.get("/admin/habilitations/convention/?etat__exact=SUSPENDUE"))


# --- Administrators --------------------------------------------------------------------------------------


def administrator_data(organism, role, **overrides):
    data = {
        "organism": organism.pk,
        "role": role,
        "user": "",
        "nom": "Cervayne",
        "prenom": "Lisa",
        "email": f"{role.lower()}@ccas.example",
        "email_confirmation": f"{role.lower()}@ccas.example",
        "telephone": "0493000000",
        "date_ouverture": TODAY().isoformat(),
    }
    return {**data, **overrides}


def test_two_administrators_then_a_third_is_refused(admin_client, agent, django_capture_on_commit_callbacks):
    organism = ConventionFactory().organism
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/habilitations/organismadministrator/add/", administrator_data(organism, "PRINCIPAL")
        )
    assert response.status_code == 302, page(response)[:3000]
    principal = OrganismAdministrator.objects.get(organism=organism, role="PRINCIPAL")
    user = principal.user
    assert user.identifiant.startswith("ACC061") and user.organism == organism and user.is_partner_admin
    assert not user.has_usable_password() or user.has_provisional_password
    sent = [m for m in mail.outbox if m.to == ["principal@ccas.example"]]
    assert len(sent) == 2 and user.identifiant in sent[0].body + sent[1].body
    assert JournalEntry.objects.filter(event=Event.ADMINISTRATOR_NAMED, user=user, actor=agent).exists()
    assert JournalEntry.objects.filter(event=Event.USER_CREATED, user=user, actor=agent).exists()

    response = admin_client.post(
        "/admin/habilitations/organismadministrator/add/", administrator_data(organism, "SUPPLEANT")
    )
    assert response.status_code == 302

    users, emails = User.objects.count(), OutgoingEmail.objects.count()
    response = admin_client.post(
        "/admin/habilitations/organismadministrator/add/",
        administrator_data(organism, "SUPPLEANT", email="trois@ccas.example", email_confirmation="trois@ccas.example"),
    )
    assert response.status_code == 200
    message = "L'organisme a déjà deux administrateurs (un principal et un suppléant) sur cette période."
    assert f'id="id_role_error"><li>{message}</li>' in page(response)
    assert User.objects.count() == users and OutgoingEmail.objects.count() == emails  # the new user rolled back
    assert OrganismAdministrator.objects.filter(organism=organism).count() == 2

    listing = page(admin_client.get("/admin/habilitations/organismadministrator/"))
    assert user.identifiant in listing and "Administrateur suppléant" in listing

    # Close the principal: the date is set, the row stays.
    response = admin_client.post(
        f"/admin/habilitations/organismadministrator/{principal.pk}/change/", {"date_cloture": TODAY().isoformat()}
    )
    assert response.status_code == 302
    principal.refresh_from_db()
    assert principal.date_cloture == TODAY()
    assert JournalEntry.objects.filter(event=Event.ADMINISTRATOR_CLOSED, user=user, actor=agent).exists()


def test_an_existing_user_of_the_organism_can_be_named(admin_client):
    organism = ConventionFactory().organism
    user = UserFactory(organism=organism)
    response = admin_client.post(
        "/admin/habilitations/organismadministrator/add/",
        administrator_data(organism, "PRINCIPAL", user=user.pk, nom="", prenom="", email="", email_confirmation=""),
    )
    assert response.status_code == 302
    assert OrganismAdministrator.objects.get(organism=organism).user == user


def test_a_new_administrator_needs_a_name_and_matching_emails(admin_client):
    organism = ConventionFactory().organism
    response = admin_client.post(
        "/admin/habilitations/organismadministrator/add/",
        administrator_data(organism, "PRINCIPAL", nom="", email_confirmation="autre@ccas.example"),
    )
    content = page(response)
    assert "Saisissez le nom." in content and "Les deux adresses mail ne sont pas identiques." in content
    assert not OrganismAdministrator.objects.exists()


# --- Scoping ---------------------------------------------------------------------------------------------


def test_another_cafs_objects_are_neither_listed_nor_reachable(admin_client):
    var = Caf.objects.get(code="831")
    theirs = OrganismFactory(nom="CCAS de Toulon", departement="83", caf_pivot=var)
    convention = ConventionFactory(organism=theirs)
    administrator = OrganismAdministrator.objects.create(
        organism=theirs, user=UserFactory(organism=theirs, caf=var), role="PRINCIPAL"
    )
    mine = ConventionFactory(organism=OrganismFactory(nom="CCAS de Cannes"))
    for listing, hidden, shown in [
        ("/admin/habilitations/organism/", "CCAS de Toulon", "CCAS de Cannes"),
        ("/admin/habilitations/convention/", "CCAS de Toulon", "CCAS de Cannes"),
        ("/admin/habilitations/organismadministrator/", administrator.user.identifiant, "administrateur"),
        ("/admin/habilitations/user/", administrator.user.identifiant, "utilisateur"),
    ]:
        content = page(admin_client.get(listing))
        assert hidden not in content and shown in content, listing
    for url in [
        f"/admin/habilitations/organism/{theirs.pk}/change/",
        f"/admin/habilitations/convention/{convention.pk}/change/",
        f"/admin/habilitations/organismadministrator/{administrator.pk}/change/",
        f"/admin/habilitations/user/{administrator.user.pk}/change/",
    ]:
        response = admin_client.get(url, follow=True)
        assert response.redirect_chain[0] == ("/admin/", 302), url
        assert "n’existe pas" in page(response), url
        assert admin_client.post(url, {"etat": "DENONCEE", "email": "x@x.example"}).status_code in (302, 403)
    convention.refresh_from_db()
    theirs.refresh_from_db()
    assert convention.etat == "VALABLE" and theirs.email != "x@x.example"
    # Nor can the agent create a convention or an administrator for an organism of another Caf.
    response = admin_client.post(
        "/admin/habilitations/convention/add/", {"organism": theirs.pk, "date_ouverture": TODAY().isoformat()}
    )
    assert response.status_code == 200 and "Sélectionnez un choix valide" in page(response)
    response = admin_client.post(
        "/admin/habilitations/organismadministrator/add/", administrator_data(theirs, "SUPPLEANT")
    )
    assert response.status_code == 200 and OrganismAdministrator.objects.filter(organism=theirs).count() == 1
    assert mine.organism.nom in page(admin_client.get(f"/admin/habilitations/convention/{mine.pk}/change/"))


def test_a_national_agent_sees_every_caf(client, login):
    national = UserFactory(agent=True, is_superuser=True, caf=None)
    OrganismFactory(nom="CCAS de Toulon", departement="83", caf_pivot=Caf.objects.get(code="831"))
    OrganismFactory(nom="CCAS de Cannes")
    enrol(client, login, national)
    content = page(client.get("/admin/habilitations/organism/"))
    assert "CCAS de Toulon" in content and "CCAS de Cannes" in content


def test_consulter_les_agents_caf_lists_the_agents_of_the_agents_caf_only(admin_client, agent):
    colleague = UserFactory(agent=True, nom="Collegue")
    elsewhere = UserFactory(agent=True, nom="Ailleurs", caf=Caf.objects.get(code="831"))
    partner = UserFactory(organism=OrganismFactory(), nom="Partenaire")
    response = admin_client.get("/admin/habilitations/user/agents-caf/")
    assert response.status_code == 200
    content = page(response)
    assert "Consulter les agents Caf" in content
    assert agent.identifiant in content and colleague.identifiant in content
    assert elsewhere.identifiant not in content and partner.identifiant not in content
    assert "/admin/habilitations/user/agents-caf/" in page(admin_client.get("/admin/habilitations/caf/"))
    assert admin_client.post(f"/admin/habilitations/user/{colleague.pk}/change/", {"nom": "X"}).status_code == 403


# --- Read-only reference data, no deletion ---------------------------------------------------------------


@pytest.mark.parametrize(
    "model, obj",
    [
        ("caf", lambda: Caf.objects.get(code="061")),
        ("service", lambda: Service.objects.get(code="CDAP")),
        ("profile", lambda: Profile.objects.get(code="T9")),
        ("partnertype", lambda: PartnerType.objects.get(code="MJPM")),
    ],
)
def test_reference_data_is_read_only(admin_client, model, obj):
    obj = obj()
    base = f"/admin/habilitations/{model}/"
    listing = admin_client.get(base)
    assert listing.status_code == 200 and f"{base}add/" not in page(listing)
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.get(f"{base}{obj.pk}/change/").status_code == 200
    changed = admin_client.post(f"{base}{obj.pk}/change/", {"libelle": "x", "nom": "x"})
    if model == "caf":  # its contacts are its agents' to edit (issue 21.12); its reference fields stay as they are
        assert changed.status_code in (200, 302)
        assert type(obj).objects.get(pk=obj.pk).nom == obj.nom != "x"
    else:
        assert changed.status_code == 403
    assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_profiles_show_their_rubric_masks(admin_client):
    t9 = Profile.objects.get(code="T9")
    content = page(admin_client.get(f"/admin/habilitations/profile/{t9.pk}/change/"))
    assert "<th scope='row'>Synthèse</th><td>Ouverte</td>" in content
    assert "<th scope='row'>CMUC ressources</th><td>Masquée</td>" in content
    listing = page(admin_client.get("/admin/habilitations/profile/"))
    assert "Synthèse, Paiements, Dossier" in listing
    partner_types = page(admin_client.get("/admin/habilitations/partnertype/"))
    assert "T1-ASS, T1-CESF, T4, T5, T13, T18, T19" in partner_types


def test_nothing_is_deleted_from_the_admin(admin_client):
    convention = ConventionFactory()
    for url in [
        f"/admin/habilitations/organism/{convention.organism.pk}/delete/",
        f"/admin/habilitations/convention/{convention.pk}/delete/",
    ]:
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Convention.objects.filter(pk=convention.pk).exists()


def test_a_partner_administrator_never_reaches_the_admin(client, login):
    administrator = UserFactory(partner_admin=True)
    enrol(client, login, administrator)
    response = client.get("/admin/habilitations/organism/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize(
    "url", ["organism", "convention", "organismadministrator", "user", "journalentry", "profile", "partnertype"]
)
def test_lists_cost_the_same_queries_for_few_or_many_rows(admin_client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get(f"/admin/habilitations/{url}/").status_code == 200
        return len(context)

    def add_partners(count):
        for _ in range(count):
            organism = ConventionFactory().organism
            user = UserFactory(organism=organism)
            OrganismAdministrator.objects.create(organism=organism, user=user, role="PRINCIPAL")

    add_partners(2)
    few = queries()
    add_partners(15)
    assert queries() == few


# --- The two services the admin needed (organism contact data, documents received) --------------------------


@pytest.mark.parametrize(
    "kind, service, message",
    [
        ("BULLETIN_ADHESION", None, "Indiquez le service de ce bulletin."),
        ("BULLETIN_ELIGIBILITE", "DGFIP", "Un bulletin d'éligibilité ne concerne que Consulter Dossier et l'AFAS."),
        ("BULLETIN_ADHESION", "BAILLEUR", "Ce service n'est pas ouvert à ce type de partenaire."),
        ("CONVENTION", "CDAP", "Ce document ne concerne pas un service en particulier."),
    ],
)
def test_document_rules(kind, service, message):
    from django.core.exceptions import ValidationError

    from habilitations import services

    convention = ConventionFactory()
    with pytest.raises(ValidationError) as refused:
        services.convention_document_record(
            convention,
            kind=kind,
            service=Service.objects.get(code=service) if service else None,
            date_reception=TODAY(),
        )
    assert message in refused.value.messages
    assert not convention.documents.exists()


def test_a_document_is_recorded_once_and_never_in_the_future():
    from django.core.exceptions import ValidationError

    from habilitations import services

    convention = ConventionFactory()
    afas = Service.objects.get(code="AFAS")
    services.convention_document_record(convention, kind="BULLETIN_ELIGIBILITE", service=afas, date_reception=TODAY())
    with pytest.raises(ValidationError, match="Ce document est déjà enregistré pour cette convention."):
        services.convention_document_record(
            convention, kind="BULLETIN_ELIGIBILITE", service=afas, date_reception=TODAY()
        )
    with pytest.raises(ValidationError, match="La date de réception ne peut pas être dans le futur."):
        services.convention_document_record(
            convention, kind="CONTRAT_SERVICE", date_reception=TODAY() + datetime.timedelta(days=1)
        )
    assert convention.documents.count() == 1


def test_the_contact_update_touches_nothing_else():
    from habilitations import services

    organism = OrganismFactory()
    with pytest.raises(ValueError):
        services.organism_contact_update(organism, siret=valid_siret(998))
    services.organism_contact_update(organism, commune="Antibes")
    organism.refresh_from_db()
    assert organism.commune == "Antibes"
    assert JournalEntry.objects.get(event=Event.ORGANISM_CHANGED).data["after"]["commune"] == "Antibes"
