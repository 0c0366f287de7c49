"""Counts, percentages, means and shares of agreement for Likert statements.

No Django here: codes in, frozen dataclasses out.

**Codes.** One answer is an integer: ``1`` … ``n_levels`` for the levels of the scale (1 = the
most negative label, e.g. "Strongly disagree"), :data:`MISSING` (``0``) for a respondent who
saw the statement and left it blank (or did not see it), and :data:`DONT_KNOW` (``-1``) for
"don't know". Missing and "don't know" are counted apart and are never in a denominator:
every percentage uses the respondents who answered the statement with a level.

**The R package ``likert``.** :func:`likert_summary` reproduces ``summary()`` of a ``likert``
object (Bryer & Speerschneider, package ``likert`` 2.0.1, ``R/likert.R`` and
``R/summary.likert.r`` in ``jbryer/likert``):

* the percentage of a level is ``table(item) / sum(table(item)) * 100``; ``table`` leaves
  ``NA`` out, so the denominator is the number of respondents with a level;
* the default ``center`` is ``(nlevels - 1) / 2 + 1`` (3 on a 5-point scale, 2.5 on a 4-point
  scale); ``low`` is the sum of the percentages of levels ``1 … floor(center - 0.5)``,
  ``high`` the sum over ``ceiling(center + 0.5) … nlevels``, and ``neutral`` the percentage of
  the one level in between when the centre is a whole number, else 0;
* ``mean`` and ``sd`` are ``mean(as.numeric(item), na.rm=TRUE)`` and
  ``sd(…, na.rm=TRUE)``: the level numbers 1 … n, the sample standard deviation (divisor
  n − 1; undefined, ``nan``, with fewer than two answers);
* with a grouping variable the same is done within each group.

R's rounding when it *prints* is not part of the result; these are unrounded floats.

**Share who agree.** :func:`share_agree` counts the top ``top`` levels (two by default) over
the respondents with a level, with the Wilson score interval (Wilson 1927, *JASA* 22:209–212;
Brown, Cai & DasGupta 2001, *Statistical Science* 16:101–133, who recommend it over the Wald
interval for small n).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm

#: Code of a statement left blank or not shown.
MISSING = 0
#: Code of a "don't know" answer.
DONT_KNOW = -1
#: Scales Torg offers (points on the scale, without "don't know").
SCALE_SIZES = (4, 5, 7)


@dataclass(frozen=True)
class LevelCounts:
    """How many respondents gave each level of one statement.

    ``counts[i]`` is the number who answered level ``i + 1``; ``answered`` is their sum (the
    denominator of every percentage); ``dont_know`` and ``missing`` are counted apart.
    """

    counts: tuple[int, ...]
    dont_know: int = 0
    missing: int = 0

    @property
    def n_levels(self) -> int:
        return len(self.counts)

    @property
    def answered(self) -> int:
        return sum(self.counts)

    def __add__(self, other: LevelCounts) -> LevelCounts:
        if self.n_levels != other.n_levels:
            raise ValueError("cannot add counts of scales with different numbers of levels")
        return LevelCounts(
            counts=tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
            dont_know=self.dont_know + other.dont_know,
            missing=self.missing + other.missing,
        )


@dataclass(frozen=True)
class LikertSummary:
    """One row of R ``likert`` ``summary()`` plus the per-level percentages.

    Percentages are 0–100 floats over ``answered``; ``mean`` and ``sd`` are on the level
    numbers 1 … n. With no answers every percentage, the mean and the sd are ``nan``.
    """

    answered: int
    dont_know: int
    missing: int
    percent: tuple[float, ...]
    low: float
    neutral: float
    high: float
    mean: float
    sd: float


@dataclass(frozen=True)
class Proportion:
    """``count`` of ``n`` with its share (0–1) and a two-sided confidence interval (0–1)."""

    count: int
    n: int
    share: float
    ci_low: float
    ci_high: float
    confidence: float = 0.95


def checked_codes(values: ArrayLike, n_levels: int) -> NDArray[np.integer[Any]]:
    """``values`` as an integer array (not copied when it already is one), checked."""
    codes = np.asarray(values)
    if codes.dtype.kind not in "iu":
        codes = codes.astype(np.int64)
    if codes.size and (codes.min() < DONT_KNOW or codes.max() > n_levels):
        bad = (codes < DONT_KNOW) | (codes > n_levels)
        position = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"answer code {int(codes.ravel()[position])} at position {position} is outside "
            f"{DONT_KNOW} … {n_levels} (levels 1 … {n_levels}, {MISSING} missing, "
            f"{DONT_KNOW} don't know)"
        )
    return codes


def check_scale(n_levels: int) -> None:
    """Raise ``ValueError`` unless ``n_levels`` is at least 2."""
    if n_levels < 2:
        raise ValueError(f"a scale needs at least 2 levels, not {n_levels}")


def level_counts(values: ArrayLike, n_levels: int) -> LevelCounts:
    """Count one statement's answers (a 1-D array of codes, see the module docstring).

    Raises ``ValueError`` naming the first code outside ``-1 … n_levels``.
    """
    check_scale(n_levels)
    codes = checked_codes(values, n_levels).ravel()
    binned = np.bincount(codes.astype(np.int64) + 1, minlength=n_levels + 2)
    return LevelCounts(
        counts=tuple(int(c) for c in binned[2:]),
        dont_know=int(binned[0]),
        missing=int(binned[1]),
    )


def grouped_level_counts(
    answers: ArrayLike, groups: ArrayLike, n_groups: int, n_levels: int
) -> NDArray[np.int64]:
    """Counts of every statement, group and code in one pass.

    ``answers`` is ``(respondents, statements)`` of codes; ``groups`` is ``(respondents,)`` of
    group numbers ``0 … n_groups - 1``. Returns ``(statements, n_groups, n_levels + 2)`` where
    the last axis is ``[don't know, missing, level 1, …, level n]``.
    """
    check_scale(n_levels)
    codes = checked_codes(answers, n_levels)
    if codes.ndim != 2:
        raise ValueError("answers must be a (respondents, statements) array")
    group_index = np.asarray(groups, dtype=np.int64)
    if group_index.shape != (codes.shape[0],):
        raise ValueError("groups must have one entry per respondent")
    if group_index.size and (group_index.min() < 0 or group_index.max() >= n_groups):
        raise ValueError(f"group numbers must be in 0 … {n_groups - 1}")
    return counts_by_statement(np.ascontiguousarray(codes.T), group_index, n_groups, n_levels)


def counts_by_statement(
    by_statement: NDArray[np.integer[Any]],
    group_index: NDArray[np.integer[Any]],
    n_groups: int,
    n_levels: int,
) -> NDArray[np.int64]:
    """:func:`grouped_level_counts` on codes already checked and laid out statement-major
    (``(statements, respondents)``, C-contiguous), so that several groupings share one copy."""
    width = n_levels + 2
    n_statements = by_statement.shape[0]
    cells = n_groups * width
    # One bincount per statement over "group * width + code + 1", in the narrowest integer
    # type that holds the index: memory stays at one column of indexes.
    index_type = np.int32 if cells < 2**31 else np.int64
    offsets = group_index.astype(index_type) * width + 1
    counted = np.empty((n_statements, cells), dtype=np.int64)
    for j in range(n_statements):
        counted[j] = np.bincount(offsets + by_statement[j], minlength=cells)
    return counted.reshape(n_statements, n_groups, width)


def counts_from_row(row: Sequence[int] | NDArray[np.int64]) -> LevelCounts:
    """:class:`LevelCounts` from one ``[don't know, missing, level 1 …]`` row."""
    return LevelCounts(
        counts=tuple(int(c) for c in row[2:]), dont_know=int(row[0]), missing=int(row[1])
    )


def default_center(n_levels: int) -> float:
    """R ``likert``'s default centre, ``(nlevels - 1) / 2 + 1``."""
    return (n_levels - 1) / 2 + 1


def likert_summary(counts: LevelCounts, center: float | None = None) -> LikertSummary:
    """R ``likert`` ``summary()`` of one statement (see the module docstring).

    ``center`` as in R: a level number (that level is neutral) or a half (no neutral level,
    e.g. 2.5 on a 4-point scale, or 3.5 on a 6-point forced-choice scale); it must lie in
    ``1.5 … n_levels - 0.5`` in steps of 0.5, otherwise ``ValueError``.
    """
    n_levels = counts.n_levels
    if center is None:
        center = default_center(n_levels)
    if center < 1.5 or center > n_levels - 0.5 or (center * 2) % 1 != 0:
        raise ValueError(
            f"invalid center {center}: it ranges from 1.5 to {n_levels - 0.5} in steps of 0.5"
        )
    answered = counts.answered
    levels = np.arange(1, n_levels + 1, dtype=np.float64)
    weights = np.asarray(counts.counts, dtype=np.float64)
    if answered == 0:
        nan = float("nan")
        percent = tuple(nan for _ in range(n_levels))
        return LikertSummary(0, counts.dont_know, counts.missing, percent, nan, nan, nan, nan, nan)
    percents = weights / answered * 100
    low_last = math.floor(center - 0.5)  # levels 1 … low_last
    high_first = math.ceil(center + 0.5)  # levels high_first … n
    low = float(percents[:low_last].sum())
    high = float(percents[high_first - 1 :].sum())
    neutral = float(percents[high_first - 2]) if low_last + 1 != high_first else 0.0
    mean = float((levels * weights).sum() / answered)
    if answered > 1:
        sd = math.sqrt(float((weights * (levels - mean) ** 2).sum()) / (answered - 1))
    else:
        sd = float("nan")
    return LikertSummary(
        answered=answered,
        dont_know=counts.dont_know,
        missing=counts.missing,
        percent=tuple(float(p) for p in percents),
        low=low,
        neutral=neutral,
        high=high,
        mean=mean,
        sd=sd,
    )


def wilson_interval(count: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``count`` successes of ``n`` (0–1 bounds).

    ``n == 0`` gives ``(nan, nan)``. Raises ``ValueError`` if ``count`` is outside ``0 … n``
    or ``confidence`` outside (0, 1). Source: Wilson (1927); the formula as in Brown, Cai &
    DasGupta (2001), eq. (4).
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"count {count} must lie in 0 … n ({n})")
    if n == 0:
        return (float("nan"), float("nan"))
    z = float(norm.ppf(1 - (1 - confidence) / 2))
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # At 0 and n the bounds are exactly 0 and 1; floating point would leave 1e-17 off.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == n else min(1.0, centre + half)
    return (low, high)


def share_agree(counts: LevelCounts, top: int = 2, confidence: float = 0.95) -> Proportion:
    """Share who chose one of the ``top`` highest levels, over those who answered with a level.

    Raises ``ValueError`` unless ``1 <= top < n_levels``.
    """
    if not 1 <= top < counts.n_levels:
        raise ValueError(f"top must be between 1 and {counts.n_levels - 1}, not {top}")
    agree = sum(counts.counts[-top:])
    n = counts.answered
    low, high = wilson_interval(agree, n, confidence)
    share = agree / n if n else float("nan")
    return Proportion(agree, n, share, low, high, confidence)


def summarise_groups(
    counts_by_group: Mapping[str, LevelCounts], center: float | None = None
) -> dict[str, LikertSummary]:
    """:func:`likert_summary` per group, as R ``summary(likert(items, grouping=g))``."""
    return {group: likert_summary(c, center) for group, c in counts_by_group.items()}
