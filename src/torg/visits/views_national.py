"""The national comparison page: any logged-in user may compare any Norwegian municipality
(the annual library statistics are public reference data, not tenant data)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from torg.lib.params import printable, whole_number
from torg.organisation.scoping import memberships_of
from torg.visits import national
from torg.web import charts
from torg.web.charts import Cell, ChartBlock, fmt, num, txt

#: Drammen, one of the two municipalities of the evaluation project.
DEFAULT_NUMBER = "3005"
#: Written by the dashboard: the municipality the user last worked in.
CURRENT_MUNICIPALITY = "torg_current_municipality"


def _default_number(request: HttpRequest, rows: list[national.MunicipalityFigures]) -> str:
    """The user's current Norwegian municipality if it is in the statistics, else another
    of the user's Norwegian municipalities, else Drammen (3005), else the first row."""
    memberships = [m for m in memberships_of(request.user) if m.municipality.country == "NO"]
    current = request.session.get(CURRENT_MUNICIPALITY)
    memberships.sort(key=lambda m: m.municipality.slug != current)
    for membership in memberships:
        if national.find(rows, membership.municipality.number):
            return membership.municipality.number
    if national.find(rows, DEFAULT_NUMBER):
        return DEFAULT_NUMBER
    return rows[0].number if rows else ""


@login_required
@require_safe
def comparison(request: HttpRequest) -> HttpResponse:
    """``?year=`` (default: the newest) and ``?municipality=`` (a municipality number)."""
    years = national.available_years("NO")
    context: dict[str, Any] = {"nav": "national", "years": years}
    if not years:
        return render(request, "visits/national.html", context)
    asked_year = printable(request.GET.get("year", ""), limit=20)
    wanted_year = whole_number(asked_year, maximum=9999) if asked_year else years[0]
    year = wanted_year if wanted_year in years else years[0]
    year_not_found = bool(asked_year) and wanted_year != year
    rows = national.load_year(year, "NO")
    asked = printable(request.GET.get("municipality", ""), limit=100)
    subject = national.find(rows, asked) if asked else None
    not_found = bool(asked) and subject is None
    if subject is None:
        subject = national.find(rows, _default_number(request, rows))
    if subject is None:  # pragma: no cover - rows exist for a listed year
        return render(request, "visits/national.html", context)
    result = national.compare(rows, subject)
    context.update(
        {
            "year": year,
            "rows": rows,
            "subject": subject,
            "subject_key": national.normalise_number(subject.number),
            "comparison": result,
            "not_found": not_found,
            "asked": asked,
            "year_not_found": year_not_found,
            "asked_year": asked_year,
            "band_percent": int(national.BAND_FRACTION * 100),
            "population": fmt(subject.population),
            "band_low": fmt(result.band.low if result.band else None),
            "band_high": fmt(result.band.high if result.band else None),
            "chart": comparison_chart(rows, result, year),
            "summary_table": comparison_table(result),
            "page_title": _("National comparison"),
        }
    )
    return render(request, "visits/national.html", context)


def comparison_table(result: national.Comparison) -> list[dict[str, Any]]:
    """One row per indicator: the municipality, its peers and the country, each group as
    median and ratio of totals, with how many were left out for a missing figure."""
    table = []
    for item in result.indicators:
        decimals = item.indicator.decimals
        table.append(
            {
                "label": item.indicator.label,
                "value": num(item.value, decimals),
                "rank": (
                    _("%(rank)s of %(count)s") % {"rank": item.rank, "count": item.ranked}
                    if item.rank is not None
                    else "–"
                ),
                "peers_median": num(item.peers.median, decimals),
                "peers_ratio": num(item.peers.ratio_of_totals, decimals),
                "peers_included": item.peers.included,
                "peers_left_out": item.peers.left_out,
                "county_median": num(item.county.median if item.county else None, decimals),
                "county_ratio": num(item.county.ratio_of_totals if item.county else None, decimals),
                "county_included": item.county.included if item.county else 0,
                "county_left_out": item.county.left_out if item.county else 0,
                "country_median": num(item.country.median, decimals),
                "country_ratio": num(item.country.ratio_of_totals, decimals),
                "country_included": item.country.included,
                "country_left_out": item.country.left_out,
            }
        )
    return table


GROUP_CHOSEN, GROUP_PEER, GROUP_OTHER = "chosen", "peer", "other"
AXIS_TICKS: dict[national.Indicator, list[float]] = {
    national.Indicator.VISITS_PER_INHABITANT: [0, 0.5, 1, 2, 3, 5, 10, 20, 50],
    national.Indicator.EVENTS_PER_1000: [0, 5, 10, 20, 50, 100, 200, 500],
    national.Indicator.ATTENDANCE_PER_1000: [0, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
}


def comparison_chart(
    rows: list[national.MunicipalityFigures], result: national.Comparison, year: int
) -> ChartBlock:
    """Each indicator's distribution over the country's municipalities, the chosen one and
    its population band highlighted, the country median as a dashed line."""
    alt = charts.alt
    peer_numbers = {row.number for row in result.peers}
    names = {
        GROUP_CHOSEN: result.subject.name,
        GROUP_PEER: _("Similar population"),
        GROUP_OTHER: _("Other municipalities"),
    }

    def group(row: national.MunicipalityFigures) -> str:
        if row is result.subject:
            return GROUP_CHOSEN
        return GROUP_PEER if row.number in peer_numbers else GROUP_OTHER

    panels = []
    for item in result.indicators:
        data = [
            {"name": row.name, "value": value, "group": names[group(row)]}
            for row in rows
            if (value := national.indicator_value(row, item.indicator)) is not None
        ]
        color = alt.Color(
            "group:N",
            title=None,
            scale=alt.Scale(
                domain=[names[GROUP_CHOSEN], names[GROUP_PEER], names[GROUP_OTHER]],
                range=["#b35900", "#005a8c", "#8a8f94"],
            ),
        )
        # A symmetric log scale: small municipalities reach ratios ten times the median,
        # which on a linear axis would squeeze everyone else into one corner. Zero stays 0.
        scale = alt.Scale(type="symlog", constant=1 if item.indicator.scale == 1 else 10)
        x = alt.X(
            "value:Q",
            title=item.indicator.label,
            scale=scale,
            axis=alt.Axis(values=AXIS_TICKS[item.indicator], format="~r"),
        )
        tooltip = [
            alt.Tooltip("name:N", title=_("Municipality")),
            alt.Tooltip(
                "value:Q", title=item.indicator.label, format=f",.{item.indicator.decimals}f"
            ),
        ]
        base = alt.Chart(alt.Data(values=data))
        marks = [
            (GROUP_OTHER, base.mark_tick(thickness=1.5, size=26, opacity=0.7)),
            (GROUP_PEER, base.mark_tick(thickness=2.5, size=34)),
            (GROUP_CHOSEN, base.mark_point(filled=True, size=260, shape="diamond", opacity=1)),
        ]
        layers = [
            mark.encode(x=x, color=color, tooltip=tooltip).transform_filter(
                alt.datum.group == names[key]
            )
            for key, mark in marks
        ]
        if item.country.median is not None:
            layers.append(
                alt.Chart(alt.Data(values=[{"median": item.country.median}]))
                .mark_rule(strokeDash=[4, 3], color="#1a1a1a")
                .encode(x=alt.X("median:Q", scale=scale))
            )
        panels.append(alt.layer(*layers).properties(width=680, height=56))
    summary = _("%(name)s among %(count)s municipalities in %(year)s: %(parts)s.") % {
        "name": result.subject.name,
        "count": result.country_size,
        "year": year,
        "parts": "; ".join(
            _("%(indicator)s %(value)s (country median %(median)s)")
            % {
                "indicator": item.indicator.label.lower(),
                "value": fmt(item.value, item.indicator.decimals),
                "median": fmt(item.country.median, item.indicator.decimals),
            }
            for item in result.indicators
        ),
    }
    spec = charts.finish(alt.vconcat(*panels, spacing=28), summary)
    table_rows: list[list[Cell]] = []
    for row in sorted(
        rows, key=lambda r: (group(r) != GROUP_CHOSEN, group(r) != GROUP_PEER, r.name)
    ):
        table_rows.append(
            [
                txt(row.name),
                num(row.population),
                *[
                    num(national.indicator_value(row, indicator), indicator.decimals)
                    for indicator in national.Indicator
                ],
                txt(names[group(row)] if group(row) != GROUP_OTHER else ""),
            ]
        )
    return ChartBlock(
        id="chart-national",
        title=_("Where %(name)s stands among all municipalities") % {"name": result.subject.name},
        summary=summary,
        spec=spec,
        columns=[
            _("Municipality"),
            _("Inhabitants"),
            *[indicator.label for indicator in national.Indicator],
            _("Group"),
        ],
        rows=table_rows,
        note=ngettext(
            "Each mark is a municipality; the dashed line is the country median. The axes are "
            "symmetric-logarithmic, so that the many small values stay apart. %(count)s "
            "municipality has a similar population.",
            "Each mark is a municipality; the dashed line is the country median. The axes are "
            "symmetric-logarithmic, so that the many small values stay apart. %(count)s "
            "municipalities have a similar population.",
            len(result.peers),
        )
        % {"count": len(result.peers)},
    )
