"""The API's errors in the user's language, and a clear answer to ``?format=`` values the
API does not speak.

DRF words a few errors itself, in English only (its bokmål catalogue lacks them): a body
that is not JSON ("JSON parse error - Expecting value: …") and a text with a lone
surrogate ("Surrogate characters are not allowed: U+D800."). :func:`exception_handler`
rewords them with Torg's own translated messages, keeping each error's ``code``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

SURROGATE_CODE = "surrogate_characters_not_allowed"
_CODE_POINT = re.compile(r"U\+([0-9A-F]{4,6})")


class UnsupportedFormat(exceptions.APIException):
    """``?format=`` names no format of the API (400, not DRF's bare 404)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unsupported_format"


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, but an unknown ``?format=`` (``csv``, say) is a 400 that says the
    API answers in JSON and where the CSV exports are, not a 404 "Not found" for a URL that
    exists."""

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            raise UnsupportedFormat(
                _(
                    "The API answers in JSON only (format=json). CSV files are downloaded "
                    "from the list pages' export links, such as /m/<municipality>/visits/"
                    "export.csv."
                )
            )
        return found


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with its English-only messages for a malformed JSON body and for lone
    surrogates replaced by translated ones."""
    # Imported here: rest_framework.views reads the settings that name this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        response.data = {
            "detail": ErrorDetail(_("The request body is not valid JSON."), code="parse_error")
        }
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _translate_surrogates(response.data)
    return response


def _translate_surrogates(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _translate_surrogates(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_translate_surrogates(value) for value in data]
    if isinstance(data, ErrorDetail) and data.code == SURROGATE_CODE:
        found = _CODE_POINT.search(str(data))
        code_point = found.group(1) if found else "?"
        return ErrorDetail(
            _(
                "The text contains U+%(code_point)s, half of a surrogate pair, which is no "
                "character on its own; send the text as valid UTF-8."
            )
            % {"code_point": code_point},
            code=SURROGATE_CODE,
        )
    return data
