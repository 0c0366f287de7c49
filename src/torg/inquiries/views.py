"""The inquiries list page and its CSV export. Rows and totals come from
:mod:`torg.inquiries.selectors`; paging and the CSV response are shared with the visits
lists (:mod:`torg.visits.views`)."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from torg.inquiries.forms import InquiryFilterForm
from torg.inquiries.models import Channel, InquiryDomain, Outcome
from torg.inquiries.selectors import inquiry_list, inquiry_totals
from torg.lib.csv_export import Cell
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.forms import CsvOptionsForm
from torg.visits.views import (
    csv_format_for,
    csv_response,
    export_filename,
    in_zone,
    labels,
    list_context,
    paginate,
    refused_csv_options,
)
from torg.web.tenancy import tenant_view


@tenant_view()
@require_safe
def inquiry_list_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The inquiries with filters, a page of rows and the totals of all matching rows."""
    return _inquiry_list_page(request, tenancy)


def _inquiry_list_page(
    request: HttpRequest, tenancy: Tenancy, csv_options: CsvOptionsForm | None = None
) -> HttpResponse:
    form = InquiryFilterForm(request.GET, municipality=tenancy)
    context = list_context(request, tenancy, form, nav="inquiries", csv_options=csv_options)
    if not form.is_valid():
        return render(request, "inquiries/list.html", context, status=400)
    rows = inquiry_list(tenancy, form.filters())
    context.update(
        page=paginate(request, rows),
        totals=inquiry_totals(rows),
        filtered=form.is_filtered(),
        # Managers correct anyone's inquiries from here; desk staff their own from the desk.
        can_correct=tenancy.allows(Permission.CORRECT_INQUIRIES),
    )
    return render(request, "inquiries/list.html", context, status=400 if csv_options else 200)


@tenant_view(Permission.EXPORT)
@require_safe
def inquiry_export(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The inquiries of :func:`inquiry_list_page`, same filters, as a CSV file. When only
    the date of an inquiry is known, its time is local midnight and "time of day known"
    says no."""
    form = InquiryFilterForm(request.GET, municipality=tenancy)
    refused = refused_csv_options(request)
    if refused is not None or not form.is_valid():
        return _inquiry_list_page(request, tenancy, refused)
    rows = inquiry_list(tenancy, form.filters())
    channels = labels(Channel.choices)
    domains = labels(InquiryDomain.choices)
    outcomes = labels(Outcome.choices)
    english = (get_language() or "nb").startswith("en")
    header = [
        _("When"),
        _("Time zone"),
        _("Time of day known"),
        _("Site"),
        _("Service point"),
        _("Channel"),
        _("Service"),
        _("Domain"),
        _("Outcome"),
        _("READ effort (1–6)"),
    ]

    # Plain tuples rather than model instances: a third of the time per row.
    values = rows.values_list(
        "occurred_at",
        "site__time_zone",
        "time_of_day_known",
        "site__name",
        "service_point__name",
        "channel",
        "service__name_en" if english else "service__name_nb",
        "domain",
        "outcome",
        "read_effort",
    )

    def lines() -> Iterator[list[Cell]]:
        for (
            occurred_at,
            zone_name,
            time_of_day_known,
            site,
            service_point,
            channel,
            service,
            domain,
            outcome,
            read_effort,
        ) in values.iterator(chunk_size=2000):
            yield [
                in_zone(occurred_at, zone_name),
                zone_name,
                time_of_day_known,
                site,
                service_point,
                channels.get(channel, channel),
                service,
                domains.get(domain, domain),
                outcomes.get(outcome, outcome),
                read_effort,
            ]

    return csv_response(
        filename=export_filename(tenancy, "inquiries"),
        header=header,
        rows=lines(),
        fmt=csv_format_for(request),
    )
