"""What partners ask their Caf (issue 21): « Signaler un changement d'administrateur »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.forms import add_service_errors
from habilitations import support
from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism
from habilitations.models import User
from portal.support_forms import AdministratorChangeForm


@admin_of_organism
def administrator_change(request):
    """ "Signaler un changement d'administrateur" (guide 002): the request goes to the Caf pivot's agents, who sign
    the amendment to the convention and name the newcomer (« votre profil est nominatif »)."""
    organisms = querysets.organisms_administered(request.access).select_related("caf_pivot").order_by("nom")
    administrators = User.objects.filter(pk__in=support.administrators_of(organisms).values("user_id")).order_by(
        "nom", "prenom"
    )
    form = AdministratorChangeForm(
        request.POST if request.method == "POST" else None, organisms=organisms, administrators=administrators
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support.administrator_change_request(
                organism=data["organism"],
                sortant=data["sortant"],
                entrant_nom=data["entrant_nom"],
                entrant_prenom=data["entrant_prenom"],
                entrant_email=data["entrant_email"],
                entrant_telephone=data["entrant_telephone"],
                date_effet=data["date_effet"],
                commentaire=data["commentaire"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Votre demande a été transmise à la {data['organism'].caf_pivot.nom}. Elle vous contactera pour "
                "signer l'avenant à la convention ; le nouvel administrateur recevra ensuite son identifiant.",
            )
            return redirect("portal:home")
    return render(request, "portal/support/administrator_change.html", {"form": form, "organisms": organisms})
