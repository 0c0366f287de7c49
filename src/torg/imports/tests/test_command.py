"""``torg import`` as a user runs it: the installed ``.venv/bin/torg`` in a separate process,
with ``TORG_VAR_DIR`` in a temporary folder. Every user error exits with status 2 and a
message, never a traceback; success prints one line; ``--errors`` writes the report."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from torg.imports.tests.test_framework_killed import SETUP, TORG, torg_env

HEADER = "site;entrance;period_start;period_end;count;method"
GOOD = [
    HEADER,
    "Torget;Nord;2024-03-01 08:00;2024-03-01 09:00;1 204;automatic",
    "Filial;;2024-03-31;2024-04-01;17;manuell",
    "torget;Nord;2024-10-27T02:30+01:00;2024-10-27T03:30+01:00;0;",
]
BAD = [
    HEADER,
    "Torget;Nord;2024-03-01 08:00;2024-03-01 09:00;12,5;sometimes",
    "Torget;Nord;2024-03-31 02:30;2024-03-31 03:30;1;",
    "Nowhere;;2024-03-01;2024-03-02;3;",
    "Filial;;2024-03-01;2024-03-02;-1;",
]
# What the report must say about BAD, one line per bad cell (reasons abridged to a fragment).
BAD_REPORT = [
    ("bad.csv", "2", "count", "12,5", "not a whole number"),
    ("bad.csv", "2", "method", "sometimes", "unknown method; expected one of:"),
    ("bad.csv", "3", "period_start", "2024-03-31 02:30", "does not exist in Europe/Oslo"),
    ("bad.csv", "4", "site", "Nowhere", "no site of Kommune K is called this"),
    ("bad.csv", "5", "count", "-1", "a count cannot be negative"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("command-files")
    (folder / "good.csv").write_text("\n".join(GOOD) + "\n", encoding="utf-8")
    (folder / "bad.csv").write_text("\n".join(BAD) + "\n", encoding="utf-8")
    (folder / "wrong.csv").write_text("Kommune;Besøk\nOslo;12\n", encoding="utf-8")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "quote.csv").write_text(f'{HEADER}\n{GOOD[1]}\nTorget;"open\n', encoding="utf-8")
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    (folder / "not-a-folder").write_text("a file", encoding="utf-8")
    (folder / "a-folder.csv").mkdir()
    (folder / "picture.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "noise.csv").write_bytes((bytes(3) + b"\xd8\x01\x02") * 500)
    (folder / "huge.csv").write_text(
        f"{HEADER}\nTorget;;2024-03-01;2024-03-02;99999999999999999999999;\n", encoding="utf-8"
    )
    (folder / "ancient.csv").write_text(
        f"{HEADER}\nTorget;;0001-01-01;0001-01-02;3;\n", encoding="utf-8"
    )
    (folder / "header-only.csv").write_text(f"{HEADER}\n", encoding="utf-8")
    (folder / "wide.csv").write_text(f"{HEADER}\n{GOOD[1]};surplus\n", encoding="utf-8")
    (folder / "input.csv").write_text("\n".join(BAD) + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("my notes, not a report\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["site", "period_start", "period_end", "count"])  # type: ignore[union-attr]
    book.save(folder / "book.xlsx")
    return folder


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    var = tmp_path_factory.mktemp("command-template") / "var"
    subprocess.run([str(TORG), "migrate", "--verbosity", "0"], env=torg_env(var), check=True)
    subprocess.run([sys.executable, "-c", SETUP], env=torg_env(var), check=True)
    return var


def quiet_env(var: Path) -> dict[str, str]:
    """The environment of a CI job: stderr is a pipe, but rich is told colours are fine."""
    return {**torg_env(var), "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "100"}


def torg(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TORG), "import", *args],
        env=quiet_env(var),
        capture_output=True,
        text=True,
        timeout=120,
    )


K = ("--municipality", "kommune-k")
PROFILE_LINE = re.compile(r"^  (?P<name>[a-z0-9-]+) +(?P<scope>\[[a-z]+\]) +(?P<title>\S.*)$")
USER_ERRORS: dict[str, tuple[tuple[str, ...], str]] = {
    "no profile": ((), "Name a profile and a file: torg import <profile> <file>"),
    "no file": (("visit-counts",), "Name the file to import"),
    "unknown profile": (
        ("visits", "{files}/good.csv", *K),
        "There is no import profile 'visits'. Valid profiles: ",
    ),
    "unknown municipality": (
        ("visit-counts", "{files}/good.csv", "--municipality", "nowhere"),
        "There is no municipality 'nowhere'. Valid municipalities: kommune-k.",
    ),
    "no municipality": (("visit-counts", "{files}/good.csv"), "needs --municipality <slug>"),
    "missing file": (("visit-counts", "{files}/absent.csv", *K), "absent.csv: no such file."),
    "wrong columns": (
        ("visit-counts", "{files}/wrong.csv", *K),
        "wrong.csv does not match the profile visit-counts: it lacks the column(s) 'site'",
    ),
    "bad rows": (("visit-counts", "{files}/bad.csv", *K), "5 problem(s) in 4 row(s)"),
    "empty file": (("visit-counts", "{files}/empty.csv", *K), "empty.csv: the file is empty."),
    "unterminated quote": (
        ("visit-counts", "{files}/quote.csv", *K),
        "quote.csv, row 3: a quoted cell is never closed (unexpected end of data). "
        "Nothing was imported.",
    ),
    "unsupported encoding": (
        ("visit-counts", "{files}/good.csv", *K, "--encoding", "ebcdic"),
        "Unsupported encoding 'ebcdic'",
    ),
    "long delimiter": (
        ("visit-counts", "{files}/good.csv", *K, "--delimiter", ";;"),
        "The delimiter must be one of , ; tab | (or their names comma, semicolon, tab, pipe); "
        "not ';;'.",
    ),
    "unknown delimiter": (
        ("visit-counts", "{files}/good.csv", *K, "--delimiter", "x"),
        "The delimiter must be one of , ; tab |",
    ),
    "unknown sheet": (
        ("visit-counts", "{files}/book.xlsx", *K, "--sheet", "Ark9"),
        "book.xlsx has no sheet 'Ark9'; its sheets are: Sheet.",
    ),
    "damaged workbook": (
        ("visit-counts", "{files}/broken.xlsx", *K),
        "broken.xlsx cannot be read as a workbook",
    ),
    "report over the file being imported": (
        ("visit-counts", "{files}/input.csv", *K, "--errors", "{files}/input.csv"),
        "is the file being imported; the report would overwrite it.",
    ),
    "report over the file being imported, by another path": (
        (
            "visit-counts",
            "{files}/input.csv",
            *K,
            "--errors",
            "{files}/a-folder.csv/../input.csv",
        ),
        "is the file being imported",
    ),
    "report over a file that is no report": (
        ("visit-counts", "{files}/input.csv", *K, "--errors", "{files}/notes.txt"),
        "the file exists and is not an error report of torg import, so it is not overwritten",
    ),
    "unwritable report": (
        ("visit-counts", "{files}/good.csv", *K, "--errors", "{files}/not-a-folder/report.csv"),
        "The error report cannot be written to",
    ),
    "unknown option": (
        ("visit-counts", "{files}/good.csv", "--municpality", "x"),
        "unrecognized arguments",
    ),
    "profile option without a value": (
        ("visit-counts", "{files}/good.csv", *K, "--set", "site"),
        "--set takes NAME=VALUE",
    ),
    "profile option the profile does not take": (
        ("visit-counts", "{files}/good.csv", *K, "--set", "foo=bar"),
        "The profile visit-counts takes no options; remove 'foo'.",
    ),
    "misspelt profile option": (
        ("bampfa-desk-log", "{files}/good.csv", *K, "--set", "sites=pfa"),
        "The profile bampfa-desk-log has no option 'sites'. Its options: site (",
    ),
    "a folder": (
        ("visit-counts", "{files}/a-folder.csv", *K),
        "a-folder.csv is a folder, not a file; name a CSV or XLSX file in it.",
    ),
    "an image": (
        ("visit-counts", "{files}/picture.csv", *K),
        "picture.csv is not a text table (CSV) or a workbook (XLSX, XLS, ODS): "
        "it looks like a PNG image.",
    ),
    "binary bytes that look like UTF-16": (
        ("visit-counts", "{files}/noise.csv", *K),
        "noise.csv is not a text table (CSV) or a workbook",
    ),
    "a count too large for the database": (
        ("visit-counts", "{files}/huge.csv", *K),
        "huge.csv, row 2, column 'count': is larger than 2,147,483,647, the largest count "
        "Torg stores (value '99999999999999999999999')",
    ),
    "a period outside the years": (
        ("visit-counts", "{files}/ancient.csv", *K),
        "ancient.csv, row 2, column 'period_start': 0001-01-01 is outside the years Torg "
        "accepts (1900–2100)",
    ),
    "a row wider than the header": (
        ("visit-counts", "{files}/wide.csv", *K),
        "wide.csv, row 2: the row has 7 cells; the header has 6",
    ),
    "a report in a folder that does not exist": (
        ("visit-counts", "{files}/bad.csv", *K, "--errors", "{files}/no/such/dir/r.csv"),
        "/no/such/dir/r.csv: the folder ",
    ),
    "a sheet of a CSV file": (
        ("visit-counts", "{files}/good.csv", *K, "--sheet", "Ark1"),
        "good.csv is not a workbook (.xlsx, .xlsm, .xls, .ods), so it has no sheets to "
        "choose from; leave out the sheet.",
    ),
}


@pytest.fixture(scope="module")
def user_error_runs(
    migrated: Path, files: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every user-error case, run in parallel against one copy of the database (none of
    them writes to it; "bad rows" leaves its report in the var folder)."""
    var = tmp_path_factory.mktemp("command-user-errors") / "var"
    shutil.copytree(migrated, var)

    def run(case: str) -> subprocess.CompletedProcess[str]:
        args = tuple(a.format(files=files) for a in USER_ERRORS[case][0])
        return torg(var, *args)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(USER_ERRORS, pool.map(run, USER_ERRORS), strict=True))


@pytest.mark.parametrize("case", list(USER_ERRORS))
def test_a_user_error_exits_with_status_2_and_a_message_not_a_traceback(user_error_runs, case):
    done = user_error_runs[case]
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert USER_ERRORS[case][1] in done.stderr
    assert "\x1b" not in done.stderr  # no control codes in a log


def test_a_report_refused_leaves_the_file_it_would_have_overwritten_as_it_was(
    user_error_runs, files
):
    assert user_error_runs["report over the file being imported"].returncode == 2
    assert user_error_runs["report over a file that is no report"].returncode == 2
    assert (files / "input.csv").read_text("utf-8") == "\n".join(BAD) + "\n"
    assert (files / "notes.txt").read_text("utf-8") == "my notes, not a report\n"


def test_the_report_may_not_overwrite_the_input_through_a_link_either(var, files, tmp_path):
    source = tmp_path / "counts.csv"
    shutil.copy(files / "bad.csv", source)
    link = tmp_path / "report.csv"
    link.symlink_to(source)
    done = torg(var, "visit-counts", str(source), *K, "--errors", str(link))
    assert done.returncode == 2
    assert "is the file being imported" in done.stderr
    assert source.read_text("utf-8") == (files / "bad.csv").read_text("utf-8")


def test_the_summary_line_names_the_columns_it_ignored(var, files, tmp_path):
    path = tmp_path / "noted.csv"
    path.write_text(f"{HEADER};note\n{GOOD[1]};the door was open\n", encoding="utf-8")
    done = torg(var, "visit-counts", str(path), *K)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported noted.csv into kommune-k with profile visit-counts: 1 rows read, 1 created, "
        "0 updated, 0 unchanged, 0 skipped; ignored columns: note.\n"
    )


def test_no_profile_lists_the_profiles_as_well(user_error_runs):
    assert "Import profiles:" in user_error_runs["no profile"].stdout
    assert "visit-counts" in user_error_runs["no profile"].stdout


def test_an_unmigrated_database_is_a_message_too(tmp_path, files):
    done = torg(tmp_path / "var", "visit-counts", str(files / "good.csv"), *K)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Has `torg migrate` been run?" in done.stderr


@pytest.fixture
def var(migrated: Path, tmp_path: Path) -> Path:
    """A fresh copy of the migrated database for one test."""
    copy = tmp_path / "var"
    shutil.copytree(migrated, copy)
    return copy


def test_an_import_prints_one_summary_line_and_nothing_else(var, files):
    done = torg(var, "visit-counts", str(files / "good.csv"), *K)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported good.csv into kommune-k with profile visit-counts: "
        "3 rows read, 3 created, 0 updated, 0 unchanged, 0 skipped.\n"
    )
    # With stderr a pipe, no progress bar, even though FORCE_COLOR and TTY_COMPATIBLE are set.
    assert done.stderr == ""
    again = torg(var, "visit-counts", str(files / "good.csv"), *K)
    assert again.returncode == 0
    assert again.stdout == (
        "good.csv was already imported into kommune-k with profile visit-counts; "
        "nothing to do (use --force to import it again).\n"
    )
    forced = torg(var, "visit-counts", str(files / "good.csv"), *K, "--force")
    assert "0 created, 0 updated, 3 unchanged" in forced.stdout


def test_a_dry_run_says_so_and_writes_nothing(var, files):
    dry = torg(var, "visit-counts", str(files / "good.csv"), *K, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Dry run, nothing written: would import good.csv")
    assert "3 created" in dry.stdout
    real = torg(var, "visit-counts", str(files / "good.csv"), *K)
    assert "3 created" in real.stdout


def test_the_errors_report_names_file_row_column_value_and_reason_of_every_bad_cell(
    var, files, tmp_path
):
    report = tmp_path / "report" / "problems.csv"
    report.parent.mkdir()  # the command creates no folders
    done = torg(var, "visit-counts", str(files / "bad.csv"), *K, "--errors", str(report))
    assert done.returncode == 2
    assert f"Every problem is listed in {report}." in done.stderr
    raw = report.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert len(rows) - 1 == len(BAD_REPORT)
    for row, (file, number, column, value, reason) in zip(rows[1:], BAD_REPORT, strict=True):
        assert row[:4] == [file, number, column, value]
        assert reason in row[4]
    fixed = torg(var, "visit-counts", str(files / "good.csv"), *K, "--errors", str(report))
    assert fixed.returncode == 0
    # The report of a clean run has only its header, so no stale problems are left behind.
    assert report.read_text("utf-8-sig").splitlines() == ["file;row;column;value;reason"]


def test_without_errors_the_report_goes_to_the_var_folder(var, files):
    done = torg(var, "visit-counts", str(files / "bad.csv"), *K)
    assert done.returncode == 2
    (report,) = var.glob("import-errors-*.csv")
    assert f"Every problem is listed in {report}." in done.stderr
    assert len(report.read_text("utf-8-sig").splitlines()) == 1 + len(BAD_REPORT)


def test_a_refused_file_is_written_to_the_report_too(var, files, tmp_path):
    report = tmp_path / "problems.csv"
    done = torg(var, "visit-counts", str(files / "wrong.csv"), *K, "--errors", str(report))
    assert done.returncode == 2
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    assert rows[1][:4] == ["wrong.csv", "", "", ""]
    assert "does not match the profile visit-counts" in rows[1][4]


def test_list_shows_every_profile_with_its_scope(var):
    done = torg(var, "--list")
    assert done.returncode == 0
    assert "visit-counts" in done.stdout
    assert "[tenant]" in done.stdout


def test_list_aligns_the_columns_even_for_the_longest_name(var):
    lines = torg(var, "--list").stdout.splitlines()
    assert lines[0] == "Import profiles:"
    rows = [PROFILE_LINE.match(line) for line in lines[1:] if "--set " not in line]
    assert all(rows), lines
    assert len({row.start("scope") for row in rows if row}) == 1
    assert len({row.start("title") for row in rows if row}) == 1
    assert any(row and row["name"] == "england-ace-event-attendance" for row in rows)


def test_list_shows_the_options_of_each_profile(var):
    lines = torg(var, "--list").stdout.splitlines()
    bampfa = next(i for i, line in enumerate(lines) if line.lstrip().startswith("bampfa-desk-log"))
    assert lines[bampfa + 1].strip().startswith("--set site=…")


def test_help_names_the_command_as_the_user_types_it(var):
    done = torg(var, "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: torg import [-h]")
    assert "import_data" not in done.stdout
    assert "comma, semicolon, tab, pipe" in done.stdout


@pytest.mark.parametrize("name", ["semicolon", ";", "tab", "comma"])
def test_a_delimiter_given_by_name_or_character_is_used(var, files, name):
    done = torg(var, "visit-counts", str(files / "good.csv"), *K, "--delimiter", name, "--dry-run")
    if name in ("semicolon", ";"):
        assert done.returncode == 0, done.stderr
        assert "3 rows read, 3 created" in done.stdout
    else:
        # The file is not split on this delimiter, so its columns are not found.
        assert done.returncode == 2
        assert "does not match the profile visit-counts" in done.stderr


def test_a_failed_import_writes_a_report_of_its_own_each_time(var, files):
    first = torg(var, "visit-counts", str(files / "bad.csv"), *K)
    second = torg(var, "visit-counts", str(files / "huge.csv"), *K)
    assert first.returncode == second.returncode == 2
    reports = sorted(var.glob("import-errors-*-visit-counts*.csv"))
    assert len(reports) == 2
    for done in (first, second):
        (named,) = [r for r in reports if f"Every problem is listed in {r}." in done.stderr]
        assert named.read_text("utf-8-sig").startswith("file;row;column;value;reason")


def test_two_reports_made_in_the_same_microsecond_get_names_of_their_own(
    tmp_path, settings, monkeypatch
):
    from django.utils import timezone

    from torg.imports.management.commands.import_data import Command

    settings.VAR_DIR = tmp_path / "var"
    instant = dt.datetime(2026, 11, 29, 12, 11, 47, 123456, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    first = Command()._new_report_path("visit-counts")
    second = Command()._new_report_path("visit-counts")
    other = Command()._new_report_path("england-ace-visits")
    assert first.name == "import-errors-20261129T121147-123456-visit-counts.csv"
    assert second.name == "import-errors-20261129T121147-123456-visit-counts-2.csv"
    assert other.name == "import-errors-20261129T121147-123456-england-ace-visits.csv"
    assert all(path.exists() for path in (first, second, other))


def test_a_report_folder_that_does_not_exist_is_not_created(user_error_runs, files):
    assert (
        "does not exist; create it"
        in user_error_runs["a report in a folder that does not exist"].stderr
    )
    assert not (files / "no").exists()


def test_a_file_with_only_a_header_is_imported_and_the_summary_says_it_has_no_rows(var, files):
    done = torg(var, "visit-counts", str(files / "header-only.csv"), *K)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported header-only.csv into kommune-k with profile visit-counts: "
        "0 rows read, 0 created, 0 updated, 0 unchanged, 0 skipped; "
        "the file has no data rows.\n"
    )
