"""The import framework's guarantees, proved through the ``visit-counts`` profile (and a
small update-only profile that exists only in these tests).

Stored figures are compared with ``reference/framework_visit_counts.json``, computed from
the raw file with awk and GNU date (see its ``_how``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db.models import Count, Sum

from torg.imports import registry
from torg.imports.framework import (
    Column,
    ImportFailed,
    ImportRefused,
    ImportResult,
    ImportRun,
    Issue,
    Profile,
    Record,
    UpsertWriter,
    run_import,
)
from torg.imports.models import ImportBatch
from torg.imports.profiles.common import SiteLookup, local_instant
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site
from torg.testing.factories import make_municipality, make_site
from torg.visits.models import VisitCount

HERE = Path(__file__).parent
REFERENCE_FILE = HERE / "data" / "framework_visit_counts.csv"
REFERENCE = json.loads((HERE / "reference" / "framework_visit_counts.json").read_text("utf-8"))
HEADER = "site;entrance;period_start;period_end;count;method"
OSLO = zone("Europe/Oslo")

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(site_a: Site, site_b: Site) -> dict[str, Site]:
    """Torget A and Filial Nord (code FN) in municipality X; Torget B in municipality Y."""
    nord = make_site(site_a.municipality, "Filial Nord", code="FN")
    return {"Torget A": site_a, "Filial Nord": nord, "Torget B": site_b}


def write_csv(tmp_path: Path, lines: list[str], name: str = "counts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_x(path: Path, **kwargs: Any) -> ImportResult:
    return run_import("visit-counts", path, municipality="kommune-x", **kwargs)


def snapshot() -> list[tuple[Any, ...]]:
    """Every stored visit count and import, to prove that nothing changed."""
    counts = list(
        VisitCount.objects.order_by("pk").values_list(
            "pk",
            "site_id",
            "entrance",
            "period_start",
            "period_end",
            "count",
            "method",
            "note",
            "import_batch_id",
        )
    )
    batches = list(ImportBatch.objects.order_by("pk").values_list("pk", "file_sha256"))
    return [*counts, *batches]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- what is stored ---------------------------------------------------------------------


def test_the_reference_file_is_stored_with_the_figures_computed_by_awk_and_date(sites):
    result = import_x(REFERENCE_FILE)
    assert (result.rows_read, result.created, result.updated, result.unchanged) == (
        REFERENCE["rows"],
        REFERENCE["rows"],
        0,
        0,
    )
    stored = VisitCount.objects.filter(municipality__slug="kommune-x")
    assert stored.count() == REFERENCE["rows"]
    assert stored.aggregate(total=Sum("count"))["total"] == REFERENCE["count_total"]
    by_site = dict(stored.values_list("site__name").annotate(Sum("count")))
    assert by_site == REFERENCE["count_by_site"]
    by_method = {
        m: (n, s) for m, n, s in stored.values_list("method").annotate(Count("pk"), Sum("count"))
    }
    assert by_method == {
        m: (REFERENCE["rows_by_method"][m], REFERENCE["count_by_method"][m])
        for m in REFERENCE["rows_by_method"]
    }
    seconds = sum(
        (end - start).total_seconds()
        for start, end in stored.values_list("period_start", "period_end")
    )
    assert seconds == REFERENCE["period_hours_total"] * 3600
    periods = set(stored.values_list("period_start", "period_end"))
    for label, (start, end) in REFERENCE["distinct_periods_utc"].items():
        assert (utc(start), utc(end)) in periods, label
    assert not VisitCount.objects.filter(municipality__slug="kommune-y").exists()


def test_an_import_records_its_batch_with_file_user_and_counts(sites, manager_x):
    result = import_x(REFERENCE_FILE, user=manager_x)
    batch = ImportBatch.objects.get()
    assert batch.pk == result.batch_id
    assert batch.municipality is not None
    assert (batch.profile, batch.file_name, batch.municipality.slug) == (
        "visit-counts",
        "framework_visit_counts.csv",
        "kommune-x",
    )
    assert (batch.rows_read, batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (
        REFERENCE["rows"],
        REFERENCE["rows"],
        0,
        0,
    )
    assert batch.created_by == manager_x
    assert batch.started_at <= batch.finished_at
    assert set(VisitCount.objects.values_list("import_batch_id", flat=True)) == {batch.pk}


def test_a_process_in_utc_imports_0854_oslo_time_as_0854(sites, tmp_path):
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        assert time.strftime("%z") == "+0000"
        import_x(write_csv(tmp_path, [HEADER, "Torget A;;2024-03-01 08:54;2024-03-01 09:54;5;"]))
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
    count = VisitCount.objects.get()
    assert count.period_start == dt.datetime(2024, 3, 1, 7, 54, tzinfo=dt.UTC)
    assert count.period_start.astimezone(OSLO).strftime("%H:%M") == "08:54"


# --- bad rows: everything is checked, nothing is written ---------------------------------


def test_every_bad_cell_is_reported_with_file_row_column_value_and_reason(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "Torget A;;2024-03-01 08:00;2024-03-01 09:00;12;",  # row 2: good
            "Torget A;;2024-03-01 09:00;2024-03-01 10:00;12,5;sometimes",  # row 3: two bad cells
            ";;2024-03-01 10:00;2024-03-01 11:00;-3;",  # row 4: two bad cells
            "Torget A;;2024-03-31 02:30;2024-03-31 04:00;1;",  # row 5: skipped local time
            "Torget A;;2024-10-27 02:30;2024-10-27 04:00;1;",  # row 6: ambiguous local time
            "Torget A;;2024-03-02 10:00;2024-03-02 09:00;1;",  # row 7: ends before it starts
            "Torget B;;2024-03-02 10:00;2024-03-02 11:00;1;",  # row 8: municipality Y's site
            "Torget A;;1.3.2024;2024-03-02 11:00;1 23;",  # row 9: two bad cells
            "Torget A;;2024-03-03 10:00",  # row 10: too few cells
            "Filial Nord;;2024-03-01 08:00;2024-03-01 09:00;4;",  # row 11: good
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    issues = [(i.file, i.row, i.column, i.value) for i in caught.value.issues]
    assert issues == [
        ("counts.csv", 3, "count", "12,5"),
        ("counts.csv", 3, "method", "sometimes"),
        ("counts.csv", 4, "site", ""),
        ("counts.csv", 4, "count", "-3"),
        ("counts.csv", 5, "period_start", "2024-03-31 02:30"),
        ("counts.csv", 6, "period_start", "2024-10-27 02:30"),
        ("counts.csv", 7, "period_end", "2024-03-02 09:00"),
        ("counts.csv", 8, "site", "Torget B"),
        ("counts.csv", 9, "period_start", "1.3.2024"),
        ("counts.csv", 9, "count", "1 23"),
        ("counts.csv", 10, None, None),
    ]
    reasons = [i.reason for i in caught.value.issues]
    assert "not a whole number" in reasons[0]
    assert "unknown method; expected one of: " in reasons[1]
    assert reasons[2] == "is empty"
    assert reasons[3] == "a count cannot be negative"
    assert "does not exist in Europe/Oslo" in reasons[4]
    assert "occurs twice in Europe/Oslo" in reasons[5]
    assert reasons[6] == "the period ends before it starts"
    assert reasons[7] == "no site of Kommune X is called this; known: Filial Nord, Torget A"
    assert "not a date and time" in reasons[8]
    assert "in the wrong place" in reasons[9]
    assert reasons[10] == "the row has 3 cells; the header has 6"
    assert caught.value.rows_read == 10
    assert VisitCount.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_a_row_with_an_impossible_date_and_a_bad_count_reports_both_cells(site_a, tmp_path):
    # The newcomer's file (issue 2): once "abc" failed, 30 February went unreported.
    make_site(site_a.municipality, "biblioteca")
    path = write_csv(
        tmp_path,
        [
            "site,entrance,period_start,period_end,count",
            "biblioteca,main,2025-02-30,2025-03-01,abc",
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    issues = [(i.row, i.column, i.value) for i in caught.value.issues]
    assert issues == [(2, "period_start", "2025-02-30"), (2, "count", "abc")]
    assert caught.value.issues[0].reason == (
        "30 February 2025 is not a date (February 2025 has 28 days)"
    )


def test_an_unknown_site_and_a_negative_count_are_both_reported(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            "site,entrance,period_start,period_end,count",
            "nosuchsite,main,2025-02-01,2025-03-01,-5",
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    issues = [(i.row, i.column, i.value, i.reason) for i in caught.value.issues]
    assert issues == [
        (
            2,
            "site",
            "nosuchsite",
            "no site of Kommune X is called this; known: Filial Nord, Torget A",
        ),
        (2, "count", "-5", "a count cannot be negative"),
    ]


def test_a_period_that_ends_before_it_starts_is_checked_once_its_cells_are_valid(sites, tmp_path):
    # The row-level check needs valid cells: with a bad count it is skipped, not guessed.
    lines = ["site,entrance,period_start,period_end,count"]
    bad_count = write_csv(tmp_path, [*lines, "Torget A,,2025-03-02,2025-03-01,x"], "a.csv")
    with pytest.raises(ImportFailed) as caught:
        import_x(bad_count)
    assert [i.column for i in caught.value.issues] == ["count"]
    good_count = write_csv(tmp_path, [*lines, "Torget A,,2025-03-02,2025-03-01,4"], "b.csv")
    with pytest.raises(ImportFailed) as caught:
        import_x(good_count)
    assert [(i.column, i.reason) for i in caught.value.issues] == [
        ("period_end", "the period ends before it starts")
    ]


def test_one_bad_cell_after_many_good_rows_leaves_the_database_as_it_was(sites, tmp_path):
    import_x(REFERENCE_FILE)
    before = snapshot()
    good = [
        f"Torget A;Nord;2024-05-{day:02d} 10:00;2024-05-{day:02d} 11:00;{day};"
        for day in range(1, 31)
    ]
    path = write_csv(
        tmp_path, [HEADER, *good, "Torget A;Nord;2024-05-31 10:00;2024-05-31 11:00;x;"]
    )
    with pytest.raises(ImportFailed, match=r"1 problem\(s\) in 31 row\(s\); nothing was imported"):
        import_x(path)
    assert snapshot() == before


def test_the_message_lists_the_first_twenty_problems_and_the_report_keeps_all(sites, tmp_path):
    bad = [f"Torget A;;2024-05-01 10:00;2024-05-01 11:00;n{i};" for i in range(30)]
    with pytest.raises(ImportFailed) as caught:
        import_x(write_csv(tmp_path, [HEADER, *bad]))
    assert len(caught.value.issues) == 30
    message = str(caught.value)
    assert "counts.csv, row 21, column 'count': not a number (value 'n19')" in message
    assert "row 22," not in message
    assert message.endswith("… and 10 more")


def test_two_rows_with_the_same_natural_key_are_reported_with_both_row_numbers(sites, tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "Torget A;Nord;2024-03-01 08:00;2024-03-01 09:00;1;",
            "Torget A;Sør;2024-03-01 08:00;2024-03-01 09:00;2;",
            "Filial Nord;Nord;2024-03-01 08:00;2024-03-01 09:00;3;",
            # The same key as row 2, written differently: the site in lower case and ISO T.
            "torget a;Nord;2024-03-01T08:00:00;2024-03-01T09:00+01:00;4;",
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    (issue,) = caught.value.issues
    assert issue.row == 5
    assert "repeats row 2" in issue.reason
    assert "entrance 'Nord'" in issue.reason
    assert VisitCount.objects.count() == 0


def test_a_row_of_another_municipalitys_site_cannot_be_imported_into_this_one(sites, tmp_path):
    path = write_csv(tmp_path, [HEADER, "Torget B;;2024-03-01 08:00;2024-03-01 09:00;1;"])
    with pytest.raises(ImportFailed, match="no site of Kommune X is called this"):
        import_x(path)
    # …and the other way round the same row is fine.
    run_import("visit-counts", path, municipality="kommune-y")
    assert VisitCount.objects.get().municipality.slug == "kommune-y"


def test_a_record_the_csv_reader_cannot_parse_refuses_the_file_and_writes_nothing(sites, tmp_path):
    path = write_csv(
        tmp_path, [HEADER, "Torget A;;2024-03-01 08:00;2024-03-01 09:00;1;", 'Torget A;"open']
    )
    with pytest.raises(ImportRefused, match=r"counts.csv, row 3: .*Nothing was imported"):
        import_x(path)
    assert VisitCount.objects.count() == 0
    assert ImportBatch.objects.count() == 0


# --- re-importing -----------------------------------------------------------------------


def test_reimporting_the_same_file_adds_nothing(sites):
    first = import_x(REFERENCE_FILE)
    before = snapshot()
    again = import_x(REFERENCE_FILE)
    assert again.already_imported
    assert "was already imported into kommune-x" in again.summary()
    assert (again.created, again.updated, again.rows_read) == (0, 0, 0)
    assert snapshot() == before
    assert first.created == REFERENCE["rows"]


def test_the_same_file_under_another_name_and_forced_changes_nothing(sites, tmp_path):
    import_x(REFERENCE_FILE)
    before_counts = snapshot()[: REFERENCE["rows"]]
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(REFERENCE_FILE.read_bytes())
    assert import_x(copy).already_imported  # the hash, not the name, decides
    forced = import_x(REFERENCE_FILE, force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, REFERENCE["rows"])
    assert snapshot()[: REFERENCE["rows"]] == before_counts
    assert ImportBatch.objects.count() == 2


def test_a_changed_file_updates_only_the_rows_it_changed(sites, tmp_path):
    first = import_x(REFERENCE_FILE)
    lines = REFERENCE_FILE.read_text("utf-8").splitlines()
    assert lines[1] == "Torget A;;2024-03-30;2024-03-31;1 204;automatic"
    assert lines[4] == "Torget A;;2024-10-27;2024-10-28;0;manual"
    lines[1] = "Torget A;;2024-03-30;2024-03-31;1 205;automatic"  # count changed
    lines[4] = "Torget A;;2024-10-27;2024-10-28;0;estimate"  # method changed
    lines.append("FN;;2024-11-01;2024-11-02;17;")  # new
    second = import_x(write_csv(tmp_path, lines))
    assert (second.created, second.updated, second.unchanged) == (1, 2, REFERENCE["rows"] - 2)
    total = VisitCount.objects.aggregate(total=Sum("count"))["total"]
    assert total == REFERENCE["count_total"] + 1 + 17
    changed = VisitCount.objects.filter(import_batch_id=second.batch_id)
    assert changed.count() == 3
    assert (
        VisitCount.objects.filter(import_batch_id=first.batch_id).count() == REFERENCE["rows"] - 2
    )
    assert (
        VisitCount.objects.get(
            site__name="Torget A", entrance="", period_start=utc("2024-10-26T22:00:00Z")
        ).method
        == "estimate"
    )


# --- dry run ----------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_but_counts_what_it_would_do(sites, tmp_path):
    dry = import_x(REFERENCE_FILE, dry_run=True)
    assert dry.dry_run and dry.batch_id is None
    assert (dry.rows_read, dry.created, dry.updated, dry.unchanged) == (
        REFERENCE["rows"],
        REFERENCE["rows"],
        0,
        0,
    )
    assert dry.summary().startswith("Dry run, nothing written: would import")
    assert VisitCount.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    real = import_x(REFERENCE_FILE)  # not skipped as "already imported"
    assert real.created == REFERENCE["rows"]
    lines = REFERENCE_FILE.read_text("utf-8").splitlines()
    lines[1] = lines[1].replace("1 204", "1 000")
    before = snapshot()
    dry = import_x(write_csv(tmp_path, lines), dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (0, 1, REFERENCE["rows"] - 1)
    assert snapshot() == before


def test_a_dry_run_still_reports_every_bad_cell(sites, tmp_path):
    with pytest.raises(ImportFailed):
        import_x(write_csv(tmp_path, [HEADER, "Torget A;;2024-03-01;2024-03-02;-1;"]), dry_run=True)


# --- user errors ------------------------------------------------------------------------


def test_an_unknown_profile_is_refused_with_the_list_of_valid_ones(sites):
    with pytest.raises(ImportRefused) as caught:
        run_import("visit-count", REFERENCE_FILE, municipality="kommune-x")
    message = str(caught.value)
    assert message.startswith("There is no import profile 'visit-count'. Valid profiles: ")
    valid = message.split("Valid profiles: ")[1].rstrip(".").split(", ")
    assert "visit-counts" in valid
    assert valid == sorted(p.name for p in registry.all_profiles())


def test_an_unknown_municipality_is_refused_with_the_list_of_valid_ones(sites):
    with pytest.raises(
        ImportRefused,
        match=r"There is no municipality 'kommune-z'\. Valid municipalities: kommune-x, kommune-y\.",
    ):
        run_import("visit-counts", REFERENCE_FILE, municipality="kommune-z")


def test_a_long_list_of_municipalities_is_cut_short(db):
    for number in range(70):
        make_municipality(f"m-{number:02d}", number=f"{number:04d}")
    with pytest.raises(ImportRefused, match=r"m-59 and 10 more\.$"):
        run_import("visit-counts", REFERENCE_FILE, municipality="nowhere")


def test_a_tenant_profile_without_a_municipality_is_refused(sites):
    with pytest.raises(ImportRefused, match=r"needs --municipality <slug>\. Valid municipalities"):
        run_import("visit-counts", REFERENCE_FILE)


def test_a_municipality_without_sites_is_told_to_create_them_first(db, tmp_path):
    make_municipality("tom", name="Tom kommune")
    with pytest.raises(ImportRefused, match="Tom kommune has no sites yet"):
        run_import("visit-counts", REFERENCE_FILE, municipality="tom")


def test_a_file_with_other_columns_is_refused_naming_what_is_missing(sites, tmp_path):
    path = write_csv(tmp_path, ['Kommune;"Besøk\ntotalt";År', "Oslo;1 234;2020"], "wrong.csv")
    with pytest.raises(ImportRefused) as caught:
        import_x(path)
    assert str(caught.value) == (
        "wrong.csv does not match the profile visit-counts: it lacks the column(s) 'site', "
        "'period_start', 'period_end', 'count'. Its header has: 'Kommune', 'Besøk totalt', 'År'."
    )
    assert ImportBatch.objects.count() == 0


def test_a_missing_file_is_refused(sites, tmp_path):
    with pytest.raises(ImportRefused, match="no such file"):
        import_x(tmp_path / "nowhere.csv")


def test_an_unreadable_file_is_refused(sites, tmp_path, monkeypatch):
    path = write_csv(tmp_path, [HEADER])

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    # Tests may run as root, who can read any file: refuse the read itself.
    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ImportRefused, match=r"counts\.csv cannot be read: Permission denied"):
        import_x(path)


def test_a_file_with_only_a_header_imports_nothing_and_says_so(sites, tmp_path):
    result = import_x(write_csv(tmp_path, [HEADER]))
    assert (result.rows_read, result.created) == (0, 0)
    assert "0 rows read, 0 created" in result.summary()


# --- other inputs -----------------------------------------------------------------------


def test_an_xlsx_workbook_imports_to_the_same_figures_as_the_csv(sites, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    with REFERENCE_FILE.open(encoding="utf-8", newline="") as handle:
        for number, cells in enumerate(csv.reader(handle, delimiter=";")):
            if number == 0:
                sheet.append(cells)
                continue
            site, entrance, start, end, count, method = cells
            sheet.append(
                [
                    site,
                    entrance or None,
                    _typed(start),
                    _typed(end),
                    int(count.replace(" ", "")),
                    method or None,
                ]
            )
    path = tmp_path / "counts.xlsx"
    book.save(path)
    result = import_x(path)
    assert result.created == REFERENCE["rows"]
    assert VisitCount.objects.aggregate(total=Sum("count"))["total"] == REFERENCE["count_total"]
    seconds = sum(
        (end - start).total_seconds()
        for start, end in VisitCount.objects.values_list("period_start", "period_end")
    )
    assert seconds == REFERENCE["period_hours_total"] * 3600


def _typed(text: str) -> object:
    """A date or date-time cell where Excel would make one; text with an offset stays text."""
    if "+" in text:
        return text
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_the_reference_file_in_another_encoding_imports_the_same(sites, tmp_path, encoding):
    path = tmp_path / f"counts-{encoding}.csv"
    path.write_bytes(REFERENCE_FILE.read_text("utf-8").replace(";", "\t").encode(encoding))
    assert import_x(path).created == REFERENCE["rows"]
    assert VisitCount.objects.aggregate(total=Sum("count"))["total"] == REFERENCE["count_total"]


# --- an update-only writer --------------------------------------------------------------


class VisitNoteProfile(Profile):
    """Test only: adds a note to visit counts that are already stored."""

    name = "test-visit-notes"
    title = "Notes on stored visit counts (tests only)"
    columns = (
        Column("site", "site"),
        Column("period_start", "start"),
        Column("period_end", "end"),
        Column("note", "note"),
    )
    missing_row_reason = "no visit count is stored for this site and period"

    def writer(self) -> UpsertWriter:
        return UpsertWriter(
            VisitCount, ("site_id", "entrance", "period_start", "period_end"), update_only=("note",)
        )

    def begin(self, run: ImportRun) -> None:
        self.sites = SiteLookup(run.require_municipality())

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site = self.sites.get(values["site"], "site")
        return {
            "site_id": site.pk,
            "entrance": "",
            "period_start": local_instant(values["start"], site.time_zone),
            "period_end": local_instant(values["end"], site.time_zone),
            "note": values["note"],
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"{key[2]:%Y-%m-%d %H:%M} UTC"


@pytest.fixture
def notes_profile(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    registry._load()
    monkeypatch.setitem(registry._PROFILES, VisitNoteProfile.name, VisitNoteProfile)
    yield VisitNoteProfile.name


def test_an_update_only_writer_reports_rows_that_have_nothing_to_update(
    sites, tmp_path, notes_profile
):
    import_x(REFERENCE_FILE)
    before = snapshot()
    path = write_csv(
        tmp_path,
        [
            "site;period_start;period_end;note",
            "Torget A;2024-03-30;2024-03-31;counter serviced",
            "Torget A;2024-06-01;2024-06-02;no such count",
            "FN;2024-10-27;2024-10-28;closed for the storm",
            "FN;2024-12-24;2024-12-25;no such count either",
        ],
    )
    with pytest.raises(ImportFailed) as caught:
        run_import(notes_profile, path, municipality="kommune-x")
    assert [(i.row, i.reason) for i in caught.value.issues] == [
        (3, "2024-05-31 22:00 UTC: no visit count is stored for this site and period"),
        (5, "2024-12-23 23:00 UTC: no visit count is stored for this site and period"),
    ]
    assert snapshot() == before


def test_an_update_only_writer_changes_only_its_columns_of_the_rows_it_names(
    sites, tmp_path, notes_profile
):
    import_x(REFERENCE_FILE)
    counts_before = dict(VisitCount.objects.values_list("pk", "count"))
    path = write_csv(
        tmp_path,
        [
            "site;period_start;period_end;note",
            "Torget A;2024-03-30;2024-03-31;counter serviced",
            "FN;2024-10-27;2024-10-28;closed for the storm",
        ],
    )
    result = run_import(notes_profile, path, municipality="kommune-x")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert sorted(VisitCount.objects.exclude(note="").values_list("site__name", "note")) == [
        ("Filial Nord", "closed for the storm"),
        ("Torget A", "counter serviced"),
    ]
    assert dict(VisitCount.objects.values_list("pk", "count")) == counts_before
    again = run_import(notes_profile, path, municipality="kommune-x", force=True)
    assert (again.updated, again.unchanged) == (0, 2)


def test_an_update_only_record_without_its_column_is_an_internal_error_not_a_default(db):
    writer = UpsertWriter(
        VisitCount, ("site_id", "entrance", "period_start", "period_end"), update_only=("note",)
    )
    with pytest.raises(ValueError, match="the record lacks note"):
        writer.complete({"site_id": 1, "entrance": "", "period_start": 1, "period_end": 2})


def test_issues_read_as_sentences():
    assert str(Issue("a.csv", 4, "count", "x", "not a number")) == (
        "a.csv, row 4, column 'count': not a number (value 'x')"
    )
    assert str(Issue("a.csv", None, None, None, "the file is empty")) == "a.csv: the file is empty"


def test_the_writer_refuses_a_key_the_model_does_not_have(db):
    with pytest.raises(ValueError, match="VisitCount has no field"):
        UpsertWriter(VisitCount, ("site_id", "period"))


def test_counts_of_a_site_in_another_time_zone_follow_that_zone(sites, tmp_path):
    Site.objects.filter(pk=sites["Filial Nord"].pk).update(time_zone="America/Santiago")
    path = write_csv(tmp_path, [HEADER, "FN;;2024-09-08;2024-09-09;5;"])
    import_x(path)
    count = VisitCount.objects.get()
    # Chile skips midnight on 8 September 2024: the day starts at 01:00 (-03) = 04:00 UTC.
    assert count.period_start == utc("2024-09-08T04:00:00Z")
    assert count.period_end - count.period_start == dt.timedelta(hours=23)
    assert Municipality.objects.get(pk=count.municipality_id).slug == "kommune-x"


def test_an_entrance_name_too_long_for_its_column_is_a_bad_cell_not_a_database_error(
    sites, tmp_path
):
    path = write_csv(tmp_path, [HEADER, f"Torget A;{'N' * 101};2024-03-01;2024-03-02;1;"])
    with pytest.raises(ImportFailed) as caught:
        import_x(path)
    (issue,) = caught.value.issues
    assert (issue.row, issue.column) == (2, "entrance")
    assert issue.reason == "an entrance name has at most 100 characters"


def test_a_row_the_database_refuses_rolls_back_the_whole_import(sites, tmp_path, monkeypatch):
    from torg.imports.profiles.counter_csv import CounterCsvProfile

    import_x(REFERENCE_FILE)
    before = snapshot()
    build = CounterCsvProfile.build

    def build_with_a_negative_count(self, values, row, run):
        record = build(self, values, row, run)
        if row == 30:
            record["entrance"] = None  # slips past the profile; NOT NULL refuses it
        return record

    monkeypatch.setattr(CounterCsvProfile, "build", build_with_a_negative_count)
    monkeypatch.setattr(UpsertWriter, "CHUNK", 5)  # so that earlier chunks are already written
    good = [f"Filial Nord;;2024-06-{day:02d};2024-06-{day + 1:02d};{day};" for day in range(1, 30)]
    with pytest.raises(
        ImportRefused, match=r"(?s)The database refused counts\.csv .*nothing was imported"
    ):
        import_x(write_csv(tmp_path, [HEADER, *good]))
    assert snapshot() == before
