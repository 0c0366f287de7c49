"""A generic desk log: the exports of LibAnswers RefAnalytics, Gimlet, a Google Form or a
spreadsheet kept at the desk, one row per contact.

Each row becomes one :class:`~torg.inquiries.models.Inquiry`. Headers are compared without
regard to case, spacing or line breaks; each column has English and Norwegian aliases
(:data:`COLUMN_ALIASES`). The columns:

* **When** (one of them is required): ``Timestamp`` (aliases ``date/time``, ``tidspunkt``,
  ``tidsmerke`` …) or ``Date`` (``dato``) with an optional ``Time`` (``klokkeslett``).
  A timestamp or time without a UTC offset is local time at the site (daylight saving
  time included; a time that does not exist or occurs twice that night is an error). Date
  formats: ISO ``2024-03-01``, ``1/6/2020`` (slashes: month/day/year, as US Google Forms
  and LibAnswers write it) and ``6.1.2020`` (dots: day.month.year, as Norwegian ones do);
  times ``10:18``, ``10:18:38``, ``10.18`` or with AM/PM. A row with a date but no time
  is put at local midnight with ``time_of_day_known=False`` (left out of hour-of-day
  charts). When the timestamp cell is empty the date and time cells are used.
* **Channel** (required): ``Channel`` (``format``, ``question type``, ``kanal`` …) through
  :data:`CHANNEL_WORDS` (in person / walk-up / desk, phone / telephone, chat / IM / SMS,
  e-mail / e-post, form, outreach, other; also Torg's own codes). Unknown words are an
  error naming the row and column: every inquiry needs a channel, and a guess would skew
  the channel mix.
* **Service** (optional): ``Service`` (``type``, ``category``, ``tjeneste`` …) matched to
  the municipality's catalogue by code, bokmål or English name, or synonym
  (:class:`~torg.imports.profiles.common.ServiceMatcher`); the inquiry's domain follows
  from the service. Text that matches no service is *not* an error: desk logs use their
  own categories ("Directional", "Reference"), and refusing them would make most real
  logs unimportable. Such rows get no service (domain unknown) and are counted, with the
  texts, in the import's summary, so that the catalogue's synonyms can be extended and the
  file imported again with ``--force`` (which then updates the service of those rows).
* **READ effort** (optional): ``READ`` (``effort``, ``difficulty``, ``innsats`` …), a level
  1–6, optionally written ``READ 3`` or ``3 - explanation``.
* **Outcome** (optional): ``Outcome`` (``answered``, ``resolved``, ``utfall`` …) through
  :data:`OUTCOME_WORDS`; an empty cell, or no such column, is *not recorded*, never
  "resolved".
* **Location** (optional): ``Location`` (``desk``, ``sted``, ``skranke`` …) names a service
  point of the site (``Skranke``), a site (name or code), or both as ``site / point``;
  a service point's name that several sites use must be written with its site. Without the
  column, or in an empty cell, the row goes to the site named by the ``site`` option or
  the municipality's only site (otherwise the file is refused, or the row is an error).
* **Id** (optional): ``Id`` (``question id``, ``entry id`` …), the entry's number in the
  source system.

Re-importing never duplicates: each inquiry's ``source_key`` is ``<source>:<id>`` when the
file has an id column (an entry edited in the source is then updated in Torg), otherwise
``<source>:<UTC instant>:<hash>`` where the hash covers the row's site, service point,
channel, service text, effort, outcome, whether the time is known, and the how-manieth
identical row of the file it is (two identical walk-up questions in the same minute are
two contacts). Without an id an edited row becomes a new inquiry and the old one stays:
export ids where the system has them. ``<source>`` is the ``source`` option (default ``desk-log``); give each system its
own, so that entry 17 of one system never updates entry 17 of another.

Not imported, and listed as ignored columns in the summary: the free text (question,
answer, notes: it can hold names and contact details, and Torg stores no personal data
about citizens), the patron type (the inquiry has no field for it), and a time band
("0-5 min", "5-10 minutes", ``varighet``): a duration is not a READ level (a long
directional question is still READ 1), and the inquiry has no duration field yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
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
    choice_parser,
)
from torg.imports.profiles.common import (
    ServiceMatcher,
    local_day_start,
    local_instant,
    site_of_run,
)
from torg.imports.registry import register
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.lib.localtime import calendar_date, check_day
from torg.lib.tabular import normalise_header
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import scoped

# Channel words as desk logs write them → channel. Torg's own codes and English labels
# are accepted too (added below), and the English labels of the desk page.
CHANNEL_WORDS: dict[str, str] = {
    "in person": Channel.IN_PERSON,
    "in-person": Channel.IN_PERSON,
    "walk-up": Channel.IN_PERSON,
    "walk up": Channel.IN_PERSON,
    "walk-in": Channel.IN_PERSON,
    "walk in": Channel.IN_PERSON,
    "desk": Channel.IN_PERSON,
    "face to face": Channel.IN_PERSON,
    "face-to-face": Channel.IN_PERSON,
    "oppmøte": Channel.IN_PERSON,
    "personlig oppmøte": Channel.IN_PERSON,
    "skranke": Channel.IN_PERSON,
    "i skranken": Channel.IN_PERSON,
    "fysisk": Channel.IN_PERSON,
    "phone": Channel.PHONE,
    "telephone": Channel.PHONE,
    "phone call": Channel.PHONE,
    "call": Channel.PHONE,
    "telefon": Channel.PHONE,
    "chat": Channel.CHAT,
    "im": Channel.CHAT,
    "instant message": Channel.CHAT,
    "instant messaging": Channel.CHAT,
    "sms": Channel.CHAT,
    "text": Channel.CHAT,
    "text message": Channel.CHAT,
    "tekstmelding": Channel.CHAT,
    "nettprat": Channel.CHAT,
    "email": Channel.EMAIL,
    "e-mail": Channel.EMAIL,
    "mail": Channel.EMAIL,
    "e-post": Channel.EMAIL,
    "epost": Channel.EMAIL,
    "form": Channel.DIGITAL_FORM,
    "web form": Channel.DIGITAL_FORM,
    "webform": Channel.DIGITAL_FORM,
    "online form": Channel.DIGITAL_FORM,
    "digital form": Channel.DIGITAL_FORM,
    "digital form or app": Channel.DIGITAL_FORM,
    "app": Channel.DIGITAL_FORM,
    "skjema": Channel.DIGITAL_FORM,
    "nettskjema": Channel.DIGITAL_FORM,
    "digitalt skjema": Channel.DIGITAL_FORM,
    "outreach": Channel.OUTREACH,
    "roaming": Channel.OUTREACH,
    "oppsøkende": Channel.OUTREACH,
    "other": Channel.OTHER,
    "annet": Channel.OTHER,
}
for _channel in Channel:
    CHANNEL_WORDS.setdefault(_channel.value, _channel)

# Outcome words → outcome. An empty cell is NOT_RECORDED (see the module docstring).
OUTCOME_WORDS: dict[str, str] = {
    "yes": Outcome.RESOLVED,
    "ja": Outcome.RESOLVED,
    "answered": Outcome.RESOLVED,
    "resolved": Outcome.RESOLVED,
    "resolved at first line": Outcome.RESOLVED,
    "løst": Outcome.RESOLVED,
    "besvart": Outcome.RESOLVED,
    "no": Outcome.NOT_RESOLVED,
    "nei": Outcome.NOT_RESOLVED,
    "not answered": Outcome.NOT_RESOLVED,
    "unresolved": Outcome.NOT_RESOLVED,
    "not resolved": Outcome.NOT_RESOLVED,
    "ikke løst": Outcome.NOT_RESOLVED,
    "ikke besvart": Outcome.NOT_RESOLVED,
    "referred": Outcome.REFERRED_INTERNAL,
    "henvist": Outcome.REFERRED_INTERNAL,
    "videresendt": Outcome.REFERRED_INTERNAL,
    "referred internally": Outcome.REFERRED_INTERNAL,
    "referred to a specialist or team": Outcome.REFERRED_INTERNAL,
    "referred to another agency": Outcome.REFERRED_EXTERNAL,
    "referred externally": Outcome.REFERRED_EXTERNAL,
    "another agency": Outcome.REFERRED_EXTERNAL,
    "annen etat": Outcome.REFERRED_EXTERNAL,
    "henvist til annen etat": Outcome.REFERRED_EXTERNAL,
    "appointment": Outcome.APPOINTMENT,
    "appointment booked": Outcome.APPOINTMENT,
    "timeavtale": Outcome.APPOINTMENT,
    "time bestilt": Outcome.APPOINTMENT,
    "maybe": Outcome.NOT_RECORDED,
    "unknown": Outcome.NOT_RECORDED,
    "not recorded": Outcome.NOT_RECORDED,
    "vet ikke": Outcome.NOT_RECORDED,
    "ukjent": Outcome.NOT_RECORDED,
}
for _outcome in Outcome:
    OUTCOME_WORDS.setdefault(_outcome.value, _outcome)

# Header (as named in messages) → aliases. The README lists the same.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "Timestamp": (
        "date/time",
        "datetime",
        "date and time",
        "time stamp",
        "tidspunkt",
        "tidsmerke",
        "tidsstempel",
        "dato og tid",
    ),
    "Date": ("dato", "day", "dag"),
    "Time": ("klokkeslett", "kl"),
    "Channel": (
        "format",
        "question type",
        "question format",
        "contact type",
        "mode",
        "kanal",
        "henvendelsesform",
        "kontaktform",
    ),
    "Service": (
        "type",
        "category",
        "topic",
        "subject",
        "interaction type",
        "tjeneste",
        "kategori",
        "tema",
        "emne",
        "type henvendelse",
    ),
    "READ": (
        "effort",
        "read effort",
        "read scale",
        "difficulty",
        "difficulty (read scale)",
        "innsats",
        "read-skala",
        "vanskelighetsgrad",
    ),
    "Outcome": (
        "answered",
        "resolved",
        "successful",
        "result",
        "utfall",
        "resultat",
        "løst",
        "besvart",
    ),
    "Location": ("desk", "service point", "branch", "sted", "skranke", "betjeningspunkt"),
    "Id": ("question id", "entry id", "transaction id", "id-nummer", "løpenummer"),
}

_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DATE_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?\s*([AaPp][Mm])?$")
_READ = re.compile(r"^(?:read[\s:-]*)?([1-6])(?:\s*[-–:.)]\s*.*)?$", re.IGNORECASE)
_ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ].*(Z|[+-]\d{2}:?\d{2})$")
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
KEY_LENGTH = 120  # Inquiry.source_key's max_length


def parse_date(text: str) -> dt.date:
    """``2024-03-01``, ``3/1/2024`` (month/day/year) or ``1.3.2024`` (day.month.year).
    Raises ``ValueError`` with the accepted forms."""
    value = text.strip()
    for pattern, order, form in (
        (_DATE_ISO, "ymd", "year-month-day"),
        (_DATE_US, "mdy", "with slashes: month/day/year"),
        (_DATE_NO, "dmy", "with dots: day.month.year"),
    ):
        match = pattern.match(value)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return calendar_date(parts["y"], parts["m"], parts["d"])
            except ValueError as error:
                raise ValueError(f"{error} (read as {form})") from None
    raise ValueError(
        "not a date like 2024-03-01, 3/1/2024 (month/day/year) or 1.3.2024 (day.month.year)"
    )


def parse_time(text: str) -> dt.time:
    """``10:18``, ``10:18:38``, ``10.18``, ``2:05 PM``. Raises ``ValueError``."""
    match = _TIME.match(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        second = int(match[3] or 0)
        half = (match[4] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise ValueError("an hour with AM/PM must be 1 to 12")
            hour = hour % 12 + (12 if half == "pm" else 0)
        try:
            return dt.time(hour, minute, second)
        except ValueError:
            pass
    raise ValueError("not a time like 10:18, 10:18:38 or 2:05 PM")


def parse_timestamp(text: str) -> dt.datetime | dt.date:
    """A date and time as :func:`parse_date` and :func:`parse_time` read them, separated by
    a space, a ``T`` or ``, ``; or an ISO 8601 date-time with a UTC offset
    (``2024-03-01T08:54:00+01:00``, returned aware). A date alone is returned as a date
    (time of day unknown). Naive results are local time at the site."""
    value = text.strip()
    if _DATE_ISO.match(value) or _DATE_US.match(value) or _DATE_NO.match(value):
        return parse_date(value)
    if _ISO_WITH_OFFSET.match(value):
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("not an ISO 8601 date-time like 2024-03-01T08:54:00+01:00") from None
        check_day(stamp.date())
        return stamp
    date_text, _, time_text = re.sub(r"[T,]\s*|\s+", " ", value, count=1).partition(" ")
    try:
        return dt.datetime.combine(parse_date(date_text), parse_time(time_text))
    except ValueError as error:
        raise ValueError(
            f"{error}; a timestamp is a date and a time, such as 2024-03-01 08:54, "
            "3/1/2024 8:54:00 or 1.3.2024 08:54"
        ) from None


def parse_read_effort(text: str) -> int:
    """A READ level 1–6: ``3``, ``READ 3``, ``3 - Directional+``. Raises ``ValueError``."""
    match = _READ.match(text.strip())
    if not match:
        raise ValueError("not a READ effort level 1 to 6 (such as 3 or READ 3)")
    return int(match[1])


def _column(header: str, field: str, **kwargs: Any) -> Column:
    return Column(header, field, aliases=COLUMN_ALIASES[header], **kwargs)


@register
class DeskLogProfile(Profile):
    name = "desk-log"
    title = gettext_noop(
        "Desk log (LibAnswers, Gimlet, Google Form or spreadsheet): one row per contact"
    )
    scope = Scope.TENANT
    source = "Any desk log with the columns described in torg.imports.profiles.desk_log"
    options = {
        "site": "the site the log belongs to, by code or name, if there are several and the "
        "file has no location column",
        "source": "the name of the system the log comes from, in the keys that keep "
        "re-imports from duplicating (default desk-log)",
    }
    columns = (
        _column("Timestamp", "timestamp", parse=parse_timestamp, allow_empty=True, optional=True),
        _column("Date", "date", parse=parse_date, allow_empty=True, optional=True),
        _column("Time", "time", parse=parse_time, allow_empty=True, optional=True),
        _column("Channel", "channel", parse=choice_parser(CHANNEL_WORDS, what="channel")),
        _column("Service", "service", parse=str.strip, allow_empty=True, optional=True),
        _column("READ", "read_effort", parse=parse_read_effort, allow_empty=True, optional=True),
        _column(
            "Outcome",
            "outcome",
            parse=choice_parser(OUTCOME_WORDS, what="outcome"),
            allow_empty=True,
            optional=True,
        ),
        _column("Location", "location", parse=str.strip, allow_empty=True, optional=True),
        _column("Id", "id", parse=str.strip, allow_empty=True, optional=True),
    )
    key_columns = ("Id",)

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Inquiry, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        if not run.fields & {"timestamp", "date"}:
            raise ImportRefused(
                f"{run.file_name} has no column saying when: give it a Timestamp column, or a "
                "Date column (with a Time column if the log has times)."
            )
        self.key_prefix = run.options.get("source") or "desk-log"
        if not _SOURCE.match(self.key_prefix):
            raise ImportRefused(
                f"The source option {self.key_prefix!r} must be 1 to 40 lower-case letters a–z, "
                "digits and hyphens, starting with a letter or digit."
            )
        self.has_location = "location" in run.fields
        # The site of every row (the site option), or None when each row's location says;
        # `default_site` takes a row with an empty location.
        self.site: Site | None = None
        if run.options.get("site") or not self.has_location:
            self.site = site_of_run(run, "A desk log without a location column")
        self.locations, self.location_names = _location_lookup(municipality, self.site)
        self.default_site = self.site
        if self.site is None:
            sites = list(scoped(Site, municipality)[:2])
            self.default_site = sites[0] if len(sites) == 1 else None
        self.services = ServiceMatcher(municipality)
        self.occurrences: Counter[str] = Counter()
        self.has_id = "id" in run.fields
        # Messages name a column as the file does ("Dato", not "Date").
        self.names = {
            field: run.header(field, header)
            for header, field in (
                ("Timestamp", "timestamp"),
                ("Date", "date"),
                ("Location", "location"),
                ("Id", "id"),
            )
        }

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site, point = self._place(values.get("location"))
        occurred_at, time_known = self._when(values, site)
        service_text: str | None = values.get("service")
        service = self.services.get(service_text)
        outcome = values.get("outcome") or Outcome.NOT_RECORDED
        effort: int | None = values.get("read_effort")
        entry_id: str | None = values.get("id")
        if self.has_id:
            if not entry_id:
                raise RowError(
                    "is empty; every row needs its id when the file has ids", self.names["id"]
                )
            source_key = f"{self.key_prefix}:{entry_id}"
        else:
            # Plain text only, so that the key of a row stays the same across Torg versions
            # (a changed key would make a re-import add the row again).
            content = "|".join(
                (
                    str(site.pk),
                    str(point.pk) if point else "",
                    str(values["channel"].value),
                    normalise_header(service_text or ""),
                    str(effort or ""),
                    str(outcome.value if isinstance(outcome, Outcome) else outcome),
                    "1" if time_known else "0",
                    occurred_at.isoformat(),
                )
            )
            self.occurrences[content] += 1
            digest = hashlib.sha256(f"{content}|{self.occurrences[content]}".encode()).hexdigest()[
                :12
            ]
            source_key = f"{self.key_prefix}:{occurred_at:%Y%m%dT%H%M%SZ}:{digest}"
        if len(source_key) > KEY_LENGTH:
            raise RowError(
                f"is too long for a key ({len(source_key)} characters with the source; "
                f"at most {KEY_LENGTH})",
                self.names["id"],
                entry_id,
            )
        return {
            "municipality_id": self.municipality_id,
            "site_id": site.pk,
            "service_point_id": point.pk if point else None,
            "occurred_at": occurred_at,
            "time_of_day_known": time_known,
            "channel": values["channel"],
            "service_id": service.pk if service else None,
            "domain": service.domain if service else InquiryDomain.UNKNOWN,
            "outcome": outcome,
            "read_effort": effort,
            "source_key": source_key,
            "created_by_id": None,
        }

    def _place(self, location: str | None) -> tuple[Site, ServicePoint | None]:
        """The site and service point of a row from its location cell (see the module
        docstring); the fixed site when the cell is empty or the file has no such column."""
        if not location:
            if self.default_site is None:
                raise RowError(
                    "is empty; name the site or service point, or give the site option",
                    self.names["location"],
                )
            return self.default_site, None
        found = self.locations.get(normalise_header(location))
        if found is None:
            known = self.location_names
            listed = ", ".join(known[:12]) + (" …" if len(known) > 12 else "")
            raise RowError(
                f"names no site or service point{self._within()}; known: {listed or 'none'}",
                self.names["location"],
                location,
            )
        if isinstance(found, str):
            raise RowError(
                "names service points at several sites; write it as 'site / service point'",
                self.names["location"],
                location,
            )
        return found

    def _within(self) -> str:
        return f" of {self.site.name}" if self.site is not None else ""

    def _when(self, values: dict[str, Any], site: Site) -> tuple[dt.datetime, bool]:
        zone_name = site.time_zone
        stamp: dt.datetime | dt.date | None = values.get("timestamp")
        column = self.names["timestamp"]
        if stamp is None:
            day: dt.date | None = values.get("date")
            if day is None:
                column = column if "timestamp" in values else self.names["date"]
                raise RowError("is empty; the row needs a date", column)
            clock: dt.time | None = values.get("time")
            stamp = day if clock is None else dt.datetime.combine(day, clock)
            column = self.names["date"]
        if not isinstance(stamp, dt.datetime):
            return local_day_start(stamp, zone_name), False
        if stamp.tzinfo is not None:
            return stamp.astimezone(dt.UTC), True
        text = stamp.isoformat(sep=" ")
        try:
            return local_instant(text, zone_name), True
        except ValueError as error:
            raise RowError(str(error), column, text) from None

    def summary_notes(self) -> list[str]:
        note = self.services.unmapped_note("row(s)")
        return [note] if note else []

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"id {str(key[1]).removeprefix(self.key_prefix + ':')}"


def _location_lookup(
    municipality: Municipality, site: Site | None
) -> tuple[dict[str, tuple[Site, ServicePoint | None] | str], list[str]]:
    """Normalised text → (site, service point) for every way a location cell may name a
    place: a site's name or code, a service point's name (``"ambiguous"`` when several
    sites have one by that name), and ``site / service point``; and the names to list in
    a message. Only ``site``'s places when it is given."""
    sites = [site] if site is not None else list(scoped(Site, municipality))
    lookup: dict[str, tuple[Site, ServicePoint | None] | str] = {}
    for each in sites:
        for text in (each.name, each.code):
            if text:
                lookup[normalise_header(text)] = (each, None)
    points = ServicePoint.objects.filter(site__in=sites).select_related("site")
    for point in points:
        key = normalise_header(point.name)
        previous = lookup.get(key)
        if previous is not None and previous != (point.site, point):
            lookup[key] = "ambiguous"
        else:
            lookup[key] = (point.site, point)
        for text in (point.site.name, point.site.code):
            if text:
                lookup[normalise_header(f"{text} / {point.name}")] = (point.site, point)
    names = sorted({s.name for s in sites} | {p.name for p in points})
    return lookup, names
