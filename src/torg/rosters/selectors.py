"""Read-side helpers of the roster pages: the grid of a site and week, and the fairness
summary per person (hours against contract, Saturdays/Sundays, evenings, holidays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import holidays
from django.db.models import QuerySet

from torg.organisation.scoping import Tenancy
from torg.rostering.model import contract_target_minutes, is_evening
from torg.rosters.exports import shift_instants
from torg.rosters.models import Assignment, Roster, ShiftTemplate, StaffMember
from torg.rosters.services import ProblemRows


def rosters(tenancy: Tenancy) -> QuerySet[Roster]:
    return tenancy.scoped(Roster)


@dataclass(frozen=True)
class GridRow:
    shift: ShiftTemplate
    cells: list[list[str]]  # one list of names per day of the week


def week_grid(roster: Roster, site_id: int, week: int) -> tuple[list[dt.date], list[GridRow]]:
    """Days of ``week`` (0-based) and, per shift template of the site, who works each day."""
    monday = roster.period_start + dt.timedelta(days=7 * week)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    templates = list(
        ShiftTemplate.objects.filter(municipality=roster.municipality, site_id=site_id)
    )
    names: dict[tuple[int, dt.date], list[str]] = {}
    for a in (
        roster.own_assignments()
        .filter(shift__site_id=site_id, day__in=days)
        .select_related("staff")
    ):
        names.setdefault((a.shift_id, a.day), []).append(a.staff.name)
    return days, [GridRow(t, [names.get((t.pk, d), []) for d in days]) for t in templates]


@dataclass(frozen=True)
class PersonRow:
    name: str
    cells: list[list[str]]  # shift codes per day of the week


def person_grid(roster: Roster, week: int) -> list[PersonRow]:
    """Per staff member of the roster's municipality, their shifts on each day of ``week``
    (0-based), at any site."""
    monday = roster.period_start + dt.timedelta(days=7 * week)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    codes: dict[tuple[int, dt.date], list[str]] = {}
    for a in roster.own_assignments().filter(day__in=days).select_related("shift"):
        codes.setdefault((a.staff_id, a.day), []).append(a.shift.code)
    staff = StaffMember.objects.filter(municipality=roster.municipality)
    return [PersonRow(m.name, [codes.get((m.pk, d), []) for d in days]) for m in staff]


@dataclass(frozen=True)
class Fairness:
    name: str
    hours: float
    contract_hours: float
    saturdays: int
    sundays: int
    evenings: int
    holidays: int


def fairness(roster: Roster, rows: ProblemRows) -> list[Fairness]:
    """Per person: hours worked (real clock hours) against the contract target, and the
    number of Saturday, Sunday, evening and public-holiday shifts."""
    days = [roster.period_start + dt.timedelta(days=i) for i in range(7 * roster.weeks)]
    closed = holidays.country_holidays("NO", years=sorted({d.year for d in days}))
    by_staff: dict[int, list[Assignment]] = {}
    for a in roster.own_assignments().select_related("shift"):
        by_staff.setdefault(a.staff_id, []).append(a)
    people = {p.id: p for p in rows.problem.people}
    template = {t.code: t for t in rows.problem.shifts}
    summary = []
    for key, member in rows.staff.items():
        mine = by_staff.get(member.pk, [])
        hours = 0.0
        for a in mine:
            start, end = shift_instants(a)
            hours += (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 3600
        summary.append(
            Fairness(
                name=member.name,
                hours=round(hours, 2),
                contract_hours=round(contract_target_minutes(people[key], rows.problem) / 60, 2),
                saturdays=sum(1 for a in mine if a.day.weekday() == 5),
                sundays=sum(1 for a in mine if a.day.weekday() == 6),
                evenings=sum(1 for a in mine if is_evening(template[str(a.shift_id)])),
                holidays=sum(1 for a in mine if a.day in closed),
            )
        )
    return summary
