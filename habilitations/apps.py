from django.apps import AppConfig


class HabilitationsConfig(AppConfig):
    name = "habilitations"
    verbose_name = "Habilitations"

    def ready(self):
        from habilitations import signals  # noqa: F401
