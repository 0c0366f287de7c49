"""Open data of the Comune di Alessandria (Italy): monthly entries to the civic library and
the citizens' reports made in the Municipium app.

``alessandria-library-entries`` reads one ``ingressi-biblioteca-YYYY.csv`` per year
(``Mese;Ingressi;DiCui;LibriPrestati;NuoveIscrizioni;NuoveIscrizioniMLOL;TitoliPrestatiMLOL``,
Italian month names). The year is taken from the file name. Each row becomes one monthly
:class:`~torg.visits.models.VisitCount` of the site with code ``biblioteca`` for all its
entrances: the local calendar month in the site's time zone (Europe/Rome), method
``reported`` (the source does not say how it counts).

``DiCui`` ("of which") is, per the dataset's README, "the number of entries referring to
the specific rooms": a *part* of ``Ingressi``, not further visits. Stored as a visit count of
its own it would be added to the total by any sum over entrances, so it is kept only as
text in the count's ``note`` (``"of which 858 to specific rooms (DiCui)"``). The loan and
registration columns are not visits and are not imported.

``alessandria-citizen-reports`` reads ``segnalazioni-municipium.csv``
(``Id;Stato;Anno;Creato;Chiusa;DescrizioneBreve;Categoria``). Each report becomes one
:class:`~torg.inquiries.models.Inquiry` at the site with code ``comune``, at the service
point named in ``DescrizioneBreve`` (the receiving channel, "App Municipium"), with the
channel of that service point's kind. ``Creato`` is a date only: the inquiry is put at
local midnight (Europe/Rome) with ``time_of_day_known=False``. ``source_key`` is
``municipium:<Id>``. ``Stato`` → outcome through :data:`REPORT_OUTCOMES`, ``Categoria`` →
service through :data:`CATEGORY_SERVICES` (both editable below).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from typing import Any

from django.utils.translation import gettext_noop

from torg.catalogue.models import Service
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
from torg.imports.profiles.common import local_day_start, local_period_text
from torg.imports.registry import register
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.lib.localtime import FIRST_DAY, LAST_DAY, add_months
from torg.lib.tabular import PLAIN, normalise_header, parse_iso_date
from torg.organisation.models import ServicePoint, ServicePointKind, Site
from torg.visits.models import CountMethod, VisitCount

logger = logging.getLogger(__name__)

LIBRARY_SITE = "biblioteca"
CITIZEN_SERVICE_SITE = "comune"

MONTHS = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
}

_YEAR_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _site(run: ImportRun, code: str, what: str) -> Site:
    municipality = run.require_municipality()
    site = Site.objects.filter(municipality=municipality, code=code).first()
    if site is None:
        raise ImportRefused(
            f"{municipality.name} has no site with code {code!r} ({what}); create it first "
            "(`torg demo` does)."
        )
    return site


@register
class AlessandriaLibraryEntriesProfile(Profile):
    name = "alessandria-library-entries"
    title = gettext_noop(
        "Alessandria: monthly entries to the civic library (ingressi-biblioteca-YYYY.csv)"
    )
    scope = Scope.TENANT
    source = "Comune di Alessandria, open data: dataset ingressi-biblioteca (CC BY 4.0)"
    key_columns = ("Mese",)
    columns = (
        Column("Mese", "month", parse=choice_parser(MONTHS, what="Italian month name")),
        Column("Ingressi", "entries", parse=PLAIN.parse_count),
        Column("DiCui", "of_which", parse=PLAIN.parse_count, allow_empty=True, optional=True),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(VisitCount, ("site_id", "entrance", "period_start", "period_end"))

    def begin(self, run: ImportRun) -> None:
        years = _YEAR_IN_NAME.findall(run.file_name)
        if not years:
            # ingressi-biblioteca-2103.csv: a year, but not one Torg accepts.
            years = _FOUR_DIGITS.findall(run.file_name)
        if len(years) != 1:
            raise ImportRefused(
                f"{run.file_name}: the year of the counts must be in the file name, as in "
                "ingressi-biblioteca-2023.csv"
                + (f" (found several: {', '.join(years)})." if years else ".")
            )
        self.year = int(years[0])
        if not FIRST_DAY.year <= self.year <= LAST_DAY.year:
            raise ImportRefused(
                f"{run.file_name}: the year in the file name, {years[0]}, is outside the years "
                f"Torg accepts ({FIRST_DAY.year}–{LAST_DAY.year})."
            )
        self.site = _site(run, LIBRARY_SITE, "the civic library")
        self.municipality_id = run.require_municipality().pk

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        first = dt.date(self.year, values["month"], 1)
        of_which = values.get("of_which")
        if of_which is not None and of_which > values["entries"]:
            raise RowError("DiCui (of which) is larger than Ingressi", "DiCui", str(of_which))
        zone_name = self.site.time_zone
        return {
            "municipality_id": self.municipality_id,
            "site_id": self.site.pk,
            "entrance": "",
            "period_start": local_day_start(first, zone_name),
            "period_end": local_day_start(add_months(first, 1), zone_name),
            "count": values["entries"],
            "method": CountMethod.REPORTED,
            "note": f"of which {of_which} to specific rooms (DiCui)" if of_which else "",
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"the month {local_period_text(key[2], key[3], self.site.time_zone)}"


# Stato (the report's state in Municipium) → outcome. A report is never resolved at the
# first line: the app routes it to the municipal team in charge. So:
#   chiusa (closed) and archiviata (archived; every one has a closing date) → RESOLVED, read
#     as "the municipality dealt with it and closed it";
#   aperta (open) and in carico (taken in charge) → REFERRED_INTERNAL, still with the team;
#   annullata (cancelled) and eliminata (deleted) → NOT_RESOLVED.
REPORT_OUTCOMES: dict[str, str] = {
    "chiusa": Outcome.RESOLVED,
    "archiviata": Outcome.RESOLVED,
    "aperta": Outcome.REFERRED_INTERNAL,
    "in carico": Outcome.REFERRED_INTERNAL,
    "annullata": Outcome.NOT_RESOLVED,
    "eliminata": Outcome.NOT_RESOLVED,
}

# Categoria → code of a service in the municipality's catalogue (Torg's default catalogue
# has these codes). Edit to fit a municipality's own catalogue. An empty or unlisted
# category, or a code the municipality's catalogue lacks, gives an inquiry without a
# service (domain unknown); the import does not fail on it.
CATEGORY_SERVICES: dict[str, str] = {
    "Buche": "report-roads",
    "Illuminazione pubblica": "report-street-lights",
    "Verde pubblico": "report-parks",
    "Parchi gioco e aree cani": "report-playgrounds",
    "Acquedotto e fognature": "report-water-sewer",
    "Disinfestazione (topi, blatte, vespe, piccioni)": "report-pests",
    "Semafori e segnaletica stradale": "report-traffic-signs",
    "Tombini": "report-drains",
    "Arredo urbano": "report-urban-furniture",
    "Cimiteri": "report-cemeteries",
    "Accessibilità ed inclusione delle persone con disabilità": "report-accessibility",
    "Tutela animali": "report-animals",
    "Idee e proposte": "ideas-proposals",
    "Altro": "report-other",
}

CHANNEL_OF_KIND: dict[str, str] = {
    ServicePointKind.DESK: Channel.IN_PERSON,
    ServicePointKind.PHONE: Channel.PHONE,
    ServicePointKind.CHAT: Channel.CHAT,
    ServicePointKind.EMAIL: Channel.EMAIL,
    ServicePointKind.DIGITAL_FORM: Channel.DIGITAL_FORM,
}


@register
class AlessandriaCitizenReportsProfile(Profile):
    name = "alessandria-citizen-reports"
    title = gettext_noop(
        "Alessandria: citizens' reports made in the Municipium app (segnalazioni-municipium.csv)"
    )
    scope = Scope.TENANT
    source = "Comune di Alessandria, open data: dataset segnalazioni-municipium (CC BY 4.0)"
    columns = (
        Column("Id", "id", parse=lambda text: str(PLAIN.parse_int(text))),
        Column("Stato", "outcome", parse=choice_parser(REPORT_OUTCOMES, what="state (Stato)")),
        Column("Creato", "created", parse=parse_iso_date),
        Column("DescrizioneBreve", "channel", parse=str.strip),
        Column("Categoria", "category", parse=str.strip, allow_empty=True),
    )

    def writer(self) -> UpsertWriter:
        return UpsertWriter(Inquiry, ("municipality_id", "source_key"))

    def begin(self, run: ImportRun) -> None:
        municipality = run.require_municipality()
        self.municipality_id = municipality.pk
        self.site = _site(run, CITIZEN_SERVICE_SITE, "the citizen service centre")
        self.service_points = {
            normalise_header(point.name): point
            for point in ServicePoint.objects.filter(site=self.site)
        }
        services = {
            service.code: service
            for service in Service.objects.filter(
                municipality=municipality, code__in=set(CATEGORY_SERVICES.values())
            )
        }
        self.services: dict[str, Service | None] = {
            normalise_header(category): services.get(code)
            for category, code in CATEGORY_SERVICES.items()
        }
        missing = sorted(set(CATEGORY_SERVICES.values()) - set(services))
        if missing:
            logger.warning(
                "%s has no service(s) %s in its catalogue; reports in those categories get no "
                "service (domain unknown).",
                municipality.name,
                ", ".join(missing),
            )
        self.unmapped: Counter[str] = Counter()

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        point = self.service_points.get(normalise_header(values["channel"]))
        if point is None:
            known = ", ".join(sorted(p.name for p in self.service_points.values())) or "none"
            raise RowError(
                f"{self.site.name} has no service point called this (known: {known})",
                "DescrizioneBreve",
                values["channel"],
            )
        category = normalise_header(values["category"] or "")
        service = self.services.get(category) if category else None
        if category and category not in self.services:
            if not self.unmapped[category]:
                logger.warning(
                    "Category %r is not in CATEGORY_SERVICES; its reports get no service.",
                    values["category"],
                )
            self.unmapped[category] += 1
        return {
            "municipality_id": self.municipality_id,
            "site_id": self.site.pk,
            "service_point_id": point.pk,
            "occurred_at": local_day_start(values["created"], self.site.time_zone),
            "time_of_day_known": False,
            "channel": CHANNEL_OF_KIND.get(point.kind, Channel.OTHER),
            "service_id": service.pk if service else None,
            "domain": service.domain if service else InquiryDomain.UNKNOWN,
            "outcome": values["outcome"],
            "read_effort": None,
            "source_key": f"municipium:{values['id']}",
            "created_by_id": None,
        }

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return f"report {key[1].removeprefix('municipium:')}"
