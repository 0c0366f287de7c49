"""A site's hourly, daily and monthly visits: daylight-saving days have 23 and 25 hours,
the business day may start after midnight, missing hours stay missing, and a month's
total equals the sum of its days and of its hours (property test)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from torg.lib.business_day import business_day_hours, business_day_start
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy
from torg.testing.factories import make_site
from torg.visits.aggregates import Granularity, LocalDateRange, visits_over_time
from torg.visits.models import CountMethod, VisitCount, VisitDayTotal
from torg.visits.series import SeriesUnit, monthly_totals, site_series, slot_totals_by_day

HOUR = dt.timedelta(hours=1)


def _hourly(site: Site, start: dt.datetime, count: int, **extra: object) -> VisitCount:
    return VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=start + HOUR,
        count=count,
        method=CountMethod.AUTOMATIC,
        **extra,
    )


def test_the_hourly_view_has_23_and_25_hours_on_the_daylight_saving_days(site_a: Site) -> None:
    spring = site_series(
        site_a,
        site_a,
        unit=SeriesUnit.HOUR,
        first_day=dt.date(2024, 3, 31),
        last_day=dt.date(2024, 3, 31),
    )
    autumn = site_series(
        site_a,
        site_a,
        unit=SeriesUnit.HOUR,
        first_day=dt.date(2024, 10, 27),
        last_day=dt.date(2024, 10, 27),
    )
    assert len(spring.slots) == 23
    assert len(autumn.slots) == 25
    labels = [s.local_start.strftime("%H:%M%z") for s in autumn.slots[:4]]
    assert labels == ["00:00+0200", "01:00+0200", "02:00+0200", "02:00+0100"]
    assert [s.local_start.hour for s in spring.slots[:3]] == [0, 1, 3]
    # Nothing recorded: every hour is missing, none is 0.
    assert autumn.missing == 25 and autumn.total == 0 and autumn.coverage == 0


def test_zero_is_observed_and_missing_is_not(site_a: Site) -> None:
    day = dt.date(2024, 3, 4)
    hours = list(business_day_hours(day, site_a.business_day_starts, site_a.time_zone))
    _hourly(site_a, hours[9], 0)
    _hourly(site_a, hours[10], 14, is_estimate=True, estimate_reason="Counter reset")
    series = site_series(site_a, site_a, unit=SeriesUnit.HOUR, first_day=day, last_day=day)
    assert series.slots[9].visits == 0 and not series.slots[9].is_missing
    assert series.slots[10].visits == 14 and series.slots[10].estimated
    assert series.slots[11].visits is None
    assert (series.observed, series.missing, series.total, series.estimated) == (2, 22, 14, 1)


def test_a_business_day_from_03_00_puts_01_30_on_the_day_before(
    municipality_x: Municipality,
) -> None:
    site = make_site(municipality_x, "Nattåpent")
    site.business_day_starts = dt.time(3)
    site.save()
    oslo = site.zone
    _hourly(site, dt.datetime(2024, 3, 5, 1, 0, tzinfo=oslo), 6)
    days = site_series(
        site,
        site,
        unit=SeriesUnit.DAY,
        first_day=dt.date(2024, 3, 4),
        last_day=dt.date(2024, 3, 5),
    )
    assert [s.visits for s in days.slots] == [6, None]
    # A daily count is in the day and month views but left out (and said) in the hours.
    VisitCount.objects.create(
        municipality=municipality_x,
        site=site,
        period_start=dt.datetime(2024, 3, 5, 3, tzinfo=oslo),
        period_end=dt.datetime(2024, 3, 6, 3, tzinfo=oslo),
        count=40,
        method=CountMethod.MANUAL,
    )
    hours = site_series(
        site,
        site,
        unit=SeriesUnit.HOUR,
        first_day=dt.date(2024, 3, 5),
        last_day=dt.date(2024, 3, 5),
    )
    assert (hours.total, hours.longer_than_slot, hours.longer_than_slot_visits) == (0, 1, 40)


def test_another_municipalitys_site_is_not_found(site_a: Site, site_b: Site) -> None:
    tenancy = Tenancy(municipality=site_a.municipality, role="manager")
    with pytest.raises(Site.DoesNotExist):
        site_series(
            tenancy,
            site_b,
            unit=SeriesUnit.DAY,
            first_day=dt.date(2024, 1, 1),
            last_day=dt.date(2024, 1, 2),
        )


MONTHS = [
    ("Europe/Oslo", dt.date(2024, 3, 1)),
    ("Europe/Oslo", dt.date(2024, 10, 1)),
    ("America/New_York", dt.date(2024, 11, 1)),
]
STARTS = [dt.time(0), dt.time(3), dt.time(2, 30)]


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    month=st.sampled_from(MONTHS),
    starts=st.sampled_from(STARTS),
    seed=st.lists(st.one_of(st.none(), st.integers(0, 50)), min_size=24, max_size=24),
)
def test_a_month_is_the_sum_of_its_days_and_of_its_hours(
    municipality_x: Municipality,
    month: tuple[str, dt.date],
    starts: dt.time,
    seed: list[int | None],
) -> None:
    VisitCount.objects.all().delete()
    Site.objects.filter(municipality=municipality_x).delete()
    zone_name, first = month
    site = make_site(municipality_x, "Torget", time_zone=zone_name)
    site.business_day_starts = starts
    site.save()
    last = dt.date(first.year, first.month + 1, 1) - dt.timedelta(days=1)
    expected = 0
    rows = []
    day, position = first, 0
    while day <= last:
        # The last hour of a day that does not last whole hours (02:30 start, spring) is
        # shorter, as the counts of a counter read at the business-day start would be.
        day_end = business_day_start(day + dt.timedelta(days=1), starts, zone_name)
        for instant in business_day_hours(day, starts, zone_name):
            value = seed[position % len(seed)]
            position += 1
            if value is None:
                continue  # this hour is missing
            expected += value
            rows.append(
                VisitCount(
                    municipality=municipality_x,
                    site=site,
                    period_start=instant,
                    period_end=min(instant + HOUR, day_end),
                    count=value,
                    method=CountMethod.AUTOMATIC,
                )
            )
        day += dt.timedelta(days=1)
    VisitCount.objects.bulk_create(rows)
    view = {
        unit: site_series(site, site, unit=unit, first_day=first, last_day=last)
        for unit in SeriesUnit
    }
    months, days, hours = view[SeriesUnit.MONTH], view[SeriesUnit.DAY], view[SeriesUnit.HOUR]
    assert len(months.slots) == 1
    assert months.total == days.total == hours.total == expected
    assert sum(v for v in slot_totals_by_day(hours).values() if v is not None) == days.total
    assert hours.observed == len(rows)
    assert sum(1 for s in days.slots if s.visits is None) == sum(
        1 for v in slot_totals_by_day(hours).values() if v is None
    )
    assert hours.longer_than_slot == days.longer_than_slot == months.longer_than_slot == 0
    # The fast monthly totals (one indexed query per month) give the same figure.
    fast = monthly_totals(municipality_x, first_month=first, last_month=first)
    assert fast.get(site.pk, {}).get(first) == (months.slots[0].visits)
    # The stored daily totals it reads: every day as the daily view has it (missing days
    # absent, zeros 0), and the month their sum.
    stored = {
        row.day: row.visits
        for row in VisitDayTotal.objects.filter(site=site)
        if row.day == row.last_day and row.entrance == ""
    }
    assert stored == {s.day: s.visits for s in days.slots if s.visits is not None}
    assert sum(stored.values()) == months.total
    if starts == dt.time(0):
        # The dashboard's calendar-month figure (database truncation) agrees.
        dashboard = visits_over_time(
            municipality_x,
            period=LocalDateRange(first, last),
            granularity=Granularity.MONTH,
        )
        assert dashboard.total == expected
