"""Solve a roster with CP-SAT; explain infeasibility; fall back to the best roster.

:func:`solve` returns a :class:`~torg.rostering.domain.Result`. When the hard rules cannot all
hold it (1) finds a conflicting set of rule instances with assumption literals
(``AddAssumptions`` + ``SufficientAssumptionsForInfeasibility``; one worker, as CP-SAT only
reports a core reliably with one), (2) shrinks it by deletion while time allows, (3) words it
in Norwegian (:mod:`torg.rostering.explain`) and (4) solves again with coverage soft, so the
best roster comes back with its shortfall as unmet demand; if that is still infeasible, the
rules of the conflicting set are softened too and named in ``Result.relaxed``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from torg.rostering.domain import (
    COVERAGE,
    Assignment,
    Conflict,
    Problem,
    Progress,
    Result,
    Shortfall,
    SolverSettings,
)
from torg.rostering.explain import conflict_sentence, explanation
from torg.rostering.model import RosterModel, RuleInstance, build

ProgressCallback = Callable[[Progress], None]

_STATUS = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.MODEL_INVALID: "invalid",
    cp_model.UNKNOWN: "unknown",
}


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports progress on each improving roster and stops the search when asked."""

    def __init__(
        self,
        time_limit: float,
        on_progress: ProgressCallback | None,
        stop: threading.Event | None,
    ) -> None:
        super().__init__()
        self.started = time.monotonic()
        self.time_limit = time_limit
        self.on_progress = on_progress
        self.stop = stop
        self.first_solution_seconds: float | None = None
        self.solutions = 0

    def on_solution_callback(self) -> None:
        seconds = time.monotonic() - self.started
        self.solutions += 1
        if self.first_solution_seconds is None:
            self.first_solution_seconds = seconds
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    objective=self.objective_value,
                    best_bound=self.best_objective_bound,
                    seconds=seconds,
                    seconds_left=max(0.0, self.time_limit - seconds),
                    solutions=self.solutions,
                )
            )
        if self.stop is not None and self.stop.is_set():
            self.stop_search()


def _solver(settings: SolverSettings, time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = settings.seed
    return solver


def _run(
    m: RosterModel,
    settings: SolverSettings,
    time_limit: float,
    on_progress: ProgressCallback | None,
    stop: threading.Event | None,
) -> Result:
    solver = _solver(settings, time_limit, settings.workers)
    watcher = _Watcher(time_limit, on_progress, stop)
    code = solver.solve(m.model, watcher)
    status = _STATUS.get(code, "unknown")
    if status not in ("optimal", "feasible"):
        return Result(status=status, seconds=solver.wall_time)
    assignments = tuple(
        Assignment(person_id, shift.day, shift.template.code)
        for person_id, shifts in m.by_person.items()
        for shift in shifts
        if solver.boolean_value(m.x[person_id, shift.index])
    )
    shortfalls = tuple(
        Shortfall(demand, solver.value(slack))
        for demand, slack in zip(m.problem.demand, m.slack, strict=True)
        if solver.value(slack) > 0
    )
    costs = {
        rule: sum(weight * int(solver.value(expr)) for weight, expr in terms)
        for rule, terms in m.terms.items()
    }
    return Result(
        status=status,
        assignments=tuple(sorted(assignments, key=lambda a: (a.day, a.shift, a.person))),
        shortfalls=shortfalls,
        objective=solver.objective_value,
        best_bound=solver.best_objective_bound,
        costs={rule: cost for rule, cost in costs.items() if cost},
        seconds=solver.wall_time,
        first_solution_seconds=watcher.first_solution_seconds,
    )


def find_conflicts(
    problem: Problem, settings: SolverSettings, time_limit: float
) -> list[RuleInstance]:
    """A conflicting set of hard rule instances (empty if none was found in time).

    Every hard instance is guarded by an assumption literal; CP-SAT returns a sufficient set
    for infeasibility, which is then shrunk by deletion (drop one instance, keep it out if
    the rest is still infeasible) within the time left. The set is minimal when the deletion
    pass finishes.
    """
    deadline = time.monotonic() + time_limit
    m = build(problem, explain=True)
    by_index = {g.literal.index: g for g in m.guards}
    assumed = m.assumptions()
    m.model.add_assumptions(assumed)
    solver = _solver(settings, time_limit * 0.7, 1)
    if solver.solve(m.model) != cp_model.INFEASIBLE:
        return []
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    position = 0
    while position < len(core) and time.monotonic() < deadline:
        trial = core[:position] + core[position + 1 :]
        m.model.clear_assumptions()
        m.model.add_assumptions([g.literal for g in trial])
        remaining = deadline - time.monotonic()
        check = _solver(settings, min(remaining, max(1.0, time_limit / 10)), 1)
        if check.solve(m.model) == cp_model.INFEASIBLE:
            core = trial
        else:
            position += 1
    return core


def solve(
    problem: Problem,
    settings: SolverSettings | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Result:
    """Solve ``problem``: each CP-SAT search within ``settings.time_limit_seconds``.

    ``on_progress`` is called with each better roster; setting ``stop`` ends the search and
    keeps the best roster found. Returns a Result; ``status`` ``infeasible`` carries the
    conflicts, the Norwegian explanation and the best roster with unmet demand.
    """
    settings = settings or SolverSettings()
    started = time.monotonic()
    m = build(problem)
    result = _run(m, settings, settings.time_limit_seconds, on_progress, stop)
    if result.status != "infeasible":
        return result
    core = find_conflicts(problem, settings, settings.explain_seconds)
    conflicts = tuple(
        Conflict(g.rule, g.person, g.day, g.detail, conflict_sentence(problem, g)) for g in core
    )
    relax = frozenset({COVERAGE})
    best = Result(status="unknown")
    for attempt in (relax, relax | {c.rule for c in conflicts}):
        best = _run(
            build(problem, relax=attempt), settings, settings.time_limit_seconds, on_progress, stop
        )
        relax = attempt
        if best.has_roster:
            break
    return Result(
        status="infeasible",
        assignments=best.assignments,
        shortfalls=best.shortfalls,
        objective=best.objective,
        best_bound=best.best_bound,
        costs=best.costs,
        seconds=time.monotonic() - started,
        first_solution_seconds=best.first_solution_seconds,
        conflicts=conflicts,
        explanation=explanation(problem, conflicts),
        relaxed=relax if best.has_roster else frozenset(),
    )
