"""The ``torg`` command line (``torg.cli``): two-word forms such as ``torg import`` and
``torg load catalogue``, what a wrong second word says, and usage lines that name the
command as the user typed it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from torg.cli import UnknownForm, resolve, two_word_forms
from torg.imports.tests.test_framework_killed import TORG, torg_env

KNOWN = {"load_catalogue", "add_member", "import_data", "demo", "migrate", "loaddata", "help"}
TORG_COMMANDS = ["load_catalogue", "add_member", "import_data", "demo"]


def test_the_two_word_forms_come_from_torgs_own_commands():
    assert two_word_forms(TORG_COMMANDS) == {
        "add": ["torg add member"],
        "import": ["torg import <profile> <file>"],
        "load": ["torg load catalogue"],
    }


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["load", "catalogue", "--dry-run"], ["load_catalogue", "--dry-run"]),
        (["import", "visit-counts", "f.csv"], ["import_data", "visit-counts", "f.csv"]),
        (["migrate"], ["migrate"]),
        (["loaddata", "x.json"], ["loaddata", "x.json"]),
        ([], ["help"]),
    ],
)
def test_known_forms_resolve_to_their_commands(argv, expected):
    assert resolve(argv, KNOWN, TORG_COMMANDS) == expected


@pytest.mark.parametrize(
    ("argv", "given"),
    [(["load", "nonsense"], "torg load nonsense"), (["load"], "torg load"), (["add"], "torg add")],
)
def test_a_verb_with_an_unknown_noun_lists_the_valid_forms(argv, given):
    with pytest.raises(UnknownForm) as caught:
        resolve(argv, KNOWN, TORG_COMMANDS)
    verb = argv[0]
    assert str(caught.value) == (
        f"Unknown command: {given!r}. Valid: {two_word_forms(TORG_COMMANDS)[verb][0]} "
        "(`torg help` lists every command)."
    )


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TORG), *args],
        env=torg_env(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_torg_load_nonsense_exits_with_status_2_and_the_valid_forms(tmp_path):
    done = run(tmp_path, "load", "nonsense")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr == (
        "Unknown command: 'torg load nonsense'. Valid: torg load catalogue "
        "(`torg help` lists every command).\n"
    )


def test_torg_help_lists_the_two_word_forms(tmp_path):
    done = run(tmp_path, "help")
    assert done.returncode == 0
    tail = done.stdout[done.stdout.index("Torg's own commands, in two words:") :]
    assert "torg import <profile> <file>" in tail
    assert "torg load catalogue" in tail


def test_a_two_word_command_names_itself_in_two_words_in_its_usage(tmp_path):
    done = run(tmp_path, "load", "catalogue", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: torg load catalogue [-h]")


def test_a_word_that_is_no_command_lists_torgs_own_commands():
    with pytest.raises(UnknownForm) as caught:
        resolve(["nosuchcmd"], KNOWN, TORG_COMMANDS)
    assert str(caught.value) == (
        "Unknown command: 'torg nosuchcmd'. Torg's own commands: torg add member, torg demo, "
        "torg import <profile> <file>, torg load catalogue (`torg help` lists every command)."
    )


def test_torg_nosuchcmd_exits_with_status_2_and_the_command_list(tmp_path):
    done = run(tmp_path, "nosuchcmd")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Unknown command: 'torg nosuchcmd'. Torg's own commands: ")
    assert "torg demo" in done.stderr and "`torg help` lists every command" in done.stderr


@pytest.mark.parametrize("word", ["help", "--help", "version", "--version"])
def test_django_s_own_answers_still_pass_through(word):
    assert resolve([word], KNOWN, TORG_COMMANDS) == [word]
