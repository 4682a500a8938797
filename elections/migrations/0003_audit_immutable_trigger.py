"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself, so that
not even raw SQL from the app can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION elections_auditevent_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS elections_auditevent_immutable ON elections_auditevent;
CREATE TRIGGER elections_auditevent_immutable
    BEFORE UPDATE OR DELETE ON elections_auditevent
    FOR EACH ROW EXECUTE FUNCTION elections_auditevent_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS elections_auditevent_immutable ON elections_auditevent;
DROP FUNCTION IF EXISTS elections_auditevent_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("elections", "0002_shipped_rule_profiles")]
    operations = [migrations.RunPython(forwards, backwards)]
