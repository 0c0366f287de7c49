"""The sites pages: the list, one site in detail, and adding a period to a site's
organisational model history (managers only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from torg.organisation import selectors, services
from torg.organisation.forms import SiteModelPeriodForm
from torg.organisation.models import Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.tenancy import tenant_view


def _site_or_404(tenancy: Tenancy, pk: int) -> Site:
    try:
        return selectors.site_get(tenancy.municipality, pk)
    except Site.DoesNotExist as error:
        raise Http404("No such site.") from error


@tenant_view()
def site_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Every site with its kind, time zone, current model and number of service points."""
    return render(
        request,
        "organisation/site_list.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "rows": selectors.site_overview(tenancy.municipality),
        },
    )


@tenant_view()
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
        },
    )


@tenant_view(Permission.EDIT_ORGANISATION)
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
    return render(
        request,
        "organisation/site_model_period_form.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "site": site,
            "history": selectors.site_model_history(site),
            "form": form,
        },
        status=400 if form.errors else 200,
    )
