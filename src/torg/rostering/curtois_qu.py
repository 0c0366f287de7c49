"""The Curtois–Qu employee shift scheduling benchmark: parser, evaluator and CP-SAT model.

Instances: T. Curtois and R. Qu (2014), "Computational results on new staff scheduling
benchmark instances", technical report, ASAP group, University of Nottingham
(schedulingbenchmarks.org, ``instances1_24``). Hard constraints and objective as in that
report's integer programme:

- at most one shift a day; no shift on a staff member's days off;
- a shift may not be followed the next day by one of its forbidden successors;
- at most ``MaxShifts`` shifts of each type; total minutes within [Min, Max]TotalMinutes;
- at most ``MaxConsecutiveShifts`` worked days in a row;
- a run of worked days lies between days off is at least ``MinConsecutiveShifts`` long and
  a run of days off between worked days at least ``MinConsecutiveDaysOff`` long — runs that
  touch the first or last day of the horizon are exempt (the report's constraints are stated
  for runs with a day on each side inside the horizon);
- at most ``MaxWeekends`` worked weekends (Saturday or Sunday worked; day 0 is a Monday).

Objective (minimise): for each shift-on request not met its weight; for each shift-off
request met its weight; for each day and shift type, ``under weight × max(0, requirement −
staffed) + over weight × max(0, staffed − requirement)``.

The model is solved with the same CP-SAT settings, progress and stop machinery as the
municipal rosters (:class:`~torg.rostering.domain.SolverSettings`); its constraints are the
benchmark's own, since they are not Norwegian working-time rules.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from torg.rostering.domain import SolverSettings

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class InstanceError(ValueError):
    """A malformed instance file; the message names the line."""


@dataclass(frozen=True)
class Shift:
    id: str
    minutes: int
    cannot_follow: frozenset[str]  # shifts that may not come the day after this one


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: Mapping[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class Instance:
    name: str
    days: int
    shifts: tuple[Shift, ...]
    staff: tuple[Staff, ...]
    days_off: Mapping[str, frozenset[int]]
    on_requests: tuple[Request, ...]
    off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]


Roster = Mapping[tuple[str, int], str]  # (staff id, day) -> shift id; absent = day off


def parse(text: str, name: str = "instance") -> Instance:
    """Parse the benchmark's text format; raises InstanceError naming the line."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InstanceError(f"line {number}: unknown section {line}")
            current = line
            sections[current] = []
            continue
        if current is None:
            raise InstanceError(f"line {number}: data before the first section")
        sections[current].append((number, line))

    def fields(number: int, line: str, count: int) -> list[str]:
        parts = line.split(",")
        if len(parts) != count:
            raise InstanceError(f"line {number}: expected {count} fields, found {len(parts)}")
        return parts

    def integer(number: int, value: str, what: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise InstanceError(f"line {number}: {what} {value!r} is not a whole number") from None

    try:
        [(horizon_line, horizon_text)] = sections["SECTION_HORIZON"]
    except (KeyError, ValueError):
        raise InstanceError("SECTION_HORIZON must hold exactly one number") from None
    days = integer(horizon_line, horizon_text, "horizon")
    shifts = []
    for number, line in sections.get("SECTION_SHIFTS", []):
        shift_id, length, forbidden = fields(number, line, 3)
        shifts.append(
            Shift(
                shift_id,
                integer(number, length, "length"),
                frozenset(s for s in forbidden.split("|") if s),
            )
        )
    shift_ids = {s.id for s in shifts}
    staff = []
    for number, line in sections.get("SECTION_STAFF", []):
        parts = fields(number, line, 8)
        limits: dict[str, int] = {}
        for item in parts[1].split("|"):
            shift_id, _, limit = item.partition("=")
            if shift_id not in shift_ids:
                raise InstanceError(f"line {number}: unknown shift {shift_id!r}")
            limits[shift_id] = integer(number, limit, "MaxShifts")
        numbers = [integer(number, value, "limit") for value in parts[2:]]
        staff.append(Staff(parts[0], limits, *numbers))
    staff_ids = {s.id for s in staff}
    days_off: dict[str, frozenset[int]] = {}
    for number, line in sections.get("SECTION_DAYS_OFF", []):
        parts = line.split(",")
        if parts[0] not in staff_ids:
            raise InstanceError(f"line {number}: unknown staff {parts[0]!r}")
        days_off[parts[0]] = frozenset(integer(number, d, "day") for d in parts[1:] if d)

    def requests(section: str) -> tuple[Request, ...]:
        found = []
        for number, line in sections.get(section, []):
            who, day, shift_id, weight = fields(number, line, 4)
            if who not in staff_ids or shift_id not in shift_ids:
                raise InstanceError(f"line {number}: unknown staff or shift in {line!r}")
            found.append(
                Request(
                    who, integer(number, day, "day"), shift_id, integer(number, weight, "weight")
                )
            )
        return tuple(found)

    cover = []
    for number, line in sections.get("SECTION_COVER", []):
        day, shift_id, requirement, under, over = fields(number, line, 5)
        if shift_id not in shift_ids:
            raise InstanceError(f"line {number}: unknown shift {shift_id!r}")
        cover.append(
            Cover(
                integer(number, day, "day"),
                shift_id,
                integer(number, requirement, "requirement"),
                integer(number, under, "weight"),
                integer(number, over, "weight"),
            )
        )
    return Instance(
        name,
        days,
        tuple(shifts),
        tuple(staff),
        days_off,
        requests("SECTION_SHIFT_ON_REQUESTS"),
        requests("SECTION_SHIFT_OFF_REQUESTS"),
        tuple(cover),
    )


def load(path: Path) -> Instance:
    """Read and parse an instance file (``InstanceN.txt``)."""
    return parse(path.read_text(encoding="utf-8"), path.stem)


@dataclass(frozen=True)
class Evaluation:
    """The benchmark objective of a roster, its parts, and any hard-constraint violation."""

    objective: int
    cover_penalty: int
    request_penalty: int
    violations: tuple[str, ...]


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """Maximal runs (first day, length) of ``value`` in ``worked``."""
    runs = []
    start = None
    for day, flag in enumerate([*worked, not value]):
        if flag == value and start is None:
            start = day
        elif flag != value and start is not None:
            runs.append((start, day - start))
            start = None
    return runs


def evaluate(instance: Instance, roster: Roster) -> Evaluation:
    """Score ``roster`` with the benchmark's objective and list hard violations
    (plain Python, independent of :func:`solve`)."""
    shifts = {s.id: s for s in instance.shifts}
    violations: list[str] = []
    for (who, day), shift_id in roster.items():
        if shift_id not in shifts or not 0 <= day < instance.days:
            violations.append(f"{who} day {day}: unknown shift {shift_id!r} or day")
    for member in instance.staff:
        days = [roster.get((member.id, d)) for d in range(instance.days)]
        worked = [d is not None for d in days]
        for day in instance.days_off.get(member.id, frozenset()):
            if 0 <= day < instance.days and worked[day]:
                violations.append(f"{member.id} day {day}: works on a day off")
        for day in range(instance.days - 1):
            first, second = days[day], days[day + 1]
            if first in shifts and second is not None and second in shifts[first].cannot_follow:
                violations.append(f"{member.id} day {day + 1}: {second} may not follow {first}")
        for shift_id, limit in member.max_shifts.items():
            count = sum(1 for d in days if d == shift_id)
            if count > limit:
                violations.append(f"{member.id}: {count} {shift_id} shifts, at most {limit}")
        total = sum(shifts[d].minutes for d in days if d in shifts)
        if not member.min_minutes <= total <= member.max_minutes:
            violations.append(
                f"{member.id}: {total} minutes, not in {member.min_minutes}–{member.max_minutes}"
            )
        for start, length in _runs(worked, True):
            if length > member.max_consecutive:
                violations.append(f"{member.id} day {start}: {length} shifts in a row")
            inside = start > 0 and start + length < instance.days
            if inside and length < member.min_consecutive:
                violations.append(f"{member.id} day {start}: only {length} shifts in a row")
        for start, length in _runs(worked, False):
            inside = start > 0 and start + length < instance.days
            if inside and length < member.min_days_off:
                violations.append(f"{member.id} day {start}: only {length} days off in a row")
        weekends = sum(
            1 for w in range(instance.days // 7) if worked[7 * w + 5] or worked[7 * w + 6]
        )
        if weekends > member.max_weekends:
            violations.append(f"{member.id}: {weekends} weekends, at most {member.max_weekends}")
    request_penalty = sum(
        r.weight for r in instance.on_requests if roster.get((r.staff, r.day)) != r.shift
    ) + sum(r.weight for r in instance.off_requests if roster.get((r.staff, r.day)) == r.shift)
    cover_penalty = 0
    for cover in instance.cover:
        staffed = sum(
            1 for member in instance.staff if roster.get((member.id, cover.day)) == cover.shift
        )
        cover_penalty += cover.under_weight * max(0, cover.requirement - staffed)
        cover_penalty += cover.over_weight * max(0, staffed - cover.requirement)
    return Evaluation(
        cover_penalty + request_penalty, cover_penalty, request_penalty, tuple(violations)
    )


@dataclass(frozen=True)
class BenchmarkResult:
    status: str
    roster: Mapping[tuple[str, int], str]
    objective: float | None
    best_bound: float | None
    seconds: float
    first_solution_seconds: float | None


def solve(
    instance: Instance, settings: SolverSettings, *, stop: threading.Event | None = None
) -> BenchmarkResult:
    """Solve ``instance`` with CP-SAT within ``settings``; the objective is the benchmark's."""
    from torg.rostering.solve import _solver, _Watcher

    model = cp_model.CpModel()
    n_days = instance.days
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    works: dict[tuple[str, int], cp_model.LinearExpr] = {}
    for member in instance.staff:
        off = instance.days_off.get(member.id, frozenset())
        for day in range(n_days):
            todays = []
            for shift in instance.shifts:
                if day in off or member.max_shifts.get(shift.id, n_days) == 0:
                    continue
                var = model.new_bool_var(f"x[{member.id},{day},{shift.id}]")
                x[member.id, day, shift.id] = var
                todays.append(var)
            model.add_at_most_one(todays)
            works[member.id, day] = cp_model.LinearExpr.sum(todays)
        # Forbidden successions.
        for day in range(n_days - 1):
            for shift in instance.shifts:
                for successor in shift.cannot_follow:
                    a, b = x.get((member.id, day, shift.id)), x.get((member.id, day + 1, successor))
                    if a is not None and b is not None:
                        model.add_bool_or([a.Not(), b.Not()])
        for shift in instance.shifts:
            limit = member.max_shifts.get(shift.id, n_days)
            model.add(sum(x[k] for k in x if k[0] == member.id and k[2] == shift.id) <= limit)
        total = sum(
            s.minutes * x[member.id, d, s.id]
            for d in range(n_days)
            for s in instance.shifts
            if (member.id, d, s.id) in x
        )
        model.add(total >= member.min_minutes)
        model.add(total <= member.max_minutes)
        w = [works[member.id, d] for d in range(n_days)]
        kmax = member.max_consecutive
        for start in range(n_days - kmax):
            model.add(sum(w[start : start + kmax + 1]) <= kmax)
        # A run of exactly `length` worked days between two days off inside the horizon is
        # forbidden for length < MinConsecutiveShifts (and the same for days off).
        for length in range(1, member.min_consecutive):
            for before in range(n_days - length - 1):
                after = before + length + 1
                inner = cp_model.LinearExpr.sum(w[before + 1 : after])
                model.add(w[before] + w[after] - inner >= 1 - length)
        for length in range(1, member.min_days_off):
            for before in range(n_days - length - 1):
                after = before + length + 1
                inner = cp_model.LinearExpr.sum(w[before + 1 : after])
                model.add(inner - w[before] - w[after] >= -1)
        weekends = []
        for week in range(n_days // 7):
            weekend = model.new_bool_var(f"weekend[{member.id},{week}]")
            model.add(weekend >= w[7 * week + 5])
            model.add(weekend >= w[7 * week + 6])
            weekends.append(weekend)
        model.add(sum(weekends) <= member.max_weekends)
    objective: list[cp_model.LinearExprT] = []
    for r in instance.on_requests:
        wanted = x.get((r.staff, r.day, r.shift))
        objective.append(r.weight * (1 - wanted) if wanted is not None else r.weight)
    for r in instance.off_requests:
        unwanted = x.get((r.staff, r.day, r.shift))
        if unwanted is not None:
            objective.append(r.weight * unwanted)
    for cover in instance.cover:
        staffed = sum(
            x[m.id, cover.day, cover.shift]
            for m in instance.staff
            if (m.id, cover.day, cover.shift) in x
        )
        under = model.new_int_var(0, cover.requirement, f"under[{cover.day},{cover.shift}]")
        over = model.new_int_var(0, len(instance.staff), f"over[{cover.day},{cover.shift}]")
        model.add(staffed + under - over == cover.requirement)
        objective.append(cover.under_weight * under + cover.over_weight * over)
    model.minimize(sum(objective))
    solver = _solver(settings, settings.time_limit_seconds, settings.workers)
    watcher = _Watcher(settings.time_limit_seconds, None, stop)
    code = solver.solve(model, watcher)
    status = solver.status_name(code).lower()
    roster: dict[tuple[str, int], str] = {}
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        roster = {(who, day): s for (who, day, s), var in x.items() if solver.boolean_value(var)}
    has = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return BenchmarkResult(
        status,
        roster,
        solver.objective_value if has else None,
        solver.best_objective_bound if has else None,
        solver.wall_time,
        watcher.first_solution_seconds,
    )
