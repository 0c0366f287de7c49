"""The settings a newcomer never has to touch, and the ones production must: each case
runs in a fresh process with its own environment."""

from __future__ import annotations

import doctest
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import torg.cli
import torg.lib.localtime
import torg.lib.tabular

PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from django.db import connection; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'time_zone': s.TIME_ZONE, "
    "'use_tz': s.USE_TZ, 'language': s.LANGUAGE_CODE, 'languages': [c for c, _ in s.LANGUAGES], "
    "'journal': connection.cursor().execute('PRAGMA journal_mode').fetchone()[0] "
    "if connection.vendor == 'sqlite' else None}))"
)


def _run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TORG_") and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "torg.settings",
            "TORG_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


def test_with_no_configuration_torg_runs_on_sqlite_in_wal_mode_in_norwegian(tmp_path) -> None:
    result = _run(tmp_path, PRINT_SETTINGS)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["engine"] == "torg.db.sqlite3"  # Django's SQLite with queued writers
    assert seen["name"] == str(tmp_path / "torg.sqlite3")
    assert seen["journal"] == "wal"
    assert (seen["time_zone"], seen["use_tz"]) == ("Europe/Oslo", True)
    assert seen["language"] == "nb" and set(seen["languages"]) == {"nb", "en"}
    assert seen["debug"] is True


def test_a_development_secret_key_is_generated_once_and_kept_private(tmp_path) -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    first = _run(tmp_path, code)
    second = _run(tmp_path, code)
    assert first.returncode == second.returncode == 0
    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text().strip()
    assert len(first.stdout.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path) -> None:
    result = _run(tmp_path, PRINT_SETTINGS, TORG_ENV="production")
    assert result.returncode != 0
    assert "has no secret key" in result.stderr
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("how", ["variable", "file"])
def test_production_takes_its_secret_from_the_environment_and_turns_debug_off(
    tmp_path, how
) -> None:
    secret = "s" * 60
    if how == "variable":
        env = {"TORG_SECRET_KEY": secret}
    else:
        (tmp_path / "key").write_text(secret + "\n")
        env = {"TORG_SECRET_KEY_FILE": str(tmp_path / "key")}
    result = _run(
        tmp_path,
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY == 's' * 60, s.DEBUG)",
        TORG_ENV="production",
        TORG_DEBUG="1",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_database_url_selects_postgresql(tmp_path) -> None:
    result = _run(
        tmp_path,
        "import django; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], d['HOST'], d['PORT'])",
        DATABASE_URL="postgres://torg@db.example:5433/torg",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "torg", "db.example", "5433"]


def test_an_unknown_environment_name_is_refused(tmp_path) -> None:
    result = _run(tmp_path, PRINT_SETTINGS, TORG_ENV="staging")
    assert result.returncode != 0
    assert "TORG_ENV must be 'development' or 'production'" in result.stderr


@pytest.mark.parametrize("module", [torg.cli, torg.lib.tabular, torg.lib.localtime])
def test_the_examples_in_the_docstrings_hold(module) -> None:
    failures, tried = doctest.testmod(module, verbose=False)
    assert tried > 0 and failures == 0
