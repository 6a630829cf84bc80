"""Espace Bailleur: « Mes locataires » and a tenant's page. Every view: @service_required("BAILLEUR"); every tenancy
is read through bailleur.selectors, scoped to the landlord's organisms (another landlord's answers 404)."""

from django.shortcuts import render

from bailleur import selectors
from bailleur.forms import TenancyFilterForm
from cdap.selectors import aid_label
from core.pagination import paginate
from habilitations.access.decorators import service_required


@service_required(selectors.SERVICE)
def locataires(request):
    """The tenants receiving AL or APL, filtered, paginated; a constant number of queries."""
    form = TenancyFilterForm(request.GET or None)
    page = paginate(request, selectors.tenancies(request.access, **form.filters()))
    for tenancy in page:
        tenancy.aide_libelle = aid_label(tenancy.aide_code)
    return render(request, "bailleur/locataires.html", {"form": form, "page": page})


@service_required(selectors.SERVICE)
def locataire(request, housing_id: int):
    tenancy = selectors.tenancy(request.access, housing_id)
    tenancy.aide_libelle = aid_label(tenancy.aide_code)
    return render(request, "bailleur/locataire.html", {"tenancy": tenancy})
