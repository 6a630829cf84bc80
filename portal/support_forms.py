"""Forms of what partners ask their Caf (issue 21): every error in French, next to its field."""

from django import forms
from django.utils import timezone

from core.forms import CleanCharField, french_date_field
from habilitations.models import Organism, User


class AdministratorChangeForm(forms.Form):
    """ "Signaler un changement d'administrateur" (guide 002): who leaves, who comes, from when."""

    organism = forms.ModelChoiceField(
        label="Organisme",
        queryset=Organism.objects.none(),
        empty_label="(Choisir un organisme)",
        error_messages={
            "required": "Choisissez l'organisme.",
            "invalid_choice": "Choisissez un organisme de la liste.",
        },
    )
    sortant = forms.ModelChoiceField(
        label="Administrateur qui part",
        queryset=User.objects.none(),
        empty_label="(Choisir un administrateur)",
        error_messages={
            "required": "Choisissez l'administrateur qui part.",
            "invalid_choice": "Choisissez l'un des administrateurs actuels de votre organisme.",
        },
    )
    entrant_nom = CleanCharField(
        label="Nom du nouvel administrateur", max_length=100, error_messages={"required": "Saisissez le nom."}
    )
    entrant_prenom = CleanCharField(
        label="Prénom du nouvel administrateur", max_length=100, error_messages={"required": "Saisissez le prénom."}
    )
    entrant_email = forms.EmailField(
        label="Adresse électronique du nouvel administrateur",
        max_length=254,
        error_messages={
            "required": "Saisissez l'adresse électronique.",
            "invalid": "Saisissez une adresse électronique valide (par exemple prenom.nom@organisme.fr).",
        },
    )
    entrant_telephone = CleanCharField(
        label="Téléphone du nouvel administrateur (facultatif)", max_length=20, required=False
    )
    date_effet = french_date_field("À partir du", required=True)
    commentaire = CleanCharField(
        label="Commentaire (facultatif)", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data=None, *, organisms, administrators):
        super().__init__(data)
        self.fields["organism"].queryset = organisms
        self.fields["sortant"].queryset = administrators
        self.fields["sortant"].label_from_instance = lambda user: (
            f"{user.nom.upper()} {user.prenom} ({user.identifiant})"
        )
        if organisms.count() == 1:
            self.fields["organism"].initial = organisms.first().pk
        self.fields["date_effet"].initial = timezone.localdate
        self.fields["date_effet"].error_messages["required"] = "Saisissez la date du changement."


class CafContactForm(forms.Form):
    """ "Contacter ma Caf": what the message is about; who sends it comes from the account, never from the form."""

    service = forms.ChoiceField(
        label="Service concerné",
        required=False,
        error_messages={"invalid_choice": "Choisissez un service de la liste."},
    )
    objet = CleanCharField(label="Objet", max_length=200, error_messages={"required": "Saisissez l'objet."})
    message = CleanCharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Saisissez votre message."},
    )

    def __init__(self, data=None, *, services):
        super().__init__(data)
        self.fields["service"].choices = [("", "Mon Compte Partenaire (connexion, habilitations, autre)"), *services]
