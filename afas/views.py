"""Aides financières d'action sociale: Accueil AFAS and « Administration des profils » (guide 002). Every view
declares its rule of the access layer (@service_required / @profile_required); who may act as which role, whose
roles a user manages and who may receive one come from the access layer too (afas.selectors →
habilitations.access.service_roles): no rule is written here or in the templates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from afas import selectors, services
from afas.forms import HabilitationSearchForm, HabiliterForm
from afas.models import Role
from core.forms import add_service_errors
from habilitations.access.decorators import profile_required, service_required

SEARCH_DEFAULTS = {"etat": "ACTIF", "lieux": "OUI"}
SUCCESS = "Les habilitations ont été créées avec succès."
PENDING = (
    "L'habilitation de cet utilisateur au rôle d'approbateur pour l'équipement/service {nom}, est en cours de "
    "validation par la Caf."
)


@service_required("AFAS")
def accueil(request):
    """Accueil AFAS: the service in three steps, the user's roles today and, without one, whom to ask for one."""
    access = request.access
    roles = list(selectors.roles_today(access))
    context = {
        "roles": roles,
        "habiliter": access.can_use("AFAS", "AFAS-HABILITER"),
        "declarer": access.can_use("AFAS", "AFAS-DECLARER"),
        "habiliter_users": [] if roles else selectors.habiliter_users(access),
    }
    return render(request, "afas/accueil.html", context)


def _search_form(access, data) -> HabilitationSearchForm:
    return HabilitationSearchForm(
        data,
        organisms=selectors.managed_organisms(access),
        people=selectors.people_listed(access),
        activities=selectors.managed_activities(access),
    )


@profile_required("AFAS", "AFAS-HABILITER")
def profils(request):
    """HABILITATIONS D'ACTION SOCIALE: the roles of the partners the user manages, by the guide's criteria (Actif
    by default); a bad criterion is told next to its field and nothing is listed."""
    data = request.GET if "etat" in request.GET else SEARCH_DEFAULTS
    form = _search_form(request.access, data)
    groups = selectors.habilitations_found(request.access, form.cleaned_data) if form.is_valid() else None
    return render(request, "afas/profils.html", {"form": form, "groups": groups})


def _habiliter_form(request, data=None, initial=None) -> HabiliterForm:
    access = request.access
    return HabiliterForm(
        data,
        initial=initial,
        organisms=selectors.managed_organisms(access),
        activities=lambda organism: selectors.managed_activities(access).filter(organism=organism),
        receivers=lambda organism: selectors.role_receivers(access, organism),
    )


def _refresh_initial(post: QueryDict) -> dict:
    """What was typed, as the initial values of a form that is re-rendered without being checked."""
    initial = {name: post.get(name) for name in ("partenaire", "utilisateur", "role", "date_ouverture")}
    initial |= {name: post.get(name) for name in ("activite", "type_activite", "nature", "portee")}
    initial |= {name: post.getlist(name) for name in ("activites", "sites", "toutes_sites")}
    initial["toutes_activites"] = bool(post.get("toutes_activites"))
    return {name: value for name, value in initial.items() if value not in (None, "", [])}


@profile_required("AFAS", "AFAS-HABILITER")
def habiliter(request):
    """HABILITER UN UTILISATEUR: a role on activities or lieux d'implantation, from a date, written through
    afas.services.roles_give (all or nothing; the quota's refusal names the activity and its holders).
    « Afficher les activités » / « Afficher les lieux d'implantation », and htmx on a change of the cascading
    selects, re-render the form from what was typed without checking it."""
    if request.method != "POST":
        # After « Enregistrer », the same partner, user and role stay chosen for the next scope (guide 003).
        form = _habiliter_form(request, initial=_refresh_initial(request.GET))
        return render(request, "afas/habiliter.html", {"form": form})
    if request.POST.get("action") == "afficher":
        form = _habiliter_form(request, initial=_refresh_initial(request.POST))
        return render(request, "afas/habiliter.html", {"form": form})
    form = _habiliter_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            given = services.roles_give(
                access=request.access,
                user=data["utilisateur"],
                role=data["role"],
                activities=data["scopes"].get("activities", ()),
                sites=data["scopes"].get("sites", ()),
                date_ouverture=data["date_ouverture"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, _on_form_fields(error, data["portee"]))
        else:
            messages.success(request, SUCCESS)
            for assignment in given:
                if assignment.role == Role.APPROBATEUR:
                    messages.info(request, PENDING.format(nom=assignment.activity.nom))
            if request.POST.get("action") == "quitter":
                return redirect(reverse("afas:profils"))
            kept = {"partenaire": data["partenaire"].pk, "utilisateur": data["utilisateur"].pk, "role": data["role"]}
            return redirect(f"{reverse('afas:habiliter')}?{urlencode(kept)}")
    return render(request, "afas/habiliter.html", {"form": form})


def _on_form_fields(error: ValidationError, portee: str) -> ValidationError:
    """The services' fields (user, activity, site, date_ouverture) named as the form's."""
    if not hasattr(error, "error_dict"):
        return error
    scope = "sites" if portee == "SITES" else "activites"
    names = {"user": "utilisateur", "activity": scope, "site": scope}
    return ValidationError({names.get(name, name): errors for name, errors in error.error_dict.items()})


@profile_required("AFAS", "AFAS-HABILITER")
def role_end(request, pk: int):
    """« Supprimer » a habilitation: it ends today and appears under « Historique ». A role of a partner the user
    does not manage answers 404, as one that does not exist."""
    assignment = get_object_or_404(
        selectors.managed_assignments(request.access).select_related("activity", "site", "user"), pk=pk
    )
    error = None
    if request.method == "POST":
        try:
            services.role_withdraw(assignment, access=request.access, actor=request.user, request=request)
        except ValidationError as refused:
            error = refused.messages[0]
        else:
            messages.success(request, "L'habilitation est terminée : elle figure désormais dans l'historique.")
            return redirect(reverse("afas:profils"))
    return render(request, "afas/role_end.html", {"assignment": assignment, "error": error})
