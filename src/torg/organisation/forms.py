"""Forms of the organisation pages, and the base of every list filter form.

Filters come from a whitelist: each field is a choice among known values, a site or service
of the user's own municipality, or a date. Nothing a user types reaches SQL as text.

Accessibility: Django renders each field's errors in a list with the id
``<field id>_error`` and points the input's ``aria-describedby`` at it, and sets
``aria-invalid``; the templates render a ``<label>`` for every field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from torg.organisation.models import (
    Municipality,
    OpeningHoursKind,
    OrganisationalModel,
    ServicePointKind,
    Site,
    SiteKind,
    SiteModelPeriod,
    Weekday,
)
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.organisation.selectors import overlapping_periods
from torg.web.fields import DayField


class ListFilterForm(forms.Form):
    """Site and local date range, shared by the visits, events and inquiries lists.

    Bind it to ``request.GET`` (every field is optional, so an empty query is valid) and
    pass the municipality: the site choices are that municipality's sites only, so a site
    id of another municipality is refused as an invalid choice. ``date_to`` is inclusive: a
    local calendar day in each site's own time zone.
    """

    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("All sites")
    )
    date_from = DayField(required=False, label=_("From (first day)"))
    date_to = DayField(required=False, label=_("To (last day, included)"))

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        #: What the choices are scoped by: a tenancy also narrows them to the member's sites.
        self.scope = municipality
        self.municipality = municipality_of(municipality)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The last day cannot come before the first day."))
        return cleaned

    def is_filtered(self) -> bool:
        """Whether any filter is set (for the totals line: "of all" or "of the selection")."""
        return any(value not in (None, "") for value in self.cleaned_data.values())


#: Shown with the model choice and beside a "Pac-man" period (PRODUCT.md, the four models).
PAC_MAN_WARNING = _(
    "The evaluation project warned against the “Pac-man” model, above all when the motive "
    "is only to save money."
)


class SiteModelPeriodForm(forms.Form):
    """A new period in a site's organisational model history, or the corrected values of
    an existing one (``period``; then the "end the open period" choice is not offered).

    Validates what the database also enforces (an end not before the start, no overlap
    with another period of the site), so the user gets the reason next to the field; the
    service still catches the database's refusal for the race between two managers.
    """

    model = forms.ChoiceField(
        label=_("Organisational model"),
        choices=OrganisationalModel.choices,
        help_text=PAC_MAN_WARNING,
    )
    valid_from = DayField(label=_("First day"))
    valid_to = DayField(
        label=_("Last day"), required=False, help_text=_("Leave empty while the model lasts.")
    )
    co_organised = forms.BooleanField(
        label=_("Co-organised (shared management)"),
        required=False,
        initial=True,
        label_suffix="",
    )
    co_located = forms.BooleanField(
        label=_("Co-located (shared building)"), required=False, label_suffix=""
    )
    close_open_period = forms.BooleanField(
        label=_("End the current open-ended period on the day before the first day"),
        required=False,
        initial=True,
        label_suffix="",
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        site: Site,
        period: SiteModelPeriod | None = None,
        **kwargs: Any,
    ) -> None:
        if period is not None:
            kwargs.setdefault(
                "initial",
                {
                    "model": period.model,
                    "valid_from": period.valid_from,
                    "valid_to": period.valid_to,
                    "co_organised": period.co_organised,
                    "co_located": period.co_located,
                    "note": period.note,
                },
            )
        super().__init__(data, **kwargs)
        self.site = site
        self.period = period
        if period is not None:
            del self.fields["close_open_period"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first: dt.date | None = cleaned.get("valid_from")
        last: dt.date | None = cleaned.get("valid_to")
        if first is None:
            return cleaned
        if last is not None and last < first:
            self.add_error("valid_to", _("The last day cannot come before the first day."))
            return cleaned
        others = overlapping_periods(self.site, first, last)
        if self.period is not None:
            others = others.exclude(pk=self.period.pk)
        conflicts = list(others)
        can_close = "close_open_period" in self.fields
        if can_close and cleaned.get("close_open_period"):
            conflicts = [
                period
                for period in conflicts
                if not (period.valid_to is None and period.valid_from < first)
            ]
        if conflicts:
            self.add_error("valid_from", _describe_overlap(conflicts[0], first, can_close))
        return cleaned


def _describe_overlap(period: SiteModelPeriod, first: dt.date, can_close: bool) -> str:
    start = period.valid_from.isoformat()
    if period.valid_to is None and period.valid_from < first and can_close:
        return gettext(
            "This period overlaps “%(model)s”, which runs from %(start)s with no end. "
            "Tick “End the current open-ended period” or choose other dates."
        ) % {"model": period.get_model_display(), "start": start}
    if period.valid_to is None and period.valid_from < first:
        return gettext(
            "This period overlaps “%(model)s”, which runs from %(start)s with no end. "
            "End that period first, or choose other dates."
        ) % {"model": period.get_model_display(), "start": start}
    if period.valid_to is None:
        return gettext(
            "This period overlaps “%(model)s”, which runs from %(start)s with no end. "
            "Choose a last day before %(start)s."
        ) % {"model": period.get_model_display(), "start": start}
    return gettext(
        "This period overlaps “%(model)s” from %(start)s to %(end)s. Choose other dates."
    ) % {
        "model": period.get_model_display(),
        "start": start,
        "end": period.valid_to.isoformat(),
    }


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


def _time_zone_choices() -> list[tuple[str, str]]:
    import zoneinfo

    names = sorted(zoneinfo.available_timezones())
    preferred = ["Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Helsinki"]
    return [(name, name) for name in preferred] + [
        (name, name) for name in names if name not in preferred and "/" in name
    ]


class SiteForm(forms.Form):
    """A site's name, code, address, kind, time zone, business-day start, the year it
    opened where it is, and a note. Uniqueness in the municipality is checked by
    :func:`torg.organisation.services.site_save`, which reports it by field."""

    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("A short identifier from another system, such as a branch code."),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=SiteKind.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_time_zone_choices)
    business_day_starts = forms.TimeField(
        label=_("Business day starts"),
        initial=dt.time(0),
        widget=TimeInput(),
        help_text=_(
            "Local time at which the site's day begins in statistics. A service open past "
            "midnight sets e.g. 03:00, so that a contact at 01:30 counts on the day before."
        ),
    )
    opened_year = forms.IntegerField(
        label=_("Opened at present site (year)"), required=False, min_value=1800, max_value=2100
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def initial_for(cls, site: Site) -> dict[str, Any]:
        return {name: getattr(site, name) for name in cls.base_fields}

    def values(self) -> dict[str, Any]:
        """The cleaned values, blank texts stripped, for ``site_save``."""
        data = dict(self.cleaned_data)
        for name in ("name", "code", "address", "note"):
            data[name] = (data.get(name) or "").strip()
        return data


class ServicePointForm(forms.Form):
    """A desk or virtual channel of a site."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServicePointKind.choices)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True, label_suffix="")


class OpeningHoursForm(forms.Form):
    """One opening interval on one or more weekdays, in the site's local time."""

    kind = forms.ChoiceField(label=_("Kind"), choices=OpeningHoursKind.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    opens = forms.TimeField(label=_("Opens"), widget=TimeInput())
    closes = forms.TimeField(label=_("Closes"), widget=TimeInput())
    valid_from = DayField(label=_("Valid from"))
    valid_to = DayField(
        label=_("Valid to (included)"),
        required=False,
        help_text=_("Leave empty until further notice."),
    )
