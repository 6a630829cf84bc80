"""The middleware's fast paths (bench: middleware_authenticated) answer exactly as the code they shortcut:
the session's user read by a precompiled SELECT (habilitations.backends.IdentifiantBackend.get_user) as ModelBackend
reads it,
the no-store headers as add_never_cache_headers writes them, the CSP header as django-csp builds it."""

import datetime

import pytest
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control

from habilitations.backends import IdentifiantBackend
from habilitations.models import User
from portal.middleware import (
    NO_STORE_CACHE_CONTROL,
    CSPMiddleware,
    NoStoreForAuthenticatedMiddleware,
)

pytestmark = pytest.mark.django_db


def _request_with_session(client):
    request = RequestFactory().get("/accueil/")
    request.session = client.session
    return request


def _fields(user):
    return {k: v for k, v in vars(user).items() if k != "_state"}


# --- the user of the session -------------------------------------------------------------------------------------


def test_session_user_is_the_user_model_backend_reads(client, login, user):
    login(user)
    ours = auth.get_user(_request_with_session(client))
    assert isinstance(ours, User) and ours.pk == user.pk
    theirs = ModelBackend().get_user(user.pk)
    assert _fields(ours) == _fields(theirs)
    assert ours._state.db == theirs._state.db and not ours._state.adding
    assert IdentifiantBackend().get_user(-1) is None


def test_session_user_is_one_query_compiled_once(client, login, user, monkeypatch):
    from django.db.models.sql.compiler import SQLCompiler

    login(user)
    auth.get_user(_request_with_session(client))  # the process's first read compiles the SELECT
    request = _request_with_session(client)
    request.session.load()  # the session's own reads are not the user's
    compiled = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or as_sql(self, *a, **k))
    with CaptureQueriesContext(connection) as queries:
        assert auth.get_user(request).pk == user.pk
    assert len(queries) == 1 and "habilitations_user" in queries[0]["sql"]
    assert compiled == []  # no ORM compilation per request


def test_no_session_is_anonymous(client):
    assert isinstance(auth.get_user(_request_with_session(client)), AnonymousUser)


def test_deactivated_account_is_anonymous_on_the_next_request(client, login, user):
    login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # no signal, no cache to invalidate: read every time
    assert isinstance(auth.get_user(_request_with_session(client)), AnonymousUser)
    assert client.get("/accueil/").status_code == 302


def test_closed_account_is_logged_out_on_the_next_request(client, login, user):
    login(user)
    assert client.get("/accueil/").status_code == 200
    User.objects.filter(pk=user.pk).update(date_cloture=timezone.localdate())
    response = client.get("/accueil/")
    assert response.status_code == 302 and "compte_clos" in response["Location"]
    assert isinstance(auth.get_user(_request_with_session(client)), AnonymousUser)


def test_password_changed_elsewhere_ends_the_session(client, login, user):
    login(user)
    other = User.objects.get(pk=user.pk)
    other.set_password("Un-Autre#Mot2passe")
    other.save()
    request = _request_with_session(client)
    assert isinstance(auth.get_user(request), AnonymousUser)
    assert request.session.is_empty()  # flushed, as django.contrib.auth.get_user does
    response = client.get("/accueil/")
    assert response.status_code == 302


# --- no-store -----------------------------------------------------------------------------------------------------


class _User:
    is_authenticated = True


def _no_store(response, user=None):
    request = RequestFactory().get("/")
    request.user = user or _User()
    return NoStoreForAuthenticatedMiddleware(lambda r: response)(request)


def _reference_no_store(response):
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def test_no_store_headers_are_those_of_add_never_cache_headers():
    ours, reference = _no_store(HttpResponse("x")), _reference_no_store(HttpResponse("x"))
    assert ours["Cache-Control"] == reference["Cache-Control"] == NO_STORE_CACHE_CONTROL
    assert ours["Expires"] == reference["Expires"] or abs(
        datetime.datetime.strptime(ours["Expires"], "%a, %d %b %Y %H:%M:%S GMT")
        - datetime.datetime.strptime(reference["Expires"], "%a, %d %b %Y %H:%M:%S GMT")
    ) <= datetime.timedelta(seconds=1)


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "public, max-age=3600"},
        {"Expires": "Thu, 01 Jan 2099 00:00:00 GMT"},
        {"Cache-Control": "no-transform"},
    ],
)
def test_no_store_merges_with_headers_set_by_the_view(headers):
    ours, reference = HttpResponse("x", headers=headers), HttpResponse("x", headers=headers)
    ours, reference = _no_store(ours), _reference_no_store(reference)
    assert ours["Cache-Control"] == reference["Cache-Control"]
    assert "no-store" in ours["Cache-Control"] and "public" not in ours["Cache-Control"]
    if "Expires" in headers:
        assert ours["Expires"] == headers["Expires"]


def test_anonymous_responses_keep_their_cache_headers():
    response = _no_store(HttpResponse("x"), user=AnonymousUser())
    assert "Cache-Control" not in response and "Expires" not in response


# --- CSP ------------------------------------------------------------------------------------------------------------


def _csp(view, path="/", middleware=CSPMiddleware):
    request = RequestFactory().get(path)
    return middleware(view)(request)


def test_csp_header_is_the_policy_django_csp_builds():
    ours = _csp(lambda r: HttpResponse("x"))
    library = _csp(lambda r: HttpResponse("x"), middleware=LibraryCSPMiddleware)
    assert ours["Content-Security-Policy"] == build_policy()
    assert sorted(ours["Content-Security-Policy"].split("; ")) == sorted(
        library["Content-Security-Policy"].split("; ")
    )
    assert "nonce" not in ours["Content-Security-Policy"]


def test_csp_with_nonce_still_carries_it():
    def view(request):
        return HttpResponse(str(request.csp_nonce))

    response = _csp(view)
    assert f"'nonce-{response.content.decode()}'" in response["Content-Security-Policy"]


def test_csp_nonce_unavailable_after_the_header_is_written():
    request = RequestFactory().get("/")
    CSPMiddleware(lambda r: HttpResponse("x"))(request)
    with pytest.raises(Exception, match="csp_nonce"):
        str(request.csp_nonce)


def test_csp_follows_settings_changes():
    before = _csp(lambda r: HttpResponse("x"))["Content-Security-Policy"]
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"]}},
    ):
        response = _csp(lambda r: HttpResponse("x"))
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    after = _csp(lambda r: HttpResponse("x"))
    assert after["Content-Security-Policy"] == before
    assert "Content-Security-Policy-Report-Only" not in after


def test_csp_per_view_decorators_and_exclusions():
    exempt = _csp(csp_exempt()(lambda r: HttpResponse("x")))
    assert "Content-Security-Policy" not in exempt
    updated = _csp(csp_update({"img-src": ["https://example.org"]})(lambda r: HttpResponse("x")))
    assert "https://example.org" in updated["Content-Security-Policy"]
    preset = _csp(lambda r: HttpResponse("x", headers={"Content-Security-Policy": "default-src 'none'"}))
    assert preset["Content-Security-Policy"] == "default-src 'none'"
    with override_settings(
        CONTENT_SECURITY_POLICY={"EXCLUDE_URL_PREFIXES": ["/libre/"], "DIRECTIVES": {"default-src": ["'self'"]}}
    ):
        assert "Content-Security-Policy" not in _csp(lambda r: HttpResponse("x"), path="/libre/page/")
        assert "Content-Security-Policy" in _csp(lambda r: HttpResponse("x"), path="/autre/")
