"""Consulter Dossier: search (POST), synthèse and rubrics (masked by cdap.selectors.dossier_view), attestation de
paiement, Dialogue. Every view: @service_required("CDAP"); the consultation reference answers 404 to anybody but
its user; a closed rubric answers 403 and is journaled."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from cdap import selectors, services
from cdap.forms import DialogueForm, SearchForm
from cdap.views_help import help_topics
from core.forms import add_service_errors
from core.pdf import render_pdf
from habilitations.access.decorators import service_required
from habilitations.access.rubrics import RUBRIC_LABELS, TAB_ORDER, may_see
from habilitations.models import Caf, Organism


def _search_setup(request):
    """The user's CDAP profiles (code → grant) and the organism whose Caf pivot fixes the Caf searched."""
    grants = {}
    for grant in request.access.grants_for("CDAP"):
        grants.setdefault(grant.profile, grant)
    organism = Organism.objects.select_related("caf_pivot").get(pk=next(iter(grants.values())).organism_id)
    cafs = list(Caf.objects.values_list("pk", "nom")) if organism.multi_departement else None
    return grants, organism, cafs


@service_required("CDAP")
def search(request):
    grants, organism, cafs = _search_setup(request)
    profiles = [(code, grant.profile_libelle) for code, grant in grants.items()]
    cafs_choices = [(str(pk), nom) for pk, nom in cafs] if cafs else None
    form = SearchForm(request.POST if request.method == "POST" else None, profiles=profiles, cafs=cafs_choices)
    refused = False
    if request.method == "POST":
        if form.is_valid():
            profile = form.chosen_profile()
            grant = grants[profile]
            caf_id = int(form.cleaned_data["caf"]) if cafs else organism.caf_pivot_id
            from habilitations.models import Profile

            controle = Profile.objects.filter(code=profile).values_list("controle_supplementaire", flat=True).first()
            criteria = selectors.SearchCriteria(
                caf_id=caf_id,
                nom=form.cleaned_data["nom"],
                numero=form.cleaned_data["numero"],
                profile_code=profile,
                controle=controle or "",
                organism_id=grant.organism_id,
                numero_instructeur=form.cleaned_data.get("numero_instructeur", ""),
                numero_bailleur=form.cleaned_data.get("numero_bailleur", "").strip(),
            )
            dossier, reason = selectors.dossier_search(criteria)
            if dossier is not None:
                consultation = services.consultation_create(
                    request=request, dossier=dossier, profile=profile, organism_id=grant.organism_id
                )
                return redirect("cdap:synthese", reference=consultation.reference)
            caf_code = Caf.objects.filter(pk=caf_id).values_list("code", flat=True).first() or ""
            services.search_refused(
                request=request,
                organism_id=grant.organism_id,
                profile=profile,
                caf_code=caf_code,
                numero=criteria.numero,
                reason=reason,
            )
            refused = True
        else:
            profile = request.POST.get("profile", "") if len(profiles) > 1 else profiles[0][0]
            services.search_refused(
                request=request,
                organism_id=organism.pk,
                profile=profile if profile in grants else "",
                caf_code=organism.caf_pivot.code,
                numero=request.POST.get("numero", "")[:7],
                reason=selectors.REASON_FORM,
            )
    context = {
        "form": form,
        "refused": refused,
        "refusal_message": selectors.REFUSAL_MESSAGE,
        "caf_fixed": None if cafs else organism.caf_pivot,
        "help_topics": help_topics(request.access),  # the right column "Aide en ligne"
    }
    return render(request, "cdap/search.html", context, status=200)


def _consultation(request, reference, rubric: str):
    """The user's own live consultation, else 404 with the refusal journaled."""
    try:
        return selectors.consultation_for(request, reference)
    except Http404:
        services.reference_refused(request=request, rubric=rubric)
        raise


def _print_header(request, consultation) -> dict:
    return {"print_organism": consultation.organism.nom, "print_user": request.user, "print_date": timezone.now()}


@service_required("CDAP")
def synthese(request, reference):
    """The synthèse; `?rubrique=<code>` is the "Afficher :" selector's choice, sent on to that rubric's page (the
    rubric view checks the mask). The choice always answers a redirect, to the synthèse itself for "synthese" or a
    value the list does not offer (with a French message): a tampered value reads nothing, journals nothing."""
    if "rubrique" in request.GET:
        chosen = request.GET.get("rubrique", "")
        if chosen in TAB_ORDER and chosen != "synthese":
            return redirect("cdap:rubric", reference=reference, rubric=chosen)
        if chosen != "synthese":
            messages.error(request, "Cette rubrique n'existe pas : choisissez-en une dans la liste « Afficher : ».")
        return redirect("cdap:synthese", reference=reference)
    return rubric(request, reference, "synthese")


@service_required("CDAP")
def rubric(request, reference, rubric):
    consultation = _consultation(request, reference, rubric[:40])
    if rubric not in TAB_ORDER:
        raise Http404("Rubrique inconnue")
    if not may_see(consultation.profile_code, rubric):
        services.rubric_journal(request=request, consultation=consultation, rubric=rubric, refused=True)
        raise PermissionDenied
    options = {}
    if rubric == "paiements":
        options = {
            "page": request.GET.get("page", 1),
            "vue": "periode" if request.GET.get("vue") == "periode" else "paiement",
        }
    elif rubric == "droits":
        options = {
            "vue": "periode" if request.GET.get("vue") == "periode" else "mensuelle",
            "mois": request.GET.get("mois", "")[:7],
        }
    elif rubric == "ressources":
        options = {"annee": request.GET.get("annee", "")[:4], "mois": request.GET.get("mois", "")[:7]}
    view = selectors.dossier_view(consultation, rubric=rubric, **options)
    services.rubric_journal(request=request, consultation=consultation, rubric=rubric)
    return render(
        request,
        "cdap/dossier.html",
        {
            **view,
            **_print_header(request, consultation),
            "rubric_template": f"cdap/rubrics/{rubric}.html",
            "help_url": reverse("cdap:aide_rubrique", args=[rubric]),
        },
    )


@service_required("CDAP")
def attestation(request, reference):
    consultation = _consultation(request, reference, "attestation_paiement")
    if not may_see(consultation.profile_code, "attestation_paiement"):
        services.rubric_journal(
            request=request, consultation=consultation, rubric="attestation_paiement", refused=True
        )
        raise PermissionDenied
    data = selectors.attestation_data(consultation)
    error = ""
    if request.method == "POST":
        mode = request.POST.get("mode")
        if data["periode"] is None:
            error = "Aucun paiement n'a été émis sur ce dossier : l'attestation ne peut pas être produite."
        elif mode == "telecharger":
            services.attestation_journal(
                request=request, consultation=consultation, mode="download", periode=data["periode"]
            )
            pdf = render_pdf("pdf/attestation.html", {**data, "today": timezone.localdate()})
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="attestation-paiement-{data["periode"]:%Y-%m}.pdf"'
            )
            return response
        elif mode == "courrier":
            services.postal_request_create(request=request, consultation=consultation, periode=data["periode"])
            messages.success(
                request,
                "Votre demande est enregistrée : la Caf enverra l'attestation de paiement par courrier à "
                "l'allocataire.",
            )
            return redirect("cdap:synthese", reference=consultation.reference)
        else:
            error = "Choisissez « Télécharger » ou « Envoyer par courrier »."
    view = selectors.dossier_view(consultation, rubric=None)
    return render(
        request,
        "cdap/attestation.html",
        {
            **view,
            **_print_header(request, consultation),
            "periode": data["periode"],
            "error": error,
            "current_label": RUBRIC_LABELS["attestation_paiement"],
            "help_url": reverse("cdap:aide_rubrique", args=["attestation_paiement"]),
        },
    )


@service_required("CDAP")
def dialogue(request, reference):
    """Dialogue about the consulted dossier: its Caf, its numéro allocataire prefilled."""
    consultation = _consultation(request, reference, "dialogue")
    return _dialogue(
        request,
        caf=consultation.dossier.caf,
        organism=consultation.organism,
        profile=consultation.profile_code,
        consultation=consultation,
        context={**selectors.dossier_view(consultation, rubric=None), **_print_header(request, consultation)},
    )


@service_required("CDAP")
def dialogue_new(request):
    """Dialogue from the search page, without a dossier: to the Caf pivot of the user's organism."""
    grants, organism, _ = _search_setup(request)
    return _dialogue(
        request, caf=organism.caf_pivot, organism=organism, profile=next(iter(grants)), consultation=None, context={}
    )


def _dialogue(request, *, caf, organism, profile, consultation, context):
    """The form prefilled from the account; the service records the authenticated sender beside what is typed."""
    user = request.user
    initial = {
        "organisme": organism.nom,
        "nom_prenom": f"{user.nom} {user.prenom}".strip(),
        "email": user.email,
        "numero_allocataire": consultation.dossier.numero if consultation else "",
    }
    form = DialogueForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.dialogue_send(
                request=request,
                caf=caf,
                organism=organism,
                profile=profile,
                consultation=consultation,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Votre message a bien été transmis à la Caf. Une réponse vous sera apportée par courriel."
            )
            if consultation is not None:
                return redirect("cdap:synthese", reference=consultation.reference)
            return redirect("cdap:search")
    return render(
        request,
        "cdap/dialogue.html",
        {
            **context,
            "form": form,
            "caf": caf,
            "sender_organism": organism,
            "current_label": "Dialogue",
            "help_url": reverse("cdap:aide_dialogue"),
            "consultation": consultation,
        },
    )
