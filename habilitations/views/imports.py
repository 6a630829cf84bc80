"""Placeholder views (to be written): each already declares its access rule and scopes its object."""

from django.shortcuts import render

from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism


@admin_of_organism
def import_upload(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@admin_of_organism
def import_apply(request, convention_id, token):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")
