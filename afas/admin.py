"""The Caf agents' admin for AFAS: the activities (équipements/services) of their Caf and their lieux d'implantation,
written through afas.services (journaled); an activity of another Caf is not found. A national agent sees all."""

from django.contrib import admin

from afas import services
from afas.forms import ActivityForm, SiteForm
from afas.models import Activity, Site
from habilitations.admin import AgentAdmin, AgentInline, StatutFilter, adopt, perform


class SiteInline(AgentInline):
    model = Site
    form = SiteForm
    fields = ["nom", "date_ouverture", "date_cloture"]
    verbose_name = "lieu d'implantation"
    verbose_name_plural = "lieux d'implantation (fermer : date de clôture)"


@admin.register(Activity)
class ActivityAdmin(AgentAdmin):
    caf_lookup = "caf"
    form = ActivityForm
    inlines = [SiteInline]
    list_display = ["nom", "type_activite", "nature", "organism", "caf", "date_ouverture", "date_cloture", "statut"]
    list_filter = ["type_activite", "nature", StatutFilter]
    search_fields = ["nom", "organism__nom", "organism__siret"]
    list_select_related = ["organism", "caf"]
    fixed_fields = ["organism", "caf"]

    def get_readonly_fields(self, request, obj=None):
        return self.fixed_fields if obj is not None else []

    @admin.display(description="statut")
    def statut(self, activity):
        return activity.statut

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            if data:
                adopt(obj, perform(form, services.activity_update, obj, actor=request.user, request=request, **data))
            return
        fields = {name: form.cleaned_data[name] for name in services.ACTIVITY_FIELDS if name in form.cleaned_data}
        adopt(obj, perform(form, services.activity_create, actor=request.user, request=request, **fields))

    def save_formset(self, request, form, formset, change):
        # What the admin's change message reads (Django's formset.save() would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for site_form in formset.forms:
            if not site_form.has_changed() or not site_form.is_valid():
                continue
            data = {
                name: site_form.cleaned_data[name] for name in site_form.changed_data if name in SiteForm._meta.fields
            }
            if site_form.instance.pk:
                perform(
                    site_form, services.site_update, site_form.instance, actor=request.user, request=request, **data
                )
            else:
                fields = {name: site_form.cleaned_data[name] for name in SiteForm._meta.fields}
                perform(
                    site_form,
                    services.site_create,
                    activity=form.instance,
                    actor=request.user,
                    request=request,
                    **fields,
                )
