"""The surveys API under ``/api/v1/m/<slug:municipality>/`` (registered in :mod:`torg.api.urls`):

* ``surveys/``: the municipality's surveys (``analyse_surveys``: analysts, managers);
* ``survey-waves/``: waves, and ``PATCH`` of ``anonymous`` and ``status`` (``manage_surveys``,
  with an ``Idempotency-Key``); once the wave has a response a change of anonymity is
  **409 Conflict** with ``{"detail": …, "code": "anonymity_locked"}``; any other field (such
  as ``min_group``, the survey's) is **400** with ``"code": "read_only"``;
* ``survey-waves/<id>/results/``: the share who agree and the R ``likert`` summary of every
  statement, optionally ``?group_by=<background item code>``, with small groups suppressed
  exactly as on the results page (:func:`torg.surveys.selectors.wave_results`).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from torg.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from torg.api.views import TenantViewSet
from torg.organisation.roles import Permission
from torg.surveys import services
from torg.surveys.models import ItemKind, Survey, Wave, WaveStatus
from torg.surveys.selectors import (
    BY_MODEL,
    GroupResult,
    results_available,
    surveys_of,
    wave_results,
)


class SurveySerializer(serializers.ModelSerializer[Survey]):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title",
            "template_key",
            "audience",
            "min_group",
            "free_text_min_group",
            "agree_levels",
        ]
        read_only_fields = fields


class WaveSerializer(serializers.ModelSerializer[Wave]):
    class Meta:
        model = Wave
        fields = [
            "id",
            "survey",
            "number",
            "starts_on",
            "ends_on",
            "anonymous",
            "open_link",
            "status",
        ]
        read_only_fields = ["id", "survey", "number", "starts_on", "ends_on", "open_link"]


#: The fields a PATCH of a wave may change.
CHANGEABLE = frozenset({"anonymous", "status"})


class ConflictSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.CharField()


def _group(result: GroupResult) -> dict[str, Any]:
    data: dict[str, Any] = {"key": result.key, "label": result.label, "hidden": result.hidden}
    if result.hidden or result.summary is None or result.agree is None:
        return data
    summary, agree = result.summary, result.agree
    before, change = result.previous_agree, result.change_test
    if before is not None and change is not None:
        # Only for a group shown in this wave and the previous one.
        data["previous_agree"] = {"count": before.count, "n": before.n, "share": before.share}
        data["change"] = {"difference": change.difference, "z": change.z,
                          "p_value": change.p_value, "cohens_h": change.cohens_h}  # fmt: skip
    return data | {
        "answered": summary.answered,
        "dont_know": summary.dont_know,
        "percent": list(summary.percent),
        "low": summary.low,
        "neutral": summary.neutral,
        "high": summary.high,
        "mean": summary.mean,
        "sd": summary.sd,
        "agree": {"count": agree.count, "n": agree.n, "share": agree.share,
                  "ci_low": agree.ci_low, "ci_high": agree.ci_high},
    }  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="Surveys of the municipality"),
    retrieve=extend_schema(summary="One survey"),
)
@extend_schema(tags=["surveys"])
class SurveyViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Surveys (read ``analyse_surveys``)."""

    serializer_class = SurveySerializer
    model = Survey
    read_permission = Permission.ANALYSE_SURVEYS

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return surveys_of(self.tenancy.municipality)


@extend_schema_view(
    list=extend_schema(summary="Survey waves"),
    retrieve=extend_schema(summary="One wave"),
    partial_update=extend_schema(
        summary="Change a wave's anonymity (only before its first response) or status",
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: WaveSerializer,
            400: OpenApiResponse(
                ConflictSerializer, description="A field that cannot change, or a bad status."
            ),
            409: OpenApiResponse(ConflictSerializer, description="The wave has responses."),
        },
    ),
    results=extend_schema(
        summary="Results of a wave, small groups suppressed",
        parameters=[
            OpenApiParameter("group_by", OpenApiTypes.STR, description="Code of a background item.")
        ],
        responses={200: OpenApiTypes.OBJECT},
    ),
)
@extend_schema(tags=["surveys"])
class WaveViewSet(TenantViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Waves (read ``analyse_surveys``, change ``manage_surveys``)."""

    serializer_class = WaveSerializer
    model = Wave
    read_permission = Permission.ANALYSE_SURVEYS
    write_permission = Permission.MANAGE_SURVEYS

    def scoped_queryset(self) -> models.QuerySet[Any]:
        return self.tenancy.scoped(Wave).select_related("survey").order_by("survey", "number")

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Only ``anonymous`` and ``status`` (``open`` or ``closed``) may change
        (``Idempotency-Key`` required, as for every write); any other field is refused with
        400 ``{"code": "read_only", "fields": [...]}`` rather than ignored."""
        return idempotent(request, lambda: self._set_anonymity(request))

    def _set_anonymity(self, request: Request) -> Response:
        wave: Wave = self.get_object()
        refused = sorted(set(request.data) - CHANGEABLE)
        if refused:
            return Response(
                {
                    "detail": _(
                        "Only anonymous and status can be changed on a wave; %(fields)s cannot. "
                        "The minimum group size belongs to the survey and is fixed when the "
                        "survey is created (lowering it later would reveal groups that were "
                        "hidden)."
                    )
                    % {"fields": ", ".join(refused)},
                    "code": "read_only",
                    "fields": refused,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer = self.get_serializer(wave, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        new_status = serializer.validated_data.get("status")
        if new_status is not None and new_status not in (WaveStatus.OPEN, WaveStatus.CLOSED):
            raise ValidationError({"status": [_("A wave can only be opened or closed.")]})
        if "anonymous" in serializer.validated_data:
            try:
                wave = services.wave_set_anonymity(
                    wave=wave, anonymous=serializer.validated_data["anonymous"]
                )
            except services.AnonymityLocked:
                return Response(
                    {
                        "detail": _(
                            "Anonymity is fixed once the wave has a response; it cannot be changed."
                        ),
                        "code": "anonymity_locked",
                    },
                    status=status.HTTP_409_CONFLICT,
                )
        if new_status is not None:
            try:
                wave = services.wave_set_status(wave=wave, status=new_status)
            except services.SurveyError:
                return Response(
                    {"detail": services.sealed_message(), "code": "wave_sealed"},
                    status=status.HTTP_409_CONFLICT,
                )
        return Response(self.get_serializer(wave).data)

    @action(detail=True, methods=["get"])
    def results(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        wave: Wave = self.get_object()
        if not results_available(wave):
            return Response(
                {
                    "detail": _(
                        "The results of an anonymous wave are shown when the wave has closed."
                    ),
                    "code": "wave_open",
                    "responses": wave.own_responses().count(),
                },
                status=status.HTTP_409_CONFLICT,
            )
        code = request.query_params.get("group_by") or ""
        group_by = None
        if code and code != BY_MODEL:
            group_by = wave.own_items().filter(kind=ItemKind.BACKGROUND, code=code).first()
            if group_by is None:
                raise ValidationError({"group_by": [_("No background question with this code.")]})
        results = wave_results(wave, group_by=group_by, by_model=code == BY_MODEL)
        return Response(
            {
                "wave": wave.pk,
                "respondents": results.respondents if not results.hidden_respondents else None,
                "min_group": results.min_group,
                "group_by": code or None,
                "statements": [
                    {
                        "code": s.item.code,
                        "text": s.item.text,
                        "labels": s.labels,
                        "comparable": s.item.comparable,
                        "overall": _group(s.overall),
                        "groups": [_group(g) for g in s.groups],
                    }
                    for s in results.statements
                ],
            }
        )
