"""The one date field of every form and filter: a local calendar day within the calendar
Torg accepts (:data:`torg.lib.localtime.FIRST_DAY` to :data:`~torg.lib.localtime.LAST_DAY`).

A day outside it (``0001-01-01``, ``9999-12-31``) is a typing error, and letting it through
would ask datetime for instants it cannot represent. The pages (dashboard, list filters and
their CSV exports, the organisational-model form) use :class:`DayField`; the API's query
parameters call :func:`validate_day` directly, so every place refuses it with the same
translated message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from torg.lib.localtime import FIRST_DAY, LAST_DAY, check_day

DAY_OUT_OF_RANGE = _("Give a day from %(first)s to %(last)s.")


def validate_day(day: dt.date) -> None:
    """Raise :class:`ValidationError` (code ``out_of_range``) unless ``day`` lies in
    [``FIRST_DAY``, ``LAST_DAY``], both included."""
    try:
        check_day(day)
    except ValueError as error:
        raise ValidationError(
            DAY_OUT_OF_RANGE,
            code="out_of_range",
            params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        ) from error


class DayInput(forms.DateInput):
    """A native date picker that submits ``YYYY-MM-DD`` and offers only accepted days."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        bounds = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
        super().__init__(attrs={**bounds, **(attrs or {})}, format="%Y-%m-%d")


class DayField(forms.DateField):
    """A local calendar day (``YYYY-MM-DD``) within the accepted calendar."""

    widget = DayInput
    default_validators = [validate_day]
