"""Comparison of one municipality with the country and with municipalities of similar
population, from the national annual library statistics (:class:`AnnualLibraryStatistics`,
public reference data, not tenant data).

Indicators (Nasjonalbiblioteket's form, *folkebibliotekstatistikk*):

* visits per inhabitant = ``visits_total`` / ``population_total``;
* events per 1,000 inhabitants = 1,000 × ``events_total`` / ``population_total``;
* attendance per 1,000 inhabitants = 1,000 × ``events_attendance`` / ``population_total``.

For a group of municipalities each indicator is given two ways, because they answer
different questions:

* the **median** of the municipalities' own ratios: the typical municipality, each counting
  once whatever its size;
* the **ratio of totals**: the group's summed numerator over its summed population, i.e.
  the figure for the group's inhabitants taken together (large municipalities weigh more).

The groups are the country, the municipality's county (same county number in the file,
the municipality included) and the municipalities of similar population.

Missing stays missing: a municipality whose figure (or population) is empty in the source
is left out of that indicator, and the count left out is reported. Zero is a figure and
counts. *Similar population* is the band from 75 % to 125 % of the chosen municipality's
population, both ends included, the municipality itself excluded.

The computing functions take and return plain dataclasses; only :func:`load_year` and
:func:`available_years` read the database.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from torg.visits.models import AnnualLibraryStatistics

#: Half-width of the population band, as a fraction of the chosen municipality's population.
BAND_FRACTION = Fraction(1, 4)


@dataclass(frozen=True)
class MunicipalityFigures:
    """One municipality's figures for one year. ``None`` means the source cell was empty."""

    number: str
    name: str
    population: int | None
    visits: int | None
    events: int | None
    attendance: int | None
    county: str = ""  # county number as the file writes it ("03"); "" when not given


class Indicator(StrEnum):
    VISITS_PER_INHABITANT = "visits_per_inhabitant"
    EVENTS_PER_1000 = "events_per_1000"
    ATTENDANCE_PER_1000 = "attendance_per_1000"

    @property
    def numerator(self) -> str:
        return {
            "visits_per_inhabitant": "visits",
            "events_per_1000": "events",
            "attendance_per_1000": "attendance",
        }[self.value]

    @property
    def scale(self) -> int:
        """Inhabitants per unit of the denominator: 1 (per inhabitant) or 1,000."""
        return 1 if self is Indicator.VISITS_PER_INHABITANT else 1000

    @property
    def decimals(self) -> int:
        return 2 if self is Indicator.VISITS_PER_INHABITANT else 1

    @property
    def label(self) -> str:
        return str(INDICATOR_LABELS[self])


INDICATOR_LABELS = {
    Indicator.VISITS_PER_INHABITANT: _("Visits per inhabitant"),
    Indicator.EVENTS_PER_1000: _("Events per 1,000 inhabitants"),
    Indicator.ATTENDANCE_PER_1000: _("Attendance per 1,000 inhabitants"),
}


def normalise_number(number: str) -> str:
    """A municipality number without decimals or leading zeros, for matching: ``"0301"``,
    ``"301"`` and ``"301.0"`` all give ``"301"``."""
    text = number.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.lstrip("0") or "0"


def indicator_value(row: MunicipalityFigures, indicator: Indicator) -> float | None:
    """The municipality's own ratio, or ``None`` when the figure or the population is
    missing (or the population is 0, which has no ratio)."""
    numerator: int | None = getattr(row, indicator.numerator)
    if numerator is None or not row.population:
        return None
    return indicator.scale * numerator / row.population


@dataclass(frozen=True)
class GroupStatistic:
    """One indicator over a group. ``included`` municipalities have the figure and a
    population; ``left_out`` do not. ``numerator_total`` and ``population_total`` sum the
    included ones; ``ratio_of_totals`` = scale × numerator_total / population_total."""

    indicator: Indicator
    median: float | None
    ratio_of_totals: float | None
    included: int
    left_out: int
    numerator_total: int
    population_total: int


def group_statistic(rows: Sequence[MunicipalityFigures], indicator: Indicator) -> GroupStatistic:
    """Median and ratio of totals of ``indicator`` over ``rows`` (see the module notes).
    Both are ``None`` when no municipality of the group has the figure."""
    values: list[float] = []
    numerator_total = population_total = 0
    for row in rows:
        value = indicator_value(row, indicator)
        if value is None:
            continue
        values.append(value)
        numerator_total += getattr(row, indicator.numerator)
        population_total += row.population or 0
    return GroupStatistic(
        indicator=indicator,
        median=statistics.median(values) if values else None,
        ratio_of_totals=(
            indicator.scale * numerator_total / population_total if population_total else None
        ),
        included=len(values),
        left_out=len(rows) - len(values),
        numerator_total=numerator_total,
        population_total=population_total,
    )


@dataclass(frozen=True)
class PopulationBand:
    """Populations from ``low`` to ``high`` inhabitants, both included."""

    low: int
    high: int

    def __contains__(self, population: object) -> bool:
        return isinstance(population, int) and self.low <= population <= self.high


def population_band(population: int, fraction: Fraction = BAND_FRACTION) -> PopulationBand:
    """The band ``(1 − fraction) × population`` to ``(1 + fraction) × population``, rounded
    inwards to whole inhabitants (exact arithmetic: 101,386 gives 76,040–126,732)."""
    low = (1 - fraction) * population
    high = (1 + fraction) * population
    return PopulationBand(low=-((-low.numerator) // low.denominator), high=int(high))


@dataclass(frozen=True)
class IndicatorComparison:
    indicator: Indicator
    value: float | None
    country: GroupStatistic
    peers: GroupStatistic
    rank: int | None  # 1 = highest value in the country; None when the value is missing
    ranked: int  # municipalities in the country with a value
    #: The municipalities of the subject's county, the subject included (``None`` when the
    #: file gives the subject no county).
    county: GroupStatistic | None = None


@dataclass(frozen=True)
class Comparison:
    """The chosen municipality against the country and against its population band."""

    subject: MunicipalityFigures
    band: PopulationBand | None  # None when the subject's population is missing
    peers: tuple[MunicipalityFigures, ...]
    country_size: int
    indicators: tuple[IndicatorComparison, ...]
    county_rows: tuple[MunicipalityFigures, ...] = ()


def find(rows: Iterable[MunicipalityFigures], number: str) -> MunicipalityFigures | None:
    """The row with municipality number ``number`` (compared by :func:`normalise_number`)."""
    wanted = normalise_number(number)
    return next((row for row in rows if normalise_number(row.number) == wanted), None)


def compare(
    rows: Sequence[MunicipalityFigures],
    subject: MunicipalityFigures,
    *,
    fraction: Fraction = BAND_FRACTION,
) -> Comparison:
    """Compare ``subject`` (one of ``rows``) with all ``rows`` (the country, the subject
    included), with its county (the rows with the subject's ``county``, the subject
    included) and with the other municipalities in its population band. Returns a
    :class:`Comparison`; raises ``ValueError`` if ``subject`` is not among ``rows``."""
    if subject not in rows:
        raise ValueError(f"{subject.name} is not in the compared rows")
    band = population_band(subject.population, fraction) if subject.population else None
    peers = tuple(
        row for row in rows if band is not None and row is not subject and row.population in band
    )
    county_rows = tuple(row for row in rows if subject.county and row.county == subject.county)
    indicators = []
    for indicator in Indicator:
        value = indicator_value(subject, indicator)
        values = [v for row in rows if (v := indicator_value(row, indicator)) is not None]
        indicators.append(
            IndicatorComparison(
                indicator=indicator,
                value=value,
                country=group_statistic(rows, indicator),
                peers=group_statistic(peers, indicator),
                rank=None if value is None else 1 + sum(1 for v in values if v > value),
                ranked=len(values),
                county=group_statistic(county_rows, indicator) if county_rows else None,
            )
        )
    return Comparison(
        subject=subject,
        band=band,
        peers=peers,
        country_size=len(rows),
        indicators=tuple(indicators),
        county_rows=county_rows,
    )


def load_year(year: int, country: str = "NO") -> list[MunicipalityFigures]:
    """Every municipality's figures for ``year`` in ``country``, ordered by name."""
    rows = AnnualLibraryStatistics.objects.filter(country=country, year=year).order_by(
        "municipality_name", "municipality_number"
    )
    return [
        MunicipalityFigures(
            number=row.municipality_number,
            name=row.municipality_name,
            population=row.population_total,
            visits=row.visits_total,
            events=row.events_total,
            attendance=row.events_attendance,
            county=row.county_number,
        )
        for row in rows
    ]


def available_years(country: str = "NO") -> list[int]:
    """The years with national statistics for ``country``, newest first."""
    return list(
        AnnualLibraryStatistics.objects.filter(country=country)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
