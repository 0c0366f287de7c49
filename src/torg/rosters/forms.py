"""Forms of the roster pages; querysets are scoped to the tenancy's municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.organisation.scoping import Tenancy
from torg.rosters.models import ShiftTemplate, StaffMember


class SolveForm(forms.Form):
    period_start = forms.DateField(
        label=_("First Monday"), widget=forms.DateInput(attrs={"type": "date"})
    )
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=12, initial=6)

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
