"""What the import framework does with malformed input that a new user met: numbers too
large for the database, dates outside the years Torg accepts, rows wider than the header,
blank rows, options no profile has, folders and binary files. Each is a message or an
issue naming row, column, value and reason; none is a traceback, and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from torg.imports import registry
from torg.imports.framework import (
    Column,
    ImportFailed,
    ImportRefused,
    ImportResult,
    ImportRun,
    Profile,
    Record,
    UpsertWriter,
    run_import,
)
from torg.imports.models import ImportBatch
from torg.imports.profiles.common import SiteLookup, local_day_start
from torg.organisation.models import Site
from torg.testing.factories import make_site
from torg.visits.models import VisitCount

HEADER = "site;entrance;period_start;period_end;count;method"
GOOD_ROW = "Torget A;;2024-03-01 08:00;2024-03-01 09:00;12;"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(site_a: Site, site_b: Site) -> dict[str, Site]:
    nord = make_site(site_a.municipality, "Filial Nord", code="FN")
    return {"Torget A": site_a, "Filial Nord": nord, "Torget B": site_b}


def write_csv(tmp_path: Path, lines: list[str], name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_x(path: Path, **kwargs: Any) -> ImportResult:
    return run_import("visit-counts", path, municipality="kommune-x", **kwargs)


def failure(path: Path, **kwargs: Any) -> ImportFailed:
    with pytest.raises(ImportFailed) as caught:
        import_x(path, **kwargs)
    assert not VisitCount.objects.exists()
    assert not ImportBatch.objects.exists()
    return caught.value


def assert_accounted_for(result: ImportResult) -> None:
    """Every row read is in exactly one of the summary's figures."""
    assert result.rows_read == result.created + result.updated + result.unchanged + result.skipped


# --- numbers too large ------------------------------------------------------------------


def test_a_count_too_large_for_the_database_is_a_bad_cell_not_a_crash(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            GOOD_ROW,
            "Torget A;;2024-03-01 09:00;2024-03-01 10:00;99999999999999999999999;",
            "Torget A;;2024-03-01 10:00;2024-03-01 11:00;2147483648;",
            "Torget A;;2024-03-01 11:00;2024-03-01 12:00;2 147 483 647;",
        ],
    )
    (first, second) = failure(path).issues
    assert (first.row, first.column, first.value) == (3, "count", "99999999999999999999999")
    assert first.reason == "is larger than 2,147,483,647, the largest count Torg stores"
    assert (second.row, second.column, second.value) == (4, "count", "2147483648")


def test_the_largest_count_torg_stores_is_imported(sites, tmp_path):
    import_x(write_csv(tmp_path, [HEADER, "Torget A;;2024-03-01;2024-03-02;2 147 483 647;"]))
    assert VisitCount.objects.get().count == 2_147_483_647


class HugeCountProfile(Profile):
    """Test only: a profile whose own code makes a count no parse function checked, and
    whose own date code may fail with ``ValueError`` or ``OverflowError``."""

    name = "test-huge-counts"
    title = "Counts with a factor (tests only)"
    columns = (
        Column("site", "site"),
        Column("day", "day"),
        Column("factor", "factor", parse=int),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        self.sites = SiteLookup(run.require_municipality())

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site = self.sites.get(values["site"], "site")
        day = dt.date.fromisoformat(values["day"])  # ValueError for 2024-02-30
        after = day + dt.timedelta(days=values["factor"] // 10**9)  # OverflowError if huge
        return {
            "municipality_id": site.municipality_id,
            "site_id": site.pk,
            "entrance": "",
            "period_start": local_day_start(day, site.time_zone),  # ValueError for 0001
            "period_end": local_day_start(after + dt.timedelta(days=1), site.time_zone),
            "count": values["factor"] * 1000,
            "method": "automatic",
            "note": "",
        }


@pytest.fixture
def huge_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    registry._load()
    monkeypatch.setitem(registry._PROFILES, HugeCountProfile.name, HugeCountProfile)
    yield HugeCountProfile.name


def test_a_number_the_profile_computed_too_large_is_caught_before_the_database(
    sites, tmp_path, huge_profile
):
    path = write_csv(
        tmp_path,
        [
            "site;day;factor",
            "Torget A;2024-03-01;7",
            "Torget A;2024-03-02;3000000",  # 3,000,000,000: above a PositiveIntegerField
            "Torget A;2024-03-03;-1",  # below 0
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        run_import(huge_profile, path, municipality="kommune-x")
    assert [(i.row, i.value, i.reason) for i in caught.value.issues] == [
        (3, "3000000000", "count cannot be above 2,147,483,647, the limit of what Torg stores"),
        (4, "-1000", "count cannot be below 0, the limit of what Torg stores"),
    ]
    assert not VisitCount.objects.exists()


def test_errors_raised_in_a_profiles_own_code_become_issues_of_their_rows(
    sites, tmp_path, huge_profile
):
    path = write_csv(
        tmp_path,
        [
            "site;day;factor",
            "Torget A;2024-03-01;7",
            "Torget A;2024-02-30;7",  # ValueError from date.fromisoformat
            "Torget A;0001-01-01;7",  # ValueError from localtime: outside the years
            "Torget A;2024-03-04;" + "9" * 30,  # OverflowError from timedelta
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        run_import(huge_profile, path, municipality="kommune-x")
    issues = caught.value.issues
    assert [i.row for i in issues] == [3, 4, 5]
    assert "day is out of range for month" in issues[0].reason
    assert issues[1].reason == "0001-01-01 is outside the years Torg accepts (1900–2100)"
    assert issues[2].reason  # Python's own words, but a reason, and no traceback
    assert not VisitCount.objects.exists()


def test_an_overflow_at_write_time_refuses_the_file_and_writes_nothing(
    sites, tmp_path, monkeypatch
):
    import_x(write_csv(tmp_path, [HEADER, GOOD_ROW], name="first.csv"))
    before = list(VisitCount.objects.values_list("pk", "count"))
    # Pretend the range check let a value through, as a new column type might.
    monkeypatch.setattr(UpsertWriter, "out_of_range", lambda self, records: [])
    path = write_csv(
        tmp_path,
        [HEADER, "Torget A;;2024-03-02 08:00;2024-03-02 09:00;5;"],
        name="second.csv",
    )
    from torg.imports.profiles.counter_csv import CounterCsvProfile

    build = CounterCsvProfile.build

    def build_huge(
        self: CounterCsvProfile, values: dict[str, Any], row: int, run: ImportRun
    ) -> Record:
        record = build(self, values, row, run)
        record["count"] = 10**30
        return record

    monkeypatch.setattr(CounterCsvProfile, "build", build_huge)
    # SQLite's driver refuses the number itself (OverflowError); PostgreSQL refuses it in the
    # database ("integer out of range"). Either way the file is refused as a whole.
    with pytest.raises(
        ImportRefused,
        match=r"(A number in second\.csv is too large for the database"
        r"|The database refused second\.csv \(integer out of range\)).*nothing was imported",
    ):
        import_x(path)
    assert list(VisitCount.objects.values_list("pk", "count")) == before
    assert ImportBatch.objects.count() == 1


# --- dates outside the accepted years ---------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "column", "day"),
    [
        ("0001-01-01", "2024-03-01", "period_start", "0001-01-01"),
        ("2024-03-01", "9999-12-31 23:00", "period_end", "9999-12-31"),
        ("1899-12-31 23:00+00:00", "1900-01-01 01:00", "period_start", "1899-12-31"),
        ("2100-12-31", "2101-01-02", "period_end", "2101-01-02"),
    ],
)
def test_a_period_outside_the_accepted_years_is_a_bad_cell(
    sites, tmp_path, start, end, column, day
):
    path = write_csv(tmp_path, [HEADER, GOOD_ROW, f"Torget A;;{start};{end};3;"])
    (issue,) = failure(path).issues
    assert (issue.row, issue.column) == (3, column)
    assert issue.reason == f"{day} is outside the years Torg accepts (1900–2100)"


def test_the_first_and_last_day_torg_accepts_are_imported(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [HEADER, "Torget A;;1900-01-01;1900-01-02;1;", "Torget A;;2100-12-31;2100-12-31 23:00;2;"],
    )
    assert import_x(path).created == 2


# --- rows wider than the header, blank rows ---------------------------------------------


def test_a_row_with_more_values_than_the_header_is_refused(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            GOOD_ROW,
            # A decimal comma in a comma-separated file would do this; here: a stray value.
            "Torget A;;2024-03-01 09:00;2024-03-01 10:00;5;;surplus;more",
            "Torget A;;2024-03-01 10:00;2024-03-01 11:00;5;;;  ;",  # only empty cells beyond
        ],
    )
    (issue,) = failure(path).issues
    assert (issue.row, issue.column, issue.value) == (3, None, "surplus | more")
    assert issue.reason.startswith("the row has 8 cells; the header has 6")


def test_empty_cells_after_the_header_and_after_the_rows_are_fine(sites, tmp_path):
    # Excel writes a header cell for every column once used, and ";" for every empty cell.
    path = write_csv(
        tmp_path,
        [
            HEADER + ";;",
            GOOD_ROW + ";;",
            "Torget A;;2024-03-01 09:00;2024-03-01 10:00;5;;",
            "Torget A;;2024-03-01 10:00;2024-03-01 11:00;5;",
        ],
    )
    result = import_x(path)
    assert (result.rows_read, result.created) == (3, 3)
    assert_accounted_for(result)


def test_a_value_under_an_empty_header_cell_is_refused(sites, tmp_path):
    path = write_csv(tmp_path, [HEADER + ";;", GOOD_ROW + ";;lost", "Torget A;;2024-03-01"])
    (wide, short) = failure(path).issues
    assert wide.reason.startswith("the row has 8 cells; the header has 6")
    # The header's width is counted without its empty cells both ways.
    assert short.reason == "the row has 3 cells; the header has 6"


def test_blank_rows_are_read_and_skipped_so_the_figures_add_up(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            GOOD_ROW,
            ";;;;;",  # what Excel writes for an empty row
            "",  # an empty line: no row
            " ; ;;;;",
            "Torget A;;2024-03-01 09:00;2024-03-01 10:00;5;",
            ";;;;;",
        ],
    )
    result = import_x(path)
    assert (result.rows_read, result.created, result.skipped) == (5, 2, 3)
    assert "5 rows read, 2 created, 0 updated, 0 unchanged, 3 skipped." in result.summary()
    assert_accounted_for(result)
    assert ImportBatch.objects.get().rows_skipped == 3
    again = import_x(path, force=True)
    assert (again.rows_read, again.unchanged, again.skipped) == (5, 2, 3)
    assert_accounted_for(again)


def test_the_figures_add_up_in_an_xlsx_workbook_with_empty_rows(sites, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "period_start", "period_end", "count"])
    sheet.append(["Torget A", "2024-03-01 08:00", "2024-03-01 09:00", 4])
    sheet.append([None, None, None, None])
    sheet.append(["Torget A", "2024-03-01 09:00", "2024-03-01 10:00", 0])
    path = tmp_path / "counts.xlsx"
    book.save(path)
    result = import_x(path)
    assert (result.rows_read, result.created, result.skipped) == (3, 2, 1)
    assert_accounted_for(result)


def test_a_result_whose_figures_do_not_add_up_is_an_internal_error():
    result = ImportResult("p", "f.csv", None, rows_read=3, rows_built=2, records=2, created=2)
    with pytest.raises(RuntimeError, match="do not add up"):
        result.check()
    ImportResult(
        "p", "f.csv", None, rows_read=3, rows_built=2, records=2, created=2, skipped=1
    ).check()


# --- options ----------------------------------------------------------------------------


def test_an_option_the_profile_does_not_take_is_refused(sites, tmp_path):
    path = write_csv(tmp_path, [HEADER, GOOD_ROW])
    with pytest.raises(
        ImportRefused, match="The profile visit-counts takes no options; remove 'sit'"
    ):
        import_x(path, options={"sit": "Torget A"})
    assert not VisitCount.objects.exists()


def test_a_misspelt_option_is_refused_with_the_profiles_options(sites, tmp_path):
    path = write_csv(tmp_path, ["Timestamp;interaction source;successful interaction?"])
    with pytest.raises(ImportRefused) as caught:
        run_import("bampfa-desk-log", path, municipality="kommune-x", options={"sites": "pfa"})
    assert str(caught.value) == (
        "The profile bampfa-desk-log has no option 'sites'. Its options: site (the site the log "
        "belongs to, by code or name, if there are several)."
    )


# --- files that are no table ------------------------------------------------------------


def test_a_folder_is_refused_as_a_folder(sites, tmp_path):
    with pytest.raises(ImportRefused, match=r"is a folder, not a file; name a CSV or XLSX file"):
        import_x(tmp_path)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("picture.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "a PNG image"),
        ("counts.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "a PNG image"),
        ("scan.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4, "a PDF document"),
        # Many zero bytes made this look like UTF-16 text without a byte-order mark.
        ("noise.csv", (bytes(3) + b"\xd8\x01\x02") * 500, "binary data"),
        ("random.csv", bytes((i * 7919) % 256 for i in range(5000)), "binary data"),
    ],
)
def test_a_binary_file_is_refused_as_no_text_table(sites, tmp_path, name, data, kind):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportRefused) as caught:
        import_x(path)
    assert str(caught.value) == (
        f"{name} is not a text table (CSV) or a workbook (XLSX, XLS, ODS): it looks like {kind}."
    )
