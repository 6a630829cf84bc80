"""Home page "BIENVENUE" and "Mon profil"."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.mail.kinds import register_email_kind
from core.mail.queue import email_queue
from habilitations import selectors
from habilitations.access.decorators import authenticated
from habilitations.accounts import EMAIL_IN_USE, account_save, email_check_personal
from habilitations.journal import Event, JournalEntry, client_ip, journal_write
from habilitations.models import BackupCodeDevice, User
from portal.context_processors import service_url
from portal.forms import CurrentPasswordForm, EmailChangeForm, PhoneChangeForm

EMAIL_CHANGE_SALT = "mcp.email-change"
EMAIL_CHANGE_MAX_AGE = 48 * 3600


MANAGER_TILE_DESCRIPTION = "Gérer les habilitations de vos collaborateurs."
AGENT_TILE_DESCRIPTION = (
    "Enregistrer les organismes partenaires, valider leurs conventions, nommer leurs administrateurs et traiter "
    "les demandes des partenaires de votre Caf."
)


def agent_tile() -> dict:
    """ "ADMINISTRATION CAF": where a Caf agent works (the Django admin, behind the second factor)."""
    return {
        "code": "ADMINISTRATION_CAF",
        "title": "ADMINISTRATION CAF",
        "description": AGENT_TILE_DESCRIPTION,
        "url": reverse("admin:index"),
    }


def home_tiles(access) -> list[dict]:
    """The tiles of exactly what the user may do today: "Gestion des habilitations" for administrators and
    responsables, then one tile per service the rule of access opens (one query for their descriptions).

    A service whose screens are not built yet has no link (url None): its tile says so."""
    tiles = []
    if access.manages_habilitations:
        tiles.append(
            {
                "code": "HABILITATIONS",
                "title": "GESTION DES HABILITATIONS",
                "description": MANAGER_TILE_DESCRIPTION,
                "url": reverse("habilitations:index"),
            }
        )
    tiles.extend(
        {
            "code": service.code,
            "title": service.libelle.upper(),
            "description": service.description,
            "url": service_url(service.code),
        }
        for service in selectors.services_by_codes(access.services)
    )
    return tiles


def landlord_only(request) -> bool:
    """A landlord whose account opens the Espace Bailleur and nothing else: its home is the Espace Bailleur's."""
    access = request.access
    return not request.user.is_staff and access.services == {"BAILLEUR"} and not access.manages_habilitations


@authenticated
def home(request):
    if landlord_only(request):
        return redirect(service_url("BAILLEUR"))
    tiles = home_tiles(request.access)
    if request.user.is_staff:
        tiles.insert(0, agent_tile())
    return render(request, "portal/home.html", {"tiles": tiles})


@authenticated
def profile(request):
    user = request.user
    recent_logins = JournalEntry.objects.filter(user=user, event=Event.LOGIN_SUCCESS).order_by("-at")[:5]
    unused_codes = BackupCodeDevice.objects.filter(user=user, codes__used_at__isnull=True).count()
    return render(
        request,
        "portal/profile.html",
        {
            "recent_logins": recent_logins,
            "backup_codes_form": CurrentPasswordForm(request),
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "unused_codes": unused_codes,
            "grants": request.access.grants,
            "memberships": selectors.user_memberships(user),
        },
    )


def email_change_token(user: User, new: str) -> str:
    """The confirmation link's token: the account and the new address, signed with a salt made of the address
    the account has now. Once the account's address is another one (this change done, or any other), the token
    no longer verifies: it is single-use by construction, with no state to store."""
    return signing.dumps({"u": user.pk, "e": new}, salt=f"{EMAIL_CHANGE_SALT}:{user.email}")


def email_change_token_address(token: str, user: User) -> str | None:
    """The new address the token confirms for `user` as they are now, or None (forged, expired, another account's,
    or issued while the account had another address)."""
    try:
        data = signing.loads(token, salt=f"{EMAIL_CHANGE_SALT}:{user.email}", max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user.pk or not isinstance(data.get("e"), str):
        return None
    return data["e"]


@authenticated
@sensitive_post_parameters("current_password")
def profile_email(request):
    """Modify the e-mail: the password again, then a confirmation link goes to the new address; nothing changes
    until it is followed."""
    form = EmailChangeForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["email"]
        with transaction.atomic():
            email_queue(
                "email_change",
                to=new,
                user=request.user,
                context={
                    "link": reverse("portal:profile_email_confirm", args=[email_change_token(request.user, new)])
                },
            )
        messages.success(
            request, f"Un lien de confirmation a été envoyé à {new}. L'adresse changera quand vous l'aurez suivi."
        )
        return redirect("portal:profile")
    return render(request, "portal/profile_form.html", {"form": form, "title": "Modifier l'adresse mail"})


@authenticated
def profile_email_confirm(request, token):
    """The link followed: the address changes, and the previous address is told when and from where."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=request.user.pk)
        new = email_change_token_address(token, user)
        if new is None:
            messages.error(request, "Ce lien de confirmation n'est pas valide ou a expiré.")
            return redirect("portal:profile")
        before = user.email
        try:  # another account may have taken the address since the link was sent
            email_check_personal(new, exclude_pk=user.pk)
            user.email = new
            account_save(user, update_fields=["email"])
        except ValidationError:
            messages.error(request, f"{EMAIL_IN_USE} Votre adresse n'a pas été modifiée.")
            return redirect("portal:profile")
        journal_write(Event.PROFILE_CHANGED, request=request, user=user, field="email", before=before, after=new)
        email_queue(
            "email_changed",
            to=before,
            user=user,
            context={
                "changed_at": date_format(timezone.localtime(), r"j F Y \à H\hi"),
                "ip": client_ip(request),
            },
        )
    messages.success(request, "Votre adresse mail est modifiée.")
    return redirect("portal:profile")


@authenticated
@sensitive_post_parameters("current_password")
def profile_phone(request):
    current = request.user.telephone
    form = PhoneChangeForm(
        request,
        request.POST if request.method == "POST" else None,
        initial={"telephone": current, "telephone_confirm": current},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["telephone"] == current:
            messages.info(request, "Le numéro de téléphone est inchangé.")
            return redirect("portal:profile")
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=request.user.pk)
            before = user.telephone
            user.telephone = form.cleaned_data["telephone"]
            user.save(update_fields=["telephone"])
            journal_write(
                Event.PROFILE_CHANGED,
                request=request,
                user=user,
                field="telephone",
                before=before,
                after=user.telephone,
            )
        messages.success(request, "Votre numéro de téléphone est modifié.")
        return redirect("portal:profile")
    return render(request, "portal/profile_form.html", {"form": form, "title": "Modifier le téléphone"})


register_email_kind(
    "email_change", subject="Mon Compte Partenaire : confirmez votre nouvelle adresse mail", template="email_change"
)
# To the previous address; the subject names no one (it may reach a mailbox the account no longer controls).
register_email_kind(
    "email_changed", subject="Mon Compte Partenaire : votre adresse mail a été modifiée", template="email_changed"
)
