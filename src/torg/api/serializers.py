"""What the API shows and accepts.

Instants are written in ISO 8601 with the UTC offset of the site they happened at
(``2024-03-01T08:54:00+01:00`` in Oslo, ``-05:00`` in Toronto), so that a client sees the
same wall-clock time as the staff at the desk and still has an unambiguous instant. Rows
without a site use the municipality's default zone (that of all its sites when they
share one, else ``settings.TIME_ZONE``). Each site row gives its
IANA time zone.

Related objects that a client may name in a write (a service's category) are looked up only
among the caller's municipality's rows, so an id from another municipality is rejected as
unknown.
"""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from torg.catalogue.codes import code_from_name
from torg.catalogue.forms import duplicate_code_message
from torg.catalogue.models import Service, ServiceCategory, validate_code
from torg.inquiries.models import Inquiry
from torg.organisation.models import (
    Municipality,
    OpeningHours,
    ServicePoint,
    Site,
    SiteModelPeriod,
)
from torg.organisation.roles import ROLE_PERMISSIONS
from torg.organisation.scoping import Tenancy
from torg.visits.models import AnnualLibraryStatistics, Event, VisitCount


def zone_of(obj: models.Model, context: Mapping[str, Any]) -> zoneinfo.ZoneInfo:
    """The time zone in which ``obj``'s instants are shown: its site's; for a row without a
    site, ``context["default_time_zone"]`` (the municipality's, see
    :func:`torg.organisation.selectors.default_time_zone`) or else ``settings.TIME_ZONE``."""
    site: Site | None = getattr(obj, "site", None)
    if site is not None:
        return site.zone
    return zoneinfo.ZoneInfo(context.get("default_time_zone") or settings.TIME_ZONE)


@extend_schema_field(OpenApiTypes.DATETIME)
class SiteLocalInstantField(serializers.Field):
    """A read-only instant shown with the UTC offset of the object's site."""

    def __init__(self, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: models.Model) -> str | None:
        instant: dt.datetime | None = getattr(value, self.attribute)
        if instant is None:
            return None
        return instant.astimezone(zone_of(value, self.context)).isoformat()


@extend_schema_field(OpenApiTypes.DATE)
class SiteLocalDateField(serializers.Field):
    """The local calendar day (at the object's site) of one of its instants."""

    def __init__(self, attribute: str, **kwargs: Any) -> None:
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: models.Model) -> str | None:
        instant: dt.datetime | None = getattr(value, self.attribute)
        if instant is None:
            return None
        return instant.astimezone(zone_of(value, self.context)).date().isoformat()


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    role = serializers.SerializerMethodField(help_text="Your role in this municipality.")
    permissions = serializers.SerializerMethodField(
        help_text="What your role allows here (see torg.organisation.roles)."
    )

    class Meta:
        model = Municipality
        fields = [
            "id",
            "slug",
            "name",
            "number",
            "country",
            "data_source",
            "data_licence",
            "role",
            "permissions",
        ]
        read_only_fields = fields

    def _tenancy(self) -> Tenancy:
        tenancy: Tenancy = self.context["tenancy"]
        return tenancy

    def get_role(self, obj: Municipality) -> str:
        return self._tenancy().role

    def get_permissions(self, obj: Municipality) -> list[str]:
        return sorted(p.value for p in ROLE_PERMISSIONS.get(self._tenancy().role, frozenset()))


class ServicePointSerializer(serializers.ModelSerializer[ServicePoint]):
    class Meta:
        model = ServicePoint
        fields = ["id", "name", "kind", "is_active"]
        read_only_fields = fields


class OpeningHoursSerializer(serializers.ModelSerializer[OpeningHours]):
    class Meta:
        model = OpeningHours
        fields = ["id", "weekday", "opens", "closes", "kind", "valid_from", "valid_to"]
        read_only_fields = fields


class SiteModelPeriodSerializer(serializers.ModelSerializer[SiteModelPeriod]):
    class Meta:
        model = SiteModelPeriod
        fields = [
            "id",
            "model",
            "co_organised",
            "co_located",
            "valid_from",
            "valid_to",
            "note",
        ]
        read_only_fields = fields


class SiteSerializer(serializers.ModelSerializer[Site]):
    """A site with its desks and channels, its opening hours (local wall-clock times in
    ``time_zone``; ``valid_to`` empty = until further notice) and its organisational-model
    history (inclusive local dates; ``valid_to`` empty while it lasts)."""

    service_points = ServicePointSerializer(many=True, read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)
    model_history = SiteModelPeriodSerializer(many=True, read_only=True, source="model_periods")

    class Meta:
        model = Site
        fields = [
            "id",
            "name",
            "code",
            "address",
            "time_zone",
            "kind",
            "is_aggregate",
            "opened_year",
            "note",
            "service_points",
            "opening_hours",
            "model_history",
        ]
        read_only_fields = fields


class StrictCharField(serializers.CharField):
    """Text, and only text: DRF's own ``CharField`` turns a JSON number into its digits (a
    name of ``1e999`` would be saved as "inf"); this one refuses anything but a string."""

    default_error_messages = {"not_text": _("Give text here, not a number or another value.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return str(super().to_internal_value(data))


class TextOnlyModelSerializer(serializers.ModelSerializer[Any]):
    """A model serializer whose text fields (``CharField``, ``TextField``) accept strings
    only (:class:`StrictCharField`)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


class ServiceCategorySerializer(TextOnlyModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["id", "code", "name_nb", "name_en", "position"]
        # The (municipality, code) uniqueness is checked in validate_code: the
        # municipality is not a field of the request, so DRF cannot check it.
        validators: list[Any] = []

    def validate_code(self, value: str) -> str:
        tenancy: Tenancy = self.context["tenancy"]
        clash = tenancy.scoped(ServiceCategory).filter(code=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                _("This municipality already has a category with this code.")
            )
        return value


class TenantPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to a row of the caller's municipality only (and of the member's
    sites, for a member bound to some): an id from elsewhere is "not found", exactly like an
    id that does not exist."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        # DRF fills in {pk_value} with str.format.
        "does_not_exist": _("Nothing with the id {pk_value} that you can use here."),
    }

    def get_queryset(self) -> models.QuerySet[Any]:
        tenancy: Tenancy = self.context["tenancy"]
        queryset = super().get_queryset()
        assert queryset is not None  # the field is declared with a queryset
        return tenancy.scoped(queryset)


class ServiceSerializer(TextOnlyModelSerializer):
    """A service. On create, ``code`` may be left out or empty: it is then made from
    ``name_nb`` as the web form makes it (:func:`torg.catalogue.codes.code_from_name`:
    "Bøker til særlige behov" → ``boker-til-saerlige-behov``). A code is lower-case
    letters a–z, digits and single hyphens, unique in the municipality, and never changes."""

    category = TenantPrimaryKeyRelatedField(
        queryset=ServiceCategory.objects.all(),
        help_text="Id of a category of the same municipality.",
    )
    code = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=80,
        validators=[validate_code],
        help_text=(
            "Lower-case letters a–z, digits and single hyphens. Optional when creating: "
            "left out or empty, it is made from name_nb. It never changes."
        ),
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "category",
            "code",
            "name_nb",
            "name_en",
            "domain",
            "level",
            "synonyms",
            "answer_note",
            "answer_note_en",
            "is_active",
        ]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:  # an update: the view refuses a changed code
            return attrs
        code = attrs.get("code") or ""
        generated = not code
        if generated:
            code = code_from_name(str(attrs.get("name_nb", "")))
            if not code:
                raise serializers.ValidationError(
                    {"code": [_("Give a code, or a bokmål name to make one from.")]}
                )
        tenancy: Tenancy = self.context["tenancy"]
        if tenancy.scoped(Service).filter(code=code).exists():
            raise serializers.ValidationError(
                {"code": [duplicate_code_message(code, generated=generated)]}
            )
        return {**attrs, "code": code}


class PrebuiltFieldsMixin:
    """For a model serializer on a hot path (logging an inquiry): build the fields from the
    model once per class and give each serializer copies, instead of inspecting the model
    again for every instance (DRF's ``ModelSerializer.get_fields``, about a millisecond
    per serializer).

    Each serializer gets shallow copies of the prebuilt fields, which are never bound
    themselves: binding (field name, parent) and validating set attributes on the copy
    only, while what the copies share (choices, validators, error messages, the
    queryset that each look-up clones) is only read. Only for serializers whose fields
    depend on the class alone, not on the instance or context.
    """

    _prebuilt_fields: dict[str, serializers.Field] | None = None

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        prebuilt = cls.__dict__.get("_prebuilt_fields")
        if prebuilt is None:
            prebuilt = super().get_fields()  # type: ignore[misc]
            cls._prebuilt_fields = prebuilt
        return {name: copy.copy(field) for name, field in prebuilt.items()}


class InquirySerializer(PrebuiltFieldsMixin, serializers.ModelSerializer[Inquiry]):
    occurred_at = SiteLocalInstantField("occurred_at")
    local_date = SiteLocalDateField("occurred_at", help_text="The local calendar day at the site.")

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "site",
            "service_point",
            "occurred_at",
            "local_date",
            "time_of_day_known",
            "channel",
            "service",
            "domain",
            "outcome",
            "read_effort",
            "user_type",
            "age_group",
            "language",
            "duration_band",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class InquiryWriteSerializer(PrebuiltFieldsMixin, TextOnlyModelSerializer):
    """An inquiry to record (POST) or correct (PUT, PATCH); the response is an
    :class:`InquirySerializer` row. ``occurred_at`` is an ISO 8601 instant with its UTC
    offset; the domain follows from the service. The note passes through the privacy scrub
    before it is stored (the response's ``removed`` counts what was taken out). Sites,
    service points and services are ids of the caller's municipality only. Checks beyond
    the types are those of :mod:`torg.inquiries.services` (400 by field)."""

    site = TenantPrimaryKeyRelatedField(queryset=Site.objects.all())
    service_point = TenantPrimaryKeyRelatedField(
        queryset=ServicePoint.objects.all(), required=False, allow_null=True
    )
    service = TenantPrimaryKeyRelatedField(
        queryset=Service.objects.all(), required=False, allow_null=True
    )
    occurred_at = serializers.DateTimeField(
        help_text=(
            "When the inquiry happened, with its UTC offset: at most TORG_INQUIRY_LATE_DAYS "
            "(default 31) days back and at most 5 minutes ahead of the server's clock."
        )
    )
    read_effort = serializers.IntegerField(
        min_value=1, max_value=6, required=False, allow_null=True
    )

    class Meta:
        model = Inquiry
        fields = [
            "site",
            "service_point",
            "occurred_at",
            "channel",
            "service",
            "read_effort",
            "outcome",
            "user_type",
            "age_group",
            "language",
            "duration_band",
            "note",
        ]

    def validate_occurred_at(self, value: dt.datetime) -> dt.datetime:
        # DRF would read a time without offset in the server's zone; at a site in another
        # zone that is a wrong instant, so the offset is required.
        raw = self.initial_data.get("occurred_at") if hasattr(self, "initial_data") else None
        written = parse_datetime(raw) if isinstance(raw, str) else None
        if written is None or written.tzinfo is None:
            raise serializers.ValidationError(
                _("Give the instant with its UTC offset, e.g. 2024-03-01T08:54:00+01:00.")
            )
        return value


class VisitCountSerializer(serializers.ModelSerializer[VisitCount]):
    """Visits in the half-open period [``period_start``, ``period_end``). ``count`` 0 means
    somebody counted and nobody came; a period without a row was not observed."""

    period_start = SiteLocalInstantField("period_start")
    period_end = SiteLocalInstantField("period_end")

    class Meta:
        model = VisitCount
        fields = [
            "id",
            "site",
            "entrance",
            "period_start",
            "period_end",
            "count",
            "method",
            "note",
            "is_estimate",
            "estimate_reason",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[Event]):
    """An event, or ``occurrences`` events in [``starts_at``, ``ends_at``) for sources that
    publish only totals. ``attendance`` empty = not recorded; 0 = nobody came."""

    starts_at = SiteLocalInstantField("starts_at")
    ends_at = SiteLocalInstantField("ends_at", allow_null=True)
    local_date = SiteLocalDateField("starts_at", help_text="The local calendar day it starts.")

    class Meta:
        model = Event
        fields = [
            "id",
            "site",
            "starts_at",
            "ends_at",
            "local_date",
            "title",
            "event_type",
            "audience",
            "attendance",
            "occurrences",
            "is_digital",
            "in_partnership",
            "joint_with_citizen_service",
            "for_schools_kindergartens",
        ]
        read_only_fields = fields


class AnnualLibraryStatisticsSerializer(serializers.ModelSerializer[AnnualLibraryStatistics]):
    """One municipality's row of a national annual library statistics file (public reference
    data). Empty figures were empty in the source; ``extra`` keeps the source's other
    columns keyed by their header."""

    class Meta:
        model = AnnualLibraryStatistics
        exclude = ["import_batch"]
        read_only_fields = [f.name for f in AnnualLibraryStatistics._meta.concrete_fields]
