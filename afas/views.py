"""Aides financières d'action sociale: the Accueil AFAS page (guide 002). Every view: @service_required("AFAS"); the
roles a user may act as come from the access layer (afas.selectors → habilitations.access.service_roles)."""

from django.shortcuts import render

from afas import selectors
from habilitations.access.decorators import service_required


@service_required("AFAS")
def accueil(request):
    """Accueil AFAS: the service in three steps, the user's roles today and, without one, whom to ask for one."""
    access = request.access
    roles = list(selectors.roles_today(access))
    context = {
        "roles": roles,
        "habiliter": access.can_use("AFAS", "AFAS-HABILITER"),
        "declarer": access.can_use("AFAS", "AFAS-DECLARER"),
        "habiliter_users": [] if roles else selectors.habiliter_users(access),
    }
    return render(request, "afas/accueil.html", context)
