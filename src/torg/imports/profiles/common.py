"""Lookups and parse helpers shared by several profiles."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache

from torg.catalogue.models import Service
from torg.catalogue.search import fold
from torg.imports.framework import ImportRefused, ImportRun, RowError
from torg.lib.localtime import parse_local_datetime, start_of_local_day, zone
from torg.lib.tabular import normalise_header
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import scoped


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


def site_of_run(run: ImportRun, what: str) -> Site:
    """The one site a file of ``what`` (e.g. "A desk log") belongs to: the site named by
    the run's ``site`` option (code or name, case-insensitive), or the municipality's only
    site. Raises :class:`ImportRefused` naming the sites when there are several and none is
    named, or when the named one does not exist."""
    municipality = run.require_municipality()
    sites = list(scoped(Site, municipality).order_by("name"))
    wanted = run.options.get("site")
    if wanted:
        key = normalise_header(wanted)
        matches = [s for s in sites if key in (normalise_header(s.name), normalise_header(s.code))]
        if not matches:
            raise ImportRefused(
                f"{municipality.name} has no site {wanted!r}; its sites: "
                f"{', '.join(s.name for s in sites) or 'none'}."
            )
        return matches[0]
    if len(sites) == 1:
        return sites[0]
    if not sites:
        raise ImportRefused(f"{municipality.name} has no sites yet; create one before importing.")
    raise ImportRefused(
        f"{what} belongs to one site, and {municipality.name} has {len(sites)} sites "
        f"({', '.join(s.name for s in sites)}); name one with the site option "
        "(torg import … --set site=<name or code>)."
    )


def service_point_of_run(run: ImportRun, site: Site) -> ServicePoint | None:
    """The service point of ``site`` named by the run's ``service_point`` option (by name,
    case-insensitive), or ``None`` when the option is not given. Raises
    :class:`ImportRefused` naming the site's service points when there is no such one."""
    wanted = run.options.get("service_point")
    if not wanted:
        return None
    points = list(ServicePoint.objects.filter(site=site).order_by("name"))
    for point in points:
        if normalise_header(point.name) == normalise_header(wanted):
            return point
    raise ImportRefused(
        f"{site.name} has no service point {wanted!r}; its service points: "
        f"{', '.join(p.name for p in points) or 'none'}."
    )


class ServiceMatcher:
    """Finds a service in a municipality's catalogue by the text a source file uses for it.

    A text matches a service when, folded with :func:`torg.catalogue.search.fold` (case,
    accents, æ/ø/å and their ASCII spellings, punctuation), it equals the service's code,
    then its bokmål or English name, then one of its synonyms: the first of these three
    levels with a match decides. A text that names two services on the same level (a
    synonym two services share, such as "lydbok") matches none rather than a guess. Inactive
    services match too: an old log may name a service the municipality has since retired.

    :meth:`get` returns ``None`` for an empty text and for a text that matches nothing; the
    latter is counted in :attr:`unmapped` (text as written → rows) for the summary.
    """

    def __init__(self, municipality: Municipality) -> None:
        levels: list[dict[str, set[int]]] = [{}, {}, {}]
        self._services: dict[int, Service] = {}
        for service in scoped(Service, municipality):
            self._services[service.pk] = service
            names = ([service.code], [service.name_nb, service.name_en], service.synonym_list)
            for level, texts in zip(levels, names, strict=True):
                for text in texts:
                    key = fold(text)
                    if key:
                        level.setdefault(key, set()).add(service.pk)
        self._levels = levels
        self._cache: dict[str, Service | None] = {}
        self.unmapped: Counter[str] = Counter()

    def find(self, text: str) -> Service | None:
        """The service ``text`` names, or ``None`` (not counted)."""
        key = fold(text)
        if key in self._cache:
            return self._cache[key]
        found: Service | None = None
        for level in self._levels:
            pks = level.get(key)
            if pks:
                found = self._services[next(iter(pks))] if len(pks) == 1 else None
                break
        self._cache[key] = found
        return found

    def get(self, *texts: str | None) -> Service | None:
        """The service the first non-empty of ``texts`` that matches names; ``None`` when
        all are empty, or when none matches (then the first non-empty text is counted in
        :attr:`unmapped`)."""
        given = [text.strip() for text in texts if text and text.strip()]
        for text in given:
            service = self.find(text)
            if service is not None:
                return service
        if given:
            self.unmapped[given[0]] += 1
        return None

    def unmapped_note(self, what: str) -> str | None:
        """The summary's remark on the unmapped texts (the five most frequent named), or
        ``None`` when every text matched."""
        if not self.unmapped:
            return None
        rows = sum(self.unmapped.values())
        named = ", ".join(f"{text!r} ({count})" for text, count in self.unmapped.most_common(5))
        more = len(self.unmapped) - 5
        tail = f" and {more} more" if more > 0 else ""
        return (
            f"{rows} {what} with a service the catalogue does not have, kept without a "
            f"service: {named}{tail}"
        )
