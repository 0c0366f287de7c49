"""The national comparison statistics against figures computed with awk from the raw CSV
(``reference/national_2020.json``; see ``reference/README.md``)."""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from pathlib import Path

import pytest

from torg.testing.factories import demo_data_file
from torg.visits import national
from torg.visits.models import AnnualLibraryStatistics
from torg.visits.national import Indicator, MunicipalityFigures

REFERENCE = json.loads((Path(__file__).parent / "reference" / "national_2020.json").read_text())
KEYS = {
    "visits": Indicator.VISITS_PER_INHABITANT,
    "events": Indicator.EVENTS_PER_1000,
    "attendance": Indicator.ATTENDANCE_PER_1000,
}


def _int(text: str) -> int | None:
    text = text.replace(" ", "").replace("\u00a0", "").strip()
    return int(text) if text else None


@pytest.fixture
def statistics_2020(db) -> None:
    """The 2020 file loaded row by row with the csv module (not through the import
    profile, so that these tests do not depend on it)."""
    path = demo_data_file("norway-nb-2020/folkebibl-2020-kommuner.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        column = {name: index for index, name in enumerate(header)}
        rows = [
            AnnualLibraryStatistics(
                country="NO",
                year=2020,
                municipality_number=row[column["Kommunenr."]].removesuffix(".0").zfill(4),
                municipality_name=row[column["Kommune"]],
                county_number=row[column["Fylkesnr."]].removesuffix(".0").zfill(2),
                population_total=_int(row[column["Totalt per 1.1.2020"]]),
                visits_total=_int(row[column["Besøk totalt"]]),
                events_total=_int(row[column["Alle typer arrangement totalt"]]),
                events_attendance=_int(row[column["Alle typer arrangement fremmøtte"]]),
            )
            for row in reader
        ]
    AnnualLibraryStatistics.objects.bulk_create(rows)


def assert_matches(statistic: national.GroupStatistic, expected: dict) -> None:
    assert statistic.included == expected["included"]
    assert statistic.left_out == expected["left_out"]
    assert statistic.numerator_total == expected["numerator_total"]
    assert statistic.population_total == expected["population_total"]
    for name in ("median", "ratio_of_totals"):
        if expected[name] is None:
            assert getattr(statistic, name) is None
        else:
            assert getattr(statistic, name) == pytest.approx(expected[name], rel=1e-9)


def test_the_whole_country_matches_the_figures_computed_with_awk(statistics_2020):
    rows = national.load_year(2020)
    assert len(rows) == REFERENCE["municipalities"] == 355
    for key, indicator in KEYS.items():
        assert_matches(national.group_statistic(rows, indicator), REFERENCE["country"][key])


@pytest.mark.parametrize("number", sorted(REFERENCE["subjects"]))
def test_each_municipality_and_its_population_band_match_the_awk_figures(statistics_2020, number):
    expected = REFERENCE["subjects"][number]
    rows = national.load_year(2020)
    subject = national.find(rows, number)
    assert subject is not None and subject.name == expected["name"]
    result = national.compare(rows, subject)
    assert result.band is not None
    assert (result.band.low, result.band.high) == (expected["band_low"], expected["band_high"])
    assert len(result.peers) == expected["peers"]
    for item in result.indicators:
        key = item.indicator.numerator
        if expected["value"][key] is None:
            assert item.value is None
        else:
            assert item.value == pytest.approx(expected["value"][key], rel=1e-9)
        assert_matches(item.peers, expected["peers_statistics"][key])
        assert_matches(item.country, REFERENCE["country"][key])


def test_a_municipality_with_an_empty_visit_figure_is_left_out_not_counted_as_zero(
    statistics_2020,
):
    rows = national.load_year(2020)
    hurdal = national.find(rows, "3037")
    assert hurdal is not None and hurdal.visits is None
    result = national.compare(rows, hurdal)
    visits = result.indicators[0]
    assert visits.indicator is Indicator.VISITS_PER_INHABITANT
    assert visits.value is None and visits.rank is None
    assert visits.peers.left_out == 4
    assert visits.country.left_out == 16


def figures(number: str, population: int | None, visits: int | None) -> MunicipalityFigures:
    return MunicipalityFigures(number, f"M{number}", population, visits, 0, 0)


def test_the_median_of_an_even_group_is_the_mean_of_the_two_middle_ratios():
    rows = [figures("1", 100, 100), figures("2", 100, 200), figures("3", 100, 400)]
    rows.append(figures("4", 100, 800))
    statistic = national.group_statistic(rows, Indicator.VISITS_PER_INHABITANT)
    assert statistic.median == 3.0  # (2 + 4) / 2
    assert statistic.ratio_of_totals == 1500 / 400


def test_zero_visits_count_as_a_figure_and_a_missing_population_leaves_a_row_out():
    rows = [figures("1", 100, 0), figures("2", None, 50), figures("3", 100, 300)]
    statistic = national.group_statistic(rows, Indicator.VISITS_PER_INHABITANT)
    assert (statistic.included, statistic.left_out) == (2, 1)
    assert statistic.median == 1.5
    assert statistic.ratio_of_totals == 300 / 200


def test_the_population_band_includes_both_ends_and_excludes_the_municipality_itself():
    subject = figures("1", 1000, 10)
    rows = [subject, figures("2", 750, 1), figures("3", 1250, 1)]
    rows += [figures("4", 749, 1), figures("5", 1251, 1)]
    result = national.compare(rows, subject)
    assert [row.number for row in result.peers] == ["2", "3"]
    assert national.population_band(101386) == national.PopulationBand(76040, 126732)
    assert national.population_band(1000, Fraction(1, 10)) == national.PopulationBand(900, 1100)


def test_municipality_numbers_match_with_or_without_leading_zeros_and_decimals():
    rows = [figures("0301", 1, 1)]
    assert national.find(rows, "301") is rows[0]
    assert national.find(rows, "301.0") is rows[0]
    assert national.find(rows, "3010") is None


def test_the_rank_counts_municipalities_with_a_higher_value():
    rows = [figures("1", 10, 10), figures("2", 10, 30), figures("3", 10, 20)]
    result = national.compare(rows, rows[2])
    assert result.indicators[0].rank == 2
    assert result.indicators[0].ranked == 3


COUNTY_REFERENCE = Path(__file__).parent / "reference" / "county_2020_expected.txt"


def _county_expected() -> dict[str, dict[str, list[str]]]:
    expected: dict[str, dict[str, list[str]]] = {}
    subject = ""
    for line in COUNTY_REFERENCE.read_text().splitlines():
        if line.startswith("# "):
            subject = line[2:]
            expected[subject] = {}
        else:
            key, *values = line.split()
            expected[subject][key] = values
    return expected


@pytest.mark.parametrize("number", ["3005", "301", "5432"])
def test_the_county_group_matches_awk_and_leaves_missing_figures_out(statistics_2020, number):
    rows = national.load_year(2020)
    subject = national.find(rows, number)
    assert subject is not None
    result = national.compare(rows, subject)
    for item in result.indicators:
        included, left_out, numerator, population, ratio = _county_expected()[number][
            {v: k for k, v in KEYS.items()}[item.indicator]
        ]
        assert item.county is not None
        assert item.county.included == int(included)
        assert item.county.left_out == int(left_out)
        assert item.county.numerator_total == int(numerator)
        assert item.county.population_total == int(population)
        assert item.county.ratio_of_totals == pytest.approx(float(ratio), rel=1e-9)
