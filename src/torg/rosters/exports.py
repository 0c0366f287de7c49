"""Roster exports: each person's shifts as an iCalendar feed (RFC 5545), and all shifts
(or one person's) as CSV rows and an XLSX workbook. Times are the shift's local wall-clock
times in Europe/Oslo; hours are real clock hours (a night across a DST change is 8 or 10)."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from typing import Any

import icalendar
import openpyxl

from torg.rosters.models import Assignment, Roster, StaffMember

ZONE = "Europe/Oslo"


def shift_instants(assignment: Assignment) -> tuple[dt.datetime, dt.datetime]:
    """Aware local start and end of an assignment (the end on the next day when the shift
    crosses midnight)."""
    tz = zoneinfo.ZoneInfo(ZONE)
    shift = assignment.shift
    start = dt.datetime.combine(assignment.day, shift.starts, tzinfo=tz)
    end_day = assignment.day + dt.timedelta(days=1 if shift.ends <= shift.starts else 0)
    end = dt.datetime.combine(end_day, shift.ends, tzinfo=tz)
    return start, end


def roster_ical(*, roster: Roster, staff: StaffMember) -> bytes:
    """An iCalendar (RFC 5545) feed of ``staff``'s shifts in ``roster``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Torg//Rosters//NB")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{staff.name} – {roster.period_start:%Y-%m-%d}")
    stamp = roster.published_at or roster.created_at
    for assignment in roster.own_assignments().filter(staff=staff).select_related("shift__site"):
        start, end = shift_instants(assignment)
        event = icalendar.Event()
        event.add("uid", f"torg-roster-{roster.pk}-assignment-{assignment.pk}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"{assignment.shift.code} ({assignment.shift.site.name})")
        event.add("location", assignment.shift.site.name)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def roster_rows(*, roster: Roster, staff: StaffMember | None = None) -> list[list[Any]]:
    """One row per assignment (of ``staff`` only, when given) for CSV and XLSX: day, site,
    shift, starts, ends, staff, hours (real clock hours)."""
    rows: list[list[Any]] = []
    assignments = roster.own_assignments().select_related("shift__site", "staff")
    if staff is not None:
        assignments = assignments.filter(staff=staff)
    for assignment in assignments:
        start, end = shift_instants(assignment)
        hours = (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds() / 3600
        rows.append(
            [
                assignment.day.isoformat(),
                assignment.shift.site.name,
                assignment.shift.code,
                start.isoformat(),
                end.isoformat(),
                assignment.staff.name,
                round(hours, 2),
            ]
        )
    return rows


def roster_xlsx(*, roster: Roster, header: list[str], staff: StaffMember | None = None) -> bytes:
    """The rows of :func:`roster_rows` (one person's when ``staff`` is given) as an XLSX
    workbook with one sheet; times stay text in ISO 8601 with their UTC offset, so a DST
    night reads unambiguously."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Roster"
    sheet.append(header)
    for row in roster_rows(roster=roster, staff=staff):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
