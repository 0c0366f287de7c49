"""The generic visit-count file: one row per site, entrance and period.

Columns (header names are matched without regard to case; alternatives in brackets):

``site`` (name or code of a site of the municipality), ``entrance`` (optional; empty for
all entrances), ``period_start`` [``start``] and ``period_end`` [``end``] as local
date-times ``YYYY-MM-DD HH:MM`` (or dates) in the site's time zone, or with a UTC offset;
the period is half-open, ``count`` [``visits``] a whole number ≥ 0 (0 means nobody came; a
period nobody counted has no row), and ``method`` (optional: automatic, manual, estimate,
reported; default automatic), ``estimate`` (optional: yes/ja/true/1 marks the count as an
estimate, empty or no/nei/false/0 does not) and ``estimate_reason`` [``reason``] (required
when ``estimate`` is yes: what was estimated and how).
"""

from __future__ import annotations

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
    choice_parser,
)
from torg.imports.profiles.common import SiteLookup, local_instant, local_period_text
from torg.imports.registry import register
from torg.lib.localtime import UTC, parse_local_datetime
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


YES_NO = {
    "yes": True,
    "ja": True,
    "true": True,
    "1": True,
    "no": False,
    "nei": False,
    "false": False,
    "0": False,
}
REASON_MAX_LENGTH = VisitCount._meta.get_field("estimate_reason").max_length or 300


def _reason(text: str) -> str:
    value = text.strip()
    if len(value) > REASON_MAX_LENGTH:
        raise ValueError(f"a reason has at most {REASON_MAX_LENGTH} characters")
    return value


ENTRANCE_MAX_LENGTH = VisitCount._meta.get_field("entrance").max_length or 100


def _entrance(text: str) -> str:
    value = text.strip()
    if len(value) > ENTRANCE_MAX_LENGTH:
        raise ValueError(f"an entrance name has at most {ENTRANCE_MAX_LENGTH} characters")
    return value


def _period_bound(text: str) -> str:
    """The cell of a period's start or end, checked as far as it can be without the row's
    site (its form, its calendar date and year); the text is kept, and read in the site's
    time zone once the site is known (:meth:`CounterCsvProfile.build`)."""
    value = text.strip()
    parse_local_datetime(value, UTC)
    return value


@register
class CounterCsvProfile(Profile):
    name = "visit-counts"
    title = gettext_noop("Visit counts (generic CSV: site, entrance, period start and end, count)")
    scope = Scope.TENANT
    number_format = NORWEGIAN
    key_columns = ("site", "entrance", "period_start", "period_end")
    columns = (
        Column("site", "site", lookup="site_of_cell"),
        Column("entrance", "entrance", parse=_entrance, allow_empty=True, optional=True),
        Column("period_start", "start", parse=_period_bound, aliases=("start",)),
        Column("period_end", "end", parse=_period_bound, aliases=("end",)),
        Column(
            "count", "count", parse=NORWEGIAN.parse_count, aliases=("visits", "besøk", "antall")
        ),
        Column(
            "method",
            "method",
            parse=choice_parser(METHODS, what="method"),
            allow_empty=True,
            optional=True,
        ),
        Column(
            "estimate",
            "is_estimate",
            parse=choice_parser(YES_NO, what="yes/no value"),
            allow_empty=True,
            optional=True,
            aliases=("anslag", "estimert"),
        ),
        Column(
            "estimate_reason",
            "estimate_reason",
            parse=_reason,
            allow_empty=True,
            optional=True,
            aliases=("reason", "begrunnelse"),
        ),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        self.sites = SiteLookup(run.require_municipality())
        # Cell text → (site id, IANA zone): looked up once per spelling, not once per row.
        self.site_cache: dict[str, tuple[int, str]] = {}
        # Site id → (name, IANA zone), for messages.
        self.site_names: dict[int, tuple[str, str]] = {}
        self.municipality_id = run.require_municipality().pk

    def site_of_cell(self, site_text: str) -> tuple[int, str]:
        """The (site id, IANA zone) a ``site`` cell names; :class:`RowError` if none."""
        cached = self.site_cache.get(site_text)
        if cached is None:
            site = self.sites.get(site_text, "site")
            cached = self.site_cache[site_text] = (site.pk, site.time_zone)
            self.site_names[site.pk] = (site.name, site.time_zone)
        return cached

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        site_id, zone_name = values["site"]
        try:
            start = local_instant(values["start"], zone_name)
        except ValueError as error:
            raise RowError(str(error), "period_start", values["start"]) from None
        try:
            end = local_instant(values["end"], zone_name)
        except ValueError as error:
            raise RowError(str(error), "period_end", values["end"]) from None
        if end <= start:
            reason = (
                "the period is empty: it ends when it starts"
                if end == start
                else "the period ends before it starts"
            )
            raise RowError(reason, "period_end", values["end"])
        is_estimate = bool(values.get("is_estimate"))
        estimate_reason = values.get("estimate_reason") or ""
        if is_estimate and not estimate_reason:
            raise RowError(
                "an estimate needs a reason (what was estimated and how)",
                "estimate_reason",
                "",
            )
        if estimate_reason and not is_estimate:
            raise RowError(
                "only an estimate has a reason: write yes in the estimate column",
                "estimate",
                "",
            )
        # Every column of the model, so that the writer has no defaults to fill in.
        return {
            "municipality_id": self.municipality_id,
            "site_id": site_id,
            "entrance": values.get("entrance") or "",
            "period_start": start,
            "period_end": end,
            "count": values["count"],
            "method": values.get("method") or CountMethod.AUTOMATIC,
            "note": "",
            "is_estimate": is_estimate,
            "estimate_reason": estimate_reason,
            "import_batch_id": None,
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        site_id, entrance, start, end = key
        name, zone_name = self.site_names[site_id]
        period = local_period_text(start, end, zone_name)
        return f"site {name}, entrance {entrance or '(all)'!r}, period {period}"
