"""Forms of the evaluation pages. Every choice is a whitelist: a change, site or comparison
site of the user's own municipality (scoped querysets), an outcome, a method, a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.evaluation import guide, methods
from torg.evaluation.models import ChecklistStatus, ExcludedPeriod, HelpfulMethod
from torg.evaluation.selectors import OUTCOME_LABELS, Change, Outcome
from torg.organisation.models import Site
from torg.organisation.scoping import Scope, scoped
from torg.web.fields import DayField

#: The outcome choice that shows the survey results by wave instead of a monthly method.
SURVEY_OUTCOME = "survey"


class EvaluationForm(forms.Form):
    """A change (from the model history or the sites' opening years, or a site and a date
    the analyst enters), an outcome, a method and, for difference-in-differences, the
    comparison sites (none chosen: Torg proposes them)."""

    change = forms.ChoiceField(label=_("Change from the model history"), required=False)
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Or a site…")
    )
    change_date = DayField(required=False, label=_("…and the date of its change"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, OUTCOME_LABELS[o]) for o in Outcome]
        + [(SURVEY_OUTCOME, _("Survey results by wave (waves before and after the change)"))],
    )
    method = forms.ChoiceField(
        label=_("Method"),
        choices=[(m.value, _(methods.METHOD_LABELS[m])) for m in methods.Method],
        initial=methods.Method.DIFFERENCE_IN_DIFFERENCES.value,
    )
    comparison = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label=_("Comparison sites (difference-in-differences; none chosen: Torg proposes)"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, data: Any = None, *, scope: Scope, changes: list[Change]) -> None:
        super().__init__(data)
        self.changes = {change.key: change for change in changes}
        change_field = self.fields["change"]
        assert isinstance(change_field, forms.ChoiceField)
        change_field.choices = [("", "—")] + [(c.key, f"{c.site_name}: {c.label}") for c in changes]
        sites = scoped(Site, scope).filter(is_aggregate=False).order_by("name")
        for name in ("site", "comparison"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = sites

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        key = cleaned.get("change")
        site, day = cleaned.get("site"), cleaned.get("change_date")
        if key:
            change = self.changes[key]
            site_field = self.fields["site"]
            assert isinstance(site_field, forms.ModelChoiceField)
            sites = site_field.queryset
            assert sites is not None
            cleaned["site"] = sites.filter(pk=change.site_id).first()
            cleaned["change_date"] = change.day
            if cleaned["site"] is None:
                self.add_error("change", _("That change is at a site you cannot see."))
        elif not (site and day):
            self.add_error("change", _("Choose a change, or a site and the date of its change."))
        return cleaned


class ExcludedPeriodForm(forms.ModelForm):
    """One period to leave out, at one site or (no site) at every site."""

    first = DayField(label=_("First day"))
    last = DayField(label=_("Last day (included)"))

    class Meta:
        model = ExcludedPeriod
        fields = ["site", "first", "last", "reason", "note"]

    def __init__(self, data: Any = None, *, scope: Scope) -> None:
        super().__init__(data)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = scoped(Site, scope).order_by("name")
        site_field.empty_label = str(_("Every site"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first"), cleaned.get("last")
        if isinstance(first, dt.date) and isinstance(last, dt.date) and last < first:
            self.add_error("last", _("The last day cannot come before the first day."))
        return cleaned


class ModelComparisonForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(o.value, OUTCOME_LABELS[o]) for o in Outcome],
        required=False,
    )


class SelfAssessmentForm(forms.Form):
    """The model guide's questions (see :class:`torg.evaluation.guide.Answers`)."""

    LEVELS = [
        (guide.Level.LOW.value, _("Low")),
        (guide.Level.MEDIUM.value, _("Medium")),
        (guide.Level.HIGH.value, _("High")),
    ]

    distance_km = forms.DecimalField(
        label=_(
            "Typical distance between the library and the citizen service centre (km; 0 if in one building)"
        ),
        min_value=0,
        max_value=1000,
        decimal_places=1,
    )
    shared_building = forms.BooleanField(
        label=_("A building is available that can house both services"), required=False
    )
    staff = forms.IntegerField(
        label=_("Staff in both services together (people)"), min_value=0, max_value=10000
    )
    cross_trained = forms.ChoiceField(
        label=_("How many staff can already answer for the other service"), choices=LEVELS
    )
    digital = forms.ChoiceField(
        label=_("Maturity of the municipality's digital channels"), choices=LEVELS
    )
    motives = forms.MultipleChoiceField(
        label=_("Motive"),
        choices=[
            (guide.Motive.SERVICE.value, _("Better service")),
            (guide.Motive.REACH.value, _("Reach more residents")),
            (guide.Motive.SAVINGS.value, _("Savings")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    involvement = forms.ChoiceField(
        label=_("Staff involvement so far"),
        choices=[
            (guide.Involvement.NONE.value, _("None yet")),
            (guide.Involvement.INFORMED.value, _("Informed")),
            (guide.Involvement.INVOLVED.value, _("Involved in planning")),
        ],
    )

    def answers(self) -> guide.Answers:
        data = self.cleaned_data
        return guide.Answers(
            distance_km=float(data["distance_km"]),
            shared_building=bool(data["shared_building"]),
            staff=int(data["staff"]),
            cross_trained=guide.Level(data["cross_trained"]),
            digital=guide.Level(data["digital"]),
            motives=frozenset(guide.Motive(m) for m in data["motives"]),
            involvement=guide.Involvement(data["involvement"]),
        )


class ReportForm(forms.Form):
    """The report's range of local days (both included); empty: the last whole year."""

    date_from = DayField(required=False, label=_("From (first day)"))
    date_to = DayField(required=False, label=_("To (last day, included)"))

    def range(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen days; the last whole year before ``today`` for an empty side (or an
        unbound form)."""
        data = getattr(self, "cleaned_data", {})
        first = data.get("date_from") or dt.date(today.year - 1, 1, 1)
        last = data.get("date_to") or dt.date(today.year - 1, 12, 31)
        return first, last

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The last day cannot come before the first day."))
        return cleaned


class ChecklistForm(forms.Form):
    """A status and a note for every helpful method (fields ``status_<method>`` and
    ``note_<method>``), initially the municipality's stored ones."""

    def __init__(self, data: Any = None, *, current: dict[str, tuple[str, str]]) -> None:
        super().__init__(data)
        for method in HelpfulMethod.values:
            status, note = current.get(method, (ChecklistStatus.NOT_STARTED.value, ""))
            self.fields[f"status_{method}"] = forms.ChoiceField(
                label=_("Status"), choices=ChecklistStatus.choices, initial=status
            )
            self.fields[f"note_{method}"] = forms.CharField(
                label=_("Note"), required=False, max_length=300, initial=note
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(method label, status field, note field) per method, for one fieldset each."""
        return [
            (str(label), self[f"status_{method}"], self[f"note_{method}"])
            for method, label in HelpfulMethod.choices
        ]

    def entries(self) -> dict[str, tuple[str, str]]:
        return {
            method: (self.cleaned_data[f"status_{method}"], self.cleaned_data[f"note_{method}"])
            for method in HelpfulMethod.values
        }
