"""The search form of « Questions / Réponses » (GET: a search is a link one can share)."""

from django import forms

from core.forms import CleanCharField
from portal.models import FaqEntry

QUERY_MAX_LENGTH = 100


class FaqSearchForm(forms.Form):
    q = CleanCharField(
        label="Rechercher une question",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        help_text="Un ou plusieurs mots, par exemple : mot de passe provisoire.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": f"Saisissez {QUERY_MAX_LENGTH} caractères au plus."},
    )
    rubrique = forms.ChoiceField(
        label="Rubrique",
        required=False,
        choices=[("", "Toutes les rubriques"), *FaqEntry.Rubrique.choices],
        error_messages={"invalid_choice": "Choisissez une rubrique de la liste."},
    )
