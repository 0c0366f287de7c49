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

The package re-exports every public name of its modules (``base``, ``same_period``,
``its``, ``did``, ``cross_section``).
"""

from __future__ import annotations

from torg.evaluation.methods.base import (
    CONFIDENCE,
    COVID_FIRST,
    COVID_LAST,
    ITS_MIN_PERIODS_EACH_SIDE,
    ITS_MIN_RESIDUAL_DF,
    METHOD_LABELS,
    MIN_RESIDUAL_DF,
    PRE_TREND_MIN_PERIODS,
    REFUSAL_MESSAGES,
    Effect,
    EvaluationResult,
    ExcludedRange,
    Method,
    PreTrend,
    Refusal,
    RefusalReason,
    Side,
    as_panel,
    covid_exclusion,
    dummies,
    gettext_noop,
    make_effect,
    prepare,
    season_of,
    side_of,
    t_interval,
    years_of,
)
from torg.evaluation.methods.cross_section import (
    CROSS_SECTION_ASSUMPTIONS,
    CROSS_SECTION_INTERVAL,
    CrossSection,
    GroupSummary,
    cross_section,
    mean_interval,
)
from torg.evaluation.methods.did import (
    DID_ASSUMPTIONS,
    DID_INTERVAL,
    difference_in_differences,
    pre_trend_check,
)
from torg.evaluation.methods.its import (
    ITS_ASSUMPTIONS,
    ITS_INTERVAL,
    interrupted_time_series,
    newey_west_lags,
)
from torg.evaluation.methods.same_period import (
    SAME_PERIOD_ASSUMPTIONS,
    SAME_PERIOD_INTERVAL,
    same_period_comparison,
)

__all__ = [
    "CONFIDENCE",
    "COVID_FIRST",
    "COVID_LAST",
    "CROSS_SECTION_ASSUMPTIONS",
    "CROSS_SECTION_INTERVAL",
    "DID_ASSUMPTIONS",
    "DID_INTERVAL",
    "ITS_ASSUMPTIONS",
    "ITS_INTERVAL",
    "ITS_MIN_PERIODS_EACH_SIDE",
    "ITS_MIN_RESIDUAL_DF",
    "METHOD_LABELS",
    "MIN_RESIDUAL_DF",
    "PRE_TREND_MIN_PERIODS",
    "REFUSAL_MESSAGES",
    "SAME_PERIOD_ASSUMPTIONS",
    "SAME_PERIOD_INTERVAL",
    "CrossSection",
    "Effect",
    "EvaluationResult",
    "ExcludedRange",
    "GroupSummary",
    "Method",
    "PreTrend",
    "Refusal",
    "RefusalReason",
    "Side",
    "as_panel",
    "covid_exclusion",
    "cross_section",
    "difference_in_differences",
    "dummies",
    "gettext_noop",
    "interrupted_time_series",
    "make_effect",
    "mean_interval",
    "newey_west_lags",
    "pre_trend_check",
    "prepare",
    "same_period_comparison",
    "season_of",
    "side_of",
    "t_interval",
    "years_of",
]
