"""``GET /api/v1/m/<slug>/inquiry-statistics/``: the desk statistics of
:func:`torg.inquiries.statistics.inquiry_statistics` as JSON, for the same filters as the
statistics page (``site``, ``service_point``, ``date_from``, ``date_to``, ``domain``,
``channel``). Needs the ``export`` permission, like the CSV and XLSX files of the page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from torg.api.permissions import TenantAPIMixin, TenantPermission
from torg.inquiries.forms_statistics import StatisticsFilterForm
from torg.inquiries.models import Inquiry
from torg.inquiries.statistics import InquiryStatistics, Mix, inquiry_statistics
from torg.organisation.roles import Permission

PARAMETERS = [
    OpenApiParameter("site", OpenApiTypes.INT, description="Id of one site"),
    OpenApiParameter("service_point", OpenApiTypes.INT, description="Id of one service point"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="First business day"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last business day (included)"),
    OpenApiParameter("domain", OpenApiTypes.STR, description="library, municipal, shared, unknown"),
    OpenApiParameter("channel", OpenApiTypes.STR, description="in_person, phone, chat, …"),
]


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _mix(mix: Mix) -> list[dict[str, Any]]:
    return [{"key": row.key, "label": row.label, "count": row.count} for row in mix]


def statistics_document(stats: InquiryStatistics) -> dict[str, Any]:
    """The JSON body: counts are whole inquiries, shares fractions 0–1 (``null`` with no
    denominator), heat maps ``counts[weekday][hour]`` with Monday = 0 and local hours 0–23,
    hourly series with local start times and their UTC offsets."""
    outcomes = stats.outcomes
    return {
        "total": stats.total,
        "time_of_day_known": stats.time_known,
        "time_of_day_unknown": stats.time_unknown,
        "outcomes": {
            "with_outcome": outcomes.with_outcome,
            "not_recorded": outcomes.not_recorded,
            "resolved_at_first_line": outcomes.resolved,
            "referred_internal": outcomes.referred_internal,
            "referred_external": outcomes.referred_external,
            "referred": outcomes.referred,
            "share_resolved_at_first_line": _share(outcomes.share_resolved),
            "share_referred": _share(outcomes.share_referred),
        },
        "heat_maps": [
            {
                "site": heat_map.site_id,
                "site_name": heat_map.site_name,
                "service_point_name": heat_map.service_point_name,
                "time_zone": heat_map.time_zone,
                "business_day_starts": heat_map.business_day_starts.isoformat(timespec="minutes"),
                "counts": [list(row) for row in heat_map.counts],
                "total": heat_map.total,
            }
            for heat_map in stats.heat_maps
        ],
        "mix": {
            "domain": _mix(stats.domain),
            "level": _mix(stats.level),
            "service": _mix(stats.service),
            "channel": _mix(stats.channel),
            "read_effort": _mix(stats.read_effort),
        },
        "hourly": None
        if stats.hourly is None
        else {
            "time_zone": stats.hourly.time_zone,
            "business_day_starts": stats.hourly.business_day_starts.isoformat(timespec="minutes"),
            "days": [
                {
                    "day": day.day.isoformat(),
                    "hours": [
                        {"start": hour.start.isoformat(), "count": hour.count} for hour in day.hours
                    ],
                    "time_of_day_unknown": day.time_unknown,
                    "total": day.total,
                }
                for day in stats.hourly.days
            ],
        },
        "hourly_unavailable": stats.hourly_unavailable or None,
        # None when no matching inquiry was referred to a team; medians in minutes.
        "referral_turnaround": None
        if stats.referral_turnaround is None
        else {
            "referrals": stats.referral_turnaround.referrals,
            "responded": stats.referral_turnaround.responded,
            "completed": stats.referral_turnaround.completed,
            "median_first_response_minutes": stats.referral_turnaround.median_first_response_minutes,
            "median_completion_minutes": stats.referral_turnaround.median_completion_minutes,
        },
    }


class InquiryStatisticsView(TenantAPIMixin, generics.GenericAPIView):
    """Desk statistics: heat maps, mixes, outcomes, READ effort and the hourly series."""

    permission_classes = [IsAuthenticated, TenantPermission]
    endpoint_name = "inquiry-statistics"
    read_permission = Permission.EXPORT
    queryset = Inquiry.objects.none()

    @extend_schema(tags=["inquiries"], parameters=PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, municipality: str) -> Response:
        form = StatisticsFilterForm(request.query_params, municipality=self.tenancy)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return Response(statistics_document(inquiry_statistics(self.tenancy, form.filters())))
