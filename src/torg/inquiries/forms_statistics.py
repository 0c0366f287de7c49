"""The filter form of the desk statistics page, its exports and its API endpoint."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from torg.inquiries.models import Channel, InquiryDomain
from torg.inquiries.statistics import StatisticsFilters
from torg.organisation.forms import ListFilterForm
from torg.organisation.models import Municipality, ServicePoint
from torg.organisation.scoping import Tenancy, scoped


class StatisticsFilterForm(ListFilterForm):
    """Site, service point, period (business days, both included), domain and channel.
    The site and service point choices are the municipality's own only; a service point
    must belong to the chosen site (or picks it, when no site is chosen)."""

    service_point = forms.ModelChoiceField(
        label=_("Service point"),
        required=False,
        queryset=ServicePoint.objects.none(),
        empty_label=_("All service points"),
    )
    domain = forms.ChoiceField(
        label=_("Domain"),
        required=False,
        choices=[("", _("Any domain")), *InquiryDomain.choices],
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices]
    )

    def __init__(
        self, data: Any = None, *, municipality: Municipality | Tenancy, **kwargs: Any
    ) -> None:
        super().__init__(data, municipality=municipality, **kwargs)
        service_point = self.fields["service_point"]
        assert isinstance(service_point, forms.ModelChoiceField)
        service_point.queryset = (
            scoped(ServicePoint, municipality)
            .select_related("site")
            .order_by("site__name", "name", "pk")
        )
        self.fields["date_from"].help_text = _(
            "Business days of each site: a site whose day starts at 03:00 counts a contact "
            "at 01:30 on the day before."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        site, service_point = cleaned.get("site"), cleaned.get("service_point")
        if service_point is not None:
            if site is None:
                cleaned["site"] = service_point.site
            elif service_point.site_id != site.pk:
                self.add_error("service_point", _("Choose a service point of the chosen site."))
        return cleaned

    def filters(self) -> StatisticsFilters:
        """The validated filters; call only after :meth:`is_valid` returned true."""
        data = self.cleaned_data
        return StatisticsFilters(
            site=data.get("site"),
            service_point=data.get("service_point"),
            first_day=data.get("date_from"),
            last_day=data.get("date_to"),
            domain=data.get("domain") or None,
            channel=data.get("channel") or None,
        )
