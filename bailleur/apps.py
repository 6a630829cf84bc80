from django.apps import AppConfig


class BailleurConfig(AppConfig):
    name = "bailleur"
    verbose_name = "Espace Bailleur"
