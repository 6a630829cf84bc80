"""Forms of Consulter Dossier: the search (controls of format only; the dossier checks are in cdap.selectors) and
Dialogue."""

import re

from django import forms
from django.core.validators import RegexValidator

from cdap.services import DIALOGUE_CONSULTED_WITHIN
from core.forms import RequiredMarkMixin

NUMERO_ALLOCATAIRE = RegexValidator(r"^\d{7}$", "Le numéro allocataire se compose de 7 chiffres.")
INSTRUCTEUR_FORMAT = (
    "Le numéro d'instructeur comporte 14 caractères : le code du département (3 chiffres), le type d'instructeur "
    "(1 lettre majuscule), le numéro de commune (3 chiffres), le numéro d'agrément, de rang ou de territoire "
    "(2 chiffres), puis 00000 (cinq zéros). Exemple : 083C12301 suivi de 00000."
)
REQUIRED_FOR_PROFILE = {
    "numero_instructeur": "Le numéro d'instructeur est obligatoire pour votre profil.",
    "numero_bailleur": "Le numéro de bailleur est obligatoire pour votre profil.",
}
INSTRUCTEUR_RE = re.compile(r"^\d{3}[A-Z]\d{3}\d{2}00000$")


class SearchForm(RequiredMarkMixin, forms.Form):
    """The required fields are marked "*" (the page says what it means); the numéro allocataire's format is said
    before anything is typed."""

    caf = forms.ChoiceField(label="CAF sélectionnée", required=False)
    nom = forms.CharField(
        label="Nom allocataire",
        max_length=100,
        error_messages={
            "required": "Pour des raisons de sécurité, le nom et le numéro allocataire sont obligatoires.",
            "max_length": "Le nom ne peut pas dépasser 100 caractères.",
        },
    )
    numero = forms.CharField(
        label="Numéro allocataire",
        max_length=7,
        validators=[NUMERO_ALLOCATAIRE],
        help_text="7 chiffres, par exemple 0123456.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Pour des raisons de sécurité, le nom et le numéro allocataire sont obligatoires.",
            "max_length": "Le numéro allocataire se compose de 7 chiffres.",
        },
    )
    numero_instructeur = forms.CharField(
        label="Numéro d'instructeur",
        max_length=14,
        required=False,
        help_text="14 caractères : département (3 chiffres), type (1 lettre majuscule), commune (3 chiffres), "
        "agrément ou rang (2 chiffres), puis 00000.",
        error_messages={"max_length": INSTRUCTEUR_FORMAT},
    )
    numero_bailleur = forms.CharField(label="Numéro de bailleur", max_length=20, required=False)
    profile = forms.ChoiceField(label="Profil utilisé pour cette consultation", required=False)

    def __init__(self, *args, profiles: list[tuple[str, str]], cafs: list[tuple[str, str]] | None, **kwargs):
        """`profiles`: the user's CDAP profiles (code, libellé); `cafs`: the choice for multi-department
        partners, None when the Caf is fixed to the Caf pivot."""
        super().__init__(*args, **kwargs)
        self.profiles = profiles
        if len(profiles) > 1:
            self.fields["profile"].required = True
            self.fields["profile"].choices = [("", "Choisissez un profil")] + profiles
            self.fields["profile"].error_messages["required"] = "Choisissez le profil de cette consultation."
        else:
            del self.fields["profile"]
        if cafs:
            self.fields["caf"].required = True
            self.fields["caf"].choices = [("", "Choisissez une Caf")] + cafs
            self.fields["caf"].error_messages["required"] = "Choisissez la Caf du dossier."
        else:
            del self.fields["caf"]
        codes = {code for code, _ in profiles}
        if not any(code.startswith("T4") for code in codes):
            del self.fields["numero_instructeur"]
        if not any(code == "T10" for code in codes):
            del self.fields["numero_bailleur"]
        # A number that every profile of the user needs is required, and marked so; with several profiles, the
        # chosen one decides (clean).
        for name, code in (("numero_instructeur", "T4"), ("numero_bailleur", "T10")):
            if name in self.fields and codes == {code}:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = REQUIRED_FOR_PROFILE[name]
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")
        self.mark_required()

    def chosen_profile(self) -> str:
        if "profile" in self.fields:
            return self.cleaned_data["profile"]
        return self.profiles[0][0]

    def clean_nom(self):
        return self.cleaned_data["nom"].strip()

    def clean_numero(self):
        return self.cleaned_data["numero"].strip()

    def clean_numero_instructeur(self):
        value = self.cleaned_data.get("numero_instructeur", "").strip()
        if value and not INSTRUCTEUR_RE.match(value):
            raise forms.ValidationError(INSTRUCTEUR_FORMAT)
        return value

    def clean(self):
        data = super().clean()
        profile = data.get("profile") if "profile" in self.fields else (self.profiles[0][0] if self.profiles else "")
        for name, code in (("numero_instructeur", "T4"), ("numero_bailleur", "T10")):
            if profile == code and name in self.fields and not (data.get(name) or "").strip():
                if name not in self.errors:
                    self.add_error(name, REQUIRED_FOR_PROFILE[name])
        return data


def validate_email_parts(value: str) -> None:
    local, _, domain = value.rpartition("@")
    if len(local) > 64 or len(domain) > 255:
        raise forms.ValidationError(
            "L'adresse électronique ne peut pas dépasser 64 caractères avant le @ et 255 caractères après."
        )


class DialogueForm(forms.Form):
    """Prefilled from the account by the view; what is typed here is kept as declared, beside the authenticated
    sender (cdap.models.DialogueMessage). The numéro allocataire is checked against the sender's consultations by
    cdap.services.dialogue_send."""

    organisme = forms.CharField(label="Nom de votre organisme", max_length=200)
    nom_prenom = forms.CharField(label="Vos nom et prénom", max_length=200)
    email = forms.CharField(
        label="Votre adresse électronique",
        max_length=320,
        help_text="Vérifiez bien votre adresse électronique, c'est la garantie pour vous d'obtenir une réponse. "
        "Format nom@domaine.extension : 64 caractères @ 255 caractères maximum.",
        error_messages={
            "required": "Votre adresse électronique est obligatoire.",
            "max_length": "L'adresse électronique ne peut pas dépasser 64 caractères avant le @ et 255 après.",
        },
    )
    numero_allocataire = forms.CharField(
        label="Numéro allocataire (facultatif)",
        max_length=7,
        required=False,
        validators=[NUMERO_ALLOCATAIRE],
        help_text="Si votre message concerne un dossier d'allocataire que vous avez consulté ces "
        f"{DIALOGUE_CONSULTED_WITHIN.days} derniers jours, indiquez son numéro ou vérifiez celui renseigné.",
    )
    objet = forms.CharField(label="Objet", max_length=200)
    message = forms.CharField(label="Message", max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_email(self):
        value = self.cleaned_data["email"].strip()
        validate_email_parts(value)
        try:
            forms.EmailField().clean(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                "Saisissez une adresse électronique valide, par exemple nom@organisme.fr."
            ) from None
        return value
