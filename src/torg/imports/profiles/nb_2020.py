"""Norway's public library statistics 2020 per municipality (Nasjonalbiblioteket,
*folkebibliotekstatistikk*), the file ``folkebibl-2020-kommuner.csv``: 355 municipalities,
212 columns.

Every row becomes one :class:`~torg.visits.models.AnnualLibraryStatistics` (country NO, year
2020), keyed on (country, year, municipality number). The columns named in
:data:`FIELD_COLUMNS` fill the model's fields; every other column goes into ``extra`` under
its header (whitespace collapsed), so nothing in the file is lost.

How the file writes numbers, and how they are read:

* integers as text with a space between thousands and a trailing space (``"307 528 "``),
  or as decimals with a zero fraction (``3024.0``, ``43.0``);
* decimals (full-time equivalents, opening hours) with a decimal comma (``"17,4"``);
* an empty cell is a missing value and stays ``None`` (Drammen, 3005, has no figure for
  visits in staffed hours): never zero;
* ``-`` is Statistics Norway's standard symbol for *nil* ("Null": the true value is 0; see
  SSB, "Standardtegn i tabeller"). It occurs 18 times, e.g. for the opening hours of
  branches in municipalities with a single library unit (Notodden, Ørsta), and is read as 0;
* municipality and county numbers come as decimals (``301.0``) and are stored as the
  official zero-padded codes (``"0301"`` for Oslo, county ``"03"``).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_noop

from torg.imports.framework import Column, ImportRun, Profile, Record, Scope, UpsertWriter
from torg.imports.registry import register
from torg.lib.tabular import MAX_COUNT, NORWEGIAN, SPACE_GROUPED
from torg.visits.models import AnnualLibraryStatistics

YEAR = 2020
COUNTRY = "NO"

NIL = "-"  # Statistics Norway's symbol for a true zero


def _decimal(text: str) -> Decimal:
    """A number as this file writes it (``"307 528 "``, ``"3024.0"``, ``"17,4"``, ``"-"``)."""
    value = text.strip()
    if value == NIL:
        return Decimal(0)
    if "," in value:
        return NORWEGIAN.parse_decimal(value)
    return SPACE_GROUPED.parse_decimal(value)


def count(text: str) -> int:
    """A whole number from 0 to :data:`~torg.lib.tabular.MAX_COUNT`; raises ``ValueError``
    for anything else."""
    number = _decimal(text)
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    if number < 0:
        raise ValueError("cannot be negative")
    if number > MAX_COUNT:
        raise ValueError(f"is larger than {MAX_COUNT:,}, the largest count Torg stores")
    return int(number)


def amount(text: str) -> Decimal:
    """A decimal number ≥ 0 (hours, weeks, full-time equivalents)."""
    number = _decimal(text)
    if number < 0:
        raise ValueError("cannot be negative")
    return number


def code(width: int) -> Any:
    """A municipality or county number written as ``301.0``, as a zero-padded code."""

    def parse(text: str) -> str:
        number = SPACE_GROUPED.parse_decimal(text)
        if number != number.to_integral_value() or number <= 0:
            raise ValueError("not a municipality or county number")
        value = str(int(number)).zfill(width)
        if len(value) != width:
            raise ValueError(f"has more than {width} digits")
        return value

    return parse


def extra_value(text: str) -> int | float | str:
    """A cell kept in ``extra``: a number when it is one (JSON int or float), else the
    trimmed text (``Ja``, ``Nei``, free text)."""
    value = text.strip()
    try:
        number = _decimal(value)
    except ValueError:
        return value
    if number == number.to_integral_value():
        return int(number)
    as_float = float(number)
    # A number beyond a float's range would be written as Infinity, which is no JSON.
    return as_float if math.isfinite(as_float) else value


# Model field → the header of its column in the file.
FIELD_COLUMNS: dict[str, str] = {
    "population_children": "0-14 år per 1.1.2020",
    "population_total": "Totalt per 1.1.2020",
    "visits_total": "Besøk totalt",
    "visits_staffed_hours": "Besøk i betjent åpningstid",
    "events_total": "Alle typer arrangement totalt",
    "events_attendance": "Alle typer arrangement fremmøtte",
    "own_events_debate": "Egne arrangement - debatt - totalt",
    "own_events_debate_children": "Egne arrangement - debatt - barn",
    "own_events_debate_attendance": "Egne arrangement - debatt - fremmøtte",
    "own_events_culture": "Egne arrangement - kultur - totalt",
    "own_events_culture_children": "Egne arrangement - kultur - barn",
    "own_events_culture_attendance": "Egne arrangement - kultur - fremmøtte",
    "own_events_training": "Egne arrangement - opplæring - totalt",
    "own_events_training_children": "Egne arrangement - opplæring - barn",
    "own_events_training_attendance": "Egne arrangement - opplæring - fremmøtte",
    "own_events_library_information": "Egne arrangement - bibliotekinfo - totalt",
    "own_events_library_information_children": "Egne arrangement - bibliotekinfo - barn",
    "own_events_library_information_attendance": "Egne arrangement - bibliotekinfo - fremmøtte",
    "external_events_debate": "Eksterne arrangement - debatt - totalt",
    "external_events_debate_children": "Eksterne arrangement - debatt - barn",
    "external_events_debate_attendance": "Eksterne arrangement - debatt - fremmøtte",
    "external_events_culture": "Eksterne arrangement - kultur - totalt",
    "external_events_culture_children": "Eksterne arrangement - kultur - barn",
    "external_events_culture_attendance": "Eksterne arrangement - kultur - fremmøtte",
    "external_events_training": "Eksterne arrangement - opplæring - totalt",
    "external_events_training_children": "Eksterne arrangement - opplæring - barn",
    "external_events_training_attendance": "Eksterne arrangement - opplæring - fremmøtte",
    "events_schools_kindergartens": "Arrangement for skoler og barnehager - totalt",
    "events_schools_kindergartens_attendance": (
        "Arrangement for skoler og barnehager - totalt fremmøtte"
    ),
    "events_digital": "Antall digitale arrangement",
    "events_digital_attendance": "Antall deltakere/ tilskuere - digitale arrangement",
    "loans_first_time_total": "Førstegangslån totalt",
    "staffed_hours_main_before_17": "Betjent åpningstid, hoved-biblioteket, timer før 1700",
    "staffed_hours_main_after_17": "Betjent åpningstid, hoved-biblioteket, timer etter 1700",
    "staffed_weeks_main": "Betjent åpningstid, hoved-biblioteket, uker per år",
    "self_service_hours_main": "Åpningstider, hoved-biblioteket, meråpent",
    "staffed_hours_branches_before_17": "Betjent åpningstid, avdelingene, timer før 1700",
    "staffed_hours_branches_after_17": "Betjent åpningstid, avdelingene, timer etter 1700",
    "self_service_hours_branches": "Åpningstid, avdelingene, meråpent",
    "library_units": "Antall faste bibliotek-enheter",
    "full_time_equivalents": "Antall årsverk",
}

# Every other column of the 2020 file; its cells go into ``extra`` under these headers.
EXTRA_HEADERS: tuple[str, ...] = (
    "Antall kommuner i fylket",
    "15 år og eldre per 1.1.2020",
    "Arrangement skoler - totalt",
    "Arrangement skoler - fremmøtte",
    "Arrangement barnehager - totalt",
    "Arrangement barnehager - fremmøtte",
    "Egne arrangement (ikke skoler/ barnehager) - totalt",
    "Egne arrangement (ikke skoler/ barnehager) - totalt frammøtte",
    "Eksterne arrangement totalt",
    "Eksterne arrangement frammøtte",
    "Antall virtuelle besøk",
    "Antall sidevisninger",
    "Antall unike brukere",
    "Følger hjemme-sidene WAI-standarden",
    "Sosiale medier biblioteket er tilstede på",
    "Digitaliserte og registrerte objekter",
    "Førstegangslån, fagbøker for barn",
    "Fornyelser, fagbøker for barn",
    "Førstegangslån, skjønnlitteratur for barn",
    "Fornyelser, skjønnlitteratur for barn",
    "Førstegangslån, fagbøker for voksne",
    "Fornyelser, fagbøker for voksne",
    "Førstegangslån, skjønnlitteratur for voksne",
    "Fornyelser, skjønnlitteratur for voksne",
    "Førstegangslån bøker",
    "Førstegangslån, lydbøker for barn",
    "Fornyelser, lydbøker for barn",
    "Førstegangslån, lydbøker for voksne",
    "Fornyelser, lydbøker for voksne",
    "Førstegangslån, musikk-innspillinger for barn",
    "Fornyelser, musikk-innspillinger for barn",
    "Førstegangslån, musikk-innspillinger for voksne",
    "Fornyelser, musikk-innspillinger for voksne",
    "Førstegangslån, film for barn",
    "Fornyelser, film for barn",
    "Førstegangslån, film for voksne",
    "Fornyelser, film for voksne",
    "Førstegangslån, annet",
    "Fornyelser, annet",
    "Førsstegangslån andre medier enn bøker",
    "Nedlastede e-bøker for barn",
    "Nedlastede e-bøker for voksne",
    "Nedlasting av e-bøker totalt",
    "Nedlastede e-lydbøker for barn",
    "Nedlastede e-lydbøker for voksne",
    "Nedlasting av e-lydbøker totalt",
    "Nedlastede digitale tidsskrifter og aviser",
    "Nedlastede digitale tekstbaserte dokumenter",
    "Nedlastede digitale audiovisuelle dokumenter",
    "Nedlasting av andre medier enn e-bøker/e-lydbøker totalt",
    "Søk, fulltekst-databaser",
    "Søk, andre databaser",
    "Viste poster, andre databaser",
    "Aktive lånere, 0-13 år, egen kommune",
    "Aktive lånere, 0-13 år, annen kommune",
    "Aktive lånere, 14-18 år, egen kommune",
    "Aktive lånere, 14-18 år, annen kommune",
    "Aktive lånere, 19-44 år, egen kommune",
    "Aktive lånere, 19-44 år, annen kommune",
    "Aktive lånere, 45 år og eldre, egen kommune",
    "Aktive lånere, 45 år og eldre, annen kommune",
    "Aktive lånere, uten aldersangivelse, egen kommune",
    "Aktive lånere, uten aldersangivelse, annen kommune",
    "Aktive personlige lånere totalt",
    "Aktive lånere, institusjoner",
    "Aktive lånere totalt",
    "Fjernlån: Bøker/ dokumenter sendt",
    "Innlån: Bøker/ dokumenter mottatt",
    "Bestand, fagbøker for barn",
    "Bestand, skjønnlitteratur for barn",
    "Bestand, fagbøker voksne",
    "Bestand, skjønnlitteratur for voksne",
    "Total bokbestand",
    "Tilvekst, fagbøker for barn",
    "Tilvekst, skjønnlitteratur for barn",
    "Tilvekst, fagbøker voksne",
    "Tilvekst, skjønnlitteratur for voksne",
    "Total tilvekst bøker",
    "Bestand, abonnement (tidsskrift/ aviser)",
    "Bestand, lydbøker for barn",
    "Bestand, lydbøker for voksne",
    "Bestand, musikk-innspillinger for barn",
    "Bestand, musikk-innspillinger for voksne",
    "Bestand, film for barn",
    "Bestand, film for voksne",
    "Bestand, annet",
    "Bestand andre medier enn bøker",
    "Total bestand",
    "Tilvekst, abonnement (tidsskrift/ aviser)",
    "Tilvekst, lydbøker for barn",
    "Tilvekst, lydbøker for voksne",
    "Tilvekst, musikk-innspillinger for barn",
    "Tilvekst, musikk-innspillinger for voksne",
    "Tilvekst, film for barn",
    "Tilvekst, film for voksne",
    "Tilvekst, annet",
    "Tilvekst andre medier enn bøker",
    "Total tilvekst",
    "Bestand, e-bøker for barn, titler",
    "Bestand, e-bøker for voksne, titler",
    "Bestand, e-lydbøker for barn, titler",
    "Bestand, e-lydbøker for voksne, titler",
    "Bestand, andre digitale tekstbaserte dokumenter, titler",
    "Bestand, andre digitale audiovisuelle dokumenter, titler",
    "Bestand, abonnement tidsskrifter og aviser - fulltekst, titler",
    "Bestand, e-bøker for barn, lisenser",
    "Bestand, e-bøker for voksne, lisenser",
    "Bestand, e-lydbøker for barn, lisenser",
    "Bestand, e-lydbøker for voksne, lisenser",
    "Bestand, andre digitale tekstbaserte dokumenter, lisenser",
    "Bestand, andre digitale audiovisuelle dokumenter, lisenser",
    "Bestand, abonnement tidsskrifter og aviser - fulltekst, lisenser",
    "Tilvekst, e-bøker for barn",
    "Tilvekst, e-bøker for voksne",
    "Tilvekst, e-lydbøker for barn",
    "Tilvekst, e-lydbøker for voksne",
    "Tilvekst, andre digitale tekstbaserte dokumenter",
    "Tilvekst, andre digitale audiovisuelle dokumenter",
    "Tilvekst, abonnement tidsskrifter og aviser - fulltekst",
    "Bestand, fulltekst-databaser",
    "Bestand, andre databaser",
    "Tilvekst, fulltekst-databaser",
    "Tilvekst, andre databaser",
    "Innkjøps-ordningene, medier mottatt",
    "Arkivmateriale",
    "Fagutdannet biblioteksjef",
    "Fagutdannede bibliotekarer, antall",
    "Fagutdannede bibliotekarer, årsverk",
    "Personale med annen høyere utdanning, antall",
    "Personale med annen høyere utdanning, årsverk",
    "Annet kontor-/fagpersonale, antall",
    "Annet kontor-/fagpersonale, årsverk",
    "Andre, antall",
    "Andre, årsverk",
    "Antall ansatte",
    "Betjent åpningstid, hoved-biblioteket, redusert åpningstid, uker per år",
    "Betjent åpningstid, hoved-biblioteket, lørdagsåpent",
    "Betjent åpningstid, hoved-biblioteket, søndagsåpent",
    "Betjent åpningstid, avdelingene, uker per år",
    "Betjent åpningstid, redusert åpningstid, uker per år",
    "Betjent åpningstid, avdelingene, lørdagsåpne avd.",
    "Betjent åpningstid, avdelingene, søndagsåpne avd.",
    "Antall hjemme-boende lånere",
    "Antall besøk hos hjemme-boende lånere",
    "Antall institusjoner som betjenes",
    "Antall besøk ved institusjoner",
    "Depot-samlinger ved institusjoner",
    "Antall prosjekt biblioteket har arbeidet med?",
    "Ekstern støtte til prosjektarbeid",
    "Prosjektstøtte i tillegg til ordinært driftsbudsjett",
    "Dagsverk brukt til faglige kurs og konferanser",
    "Samarbeid med skoler",
    "Samarbeid med annen offentlig virksomhet",
    "Samarbeid med frivillige organisasjoner",
    "Samarbeid med andre",
    "Areal",
    "Kombinasjons-bibliotek med grunnskole",
    "Kombinasjons-bibliotek med videregående skole",
    "Kombinasjons-bibliotek med annen skole/ institusjon",
    "Utlånssteder utenfor biblioteket",
    "Leseplasser ved hoved-biblioteket",
    "Leseplasser ved avdelingene",
    "Nye lokaler",
    "Antall mobile enheter",
    "Antall stoppesteder for mobile enheter",
    "Regnskap, lønn og sosiale utgifter",
    "Regnskap, kjøp av medier",
    "Regnskap lønn- og medieutgifter totalt",
)

DECIMAL_FIELDS = frozenset(
    f.name
    for f in AnnualLibraryStatistics._meta.concrete_fields
    if f.get_internal_type() == "DecimalField"
)


def _columns() -> tuple[Column, ...]:
    columns = [
        Column("Fylkesnr.", "county_number", parse=code(2)),
        Column("Kommunenr.", "municipality_number", parse=code(4)),
        Column("Kommune", "municipality_name", parse=str.strip),
    ]
    for field, header in FIELD_COLUMNS.items():
        parse = amount if field in DECIMAL_FIELDS else count
        columns.append(Column(header, field, parse=parse, allow_empty=True))
    for index, header in enumerate(EXTRA_HEADERS):
        columns.append(
            Column(header, f"extra_{index}", parse=extra_value, allow_empty=True, optional=True)
        )
    return tuple(columns)


@register
class NbFolkebibliotek2020Profile(Profile):
    name = "nb-folkebibliotek-2020"
    title = gettext_noop(
        "Norway: public library statistics 2020 per municipality (Nasjonalbiblioteket)"
    )
    scope = Scope.NATIONAL
    country = COUNTRY
    source = "Nasjonalbiblioteket, folkebibliotekstatistikk 2020 (folkebibl-2020-kommuner.csv)"
    columns = _columns()
    key_columns = ("Kommunenr.",)

    def writer(self) -> UpsertWriter:
        return UpsertWriter(AnnualLibraryStatistics, ("country", "year", "municipality_number"))

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        record: Record = {
            "country": COUNTRY,
            "year": YEAR,
            "municipality_number": values["municipality_number"],
            "municipality_name": values["municipality_name"],
            "county_number": values["county_number"],
        }
        for field in FIELD_COLUMNS:
            record[field] = values[field]
        record["extra"] = {
            header: values.get(f"extra_{index}") for index, header in enumerate(EXTRA_HEADERS)
        }
        return record

    def describe_key(self, key: tuple[Any, ...]) -> str:
        country, year, number = key
        return f"municipality {number} ({country}, {year})"
