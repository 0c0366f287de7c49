"""Forms of the web pages (filters only: they validate, the aggregates compute)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.visits.aggregates import LocalDateRange
from torg.web.fields import DayField


class PeriodForm(forms.Form):
    """An optional range of local calendar days, both ends inclusive, each within the
    calendar Torg accepts (:class:`~torg.web.fields.DayField`)."""

    first = DayField(label=_("From"), required=False)
    last = DayField(label=_("To (inclusive)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and last < first:
            self.add_error("last", _("The last day comes before the first."))
        return cleaned

    def period(self) -> LocalDateRange:
        """The valid range, or everything when the form is empty or invalid."""
        if not self.is_valid():
            return LocalDateRange()
        return LocalDateRange(self.cleaned_data.get("first"), self.cleaned_data.get("last"))
