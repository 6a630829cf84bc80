"""What the Caf's agents publish for their partners, and what partners ask of their Caf (issue 21): the Caf's
contacts (centre de services, contacts per service), the information banners, the administrator change requests.

Writes as in `habilitations.services`: keyword-only, atomic, one journal row each, French refusals keyed by field.
An agent acts for their own Caf; a national agent (superuser) for any, and alone publishes national banners."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.mail.kinds import register_email_kind
from core.mail.queue import email_queue
from habilitations import services
from habilitations.journal import journal_write
from habilitations.models import (
    AdministratorChangeRequest,
    Caf,
    CafServiceContact,
    GroupGrant,
    InformationBanner,
    Membership,
    Organism,
    OrganismAdministrator,
    User,
    UserGroup,
)

CAF_CONTACT_CHANGED = "ref.caf_contact_changed"
SERVICE_CONTACT_SAVED = "ref.service_contact_saved"
BANNER_PUBLISHED = "ref.banner_published"
BANNER_CHANGED = "ref.banner_changed"
ADMIN_CHANGE_REQUESTED = "hab.administrator_change_requested"
ADMIN_CHANGE_TREATED = "hab.administrator_change_treated"
QUALIFICATION_ATTESTED = "hab.qualification_attested"
QUALIFICATION_REQUIRED = "Confirmez que l'utilisateur détient la qualification requise pour le profil {profils}."
# The box the person ticks (the admin's forms and the partners' screens): the profiles named once the group is known.
QUALIFICATION_LABEL = "L'utilisateur détient la qualification requise pour le profil CDAP du groupe"
QUALIFICATION_LABEL_FOR = "L'utilisateur détient la qualification requise pour le profil {profils}"
QUALIFICATION_HELP = (
    "À cocher quand le groupe donne un profil Consulter Dossier (par exemple, pour un profil T1, un diplôme relevant "
    "de ce profil) : votre attestation est enregistrée avec votre nom et la date."
)

# What an agent edits of their Caf's reference data: its contacts, never its code, name or department.
CAF_CONTACT_FIELDS = [
    "email",
    "telephone",
    "adresse_postale",
    "horaires_accueil",
    "centre_services_jours",
    "centre_services_horaires",
    "centre_services_telephone",
    "centre_services_email",
]
BANNER_FIELDS = ["caf", "niveau", "titre", "message", "debut", "fin"]
OTHER_CAF = "Vous ne pouvez agir que pour votre Caf."
BANNER_END_BEFORE_START = "La fin de l'affichage doit être postérieure à son début."
NATIONAL_ONLY = "Seul un agent national publie un bandeau national : choisissez votre Caf."


def _text(value) -> str | None:
    return None if value is None else str(value)


def _check_caf(actor: User | None, caf: Caf | None, field: str = "caf") -> None:
    if actor is None or actor.is_superuser:
        return
    if caf is None:
        raise ValidationError({field: NATIONAL_ONLY})
    if caf.pk != actor.caf_id:
        raise ValidationError({field: OTHER_CAF})


@transaction.atomic
def caf_contact_update(caf: Caf, *, actor=None, request=None, **changes) -> Caf:
    """The Caf's contacts and centre de services, edited by its agents."""
    unknown = set(changes) - set(CAF_CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Fields not modifiable here: {sorted(unknown)}")
    _check_caf(actor, caf)
    caf = Caf.objects.select_for_update().get(pk=caf.pk)
    before = {name: getattr(caf, name) for name in changes}
    for name, value in changes.items():
        setattr(caf, name, value)
    caf.save(update_fields=list(changes))
    journal_write(
        CAF_CONTACT_CHANGED, request=request, user=actor, actor=actor, caf=caf.code, before=before, after=changes
    )
    return caf


@transaction.atomic
def service_contact_save(contact: CafServiceContact, *, actor=None, request=None) -> CafServiceContact:
    """Create or change the contact of a Caf for one service (one per Caf and service)."""
    _check_caf(actor, contact.caf)
    duplicates = CafServiceContact.objects.filter(caf=contact.caf, service=contact.service).exclude(pk=contact.pk)
    if duplicates.exists():
        raise ValidationError({"service": "Ce service a déjà son contact pour cette Caf : modifiez-le."})
    created = contact.pk is None
    contact.save()
    journal_write(
        SERVICE_CONTACT_SAVED,
        request=request,
        user=actor,
        actor=actor,
        caf=contact.caf.code,
        service=contact.service.code,
        created=created,
        after={"pole": contact.pole, "email": contact.email, "telephone": contact.telephone},
    )
    return contact


def _check_banner(banner: InformationBanner, actor) -> None:
    _check_caf(actor, banner.caf)
    if banner.debut and banner.fin and banner.fin <= banner.debut:
        raise ValidationError({"fin": BANNER_END_BEFORE_START})


@transaction.atomic
def banner_save(banner: InformationBanner, *, actor=None, request=None) -> InformationBanner:
    """Publish a banner (national: national agents only) or change one; ending it = an earlier « affiché jusqu'au »."""
    created = banner.pk is None
    if not created:
        stored = InformationBanner.objects.select_for_update().get(pk=banner.pk)
        _check_caf(actor, stored.caf)  # another Caf's banner is never changed, nor moved to one's own
    _check_banner(banner, actor)
    if created:
        banner.published_by = actor
        banner.published_at = timezone.now()
    banner.save()
    journal_write(
        BANNER_PUBLISHED if created else BANNER_CHANGED,
        request=request,
        user=actor,
        actor=actor,
        caf=banner.caf.code if banner.caf else "national",
        banner=banner.pk,
        after={name: _text(getattr(banner, name)) for name in ["titre", "debut", "fin", "niveau"]},
    )
    return banner


def open_administrators(organism: Organism, day: datetime.date | None = None):
    """The organism's administrators today (principal and suppléant)."""
    return administrators_of([organism], day).select_related("user")


def administrators_of(organisms, day: datetime.date | None = None):
    """The open administrator roles of `organisms` (a queryset or a list) on `day`."""
    day = day or timezone.localdate()
    return OrganismAdministrator.objects.open_on(day).filter(organism__in=organisms)


@transaction.atomic
def administrator_change_request(
    *,
    organism: Organism,
    sortant: User,
    entrant_nom: str,
    entrant_prenom: str,
    entrant_email: str,
    entrant_telephone: str = "",
    date_effet: datetime.date,
    commentaire: str = "",
    actor: User,
    request=None,
) -> AdministratorChangeRequest:
    """ "Signaler un changement d'administrateur": an administrator tells the Caf who leaves and who comes from when;
    queued for the Caf pivot's agents (an amendment to the convention, then the newcomer named)."""
    if not open_administrators(organism).filter(user=sortant).exists():
        raise ValidationError({"sortant": "Choisissez l'un des administrateurs actuels de votre organisme."})
    if date_effet < timezone.localdate():
        raise ValidationError({"date_effet": "La date du changement ne peut pas être passée."})
    change = AdministratorChangeRequest.objects.create(
        organism=organism,
        sortant=sortant,
        entrant_nom=entrant_nom,
        entrant_prenom=entrant_prenom,
        entrant_email=entrant_email,
        entrant_telephone=entrant_telephone,
        date_effet=date_effet,
        commentaire=commentaire,
        requested_by=actor,
    )
    journal_write(
        ADMIN_CHANGE_REQUESTED,
        request=request,
        user=sortant,
        actor=actor,
        organism=organism,
        change=change.pk,
        date_effet=str(date_effet),
        entrant=f"{entrant_prenom} {entrant_nom}",
    )
    return change


@transaction.atomic
def administrator_change_treat(change: AdministratorChangeRequest, *, actor: User, request=None) -> bool:
    """The agent marks the request treated (once); False when it already was."""
    change = AdministratorChangeRequest.objects.select_for_update().select_related("organism").get(pk=change.pk)
    _check_caf(actor, change.organism.caf_pivot)
    if change.statut == AdministratorChangeRequest.Statut.TRAITEE:
        return False
    change.statut = AdministratorChangeRequest.Statut.TRAITEE
    change.treated_by, change.treated_at = actor, timezone.now()
    change.save(update_fields=["statut", "treated_by", "treated_at"])
    journal_write(
        ADMIN_CHANGE_TREATED,
        request=request,
        user=change.sortant,
        actor=actor,
        organism=change.organism,
        change=change.pk,
    )
    return True


# --- The qualification attested (guide 000: « pour un profil T1, je dois m'assurer que les utilisateurs soient
# détenteurs d'un diplôme relevant de ce profil ») ---------------------------------------------------------------


def group_cdap_profiles(group: UserGroup, day: datetime.date | None = None) -> list[str]:
    """The CDAP profiles a member of `group` holds through it on `day`: its grants and its ancestors' (a sub-group's
    members get its parents' grants, as in the access context), in code order."""
    day = day or timezone.localdate()
    ids, current = [], group
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    codes = (
        GroupGrant.objects.open_on(day)
        .filter(group_id__in=ids, convention_profile__profile__service__code="CDAP")
        .values_list("convention_profile__profile__code", flat=True)
        .distinct()
    )
    return sorted(codes)


def qualification_label(profiles: list[str]) -> str:
    return ", ".join(profiles)


def membership_qualification_attest(membership: Membership, profiles: list[str], *, actor, request=None) -> Membership:
    """Keep on `membership` that `actor` attests, now, the qualification `profiles` require; journaled. Called
    inside the transaction that adds the membership (the forms above, the bulk import)."""
    membership.qualification_profils = qualification_label(profiles)[:200]
    membership.qualification_attestee_par = actor
    membership.qualification_attestee_le = timezone.now()
    membership.save(update_fields=["qualification_profils", "qualification_attestee_par", "qualification_attestee_le"])
    journal_write(
        QUALIFICATION_ATTESTED,
        request=request,
        user=membership.user,
        actor=actor,
        organism=membership.group.convention.organism,
        group=membership.group.code,
        membership=membership.pk,
        profils=profiles,
    )
    return membership


@transaction.atomic
def membership_add_attested(
    *,
    user: User,
    group: UserGroup,
    qualification_attestee: bool,
    date_ouverture=None,
    date_cloture=None,
    actor: User,
    request=None,
) -> Membership:
    """ "Ajouter au groupe" by a person (administrator, responsable, Caf agent): when the group gives CDAP profiles,
    the person attests the user holds the qualification they require, or nothing is written; who and when are kept
    on the membership and journaled. Then `services.membership_add`'s rules."""
    profiles = group_cdap_profiles(group, date_ouverture)
    missing = {"qualification": [QUALIFICATION_REQUIRED.format(profils=qualification_label(profiles))]}
    try:
        membership = services.membership_add(
            user=user,
            group=group,
            date_ouverture=date_ouverture,
            date_cloture=date_cloture,
            actor=actor,
            request=request,
        )
    except ValidationError as error:  # every refusal at once: the dates' and the box's
        raise ValidationError(
            error.update_error_dict(dict(missing) if profiles and not qualification_attestee else {})
        ) from None
    if profiles and not qualification_attestee:
        raise ValidationError(missing)  # the transaction is rolled back: nothing written
    return (
        membership_qualification_attest(membership, profiles, actor=actor, request=request) if profiles else membership
    )


@transaction.atomic
def partner_user_create_attested(
    *, organism: Organism, group: UserGroup | None, qualification_attestee: bool, actor: User, request=None, **fields
) -> User:
    """ "Créer un utilisateur partenaire", optionally into a group, with the qualification attested as above."""
    if group is not None and group.convention.organism_id != organism.pk:
        raise ValidationError({"group": "Ce groupe n'appartient pas à cet organisme."})
    profiles = group_cdap_profiles(group) if group is not None else []
    missing = {"qualification": [QUALIFICATION_REQUIRED.format(profils=qualification_label(profiles))]}
    missing = missing if profiles and not qualification_attestee else {}
    try:  # the services' rules and their order (one's own address into one's group is refused first)
        user = services.partner_user_create(organism=organism, group=group, actor=actor, request=request, **fields)
    except ValidationError as error:  # the account's refusals and the box's at once
        raise ValidationError(error.update_error_dict(dict(missing))) from None
    if missing:
        raise ValidationError(missing)  # the transaction is rolled back: no account, no membership, no e-mail
    if profiles:
        membership_qualification_attest(
            Membership.objects.get(user=user, group=group), profiles, actor=actor, request=request
        )
    return user


# --- « Contacter ma Caf » (webinar 004:942): any logged-in user writes to their Caf ----------------------------------

CAF_CONTACT_SENT = "portal.caf_contact_sent"
CAF_CONTACT_NO_ADDRESS = (
    "Votre Caf n'a pas encore d'adresse de contact dans Mon Compte Partenaire : appelez son centre de services ou "
    "écrivez-lui depuis la rubrique « Ma Caf »."
)


def caf_contact_recipient(caf: Caf, service_code: str = "") -> str:
    """The address a message goes to: the Caf's contact for that service when it has one, else its centre de
    services, else its Mon Compte Partenaire contact; "" when the Caf has none."""
    if service_code:
        contact = CafServiceContact.objects.filter(caf=caf, service__code=service_code).first()
        if contact is not None:
            return contact.email
    return caf.centre_services_email or caf.email


@transaction.atomic
def caf_contact_send(*, user: User, service_code: str, objet: str, message: str, request=None) -> str:
    """ "Contacter ma Caf": the message goes to the contact of the account's Caf with the authenticated sender only
    (identifiant, name, organism and the account's address, never typed: nobody writes as someone else), Reply-To
    the account's address; queued after commit and journaled. Returns the recipient."""
    caf = Caf.objects.get(pk=user.caf_id)
    to = caf_contact_recipient(caf, service_code)
    if not to:
        raise ValidationError({"message": CAF_CONTACT_NO_ADDRESS})
    organism = user.organism
    email_queue(
        "caf_contact",
        to=to,
        user=user,
        context={
            "expediteur": f"{user.identifiant}, {user.nom.upper()} {user.prenom}",
            "organisme": organism.nom if organism else "—",
            "email": user.email,
            "service": service_code,
            "objet": objet,
            "message": message,
        },
    )
    journal_write(
        CAF_CONTACT_SENT,
        request=request,
        user=user,
        actor=user,
        organism=organism,
        caf=caf.code,
        service=service_code,
        to=to,
    )
    return to


register_email_kind(
    "caf_contact",
    subject="Mon Compte Partenaire : message d'un partenaire (Contacter ma Caf)",
    template="caf_contact",
    reply_to="email",
)
