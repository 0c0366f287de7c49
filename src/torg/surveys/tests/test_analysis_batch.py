"""The one-call analysis (used by the benchmark and large exports) against a plain loop."""

from __future__ import annotations

import numpy as np
import pytest

from torg.surveys.analysis import LevelCounts, grouped_level_counts, level_counts, likert_summary
from torg.surveys.analysis.batch import Grouping, analyse


def test_counts_match_a_plain_python_loop_for_int8_codes():
    rng = np.random.default_rng(1)
    codes = rng.integers(-1, 6, size=(500, 7)).astype(np.int8)
    groups = rng.integers(0, 4, size=500).astype(np.int16)
    table = grouped_level_counts(codes, groups, 4, 5)
    for j in range(7):
        for g in range(4):
            expected = level_counts(codes[groups == g, j], 5)
            assert tuple(table[j, g, 2:]) == expected.counts
            assert (table[j, g, 0], table[j, g, 1]) == (expected.dont_know, expected.missing)


def test_analyse_suppresses_a_small_group_and_its_complement_per_statement():
    # 3 groups: 20, 9 and 2 respondents, everyone answers level 4 on one statement.
    index = np.array([0] * 20 + [1] * 9 + [2] * 2)
    codes = np.full((31, 1), 4, dtype=np.int8)
    result = analyse(codes, 5, {"site": Grouping(["a", "b", "c"], index)})["site"]
    cells = result.cells[0]
    assert cells[2].hidden and cells[2].summary is None  # 2 < 5
    assert cells[1].hidden  # else 31 - 20 - 9 = 2 would reveal group c
    assert not cells[0].hidden and cells[0].summary == likert_summary(LevelCounts((0, 0, 0, 20, 0)))
    assert cells[0].agree is not None and cells[0].agree.share == 1


def test_analyse_refuses_bad_group_numbers():
    with pytest.raises(ValueError, match="group numbers must be in 0"):
        analyse(np.ones((2, 1), dtype=np.int8), 5, {"x": Grouping(["a"], np.array([0, 1]))})
