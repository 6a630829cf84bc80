"""The "Filtrer convention par :" form of "Mes conventions"."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.forms import CleanCharField
from habilitations.models import Convention, PartnerType

STATUT_TOUS = ""
STATUT_NON_CLOTURES = "non_clotures"


class ConventionFilterForm(forms.Form):
    """A GET form: every field is optional; an invalid field is reported and ignored."""

    libelle = CleanCharField(label="Libellé", max_length=200, required=False)
    partner_type = forms.ModelChoiceField(
        label="Type de partenaire",
        queryset=PartnerType.objects.order_by("libelle"),
        required=False,
        empty_label="Tous",
        error_messages={"invalid_choice": "Choisissez un type de partenaire de la liste."},
    )
    statut = forms.ChoiceField(
        label="Statut",
        choices=[(STATUT_TOUS, "Tous"), (STATUT_NON_CLOTURES, "Non clôturés uniquement")],
        required=False,
        error_messages={"invalid_choice": "Choisissez un statut de la liste."},
    )
    caf_pivot = CleanCharField(label="CAF pivot", max_length=120, required=False)
    partenaire = CleanCharField(label="Partenaire", max_length=200, required=False)
    etat = forms.ChoiceField(
        label="État",
        choices=[("", "Tous"), *Convention.Etat.choices],
        required=False,
        error_messages={"invalid_choice": "Choisissez un état de la liste."},
    )

    def filter(self, conventions: QuerySet[Convention]) -> QuerySet[Convention]:
        """Apply the valid fields to `conventions` (already scoped to what the viewer manages)."""
        if not self.is_bound:
            return conventions
        self.is_valid()
        data = self.cleaned_data  # the valid fields only
        if data.get("libelle"):
            conventions = conventions.filter(libelle__icontains=data["libelle"].strip())
        if data.get("partner_type"):
            conventions = conventions.filter(organism__partner_type=data["partner_type"])
        if data.get("statut") == STATUT_NON_CLOTURES:
            conventions = conventions.filter(Q(date_cloture__isnull=True) | Q(date_cloture__gt=timezone.localdate()))
        if data.get("caf_pivot"):
            value = data["caf_pivot"].strip()
            conventions = conventions.filter(Q(caf_pivot__nom__icontains=value) | Q(caf_pivot__code=value))
        if data.get("partenaire"):
            value = data["partenaire"].strip()
            conventions = conventions.filter(Q(organism__nom__icontains=value) | Q(organism__siret=value))
        if data.get("etat"):
            conventions = conventions.filter(etat=data["etat"])
        return conventions
