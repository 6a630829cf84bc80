"""The demo world of `manage.py seed_demo`: the guides' Caf agents, partner organisms of many kinds, each with a
convention "Valable", their profiles and documents, administrators, groups like the guides' ("T1 / CDAP T1",
"AFAS-HAB / AFAS-HABILITER", "AFAS-DEC / AFAS-DECLARER") and one account per CDAP profile and per role.

Everything goes through `habilitations.services` (atomic, journaled), idempotently: a second run finds every
object and changes nothing. Accounts are the one exception: the services give a random identifiant and e-mail
a provisional password, while demo accounts have fixed identifiants (listed in the README) and the shared demo
password. `demo_account` therefore reserves the identifiant, creates the account and journals it like
`accounts.account_create` does, without queuing any e-mail: nothing is queued, so nothing can leave on commit
(deleting queued rows instead would leave their on-commit delivery tasks to fail).

`synthetic_users_add` bulk-inserts users and memberships for the benchmarks (no services, no journal, no e-mail).
`DEMO_PART` is this app's part of the command (core.demo).
"""

import datetime
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import CommandError
from django.utils import timezone

from core.demo import DemoPart
from core.progress import ProgressBar
from habilitations import services, support
from habilitations.accounts import IDENTIFIANT_ALPHABET
from habilitations.journal import Event, journal_write
from habilitations.models import (
    Caf,
    CafServiceContact,
    Convention,
    ConventionDocument,
    ConventionProfile,
    GroupGrant,
    IssuedIdentifiant,
    Membership,
    Organism,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
    UserGroup,
    open_on_q,
)
from habilitations.reference import cdap_profile_rows
from habilitations.selectors import documents_required

DEMO_PASSWORD = "Mcp-Demo#2026"
EMAIL_DOMAIN = "demo.moncomptepartenaire.example"

# Fixed dates: a second run compares equal values and changes nothing.
DOCUMENTS_RECEIVED = datetime.date(2024, 1, 10)
CONVENTIONS_OPENED = datetime.date(2024, 1, 15)
CONVENTIONS_VALIDATED = datetime.date(2024, 2, 1)
ACCOUNTS_OPENED = datetime.date(2024, 2, 5)

AGENT = "Agent Caf"
AGENT_FIRST_LOGIN = " (administration, second facteur à activer à la première connexion)"
ADMINISTRATOR = "Administrateur principal"
USER = "Utilisateur"


@dataclass(frozen=True)
class Account:
    identifiant: str
    nom: str
    prenom: str
    role: str = USER
    groups: tuple[str, ...] = ()
    administrator: str = ""  # OrganismAdministrator.Role, for the organism's administrators


@dataclass(frozen=True)
class Group:
    code: str
    libelle: str
    profiles: tuple[str, ...]
    responsable: str


@dataclass(frozen=True)
class DemoOrganism:
    siret: str
    nom: str
    partner_type: str
    departement: str
    adresse: str
    code_postal: str
    commune: str
    profiles: tuple[str, ...]
    groups: tuple[Group, ...]
    accounts: tuple[Account, ...]


def admin(identifiant: str, nom: str, prenom: str, *, groups: tuple[str, ...] = (), role: str = ADMINISTRATOR):
    return Account(identifiant, nom, prenom, role=role, groups=groups, administrator="PRINCIPAL")


def single(code: str, libelle: str, profile: str, responsable: str) -> Group:
    return Group(code, libelle, (profile,), responsable)


AGENTS = [
    # identifiant, nom, prénom, Caf
    ("CAF061AGNT", "MARTIN", "Sophie", "061"),
    ("CAF831AGNT", "GIRAUD", "Paul", "831"),
    ("CAF121AGNT", "FABRE", "Agnès", "121"),
]

CD06_GROUPS = ("T1", "T1-CESF", "T5", "T18", "T19")

ORGANISMS = [
    # --- Caf des Alpes-Maritimes ---
    DemoOrganism(
        siret="22061698700016",
        nom="Conseil départemental des Alpes-Maritimes",
        partner_type="CD",
        departement="06",
        adresse="147 boulevard du Mercantour",
        code_postal="06200",
        commune="Nice",
        profiles=("T1-ASS", "T1-CESF", "T4", "T5", "T13", "T18", "T19", "SUPERVISION_CDAP"),
        groups=(
            single("T1", "CDAP T1", "T1-ASS", "ACC061RESP"),
            single("T1-CESF", "CDAP T1 CESF", "T1-CESF", "ACC061RESP"),
            single("T5", "CDAP T5", "T5", "ACC061RESP"),
            single("T18", "CDAP T18", "T18", "ACC061RESP"),
            single("T19", "CDAP T19", "T19", "ACC061RESP"),
            single("SUP-CDAP", "Supervision Consulter Dossier", "SUPERVISION_CDAP", "ACC061ADMN"),
        ),
        accounts=(
            admin(
                "ACC061ADMN",
                "CERVAYNE",
                "Lisa",
                groups=("SUP-CDAP",),
                role="Administrateur principal (second facteur à activer à la première connexion)",
            ),
            Account("ACC061RESP", "BERNARD", "Claire", role="Responsable d'habilitations (T1, T1-CESF, T5, T18, T19)"),
            Account("ACC061USER", "DUBOIS", "Jean", role="Utilisateur sans groupe"),
            Account("ACC061TASS", "LEROY", "Nathalie", groups=("T1",)),
            Account("ACC061CESF", "MOREAU", "Julie", groups=("T1-CESF",)),
            Account("ACC061RSAS", "GARCIA", "Thomas", groups=("T5",)),
            Account("ACC061CTNX", "ROUX", "Isabelle", groups=("T18",)),
            Account("ACC061CTRX", "FOURNIER", "Nicolas", groups=("T19",)),
            Account("ACC061SUPV", "GIRARD", "Hélène", role="Superviseur Consulter Dossier", groups=("SUP-CDAP",)),
        ),
    ),
    DemoOrganism(
        siret="26064864800087",
        nom="CCAS de Nice",
        partner_type="CCAS",
        departement="06",
        adresse="5 rue de la Condamine",
        code_postal="06300",
        commune="Nice",
        profiles=("T1-ASS", "T2", "T4"),
        groups=(single("T4", "CDAP T4", "T4", "ACC061ADCC"),),
        accounts=(
            admin("ACC061ADCC", "BONNET", "Sylvie"),
            Account("ACC061NSTR", "LAMBERT", "Karim", groups=("T4",)),
        ),
    ),
    DemoOrganism(
        siret="78247513600027",
        nom="Centre social Les Moulins",
        partner_type="ASSO_SOC",
        departement="06",
        adresse="25 boulevard Paul Montel",
        code_postal="06200",
        commune="Nice",
        profiles=("T1-ASS", "T2", "AFAS-HABILITER", "AFAS-DECLARER"),
        groups=(
            single("T2", "CDAP T2", "T2", "ENF061ADMN"),
            single("AFAS-HAB", "AFAS-HABILITER", "AFAS-HABILITER", "ENF061ADMN"),
            single("AFAS-DEC", "AFAS-DECLARER", "AFAS-DECLARER", "ENF061ADMN"),
        ),
        accounts=(
            admin("ENF061ADMN", "FONTAINE", "Mathieu"),
            Account("ENF061QFAM", "CHEVALIER", "Amina", groups=("T2",)),
            Account("ENF061AFHB", "ROBIN", "Jean-Baptiste", groups=("AFAS-HAB",)),
            Account("ENF061AFDC", "MASSON", "Camille", groups=("AFAS-DEC",)),
        ),
    ),
    DemoOrganism(
        siret="78387283700092",
        nom="Côte d'Azur Habitat",
        partner_type="BAILLEUR_SOC",
        departement="06",
        adresse="53 boulevard René Cassin",
        code_postal="06200",
        commune="Nice",
        profiles=("T10", "BAILLEUR"),
        groups=(
            single("T10", "CDAP T10", "T10", "LOG061ADMN"),
            single("BAILLEUR", "Espace Bailleur", "BAILLEUR", "LOG061ADMN"),
        ),
        accounts=(
            admin("LOG061ADMN", "MERCIER", "Olivier"),
            Account("LOG061PATR", "BLANC", "Céline", groups=("T10",)),
            Account(
                "LOG061HABT",
                "ROUSSEAU",
                "Marc",
                role="Bailleur (page de connexion dédiée /bailleur/connexion/)",
                groups=("BAILLEUR",),
            ),
        ),
    ),
    DemoOrganism(
        siret="77582589800031",
        nom="Association tutélaire Azur Protection",
        partner_type="MJPM",
        departement="06",
        adresse="12 avenue Thiers",
        code_postal="06000",
        commune="Nice",
        profiles=("T9",),
        groups=(single("T9", "CDAP T9", "T9", "ACC061ADMJ"),),
        accounts=(
            admin("ACC061ADMJ", "GUERIN", "François"),
            Account("ACC061TUTR", "MULLER", "Sandrine", groups=("T9",)),
        ),
    ),
    DemoOrganism(
        siret="18068549100045",
        nom="Banque de France — secrétariat de la commission de surendettement des Alpes-Maritimes",
        partner_type="BDF",
        departement="06",
        adresse="14 avenue Jean Médecin",
        code_postal="06000",
        commune="Nice",
        profiles=("T11",),
        groups=(single("T11", "CDAP T11", "T11", "ACC061ADBF"),),
        accounts=(
            admin("ACC061ADBF", "FAURE", "Bruno"),
            Account("ACC061SURD", "ANDRE", "Patricia", groups=("T11",)),
        ),
    ),
    DemoOrganism(
        siret="26062441000064",
        nom="Régie Lignes d'Azur — tarification solidaire des transports",
        partner_type="AOT",
        departement="06",
        adresse="3 rue Louis Robert",
        code_postal="06000",
        commune="Nice",
        profiles=("T15",),
        groups=(single("T15", "CDAP T15", "T15", "ACC061ADTR"),),
        accounts=(
            admin("ACC061ADTR", "LEFEBVRE", "Damien"),
            Account("ACC061TRAM", "MICHEL", "Laura", groups=("T15",)),
        ),
    ),
    DemoOrganism(
        siret="44212280800086",
        nom="Azur Aide à Domicile",
        partner_type="SAAD",
        departement="06",
        adresse="8 rue Pastorelli",
        code_postal="06000",
        commune="Nice",
        profiles=("ADONIS",),
        groups=(single("ADONIS", "Adonis", "ADONIS", "ACC061ADSD"),),
        accounts=(
            admin("ACC061ADSD", "DAVID", "Martine"),
            Account("ACC061SAAD", "BERTRAND", "Yasmina", groups=("ADONIS",)),
        ),
    ),
    # --- Caf du Var ---
    DemoOrganism(
        siret="18062248500027",
        nom="CPAM du Var",
        partner_type="CPAM",
        departement="83",
        adresse="42 rue Emile Ollivier",
        code_postal="83000",
        commune="Toulon",
        profiles=("T6",),
        groups=(single("T6", "CDAP T6", "T6", "ACC831ADCP"),),
        accounts=(
            admin("ACC831ADCP", "ROCHE", "Pascal"),
            Account("ACC831CPAM", "VINCENT", "Élodie", groups=("T6",)),
        ),
    ),
    DemoOrganism(
        siret="17837534700089",
        nom="Bureau d'aide juridictionnelle du tribunal judiciaire de Toulon",
        partner_type="BAJ",
        departement="83",
        adresse="Place Gabriel Péri",
        code_postal="83000",
        commune="Toulon",
        profiles=("T12",),
        groups=(single("T12", "CDAP T12", "T12", "ACC831ADBJ"),),
        accounts=(
            admin("ACC831ADBJ", "MOREL", "Vincent"),
            Account("ACC831AJUR", "SIMON", "Aurélie", groups=("T12",)),
        ),
    ),
    DemoOrganism(
        siret="18067133100015",
        nom="GIP Fonds de solidarité logement du Var",
        partner_type="FSL",
        departement="83",
        adresse="390 avenue des Lices",
        code_postal="83000",
        commune="Toulon",
        profiles=("T13",),
        groups=(single("T13", "CDAP T13", "T13", "ACC831ADFS"),),
        accounts=(
            admin("ACC831ADFS", "LAURENT", "Hervé"),
            Account("ACC831FSVR", "PERRIN", "Stéphanie", groups=("T13",)),
        ),
    ),
    DemoOrganism(
        siret="78036078700045",
        nom="Commission de médiation DALO du Var",
        partner_type="COMED",
        departement="83",
        adresse="Boulevard du 112e Régiment d'Infanterie",
        code_postal="83000",
        commune="Toulon",
        profiles=("T16",),
        groups=(single("T16", "CDAP T16", "T16", "ACC831ADMD"),),
        accounts=(
            admin("ACC831ADMD", "COLIN", "Gérard"),
            Account("ACC831MDTN", "NICOLAS", "Manon", groups=("T16",)),
        ),
    ),
    # --- Caf de l'Aveyron ---
    DemoOrganism(
        siret="77512761100066",
        nom="Caisse d'assurance maladie des industries électriques et gazières — antenne de Rodez",
        partner_type="REGIME_PART",
        departement="12",
        adresse="4 rue de Laumière",
        code_postal="12000",
        commune="Rodez",
        profiles=("T8",),
        groups=(single("T8", "CDAP T8", "T8", "ACC121ADRP"),),
        accounts=(
            admin("ACC121ADRP", "CARRE", "Michel"),
            Account("ACC121RGPT", "BARBIER", "Sophie", groups=("T8",)),
        ),
    ),
    DemoOrganism(
        siret="13000741800028",
        nom="Carsat Midi-Pyrénées — agence retraite de Rodez",
        partner_type="RETRAITE",
        departement="12",
        adresse="11 avenue Victor Hugo",
        code_postal="12000",
        commune="Rodez",
        profiles=("T14",),
        groups=(single("T14", "CDAP T14", "T14", "ACC121ADRT"),),
        accounts=(
            admin("ACC121ADRT", "ARNAUD", "Christian"),
            Account("ACC121RTRT", "GAUTHIER", "Monique", groups=("T14",)),
        ),
    ),
    DemoOrganism(
        siret="22060512900083",
        nom="Direction départementale des finances publiques de l'Aveyron",
        partner_type="DDFIP",
        departement="12",
        adresse="30 rue Camille Douls",
        code_postal="12000",
        commune="Rodez",
        profiles=("DGFIP",),
        groups=(single("DGFIP", "Offre DGFIP", "DGFIP", "ACC121ADFP"),),
        accounts=(
            admin("ACC121ADFP", "DUMONT", "Philippe"),
            Account("ACC121DGFP", "BRUN", "Virginie", groups=("DGFIP",)),
        ),
    ),
]


# --- What the README lists ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    identifiant: str
    role: str
    profiles: tuple[str, ...]
    organisme: str


def demo_accounts() -> list[Row]:
    """Every demo account with its role, the profiles its groups give it and its organism (or Caf), in the
    README's order: agents, the roles, one account per CDAP profile, the other administrators."""
    cafs = dict(Caf.objects.filter(code__in=[a[3] for a in AGENTS]).values_list("code", "nom"))
    rows = [
        (0, 0, Row(identifiant, AGENT + (AGENT_FIRST_LOGIN if index == 0 else ""), (), cafs[caf]))
        for index, (identifiant, _, _, caf) in enumerate(AGENTS)
    ]
    cdap_order = {row["code"]: index for index, row in enumerate(cdap_profile_rows())}
    for organism in ORGANISMS:
        groups = {group.code: group for group in organism.groups}
        for account in organism.accounts:
            held = tuple(profile for code in account.groups for profile in groups[code].profiles)
            role = account.role
            if role == USER:
                role = "Utilisateur (groupe " + ", ".join(f"{c} — {groups[c].libelle}" for c in account.groups) + ")"
                kind, order = (3, cdap_order[held[0]]) if held[0] in cdap_order else (2, 0)
            else:
                kind, order = (4, 0) if role == ADMINISTRATOR else (1, 0)
            rows.append((kind, order, Row(account.identifiant, role, held, organism.nom)))
    return [row for _, _, row in sorted(rows, key=lambda item: item[:2])]


# --- Seeding -----------------------------------------------------------------------------------------------


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == "-")


def demo_email(prenom: str, nom: str) -> str:
    return f"{ascii_slug(prenom)}.{ascii_slug(nom)}@{EMAIL_DOMAIN}"


class DemoPassword:
    """The demo password's hash, computed once; accounts sharing a hash are checked once (Argon2 is slow)."""

    def __init__(self):
        self._hash = None
        self._checked: dict[str, bool] = {}

    @property
    def hash(self) -> str:
        if self._hash is None:
            self._hash = make_password(DEMO_PASSWORD)
        return self._hash

    def matches(self, encoded: str) -> bool:
        if encoded not in self._checked:
            self._checked[encoded] = check_password(DEMO_PASSWORD, encoded)
        return self._checked[encoded]


ACCOUNT_FIELDS = ["nom", "prenom", "email", "caf_id", "organism_id", "is_staff", "date_ouverture", "date_cloture"]


def demo_account(
    identifiant: str, *, nom: str, prenom: str, caf: Caf, password: DemoPassword, organism=None, is_staff=False
) -> User:
    """Create or refresh a demo account: fixed identifiant (reserved for ever), the demo password, no e-mail."""
    IssuedIdentifiant.objects.get_or_create(value=identifiant)
    wanted = {
        "nom": nom,
        "prenom": prenom,
        "email": demo_email(prenom, nom),
        "caf_id": caf.pk,
        "organism_id": organism.pk if organism else None,
        "is_staff": is_staff,
        "date_ouverture": ACCOUNTS_OPENED,
        "date_cloture": None,
    }
    user = User.objects.filter(identifiant=identifiant).first()
    if user is None:
        user = User(identifiant=identifiant, is_active=True, password=password.hash, **wanted)
        user.full_clean(exclude=["password"])
        user.save()
        journal_write(Event.ACCOUNT_CREATED, user=user, identifiant=identifiant)
        if organism is not None:
            journal_write(Event.USER_CREATED, user=user, organism=organism, after=_snapshot(user))
        return user
    before = _snapshot(user)
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    state = {"is_active": True, "provisional_password_expires_at": None}
    changed += [name for name, value in state.items() if getattr(user, name) != value]
    for name, value in state.items():
        setattr(user, name, value)
    if not password.matches(user.password):
        user.password = password.hash
        changed.append("password")
    if changed:
        user.save(update_fields=changed)
        journal_write(
            Event.USER_CHANGED, user=user, organism=organism, before=before, after=_snapshot(user), demo=True
        )
    return user


def _snapshot(user: User) -> dict:
    return {name: None if getattr(user, name) is None else str(getattr(user, name)) for name in ACCOUNT_FIELDS}


# The demo Cafs' coordinates (issue 21: the attestation's header, the documents to return, « BESOIN D'AIDE ? », the
# contacts per service, « Contacter ma Caf »): fictitious addresses and numbers, e-mails on the demo domain.
CAF_CONTACTS = {
    "061": {
        "adresse_postale": "Service Partenaires\n48, route de Grenoble\n06200 Nice",
        "horaires_accueil": "du lundi au vendredi de 8 h 30 à 16 h 30, sur rendez-vous le mercredi",
        "centre_services_jours": "du lundi au vendredi",
        "centre_services_horaires": "de 8 h 30 à 17 h",
        "centre_services_telephone": "04 93 00 06 06",
        "centre_services_email": "centre-de-services.caf061@caf.example",
    },
    "831": {
        "adresse_postale": "Service Partenaires\n432, rue Émile Ollivier\n83000 Toulon",
        "horaires_accueil": "du lundi au vendredi de 8 h 30 à 16 h",
        "centre_services_jours": "du lundi au vendredi",
        "centre_services_horaires": "de 9 h à 16 h 30",
        "centre_services_telephone": "04 94 00 83 83",
        "centre_services_email": "mon-compte-partenaire.caf831@caf.example",
    },
    "121": {
        "adresse_postale": "Pôle Partenaires\n9, boulevard du Maréchal Joffre\n12000 Rodez",
        "horaires_accueil": "du lundi au jeudi de 8 h 30 à 16 h",
        "centre_services_jours": "du lundi au jeudi",
        "centre_services_horaires": "de 8 h 30 à 12 h et de 13 h 30 à 16 h",
        "centre_services_telephone": "05 65 00 12 12",
        "centre_services_email": "partenaires.caf121@caf.example",
    },
}
# service → pôle, e-mail's local part, named agents (guide 003: « Pôle Partenaires », named agents and phones)
SERVICE_CONTACTS = {
    "CDAP": ("Pôle Partenaires", "cdap", "Mélanie GARRIGUES, 05 00 00 00 01\nJulien ROUX, 05 00 00 00 02"),
    "AFAS": ("Pôle Action sociale", "afas", "Claire BONNET, 05 00 00 00 03"),
}


def seed_caf_contacts(caf: Caf, *, agent: User) -> None:
    """Fill the demo Caf's empty coordinates and add its missing service contacts, through the agents' services
    (journaled as the agent); what is already there (an agent's edit) is kept, so a second run changes nothing."""
    wanted = CAF_CONTACTS.get(caf.code, {})
    missing = {name: value for name, value in wanted.items() if not getattr(caf, name)}
    if missing:
        support.caf_contact_update(caf, actor=agent, **missing)
    present = set(CafServiceContact.objects.filter(caf=caf).values_list("service__code", flat=True))
    for code, (pole, local, interlocuteurs) in SERVICE_CONTACTS.items():
        if code not in present:
            contact = CafServiceContact(
                caf=caf,
                service=Service.objects.get(code=code),
                pole=pole,
                email=f"{local}.caf{caf.code}@caf.example",
                telephone=wanted.get("centre_services_telephone", ""),
                interlocuteurs=interlocuteurs,
            )
            support.service_contact_save(contact, actor=agent)


def caf_of(departement: str) -> Caf:
    return Caf.objects.get(departement=departement)


def seed_demo() -> list[Row]:
    """Build (or find) the demo world. Returns the accounts, for the command to print."""
    password = DemoPassword()
    agents = {}
    for identifiant, nom, prenom, caf_code in AGENTS:
        caf = Caf.objects.get(code=caf_code)
        agents[caf.pk] = demo_account(identifiant, nom=nom, prenom=prenom, caf=caf, password=password, is_staff=True)
        seed_caf_contacts(caf, agent=agents[caf.pk])
    for demo in ORGANISMS:
        seed_organism(demo, agent=agents[caf_of(demo.departement).pk], password=password)
    return demo_accounts()


def seed_organism(demo: DemoOrganism, *, agent: User, password: DemoPassword) -> Organism:
    today = timezone.localdate()
    partner_type = PartnerType.objects.get(code=demo.partner_type)
    organism = Organism.objects.filter(siret=demo.siret).first() or services.organism_register(
        siret=demo.siret,
        nom=demo.nom,
        partner_type=partner_type,
        departement=demo.departement,
        adresse=demo.adresse,
        code_postal=demo.code_postal,
        commune=demo.commune,
        email=f"contact.{ascii_slug(demo.partner_type)}{demo.departement}@{EMAIL_DOMAIN}",
        actor=agent,
    )
    convention = Convention.objects.filter(organism=organism).first() or services.convention_create(
        organism=organism, date_ouverture=CONVENTIONS_OPENED, actor=agent
    )
    seed_documents(convention, demo.profiles, agent=agent)
    if convention.etat != Convention.Etat.VALABLE:
        services.convention_set_etat(
            convention, etat=Convention.Etat.VALABLE, date_validation=CONVENTIONS_VALIDATED, actor=agent
        )
    convention_profiles = {}
    for code in demo.profiles:
        convention_profiles[code] = ConventionProfile.objects.filter(
            open_on_q(today), convention=convention, profile__code=code
        ).first() or services.convention_profile_open(
            convention, Profile.objects.get(code=code), date_ouverture=CONVENTIONS_VALIDATED, actor=agent
        )

    caf = organism.caf_pivot
    prefix = partner_type.identifiant_prefixe + caf.code
    users = {}
    for account in demo.accounts:
        if not account.identifiant.startswith(prefix):
            raise ValueError(f"{account.identifiant}: the identifiant of a {partner_type.code} starts with {prefix}")
        users[account.identifiant] = demo_account(
            account.identifiant, nom=account.nom, prenom=account.prenom, caf=caf, organism=organism, password=password
        )
    administrator = None
    for account in demo.accounts:
        if not account.administrator:
            continue
        user = users[account.identifiant]
        administrator = administrator or user
        if not OrganismAdministrator.objects.filter(open_on_q(today), organism=organism, user=user).exists():
            services.administrator_name(
                organism=organism, user=user, role=account.administrator, date_ouverture=ACCOUNTS_OPENED, actor=agent
            )
    groups = {}
    for spec in demo.groups:
        group = UserGroup.objects.filter(open_on_q(today), convention=convention, code=spec.code).first()
        groups[spec.code] = group or services.group_create(
            convention=convention,
            code=spec.code,
            libelle=spec.libelle,
            responsable=users[spec.responsable],
            date_ouverture=ACCOUNTS_OPENED,
            actor=administrator,
        )
        for code in spec.profiles:
            cp = convention_profiles[code]
            if not GroupGrant.objects.filter(
                open_on_q(today), group=groups[spec.code], convention_profile=cp
            ).exists():
                services.grant_assign(groups[spec.code], cp, date_ouverture=ACCOUNTS_OPENED, actor=administrator)
    for account in demo.accounts:
        user = users[account.identifiant]
        for code in account.groups:
            if not Membership.objects.filter(open_on_q(today), user=user, group=groups[code]).exists():
                services.membership_add(
                    user=user, group=groups[code], date_ouverture=ACCOUNTS_OPENED, actor=administrator
                )
    return organism


def seed_documents(convention: Convention, profiles, *, agent: User) -> None:
    """The documents its services need (`selectors.documents_required`): the signed convention, the contrat de
    service, a bulletin d'adhésion per service and d'éligibilité for CDAP and AFAS — before the convention is
    "Valable" and its profiles opened, which the services refuse without them."""
    codes = Profile.objects.filter(code__in=profiles).values_list("service__code", flat=True)
    by_code = {service.code: service for service in Service.objects.all()}
    for kind, code in documents_required(set(codes)):
        service = by_code[code] if code else None
        if not ConventionDocument.objects.filter(convention=convention, kind=kind, service=service).exists():
            services.convention_document_record(
                convention, kind=kind, service=service, date_reception=DOCUMENTS_RECEIVED, actor=agent
            )


# --- Synthetic users for the benchmarks ----------------------------------------------------------------------

SYNTHETIC_FIRST = "23456789"  # demo identifiants start with a letter: synthetic ones with a digit
SYNTHETIC_MAX = len(SYNTHETIC_FIRST) * len(IDENTIFIANT_ALPHABET) ** 3
SYNTHETIC_ORGANISM = ORGANISMS[0]  # the Conseil départemental des Alpes-Maritimes
SYNTHETIC_BATCH = 5000
NOMS = "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE".split()
PRENOMS = "Marie Jean Camille Louis Léa Hugo Chloé Lucas Inès Paul Emma Nathan Sarah Karim Julie Yanis Aïcha".split()


def synthetic_identifiant(index: int, prefix: str) -> str:
    """The index-th synthetic identifiant: a digit, then three characters of the identifiants' alphabet."""
    base = len(IDENTIFIANT_ALPHABET)
    first, rest = divmod(index, base**3)
    chars = []
    for _ in range(3):
        rest, digit = divmod(rest, base)
        chars.append(IDENTIFIANT_ALPHABET[digit])
    return prefix + SYNTHETIC_FIRST[first] + "".join(reversed(chars))


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def synthetic_users_add(count: int, *, write=None) -> int:
    """Add up to `count` users to the Conseil départemental's convention, each a member of one of its CDAP
    groups, in bulk (no service, no journal, no e-mail). Identifiants are deterministic: running again with
    the same count adds nothing. Returns how many users were added."""
    if count > SYNTHETIC_MAX:
        raise ValueError(f"At most {SYNTHETIC_MAX} synthetic users.")
    organism = Organism.objects.select_related("caf_pivot", "partner_type").get(siret=SYNTHETIC_ORGANISM.siret)
    today = timezone.localdate()
    groups = list(
        UserGroup.objects.filter(open_on_q(today), convention__organism=organism, code__in=CD06_GROUPS).order_by(
            "code"
        )
    )
    prefix = organism.partner_type.identifiant_prefixe + organism.caf_pivot.code
    password = make_password(DEMO_PASSWORD)  # one hash for all: hashing 100 000 times would take hours
    now = timezone.now()
    progress = ProgressBar(count, "Utilisateurs synthétiques", write)
    added = 0
    for batch in _chunks(list(range(count)), SYNTHETIC_BATCH):
        wanted = {synthetic_identifiant(index, prefix): index for index in batch}
        # Never reuse an identifiant: one already issued (ours from a previous run, or anybody's) is skipped.
        issued = set(IssuedIdentifiant.objects.filter(value__in=list(wanted)).values_list("value", flat=True))
        new = [(identifiant, index) for identifiant, index in wanted.items() if identifiant not in issued]
        IssuedIdentifiant.objects.bulk_create([IssuedIdentifiant(value=i, issued_at=now) for i, _ in new])
        users = User.objects.bulk_create(
            [
                User(
                    identifiant=identifiant,
                    nom=NOMS[index % len(NOMS)],
                    prenom=PRENOMS[index // len(NOMS) % len(PRENOMS)],
                    email=f"{identifiant.lower()}@bench.{EMAIL_DOMAIN}",
                    caf_id=organism.caf_pivot_id,
                    organism_id=organism.pk,
                    date_ouverture=ACCOUNTS_OPENED,
                    password=password,
                    date_joined=now,
                )
                for identifiant, index in new
            ]
        )
        if groups:
            Membership.objects.bulk_create(
                [
                    Membership(
                        user_id=user.pk, group_id=groups[index % len(groups)].pk, date_ouverture=ACCOUNTS_OPENED
                    )
                    for user, (_, index) in zip(users, new, strict=True)
                ]
            )
        added += len(users)
        progress.advance(len(batch))
    progress.close()
    return added


class HabilitationsDemo(DemoPart):
    """The world the services' demo data hangs on, first; `--users` synthetic users; the accounts printed last."""

    order = 10

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--users",
            type=int,
            default=0,
            metavar="N",
            help=f"ajoute N utilisateurs synthétiques (bancs d'essai ; au plus {SYNTHETIC_MAX}).",
        )

    def check(self, options: dict) -> None:
        if not 0 <= options["users"] <= SYNTHETIC_MAX:
            raise CommandError(f"--users : entre 0 et {SYNTHETIC_MAX}.")

    def seed(self, command, options: dict) -> None:
        self.rows = seed_demo()
        users = options["users"]
        if users:
            started = time.perf_counter()
            added = synthetic_users_add(users, write=command.draw)
            command.stdout.write(
                f"{added} utilisateurs synthétiques ajoutés en {time.perf_counter() - started:.1f} s "
                f"({users - added} déjà présents ou identifiants déjà attribués)."
            )

    def report(self, command, options: dict) -> None:
        width = max(len(row.role) for row in self.rows)
        for row in self.rows:
            profile = ", ".join(row.profiles) or "—"
            command.stdout.write(f"{row.identifiant}  {row.role:<{width}}  {profile:<16}  {row.organisme}")
        command.stdout.write(command.style.SUCCESS(f"Mot de passe de démonstration commun : {DEMO_PASSWORD}"))


DEMO_PART = HabilitationsDemo
