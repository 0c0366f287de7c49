"""Group comparisons against the plain-Python reference and hand-computed numbers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from torg.surveys.analysis import (
    Caveat,
    LevelCounts,
    chi_square_groups,
    cohens_h,
    counts_from_row,
    grouped_level_counts,
    share_agree,
    two_proportion_z,
)
from torg.surveys.tests.test_analysis_likert import PISA_LEVELS, coded
from torg.testing.factories import shared_data_file

REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "likert_reference.json").read_text(encoding="utf-8")
)


@pytest.mark.shared_data
def test_pisaitems_countries_differ_as_the_reference_says() -> None:
    path = shared_data_file("likert-surveys/r-likert-package/pisaitems_ST24.csv")
    header, countries, codes = coded(path, PISA_LEVELS, 1)
    names = sorted(set(countries))
    table = grouped_level_counts(codes, np.array([names.index(c) for c in countries]), 3, 4)
    for j, item in enumerate(header):
        by_country = {name: counts_from_row(table[j, g]) for g, name in enumerate(names)}
        expected = REFERENCE["pisaitems_tests"][item]
        result = chi_square_groups(by_country)
        assert result.chi2 == pytest.approx(expected["chi2"], rel=1e-10)
        assert result.dof == 6
        assert result.p_value == pytest.approx(expected["p_value"], rel=1e-6)
        assert result.cramers_v == pytest.approx(expected["cramers_v"], rel=1e-10)
        assert result.warnings == ()
        canada = share_agree(by_country["Canada"])
        mexico = share_agree(by_country["Mexico"])
        z = two_proportion_z(canada.count, canada.n, mexico.count, mexico.n)
        assert z.z == pytest.approx(expected["z_canada_mexico"], rel=1e-10)
        assert z.p_value == pytest.approx(expected["p_canada_mexico"], rel=1e-6)
        assert z.cohens_h == pytest.approx(expected["cohens_h_canada_mexico"], rel=1e-10)


def test_a_two_by_two_table_by_hand() -> None:
    # Group A: 10 disagree, 30 agree; group B: 20 disagree, 20 agree (2-point scale).
    # Expected counts 15, 25 / 15, 25; chi2 = 2 * (25/15 + 25/25) = 5.3333; V = sqrt(5.333/80)
    # = 0.2582. Two-proportion z: p1 = 0.75, p2 = 0.5, pooled 0.625,
    # se = sqrt(0.625 * 0.375 * 0.05) = 0.10825, z = 2.3094 = sqrt(chi2) as it must be.
    groups = {"A": LevelCounts((10, 30)), "B": LevelCounts((20, 20))}
    chi = chi_square_groups(groups)
    assert chi.chi2 == pytest.approx(16 / 3)
    assert chi.dof == 1
    assert chi.cramers_v == pytest.approx(0.258199, abs=1e-6)
    z = two_proportion_z(30, 40, 20, 40)
    assert z.z == pytest.approx(2.309401, abs=1e-6)
    assert z.z**2 == pytest.approx(chi.chi2)
    assert z.p_value == pytest.approx(chi.p_value)
    assert z.cohens_h == pytest.approx(
        2 * math.asin(math.sqrt(0.75)) - 2 * math.asin(math.sqrt(0.5))
    )
    assert cohens_h(0.5, 0.5) == 0


def test_small_groups_come_with_a_warning() -> None:
    groups = {"site A": LevelCounts((1, 2, 0, 1)), "site B": LevelCounts((10, 12, 9, 8))}
    result = chi_square_groups(groups, min_group=5)
    assert Caveat.SMALL_GROUP in result.warnings
    assert Caveat.SMALL_EXPECTED in result.warnings
    assert Caveat.SMALL_EXPECTED in two_proportion_z(1, 4, 17, 39).warnings


def test_one_group_or_one_level_cannot_be_tested() -> None:
    result = chi_square_groups({"A": LevelCounts((5, 0, 0)), "B": LevelCounts((7, 0, 0))})
    assert Caveat.TOO_FEW_GROUPS in result.warnings
    assert math.isnan(result.p_value)


def test_identical_shares_have_no_z_statistic_and_bad_counts_are_refused() -> None:
    assert math.isnan(two_proportion_z(0, 10, 0, 12).z)
    with pytest.raises(ValueError, match="count 11 of n 10"):
        two_proportion_z(11, 10, 1, 2)
