"""Roster pages: start a solve, follow its progress, the grid per site and week, manual
edits re-checked at once, publish, and the CSV and iCalendar exports."""

from __future__ import annotations

from django import forms as forms_module
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from torg.lib.csv_export import csv_bytes, format_for_language
from torg.organisation.models import Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.rostering.explain import RULE_NAMES
from torg.rosters import exports, selectors, services
from torg.rosters.forms import (
    AssignmentForm,
    DemandSlotForm,
    DeriveDemandForm,
    PlacementForm,
    ShiftTemplateForm,
    SolveForm,
    StaffForm,
)
from torg.rosters.models import (
    DemandSlot,
    Placement,
    Roster,
    RosterStatus,
    ShiftTemplate,
    StaffMember,
)
from torg.web.tenancy import tenant_view


class _Redirect303(HttpResponseRedirect):
    status_code = 303


def _roster(tenancy: Tenancy, pk: int) -> Roster:
    return get_object_or_404(selectors.rosters(tenancy), pk=pk)


def _list_url(tenancy: Tenancy, key: str | None = None) -> str:
    url = reverse("rosters:list", args=[tenancy.municipality.slug])
    return f"{url}?{urlencode({'job': key})}" if key else url


@tenant_view(every_site=True)
@require_http_methods(["GET", "POST"])
def roster_list_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The roster versions and a form to solve a new period (managers). With ``?job=``,
    the progress of a background solve (best objective so far, time left, a stop button);
    when it is done, the new roster."""
    can_solve = tenancy.allows(Permission.EDIT_ORGANISATION)
    form = SolveForm(request.POST or None)
    if request.method == "POST":
        tenancy.require(Permission.EDIT_ORGANISATION)
        if form.is_valid():
            key = services.roster_solve_start(
                tenancy=tenancy,
                actor=request.user,  # type: ignore[arg-type]
                period_start=form.cleaned_data["period_start"],
                weeks=form.cleaned_data["weeks"],
                rules=form.rules(),
            )
            return _Redirect303(_list_url(tenancy, key))
    key = request.GET.get("job", "")
    job = services.job_for(tenancy, key) if key else None
    if key and job is None:
        messages.info(request, _("That solve is no longer running."))
    if job is not None and job.roster_id is not None:
        return HttpResponseRedirect(
            reverse("rosters:detail", args=[tenancy.municipality.slug, job.roster_id])
        )
    return render(
        request,
        "rosters/list.html",
        {
            "nav": "rosters",
            "rosters": selectors.rosters(tenancy),
            "form": form,
            "can_solve": can_solve,
            "job": job,
            "key": key,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.EDIT_ORGANISATION, every_site=True)
@require_POST
def job_stop(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Stop a background solve early; the best roster found so far is kept."""
    key = request.POST.get("job", "")
    job = services.job_for(tenancy, key)
    if job is None:
        raise Http404("No such job.")
    job.stop.set()
    return _Redirect303(_list_url(tenancy, key))


@tenant_view(every_site=True)
@require_safe
def roster_page(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """The grid of one site and week, the checker's verdict, unmet demand, fairness."""
    roster = _roster(tenancy, pk)
    sites = list(tenancy.scoped(Site).filter(shift_templates__isnull=False).distinct())
    wanted = request.GET.get("site", "")
    site: Site | None = next((s for s in sites if str(s.pk) == wanted), sites[0] if sites else None)
    try:
        week = min(max(int(request.GET.get("week", "1")), 1), roster.weeks)
    except ValueError:
        week = 1
    days, grid = selectors.week_grid(roster, site.pk, week - 1) if site else ([], [])
    rows = services.problem_for(
        municipality=tenancy.municipality,
        period_start=roster.period_start,
        weeks=roster.weeks,
        rules=services.rules_from_json(roster.rules),
    )
    violations = services.roster_violations(roster=roster)
    return render(
        request,
        "rosters/detail.html",
        {
            "nav": "rosters",
            "roster": roster,
            "sites": sites,
            "site": site,
            "week": week,
            "weeks": range(1, roster.weeks + 1),
            "days": days,
            "grid": grid,
            "people": selectors.person_grid(roster, week - 1),
            "violations": [(RULE_NAMES.get(v.rule, v.rule), v) for v in violations],
            "shortfalls": roster.own_shortfalls().select_related("site"),
            "explanation": roster.explanation.splitlines(),
            "fairness": selectors.fairness(roster, rows),
            "staff": tenancy.scoped(StaffMember),
            "edit_form": AssignmentForm(tenancy=tenancy),
            "can_edit": tenancy.allows(Permission.EDIT_ORGANISATION)
            and roster.status == RosterStatus.DRAFT,
            "can_export": tenancy.allows(Permission.EXPORT),
        },
    )


@tenant_view(Permission.EDIT_ORGANISATION, every_site=True)
def roster_edit(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Add or remove one assignment; the checker's verdict is shown at once. POST only;
    the roster is looked up first, so another municipality's id is "not found"."""
    roster = _roster(tenancy, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AssignmentForm(request.POST, tenancy=tenancy)
    if not form.is_valid():
        messages.error(request, _("The change could not be made: check the fields."))
    else:
        data = form.cleaned_data
        try:
            violations = services.roster_assignment_change(
                roster=roster,
                staff=data["staff"],
                day=data["day"],
                shift=data["shift"],
                add=data["action"] == "add",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if violations:
                messages.warning(
                    request,
                    ngettext(
                        "Changed. The roster now breaks %(count)d rule; see the list below.",
                        "Changed. The roster now breaks %(count)d rules; see the list below.",
                        len(violations),
                    )
                    % {"count": len(violations)},
                )
            else:
                messages.success(request, _("Changed. The roster breaks no rule."))
    return _Redirect303(reverse("rosters:detail", args=[tenancy.municipality.slug, roster.pk]))


@tenant_view(Permission.EDIT_ORGANISATION, every_site=True)
def roster_publish_view(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Publish the roster if the independent checker finds nothing wrong (POST only)."""
    roster = _roster(tenancy, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.roster_publish(roster=roster)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The roster was published."))
    return _Redirect303(reverse("rosters:detail", args=[tenancy.municipality.slug, roster.pk]))


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def roster_csv(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Every assignment of the roster as CSV (UTF-8 with BOM)."""
    roster = _roster(tenancy, pk)
    header = [_("Day"), _("Site"), _("Shift"), _("Starts"), _("Ends"), _("Person"), _("Hours")]
    fmt = format_for_language(getattr(request, "LANGUAGE_CODE", None))
    body = csv_bytes(header, exports.roster_rows(roster=roster), fmt)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"roster-{roster.period_start:%Y-%m-%d}-v{roster.version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def roster_xlsx(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Every assignment of the roster as an XLSX workbook (``?staff=<id>``: one person's)."""
    roster = _roster(tenancy, pk)
    staff = None
    if request.GET.get("staff", "").isdigit():
        staff = get_object_or_404(tenancy.scoped(StaffMember), pk=int(request.GET["staff"]))
    header = [_("Day"), _("Site"), _("Shift"), _("Starts"), _("Ends"), _("Person"), _("Hours")]
    response = HttpResponse(
        exports.roster_xlsx(roster=roster, header=header, staff=staff),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"roster-{roster.period_start:%Y-%m-%d}-v{roster.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def staff_ical(request: HttpRequest, tenancy: Tenancy, pk: int, staff_pk: int) -> HttpResponse:
    """One person's shifts in the roster as an iCalendar feed."""
    roster = _roster(tenancy, pk)
    staff = get_object_or_404(tenancy.scoped(StaffMember), pk=staff_pk)
    response = HttpResponse(
        exports.roster_ical(roster=roster, staff=staff),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.pk}-{staff.pk}.ics"'
    return response


SETUP_FORMS = {
    "staff": StaffForm,
    "shift": ShiftTemplateForm,
    "demand": DemandSlotForm,
    "placement": PlacementForm,
    "derive": DeriveDemandForm,
}


@tenant_view(every_site=True)
@require_http_methods(["GET", "POST"])
def setup_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Staff, shift templates and weekly demand of the municipality, with a form to add
    each, and demand derived from a site's inquiry log (managers add; members read)."""
    kind = request.POST.get("kind", "") if request.method == "POST" else ""
    forms = {
        name: form_class(request.POST if name == kind else None, tenancy=tenancy, prefix=name)
        for name, form_class in SETUP_FORMS.items()
    }
    if request.method == "POST":
        tenancy.require(Permission.EDIT_ORGANISATION)
        form = forms.get(kind)
        if form is not None and form.is_valid():
            if isinstance(form, DeriveDemandForm):
                data = form.cleaned_data
                count = services.demand_derive_from_inquiries(
                    tenancy=tenancy,
                    site=data["site"],
                    until=data["until"],
                    weeks=data["weeks"],
                    open_hours={d: range(data["opens"], data["closes"]) for d in range(5)},
                    handle_seconds=data["handle_minutes"] * 60,
                    target_seconds=data["target_seconds"],
                    target_share=data["target_percent"] / 100,
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)d demand slot was derived from the inquiry log.",
                        "%(count)d demand slots were derived from the inquiry log.",
                        count,
                    )
                    % {"count": count},
                )
            elif isinstance(form, forms_module.ModelForm):
                services.setup_row_save(tenancy=tenancy, form=form)
                messages.success(request, _("Saved."))
            return _Redirect303(reverse("rosters:setup", args=[tenancy.municipality.slug]))
    return render(
        request,
        "rosters/setup.html",
        {
            "nav": "rosters",
            "forms": forms,
            "can_edit": tenancy.allows(Permission.EDIT_ORGANISATION),
            "staff": tenancy.scoped(StaffMember).select_related("home_site"),
            "shifts": tenancy.scoped(ShiftTemplate).select_related("site"),
            "demand": tenancy.scoped(DemandSlot).select_related("site"),
            "placements": tenancy.scoped(Placement).select_related("staff", "site"),
        },
        status=400 if kind in forms and forms[kind].errors else 200,
    )
