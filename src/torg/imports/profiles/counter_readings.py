"""Cumulative door-counter readings: one row per counter and reading.

Columns (header names compared without regard to case): ``site`` (name or code),
``entrance`` (optional; empty for the whole site), ``read_at`` [``time``] as a local
date-time ``YYYY-MM-DD HH:MM`` in the site's zone (or with a UTC offset) and ``value``
[``reading``, ``meter``] the meter's whole value ≥ 0. The counter must be registered first
(``torg add counter``: whether it counts in and out or entries only, and where its meter
rolls over); ``torg convert readings`` then turns the readings into visit counts, leaving
gaps missing (:mod:`torg.visits.counters`).
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
)
from torg.imports.profiles.common import SiteLookup, local_instant
from torg.imports.registry import register
from torg.lib.localtime import zone
from torg.lib.tabular import PLAIN, normalise_header
from torg.visits.models import CounterReading, DoorCounter


@register
class CounterReadingsProfile(Profile):
    name = "counter-readings"
    title = gettext_noop(
        "Door-counter readings (cumulative meter values: site, entrance, time, value)"
    )
    scope = Scope.TENANT
    key_columns = ("site", "entrance", "read_at")
    columns = (
        Column("site", "site", lookup="site_of_cell"),
        Column("entrance", "entrance", allow_empty=True, optional=True),
        Column("read_at", "read_at", aliases=("time",)),
        Column("value", "value", parse=PLAIN.parse_count, aliases=("reading", "meter")),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(CounterReading, ("counter_id", "read_at"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.sites = SiteLookup(municipality)
        self.counters = {
            (site_id, normalise_header(entrance)): (pk, zone_name, name, entrance)
            for pk, site_id, entrance, zone_name, name in DoorCounter.objects.filter(
                municipality=municipality
            ).values_list("pk", "site_id", "entrance", "site__time_zone", "site__name")
        }
        self.by_id = {
            pk: (zone_name, f"{name} {entrance}".strip())
            for pk, zone_name, name, entrance in self.counters.values()
        }

    def site_of_cell(self, text: str) -> int:
        return self.sites.get(text, "site").pk

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        entrance = (values.get("entrance") or "").strip()
        found = self.counters.get((values["site"], normalise_header(entrance)))
        if found is None:
            known = "; ".join(sorted(label for _zone, label in self.by_id.values())) or "none"
            raise RowError(
                "no door counter is registered at this site and entrance (torg add counter); "
                f"registered: {known}",
                "entrance",
                entrance,
            )
        counter_id, zone_name, _name, _entrance = found
        try:
            read_at = local_instant(values["read_at"], zone_name)
        except ValueError as error:
            raise RowError(str(error), "read_at", values["read_at"]) from None
        return {
            "municipality_id": self.municipality_id,
            "counter_id": counter_id,
            "read_at": read_at,
            "value": values["value"],
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        counter_id, read_at = key
        zone_name, label = self.by_id[counter_id]
        return f"counter {label}, read at {read_at.astimezone(zone(zone_name)):%Y-%m-%d %H:%M}"
