"""Shared parts of the before/after methods: results, refusals, excluded periods, the
sorting of periods into before and after, and small numeric helpers (see the package)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without importing Django (``makemessages`` finds
    this name); the page translates it when it shows it."""
    return message


#: Confidence level of every interval.
CONFIDENCE = 0.95
#: The COVID restrictions that Torg proposes to exclude by default (local months, inclusive).
COVID_FIRST = dt.date(2020, 3, 1)
COVID_LAST = dt.date(2021, 12, 31)
#: Fewest before- and after-periods for an interrupted time series (each side).
ITS_MIN_PERIODS_EACH_SIDE = 3
#: Fewest residual degrees of freedom any model must keep.
MIN_RESIDUAL_DF = 2
#: Fewest residual degrees of freedom for an interrupted time series: its Newey–West
#: standard errors need some periods beyond the four line parameters.
ITS_MIN_RESIDUAL_DF = 4
#: Fewest before-periods for a pre-trend check (two only restate the estimate).
PRE_TREND_MIN_PERIODS = 3


class Method(StrEnum):
    SAME_PERIOD = "same_period"
    INTERRUPTED_TIME_SERIES = "its"
    DIFFERENCE_IN_DIFFERENCES = "did"


METHOD_LABELS: dict[Method, str] = {
    Method.SAME_PERIOD: gettext_noop("Same-period comparison"),
    Method.INTERRUPTED_TIME_SERIES: gettext_noop("Interrupted time series"),
    Method.DIFFERENCE_IN_DIFFERENCES: gettext_noop("Difference-in-differences"),
}


class RefusalReason(StrEnum):
    NO_BEFORE_PERIOD = "no_before_period"
    NO_AFTER_PERIOD = "no_after_period"
    TOO_FEW_PERIODS = "too_few_periods"
    NO_COMPARISON_UNITS = "no_comparison_units"
    ZERO_COUNTS = "zero_counts"
    NO_VARIATION = "no_variation"


REFUSAL_MESSAGES: dict[RefusalReason, str] = {
    RefusalReason.NO_BEFORE_PERIOD: gettext_noop(
        "There is no before-period to compare with: the data start at or after the change. "
        "Torg does not invent one."
    ),
    RefusalReason.NO_AFTER_PERIOD: gettext_noop(
        "There is no after-period yet: no counts after the change (outside excluded periods)."
    ),
    RefusalReason.TOO_FEW_PERIODS: gettext_noop(
        "Too few periods for this method: it needs more counts before and after the change "
        "than there are outside excluded periods."
    ),
    RefusalReason.NO_COMPARISON_UNITS: gettext_noop(
        "There are no comparison sites with counts both before and after the change."
    ),
    RefusalReason.ZERO_COUNTS: gettext_noop(
        "The site has periods with zero counts, which a percent change on the log scale "
        "cannot use: mark them as excluded (a closure) or correct them."
    ),
    RefusalReason.NO_VARIATION: gettext_noop(
        "The counts do not vary, so no interval can be computed."
    ),
}


@dataclass(frozen=True)
class Refusal:
    """Why there is no estimate: a reason code and a sentence for people (an msgid)."""

    reason: RefusalReason
    detail: str = ""

    @property
    def message(self) -> str:
        return REFUSAL_MESSAGES[self.reason]


@dataclass(frozen=True)
class ExcludedRange:
    """Local calendar days ``first`` to ``last`` (inclusive) to leave out; ``unit`` names the
    one site it applies to, ``None`` every site. ``reason`` is free text for the report."""

    first: dt.date
    last: dt.date
    unit: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("an excluded period ends before it starts")

    def overlaps(self, period: pd.Period) -> bool:
        return bool(period.start_time.date() <= self.last and period.end_time.date() >= self.first)


def covid_exclusion() -> ExcludedRange:
    """The COVID restrictions, March 2020 to December 2021, for every site."""
    return ExcludedRange(COVID_FIRST, COVID_LAST, None, "COVID-19 restrictions")


@dataclass(frozen=True)
class Effect:
    """A multiplicative effect: ``log_ratio`` (natural log of after/before), its standard
    error, and the 95 % interval on the log scale. ``percent`` = 100 × (ratio − 1)."""

    log_ratio: float
    std_error: float
    ci_low_log: float
    ci_high_log: float

    @property
    def ratio(self) -> float:
        return math.exp(self.log_ratio)

    @property
    def percent(self) -> float:
        return 100.0 * (math.exp(self.log_ratio) - 1.0)

    @property
    def percent_low(self) -> float:
        return 100.0 * (math.exp(self.ci_low_log) - 1.0)

    @property
    def percent_high(self) -> float:
        return 100.0 * (math.exp(self.ci_high_log) - 1.0)

    @property
    def interval_excludes_zero(self) -> bool:
        return self.ci_low_log > 0 or self.ci_high_log < 0


@dataclass(frozen=True)
class PreTrend:
    """Treated × linear time before the change: ``slope_log_per_year`` is the difference in
    yearly log growth of the treated site against the comparison sites, with its
    cluster-robust standard error and two-sided p-value over ``periods`` before-periods."""

    slope_log_per_year: float
    std_error: float
    p_value: float
    periods: int

    @property
    def percent_per_year(self) -> float:
        return 100.0 * (math.exp(self.slope_log_per_year) - 1.0)

    @property
    def diverges(self) -> bool:
        """The trends differ at the 5 % level: the comparison is in doubt."""
        return self.p_value < 0.05


@dataclass(frozen=True)
class EvaluationResult:
    """What one method says about one change. ``effect`` is ``None`` exactly when
    ``refusal`` is set. Counts of periods are per treated site (before, after, excluded,
    straddling the change date); ``comparison_units`` are the sites actually used and
    ``dropped_units`` those left out, with why."""

    method: Method
    change: dt.date
    effect: Effect | None = None
    refusal: Refusal | None = None
    assumptions: tuple[str, ...] = ()
    interval_method: str = ""
    periods_before: int = 0
    periods_after: int = 0
    periods_excluded: int = 0
    periods_straddling: int = 0
    treated_units: tuple[str, ...] = ()
    comparison_units: tuple[str, ...] = ()
    dropped_units: tuple[tuple[str, str], ...] = ()
    pre_trend: PreTrend | None = None
    slope_change: Effect | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.refusal is not None


# --- Shared steps --------------------------------------------------------------------------


class Side(StrEnum):
    BEFORE = "before"
    AFTER = "after"
    STRADDLING = "straddling"


def side_of(period: pd.Period, change: dt.date) -> Side:
    """Before when ``period`` ends before ``change``, after when it starts on or after it,
    else straddling."""
    if period.end_time.date() < change:
        return Side.BEFORE
    if period.start_time.date() >= change:
        return Side.AFTER
    return Side.STRADDLING


def season_of(period: pd.Period) -> int:
    """The calendar month of a monthly period, quarter of a quarterly one, 0 for a year."""
    freq = period.freqstr[0]
    if freq == "M":
        return int(period.month)
    if freq == "Q":
        return int(period.quarter)
    return 0


def years_of(period: pd.Period) -> float:
    """The period's start as decimal years (2017-04 → 2017.25): the ITS and pre-trend clock."""
    start = period.start_time
    return float(start.year + (start.month - 1) / 12.0)


def as_panel(series: pd.Series, unit: str = "site") -> pd.DataFrame:
    """A one-site series (``PeriodIndex`` → count) as the long panel the methods use."""
    frame = pd.DataFrame(
        {"unit": unit, "period": list(series.index), "value": series.to_numpy(dtype=float)}
    )
    return frame.dropna(subset=["value"]).reset_index(drop=True)


def prepare(
    panel: pd.DataFrame,
    change: dt.date,
    excluded: Sequence[ExcludedRange],
    *,
    treated: Iterable[str] = (),
) -> tuple[pd.DataFrame, dict[str, int]]:
    """``panel`` with missing values and excluded periods removed and a ``side`` column
    (straddling periods removed). A period excluded for a treated unit is removed for
    every unit, so that both sides compare the same periods; one excluded for another unit
    only for that unit. Returns the frame and counts of the treated units' periods:
    ``excluded``, ``straddling`` (only ``before``/``after`` remain in the frame)."""
    frame = panel.dropna(subset=["value"]).copy()
    treated_set = set(treated)
    excluded_all = [r for r in excluded if r.unit is None or r.unit in treated_set]
    excluded_own = [r for r in excluded if r.unit is not None and r.unit not in treated_set]
    periods = frame["period"].tolist()
    units = frame["unit"].tolist()
    # Judged once per distinct period (a panel repeats each period for every site).
    distinct = set(periods)
    side = {p: str(side_of(p, change)) for p in distinct}
    excluded_everywhere = {p: any(r.overlaps(p) for r in excluded_all) for p in distinct}
    drop = [
        excluded_everywhere[p] or any(r.unit == u and r.overlaps(p) for r in excluded_own)
        for p, u in zip(periods, units, strict=True)
    ]
    frame["side"] = [side[p] for p in periods]
    is_treated = frame["unit"].isin(treated_set) if treated_set else frame["unit"] == frame["unit"]
    dropped = pd.Series(drop, index=frame.index)
    counts = {
        "excluded": int((dropped & is_treated).sum()),
        "straddling": int((~dropped & is_treated & (frame["side"] == Side.STRADDLING)).sum()),
    }
    kept = frame[~dropped & (frame["side"] != Side.STRADDLING)].reset_index(drop=True)
    return kept, counts


def t_interval(estimate: float, std_error: float, df: float | None) -> tuple[float, float]:
    """The 95 % interval ``estimate ± q × std_error``, with ``q`` from Student's t with
    ``df`` degrees of freedom, or the normal when ``df`` is ``None``."""
    level = 0.5 + CONFIDENCE / 2
    quantile = float(stats.t.ppf(level, df)) if df is not None else float(stats.norm.ppf(level))
    return estimate - quantile * std_error, estimate + quantile * std_error


def make_effect(estimate: float, std_error: float, df: float | None) -> Effect:
    low, high = t_interval(estimate, std_error, df)
    return Effect(log_ratio=estimate, std_error=std_error, ci_low_log=low, ci_high_log=high)


def dummies(values: Sequence[Any], *, drop_first: bool = True) -> np.ndarray:
    """Indicator columns for the distinct ``values`` (sorted), the first left out."""
    levels = sorted(set(values))
    if drop_first:
        levels = levels[1:]
    array = np.asarray(values, dtype=object)
    if not levels:
        return np.zeros((len(values), 0))
    return np.column_stack([(array == level).astype(float) for level in levels])
