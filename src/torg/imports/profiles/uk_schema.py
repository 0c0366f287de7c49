"""Physical visits in the UK library data schema (schema.librarydata.uk, "Physical visits":
``Local authority,Library name,Count start,Count end,Count type,Visits``), as published by
Newcastle and Plymouth (``physical_visits_*.csv``).

Each row becomes one :class:`~torg.visits.models.VisitCount` of the site named in ``Library
name`` (the municipality's site with that name or code; it must exist), for all entrances.
``Count start`` and ``Count end`` are dates, and the end is *inclusive* (the schema's
"end date of the count"; Newcastle's months run from the 1st to the 31st): the period is
[local midnight of the start, local midnight after the end) in the site's time zone.
``Count type`` → method: the schema allows "Manual" and "Automatic"; publishers add
detail in brackets ("Manual (daily)", "Manual (one week every quarter)", "Automatic
counter"), so the type is read from its first word (:data:`METHODS`). ``Local
authority`` is not checked against the municipality.

Plymouth's file has two counts that overlap by two days (12–19 and 18–25 February 2019);
both are imported as published, since they are different periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import Column, ImportRun, Profile, Record, RowError, Scope, UpsertWriter
from torg.imports.profiles.common import SiteLookup, local_day_start, local_period_text
from torg.imports.registry import register
from torg.lib.tabular import PLAIN, parse_iso_date
from torg.organisation.models import Site
from torg.visits.models import CountMethod, VisitCount

METHODS = {
    "manual": CountMethod.MANUAL,
    "automatic": CountMethod.AUTOMATIC,
    "estimate": CountMethod.ESTIMATE,
}


def count_type(text: str) -> str:
    """The method of a ``Count type``: its first word, case-insensitively."""
    words = text.replace("(", " ").split()
    method = METHODS.get(words[0].casefold()) if words else None
    if method is None:
        raise ValueError("unknown count type; expected Manual or Automatic (details may follow)")
    return method


@register
class UkSchemaVisitsProfile(Profile):
    name = "uk-schema-visits"
    title = gettext_noop("Physical visits in the UK library data schema (physical_visits_*.csv)")
    scope = Scope.TENANT
    source = "schema.librarydata.uk, Physical visits (LibrariesHacked/schema-librarydata)"
    key_columns = ("Library name", "Count start", "Count end")
    columns = (
        Column("Library name", "library", lookup="site_of_cell"),
        Column("Count start", "first", parse=parse_iso_date),
        Column("Count end", "last", parse=parse_iso_date),
        Column("Count type", "method", parse=count_type),
        Column("Visits", "visits", parse=PLAIN.parse_count),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.sites = SiteLookup(municipality)
        self.site_of: dict[str, Site] = {}

    def site_of_cell(self, text: str) -> Site:
        """The site a ``Library name`` cell names; :class:`RowError` if none."""
        library = text.strip()
        site = self.site_of.get(library)
        if site is None:
            site = self.site_of[library] = self.sites.get(library, "Library name")
        return site

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site: Site = values["library"]
        first: dt.date = values["first"]
        last: dt.date = values["last"]
        if last < first:
            raise RowError("the count ends before it starts", "Count end", last.isoformat())
        return {
            "municipality_id": self.municipality_id,
            "site_id": site.pk,
            "entrance": "",
            "period_start": local_day_start(first, site.time_zone),
            "period_end": local_day_start(last + dt.timedelta(days=1), site.time_zone),
            "count": values["visits"],
            "method": values["method"],
            "note": "",
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        site = next(s for s in self.site_of.values() if s.pk == key[0])
        return f"{site.name}, {local_period_text(key[2], key[3], site.time_zone)}"
