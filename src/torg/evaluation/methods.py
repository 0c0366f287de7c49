"""Before/after statistics for a dated change at a site. No Django: plain data in, plain data out.

Input is a series of counts per calendar period (``pandas.Period``, monthly ``"M"`` or
yearly ``"Y"``): one site as a ``pandas.Series`` indexed by a ``PeriodIndex``, several sites
as a long ``DataFrame`` with the columns ``unit`` (text), ``period`` (``Period``) and
``value`` (count, ≥ 0). Output is an :class:`EvaluationResult`: the effect as a ratio of
after to before (read as a percent change) with its 95 % confidence interval, or no
estimate and a :class:`Refusal` that says why. Every result carries the assumptions of its
method as text, so that a page can show them beside the number.

Periods are sorted into *before* (the period ends before the change date), *after* (it
starts on or after the change date) and *straddling* (it contains the change date): a
straddling period mixes both and is left out, as is every period that overlaps an
:class:`ExcludedRange` (closures, the COVID restrictions, building works).

Methods:

* :func:`same_period_comparison`: after-periods against the same calendar months before
  the change, as a Poisson log-linear model with calendar-month effects and overdispersion
  estimated from Pearson's χ² (quasi-Poisson; McCullagh & Nelder, *Generalized Linear
  Models*, 2nd ed., 1989, §6.2). With one observation per month on each side it gives
  exactly Σ after / Σ before over the months present on both sides.
* :func:`interrupted_time_series`: segmented regression of log counts on time, a level
  change and a slope change at the change date, with calendar-month dummies, and
  Newey–West (HAC) standard errors (Wagner et al., *J Clin Pharm Ther* 27:299, 2002;
  Bernal, Cummins & Gasparrini, *Int J Epidemiol* 46:348, 2017).
* :func:`difference_in_differences`: log counts on unit and period fixed effects and the
  treated-after indicator (two-way fixed effects), standard errors clustered by site
  (Bertrand, Duflo & Mullainathan, *QJE* 119:249, 2004), with a pre-trend check.

Strings meant for people are English msgids marked with :func:`gettext_noop`, which the
pages translate.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning


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


# --- Same-period comparison ----------------------------------------------------------------

SAME_PERIOD_ASSUMPTIONS = (
    gettext_noop(
        "Only calendar months counted both before and after the change are compared, so "
        "the season is the same on both sides."
    ),
    gettext_noop(
        "Nothing else that changes visits happened at the same time (no comparison sites: "
        "a general rise or fall in visits is counted as part of the effect)."
    ),
    gettext_noop("Periods straddling the change date and excluded periods are left out."),
)
SAME_PERIOD_INTERVAL = gettext_noop(
    "Poisson log-linear model with one effect per calendar month and one for after the "
    "change; the variation between periods beyond Poisson's (overdispersion) is estimated "
    "from Pearson's chi-squared (quasi-Poisson), and the 95 % interval is a Wald interval on "
    "the log scale with Student's t."
)


def same_period_comparison(
    series: pd.Series | pd.DataFrame,
    change: dt.date,
    excluded: Sequence[ExcludedRange] = (),
) -> EvaluationResult:
    """After-periods against the same calendar months before ``change``, one site.

    ``series``: counts indexed by a ``PeriodIndex`` (monthly or yearly), or a one-unit
    panel. The estimate is exp(β) of ``count ~ month + after`` (Poisson, log link), which
    is Σ after / Σ before when each month is counted once on each side; its standard error
    is Poisson's times √φ, φ = Pearson χ² / residual df. Refuses with no before- or
    after-period, or when fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom
    remain.
    """
    panel = series if isinstance(series, pd.DataFrame) else as_panel(series)
    frame, counts = prepare(panel, change, excluded)
    common: dict[str, Any] = {
        "method": Method.SAME_PERIOD,
        "change": change,
        "assumptions": SAME_PERIOD_ASSUMPTIONS,
        "interval_method": SAME_PERIOD_INTERVAL,
        "periods_excluded": counts["excluded"],
        "periods_straddling": counts["straddling"],
        "treated_units": tuple(sorted(set(panel["unit"]))),
    }
    before = frame[frame["side"] == Side.BEFORE]
    after = frame[frame["side"] == Side.AFTER]
    common["periods_before"] = len(before)
    common["periods_after"] = len(after)
    if before.empty:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_BEFORE_PERIOD))
    if after.empty:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_AFTER_PERIOD))
    frame = frame.assign(season=[season_of(p) for p in frame["period"]])
    shared = set(frame.loc[frame["side"] == Side.BEFORE, "season"]) & set(
        frame.loc[frame["side"] == Side.AFTER, "season"]
    )
    frame = frame[frame["season"].isin(shared)].reset_index(drop=True)
    if not shared:
        return EvaluationResult(
            **common,
            refusal=Refusal(RefusalReason.TOO_FEW_PERIODS, "no calendar month on both sides"),
        )
    y = frame["value"].to_numpy(dtype=float)
    after_flag = (frame["side"] == Side.AFTER).to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(y)), dummies(frame["season"].tolist()), after_flag])
    df_resid = len(y) - x.shape[1]
    if df_resid < MIN_RESIDUAL_DF:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.TOO_FEW_PERIODS))
    if y[after_flag == 1].sum() == 0 or y[after_flag == 0].sum() == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.ZERO_COUNTS))
    with warnings.catch_warnings():
        # statsmodels' perfect-separation check is meant for binary outcomes; counts that
        # the month effects fit closely trip it without harm (the dispersion absorbs it).
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(scale="X2")
    estimate = float(fit.params[-1])
    std_error = float(fit.bse[-1])
    if not math.isfinite(std_error) or std_error == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_VARIATION))
    return EvaluationResult(
        **common,
        effect=make_effect(estimate, std_error, df_resid),
        details={
            "dispersion": float(fit.scale),
            "residual_df": df_resid,
            "months_compared": len(shared),
            "total_before": float(y[after_flag == 0].sum()),
            "total_after": float(y[after_flag == 1].sum()),
        },
    )


# --- Interrupted time series ---------------------------------------------------------------

ITS_ASSUMPTIONS = (
    gettext_noop(
        "Before the change, the log of the counts follows a straight line plus the same "
        "pattern every calendar month; without the change, that line would have continued."
    ),
    gettext_noop(
        "The effect is the jump in level at the change date; a change in slope is shown "
        "apart. Nothing else happened at the same time (there are no comparison sites)."
    ),
    gettext_noop("Periods straddling the change date and excluded periods are left out."),
)
ITS_INTERVAL = gettext_noop(
    "Ordinary least squares on the log counts (segmented regression) with Newey–West "
    "standard errors robust to autocorrelation (lags: floor(4 (n/100)^(2/9))), and a 95 % "
    "interval with Student's t."
)


def newey_west_lags(n: int) -> int:
    """Newey & West's (1994) rule of thumb for the HAC bandwidth: ⌊4 (n/100)^(2/9)⌋."""
    return math.floor(4 * (n / 100.0) ** (2.0 / 9.0))


def interrupted_time_series(
    series: pd.Series | pd.DataFrame,
    change: dt.date,
    excluded: Sequence[ExcludedRange] = (),
) -> EvaluationResult:
    """Segmented regression for one site: ``log y = a + b·t + c·after + d·(t − t₀)·after +
    month effects``, ``t`` in years, ``t₀`` the change date. The effect is exp(c) (the jump
    in level), ``slope_change`` exp(d) per year. HAC (Newey–West) standard errors.

    Refuses with no before- or after-period, fewer than :data:`ITS_MIN_PERIODS_EACH_SIDE`
    on a side, fewer than :data:`ITS_MIN_RESIDUAL_DF` residual degrees of freedom, or a zero
    count (log).
    """
    panel = series if isinstance(series, pd.DataFrame) else as_panel(series)
    frame, counts = prepare(panel, change, excluded)
    before = int((frame["side"] == Side.BEFORE).sum())
    after = int((frame["side"] == Side.AFTER).sum())
    common: dict[str, Any] = {
        "method": Method.INTERRUPTED_TIME_SERIES,
        "change": change,
        "assumptions": ITS_ASSUMPTIONS,
        "interval_method": ITS_INTERVAL,
        "periods_excluded": counts["excluded"],
        "periods_straddling": counts["straddling"],
        "periods_before": before,
        "periods_after": after,
        "treated_units": tuple(sorted(set(panel["unit"]))),
    }
    if before == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_BEFORE_PERIOD))
    if after == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_AFTER_PERIOD))
    if min(before, after) < ITS_MIN_PERIODS_EACH_SIDE:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.TOO_FEW_PERIODS))
    y = frame["value"].to_numpy(dtype=float)
    if (y <= 0).any():
        zeros = [str(p) for p, v in zip(frame["period"], y, strict=True) if v <= 0]
        return EvaluationResult(
            **common, refusal=Refusal(RefusalReason.ZERO_COUNTS, ", ".join(zeros))
        )
    frame = frame.sort_values("period").reset_index(drop=True)
    y = frame["value"].to_numpy(dtype=float)
    t = np.array([years_of(p) for p in frame["period"]])
    t0 = change.year + (change.month - 1) / 12.0 + (change.day - 1) / 365.25
    after_flag = (frame["side"] == Side.AFTER).to_numpy(dtype=float)
    x = np.column_stack(
        [
            np.ones(len(y)),
            t - t0,
            after_flag,
            (t - t0) * after_flag,
            dummies([season_of(p) for p in frame["period"]]),
        ]
    )
    df_resid = len(y) - x.shape[1]
    if df_resid < ITS_MIN_RESIDUAL_DF:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.TOO_FEW_PERIODS))
    lags = newey_west_lags(len(y))
    fit = sm.OLS(np.log(y), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    std_level = float(fit.bse[2])
    if not math.isfinite(std_level) or std_level == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_VARIATION))
    return EvaluationResult(
        **common,
        effect=make_effect(float(fit.params[2]), std_level, df_resid),
        slope_change=make_effect(float(fit.params[3]), float(fit.bse[3]), df_resid),
        details={"residual_df": df_resid, "hac_lags": lags},
    )


# --- Difference-in-differences -------------------------------------------------------------

DID_ASSUMPTIONS = (
    gettext_noop(
        "Parallel trends: without the change, the site's visits would have risen or fallen "
        "by the same percentage as the comparison sites' (checked before the change, below)."
    ),
    gettext_noop(
        "The comparison sites were not affected by the change, and had no change of their "
        "own in the same years that Torg does not know about."
    ),
    gettext_noop(
        "A period excluded at the site is left out for the comparison sites too; periods "
        "straddling the change date are left out everywhere."
    ),
    gettext_noop(
        "With one or few changed sites, standard errors clustered by site can be too small "
        "(Conley and Taber 2011; MacKinnon and Webb 2017): read the interval as a guide."
    ),
)
DID_INTERVAL = gettext_noop(
    "Least squares on the log counts with one effect per site and one per period (two-way "
    "fixed effects); standard errors clustered by site, and a 95 % interval with Student's "
    "t on (number of sites − 1) degrees of freedom."
)


def _cluster_ols(
    y: np.ndarray, x: np.ndarray, groups: np.ndarray, column: int
) -> tuple[float, float, int, float]:
    """OLS of ``y`` on ``x``; the coefficient of ``column``, its cluster-robust standard
    error (statsmodels' CR1 small-sample correction), the clusters' df (G − 1) and the
    residual df (observations − rank of ``x``)."""
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    clusters_df = len(set(groups.tolist())) - 1
    return float(fit.params[column]), float(fit.bse[column]), clusters_df, float(fit.df_resid)


def _twfe_design(frame: pd.DataFrame, extra: np.ndarray) -> np.ndarray:
    units = frame["unit"].tolist()
    periods = [str(p) for p in frame["period"]]
    return np.column_stack([extra, np.ones(len(frame)), dummies(units), dummies(periods)])


def pre_trend_check(frame: pd.DataFrame, treated: set[str]) -> PreTrend | None:
    """Before-periods only: ``log y ~ unit + period + treated × t`` (``t`` in years),
    clustered by site. ``None`` with fewer than :data:`PRE_TREND_MIN_PERIODS` periods."""
    before = frame[frame["side"] == Side.BEFORE].reset_index(drop=True)
    treated_periods = before.loc[before["unit"].isin(treated), "period"].nunique()
    if treated_periods < PRE_TREND_MIN_PERIODS:
        return None
    is_treated = before["unit"].isin(treated).to_numpy(dtype=float)
    clock = {p: years_of(p) for p in set(before["period"])}
    t = np.array([clock[p] for p in before["period"]])
    x = _twfe_design(before, (is_treated * (t - t.mean()))[:, None])
    groups = pd.factorize(before["unit"])[0]
    slope, std_error, df, _df_resid = _cluster_ols(
        np.log(before["value"].to_numpy(float)), x, groups, 0
    )
    if not math.isfinite(std_error) or std_error == 0 or df < 1:
        return None
    p_value = float(2 * stats.t.sf(abs(slope / std_error), df))
    return PreTrend(slope, std_error, p_value, int(treated_periods))


def difference_in_differences(
    panel: pd.DataFrame,
    treated: Iterable[str],
    change: dt.date,
    excluded: Sequence[ExcludedRange] = (),
) -> EvaluationResult:
    """Two-way fixed effects on log counts: ``log y_it = α_i + γ_t + δ·treated_i·after_t``.
    The effect is exp(δ) − 1 against the comparison units (every other unit in ``panel``).

    ``panel``: long frame (``unit``, ``period``, ``value``). A comparison unit is used when
    it has counts before and after the change and no zero count; the others are listed in
    ``dropped_units`` with the reason. Refuses when a treated unit has no before- or
    after-period, has a zero count, or no comparison unit remains.
    """
    treated_set = set(treated)
    frame, counts = prepare(panel, change, excluded, treated=treated_set)
    treated_rows = frame[frame["unit"].isin(treated_set)]
    before = int((treated_rows["side"] == Side.BEFORE).sum())
    after = int((treated_rows["side"] == Side.AFTER).sum())
    common: dict[str, Any] = {
        "method": Method.DIFFERENCE_IN_DIFFERENCES,
        "change": change,
        "assumptions": DID_ASSUMPTIONS,
        "interval_method": DID_INTERVAL,
        "periods_excluded": counts["excluded"],
        "periods_straddling": counts["straddling"],
        "periods_before": before,
        "periods_after": after,
        "treated_units": tuple(sorted(treated_set)),
    }
    if before == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_BEFORE_PERIOD))
    if after == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_AFTER_PERIOD))
    if (treated_rows["value"] <= 0).any():
        zeros = treated_rows.loc[treated_rows["value"] <= 0, "period"].astype(str)
        return EvaluationResult(
            **common, refusal=Refusal(RefusalReason.ZERO_COUNTS, ", ".join(zeros))
        )
    dropped: list[tuple[str, str]] = []
    keep: list[str] = []
    for unit, rows in frame[~frame["unit"].isin(treated_set)].groupby("unit", sort=True):
        sides = set(rows["side"])
        if (rows["value"] <= 0).any():
            dropped.append((str(unit), "zero counts"))
        elif sides != {Side.BEFORE, Side.AFTER}:
            dropped.append((str(unit), "no counts before and after the change"))
        else:
            keep.append(str(unit))
    common["comparison_units"] = tuple(keep)
    common["dropped_units"] = tuple(dropped)
    if not keep:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_COMPARISON_UNITS))
    frame = frame[frame["unit"].isin(treated_set | set(keep))].reset_index(drop=True)
    is_treated = frame["unit"].isin(treated_set).to_numpy(dtype=float)
    after_flag = (frame["side"] == Side.AFTER).to_numpy(dtype=float)
    x = _twfe_design(frame, (is_treated * after_flag)[:, None])
    y = np.log(frame["value"].to_numpy(dtype=float))
    if len(y) - x.shape[1] < MIN_RESIDUAL_DF:  # columns ≥ rank: checked again after the fit
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.TOO_FEW_PERIODS))
    groups = pd.factorize(frame["unit"])[0]
    estimate, std_error, df, df_resid = _cluster_ols(y, x, groups, 0)
    if df_resid < MIN_RESIDUAL_DF:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.TOO_FEW_PERIODS))
    if not math.isfinite(std_error) or std_error == 0:
        return EvaluationResult(**common, refusal=Refusal(RefusalReason.NO_VARIATION))
    return EvaluationResult(
        **common,
        effect=make_effect(estimate, std_error, df),
        pre_trend=pre_trend_check(frame, treated_set),
        details={"clusters": df + 1, "observations": len(y)},
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
