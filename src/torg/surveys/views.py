"""Survey management pages under ``/m/<slug>/surveys/``: the list, create from a template,
open a wave with invitation codes (CSV download), and the results with small groups hidden.

Managers create surveys and open waves (``Permission.MANAGE_SURVEYS``); analysts and managers
see results (``ANALYSE_SURVEYS``); free-text answers only with ``READ_FREE_TEXT`` (analysts,
administrators) and only above the survey's free-text threshold.
"""

from __future__ import annotations

import csv
import io

import segno
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from torg.lib.csv_export import format_for_language, iter_csv
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy
from torg.surveys import services
from torg.surveys.charts import agree_by_group_chart, diverging_chart, wave_comparison_chart
from torg.surveys.export import raw_export, results_xlsx
from torg.surveys.forms import (
    GroupByForm,
    ItemEditForm,
    SurveyCreateForm,
    WaveOpenForm,
    WaveSettingsForm,
)
from torg.surveys.models import Item, Survey, Wave
from torg.surveys.selectors import (
    StatementResult,
    WaveResults,
    free_texts,
    results_available,
    surveys_of,
    wave_results,
)
from torg.web.charts import fmt, fmt_percent
from torg.web.tenancy import tenant_view


@tenant_view(Permission.ANALYSE_SURVEYS)
@require_safe
def survey_list(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    return render(
        request,
        "surveys/list.html",
        {
            "nav": "surveys",
            "surveys": surveys_of(tenancy.municipality),
            "can_manage": tenancy.allows(Permission.MANAGE_SURVEYS),
        },
    )


@tenant_view(Permission.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest, tenancy: Tenancy) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = services.survey_create_from_template(
            municipality=tenancy.municipality,
            template_key=form.cleaned_data["template_key"],
            min_group=form.cleaned_data["min_group"],
            free_text_min_group=form.cleaned_data["free_text_min_group"],
            agree_levels=form.cleaned_data["agree_levels"],
        )
        return HttpResponseRedirect(
            reverse("surveys:wave_open", args=[tenancy.municipality.slug, survey.pk])
        )
    return render(
        request,
        "surveys/survey_form.html",
        {"nav": "surveys", "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def wave_open(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Open the next wave. The invitation codes are shown once, on the answer to the POST,
    with a CSV download of the same codes (they are not stored in clear text)."""
    survey = get_object_or_404(tenancy.scoped(Survey), pk=pk)
    form = WaveOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                wave, tokens = services.wave_open(survey=survey, **form.cleaned_data)
        except (services.WaveAlreadyOpened, IntegrityError) as error:
            opened = getattr(error, "wave", None)
            messages.warning(
                request,
                _(
                    "The form was sent again, so no second wave was opened. Wave %(number)s "
                    "was opened the first time; its invitation codes were shown then and are "
                    "not stored in clear text."
                )
                % {"number": opened.number if opened else "?"},
            )
            return HttpResponseRedirect(reverse("surveys:list", args=[tenancy.municipality.slug]))
        links = [
            request.build_absolute_uri(
                reverse("surveys_public:answer_token", args=[wave.public_id, t])
            )
            for t in tokens
        ]
        open_url = request.build_absolute_uri(
            reverse("surveys_public:answer", args=[wave.public_id])
        )
        if request.POST.get("format") == "csv":
            return _tokens_csv(wave, tokens, links)
        return render(
            request,
            "surveys/wave_opened.html",
            {
                "nav": "surveys",
                "survey": survey,
                "wave": wave,
                "invitations": list(zip(tokens, links, strict=True)),
                "open_url": open_url,
                "open_qr_svg": _qr_svg(open_url) if wave.open_link else "",
            },
        )
    return render(
        request,
        "surveys/wave_form.html",
        {"nav": "surveys", "survey": survey, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@tenant_view(Permission.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def wave_settings(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """Change a wave's anonymity (refused with 409 once it has a response) or its status."""
    wave = get_object_or_404(tenancy.scoped(Wave).select_related("survey"), pk=pk)
    locked = wave.has_responses()
    form = WaveSettingsForm(
        request.POST or None, initial={"anonymous": wave.anonymous, "status": wave.status}
    )
    if locked:
        # The box is shown disabled with the reason; the page sends the fixed value in a
        # hidden field (a browser sends no disabled field), so a form that asks for another
        # value is still refused with 409 below.
        field = form.fields["anonymous"]
        field.widget.attrs["disabled"] = True
        field.help_text = _(
            "Fixed: the wave has responses, and anonymity cannot change after the first one."
        )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.wave_set_anonymity(wave=wave, anonymous=form.cleaned_data["anonymous"])
        except services.AnonymityLocked:
            form.add_error(
                "anonymous",
                _("Anonymity is fixed once the wave has a response; it cannot be changed."),
            )
            status = 409
        else:
            wave.refresh_from_db()
            try:
                services.wave_set_status(wave=wave, status=form.cleaned_data["status"])
            except services.SurveyError:
                form.add_error("status", services.sealed_message())
                status = 409
            else:
                messages.success(request, _("The wave was saved."))
                return HttpResponseRedirect(
                    reverse("surveys:list", args=[tenancy.municipality.slug])
                )
    elif form.is_bound:
        status = 400
    return render(
        request,
        "surveys/wave_settings.html",
        {
            "nav": "surveys",
            "wave": wave,
            "survey": wave.survey,
            "form": form,
            "locked": locked,
            "items": wave.own_items().select_related("section"),
        },
        status=status,
    )


@tenant_view(Permission.MANAGE_SURVEYS)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, tenancy: Tenancy, wave_pk: int, pk: int) -> HttpResponse:
    """Edit one item's texts while its wave has no response; 409 after that."""
    wave = get_object_or_404(tenancy.scoped(Wave).select_related("survey"), pk=wave_pk)
    item = get_object_or_404(wave.own_items(), pk=pk)
    form = ItemEditForm(request.POST or None, instance=item)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(item=Item.objects.get(pk=item.pk), **form.cleaned_data)
        except services.SurveyError as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, _("The question was saved."))
            return HttpResponseRedirect(
                reverse("surveys:wave_settings", args=[tenancy.municipality.slug, wave.pk])
            )
    elif form.is_bound:
        status = 400
    return render(
        request,
        "surveys/item_form.html",
        {"nav": "surveys", "wave": wave, "item": item, "form": form},
        status=status,
    )


def _qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` for posters at the desk (segno, ISO/IEC 18004;
    error correction M), marked as an image named by the link it holds."""
    svg = segno.make(url, error="m").svg_inline(scale=5, title=url)
    return svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-caption" ', 1)


def _change_row(statement: StatementResult) -> dict[str, str]:
    """The previous-wave comparison of one statement, formatted for the table."""
    row = {"text": statement.item.text, "status": "none"}
    if not statement.item.comparable:
        row["status"] = "changed"
    before, now, test = statement.previous_agree, statement.overall.agree, statement.change_test
    if before is not None and now is not None and test is not None:
        row |= {
            "status": "shown",
            "previous": fmt_percent(before.share * 100),
            "current": fmt_percent(now.share * 100),
            "p_value": fmt(test.p_value, 3),
            "cohens_h": fmt(test.cohens_h, 2),
        }
    return row


def _group_change_rows(results: WaveResults) -> list[dict[str, str]]:
    """The previous-wave comparison of every group of every comparable statement, for the
    table under the groups: a group hidden in either wave reads as hidden."""
    rows = []
    for statement in results.statements:
        if not statement.item.comparable:
            continue
        for group in statement.groups:
            row = {
                "text": statement.item.text,
                "group": group.label or str(_("Not stated")),
                "status": "none",
            }
            before, now, test = group.previous_agree, group.agree, group.change_test
            if before is not None and now is not None and test is not None:
                row |= {
                    "status": "shown",
                    "previous": fmt_percent(before.share * 100),
                    "current": fmt_percent(now.share * 100),
                    "p_value": fmt(test.p_value, 3),
                    "cohens_h": fmt(test.cohens_h, 2),
                }
            rows.append(row)
    return rows


def _tokens_csv(wave: Wave, tokens: list[str], links: list[str]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Invitation code"), _("Link")])
    writer.writerows(zip(tokens, links, strict=True))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="invitations-wave-{wave.number}.csv"'
    return response


def _results_pending(request: HttpRequest, wave: Wave) -> HttpResponse:
    """The answer while an anonymous wave is open: how many have answered, no results (a
    download goes back to the results page, which says why)."""
    if not request.path.endswith("/results/"):
        return HttpResponseRedirect(
            reverse("surveys:results", args=[wave.municipality.slug, wave.pk])
        )
    return render(
        request,
        "surveys/results_pending.html",
        {
            "nav": "surveys",
            "wave": wave,
            "survey": wave.survey,
            "responses": wave.own_responses().count(),
        },
    )


@tenant_view(Permission.ANALYSE_SURVEYS)
@require_safe
def wave_results_xlsx(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    """The results as XLSX, one sheet per section; ``?group_by=`` as on the page."""
    wave = get_object_or_404(tenancy.scoped(Wave).select_related("survey"), pk=pk)
    if not results_available(wave):
        return _results_pending(request, wave)
    form = GroupByForm(request.GET or None, wave=wave)
    if form.is_bound and not form.is_valid():
        return HttpResponse(str(form.errors), status=400, content_type="text/plain")
    results = wave_results(
        wave,
        group_by=form.item() if form.is_bound else None,
        by_model=form.is_bound and form.by_model(),
    )
    response = HttpResponse(
        results_xlsx(results),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-results-{wave.pk}.xlsx"'
    return response


@tenant_view(Permission.READ_FREE_TEXT)
@require_safe
def wave_responses_csv(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponseBase:
    """The raw anonymous responses, for analysts, only above the free-text threshold (the raw
    rows include free text), with the background answers made k-anonymous
    (:func:`torg.surveys.export.raw_export`)."""
    wave = get_object_or_404(tenancy.scoped(Wave).select_related("survey"), pk=pk)
    if not results_available(wave):
        return _results_pending(request, wave)
    if wave.own_responses().count() < wave.survey.free_text_min_group:
        messages.error(request, _("Too few responses to export them one by one."))
        return HttpResponseRedirect(
            reverse("surveys:results", args=[tenancy.municipality.slug, wave.pk])
        )
    fmt = format_for_language(get_language(), request.GET.get("delimiter"))
    export = raw_export(wave)
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in iter_csv(export.header, export.rows, fmt)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="survey-responses-{wave.pk}.csv"'
    return response


@tenant_view(Permission.ANALYSE_SURVEYS)
@require_safe
def wave_results_page(request: HttpRequest, tenancy: Tenancy, pk: int) -> HttpResponse:
    wave = get_object_or_404(tenancy.scoped(Wave).select_related("survey"), pk=pk)
    if not results_available(wave):
        return _results_pending(request, wave)
    form = GroupByForm(request.GET or None, wave=wave)
    results = wave_results(
        wave,
        group_by=form.item() if form.is_bound else None,
        by_model=form.is_bound and form.by_model(),
    )
    chart = diverging_chart(results.statements)
    group_charts = (
        [
            (s, agree_by_group_chart(s, f"agree-{s.item.code}"))
            for s in results.statements
            if any(g.answered for g in s.groups)
        ]
        if results.group_code
        else []
    )
    texts = free_texts(wave) if tenancy.allows(Permission.READ_FREE_TEXT) else None
    return render(
        request,
        "surveys/results.html",
        {
            "nav": "surveys",
            "wave": wave,
            "survey": wave.survey,
            "results": results,
            "form": form,
            "chart": chart,
            "group_charts": group_charts,
            "changes": [_change_row(s) for s in results.statements],
            "group_changes": _group_change_rows(results)
            if results.group_code and wave.previous_id
            else [],
            "wave_chart": wave_comparison_chart(results.statements, wave.number)
            if any(s.change_test for s in results.statements)
            else None,
            "free_texts": texts,
            "can_read_free_text": tenancy.allows(Permission.READ_FREE_TEXT),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
