"""The sites pages: the list, one site in detail, and adding, correcting and deleting the
periods of a site's organisational model history (``Permission.EDIT_ORGANISATION``)."""

from __future__ import annotations

from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from torg.organisation import selectors, services
from torg.organisation.forms import PAC_MAN_WARNING, SiteModelPeriodForm
from torg.organisation.models import OrganisationalModel, Site, SiteModelPeriod
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.tenancy import tenant_view


def _site_or_404(tenancy: Tenancy, pk: int) -> Site:
    try:
        return selectors.site_get(tenancy, pk)
    except Site.DoesNotExist as error:
        raise Http404("No such site.") from error


def _period_or_404(site: Site, pk: int) -> SiteModelPeriod:
    try:
        return selectors.site_model_history(site).get(pk=pk)
    except SiteModelPeriod.DoesNotExist as error:
        raise Http404("No such period.") from error


def _period_form_page(
    request: HttpRequest,
    tenancy: Tenancy,
    site: Site,
    form: SiteModelPeriodForm,
    period: SiteModelPeriod | None,
) -> HttpResponse:
    return render(
        request,
        "organisation/site_model_period_form.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "site": site,
            "period": period,
            "history": selectors.site_model_history(site),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@tenant_view()
@require_safe
def site_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Every site with its kind, time zone, current model and number of service points."""
    return render(
        request,
        "organisation/site_list.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "rows": selectors.site_overview(tenancy),
        },
    )


@tenant_view()
@require_safe
def site_detail(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """One site: address, service points, this week's opening hours (staffed and
    self-service, with weekly totals) and its model history."""
    site = _site_or_404(tenancy, pk)
    history = list(selectors.site_model_history(site))
    opening_hours = selectors.site_opening_hours(site)
    return render(
        request,
        "organisation/site_detail.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "site": site,
            "service_points": selectors.site_service_points(site),
            "opening_hours": opening_hours,
            "today": opening_hours[0].on,
            "history": history,
            "current_period": selectors.period_on(history, opening_hours[0].on),
            "can_edit": tenancy.allows(Permission.EDIT_ORGANISATION),
            "has_pac_man": any(p.model == OrganisationalModel.PAC_MAN for p in history),
            "pac_man_warning": PAC_MAN_WARNING,
        },
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def site_model_period_add(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """The form that adds a period to the site's model history. An overlap is reported
    next to the field, whether the form or the database finds it."""
    site = _site_or_404(tenancy, pk)
    form = SiteModelPeriodForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.site_model_period_add(
                municipality=tenancy.municipality,
                site=site,
                model=data["model"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                co_organised=data["co_organised"],
                co_located=data["co_located"],
                note=data["note"],
                close_open_period=data["close_open_period"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The period was added to the model history."))
            return redirect("organisation:site", tenancy.municipality.slug, site.pk)
    return _period_form_page(request, tenancy, site, form, None)


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def site_model_period_edit(
    request: HttpRequest, tenancy: Tenancy, pk: int, period_pk: int
) -> HttpResponse:
    """Correct a period of the site's model history, with the same checks as adding one."""
    site = _site_or_404(tenancy, pk)
    period = _period_or_404(site, period_pk)
    form = SiteModelPeriodForm(request.POST or None, site=site, period=period)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.site_model_period_update(
                municipality=tenancy.municipality,
                period=period,
                model=data["model"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                co_organised=data["co_organised"],
                co_located=data["co_located"],
                note=data["note"],
                actor=request.user.get_username(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The period was saved."))
            return redirect("organisation:site", tenancy.municipality.slug, site.pk)
    return _period_form_page(request, tenancy, site, form, period)


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def site_model_period_delete(
    request: HttpRequest, tenancy: Tenancy, pk: int, period_pk: int
) -> HttpResponse:
    """Ask whether to delete a period (GET), and delete it (POST)."""
    site = _site_or_404(tenancy, pk)
    period = _period_or_404(site, period_pk)
    if request.method == "POST":
        # Another manager may have deleted it since it was looked up: it is gone either way.
        with suppress(SiteModelPeriod.DoesNotExist):
            services.site_model_period_delete(
                municipality=tenancy.municipality,
                period=period,
                actor=request.user.get_username(),
            )
        messages.success(request, _("The period was deleted from the model history."))
        return redirect("organisation:site", tenancy.municipality.slug, site.pk)
    return render(
        request,
        "organisation/site_model_period_delete.html",
        {"nav": "sites", "municipality": tenancy.municipality, "site": site, "period": period},
    )
