"""Lookups and parse helpers shared by several profiles."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from torg.imports.framework import ImportRefused, RowError
from torg.lib.localtime import parse_local_datetime, start_of_local_day, zone
from torg.lib.tabular import normalise_header
from torg.organisation.models import Municipality, Site


class SiteLookup:
    """Find a municipality's sites by name or code (case- and space-insensitive)."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        self._by_key: dict[str, Site] = {}
        for site in Site.objects.filter(municipality=municipality):
            self._by_key.setdefault(normalise_header(site.name), site)
            if site.code:
                self._by_key.setdefault(normalise_header(site.code), site)
        if not self._by_key:
            raise ImportRefused(
                f"{municipality.name} has no sites yet; create them before importing counts."
            )

    def get(self, text: str, column: str) -> Site:
        site = self._by_key.get(normalise_header(text))
        if site is None:
            names = sorted({s.name for s in self._by_key.values()})
            listed = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
            raise RowError(
                f"no site of {self.municipality.name} is called this; known: {listed}", column, text
            )
        return site


@lru_cache(maxsize=200_000)
def local_instant(text: str, zone_name: str) -> dt.datetime:
    """:func:`parse_local_datetime` cached on (text, zone): counter files repeat the same
    period boundaries for every site and entrance."""
    return parse_local_datetime(text, zone(zone_name))


def local_period_text(start: dt.datetime, end: dt.datetime, zone_name: str) -> str:
    """The half-open period [``start``, ``end``) as a person at a site in ``zone_name``
    reads it, for messages: whole local days as first and last day
    (``2024-03-01–2024-03-31 Europe/Oslo``, or one day), other periods with their local
    times (``2024-03-01 08:00–09:00 Europe/Oslo``, the end's date only when it differs)."""
    local_zone = zone(zone_name)
    first = start.astimezone(local_zone)
    after = end.astimezone(local_zone)
    midnight = dt.time(0, 0)
    if first.time() == midnight and after.time() == midnight and after.date() > first.date():
        last = after.date() - dt.timedelta(days=1)
        days = f"{first:%Y-%m-%d}" if last == first.date() else f"{first:%Y-%m-%d}–{last:%Y-%m-%d}"
        return f"{days} {zone_name}"
    end_text = f"{after:%H:%M}" if after.date() == first.date() else f"{after:%Y-%m-%d %H:%M}"
    return f"{first:%Y-%m-%d %H:%M}–{end_text} {zone_name}"


@lru_cache(maxsize=50_000)
def local_day_start(day: dt.date, zone_name: str) -> dt.datetime:
    """:func:`start_of_local_day` cached on (day, zone): the UTC instant local ``day``
    begins at a site in ``zone_name``."""
    return start_of_local_day(day, zone(zone_name))
