"""The real cases from the Toronto data, checked against a separate hand-written computation
from the raw CSV (plain numpy and pandas, no torg code)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from torg.demo.setup import TORONTO_VISITS, data_path
from torg.evaluation import cases, methods
from torg.evaluation.methods import RefusalReason

pytestmark = pytest.mark.django_db

BEFORE = (2012, 2013, 2014)
AFTER = (2018, 2019, 2022)  # 2015–2017 building works and reopening year; 2020–2021 COVID


def complete_branches() -> pd.DataFrame:
    """Branch × year visits (2012–14, 2018, 2019, 2022) of AB and every other branch with a
    positive count in each of the six years, from the raw file."""
    raw = pd.read_csv(data_path(TORONTO_VISITS))
    years = BEFORE + AFTER
    raw = raw[raw["Year"].isin(years) & (raw["BranchCode"] != "SC")]
    complete = raw.groupby("BranchCode").filter(
        lambda rows: rows["Year"].nunique() == 6 and (rows["Visits"] > 0).all()
    )
    return complete.pivot(index="BranchCode", columns="Year", values="Visits")


def hand_similar(wide: pd.DataFrame, count: int = 10) -> list[str]:
    """The ``count`` branches nearest to AB in 2012–14 mean log visits and log-visit slope
    per year, each standardised by its spread (population sd) among the candidates."""
    logs = np.log(wide[list(BEFORE)].to_numpy(float))
    level = logs.mean(axis=1)
    slope = np.array([np.polyfit(BEFORE, row, 1)[0] for row in logs])
    ab = list(wide.index).index("AB")
    others = [i for i in range(len(wide)) if i != ab]
    dl = (level[others] - level[ab]) / level[others].std()
    ds = (slope[others] - slope[ab]) / slope[others].std()
    order = np.argsort(np.hypot(dl, ds), kind="stable")[:count]
    return [wide.index[others[i]] for i in order]


def hand_albion(comparison: list[str] | None = None) -> tuple[float, float, int]:
    """The DiD point estimate and CR1 cluster-robust standard error for Albion, by hand:
    the balanced panel of AB and the comparison branches (default: every complete one);
    log visits on branch and year dummies plus AB×after; sandwich by branch."""
    wide = complete_branches()
    years = BEFORE + AFTER
    if comparison is not None:
        wide = wide.loc[["AB", *comparison]]
    logs = np.log(wide.to_numpy(float))
    is_ab = wide.index == "AB"
    after = np.isin(np.array(years), AFTER)
    # Balanced panel, one treated unit: TWFE equals the double difference of means.
    point = (logs[is_ab][:, after].mean() - logs[is_ab][:, ~after].mean()) - (
        logs[~is_ab][:, after].mean() - logs[~is_ab][:, ~after].mean()
    )
    # Standard error: the full design and the cluster sandwich written out.
    units, n_years = len(wide), len(years)
    y = logs.reshape(-1)
    unit_index = np.repeat(np.arange(units), n_years)
    year_index = np.tile(np.arange(n_years), units)
    treat = (is_ab[unit_index] & after[year_index]).astype(float)
    x = np.column_stack(
        [treat, np.ones(len(y))]
        + [(unit_index == u).astype(float) for u in range(1, units)]
        + [(year_index == t).astype(float) for t in range(1, n_years)]
    )
    bread = np.linalg.inv(x.T @ x)
    beta = bread @ x.T @ y
    residuals = y - x @ beta
    meat = np.zeros((x.shape[1], x.shape[1]))
    for u in range(units):
        score = x[unit_index == u].T @ residuals[unit_index == u]
        meat += np.outer(score, score)
    n, k = x.shape
    correction = units / (units - 1) * (n - 1) / (n - k)
    se = float(np.sqrt((bread @ meat @ bread)[0, 0] * correction))
    assert abs(beta[0] - point) < 1e-10
    return float(point), se, units - 1


def test_albion_against_every_complete_branch_matches_the_hand_written_computation(toronto):
    evaluation = cases.albion(toronto, all_branches=True)
    result = evaluation.result
    point, se, comparison_count = hand_albion()
    assert result.effect is not None
    assert result.effect.log_ratio == pytest.approx(point, rel=1e-9)
    assert result.effect.std_error == pytest.approx(se, rel=1e-6)
    assert len(result.comparison_units) == comparison_count
    assert (result.periods_before, result.periods_after, result.periods_excluded) == (3, 3, 5)


def test_albion_against_the_proposed_similar_branches_matches_the_hand_computation(toronto):
    from torg.organisation.models import Site

    similar = hand_similar(complete_branches())
    evaluation = cases.albion(toronto)
    codes = set(
        Site.objects.filter(
            pk__in=[int(u) for u in evaluation.result.comparison_units]
        ).values_list("code", flat=True)
    )
    assert codes == set(similar)
    point, se, _count = hand_albion(similar)
    assert evaluation.result.effect is not None
    assert evaluation.result.effect.log_ratio == pytest.approx(point, rel=1e-9)
    assert evaluation.result.effect.std_error == pytest.approx(se, rel=1e-6)
    assert evaluation.proposed


def test_albion_reports_its_diverging_pre_trend(toronto):
    result = cases.albion(toronto, all_branches=True).result
    # Albion fell from 522,309 (2012) to 401,819 (2014) visits while most branches held.
    assert result.pre_trend is not None
    assert result.pre_trend.diverges
    assert result.pre_trend.slope_log_per_year < 0


def test_albion_has_too_few_years_for_an_interrupted_time_series(toronto):
    result = cases.albion(toronto, methods.Method.INTERRUPTED_TIME_SERIES).result
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.TOO_FEW_PERIODS


def test_albion_same_period_is_after_over_before_visits(toronto):
    result = cases.albion(toronto, methods.Method.SAME_PERIOD).result
    before = 522309 + 432525 + 401819
    after = 327977 + 337559 + 191320
    assert result.effect is not None
    assert result.effect.ratio == pytest.approx((after / 3) / (before / 3), rel=1e-9)


@pytest.mark.parametrize("method", list(methods.Method))
def test_scarborough_civic_centre_has_no_before_period_with_any_method(toronto, method):
    result = cases.scarborough_civic_centre(toronto, method).result
    assert result.effect is None
    assert result.refusal is not None
    assert result.refusal.reason is RefusalReason.NO_BEFORE_PERIOD


def test_the_demo_exclusions_give_the_albion_case_on_the_page_and_are_added_once(toronto):
    from torg.evaluation.models import ExcludedPeriod
    from torg.evaluation.selectors import Outcome, evaluate
    from torg.evaluation.services import ensure_demo_exclusions
    from torg.organisation.models import Site

    assert ensure_demo_exclusions() == 2
    assert ensure_demo_exclusions() == 0
    assert ExcludedPeriod.objects.count() == 2
    albion = Site.objects.get(municipality=toronto, code="AB")
    stored = evaluate(
        toronto,
        site=albion,
        change=cases.ALBION_CHANGE,
        outcome=Outcome.VISITS,
        method=methods.Method.DIFFERENCE_IN_DIFFERENCES,
    )
    assert stored.result.effect == cases.albion(toronto).result.effect
