"""The Norwegian library statistics 2020 against figures computed independently from the raw
file (see ``reference/nb_folkebibliotek_2020.json`` for how)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from torg.imports.framework import ImportRefused, ImportResult, run_import
from torg.testing.factories import demo_data_file, make_municipality
from torg.visits.models import AnnualLibraryStatistics

PROFILE = "nb-folkebibliotek-2020"
REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "nb_folkebibliotek_2020.json").read_text("utf-8")
)

pytestmark = pytest.mark.django_db


def _import(**kwargs: Any) -> ImportResult:
    return run_import(
        PROFILE, demo_data_file("norway-nb-2020/folkebibl-2020-kommuner.csv"), **kwargs
    )


@pytest.fixture
def imported() -> None:
    _import()


def test_it_stores_one_row_per_municipality(imported: None) -> None:
    rows = AnnualLibraryStatistics.objects.filter(country="NO", year=2020)
    assert rows.count() == REFERENCE["rows"] == 355
    assert rows.values("municipality_number").distinct().count() == 355


def test_the_national_total_of_each_figure_matches_the_reference(imported: None) -> None:
    totals = AnnualLibraryStatistics.objects.aggregate(
        **{field: Sum(field) for field in REFERENCE["sums"]}
    )
    stored = {field: round(float(total), 2) for field, total in totals.items()}
    assert stored == {field: float(value) for field, value in REFERENCE["sums"].items()}


def test_empty_cells_stay_missing_rather_than_zero(imported: None) -> None:
    missing = {
        field: AnnualLibraryStatistics.objects.filter(**{f"{field}__isnull": True}).count()
        for field in REFERENCE["empty"]
    }
    assert missing == REFERENCE["empty"]


def test_spot_values_match_the_file(imported: None) -> None:
    for number, expected in REFERENCE["spot"].items():
        row = AnnualLibraryStatistics.objects.get(
            country="NO", year=2020, municipality_number=number
        )
        stored: dict[str, Any] = {
            "municipality_name": row.municipality_name,
            "county_number": row.county_number,
        }
        for field in expected:
            if field.startswith("extra:"):
                stored[field] = row.extra[field.removeprefix("extra:")]
            elif field not in stored:
                value = getattr(row, field)
                stored[field] = None if value is None else float(value)
        assert stored == expected, number


def test_baerum_and_drammen_read_as_the_brief_says(imported: None) -> None:
    baerum = AnnualLibraryStatistics.objects.get(municipality_number="3024")
    drammen = AnnualLibraryStatistics.objects.get(municipality_number="3005")
    assert baerum.visits_total == 307_528
    assert drammen.visits_total == 275_962
    assert drammen.visits_staffed_hours is None
    assert AnnualLibraryStatistics.objects.get(municipality_number="0301").municipality_name == (
        "Oslo"
    )


def test_the_nil_symbol_is_read_as_zero(imported: None) -> None:
    notodden = AnnualLibraryStatistics.objects.get(municipality_number="3808")
    # The file has "-" in the branch hours of Notodden, which has one library unit.
    assert notodden.staffed_hours_branches_before_17 == 0
    assert notodden.staffed_hours_branches_after_17 == 0
    assert notodden.library_units == 1


def test_every_other_column_is_kept_in_extra(imported: None) -> None:
    baerum = AnnualLibraryStatistics.objects.get(municipality_number="3024")
    assert len(baerum.extra) == 212 - 3 - 41  # numbers and name, and the mapped columns
    assert baerum.extra["Fornyelser, fagbøker for barn"] == 9_657
    assert baerum.extra["Følger hjemme-sidene WAI-standarden"] == "Ja"
    assert baerum.extra["Antall kommuner i fylket"] is None
    assert baerum.extra["Fagutdannede bibliotekarer, årsverk"] == 34
    drammen = AnnualLibraryStatistics.objects.get(municipality_number="3005")
    assert drammen.extra["Fagutdannede bibliotekarer, årsverk"] == 17.4


def test_reimporting_adds_nothing() -> None:
    first = _import()
    assert first.created == 355
    again = _import()
    assert again.already_imported
    forced = _import(force=True)
    assert (forced.created, forced.updated, forced.unchanged) == (0, 0, 355)
    assert AnnualLibraryStatistics.objects.count() == 355


def test_it_is_national_data_and_refuses_a_municipality() -> None:
    make_municipality("drammen", number="3005")
    with pytest.raises(ImportRefused, match="national reference data"):
        _import(municipality="drammen")
