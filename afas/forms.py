"""AFAS's forms: the Caf agents' activity and lieu d'implantation (admin)."""

from afas.models import Activity, Site
from habilitations.forms.admin import AgentForm, date_field, scoped
from habilitations.models import Caf, Organism


class ActivityForm(AgentForm):
    """An activity of a partner of the agent's Caf, financed by that Caf (a national agent: any)."""

    date_ouverture = date_field("Date d'ouverture")
    date_cloture = date_field("Date de clôture", required=False)

    class Meta:
        model = Activity
        fields = ["organism", "caf", "nom", "type_activite", "nature", "date_ouverture", "date_cloture"]
        error_messages = {
            "nom": {"required": "Saisissez le nom de l'activité."},
            "type_activite": {"required": "Choisissez le type d'activité."},
            "organism": {"required": "Choisissez le partenaire."},
            "caf": {"required": "Choisissez la Caf."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "organism" in self.fields:
            self.fields["organism"].queryset = scoped(
                Organism.objects.filter(partner_type__services_eligibles__code="AFAS"), self.agent, "caf_pivot"
            )
        if "caf" in self.fields:
            self.fields["caf"].queryset = scoped(Caf.objects.all(), self.agent, "pk")
            if not self.agent.is_superuser:
                self.fields["caf"].initial = self.agent.caf_id


class SiteForm(AgentForm):
    date_ouverture = date_field("Date d'ouverture")
    date_cloture = date_field("Date de clôture", required=False)

    class Meta:
        model = Site
        fields = ["nom", "date_ouverture", "date_cloture"]
        error_messages = {"nom": {"required": "Saisissez le nom du lieu d'implantation."}}
