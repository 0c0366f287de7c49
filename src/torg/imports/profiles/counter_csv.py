"""The generic visit-count file: one row per site, entrance and period.

Columns (header names are matched without regard to case; alternatives in brackets):

``site`` (name or code of a site of the municipality), ``entrance`` (optional; empty for
all entrances), ``period_start`` [``start``] and ``period_end`` [``end``] as local
date-times ``YYYY-MM-DD HH:MM`` (or dates) in the site's time zone, or with a UTC offset;
the period is half-open, ``count`` [``visits``] a whole number ≥ 0 (0 means nobody came; a
period nobody counted has no row), and ``method`` (optional: automatic, manual, estimate,
reported; default automatic).
"""

from __future__ import annotations

from typing import Any

from torg.imports.framework import (
    Column,
    ImportRun,
    Profile,
    Record,
    RowError,
    Scope,
    UpsertWriter,
    choice_parser,
)
from torg.imports.profiles.common import SiteLookup, local_instant
from torg.imports.registry import register
from torg.lib.tabular import NORWEGIAN
from torg.visits.models import CountMethod, VisitCount

METHODS = {
    "automatic": CountMethod.AUTOMATIC,
    "automatisk": CountMethod.AUTOMATIC,
    "counter": CountMethod.AUTOMATIC,
    "manual": CountMethod.MANUAL,
    "manuell": CountMethod.MANUAL,
    "estimate": CountMethod.ESTIMATE,
    "estimat": CountMethod.ESTIMATE,
    "reported": CountMethod.REPORTED,
}


def _count(text: str) -> int:
    value = NORWEGIAN.parse_int(text)
    if value < 0:
        raise ValueError("a count cannot be negative")
    return value


@register
class CounterCsvProfile(Profile):
    name = "visit-counts"
    title = "Visit counts (generic CSV: site, entrance, period start and end, count)"
    scope = Scope.TENANT
    number_format = NORWEGIAN
    columns = (
        Column("site", "site"),
        Column("entrance", "entrance", allow_empty=True, optional=True),
        Column("period_start", "start", aliases=("start",)),
        Column("period_end", "end", aliases=("end",)),
        Column("count", "count", parse=_count, aliases=("visits", "besøk", "antall")),
        Column(
            "method",
            "method",
            parse=choice_parser(METHODS, what="method"),
            allow_empty=True,
            optional=True,
        ),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        self.sites = SiteLookup(run.require_municipality())
        self.site_cache: dict[str, Any] = {}
        self.municipality_id = run.require_municipality().pk

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site_text = values["site"]
        site = self.site_cache.get(site_text)
        if site is None:
            site = self.site_cache[site_text] = self.sites.get(site_text, "site")
        zone_name = site.time_zone
        try:
            start = local_instant(values["start"], zone_name)
        except ValueError as error:
            raise RowError(str(error), "period_start", values["start"]) from None
        try:
            end = local_instant(values["end"], zone_name)
        except ValueError as error:
            raise RowError(str(error), "period_end", values["end"]) from None
        if end <= start:
            raise RowError("the period ends before it starts", "period_end", values["end"])
        return {
            "municipality_id": self.municipality_id,
            "site_id": site.pk,
            "entrance": (values.get("entrance") or "").strip(),
            "period_start": start,
            "period_end": end,
            "count": values["count"],
            "method": values.get("method") or CountMethod.AUTOMATIC,
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        _, entrance, start, end = key
        return f"same site, entrance {entrance or '(all)'!r} and period {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M} UTC"
