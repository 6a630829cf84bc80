"""Reads: reference data, and the partner administration screens' lists (each takes what the viewer may see)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from habilitations.consultations import CONSULTATION_EVENTS
from habilitations.journal import Event, JournalEntry
from habilitations.models import (
    Caf,
    Convention,
    ConventionDocument,
    ConventionProfile,
    GroupGrant,
    Membership,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
    UserGroup,
    open_on_q,
)


def department_for_postal_code(code: str) -> str | None:
    """Postal code → department: the first two digits; Corsica 200–201 → 2A, 202–206 → 2B; overseas 97x → three."""
    if len(code) != 5 or not code.isdigit():
        return None
    if code.startswith("20"):
        prefix = int(code[:3])
        if prefix in (200, 201):
            return "2A"
        if 202 <= prefix <= 206:
            return "2B"
        return None
    if code.startswith("97"):
        return code[:3]
    return code[:2]


def caf_for_postal_code(code: str) -> Caf | None:
    department = department_for_postal_code(code)
    if department is None:
        return None
    return Caf.objects.filter(departement=department).first()


# --- Services, conventions, users: reads of the partner administration screens ---------------------------------


def services_by_codes(codes) -> list[Service]:
    """The services whose code is in `codes`, in the reference order (Service.ordre), in one query (none if empty).

    The home page passes `request.access.services`: the services the rule of access opens today."""
    codes = list(codes)
    if not codes:
        return []
    return list(Service.objects.filter(code__in=codes).order_by("ordre", "code"))


def partner_types_with_services() -> QuerySet[PartnerType]:
    """The reference list "Les types de partenaires", with their eligible services and legitimate CDAP profiles."""
    return PartnerType.objects.prefetch_related(
        Prefetch("services_eligibles", queryset=Service.objects.order_by("ordre", "code")),
        Prefetch("profils_cdap_legitimes", queryset=Profile.objects.order_by("ordre", "code")),
    ).order_by("libelle")


def convention_profiles(convention: Convention) -> QuerySet[ConventionProfile]:
    """Every (service, profile) the Caf granted to the convention, history included, in the reference order."""
    return (
        ConventionProfile.objects.filter(convention=convention)
        .select_related("profile__service")
        .order_by("profile__service__ordre", "profile__ordre", "date_ouverture")
    )


def convention_documents(convention: Convention) -> QuerySet[ConventionDocument]:
    """The conventionnement documents received from the partner, with their dates."""
    return ConventionDocument.objects.filter(convention=convention).select_related("service")


def convention_administrators(convention: Convention, day: datetime.date | None = None):
    """The organism's administrator roles that are not closed on `day` (today): current and planned ones."""
    day = day or timezone.localdate()
    return (
        OrganismAdministrator.objects.filter(organism_id=convention.organism_id)
        .exclude(date_cloture__isnull=False, date_cloture__lte=day)
        .select_related("user")
        .order_by("role", "date_ouverture")
    )


def user_memberships(user: User, group_ids=None) -> QuerySet[Membership]:
    """All the user's memberships (history included), most recent first; restricted to `group_ids` if given
    (a responsable sees only the memberships of the groups they are responsible for)."""
    memberships = Membership.objects.filter(user=user).select_related("group").order_by("-date_ouverture", "-pk")
    if group_ids is not None:
        memberships = memberships.filter(group_id__in=group_ids)
    return memberships


def user_administrator_roles(user: User) -> QuerySet[OrganismAdministrator]:
    """The user's administrator roles (principal / suppléant), history included."""
    return OrganismAdministrator.objects.filter(user=user).select_related("organism").order_by("-date_ouverture")


def user_responsable_groups(user: User, group_ids=None) -> QuerySet[UserGroup]:
    """The groups whose responsable d'habilitations the user is, restricted to `group_ids` if given."""
    groups = UserGroup.objects.filter(responsable=user).order_by("code", "date_ouverture")
    if group_ids is not None:
        groups = groups.filter(pk__in=group_ids)
    return groups


def _administrator_roles_not_closed(day: datetime.date):
    return OrganismAdministrator.objects.exclude(date_cloture__isnull=False, date_cloture__lte=day)


def with_administrator_flag(users: QuerySet[User], day: datetime.date | None = None) -> QuerySet[User]:
    """Annotate `is_administrator`: the user holds an administrator role not closed on `day` (one subquery, no
    extra query per row). Administrators' accounts are the Caf's business ("Changement d'administrateur":
    an avenant to the convention), not the partner screens'."""
    day = day or timezone.localdate()
    return users.annotate(is_administrator=Exists(_administrator_roles_not_closed(day).filter(user=OuterRef("pk"))))


def is_administrator(user: User, day: datetime.date | None = None) -> bool:
    """The user holds an administrator role not closed on `day` (today): current or planned."""
    return _administrator_roles_not_closed(day or timezone.localdate()).filter(user=user).exists()


# --- The documents of a convention (webinar 004) ------------------------------------------------------------

# Services whose subscription needs a bulletin d'éligibilité on top of the bulletin d'adhésion (spec).
ELIGIBILITY_BULLETIN_SERVICES = {"CDAP", "AFAS"}
SUPERVISION_PREFIX = "SUPERVISION_"


def document_service_code(service_code: str) -> str:
    """The service whose bulletins cover `service_code`: a supervision service ("SUPERVISION_CDAP") is subscribed
    with the service it supervises (the Caf records no bulletin for the supervision itself)."""
    return service_code.removeprefix(SUPERVISION_PREFIX)


def documents_required(service_codes) -> list[tuple[str, str | None]]:
    """(kind, service code) of the documents an access to `service_codes` needs (webinar 004: « Sous réserve de la
    complétude et signature de : la convention d'accès, le contrat de service, le bulletin d'adhésion à chaque
    service, le formulaire d'éligibilité » — the latter for CDAP and AFAS)."""
    Kind = ConventionDocument.Kind
    required: list[tuple[str, str | None]] = [(Kind.CONVENTION, None), (Kind.CONTRAT_SERVICE, None)]
    for code in sorted({document_service_code(code) for code in service_codes}):
        required.append((Kind.BULLETIN_ADHESION, code))
        if code in ELIGIBILITY_BULLETIN_SERVICES:
            required.append((Kind.BULLETIN_ELIGIBILITE, code))
    return required


def documents_missing(convention: Convention, service_codes) -> list[str]:
    """The French names of the documents still missing for `convention` to open `service_codes` (empty: complete).
    Two queries."""
    received = set(convention.documents.values_list("kind", "service__code"))
    labels = dict(ConventionDocument.Kind.choices)
    names = dict(Service.objects.values_list("code", "libelle"))
    return [
        f"{labels[kind]} ({names.get(code, code)})" if code else labels[kind]
        for kind, code in documents_required(service_codes)
        if (kind, code) not in received
    ]


# --- Personal addresses (guide 001: « une adresse électronique personnelle ») ------------------------------


def open_accounts_q(day=None) -> Q:
    """Accounts that are not closed on `day` (today): active, without a closing date on or before it. An account
    that opens later counts already: its address is taken."""
    day = day or timezone.localdate()
    return Q(is_active=True) & (Q(date_cloture__isnull=True) | Q(date_cloture__gt=day))


def holds_its_email(user: User, day=None) -> bool:
    """Whether `user` counts as an open account for its address (`open_accounts_q`, in Python)."""
    day = day or timezone.localdate()
    return user.is_active and (user.date_cloture is None or user.date_cloture > day)


def email_holders(email: str, *, exclude_pk=None, day=None) -> QuerySet[User]:
    """The open accounts whose address is `email`, whatever its case (the UPPER(email) index)."""
    holders = User.objects.filter(open_accounts_q(day), email__iexact=(email or "").strip())
    return holders.exclude(pk=exclude_pk) if exclude_pk else holders


def shared_emails(*, caf_code: str | None = None, day=None) -> list[tuple[str, list[User]]]:
    """The addresses that several open accounts still share (created before the rule), each with its accounts in
    identifiant order, for the agents to correct (`manage.py duplicate_emails`): two queries. `caf_code` keeps the
    addresses one of whose accounts belongs to that Caf."""
    shared = (
        User.objects.filter(open_accounts_q(day))
        .exclude(email="")
        .annotate(key=Upper("email"))
        .values("key")
        .annotate(accounts=Count("pk"))
        .filter(accounts__gt=1)
    )
    if caf_code:
        shared = shared.filter(
            key__in=User.objects.filter(open_accounts_q(day), caf__code=caf_code).values(key=Upper("email"))
        )
    keys = [row["key"] for row in shared]
    by_key: dict[str, list[User]] = {key: [] for key in sorted(keys)}
    for user in (
        User.objects.filter(open_accounts_q(day))
        .annotate(key=Upper("email"))
        .filter(key__in=keys)
        .select_related("organism", "caf")
        .order_by("identifiant")
    ):
        by_key[user.key].append(user)
    return [(users[0].email.lower(), users) for users in by_key.values()]


# --- The yearly use of each service (guide 000: « chaque utilisateur se connecte au moins une fois par an au(x)
# service(s) auxquels il a été habilité ») -------------------------------------------------------------------

# 12 months: a service used 365 days ago is still used this year; 366 days ago, it is not.
USE_WINDOW_DAYS = 365

# The journal's events that are a use of a service by the account concerned (`JournalEntry.user`), per service. Only
# the services whose uses are journaled are measured: a service missing here is never called unused (AFAS, Adonis,
# Offre DGFIP and the Espace Bailleur have no screens yet; Supervision Consulter Dossier journals its exports only,
# not the lists a supervisor reads). A service app whose screens journal their uses adds them with
# `register_service_use` (as `core.mail.kinds.register_email_kind`).
SERVICE_USE_EVENTS: dict[str, frozenset[str]] = {"CDAP": frozenset(CONSULTATION_EVENTS)}


def register_service_use(service_code: str, *events: str) -> None:
    """Count the journal's `events` (written with `user=` the account that used it) as uses of `service_code`."""
    SERVICE_USE_EVENTS[service_code] = SERVICE_USE_EVENTS.get(service_code, frozenset()) | frozenset(events)


def use_cutoff(day: datetime.date | None = None) -> datetime.date:
    """The first day that still counts as "in the last 12 months" on `day` (today): `day` − 365 days."""
    return (day or timezone.localdate()) - datetime.timedelta(days=USE_WINDOW_DAYS)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def last_service_uses(user_ids=None, *, services=None) -> dict[tuple[int, str], datetime.datetime]:
    """{(user id, service code): the last journaled use} of the measured services (`services`: some of them), for
    `user_ids` (a list or a queryset of ids; None: every user — the control plan). One query; a (user, service)
    never used is absent."""
    codes = [code for code in SERVICE_USE_EVENTS if services is None or code in services]
    service_of = {event: code for code in codes for event in SERVICE_USE_EVENTS[code]}
    if not service_of:
        return {}
    rows = JournalEntry.objects.filter(event__in=service_of, user__isnull=False)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    last: dict[tuple[int, str], datetime.datetime] = {}
    for row in rows.values("user_id", "event").annotate(last=Max("at")).order_by():
        key = (row["user_id"], service_of[row["event"]])
        if key not in last or row["last"] > last[key]:
            last[key] = row["last"]
    return last


def _grants_of_group_q(day: datetime.date, services) -> Q:
    """The grants that give a service to the membership's group today: grant and convention profile open."""
    return (
        Q(group_id=OuterRef("group_id"), convention_profile__profile__service__code__in=services)
        & open_on_q(day)
        & open_on_q(day, "convention_profile__")
    )


def unused_memberships(*, day: datetime.date | None = None, groups=None) -> QuerySet[Membership]:
    """The memberships to review (« Habilitations non utilisées depuis 12 mois »): open on `day` (today), of an open
    account in an open group, opened more than 12 months ago, whose group gives at least one measured service and
    none of them was used by the member since `use_cutoff(day)` (a use through another group counts: the service
    is the user's). `groups` (a queryset) scopes them to what the viewer sees. The oldest first;
    `unused_services_of` gives a page its services and their last uses in two queries."""
    day = day or timezone.localdate()
    cutoff = use_cutoff(day)
    since = _start_of(cutoff)
    measured = Exists(GroupGrant.objects.filter(_grants_of_group_q(day, list(SERVICE_USE_EVENTS))))
    used = Q(pk__in=[])
    for code, events in SERVICE_USE_EVENTS.items():
        gives = Exists(GroupGrant.objects.filter(_grants_of_group_q(day, [code])))
        used_since = Exists(JournalEntry.objects.filter(user_id=OuterRef("user_id"), event__in=events, at__gte=since))
        used |= Q(gives) & Q(used_since)
    memberships = (
        Membership.objects.filter(open_on_q(day), open_on_q(day, "group__"), date_ouverture__lt=cutoff)
        .filter(Q(user__is_active=True), open_on_q(day, "user__"))
        .filter(measured)
        .exclude(used)
    )
    if groups is not None:
        memberships = memberships.filter(group__in=groups)
    return memberships.select_related("user", "group").order_by("date_ouverture", "user__nom", "user__prenom", "pk")


@dataclass(frozen=True)
class ServiceUse:
    code: str
    libelle: str
    last_use: datetime.datetime | None  # None: never used (as far as the journal keeps)


def unused_services_of(memberships, *, day: datetime.date | None = None) -> dict[int, list[ServiceUse]]:
    """{membership id: the measured services its group gives today, each with the member's last use}, for a page
    of `unused_memberships`: two queries whatever the page's length."""
    day = day or timezone.localdate()
    memberships = list(memberships)
    if not memberships:
        return {}
    by_group: dict[int, dict[str, str]] = {}
    for group_id, code, libelle in (
        GroupGrant.objects.filter(
            open_on_q(day),
            open_on_q(day, "convention_profile__"),
            group_id__in={m.group_id for m in memberships},
            convention_profile__profile__service__code__in=list(SERVICE_USE_EVENTS),
        )
        .order_by("convention_profile__profile__service__ordre")
        .values_list(
            "group_id", "convention_profile__profile__service__code", "convention_profile__profile__service__libelle"
        )
    ):
        by_group.setdefault(group_id, {})[code] = libelle
    last = last_service_uses({m.user_id for m in memberships})
    return {
        m.pk: [
            ServiceUse(code, libelle, last.get((m.user_id, code)))
            for code, libelle in by_group.get(m.group_id, {}).items()
        ]
        for m in memberships
    }


# --- Sédentaire / Itinérant (guide 001: « Sédentaire (possède un poste fixe) », « Itinérant (poste de travail
# variable) ») ----------------------------------------------------------------------------------------------

SEVERAL_ADDRESSES_WINDOW = datetime.timedelta(hours=1)


def is_itinerant(user: User) -> bool:
    """The administrator declared that the user works from varying places: several addresses within an hour are
    expected of them, and the control plan's « one user from several IP addresses within one hour » rule does not
    raise for them."""
    return user.poste == User.Poste.ITINERANT


def logins_from_several_addresses(*, since: datetime.datetime, until: datetime.datetime | None = None):
    """The control plan's « connexions atypiques » rule (issue 17 runs it): each successful login between `since`
    and `until` (now) followed, within one hour, by another successful login of the same account from another IP
    address — but for itinérant accounts (`is_itinerant`). The journal rows, oldest first, with their user."""
    until = until or timezone.now()
    later_elsewhere = JournalEntry.objects.filter(
        event=Event.LOGIN_SUCCESS,
        user_id=OuterRef("user_id"),
        at__gt=OuterRef("at"),
        at__lte=OuterRef("at") + SEVERAL_ADDRESSES_WINDOW,
        ip__isnull=False,
    ).exclude(ip=OuterRef("ip"))
    return (
        JournalEntry.objects.filter(event=Event.LOGIN_SUCCESS, at__gte=since, at__lt=until, ip__isnull=False)
        .exclude(user__poste=User.Poste.ITINERANT)
        .filter(Exists(later_elsewhere))
        .select_related("user")
        .order_by("at", "pk")
    )
