"""Every write is journaled, and every journal event is asserted by a test.

- WRITES: each write service (a public function of an app's services.py, or of habilitations.accounts) → the
  journal rows one call writes, in order. One test walks the table; a service missing from it (and from
  NOT_JOURNALED, with why) fails, so a new write path cannot skip its row unnoticed.
- Every member of habilitations.journal.Event, read at run time, must be asserted: by WRITES, or by a test whose
  source names it (Event.NAME or its value) inside an `assert` or as the `event=` / `event__in=` of a journal
  lookup (`.get` / `.filter` / `.exclude`). A row a test writes itself (journal_write, create) is not an assertion.
- The rows of the six events no test asserted before (issue 25), their content through the screens; OTP_VERIFIED
  and BACKUP_CODES_GENERATED through the login and "Mon profil" flows in tests/portal/test_otp_journal.py.
"""

import ast
import datetime
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import Max
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from adonis import services as adonis_services
from afas import services as afas_services
from cdap import services as cdap_services
from cdap.models import Consultation, PostalRequest
from habilitations import accounts, second_factor
from habilitations import services as hab_services
from habilitations.journal import Event, JournalEntry
from habilitations.models import GroupGrant, Membership, PartnerType, Profile
from tests.adonis import factories as adonis_factories
from tests.afas.factories import activity as afas_activity
from tests.afas.factories import afas_groups, declarer_of
from tests.afas.factories import site as afas_site
from tests.cdap.factories import DossierFactory
from tests.factories import (
    ConventionFactory,
    GroupFactory,
    OrganismFactory,
    UserFactory,
    caf,
    convention_documents,
    convention_profile,
    grant,
    member,
    valid_siret,
)
from tests.habilitations.test_conventions_views import World, manager_client
from tests.habilitations.test_groups_views import update_form

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
TESTS_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Write:
    service: Callable
    events: tuple[str, ...]
    # Builds what the call needs (the acting user given) and returns the call itself.
    prepare: Callable[..., Callable[[], object]]
    variant: str = ""

    @property
    def name(self) -> str:
        return f"{self.service.__module__}.{self.service.__name__}"

    def __str__(self) -> str:
        return self.name + (f"[{self.variant}]" if self.variant else "")


def _enrolled(user):
    """A user with a confirmed authentication application and backup codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from habilitations.models import BackupCodeDevice

    TOTPDevice.objects.create(user=user, name="Application", confirmed=True)
    BackupCodeDevice.objects.create(user=user, name="Codes de secours").generate_codes()
    return user


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def _membership(**kwargs) -> Membership:
    group = GroupFactory()
    return member(UserFactory(organism=group.convention.organism), group, **kwargs)


def _consultation(user) -> Consultation:
    return Consultation.objects.create(
        user=user, dossier=DossierFactory(), profile_code="T1-ASS", organism=OrganismFactory()
    )


def _postal(user) -> PostalRequest:
    return PostalRequest.objects.create(consultation=_consultation(user), periode=TODAY().replace(day=1))


def _partner_user_create_into_group(actor):
    group = GroupFactory()
    return partial(
        hab_services.partner_user_create,
        organism=group.convention.organism,
        nom="Durand",
        prenom="Lise",
        email="lise.durand@partenaire.example",
        group=group,
        actor=actor,
    )


def _administrator_name(actor):
    organism = ConventionFactory().organism
    user = UserFactory(organism=organism)
    return partial(hab_services.administrator_name, organism=organism, user=user, role="PRINCIPAL", actor=actor)


def _administrator_close(actor):
    organism = ConventionFactory().organism
    role = hab_services.administrator_name(organism=organism, user=UserFactory(organism=organism), role="PRINCIPAL")
    return partial(hab_services.administrator_close, role, actor=actor)


def _group_create(actor):
    convention = ConventionFactory()
    responsable = UserFactory(organism=convention.organism)
    return partial(
        hab_services.group_create,
        convention=convention,
        code="T2",
        libelle="CDAP T2",
        responsable=responsable,
        actor=actor,
    )


def _grant_assign(actor):
    group = GroupFactory()
    return partial(hab_services.grant_assign, group, convention_profile(group.convention, "T2"), actor=actor)


def _membership_add(actor):
    group = GroupFactory()
    return partial(
        hab_services.membership_add, user=UserFactory(organism=group.convention.organism), group=group, actor=actor
    )


def _membership_update(actor):
    membership = _membership(date_cloture=TODAY() + 40 * DAY)
    return partial(
        hab_services.membership_update,
        membership,
        date_ouverture=membership.date_ouverture,
        date_cloture=TODAY() + 20 * DAY,
        actor=actor,
    )


def _dialogue_send(actor):
    organism = OrganismFactory()
    data = {
        "organisme": organism.nom,
        "nom_prenom": "Lise Durand",
        "email": "lise.durand@partenaire.example",
        "numero_allocataire": "",
        "objet": "Question",
        "message": "Bonjour, une question sur un dossier.",
    }
    return partial(
        cdap_services.dialogue_send,
        request=_request(actor),
        caf=caf("061"),
        organism=organism,
        profile="T1-ASS",
        data=data,
    )


E = Event
NEW_USER = {"nom": "Durand", "prenom": "Lise", "email": "lise.durand@partenaire.example"}


def _afas_activity():
    return afas_activity(ConventionFactory().organism)


def _afas_activity_create(actor):
    organism = ConventionFactory().organism
    return partial(
        afas_services.activity_create,
        organism=organism,
        caf=organism.caf_pivot,
        nom="Péri Assoc",
        type_activite="ALSH",
        nature="PERISCOLAIRE",
        actor=actor,
    )


def _afas_role_assign(actor):
    declarer_group, _ = afas_groups()
    user = declarer_of(declarer_group)
    return partial(
        afas_services.role_assign,
        user=user,
        role="FDA",
        activity=afas_activity(declarer_group.convention.organism),
        actor=actor,
    )


def _adonis_lookup(actor):
    user, organism = adonis_factories.saad_user()
    return user, adonis_factories.lookup(user, organism)


def _adonis_request_create(actor):
    user, found = _adonis_lookup(actor)
    return partial(
        adonis_services.request_create,
        request=_request(user),
        lookup=found,
        date_demande=TODAY(),
        motif="NAISSANCE",
        type_intervenant="TISF",
    )


def _adonis_request(actor):
    user, organism = adonis_factories.saad_user()
    return user, adonis_factories.request(user, organism)


WRITES = [
    # habilitations.services
    Write(
        hab_services.organism_register,
        (E.ORGANISM_REGISTERED,),
        lambda a: partial(
            hab_services.organism_register,
            siret=valid_siret(7777),
            nom="CCAS de Grasse",
            partner_type=PartnerType.objects.get(code="CCAS"),
            departement="06",
            actor=a,
        ),
    ),
    Write(
        hab_services.convention_create,
        (E.CONVENTION_CREATED,),
        lambda a: partial(hab_services.convention_create, organism=OrganismFactory(), actor=a),
    ),
    Write(
        hab_services.convention_set_etat,
        (E.CONVENTION_CHANGED,),
        lambda a: partial(hab_services.convention_set_etat, ConventionFactory(), etat="SUSPENDUE", actor=a),
    ),
    Write(
        hab_services.convention_profile_open,
        (E.CONVENTION_PROFILE_OPENED,),
        lambda a: partial(
            hab_services.convention_profile_open,
            convention_documents(ConventionFactory(), "CDAP"),
            Profile.objects.get(code="T2"),
            actor=a,
        ),
    ),
    Write(  # without the documents, with the agent's reason: the dérogation first
        hab_services.convention_profile_open,
        (E.DOCUMENTS_OVERRIDDEN, E.CONVENTION_PROFILE_OPENED),
        lambda a: partial(
            hab_services.convention_profile_open,
            ConventionFactory(),
            Profile.objects.get(code="T2"),
            override_reason="Bulletin signé reçu par courrier, en cours de numérisation",
            actor=a,
        ),
        variant="dérogation",
    ),
    Write(
        hab_services.convention_set_etat,
        (E.DOCUMENTS_OVERRIDDEN, E.CONVENTION_CHANGED),
        lambda a: partial(
            hab_services.convention_set_etat,
            ConventionFactory(etat="EN_ATTENTE", date_validation=None),
            etat="VALABLE",
            override_reason="Convention signée remise en main propre",
            actor=a,
        ),
        variant="dérogation",
    ),
    Write(
        hab_services.convention_profile_close,
        (E.CONVENTION_PROFILE_CLOSED,),
        lambda a: partial(
            hab_services.convention_profile_close, convention_profile(ConventionFactory(), "T2"), actor=a
        ),
    ),
    Write(
        hab_services.organism_contact_update,
        (E.ORGANISM_CHANGED,),
        lambda a: partial(hab_services.organism_contact_update, OrganismFactory(), commune="Grasse", actor=a),
    ),
    Write(
        hab_services.convention_document_record,
        (E.CONVENTION_CHANGED,),
        lambda a: partial(
            hab_services.convention_document_record,
            ConventionFactory(),
            kind="CONVENTION",
            date_reception=TODAY(),
            actor=a,
        ),
    ),
    Write(
        hab_services.partner_user_create,
        (E.ACCOUNT_CREATED, E.IDENTIFIANT_SENT, E.USER_CREATED),
        lambda a: partial(
            hab_services.partner_user_create, organism=ConventionFactory().organism, **NEW_USER, actor=a
        ),
    ),
    Write(
        hab_services.partner_user_create,
        (E.ACCOUNT_CREATED, E.IDENTIFIANT_SENT, E.USER_CREATED, E.MEMBERSHIP_ADDED),
        _partner_user_create_into_group,
        "dans_un_groupe",
    ),
    Write(
        hab_services.partner_user_update,
        (E.USER_CHANGED,),
        lambda a: partial(
            hab_services.partner_user_update, UserFactory(organism=OrganismFactory()), nom="Durand", actor=a
        ),
    ),
    Write(
        hab_services.partner_user_close,
        (E.MEMBERSHIP_CLOSED, E.USER_CLOSED),
        lambda a: partial(hab_services.partner_user_close, _membership().user, actor=a),
    ),
    Write(hab_services.administrator_name, (E.ADMINISTRATOR_NAMED,), _administrator_name),
    Write(hab_services.administrator_close, (E.ADMINISTRATOR_CLOSED,), _administrator_close),
    Write(hab_services.group_create, (E.GROUP_CREATED,), _group_create),
    Write(
        hab_services.group_update,
        (E.GROUP_CHANGED,),
        lambda a: partial(hab_services.group_update, GroupFactory(), libelle="Nouveau libellé", actor=a),
    ),
    Write(
        hab_services.group_close,
        (E.MEMBERSHIP_CLOSED, E.GROUP_CLOSED),
        lambda a: partial(hab_services.group_close, _membership().group, actor=a),
    ),
    Write(hab_services.grant_assign, (E.GRANT_ASSIGNED,), _grant_assign),
    Write(
        hab_services.grant_close,
        (E.GRANT_CLOSED,),
        lambda a: partial(hab_services.grant_close, grant(GroupFactory(), "T2"), actor=a),
    ),
    Write(hab_services.membership_add, (E.MEMBERSHIP_ADDED,), _membership_add),
    Write(hab_services.membership_update, (E.MEMBERSHIP_CHANGED,), _membership_update),
    Write(
        hab_services.membership_close,
        (E.MEMBERSHIP_CLOSED,),
        lambda a: partial(hab_services.membership_close, _membership(), actor=a),
    ),
    # habilitations.accounts
    Write(
        accounts.account_create,
        (E.ACCOUNT_CREATED, E.IDENTIFIANT_SENT),
        lambda a: partial(accounts.account_create, prefix="ACC", caf=caf("061"), **NEW_USER, actor=a),
    ),
    Write(
        accounts.identifiant_send, (E.IDENTIFIANT_SENT,), lambda a: partial(accounts.identifiant_send, UserFactory())
    ),
    Write(
        accounts.provisional_password_issue,
        (E.PROVISIONAL_PASSWORD_ISSUED,),
        lambda a: partial(accounts.provisional_password_issue, UserFactory()),
    ),
    Write(
        accounts.password_change,
        (E.PASSWORD_CHANGED,),
        lambda a: partial(accounts.password_change, a, "Autre#Mdp-2026x"),
    ),
    # habilitations.second_factor
    Write(
        second_factor.second_factor_reset,
        (E.OTP_RESET,),
        lambda a: partial(second_factor.second_factor_reset, _enrolled(UserFactory(partner_admin=True)), actor=a),
    ),
    # cdap.services
    Write(
        cdap_services.search_refused,
        (E.CDAP_SEARCH,),
        lambda a: partial(
            cdap_services.search_refused,
            request=_request(a),
            organism_id=OrganismFactory().pk,
            profile="T1-ASS",
            caf_code="061",
            numero="1234567",
            reason="dossier_inconnu",
        ),
    ),
    Write(
        cdap_services.consultation_create,
        (E.CDAP_SEARCH,),
        lambda a: partial(
            cdap_services.consultation_create,
            request=_request(a),
            dossier=DossierFactory(),
            profile="T1-ASS",
            organism_id=OrganismFactory().pk,
        ),
    ),
    Write(
        cdap_services.rubric_journal,
        (E.CDAP_RUBRIC,),
        lambda a: partial(
            cdap_services.rubric_journal, request=_request(a), consultation=_consultation(a), rubric="paiements"
        ),
    ),
    Write(
        cdap_services.rubric_journal,
        (E.CDAP_RUBRIC_REFUSED,),
        lambda a: partial(
            cdap_services.rubric_journal,
            request=_request(a),
            consultation=_consultation(a),
            rubric="paiements",
            refused=True,
        ),
        "refusee",
    ),
    Write(
        cdap_services.reference_refused,
        (E.CDAP_RUBRIC_REFUSED,),
        lambda a: partial(cdap_services.reference_refused, request=_request(a), rubric="paiements"),
    ),
    Write(
        cdap_services.attestation_journal,
        (E.CDAP_ATTESTATION,),
        lambda a: partial(
            cdap_services.attestation_journal,
            request=_request(a),
            consultation=_consultation(a),
            mode="download",
            periode=TODAY().replace(day=1),
        ),
    ),
    Write(
        cdap_services.postal_request_create,
        (E.CDAP_ATTESTATION,),
        lambda a: partial(
            cdap_services.postal_request_create,
            request=_request(a),
            consultation=_consultation(a),
            periode=TODAY().replace(day=1),
        ),
    ),
    Write(
        cdap_services.postal_request_printed,
        (E.CDAP_POSTAL_PRINTED,),
        lambda a: partial(cdap_services.postal_request_printed, request=_request(a), postal=_postal(a)),
    ),
    Write(
        cdap_services.postal_requests_mark_sent,
        (E.CDAP_POSTAL_SENT,),
        lambda a: partial(
            cdap_services.postal_requests_mark_sent,
            request=_request(a),
            queryset=PostalRequest.objects.filter(pk=_postal(a).pk),
        ),
    ),
    Write(cdap_services.dialogue_send, (E.CDAP_DIALOGUE,), _dialogue_send),
    # afas.services (issue 13)
    Write(afas_services.activity_create, (E.AFAS_ACTIVITY_CREATED,), _afas_activity_create),
    Write(
        afas_services.activity_update,
        (E.AFAS_ACTIVITY_CHANGED,),
        lambda a: partial(afas_services.activity_update, _afas_activity(), nom="Extra Assoc", actor=a),
    ),
    Write(
        afas_services.site_create,
        (E.AFAS_SITE_CREATED,),
        lambda a: partial(afas_services.site_create, activity=_afas_activity(), nom="Site Ecoles", actor=a),
    ),
    Write(
        afas_services.site_update,
        (E.AFAS_SITE_CHANGED,),
        lambda a: partial(afas_services.site_update, afas_site(_afas_activity()), nom="Site Ecoles", actor=a),
    ),
    Write(afas_services.role_assign, (E.AFAS_ROLE_ASSIGNED,), _afas_role_assign),
    Write(
        afas_services.role_end,
        (E.AFAS_ROLE_ENDED,),
        lambda a: partial(afas_services.role_end, _afas_role_assign(a)(), actor=a),
    ),
    # adonis.services (issue 15)
    Write(
        adonis_services.search_refused,
        (E.ADONIS_SEARCH,),
        lambda a: partial(
            adonis_services.search_refused,
            request=_request(a),
            organism=ConventionFactory().organism,
            caf_code="061",
            numero="0000000",
            reason="dossier_inconnu",
        ),
    ),
    Write(
        adonis_services.lookup_create,
        (E.ADONIS_SEARCH,),
        lambda a: partial(
            adonis_services.lookup_create,
            request=_request(a),
            organism=ConventionFactory().organism,
            dossier=DossierFactory(),
        ),
    ),
    Write(adonis_services.request_create, (E.ADONIS_REQUEST_CREATED,), _adonis_request_create),
    Write(
        adonis_services.request_accept,
        (E.ADONIS_REQUEST_DECIDED,),
        lambda a: partial(
            adonis_services.request_accept,
            _adonis_request(a)[1],
            request=_request(a),
            heures_prevues=20,
            niveau="1",
            date_debut=TODAY(),
            date_fin=TODAY() + 30 * DAY,
        ),
    ),
    Write(
        adonis_services.request_refuse,
        (E.ADONIS_REQUEST_DECIDED,),
        lambda a: partial(
            adonis_services.request_refuse, _adonis_request(a)[1], request=_request(a), motif_refus="PERSONNEL"
        ),
    ),
    Write(
        adonis_services.bracket_create,
        (E.ADONIS_BRACKET_CREATED,),
        lambda a: partial(
            adonis_services.bracket_create, caf=caf("061"), qf_min=0, qf_max=500, taux_horaire=2, actor=a
        ),
    ),
    Write(
        adonis_services.bracket_update,
        (E.ADONIS_BRACKET_CHANGED,),
        lambda a: partial(adonis_services.bracket_update, adonis_factories.scale()[0], taux_horaire=1, actor=a),
    ),
]

# Public functions of the service modules that write no journal row themselves, and why.
NOT_JOURNALED = {
    "afas.services.roles_give": "writes only through role_assign, once per activity or site (each "
    "journaled afas.role_assigned, in WRITES); its own refusals write nothing",
    "afas.services.role_withdraw": "writes only through role_end (journaled afas.role_ended, in "
    "WRITES) after checking the manager",
    "cdap.services.dialogue_rate_key": "names the cache counter of an account's Dialogue messages: writes nothing "
    "(dialogue_send journals each message, and each attempt refused beyond the hour's allowance)",
    "cdap.services.dialogue_subject": "builds the Dialogue e-mail's subject from its context: writes nothing (the "
    "message's row is journaled by dialogue_send)",
    "habilitations.services.membership_self_grant": "a check: it refuses, or marks as a self grant, the membership "
    "write it guards — that write's row carries the mark",
    "habilitations.accounts.identifiant_generate": "reserves an identifiant for account_create, which journals",
    "habilitations.accounts.email_check_personal": "a check: it refuses the address of another open account",
    "habilitations.accounts.account_save": "saves for account_create and partner_user_update, which journal",
    "habilitations.accounts.password_forgotten_request": "queues the e-mail (provisional_password_request, or the "
    "identifiants when several accounts share the address): the view journals PASSWORD_RESET_REQUESTED",
    "habilitations.accounts.provisional_password_request": "queues the e-mail: the forgotten-password view journals "
    "PASSWORD_RESET_REQUESTED and the delivery PROVISIONAL_PASSWORD_ISSUED (provisional_password_issue)",
}


def service_modules() -> list:
    """habilitations.accounts, habilitations.second_factor and the services.py of every app of the project (not the
    installed packages')."""
    names = ["habilitations.accounts", "habilitations.second_factor"]
    for app in apps.get_app_configs():
        if "site-packages" not in app.path and (Path(app.path) / "services.py").exists():
            names.append(f"{app.name}.services")
    return [importlib.import_module(name) for name in names]


def public_functions() -> set[str]:
    return {
        f"{module.__name__}.{name}"
        for module in service_modules()
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "__mutmut_" not in name  # the mutants `make mutate` adds beside each function
    }


def test_every_service_function_is_in_the_table():
    functions = public_functions()
    missing = sorted(functions - {w.name for w in WRITES} - set(NOT_JOURNALED))
    assert not missing, (
        f"Service functions in neither WRITES nor NOT_JOURNALED of {Path(__file__).name}: {missing} — add the call "
        "and the journal rows it writes to WRITES (or say in NOT_JOURNALED why it writes none)"
    )
    stale = sorted(set(NOT_JOURNALED) - functions)
    assert not stale, f"NOT_JOURNALED names functions that no longer exist: {stale}"


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_every_write_service_journals_its_rows(write):
    actor = UserFactory(agent=True)
    call = write.prepare(actor)
    last = JournalEntry.objects.aggregate(last=Max("pk"))["last"] or 0
    call()
    rows = list(JournalEntry.objects.filter(pk__gt=last).order_by("pk"))
    assert [row.event for row in rows] == list(write.events), f"{write} wrote {[row.event for row in rows]}"
    assert all(row.user_id or row.actor_id for row in rows), "a journal row says whom it concerns or who acted"


def _asserted_in_test_sources() -> set[str]:
    """The names of the events some test asserts (see the module's docstring for what counts)."""
    by_value = {event.value: event.name for event in Event}
    found = set()
    for path in TESTS_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assert):
                scopes = [node]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "filter", "exclude")
            ):
                scopes = [keyword.value for keyword in node.keywords if keyword.arg in ("event", "event__in")]
            else:
                continue
            for scope in scopes:
                for inner in ast.walk(scope):
                    if (
                        isinstance(inner, ast.Attribute)
                        and isinstance(inner.value, ast.Name)
                        and inner.value.id == "Event"
                    ):
                        found.add(inner.attr)
                    elif isinstance(inner, ast.Constant) and inner.value in by_value:
                        found.add(by_value[inner.value])
    return found


def test_every_journal_event_is_asserted_by_a_test():
    asserted = {Event(event).name for write in WRITES for event in write.events} | _asserted_in_test_sources()
    missing = [f"{event.name} ({event.value!r})" for event in Event if event.name not in asserted]
    assert not missing, (
        f"Journal events that no test asserts: {', '.join(missing)} — write the test that performs the action and "
        "checks its row (e.g. JournalEntry.objects.get(event=Event.NAME, user=...)); a service's event goes in WRITES "
        "of tests/habilitations/test_journal_coverage.py"
    )


# --- The rows' content, through the screens --------------------------------------------------------------------


@pytest.fixture
def world():
    return World()


@pytest.fixture
def admin(world):
    return manager_client(world.admin)


def test_retirer_a_grant_journals_grant_closed(world, admin):
    the_grant = GroupGrant.objects.get(group=world.t1)
    url = reverse("habilitations:group_grants", args=[world.t1.pk])
    assert admin.post(url, {"action": "enregistrer", "retrait": the_grant.pk}).status_code == 302
    entry = JournalEntry.objects.get(event=Event.GRANT_CLOSED)
    assert (entry.actor, entry.organism) == (world.admin, world.organism)
    assert entry.data == {"group": "T1", "profile": "T1-ASS"}


def test_modifier_a_group_journals_group_changed_before_and_after(world, admin):
    url = reverse("habilitations:group_update", args=[world.t1.pk])
    assert admin.post(url, update_form(world.t1, libelle="CDAP T1 bis")).status_code == 302
    entry = JournalEntry.objects.get(event=Event.GROUP_CHANGED)
    assert (entry.actor, entry.organism, entry.data["group"]) == (world.admin, world.organism, "T1")
    assert (entry.data["before"]["libelle"], entry.data["after"]["libelle"]) == ("CDAP T1", "CDAP T1 bis")
    assert not JournalEntry.objects.filter(event=Event.GROUP_CLOSED).exists()


def test_closing_a_group_journals_group_closed_and_each_membership(world, admin):
    closing = TODAY() + 10 * DAY
    url = reverse("habilitations:group_update", args=[world.t1.pk])
    assert admin.post(url, update_form(world.t1, date_cloture=closing.isoformat())).status_code == 302
    entry = JournalEntry.objects.get(event=Event.GROUP_CLOSED)
    assert entry.data["before"]["date_cloture"] is None and entry.data["after"]["date_cloture"] == str(closing)
    assert (entry.actor, entry.organism) == (world.admin, world.organism)
    closed = JournalEntry.objects.get(event=Event.MEMBERSHIP_CLOSED)
    assert (closed.user, closed.data["after"]["date_cloture"]) == (world.t1_member, str(closing))
    assert not JournalEntry.objects.filter(event=Event.GROUP_CHANGED).exists()


def test_changing_a_membership_journals_membership_changed(world, admin):
    membership = Membership.objects.get(user=world.t1_member, group=world.t1)
    Membership.objects.filter(pk=membership.pk).update(date_cloture=TODAY() + 40 * DAY)
    data = {
        "action": "enregistrer",
        "date_ouverture": membership.date_ouverture.isoformat(),
        "date_cloture": (TODAY() + 20 * DAY).isoformat(),
    }
    assert admin.post(reverse("habilitations:membership_update", args=[membership.pk]), data).status_code == 302
    entry = JournalEntry.objects.get(event=Event.MEMBERSHIP_CHANGED)
    assert (entry.user, entry.actor, entry.organism) == (world.t1_member, world.admin, world.organism)
    assert entry.data["before"]["date_cloture"] == str(TODAY() + 40 * DAY)
    assert entry.data["after"]["date_cloture"] == str(TODAY() + 20 * DAY)
    assert not JournalEntry.objects.filter(event=Event.MEMBERSHIP_CLOSED).exists()
