"""``torg load catalogue``: summary line, dry run, and exit status 2 for user errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from torg.catalogue.models import Service
from torg.catalogue.tests.conftest import tiny_catalogue

TORG = Path(sys.executable).with_name("torg")


def test_it_loads_the_catalogue_and_prints_one_summary_line(municipality_x, capsys, reference):
    call_command("load_catalogue", municipality="kommune-x")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert f"{reference['services']} services created" in out
    call_command("load_catalogue", municipality="kommune-x")
    assert f"{reference['services']} unchanged" in capsys.readouterr().out
    assert Service.objects.filter(municipality=municipality_x).count() == reference["services"]


def test_a_dry_run_writes_nothing(municipality_x, capsys):
    call_command("load_catalogue", municipality="kommune-x", dry_run=True)
    assert capsys.readouterr().out.startswith("Dry run, nothing written: ")
    assert not Service.objects.exists()


def test_an_unknown_municipality_is_a_user_error_listing_the_valid_ones(
    municipality_x, municipality_y
):
    with pytest.raises(CommandError) as caught:
        call_command("load_catalogue", municipality="nowhere")
    assert caught.value.returncode == 2
    assert str(caught.value) == (
        "There is no municipality 'nowhere'. Valid municipalities: kommune-x, kommune-y."
    )


def test_a_missing_municipality_is_a_user_error_listing_the_valid_ones(municipality_x):
    with pytest.raises(CommandError) as caught:
        call_command("load_catalogue")
    assert caught.value.returncode == 2
    assert "Valid municipalities: kommune-x." in str(caught.value)


def test_an_invalid_catalogue_file_is_a_user_error_that_writes_nothing(municipality_x, tmp_path):
    data = tiny_catalogue()
    data["services"][0]["domain"] = "bibliotek"
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_catalogue", municipality="kommune-x", file=path)
    assert caught.value.returncode == 2
    assert "domain 'bibliotek' is not one of library, municipal, shared" in str(caught.value)
    assert not Service.objects.exists()


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> dict[str, str]:
    """Environment for the installed ``torg`` on a fresh SQLite database with one municipality."""
    var = tmp_path_factory.mktemp("torg-var")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "TORG_TEST_DATABASE_NAME"}
    }
    env.update({"TORG_VAR_DIR": str(var), "TORG_ENV": "development"})
    subprocess.run([str(TORG), "migrate", "-v", "0"], env=env, check=True, timeout=300)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'torg.settings'; "
            "django.setup(); from torg.testing.factories import make_municipality; "
            "make_municipality('kommune-x', number='3005')",
        ],
        env=env,
        check=True,
        timeout=120,
    )
    return env


def _torg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TORG), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_installed_command_exits_0_then_2_for_a_bad_slug_without_a_traceback(migrated_var):
    ok = _torg(migrated_var, "load", "catalogue", "--municipality", "kommune-x")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("catalogue of kommune-x: ")
    assert ok.stdout.count("\n") == 1

    bad = _torg(migrated_var, "load", "catalogue", "--municipality", "kommune-z")
    assert bad.returncode == 2
    assert "There is no municipality 'kommune-z'. Valid municipalities: kommune-x." in bad.stderr
    assert "Traceback" not in bad.stderr

    missing = _torg(migrated_var, "load", "catalogue")
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
