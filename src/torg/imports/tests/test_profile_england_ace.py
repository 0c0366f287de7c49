"""Arts Council England's activity data 2023-24 against figures computed with awk from the
raw files (``reference/england_ace.json``)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from torg.demo.setup import ensure_england
from torg.imports.framework import ImportFailed, ImportResult, run_import
from torg.lib.localtime import start_of_local_day, zone
from torg.organisation.models import Municipality
from torg.testing.factories import demo_data_file, make_municipality
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "england_ace.json").read_text("utf-8")
)
LONDON = zone("Europe/London")
SITE_OF_LOCATION = {
    "Library": "library-buildings",
    "Shared building": "shared-buildings",
    "Mobile library": "mobile-library",
    "Home delivery": "home-delivery",
}
AUDIENCE_OF_AGE: dict[str, str] = {
    "Under 12": Audience.CHILDREN,
    "12-17": Audience.YOUNG_PEOPLE,
    "Adult": Audience.ADULTS,
    "All ages": Audience.ALL,
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def england() -> list[Municipality]:
    return ensure_england()


def _import(profile: str, file_name: str, **kwargs: Any) -> ImportResult:
    return run_import(
        f"england-ace-{profile}", demo_data_file(f"england-ace-2023-24/{file_name}"), **kwargs
    )


def _group(is_digital: bool, audience: str) -> str:
    age = {v: k for k, v in AUDIENCE_OF_AGE.items()}[audience]
    return f"{'Digital' if is_digital else 'Physical'}|{age}"


def test_one_municipality_per_authority_in_the_files(england: list[Municipality]) -> None:
    assert len(england) == REFERENCE["authorities_in_files"] == 125
    city = Municipality.objects.get(country="GB", number="E09000001")
    assert (city.slug, city.name) == ("gb-city-of-london", "City of London")
    assert sorted(city.sites.values_list("code", "kind", "is_aggregate")) == [
        ("home-delivery", "library", True),
        ("library-buildings", "library", True),
        ("mobile-library", "library", True),
        ("shared-buildings", "joint", True),
    ]
    assert ensure_england() == england  # a second call changes nothing
    assert Municipality.objects.filter(country="GB").count() == 125


def test_visits_match_the_file_by_location(england: list[Municipality]) -> None:
    result = _import("visits", "visits.csv")
    reference = REFERENCE["visits"]
    assert result.rows_read == result.created == reference["rows"] == 3420
    visits = VisitCount.objects.all()
    assert visits.aggregate(total=Sum("count"))["total"] == reference["total"]
    assert visits.values("municipality").distinct().count() == reference["authorities"]
    for location, expected in reference["by_location"].items():
        at = visits.filter(site__code=SITE_OF_LOCATION[location])
        assert at.count() == expected["rows"], location
        assert at.aggregate(total=Sum("count"))["total"] == expected["total"], location
    assert set(visits.values_list("method", flat=True)) == {CountMethod.REPORTED}


def test_visit_periods_are_local_days_in_london(england: list[Municipality]) -> None:
    _import("visits", "visits.csv")
    lengths: Counter[str] = Counter()
    for start, end in VisitCount.objects.values_list("period_start", "period_end"):
        local_start, local_end = start.astimezone(LONDON), end.astimezone(LONDON)
        assert (local_start.hour, local_start.minute, local_end.hour) == (0, 0, 0)
        months = (local_end.year - local_start.year) * 12 + local_end.month - local_start.month
        lengths[{1: "P1M", 3: "P3M", 12: "P1Y"}[months]] += 1
    assert dict(lengths) == REFERENCE["visits"]["rows_by_period_length"]
    for spot in REFERENCE["visits"]["spot"]:
        first = dt.date.fromisoformat(spot["period"].partition("/")[0])
        visit = VisitCount.objects.get(
            municipality__number=spot["authority"],
            site__code=SITE_OF_LOCATION[spot["location"]],
            period_start=start_of_local_day(first, LONDON),
        )
        assert visit.count == spot["count"]
    # April 2023 is summer time (BST, UTC+1): the month starts at 23:00 UTC on 31 March.
    april = VisitCount.objects.get(
        municipality__number="E08000021", site__code="shared-buildings", count=38812
    )
    assert april.period_start == dt.datetime(2023, 3, 31, 23, 0, tzinfo=dt.UTC)
    assert april.period_end == dt.datetime(2023, 4, 30, 23, 0, tzinfo=dt.UTC)


def test_events_become_aggregate_rows_and_zero_counts_are_kept_as_zero(
    england: list[Municipality],
) -> None:
    result = _import("events", "events.csv")
    reference = REFERENCE["events"]
    assert result.rows_read == reference["rows"]
    assert result.skipped == 0
    assert result.created == reference["rows"]
    assert Event.objects.filter(occurrences=0).count() == reference["rows_with_count_zero"] == 24
    events = Event.objects.all()
    assert events.aggregate(total=Sum("occurrences"))["total"] == reference["total"]
    by_group: Counter[str] = Counter()
    for is_digital, audience, occurrences in events.values_list(
        "is_digital", "audience", "occurrences"
    ):
        by_group[_group(is_digital, audience)] += occurrences or 0
    assert dict(by_group) == reference["by_type_and_age"]
    assert set(events.values_list("event_type", flat=True)) == {EventType.UNSPECIFIED}
    assert not events.filter(site__isnull=False).exists()
    assert not events.filter(attendance__isnull=False).exists()


def test_attendance_is_set_on_the_events_and_kept_where_the_number_of_events_is_unknown(
    england: list[Municipality],
) -> None:
    _import("events", "events.csv")
    result = _import("event-attendance", "event_attendance.csv")
    reference = REFERENCE["attendance"]
    assert result.rows_read == reference["rows"]
    assert result.skipped == 0
    assert result.updated == reference["with_events_row"]["rows"] == 1705
    assert result.created == reference["without_events_row"]["rows"] == 373
    # No attendance is lost: every attendance row of the file is stored.
    assert Event.objects.aggregate(total=Sum("attendance"))["total"] == reference["total"]
    unknown = Event.objects.filter(occurrences__isnull=True)
    assert unknown.count() == 373
    assert (
        unknown.aggregate(total=Sum("attendance"))["total"]
        == (reference["without_events_row"]["total"])
    )
    events = Event.objects.filter(attendance__isnull=False, occurrences__isnull=False)
    assert events.count() == 1705
    assert (
        events.aggregate(total=Sum("attendance"))["total"]
        == (reference["with_events_row"]["total"])
    )
    by_group: Counter[str] = Counter()
    for is_digital, audience, attendance in events.values_list(
        "is_digital", "audience", "attendance"
    ):
        by_group[_group(is_digital, audience)] += attendance or 0
    assert dict(by_group) == reference["with_events_row_by_type_and_age"]
    spot = REFERENCE["events"]["spot"]
    event = Event.objects.get(
        municipality__number=spot["authority"],
        source_key=f"ace:physical:adult:{spot['period']}",
    )
    assert (event.occurrences, event.attendance) == (spot["count"], spot["attendance"])
    assert event.audience == Audience.ADULTS and not event.is_digital


def test_the_two_files_can_be_imported_in_either_order(england: list[Municipality]) -> None:
    first = _import("event-attendance", "event_attendance.csv")
    assert first.created == REFERENCE["attendance"]["rows"]
    assert not Event.objects.filter(occurrences__isnull=False).exists()
    second = _import("events", "events.csv")
    assert second.updated == REFERENCE["attendance"]["with_events_row"]["rows"]
    assert second.created == REFERENCE["events"]["rows_without_attendance_row"] == 780
    assert (
        Event.objects.aggregate(total=Sum("attendance"))["total"]
        == (REFERENCE["attendance"]["total"])
    )
    assert (
        Event.objects.aggregate(total=Sum("occurrences"))["total"] == (REFERENCE["events"]["total"])
    )
    assert Event.objects.filter(occurrences__isnull=True).count() == 373


def test_reimporting_the_events_keeps_the_attendance(england: list[Municipality]) -> None:
    _import("events", "events.csv")
    _import("event-attendance", "event_attendance.csv")
    again = _import("events", "events.csv", force=True)
    assert (again.created, again.updated) == (0, 0)
    total = Event.objects.aggregate(total=Sum("attendance"))["total"]
    assert total == REFERENCE["attendance"]["total"]


def test_reimporting_adds_nothing(england: list[Municipality]) -> None:
    for profile, name in (
        ("visits", "visits.csv"),
        ("events", "events.csv"),
        ("event-attendance", "event_attendance.csv"),
    ):
        _import(profile, name)
        assert _import(profile, name).already_imported
        forced = _import(profile, name, force=True)
        assert (forced.created, forced.updated) == (0, 0), profile
    assert VisitCount.objects.count() == REFERENCE["visits"]["rows"]
    # every events row, plus the attendance rows that have no events row
    assert Event.objects.count() == REFERENCE["events"]["rows"] + 373


def test_municipality_option_imports_one_authority_only(england: list[Municipality]) -> None:
    result = _import("visits", "visits.csv", municipality="gb-city-of-london")
    # grep -c '^E09000001,' visits.csv → 4
    assert (result.created, result.skipped) == (4, REFERENCE["visits"]["rows"] - 4)
    assert set(VisitCount.objects.values_list("municipality__number", flat=True)) == {"E09000001"}


def test_an_authority_without_a_municipality_is_an_error_naming_it() -> None:
    make_municipality("gb-city-of-london", number="E09000001", country="GB")
    with pytest.raises(ImportFailed) as failure:
        _import("events", "events.csv")
    assert {issue.value for issue in failure.value.issues} >= {"E09000003", "E09000011"}
    assert "E09000001" not in {issue.value for issue in failure.value.issues}
    assert all(issue.column == "Authority" for issue in failure.value.issues)
    assert not Event.objects.exists()
