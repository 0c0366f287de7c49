"""The visits and events lists and their totals.

One function returns the rows of a list for validated filters, one computes the totals of
exactly those rows; the page, the CSV export and the API all call both, so their figures
agree (LESSONS.md, "Totals agree").

Dates are local calendar days in each row's site's time zone, inclusive at both ends
("1 to 31 March" includes all of 31 March), turned into half-open UTC instants by
:func:`torg.organisation.selectors.local_day_range_q`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, scoped
from torg.organisation.selectors import default_time_zone, local_day_range_q, site_time_zones
from torg.visits.models import Event, VisitCount

#: The value of the entrance filter that selects the figures for a whole site
#: (``entrance=""`` in the database), as opposed to "any entrance" (no filter).
WHOLE_SITE = "whole-site"


def _municipality(scope: Tenancy | Municipality) -> Municipality:
    return scope.municipality if isinstance(scope, Tenancy) else scope


def _zones(municipality: Municipality, site: Site | None) -> list[str]:
    return [site.time_zone] if site is not None else site_time_zones(municipality)


# --- Visit counts -----------------------------------------------------------------------


@dataclass(frozen=True)
class VisitCountFilters:
    """Validated filters of the visits list (every field optional).

    ``first_day``/``last_day`` are inclusive local dates; a count is in the range when its
    period *starts* on one of those days in its site's zone. ``entrance`` is an entrance
    name, :data:`WHOLE_SITE` for whole-site figures, or ``None`` for any. ``method`` is a
    :class:`~torg.visits.models.CountMethod` value.
    """

    site: Site | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    method: str | None = None
    entrance: str | None = None


def visit_count_list(
    scope: Tenancy | Municipality, filters: VisitCountFilters
) -> QuerySet[VisitCount]:
    """The visit counts of the municipality that match ``filters``, newest period first
    (then site name, entrance, id: a stable order for pages and exports), with their site
    joined. Rows of other municipalities never appear, whatever ``filters`` holds."""
    municipality = _municipality(scope)
    rows = scoped(VisitCount, municipality).select_related("site")
    if filters.site is not None:
        rows = rows.filter(site=filters.site)
    rows = rows.filter(
        local_day_range_q(
            field="period_start",
            first_day=filters.first_day,
            last_day=filters.last_day,
            zones=_zones(municipality, filters.site),
        )
    )
    if filters.method:
        rows = rows.filter(method=filters.method)
    if filters.entrance == WHOLE_SITE:
        rows = rows.filter(entrance="")
    elif filters.entrance:
        rows = rows.filter(entrance=filters.entrance)
    return rows.order_by("-period_start", "site__name", "entrance", "pk")


def visit_entrances(scope: Tenancy | Municipality) -> list[str]:
    """The named entrances that occur in the municipality's visit counts, sorted (the
    whitelist for the entrance filter; the whole-site figure is :data:`WHOLE_SITE`)."""
    names = (
        scoped(VisitCount, _municipality(scope))
        .exclude(entrance="")
        .values_list("entrance", flat=True)
        .distinct()
    )
    return sorted(set(names))


@dataclass(frozen=True)
class VisitCountTotals:
    """Totals of the rows of one visits list.

    ``visits`` is the sum of ``count`` over the ``counts`` rows (a zero count adds 0 and
    still counts as a row); ``sites`` is the number of distinct sites among them.
    ``mixes_entrances`` is true when, for some site, the rows hold both whole-site figures
    and single-entrance figures, so that ``visits`` may count the same people twice.
    """

    visits: int
    counts: int
    sites: int
    mixes_entrances: bool


def visit_count_totals(rows: QuerySet[VisitCount]) -> VisitCountTotals:
    """The totals of ``rows`` (a queryset from :func:`visit_count_list`)."""
    plain = rows.order_by()
    summary = plain.aggregate(
        total_visits=Sum("count"),
        total_counts=Count("pk"),
        total_sites=Count("site", distinct=True),
    )
    mixed = (
        plain.values("site")
        .annotate(
            whole=Count("pk", filter=Q(entrance="")),
            parts=Count("pk", filter=~Q(entrance="")),
        )
        .filter(whole__gt=0, parts__gt=0)
        .exists()
    )
    return VisitCountTotals(
        visits=summary["total_visits"] or 0,
        counts=summary["total_counts"],
        sites=summary["total_sites"],
        mixes_entrances=mixed,
    )


# --- Events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    """Validated filters of the events list (every field optional).

    An event is in the date range when it *starts* on one of the inclusive local days, in
    its site's zone (events without a site: the municipality's zone, see
    :func:`torg.organisation.selectors.default_time_zone`). ``event_type`` and
    ``audience`` are :class:`~torg.visits.models.EventType` and
    :class:`~torg.visits.models.Audience` values; ``is_digital`` ``None`` means either.
    """

    site: Site | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    event_type: str | None = None
    audience: str | None = None
    is_digital: bool | None = None


def event_list(scope: Tenancy | Municipality, filters: EventFilters) -> QuerySet[Event]:
    """The events of the municipality that match ``filters``, latest first (then id), with
    their site joined."""
    municipality = _municipality(scope)
    rows = scoped(Event, municipality).select_related("site")
    if filters.site is not None:
        rows = rows.filter(site=filters.site)
    rows = rows.filter(
        local_day_range_q(
            field="starts_at",
            first_day=filters.first_day,
            last_day=filters.last_day,
            zones=_zones(municipality, filters.site),
            no_site_zone=None if filters.site is not None else default_time_zone(municipality),
        )
    )
    if filters.event_type:
        rows = rows.filter(event_type=filters.event_type)
    if filters.audience:
        rows = rows.filter(audience=filters.audience)
    if filters.is_digital is not None:
        rows = rows.filter(is_digital=filters.is_digital)
    return rows.order_by("-starts_at", "pk")


@dataclass(frozen=True)
class EventTotals:
    """Totals of the rows of one events list.

    A row may stand for several events (``occurrences``, for sources that publish totals),
    so ``events`` is the sum of occurrences over the ``rows``. ``attendance`` is the sum of
    the recorded attendance, over the ``events_with_attendance`` events whose attendance
    was recorded (0 included); ``events_without_attendance`` events have none recorded and
    add nothing, so ``attendance`` is a total of the former only.

    ``rows_without_event_count`` rows have an unknown number of events (a source reported
    their attendance but not how many events there were): they add nothing to ``events``,
    and their ``attendance_without_event_count`` is included in ``attendance``.
    """

    rows: int
    events: int
    attendance: int
    events_with_attendance: int
    events_without_attendance: int
    rows_without_event_count: int = 0
    attendance_without_event_count: int = 0


def event_totals(rows: QuerySet[Event]) -> EventTotals:
    """The totals of ``rows`` (a queryset from :func:`event_list`)."""
    recorded = Q(attendance__isnull=False)
    summary = rows.order_by().aggregate(
        total_rows=Count("pk"),
        total_events=Sum("occurrences"),
        total_attendance=Sum("attendance"),
        with_attendance=Sum("occurrences", filter=recorded),
        without_attendance=Sum("occurrences", filter=~recorded),
        unknown_count_rows=Count("pk", filter=Q(occurrences__isnull=True)),
        unknown_count_attendance=Sum("attendance", filter=Q(occurrences__isnull=True)),
    )
    return EventTotals(
        rows=summary["total_rows"],
        events=summary["total_events"] or 0,
        attendance=summary["total_attendance"] or 0,
        events_with_attendance=summary["with_attendance"] or 0,
        events_without_attendance=summary["without_attendance"] or 0,
        rows_without_event_count=summary["unknown_count_rows"] or 0,
        attendance_without_event_count=summary["unknown_count_attendance"] or 0,
    )
