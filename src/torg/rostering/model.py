"""The CP-SAT model of a roster: one documented helper per rule.

Each ``rule_*`` helper adds its constraints to the :class:`RosterModel` and returns its penalty
terms (weight, linear expression); the objective is their sum, so a result can say which rule
cost what. A hard rule instance is added plainly, or, when the rule is soft or when explaining
infeasibility, behind an enforcement literal (:meth:`RosterModel.guard`): a soft rule pays
``Rules.soft_rule_weight`` when its literal is false; an explaining model passes the literals
as CP-SAT assumptions, so ``SufficientAssumptionsForInfeasibility`` names rule instances.

Unmet demand is always an explicit slack variable per demand row; when coverage is hard its
slack is fixed to zero, never dropped.

Variables exist only for shifts a person may work: on a day they are not absent, at a site
they may cover (home site, extra sites, placement sites).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import holidays
from ortools.sat.python import cp_model

from torg.rostering.domain import (
    CONTINUITY,
    CONTRACT_HOURS,
    COVERAGE,
    DAILY_HOURS,
    DAILY_REST,
    EVENING_ENDS_AFTER,
    FAIRNESS,
    NO_OVERLAP,
    PLACEMENT,
    PREFERENCES,
    SATURDAY_ROTATION,
    SUNDAY_HOLIDAY,
    WEEKLY_HOURS,
    WEEKLY_REST,
    Person,
    Problem,
    ShiftTemplate,
    shift_instant_range,
)

Term = tuple[int, cp_model.LinearExprT]


@dataclass(frozen=True)
class ShiftInstance:
    """A template on one local day, with its real UTC instants and length in minutes."""

    index: int
    template: ShiftTemplate
    day: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def site(self) -> str:
        return self.template.site


@dataclass(frozen=True)
class RuleInstance:
    """One guarded instance of a rule (for soft penalties and infeasibility cores).

    ``extra`` carries what an explanation needs (site, slot, limits, second day...).
    """

    rule: str
    person: str | None
    day: dt.date | None
    detail: str
    literal: cp_model.IntVar
    extra: tuple[object, ...] = ()


def norwegian_holidays(days: Sequence[dt.date]) -> set[dt.date]:
    """Public holidays in Norway (``holidays.Norway``, without Sundays as such) in ``days``."""
    years = sorted({day.year for day in days})
    table = holidays.country_holidays("NO", years=years)
    return {day for day in days if day in table}


def sundays_and_holidays(days: Sequence[dt.date]) -> list[dt.date]:
    """Sundays and Norwegian public holidays in ``days``, in order (AML § 10-10)."""
    holiday_set = norwegian_holidays(days)
    return [day for day in days if day.weekday() == 6 or day in holiday_set]


def minutes(hours: float) -> int:
    return round(hours * 60)


class RosterModel:
    """Build the CP-SAT model for ``problem``.

    ``explain``: guard every hard rule instance with an assumption literal.
    ``relax``: rules to treat as soft on top of ``problem.rules.soft`` (the best-roster solve).
    """

    def __init__(
        self, problem: Problem, *, explain: bool = False, relax: frozenset[str] = frozenset()
    ) -> None:
        self.problem = problem
        self.rules = problem.rules
        self.explain = explain
        self.soft = problem.rules.soft | relax
        self.model = cp_model.CpModel()
        self.tz = problem.tz
        self.days = problem.days
        self.instances: list[ShiftInstance] = []
        for day in self.days:
            for template in problem.shifts:
                if day.weekday() in template.weekdays:
                    start, end = shift_instant_range(template, day, self.tz)
                    self.instances.append(
                        ShiftInstance(len(self.instances), template, day, start, end)
                    )
        self.people = {person.id: person for person in problem.people}
        placement_sites: dict[str, set[str]] = defaultdict(set)
        for placement in problem.placements:
            placement_sites[placement.person].add(placement.site)
        self.x: dict[tuple[str, int], cp_model.IntVar] = {}
        self.by_person: dict[str, list[ShiftInstance]] = {}
        for person in problem.people:
            sites = person.allowed_sites | placement_sites[person.id]
            mine = [
                shift
                for shift in self.instances
                if shift.site in sites and shift.day not in person.absent
            ]
            self.by_person[person.id] = mine
            for shift in mine:
                self.x[person.id, shift.index] = self.model.new_bool_var(
                    f"x[{person.id},{shift.day},{shift.template.code}]"
                )
        self.guards: list[RuleInstance] = []
        self.slack: list[cp_model.IntVar] = []
        self.terms: dict[str, list[Term]] = {}

    # -- helpers ---------------------------------------------------------------------------

    def guard(
        self,
        rule: str,
        person: str | None,
        day: dt.date | None,
        detail: str,
        extra: tuple[object, ...] = (),
    ) -> cp_model.IntVar | None:
        """The enforcement literal of one hard rule instance, or ``None`` when the instance is
        simply hard. A soft instance's literal costs ``soft_rule_weight`` when false."""
        if rule not in self.soft and not self.explain:
            return None
        literal = self.model.new_bool_var(f"{rule}[{person},{day},{detail}]")
        self.guards.append(RuleInstance(rule, person, day, detail, literal, extra))
        return literal

    def soft_terms(self, rule: str) -> list[Term]:
        """Penalty terms of the softened instances of ``rule`` (none for a hard rule)."""
        if rule not in self.soft:
            return []
        weight = self.rules.soft_rule_weight
        return [(weight, 1 - g.literal) for g in self.guards if g.rule == rule]

    def week_of(self, day: dt.date) -> int:
        return (day - self.problem.start).days // 7

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.tz)

    def assumptions(self) -> list[cp_model.IntVar]:
        """The guard literals of hard (not softened) rule instances."""
        return [g.literal for g in self.guards if g.rule not in self.soft]


def _enforce(constraint: cp_model.Constraint, literal: cp_model.IntVar | None) -> None:
    if literal is not None:
        constraint.only_enforce_if(literal)


# -- hard rules ---------------------------------------------------------------------------


def rule_coverage(m: RosterModel) -> list[Term]:
    """Demand covered with the required competences.

    For each demand row: the people on a shift at its site that spans the whole slot and
    holding its competence, plus an explicit slack (unmet demand, one per missing person),
    reach the minimum. Hard: slack = 0. Soft: each missing person costs
    ``Rules.shortfall_weight``.
    """
    soft = COVERAGE in m.soft
    terms: list[Term] = []
    # Shifts by site and start day, and who may work each, so a demand row looks only at
    # shifts starting on its local day or the day before (none lasts 24 h or more).
    by_site_day: dict[tuple[str, dt.date], list[ShiftInstance]] = defaultdict(list)
    for shift in m.instances:
        by_site_day[shift.site, shift.day].append(shift)
    workers: dict[int, list[Person]] = defaultdict(list)
    for person in m.problem.people:
        for shift in m.by_person[person.id]:
            workers[shift.index].append(person)
    for index, demand in enumerate(m.problem.demand):
        day = demand.start.astimezone(m.tz).date()
        candidates = (
            by_site_day[demand.site, day] + by_site_day[demand.site, day - dt.timedelta(days=1)]
        )
        covering = [
            m.x[person.id, shift.index]
            for shift in candidates
            if shift.start <= demand.start and shift.end >= demand.end
            for person in workers[shift.index]
            if demand.competence is None or demand.competence in person.competences
        ]
        slack = m.model.new_int_var(0, demand.minimum, f"unmet[{index}]")
        m.slack.append(slack)
        m.model.add(sum(covering) + slack >= demand.minimum)
        if soft:
            terms.append((m.rules.shortfall_weight, slack))
            continue
        literal = m.guard(
            COVERAGE,
            None,
            demand.start.astimezone(m.tz).date(),
            f"{demand.site} {demand.start.isoformat()}",
            (index,),
        )
        _enforce(m.model.add(slack == 0), literal)
    return terms


def _pairs(
    shifts: Sequence[ShiftInstance], gap: dt.timedelta
) -> list[tuple[ShiftInstance, ShiftInstance]]:
    """Pairs (a, b), a starting no later than b, with b starting before a ends plus ``gap``."""
    ordered = sorted(shifts, key=lambda s: (s.start, s.index))
    pairs = []
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.start >= first.end + gap:
                # Later shifts start later still, but an earlier-ending long shift may follow;
                # starts are sorted, so nothing after can start before first.end + gap.
                break
            pairs.append((first, second))
    return pairs


def rule_no_overlap(m: RosterModel) -> list[Term]:
    """No person on two shifts that overlap in real time."""
    for person_id, shifts in m.by_person.items():
        for first, second in _pairs(shifts, dt.timedelta(0)):
            literal = m.guard(NO_OVERLAP, person_id, second.day, second.template.code)
            _enforce(
                m.model.add_bool_or(
                    [m.x[person_id, first.index].Not(), m.x[person_id, second.index].Not()]
                ),
                literal,
            )
    return m.soft_terms(NO_OVERLAP)


def rule_daily_rest(m: RosterModel) -> list[Term]:
    """AML § 10-8 (1): at least ``daily_rest_hours`` (11 h) of rest between two shifts.

    Read pairwise: the real time from the end of one shift to the start of the next is at
    least 11 h (so a 23- or 25-hour DST day is measured as it is).
    """
    rest = dt.timedelta(hours=m.rules.daily_rest_hours)
    for person_id, shifts in m.by_person.items():
        for first, second in _pairs(shifts, rest):
            if second.start < first.end:
                continue  # an overlap, rule_no_overlap's business
            literal = m.guard(DAILY_REST, person_id, second.day, second.template.code)
            _enforce(
                m.model.add_bool_or(
                    [m.x[person_id, first.index].Not(), m.x[person_id, second.index].Not()]
                ),
                literal,
            )
    return m.soft_terms(DAILY_REST)


def rule_weekly_rest(m: RosterModel) -> list[Term]:
    """AML § 10-8 (2): 35 h of continuous rest in each calendar week (Monday 00:00 to the
    next Monday 00:00, local time, measured in real hours).

    A rest window starts at the week's start or at the end of a shift and lies inside the
    week; at least one window must hold no shift of the person.
    """
    length = dt.timedelta(hours=m.rules.weekly_rest_hours)
    for person_id, shifts in m.by_person.items():
        for week in range(m.problem.weeks):
            monday = m.problem.start + dt.timedelta(days=7 * week)
            week_start = dt.datetime.combine(monday, dt.time(0), tzinfo=m.tz).astimezone(dt.UTC)
            week_end = dt.datetime.combine(
                monday + dt.timedelta(days=7), dt.time(0), tzinfo=m.tz
            ).astimezone(dt.UTC)
            near = [s for s in shifts if s.end > week_start and s.start < week_end]
            if not near:
                continue
            starts = sorted(
                {week_start} | {s.end for s in near if week_start <= s.end <= week_end - length}
            )
            windows = []
            for begin in starts:
                finish = begin + length
                if finish > week_end:
                    continue
                window = m.model.new_bool_var(f"rest[{person_id},{week},{begin}]")
                for shift in near:
                    if shift.start < finish and shift.end > begin:
                        m.model.add_implication(window, m.x[person_id, shift.index].Not())
                windows.append(window)
            literal = m.guard(WEEKLY_REST, person_id, monday, f"week {week + 1}")
            _enforce(m.model.add_bool_or(windows), literal)
    return m.soft_terms(WEEKLY_REST)


def rule_daily_hours(m: RosterModel) -> list[Term]:
    """AML § 10-4 (1): at most ``max_daily_hours`` (9 h) on shifts starting on one local day."""
    limit = minutes(m.rules.max_daily_hours)
    for person_id, shifts in m.by_person.items():
        by_day: dict[dt.date, list[ShiftInstance]] = defaultdict(list)
        for shift in shifts:
            by_day[shift.day].append(shift)
        for day, todays in by_day.items():
            if sum(s.minutes for s in todays) <= limit:
                continue
            literal = m.guard(DAILY_HOURS, person_id, day, "")
            _enforce(
                m.model.add(sum(s.minutes * m.x[person_id, s.index] for s in todays) <= limit),
                literal,
            )
    return m.soft_terms(DAILY_HOURS)


def rule_weekly_hours(m: RosterModel) -> list[Term]:
    """AML § 10-4 (1): at most ``max_weekly_hours`` (40 h) on shifts starting in one week."""
    limit = minutes(m.rules.max_weekly_hours)
    for person_id, shifts in m.by_person.items():
        by_week: dict[int, list[ShiftInstance]] = defaultdict(list)
        for shift in shifts:
            by_week[m.week_of(shift.day)].append(shift)
        for week, weekly in by_week.items():
            if sum(s.minutes for s in weekly) <= limit:
                continue
            monday = m.problem.start + dt.timedelta(days=7 * week)
            literal = m.guard(WEEKLY_HOURS, person_id, monday, f"week {week + 1}")
            _enforce(
                m.model.add(sum(s.minutes * m.x[person_id, s.index] for s in weekly) <= limit),
                literal,
            )
    return m.soft_terms(WEEKLY_HOURS)


def _touches(shift: ShiftInstance, day: dt.date, m: RosterModel) -> bool:
    """Whether the shift overlaps the local calendar day ``day``."""
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=m.tz)
    finish = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=m.tz)
    return shift.start < finish and shift.end > begin


def rule_sunday_holiday(m: RosterModel) -> list[Term]:
    """AML § 10-10 (2): who works on a Sunday or public holiday has the next one off.

    Sundays and Norwegian public holidays (``holidays`` package) are taken in order; a person
    works on such a day when a shift of theirs overlaps the local calendar day. Every other
    Sunday/holiday off is the consequence.
    """
    special = sundays_and_holidays(m.days)
    for person_id, shifts in m.by_person.items():
        worked: dict[dt.date, cp_model.IntVar | None] = {}
        for day in special:
            touching = [m.x[person_id, s.index] for s in shifts if _touches(s, day, m)]
            if not touching:
                worked[day] = None
                continue
            works = m.model.new_bool_var(f"works[{person_id},{day}]")
            for var in touching:
                m.model.add_implication(var, works)
            worked[day] = works
        for first, second in pairwise(special):
            a, b = worked[first], worked[second]
            if a is None or b is None:
                continue
            literal = m.guard(SUNDAY_HOLIDAY, person_id, first, str(second), (second,))
            _enforce(m.model.add_bool_or([a.Not(), b.Not()]), literal)
    return m.soft_terms(SUNDAY_HOLIDAY)


def contract_target_minutes(person: Person, problem: Problem) -> int:
    """Contract minutes over the period: ``weekly_hours × contract_share`` a week, less one
    fifth of a week for each absent weekday (Monday–Friday) in the period."""
    weekly = person.weekly_hours * person.contract_share
    absent_weekdays = sum(
        1 for day in person.absent if day in set(problem.days) and day.weekday() < 5
    )
    return minutes(weekly * problem.weeks - weekly / 5 * absent_weekdays)


def rule_contract_hours(m: RosterModel) -> list[Term]:
    """Hours over the period within ``contract_tolerance_hours`` of the contract target."""
    tolerance = minutes(m.rules.contract_tolerance_hours)
    for person_id, shifts in m.by_person.items():
        target = contract_target_minutes(m.people[person_id], m.problem)
        total = sum(s.minutes * m.x[person_id, s.index] for s in shifts)
        literal = m.guard(CONTRACT_HOURS, person_id, None, "", (target, tolerance))
        _enforce(m.model.add(total >= target - tolerance), literal)
        _enforce(m.model.add(total <= target + tolerance), literal)
    return m.soft_terms(CONTRACT_HOURS)


def rule_saturday_rotation(m: RosterModel) -> list[Term]:
    """Weekend rotation: at most one Saturday (a shift starting on Saturday) in any
    ``saturday_every_weeks`` consecutive weeks (default 6), so Saturdays are spread evenly."""
    n = m.rules.saturday_every_weeks
    weeks = m.problem.weeks
    windows = [(0, weeks)] if weeks <= n else [(w, w + n) for w in range(weeks - n + 1)]
    for person_id, shifts in m.by_person.items():
        saturdays = [s for s in shifts if s.day.weekday() == 5]
        for first, last in windows:
            inside = [
                m.x[person_id, s.index] for s in saturdays if first <= m.week_of(s.day) < last
            ]
            if len(inside) < 2:
                continue
            monday = m.problem.start + dt.timedelta(days=7 * first)
            literal = m.guard(
                SATURDAY_ROTATION, person_id, monday, f"weeks {first + 1}-{last}", (first, last)
            )
            _enforce(m.model.add(sum(inside) <= 1), literal)
    return m.soft_terms(SATURDAY_ROTATION)


def rule_placement(m: RosterModel) -> list[Term]:
    """Placements (job shadowing): the person works at least the agreed number of shifts at
    the other site in the period."""
    for index, placement in enumerate(m.problem.placements):
        there = [
            m.x[placement.person, s.index]
            for s in m.by_person.get(placement.person, [])
            if s.site == placement.site
        ]
        literal = m.guard(PLACEMENT, placement.person, None, placement.site, (index,))
        _enforce(m.model.add(sum(there) >= placement.shifts), literal)
    return m.soft_terms(PLACEMENT)


# -- soft rules ---------------------------------------------------------------------------


def rule_preferences(m: RosterModel) -> list[Term]:
    """Preferred shifts not given and unwanted shifts given, ``preference_weight`` each."""
    weight = m.rules.preference_weight
    terms: list[Term] = []
    for person in m.problem.people:
        for shift in m.by_person[person.id]:
            var = m.x[person.id, shift.index]
            code = shift.template.code
            if (shift.day, code) in person.preferred or (None, code) in person.preferred:
                terms.append((weight, 1 - var))
            if (shift.day, code) in person.unwanted or (None, code) in person.unwanted:
                terms.append((weight, var))
    return terms


def is_evening(shift: ShiftTemplate) -> bool:
    """An evening shift ends after 18:00 or crosses midnight."""
    return shift.crosses_midnight or shift.end > EVENING_ENDS_AFTER


def rule_fairness(m: RosterModel) -> list[Term]:
    """Fair spread of evening, weekend and holiday shifts: for each kind, the spread
    (largest − smallest count across people) costs ``fairness_weight`` per shift."""
    holiday_set = norwegian_holidays(m.days)
    kinds: dict[str, Callable[[ShiftInstance], bool]] = {
        "evenings": lambda s: is_evening(s.template),
        "weekends": lambda s: s.day.weekday() >= 5,
        "holidays": lambda s: s.day in holiday_set,
    }
    terms: list[Term] = []
    if len(m.problem.people) < 2:
        return terms
    for kind, test in kinds.items():
        counts = [
            sum(m.x[person_id, s.index] for s in shifts if test(s))
            for person_id, shifts in m.by_person.items()
        ]
        top = m.model.new_int_var(0, len(m.days) * 2, f"most_{kind}")
        bottom = m.model.new_int_var(0, len(m.days) * 2, f"fewest_{kind}")
        for count in counts:
            m.model.add(top >= count)
            m.model.add(bottom <= count)
        terms.append((m.rules.fairness_weight, top - bottom))
    return terms


def rule_continuity(m: RosterModel) -> list[Term]:
    """Continuity: a person who works on consecutive days at different sites costs
    ``continuity_weight`` (only people who may work at more than one site)."""
    terms: list[Term] = []
    for person_id, shifts in m.by_person.items():
        sites = sorted({s.site for s in shifts})
        if len(sites) < 2:
            continue
        at: dict[tuple[dt.date, str], cp_model.IntVar] = {}
        for day in m.days:
            for site in sites:
                todays = [
                    m.x[person_id, s.index] for s in shifts if s.day == day and s.site == site
                ]
                if not todays:
                    continue
                works = m.model.new_bool_var(f"at[{person_id},{day},{site}]")
                for var in todays:
                    m.model.add_implication(var, works)
                at[day, site] = works
        for day in m.days[:-1]:
            tomorrow = day + dt.timedelta(days=1)
            for site in sites:
                for other in sites:
                    if other == site or (day, site) not in at or (tomorrow, other) not in at:
                        continue
                    switch = m.model.new_bool_var(f"switch[{person_id},{day},{site},{other}]")
                    m.model.add_bool_or([at[day, site].Not(), at[tomorrow, other].Not(), switch])
                    terms.append((m.rules.continuity_weight, switch))
    return terms


RULE_HELPERS: dict[str, Callable[[RosterModel], list[Term]]] = {
    COVERAGE: rule_coverage,
    NO_OVERLAP: rule_no_overlap,
    DAILY_REST: rule_daily_rest,
    WEEKLY_REST: rule_weekly_rest,
    DAILY_HOURS: rule_daily_hours,
    WEEKLY_HOURS: rule_weekly_hours,
    SUNDAY_HOLIDAY: rule_sunday_holiday,
    CONTRACT_HOURS: rule_contract_hours,
    SATURDAY_ROTATION: rule_saturday_rotation,
    PLACEMENT: rule_placement,
    PREFERENCES: rule_preferences,
    FAIRNESS: rule_fairness,
    CONTINUITY: rule_continuity,
}


def build(
    problem: Problem, *, explain: bool = False, relax: frozenset[str] = frozenset()
) -> RosterModel:
    """Build the whole model: every rule helper, then the objective (sum of all terms)."""
    m = RosterModel(problem, explain=explain, relax=relax)
    for rule, helper in RULE_HELPERS.items():
        m.terms[rule] = helper(m)
    objective = [weight * expr for terms in m.terms.values() for weight, expr in terms]
    if objective and not explain:
        m.model.minimize(sum(objective))
    return m
