"""Query parameters of the API's list endpoints, parsed into the filters of the selectors
that the pages and CSV exports use too (``inquiries.selectors``, ``visits.selectors``), so
that a list and its totals are the same wherever they are read.

``from`` and ``to`` are inclusive local days at each row's site: "from 1 to 31 March"
includes everything that happened on 31 March local time (the selectors turn the days into
half-open UTC instants per time zone); a day outside the calendar Torg accepts
(1900-01-01 to 2100-12-31) is refused like a malformed one. ``site`` and ``service`` are ids of the caller's
municipality; an id from another municipality is "not found", like one that does not exist.
Every malformed value is a 400 naming the parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from torg.catalogue.models import Service
from torg.inquiries.models import Channel, InquiryDomain, Outcome
from torg.inquiries.selectors import InquiryFilters
from torg.lib.params import whole_number
from torg.organisation.models import Site
from torg.organisation.scoping import Tenancy
from torg.visits.models import Audience, CountMethod, EventType
from torg.visits.selectors import WHOLE_SITE, EventFilters, VisitCountFilters
from torg.web.fields import validate_day

Choices = Iterable[tuple[str, Any]]


def _choice_parameter(name: str, choices: Choices, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name=name,
        type=OpenApiTypes.STR,
        location=OpenApiParameter.QUERY,
        enum=[value for value, _label in choices],
        description=description,
    )


RANGE_PARAMETERS = [
    OpenApiParameter(
        name="from",
        type=OpenApiTypes.DATE,
        location=OpenApiParameter.QUERY,
        description=(
            "First local day (YYYY-MM-DD, inclusive) at each row's site, "
            "from 1900-01-01 to 2100-12-31."
        ),
    ),
    OpenApiParameter(
        name="to",
        type=OpenApiTypes.DATE,
        location=OpenApiParameter.QUERY,
        description=(
            "Last local day (YYYY-MM-DD), inclusive: all of that day counts; at most 2100-12-31."
        ),
    ),
    OpenApiParameter(
        name="site",
        type=OpenApiTypes.INT,
        location=OpenApiParameter.QUERY,
        description="Only rows of this site (an id from the sites endpoint).",
    ),
]

INQUIRY_PARAMETERS = [
    *RANGE_PARAMETERS,
    _choice_parameter("channel", Channel.choices, "Only inquiries through this channel."),
    _choice_parameter("domain", InquiryDomain.choices, "Only inquiries of this domain."),
    _choice_parameter("outcome", Outcome.choices, "Only inquiries with this outcome."),
    OpenApiParameter(
        name="service",
        type=OpenApiTypes.INT,
        location=OpenApiParameter.QUERY,
        description="Only inquiries about this service (an id from the services endpoint).",
    ),
]

VISIT_COUNT_PARAMETERS = [
    *RANGE_PARAMETERS,
    _choice_parameter("method", CountMethod.choices, "Only counts made with this method."),
    OpenApiParameter(
        name="entrance",
        type=OpenApiTypes.STR,
        location=OpenApiParameter.QUERY,
        description=f"An entrance name, or {WHOLE_SITE!r} for the figures of whole sites.",
    ),
]

EVENT_PARAMETERS = [
    *RANGE_PARAMETERS,
    _choice_parameter("event_type", EventType.choices, "Only events of this type."),
    _choice_parameter("audience", Audience.choices, "Only events for this audience."),
    OpenApiParameter(
        name="is_digital",
        type=OpenApiTypes.BOOL,
        location=OpenApiParameter.QUERY,
        description="true: only digital events; false: only events on site.",
    ),
]


class _Parser:
    """Collects one error list per parameter and raises them together."""

    def __init__(self, request: Request, tenancy: Tenancy) -> None:
        self.params = request.query_params
        self.tenancy = tenancy
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str) -> str:
        return str(self.params.get(name, "")).strip()

    def day(self, name: str) -> dt.date | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            self.errors[name] = [_("Give a date in the form YYYY-MM-DD.")]
            return None
        try:
            validate_day(day)
        except DjangoValidationError as error:
            self.errors[name] = list(error.messages)
            return None
        return day

    def days(self) -> tuple[dt.date | None, dt.date | None]:
        first_day, last_day = self.day("from"), self.day("to")
        if first_day and last_day and last_day < first_day:
            self.errors["to"] = [_("The last day comes before the first.")]
        return first_day, last_day

    def choice(self, name: str, choices: Choices) -> str | None:
        raw = self.text(name)
        if not raw:
            return None
        valid = [value for value, _label in choices]
        if raw not in valid:
            self.errors[name] = [_("Choose one of: %(valid)s.") % {"valid": ", ".join(valid)}]
            return None
        return raw

    def boolean(self, name: str) -> bool | None:
        raw = self.text(name).lower()
        if not raw:
            return None
        if raw in {"true", "1"}:
            return True
        if raw in {"false", "0"}:
            return False
        self.errors[name] = [_("Give true or false.")]
        return None

    def tenant_row(self, name: str, model: type[models.Model]) -> Any:
        raw = self.text(name)
        if not raw:
            return None
        pk = whole_number(raw)
        row = self.tenancy.scoped(model).filter(pk=pk).first() if pk is not None else None
        if row is None:
            self.errors[name] = [_("Nothing with this id in this municipality.")]
        return row

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def inquiry_filters(request: Request, tenancy: Tenancy) -> InquiryFilters:
    """The :class:`InquiryFilters` named by the query string; 400 for any bad value."""
    parser = _Parser(request, tenancy)
    first_day, last_day = parser.days()
    filters = InquiryFilters(
        site=parser.tenant_row("site", Site),
        first_day=first_day,
        last_day=last_day,
        channel=parser.choice("channel", Channel.choices),
        domain=parser.choice("domain", InquiryDomain.choices),
        service=parser.tenant_row("service", Service),
        outcome=parser.choice("outcome", Outcome.choices),
    )
    parser.done()
    return filters


def visit_count_filters(request: Request, tenancy: Tenancy) -> VisitCountFilters:
    """The :class:`VisitCountFilters` named by the query string; 400 for any bad value."""
    parser = _Parser(request, tenancy)
    first_day, last_day = parser.days()
    filters = VisitCountFilters(
        site=parser.tenant_row("site", Site),
        first_day=first_day,
        last_day=last_day,
        method=parser.choice("method", CountMethod.choices),
        entrance=parser.text("entrance") or None,
    )
    parser.done()
    return filters


def event_filters(request: Request, tenancy: Tenancy) -> EventFilters:
    """The :class:`EventFilters` named by the query string; 400 for any bad value."""
    parser = _Parser(request, tenancy)
    first_day, last_day = parser.days()
    filters = EventFilters(
        site=parser.tenant_row("site", Site),
        first_day=first_day,
        last_day=last_day,
        event_type=parser.choice("event_type", EventType.choices),
        audience=parser.choice("audience", Audience.choices),
        is_digital=parser.boolean("is_digital"),
    )
    parser.done()
    return filters
