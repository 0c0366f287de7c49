"""The REST API, version 1.

Everything of a municipality lives under ``/api/v1/m/<slug:municipality>/`` and is read
only through the caller's :class:`~torg.organisation.scoping.Tenancy` (see
:mod:`torg.api.permissions`): non-members get 404, a role without the permission 403.

What each role may do (``torg.organisation.roles``):

* the municipality, its sites and its service catalogue: every member (``view``);
* creating and changing catalogue entries: ``edit_catalogue`` (managers, administrators),
  always with an ``Idempotency-Key`` header (:mod:`torg.api.idempotency`);
* the operational records (inquiries, visit counts, events): ``export`` (analysts,
  managers, administrators), as for the CSV exports of the pages.

The national annual library statistics are public reference data: any logged-in user may
read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from torg.api import fast_inquiry, filters, serializers
from torg.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from torg.api.idempotency import (
    IDEMPOTENCY_PARAMETER,
    IdempotentWritesMixin,
    idempotent,
    idempotent_prepared,
    inquiry_client_key,
)
from torg.api.permissions import AUTHENTICATION_CLASSES, TenantAPIMixin, TenantPermission
from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.catalogue.services import service_create, service_update
from torg.inquiries.models import Inquiry
from torg.inquiries.selectors import inquiry_list, inquiry_totals
from torg.inquiries.services import (
    inquiry_correct,
    inquiry_delete,
    inquiry_record_check,
    inquiry_record_save,
)
from torg.lib.params import whole_number
from torg.lib.pii import ScrubResult
from torg.organisation.models import (
    Municipality,
    OpeningHours,
    ServicePoint,
    Site,
    SiteModelPeriod,
)
from torg.organisation.roles import Permission
from torg.organisation.selectors import default_time_zone
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount
from torg.visits.selectors import event_list, event_totals, visit_count_list, visit_count_totals


@contextmanager
def api_validation_errors() -> Iterator[None]:
    """Turn a service function's Django :class:`~django.core.exceptions.ValidationError`
    into DRF's, so that the client gets 400 with the messages by field."""
    try:
        yield
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else error.messages
        raise ValidationError(detail) from error


class Pagination(LimitOffsetPagination):
    """``?limit=`` (default 100, at most 1000) and ``?offset=``."""

    max_limit = 1000


class TenantViewSet(TenantAPIMixin, viewsets.GenericViewSet):
    """Base of every viewset of one municipality: rows come only from
    :meth:`scoped_queryset`, which starts from ``self.tenancy.scoped(...)``."""

    permission_classes = [IsAuthenticated, TenantPermission]
    pagination_class = Pagination
    lookup_value_converter = "int"
    model: type[models.Model]

    def get_queryset(self) -> models.QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.model._default_manager.none()
        return self.scoped_queryset()

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return self.tenancy.scoped(self.model)


@extend_schema(tags=["organisation"])
class MunicipalityView(TenantAPIMixin, generics.GenericAPIView):
    """The municipality itself, with your role and what it allows."""

    permission_classes = [IsAuthenticated, TenantPermission]
    endpoint_name = "municipality"
    serializer_class = serializers.MunicipalitySerializer
    queryset = Municipality.objects.none()

    def get(self, request: Request, municipality: str) -> Response:
        instance = self.tenancy.scoped(Municipality).get()
        return Response(self.get_serializer(instance).data)


@extend_schema_view(
    list=extend_schema(summary="Sites with their desks, opening hours and model history"),
    retrieve=extend_schema(summary="One site"),
)
@extend_schema(tags=["organisation"])
class SiteViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = serializers.SiteSerializer
    model = Site

    def scoped_queryset(self) -> models.QuerySet[Any]:
        # The nested rows are scoped too: a desk of another municipality that points at
        # this site (which no form allows, but the database does not forbid) stays hidden.
        scoped = self.tenancy.scoped
        return scoped(Site).prefetch_related(
            Prefetch("service_points", queryset=scoped(ServicePoint).order_by("name")),
            Prefetch("opening_hours", queryset=scoped(OpeningHours)),
            Prefetch("model_periods", queryset=scoped(SiteModelPeriod)),
        )


_WRITE_SCHEMA = extend_schema(parameters=[IDEMPOTENCY_PARAMETER])


@extend_schema_view(create=_WRITE_SCHEMA, update=_WRITE_SCHEMA, partial_update=_WRITE_SCHEMA)
@extend_schema(tags=["catalogue"])
class ServiceCategoryViewSet(
    IdempotentWritesMixin,
    TenantViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Categories of the service catalogue. Writes need ``edit_catalogue``."""

    serializer_class = serializers.ServiceCategorySerializer
    model = ServiceCategory
    write_permission = Permission.EDIT_CATALOGUE

    def perform_create(self, serializer: serializers.ServiceCategorySerializer) -> None:  # type: ignore[override]
        serializer.save(municipality=self.tenancy.municipality)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("category", OpenApiTypes.INT, description="Only this category."),
            OpenApiParameter("domain", OpenApiTypes.STR, enum=["library", "municipal", "shared"]),
            OpenApiParameter("level", OpenApiTypes.STR, enum=["generalist", "specialist"]),
        ]
    ),
    create=_WRITE_SCHEMA,
    update=_WRITE_SCHEMA,
    partial_update=_WRITE_SCHEMA,
)
@extend_schema(tags=["catalogue"])
class ServiceViewSet(
    IdempotentWritesMixin,
    TenantViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Services of the catalogue. Writes need ``edit_catalogue``; the category must belong
    to the same municipality."""

    serializer_class = serializers.ServiceSerializer
    model = Service
    write_permission = Permission.EDIT_CATALOGUE

    def scoped_queryset(self) -> models.QuerySet[Any]:
        queryset = self.tenancy.scoped(Service)
        if self.action == "list":
            params = self.request.query_params
            errors: dict[str, list[str]] = {}
            if params.get("category"):
                category = whole_number(params["category"])
                if (
                    category is None
                    or not self.tenancy.scoped(ServiceCategory).filter(pk=category).exists()
                ):
                    errors["category"] = [_("Nothing with this id in this municipality.")]
                else:
                    queryset = queryset.filter(category_id=category)
            for name, choices in (("domain", Domain.values), ("level", Level.values)):
                value = params.get(name)
                if not value:
                    continue
                if value not in choices:
                    errors[name] = [_("Choose one of: %(valid)s.") % {"valid": ", ".join(choices)}]
                else:
                    queryset = queryset.filter(**{name: value})
            if errors:
                raise ValidationError(errors)
        return queryset

    def perform_create(self, serializer: serializers.ServiceSerializer) -> None:  # type: ignore[override]
        with api_validation_errors():
            serializer.instance = service_create(
                municipality=self.tenancy.municipality, **serializer.validated_data
            )

    def perform_update(self, serializer: serializers.ServiceSerializer) -> None:  # type: ignore[override]
        changes = dict(serializer.validated_data)
        service = serializer.instance
        assert service is not None
        if changes.pop("code", service.code) != service.code:
            raise ValidationError({"code": [_("The code of a service never changes.")]})
        with api_validation_errors():
            serializer.instance = service_update(service=service, **changes)


class TotalsPagination(Pagination):
    """Pages of a list that also carry ``totals``: the totals of *all* rows that match the
    filters (not only of the page), computed by the same selector function as the page and
    the CSV export of the list, so the three agree."""

    totals_schema: dict[str, Any] = {}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated: dict[str, Any] = super().get_paginated_response_schema(schema)
        paginated["properties"]["totals"] = {
            "type": "object",
            "properties": self.totals_schema,
            "required": sorted(self.totals_schema),
        }
        return paginated


def _integer(description: str) -> dict[str, Any]:
    return {"type": "integer", "description": description}


class InquiryPagination(TotalsPagination):
    totals_schema = {
        "inquiries": _integer("Number of inquiries."),
        "inquiries_with_effort": _integer("Number of them with a READ effort."),
        "average_read_effort": {
            "type": "string",
            "format": "decimal",
            "nullable": True,
            "description": (
                "Mean READ effort (1–6) over the inquiries that have one, one decimal; "
                "empty when none has."
            ),
        },
    }


class VisitCountPagination(TotalsPagination):
    totals_schema = {
        "visits": _integer("Sum of the counts (a count of 0 adds 0)."),
        "counts": _integer("Number of visit-count rows."),
        "sites": _integer("Number of distinct sites among them."),
        "mixes_entrances": {
            "type": "boolean",
            "description": (
                "Some site has both whole-site and single-entrance rows, so the sum may "
                "count the same visitors twice."
            ),
        },
    }


class EventPagination(TotalsPagination):
    totals_schema = {
        "rows": _integer("Number of event rows."),
        "events": _integer("Number of events (sum of occurrences)."),
        "attendance": _integer("Sum of the recorded attendance."),
        "events_with_attendance": _integer("Events whose attendance was recorded (0 too)."),
        "events_without_attendance": _integer("Events without recorded attendance."),
        "rows_without_event_count": _integer(
            "Rows whose number of events the source did not report (attendance only)."
        ),
        "attendance_without_event_count": _integer(
            "The attendance of those rows, included in attendance."
        ),
    }


class RangeFilteredViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Operational records: reading them needs ``export``. The list takes the filters of
    :mod:`torg.api.filters` and is computed, with its totals, by the app's selectors."""

    read_permission = Permission.EXPORT

    def filtered_rows(self) -> models.QuerySet[Any]:
        raise NotImplementedError

    def totals_of(self, rows: models.QuerySet[Any]) -> Any:
        raise NotImplementedError

    def scoped_queryset(self) -> models.QuerySet[Any]:
        if self.action == "list":
            return self.filtered_rows()
        return self.tenancy.scoped(self.model).select_related("site")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = self.get_queryset()
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        totals = asdict(self.totals_of(rows))
        response.data["totals"] = {
            name: str(value) if isinstance(value, Decimal) else value
            for name, value in totals.items()
        }
        return response


@extend_schema_view(list=extend_schema(parameters=filters.INQUIRY_PARAMETERS))
@extend_schema(tags=["inquiries"])
class InquiryViewSet(RangeFilteredViewSet):
    """The inquiry log, newest first. Reading needs ``export``; recording, correcting and
    deleting need ``record_inquiries`` and follow :mod:`torg.inquiries.services` (desk
    staff change only their own entries, within the edit window; managers any). Every
    write needs an ``Idempotency-Key`` (:mod:`torg.api.idempotency`); on create it is also
    the inquiry's client key, so the same key three times, even at once, records one
    inquiry. Write responses add ``removed``: what the privacy scrub took out of the note,
    by kind."""

    serializer_class = serializers.InquirySerializer
    pagination_class = InquiryPagination
    model = Inquiry
    write_permission = Permission.RECORD_INQUIRIES

    def filtered_rows(self) -> models.QuerySet[Any]:
        return inquiry_list(self.tenancy, filters.inquiry_filters(self.request, self.tenancy))

    def totals_of(self, rows: models.QuerySet[Any]) -> Any:
        return inquiry_totals(rows)

    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)  # IsAuthenticated ran first
        return user

    def _answer_data(self, inquiry: Inquiry, scrubbed: ScrubResult | None) -> dict[str, Any]:
        context = self.get_serializer_context()
        data = dict(serializers.InquirySerializer(inquiry, context=context).data)
        data["removed"] = scrubbed.counts() if scrubbed else {}
        return data

    def _answer(self, inquiry: Inquiry, scrubbed: ScrubResult | None, status: int) -> Response:
        return Response(self._answer_data(inquiry, scrubbed), status=status)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """A new inquiry from a token client takes :mod:`torg.api.fast_inquiry`'s short
        way when it can; everything else, and every refusal, goes the full way."""
        if self.action_map.get((request.method or "").lower()) == "create":
            fast = fast_inquiry.create(request, kwargs["municipality"], self.allowed_methods)
            if fast is not None:
                return fast
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        summary="Record an inquiry",
        request=serializers.InquiryWriteSerializer,
        responses={201: serializers.InquirySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent_prepared(request, lambda: self._prepare_create(request))

    def _prepare_create(self, request: Request) -> Callable[[], Response]:
        """Validate and check outside the write transaction; the returned function only
        INSERTs the inquiry and its audit row and puts the new id into the answer."""
        serializer = serializers.InquiryWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        user = self._user()
        with api_validation_errors():
            draft = inquiry_record_check(
                tenancy=self.tenancy,
                user=user,
                client_key=inquiry_client_key(user.pk, request.headers.get(IDEMPOTENCY_HEADER)),
                **serializer.validated_data,
            )

        # The answer is made before the write transaction too; only the new id is
        # missing, and every other field is the draft's own value.
        data = self._answer_data(draft.inquiry, draft.scrub)

        def write() -> Response:
            # Inside the transaction of idempotent_prepared, which rolls back and answers
            # with the stored response when a request with the same key won a race.
            recorded = inquiry_record_save(
                tenancy=self.tenancy, user=user, draft=draft, in_savepoint=False
            )
            data["id"] = recorded.inquiry.pk
            return Response(data, status=201)

        return write

    @extend_schema(
        summary="Correct an inquiry",
        request=serializers.InquiryWriteSerializer,
        responses={200: serializers.InquirySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent(request, lambda: self._update(request, partial=False))

    @extend_schema(
        summary="Correct some fields of an inquiry",
        request=serializers.InquiryWriteSerializer,
        responses={200: serializers.InquirySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent(request, lambda: self._update(request, partial=True))

    def _update(self, request: Request, *, partial: bool) -> Response:
        inquiry = self.get_object()
        serializer = serializers.InquiryWriteSerializer(
            inquiry, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        with api_validation_errors():
            corrected, scrubbed = inquiry_correct(
                tenancy=self.tenancy,
                user=self._user(),
                inquiry=inquiry,
                changes=dict(serializer.validated_data),
            )
        return self._answer(corrected, scrubbed, 200)

    @extend_schema(
        summary="Delete an inquiry (a copy stays in the audit log)",
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={204: None},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return idempotent(request, lambda: self._destroy())

    def _destroy(self) -> Response:
        inquiry = self.get_object()
        with api_validation_errors():
            inquiry_delete(tenancy=self.tenancy, user=self._user(), inquiry=inquiry)
        return Response(status=204)


@extend_schema_view(list=extend_schema(parameters=filters.VISIT_COUNT_PARAMETERS))
@extend_schema(tags=["visits"])
class VisitCountViewSet(RangeFilteredViewSet):
    """Visit counts by site and period, newest period first; the date range applies to the
    period's start."""

    serializer_class = serializers.VisitCountSerializer
    pagination_class = VisitCountPagination
    model = VisitCount

    def filtered_rows(self) -> models.QuerySet[Any]:
        return visit_count_list(
            self.tenancy, filters.visit_count_filters(self.request, self.tenancy)
        )

    def totals_of(self, rows: models.QuerySet[Any]) -> Any:
        return visit_count_totals(rows)


@extend_schema_view(list=extend_schema(parameters=filters.EVENT_PARAMETERS))
@extend_schema(tags=["visits"])
class EventViewSet(RangeFilteredViewSet):
    """Events, latest first; the date range applies to the start."""

    serializer_class = serializers.EventSerializer
    pagination_class = EventPagination
    model = Event

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if context["tenancy"] is not None:  # events without a site are shown in this zone
            context["default_time_zone"] = default_time_zone(self.tenancy.municipality)
        return context

    def filtered_rows(self) -> models.QuerySet[Any]:
        return event_list(self.tenancy, filters.event_filters(self.request, self.tenancy))

    def totals_of(self, rows: models.QuerySet[Any]) -> Any:
        return event_totals(rows)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2."),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter(
                "municipality_number",
                OpenApiTypes.STR,
                description="The official number, e.g. a Norwegian kommunenummer.",
            ),
        ]
    )
)
@extend_schema(tags=["national"])
class AnnualLibraryStatisticsViewSet(viewsets.ReadOnlyModelViewSet):
    """National annual library statistics per municipality and year: public reference
    data, readable by any logged-in user."""

    serializer_class = serializers.AnnualLibraryStatisticsSerializer
    authentication_classes = AUTHENTICATION_CLASSES
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination
    lookup_value_converter = "int"

    def get_queryset(self) -> models.QuerySet[AnnualLibraryStatistics]:
        queryset = AnnualLibraryStatistics.objects.order_by(
            "country", "year", "municipality_number", "id"
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if params.get("country"):
            queryset = queryset.filter(country=params["country"].upper())
        if params.get("year"):
            year = whole_number(params["year"], maximum=9999)
            if year is None:
                raise ValidationError({"year": [_("Give a year such as 2020.")]})
            queryset = queryset.filter(year=year)
        if params.get("municipality_number"):
            queryset = queryset.filter(municipality_number=params["municipality_number"])
        return queryset

    def get_object(self) -> AnnualLibraryStatistics:
        try:
            row: AnnualLibraryStatistics = super().get_object()
        except Http404 as error:
            raise NotFound(_("No statistics with this id.")) from error
        return row
