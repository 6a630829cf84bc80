"""The filters of « Mes locataires » and « Paiements » (GET forms: an invalid field is reported in French next to it
and ignored)."""

import datetime

from django import forms
from django.utils.formats import date_format

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


def month_value(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


class PaymentFilterForm(forms.Form):
    """The filters of « Paiements »: the tenant's name and one of the months covered (`months`, the most recent
    first)."""

    nom = CleanCharField(
        label="Nom du locataire",
        required=False,
        max_length=100,
        error_messages={"max_length": "Le nom compte au plus 100 caractères."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    mois = forms.ChoiceField(
        label="Mois",
        required=False,
        error_messages={"invalid_choice": "Choisissez un mois de la liste."},
    )

    def __init__(self, *args, months: list[datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.months = {month_value(month): month for month in months}
        self.fields["mois"].choices = [("", "Tous les mois")] + [
            (value, date_format(month, "F Y")) for value, month in self.months.items()
        ]

    def filters(self) -> dict:
        """The valid fields, as keyword arguments of bailleur.selectors.payments (`mois`: the month's first day)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        filters = {"nom": data["nom"]} if data.get("nom") else {}
        if data.get("mois"):
            filters["mois"] = self.months[data["mois"]]
        return filters
