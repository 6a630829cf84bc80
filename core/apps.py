from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kit as a Django app, for the models every app reuses (state history, e-mail outbox)."""

    name = "core"
    verbose_name = "Socle commun"
