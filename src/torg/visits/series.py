"""One site's visits per hour, business day or month, with every period that has no
count shown as missing: the one function behind the site's visits page, its chart, its
table and its CSV export (LESSONS.md, "Totals agree").

Time follows the site (:mod:`torg.lib.business_day`): a *day* is the site's business day
(from ``Site.business_day_starts`` local time to the same time the next day, 23 or 25
hours long on the nights the clocks change), an *hour* is one elapsed hour of it (so the
hourly view has 23 or 25 slots on those days), and a *month* is the business days dated
in that calendar month. A count belongs to the slot in which its period starts, and only
when its period also ends within that slot: a daily count is in the daily and monthly
views but not the hourly one (``longer_than_slot`` says how many were left out, so the
hourly total never silently differs).

Hence, for hourly counts, a month's total = the sum of its days' totals = the sum of its
hours' totals, whatever the zone, business-day start or daylight-saving change (property
test ``tests/test_series.py``).

Zero is not missing: a slot with a count of 0 has ``visits == 0``; a slot without any
count has ``visits is None``, is drawn as a gap, written as an empty CSV cell and counted
in ``missing``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Sum

from torg.lib.business_day import ONE_DAY, ONE_HOUR, business_day_of, business_day_start
from torg.lib.localtime import add_months, zone
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, scoped
from torg.visits.models import VisitCount, VisitDayTotal
from torg.visits.totals import visit_totals_refresh

#: The longest range a view may span, in slots (a year of hours is 8,784).
MAX_SLOTS = 9000


class SeriesUnit(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Slot:
    """One period [``start``, ``end``) in UTC. ``day`` is the business day (hours and
    days) or the first of the month (months); ``local_start`` is ``start`` in the site's
    zone, with its UTC offset (the two 02:00 hours of a night the clocks go back differ by
    it). ``visits`` is ``None`` when no count starts in the slot; ``estimated`` is true
    when one of its counts is flagged as an estimate."""

    start: dt.datetime
    end: dt.datetime
    day: dt.date
    local_start: dt.datetime
    visits: int | None
    counts: int
    estimated: bool

    @property
    def is_missing(self) -> bool:
        return self.visits is None

    @property
    def hours(self) -> float:
        return (self.end - self.start) / ONE_HOUR


@dataclass(frozen=True)
class SiteSeries:
    """Visits of one site from business day ``first_day`` to ``last_day`` per ``unit``.

    ``total`` sums the observed slots; ``missing`` counts the slots without a count and
    ``coverage`` is the share of slots observed (``None`` with no slots).
    ``longer_than_slot`` counts the rows in the range that are longer than one slot and so
    are in a coarser view only; ``longer_than_slot_visits`` is their visits."""

    site: Site
    unit: SeriesUnit
    first_day: dt.date
    last_day: dt.date
    slots: tuple[Slot, ...]
    longer_than_slot: int = 0
    longer_than_slot_visits: int = 0

    @property
    def total(self) -> int:
        return sum(slot.visits for slot in self.slots if slot.visits is not None)

    @property
    def observed(self) -> int:
        return sum(1 for slot in self.slots if slot.visits is not None)

    @property
    def missing(self) -> int:
        return len(self.slots) - self.observed

    @property
    def coverage(self) -> float | None:
        return self.observed / len(self.slots) if self.slots else None

    @property
    def estimated(self) -> int:
        return sum(1 for slot in self.slots if slot.estimated)


def _slot_bounds(
    unit: SeriesUnit, first_day: dt.date, last_day: dt.date, starts: dt.time, zone_name: str
) -> list[tuple[dt.datetime, dt.datetime, dt.date]]:
    bounds: list[tuple[dt.datetime, dt.datetime, dt.date]] = []
    if unit is SeriesUnit.MONTH:
        month = first_day.replace(day=1)
        while month <= last_day:
            following = add_months(month, 1)
            bounds.append(
                (
                    business_day_start(month, starts, zone_name),
                    business_day_start(following, starts, zone_name),
                    month,
                )
            )
            month = following
        return bounds
    day = first_day
    while day <= last_day:
        start = business_day_start(day, starts, zone_name)
        end = business_day_start(day + ONE_DAY, starts, zone_name)
        if unit is SeriesUnit.DAY:
            bounds.append((start, end, day))
        else:
            instant = start
            while instant < end:
                bounds.append((instant, min(instant + ONE_HOUR, end), day))
                instant += ONE_HOUR
        day += ONE_DAY
    return bounds


def slot_count(unit: SeriesUnit, first_day: dt.date, last_day: dt.date) -> int:
    """About how many slots a view has (hours counted as 24 a day), to refuse huge ranges."""
    days = (last_day - first_day).days + 1
    if unit is SeriesUnit.HOUR:
        return days * 24
    if unit is SeriesUnit.DAY:
        return days
    return (last_day.year - first_day.year) * 12 + last_day.month - first_day.month + 1


def site_series(
    scope: Tenancy | Site,
    site: Site,
    *,
    unit: SeriesUnit,
    first_day: dt.date,
    last_day: dt.date,
    entrance: str | None = None,
) -> SiteSeries:
    """The visits of ``site`` per ``unit`` from business day ``first_day`` to ``last_day``
    (inclusive; for months, the months that hold them). ``entrance`` ``None`` takes every
    count of the site, ``""`` the whole-site counts only, a name one entrance's.

    ``scope`` is the user's tenancy (the site must be one of its municipality's, else
    ``Site.DoesNotExist``) or the site itself for internal callers. Raises ``ValueError``
    when ``last_day`` comes before ``first_day`` or the view would have more than
    :data:`MAX_SLOTS` slots.
    """
    if last_day < first_day:
        raise ValueError("the last day comes before the first")
    if unit is SeriesUnit.MONTH:
        first_day = first_day.replace(day=1)
        last_day = add_months(last_day.replace(day=1), 1) - ONE_DAY
    if slot_count(unit, first_day, last_day) > MAX_SLOTS:
        raise ValueError(f"more than {MAX_SLOTS} periods; choose a shorter range")
    municipality = scope.municipality
    site = scoped(Site, municipality).get(pk=site.pk)
    starts, zone_name = site.business_day_starts, site.time_zone
    bounds = _slot_bounds(unit, first_day, last_day, starts, zone_name)
    range_start = business_day_start(first_day, starts, zone_name)
    range_end = business_day_start(last_day + ONE_DAY, starts, zone_name)
    rows = scoped(VisitCount, municipality).filter(
        site=site, period_start__gte=range_start, period_start__lt=range_end
    )
    if entrance is not None:
        rows = rows.filter(entrance=entrance)
    slot_starts = [start for start, _end, _day in bounds]
    visits: list[int | None] = [None] * len(bounds)
    counts = [0] * len(bounds)
    estimated = [False] * len(bounds)
    longer, longer_visits = 0, 0
    for start, end, count, is_estimate in rows.values_list(
        "period_start", "period_end", "count", "is_estimate"
    ).order_by():
        index = bisect_right(slot_starts, start) - 1
        if index < 0 or end > bounds[index][1]:
            longer += 1
            longer_visits += count
            continue
        visits[index] = (visits[index] or 0) + count
        counts[index] += 1
        estimated[index] = estimated[index] or is_estimate
    tz = zone(zone_name)
    slots = tuple(
        Slot(
            start=start,
            end=end,
            day=day,
            local_start=start.astimezone(tz),
            visits=visits[i],
            counts=counts[i],
            estimated=estimated[i],
        )
        for i, (start, end, day) in enumerate(bounds)
    )
    return SiteSeries(
        site=site,
        unit=unit,
        first_day=first_day,
        last_day=last_day,
        slots=slots,
        longer_than_slot=longer,
        longer_than_slot_visits=longer_visits,
    )


def business_day_of_count(site: Site, instant: dt.datetime) -> dt.date:
    """The business day of ``site`` on which a count starting at ``instant`` is shown."""
    return business_day_of(instant, site.business_day_starts, site.time_zone)


def slot_totals_by_day(series: SiteSeries) -> dict[dt.date, int | None]:
    """The series' observed visits per business day (``None``: no slot of the day was
    observed); for hourly and daily series."""
    totals: dict[dt.date, int | None] = {}
    for slot in series.slots:
        previous = totals.get(slot.day)
        if slot.visits is None:
            totals.setdefault(slot.day, None)
        else:
            totals[slot.day] = (previous or 0) + slot.visits
    return totals


def weekday_hour_profile(series: SiteSeries) -> Sequence[tuple[int, int, int, int, int]]:
    """From an hourly series: per (ISO weekday 1–7, local hour 0–23) the summed visits and
    how many observed and missing hours there were, for the "by hour and weekday" table:
    (weekday, hour, visits, observed hours, missing hours).
    The two 02:00 hours of a night the clocks go back both add to hour 2."""
    cells: dict[tuple[int, int], list[int]] = {}
    for slot in series.slots:
        key = (slot.local_start.isoweekday(), slot.local_start.hour)
        entry = cells.setdefault(key, [0, 0, 0])
        if slot.visits is None:
            entry[2] += 1
        else:
            entry[0] += slot.visits
            entry[1] += 1
    return [
        (day, hour, cells[(day, hour)][0], cells[(day, hour)][1], cells[(day, hour)][2])
        for day, hour in sorted(cells)
    ]


def monthly_totals(
    municipality: Municipality | Tenancy, *, first_month: dt.date, last_month: dt.date
) -> dict[int, dict[dt.date, int]]:
    """Visits per site and month (keyed by the month's first day) for every site of
    ``municipality``, months ``first_month`` to ``last_month`` inclusive, with exactly the
    rules of :func:`site_series` at ``unit=MONTH``: a month is the business days dated in
    it (each site's zone and business-day start), a count belongs to the month in which it
    starts and only when it also ends in it. A month without a count is absent (missing),
    0 when its counts are 0.

    Reads the stored daily totals (:mod:`torg.visits.totals`, refreshed first), not the
    hours: one grouped query over the covering index on (municipality, month, site,
    visits), so that ten years of hourly counts for 50 sites are summed from about
    180,000 daily rows (``bench/run.py --only months``)."""
    visit_totals_refresh(municipality)
    site_ids = set(scoped(Site, municipality).values_list("id", flat=True))
    rows = (
        scoped(VisitDayTotal, municipality)
        .filter(month__gte=first_month.replace(day=1), month__lte=last_month)
        .values("site_id", "month")
        .annotate(visits=Sum("visits"))
        .order_by()
        .values_list("site_id", "month", "visits")
    )
    totals: dict[int, dict[dt.date, int]] = {}
    for site_id, month, visits in rows:
        if site_id in site_ids and month is not None:
            totals.setdefault(site_id, {})[month] = int(visits)
    return totals
