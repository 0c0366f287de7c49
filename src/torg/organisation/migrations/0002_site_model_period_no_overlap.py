"""Periods of one site's organisational model may not overlap: enforced by the database.

SQLite has no exclusion constraints, so two triggers refuse an overlapping insert or
update; PostgreSQL gets an exclusion constraint over inclusive date ranges (an empty
``valid_to`` is an open end). Both raise ``IntegrityError``.
"""

from django.db import migrations

TABLE = "organisation_sitemodelperiod"
OVERLAP = (
    "p.site_id = NEW.site_id "
    "AND p.valid_from <= COALESCE(NEW.valid_to, '9999-12-31') "
    "AND NEW.valid_from <= COALESCE(p.valid_to, '9999-12-31')"
)

SQLITE_FORWARD = [
    f"""CREATE TRIGGER site_model_period_no_overlap_insert BEFORE INSERT ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} p WHERE {OVERLAP})
    BEGIN SELECT RAISE(ABORT, 'site_model_period_no_overlap: periods of a site may not overlap'); END""",
    f"""CREATE TRIGGER site_model_period_no_overlap_update BEFORE UPDATE ON {TABLE}
    WHEN EXISTS (SELECT 1 FROM {TABLE} p WHERE p.id <> NEW.id AND {OVERLAP})
    BEGIN SELECT RAISE(ABORT, 'site_model_period_no_overlap: periods of a site may not overlap'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS site_model_period_no_overlap_insert",
    "DROP TRIGGER IF EXISTS site_model_period_no_overlap_update",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE {TABLE} ADD CONSTRAINT site_model_period_no_overlap
    EXCLUDE USING gist (site_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)""",
]
POSTGRES_BACKWARD = [f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS site_model_period_no_overlap"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
