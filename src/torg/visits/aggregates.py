"""Time series and breakdowns of visits and events for the dashboard.

Every figure a person sees is bucketed by the **site's** local calendar (its IANA time
zone), never the server's: the database truncates each instant with Django's ``Trunc`` and
the site's ``tzinfo``, one query per time zone of the municipality's sites. Every query goes
through :func:`torg.organisation.scoping.scoped`.

Zero is not missing: a site that counted 0 visits in a period has the bucket with 0; a site
that has no count for a period has no value there (``None`` in the series, "–" on a page),
and totals add only the counts that exist, with the number of sites that reported.

Only the calendar Torg accepts counts (local days :data:`~torg.lib.localtime.FIRST_DAY` to
:data:`~torg.lib.localtime.LAST_DAY`): a row dated outside it (a typing error such as the
year 9999, from before imports refused them) is left out of every figure here, and
:func:`outside_calendar` says how many there are. No bucket ever starts after ``LAST_DAY``,
and a series that would need more than :data:`MAX_BUCKETS` buckets even by year has none
(``too_many_buckets``), so that a page says so rather than draws hundreds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count, DateTimeField, Q, QuerySet, Sum
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from torg.lib.localtime import FIRST_DAY, LAST_DAY, local_day_bounds, zone
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.organisation.selectors import default_time_zone
from torg.visits.models import Audience, Event, VisitCount

#: More buckets than this and the series is shown at the next coarser granularity.
MAX_BUCKETS = 120


class Granularity(StrEnum):
    """Calendar units of the site's local time, finest first (``Trunc`` kinds)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return str(GRANULARITY_LABELS[self])

    @property
    def longest(self) -> dt.timedelta:
        """The longest period that fits in one bucket (local days can last 25 hours)."""
        days = {"day": 1, "week": 7, "month": 31, "quarter": 92, "year": 366}[self.value]
        return dt.timedelta(days=days, hours=1)

    @property
    def typical_days(self) -> float:
        return {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31, "year": 365.25}[
            self.value
        ]


GRANULARITY_LABELS = {
    Granularity.DAY: _("day"),
    Granularity.WEEK: _("week"),
    Granularity.MONTH: _("month"),
    Granularity.QUARTER: _("quarter"),
    Granularity.YEAR: _("year"),
}
ORDERED = list(Granularity)


@dataclass(frozen=True)
class LocalDateRange:
    """Local calendar days ``first`` to ``last``, both inclusive; ``None`` leaves a side open.

    In queries it becomes half-open UTC instants per time zone, so that "1 to 31 March"
    includes everything on 31 March local time (see :func:`torg.lib.localtime.local_day_bounds`).
    """

    first: dt.date | None = None
    last: dt.date | None = None

    def __post_init__(self) -> None:
        if self.first and self.last and self.last < self.first:
            raise ValueError("the last day comes before the first")

    @property
    def is_open(self) -> bool:
        return self.first is None and self.last is None

    def instant_filter(self, field_name: str, tz: dt.tzinfo) -> Q:
        """A ``Q`` keeping rows whose ``field_name`` instant falls on these local days in
        ``tz``. An open side stops at the edge of the accepted calendar (``FIRST_DAY`` or
        ``LAST_DAY``), so a row dated outside it never reaches a bucket. Raises
        ``ValueError`` for a day outside the calendar."""
        start, end = local_day_bounds(self.first or FIRST_DAY, self.last or LAST_DAY, tz)
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def bucket_label(day: dt.date, granularity: Granularity) -> str:
    """A short, language-neutral label for the bucket that starts on local ``day``:
    ``2024-03-31``, ``2024-W13`` (ISO week), ``2024-03``, ``2024-Q1``, ``2024``."""
    if granularity is Granularity.DAY:
        return day.isoformat()
    if granularity is Granularity.WEEK:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if granularity is Granularity.MONTH:
        return f"{day.year}-{day.month:02d}"
    if granularity is Granularity.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def bucket_start(day: dt.date, granularity: Granularity) -> dt.date:
    """The first local day of the bucket that contains ``day``."""
    if granularity is Granularity.DAY:
        return day
    if granularity is Granularity.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    if granularity is Granularity.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def next_bucket(day: dt.date, granularity: Granularity) -> dt.date:
    """The first local day of the bucket after the one that starts on ``day``."""
    if granularity is Granularity.DAY:
        return day + dt.timedelta(days=1)
    if granularity is Granularity.WEEK:
        return day + dt.timedelta(days=7)
    if granularity is Granularity.YEAR:
        return dt.date(day.year + 1, 1, 1)
    months = 1 if granularity is Granularity.MONTH else 3
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def bucket_range(first: dt.date, last: dt.date, granularity: Granularity) -> list[dt.date]:
    """Every bucket start from the bucket of ``first`` to that of ``last``, inclusive, never
    past the bucket of :data:`~torg.lib.localtime.LAST_DAY` (nor before that of
    ``FIRST_DAY``): the range is clipped to the accepted calendar."""
    first, last = max(first, FIRST_DAY), min(last, LAST_DAY)
    if last < first:
        return []
    current, end = bucket_start(first, granularity), bucket_start(last, granularity)
    days = [current]
    while current < end:
        current = next_bucket(current, granularity)
        days.append(current)
    return days


def bucket_count(first: dt.date, last: dt.date, granularity: Granularity) -> int:
    """``len(bucket_range(first, last, granularity))``, without building the list."""
    first, last = max(first, FIRST_DAY), min(last, LAST_DAY)
    if last < first:
        return 0
    start, end = bucket_start(first, granularity), bucket_start(last, granularity)
    if granularity is Granularity.DAY:
        return (end - start).days + 1
    if granularity is Granularity.WEEK:
        return (end - start).days // 7 + 1
    months = (end.year - start.year) * 12 + end.month - start.month
    if granularity is Granularity.MONTH:
        return months + 1
    if granularity is Granularity.QUARTER:
        return months // 3 + 1
    return end.year - start.year + 1


def granularity_for_periods(durations: Iterable[dt.timedelta]) -> Granularity:
    """The finest granularity in which every period fits, so that no count is split or
    put in a bucket shorter than itself: monthly counts give months; if one authority
    reports quarters among months, the whole series is shown by quarter. No periods: day."""
    longest = max(durations, default=dt.timedelta(0))
    for granularity in ORDERED:
        if longest <= granularity.longest:
            return granularity
    return Granularity.YEAR


def coarsen_for_span(
    granularity: Granularity, first: dt.date, last: dt.date, max_buckets: int = MAX_BUCKETS
) -> Granularity:
    """``granularity``, or the first coarser one that shows ``first``…``last`` in at most
    ``max_buckets`` buckets (years are never coarsened)."""
    span_days = (last - first).days + 1
    for candidate in ORDERED[ORDERED.index(granularity) :]:
        if span_days / candidate.typical_days <= max_buckets:
            return candidate
    return Granularity.YEAR


def municipality_time_zone(municipality: Municipality | Tenancy) -> dt.tzinfo:
    """The zone for rows without a site, the same as the lists' and the API's
    (:func:`torg.organisation.selectors.default_time_zone`: the sites' zone when they all
    share one, else the server's ``TIME_ZONE``), so that the dashboard's figures agree
    with theirs."""
    return zone(default_time_zone(municipality_of(municipality)))


def site_zones(municipality: Municipality | Tenancy | Tenancy) -> dict[str, list[int]]:
    """The ids of the municipality's sites, grouped by their IANA time zone name."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for site_id, time_zone in scoped(Site, municipality).values_list("id", "time_zone"):
        by_zone[time_zone].append(site_id)
    return dict(by_zone)


def outside_calendar(
    municipality: Municipality | Tenancy, queryset: QuerySet[Any], field_name: str
) -> int:
    """How many rows of ``queryset`` (a tenant model with a ``site``) have their instant
    ``field_name`` on a local day outside the accepted calendar, judged in their site's
    zone (:func:`municipality_time_zone` for rows without a site). These rows are in no
    figure of this module; a page says how many were left out."""
    calendar = LocalDateRange()
    condition = Q(site__isnull=True) & ~calendar.instant_filter(
        field_name, municipality_time_zone(municipality)
    )
    for time_zone, site_ids in site_zones(municipality).items():
        condition |= Q(site_id__in=site_ids) & ~calendar.instant_filter(field_name, zone(time_zone))
    return queryset.filter(condition).count()


# --------------------------------------------------------------------------- visits


@dataclass(frozen=True)
class SiteSeries:
    """One site's visits per bucket. ``counts`` holds only the buckets the site has a
    count for (0 included); a bucket that is absent has no observation."""

    site_id: int
    name: str
    is_aggregate: bool
    counts: dict[dt.date, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def value(self, bucket: dt.date) -> int | None:
        return self.counts.get(bucket)


@dataclass(frozen=True)
class BucketTotal:
    """All sites' visits in one bucket and how many sites contributed a count."""

    bucket: dt.date
    label: str
    visits: int | None
    sites_reporting: int


@dataclass(frozen=True)
class VisitSeries:
    """Visits per site and local-calendar bucket.

    ``buckets`` runs without gaps from the first to the last bucket with any count;
    ``sites`` are ordered by total visits, largest first (then by name). Units: visits
    (door-counter passages or head counts, as each source counts them).
    """

    granularity: Granularity
    buckets: tuple[dt.date, ...]
    sites: tuple[SiteSeries, ...]
    sites_total: int = 0  # sites of the municipality, with or without counts
    labels: dict[dt.date, str] = field(default_factory=dict)
    #: The counts span more than :data:`MAX_BUCKETS` buckets even by year: ``buckets`` is
    #: empty (nothing to draw), the sites' totals are complete; ``first_day`` and
    #: ``last_day`` are the first and last bucket that would have been drawn.
    too_many_buckets: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def total(self) -> int:
        """All visits in the range (sum of every count)."""
        return sum(site.total for site in self.sites)

    @property
    def is_empty(self) -> bool:
        return not self.sites

    def label(self, bucket: dt.date) -> str:
        return self.labels.get(bucket) or bucket_label(bucket, self.granularity)

    def totals(self) -> list[BucketTotal]:
        """Per bucket: the sum of the counts that exist (``None`` when no site reported)."""
        rows = []
        for bucket in self.buckets:
            values = [v for s in self.sites if (v := s.value(bucket)) is not None]
            rows.append(
                BucketTotal(
                    bucket=bucket,
                    label=self.label(bucket),
                    visits=sum(values) if values else None,
                    sites_reporting=len(values),
                )
            )
        return rows

    def top_sites(self, limit: int) -> tuple[SiteSeries, ...]:
        """The ``limit`` sites with the most visits in the range."""
        return self.sites[:limit]


def visits_over_time(
    municipality: Municipality | Tenancy,
    *,
    period: LocalDateRange | None = None,
    granularity: Granularity | None = None,
) -> VisitSeries:
    """Visits of ``municipality`` per site and bucket of the site's local calendar.

    A count belongs to the bucket in which its period starts (local time of its site) and
    to the date range when its period starts within it. Without ``granularity`` it follows
    the data: the finest unit in which every period fits (yearly counts give years, monthly
    counts months), coarsened until the range has at most :data:`MAX_BUCKETS` buckets.

    Returns a :class:`VisitSeries`; an empty one (``is_empty``) when there are no counts,
    one without buckets (``too_many_buckets``) when even years would be more than
    :data:`MAX_BUCKETS`. Counts dated outside the accepted calendar are left out.
    """
    period = period or LocalDateRange()
    zones = site_zones(municipality)
    sites = {
        site.pk: site for site in scoped(Site, municipality).only("id", "name", "is_aggregate")
    }
    base = scoped(VisitCount, municipality)

    def in_zone(time_zone: str, site_ids: list[int]) -> QuerySet[VisitCount]:
        return base.filter(period.instant_filter("period_start", zone(time_zone))).filter(
            site_id__in=site_ids
        )

    follow_data = granularity is None
    if granularity is None:
        durations: set[dt.timedelta] = set()
        for time_zone, site_ids in zones.items():
            pairs = in_zone(time_zone, site_ids).values_list("period_start", "period_end")
            durations.update(end - start for start, end in pairs.distinct().order_by())
        granularity = granularity_for_periods(durations)

    def collect(unit: Granularity) -> dict[int, dict[dt.date, int]]:
        counts: dict[int, dict[dt.date, int]] = defaultdict(dict)
        for time_zone, site_ids in zones.items():
            tz = zone(time_zone)
            rows = (
                in_zone(time_zone, site_ids)
                .annotate(
                    bucket=Trunc(
                        "period_start", unit.value, output_field=DateTimeField(), tzinfo=tz
                    )
                )
                .values("site_id", "bucket")
                .annotate(visits=Sum("count"))
                .order_by()
            )
            for row in rows:
                day = row["bucket"].astimezone(tz).date()
                site_counts = counts[row["site_id"]]
                site_counts[day] = site_counts.get(day, 0) + int(row["visits"])
        return counts

    counts = collect(granularity)
    all_days = [day for per_site in counts.values() for day in per_site]
    if all_days and follow_data:
        wanted = coarsen_for_span(granularity, min(all_days), max(all_days))
        if wanted is not granularity:
            granularity = wanted
            counts = collect(wanted)
            all_days = [day for per_site in counts.values() for day in per_site]
    series = sorted(
        (
            SiteSeries(
                site_id=site_id,
                name=sites[site_id].name,
                is_aggregate=sites[site_id].is_aggregate,
                counts=dict(sorted(per_site.items())),
            )
            for site_id, per_site in counts.items()
        ),
        key=lambda s: (-s.total, s.name),
    )
    first_day, last_day = (min(all_days), max(all_days)) if all_days else (None, None)
    too_many = bool(all_days) and bucket_count(min(all_days), max(all_days), granularity) > (
        MAX_BUCKETS
    )
    buckets = (
        bucket_range(min(all_days), max(all_days), granularity) if all_days and not too_many else []
    )
    return VisitSeries(
        granularity=granularity,
        buckets=tuple(buckets),
        sites=tuple(series),
        sites_total=len(sites),
        labels={day: bucket_label(day, granularity) for day in buckets},
        too_many_buckets=too_many,
        first_day=first_day,
        last_day=last_day,
    )


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class AudienceRow:
    """Events for one audience: ``events`` counts occurrences (a source row may stand for
    several events), ``attendance`` adds the recorded attendance, and
    ``events_without_attendance`` counts the occurrences whose attendance was not recorded
    (they add nothing to ``attendance``; an attendance of 0 is recorded and counts)."""

    audience: str
    label: str
    events: int
    attendance: int
    events_without_attendance: int
    rows_without_event_count: int = 0


@dataclass(frozen=True)
class EventBreakdown:
    rows: tuple[AudienceRow, ...]

    @property
    def events(self) -> int:
        return sum(row.events for row in self.rows)

    @property
    def attendance(self) -> int:
        return sum(row.attendance for row in self.rows)

    @property
    def events_without_attendance(self) -> int:
        return sum(row.events_without_attendance for row in self.rows)

    @property
    def rows_without_event_count(self) -> int:
        """Source rows that report attendance but not the number of events."""
        return sum(row.rows_without_event_count for row in self.rows)

    def __iter__(self) -> Iterator[AudienceRow]:
        return iter(self.rows)


def events_by_audience(
    municipality: Municipality | Tenancy, *, period: LocalDateRange | None = None
) -> EventBreakdown:
    """Number of events and their attendance per audience (in :class:`Audience` order,
    audiences without events left out), for events that start on the range's local days
    (the site's zone; :func:`municipality_time_zone` for events without a site)."""
    period = period or LocalDateRange()
    zones = site_zones(municipality)
    base = scoped(Event, municipality)
    parts: list[tuple[Q, dt.tzinfo]] = [
        (Q(site_id__in=site_ids), zone(time_zone)) for time_zone, site_ids in zones.items()
    ]
    parts.append((Q(site__isnull=True), municipality_time_zone(municipality)))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for condition, tz in parts:
        rows = (
            base.filter(condition)
            .filter(period.instant_filter("starts_at", tz))
            .values("audience")
            .annotate(
                n_events=Sum("occurrences"),
                n_attending=Sum("attendance"),
                n_unrecorded=Sum("occurrences", filter=Q(attendance__isnull=True)),
                n_unknown_count=Count("pk", filter=Q(occurrences__isnull=True)),
            )
            .order_by()
        )
        for row in rows:
            entry = totals[row["audience"]]
            entry[0] += int(row["n_events"] or 0)
            entry[1] += int(row["n_attending"] or 0)
            entry[2] += int(row["n_unrecorded"] or 0)
            entry[3] += int(row["n_unknown_count"] or 0)
    labels = dict(Audience.choices)
    order = [value for value, _label in Audience.choices]
    return EventBreakdown(
        rows=tuple(
            AudienceRow(
                audience=key,
                label=str(labels.get(key, key)),
                events=totals[key][0],
                attendance=totals[key][1],
                events_without_attendance=totals[key][2],
                rows_without_event_count=totals[key][3],
            )
            for key in sorted(totals, key=lambda k: order.index(k) if k in order else len(order))
        )
    )
