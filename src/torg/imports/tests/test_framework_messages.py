"""What an import tells its user, as a tester met it: a file of mixed encodings, columns the
profile does not read, a yes/no cell or a formula in a count column, a number too large to
print, an empty period, a repeated row named in local time. Each is said plainly; nothing
is garbled or dropped without a word."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from torg.imports.framework import ImportFailed, ImportRefused, ImportResult, Issue, run_import
from torg.imports.models import ImportBatch
from torg.organisation.models import Site
from torg.testing.factories import make_site
from torg.visits.models import VisitCount

HEADER = "site;entrance;period_start;period_end;count;method"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(site_a: Site) -> dict[str, Site]:
    """Torget A and Filial Nord of municipality X, both in Europe/Oslo."""
    return {"Torget A": site_a, "Filial Nord": make_site(site_a.municipality, "Filial Nord")}


def write_csv(tmp_path: Path, lines: list[str], name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_x(path: Path, **kwargs: Any) -> ImportResult:
    return run_import("visit-counts", path, municipality="kommune-x", **kwargs)


def only_issue(path: Path) -> Issue:
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    assert not VisitCount.objects.exists()
    (issue,) = caught.value.issues
    return issue


# --- encodings --------------------------------------------------------------------------


def test_a_file_of_utf_8_rows_and_one_windows_1252_row_is_refused_not_garbled(sites, tmp_path):
    utf8 = "Torget A;Hovedinngang sør;2024-03-01 08:00;2024-03-01 09:00;12;"
    cp1252 = "Torget A;Hovedinngang sør;2024-03-01 09:00;2024-03-01 10:00;7;"
    path = tmp_path / "mixed.csv"
    path.write_bytes(f"{HEADER}\n{utf8}\n".encode() + f"{cp1252}\n".encode("cp1252"))
    with pytest.raises(ImportRefused, match=r"mixed.csv: The file mixes encodings.* line 3 "):
        import_x(path)
    assert not VisitCount.objects.exists()
    assert not ImportBatch.objects.exists()


# --- columns the profile does not read ---------------------------------------------------


def test_the_summary_names_the_columns_the_profile_ignored(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            f"{HEADER};note;;Kommentar",
            "Torget A;;2024-03-01 08:00;2024-03-01 09:00;12;;kept nowhere;;ok",
        ],
    )
    result = import_x(path, dry_run=True)
    assert result.ignored_columns == ["note", "Kommentar"]
    assert result.summary() == (
        "Dry run, nothing written: would import counts.csv into kommune-x with profile "
        "visit-counts: 1 rows read, 1 created, 0 updated, 0 unchanged, 0 skipped; "
        "ignored columns: note, Kommentar."
    )


def test_a_file_with_only_the_profiles_columns_has_the_summary_as_before(sites, tmp_path):
    path = write_csv(tmp_path, [HEADER, "Torget A;;2024-03-01 08:00;2024-03-01 09:00;12;"])
    result = import_x(path)
    assert result.ignored_columns == []
    assert result.summary().endswith("0 unchanged, 0 skipped.")


# --- values --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1.5", "1,5", "12.25"])
def test_a_decimal_in_either_notation_in_the_count_is_not_a_whole_number(sites, tmp_path, text):
    path = write_csv(tmp_path, [HEADER, f"Torget A;;2024-03-01 08:00;2024-03-01 09:00;{text};"])
    issue = only_issue(path)
    assert (issue.row, issue.column, issue.value, issue.reason) == (
        2,
        "count",
        text,
        "not a whole number",
    )


def test_an_empty_period_is_called_empty_not_ending_before_it_starts(sites, tmp_path):
    path = write_csv(tmp_path, [HEADER, "Torget A;;2024-03-01 08:00;2024-03-01 08:00;3;"])
    issue = only_issue(path)
    assert (issue.column, issue.reason) == (
        "period_end",
        "the period is empty: it ends when it starts",
    )


def test_a_repeated_row_shows_the_period_in_the_sites_local_time_and_names_the_key(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "Torget A;Nord;2024-03-01 08:00;2024-03-01 09:00;1;",
            "Filial Nord;Nord;2024-03-01 08:00;2024-03-01 09:00;2;",
            "torget a;Nord;2024-03-01T07:00:00Z;2024-03-01T08:00:00Z;4;",
        ],
    )
    issue = only_issue(path)
    assert issue.row == 4
    # 07:00 UTC is 08:00 in Oslo in winter: the user sees the times of the file.
    assert issue.reason == (
        "repeats row 2 (site Torget A, entrance 'Nord', period 2024-03-01 08:00–09:00 "
        "Europe/Oslo); each combination of site, entrance, period_start and period_end may "
        "appear only once"
    )


def test_a_repeated_day_long_period_is_shown_as_its_local_day(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [HEADER, "Torget A;;2024-07-01;2024-07-02;1;", "Torget A;;2024-07-01;2024-07-02;2;"],
    )
    assert "period 2024-07-01 Europe/Oslo)" in only_issue(path).reason


# --- workbooks -----------------------------------------------------------------------------


def workbook(tmp_path: Path, count: object) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "period_start", "period_end", "count"])
    sheet.append(["Torget A", dt.datetime(2024, 3, 1, 8), dt.datetime(2024, 3, 1, 9), count])
    path = tmp_path / "counts.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize("flag", [True, False])
def test_a_yes_no_cell_in_a_workbooks_count_is_refused_not_imported_as_1_or_0(
    sites, tmp_path, flag
):
    issue = only_issue(workbook(tmp_path, flag))
    assert (issue.column, issue.value) == ("count", "TRUE" if flag else "FALSE")
    assert issue.reason == "not a number but a yes/no value"


def test_a_formula_without_a_saved_value_says_so_instead_of_is_empty(sites, tmp_path):
    issue = only_issue(workbook(tmp_path, "=2+3"))
    assert (issue.row, issue.column) == (2, "count")
    assert issue.reason.startswith(
        "is a formula without a saved value; open and save the workbook in Excel"
    )


def test_a_huge_number_in_a_workbook_is_shown_as_written_not_in_300_digits(sites, tmp_path):
    issue = only_issue(workbook(tmp_path, 1e300))
    assert (issue.value, issue.reason) == (
        "1E+300",
        "is larger than 2,147,483,647, the largest count Torg stores",
    )
    assert len(str(issue)) < 120


def test_a_header_read_as_one_column_with_commas_asks_whether_the_delimiter_is_a_comma(
    sites, tmp_path
):
    path = write_csv(
        tmp_path,
        ["site,entrance,period_start,period_end,count", "Torget A,,2024-03-01,2024-03-02,4"],
    )
    with pytest.raises(ImportRefused) as caught:
        import_x(path, delimiter=";")
    assert str(caught.value).endswith(
        " The header has one column that contains ','; is the delimiter ','? (--delimiter comma)"
    )


def test_a_header_of_several_columns_gets_no_delimiter_hint(sites, tmp_path):
    path = write_csv(tmp_path, ["place;when;how many", "Torget A;2024-03-01;4"])
    with pytest.raises(ImportRefused) as caught:
        import_x(path)
    assert "delimiter" not in str(caught.value)


def test_a_long_value_is_cut_to_200_characters_in_the_terminal_and_kept_in_the_issue(
    sites, tmp_path
):
    long_site = "x" * 5000
    path = write_csv(tmp_path, [HEADER, f"{long_site};;2024-03-01;2024-03-02;4;"])
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    (issue,) = caught.value.issues
    assert issue.value == long_site
    shown = str(caught.value)
    assert f"(value '{'x' * 199}…')" in shown
    assert "x" * 200 not in shown
