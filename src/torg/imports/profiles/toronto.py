"""Toronto Public Library (City of Toronto Open Data): the branches and their yearly visits.

``toronto-branches`` reads ``tpl-branch-general-information-2023.csv`` (112 rows, 27
columns) and writes one :class:`~torg.organisation.models.Site` per row, keyed on its branch
code: ``code`` = ``BranchCode``, ``name`` = ``BranchName``, ``address``, ``opened_year`` =
``PresentSiteYear`` (the year the branch opened at its present site; empty for the
services that have no building), time zone America/Toronto. Every branch is a library,
except those in :data:`JOINT_BRANCHES`: the Scarborough Civic Centre branch (SC) opened in
2015 inside the civic centre, next to the city's counter services, so it is a joint site.

All 112 rows are imported, also the 12 that the file marks as no physical branch
(``PhysicalBranch = 0``: Answerline, the bookmobiles, Home Library Service, Virtual
Library, …), because four of them (the Merril and Osborne collections, Bookmobile One,
Sunnybrook Hospital) have visit counts of their own; their note says so.

``toronto-visits`` reads ``tpl-visits-annual-by-branch-2012-2022.csv``
(``_id,Year,BranchCode,Visits``) and writes one :class:`~torg.visits.models.VisitCount` per
branch and year: the local calendar year in the site's time zone, method ``reported``.
A branch code with no site is an error naming the code (import the branches first).
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
from torg.imports.profiles.common import local_day_start, local_period_text
from torg.imports.registry import register
from torg.lib.localtime import FIRST_DAY, LAST_DAY
from torg.lib.tabular import PLAIN
from torg.organisation.models import Site, SiteKind
from torg.visits.models import CountMethod, VisitCount

COUNTRY = "CA"
TIME_ZONE = "America/Toronto"

# Branches in a building shared with the city's citizen services: kind "joint".
JOINT_BRANCHES: dict[str, str] = {
    "SC": "Opened in 2015 inside the Scarborough Civic Centre, beside the city's counter services.",
}

NOT_PHYSICAL_NOTE = "Toronto Public Library lists this as no physical branch (PhysicalBranch 0)."


def year(text: str) -> int:
    """A year of counts: one that Torg accepts (1900–2100, :mod:`torg.lib.localtime`)."""
    value = PLAIN.parse_int(text)
    if not FIRST_DAY.year <= value <= LAST_DAY.year:
        raise ValueError(
            f"{value} is outside the years Torg accepts ({FIRST_DAY.year}–{LAST_DAY.year})"
        )
    return value


def opened_year(text: str) -> int:
    """The year a branch opened at its site: 1800 to 2100 (Toronto's oldest library
    buildings are from the nineteenth century)."""
    value = PLAIN.parse_int(text)
    if not 1800 <= value <= LAST_DAY.year:
        raise ValueError(f"{value} is not a year from 1800 to {LAST_DAY.year}")
    return value


def flag(text: str) -> bool:
    """``1`` or ``0``, as the file writes it; ``TRUE`` or ``FALSE`` from a workbook's yes/no
    cell."""
    value = text.strip().upper()
    if value not in ("0", "1", "TRUE", "FALSE"):
        raise ValueError("expected 0 or 1")
    return value in ("1", "TRUE")


@register
class TorontoBranchesProfile(Profile):
    name = "toronto-branches"
    title = gettext_noop(
        "Toronto Public Library: branches (tpl-branch-general-information-2023.csv)"
    )
    scope = Scope.TENANT
    source = "Toronto Public Library, Library Branch General Information (OGL – Toronto)"
    columns = (
        Column("BranchCode", "code", parse=str.strip),
        Column("BranchName", "name", parse=str.strip),
        Column("Address", "address", parse=str.strip, allow_empty=True),
        Column("PresentSiteYear", "opened_year", parse=opened_year, allow_empty=True),
        Column("PhysicalBranch", "physical", parse=flag, allow_empty=True, optional=True),
    )
    key_columns = ("BranchCode",)
    options = {
        "any_country": (
            "yes: import the branches into a municipality outside Canada (CA) all the same"
        )
    }

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Site, ("municipality_id", "code"))

    def begin(self, run: ImportRun) -> None:
        """Refuse a municipality outside Canada unless ``--set any_country=yes``: Toronto's
        branches in, say, a Norwegian municipality are almost surely a mistyped slug, and
        112 sites are tedious to remove (as the England and Alessandria profiles refuse a
        municipality that does not fit the file)."""
        municipality = run.require_municipality()
        allowed = str(run.options.get("any_country", "no")).strip().casefold()
        if allowed not in {"yes", "no"}:
            raise ImportRefused(
                f"The option any_country takes yes or no, not {run.options['any_country']!r}."
            )
        if municipality.country != COUNTRY and allowed != "yes":
            raise ImportRefused(
                f"{municipality.name} is in country {municipality.country or '(none)'}, not "
                f"Canada ({COUNTRY}); {self.name} imports Toronto Public Library's branches. "
                "Check --municipality, or import them there all the same with "
                "--set any_country=yes."
            )
        self.municipality_id = municipality.pk

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        code = values["code"]
        if len(code) > 40:
            raise RowError("a branch code has at most 40 characters", "BranchCode", code)
        notes = []
        if code in JOINT_BRANCHES:
            notes.append(JOINT_BRANCHES[code])
        if values.get("physical") is False:
            notes.append(NOT_PHYSICAL_NOTE)
        return {
            "municipality_id": self.municipality_id,
            "code": code,
            "name": values["name"],
            "address": values["address"] or "",
            "time_zone": TIME_ZONE,
            "kind": SiteKind.JOINT if code in JOINT_BRANCHES else SiteKind.LIBRARY,
            "is_aggregate": False,
            "opened_year": values["opened_year"],
            "note": " ".join(notes),
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"branch code {key[1]}"


@register
class TorontoVisitsProfile(Profile):
    name = "toronto-visits"
    title = gettext_noop(
        "Toronto Public Library: visits per branch and year (tpl-visits-annual-by-branch)"
    )
    scope = Scope.TENANT
    source = "Toronto Public Library, Library Visits (OGL – Toronto)"
    key_columns = ("Year", "BranchCode")
    columns = (
        Column("Year", "year", parse=year),
        Column("BranchCode", "code", parse=str.strip),
        Column("Visits", "visits", parse=PLAIN.parse_count),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.sites = {
            site.code: site
            for site in Site.objects.filter(municipality=municipality).exclude(code="")
        }

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site = self.sites.get(values["code"])
        if site is None:
            raise RowError(
                f"no site has the branch code {values['code']!r}; import the branches first "
                "(profile toronto-branches)",
                "BranchCode",
                values["code"],
            )
        first = dt.date(values["year"], 1, 1)
        return {
            "municipality_id": self.municipality_id,
            "site_id": site.pk,
            "entrance": "",
            "period_start": local_day_start(first, site.time_zone),
            "period_end": local_day_start(first.replace(year=first.year + 1), site.time_zone),
            "count": values["visits"],
            "method": CountMethod.REPORTED,
            "note": "",
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        site = next(s for s in self.sites.values() if s.pk == key[0])
        return f"branch {site.code}, {local_period_text(key[2], key[3], site.time_zone)}"
