"""The filter form of the inquiries list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.catalogue.models import Service
from torg.inquiries.models import Channel, InquiryDomain, Outcome
from torg.inquiries.selectors import InquiryFilters
from torg.organisation.forms import ListFilterForm
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped


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

    def __init__(self, data: Any = None, *, municipality: Municipality, **kwargs: Any) -> None:
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
