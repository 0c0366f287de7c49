"""The dashboard's visit and event aggregates: local-calendar buckets (DST nights, sites in
other zones), granularity that follows the data, zero versus missing, and yearly totals of
Toronto's real branch counts against sums computed with awk."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from torg.lib.localtime import local_day_bounds, zone
from torg.organisation.models import Site
from torg.testing.factories import demo_data_file, local, make_site
from torg.visits.aggregates import (
    Granularity,
    LocalDateRange,
    bucket_count,
    bucket_label,
    bucket_range,
    coarsen_for_span,
    events_by_audience,
    granularity_for_periods,
    outside_calendar,
    visits_over_time,
)
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount

UTC = dt.UTC
REFERENCE = Path(__file__).parent / "reference"


def count(site: Site, start: dt.datetime, end: dt.datetime, visits: int) -> VisitCount:
    return VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=end,
        count=visits,
        method=CountMethod.AUTOMATIC,
    )


def hourly_ones(site: Site, first: dt.date, last: dt.date) -> None:
    """One visit in every real hour from local ``first`` to ``last`` inclusive."""
    start, end = local_day_bounds(first, last, site.zone)
    instant = start
    rows = []
    while instant < end:
        rows.append(
            VisitCount(
                municipality=site.municipality,
                site=site,
                period_start=instant,
                period_end=instant + dt.timedelta(hours=1),
                count=1,
                method=CountMethod.AUTOMATIC,
            )
        )
        instant += dt.timedelta(hours=1)
    VisitCount.objects.bulk_create(rows)


def test_the_spring_dst_night_gives_a_23_hour_day_and_no_count_moves_to_another_day(site_a):
    hourly_ones(site_a, dt.date(2024, 3, 30), dt.date(2024, 4, 1))
    series = visits_over_time(site_a.municipality, granularity=Granularity.DAY)
    (site,) = series.sites
    # Oslo: clocks go from 02:00 to 03:00 on 31 March 2024, so that day has 23 hours.
    assert site.counts == {
        dt.date(2024, 3, 30): 24,
        dt.date(2024, 3, 31): 23,
        dt.date(2024, 4, 1): 24,
    }


def test_the_autumn_dst_night_gives_a_25_hour_day(site_a):
    hourly_ones(site_a, dt.date(2024, 10, 26), dt.date(2024, 10, 28))
    series = visits_over_time(site_a.municipality, granularity=Granularity.DAY)
    assert series.sites[0].counts == {
        dt.date(2024, 10, 26): 24,
        dt.date(2024, 10, 27): 25,
        dt.date(2024, 10, 28): 24,
    }


def test_a_count_is_bucketed_by_its_sites_zone_not_the_servers(municipality_x):
    toronto = make_site(municipality_x, "Toronto branch", time_zone="America/Toronto")
    oslo = make_site(municipality_x, "Oslo branch")
    # 23:30 on 10 March in Toronto (the night its clocks went forward) is 03:30 UTC and
    # 04:30 in Oslo on 11 March; 00:30 on 1 April in Oslo is 22:30 UTC on 31 March.
    count(
        toronto,
        local(2024, 3, 10, 23, 30, "America/Toronto"),
        local(2024, 3, 11, 0, 0, "America/Toronto"),
        7,
    )
    count(oslo, local(2024, 4, 1, 0, 30), local(2024, 4, 1, 1, 0), 5)
    series = visits_over_time(municipality_x, granularity=Granularity.DAY)
    by_site = {s.name: s.counts for s in series.sites}
    assert by_site["Toronto branch"] == {dt.date(2024, 3, 10): 7}
    assert by_site["Oslo branch"] == {dt.date(2024, 4, 1): 5}
    monthly = visits_over_time(municipality_x, granularity=Granularity.MONTH)
    assert {s.name: s.counts for s in monthly.sites} == {
        "Toronto branch": {dt.date(2024, 3, 1): 7},
        "Oslo branch": {dt.date(2024, 4, 1): 5},
    }


def test_the_last_day_of_a_date_range_is_included_up_to_local_midnight(site_a):
    count(site_a, local(2024, 3, 31, 23, 30), local(2024, 4, 1, 0, 0), 3)
    count(site_a, local(2024, 4, 1, 0, 0), local(2024, 4, 1, 0, 30), 100)
    march = LocalDateRange(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert visits_over_time(site_a.municipality, period=march).total == 3


def test_monthly_counts_give_months_and_a_quarter_among_them_gives_quarters(site_a):
    count(site_a, local(2023, 4, 1), local(2023, 5, 1), 10)
    count(site_a, local(2023, 5, 1), local(2023, 6, 1), 20)
    assert visits_over_time(site_a.municipality).granularity is Granularity.MONTH
    count(site_a, local(2023, 7, 1), local(2023, 10, 1), 30)
    series = visits_over_time(site_a.municipality)
    assert series.granularity is Granularity.QUARTER
    assert [t.visits for t in series.totals()] == [30, 30]


def test_granularity_rules_on_plain_durations():
    assert granularity_for_periods([]) is Granularity.DAY
    assert granularity_for_periods([dt.timedelta(hours=25)]) is Granularity.DAY
    assert granularity_for_periods([dt.timedelta(days=7)]) is Granularity.WEEK
    assert granularity_for_periods([dt.timedelta(days=31, hours=1)]) is Granularity.MONTH
    assert granularity_for_periods([dt.timedelta(days=365)]) is Granularity.YEAR
    # 400 days of daily figures would be 400 bars: shown by week (58 buckets).
    assert (
        coarsen_for_span(Granularity.DAY, dt.date(2023, 1, 1), dt.date(2024, 2, 4))
        is Granularity.WEEK
    )
    assert bucket_label(dt.date(2024, 4, 1), Granularity.QUARTER) == "2024-Q2"
    assert bucket_label(dt.date(2024, 12, 30), Granularity.WEEK) == "2025-W01"


def test_zero_is_a_count_and_a_period_without_a_count_is_missing(municipality_x):
    first = make_site(municipality_x, "First")
    second = make_site(municipality_x, "Second")
    count(first, local(2023, 1, 1), local(2023, 2, 1), 0)
    count(first, local(2023, 3, 1), local(2023, 4, 1), 4)
    count(second, local(2023, 1, 1), local(2023, 2, 1), 2)
    series = visits_over_time(municipality_x)
    assert [series.label(b) for b in series.buckets] == ["2023-01", "2023-02", "2023-03"]
    by_name = {s.name: s for s in series.sites}
    assert [by_name["First"].value(b) for b in series.buckets] == [0, None, 4]
    totals = series.totals()
    assert [(t.visits, t.sites_reporting) for t in totals] == [(2, 2), (None, 0), (4, 1)]


def test_another_municipalitys_counts_never_reach_the_series(site_a, site_b):
    count(site_a, local(2023, 1, 1), local(2023, 2, 1), 5)
    count(site_b, local(2023, 1, 1), local(2023, 2, 1), 500)
    series = visits_over_time(site_a.municipality)
    assert series.total == 5
    assert [s.name for s in series.sites] == ["Torget A"]


def test_events_by_audience_add_attendance_and_count_unrecorded_attendance_apart(site_a):
    def event(audience: str, attendance: int | None, occurrences: int = 1, day: int = 5):
        Event.objects.create(
            municipality=site_a.municipality,
            site=site_a,
            starts_at=local(2024, 3, day, 18),
            event_type=EventType.CULTURE,
            audience=audience,
            attendance=attendance,
            occurrences=occurrences,
        )

    event(Audience.CHILDREN, 30)
    event(Audience.CHILDREN, 0)
    event(Audience.CHILDREN, None, occurrences=3)
    event(Audience.ADULTS, 12)
    event(Audience.ADULTS, 99, day=20)
    breakdown = events_by_audience(
        site_a.municipality, period=LocalDateRange(dt.date(2024, 3, 1), dt.date(2024, 3, 10))
    )
    rows = {row.audience: row for row in breakdown}
    assert (rows["children"].events, rows["children"].attendance) == (5, 30)
    assert rows["children"].events_without_attendance == 3
    assert (rows["adults"].events, rows["adults"].attendance) == (1, 12)
    assert (breakdown.events, breakdown.attendance) == (6, 42)


@pytest.fixture
def toronto(municipality_x):
    """Toronto's real yearly branch counts, loaded with the csv module (one site per
    branch code, each year from local 1 January to the next, America/Toronto)."""
    tz = zone("America/Toronto")
    path = demo_data_file("toronto-tpl/tpl-visits-annual-by-branch-2012-2022.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    sites = {
        code: Site.objects.create(
            municipality=municipality_x,
            name=code,
            code=code,
            time_zone="America/Toronto",
            kind="library",
        )
        for code in sorted({r["BranchCode"] for r in records})
    }
    VisitCount.objects.bulk_create(
        VisitCount(
            municipality=municipality_x,
            site=sites[r["BranchCode"]],
            period_start=dt.datetime(int(r["Year"]), 1, 1, tzinfo=tz),
            period_end=dt.datetime(int(r["Year"]) + 1, 1, 1, tzinfo=tz),
            count=int(r["Visits"]),
            method=CountMethod.REPORTED,
        )
        for r in records
    )
    return municipality_x


def test_torontos_yearly_totals_and_top_branches_match_the_awk_sums(toronto):
    expected = json.loads((REFERENCE / "toronto_visits_2012_2022.json").read_text())
    series = visits_over_time(toronto)
    assert series.granularity is Granularity.YEAR
    assert series.total == expected["total"]
    assert len(series.sites) == expected["branches"]
    assert {
        t.label: {"visits": t.visits, "branches": t.sites_reporting} for t in series.totals()
    } == expected["by_year"]
    assert [(s.name, s.total) for s in series.top_sites(8)] == [
        (b["code"], b["visits"]) for b in expected["top_branches"]
    ]


# --- The edges of the calendar ----------------------------------------------------------


def test_bucket_ranges_stop_at_the_last_accepted_day_and_never_overflow():
    last_years = bucket_range(dt.date(2099, 6, 1), dt.date(9999, 12, 31), Granularity.YEAR)
    assert last_years == [dt.date(2099, 1, 1), dt.date(2100, 1, 1)]
    months = bucket_range(dt.date(2100, 11, 5), dt.date.max, Granularity.MONTH)
    assert months == [dt.date(2100, 11, 1), dt.date(2100, 12, 1)]
    assert bucket_range(dt.date(9999, 1, 1), dt.date(9999, 12, 31), Granularity.QUARTER) == []
    first_weeks = bucket_range(dt.date(1, 1, 1), dt.date(1900, 1, 8), Granularity.WEEK)
    assert first_weeks == [dt.date(1900, 1, 1), dt.date(1900, 1, 8)]  # 1900-01-01 is a Monday


def test_bucket_count_agrees_with_bucket_range():
    cases = [
        (dt.date(2023, 12, 31), dt.date(2024, 3, 1)),
        (dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
        (dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
    ]
    for first, last in cases:
        for granularity in Granularity:
            if granularity is Granularity.DAY and (last - first).days > 1000:
                continue
            assert bucket_count(first, last, granularity) == len(
                bucket_range(first, last, granularity)
            ), (first, last, granularity)


def test_a_count_dated_in_the_year_9999_is_left_out_and_counted_as_such(site_a):
    # What an import accepted before imports refused such dates: the dashboard crashed
    # with "year 10000 is out of range", or drew a bucket for every year up to it.
    count(site_a, local(2023, 1, 1), local(2024, 1, 1), 500)
    count(site_a, dt.datetime(9999, 6, 1, tzinfo=UTC), dt.datetime(9999, 7, 1, tzinfo=UTC), 7)
    count(site_a, dt.datetime(3000, 1, 1, tzinfo=UTC), dt.datetime(3001, 1, 1, tzinfo=UTC), 8)
    series = visits_over_time(site_a.municipality)
    assert series.buckets == (dt.date(2023, 1, 1),)
    assert series.total == 500
    assert not series.too_many_buckets
    queryset = VisitCount.objects.filter(municipality=site_a.municipality)
    assert outside_calendar(site_a.municipality, queryset, "period_start") == 2


def test_counts_spanning_more_years_than_a_chart_can_show_have_no_buckets(site_a):
    count(site_a, local(1900, 1, 1), local(1901, 1, 1), 1)
    count(site_a, local(2100, 1, 1), local(2101, 1, 1), 2)
    series = visits_over_time(site_a.municipality)
    assert series.granularity is Granularity.YEAR
    assert series.too_many_buckets
    assert series.buckets == ()
    assert (series.first_day, series.last_day) == (dt.date(1900, 1, 1), dt.date(2100, 1, 1))
    assert series.total == 3  # the totals still cover everything


def test_the_dashboard_says_what_it_left_out_and_what_it_cannot_draw(
    site_a, desk_worker_x, client_for
):
    count(site_a, local(1900, 1, 1), local(1901, 1, 1), 1)
    count(site_a, local(2100, 1, 1), local(2101, 1, 1), 2)
    count(site_a, dt.datetime(9999, 6, 1, tzinfo=UTC), dt.datetime(9999, 7, 1, tzinfo=UTC), 7)
    response = client_for(desk_worker_x).get(
        f"/m/{site_a.municipality.slug}/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "1 record is dated before 1900-01-01 or after 2100-12-31 and is left out of every "
        "figure." in html
    )
    assert "From 1900-01-01 to 2100-01-01 is too long a time to draw in one chart" in html
    assert 'id="chart-visits-total"' not in html
