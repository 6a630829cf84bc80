"""Groupes utilisateurs of a convention: list, creation, change, and "Habilitations du groupe" (guide 001)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors
from habilitations import services
from habilitations.access import querysets
from habilitations.access.decorators import admin_of_organism, habilitations_manager
from habilitations.forms.groups import (
    NEW_RESPONSABLE_FIELDS,
    GrantAssignForm,
    GroupFilterForm,
    GroupForm,
    GroupUpdateForm,
    renamed,
)
from habilitations.forms.memberships import MembershipDatesForm
from habilitations.models import ConventionProfile, UserGroup

PAGE_SIZE = 20


def int_or_none(value) -> int | None:
    """A posted or queried id: anything but a plain positive number is no id (never a 500)."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


@habilitations_manager
@require_GET
def groups(request, convention_id):
    """ "GROUPES UTILISATEURS": an administrator sees every group of the convention, a responsable their own."""
    access = request.access
    convention = querysets.convention_for_manager(access, convention_id)
    filters = GroupFilterForm(request.GET or None, users=querysets.users_visible(access, convention))
    visible = filters.filter(querysets.groups_visible(access, convention))
    page = Paginator(visible.order_by("code", "-date_ouverture", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "habilitations/groups/list.html",
        {
            "convention": convention,
            "is_admin": querysets.is_admin_of(access, convention),
            "filters": filters,
            "page": page,
            "today": timezone.localdate(),
        },
    )


@transaction.atomic
def _group_save(request, form: GroupForm, convention, group: UserGroup | None = None) -> UserGroup:
    """Create the responsable first when asked ("Créer..."), then the group, in one transaction: a refused
    group leaves no user behind."""
    data = form.cleaned_data
    responsable = data["responsable"]
    if form.creates_responsable:
        try:
            responsable = services.partner_user_create(
                organism=convention.organism, **form.new_responsable_data(), actor=request.user, request=request
            )
        except ValidationError as error:
            raise renamed(error, NEW_RESPONSABLE_FIELDS) from None
    if group is None:
        return services.group_create(
            convention=convention,
            code=data["code"],
            libelle=data["libelle"],
            responsable=responsable,
            parent=data["parent"],
            date_ouverture=data["date_ouverture"],
            date_cloture=data["date_cloture"],
            actor=request.user,
            request=request,
        )
    changes = form.group_changes(responsable)
    if not changes:
        return group
    return services.group_update(group, **changes, actor=request.user, request=request)


def _group_form_page(request, form: GroupForm, convention, group: UserGroup | None):
    if request.method == "POST" and form.is_valid():
        try:
            saved = _group_save(request, form, convention, group)
        except ValidationError as error:
            if form.creates_responsable:
                error = renamed(error, {"responsable": "responsable_mode"})
            add_service_errors(form, error)
        else:
            if form.creates_responsable:
                messages.success(
                    request,
                    f"Le responsable habilitations {saved.responsable.get_full_name()} a été créé "
                    f"(identifiant {saved.responsable.identifiant}) : son identifiant et son mot de passe "
                    "provisoire lui sont envoyés par courriel.",
                )
            verb = "créé" if group is None else "modifié"
            messages.success(request, f"Le groupe {saved.code} - {saved.libelle} a été {verb}.")
            return redirect("habilitations:groups", convention.pk)
    return render(request, "habilitations/groups/form.html", {"convention": convention, "group": group, "form": form})


@admin_of_organism
@require_http_methods(["GET", "POST"])
def group_create(request, convention_id):
    """ "CRÉER UN GROUPE UTILISATEURS" (administrators only)."""
    access = request.access
    convention = querysets.convention_for_admin(access, convention_id)
    form = GroupForm(
        request.POST if request.method == "POST" else None,
        convention=convention,
        users=querysets.users_addable(access, convention),
    )
    return _group_form_page(request, form, convention, None)


@admin_of_organism
@require_http_methods(["GET", "POST"])
def group_update(request, group_id):
    """ "Modifier le groupe": libellé, responsable, sous-groupe de, dates (a closing date closes it)."""
    access = request.access
    group = querysets.group_for_admin(access, group_id)
    convention = group.convention
    form = GroupUpdateForm(
        request.POST if request.method == "POST" else None,
        convention=convention,
        users=querysets.users_addable(access, convention),
        group=group,
    )
    return _group_form_page(request, form, convention, group)


def _assignable_profiles(group: UserGroup):
    """The convention's profiles open today: the only ones "Assigner rôle" accepts."""
    today = timezone.localdate()
    return (
        ConventionProfile.objects.open_on(today)
        .filter(convention_id=group.convention_id)
        .select_related("profile__service")
        .order_by("profile__service__ordre", "profile__ordre", "pk")
    )


def _profiles_of_service(profiles, service_code: str | None):
    """(services offered, chosen service code, that service's profiles) from the list of profiles."""
    profiles = list(profiles)
    offered = list({cp.profile.service.code: cp.profile.service for cp in profiles}.values())
    codes = [service.code for service in offered]
    chosen = service_code if service_code in codes else (codes[0] if codes else None)
    return offered, chosen, [cp for cp in profiles if cp.profile.service.code == chosen]


@admin_of_organism
@require_http_methods(["GET", "POST"])
def group_grants(request, group_id):
    """ "Habilitations du groupe": choose the service, then the profile, "Assigner rôle"; the assigned roles
    each have "Retirer"; "Enregistrer" returns to the list. Works without JavaScript ("Afficher les profils")."""
    access = request.access
    group = querysets.group_for_admin(access, group_id)
    profiles = _assignable_profiles(group)
    offered, service, shown = _profiles_of_service(profiles, request.POST.get("service") or request.GET.get("service"))
    action = request.POST.get("action", "assigner")
    form = GrantAssignForm(
        request.POST if request.method == "POST" and action == "assigner" else None, profiles=profiles, shown=shown
    )
    grants = (
        group.grants.exclude(date_cloture__isnull=False, date_cloture__lte=timezone.localdate())
        .select_related("convention_profile__profile__service")
        .order_by("convention_profile__profile__service__ordre", "convention_profile__profile__ordre", "pk")
    )

    def here(profile_service) -> str:
        return f"{reverse('habilitations:group_grants', args=[group.pk])}?service={profile_service.code}"

    if request.method == "POST":
        if action == "enregistrer":
            messages.success(request, f"Les habilitations du groupe {group.code} - {group.libelle} sont enregistrées.")
            return redirect("habilitations:groups", group.convention_id)
        if action == "retirer":
            grant = get_object_or_404(grants, pk=int_or_none(request.POST.get("grant")))
            services.grant_close(grant, actor=request.user, request=request)
            profile = grant.convention_profile.profile
            messages.success(request, f"Le rôle « {profile.libelle} » a été retiré du groupe.")
            return redirect(here(profile.service))
        if form.is_valid():
            convention_profile = form.cleaned_data["convention_profile"]
            try:
                services.grant_assign(group, convention_profile, actor=request.user, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Le rôle « {convention_profile.profile.libelle} » est assigné au groupe {group.code}."
                )
                return redirect(here(convention_profile.profile.service))
    return render(
        request,
        "habilitations/groups/grants.html",
        {
            "group": group,
            "convention": group.convention,
            "services": offered,
            "service": service,
            "form": form,
            "grants": grants,
            "today": timezone.localdate(),
        },
    )


@admin_of_organism
@require_GET
def group_profiles_options(request, group_id):
    """The <option>s of the profile select for ?service= (htmx swaps them in when the service changes)."""
    group = querysets.group_for_admin(request.access, group_id)
    wanted = request.GET.get("service")
    _, chosen, shown = _profiles_of_service(_assignable_profiles(group), wanted)
    return render(
        request, "habilitations/groups/_profile_options.html", {"profiles": shown if chosen == wanted else []}
    )


@habilitations_manager
@require_GET
def group_memberships(request, group_id):
    """ "Gérer l'appartenance de l'utilisateur" from a group: its members, their dates, "Clôturer"."""
    group = querysets.group_for_manager(request.access, group_id)
    history = request.GET.get("historique") == "1"
    memberships = group.memberships.select_related("user").order_by("user__nom", "user__prenom", "-date_ouverture")
    if not history:
        memberships = memberships.exclude(date_cloture__isnull=False, date_cloture__lte=timezone.localdate())
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(membership, MembershipDatesForm(membership=membership)) for membership in page]
    return render(
        request,
        "habilitations/memberships/group_memberships.html",
        {
            "group": group,
            "convention": group.convention,
            "page": page,
            "rows": rows,
            "history": history,
            "today": timezone.localdate(),
        },
    )
