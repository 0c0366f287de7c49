"""Reads for the evaluation pages: outcome series per site, changes, excluded periods, and
the evaluation of one change (the statistics are :mod:`torg.evaluation.methods`).

Every query goes through :func:`torg.organisation.scoping.scoped` (a member bound to some
sites sees only those, also as comparison sites). Visits are read through
:func:`torg.visits.aggregates.visits_over_time`, so the evaluation's counts are the
dashboard's: the site's local calendar, zero kept apart from missing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import (
    Count,
    DateTimeField,
    FloatField,
    Func,
    Max,
    QuerySet,
    Sum,
)
from django.db.models.functions import Trunc
from django.utils.translation import gettext_lazy as _

from torg.evaluation import methods
from torg.evaluation.inquiry_totals import inquiry_month_panel
from torg.evaluation.models import ExcludedPeriod, MethodChecklistItem
from torg.inquiries.models import InquiryDomain
from torg.lib.localtime import zone
from torg.organisation.models import OrganisationalModel, Site, SiteModelPeriod
from torg.organisation.scoping import Scope, municipality_of, scoped
from torg.visits.aggregates import (
    Granularity,
    granularity_for_periods,
    site_zones,
    visits_over_time,
)
from torg.visits.models import CountMethod, Event, VisitCount
from torg.visits.series import monthly_totals


class Outcome(StrEnum):
    VISITS = "visits"
    INQUIRIES = "inquiries"
    INQUIRIES_LIBRARY = "inquiries_library"
    INQUIRIES_MUNICIPAL = "inquiries_municipal"
    INQUIRIES_SHARED = "inquiries_shared"
    NEW_USERS = "new_users"
    EVENTS = "events"
    ATTENDANCE = "attendance"


OUTCOME_LABELS = {
    Outcome.VISITS: _("Visits"),
    Outcome.INQUIRIES: _("Inquiries"),
    Outcome.INQUIRIES_LIBRARY: _("Inquiries about library services"),
    Outcome.INQUIRIES_MUNICIPAL: _("Inquiries about municipal services"),
    Outcome.INQUIRIES_SHARED: _("Inquiries about shared services"),
    Outcome.NEW_USERS: _("New users (inquiries marked new user)"),
    Outcome.EVENTS: _("Events"),
    Outcome.ATTENDANCE: _("Event attendance"),
}

#: The domain each by-domain inquiry outcome counts.
OUTCOME_DOMAINS = {
    Outcome.INQUIRIES_LIBRARY: InquiryDomain.LIBRARY.value,
    Outcome.INQUIRIES_MUNICIPAL: InquiryDomain.MUNICIPAL.value,
    Outcome.INQUIRIES_SHARED: InquiryDomain.SHARED.value,
}


@dataclass(frozen=True)
class OutcomePanel:
    """Counts per site and period: ``frame`` has ``unit`` (site id as text), ``period``
    (``pandas.Period``, ``freq`` ``"M"``, ``"Q"`` or ``"Y"``) and ``value``; ``names``
    maps a unit to its site's name; ``estimated`` counts the rows behind the figures that
    are estimates (visits counted by method "estimate"), per unit."""

    outcome: Outcome
    freq: str
    frame: pd.DataFrame
    names: dict[str, str]
    estimated: dict[str, int] = field(default_factory=dict)

    def unit_rows(self, unit: str) -> pd.DataFrame:
        return self.frame[self.frame["unit"] == unit]

    def missing_periods(self, unit: str) -> int:
        """Periods between the unit's first and last count with no count (not zero)."""
        periods = self.unit_rows(unit)["period"]
        if periods.empty:
            return 0
        span = pd.period_range(periods.min(), periods.max(), freq=self.freq)
        return len(span) - periods.nunique()


FREQ_OF = {Granularity.MONTH: "M", Granularity.QUARTER: "Q", Granularity.YEAR: "Y"}


def _period(day: dt.date, freq: str) -> pd.Period:
    return pd.Period(year=day.year, month=day.month, freq="M").asfreq(freq)


class _Days(Func):
    """An instant as a number of days (fractional), natively in each database, so that a
    duration is a subtraction the database does itself (no per-row Python function)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="julianday", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)"
        )


#: Counts at most this long (a local day can last 25 hours) are summed by local month of
#: the business day (:func:`torg.visits.series.monthly_totals`).
_DAY = Granularity.DAY.longest / dt.timedelta(days=1)


def visit_panel(scope: Scope) -> OutcomePanel:
    """Visits per site in the finest calendar unit (month, quarter or year) that every
    count of the municipality fits in. When no count is longer than a day (door counters'
    hourly or daily counts) the months come from :func:`torg.visits.series.monthly_totals`
    (the site's local business days, one indexed query per month, the site pages' monthly
    figures; a count that runs past the end of its month is in none, as there); otherwise
    from :func:`torg.visits.aggregates.visits_over_time` by month, quarter or year (weekly
    counts are added up by month)."""
    counts = scoped(VisitCount, scope)
    # Three cheap reads instead of one grouped scan of every row: the longest count from the
    # covering index of monthly totals, the first and last start from the index on
    # (municipality, period_start), the estimates by their method.
    longest = counts.aggregate(days=Max(_Days("period_end") - _Days("period_start")))["days"]
    estimated = {
        str(site_id): int(number)
        for site_id, number in counts.filter(method=CountMethod.ESTIMATE)
        .values_list("site_id")
        .annotate(number=Count("id"))
        .order_by()
    }
    sites = {
        site.pk: site
        for site in scoped(Site, scope).only("id", "name", "is_aggregate", "time_zone")
    }
    names = {str(site_id): site.name for site_id, site in sites.items()}
    if longest is not None and float(longest) <= _DAY:
        earliest = counts.order_by("period_start").values_list("period_start", flat=True)[0]
        latest = counts.order_by("-period_start").values_list("period_start", flat=True)[0]
        # Widest local days in any of the sites' zones (a day either side covers them all).
        first = earliest.date() - dt.timedelta(days=1)
        last = latest.date() + dt.timedelta(days=1)
        totals = monthly_totals(municipality_of(scope), first_month=first, last_month=last)
        rows = [
            {"unit": str(site_id), "period": _period(month, "M"), "value": float(count)}
            for site_id, per_month in sorted(totals.items())
            if site_id in sites and not sites[site_id].is_aggregate
            for month, count in sorted(per_month.items())
        ]
        return OutcomePanel(Outcome.VISITS, "M", _frame(rows), names, estimated)
    durations = {
        end - start
        for start, end in scoped(VisitCount, scope)
        .values_list("period_start", "period_end")
        .distinct()
        .order_by()
    }
    granularity = granularity_for_periods(durations)
    if granularity in (Granularity.DAY, Granularity.WEEK):
        granularity = Granularity.MONTH
    series = visits_over_time(scope, granularity=granularity)
    freq = FREQ_OF[granularity]
    rows = [
        {"unit": str(site.site_id), "period": _period(day, freq), "value": float(count)}
        for site in series.sites
        if not site.is_aggregate
        for day, count in site.counts.items()
    ]
    return OutcomePanel(Outcome.VISITS, freq, _frame(rows), names, estimated)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "period", "value"])


def _event_months(scope: Scope, measure: str) -> list[dict[str, object]]:
    """Events (the sum of ``occurrences``, as on the dashboard) or their recorded
    attendance per site and local month of the site (one query per time zone). A month
    whose events all lack the measure has no value (missing, not zero)."""
    out: list[dict[str, object]] = []
    rows = scoped(Event, scope).filter(site__isnull=False)
    for time_zone, site_ids in site_zones(scope).items():
        tz = zone(time_zone)
        grouped = (
            rows.filter(site_id__in=site_ids)
            .annotate(month=Trunc("starts_at", "month", output_field=DateTimeField(), tzinfo=tz))
            .values("site_id", "month")
            .annotate(number=Sum(measure))
            .order_by()
        )
        out.extend(
            {
                "unit": str(row["site_id"]),
                "period": _period(row["month"].astimezone(tz).date(), "M"),
                "value": float(row["number"]),
            }
            for row in grouped
            if row["number"] is not None
        )
    return out


def count_panel(scope: Scope, outcome: Outcome) -> OutcomePanel:
    """One outcome per site and local month: inquiries (all, or one domain's), new users
    (inquiries marked new user, from :func:`torg.evaluation.inquiry_totals.inquiry_month_panel`),
    events (occurrences) or their attendance; visits through :func:`visit_panel`. A month
    with no row is missing (a site that did not log is not a site that had no inquiries)."""
    if outcome is Outcome.VISITS:
        return visit_panel(scope)
    if outcome is Outcome.EVENTS or outcome is Outcome.ATTENDANCE:
        rows = _event_months(scope, "occurrences" if outcome is Outcome.EVENTS else "attendance")
    else:
        counts = inquiry_month_panel(
            scope, new_users=outcome is Outcome.NEW_USERS, domain=OUTCOME_DOMAINS.get(outcome)
        )
        rows = [
            {"unit": str(site_id), "period": _period(month, "M"), "value": float(number)}
            for (site_id, month), number in sorted(counts.items())
        ]
    names = dict(scoped(Site, scope).values_list("id", "name"))
    return OutcomePanel(outcome, "M", _frame(rows), {str(k): v for k, v in names.items()})


# --- Changes and exclusions ----------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A dated change at a site: a model period starting, or the year the site opened."""

    site_id: int
    site_name: str
    day: dt.date
    label: str

    @property
    def key(self) -> str:
        return f"{self.site_id}:{self.day.isoformat()}"


def changes(scope: Scope) -> list[Change]:
    """Every organisational model period's start, and every site's opening year (its 1
    January: the data say only the year), ordered by site name and date."""
    found = [
        Change(
            period.site_id,
            period.site.name,
            period.valid_from,
            str(_("%(model)s from %(day)s"))
            % {"model": period.get_model_display(), "day": period.valid_from.isoformat()},
        )
        for period in scoped(SiteModelPeriod, scope).select_related("site")
    ]
    found += [
        Change(
            site.pk,
            site.name,
            dt.date(site.opened_year, 1, 1),
            str(_("Opened at its present site in %(year)s")) % {"year": site.opened_year},
        )
        for site in scoped(Site, scope).filter(opened_year__gte=1990, is_aggregate=False)
        if site.opened_year is not None
    ]
    return sorted(found, key=lambda c: (c.site_name, c.day))


def excluded_periods(scope: Scope) -> QuerySet[ExcludedPeriod]:
    return scoped(ExcludedPeriod, scope).select_related("site")


def excluded_ranges(scope: Scope) -> list[methods.ExcludedRange]:
    """The municipality's excluded periods as the methods take them (unit = site id)."""
    return [
        methods.ExcludedRange(
            first=row.first,
            last=row.last,
            unit=str(row.site_id) if row.site_id else None,
            reason=row.get_reason_display(),
        )
        for row in excluded_periods(scope)
    ]


# --- One evaluation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """One method's answer for one change, with what the page shows beside it."""

    result: methods.EvaluationResult
    outcome: Outcome
    site_id: int
    site_name: str
    panel: OutcomePanel
    comparison_names: tuple[str, ...]
    missing_periods: int
    estimated_rows: int
    excluded: tuple[methods.ExcludedRange, ...]
    #: Whether Torg proposed the comparison sites (the analyst picked none).
    proposed: bool = False


def complete_comparison_units(
    panel: OutcomePanel, treated: str, change: dt.date, excluded: Sequence[methods.ExcludedRange]
) -> list[str]:
    """Torg's proposal of comparison sites: every other site with a count in every period
    the treated site is compared in (before and after the change, outside excluded
    periods), and no zero there."""
    frame, _counts = methods.prepare(panel.frame, change, excluded, treated={treated})
    wanted = set(frame.loc[frame["unit"] == treated, "period"])
    chosen = []
    for unit, rows in frame[frame["unit"] != treated].groupby("unit"):
        kept = rows[rows["period"].isin(wanted)]
        if set(kept["period"]) == wanted and (kept["value"] > 0).all():
            chosen.append(str(unit))
    return sorted(chosen)


#: How many comparison sites Torg proposes: the most similar in size and trend.
PROPOSED_SITES = 10


def propose_comparison_units(
    panel: OutcomePanel,
    treated: str,
    change: dt.date,
    excluded: Sequence[methods.ExcludedRange],
    count: int = PROPOSED_SITES,
) -> list[str]:
    """Torg's proposal: of :func:`complete_comparison_units`, the ``count`` most similar to
    the treated site before the change in size (mean log count) and trend (least-squares
    slope of the log count per year; 0 with one before-period). Both are standardised by
    their spread among the candidates and combined as a Euclidean distance; ties go by
    unit. All candidates when there are no more than ``count``."""
    candidates = complete_comparison_units(panel, treated, change, excluded)
    if len(candidates) <= count:
        return candidates
    frame, _counts = methods.prepare(panel.frame, change, excluded, treated={treated})
    before = frame[
        (frame["side"] == methods.Side.BEFORE) & frame["unit"].isin([treated, *candidates])
    ]

    def profile(rows: pd.DataFrame) -> tuple[float, float]:
        logs = np.log(rows["value"].to_numpy(float))
        years = np.array([methods.years_of(p) for p in rows["period"]])
        slope = float(np.polyfit(years, logs, 1)[0]) if len(set(years)) > 1 else 0.0
        return float(logs.mean()), slope

    profiles = {str(unit): profile(rows) for unit, rows in before.groupby("unit")}
    if treated not in profiles:
        return candidates  # no before-period: the method refuses, whatever the comparison
    levels = np.array([profiles[u][0] for u in candidates])
    slopes = np.array([profiles[u][1] for u in candidates])
    level_spread = float(levels.std()) or 1.0
    slope_spread = float(slopes.std()) or 1.0
    own_level, own_slope = profiles[treated]
    distance = {
        unit: float(
            np.hypot(
                (profiles[unit][0] - own_level) / level_spread,
                (profiles[unit][1] - own_slope) / slope_spread,
            )
        )
        for unit in candidates
    }
    return sorted(candidates, key=lambda unit: (distance[unit], unit))[:count]


def evaluate(
    scope: Scope,
    *,
    site: Site,
    change: dt.date,
    outcome: Outcome,
    method: methods.Method,
    comparison_site_ids: Sequence[int] | None = None,
    extra_excluded: Sequence[methods.ExcludedRange] = (),
    panel: OutcomePanel | None = None,
) -> Evaluation:
    """Evaluate the change at ``site`` on ``change`` with ``method``: the site's series
    (and, for difference-in-differences, the comparison sites': the ones given, else
    :func:`propose_comparison_units`) with the municipality's excluded periods and
    ``extra_excluded`` left out. ``site`` must belong to ``scope`` (the caller looks it up
    through a scoped query). ``panel``: the outcome's panel when the caller already has it
    (a report evaluating many changes reads it once)."""
    if panel is None or panel.outcome is not outcome:
        panel = count_panel(scope, outcome)
    treated = str(site.pk)
    excluded = tuple(excluded_ranges(scope)) + tuple(extra_excluded)
    comparison: list[str] = []
    if method is methods.Method.DIFFERENCE_IN_DIFFERENCES:
        if comparison_site_ids:
            comparison = [str(i) for i in comparison_site_ids if str(i) != treated]
        else:
            comparison = propose_comparison_units(panel, treated, change, excluded)
        frame = panel.frame[panel.frame["unit"].isin([treated, *comparison])]
        result = methods.difference_in_differences(frame, [treated], change, excluded)
    else:
        frame = panel.unit_rows(treated)
        function = (
            methods.same_period_comparison
            if method is methods.Method.SAME_PERIOD
            else methods.interrupted_time_series
        )
        result = function(frame, change, excluded)
    return Evaluation(
        result=result,
        outcome=outcome,
        site_id=site.pk,
        site_name=site.name,
        panel=panel,
        comparison_names=tuple(panel.names.get(u, u) for u in result.comparison_units),
        missing_periods=panel.missing_periods(treated),
        estimated_rows=panel.estimated.get(treated, 0),
        excluded=excluded,
        proposed=method is methods.Method.DIFFERENCE_IN_DIFFERENCES and not comparison_site_ids,
    )


# --- Model comparison ----------------------------------------------------------------------

#: Fewer sites than this in a group and the page warns that the comparison means little.
FEW_SITES = 5


@dataclass(frozen=True)
class ModelGroup:
    """One organisational model's sites and their yearly visits per site in ``year``:
    ``sites`` with a count, their mean, and a 95 % t-interval of the mean (``None`` with
    fewer than two sites)."""

    model: str
    label: str
    sites: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def few(self) -> bool:
        return self.sites < FEW_SITES


def model_comparison(
    scope: Scope,
    year: int,
    *,
    panel: OutcomePanel | None = None,
    outcome: Outcome = Outcome.VISITS,
) -> list[ModelGroup]:
    """Visits in ``year`` per site, grouped by the organisational model each site had on
    1 July of that year ("no model recorded" for the rest). Yearly totals are the sum of
    the site's counts in that local year; a site with no count that year is left out.
    ``outcome``: what is added up per site (visits by default; inquiries, new users,
    events or attendance from :func:`count_panel`); ``panel``: that outcome's panel when
    the caller already has it."""
    panel = panel if panel is not None else count_panel(scope, outcome)
    frame = panel.frame.copy()
    if frame.empty:
        return []
    frame["year"] = [p.year for p in frame["period"]]
    totals = frame[frame["year"] == year].groupby("unit")["value"].sum()
    middle = dt.date(year, 7, 1)
    model_of: dict[str, str] = {}
    for period in scoped(SiteModelPeriod, scope):
        if period.valid_from <= middle and (period.valid_to is None or middle <= period.valid_to):
            model_of[str(period.site_id)] = period.model
    labels = dict(OrganisationalModel.choices)
    groups: dict[str, list[float]] = defaultdict(list)
    for unit, value in totals.items():
        groups[model_of.get(str(unit), "")].append(float(value))
    out = []
    order = [*OrganisationalModel.values, ""]
    for model in order:
        values = groups.get(model)
        if not values:
            continue
        mean, low, high = methods.mean_interval(values)
        out.append(
            ModelGroup(
                model=model,
                label=str(labels.get(model, _("No model recorded"))),
                sites=len(values),
                mean=mean,
                ci_low=low,
                ci_high=high,
            )
        )
    return out


def checklist(scope: Scope) -> dict[str, tuple[str, str]]:
    """The municipality's stored checklist: method → (status, note)."""
    return {row.method: (row.status, row.note) for row in scoped(MethodChecklistItem, scope)}
