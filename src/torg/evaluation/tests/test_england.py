"""England 2023-24 as a cross-section, against scipy's Welch test and a hand sum of the
raw file."""

from __future__ import annotations

import csv
import math
from collections import defaultdict

import numpy as np
import pytest
from scipy import stats

from torg.demo.setup import ENGLAND_DIR, data_path
from torg.evaluation.england import SHARED, england_comparison
from torg.evaluation.methods import cross_section

VISITS = data_path(f"{ENGLAND_DIR}/visits.csv")


def test_the_england_comparison_agrees_with_scipy_welch_on_hand_summed_totals():
    months = {"P1M": 1, "P3M": 3, "P1Y": 12}
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    with VISITS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Location"] in ("Library", SHARED):
                pair = totals[(row["Authority"], row["Location"])]
                pair[0] += int(row["Count"])
                pair[1] += months[row["Period"].split("/")[1]]
    library = [v for (a, loc), (v, m) in totals.items() if loc == "Library" and m == 12 and v > 0]
    shared = [v for (a, loc), (v, m) in totals.items() if loc == SHARED and m == 12 and v > 0]
    comparison = england_comparison(VISITS)
    effect = comparison.result.effect
    assert effect is not None
    assert comparison.result.first.units == len(library)
    assert comparison.result.second.units == len(shared)
    welch = stats.ttest_ind(np.log(shared), np.log(library), equal_var=False)
    assert effect.log_ratio / effect.std_error == pytest.approx(welch.statistic, rel=1e-9)
    assert effect.log_ratio == pytest.approx(
        np.log(shared).mean() - np.log(library).mean(), rel=1e-12
    )
    assert "not a before/after" in comparison.result.assumptions[0]


def test_a_cross_section_with_one_unit_in_a_group_refuses():
    result = cross_section([10.0, 20.0], [15.0])
    assert result.effect is None
    assert result.refusal is not None


def test_a_cross_section_hand_case():
    # logs: a = ln 10, ln 40 (mean ln 20); b = ln 20, ln 80 (mean ln 40): ratio 2.
    result = cross_section([10.0, 40.0], [20.0, 80.0])
    assert result.effect is not None
    assert result.effect.ratio == pytest.approx(2.0)
    var = (math.log(40) - math.log(10)) ** 2 / 2 / 2  # s² = (d²/2), divided by n = 2
    assert result.effect.std_error == pytest.approx(math.sqrt(2 * var))
