"""The answer as a sentence a council member can read, and the chart of treated against
comparison. Translated at the time of the request."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import altair as alt
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from torg.evaluation import methods
from torg.evaluation.england import EnglandComparison, england_comparison
from torg.evaluation.selectors import OUTCOME_LABELS, Evaluation
from torg.evaluation.survey_waves import CELL_STATE_LABELS, CellState, SurveyByModel, SurveyWaves
from torg.surveys.analysis.likert import Proportion
from torg.web.charts import HEIGHT, ChartBlock, finish, fmt, fmt_percent, num, txt

BASES = {
    methods.Method.SAME_PERIOD: lambda: _("compared with the same months before the change"),
    methods.Method.INTERRUPTED_TIME_SERIES: lambda: _("compared with the trend before the change"),
    methods.Method.DIFFERENCE_IN_DIFFERENCES: lambda: _("compared with the comparison sites"),
}


def signed(value: float) -> str:
    """A whole percent with a real minus sign: ``−5``, ``12``."""
    text = fmt(abs(value), 0)
    return f"−{text}" if round(value) < 0 else text


def headline(evaluation: Evaluation) -> str:
    """ "Visits rose by 18 % (95 % CI 9–27 %) compared with the comparison sites", or the
    refusal; whole percents; an interval that includes 0 is said in words."""
    result = evaluation.result
    outcome = str(OUTCOME_LABELS[evaluation.outcome])
    if result.refusal is not None or result.effect is None:
        return _(result.refusal.message) if result.refusal else ""
    effect = result.effect
    values = {
        "outcome": outcome,
        "percent": fmt(abs(effect.percent), 0),
        "low": signed(effect.percent_low),
        "high": signed(effect.percent_high),
        "basis": BASES[result.method](),
    }
    if not effect.interval_excludes_zero:
        return _(
            "%(outcome)s changed by %(change)s %% (95 %% CI %(low)s to %(high)s %%) "
            "%(basis)s; the interval includes no change, so the data cannot tell a rise "
            "from a fall."
        ) % {**values, "change": signed(effect.percent)}
    if effect.percent >= 0:
        return (
            _("%(outcome)s rose by %(percent)s %% (95 %% CI %(low)s–%(high)s %%) %(basis)s.")
            % values
        )
    return (
        _("%(outcome)s fell by %(percent)s %% (95 %% CI %(low)s to %(high)s %%) %(basis)s.")
        % values
    )


def pre_trend_sentence(result: methods.EvaluationResult) -> str:
    """What the pre-trend check says, or why there is none ("" for other methods)."""
    if result.method is not methods.Method.DIFFERENCE_IN_DIFFERENCES or result.refused:
        return ""
    trend = result.pre_trend
    if trend is None:
        return _("Too few periods before the change to check that the trends were parallel.")
    values = {"percent": signed(trend.percent_per_year), "periods": trend.periods}
    if trend.diverges:
        return (
            _(
                "Warning: before the change, the site's counts already moved %(percent)s %% a "
                "year against the comparison sites (%(periods)s periods, p < 0.05). The trends "
                "were not parallel, so part of the estimate may be that earlier trend."
            )
            % values
        )
    return (
        _(
            "Before the change the site moved %(percent)s %% a year against the comparison "
            "sites (%(periods)s periods); no clear difference in trend."
        )
        % values
    )


def chart(evaluation: Evaluation) -> ChartBlock | None:
    """Treated site against the comparison sites' mean, each as an index (its own
    before-mean = 100) so both fit one scale, with the change marked; the table gives the
    counts themselves. ``None`` when the site has no counts."""
    panel = evaluation.panel
    treated = str(evaluation.site_id)
    frame = panel.frame
    if frame[frame["unit"] == treated].empty:
        return None
    result = evaluation.result
    comparison = list(result.comparison_units)
    periods = sorted(set(frame.loc[frame["unit"].isin([treated, *comparison]), "period"]))
    excluded_for_site = [r for r in evaluation.excluded if r.unit in (None, treated)]

    def values(unit_rows: pd.DataFrame) -> dict[pd.Period, float]:
        return {p: float(v) for p, v in zip(unit_rows["period"], unit_rows["value"], strict=True)}

    own = values(frame[frame["unit"] == treated])
    comparison_mean: dict[pd.Period, float] = {}
    if comparison:
        others = frame[frame["unit"].isin(comparison)]
        comparison_mean = {p: float(v) for p, v in others.groupby("period")["value"].mean().items()}
    site_label, comparison_label = evaluation.site_name, _("Comparison sites (mean)")

    def index(series: dict[pd.Period, float]) -> dict[pd.Period, float]:
        before = [
            v
            for p, v in series.items()
            if methods.side_of(p, result.change) is methods.Side.BEFORE
            and not any(r.overlaps(p) for r in excluded_for_site)
        ]
        base = sum(before) / len(before) if before else None
        return {p: 100 * v / base for p, v in series.items()} if base else {}

    rows: list[dict[str, Any]] = []
    for name, series in ((site_label, index(own)), (comparison_label, index(comparison_mean))):
        for period in periods:
            excluded = any(r.overlaps(period) for r in excluded_for_site)
            value = series.get(period)
            rows.append(
                {"label": str(period), "series": name, "value": None if excluded else value}
            )
    labels = [str(p) for p in periods]
    change_label = next(
        (str(p) for p in periods if methods.side_of(p, result.change) is not methods.Side.BEFORE),
        None,
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("label:O", sort=labels, title=_("Period"))
    )
    lines = base.mark_line(point=True).encode(
        y=alt.Y("value:Q", title=_("Index (before the change = 100)")),
        color=alt.Color("series:N", title=_("Series")),
        tooltip=[
            alt.Tooltip("series:N"),
            alt.Tooltip("label:O"),
            alt.Tooltip("value:Q", format=".0f"),
        ],
    )
    layers: list[Any] = [lines]
    if change_label:
        layers.append(
            alt.Chart(alt.Data(values=[{"label": change_label}]))
            .mark_rule(strokeDash=[4, 4], color="#1a1a1a")
            .encode(x=alt.X("label:O", sort=labels))
        )
    spec = finish(
        alt.layer(*layers).properties(width="container", height=HEIGHT),
        _("Index of the site's counts and of the comparison sites' mean, change marked"),
    )
    table_rows = []
    for period in periods:
        excluded = any(r.overlaps(period) for r in excluded_for_site)
        side = methods.side_of(period, result.change)
        note = (
            _("excluded")
            if excluded
            else {
                methods.Side.BEFORE: _("before"),
                methods.Side.AFTER: _("after"),
                methods.Side.STRADDLING: _("contains the change"),
            }[side]
        )
        table_rows.append(
            [txt(str(period)), num(own.get(period)), num(comparison_mean.get(period)), txt(note)]
        )
    return ChartBlock(
        id="evaluation-chart",
        title=_("%(outcome)s at %(site)s and at the comparison sites")
        % {"outcome": OUTCOME_LABELS[evaluation.outcome], "site": evaluation.site_name},
        summary=_(
            "Both lines are indexed to their own mean before the change (= 100); the dashed "
            "line marks the change; excluded periods are gaps."
        ),
        spec=spec,
        columns=[_("Period"), site_label, comparison_label, _("Used as")],
        rows=table_rows,
    )


def agree_text(agree: Proportion) -> str:
    """ "75 % (95 % CI 47–92; n = 12)": the share who agree, its interval, who answered."""
    return _("%(share)s (95 %% CI %(low)s–%(high)s; n = %(n)s)") % {
        "share": fmt_percent(100 * agree.share, 0),
        "low": fmt(100 * agree.ci_low),
        "high": fmt(100 * agree.ci_high),
        "n": fmt(agree.n),
    }


def survey_model_tables(blocks: list[SurveyByModel]) -> list[dict[str, Any]]:
    """The survey-by-model tables: per survey its wave, the models as columns and a text
    per statement and model (the share who agree, or why there is none)."""
    suppressed = str(CELL_STATE_LABELS[CellState.SUPPRESSED])
    return [
        {
            "survey": block.survey,
            "wave": block.wave,
            "models": [label for _key, label in block.models],
            "rows": [
                {
                    "text": text,
                    "cells": [
                        suppressed if cell.hidden else agree_text(cell.agree) if cell.agree else "–"
                        for cell in cells
                    ],
                }
                for text, cells in block.rows
            ],
        }
        for block in blocks
    ]


SIDE_LABELS = {
    "before": gettext_lazy("before the change"),
    "after": gettext_lazy("after the change"),
    "during": gettext_lazy("spans the change"),
}


def survey_wave_tables(
    blocks: list[SurveyWaves], change: dt.date | None = None
) -> list[dict[str, Any]]:
    """The survey-by-wave tables as a page and the report show them: per survey its waves
    (number, dates, and with ``change`` whether the wave lies before or after it) and per
    statement a text per wave: the share who agree with its 95 % interval and the number
    who answered, or why there is no figure."""
    tables = []
    for block in blocks:
        waves = [
            {
                "wave": wave,
                "side": str(SIDE_LABELS[block.side(wave, change)]) if change else "",
            }
            for wave in block.waves
        ]
        rows = []
        for row in block.rows:
            cells = [agree_text(cell.agree) if cell.agree else cell.label for cell in row.cells]
            rows.append({"text": row.text, "cells": cells})
        tables.append({"survey": block.survey, "waves": waves, "rows": rows})
    return tables


@functools.cache
def _england() -> EnglandComparison | None:
    from torg.demo.setup import ENGLAND_DIR, data_path

    path = data_path(f"{ENGLAND_DIR}/visits.csv")
    return england_comparison(path) if path.exists() else None


def england_block() -> dict[str, Any] | None:
    """England 2023-24 (Arts Council England's Libraries Activity Data, bundled with the
    demo): visits per library authority in library-only against shared buildings, as the
    model comparison page shows it, or ``None`` when the file is not installed. A
    cross-section, never a before/after: the sentence says so."""
    comparison = _england()
    if comparison is None:
        return None
    result = comparison.result
    effect = result.effect
    sentence = (
        _(
            "Authorities' visits in shared buildings were %(ratio)s times those in library-only "
            "buildings (typical authority, geometric mean; 95 %% CI %(low)s–%(high)s). This is "
            "a comparison between authorities in one year, not the effect of sharing a "
            "building."
        )
        % {
            "ratio": fmt(effect.ratio, 2),
            "low": fmt(math.exp(effect.ci_low_log), 2),
            "high": fmt(math.exp(effect.ci_high_log), 2),
        }
        if effect is not None
        else _(result.refusal.message)
        if result.refusal
        else ""
    )
    return {
        "groups": [
            {
                "label": label,
                "units": fmt(group.units),
                "geometric_mean": fmt(group.geometric_mean),
                "median": fmt(group.median),
            }
            for label, group in (
                (_("Library-only buildings"), result.first),
                (_("Shared buildings"), result.second),
            )
        ],
        "sentence": sentence,
        "partial": comparison.partial_left_out,
        "interval_method": _(result.interval_method),
        "assumptions": [_(text) for text in result.assumptions],
    }
