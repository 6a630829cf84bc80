"""Invariants of the habilitations in PostgreSQL: exclusion constraints on date ranges and triggers for the rules
that span tables. The service functions and forms check the same rules first, with a French message; these make
them hold whatever writes (two administrators at the same moment, a script, the admin)."""

from django.db import migrations

RANGE = "daterange(date_ouverture, date_cloture, '[)')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE habilitations_organismadministrator ADD CONSTRAINT administrator_role_no_overlap
    EXCLUDE USING gist (organism_id WITH =, role WITH =, {RANGE} WITH &&);
ALTER TABLE habilitations_usergroup ADD CONSTRAINT group_code_no_overlap
    EXCLUDE USING gist (convention_id WITH =, code WITH =, {RANGE} WITH &&);
ALTER TABLE habilitations_membership ADD CONSTRAINT membership_no_overlap
    EXCLUDE USING gist (user_id WITH =, group_id WITH =, {RANGE} WITH &&);
ALTER TABLE habilitations_groupgrant ADD CONSTRAINT grant_no_overlap
    EXCLUDE USING gist (group_id WITH =, convention_profile_id WITH =, {RANGE} WITH &&);
ALTER TABLE habilitations_conventionprofile ADD CONSTRAINT convention_profile_no_overlap
    EXCLUDE USING gist (convention_id WITH =, profile_id WITH =, {RANGE} WITH &&);

-- A group: responsable of the same organism; parent in the same convention; no cycle; niveau = parent's + 1.
CREATE OR REPLACE FUNCTION habilitations_group_check() RETURNS trigger AS $$
DECLARE
    group_organism bigint;
    ancestor bigint;
    depth int := 0;
BEGIN
    SELECT organism_id INTO group_organism FROM habilitations_convention WHERE id = NEW.convention_id;
    IF NOT EXISTS (SELECT 1 FROM habilitations_user WHERE id = NEW.responsable_id AND organism_id = group_organism) THEN
        RAISE EXCEPTION 'group_responsable_organism' USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.parent_id IS NULL THEN
        IF NEW.niveau <> 1 THEN
            RAISE EXCEPTION 'group_niveau' USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM habilitations_usergroup WHERE id = NEW.parent_id AND convention_id = NEW.convention_id
                       AND niveau + 1 = NEW.niveau) THEN
            RAISE EXCEPTION 'group_parent' USING ERRCODE = 'check_violation';
        END IF;
        ancestor := NEW.parent_id;
        WHILE ancestor IS NOT NULL LOOP
            IF ancestor = NEW.id THEN
                RAISE EXCEPTION 'group_cycle' USING ERRCODE = 'check_violation';
            END IF;
            depth := depth + 1;
            IF depth > 100 THEN
                RAISE EXCEPTION 'group_cycle' USING ERRCODE = 'check_violation';
            END IF;
            SELECT parent_id INTO ancestor FROM habilitations_usergroup WHERE id = ancestor;
        END LOOP;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER habilitations_group_check BEFORE INSERT OR UPDATE ON habilitations_usergroup
    FOR EACH ROW EXECUTE FUNCTION habilitations_group_check();

-- A membership: a user of the group's organism, within the user's and the group's dates.
CREATE OR REPLACE FUNCTION habilitations_membership_check() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM habilitations_user u
        JOIN habilitations_usergroup g ON g.id = NEW.group_id
        JOIN habilitations_convention c ON c.id = g.convention_id
        WHERE u.id = NEW.user_id AND u.organism_id = c.organism_id
          AND NEW.date_ouverture >= u.date_ouverture AND NEW.date_ouverture >= g.date_ouverture
          AND (u.date_cloture IS NULL OR (NEW.date_cloture IS NOT NULL AND NEW.date_cloture <= u.date_cloture))
          AND (g.date_cloture IS NULL OR (NEW.date_cloture IS NOT NULL AND NEW.date_cloture <= g.date_cloture))
    ) THEN
        RAISE EXCEPTION 'membership_dates_or_organism' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER habilitations_membership_check BEFORE INSERT OR UPDATE ON habilitations_membership
    FOR EACH ROW EXECUTE FUNCTION habilitations_membership_check();

-- A grant: a profile of the group's own convention.
CREATE OR REPLACE FUNCTION habilitations_grant_check() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM habilitations_usergroup g
        JOIN habilitations_conventionprofile cp ON cp.convention_id = g.convention_id
        WHERE g.id = NEW.group_id AND cp.id = NEW.convention_profile_id
    ) THEN
        RAISE EXCEPTION 'grant_profile_convention' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER habilitations_grant_check BEFORE INSERT OR UPDATE ON habilitations_groupgrant
    FOR EACH ROW EXECUTE FUNCTION habilitations_grant_check();

-- An administrator: a user of the organism.
CREATE OR REPLACE FUNCTION habilitations_administrator_check() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM habilitations_user WHERE id = NEW.user_id AND organism_id = NEW.organism_id) THEN
        RAISE EXCEPTION 'administrator_organism' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER habilitations_administrator_check BEFORE INSERT OR UPDATE ON habilitations_organismadministrator
    FOR EACH ROW EXECUTE FUNCTION habilitations_administrator_check();
"""

DROP = """
DROP TRIGGER IF EXISTS habilitations_administrator_check ON habilitations_organismadministrator;
DROP TRIGGER IF EXISTS habilitations_grant_check ON habilitations_groupgrant;
DROP TRIGGER IF EXISTS habilitations_membership_check ON habilitations_membership;
DROP TRIGGER IF EXISTS habilitations_group_check ON habilitations_usergroup;
DROP FUNCTION IF EXISTS habilitations_administrator_check();
DROP FUNCTION IF EXISTS habilitations_grant_check();
DROP FUNCTION IF EXISTS habilitations_membership_check();
DROP FUNCTION IF EXISTS habilitations_group_check();
ALTER TABLE habilitations_conventionprofile DROP CONSTRAINT IF EXISTS convention_profile_no_overlap;
ALTER TABLE habilitations_groupgrant DROP CONSTRAINT IF EXISTS grant_no_overlap;
ALTER TABLE habilitations_membership DROP CONSTRAINT IF EXISTS membership_no_overlap;
ALTER TABLE habilitations_usergroup DROP CONSTRAINT IF EXISTS group_code_no_overlap;
ALTER TABLE habilitations_organismadministrator DROP CONSTRAINT IF EXISTS administrator_role_no_overlap;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("%", "%%"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("habilitations", "0004_organisations")]
    operations = [migrations.RunPython(forwards, backwards)]
