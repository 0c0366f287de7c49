"""Plain data for staff rostering: frozen dataclasses in, a result dataclass out.

No Django import. Every instant is zone-aware: a shift's local start and end are turned into
real instants in the problem's IANA zone (``Europe/Oslo`` by default), so durations and rest
are measured on the clock, not on the calendar (a night shift across the last Sunday of
October lasts one hour longer than the same shift on another night).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field

# Rule names, used in penalties, violations and explanations.
COVERAGE = "coverage"
NO_OVERLAP = "no_overlap"
DAILY_REST = "daily_rest"
WEEKLY_REST = "weekly_rest"
DAILY_HOURS = "daily_hours"
WEEKLY_HOURS = "weekly_hours"
SUNDAY_HOLIDAY = "sunday_holiday"
CONTRACT_HOURS = "contract_hours"
SATURDAY_ROTATION = "saturday_rotation"
PLACEMENT = "placement"
# Checked by the checker only: the solver never creates a variable that could break them.
AVAILABILITY = "availability"
SITE = "site"
UNKNOWN_SHIFT = "unknown_shift"

HARD_RULES = (
    COVERAGE,
    NO_OVERLAP,
    DAILY_REST,
    WEEKLY_REST,
    DAILY_HOURS,
    WEEKLY_HOURS,
    SUNDAY_HOLIDAY,
    CONTRACT_HOURS,
    SATURDAY_ROTATION,
    PLACEMENT,
)
PREFERENCES = "preferences"
FAIRNESS = "fairness"
CONTINUITY = "continuity"
SOFT_RULES = (PREFERENCES, FAIRNESS, CONTINUITY)

# An evening shift ends after this local time (fairness of evenings).
EVENING_ENDS_AFTER = dt.time(18, 0)


@dataclass(frozen=True)
class ShiftTemplate:
    """A shift pattern at one site, e.g. ``08:00–15:30`` on weekdays.

    ``end <= start`` means the shift ends on the next local day (crosses midnight).
    ``weekdays`` uses ``date.weekday()`` numbers (0 = Monday).
    """

    code: str
    site: str
    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = frozenset(range(7))

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError(f"shift {self.code} starts and ends at {self.start}")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Person:
    """A member of staff.

    ``weekly_hours`` is a full-time week (37.5 h by default); the contract asks for
    ``weekly_hours × contract_share`` hours a week, less one fifth of that for each absent
    weekday. ``sites`` are extra sites the person may cover (substitutes); the home site is
    always allowed. ``preferred`` / ``unwanted`` are (day, shift code) pairs; a day of ``None``
    means every day.
    """

    id: str
    name: str
    home_site: str
    competences: frozenset[str] = frozenset()
    contract_share: float = 1.0
    weekly_hours: float = 37.5
    sites: frozenset[str] = frozenset()
    absent: frozenset[dt.date] = frozenset()
    preferred: frozenset[tuple[dt.date | None, str]] = frozenset()
    unwanted: frozenset[tuple[dt.date | None, str]] = frozenset()

    @property
    def allowed_sites(self) -> frozenset[str]:
        return self.sites | {self.home_site}


@dataclass(frozen=True)
class Demand:
    """At least ``minimum`` people with ``competence`` (``None``: anyone) at ``site``
    for the whole of the slot ``[start, end)`` (aware instants)."""

    site: str
    start: dt.datetime
    end: dt.datetime
    minimum: int
    competence: str | None = None


@dataclass(frozen=True)
class Placement:
    """Job shadowing: ``person`` works at least ``shifts`` shifts at ``site`` in the period."""

    person: str
    site: str
    shifts: int


@dataclass(frozen=True)
class Rules:
    """Limits and switches. Defaults follow the Working Environment Act (arbeidsmiljøloven,
    AML): § 10-8 (1) 11 h daily rest, § 10-8 (2) 35 h weekly rest, § 10-4 (1) 9 h a day and
    40 h a week of normal working time, § 10-10 (2) the Sunday/public holiday after a worked
    one is off. ``soft`` names hard rules the manager has made soft; each broken instance
    then costs ``soft_rule_weight``.
    """

    daily_rest_hours: float = 11.0
    weekly_rest_hours: float = 35.0
    max_daily_hours: float = 9.0
    max_weekly_hours: float = 40.0
    contract_tolerance_hours: float = 8.0
    saturday_every_weeks: int = 6
    soft: frozenset[str] = frozenset()
    shortfall_weight: int = 1000  # per missing person per demand slot
    soft_rule_weight: int = 500  # per broken instance of a softened hard rule
    preference_weight: int = 10
    fairness_weight: int = 5
    continuity_weight: int = 2

    def is_soft(self, rule: str) -> bool:
        return rule in self.soft


@dataclass(frozen=True)
class Problem:
    """A roster period of ``weeks`` weeks starting on Monday ``start`` (local calendar)."""

    start: dt.date
    weeks: int
    shifts: tuple[ShiftTemplate, ...]
    people: tuple[Person, ...]
    demand: tuple[Demand, ...] = ()
    placements: tuple[Placement, ...] = ()
    rules: Rules = field(default_factory=Rules)
    zone: str = "Europe/Oslo"
    site_names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start.weekday() != 0:
            raise ValueError(f"the roster period must start on a Monday, not {self.start}")
        if self.weeks < 1:
            raise ValueError("the roster period needs at least one week")
        codes = [shift.code for shift in self.shifts]
        if len(codes) != len(set(codes)):
            raise ValueError("shift codes must be unique")
        ids = [person.id for person in self.people]
        if len(ids) != len(set(ids)):
            raise ValueError("person ids must be unique")

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.zone)

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=offset) for offset in range(self.weeks * 7)]


@dataclass(frozen=True)
class SolverSettings:
    """CP-SAT limits: wall-clock seconds, parallel workers and the random seed.

    ``time_limit_seconds`` bounds each search for a roster; when the hard rules conflict,
    finding the conflicting set may take up to ``explain_seconds`` more (one worker).
    """

    time_limit_seconds: float = 30.0
    explain_seconds: float = 30.0
    workers: int = 2
    seed: int = 0


@dataclass(frozen=True)
class Assignment:
    """One person on one shift; ``day`` is the local day the shift starts."""

    person: str
    day: dt.date
    shift: str


@dataclass(frozen=True)
class Shortfall:
    """Unmet demand: ``missing`` people short of ``demand.minimum``."""

    demand: Demand
    missing: int


@dataclass(frozen=True)
class Conflict:
    """One rule instance in a conflicting set (``person``/``day`` may be empty)."""

    rule: str
    person: str | None
    day: dt.date | None
    detail: str
    sentence: str


@dataclass(frozen=True)
class Progress:
    """Reported during the search: best objective so far, seconds used and left."""

    objective: float
    best_bound: float
    seconds: float
    seconds_left: float
    solutions: int


@dataclass(frozen=True)
class Result:
    """What a solve returns.

    ``status`` is ``optimal``, ``feasible``, ``infeasible`` or ``unknown`` (no roster in
    time). ``costs`` maps each rule to what it added to ``objective``. When the hard rules
    cannot all be met, ``conflicts`` names a conflicting set of rule instances,
    ``explanation`` says it in Norwegian, and ``assignments`` / ``shortfalls`` hold the best
    roster with unmet demand (``relaxed`` names the rules that had to give way).
    """

    status: str
    assignments: tuple[Assignment, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    objective: float | None = None
    best_bound: float | None = None
    costs: Mapping[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    conflicts: tuple[Conflict, ...] = ()
    explanation: tuple[str, ...] = ()
    relaxed: frozenset[str] = frozenset()

    @property
    def has_roster(self) -> bool:
        return self.status in ("optimal", "feasible")


def shift_instant_range(
    template: ShiftTemplate, day: dt.date, tz: zoneinfo.ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """Real UTC instants (start, end) of ``template`` starting on local ``day``.

    A local time that does not exist (the spring-forward gap) is read with the offset before
    the change, as ``zoneinfo`` does (PEP 495, fold=0).
    """
    start = dt.datetime.combine(day, template.start, tzinfo=tz)
    end_day = day + dt.timedelta(days=1) if template.crosses_midnight else day
    end = dt.datetime.combine(end_day, template.end, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)
