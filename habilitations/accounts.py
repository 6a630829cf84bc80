"""Account services: identifiants, provisional passwords, password changes. Every write journaled."""

import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.mail.kinds import register_email_kind
from core.mail.queue import email_queue
from habilitations.journal import Event, journal_write
from habilitations.models import Caf, IssuedIdentifiant, User
from habilitations.passwords import generate_provisional_password
from habilitations.selectors import email_holders, holds_its_email

# No 0/O, no 1/I/L: the guides warn users about them.
IDENTIFIANT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
IDENTIFIANT_PREFIXES = {"LOG", "ENF", "ACC", "CAF"}


def identifiant_generate(*, prefix: str, caf: Caf) -> str:
    """Reserve a new identifiant: prefix + Caf code + 4 random characters, unique for ever."""
    if prefix not in IDENTIFIANT_PREFIXES:
        raise ValueError(f"Unknown identifiant prefix {prefix!r}")
    for _ in range(50):
        candidate = prefix + caf.code + "".join(secrets.choice(IDENTIFIANT_ALPHABET) for _ in range(4))
        try:
            with transaction.atomic():
                IssuedIdentifiant.objects.create(value=candidate)
        except IntegrityError:
            continue
        if not User.objects.filter(identifiant=candidate).exists():
            return candidate
    raise RuntimeError("No free identifiant found")


# Guide 001: « Chaque utilisateur doit être créé avec une adresse électronique personnelle. »
EMAIL_IN_USE = (
    "Cette adresse mail est déjà celle d'un autre compte ouvert du portail : chaque utilisateur a sa propre "
    "adresse électronique personnelle."
)
# The PostgreSQL trigger holding the same rule against concurrent writes (migration 0012).
EMAIL_TRIGGER = "user_email_personal"


def email_check_personal(email: str, *, exclude_pk=None, field: str = "email") -> None:
    """Refuse an address that another open account of the portal already has (closed accounts do not count)."""
    if email and email_holders(email, exclude_pk=exclude_pk).exists():
        raise ValidationError({field: EMAIL_IN_USE})


def account_save(user: User, **save_kwargs) -> None:
    """Save `user`; the trigger's refusal of a shared address (another transaction took it meanwhile) becomes the
    rule's French message, in a savepoint so that the caller's transaction stays usable."""
    try:
        with transaction.atomic():
            user.save(**save_kwargs)
    except IntegrityError as error:
        if EMAIL_TRIGGER in str(error):
            raise ValidationError({"email": EMAIL_IN_USE}) from error
        raise


@transaction.atomic
def account_create(*, prefix: str, caf: Caf, nom: str, prenom: str, email: str, actor=None, request=None, **fields):
    """Create an account with no usable password; the identifiant and a provisional password are e-mailed. Its
    address must be personal: no other open account has it (`email_check_personal`)."""
    user = User(
        identifiant=identifiant_generate(prefix=prefix, caf=caf),
        caf=caf,
        nom=nom,
        prenom=prenom,
        email=email,
        **fields,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    if holds_its_email(user):
        email_check_personal(user.email)
    account_save(user)
    journal_write(Event.ACCOUNT_CREATED, request=request, user=user, actor=actor, identifiant=user.identifiant)
    identifiant_send(user, request=request, actor=actor)
    email_queue("provisional_password", to=user.email, user=user)
    return user


def identifiant_send(user: User, *, request=None, actor=None) -> None:
    """E-mail the identifiant (never the password): at creation and on "Renvoi de l'identifiant par mail"."""
    email_queue("identifiant", to=user.email, user=user)
    journal_write(Event.IDENTIFIANT_SENT, request=request, user=user, actor=actor, identifiant=user.identifiant)


def provisional_password_issue(user: User) -> str:
    """Give the account a fresh provisional password, valid 24 hours. The clear value is only in the e-mail, and
    encrypted in its outbox row until it is sent (core.mail): every copy of the message carries this password."""
    password = generate_provisional_password()
    user.set_password(password)
    user.provisional_password_expires_at = timezone.now() + settings.PROVISIONAL_PASSWORD_VALIDITY
    user.save(update_fields=["password", "provisional_password_expires_at"])
    journal_write(Event.PROVISIONAL_PASSWORD_ISSUED, user=user, identifiant=user.identifiant)
    return password


def provisional_password_request(user: User, *, request=None) -> None:
    """Queue a provisional-password e-mail (forgotten password). The password is generated at its first delivery
    attempt, once for the row (`_prepare_provisional_password`)."""
    email_queue("provisional_password", to=user.email, user=user, key=f"provisional_password:{uuid.uuid4()}")


@transaction.atomic
def password_change(user: User, new_password: str, *, request=None) -> None:
    """Set a personal password. The session auth hash changes, which ends every other session of the user."""
    user.set_password(new_password)
    user.provisional_password_expires_at = None
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "provisional_password_expires_at", "password_changed_at"])
    journal_write(Event.PASSWORD_CHANGED, request=request, user=user, actor=user, identifiant=user.identifiant)
    email_queue(
        "password_changed", to=user.email, user=user, context={"changed_at": user.password_changed_at.isoformat()}
    )


def password_forgotten_request(*, email: str, identifiant: str = "", request=None) -> None:
    """ "Mot de passe oublié ?": one provisional password for the one open account with this address (and this
    identifiant, when given). While an address still has several accounts (created before the rule of the personal
    address), none is reset: the address receives its identifiants and is asked to request again with one. The
    page says the same whatever happens (no account enumeration); the view journals the request."""
    holders = [user for user in email_holders(email).order_by("identifiant") if user.is_open]
    if identifiant:
        holders = [user for user in holders if user.identifiant == identifiant.strip().upper()]
    if len(holders) == 1:
        provisional_password_request(holders[0], request=request)
    elif holders:
        email_queue(
            "several_accounts",
            to=holders[0].email,
            context={"identifiants": [user.identifiant for user in holders]},
        )


def _prepare_provisional_password(email) -> dict:
    """Called once per e-mail row (core.mail keeps the result encrypted for every attempt of that row)."""
    user = User.objects.select_for_update().get(pk=email.user_id)
    return {
        "password": provisional_password_issue(user),
        "valid_hours": int(settings.PROVISIONAL_PASSWORD_VALIDITY.total_seconds() // 3600),
    }


register_email_kind("identifiant", subject="Mon Compte Partenaire : votre identifiant", template="identifiant")
register_email_kind(
    "provisional_password",
    subject="Mon Compte Partenaire : votre mot de passe provisoire",
    template="provisional_password",
    prepare=_prepare_provisional_password,
)
register_email_kind(
    "password_changed", subject="Mon Compte Partenaire : votre mot de passe a été modifié", template="password_changed"
)
register_email_kind(
    "several_accounts",
    subject="Mon Compte Partenaire : plusieurs comptes utilisent votre adresse mail",
    template="several_accounts",
)
