"""Forms of ADONIS: the search (format only; the dossier's checks are Consulter Dossier's, in cdap.selectors), a new
request, its decision. Every error in French next to its field; the rules a service holds come back on the form."""

import re

from django import forms

from adonis.models import HOURS_MAX, HOURS_MIN, Intervenant, Motif, MotifRefus, Niveau
from core.forms import CleanCharField, RequiredMarkMixin, french_date_field

NUMERO_RE = re.compile(r"^\d{7}$")
REQUIRED = "Pour des raisons de sécurité, le nom et le numéro allocataire sont obligatoires."


class SearchForm(RequiredMarkMixin, forms.Form):
    """« Rechercher un dossier »: the name and the numéro allocataire, as in Consulter Dossier."""

    nom = CleanCharField(
        label="Nom allocataire",
        max_length=100,
        error_messages={"required": REQUIRED, "max_length": "Le nom ne peut pas dépasser 100 caractères."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    numero = CleanCharField(
        label="Numéro allocataire",
        max_length=7,
        help_text="7 chiffres, par exemple 0123456.",
        error_messages={"required": REQUIRED, "max_length": "Le numéro allocataire se compose de 7 chiffres."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nom(self):
        return self.cleaned_data["nom"].strip()

    def clean_numero(self):
        numero = self.cleaned_data["numero"].strip()
        if not NUMERO_RE.match(numero):
            raise forms.ValidationError("Le numéro allocataire se compose de 7 chiffres.")
        return numero


def _choice(label: str, choices, message: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", "Choisissez…"), *choices],
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class RequestForm(RequiredMarkMixin, forms.Form):
    """« Demande d'aide à domicile »: date, motif d'intervention, type d'intervenant."""

    date_demande = french_date_field("Date de la demande", required=True)
    motif = _choice("Motif d'intervention", Motif.choices, "Choisissez le motif d'intervention dans la liste.")
    type_intervenant = _choice(
        "Type d'intervenant", Intervenant.choices, "Choisissez le type d'intervenant dans la liste."
    )


class DecisionForm(RequiredMarkMixin, forms.Form):
    """The decision: acceptée (the plan) or refusée (the motive). The fields of the other decision are ignored."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=[("ACCEPTEE", "Acceptée"), ("REFUSEE", "Refusée")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez la décision : acceptée ou refusée.",
            "invalid_choice": "Choisissez la décision : acceptée ou refusée.",
        },
    )
    heures_prevues = forms.DecimalField(
        label="Heures prévues",
        required=False,
        max_digits=6,
        decimal_places=1,
        help_text=f"De {HOURS_MIN:n} à {HOURS_MAX:n} heures, par demi-heure (par exemple 24,5).".replace(".", ","),
        localize=True,
        error_messages={
            "invalid": "Saisissez un nombre d'heures, par exemple 24,5.",
            "max_digits": "Le nombre d'heures prévues ne dépasse pas 2 000.",
            "max_whole_digits": "Le nombre d'heures prévues ne dépasse pas 2 000.",
            "max_decimal_places": "Saisissez les heures à la demi-heure près, par exemple 24,5.",
        },
    )
    niveau = _choice(
        "Niveau d'intervention", Niveau.choices, "Choisissez le niveau d'intervention dans la liste.", required=False
    )
    date_debut = french_date_field("Date de début")
    date_fin = french_date_field("Date de fin")
    motif_refus = _choice(
        "Motif de refus", MotifRefus.choices, "Choisissez le motif de refus dans la liste.", required=False
    )
    motif_refus_autre = CleanCharField(
        label="Précisez le motif (si « Autre »)",
        required=False,
        max_length=300,
        error_messages={"max_length": "Le motif compte au plus 300 caractères."},
    )
    commentaire = CleanCharField(
        label="Commentaire",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Le commentaire compte au plus 1 000 caractères."},
    )

    ACCEPT_REQUIRED = {
        "heures_prevues": "Saisissez le nombre d'heures prévues.",
        "niveau": "Choisissez le niveau d'intervention dans la liste.",
        "date_debut": "Saisissez la date de début.",
        "date_fin": "Saisissez la date de fin.",
    }

    def clean_heures_prevues(self):
        value = self.cleaned_data.get("heures_prevues")
        if value is not None and value * 2 != int(value * 2):
            raise forms.ValidationError("Saisissez les heures à la demi-heure près, par exemple 24,5.")
        return value

    ACCEPT_FIELDS = ("heures_prevues", "niveau", "date_debut", "date_fin")
    REFUSE_FIELDS = ("motif_refus", "motif_refus_autre")

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        # What was typed for the other decision is not kept, and not judged.
        for name in self.REFUSE_FIELDS if decision == "ACCEPTEE" else self.ACCEPT_FIELDS if decision else ():
            self._errors.pop(name, None)
            data[name] = "" if name in self.REFUSE_FIELDS or name == "niveau" else None
        if decision == "ACCEPTEE":
            for name, message in self.ACCEPT_REQUIRED.items():
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        elif decision == "REFUSEE":
            if not data.get("motif_refus") and "motif_refus" not in self.errors:
                self.add_error("motif_refus", "Choisissez le motif de refus dans la liste.")
            elif data.get("motif_refus") == MotifRefus.AUTRE and not data.get("motif_refus_autre"):
                if "motif_refus_autre" not in self.errors:
                    self.add_error("motif_refus_autre", "Précisez le motif de refus.")
        return data
