"""The error summary (templates/components/form_errors.html) counts the messages it lists, not the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string


class TwoRulesForm(forms.Form):
    nom = forms.CharField(label="Nom")
    email = forms.EmailField(label="Adresse mail")

    def clean_nom(self):
        raise ValidationError(["Saisissez le nom en lettres.", "Le nom est trop court."])

    def clean(self):
        raise ValidationError("Cet utilisateur existe déjà.")


def test_the_summary_counts_each_message_shown():
    form = TwoRulesForm({"nom": "1", "email": "pas-une-adresse"})
    html = render_to_string("components/form_errors.html", {"form": form})
    assert html.count("<li>") == 4  # one for the form, two for the name, one for the address
    assert "Le formulaire contient 4 erreurs" in html  # form.errors|length said 3 (fields with errors)


def test_one_error_is_singular():
    form = TwoRulesForm({"nom": "", "email": "a@b.fr"})
    form.clean_nom = lambda: "Durand"  # only the form's own rule fails
    html = render_to_string("components/form_errors.html", {"form": form})
    assert "Le formulaire contient 2 erreurs" in html  # "nom" required + the form's rule
    form = forms.Form({})
    form.add_error(None, "Seule erreur.")
    assert "Le formulaire contient 1 erreur<" in render_to_string("components/form_errors.html", {"form": form})
