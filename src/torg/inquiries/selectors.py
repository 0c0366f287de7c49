"""The inquiries list and its totals.

One function returns the rows for validated filters, one computes the totals of exactly
those rows; the page, the CSV export and the API call both, so their figures agree
(LESSONS.md, "Totals agree"). Inquiries hold no personal data, so every column may be shown.

Dates are local calendar days in each inquiry's site's time zone, inclusive at both ends,
turned into half-open UTC instants by
:func:`torg.organisation.selectors.local_day_range_q`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet, Sum

from torg.catalogue.models import Service
from torg.inquiries.models import Inquiry
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import Tenancy, scoped
from torg.organisation.selectors import local_day_range_q, site_time_zones


@dataclass(frozen=True)
class InquiryFilters:
    """Validated filters of the inquiries list (every field optional).

    An inquiry is in the date range when it occurred on one of the inclusive local days in
    its site's zone. ``channel``, ``domain`` and ``outcome`` are values of
    :class:`~torg.inquiries.models.Channel`, :class:`~torg.inquiries.models.InquiryDomain`
    and :class:`~torg.inquiries.models.Outcome`.
    """

    site: Site | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    channel: str | None = None
    domain: str | None = None
    service: Service | None = None
    outcome: str | None = None


def inquiry_list(scope: Tenancy | Municipality, filters: InquiryFilters) -> QuerySet[Inquiry]:
    """The inquiries of the municipality that match ``filters``, latest first (then id),
    with site, service point and service joined. Rows of other municipalities never
    appear, whatever ``filters`` holds."""
    rows = scoped(Inquiry, scope).select_related("site", "service_point", "service")
    if filters.site is not None:
        rows = rows.filter(site=filters.site)
    rows = rows.filter(
        local_day_range_q(
            field="occurred_at",
            first_day=filters.first_day,
            last_day=filters.last_day,
            zones=(
                [filters.site.time_zone] if filters.site is not None else site_time_zones(scope)
            ),
        )
    )
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.domain:
        rows = rows.filter(domain=filters.domain)
    if filters.service is not None:
        rows = rows.filter(service=filters.service)
    if filters.outcome:
        rows = rows.filter(outcome=filters.outcome)
    return rows.order_by("-occurred_at", "pk")


@dataclass(frozen=True)
class InquiryTotals:
    """Totals of the rows of one inquiries list.

    ``inquiries`` is the number of rows. ``average_read_effort`` is the mean READ effort
    (scale 1–6) over the ``inquiries_with_effort`` inquiries that have one, rounded to one
    decimal (half up); ``None`` when none has. Inquiries without an effort are left out of
    the average, not counted as 0.
    """

    inquiries: int
    inquiries_with_effort: int
    average_read_effort: Decimal | None


def inquiry_totals(rows: QuerySet[Inquiry]) -> InquiryTotals:
    """The totals of ``rows`` (a queryset from :func:`inquiry_list`). The average is
    computed from an integer sum and count, so it is the same on SQLite and PostgreSQL."""
    summary = rows.order_by().aggregate(
        total_inquiries=Count("pk"), with_effort=Count("read_effort"), effort_sum=Sum("read_effort")
    )
    with_effort = summary["with_effort"]
    average = (
        (Decimal(summary["effort_sum"]) / Decimal(with_effort)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
        if with_effort
        else None
    )
    return InquiryTotals(
        inquiries=summary["total_inquiries"],
        inquiries_with_effort=with_effort,
        average_read_effort=average,
    )


#: The desk page's buttons: the services used most at a service point over this many weeks.
TOP_SERVICE_WEEKS = 8
TOP_SERVICE_COUNT = 8


def desk_top_services(
    tenancy: Tenancy,
    *,
    site: Site,
    service_point: ServicePoint | None,
    now: dt.datetime,
    weeks: int = TOP_SERVICE_WEEKS,
    limit: int = TOP_SERVICE_COUNT,
) -> list[Service]:
    """The active services recorded most often at ``service_point`` (or, without one, at
    ``site``) in the ``weeks`` weeks before ``now``, most used first (ties by name), at most
    ``limit``. While fewer than ``limit`` are found, the list is filled up from the
    site's, then the municipality's recent log, then the same over the whole log, so that
    a new desk starts with useful buttons."""
    since = now - dt.timedelta(weeks=weeks)
    used = tenancy.scoped(Inquiry).filter(service__isnull=False, service__is_active=True)
    scopes = []
    # Recent weeks first; a desk whose log is older still gets its all-time favourites.
    for rows in (used.filter(occurred_at__gte=since), used):
        if service_point is not None:
            scopes.append(rows.filter(service_point=service_point))
        scopes += [rows.filter(site=site), rows]
    chosen: list[int] = []
    for rows in scopes:
        if len(chosen) >= limit:
            break
        ranked = (
            rows.exclude(service__in=chosen)
            .values("service")
            .annotate(used=Count("pk"))
            .order_by("-used", "service__name_nb", "service")[: limit - len(chosen)]
        )
        chosen += [row["service"] for row in ranked]
    by_id = tenancy.scoped(Service).in_bulk(chosen)
    return [by_id[pk] for pk in chosen if pk in by_id]


def desk_recent_inquiries(
    tenancy: Tenancy,
    *,
    user: User,
    service_point: ServicePoint | None,
    site: Site,
    limit: int = 10,
) -> list[Inquiry]:
    """The last ``limit`` inquiries ``user`` recorded at this desk (``service_point``, or
    the site when none is chosen), newest recording first."""
    rows = tenancy.scoped(Inquiry).filter(created_by_id=user.pk, site=site)
    if service_point is not None:
        rows = rows.filter(service_point=service_point)
    return list(
        rows.select_related("service", "site", "service_point").order_by(
            "-recorded_at", "-occurred_at", "-pk"
        )[:limit]
    )


def desk_choices(tenancy: Tenancy) -> list[tuple[Site, list[ServicePoint]]]:
    """The municipality's sites (by name), each with its active service points (by
    name), for the desk page's "where am I" choice."""
    points: dict[int, list[ServicePoint]] = {}
    for point in tenancy.scoped(ServicePoint).filter(is_active=True).order_by("name", "pk"):
        points.setdefault(point.site_id, []).append(point)
    return [
        (site, points.get(site.pk, []))
        for site in tenancy.scoped(Site).filter(is_aggregate=False).order_by("name", "pk")
    ]
