"""French error pages. The 500 page shows an incident number, never a trace."""

import uuid

from django.shortcuts import render

from habilitations.access.decorators import public


@public
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


@public
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


@public
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@public
def server_error(request):
    incident = getattr(request, "incident_id", None) or uuid.uuid4().hex[:12].upper()
    # No context processors: the failure may come from them.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({"incident": incident}))


@public
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
