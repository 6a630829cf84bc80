from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_save


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portail"
    default = True

    def ready(self):
        from django.contrib.auth import user_logged_in

        from habilitations.models import Caf, CafServiceContact, InformationBanner
        from portal.banners import banner_saved, banners_ensure_at_login
        from portal.help import caf_saved, help_ensure_at_login

        post_save.connect(banner_saved, sender=InformationBanner, dispatch_uid="portal_banner_saved")
        user_logged_in.connect(banners_ensure_at_login, dispatch_uid="portal_banners_at_login")
        post_save.connect(caf_saved, sender=Caf, dispatch_uid="portal_caf_saved")
        post_save.connect(caf_saved, sender=CafServiceContact, dispatch_uid="portal_service_contact_saved")
        user_logged_in.connect(help_ensure_at_login, dispatch_uid="portal_help_at_login")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "portal.admin_site.CafAdminSite"
