"""Stored daily visit totals (:class:`~torg.visits.models.VisitDayTotal`): the rollup that
lets monthly totals read days instead of hours.

How it stays in step with the counts: database triggers (migration ``visits/0004``) mark
every inserted, changed or deleted :class:`~torg.visits.models.VisitCount` row by site and
UTC date of its start in :class:`~torg.visits.models.VisitTotalStale`, whatever wrote it
(a service, an import, the admin, a raw ``INSERT``); a change to a site's zone or
business-day start marks the whole site. :func:`visit_totals_refresh` recomputes the
marked business days from the raw rows and drops the marks; every reader of the rollup
calls it first, and the writers call it at the end of their transaction, so that a rolled
back write (an import refused as all-or-nothing) leaves neither counts nor totals.

The day of a count is computed exactly as :mod:`torg.visits.series` does: the site's
business day in which its period starts (:func:`torg.lib.business_day.business_day_of`),
and ``last_day`` the business day in which it ends (the one holding its last instant).
Hence a business day's total is the sum of the rows with ``day == last_day == d``, and
a month's total the sum of the rows with ``day`` and ``last_day`` in the month: exactly
:func:`torg.visits.series.site_series` at ``unit=DAY`` and ``unit=MONTH``. Counts that
start outside the accepted calendar (:data:`~torg.lib.localtime.FIRST_DAY` to
:data:`~torg.lib.localtime.LAST_DAY`) are in no total.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Min

from torg.lib.business_day import ONE_DAY, business_day_of, business_day_start
from torg.lib.localtime import FIRST_DAY, LAST_DAY
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, municipality_of
from torg.visits.models import VisitCount, VisitDayTotal, VisitTotalStale

#: Marked business days closer together than this are recomputed in one range (one query).
MERGE_GAP_DAYS = 31
_MICROSECOND = dt.timedelta(microseconds=1)
_UTC = dt.UTC


@dataclass(frozen=True)
class RefreshResult:
    """What :func:`visit_totals_refresh` did: sites touched, business days recomputed
    (including days that turned out empty), raw rows read and marks consumed."""

    sites: int = 0
    days: int = 0
    rows_read: int = 0
    marks: int = 0


def _marked_ranges(
    utc_days: Iterable[dt.date], starts: dt.time, zone_name: str
) -> list[tuple[dt.date, dt.date]]:
    """The business days (inclusive ranges, merged when less than :data:`MERGE_GAP_DAYS`
    apart) that hold any instant of the UTC dates ``utc_days``, clipped to the calendar."""
    days: set[dt.date] = set()
    for utc_day in utc_days:
        begin = dt.datetime.combine(utc_day, dt.time(0), tzinfo=_UTC)
        first = business_day_of(begin, starts, zone_name)
        last = business_day_of(begin + ONE_DAY - _MICROSECOND, starts, zone_name)
        day = first
        while day <= last:
            if FIRST_DAY <= day <= LAST_DAY:
                days.add(day)
            day += ONE_DAY
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days <= MERGE_GAP_DAYS:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _whole_site_range(site_id: int, starts: dt.time, zone_name: str) -> tuple[dt.date, dt.date]:
    """Business days from the site's first to its last count, clipped to the calendar."""
    from django.db.models import Max

    bounds = VisitCount.objects.filter(site_id=site_id).aggregate(
        first=Min("period_start"), last=Max("period_start")
    )
    if bounds["first"] is None:
        return (LAST_DAY, FIRST_DAY)  # empty
    first = max(business_day_of(bounds["first"], starts, zone_name), FIRST_DAY)
    last = min(business_day_of(bounds["last"], starts, zone_name), LAST_DAY)
    return (first, last)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def _instant_key(value: dt.datetime) -> Any:
    """An instant as the scan reads it from the database, unconverted: Django's naive UTC
    text in SQLite (it sorts as time), microseconds since 1970 in PostgreSQL (the
    driver's conversion of every value to a datetime would cost more than the sums)."""
    if connection.vendor == "sqlite":
        return connection.ops.adapt_datetimefield_value(value)
    return (value - _EPOCH) // _MICROSECOND


def _column_key(column: str) -> str:
    """The SQL that reads ``column`` as :func:`_instant_key` represents an instant."""
    if connection.vendor == "sqlite":
        return f"CAST({column} AS TEXT)"
    return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"


def _parse_instant(value: Any) -> dt.datetime:
    """The aware UTC datetime of a value read by :func:`_column_key`."""
    if isinstance(value, int):
        return _EPOCH + value * _MICROSECOND
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=_UTC)


@dataclass
class _Range:
    """Business days ``first_day``… of one site to recompute; ``keys`` are the starts of
    those days and of the day after the last, in the database's own representation of an
    instant (SQLite: text that sorts as time), so that raw rows are compared unconverted."""

    site_id: int
    municipality_id: int
    zone_name: str
    starts: dt.time
    first_day: dt.date
    keys: list[Any]
    calendar_end: Any
    start: dt.datetime  # the first day's start and the end of the last, as instants
    end: dt.datetime

    @property
    def days(self) -> int:
        return len(self.keys) - 1


def _range(site: tuple[int, int, str, dt.time], first: dt.date, last: dt.date) -> _Range:
    site_id, municipality_id, zone_name, starts = site
    adapt = _instant_key
    count = (last - first).days + 1
    instants = [
        business_day_start(first + ONE_DAY * i, starts, zone_name) for i in range(count + 1)
    ]
    return _Range(
        site_id=site_id,
        municipality_id=municipality_id,
        zone_name=zone_name,
        starts=starts,
        first_day=first,
        keys=[adapt(instant) for instant in instants],
        start=instants[0],
        end=instants[-1],
        calendar_end=adapt(business_day_start(LAST_DAY + ONE_DAY, starts, zone_name)),
    )


def _scan(
    municipality_id: int, ranges: list[_Range]
) -> tuple[dict[int, dict[Any, list[int]]], int]:
    """Sum the raw rows of ``ranges`` (one municipality, at most one range per site) in
    one query: site id → (entrance, day, last day) → [visits, rows, estimates]."""
    by_site = {r.site_id: r for r in ranges}
    adapt = connection.ops.adapt_datetimefield_value
    low = adapt(min(r.start for r in ranges))
    high = adapt(max(r.end for r in ranges))
    table = connection.ops.quote_name(VisitCount._meta.db_table)
    columns = f"site_id, entrance, {_column_key('period_start')}, {_column_key('period_end')}"
    sites = ", ".join(["%s"] * len(by_site))
    sums: dict[int, dict[Any, list[int]]] = {site_id: {} for site_id in by_site}
    rows_read = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, count, is_estimate FROM {table} "  # noqa: S608
            f"WHERE municipality_id = %s AND period_start >= %s AND period_start < %s "
            f"AND site_id IN ({sites})",
            [municipality_id, low, high, *by_site],
        )
        current_site, chosen, keys, site_sums = None, by_site[ranges[0].site_id], [], {}
        while batch := cursor.fetchmany(20_000):
            rows_read += len(batch)
            for site_id, entrance, start, end, count, is_estimate in batch:
                if site_id != current_site:
                    current_site, chosen = site_id, by_site[site_id]
                    keys, site_sums = chosen.keys, sums[site_id]
                index = bisect_right(keys, start) - 1
                if index < 0 or index >= chosen.days:
                    continue  # another site's range is wider: not one of this site's days
                day = chosen.first_day + ONE_DAY * index
                if end <= keys[index + 1]:
                    last = day
                elif end > chosen.calendar_end:
                    last = LAST_DAY + ONE_DAY  # ends after the calendar: in no month
                else:
                    last = business_day_of(
                        _parse_instant(end) - _MICROSECOND, chosen.starts, chosen.zone_name
                    )
                entry = site_sums.get((entrance, day, last))
                if entry is None:
                    entry = site_sums[(entrance, day, last)] = [0, 0, 0]
                entry[0] += count
                entry[1] += 1
                if is_estimate:
                    entry[2] += 1
    return sums, rows_read


def _month_of(day: dt.date, last: dt.date) -> dt.date | None:
    """The month that holds business days ``day`` to ``last``; ``None`` if none does."""
    if (day.year, day.month) != (last.year, last.month):
        return None
    return day.replace(day=1)


def _store(ranges: list[_Range], sums: dict[int, dict[Any, list[int]]]) -> None:
    """Replace the stored totals of ``ranges`` by ``sums``."""
    for r in ranges:
        VisitDayTotal.objects.filter(
            site_id=r.site_id, day__gte=r.first_day, day__lt=r.first_day + ONE_DAY * r.days
        ).delete()
    # One plain executemany (Django's bulk_create costs more per row than the sums); an
    # upsert, so that two refreshes of the same day racing on PostgreSQL agree.
    quote = connection.ops.quote_name
    table = quote(VisitDayTotal._meta.db_table)
    adapt = connection.ops.adapt_datefield_value
    sql = (
        f"INSERT INTO {table} (municipality_id, site_id, entrance, day, last_day, visits, "  # noqa: S608
        "counts, estimates, month) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (site_id, entrance, day, last_day) DO UPDATE SET "
        "visits = excluded.visits, counts = excluded.counts, estimates = excluded.estimates, "
        "month = excluded.month"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (
                    r.municipality_id,
                    r.site_id,
                    entrance,
                    adapt(day),
                    adapt(last),
                    *values,
                    adapt(_month_of(day, last)),
                )
                for r in ranges
                for (entrance, day, last), values in sums[r.site_id].items()
            ],
        )


def _recompute(ranges: list[_Range]) -> int:
    """Recompute ``ranges`` from the raw rows: one scan per municipality and round (a
    site with several ranges takes one per round). Returns the raw rows read."""
    rows_read = 0
    pending: dict[tuple[int, int], list[_Range]] = defaultdict(list)
    for r in ranges:
        pending[(r.municipality_id, r.site_id)].append(r)
    while pending:
        round_by_municipality: dict[int, list[_Range]] = defaultdict(list)
        for (municipality_id, site_id), queue in list(pending.items()):
            round_by_municipality[municipality_id].append(queue.pop(0))
            if not queue:
                del pending[(municipality_id, site_id)]
        for municipality_id, chosen in round_by_municipality.items():
            sums, read = _scan(municipality_id, chosen)
            _store(chosen, sums)
            rows_read += read
    return rows_read


def visit_totals_refresh(
    municipality: Municipality | Tenancy | None = None,
) -> RefreshResult:
    """Bring the rollup of ``municipality`` (``None``: every municipality) up to date:
    recompute every business day marked stale from the raw visit counts and drop the
    marks, in one transaction. Cheap when nothing is marked (one indexed query).

    Returns a :class:`RefreshResult`. Marks of sites that no longer exist are dropped.
    Raises nothing of its own; database errors propagate (and roll the refresh back)."""
    marks = VisitTotalStale.objects.all()
    if municipality is not None:
        marks = marks.filter(municipality_id=municipality_of(municipality).pk)
    found = list(marks.values_list("id", "site_id", "utc_day"))
    if not found:
        return RefreshResult()
    by_site: dict[int, set[dt.date | None]] = defaultdict(set)
    for _id, site_id, utc_day in found:
        by_site[site_id].add(utc_day)
    sites = {
        row[0]: row
        for row in Site.objects.filter(pk__in=by_site).values_list(
            "id", "municipality_id", "time_zone", "business_day_starts"
        )
    }
    ranges: list[_Range] = []
    with transaction.atomic():
        for site_id, utc_days in by_site.items():
            site = sites.get(site_id)
            if site is None:
                continue  # deleted; its totals went with it
            _id, _municipality_id, zone_name, starts = site
            if None in utc_days:
                VisitDayTotal.objects.filter(site_id=site_id).delete()
                first, last = _whole_site_range(site_id, starts, zone_name)
                spans = [(first, last)] if first <= last else []
            else:
                spans = _marked_ranges((d for d in utc_days if d is not None), starts, zone_name)
            ranges.extend(_range(site, first, last) for first, last in spans)
        rows = _recompute(ranges) if ranges else 0
        VisitTotalStale.objects.filter(pk__in=[mark[0] for mark in found]).delete()
    return RefreshResult(
        sites=len(sites), days=sum(r.days for r in ranges), rows_read=rows, marks=len(found)
    )


def visit_totals_rebuild(municipality: Municipality | None = None) -> RefreshResult:
    """Recompute the whole rollup of ``municipality`` (``None``: every municipality) from
    the raw visit counts: marks every site with counts stale and refreshes
    (``torg rebuild visit-totals``). The result is the same as the kept rollup; this is
    for a database whose triggers were bypassed or for a check."""
    sites = Site.objects.all()
    if municipality is not None:
        sites = sites.filter(municipality=municipality)
    with transaction.atomic():
        VisitTotalStale.objects.bulk_create(
            [
                VisitTotalStale(municipality_id=municipality_id, site_id=site_id, utc_day=None)
                for site_id, municipality_id in sites.values_list("id", "municipality_id")
            ]
        )
        return visit_totals_refresh(municipality)
