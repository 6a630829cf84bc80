"""Forms of "Groupes utilisateurs": the filter, "Créer un groupe utilisateurs" / "Modifier le groupe" and
"Habilitations du groupe"."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.collation import french_order, natural_key
from core.forms import CleanCharField, RequiredMarkMixin, french_date_field
from habilitations.models import ConventionProfile, User, UserGroup

RESPONSABLE_EXISTING = "existant"
RESPONSABLE_NEW = "nouveau"

# The inline "Créer..." of the responsable: the user service's fields → this form's fields.
NEW_RESPONSABLE_FIELDS = {"nom": "nouveau_nom", "prenom": "nouveau_prenom", "email": "nouveau_email"}


def renamed(error: ValidationError, mapping: dict[str, str]) -> ValidationError:
    """The service's error with its keys renamed to this form's fields (other keys unchanged)."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({mapping.get(key, key): errors for key, errors in error.error_dict.items()})


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.nom.upper()} {obj.prenom} ({obj.identifiant})"


class GroupCodeOrder(forms.models.ModelChoiceIterator):
    """The groups of a choice list by code in natural order (T1, T1-CESF, T4, T18): a convention's groups are few,
    they are sorted here, after the queryset's own order (stable sort)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group in sorted(self.queryset, key=lambda group: natural_key(group.code)):
            yield self.choice(group)


class GroupChoiceField(forms.ModelChoiceField):
    iterator = GroupCodeOrder

    def label_from_instance(self, obj: UserGroup) -> str:
        return f"{obj.code} - {obj.libelle}"


class GroupFilterForm(forms.Form):
    """ "Filtrer groupe par :" (GET). An invalid value is reported and ignored."""

    code = CleanCharField(label="Code", max_length=20, required=False)
    libelle = CleanCharField(label="Libellé", max_length=100, required=False)
    utilisateur = UserChoiceField(
        label="Sélectionner un utilisateur",
        queryset=User.objects.none(),
        required=False,
        empty_label="Tous",
        error_messages={"invalid_choice": "Choisissez un utilisateur de la liste."},
    )

    def __init__(self, *args, users: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utilisateur"].queryset = users.order_by(*french_order("nom", "prenom"), "pk")

    def filter(self, groups: QuerySet[UserGroup]) -> QuerySet[UserGroup]:
        if not self.is_bound:
            return groups
        self.is_valid()
        data = self.cleaned_data
        if data.get("code"):
            groups = groups.filter(code__icontains=data["code"].strip())
        if data.get("libelle"):
            groups = groups.filter(libelle__icontains=data["libelle"].strip())
        if data.get("utilisateur"):
            # Groups of which the user is a member now or later (a closed membership is history).
            today = timezone.localdate()
            groups = groups.filter(
                pk__in=data["utilisateur"]
                .memberships.exclude(date_cloture__isnull=False, date_cloture__lte=today)
                .values("group_id")
            )
        return groups


class GroupForm(RequiredMarkMixin, forms.Form):
    """ "Créer un groupe utilisateurs". The responsable is chosen among the organism's open users, or created
    here ("Créer...") in the same transaction as the group: both field sets are on the page, a radio says which."""

    code = CleanCharField(
        label="Code",
        max_length=20,
        help_text="Un mot ou un chiffre qui rappelle le libellé, par exemple « T1 ».",
        error_messages={"required": "Saisissez le code du groupe."},
    )
    libelle = CleanCharField(
        label="Libellé",
        max_length=100,
        help_text="Le nom du groupe, par exemple « CDAP T1 ».",
        error_messages={"required": "Saisissez le libellé du groupe."},
    )
    date_ouverture = french_date_field("Date d'ouverture", required=True, initial=timezone.localdate)
    date_cloture = french_date_field("Date de clôture")
    responsable_mode = forms.ChoiceField(
        label="Responsable habilitations (obligatoire)",
        choices=[(RESPONSABLE_EXISTING, "Sélectionner un utilisateur"), (RESPONSABLE_NEW, "Créer...")],
        initial=RESPONSABLE_EXISTING,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez ou créez le responsable habilitations."},
    )
    responsable = UserChoiceField(
        label="Utilisateur de l'organisme",
        queryset=User.objects.none(),
        required=False,
        empty_label="(Sélectionner un utilisateur)",
        error_messages={
            "invalid_choice": "Le responsable d'habilitations doit être un utilisateur ouvert de l'organisme."
        },
    )
    nouveau_nom = CleanCharField(label="Nom", max_length=100, required=False)
    nouveau_prenom = CleanCharField(label="Prénom", max_length=100, required=False)
    nouveau_email = forms.EmailField(
        label="Adresse mail",
        max_length=320,
        required=False,
        help_text="Une adresse personnelle, par exemple al.aide@partenaire.fr.",
        error_messages={"invalid": "Saisissez une adresse mail valide."},
    )
    nouveau_email_confirm = forms.EmailField(
        label="Confirmer adresse mail",
        max_length=320,
        required=False,
        error_messages={"invalid": "Saisissez une adresse mail valide."},
    )
    parent = GroupChoiceField(
        label="Sous-groupe de",
        queryset=UserGroup.objects.none(),
        required=False,
        empty_label="(Choisir un groupe existant)",
        error_messages={"invalid_choice": "Choisissez un groupe ouvert de la convention."},
    )

    def __init__(self, *args, convention, users: QuerySet[User], group: UserGroup | None = None, **kwargs):
        self.convention, self.group = convention, group
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        open_users = users.filter(is_active=True).exclude(date_cloture__isnull=False, date_cloture__lte=today)
        parents = UserGroup.objects.filter(convention=convention).exclude(
            date_cloture__isnull=False, date_cloture__lte=today
        )
        if group is not None:
            # The current values stay valid choices even if closed since; the group cannot be its own parent
            # (the service refuses a cycle through its sous-groupes with its own message).
            open_users = users.filter(Q(pk__in=open_users.values("pk")) | Q(pk=group.responsable_id))
            parents = UserGroup.objects.filter(Q(pk__in=parents.values("pk")) | Q(pk=group.parent_id)).exclude(
                pk=group.pk
            )
        self.fields["responsable"].queryset = open_users.order_by(*french_order("nom", "prenom"), "pk")
        self.fields["parent"].queryset = parents.order_by("code", "pk")

    def clean(self):
        data = super().clean()
        if data.get("responsable_mode") == RESPONSABLE_NEW:
            for name, message in [
                ("nouveau_nom", "Saisissez le nom du responsable."),
                ("nouveau_prenom", "Saisissez le prénom du responsable."),
                ("nouveau_email", "Saisissez l'adresse mail du responsable."),
                ("nouveau_email_confirm", "Confirmez l'adresse mail du responsable."),
            ]:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
            email, confirm = data.get("nouveau_email"), data.get("nouveau_email_confirm")
            if email and confirm and email.lower() != confirm.lower():
                self.add_error("nouveau_email_confirm", "Les deux adresses mail ne sont pas identiques.")
        elif data.get("responsable_mode") == RESPONSABLE_EXISTING and not data.get("responsable"):
            if "responsable" not in self.errors:
                self.add_error("responsable", "Sélectionnez le responsable habilitations.")
        return data

    @property
    def creates_responsable(self) -> bool:
        return self.cleaned_data.get("responsable_mode") == RESPONSABLE_NEW

    def new_responsable_data(self) -> dict:
        data = self.cleaned_data
        return {"nom": data["nouveau_nom"], "prenom": data["nouveau_prenom"], "email": data["nouveau_email"]}

    def group_changes(self, responsable: User) -> dict:
        """ "Modifier le groupe": only what changed (the service checks the parent only when it changes)."""
        group, data = self.group, self.cleaned_data
        wanted = {
            "libelle": data["libelle"].strip(),
            "responsable": responsable,
            "parent": data["parent"],
            "date_ouverture": data["date_ouverture"],
            "date_cloture": data["date_cloture"],
        }
        return {name: value for name, value in wanted.items() if getattr(group, name) != value}


class GroupUpdateForm(GroupForm):
    """ "Modifier le groupe": the code stays (it names the group in the journal and in the guides)."""

    def __init__(self, *args, group: UserGroup, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "libelle": group.libelle,
                "date_ouverture": group.date_ouverture,
                "date_cloture": group.date_cloture,
                "responsable_mode": RESPONSABLE_EXISTING,
                "responsable": group.responsable_id,
                "parent": group.parent_id,
            },
        )
        super().__init__(*args, group=group, **kwargs)
        del self.fields["code"]
        self.fields[
            "date_cloture"
        ].help_text = (
            "Pour clôturer le groupe, saisissez sa date de clôture : les appartenances se clôturent avec lui."
        )


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ConventionProfile) -> str:
        return obj.profile.libelle


class GrantAssignForm(RequiredMarkMixin, forms.Form):
    """ "Assigner rôle": one of the profiles the Caf gave the group's convention, open today."""

    convention_profile = ProfileChoiceField(
        label="Profil",
        help_text="Le profil est celui que la Caf a accordé à votre convention : c'est une donnée immuable, qui n'est "
        "pas le nom de votre groupe.",
        queryset=ConventionProfile.objects.none(),
        empty_label="(Choisir un profil)",
        error_messages={
            "required": "Choisissez un profil.",
            "invalid_choice": "Ce profil n'est pas accordé à la convention de ce groupe.",
        },
    )

    def __init__(self, *args, profiles: QuerySet[ConventionProfile], shown: list[ConventionProfile], **kwargs):
        """`profiles`: what may be assigned; `shown`: the options of the service chosen on the page."""
        super().__init__(*args, **kwargs)
        field = self.fields["convention_profile"]
        field.queryset = profiles
        field.choices = [("", field.empty_label), *((cp.pk, field.label_from_instance(cp)) for cp in shown)]
