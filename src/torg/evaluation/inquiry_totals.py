"""Monthly totals of the inquiry log, stored so that the evaluation does not group millions
of rows on every report.

Database triggers on the inquiry table (migration ``evaluation/0003``) mark every UTC day
on which an inquiry was added, changed or deleted (:class:`InquiryDirtyDay`), whatever
wrote it: the desk, the API, an import or bulk SQL. :func:`inquiry_totals_refresh`
recomputes the local months those days can touch (a local day lies within one day of its
UTC day in every zone) from the raw rows and stores them in :class:`InquiryMonthTotal`;
every reader here refreshes first, so a figure is never older than the log. A site whose
time zone changed has its months rebuilt.

Readers:

- :func:`inquiry_month_panel`: inquiries (or new users) per site and local month, the
  evaluation's monthly panel.
- :func:`inquiry_summary`: total, by domain, by channel and new users on a range of local
  days; whole months come from the stored totals, the days of a month that the range only
  partly covers from the raw rows (so any range is exact).

Every read goes through :func:`torg.organisation.scoping.scoped` (a member bound to some
sites sees only theirs). Inquiries on days outside the accepted calendar
(:data:`~torg.lib.localtime.FIRST_DAY` to :data:`~torg.lib.localtime.LAST_DAY`) are in no
figure, as in :mod:`torg.inquiries.aggregates`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, Sum

from torg.evaluation.models import InquiryDirtyDay, InquiryMonthTotal
from torg.inquiries.models import Inquiry, UserType
from torg.lib.localtime import FIRST_DAY, LAST_DAY, add_months, zone
from torg.organisation.models import Municipality
from torg.organisation.scoping import Scope, municipality_of, scoped
from torg.visits.aggregates import LocalDateRange, site_zones

_NEW = Q(user_type=UserType.NEW)
_MARKED = Q(user_type__in=UserType.values)
_BATCH = 500


def _month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def _recompute_month(
    municipality: Municipality, month: dt.date, zones: dict[str, list[int]]
) -> None:
    InquiryMonthTotal.objects.filter(municipality=municipality, month=month).delete()
    rows = []
    for time_zone, site_ids in zones.items():
        period = LocalDateRange(month, _month_end(month))
        grouped = (
            Inquiry.objects.filter(municipality=municipality, site_id__in=site_ids)
            .filter(period.instant_filter("occurred_at", zone(time_zone)))
            .values("site_id", "domain", "channel")
            .annotate(
                inquiries=Count("id"),
                new_users=Count("id", filter=_NEW),
                marked=Count("id", filter=_MARKED),
            )
            .order_by()
        )
        rows += [
            InquiryMonthTotal(
                municipality=municipality,
                site_id=row["site_id"],
                month=month,
                time_zone=time_zone,
                domain=row["domain"],
                channel=row["channel"],
                inquiries=row["inquiries"],
                new_users=row["new_users"],
                user_type_marked=row["marked"],
            )
            for row in grouped
        ]
    InquiryMonthTotal.objects.bulk_create(rows, batch_size=_BATCH)


def inquiry_totals_refresh(scope: Scope) -> int:
    """Bring the municipality's stored monthly totals up to date: recompute every local
    month that a marked day can touch, or all of them when a site's time zone changed.
    Returns the number of months recomputed (0 when nothing was marked). One transaction,
    with the municipality's row locked (PostgreSQL), so that two refreshes never interleave;
    a change committed while it runs marks its day again for the next refresh."""
    municipality = municipality_of(scope)
    with transaction.atomic():
        list(Municipality.objects.select_for_update().filter(pk=municipality.pk).values("pk"))
        zones = site_zones(municipality)
        zone_of = {site_id: name for name, ids in zones.items() for site_id in ids}
        stored = InquiryMonthTotal.objects.filter(municipality=municipality)
        moved = any(
            zone_of.get(site_id) != time_zone
            for site_id, time_zone in stored.values_list("site_id", "time_zone").distinct()
        )
        marked = list(
            InquiryDirtyDay.objects.filter(municipality_id=municipality.pk).values_list("id", "day")
        )
        if not marked and not moved:
            return 0
        ids = [pk for pk, _day in marked]
        for start in range(0, len(ids), _BATCH):
            InquiryDirtyDay.objects.filter(id__in=ids[start : start + _BATCH]).delete()
        months: set[dt.date] = set()
        if moved:
            stored.delete()
            rows = Inquiry.objects.filter(municipality=municipality).order_by("occurred_at")
            earliest = rows.values_list("occurred_at", flat=True).first()
            latest = rows.reverse().values_list("occurred_at", flat=True).first()
            if earliest is not None and latest is not None:
                first = max(earliest.date() - dt.timedelta(days=1), FIRST_DAY)
                last = min(latest.date() + dt.timedelta(days=1), LAST_DAY)
                months.update(_months_between(first, last))
        for _pk, day in marked:
            for near in (day - dt.timedelta(days=1), day + dt.timedelta(days=1)):
                if FIRST_DAY <= near <= LAST_DAY:
                    months.add(near.replace(day=1))
        for month in sorted(months):
            _recompute_month(municipality, month, zones)
    return len(months)


@dataclass(frozen=True)
class InquirySummary:
    """Inquiries on a range of local days: ``total``, ``by_domain`` and ``by_channel``
    (value → count, only values that occur; both add up to ``total``) and ``new_users``
    (inquiries marked "new user"; unmarked ones count as neither new nor returning)."""

    total: int = 0
    new_users: int = 0
    by_domain: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)


def _whole_months(
    first: dt.date, last: dt.date
) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The months lying wholly inside ``first``…``last`` and the spans of days left over
    (at most two: the start and the end of the range)."""
    start = first if first.day == 1 else add_months(first.replace(day=1), 1)
    end = last if last == _month_end(last) else last.replace(day=1) - dt.timedelta(days=1)
    if end < start:
        return [], [(first, last)]
    spans = []
    if first < start:
        spans.append((first, start - dt.timedelta(days=1)))
    if end < last:
        spans.append((end + dt.timedelta(days=1), last))
    return _months_between(start, end), spans


def inquiry_summary(scope: Scope, first: dt.date, last: dt.date) -> InquirySummary:
    """Inquiries of ``scope`` on local days ``first`` to ``last`` (both included, each
    inquiry on its site's local day): total, by domain, by channel, new users. Raises
    ``ValueError`` when ``last`` comes before ``first`` or a day is outside the calendar."""
    LocalDateRange(first, last)  # validates the order
    inquiry_totals_refresh(scope)
    months, spans = _whole_months(first, last)
    domains: dict[str, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    new_users = 0
    if months:
        stored = (
            scoped(InquiryMonthTotal, scope)
            .filter(month__gte=months[0], month__lte=months[-1])
            .values("domain", "channel")
            .annotate(n=Sum("inquiries"), new=Sum("new_users"))
            .order_by()
        )
        for row in stored:
            domains[row["domain"]] += int(row["n"])
            channels[row["channel"]] += int(row["n"])
            new_users += int(row["new"])
    for span_first, span_last in spans:
        period = LocalDateRange(span_first, span_last)
        for time_zone, site_ids in site_zones(scope).items():
            raw = (
                scoped(Inquiry, scope)
                .filter(site_id__in=site_ids)
                .filter(period.instant_filter("occurred_at", zone(time_zone)))
                .values("domain", "channel")
                .annotate(n=Count("id"), new=Count("id", filter=_NEW))
                .order_by()
            )
            for row in raw:
                domains[row["domain"]] += int(row["n"])
                channels[row["channel"]] += int(row["n"])
                new_users += int(row["new"])
    return InquirySummary(
        total=sum(domains.values()),
        new_users=new_users,
        by_domain={k: v for k, v in sorted(domains.items()) if v},
        by_channel={k: v for k, v in sorted(channels.items()) if v},
    )


def inquiry_month_panel(
    scope: Scope, *, new_users: bool = False, domain: str | None = None
) -> dict[tuple[int, dt.date], int]:
    """Inquiries per (site id, first local day of the month): all of them, only one
    ``domain``'s, or (``new_users``) those marked "new user".

    A month is present when the site logged at least one inquiry in it (with ``domain``:
    0 when none was of that domain); for ``new_users`` only when at least one inquiry was
    marked new or returning (a site that does not ask is missing, not zero). A month
    without a key is missing."""
    inquiry_totals_refresh(scope)
    rows = scoped(InquiryMonthTotal, scope).values("site_id", "month").order_by()
    if new_users:
        marked = rows.annotate(n=Sum("new_users"), marked=Sum("user_type_marked"))
        return {(r["site_id"], r["month"]): int(r["n"]) for r in marked if r["marked"]}
    condition = Q(domain=domain) if domain is not None else Q()
    grouped = rows.annotate(n=Sum("inquiries", filter=condition))
    return {(r["site_id"], r["month"]): int(r["n"] or 0) for r in grouped}


__all__ = [
    "InquirySummary",
    "inquiry_month_panel",
    "inquiry_summary",
    "inquiry_totals_refresh",
]
