"""AFAS's forms: the Caf agents' activity and lieu d'implantation (admin); the partners' « Administration des
profils » (search, HABILITER UN UTILISATEUR)."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from afas.models import Activity, ActivityType, Nature, Role, Site
from core.forms import RequiredMarkMixin, french_date_field
from habilitations.forms.admin import AgentForm, date_field, scoped
from habilitations.models import Caf, Organism, User


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


# --- Administration des profils (partners) -------------------------------------------------------------------

ETATS = [("ACTIF", "Actif"), ("HISTORIQUE", "Historique"), ("INACTIF", "Inactif"), ("NON_ATTRIBUE", "Non attribué")]
LIEUX = [("OUI", "Oui"), ("NON", "Non")]
PORTEES = [("ACTIVITES", "des activités"), ("SITES", "des lieux d'implantation")]


class NamedUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.nom.upper()} {user.prenom}"


def _choice(label: str, choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", "(Tous)")] + list(choices),
        error_messages={"invalid_choice": "Choisissez une valeur de la liste."},
        **kwargs,
    )


class HabilitationSearchForm(forms.Form):
    """« HABILITATIONS D'ACTION SOCIALE »'s criteria (guide 002): within the partners the user manages."""

    partenaire = forms.ModelChoiceField(
        label="Partenaire",
        queryset=Organism.objects.none(),
        required=False,
        empty_label="(Tous)",
        error_messages={"invalid_choice": "Choisissez un partenaire dont vous gérez les habilitations."},
    )
    utilisateur = NamedUserChoiceField(
        label="Utilisateur",
        queryset=User.objects.none(),
        required=False,
        empty_label="(Tous)",
        error_messages={"invalid_choice": "Choisissez un utilisateur de la liste."},
    )
    role = _choice("Rôle", Role.choices)
    activite = forms.ModelChoiceField(
        label="Activité",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="(Toutes)",
        error_messages={"invalid_choice": "Choisissez une activité de la liste."},
    )
    type_activite = _choice("Type d'activité", ActivityType.choices)
    nature = _choice("Nature d'activité", Nature.choices)
    etat = forms.ChoiceField(
        label="État de l'habilitation",
        choices=ETATS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'état de l'habilitation.",
            "invalid_choice": "Choisissez l'un des états proposés.",
        },
    )
    lieux = forms.ChoiceField(
        label="Lieux d'implantation",
        choices=LIEUX,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choisissez Oui ou Non."},
    )

    def __init__(self, *args, organisms, people, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = organisms
        self.fields["utilisateur"].queryset = people
        self.fields["activite"].queryset = activities.order_by("nom", "pk")
        self.fields["etat"].label_suffix = " : *"


class HabiliterForm(RequiredMarkMixin, forms.Form):
    """« HABILITER UN UTILISATEUR » in its three steps. The choices cascade: the partner gives its AFAS-DECLARER
    users and its activities, the scope's filters (activité, type, nature) the activities and lieux d'implantation
    to tick. A refresh (« Afficher les activités », or htmx on a change) re-renders the form from what was typed."""

    partenaire = forms.ModelChoiceField(
        label="Pour le partenaire …",
        queryset=Organism.objects.none(),
        empty_label="(Choisir un partenaire)",
        error_messages={
            "required": "Choisissez le partenaire.",
            "invalid_choice": "Choisissez un partenaire dont vous gérez les habilitations.",
        },
    )
    utilisateur = NamedUserChoiceField(
        label="Pour l'utilisateur …",
        queryset=User.objects.none(),
        empty_label="(Choisir un utilisateur)",
        help_text="Un utilisateur du partenaire membre du groupe AFAS-DECLARER.",
        error_messages={
            "required": "Choisissez l'utilisateur.",
            "invalid_choice": "Choisissez un utilisateur du partenaire membre du groupe AFAS-DECLARER.",
        },
    )
    role = forms.ChoiceField(
        label="Au rôle de …",
        choices=[("", "(Choisir un rôle)")] + list(Role.choices),
        error_messages={"required": "Choisissez le rôle.", "invalid_choice": "Choisissez un rôle de la liste."},
    )
    date_ouverture = french_date_field("À partir du …", required=True, initial=timezone.localdate)
    activite = forms.ModelChoiceField(
        label="Activité",
        queryset=Activity.objects.none(),
        required=False,
        empty_label="(Toutes)",
        error_messages={"invalid_choice": "Choisissez une activité du partenaire."},
    )
    type_activite = _choice("Type d'activité", ActivityType.choices)
    nature = _choice("Nature d'activité", Nature.choices)
    portee = forms.ChoiceField(
        label="Je souhaite créer des habilitations sur …",
        choices=PORTEES,
        initial="ACTIVITES",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez des activités ou des lieux d'implantation."},
    )
    activites = forms.ModelMultipleChoiceField(
        label="Activités",
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choisissez des activités de la liste.",
            "invalid_pk_value": "Choisissez des activités de la liste.",
        },
    )
    toutes_activites = forms.BooleanField(label="Sélectionner toutes les activités", required=False)
    sites = forms.ModelMultipleChoiceField(
        label="Lieux d'implantation",
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choisissez des lieux d'implantation de la liste.",
            "invalid_pk_value": "Choisissez des lieux d'implantation de la liste.",
        },
    )
    toutes_sites = forms.TypedMultipleChoiceField(
        label="Sélectionner tous les lieux d'implantation de l'activité",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez une activité de la liste."},
    )

    def __init__(self, *args, organisms, activities, receivers, **kwargs):
        """`organisms`: those the user manages; `activities(organism)`, `receivers(organism)`: the partner's
        activities and AFAS-DECLARER users (afas.selectors)."""
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = organisms
        organism = self._chosen("partenaire", organisms)
        managed = list(organisms[:2])
        if organism is None and len(managed) == 1:
            organism = managed[0]
            self.fields["partenaire"].initial = organism.pk
        self.organism = organism
        self.fields["utilisateur"].queryset = receivers(organism)
        partner_activities = activities(organism).order_by("nom", "pk")
        self.fields["activite"].queryset = partner_activities
        scope = partner_activities
        for name in ("type_activite", "nature"):
            value = self._raw(name)
            if value in dict(self.fields[name].choices) and value:
                scope = scope.filter(**{name: value})
        chosen = self._chosen("activite", partner_activities)
        if chosen is not None:
            scope = scope.filter(pk=chosen.pk)
        self.scope = list(scope.prefetch_related("sites"))
        self.fields["activites"].queryset = scope
        self.fields["sites"].queryset = Site.objects.filter(activity__in=scope)
        self.fields["toutes_sites"].choices = [(a.pk, a.nom) for a in self.scope]
        refresh = {
            "hx-post": reverse("afas:habiliter"),
            "hx-trigger": "change",
            "hx-include": "closest form",
            "hx-vals": '{"action": "afficher"}',
            "hx-target": "#habiliter",
            "hx-select": "#habiliter",
            "hx-swap": "outerHTML",
        }
        for name in ("partenaire", "activite", "type_activite", "nature", "portee"):
            self.fields[name].widget.attrs.update(refresh)
        self.mark_required()
        self.fields["date_ouverture"].error_messages["required"] = "Saisissez la date de début d'habilitation."
        for name in ("partenaire", "utilisateur", "role", "date_ouverture", "portee"):
            self.fields[name].label_suffix = " *"  # « Pour le partenaire … * », as in the guide

    @property
    def step_user(self):
        return [self["partenaire"], self["utilisateur"]]

    @property
    def step_role(self):
        return [self["role"], self["date_ouverture"]]

    @property
    def step_scope(self):
        return [self["activite"], self["type_activite"], self["nature"]]

    @property
    def shows_sites(self) -> bool:
        return self._raw("portee") == "SITES"

    def _raw(self, name):
        if self.is_bound:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name, self.fields[name].initial)
        return value() if callable(value) else value

    def _chosen(self, name, queryset):
        value = self._raw(name)
        if value in (None, ""):
            return None
        try:
            return queryset.filter(pk=int(getattr(value, "pk", value))).first()
        except (TypeError, ValueError):
            return None

    def site_groups(self) -> list[tuple]:
        """(activity, its lieux d'implantation's check boxes) of the scope, for the template."""
        boxes = {int(str(box.data["value"])): box for box in self["sites"]}
        alls = {int(str(box.data["value"])): box for box in self["toutes_sites"]}
        return [
            (activity, alls.get(activity.pk), [boxes[s.pk] for s in activity.sites.all() if s.pk in boxes])
            for activity in self.scope
            if activity.sites.all()
        ]

    def clean(self):
        data = super().clean()
        if data.get("portee") == "SITES":
            chosen = set(data.get("sites") or [])
            wanted = set(data.get("toutes_sites") or [])
            for activity in self.scope:
                if activity.pk in wanted:
                    chosen.update(activity.sites.all())
            if not chosen:
                self.add_error("sites", "La sélection d'au moins un lieu d'implantation est obligatoire.")
            data["scopes"] = {"sites": sorted(chosen, key=lambda s: (s.activity_id, s.nom, s.pk))}
        elif data.get("portee") == "ACTIVITES":
            chosen = list(self.scope) if data.get("toutes_activites") else list(data.get("activites") or [])
            if not chosen:
                self.add_error("activites", "La sélection d'au moins une activité est obligatoire.")
            data["scopes"] = {"activities": chosen}
        return data
