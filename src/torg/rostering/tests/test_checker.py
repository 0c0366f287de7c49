"""The independent checker: hand-made rosters that break each hard rule, and ones that don't.

Expected hours on the daylight-saving nights are worked by hand in reference/dst_nights.json.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from torg.rostering import Assignment, Demand, Person, Placement, Problem, Rules, ShiftTemplate
from torg.rostering.checker import check
from torg.rostering.domain import shift_instant_range

from .factories import OSLO

REFERENCE = json.loads((Path(__file__).parent / "reference" / "dst_nights.json").read_text())
D = dt.date
T = dt.time

SHIFTS = (
    ShiftTemplate("day", "S", T(8), T(15, 30)),
    ShiftTemplate("late", "S", T(12), T(22)),
    ShiftTemplate("evening", "S", T(14), T(22)),
    ShiftTemplate("morning", "S", T(9), T(16)),
    ShiftTemplate("early", "S", T(8), T(16)),
    ShiftTemplate("night", "S", T(22), T(7)),
    ShiftTemplate("sat", "S", T(10), T(16), frozenset({5})),
    ShiftTemplate("north", "N", T(8), T(15, 30)),
)
LAX = Rules(contract_tolerance_hours=10_000)


MONDAY = D(2026, 3, 2)


def world(
    start: D = MONDAY,
    weeks: int = 2,
    rules: Rules = LAX,
    demand: tuple[Demand, ...] = (),
    placements: tuple[Placement, ...] = (),
    **person: Any,
) -> Problem:
    kari = Person(
        id="kari", name="Kari", home_site="S", competences=frozenset({"library"}), **person
    )
    return Problem(start, weeks, SHIFTS, (kari,), demand, placements, rules)


def rules_broken(problem: Problem, roster: list[tuple[D, str]]) -> list[str]:
    return [v.rule for v in check(problem, [Assignment("kari", day, code) for day, code in roster])]


def weekdays(start: D, count: int, code: str = "day") -> list[tuple[D, str]]:
    return [(start + dt.timedelta(days=i), code) for i in range(count)]


def test_a_lawful_week_has_no_violation():
    assert rules_broken(world(), weekdays(D(2026, 3, 2), 5)) == []


def test_it_reports_overlapping_shifts():
    assert rules_broken(world(), [(D(2026, 3, 2), "day"), (D(2026, 3, 2), "late")]) == [
        "no_overlap",
        "daily_hours",
    ]


def test_it_reports_short_daily_rest_across_midnight():
    # evening ends 22:00, the next day's day shift starts 08:00: 10 h of rest.
    broken = check(
        world(),
        [Assignment("kari", D(2026, 3, 3), "evening"), Assignment("kari", D(2026, 3, 4), "day")],
    )
    assert [(v.rule, v.day) for v in broken] == [("daily_rest", D(2026, 3, 4))]
    assert "10.00 h" in broken[0].detail


def test_eleven_hours_of_rest_is_enough():
    assert rules_broken(world(), [(D(2026, 3, 3), "evening"), (D(2026, 3, 4), "morning")]) == []


def test_it_reports_missing_weekly_rest():
    # Seven days of 8-hour shifts (56 h): the longest free stretch is 16 h.
    assert sorted(rules_broken(world(), weekdays(D(2026, 3, 2), 7, "early"))) == [
        "weekly_hours",
        "weekly_rest",
    ]


def test_weekly_rest_is_reported_alone_when_only_it_breaks():
    # Day shifts Monday–Friday (37.5 h), Saturday 10–16 and a night into Monday.
    roster = [(D(2026, 3, 2), "day"), (D(2026, 3, 3), "day"), (D(2026, 3, 4), "day")]
    roster += [(D(2026, 3, 5), "day"), (D(2026, 3, 6), "day"), (D(2026, 3, 7), "sat")]
    roster += [(D(2026, 3, 8), "night")]
    lax = world(rules=Rules(contract_tolerance_hours=10_000, max_weekly_hours=60))
    # Saturday 16:00 to Sunday 22:00 is 30 h.
    assert rules_broken(lax, roster) == ["weekly_rest"]
    # Without Sunday's night: Saturday 16:00 to Monday 00:00 is 32 h, still short.
    assert rules_broken(lax, roster[:-1]) == ["weekly_rest"]
    # Without Saturday too: Friday 15:30 to Monday 00:00 is 56.5 h.
    assert rules_broken(lax, roster[:-2]) == []


def test_it_reports_more_than_nine_hours_a_day():
    assert rules_broken(world(), [(D(2026, 3, 2), "late")]) == ["daily_hours"]


def test_it_reports_more_than_forty_hours_a_week():
    # 8 + 8 + 8 + 8 + 6 + 7 = 45 h, with Tuesday 16:00 to Thursday 08:00 (40 h) free.
    roster = [(D(2026, 3, 2), "early"), (D(2026, 3, 3), "early"), (D(2026, 3, 5), "early")]
    roster += [(D(2026, 3, 6), "early"), (D(2026, 3, 7), "sat"), (D(2026, 3, 8), "morning")]
    assert rules_broken(world(), roster) == ["weekly_hours"]
    assert rules_broken(world(), roster[:-1]) == []  # 38 h


def test_it_reports_two_sundays_in_a_row():
    assert rules_broken(world(), [(D(2026, 3, 8), "morning"), (D(2026, 3, 15), "morning")]) == [
        "sunday_holiday"
    ]
    assert (
        rules_broken(world(weeks=3), [(D(2026, 3, 8), "morning"), (D(2026, 3, 22), "morning")])
        == []
    )


def test_easter_holidays_count_as_sundays():
    easter = [D.fromisoformat(day) for day in REFERENCE["norwegian_holidays_2026_easter"]]
    problem = world(start=D(2026, 3, 30), weeks=2)
    # Good Friday and Easter Sunday are consecutive Sunday/holidays (Saturday is not one).
    assert rules_broken(problem, [(easter[1], "morning"), (easter[2], "morning")]) == [
        "sunday_holiday"
    ]
    # Maundy Thursday then Easter Monday with Friday and Sunday off: lawful.
    assert rules_broken(problem, [(easter[0], "morning"), (easter[3], "morning")]) == []


def test_a_night_shift_into_sunday_counts_as_working_sunday():
    assert rules_broken(world(), [(D(2026, 3, 7), "night"), (D(2026, 3, 15), "morning")]) == [
        "sunday_holiday"
    ]


def test_it_reports_contract_hours_outside_the_tolerance():
    problem = world(rules=Rules(contract_tolerance_hours=8), contract_share=0.5)
    # 0.5 × 37.5 h × 2 weeks = 37.5 h; five day shifts are 37.5 h.
    assert rules_broken(problem, weekdays(D(2026, 3, 2), 5)) == []
    assert rules_broken(problem, weekdays(D(2026, 3, 2), 4)) == []  # 30 h: 7.5 h short
    assert rules_broken(problem, weekdays(D(2026, 3, 2), 4)[:3]) == ["contract_hours"]


def test_absence_lowers_the_contract_target():
    problem = world(rules=Rules(contract_tolerance_hours=1), absent=frozenset({D(2026, 3, 9)}))
    # 75 h less one fifth of 37.5 h = 67.5 h = nine day shifts.
    roster = weekdays(D(2026, 3, 2), 5) + weekdays(D(2026, 3, 10), 4)
    assert rules_broken(problem, roster) == []
    assert rules_broken(problem, [*roster, (D(2026, 3, 9), "day")]) == [
        "availability",
        "contract_hours",
    ]


def test_it_reports_saturdays_closer_than_the_rotation():
    problem = world(weeks=8, rules=Rules(contract_tolerance_hours=10_000, saturday_every_weeks=6))
    assert rules_broken(problem, [(D(2026, 3, 7), "sat"), (D(2026, 4, 11), "sat")]) == [
        "saturday_rotation"
    ]
    assert rules_broken(problem, [(D(2026, 3, 7), "sat"), (D(2026, 4, 18), "sat")]) == []


def test_it_reports_an_unmet_placement_and_a_site_not_allowed():
    placement = Placement("kari", "N", 2)
    problem = world(placements=(placement,))
    assert rules_broken(problem, [(D(2026, 3, 2), "north")]) == ["placement"]
    assert rules_broken(problem, [(D(2026, 3, 2), "north"), (D(2026, 3, 3), "north")]) == []
    assert rules_broken(world(), [(D(2026, 3, 2), "north")]) == ["site"]


def test_it_reports_uncovered_demand_by_competence():
    begin = dt.datetime(2026, 3, 2, 9, tzinfo=OSLO)
    slot = (begin, begin + dt.timedelta(hours=1))
    library = Demand("S", *slot, 1, "library")
    municipal = Demand("S", *slot, 1, "municipal")
    problem = world(demand=(library, municipal))
    broken = check(problem, [Assignment("kari", D(2026, 3, 2), "day")])
    assert [(v.rule, v.detail) for v in broken] == [("coverage", "S 09:00 municipal: 0 of 1")]


def test_a_shift_must_span_the_whole_demand_slot():
    begin = dt.datetime(2026, 3, 2, 15, tzinfo=OSLO)
    problem = world(demand=(Demand("S", begin, begin + dt.timedelta(hours=1), 1),))
    assert rules_broken(problem, [(D(2026, 3, 2), "day")]) == ["coverage"]  # ends 15:30
    assert rules_broken(problem, [(D(2026, 3, 2), "early")]) == []  # ends 16:00


def test_softened_rules_are_reported_as_soft():
    problem = world(rules=Rules(contract_tolerance_hours=10_000, soft=frozenset({"daily_hours"})))
    [violation] = check(problem, [Assignment("kari", D(2026, 3, 2), "late")])
    assert violation.rule == "daily_hours" and violation.soft


@pytest.mark.parametrize("day", sorted(REFERENCE["night_22_07_hours"]))
def test_night_shift_length_on_dst_nights_matches_the_hand_computation(day):
    start, end = shift_instant_range(SHIFTS[5], D.fromisoformat(day), OSLO)
    assert (end - start).total_seconds() / 3600 == REFERENCE["night_22_07_hours"][day]


def test_the_long_autumn_night_breaks_the_nine_hour_day_and_the_short_spring_one_does_not():
    autumn = world(start=D(2026, 10, 12), weeks=2)
    assert rules_broken(autumn, [(D(2026, 10, 17), "night")]) == []
    assert rules_broken(autumn, [(D(2026, 10, 24), "night")]) == ["daily_hours"]
    spring = world(start=D(2026, 3, 23), weeks=1)
    assert rules_broken(spring, [(D(2026, 3, 28), "night")]) == []


def test_rest_on_the_spring_night_is_an_hour_short():
    shifts = (*SHIFTS, ShiftTemplate("sunday9", "S", T(9), T(15), frozenset({6})))
    for saturday, hours in REFERENCE["rest_hours_from_saturday_22_to_sunday_09"].items():
        day = D.fromisoformat(saturday)
        monday = day - dt.timedelta(days=5)
        problem = Problem(monday, 1, shifts, world().people, rules=LAX)
        broken = check(
            problem,
            [
                Assignment("kari", day, "evening"),
                Assignment("kari", day + dt.timedelta(days=1), "sunday9"),
            ],
        )
        assert [v.rule for v in broken] == ([] if hours >= 11 else ["daily_rest"])


def test_rest_on_the_autumn_night_is_an_hour_longer():
    shifts = (*SHIFTS, ShiftTemplate("sunday8", "S", T(8), T(14), frozenset({6})))
    for saturday, hours in REFERENCE["rest_hours_from_saturday_22_to_sunday_08"].items():
        day = D.fromisoformat(saturday)
        monday = day - dt.timedelta(days=5)
        problem = Problem(monday, 1, shifts, world().people, rules=LAX)
        broken = check(
            problem,
            [
                Assignment("kari", day, "evening"),
                Assignment("kari", day + dt.timedelta(days=1), "sunday8"),
            ],
        )
        assert [v.rule for v in broken] == ([] if hours >= 11 else ["daily_rest"])
