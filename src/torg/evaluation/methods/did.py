"""Difference-in-differences with a pre-trend check (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from torg.evaluation.methods.base import (
    MIN_RESIDUAL_DF,
    PRE_TREND_MIN_PERIODS,
    EvaluationResult,
    ExcludedRange,
    Method,
    PreTrend,
    Refusal,
    RefusalReason,
    Side,
    dummies,
    gettext_noop,
    make_effect,
    prepare,
    years_of,
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
