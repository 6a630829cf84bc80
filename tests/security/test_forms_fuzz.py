"""Forms, fuzzed: every form the roles of organism A reach is found by opening every page of the project as each
role (the objects of tests/security/world.py fill the URLs; the agent opens the admin's), and each of its fields,
one at a time, is fed a fixed corpus of hostile values, the other fields keeping what the page offers (completed by
FORMS so that the form would be accepted untouched). Whatever the value: never a 5xx; never the payload unescaped in
an HTML answer (nor on the pages its redirects lead to); when the form is refused (no redirect, no download),
nothing written (every model of the project counted, only the journal of the refusal allowed); an id of organism B
never reaches B's rows.

Each submission runs in a savepoint rolled back afterwards, so every value meets the same world.

A form found on a page and named neither in FORMS (how to fuzz it) nor in NOT_FUZZED (why not) fails the discovery.
A form with no field but the CSRF token (a button: « Déconnexion », « Appliquer ») has nothing to fuzz.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cdap.services import dialogue_rate_key
from habilitations import imports
from habilitations.journal import Event, JournalEntry
from habilitations.models import (
    Caf,
    Convention,
    ConventionProfile,
    GroupGrant,
    Membership,
    Organism,
    PartnerType,
    User,
    UserGroup,
)
from portal.views.support import caf_contact_rate_key
from tests.factories import TEST_PASSWORD, OrganismFactory, UserFactory, convention_profile, valid_siret
from tests.habilitations.test_conventions_views import administrator_of
from tests.security.world import MARKER, Snapshot, World, known, kwargs_for
from tests.support.access import routes

pytestmark = pytest.mark.django_db

# --- The corpus ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    label: str
    value: object  # a string, or a list where a single value is expected
    forbidden: str = ""  # what must never appear in an HTML answer (the payload unescaped)


CORPUS = [
    Payload("script", "<script>alert(1)</script>", "<script>alert(1)</script>"),
    Payload("attribute", "\"'><img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    Payload("template", "{{ 7*7 }}"),
    Payload("template_tag", "{% debug %}", "&lt;module &#x27;sys&#x27; (built-in)&gt;"),
    Payload("sql_or", "' OR 1=1 --"),
    Payload("sql_drop", "; DROP TABLE x;"),
    Payload("rtl", "\u202eevil.exe"),
    Payload("long", "A" * 10**5),
    Payload("nul", "abc\x00def"),
    Payload("negative", "-1"),
    Payload("huge", "99999999999999999999"),
    Payload("float", "1e308"),
    Payload("list", ["a", "b"]),
]
# A choice (select, radio button, checkbox) is matched against its choices: there the other texts take the path of
# `script` (and the echo of a refused choice is checked with `script` and `attribute`).
CHOICE_CORPUS = [
    payload for payload in CORPUS if payload.label not in {"template", "template_tag", "sql_or", "sql_drop", "rtl"}
]
FOREIGN = Payload("foreign_id", None)  # an id of organism B's object of the kind the field names (foreign_id)


def foreign_id(world: World, name: str) -> str:
    """An id of organism B's object of the kind the field names (a user's, for any other field)."""
    b = world.b
    kinds = [
        ("grant", lambda: GroupGrant.objects.filter(group=b.group).first()),
        ("group", lambda: b.group),
        ("membership", lambda: b.membership),
        ("profile", lambda: ConventionProfile.objects.filter(convention=b.convention).first()),
        ("convention", lambda: b.convention),
        ("organism", lambda: b.organism),
    ]
    return str(next((obj() for hint, obj in kinds if hint in name), b.cdap_user).pk)


# --- Forms as the page shows them ----------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list] = field(default_factory=dict)  # name → the values a browser would send untouched
    names: list[str] = field(default_factory=list)  # every field name, in order (unchecked boxes included)
    files: set[str] = field(default_factory=set)  # the file inputs
    choices: set[str] = field(default_factory=set)  # the selects, radio buttons and checkboxes

    def add(self, name: str, value=None):
        if name not in self.names:
            self.names.append(name)
        if value is not None:
            self.fields.setdefault(name, []).append(value)

    @property
    def fuzzable(self) -> list[str]:
        return [name for name in self.names if name != "csrfmiddlewaretoken"]

    @property
    def signature(self) -> tuple:
        return (self.action, self.method, tuple(sorted(self.names)))


class FormParser(HTMLParser):
    """The page's <form>s with what a browser would submit untouched (the first named submit button pressed)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: tuple[str, bool, list] | None = None  # name, multiple, [(value, selected)]
        self.option: list | None = None
        self.textarea: list | None = None
        self.pressed = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_url).path
            self.form = Form(action, (a.get("method") or "get").lower())
            self.forms.append(self.form)
            self.pressed = False
        if self.form is None or ("name" not in a and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                self.form.add(name, a.get("value", "on") if "checked" in a else None)
                self.form.choices.add(name)
            elif kind == "submit":
                self._press(name, a.get("value", ""))
            elif kind == "file":
                self.form.add(name)
                self.form.files.add(name)
            elif kind not in ("reset", "button", "image"):
                self.form.add(name, a.get("value", ""))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._press(name, a.get("value", ""))
        elif tag == "select":
            self.select = (name, "multiple" in a, [])
            self.form.choices.add(name)
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "selected" in a, ""]
            self.select[2].append(self.option)
        elif tag == "textarea":
            self.textarea = [name, ""]

    def _press(self, name, value):
        if not self.pressed:
            self.pressed = True
            self.form.add(name, value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.form.add(name, text.removeprefix("\n"))  # the newline after <textarea> is not part of the value
            self.textarea = None
        elif tag == "option":
            self.option = None
        elif tag == "select" and self.select is not None:
            name, multiple, options = self.select
            values = [value if value is not None else text.strip() for value, _, text in options]
            chosen = [v for v, (_, selected, _) in zip(values, options, strict=True) if selected]
            self.form.add(name)
            for value in chosen if (chosen or multiple) else values[:1]:
                self.form.add(name, value)
            self.select = None


def forms_of(response, page_url: str) -> list[Form]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return []
    parser = FormParser(page_url)
    parser.feed(response.content.decode())
    unique = {}
    for form in parser.forms:
        if form.fuzzable:
            unique.setdefault(form.signature, form)
    return list(unique.values())


def route_name(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.view_name.replace("otpadmin:", "admin:")


# --- Who fills the forms -------------------------------------------------------------------------------------


def logged_in_only(user) -> Client:
    """A client past the password only: the second factor (or the new password) still to come."""
    client = Client()
    assert client.post("/connexion/", {"username": user.identifiant, "password": TEST_PASSWORD}).status_code == 302
    return client


def second_factor_pending(world: World) -> Client:
    """A's administrator, whose second factor is enrolled, past the password only."""
    assert world.totp_device.confirmed
    return logged_in_only(world.a.administrator)


ROLES: dict[str, Callable[[World], Client]] = {
    "anonyme": lambda w: Client(),
    "mot_de_passe_provisoire": lambda w: logged_in_only(UserFactory(organism=w.a.organism, provisional=True)),
    "enrolement_second_facteur": lambda w: logged_in_only(administrator_of(w.a.organism, "SUPPLEANT", nom=MARKER)),
    "second_facteur": second_factor_pending,
    "utilisateur_cdap": lambda w: w.client(w.a.cdap_user),
    "responsable": lambda w: w.client(w.a.responsable),
    "administrateur": lambda w: w.client(w.a.administrator),
    "superviseur": lambda w: w.client(w.a.supervisor),
    "agent": lambda w: w.client(w.agent),  # the agents' admin, of the Caf 061
    "bailleur": lambda w: w.client(w.landlord),
    "habiliter_afas": lambda w: w.client(w.afas_manager),  # AFAS-HABILITER: « Administration des profils »
    "saad": lambda w: w.client(w.adonis_lookup.user),  # ADONIS: a SAAD's user, with a look-up and a request
}


@pytest.fixture
def world():
    return World()


def pages(role: str) -> list:
    """Every page of the project the registry can fill with A's objects: the admin's for the agent (the partners'
    pages refuse an agent), the others for the partners (the admin sends them to the login page)."""
    admin = role == "agent"
    return [
        route
        for route in routes(admin=admin)
        if route.name.startswith("admin:") == admin and (known(route) or not route.arguments)
    ]


def discover(world: World) -> dict[tuple[str, str], set[str]]:
    """(form action's URL name, method) → the roles that were shown it."""
    found: dict[tuple[str, str], set[str]] = {}
    for role, make in ROLES.items():
        client = make(world)
        for route in pages(role):
            url = reverse(route.name, kwargs=kwargs_for(world, route))
            for form in forms_of(client.get(url), url):
                found.setdefault((route_name(form.action), form.method), set()).add(role)
    return found


# --- What to fuzz ---------------------------------------------------------------------------------------------

NEW_PASSWORD = "Nouveau-Secret#2026x"


@dataclass(frozen=True)
class Fuzz:
    """How to fuzz one form: as `role`, on the page `page` (the form's own URL by default). `valid` completes what
    the page offers so that the untouched form would be accepted; `setup` prepares the world before the page is
    opened; `also` are other URLs taking the same data (the supervision's export takes its filters). `untouched`:
    a POST form completed by `valid` and left untouched is accepted, so that every hostile value was one field away
    from an acceptable submission (checked last: a new password outlives the rollback in the session); False where
    no such submission can be made here (a code of the second factor) or where the answer is a page (Ma Caf)."""

    role: str
    page: str = ""
    valid: Callable[[World], dict] = lambda w: {}
    setup: Callable[[World], None] = lambda w: None
    also: tuple[str, ...] = ()
    untouched: bool = True
    only: tuple[str, ...] = ()  # the fields fuzzed, when not all of them (a reason in a comment)


def _new_user(w: World) -> dict:
    email = "nouveau@partenaire.example"
    return {"nom": "Nouveau", "prenom": "Né", "email": email, "email_confirm": email}


def _new_group(w: World) -> dict:
    return {"code": "NOUVEAU", "libelle": "Nouveau groupe", "responsable": str(w.a.responsable.pk)}


def _search(w: World) -> dict:
    return {"nom": MARKER, "numero": w.consultation.dossier.numero}


def _message(w: World) -> dict:
    return {"objet": "Question", "message": "Bonjour, pouvez-vous me rappeler ?"}


def _current_password(w: World) -> dict:
    return {"current_password": TEST_PASSWORD}


def _credentials(w: World) -> dict:
    return {"username": w.a.cdap_user.identifiant, "password": TEST_PASSWORD}


def _second_profile(w: World) -> None:
    """A profile of the convention that no group holds yet, to assign."""
    convention_profile(w.a.convention, "T2")


def _assign_second_profile(w: World) -> dict:
    """ "Enregistrer" with the profile in the list of roles to assign (the page's hidden `ajout` fields)."""
    pk = str(ConventionProfile.objects.get(convention=w.a.convention, profile__code="T2").pk)
    return {"convention_profile": pk, "ajout": pk, "action": "enregistrer"}


def _new_question(w: World) -> dict:
    return {"rubrique": "CONNEXION", "ordre": "90", "question": "Nouvelle question ?", "reponse": "Sa réponse."}


def _new_organism(w: World) -> dict:
    return {
        "siret": valid_siret(99_999),
        "nom": "Nouvel organisme",
        "partner_type": str(PartnerType.objects.get(code="CCAS").pk),
        "departement": "06",
        "adresse": "1 rue de France",
        "code_postal": "06000",
        "commune": "Nice",
        "email": "nouvel@organisme.example",
    }


def _organism_without_convention(w: World) -> None:
    OrganismFactory(nom="Organisme sans convention")


def _new_convention(w: World) -> dict:
    organism = Organism.objects.get(nom="Organisme sans convention")
    return {"organism": str(organism.pk), "libelle": "Nouvelle convention"}


def _consulted(w: World) -> int:
    """A's user has read the synthèse of the dossier: the journal row the agents' consultations list shows."""
    entries = JournalEntry.objects.filter(event=Event.CDAP_RUBRIC, user=w.a.cdap_user)
    if not entries.exists():
        w.client(w.a.cdap_user).get(reverse("cdap:synthese", args=[w.consultation.reference]))
    return entries.get().pk


def _second_factor_of(user) -> str:
    """`user` with an authentication application, for "Réinitialiser la double authentification" to remove."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, defaults={"name": "Application", "confirmed": True})
    return str(user.pk)


def _another_agent(w: World) -> str:
    """Another agent of the acting agent's Caf (the agents' list shows them), enrolled."""
    agent = User.objects.filter(is_staff=True, identifiant="CAF061FUZZ").first()
    agent = agent or UserFactory(agent=True, identifiant="CAF061FUZZ", caf=w.agent.caf)
    return _second_factor_of(agent)


# The agents' lists whose search is Django's own (icontains over `search_fields`), as is the admin's password change
# form: the lists with a search of the project's (consultations, postal requests, agents) are fuzzed.
DJANGO_ADMIN_FORMS = [
    *[
        (f"admin:habilitations_{model}_changelist", "get")
        for model in ["organism", "convention", "organismadministrator", "user", "journalentry", "caf", "profile"]
    ],
    ("admin:habilitations_partnertype_changelist", "get"),
    ("admin:cdap_dialoguemessage_changelist", "get"),
    ("admin:afas_activity_changelist", "get"),
    ("admin:password_change", "post"),
]


def _caf_contact_ready(w) -> None:
    """The Caf has an address; the hundreds of fuzzed messages do not exhaust the account's hourly allowance (a
    counter far below zero), so each is judged on its value."""
    Caf.objects.filter(pk=w.a.cdap_user.caf_id).update(centre_services_email="cs@caf.example")
    cache.set(caf_contact_rate_key(w.a.cdap_user), -1_000_000, 3600)


def _dialogue_ready(w) -> None:
    """The hundreds of fuzzed Dialogue messages do not exhaust the account's hourly allowance (cdap.services,
    tests/cdap/test_dialogue_rate_limit.py), so each is judged on its value."""
    cache.set(dialogue_rate_key(w.a.cdap_user), -1_000_000, 3600)


FORMS: dict[tuple[str, str], Fuzz] = {
    # Public (« Mettre à jour votre mot de passe », a checkbox, makes any of its values a successful login; its
    # destination is tested in tests/portal/test_login_destination.py)
    ("portal:login", "post"): Fuzz("anonyme", valid=_credentials),
    ("portal:password_forgotten", "post"): Fuzz("anonyme", valid=lambda w: {"email": w.a.cdap_user.email}),
    ("portal:ma_caf", "get"): Fuzz("anonyme", page="portal:accueil"),
    ("portal:ma_caf", "post"): Fuzz("anonyme", valid=lambda w: {"code_postal": "06000"}, untouched=False),
    ("portal:probleme_connexion", "get"): Fuzz("anonyme"),
    ("portal:faq", "get"): Fuzz("anonyme"),  # « Questions / Réponses »: its search
    # Account setup and profile
    ("portal:password_first", "post"): Fuzz(
        "mot_de_passe_provisoire", valid=lambda w: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    ),
    ("portal:otp_setup", "post"): Fuzz("enrolement_second_facteur", untouched=False),
    ("portal:otp_verify", "post"): Fuzz("second_facteur", untouched=False),
    ("portal:session_prolong", "post"): Fuzz("utilisateur_cdap", page="portal:home"),
    ("portal:password_change", "post"): Fuzz(
        "utilisateur_cdap",
        valid=lambda w: {**_current_password(w), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    ("portal:profile_email", "post"): Fuzz(
        "utilisateur_cdap",
        valid=lambda w: {
            **_current_password(w),
            "email": "nouvelle@partenaire.example",
            "email_confirm": "nouvelle@partenaire.example",
        },
    ),
    ("portal:profile_phone", "post"): Fuzz(
        "utilisateur_cdap",
        valid=lambda w: {**_current_password(w), "telephone": "0493000000", "telephone_confirm": "0493000000"},
    ),
    ("portal:backup_codes", "post"): Fuzz("administrateur", page="portal:profile", valid=_current_password),
    # Consulter Dossier
    ("cdap:search", "post"): Fuzz("utilisateur_cdap", valid=_search),
    ("cdap:dialogue_new", "post"): Fuzz("utilisateur_cdap", setup=_dialogue_ready, valid=_message),
    ("cdap:dialogue", "post"): Fuzz("utilisateur_cdap", setup=_dialogue_ready, valid=_message),
    ("cdap:attestation", "post"): Fuzz("utilisateur_cdap"),
    # « Afficher : » on the synthèse: every value a redirect (an unknown one back to the synthèse, with a message)
    ("cdap:synthese", "get"): Fuzz("utilisateur_cdap"),
    ("portal:administrator_change", "post"): Fuzz("administrateur", untouched=False),
    ("portal:caf_contact", "post"): Fuzz(  # « Contacter ma Caf » (issue 21.15), to the centre de services
        "utilisateur_cdap",
        setup=_caf_contact_ready,
        valid=lambda w: {"objet": "Accès", "message": "Bonjour"},
    ),
    # The agents' admin of issue 21 (banners, administrator changes, memberships and users created by an agent)
    ("admin:habilitations_administratorchangerequest_changelist", "get"): Fuzz("agent"),
    ("admin:habilitations_informationbanner_changelist", "get"): Fuzz("agent"),
    ("admin:habilitations_informationbanner_add", "post"): Fuzz("agent", untouched=False),
    ("admin:habilitations_informationbanner_change", "post"): Fuzz("agent", untouched=False),
    # « Questions / Réponses » written by the agents (issue 23.5)
    ("admin:portal_faqentry_changelist", "get"): Fuzz("agent"),
    ("admin:portal_faqentry_add", "post"): Fuzz("agent", valid=_new_question),
    ("admin:habilitations_membership_changelist", "get"): Fuzz("agent"),
    ("admin:habilitations_membership_add", "post"): Fuzz("agent", untouched=False),
    ("admin:habilitations_membership_user_create", "post"): Fuzz("agent", untouched=False),
    ("supervision_cdap:consultations", "get"): Fuzz(
        "superviseur", also=("supervision_cdap:export", "supervision_cdap:export_xlsx")
    ),
    ("supervision_cdap:counts", "get"): Fuzz("superviseur"),
    ("bailleur:locataires", "get"): Fuzz("bailleur"),  # « Mes locataires »: its filters
    ("bailleur:paiements", "get"): Fuzz(  # « Paiements »: its filters, which the exports read too
        "bailleur", also=("bailleur:paiements_export", "bailleur:paiements_export_xlsx")
    ),
    # Gestion des habilitations
    ("habilitations:conventions", "get"): Fuzz("responsable"),
    ("habilitations:users", "get"): Fuzz("administrateur"),
    ("habilitations:groups", "get"): Fuzz("administrateur"),
    ("habilitations:user_create", "post"): Fuzz(
        "responsable", valid=lambda w: {**_new_user(w), "group": str(w.a.group.pk), "qualification": "on"}
    ),
    ("habilitations:user_update", "post"): Fuzz("administrateur"),
    ("habilitations:user_close", "post"): Fuzz("administrateur"),
    ("habilitations:group_create", "post"): Fuzz("administrateur", valid=_new_group),
    ("habilitations:group_update", "post"): Fuzz("administrateur"),
    ("habilitations:group_grants", "post"): Fuzz(
        "administrateur",
        setup=_second_profile,
        valid=_assign_second_profile,
    ),
    ("habilitations:membership_add", "post"): Fuzz(
        "responsable",
        valid=lambda w: {"user": str(w.a.supervisor.pk), "group": str(w.a.group.pk), "qualification": "on"},
    ),
    ("habilitations:membership_update", "post"): Fuzz("responsable", page="habilitations:group_memberships"),
    ("habilitations:import_upload", "post"): Fuzz(
        "administrateur", valid=lambda w: {"fichier": csv_file(imports.template_csv())}
    ),
    # The agents' admin (Caf 061)
    ("admin:cdap_postalrequest_changelist", "get"): Fuzz("agent"),
    ("admin:habilitations_user_agents", "get"): Fuzz("agent"),
    ("admin:habilitations_user_changelist", "post"): Fuzz(
        "agent",
        setup=lambda w: _second_factor_of(w.a.supervisor),
        valid=lambda w: {"action": "second_factor_reset", "_selected_action": _second_factor_of(w.a.supervisor)},
    ),
    ("admin:habilitations_user_agents", "post"): Fuzz(
        "agent",
        setup=_another_agent,
        valid=lambda w: {"action": "second_factor_reset", "_selected_action": _another_agent(w)},
    ),
    ("admin:habilitations_journalentry_consultations", "get"): Fuzz("agent"),
    ("admin:habilitations_journalentry_consultations", "post"): Fuzz(
        "agent", setup=_consulted, valid=lambda w: {"action": "export_csv", "_selected_action": str(_consulted(w))}
    ),
    ("admin:cdap_postalrequest_changelist", "post"): Fuzz(
        "agent",
        setup=lambda w: w.postal_request,
        valid=lambda w: {"action": "mark_sent", "_selected_action": str(w.postal_request.pk)},
    ),
    ("admin:habilitations_organism_add", "post"): Fuzz("agent", valid=_new_organism),
    ("admin:habilitations_organism_change", "post"): Fuzz("agent"),
    ("admin:habilitations_convention_add", "post"): Fuzz(
        "agent", setup=_organism_without_convention, valid=_new_convention
    ),
    # The change form's two inline formsets make 36 fields (~0.1 s a request): the convention's state and the id of
    # a row an inline edits (a tampered id) are fuzzed. Not the formsets' count: Django bounds it (2 000 forms), but
    # a count of 10^20 makes one request build and render them all (16 s).
    ("admin:habilitations_convention_change", "post"): Fuzz("agent", only=("etat", "convention_profiles-0-id")),
    ("admin:habilitations_organismadministrator_add", "post"): Fuzz(
        "agent",
        valid=lambda w: {"organism": str(w.a.organism.pk), "role": "SUPPLEANT", "user": str(w.a.supervisor.pk)},
    ),
    ("admin:habilitations_organismadministrator_change", "post"): Fuzz("agent"),
    # AFAS (issue 13): an activity of A's partner, then its page with its lieux d'implantation inline.
    ("admin:afas_activity_add", "post"): Fuzz(
        "agent",
        valid=lambda w: {
            "organism": str(w.a.organism.pk),
            "caf": str(w.a.organism.caf_pivot_id),
            "nom": "Péri Assoc",
            "type_activite": "ALSH",
            "nature": "PERISCOLAIRE",
            # The admin shows the date field empty (its default is the model's): the agent types the opening day.
            "date_ouverture": timezone.localdate().strftime("%d/%m/%Y"),
        },
    ),
    ("admin:afas_activity_change", "post"): Fuzz("agent", setup=lambda w: w.afas_activity),
    # « Administration des profils » (issue 13.4): its search, and a role given on A's activity.
    ("afas:profils", "get"): Fuzz("habiliter_afas", setup=lambda w: w.afas_role),
    ("afas:habiliter", "post"): Fuzz(
        "habiliter_afas",
        setup=lambda w: (w.afas_activity, w.afas_declarer),
        valid=lambda w: {
            "utilisateur": str(w.afas_declarer.pk),
            "role": "FDF",
            "portee": "ACTIVITES",
            "activites": str(w.afas_activity.pk),
            "action": "enregistrer",
        },
    ),
}

# ADONIS (issue 15): « Rechercher un dossier » finding the SAAD's marked dossier, a new demande d'aide à domicile
# for it, and the decision on the pending request (refusée: the fields of an acceptance are then ignored).
FORMS.update(
    {
        ("adonis:accueil", "post"): Fuzz(
            "saad",
            valid=lambda w: {
                "nom": w.adonis_lookup.dossier.persons.get(role="RESPONSABLE").nom,
                "numero": w.adonis_lookup.dossier.numero,
            },
        ),
        ("adonis:demande_nouvelle", "post"): Fuzz(
            "saad",
            setup=lambda w: w.adonis_lookup,
            valid=lambda w: {"motif": "NAISSANCE", "type_intervenant": "TISF"},
        ),
        ("adonis:decision", "post"): Fuzz(
            "saad",
            page="adonis:demande",
            setup=lambda w: w.adonis_request,
            valid=lambda w: {"decision": "REFUSEE", "motif_refus": "HORS_CRITERES"},
        ),
    }
)

NOT_FUZZED: dict[tuple[str, str], str] = {
    ("portal:login_bailleur", "post"): "the form and the view of portal:login (portal.views.auth._login_page)",
    **{
        key: "Django's own admin form (search, password change), none of the project's code"
        for key in DJANGO_ADMIN_FORMS
    },
}


# --- The tests -------------------------------------------------------------------------------------------------


def test_every_form_is_fuzzed_or_excepted(world):
    found = discover(world)
    unknown = [f"{key} (shown to {sorted(found[key])})" for key in sorted(set(found) - set(FORMS) - set(NOT_FUZZED))]
    assert not unknown, (
        f"Forms that nobody fuzzes: {unknown}. Add each to FORMS in tests/security/test_forms_fuzz.py (the role that "
        "fills it, what makes it acceptable) or, if it has nothing to fuzz, to NOT_FUZZED with the reason."
    )
    stale = sorted((set(FORMS) | set(NOT_FUZZED)) - set(found))
    assert not stale, f"Forms of the registry that no role was shown: {stale}"
    wrong_role = [f"{key}: {fuzz.role}" for key, fuzz in FORMS.items() if fuzz.role not in found[key]]
    assert not wrong_role, f"Forms fuzzed as a role that is not shown them: {wrong_role}"


def csv_file(content: bytes, name: str = "import.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def as_file(value) -> object:
    """A payload for a file input: a CSV of the import's columns with the payload in every cell (a list: two)."""
    if isinstance(value, list):
        return [as_file(item) for item in value]
    line = ";".join([value] * len(imports.COLUMNS))
    return csv_file((";".join(imports.COLUMNS) + "\r\n" + line + "\r\n").encode())


def foreign_rows(world: World) -> list:
    """Every row of organisms B and C (and any membership joining them to another organism's group or user)."""
    ids = [world.b.organism.pk, world.c.organism.pk]
    querysets = [
        Organism.objects.filter(pk__in=ids),
        Convention.objects.filter(organism__in=ids),
        ConventionProfile.objects.filter(convention__organism__in=ids),
        User.objects.filter(organism__in=ids),
        UserGroup.objects.filter(convention__organism__in=ids),
        GroupGrant.objects.filter(group__convention__organism__in=ids),
        Membership.objects.filter(user__organism__in=ids)
        | Membership.objects.filter(group__convention__organism__in=ids),
    ]
    return [list(queryset.order_by("pk").values_list()) for queryset in querysets]


def route_of(name: str):
    return next(route for route in routes(admin=True) if route.name == name)


def shown(client: Client, page_url: str, key: tuple[str, str]) -> list[Form]:
    return [form for form in forms_of(client.get(page_url), page_url) if (route_name(form.action), form.method) == key]


def untouched_data(world: World, fuzz: Fuzz, form: Form) -> dict:
    data = {name: values if len(values) > 1 else values[0] for name, values in form.fields.items()}
    data.pop("csrfmiddlewaretoken", None)
    if "captcha_0" in data:  # the answer of the challenge shown (each challenge is good for one submission)
        data["captcha_1"] = CaptchaStore.objects.get(hashkey=data["captcha_0"]).challenge
    return {**data, **fuzz.valid(world)}


def is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//")


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


@dataclass
class Outcome:
    answers: list  # the answer, then the pages its redirects lead to on the site
    written: list[str]  # what it wrote (Snapshot.changes)
    foreign_changed: bool

    @property
    def accepted(self) -> bool:
        """A redirect, a download, or something written (the backup codes are shown at once)."""
        first = self.answers[0]
        return first.status_code in (301, 302, 303) or not is_html(first) or bool(self.written)


def attempt(client: Client, method: str, url: str, data: dict, before: Snapshot, *, follow=False, foreign=None):
    """Submit in a savepoint rolled back afterwards: every value meets the same world, the one `before` counted (one
    accepted changes nothing for the next), and a view's database error (a 500) leaves the test's transaction
    usable. `follow`: also open the pages its redirects lead to on the site (where a stored value is shown).
    `foreign`: (the world, its rows of organisms B and C) to compare when something was written. The client's
    cookies are put back too: a login accepted in the savepoint leaves a cookie naming a session row that the rollback
    removed, and the next submission would meet that (SessionInterrupted), not the same world."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        answers = [client.get(url, data) if method == "get" else client.post(url, data)]
        while follow and answers[-1].status_code in (301, 302, 303) and len(answers) < 4:
            if not is_local(answers[-1]["Location"]):
                break
            answers.append(client.get(answers[-1]["Location"]))
        written = before.changes()
        foreign_changed = bool(written and foreign) and foreign_rows(foreign[0]) != foreign[1]
        transaction.set_rollback(True)
    client.cookies = cookies
    return Outcome(answers, written, foreign_changed)


def problems(outcome: Outcome, payload: Payload) -> list[str]:
    found = []
    for answer in outcome.answers:
        if answer.status_code >= 500:
            found.append(f"answered {answer.status_code}")
        if answer.status_code in (301, 302, 303) and not is_local(answer["Location"]):
            found.append(f"redirected off the site to {answer['Location']}")
        if payload.forbidden and is_html(answer) and payload.forbidden in answer.content.decode(errors="replace"):
            found.append(f"shows the payload unescaped ({answer.request['PATH_INFO']})")
    first = outcome.answers[0]
    if first.status_code not in (301, 302, 303) and (is_html(first) or first.status_code >= 400):
        found += [f"refused ({first.status_code}) yet wrote {change}" for change in outcome.written]
    if outcome.foreign_changed:
        found.append("changed a row of organism B or C")
    return found


@pytest.mark.parametrize("key", FORMS, ids=[f"{name}-{method}" for name, method in FORMS])
def test_hostile_values_in_every_field(world, key):
    fuzz = FORMS[key]
    fuzz.setup(world)
    client = ROLES[fuzz.role](world)
    page = fuzz.page or key[0]
    page_url = reverse(page, kwargs=kwargs_for(world, route_of(page)))
    also = [reverse(name) for name in fuzz.also]
    forms = shown(client, page_url, key)
    assert forms, f"{key} not shown on {page_url} to {fuzz.role}"
    foreign = (world, foreign_rows(world))
    before = Snapshot.take()
    wrong = []
    for form in forms:
        for name in fuzz.only or form.fuzzable:
            for payload in [*(CHOICE_CORPUS if name in form.choices else CORPUS), FOREIGN]:
                if "captcha_0" in form.names:
                    form = next(f for f in shown(client, page_url, key) if f.signature == form.signature)
                data = untouched_data(world, fuzz, form)
                value = foreign_id(world, name) if payload is FOREIGN else payload.value
                data[name] = as_file(value) if name in form.files else value
                for url in [form.action, *also]:
                    try:
                        # A stored value can only show unescaped where `forbidden` says what to look for; only
                        # another organism's id can make a submission reach that organism's rows.
                        outcome = attempt(
                            client,
                            key[1],
                            url,
                            data,
                            before,
                            follow=bool(payload.forbidden),
                            foreign=foreign if payload is FOREIGN else None,
                        )
                        found = problems(outcome, payload)
                    except Exception as error:  # noqa: BLE001 — a 500: reported with the others
                        found = [f"raised {error!r}"[:300]]
                    wrong += [f"{name} = {payload.label}: {problem}" for problem in found]
    assert not wrong, f"{key} as {fuzz.role}:\n" + "\n".join(dict.fromkeys(wrong))
    if fuzz.untouched and key[1] == "post":
        for form in shown(client, page_url, key):
            outcome = attempt(client, key[1], form.action, untouched_data(world, fuzz, form), before)
            assert outcome.accepted, (
                f"the untouched form {sorted(form.names)}, completed by FORMS, is refused "
                f"({outcome.answers[0].status_code}): fix its `valid`, so that the fuzzing runs next to an "
                "acceptable form"
            )
