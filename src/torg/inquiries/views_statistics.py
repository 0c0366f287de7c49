"""The desk statistics page and its CSV and XLSX exports. Every figure comes from
:func:`torg.inquiries.statistics.inquiry_statistics`; the files are laid out by
:mod:`torg.inquiries.statistics_export`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from torg.inquiries import statistics_export
from torg.inquiries.forms_statistics import StatisticsFilterForm
from torg.inquiries.statistics import (
    HeatMap,
    InquiryStatistics,
    Mix,
    hour_label,
    inquiry_statistics,
    weekday_labels,
)
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.forms import CsvOptionsForm
from torg.visits.views import csv_format_for, csv_response, export_parameters, refused_csv_options
from torg.web import charts
from torg.web.charts import ChartBlock, fmt, fmt_percent, num, percent, txt
from torg.web.tenancy import tenant_view

#: Shades of the heat map cells, lightest to darkest, each with the text colour that keeps
#: a contrast of at least 4.5:1 (WCAG 2.1, 1.4.3; checked by the tests). Level 0 is a cell
#: without inquiries. The count is always written in the cell: colour only adds to it.
HEAT_LEVELS = (
    ("#ffffff", "#1a1a1a"),
    ("#e3eef9", "#1a1a1a"),
    ("#a9cbe8", "#1a1a1a"),
    ("#2b6ca3", "#ffffff"),
    ("#0b3563", "#ffffff"),
)


@dataclass(frozen=True)
class HeatCell:
    count: int
    text: str
    level: int


@dataclass(frozen=True)
class HeatRow:
    label: str
    cells: tuple[HeatCell, ...]
    total: str


@dataclass(frozen=True)
class HeatTable:
    """A heat map as the template shows it (hours in business-day order)."""

    id: str
    caption: str
    hours: tuple[str, ...]
    rows: tuple[HeatRow, ...]
    hour_totals: tuple[str, ...]
    total: str


def heat_level(count: int, maximum: int) -> int:
    """0 for no inquiries, else 1–4 by quarters of the largest cell."""
    if count <= 0 or maximum <= 0:
        return 0
    return max(1, min(4, math.ceil(4 * count / maximum)))


def heat_table(heat_map: HeatMap) -> HeatTable:
    order = heat_map.hour_order
    maximum = heat_map.maximum
    hour_totals = heat_map.hour_totals()
    starts = heat_map.business_day_starts
    caption = _(
        "Inquiries at %(place)s by weekday and local hour (%(zone)s); the day starts at "
        "%(starts)s. Darker cells have more inquiries."
    ) % {
        "place": statistics_export.heat_map_title(heat_map),
        "zone": heat_map.time_zone,
        "starts": f"{starts:%H:%M}",
    }
    return HeatTable(
        id=f"heat-map-{heat_map.site_id}",
        caption=caption,
        hours=tuple(hour_label(hour) for hour in order),
        rows=tuple(
            HeatRow(
                label=label,
                cells=tuple(
                    HeatCell(count=row[h], text=fmt(row[h]), level=heat_level(row[h], maximum))
                    for h in order
                ),
                total=fmt(sum(row)),
            )
            for label, row in zip(weekday_labels(), heat_map.counts, strict=True)
        ),
        hour_totals=tuple(fmt(hour_totals[h]) for h in order),
        total=fmt(heat_map.total),
    )


def mix_block(mix: Mix) -> ChartBlock:
    """A mix as a bar chart with its table (the dashboard's chart helpers)."""
    title = {
        "domain": _("Inquiries by domain"),
        "level": _("Inquiries by level"),
        "service": _("Inquiries by service"),
        "channel": _("Inquiries by channel"),
        "read_effort": _("Inquiries by READ effort (1–6)"),
    }[mix.name]
    category = statistics_export.mix_title(mix.name)
    largest = max(mix.rows, key=lambda row: row.count)
    summary = ngettext(
        "%(label)s is the largest group with %(count)s of %(total)s inquiry (%(share)s).",
        "%(label)s is the largest group with %(count)s of %(total)s inquiries (%(share)s).",
        mix.total,
    ) % {
        "label": largest.label,
        "count": fmt(largest.count),
        "total": fmt(mix.total),
        "share": fmt_percent(percent(largest.count, mix.total)),
    }
    return ChartBlock(
        id=f"chart-statistics-{mix.name.replace('_', '-')}",
        title=title,
        summary=summary,
        spec=charts.horizontal_bars(
            [{"category": row.label, "value": row.count} for row in mix],
            category_title=category,
            value_title=_("Inquiries"),
            description=summary,
        ),
        columns=[category, _("Inquiries"), _("Share (%)")],
        rows=[
            [txt(row.label), num(row.count), num(percent(row.count, mix.total), 1)] for row in mix
        ],
        footer=[txt(_("Total")), num(mix.total), num(percent(mix.total, mix.total), 1)],
    )


def filters_text(form: StatisticsFilterForm) -> list[tuple[str, str]]:
    """The chosen filters as (label, value) pairs for the page and the workbook."""
    data = form.cleaned_data
    pairs = []
    for name in ("site", "service_point", "date_from", "date_to", "domain", "channel"):
        value = data.get(name)
        if value in (None, ""):
            continue
        field = form.fields[name]
        if name in ("domain", "channel"):
            text = str(dict(field.choices).get(value, value))  # type: ignore[attr-defined]
        elif name.startswith("date"):
            text = value.isoformat()
        else:
            text = str(value)
        pairs.append((str(field.label), text))
    return pairs


def _context(
    request: HttpRequest, tenancy: Tenancy, form: StatisticsFilterForm, **extra: Any
) -> dict[str, Any]:
    slug = tenancy.municipality.slug
    return {
        "form": form,
        "nav": "statistics",
        "list_url": reverse("inquiries:statistics", args=[slug]),
        "municipality": tenancy.municipality,
        "can_export": tenancy.allows(Permission.EXPORT),
        "export_parameters": export_parameters(request, form),
        "csv_options": CsvOptionsForm(),
        "heat_colours": HEAT_LEVELS,
        # From Python: a "%" inside {% translate %} would be looked up as "%%".
        "share_heading": _("Share (%)"),
        **extra,
    }


@tenant_view()
@require_safe
def statistics_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Heat maps, mixes, outcomes, effort and the hourly series for the filters."""
    return _statistics_page(request, tenancy)


def _statistics_page(
    request: HttpRequest, tenancy: Tenancy, csv_options: CsvOptionsForm | None = None
) -> HttpResponse:
    form = StatisticsFilterForm(request.GET, municipality=tenancy)
    context = _context(request, tenancy, form)
    if csv_options is not None:
        context["csv_options"] = csv_options
    if not form.is_valid():
        return render(request, "inquiries/statistics.html", context, status=400)
    stats = inquiry_statistics(tenancy, form.filters())
    context.update(
        stats=stats,
        filters_text=filters_text(form),
        totals=statistics_export.total_lines(stats),
        turnaround=statistics_export.turnaround_lines(stats),
        heat_tables=[heat_table(heat_map) for heat_map in stats.heat_maps],
        mix_blocks=[mix_block(mix) for mix in statistics_export.mixes(stats)]
        if stats.total
        else [],
        hourly_days=_hourly_days(stats),
        hourly_chart=hourly_chart(stats),
        hourly_note=_hourly_note(stats),
        time_unknown_note=ngettext(
            "%(count)s inquiry has no time of day and is left out of the heat map "
            "(it counts in the totals and the mixes).",
            "%(count)s inquiries have no time of day and are left out of the heat map "
            "(they count in the totals and the mixes).",
            stats.time_unknown,
        )
        % {"count": fmt(stats.time_unknown)},
    )
    return render(request, "inquiries/statistics.html", context, status=400 if csv_options else 200)


def _hourly_days(stats: InquiryStatistics) -> list[dict[str, Any]]:
    if stats.hourly is None:
        return []
    return [
        {
            "day": day.day,
            "label": date_format(day.day, "DATE_FORMAT"),
            "hours_text": ngettext("%(count)d hour", "%(count)d hours", len(day.hours))
            % {"count": len(day.hours)},
            "hours": [
                {
                    "iso": hour.start.isoformat(timespec="minutes"),
                    "label": f"{hour.start:%H:%M} (UTC{hour.start.isoformat()[-6:]})",
                    "count": fmt(hour.count),
                }
                for hour in day.hours
            ],
            "time_unknown": fmt(day.time_unknown),
            "total": fmt(day.total),
        }
        for day in stats.hourly.days
    ]


def hourly_chart(stats: InquiryStatistics) -> ChartBlock | None:
    """Inquiries per elapsed hour of the period as bars: one bar per real hour, so the day
    the clocks go forward has 23 and the day they go back 25 (two 02:00 bars, told apart
    by their UTC offset)."""
    if stats.hourly is None:
        return None
    points = [
        (f"{hour.start:%Y-%m-%d %H:%M} UTC{hour.start.isoformat()[-6:]}", hour.count)
        for day in stats.hourly.days
        for hour in day.hours
    ]
    total = sum(count for _label, count in points)
    summary = ngettext(
        "%(total)s inquiry with a time of day in %(hours)s hours.",
        "%(total)s inquiries with a time of day in %(hours)s hours.",
        total,
    ) % {"total": fmt(total), "hours": fmt(len(points))}
    return ChartBlock(
        id="chart-statistics-hourly",
        title=_("Inquiries per hour"),
        summary=summary,
        spec=charts.bar_over_time(
            [{"label": label, "value": count} for label, count in points],
            x_title=_("Hour starts (local time, UTC offset)"),
            y_title=_("Inquiries"),
            description=summary,
        ),
        columns=[_("Hour starts (local time, UTC offset)"), _("Inquiries")],
        rows=[[txt(label), num(count)] for label, count in points],
        footer=[txt(_("Total")), num(total)],
    )


def _hourly_note(stats: InquiryStatistics) -> str:
    return {
        "": "",
        "no_period": _("Choose a first and a last day to see the inquiries per hour."),
        "period_too_long": _("Choose a period of at most 31 days to see the inquiries per hour."),
        "several_zones": _(
            "The sites in view have different time zones or business days: choose one site "
            "to see the inquiries per hour."
        ),
    }[stats.hourly_unavailable]


def _export_form(
    request: HttpRequest, tenancy: Tenancy
) -> tuple[StatisticsFilterForm, InquiryStatistics | None]:
    form = StatisticsFilterForm(request.GET, municipality=tenancy)
    if not form.is_valid():
        return form, None
    return form, inquiry_statistics(tenancy, form.filters())


@tenant_view(Permission.EXPORT)
@require_safe
def statistics_export_csv(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The figures of :func:`statistics_page`, same filters, as one long CSV table (UTF-8
    with BOM; ``?delimiter=semicolon`` or ``comma``)."""
    refused = refused_csv_options(request)
    _form, stats = _export_form(request, tenancy)
    if refused is not None or stats is None:
        return _statistics_page(request, tenancy, refused or CsvOptionsForm())
    return csv_response(
        filename=statistics_export.filename(tenancy.municipality.slug, stats, "csv"),
        header=statistics_export.header(),
        rows=[line.cells() for line in statistics_export.lines(stats)],
        fmt=csv_format_for(request),
    )


@tenant_view(Permission.EXPORT)
@require_safe
def statistics_export_xlsx(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The figures of :func:`statistics_page`, same filters, as an XLSX workbook."""
    form, stats = _export_form(request, tenancy)
    if stats is None:
        return _statistics_page(request, tenancy)
    response = HttpResponse(
        statistics_export.xlsx_bytes(stats, filters_text=filters_text(form)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = statistics_export.filename(tenancy.municipality.slug, stats, "xlsx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
