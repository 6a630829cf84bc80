"""Session expiry, account state (closed, provisional password, second factor), cache and CSP headers."""

import logging
import time
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
    logout,
)
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date, urlencode

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


class _UserByPk:
    """`User._default_manager.get(pk=…)` as ModelBackend.get_user runs it, compiled once per process and database:
    the ORM builds and compiles that SELECT anew on every request, which costs as much as PostgreSQL answering it.
    The row is read on every request as before (nothing is cached across requests)."""

    _SENTINEL = -7_340_001  # stands for the primary key while compiling

    def __init__(self, using: str):
        model = get_user_model()
        query = model._default_manager.db_manager(using).filter(pk=self._SENTINEL).order_by().query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        if list(params) != [self._SENTINEL]:
            raise ValueError(f"unexpected parameters {params!r} for the user's SELECT")
        self.model, self.using, self.sql = model, using, sql
        columns = [col for col, _, _ in compiler.select]
        self.attnames = [col.target.attname for col in columns]
        # The fields' and the backend's from-database converters, as the ORM applies them (none for PostgreSQL).
        self.converters = [(pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(columns).items()]

    def get(self, pk):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [pk])
            rows = cursor.fetchmany(2)
        if len(rows) != 1:
            if rows:
                raise self.model.MultipleObjectsReturned(f"{len(rows)} users with the primary key {pk!r}")
            return None
        values = list(rows[0])
        for pos, convs, expr in self.converters:
            for converter in convs:
                values[pos] = converter(values[pos], expr, connection)
        return self.model.from_db(self.using, self.attnames, values)


_users_by_pk: dict[str, _UserByPk] = {}


def _backend_get_user(backend, user_id):
    """backend.get_user(user_id), with the precompiled SELECT when the backend loads users as ModelBackend does."""
    if type(backend).get_user is not ModelBackend.get_user:
        return backend.get_user(user_id)
    using = router.db_for_read(get_user_model())
    loader = _users_by_pk.get(using)
    if loader is None:
        loader = _users_by_pk[using] = _UserByPk(using)
    user = loader.get(user_id)
    return user if user is not None and backend.user_can_authenticate(user) else None


def get_session_user(request):
    """django.contrib.auth.get_user (Django 5.2), line for line, except that the user is read by _backend_get_user:
    the same backend check, session hash verification (a password change logs the other sessions out), fallback
    secrets and flush."""
    user = None
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            user = _backend_get_user(backend, user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback secrets and stop
                    # when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_session_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_session_user(request)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's AuthenticationMiddleware (lazy `request.user`, `request.auser`), reading the user through
    get_session_user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_session_user(request))


def login_redirect(reason: str):
    return redirect(f"{reverse('portal:login')}?{urlencode({'raison': reason})}")


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
