"""Login by identifiant, case-insensitively."""

from django.contrib.auth.backends import ModelBackend

MAX_IDENTIFIANT_INPUT = 64


def normalize_identifiant(value) -> str:
    """Identifiants are stored upper-case; users may type them in any case, with stray spaces."""
    return str(value or "").replace("\x00", "").strip().upper()[:MAX_IDENTIFIANT_INPUT]


def axes_username(request, credentials=None) -> str:
    """The key django-axes counts failures on: the normalised identifiant, whatever the address."""
    if credentials and credentials.get("username") is not None:
        return normalize_identifiant(credentials.get("username"))
    if request is not None and request.method == "POST":
        return normalize_identifiant(request.POST.get("username"))
    return ""


class IdentifiantBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("identifiant")
        if password is not None and "\x00" in password:
            return None
        return super().authenticate(request, username=normalize_identifiant(username), password=password)

    def user_can_authenticate(self, user):
        # Closed accounts and expired provisional passwords are refused by the login form, with their own message.
        return user.is_active
