"""The filter form of the inquiries list, and the desk page's form for one inquiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Service
from torg.inquiries.models import (
    NOTE_MAX_LENGTH,
    AgeGroup,
    Channel,
    DurationBand,
    InquiryDomain,
    Language,
    Outcome,
    UserType,
)
from torg.inquiries.selectors import InquiryFilters
from torg.inquiries.services import CLIENT_KEY_MAX_LENGTH, DESK_OUTCOMES, FUTURE_TOLERANCE
from torg.lib.localtime import parse_local_datetime
from torg.organisation.forms import ListFilterForm
from torg.organisation.models import Municipality, ServicePoint, Site
from torg.organisation.scoping import Tenancy, scoped


class InquiryFilterForm(ListFilterForm):
    """Site, local date range, channel, domain, service and outcome. The service choices
    are the municipality's own catalogue only."""

    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        required=False,
        choices=[("", _("Any domain")), *InquiryDomain.choices],
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        required=False,
        queryset=Service.objects.none(),
        empty_label=_("Any service"),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *Outcome.choices]
    )

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, municipality=municipality, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        service.queryset = scoped(Service, municipality).order_by("name_nb", "pk")

    def filters(self) -> InquiryFilters:
        """The validated filters; call only after :meth:`is_valid` returned true."""
        data = self.cleaned_data
        return InquiryFilters(
            site=data.get("site"),
            first_day=data.get("date_from"),
            last_day=data.get("date_to"),
            channel=data.get("channel") or None,
            domain=data.get("domain") or None,
            service=data.get("service"),
            outcome=data.get("outcome") or None,
        )


class DeskForm(forms.Form):
    """One inquiry at the desk page. ``site`` and ``service_point`` come from the desk chosen
    on the page (hidden inputs); the service, channel, effort and outcome are radio groups.

    The time is "now" or, with ``when=late``, ``occurred_at`` in the site's wall-clock time.
    "Now" is the moment the entry was made: the page's script sends it as ``entered_at``
    (ISO 8601 with offset), so that an entry kept offline and sent later keeps its time;
    without it the server's clock is used.
    """

    WHEN_NOW = "now"
    WHEN_LATE = "late"

    site = forms.ModelChoiceField(queryset=Site.objects.none(), widget=forms.HiddenInput)
    service_point = forms.ModelChoiceField(
        queryset=ServicePoint.objects.none(), required=False, widget=forms.HiddenInput
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        error_messages={"required": _("Choose the service the inquiry was about.")},
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    read_effort = forms.TypedChoiceField(
        label=_("READ effort"),
        choices=[(level, str(level)) for level in range(1, 7)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(value, label) for value, label in Outcome.choices if value in DESK_OUTCOMES],
        widget=forms.RadioSelect,
    )
    when = forms.ChoiceField(
        label=_("Time"),
        choices=[(WHEN_NOW, _("Now")), (WHEN_LATE, _("Record late"))],
        widget=forms.RadioSelect,
        initial=WHEN_NOW,
    )
    occurred_at = forms.CharField(
        label=_("When it happened"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    entered_at = forms.CharField(required=False, widget=forms.HiddenInput)
    user_type = forms.ChoiceField(
        label=_("New or returning user"),
        required=False,
        choices=[("", _("Not stated")), *UserType.choices],
        widget=forms.RadioSelect,
    )
    age_group = forms.ChoiceField(
        label=_("Age group"), required=False, choices=[("", _("Not stated")), *AgeGroup.choices]
    )
    language = forms.ChoiceField(
        label=_("Language used"),
        required=False,
        choices=[("", _("Not stated")), *Language.choices],
    )
    duration_band = forms.ChoiceField(
        label=_("Duration"),
        required=False,
        choices=[("", _("Not stated")), *DurationBand.choices],
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX_LENGTH}),
    )
    client_key = forms.CharField(
        required=False, max_length=CLIENT_KEY_MAX_LENGTH, widget=forms.HiddenInput
    )

    #: Fields kept for the next entry by "Save" (and reset by "Save and clear").
    KEPT_FIELDS = (
        "service",
        "channel",
        "read_effort",
        "outcome",
        "user_type",
        "age_group",
        "language",
        "duration_band",
    )

    def __init__(
        self, data: Any = None, *, tenancy: Tenancy, now: dt.datetime, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.now = now
        fields = self.fields
        for name, queryset in (
            ("site", tenancy.scoped(Site)),
            ("service_point", tenancy.scoped(ServicePoint).filter(is_active=True)),
            ("service", tenancy.scoped(Service).filter(is_active=True)),
        ):
            field = fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        site: Site | None = data.get("site")
        point: ServicePoint | None = data.get("service_point")
        if site is not None and point is not None and point.site_id != site.pk:
            self.add_error("service_point", _("Choose a service point of the chosen site."))
        if site is not None and "when" in data:
            data["occurred_at"] = self._instant(data, site)
        return data

    def _instant(self, data: dict[str, Any], site: Site) -> dt.datetime | None:
        if data["when"] == self.WHEN_LATE:
            text = data.get("occurred_at") or ""
            if not text:
                self.add_error("occurred_at", _("Give the date and time the inquiry happened."))
                return None
            try:
                return parse_local_datetime(text.replace("T", " "), site.zone)
            except ValueError:
                self.add_error(
                    "occurred_at",
                    _(
                        "Give a date and time such as 2024-03-01 08:54 that exists in the "
                        "site's time zone."
                    ),
                )
                return None
        entered = (data.get("entered_at") or "").strip()
        if entered:
            try:
                instant = dt.datetime.fromisoformat(entered.replace("Z", "+00:00"))
            except ValueError:
                instant = None
            # Kept offline for at most a week; otherwise the device's clock is wrong.
            if (
                instant is not None
                and instant.tzinfo is not None
                and self.now - dt.timedelta(days=7) <= instant <= self.now + FUTURE_TOLERANCE
            ):
                return instant
        return self.now

    def record_arguments(self) -> dict[str, Any]:
        """Keyword arguments for :func:`torg.inquiries.services.inquiry_record` (after
        :meth:`is_valid`)."""
        data = self.cleaned_data
        return (
            {
                name: data.get(name)
                for name in (
                    "site",
                    "service_point",
                    "occurred_at",
                    "channel",
                    "service",
                    "read_effort",
                    "outcome",
                )
            }
            | {
                name: data.get(name) or ""
                for name in ("user_type", "age_group", "language", "duration_band", "note")
            }
            | {"client_key": data.get("client_key") or None}
        )

    def kept_selection(self) -> dict[str, Any]:
        """The selections "Save" keeps, as plain values for the session."""
        data = self.cleaned_data
        kept: dict[str, Any] = {}
        for name in self.KEPT_FIELDS:
            value = data.get(name)
            if isinstance(value, Service):
                value = value.pk
            if value not in (None, ""):
                kept[name] = value
        return kept


class CorrectionForm(DeskForm):
    """The desk form for correcting an inquiry: the time is always given explicitly."""

    def __init__(
        self, data: Any = None, *, tenancy: Tenancy, now: dt.datetime, **kwargs: Any
    ) -> None:
        super().__init__(data, tenancy=tenancy, now=now, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        # The inquiry's own service stays choosable even if it was deactivated since.
        service.queryset = tenancy.scoped(Service)
        for name, label in (
            ("site", _("Site")),
            ("service_point", _("Service point")),
            ("service", _("Service")),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.widget = forms.Select()
            field.label = label
            field.queryset = field.queryset  # gives the new widget its choices
        self.fields["note"].help_text = _(
            "Do not write names, national identity numbers, phone numbers, e-mail or postal "
            "addresses or anything else about the person. Recognisable personal data is "
            "removed before saving."
        )
        del self.fields["client_key"]
        del self.fields["entered_at"]
        self.fields["when"].initial = self.WHEN_LATE
        self.fields["when"].widget = forms.HiddenInput()
