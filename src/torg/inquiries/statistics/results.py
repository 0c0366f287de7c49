"""What :func:`~torg.inquiries.statistics.inquiry_statistics` returns: plain frozen
dataclasses that the page, the exports and the API render, and the labels of their rows
and columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import pgettext

from torg.inquiries.aggregates import BreakdownRow
from torg.organisation.models import ServicePoint, Site, Weekday

#: The hourly series is given for periods of at most this many days (31 × 25 rows at most).
MAX_HOURLY_DAYS = 31
WEEKDAYS = 7
HOURS = 24
READ_LEVELS = (1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class StatisticsFilters:
    """Validated filters (every field optional). ``first_day`` and ``last_day`` are
    business days of each inquiry's site, both included. ``service_point`` must belong to
    ``site`` when both are given (the form checks it). ``domain`` and ``channel`` are
    values of :class:`~torg.inquiries.models.InquiryDomain` and
    :class:`~torg.inquiries.models.Channel`."""

    site: Site | None = None
    service_point: ServicePoint | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    domain: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class HeatMap:
    """Inquiries with a known time of day at one site (or one service point of it) by the
    weekday of their business day (``counts[0]`` is Monday) and local wall-clock hour
    (``counts[w][h]``, hour 0–23). ``hour_order`` lists the hours from the one in which the
    business day starts, the order in which the page and the exports show them."""

    site_id: int
    site_name: str
    time_zone: str
    business_day_starts: dt.time
    service_point_name: str | None
    counts: tuple[tuple[int, ...], ...]

    @property
    def total(self) -> int:
        return sum(sum(row) for row in self.counts)

    @property
    def maximum(self) -> int:
        return max((max(row) for row in self.counts), default=0)

    @property
    def hour_order(self) -> tuple[int, ...]:
        first = self.business_day_starts.hour
        return tuple((first + offset) % HOURS for offset in range(HOURS))

    def weekday_totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.counts)

    def hour_totals(self) -> tuple[int, ...]:
        return tuple(sum(row[hour] for row in self.counts) for hour in range(HOURS))


@dataclass(frozen=True)
class Mix:
    """Inquiries counted by one dimension; ``rows`` add up to ``total`` (every inquiry in
    exactly one row). ``name`` is ``domain``, ``level``, ``service``, ``channel`` or
    ``read_effort``."""

    name: str
    rows: tuple[BreakdownRow, ...]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def __iter__(self) -> Iterator[BreakdownRow]:
        return iter(self.rows)


@dataclass(frozen=True)
class Outcomes:
    """How the inquiries ended. Shares are over ``with_outcome`` (the inquiries whose
    outcome was recorded); ``not_recorded`` are shown apart and are in no denominator."""

    total: int
    not_recorded: int
    resolved: int
    referred_internal: int
    referred_external: int

    @property
    def with_outcome(self) -> int:
        return self.total - self.not_recorded

    @property
    def referred(self) -> int:
        return self.referred_internal + self.referred_external

    @property
    def share_resolved(self) -> float | None:
        """``resolved / with_outcome`` (0–1), ``None`` when no outcome was recorded."""
        return self.resolved / self.with_outcome if self.with_outcome else None

    @property
    def share_referred(self) -> float | None:
        """``referred / with_outcome`` (0–1), ``None`` when no outcome was recorded."""
        return self.referred / self.with_outcome if self.with_outcome else None


@dataclass(frozen=True)
class HourCount:
    """Inquiries in the hour that starts at ``start`` (aware, in the site's zone: the
    wall-clock time and the UTC offset; the two 02:00 hours of the night the clocks go back
    differ by their offset)."""

    start: dt.datetime
    count: int


@dataclass(frozen=True)
class DayHours:
    """One business day of the hourly series: ``hours`` has 23, 24 or 25 entries;
    ``time_unknown`` inquiries of the day have no hour and count only in ``total``."""

    day: dt.date
    hours: tuple[HourCount, ...]
    time_unknown: int

    @property
    def total(self) -> int:
        return sum(hour.count for hour in self.hours) + self.time_unknown


@dataclass(frozen=True)
class HourlySeries:
    """Inquiries per elapsed hour of each business day from the first to the last day of
    the period, in one zone with one start of the business day."""

    time_zone: str
    business_day_starts: dt.time
    days: tuple[DayHours, ...]


@dataclass(frozen=True)
class ReferralTurnaround:
    """Time from referral to first response and to completion (from ``torg.referrals``)
    of the referrals made from the matching inquiries: ``referrals`` made, ``responded``
    (accepted or declined), ``completed``; medians in minutes, rounded to 0.1, over the
    referrals that got that far (``None`` when none did). Open referrals are in no median:
    their time is not known yet, so they are counted, not guessed."""

    referrals: int
    responded: int
    completed: int
    median_first_response_minutes: Decimal | None
    median_completion_minutes: Decimal | None


@dataclass(frozen=True)
class InquiryStatistics:
    """Everything the statistics page, its exports and the API show, for one set of
    filters. ``total`` is every matching inquiry; ``time_unknown`` of them have no time of
    day and are in no heat map or hour; each mix adds up to ``total``.

    ``hourly`` is ``None`` with ``hourly_unavailable`` saying why (``"no_period"``,
    ``"period_too_long"``, ``"several_zones"``) when the series cannot be given.
    ``referral_turnaround`` is ``None`` when no matching inquiry was referred to a team.
    """

    filters: StatisticsFilters
    total: int
    time_unknown: int
    heat_maps: tuple[HeatMap, ...]
    domain: Mix
    level: Mix
    service: Mix
    channel: Mix
    read_effort: Mix
    outcomes: Outcomes
    hourly: HourlySeries | None = None
    hourly_unavailable: str = ""
    referral_turnaround: ReferralTurnaround | None = None
    service_count: int = field(default=0)

    @property
    def time_known(self) -> int:
        return self.total - self.time_unknown


def weekday_labels() -> list[str]:
    """Monday … Sunday in the UI language (the rows of every heat map)."""
    return [str(label) for _value, label in Weekday.choices]


def hour_label(hour: int) -> str:
    """``"08"`` for the hour 08:00–08:59 (the columns of every heat map)."""
    return pgettext("hour of the day", "%(hour)02d") % {"hour": hour}
