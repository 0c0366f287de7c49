"""Arts Council England, Libraries Activity Data 2023-24, in the tidy files of Libraries
Hacked (``visits.csv``, ``events.csv``, ``event_attendance.csv``).

The three profiles are *routed*: each row names its library authority by its ONS code
(``Authority``, e.g. ``E09000001``), and goes to the Torg municipality of country GB with
that number. ``--municipality`` limits an import to one of them (the other rows are
skipped). A row of an authority that has no municipality in Torg is an error naming the
code. ``Period`` is an ISO 8601 interval of whole days (``2023-04-01/P1M``; a few
authorities report quarters, ``P3M``, or the year, ``P1Y``), read as local days in
Europe/London.

``england-ace-visits`` writes one :class:`~torg.visits.models.VisitCount` per authority,
location and period, method ``reported``, at the authority's aggregate site for the
location (:data:`LOCATION_SITES`; ``torg demo`` creates them).

``england-ace-events`` writes one aggregate :class:`~torg.visits.models.Event` per
authority, event type, age group and period: ``occurrences`` = Count, ``is_digital`` from
Event type, ``audience`` from Age group, ``event_type`` unspecified (ACE does not say),
``starts_at``/``ends_at`` = the period, no site. A Count of 0 (24 rows: the authority
reported that there were no events of that kind that month) is stored as 0: zero is an
observation, not a missing value. ``source_key`` is ``ace:<type>:<age group>:<period>``.

``england-ace-event-attendance`` writes ``attendance`` to the same rows. The files do not
match one to one: 373 of the 2,078 attendance rows (1,027,040 of 4,876,692 attendances)
have no events row, mostly because the authority reported attendance by age group but only
the *total* number of events (which the tidy events file leaves out): 288 of them belong to
authorities with no events row at all. Those rows are stored with ``occurrences`` empty
(number of events not reported), so no attendance is lost and no number is invented.

Each of the two profiles keeps the figure the other one stored, so they can be imported in
either order and re-imported without blanking each other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

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
    choice_parser,
)
from torg.imports.profiles.common import local_day_start, local_period_text
from torg.imports.registry import register
from torg.lib.localtime import parse_iso_interval
from torg.lib.tabular import PLAIN
from torg.organisation.models import Municipality, Site
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount

COUNTRY = "GB"
TIME_ZONE = "Europe/London"

# ACE's Location → the code of the authority's aggregate site.
LOCATION_SITES = {
    "Library": "library-buildings",
    "Shared building": "shared-buildings",
    "Mobile library": "mobile-library",
    "Home delivery": "home-delivery",
}

AUDIENCES = {
    "Under 12": Audience.CHILDREN,
    "12-17": Audience.YOUNG_PEOPLE,
    "Adult": Audience.ADULTS,
    "All ages": Audience.ALL,
}

EVENT_TYPES = {"Physical": False, "Digital": True}  # → is_digital

_audience = choice_parser(AUDIENCES, what="age group")
_is_digital = choice_parser(EVENT_TYPES, what="event type")

SOURCE_KEY_PREFIX = "ace:"


def period(text: str) -> tuple[dt.date, dt.date]:
    """An ISO 8601 interval of whole days (:func:`parse_iso_interval`) that lies within the
    years Torg accepts: ``(first day, day after the last)``. Raises ``ValueError``."""
    return parse_iso_interval(text)


def event_source_key(event_type: str, age_group: str, period_text: str) -> str:
    """``ace:physical:under-12:2023-04-01/P1M``: unique per municipality."""
    slug = age_group.strip().lower().replace(" ", "-")
    return f"{SOURCE_KEY_PREFIX}{event_type.strip().lower()}:{slug}:{period_text.strip()}"


class _RoutedProfile(Profile):
    """Routes each row to the municipality whose number is its Authority code."""

    scope = Scope.ROUTED
    country = COUNTRY

    def begin(self, run: ImportRun) -> None:
        self.only: Municipality | None = run.municipality
        if self.only is not None and self.only.country != COUNTRY:
            raise ImportRefused(
                f"{self.only.name} is not an English library authority (country "
                f"{self.only.country}); this profile imports Arts Council England data."
            )
        self.by_number = run.municipalities_by_number

    def route(self, code: str) -> Municipality | None:
        """The row's municipality, or ``None`` when ``--municipality`` names another."""
        if self.only is not None:
            return self.only if code == self.only.number else None
        municipality = self.by_number.get(code)
        if municipality is None:
            raise RowError(
                "no municipality of country GB has this authority code; create it (torg demo "
                "creates one per authority) or import one authority with --municipality",
                "Authority",
                code,
            )
        return municipality


@register
class AceVisitsProfile(_RoutedProfile):
    name = "england-ace-visits"
    title = gettext_noop("England (ACE 2023-24): visits per library authority, location and month")
    source = "Arts Council England, Libraries Activity Data 2023-24 (Libraries Hacked tidy files)"
    columns = (
        Column("Authority", "authority", parse=str.strip),
        Column("Location", "location", parse=choice_parser(LOCATION_SITES, what="location")),
        Column("Period", "period", parse=period),
        Column("Count", "count", parse=PLAIN.parse_count),
    )
    key_columns = ("Authority", "Location", "Period")

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def describe_key(self, key: tuple[Any, ...]) -> str:
        site = next(s for s in self.sites.values() if s.pk == key[0])
        return f"{site.name}, {local_period_text(key[2], key[3], site.time_zone)}"

    def begin(self, run: ImportRun) -> None:
        super().begin(run)
        sites = Site.objects.filter(municipality__country=COUNTRY, code__in=LOCATION_SITES.values())
        if self.only is not None:
            sites = sites.filter(municipality=self.only)
        self.sites = {(site.municipality_id, site.code): site for site in sites}

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record | None:
        municipality = self.route(values["authority"])
        if municipality is None:
            return None
        site = self.sites.get((municipality.pk, values["location"]))
        if site is None:
            raise RowError(
                f"{municipality.name} has no site with code {values['location']!r}; create its "
                "four aggregate sites first (torg demo does)",
                "Location",
            )
        first, after = values["period"]
        return {
            "municipality_id": municipality.pk,
            "site_id": site.pk,
            "entrance": "",
            "period_start": local_day_start(first, site.time_zone),
            "period_end": local_day_start(after, site.time_zone),
            "count": values["count"],
            "method": CountMethod.REPORTED,
            "note": "",
        }


_EVENT_COLUMNS = (
    Column("Authority", "authority", parse=str.strip),
    Column("Event type", "event_type", parse=str.strip),
    Column("Age group", "age_group", parse=str.strip),
    Column("Period", "period", parse=str.strip),
    Column("Count", "count", parse=PLAIN.parse_count),
)


def _event_values(values: dict[str, Any]) -> tuple[bool, str, dt.date, dt.date]:
    """(is_digital, audience, first day, day after) of an events or attendance row."""
    try:
        is_digital = _is_digital(values["event_type"])
    except ValueError as error:
        raise RowError(str(error), "Event type", values["event_type"]) from None
    try:
        audience = _audience(values["age_group"])
    except ValueError as error:
        raise RowError(str(error), "Age group", values["age_group"]) from None
    try:
        first, after = period(values["period"])
    except ValueError as error:
        raise RowError(str(error), "Period", values["period"]) from None
    return is_digital, audience, first, after


class _AceEventFigureProfile(_RoutedProfile):
    """One of the two figures of an aggregate event row (``figure``: ``occurrences`` from
    ``events.csv`` or ``attendance`` from ``event_attendance.csv``). The row is written
    whole, keeping the other figure as stored, so that the two files can be imported in
    either order and re-imported without blanking each other."""

    figure: ClassVar[str]
    other: ClassVar[str]
    source = "Arts Council England, Libraries Activity Data 2023-24 (Libraries Hacked tidy files)"
    columns = _EVENT_COLUMNS
    key_columns = ("Authority", "Event type", "Age group", "Period")

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Event, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        super().begin(run)
        stored = Event.objects.filter(
            municipality__country=COUNTRY, source_key__startswith=SOURCE_KEY_PREFIX
        )
        if self.only is not None:
            stored = stored.filter(municipality=self.only)
        self.stored_other = {
            (municipality_id, key): value
            for municipality_id, key, value in stored.values_list(
                "municipality_id", "source_key", self.other
            )
        }

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record | None:
        municipality = self.route(values["authority"])
        if municipality is None:
            return None
        is_digital, audience, first, after = _event_values(values)
        key = event_source_key(values["event_type"], values["age_group"], values["period"])
        return {
            "municipality_id": municipality.pk,
            "site_id": None,
            "starts_at": local_day_start(first, TIME_ZONE),
            "ends_at": local_day_start(after, TIME_ZONE),
            "title": "",
            "event_type": EventType.UNSPECIFIED,
            "audience": audience,
            self.figure: values["count"],
            self.other: self.stored_other.get((municipality.pk, key)),
            "is_digital": is_digital,
            "source_key": key,
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"{key[1]} (municipality id {key[0]})"


@register
class AceEventsProfile(_AceEventFigureProfile):
    name = "england-ace-events"
    title = gettext_noop(
        "England (ACE 2023-24): number of events per library authority, age group and month"
    )
    figure = "occurrences"
    other = "attendance"


@register
class AceEventAttendanceProfile(_AceEventFigureProfile):
    name = "england-ace-event-attendance"
    title = gettext_noop(
        "England (ACE 2023-24): event attendance per library authority, age group and month"
    )
    figure = "attendance"
    other = "occurrences"  # None where events.csv has no row: see the module docstring
