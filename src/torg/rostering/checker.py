"""Independent roster checker: validates assignments against every hard rule.

Written apart from the solver (it imports only the input dataclasses and the rule names, not
:mod:`torg.rostering.model`): it recomputes instants, rest periods and counts from the
assignments with plain Python, so a modelling mistake in the solver shows up here as a
violation. Rules and their sources:

- coverage: each demand row has at least ``minimum`` people with the competence on a shift at
  the site spanning the whole slot;
- no overlapping shifts; AML § 10-8 (1) daily rest of ``daily_rest_hours`` between shifts;
  AML § 10-8 (2) ``weekly_rest_hours`` continuous rest in each calendar week (local Monday
  00:00 to Monday 00:00, real hours);
- AML § 10-4 (1) at most ``max_daily_hours`` on shifts starting on one local day and
  ``max_weekly_hours`` in one calendar week;
- AML § 10-10 (2) a person who worked on a Sunday or public holiday (a shift overlapping the
  local calendar day; Norwegian holidays from the ``holidays`` package) has the next one off;
- contract hours within the tolerance; at most one Saturday in any ``saturday_every_weeks``
  consecutive weeks; placements; availability (absence), allowed sites, shift weekdays.

Rules the manager made soft are still reported (with ``soft=True``), so nothing is hidden.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

import holidays

from torg.rostering.domain import (
    AVAILABILITY,
    CONTRACT_HOURS,
    COVERAGE,
    DAILY_HOURS,
    DAILY_REST,
    NO_OVERLAP,
    PLACEMENT,
    SATURDAY_ROTATION,
    SITE,
    SUNDAY_HOLIDAY,
    UNKNOWN_SHIFT,
    WEEKLY_HOURS,
    WEEKLY_REST,
    Assignment,
    Problem,
)


@dataclass(frozen=True)
class Violation:
    """A broken rule: ``rule`` name, ``person`` id (or None), local ``day`` and a detail."""

    rule: str
    person: str | None
    day: dt.date | None
    detail: str
    soft: bool = False


@dataclass(frozen=True)
class _Worked:
    person: str
    day: dt.date
    code: str
    site: str
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC


def _utc(day: dt.date, clock: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime(
        day.year, day.month, day.day, clock.hour, clock.minute, clock.second, tzinfo=tz
    ).astimezone(dt.UTC)


def _local_midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)


def check(problem: Problem, assignments: Iterable[Assignment]) -> list[Violation]:
    """Every violation of a hard rule in ``assignments``; an empty list means publishable.

    Raises nothing for bad assignments: an unknown shift or person is itself a violation.
    """
    tz = zoneinfo.ZoneInfo(problem.zone)
    rules = problem.rules
    soft = rules.soft
    templates = {t.code: t for t in problem.shifts}
    people = {p.id: p for p in problem.people}
    first_day = problem.start
    last_day = problem.start + dt.timedelta(days=7 * problem.weeks - 1)
    violations: list[Violation] = []

    def add(rule: str, person: str | None, day: dt.date | None, detail: str) -> None:
        violations.append(Violation(rule, person, day, detail, rule in soft))

    placement_sites: dict[str, set[str]] = defaultdict(set)
    for placement in problem.placements:
        placement_sites[placement.person].add(placement.site)

    worked: list[_Worked] = []
    for a in assignments:
        template = templates.get(a.shift)
        person = people.get(a.person)
        if template is None or person is None or not first_day <= a.day <= last_day:
            add(UNKNOWN_SHIFT, a.person, a.day, f"unknown shift, person or day: {a}")
            continue
        if a.day.weekday() not in template.weekdays:
            add(UNKNOWN_SHIFT, a.person, a.day, f"{a.shift} is not offered on this weekday")
        if a.day in person.absent:
            add(AVAILABILITY, a.person, a.day, f"absent but on {a.shift}")
        allowed = {person.home_site} | set(person.sites) | placement_sites[person.id]
        if template.site not in allowed:
            add(SITE, a.person, a.day, f"{a.shift} is at {template.site}, not an allowed site")
        start = _utc(a.day, template.start, tz)
        end_day = a.day + dt.timedelta(days=1) if template.end <= template.start else a.day
        end = _utc(end_day, template.end, tz)
        worked.append(_Worked(a.person, a.day, a.shift, template.site, start, end))

    # Coverage.
    for demand in problem.demand:
        present = {
            w.person
            for w in worked
            if w.site == demand.site
            and w.start <= demand.start
            and w.end >= demand.end
            and (demand.competence is None or demand.competence in people[w.person].competences)
        }
        if len(present) < demand.minimum:
            local = demand.start.astimezone(tz)
            add(
                COVERAGE,
                None,
                local.date(),
                f"{demand.site} {local:%H:%M} {demand.competence or 'anyone'}: "
                f"{len(present)} of {demand.minimum}",
            )

    by_person: dict[str, list[_Worked]] = defaultdict(list)
    for w in worked:
        by_person[w.person].append(w)

    holiday_table = holidays.country_holidays("NO", years=range(first_day.year, last_day.year + 1))
    special_days = [
        first_day + dt.timedelta(days=i)
        for i in range((last_day - first_day).days + 1)
        if (first_day + dt.timedelta(days=i)).weekday() == 6
        or (first_day + dt.timedelta(days=i)) in holiday_table
    ]
    daily_rest = dt.timedelta(hours=rules.daily_rest_hours)
    weekly_rest = dt.timedelta(hours=rules.weekly_rest_hours)

    for person_id, shifts in by_person.items():
        shifts.sort(key=lambda w: (w.start, w.end))
        # Overlap and daily rest between every pair in start order.
        for i, first in enumerate(shifts):
            for second in shifts[i + 1 :]:
                if second.start >= first.end + daily_rest:
                    break
                if second.start < first.end:
                    add(NO_OVERLAP, person_id, second.day, f"{first.code} and {second.code}")
                else:
                    gap_hours = (second.start - first.end).total_seconds() / 3600
                    add(
                        DAILY_REST,
                        person_id,
                        second.day,
                        f"{gap_hours:.2f} h between {first.code} ({first.day}) and {second.code}",
                    )
        # Hours per day and per week (by the local day the shift starts).
        per_day: dict[dt.date, float] = defaultdict(float)
        per_week: dict[int, float] = defaultdict(float)
        for w in shifts:
            hours = (w.end - w.start).total_seconds() / 3600
            per_day[w.day] += hours
            per_week[(w.day - first_day).days // 7] += hours
        for day, hours in per_day.items():
            if hours > rules.max_daily_hours + 1e-9:
                add(DAILY_HOURS, person_id, day, f"{hours:.2f} h")
        for week, hours in per_week.items():
            if hours > rules.max_weekly_hours + 1e-9:
                add(
                    WEEKLY_HOURS,
                    person_id,
                    first_day + dt.timedelta(days=7 * week),
                    f"{hours:.2f} h",
                )
        # Weekly rest: the longest shift-free stretch inside each calendar week.
        for week in range(problem.weeks):
            monday = first_day + dt.timedelta(days=7 * week)
            week_start = _local_midnight(monday, tz)
            week_end = _local_midnight(monday + dt.timedelta(days=7), tz)
            free_from = week_start
            longest = dt.timedelta(0)
            for w in shifts:
                if w.end <= week_start or w.start >= week_end:
                    continue
                longest = max(longest, w.start - free_from)
                free_from = max(free_from, w.end)
            longest = max(longest, week_end - free_from)
            if longest < weekly_rest:
                add(
                    WEEKLY_REST,
                    person_id,
                    monday,
                    f"longest rest {longest.total_seconds() / 3600:.2f} h",
                )
        # Sundays and public holidays: no two in a row.
        worked_special = [
            day
            for day in special_days
            if any(
                w.start < _local_midnight(day + dt.timedelta(days=1), tz)
                and w.end > _local_midnight(day, tz)
                for w in shifts
            )
        ]
        for day, following in pairwise(special_days):
            if day in worked_special and following in worked_special:
                add(SUNDAY_HOLIDAY, person_id, day, f"also works {following}")
        # Saturdays: at most one in any window of n weeks.
        n = rules.saturday_every_weeks
        saturday_weeks = sorted(
            (w.day - first_day).days // 7 for w in shifts if w.day.weekday() == 5
        )
        for a_week, b_week in pairwise(saturday_weeks):
            if b_week - a_week < n:
                add(
                    SATURDAY_ROTATION,
                    person_id,
                    first_day + dt.timedelta(days=7 * b_week + 5),
                    f"Saturdays in weeks {a_week + 1} and {b_week + 1}",
                )

    # Contract hours (people with no shift too).
    days = {first_day + dt.timedelta(days=i) for i in range(7 * problem.weeks)}
    for person in problem.people:
        weekly = person.weekly_hours * person.contract_share
        absent_weekdays = sum(1 for d in person.absent if d in days and d.weekday() < 5)
        target = weekly * problem.weeks - weekly / 5 * absent_weekdays
        total = sum((w.end - w.start).total_seconds() / 3600 for w in by_person.get(person.id, []))
        if abs(total - target) > rules.contract_tolerance_hours + 1e-6:
            add(
                CONTRACT_HOURS,
                person.id,
                None,
                f"{total:.2f} h against a contract of {target:.2f} h "
                f"± {rules.contract_tolerance_hours} h",
            )

    for placement in problem.placements:
        count = sum(1 for w in by_person.get(placement.person, []) if w.site == placement.site)
        if count < placement.shifts:
            add(
                PLACEMENT,
                placement.person,
                None,
                f"{count} of {placement.shifts} shifts at {placement.site}",
            )
    return violations
