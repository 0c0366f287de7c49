"""The shared-entrance page: the method chosen for each joint site and period, the
attributed library visits with their method and band, and (for managers) the forms that
set a method and compute a figure."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.forms import AttributionComputeForm, AttributionSetForm
from torg.visits.models import AttributedVisits, EntranceAttribution
from torg.visits.services import attribution_compute, attribution_set
from torg.web.tenancy import tenant_view


def _apply_errors(form: Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@tenant_view()
@require_http_methods(["GET", "HEAD", "POST"])
def attribution_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """List methods and attributed figures; a manager's POST sets a method
    (``action=set``) or computes a figure (``action=compute``)."""
    municipality = tenancy.municipality
    action = request.POST.get("action") if request.method == "POST" else None
    set_form = AttributionSetForm(request.POST if action == "set" else None, municipality=tenancy)
    compute_form = AttributionComputeForm(
        request.POST if action == "compute" else None, municipality=tenancy
    )
    if request.method == "POST":
        tenancy.require(Permission.EDIT_ORGANISATION)
        try:
            if action == "set" and set_form.is_valid():
                data = set_form.cleaned_data
                attribution_set(
                    tenancy=tenancy,
                    site=data["site"],
                    method=data["method"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                    library_share=data["library_share"],
                    note=data["note"],
                )
                messages.success(request, _("The method was set."))
                return redirect("visits:attribution", municipality.slug)
            if action == "compute" and compute_form.is_valid():
                data = compute_form.cleaned_data
                attribution_compute(
                    tenancy=tenancy,
                    site=data["site"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                )
                messages.success(request, _("The library visits were attributed."))
                return redirect("visits:attribution", municipality.slug)
        except ValidationError as error:
            _apply_errors(set_form if action == "set" else compute_form, error)
    context: dict[str, Any] = {
        "municipality": municipality,
        "nav": "visits",
        "methods": tenancy.scoped(EntranceAttribution).select_related("site"),
        "figures": tenancy.scoped(AttributedVisits).select_related("site"),
        "set_form": set_form,
        "compute_form": compute_form,
        "can_edit": tenancy.allows(Permission.EDIT_ORGANISATION),
    }
    failed = request.method == "POST"
    return render(request, "visits/attribution.html", context, status=400 if failed else 200)
