"""What partners ask their Caf (issue 21): « Signaler un changement d'administrateur », « Contacter ma Caf »."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from core.forms import add_service_errors
from habilitations import support
from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism, authenticated
from habilitations.models import Caf, User
from portal.context_processors import services_today
from portal.support_forms import AdministratorChangeForm, CafContactForm
from portal.views.auth import _rate_limited

# Messages of one account per hour: enough for a partner, not for filling the Caf's mailbox.
CAF_CONTACT_RATE_PER_HOUR = 5
CAF_CONTACT_LIMITED = (
    "Vous avez déjà envoyé plusieurs messages à votre Caf cette heure-ci : réessayez plus tard, ou appelez son centre "
    "de services."
)


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


def caf_contact_rate_key(user) -> str:
    """The cache counter of the account's messages this hour (portal.views.auth._rate_limited)."""
    return f"caf-contact:user:{user.pk}"


@authenticated
def caf_contact(request):
    """ "Contacter ma Caf" (webinar 004): any logged-in user writes to the contact of their account's Caf; the
    sender is the account (shown, not typed), as in the CDAP Dialogue; a few messages per hour at most."""
    user = request.user
    caf = Caf.objects.filter(pk=user.caf_id).first()
    form = CafContactForm(request.POST if request.method == "POST" else None, services=services_today(request.access))
    if caf is not None and request.method == "POST" and form.is_valid():
        if _rate_limited(caf_contact_rate_key(user), CAF_CONTACT_RATE_PER_HOUR):
            form.add_error(None, CAF_CONTACT_LIMITED)
        else:
            data = form.cleaned_data
            try:
                support.caf_contact_send(
                    user=user,
                    service_code=data["service"],
                    objet=data["objet"],
                    message=data["message"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Votre message a bien été transmis à la {caf.nom}. Une réponse vous sera apportée par courriel.",
                )
                return redirect("portal:home")
    return render(request, "portal/support/caf_contact.html", {"form": form, "caf": caf})
