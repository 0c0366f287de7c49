"""The evaluation report of one municipality and period, as HTML and as PDF (WeasyPrint).

:func:`report_build` gathers the figures (plain data), :func:`report_html` renders them with
the template ``evaluation/report.html`` and :func:`report_pdf` prints that HTML. Charts are
Vega-Lite specs (Altair, as on the pages) turned into SVG by vl-convert, so the page and the
PDF show the same drawing, each with its table. Same data, same report: nothing depends on
the clock (the PDF carries no creation date) or on dictionary order.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from torg.evaluation import methods, presentation
from torg.evaluation.inquiry_totals import InquirySummary, inquiry_summary
from torg.evaluation.selectors import (
    Evaluation,
    ModelGroup,
    Outcome,
    OutcomePanel,
    changes,
    count_panel,
    evaluate,
    excluded_periods,
    model_comparison,
    visit_panel,
)
from torg.evaluation.survey_waves import SurveyWaves, survey_waves
from torg.inquiries.models import Channel, InquiryDomain
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Scope, municipality_of, scoped
from torg.visits.aggregates import EventBreakdown, LocalDateRange, events_by_audience
from torg.web.charts import HEIGHT, finish, fmt, fmt_percent

#: ``progress(step, done, total)``: called after each step of the build.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Finding:
    """One change's before/after: the sentence, the pre-trend note, the method note."""

    evaluation: Evaluation
    headline: str
    pre_trend: str
    method: str
    interval_method: str
    assumptions: tuple[str, ...]


@dataclass(frozen=True)
class ReportFigures:
    """The aggregates behind a report (the part :mod:`bench.evaluation` times against
    DuckDB): ``visits`` and ``inquiry_panel`` per site and period over the whole history
    (the before/after and the model comparison need it), and on the report's local days
    ``inquiries`` (total, by domain and channel, new users) and ``events`` (occurrences
    and recorded attendance by audience)."""

    visits: OutcomePanel
    inquiry_panel: OutcomePanel
    inquiries: InquirySummary
    events: EventBreakdown


def report_figures(scope: Scope, first: dt.date, last: dt.date) -> ReportFigures:
    """The report's aggregates for local days ``first`` to ``last`` (both included). Visits
    through :func:`~torg.evaluation.selectors.visit_panel`, inquiries through the stored
    monthly totals (:mod:`torg.evaluation.inquiry_totals`), events through
    :func:`torg.visits.aggregates.events_by_audience`: one function per figure, the same
    ones the pages use. Raises ``ValueError`` when ``last`` comes before ``first``."""
    period = LocalDateRange(first, last)
    return ReportFigures(
        visits=visit_panel(scope),
        inquiry_panel=count_panel(scope, Outcome.INQUIRIES),
        inquiries=inquiry_summary(scope, first, last),
        events=events_by_audience(scope, period=period),
    )


@dataclass(frozen=True)
class Report:
    municipality: Municipality
    first: dt.date
    last: dt.date
    sites: int
    sites_reporting: int
    visits_total: float
    visit_periods: list[tuple[str, float, int]]
    visits_chart_svg: str
    inquiries: InquirySummary
    events: EventBreakdown
    findings: list[Finding]
    groups: list[ModelGroup]
    groups_year: int
    excluded: list[Any]
    estimated_counts: int
    missing_periods: int
    surveys: list[SurveyWaves] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _in_range(panel: OutcomePanel, first: dt.date, last: dt.date) -> pd.DataFrame:
    frame = panel.frame
    if frame.empty:
        return frame
    keep = [p.start_time.date() >= first and p.end_time.date() <= last for p in frame["period"]]
    return frame[keep]


def _svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec))


def _visits_chart(rows: list[tuple[str, float, int]]) -> str:
    if not rows:
        return ""
    data = [{"label": label, "value": value} for label, value, _sites in rows]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            x=alt.X("label:O", title=_("Period"), sort=[label for label, _v, _s in rows]),
            y=alt.Y("value:Q", title=_("Visits"), axis=alt.Axis(format="~s")),
        )
        .properties(width=560, height=HEIGHT)
    )
    return _svg(finish(chart, _("Visits per period, all sites")))


def report_build(
    scope: Scope,
    first: dt.date,
    last: dt.date,
    *,
    progress: Progress | None = None,
) -> Report:
    """Everything the evaluation report of ``municipality`` for local days ``first`` to
    ``last`` (inclusive) shows. Visits count only periods that lie wholly inside the range;
    before/after findings cover every change (model period start, opening year) dated in
    the range, by difference-in-differences against Torg's proposed comparison sites.
    ``scope``: a municipality (the command) or a member's tenancy (the page: a member
    bound to some sites sees only theirs)."""
    municipality = municipality_of(scope)
    steps = 5
    tick = progress or (lambda step, done, total: None)
    figures = report_figures(scope, first, last)
    panel = figures.visits
    inside = _in_range(panel, first, last)
    totals = inside.groupby("period")["value"].agg(["sum", "count"]).sort_index()
    visit_periods = [(str(p), float(row["sum"]), int(row["count"])) for p, row in totals.iterrows()]
    tick("visits", 1, steps)
    tick("inquiries and events", 2, steps)
    findings = []
    for change in changes(scope):
        if not first <= change.day <= last:
            continue
        site = scoped(Site, scope).get(pk=change.site_id)
        evaluation = evaluate(
            scope,
            site=site,
            change=change.day,
            outcome=Outcome.VISITS,
            method=methods.Method.DIFFERENCE_IN_DIFFERENCES,
            panel=panel,
        )
        result = evaluation.result
        findings.append(
            Finding(
                evaluation=evaluation,
                headline=presentation.headline(evaluation),
                pre_trend=presentation.pre_trend_sentence(result),
                method=_(methods.METHOD_LABELS[result.method]),
                interval_method=_(result.interval_method),
                assumptions=tuple(_(text) for text in result.assumptions),
            )
        )
    tick("before and after", 3, steps)
    groups_year = last.year if last.month == 12 and last.day == 31 else last.year - 1
    groups = model_comparison(scope, groups_year, panel=panel)
    tick("model comparison", 4, steps)
    units = set(inside["unit"]) if not inside.empty else set()
    report = Report(
        municipality=municipality,
        first=first,
        last=last,
        sites=scoped(Site, scope).filter(is_aggregate=False).count(),
        sites_reporting=len(units),
        visits_total=float(inside["value"].sum()) if not inside.empty else 0.0,
        visit_periods=visit_periods,
        visits_chart_svg=_visits_chart(visit_periods),
        inquiries=figures.inquiries,
        events=figures.events,
        findings=findings,
        groups=groups,
        groups_year=groups_year,
        excluded=list(excluded_periods(scope)),
        estimated_counts=sum(panel.estimated.values()),
        missing_periods=sum(panel.missing_periods(unit) for unit in sorted(units)),
        surveys=survey_waves(scope),
    )
    tick("done", 5, steps)
    return report


def report_html(report: Report) -> str:
    """The report as one self-contained HTML document (inline SVG charts, inline CSS)."""
    findings = [
        {
            "finding": finding,
            "chart_svg": _finding_svg(finding.evaluation),
        }
        for finding in report.findings
    ]
    inquiries = report.inquiries

    def shares(counts: dict[str, int], labels: dict[str, Any]) -> list[tuple[str, str, str]]:
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [
            (str(labels.get(key, key)), fmt(value), fmt_percent(100 * value / inquiries.total))
            for key, value in ordered
        ]

    return render_to_string(
        "evaluation/report.html",
        {
            "report": report,
            "findings": findings,
            "inquiries_total": fmt(inquiries.total),
            "new_users": fmt(inquiries.new_users),
            "events_total": fmt(report.events.events),
            "inquiry_domains": shares(inquiries.by_domain, dict(InquiryDomain.choices)),
            "inquiry_channels": shares(inquiries.by_channel, dict(Channel.choices)),
            "survey_tables": presentation.survey_wave_tables(report.surveys),
            "visits_total": fmt(report.visits_total),
            "visit_rows": [
                (label, fmt(value), sites) for label, value, sites in report.visit_periods
            ],
            "groups": [
                {
                    "group": group,
                    "mean": fmt(group.mean),
                    "interval": f"{fmt(group.ci_low)}–{fmt(group.ci_high)}"
                    if group.ci_low is not None
                    else "–",
                }
                for group in report.groups
            ],
        },
    )


def _finding_svg(evaluation: Evaluation) -> str:
    block = presentation.chart(evaluation)
    if block is None or evaluation.result.refused:
        return ""
    spec = dict(block.spec)
    spec["width"] = 560
    return _svg(spec)


#: The "modified" time stamped into the embedded fonts (seconds since 1970): 1 January 2020.
FONT_TIMESTAMP = 1577836800


def report_pdf(report: Report) -> bytes:
    """The report printed by WeasyPrint (A4, no creation date, so the same data give the
    same bytes).

    The fonts WeasyPrint embeds are subsets written by fontTools, which stamps each with
    the current second unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds
    convention, https://reproducible-builds.org/specs/source-date-epoch/); without it two
    prints a second apart differ. It is set here, if the environment has not set it, to
    a fixed instant."""
    import weasyprint

    os.environ.setdefault("SOURCE_DATE_EPOCH", str(FONT_TIMESTAMP))

    pdf = weasyprint.HTML(string=report_html(report)).write_pdf()
    return bytes(pdf or b"")
