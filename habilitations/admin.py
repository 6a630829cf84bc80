"""The Caf agents' admin (behind the second factor, see portal.admin_site).

Agents hold no Django model permission: every ModelAdmin answers `has_*_permission` from `is_staff` and scopes
its queryset to the agent's Caf (organisms and conventions whose Caf pivot it is, their administrators and
users, the Caf's agents); a national agent (superuser) sees everything. An object of another Caf is not found.
Nothing is deleted. Every write goes through `habilitations.services` (atomic, journaled): the admin views
run in one transaction, and a service refusal rolls the submission back and shows the form again with the
service's French message next to its field (`ServiceRefusal`).
"""

import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from habilitations import consultations, second_factor, services
from habilitations.forms.admin import (
    AdministratorCloseForm,
    AdministratorCreateForm,
    ConventionCreateForm,
    ConventionDocumentForm,
    ConventionEtatForm,
    ConventionProfileForm,
    OrganismContactForm,
    OrganismRegisterForm,
    ServiceRefusal,
    scoped,
)
from habilitations.journal import JournalEntry, journal_write
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
from habilitations.reference import CDAP_RUBRICS


def is_agent(request) -> bool:
    return request.user.is_active and request.user.is_staff


def is_pk(model, value: str) -> bool:
    try:
        model._meta.pk.to_python(value)
    except ValidationError:
        return False
    return True


def perform(form, call, /, *args, **kwargs):
    """Call a service for `form`; its refusal rolls the submission back and comes back on the form."""
    try:
        return call(*args, **kwargs)
    except ValidationError as error:
        raise ServiceRefusal(form.prefix, error) from error


def adopt(obj, saved) -> None:
    """The admin goes on with the object it built (messages, history, redirect): give it the saved row."""
    obj.__dict__.update(saved.__dict__)


class StatutFilter(admin.SimpleListFilter):
    """Statut (Ouvert / Clôturé), derived from the dates as everywhere in the portal."""

    title = "statut"
    parameter_name = "statut"

    def lookups(self, request, model_admin):
        return [("ouvert", "Ouvert"), ("cloture", "Clôturé")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "ouvert":
            return queryset.filter(open_on_q(today))
        if self.value() == "cloture":
            return queryset.exclude(open_on_q(today))
        return queryset


class StaffOnlyAdmin(admin.ModelAdmin):
    """Staff only, read-only (reference data, accounts, journal); nothing is ever deleted from the admin."""

    def response_action(self, request, queryset):
        """An action's selection holding a value that is no id selects nothing of it: Django filters on the posted
        values as they are, and a tampered one was a 500."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        ids = [value for value in selected if is_pk(self.model, value)]
        if ids != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, ids)
        return super().response_action(request, queryset)

    def has_module_permission(self, request):
        return is_agent(request)

    def has_view_permission(self, request, obj=None):
        return is_agent(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AgentAdmin(StaffOnlyAdmin):
    """What an agent manages: scoped to their Caf through `caf_lookup`, written through the services."""

    caf_lookup: str = ""
    add_form = None

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.caf_lookup)

    def has_add_permission(self, request):
        return is_agent(request) and bool(request.user.is_superuser or request.user.caf_id)

    def has_change_permission(self, request, obj=None):
        # Objects come from the scoped queryset: only the agents of the Caf pivot reach them.
        return self.has_add_permission(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None and self.add_form is not None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_actions(self, request):
        return {}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as refusal:
            # The view's transaction rolled everything back; show the same submission with the refusal.
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)


class AgentInline(admin.TabularInline):
    """A convention's rows (documents, profiles): added and closed by the agents of the Caf pivot."""

    extra = 1
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return is_agent(request)

    def has_add_permission(self, request, obj=None):
        return is_agent(request) and obj is not None

    def has_change_permission(self, request, obj=None):
        return is_agent(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request, "convention": obj})
        return formset


# --- Organisms -------------------------------------------------------------------------------------------


@admin.register(Organism)
class OrganismAdmin(AgentAdmin):
    caf_lookup = "caf_pivot"
    add_form = OrganismRegisterForm
    form = OrganismContactForm
    list_display = ["nom", "siret", "partner_type", "departement", "caf_pivot", "convention_etat"]
    list_filter = ["partner_type", "multi_departement"]
    search_fields = ["nom", "siret", "commune"]
    list_select_related = ["partner_type", "caf_pivot", "convention"]
    registration_fields = ["siret", "nom", "partner_type", "departement", "multi_departement", "caf_pivot"]

    def get_list_filter(self, request):
        return [*self.list_filter, "caf_pivot"] if request.user.is_superuser else self.list_filter

    def get_fields(self, request, obj=None):
        if obj is None:
            return OrganismRegisterForm._meta.fields
        return [*self.registration_fields, *OrganismContactForm._meta.fields, "convention_link", "administrateurs"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.registration_fields, "convention_link", "administrateurs"]

    @admin.display(description="convention")
    def convention_etat(self, organism):
        convention = getattr(organism, "convention", None)
        return convention.etat_display if convention else "Aucune convention"

    @admin.display(description="convention")
    def convention_link(self, organism):
        convention = Convention.objects.filter(organism=organism).first()
        if convention is None:
            return format_html('<a href="{}?organism={}">Créer la convention</a>', _url("convention_add"), organism.pk)
        return format_html(
            '<a href="{}">{}</a> ({})', _url("convention_change", convention.pk), convention, convention.etat_display
        )

    @admin.display(description="administrateurs")
    def administrateurs(self, organism):
        return _administrators_html(organism)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if changes:
                perform(form, services.organism_contact_update, obj, actor=request.user, request=request, **changes)
            return
        adopt(obj, perform(form, services.organism_register, actor=request.user, request=request, **form.cleaned_data))


def _url(name: str, *args) -> str:
    return reverse(f"admin:habilitations_{name}", args=args)


def _administrators_html(organism):
    administrators = (
        OrganismAdministrator.objects.filter(organism=organism).filter(open_on_q(timezone.localdate()))
    ).select_related("user")
    if not administrators:
        return format_html(
            'Aucun. <a href="{}?organism={}">Nommer un administrateur</a>',
            _url("organismadministrator_add"),
            organism.pk,
        )
    return format_html_join(
        ", ",
        "{} : {} ({})",
        ((a.get_role_display(), a.user.get_full_name(), a.user.identifiant) for a in administrators),
    )


# --- Conventions -----------------------------------------------------------------------------------------


class ConventionProfileInline(AgentInline):
    model = ConventionProfile
    form = ConventionProfileForm
    fields = ["profile", "date_ouverture", "date_cloture", "statut"]
    readonly_fields = ["statut"]
    verbose_name = "profil accordé"
    verbose_name_plural = "profils accordés par la Caf (accorder : nouvelle ligne ; retirer : date de clôture)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__service")

    @admin.display(description="statut")
    def statut(self, convention_profile):
        return convention_profile.statut if convention_profile.pk else "—"


class ConventionDocumentInline(AgentInline):
    model = ConventionDocument
    form = ConventionDocumentForm
    fields = ["kind", "service", "date_reception"]
    verbose_name = "document reçu"
    verbose_name_plural = "documents reçus"

    def has_change_permission(self, request, obj=None):
        return False  # a document is recorded once; existing rows are shown read-only


@admin.register(Convention)
class ConventionAdmin(AgentAdmin):
    caf_lookup = "caf_pivot"
    add_form = ConventionCreateForm
    form = ConventionEtatForm
    inlines = [ConventionProfileInline, ConventionDocumentInline]
    list_display = ["libelle", "caf_pivot", "organism", "date_ouverture", "date_cloture", "statut", "etat_libelle"]
    list_filter = ["etat", StatutFilter, "organism__partner_type"]
    search_fields = ["libelle", "organism__nom", "organism__siret"]
    list_select_related = ["caf_pivot", "organism"]
    fixed_fields = [
        "libelle",
        "organism",
        "partner_type",
        "caf_pivot",
        "date_ouverture",
        "date_cloture",
        "statut",
        "administrateurs",
    ]

    def get_list_filter(self, request):
        return [*self.list_filter, "caf_pivot"] if request.user.is_superuser else self.list_filter

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ConventionCreateForm._meta.fields
        return [*self.fixed_fields, "etat", "date_validation", "motif_derogation"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.fixed_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organism":
            kwargs["queryset"] = scoped(
                Organism.objects.filter(convention__isnull=True), request.user, "caf_pivot"
            ).select_related("partner_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="statut")
    def statut(self, convention):
        return convention.statut

    @admin.display(description="état", ordering="etat")
    def etat_libelle(self, convention):
        return convention.etat_display

    @admin.display(description="type de partenaire")
    def partner_type(self, convention):
        return convention.organism.partner_type

    @admin.display(description="administrateurs")
    def administrateurs(self, convention):
        return _administrators_html(convention.organism)

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            convention = perform(
                form,
                services.convention_create,
                organism=data["organism"],
                libelle=data["libelle"] or None,
                date_ouverture=data["date_ouverture"],
                actor=request.user,
                request=request,
            )
            adopt(obj, convention)

    def save_related(self, request, form, formsets, change):
        """The documents first, then the profiles, then the état: a bulletin recorded in the same submission
        counts for the profile it allows and for "Valable" (the services refuse either without it)."""
        form.save_m2m()
        for formset in sorted(formsets, key=lambda f: f.model is not ConventionDocument):
            self.save_formset(request, form, formset, change=change)
        if change and form.has_changed() and {"etat", "date_validation"} & set(form.changed_data):
            perform(
                form,
                services.convention_set_etat,
                Convention.objects.select_related("organism").get(pk=form.instance.pk),
                etat=form.cleaned_data["etat"],
                date_validation=form.cleaned_data["date_validation"],
                override_reason=form.cleaned_data.get("motif_derogation", ""),
                actor=request.user,
                request=request,
            )

    def save_formset(self, request, form, formset, change):
        """Inline rows through the services: grant or withdraw a profile, record a document. Nothing deleted."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        convention = formset.instance
        for row in formset.forms:
            if not row.has_changed():
                continue
            data = row.cleaned_data
            if row.instance.pk is None:
                if formset.model is ConventionProfile:
                    saved = perform(
                        row,
                        services.convention_profile_open,
                        convention,
                        data["profile"],
                        date_ouverture=data["date_ouverture"],
                        override_reason=form.cleaned_data.get("motif_derogation", ""),
                        actor=request.user,
                        request=request,
                    )
                else:
                    saved = perform(
                        row,
                        services.convention_document_record,
                        convention,
                        kind=data["kind"],
                        service=data["service"],
                        date_reception=data["date_reception"],
                        actor=request.user,
                        request=request,
                    )
                formset.new_objects.append(saved)
            elif formset.model is ConventionProfile and data.get("date_cloture"):
                saved = perform(
                    row,
                    services.convention_profile_close,
                    ConventionProfile.objects.select_related("convention__organism", "profile").get(
                        pk=row.instance.pk
                    ),
                    date_cloture=data["date_cloture"],
                    actor=request.user,
                    request=request,
                )
                formset.changed_objects.append((saved, ["date_cloture"]))


# --- Administrators --------------------------------------------------------------------------------------


@admin.register(OrganismAdministrator)
class OrganismAdministratorAdmin(AgentAdmin):
    caf_lookup = "organism__caf_pivot"
    add_form = AdministratorCreateForm
    form = AdministratorCloseForm
    list_display = ["identifiant", "nom_prenom", "organisme", "role", "date_ouverture", "date_cloture", "statut"]
    list_filter = ["role", StatutFilter]
    search_fields = ["user__identifiant", "user__nom", "user__prenom", "organism__nom"]
    list_select_related = ["user", "organism"]
    fixed_fields = ["organisme", "utilisateur", "role", "date_ouverture", "statut"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "organism",
                "role",
                "user",
                "nom",
                "prenom",
                "email",
                "email_confirmation",
                "telephone",
                "date_ouverture",
            ]
        return [*self.fixed_fields, "date_cloture"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A closed administrator stays closed: name a new one instead.
        return [*self.fixed_fields, "date_cloture"] if obj.date_cloture else self.fixed_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organism":
            kwargs["queryset"] = scoped(Organism.objects.all(), request.user, "caf_pivot")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="organisme partenaire", ordering="organism__nom")
    def organisme(self, administrator):
        return administrator.organism

    @admin.display(description="utilisateur")
    def utilisateur(self, administrator):
        return administrator.user

    @admin.display(description="identifiant", ordering="user__identifiant")
    def identifiant(self, administrator):
        return administrator.user.identifiant

    @admin.display(description="nom et prénom", ordering="user__nom")
    def nom_prenom(self, administrator):
        return administrator.user.get_full_name()

    @admin.display(description="statut")
    def statut(self, administrator):
        return administrator.statut

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            if "date_cloture" in form.changed_data and data["date_cloture"]:
                perform(
                    form,
                    services.administrator_close,
                    OrganismAdministrator.objects.select_related("organism", "user").get(pk=obj.pk),
                    date_cloture=data["date_cloture"],
                    actor=request.user,
                    request=request,
                )
            return
        user = data["user"]
        if user is None:
            user = perform(
                form,
                services.partner_user_create,
                organism=data["organism"],
                nom=data["nom"],
                prenom=data["prenom"],
                email=data["email"],
                telephone=data["telephone"],
                date_ouverture=min(data["date_ouverture"], timezone.localdate()),
                actor=request.user,
                request=request,
            )
        administrator = perform(
            form,
            services.administrator_name,
            organism=data["organism"],
            user=user,
            role=data["role"],
            date_ouverture=data["date_ouverture"],
            actor=request.user,
            request=request,
        )
        adopt(obj, administrator)


# --- Accounts, agents and journal ------------------------------------------------------------------------


class AccountKindFilter(admin.SimpleListFilter):
    title = "type de compte"
    parameter_name = "compte"

    def lookups(self, request, model_admin):
        return [
            ("agents", "Agents Caf"),
            ("administrateurs", "Administrateurs partenaires"),
            ("partenaires", "Partenaires"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "agents":
            return queryset.filter(is_staff=True)
        if self.value() == "administrateurs":
            return queryset.filter(is_partner_admin=True)
        if self.value() == "partenaires":
            return queryset.filter(organism__isnull=False)
        return queryset


@admin.register(User)
class UserAdmin(StaffOnlyAdmin):
    """Accounts of the agent's Caf: its agents, and the users of the organisms whose Caf pivot it is."""

    list_display = ["identifiant", "nom", "prenom", "email", "organism", "caf", "date_ouverture", "date_cloture"]
    list_filter = [AccountKindFilter, "is_partner_admin"]
    search_fields = ["identifiant", "nom", "prenom", "email"]
    list_select_related = ["caf", "organism"]
    exclude = ["password", "user_permissions", "groups"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not request.user.caf_id:
            return queryset.none()
        return queryset.filter(Q(caf_id=request.user.caf_id) | Q(organism__caf_pivot_id=request.user.caf_id))

    actions = ["second_factor_reset"]

    @admin.action(description="Réinitialiser la double authentification")
    def second_factor_reset(self, request, queryset):
        """A lost phone and lost backup codes ("Problème de connexion" sends the person here): the application and
        the codes go, the person enrols again at the next login. Not one's own account (another agent does it)."""
        done, skipped = [], []
        for user in queryset.exclude(pk=request.user.pk).order_by("identifiant"):
            reset = second_factor.second_factor_reset(user, actor=request.user, request=request)
            (done if reset else skipped).append(user.identifiant)
        if done:
            self.message_user(
                request,
                f"Double authentification réinitialisée pour {', '.join(done)} : à la prochaine connexion, "
                "la personne active une nouvelle application et reçoit de nouveaux codes de secours.",
            )
        if skipped:
            self.message_user(
                request, f"Aucune double authentification à réinitialiser pour {', '.join(skipped)}.", level="warning"
            )
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(
                request,
                "Votre propre double authentification se réinitialise par un autre agent de votre Caf.",
                level="warning",
            )

    def get_urls(self):
        return [
            path("agents-caf/", self.admin_site.admin_view(self.agents_view), name="habilitations_user_agents"),
            *super().get_urls(),
        ]

    def agents_view(self, request):
        """ "Consulter les agents Caf": the staff of the agent's Caf, read-only."""
        request.GET = request.GET.copy()
        request.GET[AccountKindFilter.parameter_name] = "agents"
        return self.changelist_view(request, extra_context={"title": "Consulter les agents Caf"})


@admin.register(JournalEntry)
class JournalEntryAdmin(StaffOnlyAdmin):
    list_display = ["at", "event", "user", "actor", "organism", "identifiant", "ip"]
    list_filter = ["event"]
    search_fields = ["identifiant", "user__identifiant", "organism__nom"]
    list_select_related = ["user", "actor", "organism"]
    date_hierarchy = "at"

    def get_urls(self):
        consultations = ConsultationAdmin(JournalEntry, self.admin_site)
        return [
            path(
                "consultations/",
                self.admin_site.admin_view(consultations.changelist_view),
                name="habilitations_journalentry_consultations",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not request.user.caf_id:
            return queryset.none()
        return queryset.filter(Q(user__caf_id=request.user.caf_id) | Q(organism__caf_pivot_id=request.user.caf_id))


class ConsultationResultFilter(admin.SimpleListFilter):
    title = "résultat"
    parameter_name = "resultat"

    def lookups(self, request, model_admin):
        return [("refuse", "Refus uniquement"), ("accepte", "Sans les refus")]

    def queryset(self, request, queryset):
        if self.value() == "refuse":
            return queryset.filter(consultations.refusals_q())
        if self.value() == "accepte":
            return queryset.exclude(consultations.refusals_q())
        return queryset


class ConsultationRubricFilter(admin.SimpleListFilter):
    title = "rubrique"
    parameter_name = "rubrique"

    def lookups(self, request, model_admin):
        return list(consultations.RUBRIC_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(data__rubric=self.value()) if self.value() else queryset


class ConsultationAdmin(StaffOnlyAdmin):
    """ "Consultations" (Consulter Dossier) of the organisms whose Caf pivot is the agent's Caf; all for a national
    agent. Not registered: JournalEntryAdmin serves it at journal/consultations/. Search: a numéro allocataire
    (7 digits, exact), else an identifiant, a name or an organism."""

    list_display = ["at", "utilisateur", "organism", "profil", "dossier", "rubrique", "resultat", "ip"]
    list_display_links = None
    list_select_related = ["user", "organism"]
    list_filter = [ConsultationResultFilter, ConsultationRubricFilter, "event"]
    search_fields = ["user__identifiant", "user__nom", "organism__nom"]
    date_hierarchy = "at"
    actions = ["export_csv", "export_xlsx"]

    def get_queryset(self, request):
        return consultations.consultations_of_caf(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if re.fullmatch(r"\d{7}", term):
            return queryset.filter(data__dossier=term), False
        return super().get_search_results(request, queryset, term)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Consultations Consulter Dossier", **(extra_context or {})})

    @admin.display(description="utilisateur", ordering="user__nom")
    def utilisateur(self, entry):
        return consultations.row_of(entry).nom or "—"

    @admin.display(description="profil")
    def profil(self, entry):
        return consultations.row_of(entry).profile

    @admin.display(description="Caf et numéro allocataire")
    def dossier(self, entry):
        row = consultations.row_of(entry)
        return f"Caf {row.caf} — {row.dossier}" if row.caf else row.dossier

    @admin.display(description="rubrique")
    def rubrique(self, entry):
        return consultations.rubric_label(entry)

    @admin.display(description="résultat")
    def resultat(self, entry):
        return consultations.outcome_label(entry)

    @admin.action(description="Exporter les consultations sélectionnées (CSV)")
    def export_csv(self, request, queryset):
        """UTF-8 with BOM and ';' for Excel, streamed; the export is journaled."""
        return self._export(request, queryset, "csv")

    @admin.action(description="Exporter les consultations sélectionnées (XLSX)")
    def export_xlsx(self, request, queryset):
        """The same rows as a workbook (dates and times as dates), streamed; the export is journaled."""
        return self._export(request, queryset, "xlsx")

    def _export(self, request, queryset, file_format):
        journal_write(CAF_EXPORT, request=request, user=request.user, rows=queryset.count())
        basename = f"consultations-caf-{timezone.localdate():%Y-%m-%d}"
        return consultations.AGENTS_EXPORT.response(file_format, basename, queryset)


CAF_EXPORT = "export.consultations_caf"


# --- Reference data (read-only) --------------------------------------------------------------------------


@admin.register(Caf)
class CafAdmin(StaffOnlyAdmin):
    list_display = ["code", "nom", "departement", "email", "telephone"]
    search_fields = ["code", "nom", "nom_departement"]

    def get_list_display(self, request):
        """On the agent's own Caf, a link to "Consulter les agents Caf"."""

        @admin.display(description="agents")
        def agents(caf):
            if caf.pk != request.user.caf_id and not request.user.is_superuser:
                return "—"
            return format_html('<a href="{}">Consulter les agents Caf</a>', reverse("admin:habilitations_user_agents"))

        return [*self.list_display, agents]


@admin.register(Service)
class ServiceAdmin(StaffOnlyAdmin):
    list_display = ["code", "libelle", "description", "supervision"]


RUBRIC_LABELS = {
    "synthese": "Synthèse",
    "paiements": "Paiements",
    "dossier": "Dossier",
    "famille": "Famille",
    "droits": "Droits",
    "logement": "Logement",
    "ressources": "Ressources",
    "rsa": "RSA",
    "creances": "Créances",
    "courriers": "Courriers",
    "cmu_cmuc_rsa": "CMU/CMUC/RSA",
    "cmuc_ressources": "CMUC ressources",
    "donnees_complementaires": "Données complémentaires",
    "attestation_paiement": "Attestation de paiement",
}


@admin.register(Profile)
class ProfileAdmin(StaffOnlyAdmin):
    list_display = ["code", "libelle", "service", "controle_supplementaire", "rubriques_ouvertes"]
    list_filter = ["service"]
    search_fields = ["code", "libelle"]
    list_select_related = ["service"]
    fields = ["code", "libelle", "service", "controle_supplementaire", "masque_des_rubriques"]
    readonly_fields = fields

    @admin.display(description="rubriques ouvertes")
    def rubriques_ouvertes(self, profile):
        return ", ".join(RUBRIC_LABELS[r] for r in CDAP_RUBRICS if r in profile.rubriques) or "—"

    @admin.display(description="masque des rubriques")
    def masque_des_rubriques(self, profile):
        if profile.service.code != "CDAP":
            return "—"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><th scope='row'>{}</th><td>{}</td></tr>",
                ((RUBRIC_LABELS[r], "Ouverte" if r in profile.rubriques else "Masquée") for r in CDAP_RUBRICS),
            ),
        )


@admin.register(PartnerType)
class PartnerTypeAdmin(StaffOnlyAdmin):
    list_display = ["libelle", "code", "identifiant_prefixe", "services", "profils_legitimes"]
    search_fields = ["libelle", "code"]
    fields = ["code", "libelle", "identifiant_prefixe", "services", "profils_legitimes"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("services_eligibles", "profils_cdap_legitimes")

    @admin.display(description="services éligibles")
    def services(self, partner_type):
        return ", ".join(s.libelle for s in partner_type.services_eligibles.all()) or "—"

    @admin.display(description="profils CDAP légitimes")
    def profils_legitimes(self, partner_type):
        return ", ".join(p.code for p in partner_type.profils_cdap_legitimes.all()) or "—"
