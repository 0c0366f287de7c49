"""Same-period comparison (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from torg.evaluation.methods.base import (
    MIN_RESIDUAL_DF,
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
)

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
