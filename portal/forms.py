"""Forms of the portal: every error in French, next to its field."""

import re

from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django import forms
from django.contrib.auth import authenticate, logout, password_validation
from django.core.validators import EmailValidator
from django.utils import timezone

from core.forms import PHONE_RE, CleanCharField
from habilitations.accounts import email_check_personal
from habilitations.backends import normalize_identifiant
from habilitations.journal import Event, journal_write

GENERIC_LOGIN_ERROR = "Identifiant ou mot de passe incorrect."


class LoginForm(forms.Form):
    username = CleanCharField(
        label="Identifiant",
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": "Saisissez votre identifiant.", "max_length": GENERIC_LOGIN_ERROR},
    )
    password = forms.CharField(
        label="Mot de passe",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe.", "max_length": GENERIC_LOGIN_ERROR},
    )
    # Guide 001: ticked, the user goes to "Modifier le mot de passe" once logged in (and past the second factor).
    update_password = forms.BooleanField(
        label="Mettre à jour votre mot de passe", required=False, template_name="components/checkbox_field.html"
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        user = authenticate(self.request, username=normalize_identifiant(username), password=password)
        if user is None:
            raise forms.ValidationError(GENERIC_LOGIN_ERROR, code="invalid_login")
        if not user.is_open:
            journal_write(
                Event.LOGIN_REFUSED,
                request=self.request,
                user=user,
                identifiant=user.identifiant,
                reason="compte_clos",
            )
            raise forms.ValidationError(
                "Votre compte n'est pas ouvert ou a été clôturé. Contactez l'administrateur de votre organisme.",
                code="closed",
            )
        if user.provisional_password_expired(timezone.now()):
            journal_write(
                Event.LOGIN_REFUSED,
                request=self.request,
                user=user,
                identifiant=user.identifiant,
                reason="provisoire_expire",
            )
            raise forms.ValidationError(
                "Votre mot de passe provisoire a expiré (il est valable 24 heures). "
                "Cliquez sur « Mot de passe oublié ? » pour en recevoir un nouveau.",
                code="provisional_expired",
            )
        self.user = user
        return self.cleaned_data


class NewPasswordMixin(forms.Form):
    new_password1 = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Saisissez le nouveau mot de passe."},
    )
    new_password2 = forms.CharField(
        label="Confirmer le nouveau mot de passe",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirmez le nouveau mot de passe."},
    )

    def clean_new_password2(self):
        p1, p2 = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("Les deux mots de passe ne sont pas identiques.", code="mismatch")
        if p2:
            try:
                password_validation.validate_password(p2, self.user)
            except forms.ValidationError as errors:
                self.add_error("new_password1", errors)
        return p2


WRONG_CURRENT_PASSWORD = "Le mot de passe actuel est incorrect."


class CurrentPasswordForm(forms.Form):
    """The password asked again before a change that could hand the account to whoever sits at an open session
    (e-mail, phone, password, second factor). It is checked as a login is: a wrong one is a failed login that
    django-axes counts, and when that locks the identifiant the session ends too (the lockout page follows)."""

    current_password = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Saisissez votre mot de passe actuel."},
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = request.user
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        user = authenticate(self.request, username=self.user.identifiant, password=password)
        if user is None:
            if getattr(self.request, "axes_locked_out", False):
                logout(self.request)
            raise forms.ValidationError(WRONG_CURRENT_PASSWORD, code="wrong_password")
        return password


class PasswordChangeForm(CurrentPasswordForm, NewPasswordMixin):
    """Current password + new password twice ("Modifier le mot de passe")."""

    field_order = ["current_password", "new_password1", "new_password2"]


CAPTCHA_INVALID = "Les caractères recopiés ne correspondent pas à l'image."


class CaseSensitiveCaptchaField(CaptchaField):
    """django-simple-captcha compares in lower case; the guides ask users to "distinguer les majuscules et les
    minuscules", so the answer must match the image exactly (the store keeps the challenge as drawn)."""

    def clean(self, value):
        if (
            isinstance(value, (list, tuple))
            and len(value) == 2
            and value[1]
            and re.fullmatch(r"[0-9a-f]{40}", str(value[0]))
        ):
            store = CaptchaStore.objects.filter(hashkey=value[0], expiration__gt=timezone.now()).first()
            if store is not None and str(value[1]).strip() != store.challenge:
                store.delete()  # one attempt per image, like the library
                raise forms.ValidationError(CAPTCHA_INVALID, code="invalid")
        return super().clean(value)


class PasswordForgottenForm(forms.Form):
    email = forms.EmailField(
        label="Adresse mail",
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": "Saisissez votre adresse mail.", "invalid": "Saisissez une adresse mail valide."},
    )
    identifiant = CleanCharField(
        label="Identifiant (facultatif)",
        max_length=64,
        required=False,
        help_text="Seulement si plusieurs comptes utilisent votre adresse mail : le courriel reçu vous les rappelle.",
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"max_length": "Un identifiant compte 10 caractères."},
    )
    captcha = CaseSensitiveCaptchaField(
        label="Recopiez les caractères de l'image (distinguez les majuscules et les minuscules)",
        error_messages={
            "invalid": CAPTCHA_INVALID,
            "required": "Recopiez les caractères de l'image.",
        },
    )


class OtpTokenForm(forms.Form):
    token = CleanCharField(
        label="Code à usage unique",
        max_length=40,
        # No word of backup codes here: the enrolment page uses this field before any code exists; the verification
        # page says, above the field, that a backup code may be typed instead.
        help_text="Les 6 chiffres affichés à l'instant par votre application d'authentification.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}),
        error_messages={"required": "Saisissez le code."},
    )

    def clean_token(self):
        return re.sub(r"\s", "", self.cleaned_data["token"])


class OtpEnrolmentForm(CurrentPasswordForm, OtpTokenForm):
    """Enrolling the application away from the login that asked it: the password again."""

    field_order = ["token", "current_password"]


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label="Nouvelle adresse mail",
        max_length=320,
        validators=[EmailValidator(message="Saisissez une adresse mail valide.")],
        error_messages={
            "required": "Saisissez la nouvelle adresse mail.",
            "invalid": "Saisissez une adresse mail valide.",
        },
    )
    email_confirm = forms.EmailField(
        label="Confirmer la nouvelle adresse mail",
        max_length=320,
        error_messages={
            "required": "Confirmez la nouvelle adresse mail.",
            "invalid": "Saisissez une adresse mail valide.",
        },
    )
    field_order = ["email", "email_confirm", "current_password"]

    def clean(self):
        data = super().clean()
        if data.get("email") and data.get("email_confirm") and data["email"].lower() != data["email_confirm"].lower():
            self.add_error("email_confirm", "Les deux adresses mail ne sont pas identiques.")
        if data.get("email") and "email" not in self.errors:
            try:
                email_check_personal(data["email"], exclude_pk=self.request.user.pk)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


class PhoneChangeForm(CurrentPasswordForm):
    telephone = CleanCharField(label="Téléphone", max_length=20, required=False)
    telephone_confirm = CleanCharField(label="Confirmer le téléphone", max_length=20, required=False)
    field_order = ["telephone", "telephone_confirm", "current_password"]

    def clean_telephone(self):
        value = self.cleaned_data["telephone"].strip()
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89.")
        return value

    def clean(self):
        data = super().clean()
        # "01 23 45 67 89" and "01.23.45.67.89" are the same number: compared without spaces and dots.
        if "telephone" in data and _phone_digits(data.get("telephone", "")) != _phone_digits(
            data.get("telephone_confirm") or ""
        ):
            self.add_error("telephone_confirm", "Les deux numéros de téléphone ne sont pas identiques.")
        return data


def _phone_digits(value: str) -> str:
    return re.sub(r"[\s.]", "", value)


class PostalCodeForm(forms.Form):
    code_postal = CleanCharField(
        label="Code postal",
        max_length=5,
        min_length=5,
        widget=forms.TextInput(
            attrs={"placeholder": "ex: 85470", "inputmode": "numeric", "autocomplete": "postal-code"}
        ),
        error_messages={
            "required": "Saisissez un code postal.",
            "max_length": "Un code postal compte 5 chiffres.",
            "min_length": "Un code postal compte 5 chiffres.",
        },
    )

    def clean_code_postal(self):
        value = self.cleaned_data["code_postal"].strip()
        if not re.fullmatch(r"\d{5}", value):
            raise forms.ValidationError("Un code postal compte 5 chiffres, par exemple 06000.", code="format")
        return value
