"""Desk statistics and time: business days that start after midnight, the days when
daylight saving time starts (23 hours) and ends (25 hours) in the hourly series and its
exports, inclusive period ends, and inquiries without a time of day.

Reference figures are worked out by hand in the comments: Europe/Oslo is UTC+1 in winter
and UTC+2 in summer; in 2026 the clocks go forward at 02:00 on 29 March and back at 03:00
on 25 October (EU rule: the last Sunday of March and of October, 01:00 UTC)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zoneinfo

import pytest
from django.utils.translation import override
from openpyxl import load_workbook

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.inquiries.statistics import StatisticsFilters, inquiry_statistics
from torg.inquiries.statistics_export import lines, xlsx_bytes
from torg.lib.business_day import (
    business_day_bounds,
    business_day_hours,
    business_day_of,
    business_day_start,
)
from torg.organisation.models import Site
from torg.testing.factories import local, make_site

UTC = dt.UTC
THREE = dt.time(3)

pytestmark = pytest.mark.django_db


def log(site: Site, when: dt.datetime, *, known: bool = True, **fields: object) -> Inquiry:
    values: dict[str, object] = {
        "channel": Channel.IN_PERSON,
        "outcome": Outcome.RESOLVED,
        "domain": "unknown",
    }
    values.update(fields)
    return Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=when,
        time_of_day_known=known,
        **values,
    )


# --- torg.lib.business_day, no database -------------------------------------------------


def test_a_business_day_starting_at_three_begins_at_three_local_time():
    # 10 March 2026 is winter time (UTC+1): 03:00 local is 02:00 UTC.
    start = business_day_start(dt.date(2026, 3, 10), THREE, "Europe/Oslo")
    assert start == dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def test_an_instant_before_the_start_of_the_business_day_belongs_to_the_day_before():
    # Saturday 14 March 2026 01:30 local, day starting 03:00: Friday's business day.
    instant = local(2026, 3, 14, 1, 30)
    assert business_day_of(instant, THREE, "Europe/Oslo") == dt.date(2026, 3, 13)
    assert business_day_of(local(2026, 3, 14, 3, 0), THREE, "Europe/Oslo") == dt.date(2026, 3, 14)
    assert business_day_of(instant, dt.time(0), "Europe/Oslo") == dt.date(2026, 3, 14)


def test_a_start_in_the_skipped_hour_moves_to_the_end_of_the_gap():
    # 02:30 does not exist on 29 March 2026 in Oslo; the day starts at 03:00 CEST (01:00 UTC).
    start = business_day_start(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Oslo")
    assert start == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25), (dt.date(2026, 6, 1), 24)],
)
def test_calendar_days_have_23_or_25_hours_when_the_clocks_change(day, hours):
    assert len(list(business_day_hours(day, dt.time(0), "Europe/Oslo"))) == hours


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        # The night of the change falls in the business day that starts the day before.
        (dt.date(2026, 3, 28), 23),
        (dt.date(2026, 3, 29), 24),
        (dt.date(2026, 10, 24), 25),
        (dt.date(2026, 10, 25), 24),
    ],
)
def test_a_business_day_from_three_to_three_holds_the_changed_night(day, hours):
    assert len(list(business_day_hours(day, THREE, "Europe/Oslo"))) == hours


def test_business_day_bounds_include_the_whole_last_day():
    start, end = business_day_bounds(
        dt.date(2026, 3, 1), dt.date(2026, 3, 31), THREE, "Europe/Oslo"
    )
    # 1 March 03:00 CET = 02:00 UTC; 1 April 03:00 CEST = 01:00 UTC.
    assert start == dt.datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert end == dt.datetime(2026, 4, 1, 1, 0, tzinfo=UTC)


# --- The statistics -------------------------------------------------------------------


def test_an_inquiry_at_half_past_one_counts_on_the_previous_business_day(site_a):
    site_a.business_day_starts = THREE
    site_a.save()
    log(site_a, local(2026, 3, 14, 1, 30))  # Saturday 01:30 -> Friday's business day
    log(site_a, local(2026, 3, 14, 10, 0))  # Saturday 10:00 -> Saturday
    stats = inquiry_statistics(site_a.municipality, StatisticsFilters(site=site_a))
    (heat_map,) = stats.heat_maps
    friday, saturday = 4, 5
    assert heat_map.counts[friday][1] == 1
    assert heat_map.counts[saturday][10] == 1
    assert heat_map.total == 2
    # The columns start with the hour in which the business day starts.
    assert heat_map.hour_order[:3] == (3, 4, 5) and heat_map.hour_order[-1] == 2


def test_the_period_runs_from_the_start_of_the_first_to_the_end_of_the_last_business_day(site_a):
    site_a.business_day_starts = THREE
    site_a.save()
    log(site_a, local(2026, 3, 1, 2, 59))  # business day 28 Feb: out
    log(site_a, local(2026, 3, 1, 3, 0))  # business day 1 March: in
    log(site_a, local(2026, 3, 31, 23, 59))  # 31 March: in
    log(site_a, local(2026, 4, 1, 2, 30))  # still business day 31 March: in
    log(site_a, local(2026, 4, 1, 3, 0))  # 1 April: out
    # Time of day unknown: stored at local midnight, judged by its calendar date.
    log(site_a, local(2026, 3, 1, 0, 0), known=False)  # 1 March: in
    log(site_a, local(2026, 4, 1, 0, 0), known=False)  # 1 April: out
    march = StatisticsFilters(first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31))
    stats = inquiry_statistics(site_a.municipality, march)
    assert stats.total == 4
    assert stats.time_unknown == 1


def test_the_last_day_of_a_calendar_period_is_included_until_midnight(site_a):
    log(site_a, local(2026, 3, 31, 23, 59))
    log(site_a, local(2026, 4, 1, 0, 0))
    march = StatisticsFilters(first_day=dt.date(2026, 3, 1), last_day=dt.date(2026, 3, 31))
    assert inquiry_statistics(site_a.municipality, march).total == 1


def test_inquiries_without_a_time_of_day_count_in_totals_but_not_in_the_heat_map(site_a):
    log(site_a, local(2026, 5, 4, 9, 15))
    log(site_a, local(2026, 5, 4), known=False)
    log(site_a, local(2026, 5, 5), known=False)
    stats = inquiry_statistics(site_a.municipality, StatisticsFilters())
    assert (stats.total, stats.time_unknown, stats.time_known) == (3, 2, 1)
    assert stats.heat_maps[0].total == 1
    assert stats.heat_maps[0].counts[0][0] == 0  # not put at midnight on Monday


def _dst_world(site: Site) -> None:
    # 29 March 2026, clocks forward at 02:00 CET (01:00 UTC) to 03:00 CEST.
    log(site, dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 01:30 CET: local hour 01
    log(site, dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC))  # 03:30 CEST: local hour 03
    # 25 October 2026, clocks back at 03:00 CEST (01:00 UTC) to 02:00 CET: 02:xx twice.
    log(site, dt.datetime(2026, 10, 25, 0, 15, tzinfo=UTC))  # 02:15 CEST
    log(site, dt.datetime(2026, 10, 25, 1, 15, tzinfo=UTC))  # 02:15 CET
    log(site, dt.datetime(2026, 10, 25, 1, 45, tzinfo=UTC))  # 02:45 CET
    log(site, local(2026, 10, 25), known=False)


DST_DAYS = StatisticsFilters(first_day=dt.date(2026, 3, 29), last_day=dt.date(2026, 3, 29))
FALL_DAYS = StatisticsFilters(first_day=dt.date(2026, 10, 25), last_day=dt.date(2026, 10, 25))


def test_the_day_daylight_saving_time_starts_has_23_hours_in_the_hourly_series(site_a):
    _dst_world(site_a)
    stats = inquiry_statistics(site_a.municipality, DST_DAYS)
    assert stats.hourly is not None
    (day,) = stats.hourly.days
    assert len(day.hours) == 23
    starts = [hour.start.strftime("%H") for hour in day.hours]
    assert "02" not in starts and starts[:3] == ["00", "01", "03"]
    counts = {hour.start.isoformat(): hour.count for hour in day.hours}
    assert counts["2026-03-29T01:00:00+01:00"] == 1
    assert counts["2026-03-29T03:00:00+02:00"] == 1
    assert day.total == 2 == stats.total


def test_the_day_daylight_saving_time_ends_has_25_hours_and_two_hours_at_two(site_a):
    _dst_world(site_a)
    stats = inquiry_statistics(site_a.municipality, FALL_DAYS)
    assert stats.hourly is not None
    (day,) = stats.hourly.days
    assert len(day.hours) == 25
    counts = {hour.start.isoformat(): hour.count for hour in day.hours}
    assert counts["2026-10-25T02:00:00+02:00"] == 1
    assert counts["2026-10-25T02:00:00+01:00"] == 2
    assert day.time_unknown == 1 and day.total == 4 == stats.total
    # The heat map has no such hours: both 02:00 hours are Sunday 02.
    assert stats.heat_maps[0].counts[6][2] == 3


@override("en")  # the table and sheet names are read in English
def test_the_csv_and_xlsx_exports_have_23_and_25_hour_rows_on_those_days(site_a):
    _dst_world(site_a)
    both = StatisticsFilters(first_day=dt.date(2026, 3, 29), last_day=dt.date(2026, 10, 25))
    assert inquiry_statistics(site_a.municipality, both).hourly is None  # too long a period
    for filters, hours in ((DST_DAYS, 23), (FALL_DAYS, 25)):
        stats = inquiry_statistics(site_a.municipality, filters)
        hourly = [line for line in lines(stats) if line.table == "Inquiries per hour"]
        assert len(hourly) == hours + 1  # and one "time of day unknown" line
        workbook = load_workbook(io.BytesIO(xlsx_bytes(stats, filters_text=[])))
        sheet = workbook["Hours"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == hours + 1
        assert sum(int(str(row[2])) for row in rows) == stats.total


def test_the_csv_export_of_the_25_hour_day_names_each_hour_with_its_offset(
    site_a, manager_x, client_for
):
    _dst_world(site_a)
    response = client_for(manager_x).get(
        f"/m/{site_a.municipality.slug}/inquiries/statistics/export.csv",
        {"date_from": "2026-10-25", "date_to": "2026-10-25", "delimiter": "comma"},
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    # The hourly lines are those whose row is the business day (whatever the language).
    rows = [row for row in csv.reader(io.StringIO(text)) if row[2] == "2026-10-25"]
    columns = [row[3] for row in rows]
    assert "2026-10-25T02:00:00+02:00" in columns and "2026-10-25T02:00:00+01:00" in columns
    assert len(rows) == 26


def test_sites_in_zones_with_half_hour_offsets_are_bucketed_by_minute(municipality_x):
    kolkata = make_site(municipality_x, "Kolkata desk", time_zone="Asia/Kolkata")
    # 04:40 UTC = 10:10 IST and 04:20 UTC = 09:50 IST: one UTC hour, two local hours.
    log(kolkata, dt.datetime(2026, 2, 2, 4, 40, tzinfo=UTC))
    log(kolkata, dt.datetime(2026, 2, 2, 4, 20, tzinfo=UTC))
    stats = inquiry_statistics(municipality_x, StatisticsFilters(site=kolkata))
    monday = stats.heat_maps[0].counts[0]
    assert (monday[9], monday[10]) == (1, 1)


def test_several_zones_give_no_hourly_series_and_say_why(site_a, municipality_x):
    berkeley = make_site(municipality_x, "Berkeley", time_zone="America/Los_Angeles")
    log(site_a, local(2026, 5, 4, 9))
    log(berkeley, local(2026, 5, 4, 9, zone="America/Los_Angeles"))
    days = StatisticsFilters(first_day=dt.date(2026, 5, 4), last_day=dt.date(2026, 5, 4))
    stats = inquiry_statistics(municipality_x, days)
    assert stats.hourly is None and stats.hourly_unavailable == "several_zones"
    assert stats.total == 2
    # Each site's heat map uses its own local hour: both at 09 on Monday.
    assert [hm.counts[0][9] for hm in stats.heat_maps] == [1, 1]


@pytest.mark.parametrize("starts", [dt.time(0), dt.time(2), THREE])
def test_the_heat_map_agrees_with_a_row_by_row_wall_clock_count_around_both_changes(site_a, starts):
    # The statistics group by UTC hour and place each hour once; the reference here places
    # every row by its own local wall-clock time (the business day is the day before when
    # the wall clock shows less than the start), with zoneinfo and nothing of Torg's.
    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    site_a.business_day_starts = starts
    site_a.save()
    rng = random.Random(7)
    expected = [[0] * 24 for _ in range(7)]
    for centre in (
        dt.datetime(2026, 3, 29, 1, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
    ):
        for _ in range(150):
            instant = centre + dt.timedelta(minutes=rng.randrange(-36 * 60, 36 * 60))
            log(site_a, instant)
            wall = instant.astimezone(oslo)
            day = wall.date() - dt.timedelta(days=1) if wall.time() < starts else wall.date()
            expected[day.weekday()][wall.hour] += 1
    stats = inquiry_statistics(site_a.municipality, StatisticsFilters(site=site_a))
    assert [list(row) for row in stats.heat_maps[0].counts] == expected
