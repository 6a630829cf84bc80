"""Login, logout, passwords, second factor and session extension."""

import base64
import io
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.ratelimit import hourly_limit_exceeded as _rate_limited  # « Mot de passe oublié ? », Contacter ma Caf
from core.redirects import safe_next
from habilitations.access.decorators import authenticated, public, setup_step
from habilitations.accounts import password_change, password_forgotten_request
from habilitations.journal import Event, journal_write
from habilitations.models import BackupCodeDevice
from portal.forms import (
    CurrentPasswordForm,
    LoginForm,
    OtpEnrolmentForm,
    OtpTokenForm,
    PasswordChangeForm,
    PasswordForgottenForm,
)
from portal.middleware import SESSION_LOGIN_AT, session_start, session_touch

# How long after the login the second factor may be enrolled without typing the password again.
OTP_ENROLMENT_AFTER_LOGIN = 10 * 60

EXPIRY_MESSAGES = {
    "inactivite": "Par mesure de sécurité, vous avez été déconnecté après 30 minutes sans activité. "
    "Reconnectez-vous pour continuer.",
    "duree": "Par mesure de sécurité, votre session a été fermée après 12 heures de connexion. Reconnectez-vous.",
    "compte_clos": "Votre compte n'est pas ouvert ou a été clôturé. Contactez l'administrateur de votre organisme.",
    "deconnexion": "Vous êtes déconnecté. À bientôt sur Mon Compte Partenaire.",
}
LOCKOUT_MESSAGE = (
    "Suite à 5 tentatives de connexion infructueuses, votre identifiant est verrouillé pendant 15 minutes. "
    "Réessayez plus tard ou cliquez sur « Mot de passe oublié ? » pour recevoir un mot de passe provisoire."
)


# Where the login leads once the account's steps (personal password, second factor) are done: kept in the session,
# since those steps come in between.
SESSION_AFTER_LOGIN = "_mcp_after_login"


def default_landing(user) -> str:
    """A Caf agent works in the administration; everybody else starts on BIENVENUE."""
    return reverse("admin:index") if user.is_staff else reverse("portal:home")


def after_login(request) -> str:
    """The page the login asked for ("Mettre à jour votre mot de passe", a `next=`), once; else the user's
    landing page."""
    return request.session.pop(SESSION_AFTER_LOGIN, None) or default_landing(request.user)


def _login_page(request, *, bailleur: bool):
    if request.user.is_authenticated and request.method == "GET":
        return redirect("portal:home")
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend="habilitations.backends.IdentifiantBackend")
        session_start(request)
        if form.cleaned_data["update_password"]:
            target = reverse("portal:password_change")
        else:
            target = safe_next(request, default_landing(form.user))
        request.session[SESSION_AFTER_LOGIN] = target
        return redirect(target)
    notice = EXPIRY_MESSAGES.get(request.GET.get("raison", ""))
    template = "portal/login_bailleur.html" if bailleur else "portal/login.html"
    return render(request, template, {"form": form, "notice": notice, "next": safe_next(request, "")})


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    return _login_page(request, bailleur=False)


@public
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_bailleur(request):
    return _login_page(request, bailleur=True)


def lockout_response(request, response=None, credentials=None):
    """django-axes calls this when an identifiant is locked: the login page with the lockout message."""
    form = LoginForm(request)
    template = "portal/login_bailleur.html" if "bailleur" in request.path else "portal/login.html"
    return render(request, template, {"form": form, "lockout": LOCKOUT_MESSAGE}, status=429)


@setup_step
@require_POST
def logout_view(request):
    logout(request)
    response = redirect(f"{reverse('portal:login')}?raison=deconnexion")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@setup_step
@sensitive_post_parameters()
def password_first(request):
    """First login with a provisional password: choose a personal one before anything else."""
    user = request.user
    if not user.has_provisional_password:
        return redirect("portal:home")
    form = _new_password_form(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_change(user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, user)
        messages.success(request, "Votre mot de passe personnel est enregistré.")
        if request.session.get(SESSION_AFTER_LOGIN) == reverse("portal:password_change"):
            request.session.pop(SESSION_AFTER_LOGIN)  # just done: the password is the personal one
        if user.requires_otp and not user.is_verified():
            return redirect("portal:otp_verify")
        return redirect(after_login(request))
    return render(request, "portal/password_first.html", {"form": form})


def _new_password_form(user, data):
    from portal.forms import NewPasswordMixin

    form = NewPasswordMixin(data)
    form.user = user
    return form


@authenticated
@sensitive_post_parameters()
def password_change_view(request):
    """ "Modifier le mot de passe" in Mon profil: current password, new password twice."""
    form = PasswordChangeForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        password_change(request.user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, request.user)
        messages.success(request, "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.")
        return redirect("portal:profile")
    return render(request, "portal/password_change.html", {"form": form})


@public
def password_forgotten(request):
    """ "Mot de passe oublié ?": the same answer whether or not the address belongs to an account (one account:
    its reset; several: their identifiants, and the request to give one — `password_forgotten_request`)."""
    form = PasswordForgottenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        from habilitations.journal import client_ip

        limited = _rate_limited(f"pwreset:ip:{client_ip(request)}", settings.PASSWORD_RESET_RATE_PER_IP)
        limited = _rate_limited(f"pwreset:email:{email}", settings.PASSWORD_RESET_RATE_PER_EMAIL) or limited
        journal_write(Event.PASSWORD_RESET_REQUESTED, request=request, rate_limited=limited)
        if not limited:
            with transaction.atomic():
                password_forgotten_request(
                    email=email, identifiant=form.cleaned_data.get("identifiant", ""), request=request
                )
        return redirect("portal:password_forgotten_done")
    return render(request, "portal/password_forgotten.html", {"form": form})


@public
def password_forgotten_done(request):
    return render(request, "portal/password_forgotten_done.html")


def _qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _otp_complete(request, device) -> None:
    otp_login(request, device)
    # A new session key once the second factor is verified.
    request.session.cycle_key()
    session_touch(request, force=True)


def _login_is_recent(request) -> bool:
    return time.time() - request.session.get(SESSION_LOGIN_AT, 0) <= OTP_ENROLMENT_AFTER_LOGIN


@setup_step
@sensitive_post_parameters("current_password")
def otp_setup(request):
    """Enrol the TOTP application (QR code + manual key), then show the backup codes once.

    Right after the login (its usual place: the first login) the password was just typed; later, it is asked
    again, so that whoever sits at a session left open cannot bind their own application to the account."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("portal:otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    data = request.POST if request.method == "POST" else None
    form = OtpTokenForm(data) if _login_is_recent(request) else OtpEnrolmentForm(request, data)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            backup, _ = BackupCodeDevice.objects.get_or_create(user=user, defaults={"name": "Codes de secours"})
            codes = backup.generate_codes()
            journal_write(Event.OTP_ENROLLED, request=request, user=user, actor=user, identifiant=user.identifiant)
            _otp_complete(request, device)
            return render(
                request,
                "portal/otp_backup_codes.html",
                {"codes": codes, "first": True, "continue_url": after_login(request)},
            )
        journal_write(Event.OTP_FAILED, request=request, user=user, actor=user, identifiant=user.identifiant)
        form.add_error(
            "token", "Ce code n'est pas valide. Saisissez le code affiché à l'instant par votre application."
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "portal/otp_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@setup_step
def otp_verify(request):
    user = request.user
    if not user.requires_otp or user.is_verified():
        return redirect("portal:home")
    totp_devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if not totp_devices:
        return redirect("portal:otp_setup")
    form = OtpTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        # Six digits: the application's code; anything else: a backup code. Each kind is throttled on its own.
        devices = totp_devices if token.isdigit() else list(BackupCodeDevice.objects.filter(user=user, confirmed=True))
        allowed = [device for device in devices if device.verify_is_allowed()[0]]
        for device in allowed:
            if device.verify_token(token):
                _otp_complete(request, device)
                journal_write(
                    Event.OTP_VERIFIED, request=request, user=user, actor=user, device=device.__class__.__name__
                )
                return redirect(safe_next(request, after_login(request)))
        journal_write(Event.OTP_FAILED, request=request, user=user, actor=user, identifiant=user.identifiant)
        if devices and not allowed:
            form.add_error("token", "Trop de codes erronés : patientez quelques instants avant de réessayer.")
        else:
            form.add_error("token", "Ce code n'est pas valide ou a déjà été utilisé.")
    return render(request, "portal/otp_verify.html", {"form": form})


@authenticated
@require_POST
@sensitive_post_parameters("current_password")
def backup_codes_regenerate(request):
    """ "Générer de nouveaux codes de secours" (the password again): the previous codes stop working."""
    form = CurrentPasswordForm(request, request.POST)
    if not form.is_valid():
        return render(
            request, "portal/profile_form.html", {"form": form, "title": "Générer de nouveaux codes de secours"}
        )
    device, _ = BackupCodeDevice.objects.get_or_create(user=request.user, defaults={"name": "Codes de secours"})
    codes = device.generate_codes()
    journal_write(Event.BACKUP_CODES_GENERATED, request=request, user=request.user)
    return render(request, "portal/otp_backup_codes.html", {"codes": codes, "first": False})


@setup_step
@require_POST
def session_prolong(request):
    """ "Prolonger ma session": any request counts as activity; this one also says so explicitly."""
    session_touch(request, force=True)
    if request.htmx or request.headers.get("Accept") == "application/json":
        return HttpResponse(status=204)
    return redirect(safe_next(request, reverse("portal:home")))
