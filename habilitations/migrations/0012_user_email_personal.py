"""Issue 23.2 — a personal address: no two open accounts share an e-mail (case-insensitive).

A trigger rather than a unique index: accounts created before the rule may share an address (agents list them with
`manage.py duplicate_emails` and fix them), and "open" depends on the day (a closing date in the future still
counts). The trigger checks the row being written only — an insert, a new address, a closed account reopened — so
existing duplicates stay writable until corrected, and takes a transaction-level advisory lock on the address, so
that two transactions giving it to two accounts at once are serialised: the second sees the first's row and is
refused (habilitations.accounts.account_save turns the error into the French message). The day is the portal's
(Europe/Paris), as the services count it."""

from django.conf import settings
from django.db import migrations

CREATE = f"""
CREATE OR REPLACE FUNCTION user_email_personal() RETURNS trigger AS $$
DECLARE
    today date := (now() AT TIME ZONE '{settings.TIME_ZONE}')::date;
BEGIN
    IF NOT NEW.is_active OR (NEW.date_cloture IS NOT NULL AND NEW.date_cloture <= today) OR NEW.email = '' THEN
        RETURN NEW;  -- a closed account holds no address
    END IF;
    IF TG_OP = 'UPDATE' AND upper(NEW.email) = upper(OLD.email) AND OLD.is_active
       AND (OLD.date_cloture IS NULL OR OLD.date_cloture > today) THEN
        RETURN NEW;  -- the same open account keeping its address
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('user_email_personal:' || upper(NEW.email)));
    IF EXISTS (
        SELECT 1 FROM habilitations_user u
        WHERE upper(u.email) = upper(NEW.email) AND u.id <> NEW.id AND u.is_active
          AND (u.date_cloture IS NULL OR u.date_cloture > today)
    ) THEN
        RAISE EXCEPTION 'user_email_personal: % is the address of another open account', NEW.email
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS user_email_personal ON habilitations_user;
CREATE TRIGGER user_email_personal BEFORE INSERT OR UPDATE OF email, is_active, date_cloture ON habilitations_user
    FOR EACH ROW EXECUTE FUNCTION user_email_personal();
"""

DROP = """
DROP TRIGGER IF EXISTS user_email_personal ON habilitations_user;
DROP FUNCTION IF EXISTS user_email_personal();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("%", "%%"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0011_caf_adresse_postale_horaires")]
    operations = [migrations.RunPython(forwards, backwards)]
