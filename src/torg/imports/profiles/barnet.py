"""A real event log: the London Borough of Barnet's library events 2018–2019
(``events_barnet.csv`` in the UK library data schema: ``Local authority,Library name,Event
date,Name,Outcome,Attendees``; 4,312 rows, one per event).

The file's terms are not stated, so Torg does not ship it; the tests read it from
``../shared/data`` when it is there.

Each row becomes one :class:`~torg.visits.models.Event`:

* ``Library name`` → the municipality's site with that name or code. The sites must exist:
  the file names only the library, and a site needs a time zone and a kind that the file
  does not give, so the profile does not guess them (an unknown name is an error listing
  the known sites). ``Outreach Location`` (events held outside the libraries) gives an
  event without a site.
* ``Event date`` is a date only: ``starts_at`` is local midnight in the site's time zone
  (Europe/London without a site), ``ends_at`` is empty.
* ``Name`` is the kind of event and encodes its audience. It maps to (event type,
  audience, for schools or kindergartens) through an editable table: the municipality's
  own rows (:class:`~torg.visits.models.EventNameMapping`, source ``barnet``, edited on
  the events mapping page) over the defaults in :data:`EVENT_KINDS`, compared without
  regard to case or spacing ("Other Child 5+" and "Other child 5+" are one kind). A name
  missing from both is an error naming it (and the failed import lists every such name
  once): a manager adds it to the table rather than letting Torg guess. "Class Visits …"
  are events for schools and kindergartens.
* ``Attendees`` → ``attendance`` (0 is kept: nobody came).
* ``Outcome`` (always "Stronger more resilient communities") is not imported.

The file has no event identifier, and the same kind of event can run twice on one day in
one library (235 rows repeat an earlier row's library, date and name), so ``source_key`` is
``barnet:<library>:<date>:<name>:<n>`` with ``n`` counting the repeats in file order.
Five rows are dated 2009, 2015 and 2016, probably typing errors; they are imported as
written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import (
    Column,
    ImportRun,
    Profile,
    Record,
    RowError,
    Scope,
    UpsertWriter,
)
from torg.imports.profiles.common import SiteLookup, local_day_start
from torg.imports.registry import register
from torg.lib.tabular import PLAIN, normalise_header, parse_iso_date
from torg.organisation.models import Municipality, Site
from torg.visits.models import Audience, Event, EventNameMapping, EventType, event_name_key

DEFAULT_TIME_ZONE = "Europe/London"

# Library names that stand for "not in a library": the event gets no site.
NO_SITE = frozenset({"outreach location"})

# Event name → (type, audience). Edit to fit; the keys are compared case-insensitively.
EVENT_KINDS: dict[str, tuple[str, str]] = {
    "Baby Rhyme Time": (EventType.CULTURE, Audience.CHILDREN),
    "Toddler Read and Rhyme": (EventType.CULTURE, Audience.CHILDREN),
    "Toddler Time": (EventType.CULTURE, Audience.CHILDREN),
    "Creative Play": (EventType.CULTURE, Audience.CHILDREN),
    "Lego": (EventType.CULTURE, Audience.CHILDREN),
    "Summer Reading Challenge": (EventType.CULTURE, Audience.CHILDREN),
    "Other Early Years": (EventType.UNSPECIFIED, Audience.CHILDREN),
    "Other Child 5+": (EventType.UNSPECIFIED, Audience.CHILDREN),
    "Class Visits Nursery": (EventType.LIBRARY_INFORMATION, Audience.CHILDREN),
    "Class Visits Primary": (EventType.LIBRARY_INFORMATION, Audience.CHILDREN),
    "Class Visits Secondary": (EventType.LIBRARY_INFORMATION, Audience.YOUNG_PEOPLE),
    "Reading Group Teen": (EventType.CULTURE, Audience.YOUNG_PEOPLE),
    "Other teen": (EventType.UNSPECIFIED, Audience.YOUNG_PEOPLE),
    "Reading Group Adult": (EventType.CULTURE, Audience.ADULTS),
    "Author Talk (adult)": (EventType.TALK_DEBATE, Audience.ADULTS),
    "Knit & Natter/Crafts/Sewing": (EventType.CULTURE, Audience.ADULTS),
    "Scrabble": (EventType.CULTURE, Audience.ADULTS),
    "Coffee morning/Afternoon tea": (EventType.UNSPECIFIED, Audience.ADULTS),
    "Conversation Café/Language Session": (EventType.TRAINING, Audience.ADULTS),
    "Careers/Job Hunting": (EventType.TRAINING, Audience.ADULTS),
    "IT": (EventType.DIGITAL_HELP, Audience.ADULTS),
    "Advice/Surgery": (EventType.INFORMATION_MEETING, Audience.ADULTS),
    "Other adult": (EventType.UNSPECIFIED, Audience.ADULTS),
    "Boardgames": (EventType.CULTURE, Audience.ALL),
    "Other - Charge All Entrants": (EventType.UNSPECIFIED, Audience.ALL),
    # "BBP" is not explained in the source (weekly sessions of 30–50 people, perhaps for
    # babies and parents); its type and audience are left open.
    "BBP": (EventType.UNSPECIFIED, Audience.ALL),
}
#: Default names of events for schools and kindergartens (class visits).
SCHOOL_EVENTS = frozenset(
    {"Class Visits Nursery", "Class Visits Primary", "Class Visits Secondary"}
)
MAPPING_SOURCE = "barnet"


def event_name_table(municipality: Municipality) -> dict[str, tuple[str, str, bool]]:
    """The effective mapping of event-name keys (:func:`event_name_key`) to (type,
    audience, for schools or kindergartens): the defaults of :data:`EVENT_KINDS`, then the
    municipality's own :class:`EventNameMapping` rows of source ``barnet``, which add
    names and override defaults."""
    table = {
        event_name_key(name): (event_type, audience, name in SCHOOL_EVENTS)
        for name, (event_type, audience) in EVENT_KINDS.items()
    }
    own = EventNameMapping.objects.filter(municipality=municipality, source=MAPPING_SOURCE)
    for key, event_type, audience, schools in own.values_list(
        "name_key", "event_type", "audience", "for_schools_kindergartens"
    ):
        table[key] = (event_type, audience, schools)
    return table


@register
class BarnetEventsProfile(Profile):
    name = "barnet-events"
    title = gettext_noop(
        "Library events in the UK library data schema (Barnet's events_barnet.csv)"
    )
    scope = Scope.TENANT
    source = "LibrariesHacked/schema-librarydata, data/events_barnet.csv (terms not stated)"
    columns = (
        Column("Library name", "library", lookup="site_of_cell"),
        Column("Event date", "date", parse=parse_iso_date),
        Column("Name", "name", lookup="kind_of_cell"),
        Column("Attendees", "attendance", parse=PLAIN.parse_count, allow_empty=True),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Event, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.sites = SiteLookup(municipality)
        self.site_of: dict[str, Site | None] = {}
        self.kinds = event_name_table(municipality)
        self.repeats: Counter[tuple[str, dt.date, str]] = Counter()
        # Unknown names by key (any capitalisation is one name), shown as first written.
        self.unknown_names: Counter[str] = Counter()
        self.unknown_spelling: dict[str, str] = {}

    def site_of_cell(self, text: str) -> tuple[str, Site | None]:
        """A ``Library name`` cell's (normalised name, site); no site for an outreach
        location. Raises :class:`RowError` for a name that is no site's."""
        key = normalise_header(text)
        if key not in self.site_of:
            self.site_of[key] = None if key in NO_SITE else self.sites.get(text, "Library name")
        return key, self.site_of[key]

    def kind_of_cell(self, text: str) -> tuple[str, tuple[str, str, bool]]:
        """A ``Name`` cell's (name, (event type, audience, for schools)) from
        :func:`event_name_table`. Raises :class:`RowError` for a name the mapping does
        not have."""
        name = text.strip()
        kind = self.kinds.get(event_name_key(name))
        if kind is None:
            key = event_name_key(name)
            self.unknown_names[key] += 1
            self.unknown_spelling.setdefault(key, name)
            raise RowError(
                f"the event name {name!r} is not in the mapping of event names to types and "
                f"audiences ({len(self.kinds)} known names); the file can be imported once "
                "it is: add it on the event names page",
                "Name",
                name,
            )
        return name, kind

    def failure_notes(self) -> list[str]:
        if not self.unknown_names:
            return []
        named = ", ".join(
            f"{name!r} ({rows} row{'s' if rows != 1 else ''})"
            for key, rows in self.unknown_names.most_common()
            for name in [self.unknown_spelling[key]]
        )
        return [
            f"{len(self.unknown_names)} event name(s) are not in the mapping of event names "
            f"to types and audiences, which knows {len(self.kinds)} names: {named}. The file "
            "can be imported once they are in the mapping; add them with their type and "
            "audience on the event names page."
        ]

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        name, kind = values["name"]
        library_key, site = values["library"]
        day: dt.date = values["date"]
        repeat_key = (library_key, day, normalise_header(name))
        self.repeats[repeat_key] += 1
        event_type, audience, for_schools = kind
        return {
            "municipality_id": self.municipality_id,
            "site_id": site.pk if site else None,
            "starts_at": local_day_start(day, site.time_zone if site else DEFAULT_TIME_ZONE),
            "ends_at": None,
            "title": name,
            "event_type": event_type,
            "audience": audience,
            "attendance": values["attendance"],
            "occurrences": 1,
            "is_digital": False,
            "for_schools_kindergartens": for_schools,
            "source_key": (
                f"barnet:{repeat_key[0]}:{day.isoformat()}:{repeat_key[2]}:"
                f"{self.repeats[repeat_key]}"
            )[:200],
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return str(key[1])
