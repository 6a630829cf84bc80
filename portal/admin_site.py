"""The Caf agents' admin: Django admin in French, behind the portal's login and the second factor."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite


class CafAdminSite(OTPAdminSite):
    site_header = "Mon Compte Partenaire — administration Caf"
    site_title = "Administration Caf"
    index_title = "Gestion des partenaires"

    def login(self, request, extra_context=None):
        """One login for everybody: the portal's (identifiant, password, then the second factor)."""
        target = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated and request.user.is_staff and not request.user.is_verified():
            return redirect(f"{reverse('portal:otp_verify')}?{urlencode({'next': target})}")
        return redirect(f"{reverse('portal:login')}?{urlencode({'next': target})}")
