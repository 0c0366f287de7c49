"""Recording, correcting and deleting an event (with its audit trail), and the editable table that maps event names in an imported log
(Barnet's) to a type and audience."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from torg.imports.profiles.barnet import MAPPING_SOURCE, event_name_table
from torg.lib.localtime import zone
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.organisation.selectors import default_time_zone
from torg.visits.forms import EventForm, EventNameMappingForm
from torg.visits.models import Audience, Event, EventNameMapping, EventType
from torg.visits.services import (
    EVENT_FIELDS,
    event_correct,
    event_delete,
    event_name_mapping_save,
    event_record,
)
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
                user=request.user,  # type: ignore[arg-type]
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


def _event_initial(event: Event, tenancy: Tenancy) -> dict[str, object]:
    """The form's values for ``event``: its day and times on the wall clock of its site
    (the municipality's zone without a site), as the form reads them back."""
    tz = zone(event.site.time_zone if event.site else default_time_zone(tenancy.municipality))
    starts = event.starts_at.astimezone(tz)
    initial: dict[str, object] = {
        name: getattr(event, name)
        for name in EVENT_FIELDS
        if name not in {"starts_at", "ends_at", "series_title"}
    }
    initial.update(
        day=starts.date(),
        starts=starts.time().replace(second=0, microsecond=0),
        ends=event.ends_at.astimezone(tz).time().replace(second=0, microsecond=0)
        if event.ends_at
        else None,
        series_title=event.series.title if event.series else "",
    )
    return initial


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Correct an event (a manager); the page lists its audit trail (who, when, before
    and after)."""
    event = get_object_or_404(tenancy.scoped(Event).select_related("site", "series"), pk=pk)
    form = EventForm(
        request.POST or None, municipality=tenancy, initial=_event_initial(event, tenancy)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event_correct(
                tenancy=tenancy,
                user=request.user,  # type: ignore[arg-type]
                event=event,
                changes={name: data[name] for name in EVENT_FIELDS},
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The event was corrected."))
            return redirect("visits:event_edit", tenancy.municipality.slug, event.pk)
    return render(
        request,
        "visits/event_edit.html",
        {
            "municipality": tenancy.municipality,
            "nav": "events",
            "form": form,
            "event": event,
            "changes": event.changes.select_related("changed_by").order_by("-changed_at", "-pk"),
        },
        status=400 if form.errors else 200,
    )


@tenant_view(Permission.EDIT_ORGANISATION)
@require_http_methods(["GET", "HEAD", "POST"])
def event_remove(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Delete an event (GET asks to confirm); the audit trail keeps it."""
    event = get_object_or_404(tenancy.scoped(Event).select_related("site"), pk=pk)
    if request.method != "POST":
        return render(
            request,
            "visits/event_delete.html",
            {"municipality": tenancy.municipality, "nav": "events", "event": event},
        )
    event_delete(tenancy=tenancy, user=request.user, event=event)  # type: ignore[arg-type]
    messages.success(request, _("The event was deleted."))
    return redirect("visits:events", tenancy.municipality.slug)
