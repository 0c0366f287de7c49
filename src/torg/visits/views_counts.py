"""One site's visits per hour, day or month (page, chart with its table, CSV), and the
pages where a manager records, corrects and deletes a count with its audit trail.

Views only validate, call one service or selector and render: the figures come from
:func:`torg.visits.series.site_series`, the writes from :mod:`torg.visits.services`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from torg.lib.csv_export import Cell
from torg.lib.localtime import add_months
from torg.organisation.models import Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.forms import SiteSeriesForm, SweepForm, VisitCountCorrectionForm, VisitCountForm
from torg.visits.models import VisitCount, ZoneHeadCount
from torg.visits.series import SeriesUnit, SiteSeries, site_series, weekday_hour_profile
from torg.visits.services import (
    visit_count_correct,
    visit_count_delete,
    visit_count_record,
    zone_sweep_record,
)
from torg.visits.views import csv_format_for, csv_response, export_filename, refused_csv_options
from torg.web import charts
from torg.web.charts import ChartBlock, fmt, fmt_percent, num, txt
from torg.web.tenancy import tenant_view

WEEKDAYS = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]


def slot_label(series: SiteSeries, index: int) -> str:
    """The label of a slot: ``2024-10-27 02:00 (+01:00)`` for hours (the offset tells
    the two 02:00 hours apart), the business day for days, ``2024-10`` for months."""
    slot = series.slots[index]
    if series.unit is SeriesUnit.MONTH:
        return slot.day.strftime("%Y-%m")
    if series.unit is SeriesUnit.DAY:
        return slot.day.isoformat()
    offset = slot.local_start.strftime("%z")
    return f"{slot.local_start:%Y-%m-%d %H:%M} ({offset[:3]}:{offset[3:]})"


def series_chart(series: SiteSeries) -> ChartBlock:
    """The series as bars (a missing slot has no bar, and a dash in the table)."""
    labels = [slot_label(series, i) for i in range(len(series.slots))]
    summary = _(
        "%(visits)s visits at %(site)s from %(first)s to %(last)s; %(observed)s of "
        "%(periods)s periods have a count, %(missing)s have none (shown as gaps, not zero)."
    ) % {
        "visits": fmt(series.total),
        "site": series.site.name,
        "first": series.first_day.isoformat(),
        "last": series.last_day.isoformat(),
        "observed": fmt(series.observed),
        "periods": fmt(len(series.slots)),
        "missing": fmt(series.missing),
    }
    spec = charts.bar_over_time(
        [
            {"label": label, "value": slot.visits}
            for label, slot in zip(labels, series.slots, strict=True)
        ],
        x_title=_("Period"),
        y_title=_("Visits"),
        description=summary,
    )
    return ChartBlock(
        id="chart-site-series",
        title=_("Visits at %(site)s") % {"site": series.site.name},
        summary=summary,
        spec=spec,
        columns=[_("Period"), _("Visits"), _("Estimate")],
        rows=[
            [txt(label), num(slot.visits), txt(_("yes") if slot.estimated else "")]
            for label, slot in zip(labels, series.slots, strict=True)
        ],
        footer=[txt(_("Total of the periods with a count")), num(series.total), txt("")],
        note=_(
            "Days are the site's business days in its local time; on the days the clocks "
            "change an hourly view has 23 or 25 hours."
        ),
    )


def previous_year(series: SiteSeries) -> SiteSeries:
    """The same months one year earlier (for a monthly series)."""
    return site_series(
        series.site,
        series.site,
        unit=SeriesUnit.MONTH,
        first_day=add_months(series.first_day, -12),
        last_day=add_months(series.first_day, -12 + len(series.slots)) - dt.timedelta(days=1),
    )


def year_on_year_chart(series: SiteSeries, earlier: SiteSeries) -> ChartBlock:
    """Each month against the same month a year earlier (lines break where a month has no
    count)."""
    rows = []
    table = []
    for slot, before in zip(series.slots, earlier.slots, strict=True):
        label = slot.day.strftime("%m")
        rows.append({"label": label, "series": str(slot.day.year), "value": slot.visits})
        rows.append({"label": label, "series": str(before.day.year), "value": before.visits})
        table.append([txt(slot.day.strftime("%Y-%m")), num(slot.visits), num(before.visits)])
    summary = _(
        "%(site)s: %(visits)s visits in the months shown, %(before)s in the same months a "
        "year earlier (months without a count add nothing and are gaps)."
    ) % {"site": series.site.name, "visits": fmt(series.total), "before": fmt(earlier.total)}
    return ChartBlock(
        id="chart-year-on-year",
        title=_("By month against the same month last year"),
        summary=summary,
        spec=charts.lines_over_time(
            rows,
            x_title=_("Month"),
            y_title=_("Visits"),
            series_title=_("Year"),
            description=summary,
        ),
        columns=[_("Month"), _("Visits"), _("Same month last year")],
        rows=table,
        footer=[txt(_("Total")), num(series.total), num(earlier.total)],
    )


def weekday_hour_table(series: SiteSeries) -> list[dict[str, Any]]:
    """Rows for the "by weekday and hour" table of an hourly series: visits, observed
    hours, missing hours and the mean per observed hour."""
    names = dict(enumerate(WEEKDAYS, start=1))
    return [
        {
            "weekday": names[weekday],
            "hour": f"{hour:02d}:00",
            "visits": visits,
            "observed": observed,
            "missing": missing,
            "mean": fmt(visits / observed, 1) if observed else None,
        }
        for weekday, hour, visits, observed, missing in weekday_hour_profile(series)
    ]


def _series_for(
    request: HttpRequest, tenancy: Tenancy, site_id: int
) -> tuple[Site, SiteSeriesForm, SiteSeries | None]:
    site = get_object_or_404(tenancy.scoped(Site), pk=site_id)
    form = SiteSeriesForm(request.GET)
    if not form.is_valid():
        return site, form, None
    data = form.cleaned_data
    series = site_series(
        tenancy, site, unit=data["unit"], first_day=data["first"], last_day=data["last"]
    )
    return site, form, series


@tenant_view()
@require_safe
def site_visits(request: HttpRequest, tenancy: Tenancy, site_id: int) -> HttpResponse:
    """A site's visits per hour, business day or month, with the periods without a
    count shown as gaps and counted as missing."""
    return _site_visits_page(request, tenancy, site_id)


def _site_visits_page(request: HttpRequest, tenancy: Tenancy, site_id: int) -> HttpResponse:
    site, form, series = _series_for(request, tenancy, site_id)
    context: dict[str, Any] = {
        "municipality": tenancy.municipality,
        "nav": "visits",
        "site": site,
        "form": form,
        "series": series,
        "can_export": tenancy.allows(Permission.EXPORT),
        "can_record": tenancy.allows(Permission.EDIT_ORGANISATION),
    }
    if series is not None:
        if series.unit is SeriesUnit.MONTH:
            context["year_on_year"] = year_on_year_chart(series, previous_year(series))
        if series.unit is SeriesUnit.HOUR:
            context["weekday_hours"] = weekday_hour_table(series)
        context.update(
            chart=series_chart(series),
            coverage=fmt_percent(None if series.coverage is None else 100 * series.coverage),
            export_query=request.GET.urlencode(),
        )
    return render(request, "visits/site_series.html", context, status=200 if series else 400)


@tenant_view(Permission.EXPORT)
@require_safe
def site_visits_export(request: HttpRequest, tenancy: Tenancy, site_id: int) -> HttpResponseBase:
    """The series of :func:`site_visits` as CSV, one row per period: local start and end
    with their UTC offset, visits (an empty cell when there is no count, 0 when nobody
    came), whether it is missing, and whether a count is an estimate."""
    if refused_csv_options(request) is not None:
        return HttpResponse(_("Choose a semicolon or a comma."), status=400)
    site, _form, series = _series_for(request, tenancy, site_id)
    if series is None:
        return _site_visits_page(request, tenancy, site_id)
    header = [
        _("Period start"),
        _("Period end (not included)"),
        _("Time zone"),
        _("Business day"),
        _("Visits"),
        _("Missing (no count)"),
        _("Estimate"),
    ]
    tz = site.zone
    earlier = previous_year(series) if series.unit is SeriesUnit.MONTH else None
    if earlier is not None:
        header.append(_("Same month last year"))

    def lines() -> Iterator[list[Cell]]:
        for index, slot in enumerate(series.slots):
            line: list[Cell] = [
                slot.local_start,
                slot.end.astimezone(tz),
                site.time_zone,
                slot.day,
                slot.visits,
                slot.visits is None,
                slot.estimated,
            ]
            if earlier is not None:
                line.append(earlier.slots[index].visits)
            yield line

    return csv_response(
        filename=export_filename(tenancy, f"visits-{series.unit.value}"),
        header=header,
        rows=lines(),
        fmt=csv_format_for(request),
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def visit_count_new(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Record a count (an hour or a business day of one site) with its audit row."""
    form = VisitCountForm(request.POST or None, municipality=tenancy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start, end = data["period"]
        try:
            row = visit_count_record(
                tenancy=tenancy,
                user=request.user,  # type: ignore[arg-type]
                site=data["site"],
                entrance=data["entrance"],
                period_start=start,
                period_end=end,
                count=data["count"],
                method=data["method"],
                note=data["note"],
                is_estimate=data["is_estimate"],
                estimate_reason=data["estimate_reason"] if data["is_estimate"] else "",
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The count was recorded."))
            return redirect(
                reverse("visits:count_new", args=[tenancy.municipality.slug])
                + f"?recorded={row.pk}"
            )
    return render(
        request,
        "visits/count_form.html",
        {"municipality": tenancy.municipality, "nav": "visits", "form": form},
        status=400 if form.errors else 200,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def visit_count_edit(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Correct a count; the page lists its audit trail (who, when, before and after)."""
    row = get_object_or_404(tenancy.scoped(VisitCount).select_related("site"), pk=pk)
    initial = {name: getattr(row, name) for name in VisitCountCorrectionForm.base_fields}
    form = VisitCountCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            **data,
            "estimate_reason": data["estimate_reason"] if data["is_estimate"] else "",
        }
        try:
            visit_count_correct(
                tenancy=tenancy,
                user=request.user,  # type: ignore[arg-type]
                visit_count=row,
                changes=changes,
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The count was corrected."))
            return redirect("visits:count_edit", tenancy.municipality.slug, row.pk)
    return render(
        request,
        "visits/count_edit.html",
        {
            "municipality": tenancy.municipality,
            "nav": "visits",
            "form": form,
            "row": row,
            "changes": row.changes.select_related("changed_by").order_by("-changed_at", "-pk"),
        },
        status=400 if form.errors else 200,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def visit_count_remove(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Delete a count (GET asks to confirm): its period becomes missing (not zero); the
    audit trail keeps it."""
    row = get_object_or_404(tenancy.scoped(VisitCount).select_related("site"), pk=pk)
    if request.method != "POST":
        return render(
            request,
            "visits/count_delete.html",
            {"municipality": tenancy.municipality, "nav": "visits", "row": row},
        )
    visit_count_delete(tenancy=tenancy, user=request.user, visit_count=row)  # type: ignore[arg-type]
    messages.success(request, _("The count was deleted; its period now has no count."))
    return redirect("visits:list", tenancy.municipality.slug)


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def sweep_new(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Record one sweep (people present per zone at one time); the page lists the site's
    latest sweeps."""
    form = SweepForm(request.POST or None, municipality=tenancy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            zone_sweep_record(
                tenancy=tenancy,
                user=request.user,  # type: ignore[arg-type]
                site=data["site"],
                sweep_at=data["sweep_at"],
                counts=data["counts"],
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("The sweep was recorded."))
            return redirect("visits:sweep_new", tenancy.municipality.slug)
    latest = tenancy.scoped(ZoneHeadCount).select_related("site").order_by("-sweep_at", "zone")[:30]
    return render(
        request,
        "visits/sweep_form.html",
        {"municipality": tenancy.municipality, "nav": "visits", "form": form, "latest": latest},
        status=400 if form.errors else 200,
    )
