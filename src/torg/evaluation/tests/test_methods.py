"""The statistics module against hand-computed small cases and reference values computed
apart (tests/reference/compute_reference.py: plain numpy least squares and statsmodels'
formula interface, stored in reference.json)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from torg.evaluation.methods import (
    ExcludedRange,
    Method,
    RefusalReason,
    Side,
    covid_exclusion,
    difference_in_differences,
    interrupted_time_series,
    newey_west_lags,
    same_period_comparison,
    side_of,
)

REFERENCE = Path(__file__).parent / "reference"
EXPECTED = json.loads((REFERENCE / "reference.json").read_text())


def yearly(values: dict[int, float], unit: str = "X") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": unit,
            "period": [pd.Period(str(year), "Y") for year in values],
            "value": list(values.values()),
        }
    )


def reference_panel() -> pd.DataFrame:
    raw = pd.read_csv(REFERENCE / "panel.csv")
    return pd.DataFrame(
        {
            "unit": raw["unit"],
            "period": [pd.Period(str(year), "Y") for year in raw["year"]],
            "value": raw["value"].astype(float),
        }
    )


def reference_monthly() -> pd.Series:
    raw = pd.read_csv(REFERENCE / "monthly.csv")
    return pd.Series(
        raw["value"].astype(float).to_numpy(), index=pd.PeriodIndex(raw["month"], freq="M")
    )


# --- Periods -------------------------------------------------------------------------------


def test_a_period_is_before_after_or_straddling_the_change() -> None:
    change = dt.date(2017, 6, 1)
    assert side_of(pd.Period("2017-05", "M"), change) is Side.BEFORE
    assert side_of(pd.Period("2017-06", "M"), change) is Side.AFTER
    assert side_of(pd.Period("2017", "Y"), change) is Side.STRADDLING
    assert side_of(pd.Period("2016", "Y"), change) is Side.BEFORE


def test_the_covid_exclusion_removes_2020_and_2021_but_not_2019_or_2022() -> None:
    covid = covid_exclusion()
    assert [covid.overlaps(pd.Period(str(y), "Y")) for y in (2019, 2020, 2021, 2022)] == [
        False,
        True,
        True,
        False,
    ]
    assert not covid.overlaps(pd.Period("2020-02", "M"))
    assert covid.overlaps(pd.Period("2020-03", "M"))


def test_an_excluded_range_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before"):
        ExcludedRange(dt.date(2020, 2, 1), dt.date(2020, 1, 1))


# --- Same-period comparison ----------------------------------------------------------------


def test_same_period_comparison_matches_a_hand_computed_case() -> None:
    # Before 100, 120; after 150, 130 (yearly: one season). Ratio 280/220. Fitted means
    # 110 and 140; Pearson X² = (100+100)/110 + (100+100)/140; φ = X²/2;
    # Var(log R) = φ (1/280 + 1/220); t(2) quantile 4.302653.
    result = same_period_comparison(
        yearly({2010: 100, 2011: 120, 2012: 150, 2013: 130}), dt.date(2012, 1, 1)
    )
    assert result.effect is not None
    phi = (200 / 110 + 200 / 140) / 2
    se = math.sqrt(phi * (1 / 280 + 1 / 220))
    assert result.effect.ratio == pytest.approx(280 / 220, rel=1e-9)
    assert result.effect.std_error == pytest.approx(se, rel=1e-6)
    assert result.effect.ci_low_log == pytest.approx(math.log(280 / 220) - 4.302653 * se, rel=1e-5)
    assert result.periods_before == 2 and result.periods_after == 2


def test_same_period_comparison_agrees_with_statsmodels_formula_glm() -> None:
    expected = EXPECTED["same_period_statsmodels"]
    result = same_period_comparison(reference_monthly(), dt.date(2018, 1, 1))
    assert result.effect is not None
    assert result.effect.log_ratio == pytest.approx(expected["estimate"], rel=1e-8)
    assert result.effect.std_error == pytest.approx(expected["std_error"], rel=1e-6)
    assert result.details["dispersion"] == pytest.approx(expected["dispersion"], rel=1e-6)
    # With one January … December on each side the ratio is Σ after / Σ before.
    series = reference_monthly()
    before = series[series.index < pd.Period("2018-01", "M")].sum()
    after = series[series.index >= pd.Period("2018-01", "M")].sum()
    assert result.effect.ratio == pytest.approx(after / before, rel=1e-9)


def test_same_period_comparison_uses_only_months_counted_on_both_sides() -> None:
    series = reference_monthly()
    # Leave the after-side's summer out: only the other months are compared.
    excluded = [ExcludedRange(dt.date(2018, 6, 1), dt.date(2019, 8, 31))]
    result = same_period_comparison(series, dt.date(2018, 1, 1), excluded)
    assert result.details["months_compared"] == 9
    assert result.periods_excluded == 15


def test_same_period_comparison_refuses_without_a_before_period() -> None:
    result = same_period_comparison(yearly({2015: 80, 2016: 90}), dt.date(2015, 1, 1))
    assert result.effect is None
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.NO_BEFORE_PERIOD
    assert "no before-period" in result.refusal.message


def test_same_period_comparison_refuses_with_too_few_periods() -> None:
    result = same_period_comparison(yearly({2015: 80, 2016: 90}), dt.date(2016, 1, 1))
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.TOO_FEW_PERIODS


def test_excluded_periods_can_leave_no_after_period() -> None:
    result = same_period_comparison(
        yearly({2018: 80, 2019: 90, 2020: 10, 2021: 20}), dt.date(2020, 1, 1), [covid_exclusion()]
    )
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.NO_AFTER_PERIOD
    assert result.periods_excluded == 2


# --- Interrupted time series ---------------------------------------------------------------


def test_its_agrees_with_statsmodels_formula_ols_with_hac() -> None:
    expected = EXPECTED["its_statsmodels"]
    result = interrupted_time_series(reference_monthly(), dt.date(2018, 1, 1))
    assert result.method is Method.INTERRUPTED_TIME_SERIES
    assert result.effect is not None and result.slope_change is not None
    assert result.effect.log_ratio == pytest.approx(expected["level"], rel=1e-8)
    assert result.effect.std_error == pytest.approx(expected["level_std_error"], rel=1e-6)
    assert result.slope_change.log_ratio == pytest.approx(expected["slope_change"], rel=1e-6)
    assert result.slope_change.std_error == pytest.approx(
        expected["slope_change_std_error"], rel=1e-6
    )
    # The generated jump was +15 %: the interval holds it.
    assert result.effect.ci_low_log < math.log(1.15) < result.effect.ci_high_log


def test_its_recovers_an_exact_jump_on_a_noiseless_line() -> None:
    index = pd.period_range("2015-01", "2018-12", freq="M")
    t = np.arange(len(index))
    values = 1000 * 1.01**t * np.where(index >= pd.Period("2017-01", "M"), 1.3, 1.0)
    values = values * (1 + 1e-6 * np.sin(t))  # a trace of noise so the errors are not 0
    result = interrupted_time_series(pd.Series(values, index=index), dt.date(2017, 1, 1))
    assert result.effect is not None
    assert result.effect.ratio == pytest.approx(1.3, rel=1e-4)


def test_its_refuses_short_series_and_zero_counts() -> None:
    short = interrupted_time_series(
        yearly({2012: 5, 2013: 6, 2014: 7, 2018: 8, 2019: 9, 2022: 7}), dt.date(2017, 1, 1)
    )
    assert short.refusal is not None
    assert short.refusal.reason is RefusalReason.TOO_FEW_PERIODS
    series = reference_monthly().copy()
    series.iloc[30] = 0
    zero = interrupted_time_series(series, dt.date(2018, 1, 1))
    assert zero.refusal is not None
    assert zero.refusal.reason is RefusalReason.ZERO_COUNTS
    assert "2018-07" in zero.refusal.detail


def test_newey_west_lag_rule() -> None:
    assert [newey_west_lags(n) for n in (6, 48, 100, 132)] == [2, 3, 4, 4]


# --- Difference-in-differences -------------------------------------------------------------


def test_did_point_estimate_matches_plain_numpy_least_squares() -> None:
    result = difference_in_differences(reference_panel(), ["A"], dt.date(2014, 1, 1))
    assert result.effect is not None
    assert result.effect.log_ratio == pytest.approx(EXPECTED["did_point_numpy"], rel=1e-9)


def test_did_clustered_errors_match_statsmodels_formula_output() -> None:
    expected = EXPECTED["did_statsmodels"]
    result = difference_in_differences(reference_panel(), ["A"], dt.date(2014, 1, 1))
    assert result.effect is not None
    assert result.effect.std_error == pytest.approx(expected["std_error"], rel=1e-6)
    assert result.effect.ci_low_log == pytest.approx(expected["ci_low"], rel=1e-6)
    assert result.effect.ci_high_log == pytest.approx(expected["ci_high"], rel=1e-6)
    assert result.comparison_units == ("B", "C", "D", "E")


def test_did_is_the_double_difference_of_means_on_a_balanced_two_by_two() -> None:
    panel = pd.concat(
        [
            yearly({2010: 100, 2011: 110, 2012: 150, 2013: 160}, "T"),
            yearly({2010: 200, 2011: 210, 2012: 220, 2013: 230}, "C1"),
            yearly({2010: 50, 2011: 52, 2012: 54, 2013: 57}, "C2"),
        ]
    )
    logs = {unit: np.log(rows["value"].to_numpy(float)) for unit, rows in panel.groupby("unit")}
    by_hand = (logs["T"][2:].mean() - logs["T"][:2].mean()) - np.mean(
        [logs[c][2:].mean() - logs[c][:2].mean() for c in ("C1", "C2")]
    )
    result = difference_in_differences(panel, ["T"], dt.date(2012, 1, 1))
    assert result.effect is not None
    assert result.effect.log_ratio == pytest.approx(by_hand, rel=1e-9)


def test_did_flags_a_diverging_pre_trend() -> None:
    years = range(2010, 2018)
    panel = pd.concat(
        [
            yearly({y: 1000 * 0.8 ** (y - 2010) * (1.01 if y % 2 else 0.99) for y in years}, "T"),
            *[
                yearly({y: 500 * k * (1.0 + 0.01 * ((y * k) % 3)) for y in years}, f"C{k}")
                for k in (1, 2, 3)
            ],
        ]
    )
    result = difference_in_differences(panel, ["T"], dt.date(2015, 1, 1))
    assert result.pre_trend is not None
    assert result.pre_trend.diverges
    assert result.pre_trend.percent_per_year < -15


def test_did_drops_comparison_units_without_both_sides_and_refuses_with_none_left() -> None:
    panel = pd.concat(
        [
            yearly({2010: 100, 2011: 110, 2012: 150}, "T"),
            yearly({2012: 200, 2013: 210}, "new"),
        ]
    )
    result = difference_in_differences(panel, ["T"], dt.date(2012, 1, 1))
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.NO_COMPARISON_UNITS
    assert result.dropped_units == (("new", "no counts before and after the change"),)


def test_did_refuses_a_site_that_opened_at_the_change() -> None:
    panel = pd.concat(
        [
            yearly({2015: 83, 2016: 175, 2017: 194}, "SC"),
            yearly({2012: 300, 2013: 310, 2016: 320, 2017: 330}, "C"),
        ]
    )
    result = difference_in_differences(panel, ["SC"], dt.date(2015, 1, 1))
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.NO_BEFORE_PERIOD
    assert result.effect is None


def test_a_period_excluded_at_the_treated_site_is_left_out_for_every_site() -> None:
    panel = pd.concat(
        [
            yearly({2009: 90, 2010: 100, 2011: 999, 2012: 150, 2013: 160}, "T"),
            yearly({2009: 190, 2010: 200, 2011: 1, 2012: 220, 2013: 230}, "C"),
            yearly({2009: 55, 2010: 50, 2011: 2, 2012: 54, 2013: 59}, "D"),
        ]
    )
    works = ExcludedRange(dt.date(2011, 1, 1), dt.date(2011, 12, 31), "T", "building works")
    with_works = difference_in_differences(panel, ["T"], dt.date(2012, 1, 1), [works])
    without_2011 = difference_in_differences(
        panel[panel["period"] != pd.Period("2011", "Y")], ["T"], dt.date(2012, 1, 1)
    )
    assert with_works.effect is not None and without_2011.effect is not None
    assert with_works.effect.log_ratio == pytest.approx(without_2011.effect.log_ratio)
    assert with_works.periods_excluded == 1


def test_did_refuses_when_the_fixed_effects_leave_too_few_degrees_of_freedom():
    panel = pd.concat(
        [
            yearly({2010: 100, 2011: 150}, "T"),
            yearly({2010: 200, 2011: 210}, "C"),
        ]
    )
    result = difference_in_differences(panel, ["T"], dt.date(2011, 1, 1))
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.TOO_FEW_PERIODS
