"""The services whose screens are not built yet (Offre DGFIP, Supervision DGFIP):
until each lands in its own app, its menu entry and tile open this page of the service — what it will offer (the
spec and webinar 004's table of services) and whom to contact at the Caf. When a service app lands, it takes the
service's URL name in `portal.context_processors.SERVICE_URLS` and its entry here goes."""

from django.shortcuts import render

from habilitations.access.decorators import service_required
from habilitations.models import Caf

# code → what the page says. "offre": what the service will let the user do; "public": who uses it.
UPCOMING_SERVICES = {
    "DGFIP": {
        "libelle": "Offre DGFIP",
        "titre": "OFFRE DGFIP",
        "intro": "L'offre DGFIP permet aux directions départementales des finances publiques (DDFiP) de disposer "
        "des informations nécessaires pour adresser à juste titre une opposition à tiers détenteur (OTD).",
        "offre": [
            "rechercher un allocataire par son nom, son prénom et sa date de naissance (le numéro allocataire est "
            "facultatif) ;",
            "consulter sa fiche : identité, adresse, prestations versées sur les 12 derniers mois, ce qui est "
            "saisissable ou non, la prochaine date de paiement, les dettes en cours envers la Caf ;",
            "éditer une attestation de la consultation pour le dossier fiscal ;",
            "chaque consultation est tracée avec la référence du dossier fiscal que vous indiquez.",
        ],
        "public": "Les agents des directions départementales des finances publiques habilités par leur "
        "administrateur.",
    },
    "SUPERVISION_DGFIP": {
        "libelle": "Supervision DGFIP",
        "titre": "SUPERVISION DGFIP",
        "intro": "La supervision DGFIP permet à l'administrateur d'une DDFiP de suivre les consultations de l'offre "
        "DGFIP faites par ses agents.",
        "offre": [
            "lister et filtrer les consultations de vos agents ;",
            "compter les consultations par agent et par mois, repérer les volumes atypiques ;",
            "exporter ces données (CSV).",
        ],
        "public": "Les administrateurs des directions départementales des finances publiques.",
    },
}


def _contact_caf(user) -> Caf | None:
    """The Caf to contact: the Caf pivot of the user's organism (an agent's own Caf otherwise)."""
    if user.organism_id:
        return Caf.objects.filter(organisms__pk=user.organism_id).first()
    return user.caf


def _upcoming_service_page(request, code: str):
    return render(
        request,
        "portal/services/a_venir.html",
        {"service": UPCOMING_SERVICES[code], "code": code, "caf": _contact_caf(request.user)},
    )


@service_required("DGFIP")
def dgfip(request):
    return _upcoming_service_page(request, "DGFIP")


@service_required("SUPERVISION_DGFIP")
def supervision_dgfip(request):
    return _upcoming_service_page(request, "SUPERVISION_DGFIP")
