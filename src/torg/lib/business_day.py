"""Business days: a site's day that starts at a configured local time rather than at
midnight, so that a service open past midnight counts its late-night contacts on the day
they belong to (an inquiry at 01:30 belongs to the previous business day when the day
starts at 03:00).

No Django. Every function takes an explicit IANA zone (see :mod:`torg.lib.localtime`).
A business day is named by the local calendar date on which it starts. Its start is the
first instant at which the local wall clock shows the start time on that date; where that
wall-clock time does not exist (skipped when the clocks go forward), the day starts at the
first instant after the gap; where it occurs twice (when the clocks go back), at the first
of the two. A business day therefore lasts 23, 24 or 25 hours around daylight-saving
changes, exactly like a calendar day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache

from torg.lib.localtime import UTC, zone

MIDNIGHT = dt.time(0)
ONE_DAY = dt.timedelta(days=1)
ONE_HOUR = dt.timedelta(hours=1)


def _exists(local: dt.datetime) -> bool:
    return local.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == local.replace(
        tzinfo=None
    )


@lru_cache(maxsize=65536)
def business_day_start(day: dt.date, starts: dt.time, zone_name: str) -> dt.datetime:
    """The UTC instant at which business day ``day`` begins at a site in ``zone_name``
    whose day starts at local wall-clock time ``starts``.

    >>> business_day_start(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Oslo")
    datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.timezone.utc)

    (02:30 does not exist in Oslo that night: the day starts at 03:00 CEST = 01:00 UTC.)
    Raises ``ValueError`` for an unknown zone.
    """
    tz = zone(zone_name)
    local = dt.datetime.combine(day, starts, tzinfo=tz)  # fold=0: the first of two
    if _exists(local):
        return local.astimezone(UTC)
    for minutes in range(1, 24 * 60):  # to the end of the gap (at most a few hours)
        candidate = local + dt.timedelta(minutes=minutes)
        if _exists(candidate):
            return candidate.astimezone(UTC)
    raise ValueError(f"{day} {starts} has no start in {zone_name}")  # pragma: no cover


def business_day_of(instant: dt.datetime, starts: dt.time, zone_name: str) -> dt.date:
    """The business day that contains the aware ``instant``: the date ``d`` with
    ``business_day_start(d) <= instant < business_day_start(d + 1 day)``."""
    day = instant.astimezone(zone(zone_name)).date()
    if starts != MIDNIGHT and instant < business_day_start(day, starts, zone_name):
        return day - ONE_DAY
    return day


def business_day_bounds(
    first: dt.date, last: dt.date, starts: dt.time, zone_name: str
) -> tuple[dt.datetime, dt.datetime]:
    """Half-open UTC instants ``[start, end)`` covering business days ``first`` to ``last``
    inclusive ("1 to 31 March" includes all of business day 31 March, up to the start of
    1 April). Raises ``ValueError`` when ``last`` comes before ``first``."""
    if last < first:
        raise ValueError("the last day comes before the first")
    return (
        business_day_start(first, starts, zone_name),
        business_day_start(last + ONE_DAY, starts, zone_name),
    )


def business_day_hours(day: dt.date, starts: dt.time, zone_name: str) -> Iterator[dt.datetime]:
    """The UTC instants at which the hours of business day ``day`` begin, one per elapsed
    hour: 23 on the day the clocks go forward, 25 on the day they go back, 24 otherwise
    (a day that does not last a whole number of hours ends with a shorter last hour)."""
    start = business_day_start(day, starts, zone_name)
    end = business_day_start(day + ONE_DAY, starts, zone_name)
    instant = start
    while instant < end:
        yield instant
        instant += ONE_HOUR
