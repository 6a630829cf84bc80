"""Placeholder views (to be written): each already declares its access rule and scopes its object."""

from django.shortcuts import render

from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism, habilitations_manager


@habilitations_manager
def users(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def user_create(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def user_detail(request, user_id):
    querysets.user_for_manager(request.access, user_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def user_update(request, user_id):
    querysets.user_for_manager(request.access, user_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def user_close(request, user_id):
    querysets.user_for_manager(request.access, user_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def user_resend_identifiant(request, user_id):
    querysets.user_for_manager(request.access, user_id)
    return render(request, "habilitations/en_construction.html")
