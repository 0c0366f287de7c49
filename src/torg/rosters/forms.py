"""Forms of the roster pages; querysets are scoped to the tenancy's municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg import rostering
from torg.organisation.models import Site
from torg.organisation.scoping import Tenancy
from torg.rostering import domain
from torg.rosters.models import (
    WEEKDAY_CHOICES,
    Competence,
    DemandSlot,
    Placement,
    ShiftTemplate,
    StaffMember,
)

SOFTENABLE = [
    (domain.COVERAGE, _("Demand covered")),
    (domain.DAILY_REST, _("11 hours of daily rest")),
    (domain.WEEKLY_REST, _("35 hours of weekly rest")),
    (domain.DAILY_HOURS, _("At most 9 hours a day")),
    (domain.WEEKLY_HOURS, _("At most 40 hours a week")),
    (domain.SUNDAY_HOLIDAY, _("Every other Sunday and holiday off")),
    (domain.CONTRACT_HOURS, _("Contract hours")),
    (domain.SATURDAY_ROTATION, _("Saturday rotation")),
    (domain.PLACEMENT, _("Placements")),
]


class SolveForm(forms.Form):
    period_start = forms.DateField(
        label=_("First Monday"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=12, initial=6)
    contract_tolerance_hours = forms.FloatField(
        label=_("Contract hours tolerance (hours over the period)"),
        min_value=0,
        max_value=200,
        initial=8,
    )
    saturday_every_weeks = forms.IntegerField(
        label=_("Saturday every n-th week"), min_value=1, max_value=12, initial=6
    )
    soft = forms.MultipleChoiceField(
        label=_("Rules to treat as soft"),
        choices=SOFTENABLE,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def rules(self) -> rostering.Rules:
        """The solver rules chosen in the form (call after ``is_valid``)."""
        data = self.cleaned_data
        return rostering.Rules(
            contract_tolerance_hours=data["contract_tolerance_hours"],
            saturday_every_weeks=data["saturday_every_weeks"],
            soft=frozenset(data["soft"]),
        )

    def clean_period_start(self) -> dt.date:
        day: dt.date = self.cleaned_data["period_start"]
        if day.weekday() != 0:
            raise forms.ValidationError(_("The roster period must start on a Monday."))
        return day


class AssignmentForm(forms.Form):
    ACTIONS = [("add", _("Add")), ("remove", _("Remove"))]
    staff = forms.ModelChoiceField(label=_("Person"), queryset=StaffMember.objects.none())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    shift = forms.ModelChoiceField(label=_("Shift"), queryset=ShiftTemplate.objects.none())
    action = forms.ChoiceField(label=_("Add or remove"), choices=ACTIONS)

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        shift_field = self.fields["shift"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        assert isinstance(shift_field, forms.ModelChoiceField)
        staff_field.queryset = tenancy.scoped(StaffMember)
        shift_field.queryset = tenancy.scoped(ShiftTemplate).select_related("site")


class StaffForm(forms.ModelForm):
    competences = forms.MultipleChoiceField(
        label=_("Competences"),
        choices=Competence.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_shifts = forms.CharField(
        label=_("Preferred shift codes (comma-separated)"), required=False
    )
    unwanted_shifts = forms.CharField(
        label=_("Unwanted shift codes (comma-separated)"), required=False
    )

    class Meta:
        model = StaffMember
        fields = [
            "name",
            "home_site",
            "contract_share",
            "weekly_hours",
            "competences",
            "preferred_shifts",
            "unwanted_shifts",
        ]

    def _codes(self, name: str) -> list[str]:
        return [code.strip() for code in self.cleaned_data[name].split(",") if code.strip()]

    def clean_preferred_shifts(self) -> list[str]:
        return self._codes("preferred_shifts")

    def clean_unwanted_shifts(self) -> list[str]:
        return self._codes("unwanted_shifts")

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["home_site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = tenancy.scoped(Site)


class ShiftTemplateForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ShiftTemplate
        fields = ["site", "code", "starts", "ends", "weekdays"]
        widgets = {
            "starts": forms.TimeInput(attrs={"type": "time"}),
            "ends": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenancy = tenancy
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = tenancy.scoped(Site)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") is not None and data.get("starts") == data.get("ends"):
            raise forms.ValidationError(_("A shift cannot start and end at the same time."))
        code = data.get("code")
        if code and self.tenancy.scoped(ShiftTemplate).filter(code=code).exists():
            self.add_error("code", _("A shift with this code exists already."))
        return data


class DemandSlotForm(forms.ModelForm):
    class Meta:
        model = DemandSlot
        fields = ["site", "weekday", "starts", "ends", "minimum", "competence"]
        widgets = {
            "starts": forms.TimeInput(attrs={"type": "time"}),
            "ends": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = tenancy.scoped(Site)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            raise forms.ValidationError(_("The demand must end after it starts."))
        return data


class DeriveDemandForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    until = forms.DateField(
        label=_("Forecast from the weeks before"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(label=_("Weeks of history"), min_value=1, max_value=52, initial=8)
    opens = forms.IntegerField(label=_("Opens (hour)"), min_value=0, max_value=23, initial=9)
    closes = forms.IntegerField(label=_("Closes (hour)"), min_value=1, max_value=24, initial=19)
    handle_minutes = forms.FloatField(
        label=_("Mean handling time (minutes)"), min_value=0.5, max_value=120, initial=5
    )
    target_seconds = forms.IntegerField(
        label=_("Target wait (seconds)"), min_value=0, max_value=3600, initial=120
    )
    target_percent = forms.FloatField(
        label=_("Share answered within the target (%)"), min_value=1, max_value=99, initial=80
    )

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = tenancy.scoped(Site)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens is not None and closes is not None and closes <= opens:
            raise forms.ValidationError(_("The site must close after it opens."))
        return data


class PlacementForm(forms.ModelForm):
    class Meta:
        model = Placement
        fields = ["staff", "site", "shifts"]

    def __init__(self, *args: Any, tenancy: Tenancy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        site_field = self.fields["site"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        assert isinstance(site_field, forms.ModelChoiceField)
        staff_field.queryset = tenancy.scoped(StaffMember)
        site_field.queryset = tenancy.scoped(Site)
