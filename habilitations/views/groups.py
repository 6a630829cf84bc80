"""Groupes utilisateurs of a convention: list, creation, change, and "Habilitations du groupe" (guide 001)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.collation import natural_key
from core.forms import add_service_errors
from core.pagination import paginate
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
    # Codes in natural order (T4 before T18), sorted here: a convention's groups are a few dozen at most.
    ordered = sorted(visible.order_by("code", "-date_ouverture", "pk"), key=lambda group: natural_key(group.code))
    page = paginate(request, ordered, PAGE_SIZE)
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


def _pending_grants(request, grants) -> list:
    """The assigned roles "Retirer" marked on this page and not yet saved (hidden `retrait` fields): only this
    group's open grants; another id answers 404, as the "Retirer" button does."""
    by_pk = {grant.pk: grant for grant in grants}
    pending = []
    for value in request.POST.getlist("retrait"):
        grant = by_pk.get(int_or_none(value))
        if grant is None:
            raise Http404
        if grant not in pending:
            pending.append(grant)
    return pending


def _pending_profiles(request, profiles) -> list:
    """The profiles "Assigner rôle" put in the right-hand box and not yet saved (hidden `ajout` fields), in the
    order given; an id that is no profile the group may receive is dropped (it was never shown)."""
    by_pk = {cp.pk: cp for cp in profiles}
    pending = []
    for value in request.POST.getlist("ajout"):
        cp = by_pk.get(int_or_none(value))
        if cp is not None and cp not in pending:
            pending.append(cp)
    return pending


@transaction.atomic
def _grants_save(request, group: UserGroup, removed: list, added: list) -> None:
    """ "Enregistrer": the roles withdrawn, then those assigned, through the services, in one transaction — a
    refused assignment leaves every grant as it was."""
    for grant in removed:
        services.grant_close(grant, actor=request.user, request=request)
    for convention_profile in added:
        services.grant_assign(group, convention_profile, actor=request.user, request=request)


@admin_of_organism
@require_http_methods(["GET", "POST"])
def group_grants(request, group_id):
    """ "Habilitations du groupe" (guide 001): choose the service, then the profile, "Assigner rôle" puts the role in
    the right-hand box; "Retirer" marks an assigned role; nothing is written until "Enregistrer", which saves the
    list at once, and "Annuler" leaves it unsaved. The page is one form whose hidden fields carry the list between
    its buttons: it works without JavaScript ("Afficher les profils")."""
    access = request.access
    group = querysets.group_for_admin(access, group_id)
    assignable = _assignable_profiles(group)
    profiles = list(assignable)
    offered, service, shown = _profiles_of_service(profiles, request.POST.get("service") or request.GET.get("service"))
    grants = list(
        group.grants.exclude(date_cloture__isnull=False, date_cloture__lte=timezone.localdate())
        .select_related("convention_profile__profile__service")
        .order_by("convention_profile__profile__service__ordre", "convention_profile__profile__ordre", "pk")
    )
    posted = request.method == "POST"
    action = request.POST.get("action", "")
    removed = _pending_grants(request, grants) if posted else []
    added = _pending_profiles(request, profiles) if posted else []
    form = GrantAssignForm(request.POST if posted and action == "assigner" else None, profiles=assignable, shown=shown)

    if posted:
        if "retirer" in request.POST:
            grant = next((g for g in grants if g.pk == int_or_none(request.POST["retirer"])), None)
            if grant is None:
                raise Http404
            if grant not in removed:
                removed.append(grant)
        elif "garder" in request.POST:
            removed = [g for g in removed if g.pk != int_or_none(request.POST["garder"])]
        elif "enlever" in request.POST:
            added = [cp for cp in added if cp.pk != int_or_none(request.POST["enlever"])]
        elif action == "assigner" and form.is_valid():
            convention_profile = form.cleaned_data["convention_profile"]
            held = {g.convention_profile_id for g in grants if g not in removed}
            if convention_profile.pk in held or convention_profile in added:
                form.add_error("convention_profile", "Le groupe détient déjà ce profil.")
            else:
                added.append(convention_profile)
        elif action == "enregistrer":
            try:
                _grants_save(request, group, removed, added)
            except ValidationError as error:
                # The form was not posted with this button: its errors start empty, the rule's message goes next to
                # the profile field.
                form.full_clean()
                form.cleaned_data = {}
                add_service_errors(form, error)
            else:
                messages.success(
                    request, f"Les habilitations du groupe {group.code} - {group.libelle} sont enregistrées."
                )
                return redirect("habilitations:groups", group.convention_id)
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
            "removed": removed,
            "added": added,
            "unsaved": bool(removed or added),
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
    page = paginate(request, memberships, PAGE_SIZE)
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
