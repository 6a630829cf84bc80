"""The world of the security suite: organism A of the Caf 061, whose objects every test aims at, and the people who
must not reach them — a partner of each role in organism B (same Caf) and in organism C (Caf 831), the agent of
the Caf 831, an anonymous visitor. Every text of A's objects carries MARKER, so a page that shows one of them to a
stranger is caught whatever its status.

OBJECT_URLS says how to fill each URL that takes an object of A; test_object_access fails on a URL with an
argument that is neither there nor among its exceptions, and test_forms_fuzz uses the same objects to open every
page as their owner.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cdap.models import Consultation, DialogueMessage, PostalRequest
from core.mail.models import OutgoingEmail
from habilitations import imports
from habilitations.accounts import identifiant_send
from habilitations.journal import Event, JournalEntry, journal_write
from habilitations.models import OrganismAdministrator
from tests.bailleur.factories import landlord, tenancy
from tests.cdap.factories import DossierFactory
from tests.factories import ConventionFactory, GroupFactory, OrganismFactory, UserFactory, caf, grant, member
from tests.habilitations.test_conventions_views import administrator_of
from tests.support.access import verified_client

MARKER = "Xanthippe"


@dataclass
class Partner:
    """One organism with a convention and a person of each partner role."""

    organism: object
    convention: object
    group: object  # "CDAP T1" (T1-ASS), its responsable and one member
    membership: object
    administrator: object
    responsable: object
    cdap_user: object
    supervisor: object  # member of a group holding SUPERVISION_CDAP


def partner(caf_code: str, name: str = "") -> Partner:
    """An organism of the Caf `caf_code`; `name` goes into every text of it (names, e-mail addresses)."""
    the_caf = caf(caf_code)

    def person(prenom: str):
        marked = {"nom": name, "email": f"{prenom}.{name}@partenaire.example".lower()} if name else {}
        return UserFactory(organism=organism, prenom=prenom, caf=the_caf, **marked)

    organism = OrganismFactory(
        caf_pivot=the_caf, departement=the_caf.departement, **({"nom": f"Centre social {name}"} if name else {})
    )
    convention = ConventionFactory(organism=organism)
    responsable = person("Rita")
    group = GroupFactory(convention=convention, code="T1", libelle=f"CDAP T1 {name}".strip(), responsable=responsable)
    grant(group, "T1-ASS")
    cdap_user = person("Tom")
    membership = member(cdap_user, group)
    supervision = GroupFactory(convention=convention, code="SUP", libelle=f"Supervision {name}".strip())
    grant(supervision, "SUPERVISION_CDAP")
    supervisor = person("Sonia")
    member(supervisor, supervision)
    administrator = administrator_of(organism, prenom="Adam", caf=the_caf, **({"nom": name} if name else {}))
    return Partner(organism, convention, group, membership, administrator, responsable, cdap_user, supervisor)


class World:
    """Organism A (Caf 061, every text marked) with its objects; organisms B (Caf 061) and C (Caf 831); the agents
    of both Caf. Built by factories: cheaper than the demo world, and the same roles. The objects only some URLs
    take are made when first asked for."""

    def __init__(self):
        self._clients = {}
        self.a = partner("061", MARKER)
        self.b = partner("061")
        self.c = partner("831")
        self.agent = UserFactory(agent=True, nom=f"Agent {MARKER}")
        self.other_agent = UserFactory(agent=True, caf=caf("831"))
        dossier = DossierFactory(responsable__nom=MARKER.upper(), payments=2)
        self.consultation = Consultation.objects.create(
            user=self.a.cdap_user, dossier=dossier, profile_code="T1-ASS", organism=self.a.organism
        )

    def client(self, user) -> Client:
        """One logged-in client per person for the whole test (a TOTP code is accepted once per 30 s): anonymous
        for None."""
        if user is None:
            return Client()
        if user.pk not in self._clients:
            self._clients[user.pk] = verified_client(user)
        return self._clients[user.pk]

    @cached_property
    def landlord_tenancy(self):
        """A landlord (BAILLEUR, its own organism) and its one tenant receiving APL (issue 14.4): the housing, with
        its landlord user as `landlord`."""
        user, organism = landlord(nom=MARKER)
        housing = tenancy(organism, responsable__nom=MARKER)
        housing.landlord = user
        return housing

    @property
    def landlord(self):
        return self.landlord_tenancy.landlord

    @cached_property
    def information_banner(self) -> models.Model:
        """A banner of A's Caf, published by its agent (issue 21.13)."""
        return apps.get_model("habilitations", "InformationBanner").objects.create(
            caf=self.a.organism.caf_pivot,
            titre=MARKER,
            message=MARKER,
            fin=timezone.now() + datetime.timedelta(days=7),
            published_by=self.agent,
        )

    @cached_property
    def administrator_change_request(self) -> models.Model:
        """A's administrator tells its Caf who comes after them (issue 21.17)."""
        return apps.get_model("habilitations", "AdministratorChangeRequest").objects.create(
            organism=self.a.organism,
            sortant=self.a.administrator,
            entrant_nom=MARKER,
            entrant_prenom=MARKER,
            entrant_email="entrant@partenaire.example",
            date_effet=timezone.localdate() + datetime.timedelta(days=30),
            requested_by=self.a.administrator,
        )

    @cached_property
    def postal_request(self) -> PostalRequest:
        last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        return PostalRequest.objects.create(consultation=self.consultation, periode=last_month)

    @cached_property
    def dialogue_message(self) -> DialogueMessage:
        """Sent through the screen, as its author would (the model's sender fields are the service's business)."""
        response = self.client(self.a.cdap_user).post(
            f"/consulter-dossier/{self.consultation.reference}/dialogue/",
            {
                "organisme": self.a.organism.nom,
                "nom_prenom": f"{self.a.cdap_user.nom} {self.a.cdap_user.prenom}",
                "email": self.a.cdap_user.email,
                "numero_allocataire": self.consultation.dossier.numero,
                "objet": f"Question {MARKER}",
                "message": f"Message de {MARKER}",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return DialogueMessage.objects.get()

    @cached_property
    def afas_activity(self) -> models.Model:
        """An activity of A (issue 13), with a lieu d'implantation."""
        from afas.models import Activity, Site

        activity = Activity.objects.create(
            organism=self.a.organism, caf=self.a.organism.caf_pivot, nom=f"Péri {MARKER}", type_activite="EAJE"
        )
        Site.objects.create(activity=activity, nom=f"Site {MARKER}")
        return activity

    @cached_property
    def afas_groups(self) -> tuple:
        """A's AFAS groups (AFAS-DEC / AFAS-DECLARER with one member, AFAS-HAB / AFAS-HABILITER with its manager)."""
        declarer_group = GroupFactory(convention=self.a.convention, code="AFAS-DEC", libelle=f"AFAS-DECLARER {MARKER}")
        habiliter_group = GroupFactory(
            convention=self.a.convention, code="AFAS-HAB", libelle=f"AFAS-HABILITER {MARKER}"
        )
        grant(declarer_group, "AFAS-DECLARER")
        grant(habiliter_group, "AFAS-HABILITER")
        declarer = UserFactory(organism=self.a.organism, prenom="Dora", nom=MARKER, caf=self.a.organism.caf_pivot)
        member(declarer, declarer_group)
        manager = UserFactory(organism=self.a.organism, prenom="Hugo", nom=MARKER, caf=self.a.organism.caf_pivot)
        member(manager, habiliter_group)
        return declarer, manager

    @property
    def afas_declarer(self):
        return self.afas_groups[0]

    @property
    def afas_manager(self):
        """A's AFAS-HABILITER user: « Administration des profils » (issue 13.4)."""
        return self.afas_groups[1]

    @cached_property
    def afas_role(self) -> models.Model:
        """A's declarer's FDA role on A's activity, given by A's manager."""
        from afas import services

        return services.role_assign(
            user=self.afas_declarer, role="FDA", activity=self.afas_activity, actor=self.afas_manager
        )

    @cached_property
    def adonis_lookup(self) -> models.Model:
        """A SAAD's (ADONIS, its own organism) look-up of a marked dossier: what « Rechercher un dossier » opens."""
        from tests.adonis.factories import lookup, saad_user

        user, organism = saad_user(nom=MARKER)
        return lookup(user, organism, responsable__nom=MARKER.upper())

    @cached_property
    def adonis_request(self) -> models.Model:
        """That SAAD's pending demande d'aide à domicile for the same dossier."""
        from tests.adonis.factories import request

        found = self.adonis_lookup
        return request(found.user, found.organism, dossier=found.dossier)

    @cached_property
    def journal_entry(self) -> JournalEntry:
        return journal_write(
            Event.PROFILE_CHANGED, user=self.a.cdap_user, organism=self.a.organism, field="poste", after=MARKER
        )

    @cached_property
    def outgoing_email(self) -> OutgoingEmail:
        identifiant_send(self.a.cdap_user)
        return OutgoingEmail.objects.get(to=self.a.cdap_user.email)

    @cached_property
    def totp_device(self) -> TOTPDevice:
        self.client(self.a.administrator)  # enrols the second factor
        return TOTPDevice.objects.get(user=self.a.administrator)

    @cached_property
    def auth_group(self) -> AuthGroup:
        return AuthGroup.objects.create(name=MARKER)

    @cached_property
    def axes(self) -> dict:
        """django-axes' records of a failed login of A's user."""
        return {
            model._meta.label_lower: model.objects.create(
                username=self.a.cdap_user.identifiant, user_agent=MARKER, **extra
            )
            for model, extra in [(AccessAttempt, {"failures_since_start": 1}), (AccessLog, {}), (AccessFailureLog, {})]
        }

    @cached_property
    def import_token(self) -> str:
        """A checked file waiting for "Appliquer", uploaded by A's administrator (the template itself)."""
        upload = SimpleUploadedFile(f"{MARKER}.csv", imports.template_csv(), content_type="text/csv")
        response = self.client(self.a.administrator).post(
            f"/gestion-des-habilitations/conventions/{self.a.convention.pk}/import/", {"fichier": upload}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        return response["Location"].rstrip("/").rsplit("/", 1)[1]


# URL arguments naming one of A's objects: URL name → the kwargs, from the world.
def _convention(w: World) -> dict:
    return {"convention_id": w.a.convention.pk}


def _user(w: World) -> dict:
    return {"user_id": w.a.cdap_user.pk}


def _group(w: World) -> dict:
    return {"group_id": w.a.group.pk}


def _import(w: World) -> dict:
    return {"convention_id": w.a.convention.pk, "token": w.import_token}


def _consultation(w: World) -> dict:
    return {"reference": w.consultation.reference}


OBJECT_URLS: dict[str, Callable[[World], dict]] = {
    "habilitations:convention_detail": _convention,
    "habilitations:convention_pdf": _convention,
    "habilitations:users": _convention,
    "habilitations:unused_memberships": _convention,
    "habilitations:user_create": _convention,
    "habilitations:groups": _convention,
    "habilitations:group_create": _convention,
    "habilitations:membership_add": _convention,
    "habilitations:import_upload": _convention,
    "habilitations:import_template": lambda w: {**_convention(w), "file_format": "csv"},
    "habilitations:import_apply": _import,
    "habilitations:import_report": _import,
    "habilitations:user_detail": _user,
    "habilitations:user_update": _user,
    "habilitations:user_close": _user,
    "habilitations:user_resend_identifiant": _user,
    "habilitations:user_memberships": _user,
    "habilitations:group_update": _group,
    "habilitations:group_grants": _group,
    "habilitations:group_profiles_options": _group,
    "habilitations:group_memberships": _group,
    "habilitations:membership_update": lambda w: {"membership_id": w.a.membership.pk},
    "cdap:synthese": _consultation,
    "cdap:attestation": _consultation,
    "cdap:dialogue": _consultation,
    "cdap:rubric": lambda w: {**_consultation(w), "rubric": "paiements"},
    "bailleur:locataire": lambda w: {"housing_id": w.landlord_tenancy.pk},
    "afas:role_end": lambda w: {"pk": w.afas_role.pk},
    "adonis:famille": lambda w: {"reference": w.adonis_lookup.reference},
    "adonis:demande_nouvelle": lambda w: {"reference": w.adonis_lookup.reference},
    "adonis:demande": lambda w: {"request_id": w.adonis_request.pk},
    "adonis:decision": lambda w: {"request_id": w.adonis_request.pk},
    "admin:view_on_site": lambda w: {
        "content_type_id": ContentType.objects.get_for_model(w.a.organism).pk,
        "object_id": w.a.organism.pk,
    },
}

# The Django admin's object URLs (change, delete, history and the model admins' own, e.g. the attestation of a
# postal request): model label → A's object of that model.
ADMIN_OBJECTS: dict[str, Callable[[World], models.Model]] = {
    "habilitations.organism": lambda w: w.a.organism,
    "habilitations.convention": lambda w: w.a.convention,
    "habilitations.organismadministrator": lambda w: OrganismAdministrator.objects.get(user=w.a.administrator),
    "habilitations.user": lambda w: w.a.cdap_user,
    "habilitations.journalentry": lambda w: w.journal_entry,
    "cdap.postalrequest": lambda w: w.postal_request,
    "afas.activity": lambda w: w.afas_activity,
    "habilitations.informationbanner": lambda w: w.information_banner,
    "habilitations.administratorchangerequest": lambda w: w.administrator_change_request,
    "habilitations.membership": lambda w: w.a.membership,
    "cdap.dialoguemessage": lambda w: w.dialogue_message,
    "otp_totp.totpdevice": lambda w: w.totp_device,
    "core.outgoingemail": lambda w: w.outgoing_email,
    "auth.group": lambda w: w.auth_group,
    "axes.accessattempt": lambda w: w.axes["axes.accessattempt"],
    "axes.accesslog": lambda w: w.axes["axes.accesslog"],
    "axes.accessfailurelog": lambda w: w.axes["axes.accessfailurelog"],
}


def admin_model_of(url_name: str) -> str | None:
    """The model label of an admin URL name ("admin:cdap_postalrequest_change" → "cdap.postalrequest")."""
    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if url_name.startswith(prefix):
            return model._meta.label_lower
    return None


def known(route) -> bool:
    """Whether the registry can fill `route` with one of A's objects."""
    return route.name in OBJECT_URLS or (admin_model_of(route.name) in ADMIN_OBJECTS and len(route.arguments) == 1)


def kwargs_for(world: World, route) -> dict:
    """The kwargs that make `route` (without arguments, or known()) name one of A's objects."""
    if not route.arguments:
        return {}
    if route.name in OBJECT_URLS:
        return OBJECT_URLS[route.name](world)
    return {route.arguments[0]: ADMIN_OBJECTS[admin_model_of(route.name)](world).pk}


# --- Row counts ---------------------------------------------------------------------------------------------


def our_models() -> list[type[models.Model]]:
    """Every model of the project's own apps (not Django's, nor the libraries')."""
    base = str(settings.BASE_DIR)
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.path.startswith(base) and "/.venv/" not in model._meta.app_config.path
    ]


# A refusal is journaled on purpose (failed login, refused search, unknown consultation reference, failed second
# factor): the only rows a refused request may add. (A search that finds a dossier adds a Consultation too.)
REFUSAL_EVENTS = {
    Event.LOGIN_FAILURE,
    Event.LOGIN_REFUSED,
    Event.LOCKOUT,
    Event.OTP_FAILED,
    Event.CDAP_SEARCH,
    Event.CDAP_RUBRIC_REFUSED,
    Event.ADONIS_SEARCH,  # « Rechercher un dossier » of ADONIS journals a refused search as CDAP's does
}


@dataclass(frozen=True)
class Snapshot:
    """The row count of every model of the project (one query) and the last journal row."""

    counts: tuple[int, ...]
    last_journal: int

    @staticmethod
    def _query() -> str:
        tables = [model._meta.db_table for model in our_models() if model is not JournalEntry]
        counts = ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
        return f'SELECT {counts}, (SELECT coalesce(max(id), 0) FROM "{JournalEntry._meta.db_table}")'

    @classmethod
    def take(cls) -> "Snapshot":
        with connection.cursor() as cursor:
            cursor.execute(cls._query())
            *counts, last_journal = cursor.fetchone()
        return cls(tuple(counts), last_journal)

    def changes(self) -> list[str]:
        """What was written since: row counts that moved, journal rows other than refusals."""
        now = Snapshot.take()
        labels = [model._meta.label for model in our_models() if model is not JournalEntry]
        moved = [
            f"{label}: {before} → {after}"
            for label, before, after in zip(labels, self.counts, now.counts, strict=True)
            if before != after
        ]
        journaled = JournalEntry.objects.filter(pk__gt=self.last_journal).exclude(event__in=REFUSAL_EVENTS)
        return moved + [f"journal: {event}" for event in journaled.values_list("event", flat=True)]
