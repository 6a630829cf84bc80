"""The journal is append-only at the database level: a trigger refuses UPDATE and DELETE (PostgreSQL)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION habilitations_journal_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal est en ajout seul (%% refusé)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER habilitations_journal_append_only
    BEFORE UPDATE OR DELETE ON habilitations_journalentry
    FOR EACH ROW EXECUTE FUNCTION habilitations_journal_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS habilitations_journal_append_only ON habilitations_journalentry;
DROP FUNCTION IF EXISTS habilitations_journal_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0002_load_cafs")]
    operations = [migrations.RunPython(forwards, backwards)]
