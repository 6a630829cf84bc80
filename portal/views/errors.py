"""French error pages. The 500 page shows an incident number, never a trace.

An error may be raised outside the CSP middleware: on the way in, before it gave the request a nonce
(CommonMiddleware's DisallowedHost), or on the way out, after it wrote its header (SessionMiddleware's
SessionInterrupted, a 400), when django-csp's `request.csp_nonce` raises CSPNonceError. Each page is therefore
rendered with a nonce of its own and carries its own Content-Security-Policy header; when the error came from inside,
the CSP middleware then finds the header written and leaves it (tests/portal/test_error_pages.py)."""

import uuid

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from habilitations.access.decorators import public
from portal.middleware import CSPMiddleware

_csp = CSPMiddleware(lambda request: None)


def _error_page(request, template: str, status: int):
    _csp.process_request(request)  # a usable nonce (the one already made for this request, if any)
    return _csp.process_response(request, render(request, template, status=status))


@public
def bad_request(request, exception=None):
    return _error_page(request, "400.html", 400)


@public
def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


@public
def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)


@public
def server_error(request):
    incident = getattr(request, "incident_id", None) or uuid.uuid4().hex[:12].upper()
    # No context processors: the failure may come from them. No script either: the header needs no nonce.
    response = HttpResponseServerError(loader.get_template("500.html").render({"incident": incident}))
    return _csp.process_response(request, response)


@public
def csrf_failure(request, reason=""):
    return _error_page(request, "403_csrf.html", 403)
