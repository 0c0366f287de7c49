"""The CP-SAT roster model: every roster it returns passes the independent checker; broken
set-ups come back infeasible with a Norwegian explanation and the best roster's shortfall."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from torg.rostering import (
    Demand,
    Person,
    Placement,
    Problem,
    Progress,
    Rules,
    ShiftTemplate,
    SolverSettings,
    check,
    solve,
)

from .factories import LIB, MUN, OSLO, SITE_NAMES, hourly_demand, problem, staff

FAST = SolverSettings(time_limit_seconds=10, workers=2, seed=1, explain_seconds=30)


def test_a_two_site_fortnight_is_solved_and_passes_the_checker():
    world = problem(weeks=2)
    result = solve(world, FAST)
    assert result.has_roster
    assert result.shortfalls == ()
    assert check(world, result.assignments) == []
    assert result.first_solution_seconds is not None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_solver_results_pass_the_checker_under_tight_rules(seed):
    """Contracts within 4 h, placements and absences: whatever the seed, no violation."""
    people = staff(per_site=5)
    people[0] = Person(
        **{**people[0].__dict__, "absent": frozenset({dt.date(2026, 3, 3), dt.date(2026, 3, 10)})}
    )
    world = problem(
        weeks=2,
        people=people,
        demand=hourly_demand(dt.date(2026, 3, 2), 2, competences=(LIB,), saturday_hours=range(0)),
        placements=(Placement("S1", "N", 2),),
        rules=Rules(contract_tolerance_hours=4, saturday_every_weeks=2),
    )
    result = solve(world, SolverSettings(time_limit_seconds=10, workers=2, seed=seed))
    assert result.has_roster, result.explanation
    assert check(world, result.assignments) == []
    assert sum(1 for a in result.assignments if a.person == "S1" and a.shift.startswith("N")) >= 2


def test_too_few_saturday_workers_is_explained_in_norwegian_with_people_and_days():
    # Six people per site, Saturday every sixth week, six weeks: one person per site per
    # Saturday, but each Saturday needs a library and a municipal competence and only two
    # people per site hold both.
    world = problem(weeks=6, rules=Rules(contract_tolerance_hours=40))
    result = solve(world, FAST)
    assert result.status == "infeasible"
    rules = {c.rule for c in result.conflicts}
    assert rules == {"coverage", "saturday_rotation"}
    text = "\n".join(result.explanation)
    assert "lørdag hver 6. uke" in text
    assert "lørdag" in text and "2026" in text
    named = {c.person for c in result.conflicts if c.person}
    assert named and all(any(p.name in text for p in world.people if p.id == n) for n in named)
    # The best roster shows the shortfall as unmet demand, and only coverage is broken.
    assert result.shortfalls
    assert result.relaxed == frozenset({"coverage"})
    violations = check(world, result.assignments)
    assert {v.rule for v in violations} == {"coverage"}
    assert sum(s.missing for s in result.shortfalls) == len(violations)
    assert all(s.demand.start.astimezone(OSLO).weekday() == 5 for s in result.shortfalls)


def test_a_placement_that_cannot_fit_is_explained():
    # Kari (S0) is absent every day but the first Monday, which has two shifts at Nordby,
    # so three shifts at Nordby cannot fit whatever else gives way.
    people = staff()
    absent = frozenset(dt.date(2026, 3, 2) + dt.timedelta(days=i) for i in range(1, 14))
    people[0] = Person(**{**people[0].__dict__, "absent": absent})
    world = problem(
        weeks=2,
        people=people,
        placements=(Placement("S0", "N", 3),),
        demand=[],
        rules=Rules(contract_tolerance_hours=80),
    )
    result = solve(world, FAST)
    assert result.status == "infeasible"
    assert [c.rule for c in result.conflicts] == ["placement"]
    assert "Kari Sentrum skal hospitere minst 3 vakter ved Nordby" in result.explanation[1]
    # Nothing is hidden: the best roster softens the placement and says so.
    assert "placement" in result.relaxed
    assert [v.rule for v in check(world, result.assignments)] == ["placement"]


def test_a_softened_rule_is_costed_instead_of_failing():
    world = problem(
        weeks=6, rules=Rules(contract_tolerance_hours=40, soft=frozenset({"saturday_rotation"}))
    )
    result = solve(world, FAST)
    assert result.has_roster
    assert result.shortfalls == ()
    assert result.costs.get("saturday_rotation", 0) > 0
    violations = check(world, result.assignments)
    assert violations and all(v.rule == "saturday_rotation" and v.soft for v in violations)
    # Each broken six-week window costs the soft-rule weight.
    assert result.costs["saturday_rotation"] % 500 == 0


def test_preferences_are_honoured_when_free():
    people = staff(per_site=3, sites=("S",))
    people[1] = Person(**{**people[1].__dict__, "unwanted": frozenset({(None, "S-late")})})
    world = problem(
        weeks=1,
        people=people,
        shifts=(
            ShiftTemplate("S-day", "S", dt.time(8), dt.time(15, 30), frozenset(range(5))),
            ShiftTemplate("S-late", "S", dt.time(12), dt.time(20), frozenset(range(5))),
        ),
        demand=[],
        rules=Rules(contract_tolerance_hours=40),
    )
    result = solve(world, FAST)
    assert result.has_roster
    assert not [a for a in result.assignments if a.person == "S1" and a.shift == "S-late"]
    assert "preferences" not in result.costs


def test_the_solver_measures_rest_on_real_instants_across_the_autumn_night():
    """One person must cover Saturday 14–22 and Sunday 08–14. On the night the clocks go back
    (25 October 2026) that leaves 11 real hours of rest; a week earlier only 10."""
    shifts = (
        ShiftTemplate("evening", "S", dt.time(14), dt.time(22), frozenset({5})),
        ShiftTemplate("sunday", "S", dt.time(8), dt.time(14), frozenset({6})),
    )
    kari = Person("kari", "Kari", "S")

    def world(monday: dt.date) -> Problem:
        saturday = monday + dt.timedelta(days=5)
        sunday = saturday + dt.timedelta(days=1)
        demand = (
            Demand(
                "S",
                dt.datetime.combine(saturday, dt.time(20), tzinfo=OSLO),
                dt.datetime.combine(saturday, dt.time(21), tzinfo=OSLO),
                1,
            ),
            Demand(
                "S",
                dt.datetime.combine(sunday, dt.time(8), tzinfo=OSLO),
                dt.datetime.combine(sunday, dt.time(9), tzinfo=OSLO),
                1,
            ),
        )
        return Problem(
            monday,
            1,
            shifts,
            (kari,),
            demand,
            rules=Rules(contract_tolerance_hours=40),
            site_names=SITE_NAMES,
        )

    autumn = solve(world(dt.date(2026, 10, 19)), FAST)
    assert autumn.has_roster and len(autumn.assignments) == 2
    assert check(world(dt.date(2026, 10, 19)), autumn.assignments) == []
    ordinary = solve(world(dt.date(2026, 10, 12)), FAST)
    assert ordinary.status == "infeasible"
    assert {c.rule for c in ordinary.conflicts} >= {"daily_rest"}
    assert "11 timers hvile" in "\n".join(ordinary.explanation)


def test_progress_is_reported_and_stop_keeps_the_best_roster():
    seen: list[Progress] = []
    stop = threading.Event()

    def progress(update: Progress) -> None:
        seen.append(update)
        stop.set()

    world = problem(weeks=2)
    result = solve(
        world, SolverSettings(time_limit_seconds=30, workers=2), on_progress=progress, stop=stop
    )
    assert seen and seen[0].seconds_left <= 30
    assert result.has_roster
    assert result.seconds < 30
    assert check(world, result.assignments) == []


def test_a_period_must_start_on_a_monday():
    with pytest.raises(ValueError, match="Monday"):
        problem(start=dt.date(2026, 3, 3))


def test_uncovered_demand_of_a_missing_competence_is_shown_not_hidden():
    people = [p for p in staff(per_site=3, sites=("S",)) if MUN not in p.competences]
    world = problem(
        weeks=1,
        people=people,
        demand=hourly_demand(
            dt.date(2026, 3, 2),
            1,
            sites=("S",),
            weekday_hours=range(9, 10),
            saturday_hours=range(0),
        ),
        rules=Rules(contract_tolerance_hours=40),
    )
    result = solve(world, FAST)
    assert result.status == "infeasible"
    assert {s.demand.competence for s in result.shortfalls} == {MUN}
    assert sum(s.missing for s in result.shortfalls) == 5
    assert len(check(world, result.assignments)) == 5
