"""Reads: reference data, and the partner administration screens' lists (each takes what the viewer may see)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from habilitations.models import (
    Caf,
    Convention,
    ConventionDocument,
    ConventionProfile,
    Membership,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
    UserGroup,
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
