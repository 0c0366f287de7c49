"""The API of the queue, under ``/api/v1/m/<slug:municipality>/`` (routes registered in
:mod:`torg.api.urls`):

* ``teams/``: the municipality's teams (every member may read);
* ``referrals/``: list, create (``Idempotency-Key`` required), and the steps ``accept``,
  ``complete`` (with ``outcome``) and ``decline`` (each a POST with its own key);
* ``digital-inquiries/``: list, receive (create; the ``Idempotency-Key`` doubles as the
  municipality-wide receipt key unless the body gives ``client_key``, so the same message
  sent three times is stored once), and ``triage``, ``assign``, ``answer``, ``close``.

Reads show what the caller may see in the queue (:mod:`torg.referrals.selectors`); every
write goes through :mod:`torg.referrals.services`, which checks the role (403) and the
municipality of every id (400 for another municipality's id in a body, 404 in the URL).
Instants are shown with the UTC offset of the inquiry's site (referrals) or of the
municipality's default zone (digital inquiries).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from torg.api.idempotency import HEADER, IDEMPOTENCY_PARAMETER, idempotent
from torg.api.serializers import StrictCharField, TenantPrimaryKeyRelatedField
from torg.api.views import TenantViewSet, api_validation_errors
from torg.catalogue.models import Service
from torg.inquiries.models import Inquiry
from torg.organisation.models import Membership
from torg.organisation.roles import Permission
from torg.organisation.selectors import default_time_zone
from torg.referrals import services
from torg.referrals.forms import NOTE_MAX_LENGTH
from torg.referrals.models import (
    DigitalChannel,
    DigitalInquiry,
    DigitalStatus,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    Team,
)
from torg.referrals.selectors import team_list, visible_digital_inquiries, visible_referrals

# --- Serializers ------------------------------------------------------------------------


def _zone(obj: models.Model, context: Mapping[str, Any]) -> zoneinfo.ZoneInfo:
    if isinstance(obj, Referral):
        return obj.inquiry.site.zone
    return zoneinfo.ZoneInfo(context.get("default_time_zone") or settings.TIME_ZONE)


@extend_schema_field(OpenApiTypes.DATETIME)
class LocalInstantField(serializers.Field):
    """A read-only instant with the UTC offset of the zone the queue shows it in."""

    def __init__(self, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: models.Model) -> str | None:
        instant: dt.datetime | None = getattr(value, self.attribute)
        return (
            None if instant is None else instant.astimezone(_zone(value, self.context)).isoformat()
        )


class TeamSerializer(serializers.ModelSerializer[Team]):
    members = serializers.SerializerMethodField(help_text="User names of the members.")

    class Meta:
        model = Team
        fields = ["id", "name", "domain", "sites", "members", "is_active", "service_level_hours"]
        read_only_fields = fields

    def get_members(self, team: Team) -> list[str]:
        return [membership.user.get_username() for membership in team.members.all()]


class ReferralSerializer(serializers.ModelSerializer[Referral]):
    created_at = LocalInstantField("created_at")
    first_response_at = LocalInstantField("first_response_at")
    accepted_at = LocalInstantField("accepted_at")
    completed_at = LocalInstantField("completed_at")
    declined_at = LocalInstantField("declined_at")
    time_to_first_response_minutes = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Creation to acceptance or refusal."
    )
    time_to_completion_minutes = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Creation to completion."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "inquiry",
            "to_team",
            "to_service",
            "note",
            "status",
            "outcome",
            "created_at",
            "first_response_at",
            "accepted_at",
            "completed_at",
            "declined_at",
            "time_to_first_response_minutes",
            "time_to_completion_minutes",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer[Any]):
    inquiry = TenantPrimaryKeyRelatedField(queryset=Inquiry.objects.all())
    to_team = TenantPrimaryKeyRelatedField(queryset=Team.objects.all())
    to_service = TenantPrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="Scrubbed of personal data before it is saved.",
    )


class CompleteSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices)


class DigitalInquirySerializer(serializers.ModelSerializer[DigitalInquiry]):
    received_at = LocalInstantField("received_at")
    first_response_at = LocalInstantField("first_response_at")
    closed_at = LocalInstantField("closed_at")
    due_at = LocalInstantField("due_at")
    time_to_first_response_minutes = serializers.FloatField(read_only=True, allow_null=True)
    time_to_close_minutes = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = DigitalInquiry
        fields = [
            "id",
            "channel",
            "received_at",
            "summary",
            "service",
            "team",
            "assigned_to",
            "status",
            "due_at",
            "first_response_at",
            "closed_at",
            "time_to_first_response_minutes",
            "time_to_close_minutes",
        ]
        read_only_fields = fields


class DigitalReceiveSerializer(serializers.Serializer[Any]):
    channel = serializers.ChoiceField(choices=DigitalChannel.choices)
    received_at = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset.")
    summary = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text="What it is about, without the sender: scrubbed of personal data.",
    )
    service = TenantPrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    team = TenantPrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    client_key = StrictCharField(
        required=False,
        max_length=255,
        help_text=(
            "The source system's id of the message; the same key in the municipality is "
            f"stored once. Default: the {HEADER} header."
        ),
    )


class TriageSerializer(serializers.Serializer[Any]):
    team = TenantPrimaryKeyRelatedField(queryset=Team.objects.all())


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.IntegerField(
        required=False, help_text="User id of a team member; default: the caller."
    )


# --- Views ------------------------------------------------------------------------------

_STATUS_PARAMETER = OpenApiParameter(
    "status", OpenApiTypes.STR, description="Only this status (see the ``status`` field)."
)


def _actor(request: Request) -> AbstractBaseUser:
    """The caller; the views' permission classes have refused anonymous callers."""
    return cast(AbstractBaseUser, request.user)


def _shows_object_on_get(handler: Callable[..., Response]) -> Callable[..., Response]:
    """GET on a step's URL shows the object the step applies to and changes nothing, so
    that every URL of the API answers a read like the rest (and another municipality's id
    is "not found" whatever the method)."""

    @wraps(handler)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.method == "GET":
            return Response(self.get_serializer(self.get_object()).data)
        return handler(self, request, *args, **kwargs)

    return wrapper


def _step(request: Request, perform: Callable[[], Response]) -> Response:
    """One queue step through the idempotency helper, service errors as 400."""

    def run() -> Response:
        with api_validation_errors():
            return perform()

    return idempotent(request, run)


@extend_schema(tags=["queue"])
class TeamViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The municipality's teams, by name."""

    serializer_class = TeamSerializer
    model = Team

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return team_list(self.tenancy)


def _status_filter(rows: models.QuerySet[Any], request: Request, valid: list[str]) -> Any:
    value = request.query_params.get("status")
    if not value:
        return rows
    if value not in valid:
        raise ValidationError(
            {"status": [_("Choose one of: %(valid)s.") % {"valid": ", ".join(valid)}]}
        )
    return rows.filter(status=value)


@extend_schema_view(
    list=extend_schema(
        summary="Referrals you may see, oldest first", parameters=[_STATUS_PARAMETER]
    ),
    retrieve=extend_schema(summary="One referral"),
)
@extend_schema(tags=["queue"])
class ReferralViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Referrals of inquiries to teams. Desk staff see their teams' referrals and their own;
    managers, administrators and analysts see all."""

    serializer_class = ReferralSerializer
    model = Referral
    write_permission = Permission.VIEW  # the services check the role and the team

    def scoped_queryset(self) -> models.QuerySet[Any]:
        rows = visible_referrals(self.tenancy, self.request.user)
        if self.action == "list":
            return _status_filter(rows, self.request, ReferralStatus.values)
        return rows

    def _done(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(referral).data, status=code)

    @extend_schema(
        summary="Refer an inquiry to a team",
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            body = ReferralCreateSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            body.is_valid(raise_exception=True)
            result = services.referral_create(
                tenancy=self.tenancy,
                actor=_actor(request),
                inquiry=body.validated_data["inquiry"],
                team=body.validated_data["to_team"],
                service=body.validated_data.get("to_service"),
                note=body.validated_data.get("note", ""),
            )
            response = self._done(result.referral, status.HTTP_201_CREATED)
            response.data["removed"] = result.removed
            return response

        return _step(request, perform)

    @extend_schema(
        methods=["POST"],
        summary="Accept (team members, managers)",
        request=None,
        responses=ReferralSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _step(
            request,
            lambda: self._done(
                services.referral_accept(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    referral=self.get_object(),
                )
            ),
        )

    @extend_schema(
        methods=["POST"],
        summary="Complete with an outcome",
        request=CompleteSerializer,
        responses=ReferralSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            referral = self.get_object()
            body = CompleteSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            return self._done(
                services.referral_complete(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    referral=referral,
                    outcome=body.validated_data["outcome"],
                )
            )

        return _step(request, perform)

    @extend_schema(
        methods=["POST"],
        summary="Decline a new referral or return an accepted one",
        request=None,
        responses=ReferralSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def decline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _step(
            request,
            lambda: self._done(
                services.referral_decline(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    referral=self.get_object(),
                )
            ),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Digital inquiries you may see, oldest first", parameters=[_STATUS_PARAMETER]
    ),
    retrieve=extend_schema(summary="One digital inquiry"),
)
@extend_schema(tags=["queue"])
class DigitalInquiryViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Digital inquiries (e-mail, web form, chat). Desk staff see their teams' queues;
    managers, administrators and analysts see all, untriaged ones included."""

    serializer_class = DigitalInquirySerializer
    model = DigitalInquiry
    write_permission = Permission.VIEW  # the services check the role and the team

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if context["tenancy"] is not None:
            context["default_time_zone"] = default_time_zone(self.tenancy.municipality)
        return context

    def scoped_queryset(self) -> models.QuerySet[Any]:
        rows = visible_digital_inquiries(self.tenancy, self.request.user)
        if self.action == "list":
            return _status_filter(rows, self.request, DigitalStatus.values)
        return rows

    def _done(self, item: DigitalInquiry, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(item).data, status=code)

    @extend_schema(
        summary="Receive a digital inquiry",
        description=(
            "201 when stored; 200 with the earlier row when its key was already received "
            "in this municipality."
        ),
        request=DigitalReceiveSerializer,
        responses={201: DigitalInquirySerializer, 200: DigitalInquirySerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            body = DigitalReceiveSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            body.is_valid(raise_exception=True)
            data = body.validated_data
            result = services.digital_inquiry_receive(
                tenancy=self.tenancy,
                actor=_actor(request),
                channel=data["channel"],
                received_at=data["received_at"],
                summary=data.get("summary", ""),
                service=data.get("service"),
                team=data.get("team"),
                client_key=data.get("client_key") or request.headers.get(HEADER, "").strip(),
            )
            response = self._done(
                result.digital_inquiry,
                status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
            )
            response.data["removed"] = result.removed
            return response

        return _step(request, perform)

    @extend_schema(
        methods=["POST"],
        summary="Put into a team's queue (managers)",
        request=TriageSerializer,
        responses=DigitalInquirySerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def triage(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            item = self.get_object()
            body = TriageSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            return self._done(
                services.digital_inquiry_triage(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    digital_inquiry=item,
                    team=body.validated_data["team"],
                )
            )

        return _step(request, perform)

    @extend_schema(
        methods=["POST"],
        summary="Assign to a team member (default: yourself)",
        request=AssignSerializer,
        responses=DigitalInquirySerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def perform() -> Response:
            item = self.get_object()
            body = AssignSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            assignee = _actor(request)
            if body.validated_data.get("assignee") is not None:
                member = (
                    self.tenancy.scoped(Membership)
                    .filter(user_id=body.validated_data["assignee"])
                    .first()
                )
                if member is None:
                    raise ValidationError(
                        {"assignee": [_("Nothing with this id in this municipality.")]}
                    )
                assignee = get_user_model().objects.get(pk=member.user_id)
            return self._done(
                services.digital_inquiry_assign(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    digital_inquiry=item,
                    assignee=assignee,
                )
            )

        return _step(request, perform)

    @extend_schema(
        methods=["POST"],
        summary="Record the first answer",
        request=None,
        responses=DigitalInquirySerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _step(
            request,
            lambda: self._done(
                services.digital_inquiry_answer(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    digital_inquiry=self.get_object(),
                )
            ),
        )

    @extend_schema(
        methods=["POST"],
        summary="Close",
        request=None,
        responses=DigitalInquirySerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @extend_schema(methods=["GET"], summary="What this step applies to (no change)", request=None)
    @action(detail=True, methods=["get", "post"])
    @_shows_object_on_get
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _step(
            request,
            lambda: self._done(
                services.digital_inquiry_close(
                    tenancy=self.tenancy,
                    actor=_actor(request),
                    digital_inquiry=self.get_object(),
                )
            ),
        )
