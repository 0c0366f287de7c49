"""The sites pages: the list, one site in detail, and adding, correcting and deleting the
periods of a site's organisational model history (``Permission.EDIT_ORGANISATION``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from torg.organisation import selectors, services
from torg.organisation.forms import (
    PAC_MAN_WARNING,
    OpeningHoursForm,
    ServicePointForm,
    SiteForm,
    SiteModelPeriodForm,
)
from torg.organisation.models import (
    OpeningHours,
    OrganisationalModel,
    ServicePoint,
    Site,
    SiteModelPeriod,
)
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
            "can_add": tenancy.allows(Permission.EDIT_ORGANISATION) and not tenancy.site_bound,
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


# --- Editing sites, service points and opening hours -------------------------------------


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _edit_page(
    request: HttpRequest,
    tenancy: Tenancy,
    *,
    form: forms.Form,
    save: Callable[[], Site | object],
    success: str,
    title: str,
    submit: str,
    site: Site | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` and go to the site's page (the saved
    site's, when ``save`` returns one), or show the service's refusal next to the fields."""
    slug = tenancy.municipality.slug
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as error:
            if site is not None:
                site.refresh_from_db()
            _add_errors(form, error)
        else:
            messages.success(request, success)
            target = saved if isinstance(saved, Site) else site
            assert target is not None
            return redirect("organisation:site", slug, target.pk)
    cancel = (
        reverse("organisation:site", args=[slug, site.pk])
        if site is not None
        else reverse("organisation:sites", args=[slug])
    )
    return render(
        request,
        "organisation/edit_form.html",
        {
            "nav": "sites",
            "municipality": tenancy.municipality,
            "site": site,
            "form": form,
            "title": title,
            "submit": submit,
            "cancel": cancel,
            "error_heading": _("Nothing was saved"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def site_add(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Add a site to the municipality (managers and administrators who see every site)."""
    if tenancy.site_bound:
        raise PermissionDenied(_("Only members who see every site can add a site."))
    form = SiteForm(request.POST or None)
    return _edit_page(
        request,
        tenancy,
        form=form,
        save=lambda: services.site_save(
            municipality=tenancy.municipality,
            site=None,
            actor=request.user.get_username(),
            **form.values(),
        ),
        success=_("The site %(name)s was added.") % {"name": form.data.get("name", "")},
        title=_("Add a site"),
        submit=_("Add the site"),
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Change a site's name, code, address, kind, time zone, business-day start and note."""
    site = _site_or_404(tenancy, pk)
    form = SiteForm(request.POST or None, initial=SiteForm.initial_for(site))
    return _edit_page(
        request,
        tenancy,
        form=form,
        save=lambda: services.site_save(
            municipality=tenancy.municipality,
            site=site,
            actor=request.user.get_username(),
            **form.values(),
        ),
        success=_("The site was saved."),
        title=_("Change the site %(name)s") % {"name": site.name},
        submit=_("Save the site"),
        site=site,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def service_point_add(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Add a desk or a virtual channel to a site."""
    site = _site_or_404(tenancy, pk)
    return _service_point_page(request, tenancy, site, None)


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def service_point_edit(
    request: HttpRequest, tenancy: Tenancy, pk: int, point_pk: int
) -> HttpResponse:
    """Rename a service point, change its kind, or take it out of use."""
    site = _site_or_404(tenancy, pk)
    try:
        point = tenancy.scoped(ServicePoint).get(site=site, pk=point_pk)
    except ServicePoint.DoesNotExist as error:
        raise Http404("No such service point.") from error
    return _service_point_page(request, tenancy, site, point)


def _service_point_page(
    request: HttpRequest, tenancy: Tenancy, site: Site, point: ServicePoint | None
) -> HttpResponse:
    initial = (
        {"name": point.name, "kind": point.kind, "is_active": point.is_active} if point else None
    )
    form = ServicePointForm(request.POST or None, initial=initial)
    return _edit_page(
        request,
        tenancy,
        form=form,
        save=lambda: services.service_point_save(
            municipality=tenancy.municipality,
            site=site,
            point=point,
            actor=request.user.get_username(),
            **form.cleaned_data,
        ),
        success=_("The service point was saved."),
        title=(
            _("Change the service point %(name)s") % {"name": point.name}
            if point
            else _("Add a service point to %(site)s") % {"site": site.name}
        ),
        submit=_("Save the service point"),
        site=site,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def opening_hours_add(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Add an opening interval on one or more weekdays."""
    site = _site_or_404(tenancy, pk)
    form = OpeningHoursForm(request.POST or None)
    return _edit_page(
        request,
        tenancy,
        form=form,
        save=lambda: services.opening_hours_add(
            municipality=tenancy.municipality,
            site=site,
            actor=request.user.get_username(),
            **form.cleaned_data,
        ),
        success=_("The opening hours were added."),
        title=_("Add opening hours to %(site)s") % {"site": site.name},
        submit=_("Add the opening hours"),
        site=site,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "POST"])
def opening_hours_delete(
    request: HttpRequest, tenancy: Tenancy, pk: int, hours_pk: int
) -> HttpResponse:
    """Ask whether to delete an opening interval (GET), and delete it (POST)."""
    site = _site_or_404(tenancy, pk)
    try:
        hours = tenancy.scoped(OpeningHours).select_related("site").get(site=site, pk=hours_pk)
    except OpeningHours.DoesNotExist as error:
        raise Http404("No such opening hours.") from error
    if request.method == "POST":
        services.opening_hours_delete(
            municipality=tenancy.municipality, hours=hours, actor=request.user.get_username()
        )
        messages.success(request, _("The opening hours were deleted."))
        return redirect("organisation:site", tenancy.municipality.slug, site.pk)
    return render(
        request,
        "organisation/opening_hours_delete.html",
        {"nav": "sites", "municipality": tenancy.municipality, "site": site, "hours": hours},
    )
