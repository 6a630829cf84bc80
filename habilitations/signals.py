"""Authentication events → the journal; "Dernière connexion" kept before Django overwrites last_login."""

from axes.signals import user_locked_out
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import update_last_login
from django.dispatch import receiver
from django.utils import timezone

import habilitations.accounts  # noqa: F401  (registers the account e-mails)
from habilitations.backends import normalize_identifiant
from habilitations.journal import Event, journal_write

user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")


@receiver(user_logged_in, dispatch_uid="mcp_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    user.previous_login = user.last_login
    user.last_login = timezone.now()
    user.save(update_fields=["previous_login", "last_login"])
    journal_write(Event.LOGIN_SUCCESS, request=request, user=user, actor=user, identifiant=user.identifiant)


@receiver(user_login_failed, dispatch_uid="mcp_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in `credentials`; we keep only the identifiant typed.
    journal_write(Event.LOGIN_FAILURE, request=request, identifiant=normalize_identifiant(credentials.get("username")))


@receiver(user_logged_out, dispatch_uid="mcp_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        journal_write(Event.LOGOUT, request=request, user=user, actor=user, identifiant=user.identifiant)


@receiver(user_locked_out, dispatch_uid="mcp_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    journal_write(Event.LOCKOUT, request=request, identifiant=normalize_identifiant(username))
