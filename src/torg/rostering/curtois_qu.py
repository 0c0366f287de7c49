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

import random
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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


@dataclass(frozen=True)
class _Model:
    """The benchmark's CP-SAT model: one Boolean per (staff, day, shift) a person may work."""

    model: cp_model.CpModel
    x: Mapping[tuple[str, int, str], cp_model.IntVar]
    # Per cover: its under and over variables, the requirement and the staff variables.
    covers: Sequence[tuple[cp_model.IntVar, cp_model.IntVar, int, Sequence[cp_model.IntVar]]]

    def score(self, values: list[int]) -> float:
        """Set each cover's under/over in ``values`` (a CP-SAT solution, one value per model
        variable, changed in place) to its least value for the roster in ``values`` and
        return the model's objective there.

        CP-SAT's presolve may relax ``under = max(…)`` to ``under ≥ …`` (the objective pushes
        it down), so a solution found before optimality can carry more penalty than its
        roster costs; after this, the objective is exactly the roster's, i.e.
        :func:`evaluate`'s.
        """
        for under, over, requirement, staff in self.covers:
            staffed = sum(values[v.index] for v in staff)
            values[under.index] = max(0, requirement - staffed)
            values[over.index] = max(0, staffed - requirement)
        objective = self.model.proto.objective
        total = objective.offset + sum(
            c * values[v] for v, c in zip(objective.vars, objective.coeffs, strict=True)
        )
        return total * (objective.scaling_factor or 1)


def _add_runs(model: cp_model.CpModel, w: Sequence[cp_model.LinearExpr], member: Staff) -> None:
    """Max/min consecutive worked days and min consecutive days off as sliding windows over
    ``w`` (1 on a worked day), each a single linear constraint (no big-M)."""
    n_days = len(w)
    kmax = member.max_consecutive
    for start in range(n_days - kmax):
        model.add(cp_model.LinearExpr.sum(w[start : start + kmax + 1]) <= kmax)
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


def _build(instance: Instance) -> _Model:
    """The benchmark's integer programme as a CP-SAT model.

    Cover penalties use ``under = max(0, requirement − staffed)`` and ``over = max(0, staffed
    − requirement)``; :meth:`_Model.score` gives the objective of a roster found before
    optimality exactly.
    """
    model = cp_model.CpModel()
    n_days = instance.days
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    for member in instance.staff:
        off = instance.days_off.get(member.id, frozenset())
        w: list[cp_model.LinearExpr] = []
        for day in range(n_days):
            todays = []
            for shift in instance.shifts:
                if day in off or member.max_shifts.get(shift.id, n_days) == 0:
                    continue
                var = model.new_bool_var(f"x[{member.id},{day},{shift.id}]")
                x[member.id, day, shift.id] = var
                todays.append(var)
            model.add_at_most_one(todays)
            w.append(cp_model.LinearExpr.sum(todays))
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
        _add_runs(model, w, member)
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
    covers = []
    for cover in instance.cover:
        staff = [
            x[m.id, cover.day, cover.shift]
            for m in instance.staff
            if (m.id, cover.day, cover.shift) in x
        ]
        staffed = cp_model.LinearExpr.sum(staff)
        under = model.new_int_var(0, cover.requirement, f"under[{cover.day},{cover.shift}]")
        over = model.new_int_var(0, len(instance.staff), f"over[{cover.day},{cover.shift}]")
        model.add_max_equality(under, [cover.requirement - staffed, 0])
        model.add_max_equality(over, [staffed - cover.requirement, 0])
        objective.append(cover.under_weight * under + cover.over_weight * over)
        covers.append((under, over, cover.requirement, staff))
    model.minimize(sum(objective))
    return _Model(model, x, covers)


# The search strategy for this benchmark (see :func:`solve`): the share of the time limit
# spent on CP-SAT's own search of the whole model, the time limit of one neighbourhood, and
# the starting share of staff or days each kind of neighbourhood frees.
# 1.0 (no neighbourhood search) by default: run side by side with the plain CP-SAT search
# on this shared 2-core machine (60 s, instances 4–12), the search at 0.5 was better on 8
# and 9 but worse on 5, 6, 7, 10, 11 and 12 (12: 14460 against 9803); alone it reached
# 1716 on instance 4 and 1092 on 7. Set it below 1 to try the neighbourhood search.
FIRST_PHASE_SHARE = 1.0
NEIGHBOURHOOD_SECONDS = 1.0
NEIGHBOURHOOD_SIZES = {"staff": 0.1, "days": 0.125, "mixed": 0.15}


def solve(
    instance: Instance, settings: SolverSettings, *, stop: threading.Event | None = None
) -> BenchmarkResult:
    """Solve ``instance`` within ``settings``; the objective is the benchmark's.

    The engine is the municipal one (CP-SAT with :class:`SolverSettings`' time limit,
    workers and seed). The search strategy is specific to this benchmark, whose LP bound is
    far too weak for CP-SAT's own search to close the gap (instance 5: bound 4, optimum
    1143):

    1. CP-SAT on the whole model for ``FIRST_PHASE_SHARE`` of the time limit (at least 2 s;
       by default all of it, so step 2 does not run)
       gives a roster and the only valid lower bound, ``best_bound`` (without a roster by
       then, it searches the whole model for the rest of the time);
    2. large neighbourhood search for the rest of the time. Each round frees the variables
       of one neighbourhood per worker — a random set of staff on all days, all staff on a
       window of days, or half the staff on a window twice as long; half the windows hold a
       day whose cover is short of staff in the incumbent — fixes every other
       variable to the incumbent roster and solves that sub-model with CP-SAT (one worker
       each, in parallel, no LP, the whole incumbent as hint, at most
       ``NEIGHBOURHOOD_SECONDS``). The best roster that is no worse than the incumbent
       replaces it (equal ones too, to move along plateaus). A kind's size grows by 10 %
       when its sub-model is proved optimal and shrinks by 15 % when time runs out.

    ``status`` is ``optimal`` only if the first phase proved the whole model optimal; else
    ``feasible`` (or CP-SAT's status when no roster was found). ``objective`` is the model's
    objective at the returned roster with each cover's penalty at its least value
    (:meth:`_Model.score`), equal to :func:`evaluate`'s. Setting ``stop`` ends the
    search with the best roster so far. The seed drives CP-SAT and the neighbourhoods, so a
    run is repeatable up to timing.
    """
    from torg.rostering.solve import _solver, _Watcher

    started = time.monotonic()
    limit = settings.time_limit_seconds
    m = _build(instance)
    solver = _solver(settings, min(limit, max(2.0, limit * FIRST_PHASE_SHARE)), settings.workers)
    watcher = _Watcher(limit, None, stop)
    code = solver.solve(m.model, watcher)
    remaining = started + limit - time.monotonic()
    if code == cp_model.UNKNOWN and remaining > 1 and not (stop is not None and stop.is_set()):
        # No roster yet: the whole model gets the rest of the time.
        solver = _solver(settings, remaining, settings.workers)
        code = solver.solve(m.model, watcher)
    status = solver.status_name(code).lower()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return BenchmarkResult(
            status, {}, None, None, time.monotonic() - started, watcher.first_solution_seconds
        )
    best_bound = solver.best_objective_bound
    values = list(solver.response_proto.solution)
    objective = m.score(values)
    if code != cp_model.OPTIMAL:
        objective, values = _improve(
            instance, m, values, objective, settings, started + limit, stop
        )
    return BenchmarkResult(
        status,
        {(who, day): s for (who, day, s), var in m.x.items() if values[var.index]},
        objective,
        best_bound,
        time.monotonic() - started,
        watcher.first_solution_seconds,
    )


def _neighbourhood(
    instance: Instance, kind: str, size: float, rng: random.Random, short: Sequence[int] = ()
) -> tuple[frozenset[str], range]:
    """The staff and days a round frees: ``size`` is the share of staff (``staff``) or of
    days (``days``, ``mixed``, the latter for half the staff and twice as many days)."""
    staff = [s.id for s in instance.staff]
    n_days = instance.days
    if kind == "staff":
        return frozenset(rng.sample(staff, max(1, round(size * len(staff))))), range(n_days)
    if kind == "days":
        chosen, length = staff, max(2, round(size * n_days))
    else:
        chosen, length = (
            rng.sample(staff, max(1, len(staff) // 2)),
            max(2, round(2 * size * n_days)),
        )
    length = min(length, n_days)
    first = rng.randrange(0, n_days - length + 1)
    if short and rng.random() < 0.5:
        # Half the windows hold a day with a cover short of staff.
        day = rng.choice(short)
        first = rng.randrange(max(0, day - length + 1), min(day, n_days - length) + 1)
    return frozenset(chosen), range(first, first + length)


def _improve(
    instance: Instance,
    m: _Model,
    values: list[int],
    objective: float,
    settings: SolverSettings,
    deadline: float,
    stop: threading.Event | None,
) -> tuple[float, list[int]]:
    """Large neighbourhood search from ``values`` (a full CP-SAT solution, one value per
    model variable) until ``deadline``; returns the best objective and solution."""
    from torg.rostering.solve import _solver

    rng = random.Random(settings.seed)
    size = dict(NEIGHBOURHOOD_SIZES)
    kinds = list(size)
    workers = max(1, settings.workers)
    round_ = 0

    def attempt(kind: str, seed: int, incumbent: list[int]) -> tuple[str, bool, float, list[int]]:
        short = [
            cover.day
            for cover, (under, *_) in zip(instance.cover, m.covers, strict=True)
            if incumbent[under.index] > 0
        ]
        free_staff, free_days = _neighbourhood(
            instance, kind, size[kind], random.Random(seed), short
        )
        # Written to the cloned proto in bulk: per-variable add_hint calls cost more than
        # the sub-solve on the larger instances.
        sub = m.model.clone()
        sub.proto.solution_hint.vars.extend(range(len(incumbent)))
        sub.proto.solution_hint.values.extend(incumbent)
        fixed = sub.proto.constraints.add()
        fixed.bool_and.literals.extend(
            [
                var.index if incumbent[var.index] else -var.index - 1
                for (who, day, _), var in m.x.items()
                if who not in free_staff or day not in free_days
            ]
        )
        seconds = min(deadline - time.monotonic(), NEIGHBOURHOOD_SECONDS)
        solver = _solver(settings, seconds, 1)
        solver.parameters.random_seed = seed % 2**31
        solver.parameters.linearization_level = 0
        code = solver.solve(sub)
        proved = code == cp_model.OPTIMAL
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = list(solver.response_proto.solution)
            return kind, proved, m.score(solution), solution
        return kind, proved, float("inf"), []

    with ThreadPoolExecutor(max_workers=workers) as pool:
        while time.monotonic() < deadline - 0.2 and not (stop is not None and stop.is_set()):
            jobs = []
            for _ in range(workers):
                jobs.append(
                    pool.submit(attempt, kinds[round_ % len(kinds)], rng.randrange(2**62), values)
                )
                round_ += 1
            outcomes = [job.result() for job in jobs]
            for kind, grow, _, _ in outcomes:
                size[kind] = min(1.0, size[kind] * 1.1) if grow else max(0.02, size[kind] * 0.85)
            _, _, found, solution = min(outcomes, key=lambda outcome: outcome[2])
            if found <= objective:
                objective, values = found, solution
    return objective, values
