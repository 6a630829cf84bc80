"""The Caf agents' admin for Consulter Dossier: postal requests ("Envoyer par courrier") and Dialogue messages of
the dossiers of the agent's Caf (all for a national agent), read-only. Beneficiary data itself is not in the admin.
"""

from django.contrib import admin

from cdap.models import DialogueMessage, PostalRequest
from habilitations.admin import StaffOnlyAdmin
from habilitations.forms.admin import scoped


class CafScopedReadOnlyAdmin(StaffOnlyAdmin):
    caf_lookup: str = ""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.caf_lookup)

    def get_actions(self, request):
        return {}


@admin.register(PostalRequest)
class PostalRequestAdmin(CafScopedReadOnlyAdmin):
    caf_lookup = "consultation__dossier__caf"
    list_display = ["created_at", "dossier", "periode", "organisme", "demandeur", "sent_at"]
    list_select_related = ["consultation__dossier__caf", "consultation__organism", "consultation__user"]
    date_hierarchy = "created_at"
    search_fields = ["=consultation__dossier__numero"]
    fields = ["created_at", "dossier", "periode", "organisme", "demandeur", "sent_at"]
    readonly_fields = fields

    @admin.display(description="Caf et numéro allocataire")
    def dossier(self, obj):
        return f"{obj.consultation.dossier.caf.code} {obj.consultation.dossier.numero}"

    @admin.display(description="organisme")
    def organisme(self, obj):
        return obj.consultation.organism.nom

    @admin.display(description="demandé par")
    def demandeur(self, obj):
        user = obj.consultation.user
        return f"{user.nom} {user.prenom} ({user.identifiant})"


@admin.register(DialogueMessage)
class DialogueMessageAdmin(CafScopedReadOnlyAdmin):
    caf_lookup = "caf"
    list_display = ["created_at", "caf", "numero_allocataire", "organisme", "nom_prenom", "email", "objet"]
    list_select_related = ["caf"]
    date_hierarchy = "created_at"
    search_fields = ["=numero_allocataire", "organisme", "nom_prenom", "objet"]
    fields = ["created_at", "caf", "organisme", "nom_prenom", "email", "numero_allocataire", "objet", "message"]
    readonly_fields = fields
