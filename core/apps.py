from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kit as a Django app, for the models every app reuses (state history, e-mail outbox)."""

    name = "core"
    verbose_name = "Socle commun"

    def ready(self):
        from django.db.backends.signals import connection_created

        from core.collation import register_sqlite_collation

        # The demo's SQLite gets the French collation PostgreSQL has built in (core.collation.french_order).
        connection_created.connect(register_sqlite_collation, dispatch_uid="core.collation")
