"""Forms of the Caf agents' admin. They validate the input; the rules live in `habilitations.services`.

A service refusal raised while the admin saves (a rule the form cannot see, such as "at most two
administrators", or a concurrent write) rolls the whole submission back and comes back as a `ServiceRefusal`;
`habilitations.admin.AgentAdmin` then shows the form again and `AgentForm` puts the service's French message
next to its field.
"""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.html import format_html

from core.forms import add_service_errors, french_date_field
from habilitations.models import (
    Caf,
    Convention,
    ConventionDocument,
    ConventionProfile,
    Organism,
    OrganismAdministrator,
    PartnerType,
    Profile,
    Service,
    User,
    open_on_q,
)
from habilitations.services import ETAT_TRANSITIONS
from habilitations.validators import validate_siret


class ServiceRefusal(Exception):
    """A service refused a write of the form with `prefix` (None: the main form; "documents-0": an inline)."""

    def __init__(self, prefix: str | None, error: ValidationError):
        super().__init__(error)
        self.prefix = prefix
        self.error = error


def scoped(queryset: QuerySet, user, caf_lookup: str) -> QuerySet:
    """`queryset` limited to the rows whose `caf_lookup` is the agent's Caf; all of them for a national agent."""
    if user.is_superuser:
        return queryset
    if not user.caf_id:
        return queryset.none()
    return queryset.filter(**{caf_lookup: user.caf_id})


class AgentForm(forms.ModelForm):
    """Base of the admin's forms. `request` is set per request by the admin (it scopes choices and rules)."""

    request = None

    def _post_clean(self):
        super()._post_clean()
        refusal = getattr(self.request, "service_refusal", None)
        if refusal is not None and refusal.prefix == self.prefix:
            add_service_errors(self, refusal.error)

    @property
    def agent(self) -> User:
        return self.request.user


def date_field(label: str, *, required: bool = True, **kwargs) -> forms.DateField:
    """The agents' dates: required unless said otherwise, with the admin's calendar."""
    return french_date_field(label, required=required, widget=AdminDateWidget(), **kwargs)


def not_in_future(value: datetime.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(message)


# --- Organisms -------------------------------------------------------------------------------------------


def department_choices() -> list[tuple[str, str]]:
    return [("", "---------")] + [
        (caf.departement, f"{caf.departement} — {caf.nom_departement}")
        for caf in Caf.objects.order_by("departement").only("departement", "nom_departement")
    ]


class OrganismRegisterForm(AgentForm):
    """ "Enregistrer un organisme": SIRET checked (key, La Poste, duplicates) by the model; Caf pivot derived."""

    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres (les espaces sont ignorés).",
        error_messages={"required": "Saisissez le SIRET."},
    )
    departement = forms.ChoiceField(
        label="Département du siège",
        choices=department_choices,
        error_messages={
            "required": "Choisissez le département du siège.",
            "invalid_choice": "Choisissez un département de la liste.",
        },
    )

    class Meta:
        model = Organism
        fields = [
            "siret",
            "nom",
            "partner_type",
            "departement",
            "multi_departement",
            "adresse",
            "code_postal",
            "commune",
            "email",
        ]
        error_messages = {
            "nom": {"required": "Saisissez le nom de l'organisme."},
            "partner_type": {"required": "Choisissez le type de partenaire."},
        }
        help_texts = {
            "multi_departement": "Actif dans plusieurs départements : la Caf pivot est la Caf des Yvelines.",
        }

    def clean_siret(self):
        siret = "".join(self.cleaned_data["siret"].split())
        validate_siret(siret)
        return siret

    def clean(self):
        cleaned = super().clean()
        departement = cleaned.get("departement")
        if departement:
            pivot = Organism(departement=departement, multi_departement=cleaned.get("multi_departement")).pivot_caf()
            if not self.agent.is_superuser and pivot.pk != self.agent.caf_id:
                self.add_error(
                    "departement",
                    f"Cet organisme a pour Caf pivot la {pivot.nom} : c'est à elle de l'enregistrer.",
                )
        return cleaned


class OrganismContactForm(AgentForm):
    """Changing an organism: only its contact data (the rest is the registration)."""

    class Meta:
        model = Organism
        fields = ["adresse", "code_postal", "commune", "email"]


# --- Conventions -----------------------------------------------------------------------------------------


class ConventionCreateForm(AgentForm):
    """The single access convention of an organism of the agent's Caf, "En attente de validation"."""

    libelle = forms.CharField(
        label="Libellé", max_length=200, required=False, help_text="Par défaut, le nom de l'organisme."
    )
    date_ouverture = date_field("Date d'ouverture", initial=timezone.localdate)

    class Meta:
        model = Convention
        fields = ["organism", "libelle", "date_ouverture"]
        error_messages = {"organism": {"required": "Choisissez l'organisme partenaire."}}


class ConventionEtatForm(AgentForm):
    """The Caf pivot validates, suspends or denounces the convention."""

    date_validation = date_field("Validée le", required=False, help_text="Par défaut, aujourd'hui.")
    motif_derogation = forms.CharField(
        label="Motif de la dérogation",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Seulement pour rendre la convention « Valable » ou accorder un profil sans tous les documents requis "
            "(convention d'accès, contrat de service, bulletins du service) : la dérogation est journalisée et le "
            "plan de contrôle la signale."
        ),
    )

    class Meta:
        model = Convention
        fields = ["etat", "date_validation"]

    def clean_date_validation(self):
        value = self.cleaned_data["date_validation"]
        not_in_future(value, "La date de validation ne peut pas être dans le futur.")
        return value

    def clean(self):
        cleaned = super().clean()
        current, wanted = self.initial.get("etat"), cleaned.get("etat")
        if wanted and current and wanted != current and wanted not in ETAT_TRANSITIONS[current]:
            labels = dict(Convention.Etat.choices)
            self.add_error(
                "etat", f"Une convention « {labels[current]} » ne peut pas passer à l'état « {labels[wanted]} »."
            )
        if wanted == Convention.Etat.VALABLE and not cleaned.get("date_validation") and "date_validation" in cleaned:
            cleaned["date_validation"] = timezone.localdate()
        return cleaned


def profiles_offered(partner_type: PartnerType) -> QuerySet[Profile]:
    """The profiles of the services open to the partner type, and the supervision of those services."""
    services = list(partner_type.services_eligibles.values_list("code", flat=True))
    return (
        Profile.objects.filter(
            Q(service__code__in=services) | Q(service__code__in=[f"SUPERVISION_{code}" for code in services])
        )
        .select_related("service")
        .order_by("service__ordre", "ordre")
    )


class TextWidget(forms.Widget):
    """A disabled field shown as plain text (an existing row's profile and dates are not edited)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, name, value, attrs=None, renderer=None):
        return format_html("<span>{}</span>", self.text)


def french_date(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


class ProfileChoiceField(forms.ModelChoiceField):
    """ "Consulter Dossier — T1-CESF" (short: the choices sit in a table row); a CDAP profile not legitimate
    for the partner type says so."""

    def __init__(self, *args, legitimate: set[int], **kwargs):
        self.legitimate = legitimate
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        label = f"{obj.service.libelle} — {obj.code}"
        if obj.service.code == "CDAP" and obj.pk not in self.legitimate:
            label += " (non légitime pour ce type de partenaire)"
        return label


class ConventionInlineForm(AgentForm):
    """An inline row of a convention; `convention` is set by the inline admin."""

    convention = None


class ConventionProfileForm(ConventionInlineForm):
    """A new row grants a profile (date d'ouverture); an existing row can only be closed (date de clôture)."""

    date_ouverture = date_field("Date d'ouverture", initial=timezone.localdate)
    date_cloture = date_field("Date de clôture", required=False)

    class Meta:
        model = ConventionProfile
        fields = ["profile", "date_ouverture", "date_cloture"]
        error_messages = {"profile": {"required": "Choisissez un profil."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partner_type = self.convention.organism.partner_type
        adding = self.instance.pk is None
        self.fields["profile"] = ProfileChoiceField(
            label="Profil",
            # An existing row keeps its profile even if the type's offer changed since.
            queryset=profiles_offered(partner_type) if adding else Profile.objects.select_related("service"),
            legitimate=set(partner_type.profils_cdap_legitimes.values_list("pk", flat=True)),
            error_messages={
                "required": "Choisissez un profil.",
                "invalid_choice": "Ce profil n'est pas ouvert à ce type de partenaire.",
            },
        )
        if adding:
            self.fields["date_cloture"].disabled = True
            self.fields["date_cloture"].widget = TextWidget("—")
            return
        profile = self.instance.profile
        shown = {
            "profile": f"{profile.service.libelle} — {profile.libelle}",
            "date_ouverture": french_date(self.instance.date_ouverture),
        }
        if self.instance.date_cloture is not None:
            shown["date_cloture"] = french_date(self.instance.date_cloture)
        for name, text in shown.items():
            self.fields[name].disabled = True
            self.fields[name].widget = TextWidget(text)


class ConventionDocumentForm(ConventionInlineForm):
    date_reception = date_field("Reçu le", initial=timezone.localdate)

    class Meta:
        model = ConventionDocument
        fields = ["kind", "service", "date_reception"]
        error_messages = {"kind": {"required": "Choisissez le document reçu."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=self.convention.organism.partner_type.services_eligibles.all()
        )
        self.fields["service"].help_text = "Pour un bulletin d'adhésion ou d'éligibilité."


# --- Administrators --------------------------------------------------------------------------------------


class AdministratorCreateForm(AgentForm):
    """Name an administrator: an existing user of the organism, or a new one (identifiant and provisional
    password e-mailed)."""

    user = forms.ModelChoiceField(
        label="Utilisateur existant",
        queryset=User.objects.none(),
        required=False,
        help_text="Laissez vide pour créer l'utilisateur avec les champs ci-dessous.",
    )
    nom = forms.CharField(label="Nom", max_length=100, required=False)
    prenom = forms.CharField(label="Prénom", max_length=100, required=False)
    email = forms.EmailField(
        label="Adresse mail",
        max_length=320,
        required=False,
        error_messages={"invalid": "Saisissez une adresse mail valide."},
        help_text="Adresse personnelle : l'identifiant et le mot de passe provisoire y sont envoyés.",
    )
    email_confirmation = forms.EmailField(
        label="Confirmer adresse mail",
        max_length=320,
        required=False,
        error_messages={"invalid": "Saisissez une adresse mail valide."},
    )
    telephone = forms.CharField(label="Téléphone", max_length=20, required=False)
    date_ouverture = date_field("Date d'ouverture", initial=timezone.localdate)

    class Meta:
        model = OrganismAdministrator
        fields = ["organism", "role", "user", "date_ouverture"]
        labels = {"organism": "Organisme partenaire"}
        error_messages = {
            "organism": {"required": "Choisissez l'organisme partenaire."},
            "role": {"required": "Choisissez le rôle (principal ou suppléant)."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = scoped(
            User.objects.filter(organism__isnull=False).filter(open_on_q(timezone.localdate())),
            self.agent,
            "organism__caf_pivot",
        ).select_related("organism")
        self.fields["user"].label_from_instance = lambda user: f"{user} — {user.organism}"

    def clean(self):
        cleaned = super().clean()
        user, organism = cleaned.get("user"), cleaned.get("organism")
        if user is not None:
            if organism is not None and user.organism_id != organism.pk:
                self.add_error("user", "Cet utilisateur n'appartient pas à cet organisme.")
            return cleaned
        for name, message in (
            ("nom", "Saisissez le nom."),
            ("prenom", "Saisissez le prénom."),
            ("email", "Saisissez l'adresse mail."),
        ):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and (confirmation or "").lower() != email.lower():
            self.add_error("email_confirmation", "Les deux adresses mail ne sont pas identiques.")
        return cleaned

    def _get_validation_exclusions(self):
        # The user is created on save when none is chosen: the model must not require it here.
        return super()._get_validation_exclusions() | {"user"}


class AdministratorCloseForm(AgentForm):
    date_cloture = date_field("Date de clôture", required=False)

    class Meta:
        model = OrganismAdministrator
        fields = ["date_cloture"]
