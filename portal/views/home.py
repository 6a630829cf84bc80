"""Home page "BIENVENUE" and "Mon profil"."""

from django.contrib import messages
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from habilitations import selectors
from habilitations.access.decorators import authenticated
from habilitations.journal import Event, JournalEntry, journal_write
from habilitations.models import BackupCodeDevice, User
from portal.context_processors import service_url
from portal.forms import EmailChangeForm, PhoneChangeForm
from portal.mail import email_queue, register_email_kind

EMAIL_CHANGE_SALT = "mcp.email-change"
EMAIL_CHANGE_MAX_AGE = 48 * 3600


MANAGER_TILE_DESCRIPTION = "Gérer les habilitations de vos collaborateurs."


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


@authenticated
def home(request):
    return render(request, "portal/home.html", {"tiles": home_tiles(request.access)})


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
            "email_form": EmailChangeForm(),
            "phone_form": PhoneChangeForm(initial={"telephone": user.telephone, "telephone_confirm": user.telephone}),
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "unused_codes": unused_codes,
            "grants": request.access.grants,
            "memberships": selectors.user_memberships(user),
        },
    )


@authenticated
def profile_email(request):
    """Modify the e-mail: a confirmation link goes to the new address; nothing changes until it is followed."""
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["email"]
        token = signing.dumps({"u": request.user.pk, "e": new}, salt=EMAIL_CHANGE_SALT)
        with transaction.atomic():
            email_queue(
                "email_change",
                to=new,
                user=request.user,
                context={"link": reverse("portal:profile_email_confirm", args=[token])},
            )
        messages.success(
            request, f"Un lien de confirmation a été envoyé à {new}. L'adresse changera quand vous l'aurez suivi."
        )
        return redirect("portal:profile")
    return render(request, "portal/profile_form.html", {"form": form, "title": "Modifier l'adresse mail"})


@authenticated
def profile_email_confirm(request, token):
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        data = None
    if not data or data.get("u") != request.user.pk:
        messages.error(request, "Ce lien de confirmation n'est pas valide ou a expiré.")
        return redirect("portal:profile")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=request.user.pk)
        before = user.email
        user.email = data["e"]
        user.save(update_fields=["email"])
        journal_write(
            Event.PROFILE_CHANGED, request=request, user=user, field="email", before=before, after=user.email
        )
    messages.success(request, "Votre adresse mail est modifiée.")
    return redirect("portal:profile")


@authenticated
def profile_phone(request):
    form = PhoneChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["telephone"] == request.user.telephone:
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
