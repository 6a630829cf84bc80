"""Constraints that only PostgreSQL can hold, declared on the models like any other.

`PostgresExclusionConstraint` is Django's ExclusionConstraint (GiST, `btree_gist` for the equalities) that the other
databases skip: the demo runs on SQLite, where the table is created without it and the service functions' own
checks (under a transaction, the rows locked) hold the rule alone. On PostgreSQL the constraint is created by the
migration and holds the rule whatever writes (two requests at once, a script, the admin).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class DateRange(Func):
    """`daterange(start, end, bounds)` of PostgreSQL: `DateRange("date_ouverture", "date_cloture", Value("[)"))`."""

    function = "daterange"
    output_field = DateRangeField()


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint created on PostgreSQL only (nothing on SQLite: no SQL, no validation)."""

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if _postgresql(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if _postgresql(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if _postgresql(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
