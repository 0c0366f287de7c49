"""Filter forms of the visits and events lists, and the CSV options shared by every list.

Each filter form turns validated input into the frozen filters dataclass of
:mod:`torg.visits.selectors`; the API can bind the same forms to its query parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from torg.lib.business_day import business_day_bounds, business_day_hours
from torg.lib.csv_export import COMMA, SEMICOLON, CsvFormat, format_for_language
from torg.lib.localtime import parse_local_datetime, zone
from torg.organisation.forms import ListFilterForm
from torg.organisation.models import Municipality, Site
from torg.organisation.scoping import Tenancy, municipality_of, scoped
from torg.organisation.selectors import default_time_zone
from torg.visits.models import AttributionMethod, Audience, CountMethod, EventType, ZoneService
from torg.visits.selectors import WHOLE_SITE, EventFilters, VisitCountFilters, visit_entrances
from torg.visits.series import MAX_SLOTS, SeriesUnit, slot_count
from torg.web.fields import DayField


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


# --- Recording and correcting counts ---------------------------------------------------


class PeriodLength(models.TextChoices):
    HOUR = "hour", _("One hour")
    DAY = "day", _("One business day")


class VisitCountForm(forms.Form):
    """A count a person records: site, entrance, the local business day and hour it
    starts, its length, the number and how it was counted. ``period()`` turns the local
    day and hour into UTC instants by the site's zone and business-day start (an hour that
    does not exist on the night the clocks go forward is refused; the repeated hour when
    they go back is the first of the two)."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    entrance = forms.CharField(
        label=_("Entrance"),
        required=False,
        max_length=100,
        help_text=_("Leave empty for the whole site (all entrances together)."),
    )
    day = DayField(label=_("Day"))
    length = forms.ChoiceField(label=_("Period"), choices=PeriodLength.choices)
    hour = forms.TypedChoiceField(
        label=_("Hour (for one hour)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "–"), *((h, f"{h:02d}:00") for h in range(24))],
    )
    count = forms.IntegerField(label=_("Visits"), min_value=0, help_text=_("0 if nobody came."))
    method = forms.ChoiceField(label=_("Method"), choices=CountMethod.choices)
    is_estimate = forms.BooleanField(label=_("This figure is an estimate"), required=False)
    estimate_reason = forms.CharField(label=_("Why an estimate"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("length") == PeriodLength.HOUR and cleaned.get("hour") is None:
            self.add_error("hour", _("Choose the hour the count starts."))
        if cleaned.get("is_estimate") and not (cleaned.get("estimate_reason") or "").strip():
            self.add_error("estimate_reason", _("Say why the figure is an estimate."))
        site, day = cleaned.get("site"), cleaned.get("day")
        if site is not None and day is not None and not self.errors:
            try:
                cleaned["period"] = self._period(site, day, cleaned["length"], cleaned.get("hour"))
            except ValueError as error:
                self.add_error("hour", str(error))
        return cleaned

    @staticmethod
    def _period(
        site: Site, day: dt.date, length: str, hour: int | None
    ) -> tuple[dt.datetime, dt.datetime]:
        day_start, day_end = business_day_bounds(day, day, site.business_day_starts, site.time_zone)
        if length == PeriodLength.DAY:
            return day_start, day_end
        assert hour is not None
        for start in business_day_hours(day, site.business_day_starts, site.time_zone):
            if start.astimezone(site.zone).hour == hour:
                return start, min(start + dt.timedelta(hours=1), day_end)
        raise ValueError(
            gettext("%(hour)02d:00 does not exist at this site on %(day)s (clocks go forward).")
            % {"hour": hour, "day": day.isoformat()}
        )


class VisitCountCorrectionForm(forms.Form):
    """The correctable values of a count (:data:`torg.visits.services.CORRECTABLE_FIELDS`)."""

    count = forms.IntegerField(label=_("Visits"), min_value=0, help_text=_("0 if nobody came."))
    method = forms.ChoiceField(label=_("Method"), choices=CountMethod.choices)
    is_estimate = forms.BooleanField(label=_("This figure is an estimate"), required=False)
    estimate_reason = forms.CharField(label=_("Why an estimate"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("is_estimate") and not (cleaned.get("estimate_reason") or "").strip():
            self.add_error("estimate_reason", _("Say why the figure is an estimate."))
        return cleaned


class SiteSeriesForm(forms.Form):
    """Unit and business-day range of a site's visits page (defaults: the last 7 days
    by day)."""

    unit = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[
            (SeriesUnit.HOUR.value, _("hour")),
            (SeriesUnit.DAY.value, _("day")),
            (SeriesUnit.MONTH.value, _("month")),
        ],
    )
    date_from = DayField(label=_("From (first day)"), required=False)
    date_to = DayField(label=_("To (last day, included)"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The last day cannot come before the first day."))
        unit = SeriesUnit(cleaned.get("unit") or SeriesUnit.DAY)
        last = last or (first + dt.timedelta(days=6) if first else timezone.localdate())
        first = first or last - dt.timedelta(days=6)
        if not self.errors and slot_count(unit, first, last) > MAX_SLOTS:
            self.add_error(
                "date_to", _("Too many periods; choose a shorter range or a coarser unit.")
            )
        cleaned.update(unit=unit, first=first, last=last)
        return cleaned


# --- Shared entrances --------------------------------------------------------------------


class AttributionSetForm(forms.Form):
    """How a joint site's door counts are split from one day on (see
    :func:`torg.visits.services.attribution_set`)."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    method = forms.ChoiceField(label=_("Method"), choices=AttributionMethod.choices)
    library_share = forms.DecimalField(
        label=_("Library share (fixed share only)"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=4,
        help_text=_("Between 0 and 1, e.g. 0.65 for 65 %."),
    )
    valid_from = DayField(label=_("From (first day)"))
    valid_to = DayField(label=_("To (last day, included)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, prefix="set", **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")


class AttributionComputeForm(forms.Form):
    """A joint site and a range of business days to attribute."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    first_day = DayField(label=_("From (first day)"))
    last_day = DayField(label=_("To (last day, included)"))

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, prefix="compute", **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot come before the first day."))
        elif first and last and (last - first).days > MAX_SLOTS:
            self.add_error("last_day", _("Choose a shorter range."))
        return cleaned


# --- Events --------------------------------------------------------------------------------


class EventForm(forms.Form):
    """One event as a manager records it; the day and times are the site's local time
    (the municipality's zone for an event outside the sites)."""

    site = forms.ModelChoiceField(
        queryset=Site.objects.none(),
        label=_("Site"),
        required=False,
        empty_label=_("Not at one of the sites"),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    day = DayField(label=_("Day"))
    starts = forms.TimeField(label=_("Starts (HH:MM)"))
    ends = forms.TimeField(label=_("Ends (HH:MM)"), required=False)
    event_type = forms.ChoiceField(label=_("Type"), choices=EventType.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    attendance = forms.IntegerField(
        label=_("Attendance"),
        min_value=0,
        required=False,
        help_text=_("0 if nobody came; leave empty if not counted."),
    )
    is_digital = forms.BooleanField(label=_("Digital event"), required=False)
    in_partnership = forms.BooleanField(label=_("In partnership (not our own)"), required=False)
    joint_with_citizen_service = forms.BooleanField(
        label=_("Joint library and citizen service event"), required=False
    )
    for_schools_kindergartens = forms.BooleanField(
        label=_("For schools or kindergartens"), required=False
    )
    series_title = forms.CharField(
        label=_("Recurring series"),
        required=False,
        max_length=300,
        help_text=_("The series' title, if the event is one of a series."),
    )

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.municipality = municipality_of(municipality)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, starts, ends = cleaned.get("day"), cleaned.get("starts"), cleaned.get("ends")
        if day is None or starts is None or self.errors:
            return cleaned
        site = cleaned.get("site")
        zone_name = site.time_zone if site else default_time_zone(self.municipality)
        try:
            start = parse_local_datetime(f"{day.isoformat()} {starts:%H:%M}", zone(zone_name))
            end = (
                parse_local_datetime(f"{day.isoformat()} {ends:%H:%M}", zone(zone_name))
                if ends is not None
                else None
            )
        except ValueError as error:
            self.add_error("starts", str(error))
            return cleaned
        if end is not None and end <= start:
            end += dt.timedelta(days=1)  # past midnight: ends the next day
        cleaned.update(starts_at=start, ends_at=end)
        return cleaned


class EventNameMappingForm(forms.Form):
    """A row of the event-name table (Barnet's event log)."""

    name = forms.CharField(label=_("Event name as the file writes it"), max_length=300)
    event_type = forms.ChoiceField(label=_("Type"), choices=EventType.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    for_schools_kindergartens = forms.BooleanField(
        label=_("For schools or kindergartens"), required=False
    )


# --- Zone head counts (sweeps) -------------------------------------------------------------

#: Zone rows offered on the sweep form; empty rows are ignored.
SWEEP_ROWS = 6


class SweepForm(forms.Form):
    """One sweep of a site: the local day and time, and up to :data:`SWEEP_ROWS` zones
    with whose users they hold and the people present (0 = counted and empty; a row left
    empty = not counted)."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label=_("Site"))
    day = DayField(label=_("Day"))
    time = forms.TimeField(label=_("Time (HH:MM)"))

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, municipality).order_by("name")
        for index in range(1, SWEEP_ROWS + 1):
            self.fields[f"zone_{index}"] = forms.CharField(
                label=_("Zone %(n)s") % {"n": index}, required=False, max_length=100
            )
            self.fields[f"service_{index}"] = forms.ChoiceField(
                label=_("Used by (zone %(n)s)") % {"n": index},
                choices=ZoneService.choices,
                required=False,
            )
            self.fields[f"count_{index}"] = forms.IntegerField(
                label=_("People present (zone %(n)s)") % {"n": index},
                min_value=0,
                required=False,
            )

    def zone_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        """The zone fields grouped per row, for the template's fieldsets."""
        return [
            (index, self[f"zone_{index}"], self[f"service_{index}"], self[f"count_{index}"])
            for index in range(1, SWEEP_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        counts: dict[str, tuple[str, int]] = {}
        for index in range(1, SWEEP_ROWS + 1):
            zone_name = (cleaned.get(f"zone_{index}") or "").strip()
            people = cleaned.get(f"count_{index}")
            if not zone_name and people is None:
                continue
            if not zone_name:
                self.add_error(f"zone_{index}", _("Name the zone you counted."))
            elif people is None:
                self.add_error(f"count_{index}", _("Enter the people present (0 if none)."))
            else:
                counts[zone_name] = (cleaned.get(f"service_{index}") or ZoneService.LIBRARY, people)
        if not counts and not self.errors:
            self.add_error(None, _("Count at least one zone."))
        site, day, moment = cleaned.get("site"), cleaned.get("day"), cleaned.get("time")
        if site is not None and day is not None and moment is not None:
            try:
                cleaned["sweep_at"] = parse_local_datetime(
                    f"{day.isoformat()} {moment:%H:%M}", zone(site.time_zone)
                )
            except ValueError as error:
                self.add_error("time", str(error))
        cleaned["counts"] = counts
        return cleaned
