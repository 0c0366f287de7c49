"""The database triggers behind :mod:`torg.evaluation.inquiry_totals`: after every insert,
update or delete of an inquiry they mark its UTC day (and, for an update, the day it had
before) in ``evaluation_inquirydirtyday``, so that the stored monthly totals are brought up
to date before they are read, whatever wrote the inquiry.

SQLite drops a table's triggers when a migration rebuilds the table, so
:func:`ensure_inquiry_triggers` runs after every ``migrate`` (``post_migrate``, see
:mod:`torg.evaluation.apps`) as well as in migration ``0003``: when a trigger is missing it
creates them and marks every day that has inquiries, so nothing written meanwhile is lost.
SQLite and PostgreSQL only (the databases Torg supports).
"""

from __future__ import annotations

from typing import Any

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS evaluation_inquiry_mark_insert AFTER INSERT ON inquiries_inquiry
    BEGIN
        INSERT OR IGNORE INTO evaluation_inquirydirtyday (municipality_id, day)
        VALUES (NEW.municipality_id, substr(NEW.occurred_at, 1, 10));
    END""",
    """CREATE TRIGGER IF NOT EXISTS evaluation_inquiry_mark_delete AFTER DELETE ON inquiries_inquiry
    BEGIN
        INSERT OR IGNORE INTO evaluation_inquirydirtyday (municipality_id, day)
        VALUES (OLD.municipality_id, substr(OLD.occurred_at, 1, 10));
    END""",
    """CREATE TRIGGER IF NOT EXISTS evaluation_inquiry_mark_update AFTER UPDATE ON inquiries_inquiry
    BEGIN
        INSERT OR IGNORE INTO evaluation_inquirydirtyday (municipality_id, day)
        VALUES (OLD.municipality_id, substr(OLD.occurred_at, 1, 10));
        INSERT OR IGNORE INTO evaluation_inquirydirtyday (municipality_id, day)
        VALUES (NEW.municipality_id, substr(NEW.occurred_at, 1, 10));
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS evaluation_inquiry_mark_insert",
    "DROP TRIGGER IF EXISTS evaluation_inquiry_mark_delete",
    "DROP TRIGGER IF EXISTS evaluation_inquiry_mark_update",
]
POSTGRESQL_CREATE = [
    """CREATE OR REPLACE FUNCTION evaluation_inquiry_mark() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO evaluation_inquirydirtyday (municipality_id, day)
            VALUES (OLD.municipality_id, (OLD.occurred_at AT TIME ZONE 'UTC')::date)
            ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO evaluation_inquirydirtyday (municipality_id, day)
            VALUES (NEW.municipality_id, (NEW.occurred_at AT TIME ZONE 'UTC')::date)
            ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER evaluation_inquiry_mark AFTER INSERT OR UPDATE OR DELETE
    ON inquiries_inquiry FOR EACH ROW EXECUTE FUNCTION evaluation_inquiry_mark()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS evaluation_inquiry_mark ON inquiries_inquiry",
    "DROP FUNCTION IF EXISTS evaluation_inquiry_mark()",
]

SQLITE_MARK_ALL = """INSERT OR IGNORE INTO evaluation_inquirydirtyday (municipality_id, day)
    SELECT DISTINCT municipality_id, substr(occurred_at, 1, 10) FROM inquiries_inquiry"""
POSTGRESQL_MARK_ALL = """INSERT INTO evaluation_inquirydirtyday (municipality_id, day)
    SELECT DISTINCT municipality_id, (occurred_at AT TIME ZONE 'UTC')::date
    FROM inquiries_inquiry ON CONFLICT DO NOTHING"""
_CHECK = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
    "AND name LIKE 'evaluation_inquiry_mark_%'",
    "postgresql": "SELECT count(*) FROM pg_trigger WHERE tgname = 'evaluation_inquiry_mark'",
}
_EXPECTED = {"sqlite": 3, "postgresql": 1}


def inquiry_triggers_installed(connection: Any) -> bool:
    """Whether every marking trigger exists on ``connection``'s database."""
    vendor = connection.vendor
    if vendor not in _CHECK:
        return False
    with connection.cursor() as cursor:
        cursor.execute(_CHECK[vendor])
        (count,) = cursor.fetchone()
    return int(count) == _EXPECTED[vendor]


def ensure_inquiry_triggers(connection: Any) -> bool:
    """Create the marking triggers on ``connection`` when any is missing and mark every
    day with inquiries (a full recomputation at the next read). Returns whether it had to.
    Other database vendors: nothing (returns ``False``)."""
    vendor = connection.vendor
    if vendor not in _CHECK or inquiry_triggers_installed(connection):
        return False
    create, mark = (
        (SQLITE_CREATE, SQLITE_MARK_ALL)
        if vendor == "sqlite"
        else (POSTGRESQL_CREATE, POSTGRESQL_MARK_ALL)
    )
    with connection.cursor() as cursor:
        for statement in [*create, mark]:
            cursor.execute(statement)
    return True


def drop_inquiry_triggers(connection: Any) -> None:
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
