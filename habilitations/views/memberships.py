"""Placeholder views (to be written): each already declares its access rule and scopes its object."""

from django.shortcuts import render

from habilitations.access import querysets
from habilitations.access.decorators import habilitations_manager


@habilitations_manager
def membership_add(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def user_memberships(request, user_id):
    querysets.user_for_manager(request.access, user_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def membership_update(request, membership_id):
    querysets.membership_for_manager(request.access, membership_id)
    return render(request, "habilitations/en_construction.html")
