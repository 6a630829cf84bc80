"""The outbox (core.mail) in the agents' admin: national agents (superusers) see the e-mails waiting or in failure,
and resend. « Questions / Réponses », written by the agents."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.text import Truncator

from core.mail.models import OutgoingEmail
from core.mail.queue import emails_resend
from habilitations import admin_support  # noqa: F401 — registers the Caf's contacts, banners, change requests
from habilitations.admin import StaffOnlyAdmin, is_agent
from habilitations.journal import journal_write
from portal import faq
from portal.models import FaqEntry

EMAIL_RESENT = "email.resent"


@transaction.atomic
def emails_resend_journaled(queryset, *, request) -> int:
    """ "Renvoyer" (core.mail.queue.emails_resend), journaled with the rows resent and who asked."""
    resent = emails_resend(queryset)
    journal_write(EMAIL_RESENT, request=request, emails=resent)
    return len(resent)


def is_national_agent(request) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.is_superuser


class StatusFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(self, request, model_admin):
        return [("en_attente", "En attente"), ("en_echec", "En échec"), ("envoye", "Envoyé")]

    def queryset(self, request, queryset):
        return {
            "en_attente": queryset.filter(sent_at__isnull=True, failed_at__isnull=True),
            "en_echec": queryset.filter(sent_at__isnull=True, failed_at__isnull=False),
            "envoye": queryset.filter(sent_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(StaffOnlyAdmin):
    """Read-only, national agents only; the context is not shown (it may hold a link that acts for the user)."""

    list_display = [
        "created_at",
        "kind",
        "bulk",
        "to",
        "etat",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "erreur",
    ]
    list_filter = [StatusFilter, "kind", "bulk"]
    search_fields = ["to", "key", "message_id"]
    fields = [
        "key",
        "kind",
        "bulk",
        "to",
        "user",
        "message_id",
        "created_at",
        "sent_at",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "failed_at",
        "last_error",
    ]
    readonly_fields = fields
    actions = ["resend"]

    def has_module_permission(self, request):
        return is_national_agent(request)

    def has_view_permission(self, request, obj=None):
        return is_national_agent(request)

    @admin.display(description="état")
    def etat(self, email):
        return email.status

    @admin.display(description="dernière erreur")
    def erreur(self, email):
        return Truncator(email.last_error).chars(80) or "—"

    @admin.action(description="Renvoyer")
    def resend(self, request, queryset):
        resent = emails_resend_journaled(queryset, request=request)
        if resent:
            self.message_user(request, f"{resent} courriel(s) remis en envoi, avec le même contenu.", messages.SUCCESS)
        already = queryset.filter(sent_at__isnull=False).count()
        if already:
            self.message_user(request, f"{already} courriel(s) déjà envoyé(s) : non renvoyé(s).", messages.WARNING)


class FaqEntryForm(forms.ModelForm):
    class Meta:
        model = FaqEntry
        fields = ["rubrique", "ordre", "question", "reponse", "publiee"]
        widgets = {
            "question": forms.TextInput(attrs={"size": 80}),
            "reponse": forms.Textarea(attrs={"rows": 10, "cols": 80}),
        }
        error_messages = {
            "rubrique": {
                "required": "Choisissez la rubrique.",
                "invalid_choice": "Choisissez une rubrique de la liste.",
            },
            "question": {
                "required": "Saisissez la question.",
                "max_length": "La question compte 250 caractères au plus.",
            },
            "reponse": {
                "required": "Saisissez la réponse.",
                "max_length": "La réponse compte 4 000 caractères au plus.",
            },
            "ordre": {
                "invalid": "Saisissez un nombre entier (0, 10, 20 …).",
                "max_value": "Saisissez un nombre plus petit.",
            },
        }

    def clean_question(self):
        return " ".join(self.cleaned_data["question"].split())


@admin.register(FaqEntry)
class FaqEntryAdmin(StaffOnlyAdmin):
    """« Questions / Réponses », the portal's public FAQ: every agent writes and publishes its questions (each save
    journaled, with who and when); a question is unpublished, never deleted."""

    form = FaqEntryForm
    list_display = ["question", "rubrique", "ordre", "publiee", "modifiee_le", "modifiee_par"]
    list_filter = ["rubrique", "publiee"]
    list_select_related = ["modifiee_par"]
    search_fields = ["question", "reponse"]
    readonly_fields = ["modifiee_le", "modifiee_par"]

    def has_add_permission(self, request):
        return is_agent(request)

    def has_change_permission(self, request, obj=None):
        return is_agent(request)

    def save_model(self, request, obj, form, change):
        faq.faq_entry_save(obj, actor=request.user, request=request, changed=form.changed_data)
