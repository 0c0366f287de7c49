"""Catalogue pages: the desk search, and create / edit / remove for managers and
administrators (``Permission.EDIT_CATALOGUE``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from torg.catalogue.forms import ServiceFilterForm, ServiceForm
from torg.catalogue.models import Service
from torg.catalogue.selectors import ServiceFilter, service_search
from torg.catalogue.services import (
    RemovalOutcome,
    catalogue_load_default,
    service_create,
    service_remove,
    service_update,
)
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.tenancy import tenant_view


def _list_url(tenancy: Tenancy, service: Service | None = None) -> str:
    url = reverse("catalogue:list", args=[tenancy.municipality.slug])
    return f"{url}#service-{service.code}" if service is not None else url


@tenant_view(Permission.VIEW)
@require_safe
def catalogue_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The desk search. A filter with an invalid value (another municipality's category, an
    unknown domain) is refused with 400 and the form's error, like the filters of the list
    pages, rather than silently widening the search."""
    form = ServiceFilterForm(request.GET or None, municipality=tenancy.municipality)
    invalid = form.is_bound and not form.is_valid()
    search = form.to_filter() if form.is_bound and not invalid else ServiceFilter()
    services = [] if invalid else service_search(tenancy.municipality, search)
    catalogue_is_empty = not invalid and not services and not tenancy.scoped(Service).exists()
    return render(
        request,
        "catalogue/list.html",
        {
            "nav": "catalogue",
            "form": form,
            "services": services,
            "invalid": invalid,
            "searching": bool(search.query.strip()),
            "filtered": bool(form.is_bound and any(form.data.get(key) for key in form.fields)),
            "catalogue_is_empty": catalogue_is_empty,
            "can_edit": tenancy.allows(Permission.EDIT_CATALOGUE),
        },
        status=400 if invalid else 200,
    )


@tenant_view(Permission.EDIT_CATALOGUE)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    form = ServiceForm(request.POST or None, municipality=tenancy.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            service = service_create(municipality=tenancy.municipality, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The service %(name)s was added.") % {"name": service.name})
            return HttpResponseRedirect(_list_url(tenancy, service))
    return render(
        request,
        "catalogue/service_form.html",
        {"nav": "catalogue", "form": form, "service": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.EDIT_CATALOGUE)
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    service = get_object_or_404(tenancy.scoped(Service).select_related("category"), pk=pk)
    form = ServiceForm(request.POST or None, instance=service, municipality=tenancy.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            service = service_update(service=service, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The service %(name)s was saved.") % {"name": service.name})
            return HttpResponseRedirect(_list_url(tenancy, service))
    return render(
        request,
        "catalogue/service_form.html",
        {"nav": "catalogue", "form": form, "service": service},
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.EDIT_CATALOGUE)
@require_http_methods(["GET", "POST"])
def service_remove_view(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    service = get_object_or_404(tenancy.scoped(Service).select_related("category"), pk=pk)
    if request.method == "POST":
        name = service.name
        outcome = service_remove(service=service)
        if outcome == RemovalOutcome.DELETED:
            messages.success(request, _("The service %(name)s was deleted.") % {"name": name})
            return HttpResponseRedirect(_list_url(tenancy))
        messages.success(
            request,
            _(
                "The service %(name)s was deactivated: it is kept for the inquiries that use it "
                "or because it comes from the default catalogue, but hidden from the desk."
            )
            % {"name": name},
        )
        return HttpResponseRedirect(_list_url(tenancy))
    return render(
        request,
        "catalogue/service_remove.html",
        {
            "nav": "catalogue",
            "service": service,
            "inquiry_count": service.inquiries.count(),
            "will_delete": not service.default_digest and not service.inquiries.exists(),
        },
    )


@tenant_view(Permission.EDIT_CATALOGUE)
@require_POST
def load_default(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    result = catalogue_load_default(municipality=tenancy.municipality)
    messages.success(
        request,
        _(
            "Default catalogue loaded. Services added: %(created)s; updated: %(updated)s; "
            "unchanged: %(unchanged)s; edited here and kept as they are: %(kept)s."
        )
        % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "kept": len(result.kept_edited),
        },
    )
    return HttpResponseRedirect(_list_url(tenancy))
