"""Local wall-clock time ↔ UTC, checked against instants computed by GNU ``date`` with the
system tzdata (``reference/local_days.json``), not by the code under test."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from torg.lib.localtime import (
    FIRST_DAY,
    LAST_DAY,
    UTC,
    add_months,
    calendar_date,
    local_date,
    local_day_bounds,
    parse_iso_day,
    parse_iso_interval,
    parse_local_datetime,
    start_of_local_day,
    zone,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "local_days.json").read_text())
OSLO = zone("Europe/Oslo")
SANTIAGO = zone("America/Santiago")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


MIDNIGHTS = [
    (zone_name, day, expected)
    for zone_name, days in REFERENCE["local_midnight_utc"].items()
    for day, expected in days.items()
]


@pytest.mark.parametrize(("zone_name", "day", "expected"), MIDNIGHTS)
def test_a_local_day_starts_at_the_instant_gnu_date_gives(zone_name, day, expected):
    assert start_of_local_day(dt.date.fromisoformat(day), zone(zone_name)) == utc(expected)


@pytest.mark.parametrize(
    ("day", "hours"), sorted(REFERENCE["day_length_hours"]["Europe/Oslo"].items())
)
def test_local_day_bounds_cover_the_23_and_25_hour_days_in_oslo(day, hours):
    first = dt.date.fromisoformat(day)
    start, end = local_day_bounds(first, first, OSLO)
    assert end - start == dt.timedelta(hours=hours)
    # The last minute of the local day is inside the bounds, the first of the next is not.
    last_minute = dt.datetime.combine(first, dt.time(23, 59), tzinfo=OSLO).astimezone(UTC)
    next_day = dt.datetime.combine(first + dt.timedelta(days=1), dt.time(0), tzinfo=OSLO)
    assert start <= last_minute < end
    assert next_day.astimezone(UTC) == end


def test_the_range_1_to_31_march_includes_all_of_31_march_local_time():
    start, end = local_day_bounds(dt.date(2024, 3, 1), dt.date(2024, 3, 31), OSLO)
    assert end - start == dt.timedelta(hours=REFERENCE["month_of_march_2024_hours_in_Europe/Oslo"])
    late_on_the_31st = parse_local_datetime("2024-03-31 23:59", OSLO)
    assert start <= late_on_the_31st < end
    assert parse_local_datetime("2024-04-01 00:00", OSLO) == end


def test_local_day_bounds_refuse_a_range_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="before the first"):
        local_day_bounds(dt.date(2024, 3, 2), dt.date(2024, 3, 1), OSLO)


def test_a_day_whose_midnight_does_not_exist_starts_when_the_clocks_resume():
    # Chile moves its clocks from 00:00 to 01:00; 8 September 2024 has no midnight.
    start = start_of_local_day(dt.date(2024, 9, 8), SANTIAGO)
    assert start == utc(REFERENCE["local_midnight_utc"]["America/Santiago"]["2024-09-08"])
    assert start.astimezone(SANTIAGO).time() == dt.time(1, 0)


@pytest.mark.parametrize(
    ("text", "expected"), sorted(REFERENCE["wall_clock_utc"]["Europe/Oslo"].items())
)
def test_wall_clock_time_in_oslo_becomes_the_utc_instant_gnu_date_gives(text, expected):
    assert parse_local_datetime(text, OSLO) == utc(expected)
    assert parse_local_datetime(text.replace(" ", "T") + ":00", OSLO) == utc(expected)


def test_a_time_skipped_when_the_clocks_go_forward_is_refused_with_a_reason():
    with pytest.raises(ValueError, match=r"does not exist in Europe/Oslo \(the clocks go forward"):
        parse_local_datetime("2024-03-31 02:30", OSLO)


def test_a_time_that_occurs_twice_when_the_clocks_go_back_needs_an_offset():
    with pytest.raises(ValueError, match=r"occurs twice .* give it with its UTC offset"):
        parse_local_datetime("2024-10-27 02:30", OSLO)


def test_an_explicit_offset_decides_which_of_the_two_0230s_is_meant():
    summer = parse_local_datetime("2024-10-27T02:30+02:00", OSLO)
    winter = parse_local_datetime("2024-10-27T02:30+01:00", OSLO)
    assert summer == dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert winter == dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert winter - summer == dt.timedelta(hours=1)


def test_an_explicit_offset_is_honoured_even_when_it_is_not_the_zones():
    # 08:54+01:00 in July is 07:54 UTC, although Oslo is at +02:00 then.
    assert parse_local_datetime("2024-07-01 08:54+01:00", OSLO) == dt.datetime(
        2024, 7, 1, 7, 54, tzinfo=UTC
    )
    assert parse_local_datetime("2024-07-01T06:54Z", OSLO) == dt.datetime(
        2024, 7, 1, 6, 54, tzinfo=UTC
    )


def test_a_bare_date_is_local_midnight():
    assert parse_local_datetime("2024-10-27", OSLO) == utc(
        REFERENCE["local_midnight_utc"]["Europe/Oslo"]["2024-10-27"]
    )


@pytest.mark.parametrize(
    "text", ["", "  ", "yesterday", "2024-13-01", "2024-02-30 10:00", "1.3.2024"]
)
def test_text_that_is_no_date_time_is_refused(text):
    with pytest.raises(ValueError):
        parse_local_datetime(text, OSLO)


def test_an_unknown_time_zone_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown time zone 'Europe/Oslow'"):
        zone("Europe/Oslow")


def test_the_local_date_of_an_instant_follows_the_sites_zone():
    instant = dt.datetime(2024, 3, 30, 23, 30, tzinfo=UTC)  # 00:30 on 31 March in Oslo
    assert local_date(instant, OSLO) == dt.date(2024, 3, 31)
    assert local_date(instant, UTC) == dt.date(2024, 3, 30)


@pytest.fixture
def process_time_zone_utc() -> Iterator[None]:
    """Set the process time zone to UTC (as on many servers) and restore it afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        assert time.strftime("%z") == "+0000"
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_a_process_in_utc_still_reads_0854_oslo_time_as_0854(process_time_zone_utc):
    instant = parse_local_datetime("2024-03-01 08:54", OSLO)
    assert instant == dt.datetime(2024, 3, 1, 7, 54, tzinfo=UTC)
    assert instant.astimezone(OSLO).strftime("%H:%M") == "08:54"


def test_a_separate_process_started_with_tz_utc_records_0854_as_0854():
    script = (
        "from torg.lib.localtime import parse_local_datetime, zone\n"
        "import time\n"
        "i = parse_local_datetime('2024-03-01 08:54', zone('Europe/Oslo'))\n"
        "print(time.strftime('%z'), i.isoformat(), i.astimezone(zone('Europe/Oslo')).strftime('%H:%M'))\n"
    )
    env = {**os.environ, "TZ": "UTC"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["+0000", "2024-03-01T07:54:00+00:00", "08:54"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 3, 31), -1, dt.date(2024, 2, 29)),
        (dt.date(2024, 11, 15), 2, dt.date(2025, 1, 15)),
    ],
)
def test_adding_months_clamps_the_day_to_the_months_length(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-04-01/P1M", (dt.date(2023, 4, 1), dt.date(2023, 5, 1))),
        ("2023-04-01/P3M", (dt.date(2023, 4, 1), dt.date(2023, 7, 1))),
        ("2023-01-01/P1Y", (dt.date(2023, 1, 1), dt.date(2024, 1, 1))),
        ("2023-04-03/P1W", (dt.date(2023, 4, 3), dt.date(2023, 4, 10))),
        ("2023-04-01/2023-06-30", (dt.date(2023, 4, 1), dt.date(2023, 7, 1))),
    ],
)
def test_an_iso_interval_becomes_a_half_open_range_of_days(text, expected):
    assert parse_iso_interval(text) == expected


@pytest.mark.parametrize("text", ["2023-04-01", "2023-04-01/P0D", "2023-04-01/2023-03-01", "x/P1M"])
def test_an_interval_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_iso_interval(text)


@pytest.mark.parametrize("text", ["0001-01-01", "1899-12-31", "2101-01-02", "9999-12-30 10:00"])
def test_a_day_outside_the_accepted_calendar_is_refused_with_the_years(text: str) -> None:
    with pytest.raises(ValueError, match="outside the years Torg accepts \\(1900–2100\\)"):
        parse_local_datetime(text, OSLO)


def test_the_accepted_calendar_ends_with_a_bound_for_its_last_day() -> None:
    start, end = local_day_bounds(LAST_DAY, LAST_DAY, OSLO)
    assert end - start == dt.timedelta(days=1)
    with pytest.raises(ValueError, match="outside the years"):
        start_of_local_day(FIRST_DAY - dt.timedelta(days=1), OSLO)


def test_the_midnight_after_the_last_accepted_day_may_end_a_period() -> None:
    assert parse_local_datetime("2101-01-01", OSLO) == parse_local_datetime(
        "2101-01-01 00:00", OSLO
    )
    with pytest.raises(ValueError, match="outside the years"):
        parse_local_datetime("2101-01-01 00:30", OSLO)


@pytest.mark.parametrize(
    "text", ["2100-12-01/P2M", "2023-04-01/P99999Y", "2023-04-01/P999999999D", "1899-12-01/P1M"]
)
def test_an_interval_outside_the_accepted_calendar_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"(ends after|outside) the years Torg accepts"):
        parse_iso_interval(text)


def test_an_interval_may_end_with_the_last_accepted_day() -> None:
    assert parse_iso_interval("2100-12-01/P1M") == (dt.date(2100, 12, 1), dt.date(2101, 1, 1))


# --- the wording of dates that are no dates (issue 2's trial) ----------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-02-30", "30 February 2025 is not a date (February 2025 has 28 days)"),
        ("2024-02-30", "30 February 2024 is not a date (February 2024 has 29 days)"),
        ("2025-04-31", "31 April 2025 is not a date (April 2025 has 30 days)"),
        ("2025-13-01", "there is no month 13 (the months are 1 to 12)"),
        ("2025-01-00", "0 January 2025 is not a date (January 2025 has 31 days)"),
        ("99999-01-01", "the year 99999 does not have four digits; write the date as YYYY-MM-DD"),
        ("1.3.2025", "not a date in the form YYYY-MM-DD"),
    ],
)
def test_a_day_that_is_no_date_is_worded_for_a_person(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_iso_day(text)
    assert str(caught.value) == reason


def test_a_day_that_is_no_date_in_a_date_time_field_says_so_without_python_s_words() -> None:
    for text in ("2025-02-30", "2025-02-30 08:00", "2025-02-30T08:00"):
        with pytest.raises(ValueError) as caught:
            parse_local_datetime(text, zone("Europe/Oslo"))
        assert str(caught.value) == "30 February 2025 is not a date (February 2025 has 28 days)"


def test_a_five_digit_year_does_not_mention_a_time() -> None:
    with pytest.raises(ValueError) as caught:
        parse_local_datetime("99999-01-01", zone("Europe/Oslo"))
    assert "HH:MM" not in str(caught.value)
    assert "99999" in str(caught.value)


def test_calendar_date_gives_the_date_when_it_exists() -> None:
    assert calendar_date(2024, 2, 29) == dt.date(2024, 2, 29)
    assert parse_iso_day(" 2100-12-31 ") == LAST_DAY
