"""A real desk log: the Berkeley Art Museum & Pacific Film Archive film library's interaction
log for 2020 (``libstats_2020.csv``, a Google Form export; 470 rows).

The file's terms are not stated, so Torg does not ship it; the tests read it from
``../shared/data`` when it is there. It shows that the inquiry log takes a desk log kept
elsewhere.

Each row becomes one :class:`~torg.inquiries.models.Inquiry` at one site of the
municipality: the only site it has, or the one named by the ``site`` option (code or name)
of :func:`~torg.imports.framework.run_import`.

* ``Timestamp`` (``1/6/2020 10:18:38``, US month/day/year, local time in the site's zone,
  America/Los_Angeles for BAMPFA) is when the form was filled in. When ``Date if not
  today`` (``1/3/2020``) names another day, the contact happened that day at an unknown
  time: the inquiry is put at local midnight of that day with
  ``time_of_day_known=False``. ``source_key`` is ``libstats:`` and the timestamp (unique in
  the file).
* ``interaction source`` → channel (:data:`CHANNELS`).
* ``successful interaction?`` → outcome (:data:`OUTCOMES`): Yes → resolved, No → not
  resolved; Maybe and an empty cell (451 of 470 rows) → *not recorded*, since staff did not
  say.
* ``interaction staff time`` is a duration band (under 5, 5–10, 10–30, over 30 minutes),
  not a READ effort level; Torg has no field for it yet, so it is not imported.
* The free-text columns (``research need``, ``outcome``) and the patron's affiliation are
  never read: they can contain names of staff and patrons, and Torg stores no personal data
  about citizens.
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
    choice_parser,
)
from torg.imports.profiles.common import local_day_start, local_instant
from torg.imports.registry import register
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.lib.localtime import check_day
from torg.lib.tabular import normalise_header
from torg.organisation.models import Site

CHANNELS = {
    "walk in": Channel.IN_PERSON,
    "email": Channel.EMAIL,
    "phone call": Channel.PHONE,
    "other": Channel.OTHER,
}

OUTCOMES = {
    "Yes": Outcome.RESOLVED,
    "No": Outcome.NOT_RESOLVED,
    "Maybe": Outcome.NOT_RECORDED,
}


def us_datetime(text: str) -> dt.datetime:
    """``1/6/2020 10:18:38`` (month/day/year, 24-hour clock) as a naive local datetime."""
    try:
        stamp = dt.datetime.strptime(text.strip(), "%m/%d/%Y %H:%M:%S")
    except ValueError:
        raise ValueError("not a date and time like 1/6/2020 10:18:38 (month/day/year)") from None
    check_day(stamp.date())
    return stamp


def us_date(text: str) -> dt.date:
    """``1/3/2020`` (month/day/year)."""
    try:
        day = dt.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        raise ValueError("not a date like 1/3/2020 (month/day/year)") from None
    return check_day(day)


@register
class BampfaDeskLogProfile(Profile):
    name = "bampfa-desk-log"
    title = gettext_noop(
        "Desk log of the BAMPFA film library (libstats_2020.csv, a Google Form export)"
    )
    scope = Scope.TENANT
    source = "BAM-PFA/libstats_viz, libstats_2020.csv (terms not stated; not shipped)"
    options = {"site": "the site the log belongs to, by code or name, if there are several"}
    columns = (
        Column("Timestamp", "timestamp", parse=us_datetime),
        Column("interaction source", "channel", parse=choice_parser(CHANNELS, what="source")),
        Column(
            "successful interaction?",
            "outcome",
            parse=choice_parser(OUTCOMES, what="answer"),
            allow_empty=True,
        ),
        Column("Date if not today", "date", parse=us_date, allow_empty=True, optional=True),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Inquiry, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        sites = list(Site.objects.filter(municipality=municipality))
        wanted = run.options.get("site")
        if wanted:
            matches = [
                s
                for s in sites
                if normalise_header(wanted) in (normalise_header(s.name), normalise_header(s.code))
            ]
            if not matches:
                raise ImportRefused(
                    f"{municipality.name} has no site {wanted!r}; its sites: "
                    f"{', '.join(s.name for s in sites) or 'none'}."
                )
            self.site = matches[0]
        elif len(sites) == 1:
            self.site = sites[0]
        else:
            raise ImportRefused(
                f"A desk log belongs to one site, and {municipality.name} has "
                f"{len(sites) or 'no'} site(s)"
                + (
                    f" ({', '.join(s.name for s in sites)}); name one with the site option (torg import … --set site=<name or code>)."
                    if sites
                    else "."
                )
            )

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        stamp: dt.datetime = values["timestamp"]
        zone_name = self.site.time_zone
        day: dt.date | None = values.get("date")
        if day is not None and day != stamp.date():
            occurred_at = local_day_start(day, zone_name)
            time_known = False
        else:
            try:
                occurred_at = local_instant(stamp.isoformat(sep=" "), zone_name)
            except ValueError as error:
                raise RowError(str(error), "Timestamp", stamp.isoformat(sep=" ")) from None
            time_known = True
        return {
            "municipality_id": self.municipality_id,
            "site_id": self.site.pk,
            "service_point_id": None,
            "occurred_at": occurred_at,
            "time_of_day_known": time_known,
            "channel": values["channel"],
            "service_id": None,
            "domain": InquiryDomain.UNKNOWN,
            "outcome": values["outcome"] or Outcome.NOT_RECORDED,
            "read_effort": None,
            "source_key": f"libstats:{stamp.isoformat(sep=' ')}",
            "created_by_id": None,
        }

    key_columns = ("Timestamp",)

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"the same timestamp ({key[1].removeprefix('libstats:')})"
