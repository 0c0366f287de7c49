"""The public response form: ``/s/<wave public id>/`` (open link) and
``/s/<wave public id>/t/<token>/`` (invitation). No login, no session, nothing about the
respondent kept: the form posts a random submission key that makes the final submit
idempotent, and with a token it can be saved and resumed until it is submitted.
"""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager, nullcontext

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from torg.surveys import services
from torg.surveys.forms import ResponseForm, TokenForm
from torg.surveys.models import Wave, WaveStatus
from torg.surveys.scales import LANGUAGES, instrument_language, text_language


def _wave(public_id: uuid.UUID) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("survey"), public_id=public_id)
    if wave.status == WaveStatus.DRAFT:
        raise Http404("No such survey.")
    return wave


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The open link; a wave without an open link asks for the invitation code instead."""
    wave = _wave(public_id)
    if not wave.open_link:
        token_form = TokenForm(request.POST or None)
        if request.method == "POST" and token_form.is_valid():
            return HttpResponseRedirect(
                reverse(
                    "surveys_public:answer_token",
                    args=[public_id, token_form.cleaned_data["token"]],
                )
            )
        return render(
            request,
            "surveys/public_token.html",
            {"wave": wave, "form": token_form},
            status=400 if token_form.is_bound else 200,
        )
    return _form(request, wave, token=None)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_token(request: HttpRequest, public_id: uuid.UUID, token: str) -> HttpResponse:
    wave = _wave(public_id)
    invitation = services.token_find(wave=wave, raw=token)
    if invitation is None:
        return render(request, "surveys/public_invalid.html", {"wave": wave}, status=404)
    if invitation.used and request.method == "GET":
        return render(
            request, "surveys/public_invalid.html", {"wave": wave, "used": True}, status=410
        )
    return _form(request, wave, token=token)


def _chosen_language(request: HttpRequest) -> str | None:
    language = request.GET.get("lang")
    return language if language in LANGUAGES else None


def _in_language(language: str | None) -> AbstractContextManager[None]:
    """The page's own texts (buttons, hints, errors) in the language the respondent chose
    for the questions, so that one page does not mix two: English for English, bokmål for
    bokmål and nynorsk (Torg's interface has no nynorsk). No choice: the browser's."""
    if language is None:
        return nullcontext()
    return translation.override("en" if language == "en" else "nb")


def _form(request: HttpRequest, wave: Wave, token: str | None) -> HttpResponse:
    """The form in the questionnaire language the respondent chose (``?lang=nb|nn|en``)."""
    language = _chosen_language(request)
    with instrument_language(language), _in_language(language):
        return _form_in_language(request, wave, token)


def _form_in_language(request: HttpRequest, wave: Wave, token: str | None) -> HttpResponse:
    if wave.status != WaveStatus.OPEN:
        return render(request, "surveys/public_closed.html", {"wave": wave}, status=410)
    saved = False
    if request.method == "POST":
        form = ResponseForm(request.POST, wave=wave, order_key=token or "")
        if request.POST.get("action", "submit") not in ("submit", "save"):
            return HttpResponseBadRequest("Unknown action.")
        if form.is_valid():
            if request.POST.get("action") == "save" and token:
                try:
                    services.draft_save(wave=wave, token=token, answers=form.answers())
                except services.TokenInvalid:
                    return render(
                        request,
                        "surveys/public_invalid.html",
                        {"wave": wave, "used": True},
                        status=410,
                    )
                saved = True
            else:
                try:
                    services.response_submit(
                        wave=wave,
                        answers=form.answers(),
                        submission_key=form.cleaned_data["submission_key"],
                        token=token,
                    )
                except services.TokenInvalid:
                    return render(
                        request,
                        "surveys/public_invalid.html",
                        {"wave": wave, "used": True},
                        status=410,
                    )
                except services.SurveyError as error:
                    form.add_error(None, str(error))
                else:
                    thanks_url = reverse("surveys_public:thanks", args=[wave.public_id])
                    language = _chosen_language(request)
                    return HttpResponseRedirect(
                        f"{thanks_url}?lang={language}" if language else thanks_url
                    )
    else:
        initial = (
            ResponseForm.initial_from(services.draft_load(wave=wave, token=token)) if token else {}
        )
        form = ResponseForm(initial=initial, wave=wave, order_key=token or "")
    return render(
        request,
        "surveys/public_form.html",
        {
            "wave": wave,
            "survey": wave.survey,
            "form": form,
            "token": token,
            "saved": saved,
            "question_languages": [("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")],
            "text_language": text_language(get_language()),
            "title": _("Survey"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
def thanks(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    wave = _wave(public_id)
    language = _chosen_language(request)
    with instrument_language(language), _in_language(language):
        return render(request, "surveys/public_thanks.html", {"wave": wave})
