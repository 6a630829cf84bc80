"""Writes of the habilitations: one function per action, atomic, journaled (who, what, before, after).

Each function checks its rules first and raises a `ValidationError` keyed by form field with a French message;
the database constraints and triggers (migration 0005) hold the same rules against races. A rule broken by a
concurrent write surfaces as the same ValidationError.
"""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from habilitations.accounts import account_create, account_save, email_check_personal
from habilitations.journal import Event, journal_write
from habilitations.models import (
    Caf,
    Convention,
    ConventionDocument,
    ConventionProfile,
    GroupGrant,
    Membership,
    Organism,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
    UserGroup,
)
from habilitations.selectors import (  # noqa: F401 (ELIGIBILITY_BULLETIN_SERVICES re-exported)
    ELIGIBILITY_BULLETIN_SERVICES,
    documents_missing,
    holds_its_email,
)
from habilitations.validators import validate_siret

MAX_ADMINISTRATORS = 2


def _today() -> datetime.date:
    return timezone.localdate()


def _check_dates(date_ouverture, date_cloture, field: str = "date_cloture") -> None:
    if date_cloture is not None and date_ouverture is not None and date_cloture < date_ouverture:
        raise ValidationError({field: "La date de clôture doit être postérieure ou égale à la date d'ouverture."})


def _overlaps(queryset, date_ouverture, date_cloture):
    """Rows of `queryset` whose [ouverture, clôture) period meets [date_ouverture, date_cloture)."""
    queryset = queryset.exclude(date_cloture__isnull=False, date_cloture__lte=date_ouverture)
    if date_cloture is not None:
        queryset = queryset.filter(date_ouverture__lt=date_cloture)
    return queryset


def _snapshot(obj, fields) -> dict:
    return {name: (str(getattr(obj, name)) if getattr(obj, name) is not None else None) for name in fields}


def _lock_and_apply(obj, changes: dict, allowed, snapshot_fields):
    """Lock the row, refuse fields outside `allowed` (a programming error, not user input), apply the changes.

    Returns the locked, changed object and its snapshot before the change (for the journal)."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"Fields not modifiable here: {sorted(unknown)}")
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = _snapshot(locked, snapshot_fields)
    for name, value in changes.items():
        setattr(locked, name, value)
    return locked, before


@contextlib.contextmanager
def _integrity(message: dict):
    """The write in its own savepoint, and a constraint or trigger refusal (a concurrent write: exclusion constraints
    and triggers raise IntegrityError subclasses) turned into the French message of the rule, outside it.

    Only the savepoint is rolled back, by the inner atomic block, so the caller's transaction stays usable (the view
    renders the form again). Catching the error inside the savepoint instead left the transaction broken: the
    rollback itself raised TransactionManagementError, a 500 for every request that lost the race."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        raise ValidationError(message) from error


# --- Organisms and conventions (Caf agents) ---------------------------------------------------------------


@transaction.atomic
def organism_register(
    *,
    siret: str,
    nom: str,
    partner_type: PartnerType,
    departement: str,
    multi_departement: bool = False,
    actor=None,
    request=None,
    **fields,
) -> Organism:
    """Register a partner organism; its Caf pivot derives from the head office's department."""
    validate_siret(siret)
    if Organism.objects.filter(siret=siret).exists():
        raise ValidationError({"siret": "Un organisme avec ce SIRET existe déjà."})
    organism = Organism(
        siret=siret,
        nom=nom,
        partner_type=partner_type,
        departement=departement,
        multi_departement=multi_departement,
        **fields,
    )
    try:
        organism.caf_pivot = organism.pivot_caf()
    except Caf.DoesNotExist:
        raise ValidationError({"departement": "Aucune Caf ne correspond à ce département."}) from None
    organism.full_clean()
    with _integrity({"siret": "Un organisme avec ce SIRET existe déjà."}):
        organism.save()
    journal_write(Event.ORGANISM_REGISTERED, request=request, actor=actor, organism=organism, siret=siret, nom=nom)
    return organism


@transaction.atomic
def convention_create(
    *, organism: Organism, libelle: str | None = None, date_ouverture=None, actor=None, request=None
) -> Convention:
    """The single access convention of the organism, "En attente de validation"."""
    if Convention.objects.filter(organism=organism).exists():
        raise ValidationError({"organism": "Cet organisme a déjà une convention d'accès."})
    convention = Convention(
        organism=organism,
        libelle=libelle or organism.nom,
        caf_pivot=organism.caf_pivot,
        date_ouverture=date_ouverture or _today(),
    )
    with _integrity({"organism": "Cet organisme a déjà une convention d'accès."}):
        convention.save()
    journal_write(
        Event.CONVENTION_CREATED, request=request, actor=actor, organism=organism, libelle=convention.libelle
    )
    return convention


ETAT_TRANSITIONS = {
    Convention.Etat.EN_ATTENTE: {Convention.Etat.VALABLE, Convention.Etat.DENONCEE},
    Convention.Etat.VALABLE: {Convention.Etat.SUSPENDUE, Convention.Etat.DENONCEE},
    Convention.Etat.SUSPENDUE: {Convention.Etat.VALABLE, Convention.Etat.DENONCEE},
    Convention.Etat.DENONCEE: set(),
}


def _require_documents(
    convention: Convention, service_codes, *, field: str, what: str, override_reason: str, actor, request, **data
) -> None:
    """Refuse `what` while a required document is missing, unless the agent gives a reason: the dérogation is then
    journaled (DOCUMENTS_OVERRIDDEN: the missing documents, the reason, the action and the profiles it concerns)
    for the control plan's « conditions d'accès » axis (issue 17)."""
    missing = documents_missing(convention, service_codes)
    if not missing:
        return
    reason = (override_reason or "").strip()
    if not reason:
        several = len(missing) > 1
        raise ValidationError(
            {
                field: f"{what} : {'documents manquants' if several else 'document manquant'} "
                + ", ".join(f"« {name} »" for name in missing)
                + f". Enregistrez {'ces documents' if several else 'ce document'} dans « Documents reçus », ou "
                "indiquez le motif de la dérogation."
            }
        )
    journal_write(
        Event.DOCUMENTS_OVERRIDDEN,
        request=request,
        actor=actor,
        organism=convention.organism,
        missing=missing,
        reason=reason[:500],
        **data,
    )


@transaction.atomic
def convention_set_etat(
    convention: Convention, *, etat: str, date_validation=None, override_reason: str = "", actor=None, request=None
) -> Convention:
    """Validate, suspend or denounce the convention; a denounced convention stays so. It becomes "Valable" only
    with the signed convention, the contrat de service and the bulletins of each service it holds (or a reason
    to do without them: `_require_documents`)."""
    if etat != convention.etat and etat not in ETAT_TRANSITIONS[convention.etat]:
        labels = dict(Convention.Etat.choices)
        raise ValidationError(
            {"etat": f"Une convention « {labels[convention.etat]} » ne peut pas passer à l'état « {labels[etat]} »."}
        )
    if etat == Convention.Etat.VALABLE and convention.etat != Convention.Etat.VALABLE:
        held = list(
            ConventionProfile.objects.filter(convention=convention)
            .exclude(date_cloture__isnull=False, date_cloture__lte=_today())
            .order_by("profile__code")
            .values_list("profile__code", "profile__service__code")
        )
        _require_documents(
            convention,
            {service for _, service in held},
            field="etat",
            what="La convention ne peut pas être « Valable »",
            override_reason=override_reason,
            actor=actor,
            request=request,
            action="valable",
            profiles=[profile for profile, _ in held],
        )
    before = _snapshot(convention, ["etat", "date_validation"])
    convention.etat = etat
    if etat == Convention.Etat.VALABLE:
        convention.date_validation = date_validation or convention.date_validation or _today()
    convention.save(update_fields=["etat", "date_validation"])
    journal_write(
        Event.CONVENTION_CHANGED,
        request=request,
        actor=actor,
        organism=convention.organism,
        before=before,
        after=_snapshot(convention, ["etat", "date_validation"]),
    )
    return convention


@transaction.atomic
def convention_profile_open(
    convention: Convention,
    profile: Profile,
    *,
    date_ouverture=None,
    override_reason: str = "",
    actor=None,
    request=None,
) -> ConventionProfile:
    """The Caf grants the convention a (service, profile), once the service's documents are received (or with a
    reason to do without them: `_require_documents`)."""
    date_ouverture = date_ouverture or _today()
    if _overlaps(
        ConventionProfile.objects.filter(convention=convention, profile=profile), date_ouverture, None
    ).exists():
        raise ValidationError({"profile": "La convention détient déjà ce profil."})
    _require_documents(
        convention,
        {profile.service.code},
        field="profile",
        what=f"Le profil {profile.code} ne peut pas être accordé",
        override_reason=override_reason,
        actor=actor,
        request=request,
        action="profile_open",
        profiles=[profile.code],
    )
    with _integrity({"profile": "La convention détient déjà ce profil."}):
        convention_profile = ConventionProfile.objects.create(
            convention=convention, profile=profile, date_ouverture=date_ouverture
        )
    journal_write(
        Event.CONVENTION_PROFILE_OPENED,
        request=request,
        actor=actor,
        organism=convention.organism,
        profile=profile.code,
    )
    return convention_profile


@transaction.atomic
def convention_profile_close(
    convention_profile: ConventionProfile, *, date_cloture=None, actor=None, request=None
) -> ConventionProfile:
    """The convention loses a profile: every grant using it stops giving access (the access rule checks it)."""
    date_cloture = date_cloture or _today()
    _check_dates(convention_profile.date_ouverture, date_cloture)
    convention_profile.date_cloture = date_cloture
    convention_profile.save(update_fields=["date_cloture"])
    journal_write(
        Event.CONVENTION_PROFILE_CLOSED,
        request=request,
        actor=actor,
        organism=convention_profile.convention.organism,
        profile=convention_profile.profile.code,
        date_cloture=str(date_cloture),
    )
    return convention_profile


ORGANISM_CONTACT_FIELDS = ["adresse", "code_postal", "commune", "email"]


@transaction.atomic
def organism_contact_update(organism: Organism, *, actor=None, request=None, **changes) -> Organism:
    """Change an organism's contact data. Its SIRET, name, type, department and Caf pivot never change here."""
    organism, before = _lock_and_apply(organism, changes, ORGANISM_CONTACT_FIELDS, ORGANISM_CONTACT_FIELDS)
    organism.full_clean(validate_unique=False, validate_constraints=False)
    organism.save(update_fields=list(changes))
    journal_write(
        Event.ORGANISM_CHANGED,
        request=request,
        actor=actor,
        organism=organism,
        before=before,
        after=_snapshot(organism, ORGANISM_CONTACT_FIELDS),
    )
    return organism


@transaction.atomic
def convention_document_record(
    convention: Convention,
    *,
    kind: str,
    date_reception: datetime.date,
    service: Service | None = None,
    actor=None,
    request=None,
) -> ConventionDocument:
    """Record a document the Caf received: the signed convention, the contrat de service, one bulletin
    d'adhésion per service, a bulletin d'éligibilité for CDAP and AFAS."""
    Kind = ConventionDocument.Kind
    if kind in (Kind.BULLETIN_ADHESION, Kind.BULLETIN_ELIGIBILITE):
        if service is None:
            raise ValidationError({"service": "Indiquez le service de ce bulletin."})
        if kind == Kind.BULLETIN_ELIGIBILITE and service.code not in ELIGIBILITY_BULLETIN_SERVICES:
            raise ValidationError(
                {"service": "Un bulletin d'éligibilité ne concerne que Consulter Dossier et l'AFAS."}
            )
        if not convention.organism.partner_type.services_eligibles.filter(pk=service.pk).exists():
            raise ValidationError({"service": "Ce service n'est pas ouvert à ce type de partenaire."})
    elif service is not None:
        raise ValidationError({"service": "Ce document ne concerne pas un service en particulier."})
    if date_reception > _today():
        raise ValidationError({"date_reception": "La date de réception ne peut pas être dans le futur."})
    message = {"kind": "Ce document est déjà enregistré pour cette convention."}
    if ConventionDocument.objects.filter(convention=convention, kind=kind, service=service).exists():
        raise ValidationError(message)
    with _integrity(message):
        document = ConventionDocument.objects.create(
            convention=convention, kind=kind, service=service, date_reception=date_reception
        )
    journal_write(
        Event.CONVENTION_CHANGED,
        request=request,
        actor=actor,
        organism=convention.organism,
        document=kind,
        service=service.code if service else None,
        date_reception=str(date_reception),
    )
    return document


# --- Users ------------------------------------------------------------------------------------------------


USER_FIELDS = ["nom", "prenom", "email", "telephone", "poste", "date_ouverture", "date_cloture"]


@transaction.atomic
def partner_user_create(
    *,
    organism: Organism,
    nom: str,
    prenom: str,
    email: str,
    telephone: str = "",
    poste: str = User.Poste.SEDENTAIRE,
    date_ouverture=None,
    date_cloture=None,
    group: UserGroup | None = None,
    actor=None,
    request=None,
) -> User:
    """Create a partner user (identifiant and provisional password e-mailed), optionally into a group."""
    date_ouverture = date_ouverture or _today()
    _check_dates(date_ouverture, date_cloture)
    if group is not None and group.convention.organism_id != organism.pk:
        raise ValidationError({"group": "Ce groupe n'appartient pas à votre organisme."})
    if group is not None:  # the more telling refusal first: an account with one's own address, into one's group
        membership_self_grant(actor=actor, user=User(email=email), organism_id=organism.pk)
    user = account_create(
        prefix=organism.partner_type.identifiant_prefixe,
        caf=organism.caf_pivot,
        nom=nom,
        prenom=prenom,
        email=email,
        telephone=telephone,
        poste=poste,
        date_ouverture=date_ouverture,
        date_cloture=date_cloture,
        organism=organism,
        actor=actor,
        request=request,
    )
    journal_write(
        Event.USER_CREATED,
        request=request,
        user=user,
        actor=actor,
        organism=organism,
        after=_snapshot(user, ["identifiant", *USER_FIELDS]),
    )
    if group is not None:
        membership_add(
            user=user,
            group=group,
            date_ouverture=max(date_ouverture, group.date_ouverture),
            actor=actor,
            request=request,
        )
    return user


@transaction.atomic
def partner_user_update(user: User, *, actor=None, request=None, **changes) -> User:
    """Modify a partner user's data (never its identifiant, organism or rights). A new address, or a closed
    account reopened, must be personal (`accounts.email_check_personal`)."""
    user, before = _lock_and_apply(user, changes, USER_FIELDS, USER_FIELDS)
    _check_dates(user.date_ouverture, user.date_cloture)
    closed_before = (
        before["date_cloture"] is not None and datetime.date.fromisoformat(before["date_cloture"]) <= _today()
    )
    if holds_its_email(user) and (user.email.casefold() != before["email"].casefold() or closed_before):
        email_check_personal(user.email, exclude_pk=user.pk)
    if user.date_cloture is not None:
        _refuse_closing_a_responsable(user, user.date_cloture)
        _close_memberships(Membership.objects.filter(user=user), user.date_cloture, actor, request)
        for role in OrganismAdministrator.objects.filter(user=user).exclude(
            date_cloture__isnull=False, date_cloture__lte=user.date_cloture
        ):
            administrator_close(
                role, date_cloture=max(user.date_cloture, role.date_ouverture), actor=actor, request=request
            )
    user.full_clean(exclude=["password", "identifiant"])
    account_save(user, update_fields=list(changes))
    journal_write(
        Event.USER_CHANGED if user.date_cloture is None or before["date_cloture"] else Event.USER_CLOSED,
        request=request,
        user=user,
        actor=actor,
        organism=user.organism,
        before=before,
        after=_snapshot(user, USER_FIELDS),
    )
    return user


def partner_user_close(user: User, *, date_cloture=None, actor=None, request=None) -> User:
    """Close a user (never deleted): their memberships close with them."""
    return partner_user_update(user, date_cloture=date_cloture or _today(), actor=actor, request=request)


def _refuse_closing_a_responsable(user: User, date_cloture) -> None:
    groups = UserGroup.objects.filter(responsable=user).exclude(
        date_cloture__isnull=False, date_cloture__lte=date_cloture
    )
    names = ", ".join(g.code for g in groups)
    if names:
        raise ValidationError(
            {
                "date_cloture": f"Cet utilisateur est responsable d'habilitations du groupe {names} : "
                "désignez d'abord un autre responsable."
            }
        )


def _close_memberships(memberships, date_cloture, actor, request) -> None:
    """Close, at `date_cloture`, the memberships still open then (those that start later end the same day)."""
    for membership in memberships.select_for_update().exclude(
        date_cloture__isnull=False, date_cloture__lte=date_cloture
    ):
        before = _snapshot(membership, ["date_ouverture", "date_cloture"])
        membership.date_cloture = max(date_cloture, membership.date_ouverture)
        membership.save(update_fields=["date_cloture"])
        journal_write(
            Event.MEMBERSHIP_CLOSED,
            request=request,
            user=membership.user,
            actor=actor,
            organism=membership.group.convention.organism,
            group=membership.group.code,
            before=before,
            after=_snapshot(membership, ["date_ouverture", "date_cloture"]),
        )


# --- Administrators ---------------------------------------------------------------------------------------


@transaction.atomic
def administrator_name(
    *, organism: Organism, user: User, role: str, date_ouverture=None, date_cloture=None, actor=None, request=None
) -> OrganismAdministrator:
    """Name an administrator (principal or suppléant): at most two open at any date."""
    date_ouverture = date_ouverture or _today()
    _check_dates(date_ouverture, date_cloture)
    if user.organism_id != organism.pk:
        raise ValidationError({"user": "L'administrateur doit être un utilisateur de l'organisme."})
    Organism.objects.select_for_update().get(pk=organism.pk)  # serialises concurrent nominations
    current = _overlaps(OrganismAdministrator.objects.filter(organism=organism), date_ouverture, date_cloture)
    if current.filter(role=role).exists() or current.count() >= MAX_ADMINISTRATORS:
        raise ValidationError(
            {"role": "L'organisme a déjà deux administrateurs (un principal et un suppléant) sur cette période."}
        )
    with _integrity({"role": "L'organisme a déjà un administrateur avec ce rôle sur cette période."}):
        administrator = OrganismAdministrator.objects.create(
            organism=organism, user=user, role=role, date_ouverture=date_ouverture, date_cloture=date_cloture
        )
    if not user.is_partner_admin:
        user.is_partner_admin = True
        user.save(update_fields=["is_partner_admin"])
    journal_write(
        Event.ADMINISTRATOR_NAMED,
        request=request,
        user=user,
        actor=actor,
        organism=organism,
        role=role,
        after=_snapshot(administrator, ["date_ouverture", "date_cloture"]),
    )
    return administrator


@transaction.atomic
def administrator_close(administrator: OrganismAdministrator, *, date_cloture=None, actor=None, request=None):
    date_cloture = date_cloture or _today()
    _check_dates(administrator.date_ouverture, date_cloture)
    before = _snapshot(administrator, ["date_ouverture", "date_cloture"])
    administrator.date_cloture = date_cloture
    administrator.save(update_fields=["date_cloture"])
    user = administrator.user
    still_admin = (
        OrganismAdministrator.objects.filter(user=user)
        .exclude(date_cloture__isnull=False, date_cloture__lte=_today())
        .exists()
    )
    if not still_admin and user.is_partner_admin:
        # A planned (future) closing keeps the flag until a later close: the second factor stays required meanwhile.
        user.is_partner_admin = False
        user.save(update_fields=["is_partner_admin"])
    journal_write(
        Event.ADMINISTRATOR_CLOSED,
        request=request,
        user=administrator.user,
        actor=actor,
        organism=administrator.organism,
        role=administrator.role,
        before=before,
        after=_snapshot(administrator, ["date_ouverture", "date_cloture"]),
    )
    return administrator


# --- Groups, grants, memberships --------------------------------------------------------------------------

GROUP_FIELDS = ["code", "libelle", "niveau", "parent_id", "responsable_id", "date_ouverture", "date_cloture"]


def _check_responsable(convention: Convention, responsable: User, date_ouverture) -> None:
    if responsable.organism_id != convention.organism_id:
        raise ValidationError(
            {"responsable": "Le responsable d'habilitations doit être un utilisateur de l'organisme."}
        )
    if not responsable.is_open_on(max(date_ouverture, _today())):
        raise ValidationError({"responsable": "Le responsable d'habilitations doit être un utilisateur ouvert."})


def _check_parent(group: UserGroup, parent: UserGroup | None) -> None:
    if parent is None:
        return
    if parent.convention_id != group.convention_id:
        raise ValidationError({"parent": "Le groupe parent doit appartenir à la même convention."})
    ancestor = parent
    while ancestor is not None:
        if group.pk is not None and ancestor.pk == group.pk:
            raise ValidationError(
                {"parent": "Un groupe ne peut pas être un sous-groupe de lui-même ou de ses sous-groupes."}
            )
        ancestor = ancestor.parent


def _check_code_free(group: UserGroup) -> None:
    others = UserGroup.objects.filter(convention=group.convention, code__iexact=group.code)
    if group.pk:
        others = others.exclude(pk=group.pk)
    if _overlaps(others, group.date_ouverture, group.date_cloture).exists():
        raise ValidationError({"code": "Un groupe ouvert de la convention porte déjà ce code."})


@transaction.atomic
def group_create(
    *,
    convention: Convention,
    code: str,
    libelle: str,
    responsable: User,
    parent: UserGroup | None = None,
    date_ouverture=None,
    date_cloture=None,
    actor=None,
    request=None,
) -> UserGroup:
    """Create a group with its responsable d'habilitations (mandatory), optionally a sous-groupe."""
    date_ouverture = date_ouverture or _today()
    _check_dates(date_ouverture, date_cloture)
    group = UserGroup(
        convention=convention,
        code=code.strip().upper(),
        libelle=libelle.strip(),
        responsable=responsable,
        parent=parent,
        niveau=(parent.niveau + 1) if parent else 1,
        date_ouverture=date_ouverture,
        date_cloture=date_cloture,
    )
    _check_responsable(convention, responsable, date_ouverture)
    _check_parent(group, parent)
    # Serialises the creations of one convention's groups (same reason as in grant_assign: the exclusion constraint
    # on a code's periods can deadlock concurrent inserts); the loser then finds the code taken.
    Convention.objects.select_for_update().filter(pk=convention.pk).first()
    _check_code_free(group)
    with _integrity({"code": "Un groupe ouvert de la convention porte déjà ce code."}):
        group.save()
    journal_write(
        Event.GROUP_CREATED,
        request=request,
        user=responsable,
        actor=actor,
        organism=convention.organism,
        group=group.code,
        after=_snapshot(group, GROUP_FIELDS),
    )
    return group


@transaction.atomic
def group_update(group: UserGroup, *, actor=None, request=None, **changes) -> UserGroup:
    """Change a group's libellé, responsable, parent or dates (its code and convention stay)."""
    allowed = {"libelle", "responsable", "parent", "date_ouverture", "date_cloture"}
    group, before = _lock_and_apply(group, changes, allowed, GROUP_FIELDS)
    _check_dates(group.date_ouverture, group.date_cloture)
    if "date_ouverture" in changes and group.memberships.filter(date_ouverture__lt=group.date_ouverture).exists():
        raise ValidationError(
            {"date_ouverture": "Des appartenances à ce groupe commencent avant cette date : modifiez-les d'abord."}
        )
    if "responsable" in changes:
        _check_responsable(group.convention, group.responsable, group.date_ouverture)
    if "parent" in changes:
        _check_parent(group, group.parent)
        group.niveau = group.parent.niveau + 1 if group.parent else 1
        if group.children.exists():
            raise ValidationError({"parent": "Ce groupe a des sous-groupes : il ne peut pas changer de parent."})
    if group.date_cloture is not None:
        open_child = group.children.exclude(date_cloture__isnull=False, date_cloture__lte=group.date_cloture).first()
        if open_child is not None:
            raise ValidationError({"date_cloture": f"Clôturez d'abord le sous-groupe {open_child.code}."})
        _close_memberships(Membership.objects.filter(group=group), group.date_cloture, actor, request)
    with _integrity({"parent": "Ce changement créerait un cycle de sous-groupes ou un conflit de dates."}):
        group.save()
    journal_write(
        Event.GROUP_CLOSED if group.date_cloture and not before["date_cloture"] else Event.GROUP_CHANGED,
        request=request,
        actor=actor,
        organism=group.convention.organism,
        group=group.code,
        before=before,
        after=_snapshot(group, GROUP_FIELDS),
    )
    return group


def group_close(group: UserGroup, *, date_cloture=None, actor=None, request=None) -> UserGroup:
    return group_update(group, date_cloture=date_cloture or _today(), actor=actor, request=request)


@transaction.atomic
def grant_assign(
    group: UserGroup, convention_profile: ConventionProfile, *, date_ouverture=None, actor=None, request=None
) -> GroupGrant:
    """ "Assigner rôle": give the group one of its convention's profiles."""
    date_ouverture = date_ouverture or _today()
    # Concurrent assignments to one group wait for each other here: inserted side by side, the exclusion constraint
    # on the grants' periods made PostgreSQL detect deadlocks (a 500 for 19 of 20 contenders, tests/habilitations/
    # test_races.py); in turn, each loser sees the winner's grant and gets the French message.
    UserGroup.objects.select_for_update().filter(pk=group.pk).first()
    if convention_profile.convention_id != group.convention_id or not convention_profile.is_open_on(_today()):
        raise ValidationError({"convention_profile": "Ce profil n'est pas accordé à la convention de ce groupe."})
    if _overlaps(group.grants.filter(convention_profile=convention_profile), date_ouverture, None).exists():
        raise ValidationError({"convention_profile": "Le groupe détient déjà ce profil."})
    with _integrity({"convention_profile": "Le groupe détient déjà ce profil."}):
        grant = GroupGrant.objects.create(
            group=group, convention_profile=convention_profile, date_ouverture=date_ouverture
        )
    journal_write(
        Event.GRANT_ASSIGNED,
        request=request,
        actor=actor,
        organism=group.convention.organism,
        group=group.code,
        profile=convention_profile.profile.code,
    )
    return grant


@transaction.atomic
def grant_close(grant: GroupGrant, *, date_cloture=None, actor=None, request=None) -> GroupGrant:
    date_cloture = date_cloture or _today()
    _check_dates(grant.date_ouverture, date_cloture)
    grant.date_cloture = max(date_cloture, grant.date_ouverture)
    grant.save(update_fields=["date_cloture"])
    journal_write(
        Event.GRANT_CLOSED,
        request=request,
        actor=actor,
        organism=grant.group.convention.organism,
        group=grant.group.code,
        profile=grant.convention_profile.profile.code,
    )
    return grant


def _check_membership(user: User, group: UserGroup, date_ouverture, date_cloture, exclude_pk=None) -> None:
    if user.organism_id != group.convention.organism_id:
        raise ValidationError({"user": "Cet utilisateur n'appartient pas à l'organisme du groupe."})
    _check_dates(date_ouverture, date_cloture)
    if date_ouverture < group.date_ouverture or (
        group.date_cloture is not None and (date_cloture is None or date_cloture > group.date_cloture)
    ):
        raise ValidationError(
            {"date_ouverture": "Les dates de l'appartenance doivent être comprises dans celles du groupe."}
        )
    if date_ouverture < user.date_ouverture or (
        user.date_cloture is not None and (date_cloture is None or date_cloture > user.date_cloture)
    ):
        raise ValidationError(
            {"date_ouverture": "Les dates de l'appartenance doivent être comprises dans celles de l'utilisateur."}
        )
    overlapping = _overlaps(Membership.objects.filter(user=user, group=group), date_ouverture, date_cloture)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if overlapping.exists():
        raise ValidationError({"group": "Cet utilisateur appartient déjà à ce groupe sur cette période."})


def _default_cloture(user: User, group: UserGroup, date_cloture):
    """A membership without a closing date ends at the earliest planned closing of the user or the group."""
    if date_cloture is not None:
        return date_cloture
    planned = [d for d in (user.date_cloture, group.date_cloture) if d is not None]
    return min(planned) if planned else None


SELF_GRANT_REFUSED = (
    "Vous ne pouvez pas modifier votre propre habilitation : seul l'administrateur de votre organisme peut vous "
    "ajouter à un groupe ou prolonger votre appartenance."
)
SELF_GRANT_EMAIL_REFUSED = (
    "Cette adresse mail est la vôtre : seul l'administrateur de votre organisme peut ajouter à un groupe le compte "
    "qui la porte ou prolonger son appartenance."
)


def membership_self_grant(*, actor: User | None, user: User, organism_id: int, field: str = "user") -> bool:
    """Whether `actor` is giving themselves a membership (opening, extending or reopening one): `user` is their
    own account, or an account with their e-mail address (its identifiant and passwords reach them).

    Only an administrator of the organism may, and the journal row says so (`self_grant`). A responsable
    d'habilitations's delegation covers the other users' memberships, never their own rights: a ValidationError
    keyed by `field`. `user` may be unsaved (a line of an import that would create it). `actor=None` is the
    system (the demo seed, a command), never a person's request."""
    if actor is None:
        return False
    own_account = user.pk is not None and user.pk == actor.pk
    if not own_account and not (actor.email and actor.email.casefold() == user.email.casefold()):
        return False
    if not OrganismAdministrator.objects.open_on(_today()).filter(user=actor, organism_id=organism_id).exists():
        raise ValidationError({field: SELF_GRANT_REFUSED if own_account else SELF_GRANT_EMAIL_REFUSED})
    return True


def _self_grant_data(self_grant: bool) -> dict:
    """The journal's mark of a self grant, for supervision and the control plan (absent otherwise)."""
    return {"self_grant": True} if self_grant else {}


@transaction.atomic
def membership_add(
    *, user: User, group: UserGroup, date_ouverture=None, date_cloture=None, actor=None, request=None
) -> Membership:
    """ "Ajouter au groupe": open a membership of an existing user of the organism (never one's own, unless
    administrator of the organism: see `membership_self_grant`)."""
    date_ouverture = date_ouverture or _today()
    date_cloture = _default_cloture(user, group, date_cloture)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialises concurrent additions of one user
    self_grant = membership_self_grant(actor=actor, user=user, organism_id=group.convention.organism_id)
    _check_membership(user, group, date_ouverture, date_cloture)
    with _integrity({"group": "Cet utilisateur appartient déjà à ce groupe sur cette période."}):
        membership = Membership.objects.create(
            user=user, group=group, date_ouverture=date_ouverture, date_cloture=date_cloture
        )
    journal_write(
        Event.MEMBERSHIP_ADDED,
        request=request,
        user=user,
        actor=actor,
        organism=group.convention.organism,
        group=group.code,
        after=_snapshot(membership, ["date_ouverture", "date_cloture"]),
        **_self_grant_data(self_grant),
    )
    return membership


@transaction.atomic
def membership_update(membership: Membership, *, date_ouverture=None, date_cloture=None, actor=None, request=None):
    """ "Gérer l'appartenance": change the dates of a membership, or close it (nothing is deleted). On one's own
    membership, only closing it earlier needs no administrator (see `membership_self_grant`)."""
    membership = (
        Membership.objects.select_for_update().select_related("user", "group__convention").get(pk=membership.pk)
    )
    before = _snapshot(membership, ["date_ouverture", "date_cloture"])
    new_ouverture = date_ouverture or membership.date_ouverture
    moves_ouverture = new_ouverture != membership.date_ouverture
    closes_later = membership.date_cloture is not None and (
        date_cloture is None or date_cloture > membership.date_cloture
    )
    self_grant = (moves_ouverture or closes_later) and membership_self_grant(
        actor=actor,
        user=membership.user,
        organism_id=membership.group.convention.organism_id,
        field="date_ouverture" if moves_ouverture else "date_cloture",
    )
    _check_membership(membership.user, membership.group, new_ouverture, date_cloture, exclude_pk=membership.pk)
    membership.date_ouverture, membership.date_cloture = new_ouverture, date_cloture
    with _integrity({"date_cloture": "Ces dates chevauchent une autre appartenance au même groupe."}):
        membership.save(update_fields=["date_ouverture", "date_cloture"])
    journal_write(
        Event.MEMBERSHIP_CLOSED if date_cloture and not before["date_cloture"] else Event.MEMBERSHIP_CHANGED,
        request=request,
        user=membership.user,
        actor=actor,
        organism=membership.group.convention.organism,
        group=membership.group.code,
        before=before,
        after=_snapshot(membership, ["date_ouverture", "date_cloture"]),
        **_self_grant_data(self_grant),
    )
    return membership


def membership_close(membership: Membership, *, date_cloture=None, actor=None, request=None):
    return membership_update(
        membership,
        date_ouverture=membership.date_ouverture,
        date_cloture=max(date_cloture or _today(), membership.date_ouverture),
        actor=actor,
        request=request,
    )
