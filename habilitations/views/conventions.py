"""Placeholder views (to be written): each already declares its access rule and scopes its object."""

from django.shortcuts import render

from habilitations.access import querysets
from habilitations.access.decorators import habilitations_manager


@habilitations_manager
def index(request):
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def organisms(request):
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def conventions(request):
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def partner_types(request):
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def convention_detail(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")


@habilitations_manager
def convention_pdf(request, convention_id):
    querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/en_construction.html")
