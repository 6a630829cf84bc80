"""ADONIS: « Rechercher un dossier » (POST, Consulter Dossier's rules, an opaque reference afterwards), the family's
page (composition and quotient familial only), « Demande d'aide à domicile » (new, list, page with its history and
its decision). Every view: @service_required("ADONIS"); every object through adonis.selectors, scoped to the user's
SAAD (another SAAD's request, another user's look-up: 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from adonis import models as adonis_models
from adonis import selectors, services
from adonis.forms import DecisionForm, RequestForm, SearchForm
from adonis.models import SERVICE, MotifRefus
from cdap import selectors as cdap_selectors
from core.forms import add_service_errors
from core.history import timeline
from core.pagination import paginate
from habilitations.access.decorators import service_required
from habilitations.models import Organism, Profile


def _saad(request) -> Organism:
    """The SAAD the user acts for (the first of their ADONIS grants, in the reference order), with its Caf pivot:
    the Caf whose dossiers the search reaches (the convention's)."""
    grant = request.access.grants_for(SERVICE)[0]
    return Organism.objects.select_related("caf_pivot").get(pk=grant.organism_id)


@service_required(SERVICE)
def accueil(request):
    """« Rechercher un dossier » (and the way to the requests). The search is a POST: no name nor numéro in a URL."""
    organism = _saad(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    refused = False
    if request.method == "POST":
        if form.is_valid():
            controle = Profile.objects.filter(code=SERVICE).values_list("controle_supplementaire", flat=True).first()
            criteria = cdap_selectors.SearchCriteria(
                caf_id=organism.caf_pivot_id,
                nom=form.cleaned_data["nom"],
                numero=form.cleaned_data["numero"],
                profile_code=SERVICE,
                controle=controle or "",
                organism_id=organism.pk,
            )
            dossier, reason = cdap_selectors.dossier_search(criteria)
            if dossier is not None:
                lookup = services.lookup_create(request=request, organism=organism, dossier=dossier)
                return redirect("adonis:famille", reference=lookup.reference)
            services.search_refused(
                request=request,
                organism=organism,
                caf_code=organism.caf_pivot.code,
                numero=criteria.numero,
                reason=reason,
            )
            refused = True
        else:
            services.search_refused(
                request=request,
                organism=organism,
                caf_code=organism.caf_pivot.code,
                numero=request.POST.get("numero", "")[:7],
                reason=cdap_selectors.REASON_FORM,
            )
    return render(
        request,
        "adonis/accueil.html",
        {
            "form": form,
            "refused": refused,
            "refusal_message": cdap_selectors.REFUSAL_MESSAGE,
            "caf": organism.caf_pivot,
            "organism": organism,
        },
    )


@service_required(SERVICE)
def famille(request, reference):
    """The family composition and the quotient familial today, nothing else of the file."""
    lookup = selectors.lookup_for(request, reference)
    return render(
        request,
        "adonis/famille.html",
        {"lookup": lookup, "famille": selectors.family(lookup.dossier_id), "today": request.access.day},
    )


@service_required(SERVICE)
def demande_nouvelle(request, reference):
    lookup = selectors.lookup_for(request, reference)
    form = RequestForm(request.POST or None, initial={"date_demande": request.access.day})
    if request.method == "POST" and form.is_valid():
        try:
            demande = services.request_create(request=request, lookup=lookup, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "La demande d'aide à domicile est enregistrée.")
            return redirect("adonis:demande", request_id=demande.pk)
    return render(
        request,
        "adonis/demande_nouvelle.html",
        {"lookup": lookup, "famille": selectors.family(lookup.dossier_id), "form": form},
    )


@service_required(SERVICE)
def demandes(request):
    """The SAAD's requests, newest first, paginated; a constant number of queries."""
    page = paginate(request, selectors.requests(request.access))
    return render(request, "adonis/demandes.html", {"page": page, "rows": selectors.with_families(page)})


def _decision_context(request, demande, form) -> dict:
    return {
        "demande": demande,
        "famille": selectors.with_families([demande])[0].famille,
        "historique": timeline(demande),
        "form": form,
        "motif_refus_label": MotifRefus(demande.motif_refus).label if demande.motif_refus else "",
    }


@service_required(SERVICE)
def demande(request, request_id: int):
    """A request: its data, its decision (or the form to decide), its history."""
    found = selectors.request_for(request.access, request_id)
    form = DecisionForm() if found.etat == adonis_models.Etat.DEMANDEE else None
    return render(request, "adonis/demande.html", _decision_context(request, found, form))


@service_required(SERVICE)
def decision(request, request_id: int):
    """Accept or refuse a pending request (POST only); bad input: the page again with French messages."""
    found = selectors.request_for(request.access, request_id)
    if request.method != "POST":
        return redirect("adonis:demande", request_id=found.pk)
    form = DecisionForm(request.POST)
    if found.etat != adonis_models.Etat.DEMANDEE:
        messages.error(request, "Cette demande a déjà reçu une décision.")
        return redirect("adonis:demande", request_id=found.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "ACCEPTEE":
                services.request_accept(
                    found,
                    request=request,
                    heures_prevues=data["heures_prevues"],
                    niveau=data["niveau"],
                    date_debut=data["date_debut"],
                    date_fin=data["date_fin"],
                    comment=data["commentaire"],
                )
                messages.success(request, "La demande est acceptée.")
            else:
                services.request_refuse(
                    found,
                    request=request,
                    motif_refus=data["motif_refus"],
                    motif_refus_autre=data["motif_refus_autre"],
                    comment=data["commentaire"],
                )
                messages.success(request, "La demande est refusée.")
        except ValidationError as error:
            found.refresh_from_db()
            add_service_errors(form, error)
        else:
            return redirect("adonis:demande", request_id=found.pk)
    return render(request, "adonis/demande.html", _decision_context(request, found, form))
