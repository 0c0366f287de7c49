"""Survey charts: the diverging stacked bar chart of Likert statements and the share who agree
(with its Wilson interval) by group, each with its table (see :mod:`torg.web.charts`).

The diverging chart (Robbins & Heiberger 2011, "Plotting Likert and other rating scales",
JSM Proceedings) puts disagreement left of zero and agreement right of it; a neutral level is
split in two around zero. Hidden (suppressed) statements or groups are left out of the chart
and appear in the table as "hidden".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
from django.utils.translation import gettext as _

from torg.surveys.selectors import GroupResult, StatementResult
from torg.web.charts import Cell, ChartBlock, finish, fmt, fmt_percent, num, txt

#: Colours from disagree (brown) to agree (blue), at least 3:1 against white; grey middle.
DIVERGING = {
    4: ["#8c510a", "#bf812d", "#35978f", "#01665e"],
    5: ["#8c510a", "#bf812d", "#767676", "#35978f", "#01665e"],
    7: ["#543005", "#8c510a", "#bf812d", "#767676", "#35978f", "#01665e", "#003c30"],
}


def diverging_rows(statements: Sequence[StatementResult]) -> list[dict[str, Any]]:
    """Bar segments ``{statement, level, order, start, end, percent}`` in percent of answers."""
    rows: list[dict[str, Any]] = []
    for statement in statements:
        summary = statement.overall.summary
        if summary is None:
            continue
        points = len(summary.percent)
        middle = points // 2
        neutral = summary.percent[middle] if points % 2 else 0.0
        start = -sum(summary.percent[:middle]) - neutral / 2
        for level, (label, value) in enumerate(
            zip(statement.labels, summary.percent, strict=False)
        ):
            rows.append(
                {
                    "statement": statement.item.text,
                    "level": label,
                    "order": level,
                    "start": round(start, 3),
                    "end": round(start + value, 3),
                    "percent": round(value, 1),
                }
            )
            start += value
    return rows


def diverging_chart(statements: Sequence[StatementResult], chart_id: str = "likert") -> ChartBlock:
    """The diverging stacked bar chart of every shown statement, with the table."""
    rows = diverging_rows(statements)
    points = max((len(s.labels) for s in statements), default=5)
    labels = next((s.labels for s in statements if len(s.labels) == points), [])
    order = list(dict.fromkeys(row["statement"] for row in rows))
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("statement:N", sort=order, title=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(
                "start:Q",
                title=_("Percent of those who answered"),
                scale=alt.Scale(domain=[-100, 100]),
            ),
            x2="end:Q",
            color=alt.Color(
                "level:N",
                sort=labels,
                title=None,
                scale=alt.Scale(domain=labels, range=DIVERGING.get(points, DIVERGING[5])),
                legend=alt.Legend(columns=3, labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("statement:N", title=_("Statement")),
                alt.Tooltip("level:N", title=_("Answer")),
                alt.Tooltip("percent:Q", title=_("Percent")),
            ],
        )
        .properties(width="container", height=max(80, 36 * len(order)))
    )
    description = _("Diverging stacked bars: disagreement left of zero, agreement right.")
    columns = [
        _("Statement"),
        _("Answered"),
        *labels,
        _("Don't know"),
        _("Agree"),
        _("95 % interval"),
    ]
    table_rows: list[list[Cell]] = []
    for statement in statements:
        table_rows.append(statement_row(statement.item.text, statement.overall, len(labels)))
    return ChartBlock(
        id=chart_id,
        title=_("Answers per statement"),
        summary=description,
        spec=finish(chart, description),
        columns=columns,
        rows=table_rows,
        note=_("Statements with too few answers are hidden."),
    )


def statement_row(title: str, result: GroupResult, points: int) -> list[Cell]:
    """One table row: answered, percent per level, don't know, share agree with interval."""
    if result.hidden or result.summary is None or result.agree is None:
        hidden = Cell(text=_("hidden (too few answers)") if result.hidden else "–")
        return [txt(title), hidden, *[Cell(text="") for _ in range(points + 3)]]
    summary, agree = result.summary, result.agree
    return [
        txt(title),
        num(summary.answered),
        *[Cell(fmt_percent(p), numeric=True) for p in summary.percent],
        *[Cell("") for _ in range(points - len(summary.percent))],
        num(summary.dont_know),
        Cell(fmt_percent(agree.share * 100), numeric=True),
        Cell(
            f"{fmt_percent(agree.ci_low * 100)} – {fmt_percent(agree.ci_high * 100)}", numeric=True
        ),
    ]


def agree_by_group_chart(statement: StatementResult, chart_id: str) -> ChartBlock:
    """Share who agree per shown group with the Wilson 95 % interval as an error bar."""
    rows = [
        {
            "group": group.label or _("Not stated"),
            "share": round(group.agree.share * 100, 1),
            "low": round(group.agree.ci_low * 100, 1),
            "high": round(group.agree.ci_high * 100, 1),
        }
        for group in statement.groups
        if not group.hidden and group.agree is not None
    ]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("group:N", title=None, sort=[str(r["group"]) for r in rows])
    )
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title=_("Share who agree (%)"), scale=alt.Scale(domain=[0, 100])),
        tooltip=[
            alt.Tooltip("group:N", title=_("Group")),
            alt.Tooltip("share:Q", title=_("Share who agree (%)")),
            alt.Tooltip("low:Q", title=_("Lower bound")),
            alt.Tooltip("high:Q", title=_("Upper bound")),
        ],
    )
    errors = base.mark_rule(color="#1a1a1a").encode(x="low:Q", x2="high:Q")
    chart = alt.layer(bars, errors).properties(width="container", height=max(60, 32 * len(rows)))
    description = _("Share who agree by group, with the 95 % Wilson interval.")
    table = [
        [
            txt(group.label or _("Not stated")),
            Cell(_("hidden (too few answers)")) if group.hidden else num(group.answered),
            Cell("")
            if group.agree is None
            else Cell(fmt_percent(group.agree.share * 100), numeric=True),
            Cell("")
            if group.agree is None
            else Cell(
                f"{fmt_percent(group.agree.ci_low * 100)} – {fmt_percent(group.agree.ci_high * 100)}",
                numeric=True,
            ),
        ]
        for group in statement.groups
    ]
    return ChartBlock(
        id=chart_id,
        title=statement.item.text,
        summary=description,
        spec=finish(chart, description),
        columns=[_("Group"), _("Answered"), _("Agree"), _("95 % interval")],
        rows=table,
    )


def wave_comparison_chart(statements: Sequence[StatementResult], wave_number: int) -> ChartBlock:
    """Share who agree in the previous wave and this one, for comparable statements whose
    totals are shown in both waves, with Wilson 95 % intervals as rules."""
    previous_label = _("Previous wave")
    this_label = _("This wave")
    rows: list[dict[str, Any]] = []
    table: list[list[Cell]] = []
    for statement in statements:
        before, now = statement.previous_agree, statement.overall.agree
        if before is None or now is None or statement.change_test is None:
            continue
        for label, share in ((previous_label, before), (this_label, now)):
            rows.append(
                {
                    "statement": statement.item.text,
                    "wave": label,
                    "share": round(share.share * 100, 1),
                    "low": round(share.ci_low * 100, 1),
                    "high": round(share.ci_high * 100, 1),
                }
            )
        table.append(
            [
                txt(statement.item.text),
                Cell(fmt_percent(before.share * 100), numeric=True),
                Cell(fmt_percent(now.share * 100), numeric=True),
                Cell(fmt(statement.change_test.p_value, 3), numeric=True),
                Cell(fmt(statement.change_test.cohens_h, 2), numeric=True),
            ]
        )
    base = alt.Chart().encode(y=alt.Y("wave:N", title=None, sort=[previous_label, this_label]))
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title=_("Share who agree (%)"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("wave:N", sort=[previous_label, this_label], title=None),
        tooltip=[
            alt.Tooltip("statement:N", title=_("Statement")),
            alt.Tooltip("wave:N", title=_("Wave")),
            alt.Tooltip("share:Q", title=_("Share who agree (%)")),
            alt.Tooltip("low:Q", title=_("Lower bound")),
            alt.Tooltip("high:Q", title=_("Upper bound")),
        ],
    )
    rules = base.mark_rule(color="#1a1a1a").encode(x="low:Q", x2="high:Q")
    # A facet cannot be as wide as its container: each statement gets a fixed-width panel.
    header = alt.Header(labelAngle=0, labelAlign="left", labelLimit=360)
    chart = (
        alt.layer(bars, rules, data=alt.Data(values=rows))
        .properties(width=320, height=50)
        .facet(row=alt.Row("statement:N", title=None, header=header))
    )
    description = _("Share who agree, the previous wave against this one, with 95 % intervals.")
    return ChartBlock(
        id="waves",
        title=_("Share who agree by wave"),
        summary=description,
        spec=finish(chart, description),
        columns=[_("Statement"), _("Previous wave"), _("This wave"), _("p-value"), _("Cohen's h")],
        rows=table,
        note=_("Only statements asked the same way in both waves, with enough answers in both."),
    )
