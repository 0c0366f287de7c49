"""The demo municipalities and the plan that loads Torg's bundled real data into them.

:func:`ensure_demo_municipalities` creates (or brings up to date, never duplicates) every
demo municipality with its sites, and the data source and licence the UI shows;
:func:`demo_imports` lists, in order, the imports that load the bundled files of
``torg/demo/data`` into them. ``torg demo`` calls both; running it again adds nothing (the
import framework skips a file it has already imported).

Nothing here is invented: Drammen and Indre Østfold get no sites, since the bundled data
(the national statistics) says nothing about their buildings; Toronto's branches come from
the branch file (profile ``toronto-branches``); an English library authority gets the four
aggregate "sites" that Arts Council England reports totals for.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from torg.organisation.models import (
    Municipality,
    ServicePoint,
    ServicePointKind,
    Site,
    SiteKind,
)

NORWAY_FILE = "norway-nb-2020/folkebibl-2020-kommuner.csv"
ALESSANDRIA_ENTRIES = tuple(
    f"alessandria/ingressi-biblioteca-{year}.csv" for year in range(2021, 2025)
)
ALESSANDRIA_REPORTS = "alessandria/segnalazioni-municipium.csv"
TORONTO_BRANCHES = "toronto-tpl/tpl-branch-general-information-2023.csv"
TORONTO_VISITS = "toronto-tpl/tpl-visits-annual-by-branch-2012-2022.csv"
ENGLAND_DIR = "england-ace-2023-24"
ENGLAND_FILES = ("visits.csv", "events.csv", "event_attendance.csv")
ENGLAND_AUTHORITIES = f"{ENGLAND_DIR}/library_authorities.json"

NORWAY_SOURCE = (
    "Nasjonalbiblioteket (National Library of Norway): public library statistics 2020 "
    "(folkebibliotekstatistikk), one row per municipality; national reference data shown on "
    "the national comparison page. File copied from mich123prem/python4abm, "
    "data/folkebibl-2020-kommuner.csv, commit 7092e99d."
)
NORWAY_LICENCE = "Norwegian Licence for Open Government Data (NLOD), as normally for the National Library's statistics"

ALESSANDRIA_SOURCE = (
    "Comune di Alessandria, official open data (https://github.com/ComunediAlessandria/open-data, "
    "commit 04b8cb14): monthly entries to the civic library 'Francesca Calvo' 2021–2024 "
    "(dataset ingressi-biblioteca) and citizen reports made through the Municipium app "
    "2023–2026 (dataset segnalazioni-municipium)."
)
ALESSANDRIA_LICENCE = "CC BY 4.0 – attribution: Comune di Alessandria"

TORONTO_SOURCE = (
    "Toronto Public Library through the City of Toronto Open Data portal: 'Library Branch "
    "General Information' (2023) and 'Library Visits' per branch 2012–2022. Files copied from "
    "Lwall02/STA302-before-lecture-2, inputs/data/, commit 342424fe."
)
TORONTO_LICENCE = (
    "Open Government Licence – Toronto. Contains information licensed under the Open "
    "Government Licence – Toronto."
)

ENGLAND_SOURCE = (
    "Arts Council England, Libraries Activity Data 2023-24: monthly visits to library-only "
    "and shared buildings, mobile libraries and home delivery, and events and attendance by "
    "age group, per library authority (totals only: no single buildings). Tidy files by "
    "Libraries Hacked, LibrariesHacked/public-libraries-activity-dataset, commit 9bed4080."
)
ENGLAND_LICENCE = (
    "UK public sector information, normally under the Open Government Licence v3.0; "
    "tidy files by Libraries Hacked under the MIT licence"
)


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: str
    time_zone: str
    is_aggregate: bool = False
    note: str = ""


# The four aggregate "sites" Arts Council England reports an authority's visits for; the
# codes are the ones the profile england-ace-visits routes the Location column to.
ENGLAND_SITES = (
    SiteSpec(
        "library-buildings",
        "Library buildings (all)",
        SiteKind.LIBRARY,
        "Europe/London",
        is_aggregate=True,
        note="All of the authority's library-only buildings (ACE location 'Library').",
    ),
    SiteSpec(
        "shared-buildings",
        "Shared buildings (all)",
        SiteKind.JOINT,
        "Europe/London",
        is_aggregate=True,
        note="All of the authority's libraries in buildings shared with other services "
        "(ACE location 'Shared building').",
    ),
    SiteSpec(
        "mobile-library",
        "Mobile library",
        SiteKind.LIBRARY,
        "Europe/London",
        is_aggregate=True,
        note="All of the authority's mobile libraries (ACE location 'Mobile library').",
    ),
    SiteSpec(
        "home-delivery",
        "Home delivery",
        SiteKind.LIBRARY,
        "Europe/London",
        is_aggregate=True,
        note="The home library service (ACE location 'Home delivery').",
    ),
)

ALESSANDRIA_SITES = (
    SiteSpec(
        "biblioteca",
        "Biblioteca civica Francesca Calvo",
        SiteKind.LIBRARY,
        "Europe/Rome",
    ),
    SiteSpec(
        "comune",
        "Comune di Alessandria – servizi ai cittadini",
        SiteKind.CITIZEN_SERVICE_CENTRE,
        "Europe/Rome",
        note="Receives the citizens' reports made in the Municipium app.",
    ),
)
ALESSANDRIA_APP = "App Municipium"
#: The front desks where the demo's inquiries are logged: the library's loan desk and the
#: municipality's public relations office (URP, which every Italian municipality has under
#: law 150/2000, art. 8).
ALESSANDRIA_DESKS = (("biblioteca", "Banco prestiti"), ("comune", "URP – sportello"))


def data_path(relative: str) -> Path:
    """A bundled data file under ``torg/demo/data``."""
    return Path(settings.DEMO_DATA_DIR) / relative


def demo_imports() -> list[tuple[str, Path, str | None]]:
    """The imports that load every bundled file, in the order they must run:
    ``(profile name, file, municipality slug or None)``. ``None`` is for national data and
    for profiles that route rows to municipalities by number (England)."""
    plan: list[tuple[str, Path, str | None]] = [
        ("nb-folkebibliotek-2020", data_path(NORWAY_FILE), None),
    ]
    plan += [
        ("alessandria-library-entries", data_path(name), "alessandria")
        for name in ALESSANDRIA_ENTRIES
    ]
    plan += [
        ("alessandria-citizen-reports", data_path(ALESSANDRIA_REPORTS), "alessandria"),
        ("toronto-branches", data_path(TORONTO_BRANCHES), "toronto"),
        ("toronto-visits", data_path(TORONTO_VISITS), "toronto"),
        ("england-ace-visits", data_path(f"{ENGLAND_DIR}/visits.csv"), None),
        ("england-ace-events", data_path(f"{ENGLAND_DIR}/events.csv"), None),
        ("england-ace-event-attendance", data_path(f"{ENGLAND_DIR}/event_attendance.csv"), None),
    ]
    return plan


@transaction.atomic
def ensure_demo_municipalities() -> list[Municipality]:
    """Create or update every demo municipality and its sites; return them all.

    Idempotent: municipalities are matched on (country, number) and sites on their code, so
    a second call changes nothing. Takes well under a second (bulk writes for England's
    125 authorities).
    """
    return [
        *ensure_norway(),
        ensure_alessandria(),
        ensure_toronto(),
        *ensure_england(),
    ]


def _municipality(
    *, country: str, number: str, slug: str, name: str, source: str, licence: str
) -> Municipality:
    municipality, _ = Municipality.objects.update_or_create(
        country=country,
        number=number,
        defaults={"slug": slug, "name": name, "data_source": source, "data_licence": licence},
    )
    return municipality


def _ensure_sites(municipality: Municipality, specs: tuple[SiteSpec, ...]) -> dict[str, Site]:
    sites = {}
    for spec in specs:
        site, _ = Site.objects.update_or_create(
            municipality=municipality,
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "time_zone": spec.time_zone,
                "is_aggregate": spec.is_aggregate,
                "note": spec.note,
            },
        )
        sites[spec.code] = site
    return sites


def ensure_norway() -> list[Municipality]:
    """Drammen (3005) and Indre Østfold (3014), the two municipalities of the evaluation
    project. No sites: the bundled data does not describe their buildings."""
    return [
        _municipality(
            country="NO",
            number="3005",
            slug="drammen",
            name="Drammen",
            source=NORWAY_SOURCE,
            licence=NORWAY_LICENCE,
        ),
        _municipality(
            country="NO",
            number="3014",
            slug="indre-ostfold",
            name="Indre Østfold",
            source=NORWAY_SOURCE,
            licence=NORWAY_LICENCE,
        ),
    ]


def ensure_alessandria() -> Municipality:
    """Alessandria (ISTAT 006003): the civic library (site ``biblioteca``) and the
    municipality's citizen services (site ``comune``) with the Municipium app as a digital
    service point."""
    municipality = _municipality(
        country="IT",
        number="006003",
        slug="alessandria",
        name="Alessandria",
        source=ALESSANDRIA_SOURCE,
        licence=ALESSANDRIA_LICENCE,
    )
    sites = _ensure_sites(municipality, ALESSANDRIA_SITES)
    ServicePoint.objects.get_or_create(
        site=sites["comune"],
        name=ALESSANDRIA_APP,
        defaults={"municipality": municipality, "kind": ServicePointKind.DIGITAL_FORM},
    )
    for site_code, desk in ALESSANDRIA_DESKS:
        ServicePoint.objects.get_or_create(
            site=sites[site_code],
            name=desk,
            defaults={"municipality": municipality, "kind": ServicePointKind.DESK},
        )
    return municipality


def ensure_toronto() -> Municipality:
    """Toronto (census subdivision 3520005). Its sites come from the branch file."""
    return _municipality(
        country="CA",
        number="3520005",
        slug="toronto",
        name="Toronto",
        source=TORONTO_SOURCE,
        licence=TORONTO_LICENCE,
    )


def england_authority_codes() -> set[str]:
    """The codes of the library authorities that appear in the bundled ACE files."""
    codes: set[str] = set()
    for name in ENGLAND_FILES:
        with data_path(f"{ENGLAND_DIR}/{name}").open(encoding="utf-8-sig", newline="") as handle:
            codes.update(row["Authority"] for row in csv.DictReader(handle))
    return codes


def england_slug(nice_name: str) -> str:
    """``gb-`` and the authority's short name: ``gb-newcastle-upon-tyne``."""
    return f"gb-{slugify(nice_name)}"


def ensure_england() -> list[Municipality]:
    """One municipality per English library authority in the ACE files (country GB, number
    = the authority's ONS code), each with the four aggregate sites of :data:`ENGLAND_SITES`.
    """
    authorities = {
        entry["code"]: entry
        for entry in json.loads(data_path(ENGLAND_AUTHORITIES).read_text(encoding="utf-8"))
    }
    codes = sorted(england_authority_codes())
    unknown = [code for code in codes if code not in authorities]
    if unknown:  # pragma: no cover - the bundled files agree
        raise ValueError(f"library_authorities.json lacks {', '.join(unknown)}")
    existing = {m.number: m for m in Municipality.objects.filter(country="GB", number__in=codes)}
    changed: list[Municipality] = []
    new: list[Municipality] = []
    for code in codes:
        entry = authorities[code]
        wanted = {
            "slug": england_slug(entry["nice_name"]),
            "name": entry["nice_name"],
            "data_source": ENGLAND_SOURCE,
            "data_licence": ENGLAND_LICENCE,
        }
        municipality = existing.get(code)
        if municipality is None:
            new.append(Municipality(country="GB", number=code, **wanted))
        elif any(getattr(municipality, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(municipality, key, value)
            changed.append(municipality)
    Municipality.objects.bulk_create(new)
    if changed:
        Municipality.objects.bulk_update(changed, ["slug", "name", "data_source", "data_licence"])
    municipalities = list(Municipality.objects.filter(country="GB", number__in=codes))
    have = set(
        Site.objects.filter(municipality__in=municipalities).values_list("municipality_id", "code")
    )
    Site.objects.bulk_create(
        [
            Site(
                municipality=municipality,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                time_zone=spec.time_zone,
                is_aggregate=spec.is_aggregate,
                note=spec.note,
            )
            for municipality in municipalities
            for spec in ENGLAND_SITES
            if (municipality.pk, spec.code) not in have
        ]
    )
    return sorted(municipalities, key=lambda m: m.name)
