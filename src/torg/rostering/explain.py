"""Plain Norwegian (bokmål) sentences for conflicting rule instances.

The solver package has no Django, so these sentences are written here in bokmål rather than
through gettext; they name the rule (with the section of arbeidsmiljøloven where there is
one), the people and the days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from torg.rostering.domain import (
    CONTRACT_HOURS,
    COVERAGE,
    DAILY_HOURS,
    DAILY_REST,
    NO_OVERLAP,
    PLACEMENT,
    SATURDAY_ROTATION,
    SUNDAY_HOLIDAY,
    WEEKLY_HOURS,
    WEEKLY_REST,
    Conflict,
    Problem,
)

if TYPE_CHECKING:
    from torg.rostering.model import RuleInstance

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)

RULE_NAMES = {
    COVERAGE: "bemanningskravet",
    NO_OVERLAP: "forbudet mot overlappende vakter",
    DAILY_REST: "daglig hvile (AML § 10-8 første ledd)",
    WEEKLY_REST: "ukentlig hvile (AML § 10-8 annet ledd)",
    DAILY_HOURS: "høyst 9 timer per dag (AML § 10-4)",
    WEEKLY_HOURS: "høyst 40 timer per uke (AML § 10-4)",
    SUNDAY_HOLIDAY: "annenhver søn- og helgedag fri (AML § 10-10)",
    CONTRACT_HOURS: "avtalte timer",
    SATURDAY_ROTATION: "lørdagsturnus",
    PLACEMENT: "hospitering",
}


def date_text(day: dt.date) -> str:
    """``lørdag 7. mars 2026``."""
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} {day.year}"


def _hours(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text.removesuffix(",0")


def conflict_sentence(problem: Problem, instance: RuleInstance) -> str:
    """One sentence naming the rule, the person and the day of ``instance``."""
    people = {p.id: p.name for p in problem.people}
    name = people.get(instance.person or "", instance.person or "")
    rules = problem.rules
    day = date_text(instance.day) if instance.day else ""
    site_name = problem.site_names
    tz = problem.tz
    if instance.rule == COVERAGE:
        demand = problem.demand[int(str(instance.extra[0]))]
        start = demand.start.astimezone(tz)
        end = demand.end.astimezone(tz)
        who = (
            f"{demand.minimum} med kompetanse «{demand.competence}»"
            if demand.competence
            else f"{demand.minimum} på jobb"
        )
        site = site_name.get(demand.site, demand.site)
        return (
            f"{site} trenger minst {who} {date_text(start.date())} kl. {start:%H:%M}–{end:%H:%M}."
        )
    if instance.rule == SATURDAY_ROTATION:
        first, last = (int(str(v)) for v in instance.extra)
        return (
            f"{name} kan jobbe høyst én lørdag i uke {first + 1}–{last} av perioden "
            f"(lørdag hver {rules.saturday_every_weeks}. uke)."
        )
    if instance.rule == PLACEMENT:
        placement = problem.placements[int(str(instance.extra[0]))]
        site = site_name.get(placement.site, placement.site)
        return f"{name} skal hospitere minst {placement.shifts} vakter ved {site} i perioden."
    if instance.rule == CONTRACT_HOURS:
        target, tolerance = (int(str(v)) for v in instance.extra)
        return (
            f"{name} skal ha {_hours(target / 60)} timer i perioden etter avtalen, "
            f"pluss/minus {_hours(tolerance / 60)} timer."
        )
    if instance.rule == DAILY_REST:
        return (
            f"{name} må ha minst {_hours(rules.daily_rest_hours)} timers hvile før vakten "
            f"{day} (AML § 10-8 første ledd)."
        )
    if instance.rule == WEEKLY_REST:
        return (
            f"{name} må ha minst {_hours(rules.weekly_rest_hours)} timers sammenhengende "
            f"hvile i uken som begynner {day} (AML § 10-8 annet ledd)."
        )
    if instance.rule == DAILY_HOURS:
        return f"{name} kan arbeide høyst {_hours(rules.max_daily_hours)} timer {day} (AML § 10-4)."
    if instance.rule == WEEKLY_HOURS:
        return (
            f"{name} kan arbeide høyst {_hours(rules.max_weekly_hours)} timer i uken som "
            f"begynner {day} (AML § 10-4)."
        )
    if instance.rule == SUNDAY_HOLIDAY:
        second = instance.extra[0]
        assert isinstance(second, dt.date)
        return (
            f"{name} kan ikke arbeide både {day} og {date_text(second)}: søn- og helgedager "
            "skal være annenhver fri (AML § 10-10)."
        )
    if instance.rule == NO_OVERLAP:
        return f"{name} kan ikke ha to vakter som overlapper {day}."
    return f"{RULE_NAMES.get(instance.rule, instance.rule)}: {name} {day}."


def explanation(problem: Problem, conflicts: Sequence[Conflict]) -> tuple[str, ...]:
    """The paragraphs shown to a manager: what conflicts, and what can be done."""
    if not conflicts:
        return (
            "Ingen turnus oppfyller alle de harde reglene, men søket fant ikke i tide "
            "hvilke regler som står mot hverandre. Prøv igjen med lengre tid.",
        )
    rules = sorted({RULE_NAMES.get(c.rule, c.rule) for c in conflicts})
    lines = [
        "Ingen turnus oppfyller alle de harde reglene. Disse kravene kan ikke oppfylles "
        f"samtidig ({', '.join(rules)}):",
        *(f"• {c.sentence}" for c in conflicts),
        "Gjør en av disse reglene myk, endre kravet, gi flere personer kompetanse eller "
        "tilgang til stedet, eller legg til personer. Den beste turnusen under viser "
        "behovet som ikke blir dekket.",
    ]
    return tuple(lines)
