"""Interrupted time series (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from torg.evaluation.methods.base import (
    ITS_MIN_PERIODS_EACH_SIDE,
    ITS_MIN_RESIDUAL_DF,
    EvaluationResult,
    ExcludedRange,
    Method,
    Refusal,
    RefusalReason,
    Side,
    as_panel,
    dummies,
    gettext_noop,
    make_effect,
    prepare,
    season_of,
    years_of,
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
