"""Read-only queries about a municipality's organisation: its sites with their current
organisational model, service points and opening hours, and the local-day date filter that
every list page shares.

Every function takes the municipality (the tenant) and reaches rows only through
:func:`torg.organisation.scoping.scoped`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from torg.lib.localtime import local_date, start_of_local_day, zone
from torg.organisation.models import (
    Municipality,
    OpeningHours,
    OpeningHoursKind,
    ServicePoint,
    Site,
    SiteModelPeriod,
)
from torg.organisation.scoping import Scope, scoped

ONE_DAY = dt.timedelta(days=1)


# --- Local days -------------------------------------------------------------------------


def site_time_zones(municipality: Scope) -> list[str]:
    """The distinct IANA zone names of the municipality's sites, sorted."""
    return sorted(set(scoped(Site, municipality).values_list("time_zone", flat=True)))


def default_time_zone(municipality: Municipality) -> str:
    """The zone for rows that have no site: the sites' zone when they all share one,
    otherwise Torg's ``TIME_ZONE`` setting."""
    zones = site_time_zones(municipality)
    return zones[0] if len(zones) == 1 else str(settings.TIME_ZONE)


def per_zone_q(
    condition: Callable[[dt.tzinfo], Q],
    *,
    zones: Iterable[str],
    zone_path: str = "site__time_zone",
    no_site_zone: str | None = None,
    site_path: str = "site",
) -> Q:
    """``condition(tz)`` applied to each row in its own site's time zone: for every zone
    in ``zones``, the rows whose site is in that zone and meet ``condition`` for it.
    ``no_site_zone``, when given, also matches rows without a site (``site_path`` empty),
    judged in that zone; otherwise they never match. No zones at all: matches nothing."""
    combined = Q(pk__in=[])
    for zone_name in sorted(set(zones)):
        combined |= Q(**{zone_path: zone_name}) & condition(zone(zone_name))
    if no_site_zone is not None:
        combined |= Q(**{f"{site_path}__isnull": True}) & condition(zone(no_site_zone))
    return combined


def local_day_range_q(
    *,
    field: str,
    first_day: dt.date | None,
    last_day: dt.date | None,
    zones: Iterable[str],
    zone_path: str = "site__time_zone",
    no_site_zone: str | None = None,
    site_path: str = "site",
) -> Q:
    """A filter for rows whose instant ``field`` lies on local calendar days ``first_day``
    to ``last_day`` *inclusive*, each row judged in its own site's time zone.

    For each zone in ``zones`` the local days become half-open UTC instants
    ``[start of first_day, start of the day after last_day)`` (see
    :func:`torg.lib.localtime.local_day_bounds`), so "1 to 31 March" includes all of
    31 March local time, also across a daylight-saving change. Either end may be ``None``
    (open). ``no_site_zone``, when given, also matches rows without a site (``site_path``
    empty), judged in that zone. Returns ``Q()`` when both ends are open.
    """
    if first_day is None and last_day is None:
        return Q()

    def bounds(tz: dt.tzinfo) -> Q:
        condition = Q()
        if first_day is not None:
            condition &= Q(**{f"{field}__gte": start_of_local_day(first_day, tz)})
        if last_day is not None:
            condition &= Q(**{f"{field}__lt": start_of_local_day(last_day + ONE_DAY, tz)})
        return condition

    return per_zone_q(
        bounds, zones=zones, zone_path=zone_path, no_site_zone=no_site_zone, site_path=site_path
    )


# --- Sites ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteOverview:
    """One line of the sites list: the site, how many service points it has (active or
    not), and its organisational model period on ``today`` (the local date in the site's
    zone), or ``None`` when no period covers that day."""

    site: Site
    service_points: int
    current_period: SiteModelPeriod | None
    today: dt.date


def site_queryset(municipality: Scope) -> QuerySet[Site]:
    """The municipality's sites ordered by name, each annotated with
    ``service_point_count`` and with its model periods prefetched (oldest first)."""
    return (
        scoped(Site, municipality)
        .annotate(service_point_count=Count("service_points", distinct=True))
        .prefetch_related(
            Prefetch(
                "model_periods",
                queryset=SiteModelPeriod.objects.order_by("valid_from"),
            )
        )
        .order_by("name", "pk")
    )


def period_on(periods: Iterable[SiteModelPeriod], day: dt.date) -> SiteModelPeriod | None:
    """The period among ``periods`` that covers local date ``day`` (inclusive ends; an empty
    ``valid_to`` is open-ended), or ``None``. Periods never overlap, so there is at most one."""
    for period in periods:
        if period.valid_from <= day and (period.valid_to is None or day <= period.valid_to):
            return period
    return None


def site_overview(municipality: Scope, *, now: dt.datetime | None = None) -> list[SiteOverview]:
    """The sites list: one :class:`SiteOverview` per site of ``municipality``, by name.

    "Current" means the period covering today's date in the site's own time zone, at
    ``now`` (default: the present instant).
    """
    instant = now or timezone.now()
    rows = []
    for site in site_queryset(municipality):
        today = local_date(instant, zone(site.time_zone))
        rows.append(
            SiteOverview(
                site=site,
                service_points=site.service_point_count,  # type: ignore[attr-defined]
                current_period=period_on(site.model_periods.all(), today),
                today=today,
            )
        )
    return rows


def site_get(municipality: Scope, pk: int) -> Site:
    """The site ``pk`` of ``municipality``; raises ``Site.DoesNotExist`` for a site of any
    other municipality, exactly as for one that does not exist."""
    return scoped(Site, municipality).get(pk=pk)


def site_service_points(site: Site) -> QuerySet[ServicePoint]:
    """The service points of ``site``, active ones first, then by name."""
    return scoped(ServicePoint, site.municipality).filter(site=site).order_by("-is_active", "name")


def site_model_history(site: Site) -> QuerySet[SiteModelPeriod]:
    """The organisational model periods of ``site``, oldest first."""
    return scoped(SiteModelPeriod, site.municipality).filter(site=site).order_by("valid_from")


def overlapping_periods(
    site: Site, valid_from: dt.date, valid_to: dt.date | None
) -> QuerySet[SiteModelPeriod]:
    """Periods of ``site`` that share at least one day with ``valid_from``–``valid_to``
    (inclusive; ``None`` is open-ended). The same rule as the database's
    ``site_model_period_no_overlap`` (migration 0002), so a form can explain the refusal
    before the database makes it."""
    overlapping = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        overlapping &= Q(valid_from__lte=valid_to)
    return site_model_history(site).filter(overlapping)


# --- Opening hours ----------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyHours:
    """The opening hours of one kind (staffed or self-service) valid on ``on``.

    ``intervals`` are the rows, by weekday and opening time; ``weekly_hours`` is the total
    number of hours a week, with overlapping intervals of one weekday counted once.
    """

    kind: str
    label: str
    on: dt.date
    intervals: Sequence[OpeningHours]
    weekly_hours: Decimal


def _merged_minutes(intervals: Iterable[tuple[dt.time, dt.time]]) -> int:
    """Minutes covered by the union of same-day ``(opens, closes)`` intervals."""
    total = 0
    current_start: int | None = None
    current_end = 0
    for opens, closes in sorted(intervals):
        start = opens.hour * 60 + opens.minute
        end = closes.hour * 60 + closes.minute
        if current_start is None or start > current_end:
            if current_start is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None:
        total += current_end - current_start
    return total


def weekly_hours(intervals: Iterable[OpeningHours]) -> Decimal:
    """Hours a week covered by ``intervals`` (local wall-clock times), overlapping intervals
    on the same weekday counted once; e.g. Mon 10–14 and Mon 12–16 give 6 hours. Returned as
    a :class:`~decimal.Decimal` in hours with two decimals (minutes are exact in sixtieths,
    so 7 h 20 min is 7.33)."""
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for interval in intervals:
        by_weekday.setdefault(interval.weekday, []).append((interval.opens, interval.closes))
    minutes = sum(_merged_minutes(day) for day in by_weekday.values())
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


def site_opening_hours(site: Site, *, on: dt.date | None = None) -> list[WeeklyHours]:
    """The site's timetable valid on local date ``on`` (default: today in the site's zone),
    split into staffed hours and self-service (*meråpent*) hours, in that order, each with
    its weekly total (:func:`weekly_hours`)."""
    day = on or local_date(timezone.now(), zone(site.time_zone))
    valid = list(
        scoped(OpeningHours, site.municipality)
        .filter(site=site, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("weekday", "opens", "closes")
    )
    result = []
    for kind in (OpeningHoursKind.STAFFED, OpeningHoursKind.SELF_SERVICE):
        rows = [row for row in valid if row.kind == kind]
        result.append(
            WeeklyHours(
                kind=kind.value,
                label=str(kind.label),
                on=day,
                intervals=rows,
                weekly_hours=weekly_hours(rows),
            )
        )
    return result
