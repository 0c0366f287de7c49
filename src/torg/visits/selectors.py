"""The visits and events lists and their totals, what a date range does to counts and
events that cover a period, and a municipality's own national statistics.

One function returns the rows of a list for validated filters, one computes the totals of
exactly those rows; the page, the CSV export and the API all call both, so their figures
agree (LESSONS.md, "Totals agree"). A row with a period belongs wholly to the range in
which it starts; :func:`visit_count_edges` and :func:`event_edges` count the rows that
rule counts whole past the range's last day or leaves out before its first, for the
lists, the dashboard and the API to say so.

Dates are local calendar days in each row's site's time zone, inclusive at both ends
("1 to 31 March" includes all of 31 March), turned into half-open UTC instants by
:func:`torg.organisation.selectors.local_day_range_q`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from torg.lib.localtime import start_of_local_day
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.organisation.selectors import (
    ONE_DAY,
    default_time_zone,
    local_day_range_q,
    per_zone_q,
    site_time_zones,
)
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount
from torg.visits.national import normalise_number

#: The value of the entrance filter that selects the figures for a whole site
#: (``entrance=""`` in the database), as opposed to "any entrance" (no filter).
WHOLE_SITE = "whole-site"


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
    municipality = municipality_of(scope)
    rows = scoped(VisitCount, scope).select_related("site")
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
        scoped(VisitCount, scope).exclude(entrance="").values_list("entrance", flat=True).distinct()
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
    municipality = municipality_of(scope)
    rows = scoped(Event, scope).select_related("site")
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


# --- Periods that cross the edges of a chosen range ------------------------------------


@dataclass(frozen=True)
class EdgeRows:
    """Rows on one edge of a range: how many, and the sum of their measure (visits for
    visit counts, events (occurrences) for events; an unknown number adds nothing)."""

    rows: int = 0
    total: int = 0


@dataclass(frozen=True)
class PeriodEdges:
    """What the rule "a row belongs wholly to the period in which it starts" does to a
    chosen range of local days ``first_day`` to ``last_day`` (inclusive; ``None`` open).

    A count or an aggregate event row covers a period [start, end) and cannot be split
    between days without inventing numbers, so it is in the range when its period *starts*
    on one of the days. Two kinds of row therefore need saying:

    * ``counted_whole``: the period starts on the chosen days but ends after the last of
      them; the row is in the figures with all of its value;
    * ``left_out``: the period starts before the first chosen day but ends after that day
      began (within the range or past it); the row is in no figure of the range.

    Each row is judged in its own site's time zone. Both are empty for an open side.
    """

    first_day: dt.date | None
    last_day: dt.date | None
    counted_whole: EdgeRows = EdgeRows()
    left_out: EdgeRows = EdgeRows()

    def __bool__(self) -> bool:
        return bool(self.counted_whole.rows or self.left_out.rows)


def _period_edges(
    rows: QuerySet[Any],
    *,
    start_field: str,
    end_field: str,
    measure: str,
    first_day: dt.date | None,
    last_day: dt.date | None,
    zones: list[str],
    no_site_zone: str | None = None,
) -> PeriodEdges:
    """The :class:`PeriodEdges` of ``rows`` (filtered in every way but the dates)."""
    counted_whole = left_out = EdgeRows()
    if last_day is not None:
        end = last_day + ONE_DAY
        in_range = local_day_range_q(
            field=start_field,
            first_day=first_day,
            last_day=last_day,
            zones=zones,
            no_site_zone=no_site_zone,
        )
        past_last = per_zone_q(
            lambda tz: Q(**{f"{end_field}__gt": start_of_local_day(end, tz)}),
            zones=zones,
            no_site_zone=no_site_zone,
        )
        counted_whole = _edge_rows(rows.filter(in_range & past_last), measure)
    if first_day is not None:
        first = first_day

        def across_first(tz: dt.tzinfo) -> Q:
            start = start_of_local_day(first, tz)
            return Q(**{f"{start_field}__lt": start, f"{end_field}__gt": start})

        left_out = _edge_rows(
            rows.filter(per_zone_q(across_first, zones=zones, no_site_zone=no_site_zone)),
            measure,
        )
    return PeriodEdges(
        first_day=first_day, last_day=last_day, counted_whole=counted_whole, left_out=left_out
    )


def _edge_rows(rows: QuerySet[Any], measure: str) -> EdgeRows:
    summary = rows.order_by().aggregate(rows=Count("pk"), total=Sum(measure))
    return EdgeRows(rows=summary["rows"], total=summary["total"] or 0)


def visit_count_edges(scope: Tenancy | Municipality, filters: VisitCountFilters) -> PeriodEdges:
    """The counts that matter at the edges of ``filters``' date range (see
    :class:`PeriodEdges`), among the counts that match every other filter: the page, the
    dashboard and the API say with it why a range's visits are what they are. ``total``
    is in visits."""
    municipality = municipality_of(scope)
    return _period_edges(
        visit_count_list(scope, replace(filters, first_day=None, last_day=None)),
        start_field="period_start",
        end_field="period_end",
        measure="count",
        first_day=filters.first_day,
        last_day=filters.last_day,
        zones=_zones(municipality, filters.site),
    )


def event_edges(scope: Tenancy | Municipality, filters: EventFilters) -> PeriodEdges:
    """The events with a period (``ends_at`` set: a source's totals for a month, or a
    long event) at the edges of ``filters``' date range (see :class:`PeriodEdges`), among
    the events that match every other filter. Events without a site are judged in
    :func:`~torg.organisation.selectors.default_time_zone`, as in :func:`event_list`.
    ``total`` is in events (occurrences)."""
    municipality = municipality_of(scope)
    return _period_edges(
        event_list(scope, replace(filters, first_day=None, last_day=None)),
        start_field="starts_at",
        end_field="ends_at",
        measure="occurrences",
        first_day=filters.first_day,
        last_day=filters.last_day,
        zones=_zones(municipality, filters.site),
        no_site_zone=None if filters.site is not None else default_time_zone(municipality),
    )


# --- National statistics ----------------------------------------------------------------


@dataclass(frozen=True)
class NationalFigures:
    """A municipality's own row in the newest national annual library statistics
    (:class:`~torg.visits.models.AnnualLibraryStatistics`, Nasjonalbiblioteket's
    *folkebibliotekstatistikk*): visits, events and their attendance in ``year``, ``None``
    where the source cell is empty. ``number`` is as the statistics write it."""

    year: int
    number: str
    name: str
    visits: int | None
    events: int | None
    attendance: int | None


def national_figures(municipality: Municipality) -> NationalFigures | None:
    """The newest national statistics row of a Norwegian ``municipality``, matched by its
    number (``0301`` and ``301`` are the same, see
    :func:`~torg.visits.national.normalise_number`); ``None`` for a municipality outside
    Norway or without a row. Public reference data, so no tenant scoping is needed."""
    if municipality.country != "NO" or not municipality.number.strip():
        return None
    wanted = normalise_number(municipality.number)
    candidates = {wanted, wanted.zfill(4), f"{wanted}.0", f"{wanted.zfill(4)}.0"}
    rows = AnnualLibraryStatistics.objects.filter(
        country="NO", municipality_number__in=candidates
    ).order_by("-year", "municipality_number")
    row = next((r for r in rows if normalise_number(r.municipality_number) == wanted), None)
    if row is None:
        return None
    return NationalFigures(
        year=row.year,
        number=row.municipality_number,
        name=row.municipality_name,
        visits=row.visits_total,
        events=row.events_total,
        attendance=row.events_attendance,
    )
