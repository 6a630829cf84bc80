"""The filters of "SUPERVISION CONSULTER DOSSIER" (a GET form: an invalid field is reported in French and ignored)."""

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from cdap.supervision import filter_consultations
from core.forms import CleanCharField, french_date_field
from habilitations.consultations import RUBRIC_LABELS
from habilitations.journal import JournalEntry
from habilitations.models import User

DOSSIER_ERROR = "Le numéro allocataire compte 7 chiffres."


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.nom.upper()} {user.prenom} ({user.identifiant})"


class SupervisionFilterForm(forms.Form):
    utilisateur = UserChoiceField(
        label="Utilisateur",
        queryset=User.objects.none(),
        required=False,
        empty_label="Tous",
        error_messages={"invalid_choice": "Choisissez un utilisateur de la liste."},
    )
    du = french_date_field("Période du")
    au = french_date_field("au")
    dossier = CleanCharField(
        label="Numéro allocataire",
        required=False,
        max_length=7,
        validators=[RegexValidator(r"^\d{7}$", DOSSIER_ERROR)],
        error_messages={"max_length": DOSSIER_ERROR},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    rubrique = forms.ChoiceField(
        label="Rubrique",
        required=False,
        choices=[("", "Toutes"), *RUBRIC_LABELS.items()],
        error_messages={"invalid_choice": "Choisissez une rubrique de la liste."},
    )
    refus = forms.BooleanField(label="Refus uniquement", required=False)

    def __init__(self, *args, users: QuerySet[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utilisateur"].queryset = users
        self.fields["du"].error_messages["invalid"] = "Saisissez une date de début valide, par exemple 01/01/2026."
        self.fields["au"].error_messages["invalid"] = "Saisissez une date de fin valide, par exemple 31/12/2026."

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin doit être postérieure ou égale à la date de début.")
        return data

    def filter(self, queryset: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
        """Apply the valid fields to `queryset` (already scoped to the supervised organisms)."""
        if not self.is_bound:
            return queryset
        self.is_valid()
        data = self.cleaned_data  # the valid fields only
        return filter_consultations(
            queryset,
            user=data.get("utilisateur"),
            du=data.get("du"),
            au=data.get("au"),
            dossier=data.get("dossier") or "",
            rubric=data.get("rubrique") or "",
            refused_only=bool(data.get("refus")),
        )

    def as_journal(self) -> dict:
        """The filters applied, for the export's journal row (ids and ISO dates, nothing personal)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        applied = {
            "utilisateur": data["utilisateur"].pk if data.get("utilisateur") else None,
            "du": data["du"].isoformat() if data.get("du") else None,
            "au": data["au"].isoformat() if data.get("au") else None,
            "dossier": data.get("dossier") or None,
            "rubrique": data.get("rubrique") or None,
            "refus": bool(data.get("refus")) or None,
        }
        return {key: value for key, value in applied.items() if value is not None}
