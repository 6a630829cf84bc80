"""The agents' admin for what they publish and what partners ask of them (issue 21): their Caf's contacts and
centre de services, the contacts per service, the information banners, the administrator change requests.

Built on `habilitations.admin`'s base classes, and registered when `portal.admin` imports it (the admin module of
the app on top: habilitations.admin cannot import this module, which imports it). The Caf's page replaces the
read-only one of `habilitations.admin`. Same rules: scoped to the agent's Caf,
written through `habilitations.support` (atomic, journaled), nothing deleted."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.forms import add_service_errors
from habilitations import support
from habilitations.admin import AgentAdmin, AgentInline, StaffOnlyAdmin, adopt, is_agent, perform
from habilitations.forms.admin import AgentForm, ServiceRefusal, date_field, scoped
from habilitations.models import (
    AdministratorChangeRequest,
    Caf,
    CafServiceContact,
    InformationBanner,
    Membership,
    Organism,
    User,
    UserGroup,
    open_on_q,
)


class CafContactForm(AgentForm):
    class Meta:
        model = Caf
        fields = support.CAF_CONTACT_FIELDS


class CafServiceContactForm(AgentForm):
    class Meta:
        model = CafServiceContact
        fields = ["service", "pole", "email", "telephone", "interlocuteurs"]
        widgets = {"interlocuteurs": forms.Textarea(attrs={"rows": 3, "cols": 40})}
        error_messages = {
            "pole": {"required": "Saisissez le nom du pôle (par exemple : Pôle Partenaires)."},
            "email": {"required": "Saisissez l'adresse électronique du pôle.", "invalid": "Adresse invalide."},
            "service": {"required": "Choisissez le service."},
        }


class CafServiceContactInline(AgentInline):
    model = CafServiceContact
    form = CafServiceContactForm
    fields = CafServiceContactForm.Meta.fields
    extra = 1
    verbose_name = "contact pour un service"
    verbose_name_plural = "contacts par service (affichés sur les pages de ce service)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset

    def has_add_permission(self, request, obj=None):
        return obj is not None and _own_caf(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or _own_caf(request, obj)


def _own_caf(request, caf) -> bool:
    return is_agent(request) and (request.user.is_superuser or caf.pk == request.user.caf_id)


class CafAdmin(StaffOnlyAdmin):
    """The 101 Caf (reference data, read-only), and the agent's own Caf: its contacts, its centre de services (the
    « BESOIN D'AIDE ? » block of its partners' pages) and its contacts per service."""

    list_display = ["code", "nom", "departement", "email", "telephone"]
    search_fields = ["code", "nom", "nom_departement"]
    form = CafContactForm
    fixed_fields = ["code", "nom", "departement", "nom_departement"]
    inlines = [CafServiceContactInline]

    def get_list_display(self, request):
        """On the agent's own Caf, a link to "Consulter les agents Caf"."""

        @admin.display(description="agents")
        def agents(caf):
            if caf.pk != request.user.caf_id and not request.user.is_superuser:
                return "—"
            return format_html('<a href="{}">Consulter les agents Caf</a>', reverse("admin:habilitations_user_agents"))

        return [*self.list_display, agents]

    def has_change_permission(self, request, obj=None):
        return is_agent(request) and (
            obj is None
            and bool(request.user.caf_id or request.user.is_superuser)
            or (obj is not None and _own_caf(request, obj))
        )

    def get_fields(self, request, obj=None):
        return [*self.fixed_fields, *support.CAF_CONTACT_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and _own_caf(request, obj):
            return self.fixed_fields
        return self.get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:  # as AgentAdmin: the same submission again, with the refusal
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in support.CAF_CONTACT_FIELDS}
        if changes:
            perform(form, support.caf_contact_update, obj, actor=request.user, request=request, **changes)

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() or not row.cleaned_data:
                continue
            contact = row.save(commit=False)
            contact.caf = formset.instance
            created = contact.pk is None
            saved = perform(row, support.service_contact_save, contact, actor=request.user, request=request)
            if created:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, row.changed_data))


admin.site.unregister(Caf)
admin.site.register(Caf, CafAdmin)


class BannerForm(AgentForm):
    class Meta:
        model = InformationBanner
        fields = support.BANNER_FIELDS
        field_classes = {"debut": forms.SplitDateTimeField, "fin": forms.SplitDateTimeField}
        widgets = {
            "debut": AdminSplitDateTime,
            "fin": AdminSplitDateTime,
            "message": forms.Textarea(attrs={"rows": 4, "cols": 60}),
        }
        error_messages = {
            "titre": {"required": "Saisissez le titre du bandeau."},
            "message": {"required": "Saisissez le message du bandeau."},
            "debut": {"required": "Indiquez à partir de quand le bandeau s'affiche.", "invalid": "Date invalide."},
            "fin": {"required": "Indiquez jusqu'à quand le bandeau s'affiche.", "invalid": "Date invalide."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        field = self.fields["caf"]
        if not user.is_superuser:
            field.queryset = Caf.objects.filter(pk=user.caf_id)
            field.required = True
            field.empty_label = None
            field.help_text = "Votre Caf (un bandeau national est publié par un agent national)."
        field.error_messages["invalid_choice"] = support.OTHER_CAF
        for name in ("debut", "fin"):
            self.fields[name].error_messages["invalid"] = "Saisissez une date (JJ/MM/AAAA) et une heure (HH:MM)."

    def clean(self):
        data = super().clean()
        if data.get("debut") and data.get("fin") and data["fin"] <= data["debut"]:
            self.add_error("fin", support.BANNER_END_BEFORE_START)
        return data

    def validate_constraints(self):
        pass  # the rule's French message comes from clean() and habilitations.support (the constraint backs it)


@admin.register(InformationBanner)
class InformationBannerAdmin(AgentAdmin):
    """ "Bandeaux d'information": the national ones (read-only but for national agents) and the agent's Caf's."""

    form = BannerForm
    list_display = ["titre", "portee", "niveau", "debut", "fin", "published_by"]
    list_select_related = ["caf", "published_by"]
    list_filter = ["niveau"]
    search_fields = ["titre", "message"]
    readonly_fields = ["published_by", "published_at"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        if not request.user.caf_id:
            return queryset.none()
        return queryset.filter(caf__isnull=True) | queryset.filter(caf_id=request.user.caf_id)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.caf_id is None:
            return is_agent(request) and request.user.is_superuser
        return super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return support.BANNER_FIELDS if obj is None else [*support.BANNER_FIELDS, *self.readonly_fields]

    @admin.display(description="portée", ordering="caf__code")
    def portee(self, banner):
        return banner.caf.nom if banner.caf else "National"

    def save_model(self, request, obj, form, change):
        perform(form, support.banner_save, obj, actor=request.user, request=request)


class ChangeStatutFilter(admin.SimpleListFilter):
    title = "statut"
    parameter_name = "statut__exact"

    def lookups(self, request, model_admin):
        return AdministratorChangeRequest.Statut.choices

    def queryset(self, request, queryset):
        return queryset.filter(statut=self.value()) if self.value() else queryset


@admin.register(AdministratorChangeRequest)
class AdministratorChangeRequestAdmin(AgentAdmin):
    """ "Changements d'administrateur" signalled by the partners of the agent's Caf: read, then marked treated once
    the amendment is signed and the newcomer named (Administrateurs partenaires)."""

    caf_lookup = "organism__caf_pivot"
    list_display = ["requested_at", "organism", "sortant", "entrant", "date_effet", "statut", "traitement"]
    list_select_related = ["organism", "sortant", "treated_by"]
    list_filter = [ChangeStatutFilter]
    search_fields = ["organism__nom", "entrant_nom", "sortant__nom", "sortant__identifiant"]
    actions = ["mark_treated"]
    fields = [
        "organism",
        "sortant",
        "entrant_nom",
        "entrant_prenom",
        "entrant_email",
        "entrant_telephone",
        "date_effet",
        "commentaire",
        "requested_by",
        "requested_at",
        "statut",
        "treated_by",
        "treated_at",
        "nommer",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # the partner's administrator signals it, from the portal

    def has_change_permission(self, request, obj=None):
        return False

    def has_treat_permission(self, request):
        return is_agent(request) and bool(request.user.is_superuser or request.user.caf_id)

    def get_actions(self, request):
        return admin.ModelAdmin.get_actions(self, request)

    @admin.display(description="nouvel administrateur")
    def entrant(self, change):
        return f"{change.entrant_prenom} {change.entrant_nom} ({change.entrant_email})"

    @admin.display(description="traitement")
    def traitement(self, change):
        if change.treated_at is None:
            return "—"
        return f"{change.treated_by.get_full_name()}, le {change.treated_at:%d/%m/%Y}"

    @admin.display(description="nommer le nouvel administrateur")
    def nommer(self, change):
        url = reverse("admin:habilitations_organismadministrator_add")
        return format_html('<a href="{}?organism={}">Nommer un administrateur</a>', url, change.organism_id)

    @admin.action(description="Marquer comme traités", permissions=["treat"])
    def mark_treated(self, request, queryset):
        count = sum(support.administrator_change_treat(c, actor=request.user, request=request) for c in queryset)
        if count:
            self.message_user(request, f"{count} changement(s) marqué(s) comme traité(s).", messages.SUCCESS)
        else:
            self.message_user(request, "Les changements sélectionnés étaient déjà traités.", messages.WARNING)


# --- Caf agents act inside a convention (guide 003): a partner user created, a user added to a group -----------------

QUALIFICATION_LABEL, QUALIFICATION_HELP = support.QUALIFICATION_LABEL, support.QUALIFICATION_HELP


def _caf_groups(agent):
    return scoped(
        UserGroup.objects.open_on(timezone.localdate()).select_related("convention__organism"),
        agent,
        "convention__caf_pivot",
    ).order_by("convention__organism__nom", "code")


class AgentMembershipForm(AgentForm):
    """ "Ajouter un utilisateur au groupe", by a Caf agent: a user and a group of the same organism of their Caf."""

    user = forms.ModelChoiceField(
        label="Utilisateur",
        queryset=User.objects.none(),
        error_messages={
            "required": "Choisissez l'utilisateur.",
            "invalid_choice": "Choisissez un utilisateur de la liste.",
        },
    )
    group = forms.ModelChoiceField(
        label="Groupe",
        queryset=UserGroup.objects.none(),
        error_messages={"required": "Choisissez le groupe.", "invalid_choice": "Choisissez un groupe de la liste."},
    )
    date_ouverture = date_field("Date d'ouverture", initial=timezone.localdate)
    date_cloture = date_field("Date de clôture", required=False)
    qualification = forms.BooleanField(label=QUALIFICATION_LABEL, required=False, help_text=QUALIFICATION_HELP)

    class Meta:
        model = Membership
        fields = ["user", "group", "date_ouverture", "date_cloture"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = scoped(
            User.objects.filter(organism__isnull=False).filter(open_on_q(timezone.localdate())),
            self.agent,
            "organism__caf_pivot",
        ).select_related("organism")
        self.fields["user"].label_from_instance = lambda user: f"{user} — {user.organism}"
        self.fields["group"].queryset = _caf_groups(self.agent)
        self.fields["group"].label_from_instance = lambda group: f"{group.convention.organism} — {group}"

    def _post_clean(self):
        # The rules (same organism, dates within the group's, no overlap) are the services': no model validation.
        refusal = getattr(self.request, "service_refusal", None)
        if refusal is not None and refusal.prefix == self.prefix:
            add_service_errors(self, refusal.error)


@admin.register(Membership)
class MembershipAdmin(AgentAdmin):
    """The memberships of the groups of the agent's Caf's conventions: added here through the same service as the
    partners' « AJOUTER UN UTILISATEUR AU GROUPE » (journaled as the agent), changed on the partners' screens."""

    caf_lookup = "group__convention__caf_pivot"
    add_form = AgentMembershipForm
    list_display = ["user", "group", "organisme", "date_ouverture", "date_cloture", "qualification"]
    list_select_related = ["user", "group__convention__organism", "qualification_attestee_par"]
    search_fields = ["user__identifiant", "user__nom", "group__code", "group__convention__organism__nom"]
    fields = [
        "user",
        "group",
        "date_ouverture",
        "date_cloture",
        "qualification_profils",
        "qualification_attestee_par",
        "qualification_attestee_le",
    ]
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        return [*AgentMembershipForm.Meta.fields, "qualification"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # dates and closing: « Gérer l'appartenance » on the partners' screens

    def has_view_permission(self, request, obj=None):
        return is_agent(request)

    @admin.display(description="organisme", ordering="group__convention__organism__nom")
    def organisme(self, membership):
        return membership.group.convention.organism

    @admin.display(description="qualification attestée")
    def qualification(self, membership):
        if membership.qualification_attestee_le is None:
            return "—"
        who = membership.qualification_attestee_par
        return (
            f"{membership.qualification_profils} : par {who.get_full_name() if who else '—'}, "
            f"le {timezone.localtime(membership.qualification_attestee_le):%d/%m/%Y}"
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        membership = perform(
            form,
            support.membership_add_attested,
            user=data["user"],
            group=data["group"],
            qualification_attestee=data["qualification"],
            date_ouverture=data["date_ouverture"],
            date_cloture=data["date_cloture"],
            actor=request.user,
            request=request,
        )
        adopt(obj, membership)

    def get_urls(self):
        return [
            path(
                "nouvel-utilisateur/",
                self.admin_site.admin_view(self.user_create_view),
                name="habilitations_membership_user_create",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {
            "title": "Appartenances aux groupes",
            "user_create_url": reverse("admin:habilitations_membership_user_create"),
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def user_create_view(self, request):
        """ "Créer un utilisateur partenaire" of an organism of the agent's Caf, optionally into one of its groups."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AgentUserCreateForm(request.POST if request.method == "POST" else None)
        form.request = request
        form.setup()
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    user = support.partner_user_create_attested(
                        organism=data["organism"],
                        group=data["group"],
                        qualification_attestee=data["qualification"],
                        nom=data["nom"],
                        prenom=data["prenom"],
                        email=data["email"],
                        telephone=data["telephone"],
                        actor=request.user,
                        request=request,
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                self.message_user(
                    request,
                    f"L'utilisateur {user.get_full_name()} ({user.identifiant}) a été créé ; il reçoit son "
                    "identifiant et son mot de passe provisoire par courriel.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:habilitations_membership_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Créer un utilisateur partenaire",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/habilitations/membership/user_create.html", context)


class AgentUserCreateForm(forms.Form):
    """ "Créer un utilisateur partenaire", by a Caf agent: identifiant and provisional password e-mailed."""

    organism = forms.ModelChoiceField(
        label="Organisme partenaire",
        queryset=Organism.objects.none(),
        error_messages={
            "required": "Choisissez l'organisme.",
            "invalid_choice": "Choisissez un organisme de la liste.",
        },
    )
    nom = forms.CharField(label="Nom", max_length=100, error_messages={"required": "Saisissez le nom."})
    prenom = forms.CharField(label="Prénom", max_length=100, error_messages={"required": "Saisissez le prénom."})
    email = forms.EmailField(
        label="Adresse mail",
        max_length=320,
        error_messages={"required": "Saisissez l'adresse mail.", "invalid": "Saisissez une adresse mail valide."},
        help_text="Adresse personnelle : l'identifiant et le mot de passe provisoire y sont envoyés.",
    )
    email_confirmation = forms.EmailField(
        label="Confirmer adresse mail",
        max_length=320,
        error_messages={"required": "Confirmez l'adresse mail.", "invalid": "Saisissez une adresse mail valide."},
    )
    telephone = forms.CharField(label="Téléphone", max_length=20, required=False)
    group = forms.ModelChoiceField(
        label="Groupe (facultatif)",
        queryset=UserGroup.objects.none(),
        required=False,
        error_messages={"invalid_choice": "Choisissez un groupe de la liste."},
    )
    qualification = forms.BooleanField(label=QUALIFICATION_LABEL, required=False, help_text=QUALIFICATION_HELP)
    request = None

    def setup(self):
        agent = self.request.user
        self.fields["organism"].queryset = scoped(Organism.objects.all(), agent, "caf_pivot").order_by("nom")
        self.fields["group"].queryset = _caf_groups(agent)
        self.fields["group"].label_from_instance = lambda group: f"{group.convention.organism} — {group}"

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("email_confirmation")
        if email and confirmation and confirmation.lower() != email.lower():
            self.add_error("email_confirmation", "Les deux adresses mail ne sont pas identiques.")
        group, organism = cleaned.get("group"), cleaned.get("organism")
        if group is not None and organism is not None and group.convention.organism_id != organism.pk:
            self.add_error("group", "Ce groupe n'appartient pas à cet organisme.")
        return cleaned
