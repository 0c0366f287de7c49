"""Cross-sections: two groups at one time, a comparison and not a before/after."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from torg.evaluation.methods.base import (
    Effect,
    Refusal,
    RefusalReason,
    gettext_noop,
    make_effect,
    t_interval,
)

# --- Cross-sections ------------------------------------------------------------------------


def mean_interval(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """The mean of ``values`` and its 95 % t-interval ``(mean, low, high)``; the interval
    is ``None`` with fewer than two values, everything ``None`` with none."""
    if not values:
        return None, None, None
    array = np.asarray(values, dtype=float)
    mean = float(array.mean())
    if len(array) < 2:
        return mean, None, None
    low, high = t_interval(mean, float(array.std(ddof=1) / math.sqrt(len(array))), len(array) - 1)
    return mean, low, high


CROSS_SECTION_ASSUMPTIONS = (
    gettext_noop(
        "This is a comparison between groups at one time, not a before/after: a difference "
        "can come from anything else that differs between the groups."
    ),
    gettext_noop(
        "Units without a positive count in a group are left out of that group; each group's "
        "typical value is its geometric mean."
    ),
)
CROSS_SECTION_INTERVAL = gettext_noop(
    "Ratio of geometric means, with a Welch t-interval for the difference of mean log counts."
)


@dataclass(frozen=True)
class GroupSummary:
    """One group of a cross-section: ``units`` with a positive count, their geometric mean
    and median (counts)."""

    label: str
    units: int
    geometric_mean: float | None
    median: float | None


@dataclass(frozen=True)
class CrossSection:
    """Group ``second`` against group ``first``: ``effect`` is log(geometric mean of second
    / geometric mean of first) with a Welch interval, or ``None`` with ``refusal``."""

    first: GroupSummary
    second: GroupSummary
    effect: Effect | None
    refusal: Refusal | None
    assumptions: tuple[str, ...] = CROSS_SECTION_ASSUMPTIONS
    interval_method: str = CROSS_SECTION_INTERVAL


def _summary(label: str, values: np.ndarray) -> GroupSummary:
    if not len(values):
        return GroupSummary(label, 0, None, None)
    return GroupSummary(
        label, len(values), float(np.exp(np.log(values).mean())), float(np.median(values))
    )


def cross_section(
    first: Sequence[float], second: Sequence[float], labels: tuple[str, str] = ("first", "second")
) -> CrossSection:
    """Compare two groups of counts observed in the same period (for example visits per
    authority in library-only and in shared buildings). Welch's t on the logs (Welch,
    *Biometrika* 34:28, 1947). Refuses with fewer than two positive counts in a group."""
    a = np.asarray([v for v in first if v > 0], dtype=float)
    b = np.asarray([v for v in second if v > 0], dtype=float)
    summaries = _summary(labels[0], a), _summary(labels[1], b)
    if len(a) < 2 or len(b) < 2:
        return CrossSection(*summaries, None, Refusal(RefusalReason.TOO_FEW_PERIODS))
    log_a, log_b = np.log(a), np.log(b)
    var_a, var_b = log_a.var(ddof=1) / len(a), log_b.var(ddof=1) / len(b)
    std_error = math.sqrt(var_a + var_b)
    if std_error == 0:
        return CrossSection(*summaries, None, Refusal(RefusalReason.NO_VARIATION))
    df = (var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    estimate = float(log_b.mean() - log_a.mean())
    return CrossSection(*summaries, make_effect(estimate, std_error, df), None)
