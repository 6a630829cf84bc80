"""The Caf agents' admin (behind the second factor, see portal.admin_site). Read-only for now: the agents'
screens to register partners, conventions and administrators come with the habilitations issue."""

from django.contrib import admin

from habilitations.journal import JournalEntry
from habilitations.models import Caf, User


class ReadOnlyForStaffAdmin(admin.ModelAdmin):
    """Agents consult; nobody edits reference data or the journal from the admin."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Caf)
class CafAdmin(ReadOnlyForStaffAdmin):
    list_display = ["code", "nom", "departement", "email", "telephone"]
    search_fields = ["code", "nom", "nom_departement"]


@admin.register(User)
class UserAdmin(ReadOnlyForStaffAdmin):
    list_display = ["identifiant", "nom", "prenom", "email", "caf", "date_ouverture", "date_cloture", "is_staff"]
    list_filter = ["is_staff", "is_partner_admin"]
    search_fields = ["identifiant", "nom", "prenom", "email"]
    list_select_related = ["caf"]
    exclude = ["password", "user_permissions", "groups"]

    def get_queryset(self, request):
        """An agent sees the accounts of their own Caf; a national administrator (superuser) sees all."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(caf_id=request.user.caf_id) if request.user.caf_id else queryset.none()


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyForStaffAdmin):
    list_display = ["at", "event", "user", "identifiant", "ip"]
    list_filter = ["event"]
    search_fields = ["identifiant", "user__identifiant"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if not request.user.caf_id:
            return queryset.none()
        return queryset.filter(user__caf_id=request.user.caf_id)
