"""The Caf agents' admin: Django admin in French, behind the portal's login and the second factor."""

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite

# What waits for the agents, on the admin's index: (app label, model name, the rows waiting, the list's filter
# showing them, label).
WORK_QUEUES = [
    ("cdap", "postalrequest", {"sent_at__isnull": True}, {"etat": "a_envoyer"}, "Attestations à envoyer par courrier"),
    (
        "habilitations",
        "administratorchangerequest",
        {"statut": "A_TRAITER"},
        {"statut__exact": "A_TRAITER"},
        "Changements d'administrateur à traiter",
    ),
]


class CafAdminSite(OTPAdminSite):
    site_header = "Mon Compte Partenaire — administration Caf"
    site_title = "Administration Caf"
    index_title = "Gestion des partenaires"
    # The lists need the width (at 1280 px the postal requests' "Imprimer l'attestation (PDF)" stays in view).
    enable_nav_sidebar = False

    def login(self, request, extra_context=None):
        """One login for everybody: the portal's (identifiant, password, then the second factor)."""
        target = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated and request.user.is_staff and not request.user.is_verified():
            return redirect(f"{reverse('portal:otp_verify')}?{urlencode({'next': target})}")
        return redirect(f"{reverse('portal:login')}?{urlencode({'next': target})}")

    def index(self, request, extra_context=None):
        return super().index(request, {"work_queues": self.work_queues(request), **(extra_context or {})})

    def work_queues(self, request) -> list[dict]:
        """The waiting rows of each queue the agent may see, counted in the ModelAdmin's own scope (their Caf)."""
        queues = []
        for app_label, model_name, waiting, query, label in WORK_QUEUES:
            model_admin = next(
                (
                    admin
                    for model, admin in self._registry.items()
                    if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
                ),
                None,
            )
            if model_admin is None or not model_admin.has_view_permission(request):
                continue
            try:
                url = reverse(f"admin:{app_label}_{model_name}_changelist")
            except NoReverseMatch:
                continue
            count = model_admin.get_queryset(request).filter(**waiting).count()
            queues.append({"label": label, "count": count, "url": f"{url}?{urlencode(query)}"})
        return queues
