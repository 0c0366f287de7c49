"""Covering indexes for the desk statistics (:mod:`torg.inquiries.statistics`).

The heat map groups a municipality's inquiries by site and UTC hour, the mixes by domain,
channel, outcome, READ effort and service. Without covering indexes SQLite sorts every row
for each GROUP BY; with them it reads the groups in index order (measured in
``bench/stats.py``: 1,000,000 inquiries, 6.6 s without, 1.7 s with). On SQLite the hour is
the first 13 characters of the stored ISO text (``YYYY-MM-DD HH``); PostgreSQL stores
``timestamptz``, so its time index is on the instant itself.
"""

from django.db import migrations

SQLITE = [
    "CREATE INDEX inquiry_statistics_time ON inquiries_inquiry "
    "(municipality_id, time_of_day_known, site_id, SUBSTR(occurred_at, 1, 13), occurred_at)",
]
POSTGRESQL = [
    "CREATE INDEX inquiry_statistics_time ON inquiries_inquiry "
    "(municipality_id, time_of_day_known, site_id, occurred_at)",
]
BOTH = [
    "CREATE INDEX inquiry_statistics_mix ON inquiries_inquiry "
    "(municipality_id, domain, channel, outcome, read_effort, time_of_day_known, service_id, "
    "site_id)",
]
DROP = [
    "DROP INDEX IF EXISTS inquiry_statistics_time",
    "DROP INDEX IF EXISTS inquiry_statistics_mix",
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in (SQLITE if vendor == "sqlite" else POSTGRESQL) + BOTH:
        schema_editor.execute(statement)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0003_desk_fields_and_audit")]

    operations = [migrations.RunPython(create, drop)]
