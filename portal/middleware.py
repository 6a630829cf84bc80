"""Request body limits, session expiry, account state (closed, provisional password, second factor), cache and CSP
headers."""

import logging
import time
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date, urlencode

from core.uploads import FILE_REFUSED, TOO_LARGE, FileRefused, NoFileUploadHandler
from habilitations.access.decorators import PUBLIC, SETUP_STEP
from habilitations.journal import Event, journal_write

logger = logging.getLogger("portal.incident")

SESSION_LOGIN_AT = "_mcp_login_at"
SESSION_LAST_SEEN = "_mcp_last_seen"
# Do not rewrite the session on every request of a burst; idle expiry stays exact to this many seconds.
LAST_SEEN_GRANULARITY = 10


def session_start(request) -> None:
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now


def session_touch(request, *, force: bool = False) -> None:
    now = time.time()
    if force or now - request.session.get(SESSION_LAST_SEEN, 0) >= LAST_SEEN_GRANULARITY:
        request.session[SESSION_LAST_SEEN] = now


def login_redirect(reason: str):
    return redirect(f"{reverse('portal:login')}?{urlencode({'raison': reason})}")


class RequestBodyLimitMiddleware:
    """Bounds a request body before anything reads it (core.uploads): its Content-Length against the view's
    `@accepts_upload` limit, or DATA_UPLOAD_MAX_MEMORY_SIZE; a view that takes no file parses the body here, with an
    upload handler that refuses the first file part. Before CsrfViewMiddleware, the first to read a body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        upload = getattr(view_func, "upload_limit", None)
        max_bytes, message = upload or (settings.DATA_UPLOAD_MAX_MEMORY_SIZE, TOO_LARGE)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # what Django reads then: nothing
        if length > max_bytes:
            return _body_refused(request, message, status=413)
        if upload is None and request.method == "POST" and request.content_type == "multipart/form-data":
            request.upload_handlers = [NoFileUploadHandler(request)]
            try:
                request.POST  # noqa: B018 — parsed now, up to a file part's headers at most
            except FileRefused:
                return _body_refused(request, FILE_REFUSED, status=400)
        return None


def _body_refused(request, message: str, *, status: int):
    """The French page of a refused request body, with a way back to the form (nothing of the body was used)."""
    return render(request, "request_refused.html", {"message": message}, status=status)


class SessionExpiryMiddleware:
    """30 minutes without a request, or 12 hours after login: the session ends and the login page says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.get(SESSION_LOGIN_AT, 0)
            last_seen = request.session.get(SESSION_LAST_SEEN, 0)
            reason = None
            if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                reason = "duree"
            elif now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                reason = "inactivite"
            if reason:
                user = request.user
                journal_write(Event.SESSION_EXPIRED, request=request, user=user, actor=user, reason=reason)
                # Flush without the "logout" journal row: the user did not log out.
                request.session.flush()
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
                return login_redirect(reason)
            session_touch(request)
        return self.get_response(request)


class AccountStateMiddleware:
    """Applies, on every request, the state of the account: closed → out; provisional password → change it;
    second factor required → enrol or verify it. Only setup-step and public views stay reachable meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        rule = getattr(view_func, "access_rule", None)
        if not user.is_open:
            journal_write(Event.LOGIN_REFUSED, request=request, user=user, actor=user, reason="compte_clos")
            logout(request)
            return login_redirect("compte_clos")
        if rule in (PUBLIC, SETUP_STEP):
            return None
        if user.has_provisional_password:
            return redirect("portal:password_first")
        if user.requires_otp and not user.is_verified():
            return redirect("portal:otp_verify")
        return None


# What add_never_cache_headers + patch_cache_control(no_store=True, private=True) write on a response without
# caching headers (tests/portal/test_middleware_fast_paths.py checks they stay identical).
NO_STORE_CACHE_CONTROL = "max-age=0, no-cache, no-store, must-revalidate, private"


class NoStoreForAuthenticatedMiddleware:
    """Pages of a logged-in user are never kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            if "Cache-Control" in response or "Expires" in response:
                # Merge with what the view set (parsing and rewriting Cache-Control).
                add_never_cache_headers(response)
                patch_cache_control(response, no_store=True, private=True)
            else:  # the usual case: the same headers, without parsing them back
                response.headers["Expires"] = http_date(time.time())
                response.headers["Cache-Control"] = NO_STORE_CACHE_CONTROL
        return response


_csp_policies: dict[bool, str] = {}  # report_only → the policy built from the settings alone (no nonce, no decorator)


@receiver(setting_changed)
def _csp_settings_changed(setting, **kwargs):
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        _csp_policies.clear()


def _settings_policy(report_only: bool) -> str:
    try:
        return _csp_policies[report_only]
    except KeyError:
        policy = _csp_policies[report_only] = build_policy(report_only=report_only)
        return policy


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, except that a response without nonce nor per-view policy (no @csp_update, …)
    reuses the header built from the settings instead of rebuilding it on every request."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None
            for name in (
                "_csp_config",
                "_csp_update",
                "_csp_replace",
                "_csp_config_ro",
                "_csp_update_ro",
                "_csp_replace_ro",
            )
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _settings_policy(report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As the base class: the nonce can no longer be added to the header once it is written.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class IncidentMiddleware:
    """Gives an unhandled error an incident number, logged with the traceback and shown on the French 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Refusals and missing objects are answers, not incidents (Django turns them into 400/403/404 pages).
        if isinstance(exception, (Http404, PermissionDenied, BadRequest, SuspiciousOperation)):
            return None
        request.incident_id = uuid.uuid4().hex[:12].upper()
        logger.error("Incident %s on %s %s", request.incident_id, request.method, request.path, exc_info=exception)
        return None


# What stays open during a maintenance: the way in (login, second factor, personal password, logout), so that the
# Caf's agents reach the administration; everything else answers "Service indisponible" to the partners.
MAINTENANCE_OPEN_VIEWS = {
    "portal:login",
    "portal:login_bailleur",
    "portal:logout",
    "portal:otp_verify",
    "portal:otp_setup",
    "portal:password_first",
    "portal:session_prolong",
}


class MaintenanceMiddleware:
    """`MAINTENANCE_MODE`: the partners get the French 503 page "Service indisponible" with Retry-After
    (`MAINTENANCE_RETRY_AFTER` seconds); Caf agents keep the whole portal and its administration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MAINTENANCE_MODE:
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return None
        match = request.resolver_match
        if match is not None and (match.namespace == "admin" or match.view_name in MAINTENANCE_OPEN_VIEWS):
            return None
        return maintenance_response(request)


def maintenance_response(request):
    response = render(request, "503.html", {"retry_after": settings.MAINTENANCE_RETRY_AFTER}, status=503)
    response["Retry-After"] = str(settings.MAINTENANCE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response
