"""The visits and events list pages and their CSV exports, plus the two helpers every list
page shares (:func:`paginate`, :func:`csv_response`).

Views only validate, call the selectors and render: the rows and totals come from
:mod:`torg.visits.selectors`, the file format from :mod:`torg.lib.csv_export`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from torg.lib.csv_export import Cell, CsvFormat, iter_csv
from torg.lib.localtime import zone
from torg.lib.params import page_number
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.organisation.selectors import default_time_zone
from torg.visits.forms import CsvOptionsForm, EventFilterForm, VisitCountFilterForm
from torg.visits.models import Audience, CountMethod, EventType
from torg.visits.selectors import (
    PeriodEdges,
    event_edges,
    event_list,
    event_totals,
    visit_count_edges,
    visit_count_list,
    visit_count_totals,
)
from torg.web.charts import fmt
from torg.web.tenancy import tenant_view

PAGE_SIZE = 50
CSV_CHUNK_CHARACTERS = 64 * 1024
#: The list page of each ``nav`` key: where the filter form submits and "Clear filters"
#: leads, also when the page is shown by an export that was refused.
LIST_URLS = {"visits": "visits:list", "events": "visits:events", "inquiries": "inquiries:list"}


# --- Shared by every list page ----------------------------------------------------------


def paginate(request: HttpRequest, rows: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """The page of ``rows`` named by ``?page=`` (the last one when it is too high, the
    first when it is no page number: 0, -1, text; see :func:`torg.lib.params.page_number`)."""
    return Paginator(rows, per_page).get_page(page_number(request.GET.get("page")))


def export_parameters(request: HttpRequest, form: Form) -> list[tuple[str, str]]:
    """The current filter values as ``(name, value)`` pairs, for the hidden fields of the
    export form (only the filter form's own fields: nothing else is carried over)."""
    return [
        (name, value)
        for name, values in request.GET.lists()
        if name in form.fields
        for value in values
    ]


def list_context(
    request: HttpRequest,
    tenancy: Tenancy,
    form: Form,
    *,
    nav: str,
    csv_options: CsvOptionsForm | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What every list template needs besides its rows: the filter form, the export
    parameters, whether the user may export, and the CSV options (a refused bound form
    when an export was asked for with an invalid delimiter)."""
    return {
        "form": form,
        "nav": nav,
        "list_url": reverse(LIST_URLS[nav], args=[tenancy.municipality.slug]),
        "municipality": tenancy.municipality,
        "can_export": tenancy.allows(Permission.EXPORT),
        "can_record": tenancy.allows(Permission.EDIT_ORGANISATION),
        "export_parameters": export_parameters(request, form),
        "csv_options": csv_options or CsvOptionsForm(),
        **extra,
    }


def refused_csv_options(request: HttpRequest) -> CsvOptionsForm | None:
    """The bound CSV options of an export request when they are invalid (an unknown
    ``delimiter``), else ``None``. The export view then shows the list page with the
    error and status 400 rather than quietly using another delimiter."""
    options = CsvOptionsForm(request.GET)
    return None if options.is_valid() else options


def csv_format_for(request: HttpRequest) -> CsvFormat:
    """The CSV format for this request: the chosen delimiter, the UI language's decimal
    mark, and yes/no in the UI language."""
    return CsvOptionsForm(request.GET).csv_format(true_text=_("yes"), false_text=_("no"))


def csv_response(
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    fmt: CsvFormat,
) -> StreamingHttpResponse:
    """A streamed CSV download (UTF-8 with BOM) of ``rows``. The header must already be
    translated and every label resolved to text, because the rows are produced after the
    view has returned."""

    def chunks() -> Iterator[bytes]:
        buffer: list[str] = []
        size = 0
        for line in iter_csv(header, rows, fmt):
            buffer.append(line)
            size += len(line)
            if size >= CSV_CHUNK_CHARACTERS:
                yield "".join(buffer).encode("utf-8")
                buffer, size = [], 0
        if buffer:
            yield "".join(buffer).encode("utf-8")

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_filename(tenancy: Tenancy, what: str) -> str:
    """``torg-<what>-<municipality slug>-<today>.csv``."""
    return f"torg-{what}-{tenancy.municipality.slug}-{timezone.localdate():%Y-%m-%d}.csv"


def labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    """Choice values to their translated labels, resolved now (for streamed rows)."""
    return {str(value): str(label) for value, label in choices}


def in_zone(instant: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    return None if instant is None else instant.astimezone(zone(zone_name))


# --- What the rule "a period belongs where it starts" does to a range ------------------


def visit_edges_note(edges: PeriodEdges) -> str:
    """The notice shown with visit figures for a chosen range (the visits list, the
    dashboard): how many counts run past its last day and are counted whole, how many
    started before its first day and are left out; ``""`` when there are none."""
    parts = []
    if edges.counted_whole.rows and edges.last_day is not None:
        parts.append(
            ngettext(
                "%(counts)s count (%(visits)s) runs past %(last)s: it is counted whole, in "
                "the period in which it starts.",
                "%(counts)s counts (%(visits)s) run past %(last)s: they are counted whole, in "
                "the period in which they start.",
                edges.counted_whole.rows,
            )
            % {
                "counts": fmt(edges.counted_whole.rows),
                "visits": _visits(edges.counted_whole.total),
                "last": date_format(edges.last_day),
            }
        )
    if edges.left_out.rows and edges.first_day is not None:
        parts.append(
            ngettext(
                "%(counts)s count (%(visits)s) started before %(first)s and is left out, also "
                "for its days in the chosen range.",
                "%(counts)s counts (%(visits)s) started before %(first)s and are left out, "
                "also for their days in the chosen range.",
                edges.left_out.rows,
            )
            % {
                "counts": fmt(edges.left_out.rows),
                "visits": _visits(edges.left_out.total),
                "first": date_format(edges.first_day),
            }
        )
    if not parts:
        return ""
    rule = _(
        "A count cannot be split between days without inventing numbers, so each count "
        "belongs wholly to the period in which it starts."
    )
    return " ".join([rule, *parts])


def _visits(visits: int) -> str:
    return ngettext("%(visits)s visit", "%(visits)s visits", visits) % {"visits": fmt(visits)}


def event_edges_note(edges: PeriodEdges) -> str:
    """Like :func:`visit_edges_note`, for events with a period (a source's totals for a
    month, say) on the events list and the dashboard."""
    parts = []
    if edges.counted_whole.rows and edges.last_day is not None:
        parts.append(
            ngettext(
                "%(rows)s event record (%(events)s) runs past %(last)s: it is counted whole, "
                "in the period in which it starts.",
                "%(rows)s event records (%(events)s) run past %(last)s: they are counted "
                "whole, in the period in which they start.",
                edges.counted_whole.rows,
            )
            % {
                "rows": fmt(edges.counted_whole.rows),
                "events": _events(edges.counted_whole.total),
                "last": date_format(edges.last_day),
            }
        )
    if edges.left_out.rows and edges.first_day is not None:
        parts.append(
            ngettext(
                "%(rows)s event record (%(events)s) started before %(first)s and is left "
                "out, also for its days in the chosen range.",
                "%(rows)s event records (%(events)s) started before %(first)s and are left "
                "out, also for their days in the chosen range.",
                edges.left_out.rows,
            )
            % {
                "rows": fmt(edges.left_out.rows),
                "events": _events(edges.left_out.total),
                "first": date_format(edges.first_day),
            }
        )
    if not parts:
        return ""
    rule = _(
        "Some event records cover a period (a source's total for a month, say). Such a "
        "record cannot be split between days, so it belongs wholly to the period in which "
        "it starts."
    )
    return " ".join([rule, *parts])


def _events(events: int) -> str:
    return ngettext("%(events)s event", "%(events)s events", events) % {"events": fmt(events)}


# --- Visits -----------------------------------------------------------------------------


@tenant_view()
@require_safe
def visit_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The visit counts with filters, a page of rows and the totals of all matching rows."""
    return _visit_list_page(request, tenancy)


def _visit_list_page(
    request: HttpRequest, tenancy: Tenancy, csv_options: CsvOptionsForm | None = None
) -> HttpResponse:
    form = VisitCountFilterForm(request.GET, municipality=tenancy)
    context = list_context(request, tenancy, form, nav="visits", csv_options=csv_options)
    if not form.is_valid():
        return render(request, "visits/list.html", context, status=400)
    filters = form.filters()
    rows = visit_count_list(tenancy, filters)
    context.update(
        page=paginate(request, rows),
        totals=visit_count_totals(rows),
        filtered=form.is_filtered(),
        edges_note=visit_edges_note(visit_count_edges(tenancy, filters)),
    )
    return render(request, "visits/list.html", context, status=400 if csv_options else 200)


@tenant_view(Permission.EXPORT)
@require_safe
def visit_export(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The visit counts of :func:`visit_list`, same filters, as a CSV file: every matching
    row, local period start and end with their UTC offset, and the site's time zone."""
    form = VisitCountFilterForm(request.GET, municipality=tenancy)
    refused = refused_csv_options(request)
    if refused is not None or not form.is_valid():
        return _visit_list_page(request, tenancy, refused)
    rows = visit_count_list(tenancy, form.filters())
    methods = labels(CountMethod.choices)
    whole_site = _("All entrances")
    header = [
        _("Site"),
        _("Entrance"),
        _("Period start"),
        _("Period end (not included)"),
        _("Time zone"),
        _("Visits"),
        _("Method"),
        _("Note"),
        _("Estimate"),
        _("Why an estimate"),
    ]

    # Plain tuples rather than model instances: a third of the time per row.
    values = rows.values_list(
        "site__name",
        "site__time_zone",
        "entrance",
        "period_start",
        "period_end",
        "count",
        "method",
        "note",
        "is_estimate",
        "estimate_reason",
    )

    def lines() -> Iterator[list[Cell]]:
        for (
            site,
            zone_name,
            entrance,
            start,
            end,
            count,
            method,
            note,
            is_estimate,
            reason,
        ) in values.iterator(chunk_size=2000):
            yield [
                site,
                entrance or whole_site,
                in_zone(start, zone_name),
                in_zone(end, zone_name),
                zone_name,
                count,
                methods.get(method, method),
                note,
                is_estimate,
                reason,
            ]

    return csv_response(
        filename=export_filename(tenancy, "visits"),
        header=header,
        rows=lines(),
        fmt=csv_format_for(request),
    )


# --- Events -----------------------------------------------------------------------------


@tenant_view()
@require_safe
def event_list_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The events with filters, a page of rows and the totals of all matching rows."""
    return _event_list_page(request, tenancy)


def _event_list_page(
    request: HttpRequest, tenancy: Tenancy, csv_options: CsvOptionsForm | None = None
) -> HttpResponse:
    form = EventFilterForm(request.GET, municipality=tenancy)
    context = list_context(request, tenancy, form, nav="events", csv_options=csv_options)
    if not form.is_valid():
        return render(request, "visits/events.html", context, status=400)
    filters = form.filters()
    rows = event_list(tenancy, filters)
    context.update(
        page=paginate(request, rows),
        totals=event_totals(rows),
        edges_note=event_edges_note(event_edges(tenancy, filters)),
        filtered=form.is_filtered(),
        no_site_zone=default_time_zone(tenancy.municipality),
    )
    return render(request, "visits/events.html", context, status=400 if csv_options else 200)


@tenant_view(Permission.EXPORT)
@require_safe
def event_export(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The events of :func:`event_list_page`, same filters, as a CSV file. Attendance not
    recorded is an empty cell (and "no" in the column that says so), distinct from 0."""
    form = EventFilterForm(request.GET, municipality=tenancy)
    refused = refused_csv_options(request)
    if refused is not None or not form.is_valid():
        return _event_list_page(request, tenancy, refused)
    rows = event_list(tenancy, form.filters())
    types = labels(EventType.choices)
    audiences = labels(Audience.choices)
    no_site_zone = default_time_zone(tenancy.municipality)
    not_stated = _("Not stated")
    header = [
        _("Starts"),
        _("Ends"),
        _("Time zone"),
        _("Site"),
        _("Title"),
        _("Type"),
        _("Audience"),
        _("Digital"),
        _("Number of events"),
        _("Attendance"),
        _("Attendance recorded"),
        _("In partnership"),
        _("Joint with citizen service"),
        _("For schools or kindergartens"),
        _("Series"),
    ]

    values = rows.values_list(
        "starts_at",
        "ends_at",
        "site__time_zone",
        "site__name",
        "title",
        "event_type",
        "audience",
        "is_digital",
        "occurrences",
        "attendance",
        "in_partnership",
        "joint_with_citizen_service",
        "for_schools_kindergartens",
        "series__title",
    )

    def lines() -> Iterator[list[Cell]]:
        for (
            starts_at,
            ends_at,
            site_zone,
            site,
            title,
            event_type,
            audience,
            is_digital,
            occurrences,
            attendance,
            in_partnership,
            joint,
            for_schools,
            series,
        ) in values.iterator(chunk_size=2000):
            zone_name = site_zone or no_site_zone
            yield [
                in_zone(starts_at, zone_name),
                in_zone(ends_at, zone_name),
                zone_name,
                site or not_stated,
                title,
                types.get(event_type, event_type),
                audiences.get(audience, audience),
                is_digital,
                occurrences,
                attendance,
                attendance is not None,
                in_partnership,
                joint,
                for_schools,
                series or "",
            ]

    return csv_response(
        filename=export_filename(tenancy, "events"),
        header=header,
        rows=lines(),
        fmt=csv_format_for(request),
    )
