"""Demand per hour from an inquiry log: forecast arrivals, then Erlang C staff.

1. :func:`hourly_forecast`: mean arrivals per local hour and weekday over the last ``weeks``
   weeks, by kind (the competence an inquiry needs: ``library``, ``municipal``, or ``None``
   for anyone). Hours with no inquiry count as zero, so the mean is per calendar hour, not
   per hour that happened to have inquiries.
2. :func:`demand_from_forecast`: for every open hour of the roster period, the staff needed
   (:func:`torg.rostering.erlang.staff_needed`) to answer ``target_share`` of the arrivals
   within ``target_seconds``, as :class:`~torg.rostering.domain.Demand` rows: one per kind
   (its own arrivals) and one for all arrivals together, at least ``minimum_open`` people.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from torg.rostering.domain import Demand
from torg.rostering.erlang import staff_needed

Key = tuple[str | None, int, int]  # (kind, weekday 0 = Monday, local hour)


@dataclass(frozen=True)
class Arrival:
    """One inquiry: an aware instant and the competence it needs (``None``: anyone)."""

    at: dt.datetime
    kind: str | None = None


def hourly_forecast(
    arrivals: Iterable[Arrival], *, zone: str, until: dt.date, weeks: int = 8
) -> dict[Key, float]:
    """Mean arrivals per (kind, weekday, local hour) over the ``weeks`` weeks before ``until``
    (local days ``until − 7·weeks`` … ``until − 1``). Each weekday occurs ``weeks`` times in
    the window, so a mean is the count divided by ``weeks``. Raises ValueError for a naive
    instant."""
    if weeks < 1:
        raise ValueError("the forecast needs at least one week of history")
    tz = zoneinfo.ZoneInfo(zone)
    first = until - dt.timedelta(days=7 * weeks)
    counts: Counter[Key] = Counter()
    for arrival in arrivals:
        if arrival.at.tzinfo is None:
            raise ValueError(f"arrival time {arrival.at} has no time zone")
        local = arrival.at.astimezone(tz)
        if first <= local.date() < until:
            counts[arrival.kind, local.weekday(), local.hour] += 1
    return {key: count / weeks for key, count in counts.items()}


def demand_from_forecast(
    forecast: Mapping[Key, float],
    *,
    site: str,
    start: dt.date,
    weeks: int,
    zone: str,
    open_hours: Mapping[int, range],
    handle_seconds: float,
    target_seconds: float,
    target_share: float,
    minimum_open: int = 1,
) -> list[Demand]:
    """Demand rows for ``site`` in the period; ``open_hours`` maps a weekday to its local
    opening hours (e.g. ``{0: range(8, 20)}``; missing weekdays are closed)."""
    tz = zoneinfo.ZoneInfo(zone)
    kinds = sorted({kind for kind, _, _ in forecast if kind is not None})
    rows: list[Demand] = []
    for offset in range(7 * weeks):
        day = start + dt.timedelta(days=offset)
        for hour in open_hours.get(day.weekday(), range(0)):
            begin = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            end = (begin.astimezone(dt.UTC) + dt.timedelta(hours=1)).astimezone(tz)
            total = sum(forecast.get((kind, day.weekday(), hour), 0.0) for kind in [*kinds, None])
            everyone = staff_needed(total, handle_seconds, target_seconds, target_share)
            rows.append(Demand(site, begin, end, max(minimum_open, everyone)))
            for kind in kinds:
                arrivals = forecast.get((kind, day.weekday(), hour), 0.0)
                needed = staff_needed(arrivals, handle_seconds, target_seconds, target_share)
                if needed:
                    rows.append(Demand(site, begin, end, needed, kind))
    return rows


def weekly_staff(
    forecast: Mapping[Key, float],
    *,
    open_hours: Mapping[int, range],
    handle_seconds: float,
    target_seconds: float,
    target_share: float,
    minimum_open: int = 1,
) -> list[tuple[int, int, str | None, int]]:
    """(weekday, local hour, competence or None, people) for every open hour: the staff
    for all arrivals together (at least ``minimum_open``) and, where it is not zero, for
    each kind's own arrivals — the weekly pattern behind :func:`demand_from_forecast`."""
    kinds = sorted({kind for kind, _, _ in forecast if kind is not None})
    rows: list[tuple[int, int, str | None, int]] = []
    for weekday in sorted(open_hours):
        for hour in open_hours[weekday]:
            total = sum(forecast.get((kind, weekday, hour), 0.0) for kind in [*kinds, None])
            everyone = staff_needed(total, handle_seconds, target_seconds, target_share)
            rows.append((weekday, hour, None, max(minimum_open, everyone)))
            for kind in kinds:
                arrivals = forecast.get((kind, weekday, hour), 0.0)
                needed = staff_needed(arrivals, handle_seconds, target_seconds, target_share)
                if needed:
                    rows.append((weekday, hour, kind, needed))
    return rows
