"""A process killed in the middle of an import leaves the database exactly as it was.

The import runs as a real ``torg import`` in a separate process against a file-based SQLite
database (``TORG_VAR_DIR`` in a temporary folder, migrated with ``torg migrate``). A small
wrapper makes the writer use chunks of 10 rows and sends itself SIGKILL right after the
first chunk (or the last) has gone into the database, before the transaction commits. The
database is then read with the plain ``sqlite3`` module and compared with its state before.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

TORG = Path(sys.executable).parent / "torg"

SETUP = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "torg.settings")
import django
django.setup()
from torg.organisation.models import Municipality, Site
municipality = Municipality.objects.create(slug="kommune-k", name="Kommune K", number="3001", country="NO")
for name in ("Torget", "Filial"):
    Site.objects.create(municipality=municipality, name=name, kind="joint", time_zone="Europe/Oslo")
"""

KILLER = """
import os, signal, sys
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "torg.settings")
import django
django.setup()
from django.db import connection
from torg.imports.framework import UpsertWriter

when, marker = sys.argv[1], Path(sys.argv[2])
UpsertWriter.CHUNK = 10
original = UpsertWriter.write


def write(self, records, *, scope=None, progress=None):
    def progress_then_kill(phase, done, total):
        if progress:
            progress(phase, done, total)
        if phase == "write" and (when == "first" or done == total):
            # What this process sees inside its open transaction, just before it dies.
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*), COALESCE(SUM(count), 0) FROM visits_visitcount")
                rows, total_count = cursor.fetchone()
            marker.write_text(f"{done} {total} {rows} {total_count}")
            os.kill(os.getpid(), signal.SIGKILL)

    return original(self, records, scope=scope, progress=progress_then_kill)


UpsertWriter.write = write
from torg.cli import main

main(["import", *sys.argv[3:]])
"""


def counts_file(path: Path, days: int, *, bump: int = 0) -> Path:
    """Hourly counts for both sites over ``days`` days of May 2024; ``bump`` changes the
    counts of the first day (so that a second file updates some rows and adds others)."""
    lines = ["site;entrance;period_start;period_end;count"]
    for day in range(1, days + 1):
        for hour in range(9, 17):
            for site in ("Torget", "Filial"):
                count = (day * 3 + hour) % 17 + (bump if day == 1 else 0)
                lines.append(
                    f"{site};;2024-05-{day:02d} {hour:02d}:00;2024-05-{day:02d} {hour + 1:02d}:00;{count}"
                )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def database_state(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an import touches, read with the sqlite3 module."""
    connection = sqlite3.connect(database)
    # The integrity check evaluates CHECK constraints, one of which uses Django's REGEXP.
    connection.create_function(
        "REGEXP", 2, lambda pattern, value: re.search(pattern, str(value)) is not None
    )
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in ("visits_visitcount", "imports_importbatch", "sqlite_sequence")
        }
    finally:
        connection.close()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with municipality K and two sites, made once per module."""
    var = tmp_path_factory.mktemp("killed-import-template") / "var"
    subprocess.run([str(TORG), "migrate", "--verbosity", "0"], env=torg_env(var), check=True)
    subprocess.run([sys.executable, "-c", SETUP], env=torg_env(var), check=True)
    return var


@pytest.fixture
def environment(migrated: Path, tmp_path: Path) -> dict[str, str]:
    """A fresh copy of the migrated database for one test."""
    var = tmp_path / "var"
    shutil.copytree(migrated, var)
    return torg_env(var)


def torg_env(var: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update({"TORG_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "torg.settings"})
    return env


def run_torg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TORG), *args], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("when", ["first", "last"])
def test_a_process_killed_after_a_chunk_is_written_leaves_the_database_as_it_was(
    environment, tmp_path, when
):
    env = environment
    database = Path(env["TORG_VAR_DIR"]) / "torg.sqlite3"
    first = counts_file(tmp_path / "may-1-5.csv", 5)
    done = run_torg(env, "import", "visit-counts", str(first), "--municipality", "kommune-k")
    assert done.returncode == 0, done.stderr
    before = database_state(database)
    stored_rows = len(before["visits_visitcount"])
    assert stored_rows >= 5 * 8 * 2

    # Day 1 changed (16 updates), days 6-10 new (80 inserts).
    second = counts_file(tmp_path / f"may-1-10-{when}.csv", 10, bump=100)
    marker = tmp_path / f"killed-{when}.txt"
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            when,
            str(marker),
            "visit-counts",
            str(second),
            "--municipality",
            "kommune-k",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    done_rows, total_rows, seen_rows, _ = map(int, marker.read_text().split())
    assert total_rows == 80 + 16
    assert done_rows == (10 if when == "first" else total_rows)
    # The dying process had really written into its transaction…
    assert seen_rows == stored_rows + min(done_rows, 80)
    # …and none of it survived.
    assert database_state(database) == before

    # The file was not recorded as imported: importing it again does the whole job.
    again = run_torg(env, "import", "visit-counts", str(second), "--municipality", "kommune-k")
    assert again.returncode == 0, again.stderr
    assert "80 created, 16 updated" in again.stdout
