"""Likert summaries against R ``likert`` on its own example data (pisaitems, sasr).

Two independent references: ``reference/likert_reference.json`` (computed from the raw CSV
by ``reference/compute_likert_reference.py`` in plain Python) and
``reference/r_likert_printed_st24.txt`` (what R's ``likert`` printed for the same data, as
rounded in the package's own slides).
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from torg.surveys.analysis import (
    DONT_KNOW,
    MISSING,
    LevelCounts,
    counts_from_row,
    grouped_level_counts,
    level_counts,
    likert_summary,
    share_agree,
    wilson_interval,
)
from torg.testing.factories import shared_data_file

REFERENCE = Path(__file__).parent / "reference"
PISA_LEVELS = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
SASR_LEVELS = ["Strongly Disagree", "Disagree", "Neither", "Agree", "Strongly Agree"]


def load_reference() -> dict:
    return json.loads((REFERENCE / "likert_reference.json").read_text(encoding="utf-8"))


def coded(path: Path, levels: list[str], first: int) -> tuple[list[str], list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0][first:]
    labels = {label: i + 1 for i, label in enumerate(levels)} | {"": MISSING}
    codes = np.array([[labels[v] for v in row[first:]] for row in rows[1:]], dtype=np.int64)
    return header, [row[0] for row in rows[1:]], codes


@pytest.fixture(scope="module")
def pisa() -> tuple[list[str], list[str], np.ndarray]:
    path = shared_data_file("likert-surveys/r-likert-package/pisaitems_ST24.csv")
    return coded(path, PISA_LEVELS, 1)


@pytest.fixture(scope="module")
def sasr() -> tuple[list[str], list[str], np.ndarray]:
    path = shared_data_file("likert-surveys/r-likert-package/sasr.csv")
    return coded(path, SASR_LEVELS, 0)


def assert_matches(summary, expected: dict) -> None:
    assert summary.answered == expected["answered"]
    assert summary.missing == expected["missing"]
    assert summary.percent == pytest.approx(expected["percent"], abs=1e-9)
    for name in ("low", "neutral", "high", "mean", "sd"):
        assert getattr(summary, name) == pytest.approx(expected[name], abs=1e-9), name


@pytest.mark.shared_data
def test_pisaitems_summary_matches_the_plain_python_reference(pisa) -> None:
    header, _, codes = pisa
    reference = load_reference()["pisaitems"]
    for j, item in enumerate(header):
        counts = level_counts(codes[:, j], 4)
        assert list(counts.counts) == reference[item]["counts"], item
        assert_matches(likert_summary(counts), reference[item])


@pytest.mark.shared_data
def test_sasr_summary_with_a_neutral_level_matches_the_plain_python_reference(sasr) -> None:
    header, _, codes = sasr
    reference = load_reference()["sasr"]
    assert len(header) == 63
    for j, item in enumerate(header):
        counts = level_counts(codes[:, j], 5)
        assert list(counts.counts) == reference[item]["counts"], item
        summary = likert_summary(counts)
        assert_matches(summary, reference[item])
        assert summary.low + summary.neutral + summary.high == pytest.approx(100)


@pytest.mark.shared_data
def test_pisaitems_by_country_matches_the_reference_in_one_bincount(pisa) -> None:
    header, countries, codes = pisa
    names = sorted(set(countries))
    group_index = np.array([names.index(c) for c in countries])
    table = grouped_level_counts(codes, group_index, len(names), 4)
    reference = load_reference()["pisaitems_by_country"]
    for j, item in enumerate(header):
        for g, country in enumerate(names):
            counts = counts_from_row(table[j, g])
            assert list(counts.counts) == reference[item][country]["counts"]
            assert_matches(likert_summary(counts), reference[item][country])


def printed_blocks() -> dict[str, list[list[str]]]:
    blocks: dict[str, list[list[str]]] = {}
    current = ""
    for line in (REFERENCE / "r_likert_printed_st24.txt").read_text().splitlines():
        if line.startswith("["):
            current = line.strip("[]")
        elif line.startswith("##"):
            blocks.setdefault(current, []).append(re.findall(r"-?\d+\.?\d*", line[2:])[-5:])
    return blocks


ST24_ORDER_IN_SLIDES = [
    "ST24Q10", "ST24Q05", "ST24Q08", "ST24Q07", "ST24Q03", "ST24Q11",
    "ST24Q02", "ST24Q01", "ST24Q04", "ST24Q09", "ST24Q06",
]  # fmt: skip


@pytest.mark.shared_data
def test_pisaitems_matches_what_r_likert_printed(pisa) -> None:
    header, countries, codes = pisa
    blocks = printed_blocks()
    # print(l24): percent per level, in item order, rounded by R.
    for j, row in enumerate(blocks["percent"]):
        summary = likert_summary(level_counts(codes[:, j], 4))
        for printed, value in zip(row[-4:], summary.percent, strict=True):
            assert value == pytest.approx(float(printed), abs=0.051 if len(printed) < 5 else 0.0051)
    # summary(l24): low neutral high mean sd, ordered by high (decreasing) as R does.
    summaries = {
        item: likert_summary(level_counts(codes[:, j], 4)) for j, item in enumerate(header)
    }
    by_high = sorted(summaries, key=lambda item: -summaries[item].high)
    assert by_high == ST24_ORDER_IN_SLIDES
    for item, (low, neutral, high, mean, sd) in zip(by_high, blocks["summary"], strict=True):
        summary = summaries[item]
        assert summary.low == pytest.approx(float(low), abs=0.051)
        assert summary.neutral == float(neutral) == 0
        assert summary.high == pytest.approx(float(high), abs=0.051)
        assert summary.mean == pytest.approx(float(mean), abs=0.0051)
        assert summary.sd == pytest.approx(float(sd), abs=0.00051)
    # summary(l24g): the first five items by country.
    names = sorted(set(countries))
    expected = iter(blocks["grouped-summary"])
    for country in names:
        rows = np.array([c == country for c in countries])
        for j in range(5):
            low, _neutral, high, mean, sd = next(expected)
            summary = likert_summary(level_counts(codes[rows, j], 4))
            assert summary.low == pytest.approx(float(low), abs=0.051)
            assert summary.high == pytest.approx(float(high), abs=0.051)
            assert summary.mean == pytest.approx(float(mean), abs=0.0051)
            assert summary.sd == pytest.approx(float(sd), abs=0.00051)


@pytest.mark.shared_data
def test_share_agree_and_wilson_interval_match_the_reference(pisa, sasr) -> None:
    reference = load_reference()
    for data, name, n_levels in ((pisa, "pisaitems", 4), (sasr, "sasr", 5)):
        header, _, codes = data
        for j, item in enumerate(header):
            share = share_agree(level_counts(codes[:, j], n_levels))
            expected = reference[name][item]
            assert share.count == expected["agree"]
            assert share.n == expected["answered"]
            assert share.ci_low == pytest.approx(expected["wilson_low"], abs=1e-12)
            assert share.ci_high == pytest.approx(expected["wilson_high"], abs=1e-12)


def test_a_small_statement_checked_by_hand() -> None:
    # 10 respondents on a 5-point scale: 1, 2, 2, 3, 4, 4, 4, 5, plus one "don't know" and
    # one blank. Answered 8; percent 12.5, 25, 12.5, 37.5, 12.5; low = 37.5, neutral = 12.5,
    # high = 50; mean = 25/8 = 3.125; sum of squared deviations = 4.515625 + 2 * 1.265625 +
    # 0.015625 + 3 * 0.765625 + 3.515625 = 12.875, sd = sqrt(12.875 / 7) = 1.35620...
    # Agree (top two) = 4 of 8; Wilson 95 %: centre (0.5 + 1.92073/8) / (1 + 3.84146/8)
    # = 0.5, half-width 1.95996 * sqrt(0.25/8 + 3.84146/256) / 1.48018 = 0.28478.
    answers = [1, 2, 2, 3, 4, 4, 4, 5, DONT_KNOW, MISSING]
    counts = level_counts(answers, 5)
    assert counts == LevelCounts(counts=(1, 2, 1, 3, 1), dont_know=1, missing=1)
    summary = likert_summary(counts)
    assert summary.answered == 8
    assert summary.percent == pytest.approx((12.5, 25.0, 12.5, 37.5, 12.5))
    assert (summary.low, summary.neutral, summary.high) == pytest.approx((37.5, 12.5, 50.0))
    assert summary.mean == pytest.approx(3.125)
    assert summary.sd == pytest.approx(1.356202, abs=1e-6)
    share = share_agree(counts)
    assert (share.count, share.n, share.share) == (4, 8, 0.5)
    assert share.ci_low == pytest.approx(0.5 - 0.28478, abs=1e-5)
    assert share.ci_high == pytest.approx(0.5 + 0.28478, abs=1e-5)


def test_dont_know_and_missing_stay_out_of_every_denominator() -> None:
    with_extra = likert_summary(level_counts([1, 4, DONT_KNOW, DONT_KNOW, MISSING], 4))
    without = likert_summary(level_counts([1, 4], 4))
    assert with_extra.percent == without.percent == (50.0, 0.0, 0.0, 50.0)
    assert (with_extra.dont_know, with_extra.missing) == (2, 1)


def test_center_can_be_moved_as_in_r() -> None:
    counts = LevelCounts(counts=(10, 20, 30, 40))
    moved = likert_summary(counts, center=2)
    assert (moved.low, moved.neutral, moved.high) == pytest.approx((10, 20, 70))
    assert likert_summary(counts, center=1.5).low == pytest.approx(10)
    with pytest.raises(ValueError, match="invalid center"):
        likert_summary(counts, center=4)


def test_a_statement_nobody_answered_has_no_percentages() -> None:
    summary = likert_summary(level_counts([MISSING, DONT_KNOW], 5))
    assert summary.answered == 0
    assert all(math.isnan(p) for p in summary.percent)
    assert math.isnan(share_agree(level_counts([MISSING], 5)).share)


def test_one_answer_has_a_mean_but_no_standard_deviation() -> None:
    summary = likert_summary(level_counts([3], 5))
    assert summary.mean == 3
    assert math.isnan(summary.sd)


def test_codes_outside_the_scale_are_refused_with_their_position() -> None:
    with pytest.raises(ValueError, match="answer code 6 at position 2"):
        level_counts([1, 2, 6], 5)
    with pytest.raises(ValueError, match="top must be between 1 and 3"):
        share_agree(LevelCounts(counts=(1, 1, 1, 1)), top=4)


def test_wilson_interval_at_the_edges() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0
    # Hand: z^2 = 3.8415; (z^2/20) / (1 + z^2/10) * 2 = 0.2775...
    assert high == pytest.approx(0.27753, abs=1e-5)
    assert wilson_interval(10, 10)[1] == 1
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
