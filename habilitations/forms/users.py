"""Forms of the users' screens: filter the list, create, modify and close a partner user."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.forms import PHONE_RE, CleanCharField, RequiredMarkMixin, french_date_field
from habilitations.forms.groups import GroupCodeOrder
from habilitations.forms.memberships import QualificationMixin
from habilitations.models import User, UserGroup

DATES_ORDER_ERROR = "La date de clôture doit être postérieure ou égale à la date d'ouverture."


class UserFilterForm(forms.Form):
    """ "Filtrer utilisateur par :" (a GET form: an invalid field is reported and ignored)."""

    identifiant = CleanCharField(label="Identifiant", max_length=10, required=False)
    nom = CleanCharField(label="Nom", max_length=100, required=False)
    prenom = CleanCharField(label="Prénom", max_length=100, required=False)
    group = forms.ModelChoiceField(
        label="Sélectionner un groupe",
        queryset=UserGroup.objects.none(),
        required=False,
        empty_label="Tous",
        error_messages={"invalid_choice": "Choisissez un groupe de la liste."},
    )

    def __init__(self, *args, groups: QuerySet[UserGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].iterator = GroupCodeOrder  # before the queryset: setting it gives the widget its choices
        self.fields["group"].queryset = groups.order_by("code", "date_ouverture")

    def filter(self, users: QuerySet[User]) -> QuerySet[User]:
        """Apply the valid fields to `users` (already scoped to what the viewer may see)."""
        if not self.is_bound:
            return users
        self.is_valid()
        data = self.cleaned_data  # the valid fields only
        for name in ("identifiant", "nom", "prenom"):
            if data.get(name):
                users = users.filter(**{f"{name}__icontains": data[name].strip()})
        if data.get("group"):
            # The group's members whose membership is not closed (current and planned ones).
            today = timezone.localdate()
            users = users.filter(
                pk__in=data["group"]
                .memberships.filter(Q(date_cloture__isnull=True) | Q(date_cloture__gt=today))
                .values("user_id")
            )
        return users


class PartnerUserForm(RequiredMarkMixin, forms.Form):
    """The fields of "Créer un utilisateur partenaire", shared by "Modifier"."""

    nom = CleanCharField(
        label="Nom",
        max_length=100,
        error_messages={"required": "Saisissez le nom.", "max_length": "Le nom compte au plus 100 caractères."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    prenom = CleanCharField(
        label="Prénom",
        max_length=100,
        error_messages={"required": "Saisissez le prénom.", "max_length": "Le prénom compte au plus 100 caractères."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Adresse mail",
        max_length=320,
        help_text="Une adresse électronique personnelle (exemple : al.aide@partenaires.fr).",
        error_messages={
            "required": "Saisissez l'adresse mail.",
            "invalid": "Saisissez une adresse mail valide.",
            "max_length": "L'adresse mail compte au plus 320 caractères.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    email_confirm = forms.EmailField(
        label="Confirmer adresse mail",
        max_length=320,
        error_messages={
            "required": "Confirmez l'adresse mail.",
            "invalid": "Saisissez une adresse mail valide.",
            "max_length": "L'adresse mail compte au plus 320 caractères.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    telephone = CleanCharField(
        label="Téléphone",
        max_length=20,
        required=False,
        error_messages={"max_length": "Le numéro compte au plus 20 caractères."},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    telephone_confirm = CleanCharField(
        label="Confirmer le téléphone",
        max_length=20,
        required=False,
        error_messages={"max_length": "Le numéro compte au plus 20 caractères."},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    poste = forms.ChoiceField(
        label="Poste de travail",
        choices=User.Poste.choices,
        initial=User.Poste.SEDENTAIRE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le poste.", "invalid_choice": "Choisissez un poste de la liste."},
    )
    date_ouverture = french_date_field("Date d'ouverture", initial=timezone.localdate)
    date_cloture = french_date_field("Date de clôture")

    def clean_telephone(self):
        value = self.cleaned_data["telephone"].strip()
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError("Saisissez un numéro de téléphone valide, par exemple 04 93 00 00 00.")
        return value

    def clean(self):
        data = super().clean()
        email, confirm = data.get("email"), data.get("email_confirm")
        if email and confirm and email.lower() != confirm.lower():
            self.add_error("email_confirm", "Les deux adresses mail ne sont pas identiques.")
        if "telephone" in data and data["telephone"] != (data.get("telephone_confirm") or "").strip():
            self.add_error("telephone_confirm", "Les deux numéros de téléphone ne sont pas identiques.")
        ouverture, cloture = data.get("date_ouverture"), data.get("date_cloture")
        if ouverture and cloture and cloture < ouverture:
            self.add_error("date_cloture", DATES_ORDER_ERROR)
        return data

    def user_fields(self) -> dict:
        """The cleaned values the services take (never the confirmations)."""
        names = ("nom", "prenom", "email", "telephone", "poste", "date_ouverture", "date_cloture")
        return {name: self.cleaned_data[name] for name in names}


class PartnerUserCreateForm(QualificationMixin, PartnerUserForm):
    """ "Créer un utilisateur partenaire". The group list holds only the groups the manager may fill; a responsable
    (who is not an administrator of the organism) must choose one of their groups."""

    group = forms.ModelChoiceField(
        label="Groupe d'habilitation",
        queryset=UserGroup.objects.none(),
        required=False,
        empty_label="(Choisir un groupe existant)",
        error_messages={
            "required": "Choisissez le groupe d'habilitation de l'utilisateur.",
            "invalid_choice": "Choisissez un groupe de la liste.",
        },
    )

    def __init__(self, *args, groups: QuerySet[UserGroup], group_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].iterator = GroupCodeOrder
        self.fields["group"].queryset = groups.order_by("code", "date_ouverture")
        self.fields["group"].required = group_required
        if not group_required:
            self.fields["group"].help_text = "Facultatif : l'utilisateur est ajouté au groupe dès sa création."
        self.add_qualification_field()
        self.mark_required()


class PartnerUserUpdateForm(PartnerUserForm):
    """ "Modifier": the same fields, filled with the user's data; only the changed ones are written."""

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        initial = {name: getattr(user, name) for name in ("nom", "prenom", "email", "telephone", "poste")}
        initial |= {
            "email_confirm": user.email,
            "telephone_confirm": user.telephone,
            "date_ouverture": user.date_ouverture,
            "date_cloture": user.date_cloture,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["date_ouverture"].required = True
        self.mark_required()

    def changes(self) -> dict:
        return {name: value for name, value in self.user_fields().items() if getattr(self.user, name) != value}


class UserCloseForm(RequiredMarkMixin, forms.Form):
    """ "Clôturer": the closing date (today by default); the user's memberships close with them."""

    date_cloture = french_date_field("Date de clôture", required=True, initial=timezone.localdate)

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        cloture = data.get("date_cloture")
        if cloture and cloture < self.user.date_ouverture:
            self.add_error("date_cloture", DATES_ORDER_ERROR)
        return data
