"""Placeholder views (to be written): each already declares its access rule and scopes its object."""

from django.shortcuts import render

from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism, habilitations_manager


@habilitations_manager
def groups(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def group_create(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def group_update(request, group_id):
    querysets.group_for_manager(request.access, group_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def group_grants(request, group_id):
    querysets.group_for_manager(request.access, group_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def group_profiles_options(request, group_id):
    querysets.group_for_manager(request.access, group_id)
    return render(request, "habilitations/en_construction.html")
