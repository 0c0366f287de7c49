"""Recording an event, and the editable table that maps event names in an imported log
(Barnet's) to a type and audience."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from torg.imports.profiles.barnet import MAPPING_SOURCE, event_name_table
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.visits.forms import EventForm, EventNameMappingForm
from torg.visits.models import Audience, EventNameMapping, EventType
from torg.visits.services import event_name_mapping_save, event_record
from torg.web.tenancy import tenant_view


def _apply_errors(form: Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def event_new(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Record one event (a manager)."""
    form = EventForm(request.POST or None, municipality=tenancy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event_record(
                tenancy=tenancy,
                site=data["site"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                title=data["title"],
                event_type=data["event_type"],
                audience=data["audience"],
                attendance=data["attendance"],
                is_digital=data["is_digital"],
                in_partnership=data["in_partnership"],
                joint_with_citizen_service=data["joint_with_citizen_service"],
                for_schools_kindergartens=data["for_schools_kindergartens"],
                series_title=data["series_title"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The event was recorded."))
            return redirect("visits:event_new", tenancy.municipality.slug)
    return render(
        request,
        "visits/event_form.html",
        {"municipality": tenancy.municipality, "nav": "events", "form": form},
        status=400 if form.errors else 200,
    )


@tenant_view()
@require_http_methods(["GET", "HEAD", "POST"])
def event_names(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The effective event-name table (defaults and the municipality's own rows); a
    manager's POST adds or changes a row."""
    form = EventNameMappingForm(request.POST or None)
    if request.method == "POST":
        tenancy.require(Permission.EDIT_ORGANISATION)
        if form.is_valid():
            data = form.cleaned_data
            try:
                event_name_mapping_save(
                    tenancy=tenancy,
                    source=MAPPING_SOURCE,
                    name=data["name"],
                    event_type=data["event_type"],
                    audience=data["audience"],
                    for_schools_kindergartens=data["for_schools_kindergartens"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The event name was saved."))
                return redirect("visits:event_names", tenancy.municipality.slug)
    own = set(
        tenancy.scoped(EventNameMapping)
        .filter(source=MAPPING_SOURCE)
        .values_list("name_key", flat=True)
    )
    types, audiences = dict(EventType.choices), dict(Audience.choices)
    rows = [
        {
            "name": key,
            "type": types.get(kind[0], kind[0]),
            "audience": audiences.get(kind[1], kind[1]),
            "schools": kind[2],
            "own": key in own,
        }
        for key, kind in sorted(event_name_table(tenancy.municipality).items())
    ]
    return render(
        request,
        "visits/event_names.html",
        {
            "municipality": tenancy.municipality,
            "nav": "events",
            "form": form,
            "rows": rows,
            "can_edit": tenancy.allows(Permission.EDIT_ORGANISATION),
        },
        status=400 if form.errors else 200,
    )
