"""The Caf agents' admin for Consulter Dossier: postal requests ("Envoyer par courrier": print the attestation, mark
the requests sent) and Dialogue messages (read-only) of the dossiers of the agent's Caf (all for a national agent).
Beneficiary data itself is not in the admin, beyond the attestation a partner asked the Caf to post."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from cdap import services
from cdap.models import DialogueMessage, PostalRequest
from cdap.selectors import attestation_data
from core.pdf import render_pdf, render_pdf_series
from habilitations.admin import StaffOnlyAdmin, is_agent
from habilitations.forms.admin import scoped


class CafScopedReadOnlyAdmin(StaffOnlyAdmin):
    caf_lookup: str = ""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user, self.caf_lookup)

    def get_actions(self, request):
        return {}


class EnvoiFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("a_envoyer", "À envoyer"), ("envoyee", "Envoyée")]

    def queryset(self, request, queryset):
        if self.value() == "a_envoyer":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "envoyee":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(PostalRequest)
class PostalRequestAdmin(CafScopedReadOnlyAdmin):
    """The agent prints each requested attestation ("Imprimer l'attestation (PDF)", or the selected ones in one PDF),
    posts it, then marks the requests sent (action "Marquer comme envoyées"). Both are journaled; requests of another
    Caf answer 404."""

    caf_lookup = "consultation__dossier__caf"
    list_display = ["created_at", "dossier", "mois", "organisme", "demandeur", "etat", "attestation"]
    list_select_related = ["consultation__dossier__caf", "consultation__organism", "consultation__user"]
    list_filter = [EnvoiFilter]
    date_hierarchy = "created_at"
    search_fields = ["=consultation__dossier__numero"]
    fields = ["created_at", "dossier", "mois", "organisme", "demandeur", "sent_at", "attestation"]
    readonly_fields = fields
    actions = ["print_attestations", "mark_sent"]
    print_max = 100  # attestations in one PDF (about 25 ms each)

    def get_actions(self, request):
        return admin.ModelAdmin.get_actions(self, request)

    def changelist_view(self, request, extra_context=None):
        title = {"title": "Attestations à envoyer par courrier", **(extra_context or {})}
        return super().changelist_view(request, title)

    def has_send_permission(self, request):
        return is_agent(request) and bool(request.user.is_superuser or request.user.caf_id)

    def get_urls(self):
        return [
            path(
                "<int:pk>/attestation/",
                self.admin_site.admin_view(self.attestation_view),
                name="cdap_postalrequest_attestation",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Caf et numéro allocataire")
    def dossier(self, obj):
        return f"{obj.consultation.dossier.caf.code} {obj.consultation.dossier.numero}"

    @admin.display(description="mois de l'attestation", ordering="periode")
    def mois(self, obj):
        """ "novembre 2026": the month, never its first day ("1 novembre 2026")."""
        return date_format(obj.periode, "F Y")

    @admin.display(description="organisme")
    def organisme(self, obj):
        return obj.consultation.organism.nom

    @admin.display(description="demandé par")
    def demandeur(self, obj):
        user = obj.consultation.user
        return f"{user.nom} {user.prenom} ({user.identifiant})"

    @admin.display(description="état", ordering="sent_at")
    def etat(self, obj):
        if obj.sent_at is None:
            return "À envoyer"
        return f"Envoyée le {timezone.localtime(obj.sent_at):%d/%m/%Y}"

    @admin.display(description="attestation")
    def attestation(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:cdap_postalrequest_attestation", args=[obj.pk])
        return format_html(
            '<a href="{}">Imprimer l’attestation (PDF)<span class="visually-hidden"> de {} pour {}</span></a>',
            url,
            self.dossier(obj),
            f"{obj.periode:%m/%Y}",
        )

    @admin.action(description="Marquer comme envoyées", permissions=["send"])
    def mark_sent(self, request, queryset):
        count = services.postal_requests_mark_sent(request=request, queryset=queryset)
        if count:
            self.message_user(request, f"{count} demande(s) marquée(s) comme envoyée(s).", messages.SUCCESS)
        else:
            self.message_user(request, "Les demandes sélectionnées étaient déjà envoyées.", messages.WARNING)

    @admin.action(description="Imprimer les attestations sélectionnées (un PDF)", permissions=["view"])
    def print_attestations(self, request, queryset):
        """The selected requests' attestations in one PDF, one page each, in Caf and dossier order; a request whose
        attestation cannot be produced is left out and named in a message."""
        postals = list(
            queryset.select_related("consultation__dossier__caf").order_by(
                "consultation__dossier__caf__code", "consultation__dossier__numero", "periode", "pk"
            )[: self.print_max + 1]
        )
        if len(postals) > self.print_max:
            self.message_user(
                request, f"Sélectionnez au plus {self.print_max} demandes par impression.", messages.ERROR
            )
            return None
        printable, refused = [], []
        for postal in postals:
            data, refusal = self.attestation_of(postal)
            if refusal:
                refused.append(f"{self.dossier(postal)} ({postal.periode:%m/%Y}) : {refusal}")
            else:
                printable.append((postal, data))
        for line in refused:
            self.message_user(request, f"Non imprimée : {line}", messages.WARNING)
        if not printable:
            return None
        for postal, _ in printable:
            services.postal_request_printed(request=request, postal=postal)
        today = timezone.localdate()
        pdf = render_pdf_series("pdf/attestation.html", [{**data, "today": today} for _, data in printable])
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="attestations-paiement-{today:%Y-%m-%d}.pdf"'
        return response

    @staticmethod
    def attestation_of(postal) -> tuple[dict | None, str]:
        """(the attestation's data of the requested month, "") or (None, why it cannot be produced)."""
        try:
            data = attestation_data(postal.consultation, postal.periode)
        except PermissionError:  # the requesting profile does not open the attestation (never recorded by the view)
            return (
                None,
                "Le profil du demandeur n'ouvre pas l'attestation de paiement : elle ne peut pas être produite.",
            )
        if not data["lignes"]:
            return None, "Aucun paiement n'a été émis pour ce mois : l'attestation ne peut pas être produite."
        return data, ""

    def attestation_view(self, request, pk):
        """The attestation of the requested month, as the partner would have downloaded it, to be posted."""
        queryset = self.get_queryset(request).select_related("consultation__dossier__caf")
        postal = get_object_or_404(queryset, pk=pk)
        data, refusal = self.attestation_of(postal)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            return redirect("admin:cdap_postalrequest_changelist")
        services.postal_request_printed(request=request, postal=postal)
        pdf = render_pdf("pdf/attestation.html", {**data, "today": timezone.localdate()})
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"attestation-paiement-{postal.consultation.dossier.numero}-{postal.periode:%Y-%m}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


@admin.register(DialogueMessage)
class DialogueMessageAdmin(CafScopedReadOnlyAdmin):
    """The messages to the agent's Caf: the authenticated sender (identifiant, real organism, consultation of origin)
    beside what the partner typed, which proves nothing."""

    caf_lookup = "caf"
    list_display = [
        "created_at",
        "caf",
        "numero_allocataire",
        "expediteur",
        "organism",
        "origine",
        "organisme_declare",
        "nom_prenom_declare",
        "email_declare",
        "objet",
    ]
    list_select_related = ["caf", "user", "organism", "consultation"]
    date_hierarchy = "created_at"
    search_fields = [
        "=numero_allocataire",
        "=user__identifiant",
        "user__nom",
        "organism__nom",
        "organisme_declare",
        "nom_prenom_declare",
        "objet",
    ]
    fields = [
        "created_at",
        "caf",
        "expediteur",
        "organism",
        "origine",
        "organisme_declare",
        "nom_prenom_declare",
        "email_declare",
        "numero_allocataire",
        "objet",
        "message",
    ]
    readonly_fields = fields

    @admin.display(description="expéditeur authentifié", ordering="user__identifiant")
    def expediteur(self, obj):
        return obj.sender()

    @admin.display(description="consultation d'origine", ordering="consultation__created_at")
    def origine(self, obj):
        return obj.origin()
