"""The SQLite backend's queue of writers (torg.db.sqlite3).

The cause of the *500* answers seen under 16 concurrent API writers: a transaction that
waits for SQLite's write lock longer than ``busy_timeout`` fails with "database is
locked". Here a writer holds the lock for 0.4 s while another, with a busy timeout of
0.05 s, begins a write: with Django's own backend it fails, with Torg's it waits its
turn and succeeds.
"""

from __future__ import annotations

import threading
import time
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from torg.db.sqlite3.base import is_file_database

HOLD_SECONDS = 0.4
BUSY_TIMEOUT_MS = 50


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker: Any) -> Any:
    """These tests open their own SQLite files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _connection(engine: str, path: Path) -> Any:
    """A connection of ``engine`` (a backend package) to the SQLite file ``path``, with
    the settings' WAL and IMMEDIATE transactions and a short busy timeout."""
    settings_dict = {
        "ENGINE": engine,
        "NAME": str(path),
        "OPTIONS": {
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={BUSY_TIMEOUT_MS};",
            "transaction_mode": "IMMEDIATE",
        },
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "TEST": {},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    return import_module(f"{engine}.base").DatabaseWrapper(settings_dict, alias="probe")


def _write(engine: str, path: Path, value: int, hold: float = 0.0) -> None:
    """One write transaction (as ``atomic()`` begins and commits it) inserting ``value``,
    holding the lock ``hold`` seconds before committing."""
    connection = _connection(engine, path)
    try:
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        try:
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO row (value) VALUES (%s)", [value])
            time.sleep(hold)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.set_autocommit(True)
    finally:
        connection.close()


def _race(engine: str, path: Path) -> tuple[list[BaseException], list[int]]:
    """A holds the write lock for HOLD_SECONDS; B begins its write meanwhile. Returns B's
    errors and the values stored."""
    setup = _connection(engine, path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS row (value integer)")
    setup.close()
    errors: list[BaseException] = []
    holding = threading.Event()

    def first() -> None:
        connection = _connection(engine, path)
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO row (value) VALUES (1)")
        holding.set()
        time.sleep(HOLD_SECONDS)
        connection.commit()
        connection.set_autocommit(True)
        connection.close()

    def second() -> None:
        holding.wait(timeout=10)
        try:
            _write(engine, path, 2)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    reader = _connection(engine, path)
    with reader.cursor() as cursor:
        cursor.execute("SELECT value FROM row ORDER BY value")
        stored = [row[0] for row in cursor.fetchall()]
    reader.close()
    return errors, stored


def test_with_djangos_backend_a_writer_waiting_past_the_busy_timeout_fails(tmp_path) -> None:
    errors, stored = _race("django.db.backends.sqlite3", tmp_path / "plain.sqlite3")
    assert len(errors) == 1 and isinstance(errors[0], OperationalError)
    assert "locked" in str(errors[0])
    assert stored == [1]


def test_with_torgs_backend_the_waiting_writer_takes_its_turn_and_succeeds(tmp_path) -> None:
    errors, stored = _race("torg.db.sqlite3", tmp_path / "queued.sqlite3")
    assert errors == []
    assert stored == [1, 2]


def test_a_rolled_back_transaction_gives_the_turn_to_the_next_writer(tmp_path) -> None:
    path = tmp_path / "rollback.sqlite3"
    setup = _connection("torg.db.sqlite3", path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE row (value integer CHECK (value > 0))")
    setup.close()
    with pytest.raises(Exception, match="CHECK"):
        _write("torg.db.sqlite3", path, -1)
    finished = threading.Event()

    def next_writer() -> None:
        _write("torg.db.sqlite3", path, 3)
        finished.set()

    thread = threading.Thread(target=next_writer)
    thread.start()
    thread.join(timeout=10)
    assert finished.is_set()


def test_in_memory_databases_are_not_queued() -> None:
    assert not is_file_database(":memory:")
    assert not is_file_database("file:memorydb_default?mode=memory&cache=shared")
    assert is_file_database("/var/torg/torg.sqlite3")
