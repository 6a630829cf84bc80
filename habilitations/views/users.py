"""Gestion des habilitations: the users of a convention ("Liste des utilisateurs"), creation, modification,
closing, "Renvoi de l'identifiant par mail" and the user's detail with the explanation of their rights.

Reads go through the scoped querysets (another organism's user answers 404); writes through the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.collation import french_order
from core.forms import add_service_errors
from core.pagination import paginate
from habilitations import selectors, services, support
from habilitations.access import querysets
from habilitations.access.context import access_context_for
from habilitations.access.decorators import admin_of_organism, habilitations_manager
from habilitations.accounts import identifiant_send
from habilitations.forms.users import PartnerUserCreateForm, PartnerUserUpdateForm, UserCloseForm, UserFilterForm


@habilitations_manager
def my_users(request):
    """ "Mes utilisateurs (interne)": the users of the manager's convention (a manager's organism is their own:
    the database refuses an administrator or a responsable from another organism)."""
    convention = querysets.conventions_managed(request.access).order_by("pk").first()
    if convention is None:  # a role closed since the access context was computed
        return redirect("habilitations:conventions")
    return redirect("habilitations:users", convention_id=convention.pk)


@habilitations_manager
def users(request, convention_id):
    """ "Liste des utilisateurs": a constant number of queries whatever the number of users."""
    access = request.access
    convention = querysets.convention_for_manager(access, convention_id)
    form = UserFilterForm(request.GET or None, groups=querysets.groups_visible(access, convention))
    users = form.filter(querysets.users_visible(access, convention))
    users = selectors.with_administrator_flag(users).order_by(*french_order("nom", "prenom"), "pk")
    return render(
        request,
        "habilitations/users/list.html",
        {
            "convention": convention,
            "form": form,
            "page": paginate(request, users),
            "is_admin": querysets.is_admin_of(access, convention),
        },
    )


def _groups_to_fill(access, convention):
    """The groups a manager may put a new user in: those they see, not closed."""
    not_closed = Q(date_cloture__isnull=True) | Q(date_cloture__gt=timezone.localdate())
    return querysets.groups_visible(access, convention).filter(not_closed)


@habilitations_manager
def user_create(request, convention_id):
    """ "Créer un utilisateur partenaire": the identifiant and the provisional password are e-mailed."""
    access = request.access
    convention = querysets.convention_for_manager(access, convention_id)
    is_admin = querysets.is_admin_of(access, convention)
    form = PartnerUserCreateForm(
        request.POST if request.method == "POST" else None,
        groups=_groups_to_fill(access, convention),
        group_required=not is_admin,  # a responsable creates users into one of their groups
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = support.partner_user_create_attested(
                organism=convention.organism,
                group=form.cleaned_data["group"],
                qualification_attestee=form.cleaned_data["qualification"],
                actor=request.user,
                request=request,
                **form.user_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"L'utilisateur {user.get_full_name()} ({user.identifiant}) a été créé ; il reçoit son identifiant "
                "et son mot de passe provisoire par courriel.",
            )
            return redirect("habilitations:users", convention_id=convention.pk)
    return render(request, "habilitations/users/create.html", {"convention": convention, "form": form})


def _visible_group_ids(access, user):
    """None when the viewer administers the user's organism (they see everything); else the responsable's groups."""
    if user.organism_id in access.admin_organism_ids:
        return None
    return access.responsable_group_ids


@habilitations_manager
def user_detail(request, user_id):
    """ "Détail de l'utilisateur": data, memberships, roles and what the rule of access gives them today."""
    access = request.access
    user = querysets.user_for_manager(access, user_id)
    group_ids = _visible_group_ids(access, user)
    grants = access_context_for(user).grants
    if group_ids is not None:
        grants = tuple(grant for grant in grants if grant.group_id in group_ids)
    return render(
        request,
        "habilitations/users/detail.html",
        {
            "the_user": user,
            "convention": user.organism.convention,
            "grants": grants,
            "memberships": selectors.user_memberships(user, group_ids),
            "administrator_roles": selectors.user_administrator_roles(user),
            "responsable_groups": selectors.user_responsable_groups(user, group_ids),
            "is_admin": group_ids is None,
            "restricted": group_ids is not None,
            "is_administrator": selectors.is_administrator(user),
        },
    )


ADMINISTRATOR_MANAGED_BY_CAF = (
    "Cet utilisateur est administrateur de l'organisme : ses données et sa clôture passent par la Caf "
    "(changement d'administrateur : avenant à la convention)."
)


def _refuse_administrator(request, user):
    """Administrators are named, changed and closed by the Caf: a partner administrator could otherwise take
    over the other administrator's account (new e-mail, then "Mot de passe oublié ?")."""
    if not selectors.is_administrator(user):
        return None
    messages.error(request, ADMINISTRATOR_MANAGED_BY_CAF)
    return redirect("habilitations:user_detail", user_id=user.pk)


@admin_of_organism
def user_update(request, user_id):
    """ "Modifier": nom, prénom, e-mail, téléphone, poste, dates (administrators only)."""
    user = querysets.user_for_admin(request.access, user_id)
    if refused := _refuse_administrator(request, user):
        return refused
    form = PartnerUserUpdateForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, "Aucune modification n'a été faite.")
            return redirect("habilitations:user_detail", user_id=user.pk)
        try:
            services.partner_user_update(user, actor=request.user, request=request, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"L'utilisateur {user.get_full_name()} ({user.identifiant}) a été modifié.")
            return redirect("habilitations:users", convention_id=user.organism.convention.pk)
    return render(
        request,
        "habilitations/users/update.html",
        {"the_user": user, "convention": user.organism.convention, "form": form},
    )


@admin_of_organism
def user_close(request, user_id):
    """ "Clôturer": asks for the closing date and a confirmation; the user's memberships close with them."""
    user = querysets.user_for_admin(request.access, user_id)
    if refused := _refuse_administrator(request, user):
        return refused
    form = UserCloseForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_user_close(
                user, date_cloture=form.cleaned_data["date_cloture"], actor=request.user, request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"L'utilisateur {user.get_full_name()} ({user.identifiant}) est clôturé au "
                f"{form.cleaned_data['date_cloture']:%d/%m/%Y}.",
            )
            return redirect("habilitations:users", convention_id=user.organism.convention.pk)
    return render(
        request,
        "habilitations/users/close.html",
        {"the_user": user, "convention": user.organism.convention, "form": form},
    )


@habilitations_manager
@require_POST
def user_resend_identifiant(request, user_id):
    """ "Renvoi de l'identifiant par mail" (never the password)."""
    user = querysets.user_for_manager(request.access, user_id)
    if not user.is_open:
        messages.error(request, "Cet utilisateur est clôturé : son identifiant ne lui est pas renvoyé.")
    else:
        with transaction.atomic():
            identifiant_send(user, request=request, actor=request.user)
        messages.success(request, f"L'identifiant a été renvoyé à l'adresse {user.email}.")
    return redirect("habilitations:users", convention_id=user.organism.convention.pk)
