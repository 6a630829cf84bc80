"""The French error pages render whatever state the middleware chain is in.

An error can be raised outside the CSP middleware: on the way in, before it gave the request a nonce
(CommonMiddleware's DisallowedHost), or on the way out, after it wrote its header (SessionMiddleware's
SessionInterrupted, a 400), when django-csp's `request.csp_nonce` raises CSPNonceError. The error page must still
render, in French, with its scripts' nonce in its own Content-Security-Policy header — never a crash while rendering
the error page."""

import re

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import Client, override_settings

from portal.settings.base import MIDDLEWARE

ERRORS = {
    "400": (BadRequest, 400, "REQUÊTE INCORRECTE"),
    "403": (PermissionDenied, 403, "ACCÈS REFUSÉ"),
    "404": (Http404, 404, "PAGE INTROUVABLE"),
    "500": (RuntimeError, 500, "ERREUR TECHNIQUE"),
}


class Breaker:
    """Raises the exception named by the request's X-Break header, on the way in or on the way out (X-Break-Phase)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code, phase = request.headers.get("X-Break"), request.headers.get("X-Break-Phase")
        if code and phase == "in":
            raise ERRORS[code][0]("cassé")
        response = self.get_response(request)
        if code and phase == "out":
            raise ERRORS[code][0]("cassé")
        return response


# Just inside SessionMiddleware: outside the CSP middleware, as SessionMiddleware and CommonMiddleware are.
BROKEN_CHAIN = [*MIDDLEWARE[:4], "tests.portal.test_error_pages.Breaker", *MIDDLEWARE[4:]]


def _nonces(content: str) -> set[str]:
    return set(re.findall(r'nonce="([^"]*)"', content))


@pytest.mark.django_db
@override_settings(MIDDLEWARE=BROKEN_CHAIN)
@pytest.mark.parametrize("phase", ["in", "out"])
@pytest.mark.parametrize("code", sorted(ERRORS))
# A page that used the nonce, and a redirect (the login's) that did not: then django-csp's nonce raises.
@pytest.mark.parametrize("path", ["/regles-d-usage/", "/accueil/"])
def test_error_page_outside_the_csp_middleware(path, code, phase, caplog):
    client = Client(raise_request_exception=False)
    response = client.get(path, headers={"X-Break": code, "X-Break-Phase": phase})
    _, status, title = ERRORS[code]
    content = response.content.decode()
    assert response.status_code == status, content[:500]
    assert title in content
    # A 400/403/404 that crashed while rendering would have become the 500 page.
    assert status == 500 or "ERREUR TECHNIQUE" not in content
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    for nonce in _nonces(content):
        assert nonce and f"'nonce-{nonce}'" in policy
    assert not [r for r in caplog.records if "CSPNonceError" in r.getMessage() or "csp_nonce" in str(r.exc_info)]


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(ERRORS))
def test_error_page_inside_the_chain_keeps_one_nonce(code, monkeypatch):
    """The usual case (raised by a view): one nonce, the same in the page and in the header."""
    from portal.views import public

    def boom(*args, **kwargs):
        raise ERRORS[code][0]("cassé")

    monkeypatch.setattr(public, "render", boom)
    client = Client(raise_request_exception=False)
    response = client.get("/regles-d-usage/")
    assert response.status_code == ERRORS[code][1]
    assert ERRORS[code][2] in response.content.decode()
    policy = response["Content-Security-Policy"]
    for nonce in _nonces(response.content.decode()):
        assert f"'nonce-{nonce}'" in policy
