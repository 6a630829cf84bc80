from django.apps import AppConfig


class CdapConfig(AppConfig):
    name = "cdap"
    verbose_name = "Consulter Dossier"
