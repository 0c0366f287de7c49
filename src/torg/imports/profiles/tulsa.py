"""Hourly head counts by area: the patron counts of two Tulsa Community College campus
libraries (``Metro Archive.csv``, ``SEC Archive.csv``; syarb/tcc-patron-counts, no
licence stated, so Torg does not ship them; the tests read them from ``../shared/data``).

Columns: ``Semester``, ``Date`` (``M/D/YYYY``), ``DayOfWeek``, ``Time`` (``H:MM AM``), one
column per area and ``Total``; Metro also has ``timestamp``. The areas differ by campus
(SEC: Computers, Silent, Quiet, Active, Other; Metro: Computers, Tables, StudySpaces,
QuietArea, Alcove). Staff walked the library once an hour and counted the people in each
area: each row is a *sweep* and becomes one
:class:`~torg.visits.models.ZoneHeadCount` per area (0 included: counted and empty), at
the local date and time in the site's zone. The site is the ``site`` option (or the
municipality's only site); the areas' ``service`` option (default ``library``) says whose
users they hold.

What the raw files hold that a reader must know, and what the profile does with it:

* ``Total`` is not stored: it is the sum of the areas. Two SEC rows have a Total that is
  not the sum of their areas (0 for 2 and for 5 people); the areas are kept and the
  import's summary says how many rows disagree.
* Some rows repeat the date and time of an earlier row (141 in SEC, 61 in Metro), most
  with other figures: two sweeps cannot be at one instant in one area, so the **first**
  row in file order is kept and the later ones are skipped and counted in the summary
  (which also says how many of them had other figures).
* One SEC row's ``DayOfWeek`` does not match its date (2/22/2019 is a Friday, the row says
  Saturday); the date is trusted and the summary says so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import (
    Column,
    ImportRefused,
    ImportRun,
    Profile,
    Record,
    RowError,
    Scope,
    UpsertWriter,
)
from torg.imports.profiles.common import local_instant, site_of_run
from torg.imports.registry import register
from torg.lib.localtime import zone
from torg.lib.tabular import PLAIN
from torg.visits.models import ZoneHeadCount, ZoneService

#: Every area column either file has, in the order they are stored.
AREAS = (
    "Computers",
    "Tables",
    "StudySpaces",
    "QuietArea",
    "Alcove",
    "Silent",
    "Quiet",
    "Active",
    "Other",
)


def _us_date(text: str) -> dt.date:
    """``M/D/YYYY`` (US order), e.g. ``8/19/2019``."""
    try:
        month, day, year = (int(part) for part in text.strip().split("/"))
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError("not a date written M/D/YYYY") from None


def _us_time(text: str) -> dt.time:
    """``H:MM AM`` or ``H:MM PM``, e.g. ``8:30 PM``."""
    try:
        return dt.datetime.strptime(text.strip().upper(), "%I:%M %p").time()
    except ValueError:
        raise ValueError("not a time written H:MM AM or H:MM PM") from None


@register
class TulsaHeadCountsProfile(Profile):
    name = "tulsa-head-counts"
    title = gettext_noop("Hourly head counts by area (Tulsa Community College library sweeps)")
    scope = Scope.TENANT
    source = "syarb/tcc-patron-counts, Metro Archive.csv and SEC Archive.csv (no licence stated)"
    options = {
        "site": "the site the counts belong to, by code or name, if there are several",
        "service": "whose users the areas hold: library (default), citizen_service or shared",
    }
    key_columns = ("Date", "Time")
    columns = (
        Column("Date", "date", parse=_us_date),
        Column("Time", "time", parse=_us_time),
        Column("DayOfWeek", "weekday", allow_empty=True, optional=True),
        Column("Total", "total", parse=PLAIN.parse_count, allow_empty=True, optional=True),
        *(
            Column(area, area, parse=PLAIN.parse_count, allow_empty=True, optional=True)
            for area in AREAS
        ),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(ZoneHeadCount, ("site_id", "sweep_at", "zone"))

    def begin(self, run: ImportRun) -> None:
        self.site = site_of_run(run, "A file of head counts")
        self.municipality_id = run.require_municipality().pk
        service = (run.options.get("service") or ZoneService.LIBRARY).strip()
        if service not in ZoneService.values:
            raise ImportRefused(
                f"unknown service {service!r}; expected one of: {', '.join(ZoneService.values)}"
            )
        self.service = service
        self.areas = [area for area in AREAS if area in run.fields]
        if not self.areas:
            raise ImportRefused(
                "the file has no area columns; expected some of: " + ", ".join(AREAS)
            )
        self.seen: dict[tuple[dt.date, dt.time], tuple[int | None, ...]] = {}
        self.repeats = self.repeats_differing = 0
        self.total_mismatches = self.weekday_mismatches = 0

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> list[Record] | None:
        day: dt.date = values["date"]
        moment: dt.time = values["time"]
        counts = tuple(values[area] for area in self.areas)
        key = (day, moment)
        if key in self.seen:
            self.repeats += 1
            self.repeats_differing += self.seen[key] != counts
            return None
        self.seen[key] = counts
        missing = [area for area, count in zip(self.areas, counts, strict=True) if count is None]
        if missing:
            raise RowError(f"no count for {', '.join(missing)}", missing[0], "")
        weekday = (values.get("weekday") or "").strip()
        if weekday and weekday.casefold() != day.strftime("%A").casefold():
            self.weekday_mismatches += 1
        if values.get("total") is not None and values["total"] != sum(counts):
            self.total_mismatches += 1
        try:
            sweep_at = local_instant(f"{day.isoformat()} {moment:%H:%M}", self.site.time_zone)
        except ValueError as error:
            raise RowError(str(error), "Time", f"{moment:%H:%M}") from None
        return [
            {
                "municipality_id": self.municipality_id,
                "site_id": self.site.pk,
                "sweep_at": sweep_at,
                "zone": area,
                "service": self.service,
                "count": count,
                "recorded_by_id": None,
            }
            for area, count in zip(self.areas, counts, strict=True)
        ]

    def summary_notes(self) -> list[str]:
        notes = []
        if self.repeats:
            notes.append(
                f"{self.repeats} row(s) repeat the date and time of an earlier row and were "
                f"skipped, the first row kept ({self.repeats_differing} of them with other "
                "figures)"
            )
        if self.total_mismatches:
            notes.append(
                f"{self.total_mismatches} row(s) have a Total that is not the sum of their "
                "areas; the areas are kept"
            )
        if self.weekday_mismatches:
            notes.append(
                f"{self.weekday_mismatches} row(s) name another weekday than their date's; "
                "the date is kept"
            )
        return notes

    def describe_key(self, key: tuple[Any, ...]) -> str:
        _site, instant, area = key
        local = instant.astimezone(zone(self.site.time_zone))
        return f"area {area}, sweep at {local:%Y-%m-%d %H:%M} {self.site.time_zone}"
