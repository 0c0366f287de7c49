"""The national annual statistics form of a municipality (page, CSV, XLSX): every figure
from :func:`torg.visits.national_form.national_form` with its status and source."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django import forms
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.styles import Font

from torg.lib.csv_export import Cell
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.national_form import NationalForm, national_form
from torg.visits.views import csv_format_for, csv_response, refused_csv_options
from torg.web.tenancy import tenant_view


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=1900, max_value=2100, required=False
    )

    def chosen_year(self) -> int:
        return self.cleaned_data.get("year") or timezone.localdate().year - 1


def _header() -> list[str]:
    return [_("Section"), _("Figure"), _("Value"), _("Status"), _("Complete"), _("Source")]


def _lines(form: NationalForm) -> Iterator[list[Cell]]:
    for figure in form:
        yield [
            figure.section,
            figure.label,
            figure.value,
            figure.status.label,
            figure.complete,
            figure.source,
        ]


def _form_for(request: HttpRequest, tenancy: Tenancy) -> tuple[YearForm, NationalForm | None]:
    year_form = YearForm(request.GET)
    if not year_form.is_valid():
        return year_form, None
    return year_form, national_form(tenancy, year_form.chosen_year())


@tenant_view()
@require_safe
def national_form_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The form for the chosen year (default: last year)."""
    year_form, form = _form_for(request, tenancy)
    return render(
        request,
        "visits/national_form.html",
        {
            "municipality": tenancy.municipality,
            "nav": "visits",
            "year_form": year_form,
            "form": form,
            "can_export": tenancy.allows(Permission.EXPORT),
        },
        status=200 if form else 400,
    )


@tenant_view(Permission.EXPORT)
@require_safe
def national_form_csv(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The form as CSV: section, figure, value (empty when missing), status, complete,
    source."""
    _year_form, form = _form_for(request, tenancy)
    if form is None or refused_csv_options(request) is not None:
        return HttpResponse(_("Choose a year and a semicolon or a comma."), status=400)
    return csv_response(
        filename=f"torg-national-form-{tenancy.municipality.slug}-{form.year}.csv",
        header=_header(),
        rows=_lines(form),
        fmt=csv_format_for(request),
    )


@tenant_view(Permission.EXPORT)
@require_safe
def national_form_xlsx(request: HttpRequest, tenancy: Tenancy) -> HttpResponseBase:
    """The form as an Excel workbook, one sheet, the same columns as the CSV (a missing
    value is an empty cell, never 0)."""
    _year_form, form = _form_for(request, tenancy)
    if form is None:
        return HttpResponse(_("Choose a year."), status=400)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(form.year)
    sheet.append(
        [
            _("National library statistics: %(municipality)s %(year)s")
            % {
                "municipality": tenancy.municipality.name,
                "year": form.year,
            }
        ]
    )
    sheet["A1"].font = Font(bold=True)
    sheet.append(_header())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    yes, no = _("yes"), _("no")
    for line in _lines(form):
        sheet.append([yes if v is True else no if v is False else v for v in line])
    for column, width in zip("ABCDEF", (22, 60, 12, 12, 10, 90), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="torg-national-form-{tenancy.municipality.slug}-{form.year}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
