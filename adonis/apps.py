from django.apps import AppConfig


class AdonisConfig(AppConfig):
    name = "adonis"
    verbose_name = "Adonis"
