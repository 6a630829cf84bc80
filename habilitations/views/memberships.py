"""Memberships: "AJOUTER UN UTILISATEUR AU GROUPE" and "Gérer l'appartenance de l'utilisateur". Nothing is deleted:
a membership is closed with a date and its history stays."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors
from core.redirects import safe_next
from habilitations import services, support
from habilitations.access import querysets
from habilitations.access.decorators import habilitations_manager
from habilitations.forms.memberships import MembershipAddForm, MembershipDatesForm
from habilitations.models import Convention
from habilitations.views.groups import int_or_none


@habilitations_manager
@require_http_methods(["GET", "POST"])
def membership_add(request, convention_id):
    """An administrator adds any open user of the organism to any group; a responsable, to their groups only."""
    access = request.access
    convention = querysets.convention_for_manager(access, convention_id)
    form = MembershipAddForm(
        request.POST if request.method == "POST" else None,
        users=querysets.users_addable(access, convention),
        groups=querysets.groups_visible(access, convention),
        initial={"user": int_or_none(request.GET.get("user")), "group": int_or_none(request.GET.get("group"))},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = support.membership_add_attested(
                user=data["user"],
                group=data["group"],
                qualification_attestee=data["qualification"],
                date_ouverture=data["date_ouverture"],
                date_cloture=data["date_cloture"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{membership.user.get_full_name()} a été ajouté(e) au groupe "
                f"{membership.group.code} - {membership.group.libelle}.",
            )
            return redirect("habilitations:user_memberships", membership.user_id)
    return render(
        request,
        "habilitations/memberships/add.html",
        {
            "convention": convention,
            "form": form,
            "cancel_url": safe_next(request, reverse("habilitations:groups", args=[convention.pk])),
        },
    )


def _convention_of(user) -> Convention:
    try:
        return user.organism.convention
    except Convention.DoesNotExist:
        raise Http404 from None


@habilitations_manager
@require_GET
def user_memberships(request, user_id):
    """The user's memberships (a responsable sees those of their groups), each with its dates and "Clôturer"."""
    access = request.access
    member = querysets.user_for_manager(access, user_id)
    convention = _convention_of(member)
    memberships = (
        member.memberships.filter(group__in=querysets.groups_visible(access, convention))
        .select_related("group")
        .order_by("-date_ouverture", "-pk")
    )
    return render(
        request,
        "habilitations/memberships/user_memberships.html",
        {
            "member": member,
            "convention": convention,
            "rows": [(membership, MembershipDatesForm(membership=membership)) for membership in memberships],
            "today": timezone.localdate(),
        },
    )


def _membership_change(request, membership, action: str, form: MembershipDatesForm) -> str | None:
    """Apply the posted action; returns what was done, or None when the form is invalid."""
    if action == "cloturer":
        if membership.date_cloture is not None and membership.date_cloture <= timezone.localdate():
            raise ValidationError("Cette appartenance est déjà clôturée.")
        services.membership_close(membership, actor=request.user, request=request)
        return "clôturée"
    if not form.is_valid():
        return None
    services.membership_update(
        membership,
        date_ouverture=form.cleaned_data["date_ouverture"],
        date_cloture=form.cleaned_data["date_cloture"],
        actor=request.user,
        request=request,
    )
    return "modifiée"


@habilitations_manager
@require_http_methods(["GET", "POST"])
def membership_update(request, membership_id):
    """Change a membership's dates ("Enregistrer") or close it today ("Clôturer")."""
    membership = querysets.membership_for_manager(request.access, membership_id)
    back = safe_next(request, reverse("habilitations:user_memberships", args=[membership.user_id]))
    action = request.POST.get("action", "enregistrer")
    form = MembershipDatesForm(
        request.POST if request.method == "POST" and action == "enregistrer" else None, membership=membership
    )
    close_errors = []
    if request.method == "POST":
        try:
            done = _membership_change(request, membership, action, form)
        except ValidationError as error:
            if action == "cloturer":
                close_errors = error.messages
            else:
                add_service_errors(form, error)
        else:
            if done:
                messages.success(
                    request,
                    f"L'appartenance de {membership.user.get_full_name()} au groupe {membership.group.code} "
                    f"a été {done}.",
                )
                return redirect(back)
    return render(
        request,
        "habilitations/memberships/update.html",
        {
            "membership": membership,
            "convention": membership.group.convention,
            "form": form,
            "back": back,
            "close_errors": close_errors,
            "today": timezone.localdate(),
        },
    )
