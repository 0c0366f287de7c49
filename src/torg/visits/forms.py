"""Filter forms of the visits and events lists, and the CSV options shared by every list.

Each filter form turns validated input into the frozen filters dataclass of
:mod:`torg.visits.selectors`; the API can bind the same forms to its query parameters.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from torg.lib.csv_export import COMMA, SEMICOLON, CsvFormat, format_for_language
from torg.organisation.forms import ListFilterForm
from torg.organisation.models import Municipality
from torg.organisation.scoping import Tenancy
from torg.visits.models import Audience, CountMethod, EventType
from torg.visits.selectors import WHOLE_SITE, EventFilters, VisitCountFilters, visit_entrances


class VisitCountFilterForm(ListFilterForm):
    """Site, local date range, method and entrance of the visits list."""

    method = forms.ChoiceField(
        label=_("Method"),
        required=False,
        choices=[("", _("Any method")), *CountMethod.choices],
    )
    entrance = forms.ChoiceField(label=_("Entrance"), required=False)

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, municipality=municipality, **kwargs)
        entrance = self.fields["entrance"]
        assert isinstance(entrance, forms.ChoiceField)
        entrance.choices = [
            ("", _("Any entrance")),
            (WHOLE_SITE, _("Whole site (all entrances together)")),
            *((name, name) for name in visit_entrances(municipality)),
        ]

    def filters(self) -> VisitCountFilters:
        """The validated filters; call only after :meth:`is_valid` returned true."""
        data = self.cleaned_data
        return VisitCountFilters(
            site=data.get("site"),
            first_day=data.get("date_from"),
            last_day=data.get("date_to"),
            method=data.get("method") or None,
            entrance=data.get("entrance") or None,
        )


DIGITAL_CHOICES = [("", _("Digital or not")), ("yes", _("Digital only")), ("no", _("Not digital"))]


class EventFilterForm(ListFilterForm):
    """Site, local date range, type, audience and digital of the events list."""

    event_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *EventType.choices]
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("Any audience")), *Audience.choices]
    )
    digital = forms.ChoiceField(label=_("Digital"), required=False, choices=DIGITAL_CHOICES)

    def filters(self) -> EventFilters:
        """The validated filters; call only after :meth:`is_valid` returned true."""
        data = self.cleaned_data
        digital = data.get("digital")
        return EventFilters(
            site=data.get("site"),
            first_day=data.get("date_from"),
            last_day=data.get("date_to"),
            event_type=data.get("event_type") or None,
            audience=data.get("audience") or None,
            is_digital=None if not digital else digital == "yes",
        )


class CsvOptionsForm(forms.Form):
    """The delimiter of a CSV download. The default follows the UI language: ``;`` in
    Norwegian (what Excel expects where the decimal mark is a comma), ``,`` otherwise."""

    delimiter = forms.ChoiceField(
        label=_("Separator"),
        required=False,
        choices=[
            ("semicolon", _("Semicolon (;) – Excel in Norway")),
            ("comma", _("Comma (,)")),
        ],
        error_messages={"invalid_choice": _("Choose a semicolon or a comma.")},
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        default = format_for_language(get_language())
        self.fields["delimiter"].initial = (
            "semicolon" if default.delimiter == SEMICOLON else "comma"
        )

    def csv_format(self, *, true_text: str, false_text: str) -> CsvFormat:
        """The :class:`CsvFormat` for the current language and the chosen delimiter (the
        language's default when none was chosen). The export views refuse an invalid
        delimiter with 400 before they get here."""
        chosen = self.cleaned_data.get("delimiter") if self.is_valid() else None
        delimiter = {"semicolon": SEMICOLON, "comma": COMMA}.get(chosen or "")
        base = format_for_language(get_language(), delimiter)
        return CsvFormat(
            delimiter=base.delimiter,
            decimal_comma=base.decimal_comma,
            true_text=true_text,
            false_text=false_text,
        )
