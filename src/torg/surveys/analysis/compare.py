"""Tests of a difference between groups (or waves), with effect sizes and small-group warnings.

* Distribution over the levels: Pearson's chi-square test of independence on the
  groups × levels table of counts (no continuity correction), with Cramér's V
  ``sqrt(chi2 / (n * (min(r, c) - 1)))`` (Cramér 1946, *Mathematical Methods of Statistics*,
  §21.9). Levels and groups with no answers are left out of the table first.
* Share who agree in two groups: the pooled two-proportion z test
  ``z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with a two-sided p-value, and Cohen's h
  ``2 asin(sqrt p1) - 2 asin(sqrt p2)`` (Cohen 1988, *Statistical Power Analysis*, ch. 6:
  0.2 small, 0.5 medium, 0.8 large).

The chi-square approximation is poor with small expected counts. A warning is given
(Cochran 1954, *Biometrics* 10:417–451) when any expected count is below 1 or more than 20 %
are below 5, and when any group has fewer answers than ``min_group``; the z test warns when
any group has fewer than 5 expected successes or failures (``n p`` or ``n (1 - p)`` with the
pooled ``p``). With a warning the statistic is still returned but should not be read as a test.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import chi2_contingency, norm

from torg.surveys.analysis.likert import LevelCounts


class Caveat(StrEnum):
    """Why a test should not be trusted."""

    SMALL_GROUP = "small_group"
    SMALL_EXPECTED = "small_expected"
    TOO_FEW_GROUPS = "too_few_groups"


@dataclass(frozen=True)
class ChiSquareResult:
    """Chi-square test of groups × levels. ``p_value`` and ``cramers_v`` are ``nan`` when the
    table has fewer than two non-empty groups or levels."""

    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    n: int
    warnings: tuple[Caveat, ...]


@dataclass(frozen=True)
class TwoProportionResult:
    """Pooled two-proportion z test of ``count1/n1`` against ``count2/n2`` with Cohen's h."""

    z: float
    p_value: float
    cohens_h: float
    difference: float
    warnings: tuple[Caveat, ...]


def chi_square_groups(
    counts_by_group: Mapping[str, LevelCounts], min_group: int = 5
) -> ChiSquareResult:
    """Pearson's chi-square test of whether the distribution over levels differs by group.

    Only answered levels count (not "don't know", not missing).
    """
    table = np.array([c.counts for c in counts_by_group.values()], dtype=np.float64)
    warnings: list[Caveat] = []
    if any(c.answered < min_group for c in counts_by_group.values()):
        warnings.append(Caveat.SMALL_GROUP)
    if table.size:
        table = table[table.sum(axis=1) > 0]
    if table.size:
        table = table[:, table.sum(axis=0) > 0]
    n = int(table.sum()) if table.size else 0
    if table.ndim != 2 or table.shape[0] < 2 or table.shape[1] < 2:
        nan = float("nan")
        return ChiSquareResult(nan, 0, nan, nan, n, (*warnings, Caveat.TOO_FEW_GROUPS))
    result = chi2_contingency(table, correction=False)
    chi2 = float(result.statistic)
    expected = np.asarray(result.expected_freq)
    if (expected < 1).any() or (expected < 5).mean() > 0.2:
        warnings.append(Caveat.SMALL_EXPECTED)
    v = math.sqrt(chi2 / (n * (min(table.shape) - 1)))
    return ChiSquareResult(chi2, int(result.dof), float(result.pvalue), v, n, tuple(warnings))


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h for two proportions (0–1): ``2 asin(sqrt p1) - 2 asin(sqrt p2)``."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def two_proportion_z(count1: int, n1: int, count2: int, n2: int) -> TwoProportionResult:
    """Pooled two-proportion z test (two-sided) and Cohen's h.

    Raises ``ValueError`` if a group is empty or a count lies outside ``0 … n``. When both
    shares are 0 or both 1 the z statistic is undefined (``nan``).
    """
    for count, n in ((count1, n1), (count2, n2)):
        if n <= 0 or not 0 <= count <= n:
            raise ValueError(f"count {count} of n {n}: n must be positive and 0 <= count <= n")
    p1, p2 = count1 / n1, count2 / n2
    pooled = (count1 + count2) / (n1 + n2)
    warnings: list[Caveat] = []
    if min(n1, n2) * min(pooled, 1 - pooled) < 5:
        warnings.append(Caveat.SMALL_EXPECTED)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        z = float("nan")
        p_value = float("nan")
    else:
        z = (p1 - p2) / se
        p_value = float(2 * norm.sf(abs(z)))
    return TwoProportionResult(z, p_value, cohens_h(p1, p2), p1 - p2, tuple(warnings))
