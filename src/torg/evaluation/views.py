"""The evaluation pages: before/after for one change, the model comparison, the excluded
periods and the model guide. Analysts and managers (permission ``export``) see the
evaluation pages; managers enter excluded periods (``edit_organisation``); every member
may read the model guide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from torg.evaluation import guide, methods, presentation
from torg.evaluation.forms import (
    SURVEY_OUTCOME,
    ChecklistForm,
    EvaluationForm,
    ExcludedPeriodForm,
    ModelComparisonForm,
    ReportForm,
    SelfAssessmentForm,
)
from torg.evaluation.models import ChecklistStatus, HelpfulMethod
from torg.evaluation.report import report_build, report_html
from torg.evaluation.selectors import (
    FEW_SITES,
    OUTCOME_LABELS,
    Outcome,
    changes,
    checklist,
    evaluate,
    excluded_periods,
    model_comparison,
)
from torg.evaluation.services import checklist_save, excluded_period_create
from torg.evaluation.survey_waves import survey_by_model, survey_waves
from torg.organisation.models import OrganisationalModel
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.web.charts import fmt
from torg.web.tenancy import tenant_view


def _context(tenancy: Tenancy, nav: str, **extra: Any) -> dict[str, Any]:
    return {"municipality": tenancy.municipality, "nav": "evaluation", "tab": nav, **extra}


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def evaluation_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    found = changes(tenancy)
    form = EvaluationForm(request.GET or None, scope=tenancy, changes=found)
    context = _context(tenancy, "before_after", form=form)
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data["outcome"] == SURVEY_OUTCOME:
        data = form.cleaned_data
        context.update(
            survey_site=data["site"],
            survey_change=data["change_date"],
            survey_tables=presentation.survey_wave_tables(
                survey_waves(tenancy), change=data["change_date"]
            ),
        )
    elif form.is_bound and form.is_valid():
        data = form.cleaned_data
        evaluation = evaluate(
            tenancy,
            site=data["site"],
            change=data["change_date"],
            outcome=Outcome(data["outcome"]),
            method=methods.Method(data["method"]),
            comparison_site_ids=[site.pk for site in data["comparison"]],
        )
        result = evaluation.result
        context.update(
            evaluation=evaluation,
            result=result,
            headline=presentation.headline(evaluation),
            pre_trend=presentation.pre_trend_sentence(result),
            assumptions=[_(text) for text in result.assumptions],
            interval_method=_(result.interval_method),
            method_label=_(methods.METHOD_LABELS[result.method]),
            chart=presentation.chart(evaluation),
            slope=result.slope_change,
            slope_percent=presentation.signed(result.slope_change.percent)
            if result.slope_change
            else None,
            excluded=[r for r in evaluation.excluded if r.unit in (None, str(evaluation.site_id))],
        )
    elif form.is_bound:
        status = 400
    return render(request, "evaluation/evaluation.html", context, status=status)


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def model_comparison_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    form = ModelComparisonForm(request.GET or None)
    year = dt.date.today().year - 1
    outcome = Outcome.VISITS
    if form.is_valid():
        year = form.cleaned_data.get("year") or year
        outcome = Outcome(form.cleaned_data.get("outcome") or Outcome.VISITS)
    groups = model_comparison(tenancy, year, outcome=outcome)
    rows = [
        {
            "group": group,
            "mean": fmt(group.mean),
            "interval": (
                f"{fmt(group.ci_low)}–{fmt(group.ci_high)}" if group.ci_low is not None else "–"
            ),
        }
        for group in groups
    ]
    context = _context(
        tenancy,
        "models",
        form=form,
        year=year,
        outcome_label=OUTCOME_LABELS[outcome],
        rows=rows,
        few_sites=FEW_SITES,
        any_few=any(group.few for group in groups),
        survey_tables=presentation.survey_model_tables(survey_by_model(tenancy)),
        england=presentation.england_block(),
    )
    return render(request, "evaluation/model_comparison.html", context)


@tenant_view(Permission.EXPORT, every_site=True)
@require_http_methods(["GET", "POST"])
def excluded_periods_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    can_edit = tenancy.allows(Permission.EDIT_ORGANISATION)
    form = ExcludedPeriodForm(request.POST if request.method == "POST" else None, scope=tenancy)
    status = 200
    if request.method == "POST":
        tenancy.require(Permission.EDIT_ORGANISATION)
        if form.is_valid():
            data = form.cleaned_data
            try:
                excluded_period_create(
                    tenancy=tenancy,
                    site=data["site"],
                    first=data["first"],
                    last=data["last"],
                    reason=data["reason"],
                    note=data["note"],
                )
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The period is excluded from every comparison."))
                return redirect("evaluation:excluded", tenancy.municipality.slug)
        status = 400
    context = _context(
        tenancy, "excluded", form=form, can_edit=can_edit, rows=excluded_periods(tenancy)
    )
    return render(request, "evaluation/excluded_periods.html", context, status=status)


@tenant_view()
@require_safe
def model_guide_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    form = SelfAssessmentForm(request.GET or None)
    assessment = None
    status = 200
    if form.is_bound and form.is_valid():
        assessment = guide.assess(form.answers())
    elif form.is_bound:
        status = 400
    labels = dict(OrganisationalModel.choices)
    current = checklist(tenancy)
    fits = [
        {
            "label": labels[fit.model],
            "fit": fit,
            "verdict": _(guide.VERDICT_LABELS[fit.verdict]),
            "reasons_for": [_(t) for t in fit.reasons_for],
            "reasons_against": [_(t) for t in fit.reasons_against],
            "risks": [_(t) for t in fit.risks],
            "warning": _(fit.warning) if fit.warning else "",
        }
        for fit in (assessment.fits if assessment else ())
    ]
    context = _context(
        tenancy,
        "guide",
        form=form,
        fits=fits,
        general_risks=[_(t) for t in assessment.general_risks] if assessment else [],
        helpful=[
            (label, ChecklistStatus(stored[0]).label, stored[1])
            for method, label in HelpfulMethod.choices
            for stored in [current.get(method, (ChecklistStatus.NOT_STARTED.value, ""))]
        ],
        can_edit=tenancy.allows(Permission.EDIT_ORGANISATION),
    )
    return render(request, "evaluation/model_guide.html", context, status=status)


@tenant_view(Permission.EXPORT, every_site=True)
@require_safe
def report_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """The evaluation report as a web page: the same HTML that ``torg report evaluation``
    prints to PDF (``?date_from=&date_to=``; empty: the last whole year)."""
    form = ReportForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "evaluation/report_refused.html",
            _context(tenancy, "report", form=form),
            status=400,
        )
    first, last = form.range(dt.date.today())
    return HttpResponse(report_html(report_build(tenancy, first, last)))


@tenant_view(Permission.EDIT_ORGANISATION, every_site=True)
@require_http_methods(["GET", "POST"])
def checklist_page(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    """Update the checklist of the methods that helped (managers)."""
    form = ChecklistForm(
        request.POST if request.method == "POST" else None, current=checklist(tenancy)
    )
    if request.method == "POST":
        if form.is_valid():
            checklist_save(tenancy=tenancy, entries=form.entries())
            messages.success(request, _("The checklist is saved."))
            return redirect("evaluation:guide", tenancy.municipality.slug)
        return render(
            request, "evaluation/checklist.html", _context(tenancy, "guide", form=form), status=400
        )
    return render(request, "evaluation/checklist.html", _context(tenancy, "guide", form=form))
