"""The computation behind :func:`inquiry_statistics` (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Count, Func, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import get_language, gettext

from torg.catalogue.models import Level, Service
from torg.inquiries.aggregates import TOP_SERVICES, BreakdownRow
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.inquiries.statistics.results import (
    HOURS,
    MAX_HOURLY_DAYS,
    READ_LEVELS,
    WEEKDAYS,
    DayHours,
    HeatMap,
    HourCount,
    HourlySeries,
    InquiryStatistics,
    Mix,
    Outcomes,
    ReferralTurnaround,
    StatisticsFilters,
)
from torg.lib.business_day import (
    ONE_DAY,
    ONE_HOUR,
    business_day_bounds,
    business_day_hours,
    business_day_of,
)
from torg.lib.localtime import UTC, local_day_bounds, zone
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import Tenancy, municipality_of, scoped

# --- Grouping keys in SQL ---------------------------------------------------------------


class UtcTimeKey(Func):
    """The UTC hour (``YYYY-MM-DD HH``) or minute (``YYYY-MM-DD HH:MM``) of an instant as
    text, written so that the database computes it without any per-row function call into
    Python (Django's ``Trunc`` on SQLite calls one per row)."""

    output_field = CharField()

    def __init__(self, expression: Any, *, minute: bool = False) -> None:
        super().__init__(expression)
        self.minute = minute

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        # Django stores aware datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
        length = 16 if self.minute else 13
        return self.as_sql(compiler, connection, template=f"SUBSTR(%(expressions)s, 1, {length})")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> Any:
        pattern = "YYYY-MM-DD HH24:MI" if self.minute else "YYYY-MM-DD HH24"
        return self.as_sql(
            compiler,
            connection,
            template=f"TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', '{pattern}')",
        )


def _parse_key(key: str) -> dt.datetime:
    return dt.datetime.fromisoformat(key if len(key) > 13 else key + ":00").replace(tzinfo=UTC)


@lru_cache(maxsize=256)
def _needs_minutes(zone_name: str, starts: dt.time) -> bool:
    """Whether a UTC hour can hold two local hours or two business days at this site: its
    business day starts off the hour, or its zone has had a UTC offset that is not a whole
    number of hours since 1970 (checked on the 1st and 15th of every month; some European
    zones had such offsets before the Second World War, which an inquiry log never
    reaches)."""
    if starts.minute or starts.second:
        return True
    tz = zone(zone_name)
    for year in range(1970, 2101):
        for month in range(1, 13):
            for day in (1, 15):
                offset = dt.datetime(year, month, day, 12, tzinfo=tz).utcoffset()
                if offset is not None and offset.total_seconds() % 3600:
                    return True
    return False


# --- The one function -------------------------------------------------------------------


def _period_q(sites: Iterable[Site], first: dt.date | None, last: dt.date | None) -> Q:
    """Rows on business days ``first``–``last`` of their site: known times by the site's
    business-day bounds, unknown times (local midnight of their date) by calendar date."""
    if first is None and last is None:
        return Q()
    groups: dict[tuple[str, dt.time], list[int]] = defaultdict(list)
    for site in sites:
        groups[(site.time_zone, site.business_day_starts)].append(site.pk)
    combined = Q(pk__in=[])
    lowest, highest = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
    for (zone_name, starts), site_ids in groups.items():
        known_start, known_end = business_day_bounds(
            first or lowest, last or highest, starts, zone_name
        )
        day_start, day_end = local_day_bounds(first or lowest, last or highest, zone(zone_name))
        known = Q(time_of_day_known=True)
        unknown = Q(time_of_day_known=False)
        if first is not None:
            known &= Q(occurred_at__gte=known_start)
            unknown &= Q(occurred_at__gte=day_start)
        if last is not None:
            known &= Q(occurred_at__lt=known_end)
            unknown &= Q(occurred_at__lt=day_end)
        combined |= Q(site_id__in=site_ids) & (known | unknown)
    return combined


def inquiry_rows(
    scope: Tenancy | Municipality, filters: StatisticsFilters
) -> tuple[list[Site], QuerySet[Inquiry]]:
    """The sites in view (the filtered one, or all of the municipality by name) and the
    inquiries that match ``filters``, through the scoping helper: a site or service point
    of another municipality in ``filters`` matches nothing."""
    sites_qs = scoped(Site, scope).order_by("name", "pk")
    if filters.site is not None:
        sites_qs = sites_qs.filter(pk=filters.site.pk)
    sites = list(sites_qs)
    rows = scoped(Inquiry, scope).filter(site_id__in=[site.pk for site in sites])
    if filters.service_point is not None:
        rows = rows.filter(
            service_point_id__in=scoped(ServicePoint, scope)
            .filter(pk=filters.service_point.pk)
            .values("pk")
        )
    if filters.domain:
        rows = rows.filter(domain=filters.domain)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    rows = rows.filter(_period_q(sites, filters.first_day, filters.last_day))
    return sites, rows.order_by()


def referral_turnaround(
    scope: Tenancy | Municipality, filters: StatisticsFilters
) -> ReferralTurnaround | None:
    """The turnaround of the referrals (``torg.referrals``) made from the inquiries that
    match ``filters`` (:func:`inquiry_rows`): how many were made, answered and completed,
    and the median minutes from referral to first response and to completion over those
    that got that far. ``None`` when none of the matching inquiries was referred."""
    from torg.referrals.models import Referral

    municipality = municipality_of(scope)
    _sites, rows = inquiry_rows(scope, filters)
    times = list(
        scoped(Referral, municipality)
        .filter(inquiry__in=rows.values("pk"))
        .values_list("created_at", "first_response_at", "completed_at")
    )
    if not times:
        return None
    first = [(answered - made).total_seconds() / 60 for made, answered, _ in times if answered]
    done = [(completed - made).total_seconds() / 60 for made, _, completed in times if completed]
    return ReferralTurnaround(
        referrals=len(times),
        responded=len(first),
        completed=len(done),
        median_first_response_minutes=_median_minutes(first),
        median_completion_minutes=_median_minutes(done),
    )


def _median_minutes(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def inquiry_statistics(
    scope: Tenancy | Municipality,
    filters: StatisticsFilters,
    *,
    top_services: int = TOP_SERVICES,
) -> InquiryStatistics:
    """The desk statistics of the inquiries that match ``filters`` (see the module
    docstring for the time rules and the two queries).

    Returns an :class:`InquiryStatistics`: counts are whole inquiries, shares fractions
    0–1 (``None`` where the denominator is 0). Services past the ``top_services`` most
    frequent are added up in one "other services" row. Rows of other municipalities never
    count, whatever ``filters`` holds.
    """
    municipality = municipality_of(scope)
    sites, rows = inquiry_rows(scope, filters)
    mix_counts = _count_mixes(rows)
    total = sum(mix_counts.values())
    time_unknown = sum(n for key, n in mix_counts.items() if not key[5])
    heat_maps, hourly, reason = _time_figures(sites, rows, filters)
    names = _service_names(municipality, {key[0] for key in mix_counts if key[0] is not None})
    return InquiryStatistics(
        filters=filters,
        total=total,
        time_unknown=time_unknown,
        heat_maps=heat_maps,
        domain=_choice_mix("domain", InquiryDomain.choices, _by(mix_counts, 1)),
        level=_level_mix(mix_counts, names),
        service=_service_mix(mix_counts, names, top_services),
        channel=_choice_mix("channel", Channel.choices, _by(mix_counts, 2)),
        read_effort=_effort_mix(_by(mix_counts, 4)),
        outcomes=_outcomes(_by(mix_counts, 3)),
        hourly=hourly,
        hourly_unavailable=reason,
        referral_turnaround=referral_turnaround(scope, filters),
        service_count=len(names),
    )


# key: (service_id, domain, channel, outcome, read_effort, time_of_day_known)
MixKey = tuple[int | None, str, str, str, int | None, bool]
#: The grouping order. SQLite walks an index when the first GROUP BY column has one
#: (service_id, site_id), and then fetches every row by its id in index order: on a million
#: rows that was twice as slow as a plain scan (bench/stats.py). A first column without an
#: index of its own keeps the plan a plain scan.
MIX_GROUPING = ("domain", "channel", "outcome", "read_effort", "time_of_day_known", "service_id")


def _grouped(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a grouped ``values().annotate()`` queryset as plain tuples, straight
    from the database cursor: the SQL is the queryset's own (so scoped exactly as it is),
    but the up to a few hundred thousand groups skip Django's per-row conversion, which
    cost as much as the query itself (bench/stats.py). Booleans may come back as 0/1."""
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # e.g. no site in view: Django answers that without a query
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _count_mixes(rows: QuerySet[Inquiry]) -> dict[MixKey, int]:
    counts: dict[MixKey, int] = {}
    grouped = rows.values(*MIX_GROUPING).annotate(n=Count("pk"))
    for domain, channel, outcome, read_effort, known, service_id, n in _grouped(grouped):
        counts[(service_id, domain, channel, outcome, read_effort, bool(known))] = int(n)
    return counts


def _by(counts: dict[MixKey, int], index: int) -> dict[Any, int]:
    result: dict[Any, int] = defaultdict(int)
    for key, n in counts.items():
        result[key[index]] += n
    return result


def _service_names(municipality: Municipality, pks: set[int]) -> dict[int, tuple[str, str, str]]:
    """pk → (code, name in the UI language, level)."""
    english = (get_language() or "nb").startswith("en")
    return {
        pk: (code, name_en if english else name_nb, level)
        for pk, code, name_nb, name_en, level in scoped(Service, municipality)
        .filter(pk__in=sorted(pks))
        .values_list("pk", "code", "name_nb", "name_en", "level")
    }


def _choice_mix(name: str, choices: Iterable[tuple[Any, Any]], counts: dict[Any, int]) -> Mix:
    """Every choice in its defined order, also those with 0, and any stored value that is
    not a choice (kept, so the rows still add up to the total)."""
    labelled = [(str(value), str(label)) for value, label in choices]
    known = {value for value, _label in labelled}
    rows = [
        BreakdownRow(key=value, label=label, count=counts.get(value, 0))
        for value, label in labelled
    ]
    rows += [
        BreakdownRow(key=str(value), label=str(value), count=n)
        for value, n in sorted(counts.items(), key=lambda item: str(item[0]))
        if str(value) not in known
    ]
    return Mix(name=name, rows=tuple(rows))


def _level_mix(counts: dict[MixKey, int], names: dict[int, tuple[str, str, str]]) -> Mix:
    by_level: dict[str, int] = defaultdict(int)
    for (service_id, *_rest), n in counts.items():
        by_level[names[service_id][2] if service_id in names else ""] += n
    rows = [
        BreakdownRow(key=str(value), label=str(label), count=by_level.get(str(value), 0))
        for value, label in Level.choices
    ]
    rows.append(
        BreakdownRow(key="", label=gettext("No service recorded"), count=by_level.get("", 0))
    )
    return Mix(name="level", rows=tuple(rows))


def _service_mix(
    counts: dict[MixKey, int], names: dict[int, tuple[str, str, str]], top: int
) -> Mix:
    by_service: dict[int | None, int] = defaultdict(int)
    for (service_id, *_rest), n in counts.items():
        by_service[service_id if service_id in names else None] += n
    without = by_service.pop(None, 0)
    # Which services make the top is decided by count, then code: never by the translated
    # name, so the same query gives the same services in every language.
    ranked = sorted(by_service.items(), key=lambda item: (-item[1], names[item[0]][0]))  # type: ignore[index]
    rows = [
        BreakdownRow(key=names[pk][0], label=names[pk][1], count=n)  # type: ignore[index]
        for pk, n in ranked[:top]
    ]
    rest = ranked[top:]
    if rest:
        rows.append(
            BreakdownRow(
                key="other",
                label=gettext("Other services (%(count)d)") % {"count": len(rest)},
                count=sum(n for _pk, n in rest),
            )
        )
    rows.append(BreakdownRow(key="", label=gettext("No service recorded"), count=without))
    return Mix(name="service", rows=tuple(rows))


def _effort_mix(counts: dict[Any, int]) -> Mix:
    rows = [
        BreakdownRow(key=str(level), label=str(level), count=counts.get(level, 0))
        for level in READ_LEVELS
    ]
    rows.append(BreakdownRow(key="", label=gettext("Not recorded"), count=counts.get(None, 0)))
    return Mix(name="read_effort", rows=tuple(rows))


def _outcomes(counts: dict[Any, int]) -> Outcomes:
    return Outcomes(
        total=sum(counts.values()),
        not_recorded=counts.get(Outcome.NOT_RECORDED.value, 0),
        resolved=counts.get(Outcome.RESOLVED.value, 0),
        referred_internal=counts.get(Outcome.REFERRED_INTERNAL.value, 0),
        referred_external=counts.get(Outcome.REFERRED_EXTERNAL.value, 0),
    )


# --- Heat map and hourly series ---------------------------------------------------------


def _weekday_hour(key: str, zone_name: str, starts: dt.time) -> tuple[int, int]:
    """(weekday of the business day, Monday = 0; local hour) of a UTC hour or minute key."""
    instant = _parse_key(key)
    day = business_day_of(instant, starts, zone_name)
    return day.weekday(), instant.astimezone(zone(zone_name)).hour


def _time_figures(
    sites: list[Site], rows: QuerySet[Inquiry], filters: StatisticsFilters
) -> tuple[tuple[HeatMap, ...], HourlySeries | None, str]:
    setting = {site.pk: (site.time_zone, site.business_day_starts) for site in sites}
    minute_sites = [pk for pk, (name, starts) in setting.items() if _needs_minutes(name, starts)]
    grouped: list[tuple[Any, ...]] = []  # (time_of_day_known, key, site_id, count)
    for minute, queryset in (
        (False, rows.exclude(site_id__in=minute_sites)),
        (True, rows.filter(site_id__in=minute_sites)),
    ):
        if minute and not minute_sites:
            continue
        query = (
            queryset.annotate(key=UtcTimeKey("occurred_at", minute=minute))
            # time_of_day_known first, not site_id: see MIX_GROUPING.
            .values("time_of_day_known", "key", "site_id")
            .annotate(n=Count("pk"))
        )
        grouped += _grouped(query)

    cells: dict[int, list[list[int]]] = {
        site.pk: [[0] * HOURS for _ in range(WEEKDAYS)] for site in sites
    }
    # Hundreds of thousands of (site, UTC hour) groups but only thousands of UTC hours:
    # each hour is placed once per zone and start of the business day.
    placed: dict[tuple[str, dt.time], dict[str, tuple[int, int]]] = {
        site_setting: {} for site_setting in setting.values()
    }
    for known, key, site_id, n in grouped:
        if not known:
            continue
        site_setting = setting[site_id]
        table = placed[site_setting]
        spot = table.get(key)
        if spot is None:
            spot = table[key] = _weekday_hour(key, *site_setting)
        cells[site_id][spot[0]][spot[1]] += n
    service_point_name = filters.service_point.name if filters.service_point is not None else None
    heat_maps = tuple(
        HeatMap(
            site_id=site.pk,
            site_name=site.name,
            time_zone=site.time_zone,
            business_day_starts=site.business_day_starts,
            service_point_name=service_point_name,
            counts=tuple(tuple(row) for row in cells[site.pk]),
        )
        for site in sites
        if filters.site is not None or any(any(row) for row in cells[site.pk])
    )
    hourly, reason = _hourly(sites, grouped, filters)
    return heat_maps, hourly, reason


def _hourly(
    sites: list[Site], grouped: list[tuple[Any, ...]], filters: StatisticsFilters
) -> tuple[HourlySeries | None, str]:
    first, last = filters.first_day, filters.last_day
    if first is None or last is None:
        return None, "no_period"
    if (last - first).days + 1 > MAX_HOURLY_DAYS:
        return None, "period_too_long"
    settings = {(site.time_zone, site.business_day_starts) for site in sites}
    if len(settings) > 1:
        return None, "several_zones"
    if not settings:
        return None, "no_period"
    ((zone_name, starts),) = settings
    tz = zone(zone_name)
    days: list[dt.date] = []
    day = first
    while day <= last:
        days.append(day)
        day += ONE_DAY
    slots = {day: list(business_day_hours(day, starts, zone_name)) for day in days}
    hour_counts: dict[tuple[dt.date, int], int] = defaultdict(int)
    unknown: dict[dt.date, int] = defaultdict(int)
    for known, key, _site_id, n in grouped:
        instant = _parse_key(key)
        if not known:
            unknown[instant.astimezone(tz).date()] += n
            continue
        day = business_day_of(instant, starts, zone_name)
        if day not in slots:  # cannot happen after the period filter; kept for safety
            continue
        index = int((instant - slots[day][0]) // ONE_HOUR)
        hour_counts[(day, index)] += n
    return (
        HourlySeries(
            time_zone=zone_name,
            business_day_starts=starts,
            days=tuple(
                DayHours(
                    day=day,
                    hours=tuple(
                        HourCount(start=start.astimezone(tz), count=hour_counts.get((day, i), 0))
                        for i, start in enumerate(slots[day])
                    ),
                    time_unknown=unknown.get(day, 0),
                )
                for day in days
            ),
        ),
        "",
    )
