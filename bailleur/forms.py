"""The filters of « Mes locataires » (a GET form: an invalid field is reported in French next to it and ignored)."""

from django import forms

from core.forms import CleanCharField


class TenancyFilterForm(forms.Form):
    nom = CleanCharField(
        label="Nom du locataire",
        required=False,
        max_length=100,
        error_messages={"max_length": "Le nom compte au plus 100 caractères."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    aide = forms.ChoiceField(
        label="Aide au logement",
        required=False,
        choices=[
            ("", "Toutes"),
            ("AL", "Allocation de logement (AL)"),
            ("APL", "Aide personnalisée au logement (APL)"),
        ],
        error_messages={"invalid_choice": "Choisissez une aide de la liste."},
    )
    commune = CleanCharField(
        label="Commune",
        required=False,
        max_length=100,
        error_messages={"max_length": "La commune compte au plus 100 caractères."},
    )

    def filters(self) -> dict:
        """The valid fields, as keyword arguments of bailleur.selectors.tenancies."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {key: data[key] for key in ("nom", "aide", "commune") if data.get(key)}
