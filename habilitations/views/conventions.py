"""Gestion des habilitations: "Mes organismes", "Les types de partenaires", "Mes conventions", the
convention's detail and its PDF. Every object comes from the scoped querysets of the access layer."""

from django.http import HttpResponse
from django.shortcuts import redirect, render

from core.pagination import paginate
from core.pdf import render_pdf
from habilitations import selectors
from habilitations.access import querysets
from habilitations.access.decorators import habilitations_manager
from habilitations.forms.conventions import ConventionFilterForm


@habilitations_manager
def index(request):
    """ "GESTION DES HABILITATIONS" opens on "Mes conventions" (its submenu is in the left menu)."""
    return redirect("habilitations:conventions")


@habilitations_manager
def organisms(request):
    """ "Mes organismes": the organisms the user administers or where they are responsable d'habilitations."""
    organisms = (
        querysets.organisms_managed(request.access)
        .select_related("partner_type", "caf_pivot", "convention")
        .order_by("nom", "pk")
    )
    return render(request, "habilitations/conventions/organisms.html", {"organisms": organisms})


@habilitations_manager
def partner_types(request):
    """ "Les types de partenaires": reference list with the eligible services."""
    return render(
        request,
        "habilitations/conventions/partner_types.html",
        {"partner_types": selectors.partner_types_with_services()},
    )


@habilitations_manager
def conventions(request):
    """ "Mes conventions", filtered and paginated."""
    form = ConventionFilterForm(request.GET or None)
    conventions = querysets.conventions_managed(request.access).select_related("organism", "caf_pivot")
    page = paginate(request, form.filter(conventions).order_by("libelle", "pk"))
    return render(request, "habilitations/conventions/list.html", {"form": form, "page": page})


def _convention_context(request, convention) -> dict:
    """What the detail page and the PDF show; the counts are those of what the viewer may see."""
    access = request.access
    return {
        "convention": convention,
        "organism": convention.organism,
        "documents": list(selectors.convention_documents(convention)),
        "convention_profiles": list(selectors.convention_profiles(convention)),
        "administrators": list(selectors.convention_administrators(convention)),
        "users_count": querysets.users_visible(access, convention).count(),
        "groups_count": querysets.groups_visible(access, convention).count(),
        "is_admin": querysets.is_admin_of(access, convention),
    }


@habilitations_manager
def convention_detail(request, convention_id):
    convention = querysets.convention_for_manager(request.access, convention_id)
    return render(request, "habilitations/conventions/detail.html", _convention_context(request, convention))


@habilitations_manager
def convention_pdf(request, convention_id):
    """ "Télécharger PDF": the convention with its profiles, administrators and dates."""
    convention = querysets.convention_for_manager(request.access, convention_id)
    pdf = render_pdf("pdf/convention.html", _convention_context(request, convention))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="convention-{convention.pk}.pdf"'
    return response
