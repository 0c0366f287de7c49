"""Small rostering worlds for the tests: two sites (Sentrum, Nordby) of a joint library and
citizen service centre, staff who are generalists or specialists."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from torg.rostering import Demand, Person, Placement, Problem, Rules, ShiftTemplate

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
WEEKDAYS = frozenset(range(5))
SATURDAY = frozenset({5})
LIB = "library"
MUN = "municipal"
SITE_NAMES = {"S": "Sentrum", "N": "Nordby"}


def templates(sites: tuple[str, ...] = ("S", "N")) -> tuple[ShiftTemplate, ...]:
    shifts: list[ShiftTemplate] = []
    for site in sites:
        shifts += [
            ShiftTemplate(f"{site}-day", site, dt.time(8), dt.time(15, 30), WEEKDAYS),
            ShiftTemplate(f"{site}-late", site, dt.time(12), dt.time(20), WEEKDAYS),
            ShiftTemplate(f"{site}-sat", site, dt.time(10), dt.time(16), SATURDAY),
        ]
    return tuple(shifts)


def staff(per_site: int = 6, sites: tuple[str, ...] = ("S", "N"), **extra: object) -> list[Person]:
    """Per site: every third person a generalist, then a library and a municipal specialist."""
    people = []
    kinds = ({LIB, MUN}, {LIB}, {MUN})
    names = ("Kari", "Ola", "Ingrid", "Lars", "Åse", "Øyvind", "Sigrid", "Per", "Nora", "Jon")
    for site in sites:
        for i in range(per_site):
            people.append(
                Person(
                    id=f"{site}{i}",
                    name=f"{names[i % len(names)]} {SITE_NAMES[site]}",
                    home_site=site,
                    competences=frozenset(kinds[i % 3]),
                    **extra,  # type: ignore[arg-type]
                )
            )
    return people


def hourly_demand(
    start: dt.date,
    weeks: int,
    sites: tuple[str, ...] = ("S", "N"),
    saturday_hours: range = range(10, 16),
    weekday_hours: range = range(8, 20),
    competences: tuple[str, ...] = (LIB, MUN),
) -> list[Demand]:
    demand = []
    for offset in range(7 * weeks):
        day = start + dt.timedelta(days=offset)
        if day.weekday() == 6:
            continue
        hours = saturday_hours if day.weekday() == 5 else weekday_hours
        for site in sites:
            for hour in hours:
                begin = dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)
                for competence in competences:
                    demand.append(Demand(site, begin, begin + dt.timedelta(hours=1), 1, competence))
    return demand


def problem(
    *,
    start: dt.date = dt.date(2026, 3, 2),
    weeks: int = 2,
    people: list[Person] | None = None,
    demand: list[Demand] | None = None,
    shifts: tuple[ShiftTemplate, ...] | None = None,
    placements: tuple[Placement, ...] = (),
    rules: Rules | None = None,
) -> Problem:
    return Problem(
        start=start,
        weeks=weeks,
        shifts=shifts if shifts is not None else templates(),
        people=tuple(people if people is not None else staff()),
        demand=tuple(demand if demand is not None else hourly_demand(start, weeks)),
        placements=placements,
        rules=rules or Rules(contract_tolerance_hours=40),
        site_names=SITE_NAMES,
    )
