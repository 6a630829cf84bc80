"""Forms of "AJOUTER UN UTILISATEUR AU GROUPE" and "Gérer l'appartenance de l'utilisateur"."""

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.collation import french_order
from core.forms import RequiredMarkMixin, french_date_field
from habilitations import support
from habilitations.forms.groups import GroupChoiceField, UserChoiceField
from habilitations.models import Membership, User, UserGroup


def not_closed(queryset: QuerySet) -> QuerySet:
    """Open today or planned: a closing date today or before closes (the closing date is exclusive)."""
    today = timezone.localdate()
    return queryset.exclude(date_cloture__isnull=False, date_cloture__lte=today)


class QualificationMixin:
    """The box « l'utilisateur détient la qualification requise pour le profil … » (guide 000) of a form with a
    `group` field: the service refuses an unticked box when the group gives a CDAP profile (its message lands here).
    Once the group is known (chosen, or given by the link « Ajouter l'utilisateur au groupe »), the label names its
    profiles; a group without any CDAP profile needs no box."""

    def add_qualification_field(self) -> None:
        self.fields["qualification"] = forms.BooleanField(
            label=support.QUALIFICATION_LABEL,
            required=False,
            help_text=support.QUALIFICATION_HELP,
            template_name="components/checkbox_field.html",
        )
        group = self._chosen_group()
        profiles = support.group_cdap_profiles(group) if group is not None else []
        if profiles:
            label = support.QUALIFICATION_LABEL_FOR.format(profils=support.qualification_label(profiles))
            self.fields["qualification"].label = label

    def _chosen_group(self) -> UserGroup | None:
        field = self.fields["group"]
        value = self.data.get(self.add_prefix("group")) if self.is_bound else self.initial.get("group")
        if not value:
            return None
        try:
            return field.clean(value)
        except forms.ValidationError:
            return None  # the field says so on validation


class MembershipAddForm(QualificationMixin, RequiredMarkMixin, forms.Form):
    """Any open user of the organism, into one of the groups the manager sees (a responsable: their own)."""

    user = UserChoiceField(
        label="Utilisateur",
        queryset=User.objects.none(),
        empty_label="(Choisir un utilisateur)",
        error_messages={
            "required": "Choisissez l'utilisateur.",
            "invalid_choice": "Choisissez un utilisateur ouvert de l'organisme.",
        },
    )
    group = GroupChoiceField(
        label="Groupe",
        queryset=UserGroup.objects.none(),
        empty_label="(Choisir un groupe existant)",
        error_messages={
            "required": "Choisissez le groupe.",
            "invalid_choice": "Choisissez un groupe ouvert dont vous gérez les habilitations.",
        },
    )
    date_ouverture = french_date_field("Date d'ouverture", required=True, initial=timezone.localdate)
    date_cloture = french_date_field("Date de clôture")

    def __init__(self, *args, users: QuerySet[User], groups: QuerySet[UserGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = not_closed(users.filter(is_active=True)).order_by(
            *french_order("nom", "prenom"), "pk"
        )
        self.fields["group"].queryset = not_closed(groups).order_by("code", "pk")
        self.add_qualification_field()


class MembershipDatesForm(forms.Form):
    """Change the dates of one membership (a closing date closes it: nothing is deleted)."""

    date_ouverture = french_date_field("Date d'ouverture", required=True)
    date_cloture = french_date_field("Date de clôture")

    def __init__(self, *args, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial", {"date_ouverture": membership.date_ouverture, "date_cloture": membership.date_cloture}
        )
        # One form per row on the lists: ids must be unique on the page, names stay the same.
        kwargs.setdefault("auto_id", f"id_m{membership.pk}_%s")
        super().__init__(*args, **kwargs)
