"""Breakdowns of the inquiry log for the dashboard: by domain, channel and service, and
the number of inquiries per bucket of the site's local calendar.

Dimensions come from a whitelist (:class:`Dimension`), never from user text. Every query
goes through :func:`torg.organisation.scoping.scoped`; date ranges are local days of each
inquiry's site (see :class:`torg.visits.aggregates.LocalDateRange`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, DateTimeField, QuerySet
from django.db.models.functions import Trunc
from django.utils.translation import get_language, gettext

from torg.catalogue.models import Service
from torg.inquiries.models import Channel, Inquiry, InquiryDomain
from torg.lib.localtime import zone
from torg.organisation.scoping import Scope, scoped
from torg.visits.aggregates import (
    MAX_BUCKETS,
    Granularity,
    LocalDateRange,
    bucket_count,
    bucket_label,
    bucket_range,
    coarsen_for_span,
    site_zones,
)

#: Services beyond this many are added up as "Other services".
TOP_SERVICES = 10


Key = str | int | None  # a choice value, a service id, or None for "no service"


class Dimension(StrEnum):
    DOMAIN = "domain"
    CHANNEL = "channel"
    SERVICE = "service"


@dataclass(frozen=True)
class BreakdownRow:
    """``count`` inquiries with this ``key`` (a choice value, a service code, ``"other"``
    for the services past the top ones, or ``""`` for inquiries without a service)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    """Inquiries counted by one dimension; ``rows`` by count, largest first (services:
    the top :data:`TOP_SERVICES`, then the rest as one row, then "no service recorded")."""

    dimension: Dimension
    rows: tuple[BreakdownRow, ...]

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    def __iter__(self) -> Iterator[BreakdownRow]:
        return iter(self.rows)

    def share(self, row: BreakdownRow) -> float:
        """``row.count`` as a fraction of all inquiries in the breakdown (0 when empty)."""
        return row.count / self.total if self.total else 0.0


def _in_period(municipality: Scope, period: LocalDateRange) -> list[QuerySet[Inquiry]]:
    """One queryset per time zone of the municipality's sites, each limited to the
    range's local days in that zone (an open range: the accepted calendar, see
    :meth:`LocalDateRange.instant_filter`)."""
    base = scoped(Inquiry, municipality)
    return [
        base.filter(site_id__in=site_ids).filter(
            period.instant_filter("occurred_at", zone(time_zone))
        )
        for time_zone, site_ids in site_zones(municipality).items()
    ]


def inquiry_count(municipality: Scope, *, period: LocalDateRange | None = None) -> int:
    """The number of inquiries on the range's local days (all when no range)."""
    return sum(qs.count() for qs in _in_period(municipality, period or LocalDateRange()))


def inquiries_by(
    municipality: Scope,
    dimension: Dimension,
    *,
    period: LocalDateRange | None = None,
    top_services: int = TOP_SERVICES,
) -> Breakdown:
    """Count the inquiries of ``municipality`` by ``dimension`` (domain, channel or
    service) on the range's local days. Returns a :class:`Breakdown` whose total equals
    :func:`inquiry_count` for the same range."""
    period = period or LocalDateRange()
    field = {"domain": "domain", "channel": "channel", "service": "service_id"}[dimension.value]
    counts: dict[Key, int] = defaultdict(int)
    for queryset in _in_period(municipality, period):
        for row in queryset.values(field).annotate(n=Count("id")).order_by():
            counts[row[field]] += int(row["n"])
    if dimension is Dimension.SERVICE:
        return _service_breakdown(municipality, counts, top_services)
    labels = dict((InquiryDomain if dimension is Dimension.DOMAIN else Channel).choices)
    rows = sorted(
        (
            BreakdownRow(key=str(key), label=str(labels.get(str(key), key)), count=n)
            for key, n in counts.items()
        ),
        key=lambda r: (-r.count, r.label),
    )
    return Breakdown(dimension=dimension, rows=tuple(rows))


def _service_breakdown(municipality: Scope, counts: dict[Key, int], top: int) -> Breakdown:
    without = counts.pop(None, 0)
    by_service = {int(key): n for key, n in counts.items() if key is not None}
    english = (get_language() or "nb").startswith("en")
    names = {
        pk: (code, name_en if english else name_nb)
        for pk, code, name_nb, name_en in scoped(Service, municipality)
        .filter(pk__in=list(by_service))
        .values_list("pk", "code", "name_nb", "name_en")
    }
    # Count, then code: the top services never depend on the language of the names.
    ranked = sorted(by_service.items(), key=lambda item: (-item[1], names[item[0]][0]))
    rows = [BreakdownRow(key=names[pk][0], label=names[pk][1], count=n) for pk, n in ranked[:top]]
    rest = ranked[top:]
    if rest:
        rows.append(
            BreakdownRow(
                key="other",
                label=gettext("Other services (%(count)d)") % {"count": len(rest)},
                count=sum(n for _pk, n in rest),
            )
        )
    if without:
        rows.append(BreakdownRow(key="", label=gettext("No service recorded"), count=without))
    return Breakdown(dimension=Dimension.SERVICE, rows=tuple(rows))


@dataclass(frozen=True)
class InquirySeries:
    """Inquiries per bucket of the local calendar and domain. ``counts[bucket][domain]``;
    a bucket in ``buckets`` without inquiries has 0 for every domain (an inquiry log has no
    "not counted" periods: a day without entries had no inquiries logged)."""

    granularity: Granularity
    buckets: tuple[dt.date, ...]
    domains: tuple[tuple[str, str], ...]  # (value, label) of the domains that occur
    counts: dict[dt.date, dict[str, int]]
    #: The range spans more than :data:`~torg.visits.aggregates.MAX_BUCKETS` buckets even
    #: by year: nothing to draw (``buckets`` empty) from ``first_day`` to ``last_day``.
    too_many_buckets: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    def label(self, bucket: dt.date) -> str:
        return bucket_label(bucket, self.granularity)

    def total(self, bucket: dt.date) -> int:
        return sum(self.counts.get(bucket, {}).values())


def inquiries_over_time(
    municipality: Scope, *, period: LocalDateRange | None = None
) -> InquirySeries:
    """Inquiries per local day, week, month, quarter or year (the finest that shows the
    range in at most :data:`torg.visits.aggregates.MAX_BUCKETS` buckets) and domain. An
    inquiry belongs to the local day of its site's time zone. A range longer than that
    many years gives a series without buckets (``too_many_buckets``)."""
    period = period or LocalDateRange()
    zones = site_zones(municipality)
    base = scoped(Inquiry, municipality)
    first_last: list[dt.date] = []
    for time_zone, site_ids in zones.items():
        tz = zone(time_zone)
        qs = base.filter(site_id__in=site_ids).filter(period.instant_filter("occurred_at", tz))
        earliest = qs.order_by("occurred_at").values_list("occurred_at", flat=True).first()
        latest = qs.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
        if earliest is not None and latest is not None:
            first_last += [earliest.astimezone(tz).date(), latest.astimezone(tz).date()]
    if not first_last:
        return InquirySeries(Granularity.MONTH, (), (), {})
    first, last = period.first or min(first_last), period.last or max(first_last)
    granularity = coarsen_for_span(Granularity.DAY, first, last)
    if bucket_count(first, last, granularity) > MAX_BUCKETS:
        return InquirySeries(
            granularity, (), (), {}, too_many_buckets=True, first_day=first, last_day=last
        )
    counts: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for time_zone, site_ids in zones.items():
        tz = zone(time_zone)
        rows = (
            base.filter(site_id__in=site_ids)
            .filter(period.instant_filter("occurred_at", tz))
            .annotate(
                bucket=Trunc(
                    "occurred_at", granularity.value, output_field=DateTimeField(), tzinfo=tz
                )
            )
            .values("bucket", "domain")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[row["bucket"].astimezone(tz).date()][row["domain"]] += int(row["n"])
    present = {domain for per_bucket in counts.values() for domain in per_bucket}
    domains = tuple(
        (value, str(label)) for value, label in InquiryDomain.choices if value in present
    )
    buckets = tuple(bucket_range(first, last, granularity))
    return InquirySeries(
        granularity=granularity,
        buckets=buckets,
        domains=domains,
        counts={bucket: dict(counts.get(bucket, {})) for bucket in buckets},
    )
