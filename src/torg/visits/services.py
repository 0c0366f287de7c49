"""Writes to visit counts, counter readings and zone head counts.

Every change to a :class:`~torg.visits.models.VisitCount` made by a person writes a
:class:`~torg.visits.models.VisitCountChange` audit row in the same transaction (who,
when, the values before and after), as the inquiry log does
(:mod:`torg.inquiries.services`). Recording and correcting counts needs the
``edit_organisation`` permission (site and section managers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from torg.lib.business_day import business_day_bounds
from torg.organisation.models import Site
from torg.organisation.roles import Permission
from torg.organisation.scoping import Tenancy, scoped
from torg.visits.attribution import attribute_fixed, attribute_sampled
from torg.visits.counters import (
    Conversion,
    CounterDirection,
    Gap,
    Reading,
    readings_to_counts,
)
from torg.visits.models import (
    AttributedVisits,
    AttributionMethod,
    Audience,
    CountChangeAction,
    CounterReading,
    CountMethod,
    DoorCounter,
    EntranceAttribution,
    Event,
    EventChange,
    EventNameMapping,
    EventSeries,
    EventType,
    VisitCount,
    VisitCountChange,
    ZoneHeadCount,
    ZoneService,
    event_name_key,
)
from torg.visits.totals import visit_totals_refresh

#: The fields of a count a correction may change, and that the audit trail records.
CORRECTABLE_FIELDS = ("count", "method", "note", "is_estimate", "estimate_reason")
_AUDITED_FIELDS = ("site", "entrance", "period_start", "period_end", *CORRECTABLE_FIELDS)


def visit_count_snapshot(count: VisitCount) -> dict[str, Any]:
    """The audited fields of ``count`` as JSON values (site id, ISO 8601 UTC instants)."""
    return {
        "site": count.site_id,
        "entrance": count.entrance,
        "period_start": count.period_start.astimezone(dt.UTC).isoformat(),
        "period_end": count.period_end.astimezone(dt.UTC).isoformat(),
        "count": count.count,
        "method": count.method,
        "note": count.note,
        "is_estimate": count.is_estimate,
        "estimate_reason": count.estimate_reason,
    }


def _require(tenancy: Tenancy) -> None:
    if not tenancy.allows(Permission.EDIT_ORGANISATION):
        raise PermissionDenied(_("Your role does not allow recording visit counts."))


def _clean_values(values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    count = values.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        errors["count"] = [_("Enter a whole number of visits, 0 or more.")]
    if values.get("method") not in CountMethod.values:
        errors["method"] = [_("Choose how the visits were counted.")]
    reason = str(values.get("estimate_reason") or "").strip()
    if values.get("is_estimate") and not reason:
        errors["estimate_reason"] = [_("Say why the figure is an estimate.")]
    if not values.get("is_estimate") and reason:
        errors["estimate_reason"] = [_("Only an estimate has a reason; tick 'estimate'.")]
    return errors


def visit_count_record(
    *,
    tenancy: Tenancy,
    user: User,
    site: Site,
    period_start: dt.datetime,
    period_end: dt.datetime,
    count: int,
    method: str = CountMethod.MANUAL,
    entrance: str = "",
    note: str = "",
    is_estimate: bool = False,
    estimate_reason: str = "",
    now: dt.datetime | None = None,
) -> VisitCount:
    """Record the visits of ``site`` (one ``entrance``, or ``""`` for all) in the half-open
    period [``period_start``, ``period_end``) (aware instants) with a ``create`` audit row.
    ``count`` 0 records that nobody came; a period never recorded stays missing.

    Raises :class:`PermissionDenied` for a role without ``edit_organisation`` and
    :class:`ValidationError` (by field) for a site of another municipality, an empty
    period, a bad count or method, an estimate without a reason, or a period that already
    has a count (correct that one instead).
    """
    _require(tenancy)
    now = now or timezone.now()
    if site.municipality_id != tenancy.municipality.pk:
        raise ValidationError({"site": [_("Choose one of your sites.")]})
    values = {
        "count": count,
        "method": method,
        "is_estimate": is_estimate,
        "estimate_reason": estimate_reason,
    }
    errors = _clean_values(values)
    if period_end <= period_start:
        errors["period_end"] = [_("The period must end after it starts.")]
    if errors:
        raise ValidationError(errors)
    row = VisitCount(
        municipality=tenancy.municipality,
        site=site,
        entrance=entrance.strip(),
        period_start=period_start,
        period_end=period_end,
        count=count,
        method=method,
        note=note.strip(),
        is_estimate=is_estimate,
        estimate_reason=estimate_reason.strip(),
    )
    try:
        with transaction.atomic():
            row.save()
            VisitCountChange.objects.create(
                municipality=tenancy.municipality,
                visit_count=row,
                visit_count_number=row.pk,
                action=CountChangeAction.CREATE,
                changed_by=user,
                changed_at=now,
                after=visit_count_snapshot(row),
            )
            visit_totals_refresh(tenancy)
    except IntegrityError as error:
        raise ValidationError(
            {"period_start": [_("This site and entrance already have a count for this period.")]}
        ) from error
    return row


def visit_count_correct(
    *,
    tenancy: Tenancy,
    user: User,
    visit_count: VisitCount,
    changes: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> VisitCount:
    """Change the fields named in ``changes`` (keys of :data:`CORRECTABLE_FIELDS`) and
    write an ``update`` audit row with only the fields that changed, old and new. Nothing
    changed: no write, no audit row. Raises :class:`PermissionDenied` as
    :func:`visit_count_record`, :class:`ValidationError` for unknown fields or bad values,
    and ``Http404``-worthy :class:`VisitCount.DoesNotExist` is the caller's concern (look
    the row up with :func:`~torg.organisation.scoping.scoped`)."""
    _require(tenancy)
    if visit_count.municipality_id != tenancy.municipality.pk:
        raise PermissionDenied(_("Not a count of your municipality."))
    now = now or timezone.now()
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be corrected.")] for name in unknown})
    values = {name: getattr(visit_count, name) for name in CORRECTABLE_FIELDS}
    values.update(changes)
    if not values["is_estimate"]:
        values["estimate_reason"] = str(changes.get("estimate_reason", "")).strip()
    errors = _clean_values(values)
    if errors:
        raise ValidationError(errors)
    before = visit_count_snapshot(visit_count)
    for name, value in values.items():
        setattr(visit_count, name, value.strip() if isinstance(value, str) else value)
    after = visit_count_snapshot(visit_count)
    changed = [name for name in _AUDITED_FIELDS if before[name] != after[name]]
    if not changed:
        return visit_count
    with transaction.atomic():
        visit_count.save()
        VisitCountChange.objects.create(
            municipality=tenancy.municipality,
            visit_count=visit_count,
            visit_count_number=visit_count.pk,
            action=CountChangeAction.UPDATE,
            changed_by=user,
            changed_at=now,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
        visit_totals_refresh(tenancy)
    return visit_count


def visit_count_delete(
    *,
    tenancy: Tenancy,
    user: User,
    visit_count: VisitCount,
    now: dt.datetime | None = None,
) -> int:
    """Delete ``visit_count`` (its period becomes *missing*, not zero) and keep its
    snapshot in a ``delete`` audit row. Returns the deleted count's id."""
    _require(tenancy)
    if visit_count.municipality_id != tenancy.municipality.pk:
        raise PermissionDenied(_("Not a count of your municipality."))
    now = now or timezone.now()
    number = visit_count.pk
    snapshot = visit_count_snapshot(visit_count)
    with transaction.atomic():
        visit_count.delete()
        VisitCountChange.objects.create(
            municipality=tenancy.municipality,
            visit_count=None,
            visit_count_number=number,
            action=CountChangeAction.DELETE,
            changed_by=user,
            changed_at=now,
            before=snapshot,
        )
        visit_totals_refresh(tenancy)
    return number


@dataclass(frozen=True)
class CounterConversionResult:
    """What :func:`counter_readings_convert` did: counts created, counts already there
    (a re-run adds nothing), and the gaps whose hours stay missing."""

    created: int
    existing: int
    gaps: tuple[Gap, ...]
    conversion: Conversion


def counter_readings_convert(
    *,
    tenancy: Tenancy,
    counter: DoorCounter,
    first: dt.datetime | None = None,
    last: dt.datetime | None = None,
) -> CounterConversionResult:
    """Turn ``counter``'s readings (optionally those read from ``first`` to ``last``,
    inclusive) into automatic :class:`VisitCount` rows, one per step between consecutive
    readings (:func:`torg.visits.counters.readings_to_counts`). Steps that already have a
    count are left as they are; gaps create nothing and are returned.

    Raises :class:`PermissionDenied` as :func:`visit_count_record` and ``ValueError``
    for readings the conversion refuses."""
    _require(tenancy)
    readings_qs = scoped(CounterReading, tenancy.municipality).filter(counter=counter)
    if first is not None:
        readings_qs = readings_qs.filter(read_at__gte=first)
    if last is not None:
        readings_qs = readings_qs.filter(read_at__lte=last)
    readings: Sequence[Reading] = [
        Reading(read_at, value)
        for read_at, value in readings_qs.order_by("read_at").values_list("read_at", "value")
    ]
    conversion = readings_to_counts(
        readings,
        step=dt.timedelta(minutes=counter.step_minutes),
        direction=CounterDirection(counter.direction),
        modulus=counter.modulus,
    )
    rows = [
        VisitCount(
            municipality=tenancy.municipality,
            site_id=counter.site_id,
            entrance=counter.entrance,
            period_start=step.start,
            period_end=step.end,
            count=step.visits,
            method=CountMethod.AUTOMATIC,
            note=_("From counter readings (meter rolled over)") if step.rolled_over else "",
        )
        for step in conversion.counts
    ]
    before = scoped(VisitCount, tenancy.municipality).filter(
        site_id=counter.site_id, entrance=counter.entrance
    )
    existing_before = before.count()
    with transaction.atomic():
        VisitCount.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        visit_totals_refresh(tenancy)
    created = before.count() - existing_before
    return CounterConversionResult(
        created=created,
        existing=len(rows) - created,
        gaps=conversion.gaps,
        conversion=conversion,
    )


def zone_sweep_record(
    *,
    tenancy: Tenancy,
    user: User,
    site: Site,
    sweep_at: dt.datetime,
    counts: Mapping[str, tuple[str, int]],
) -> list[ZoneHeadCount]:
    """Record one sweep of ``site`` at ``sweep_at``: ``counts`` maps each zone counted to
    (:class:`~torg.visits.models.ZoneService` value, people present). A zone left out was
    not counted (missing), a 0 was counted empty. All zones or none are saved.

    Raises :class:`PermissionDenied` as :func:`visit_count_record` and
    :class:`ValidationError` for an empty sweep, a negative count, an unknown service, a
    site of another municipality or a zone already counted at that instant."""
    _require(tenancy)
    if site.municipality_id != tenancy.municipality.pk:
        raise ValidationError({"site": [_("Choose one of your sites.")]})
    if not counts:
        raise ValidationError({"counts": [_("Count at least one zone.")]})
    rows = []
    for zone_name, (service, people) in counts.items():
        name = zone_name.strip()
        if not name:
            raise ValidationError({"counts": [_("Every zone needs a name.")]})
        if service not in ZoneService.values:
            raise ValidationError(
                {"counts": [_("Zone %(zone)s: unknown service.") % {"zone": name}]}
            )
        if isinstance(people, bool) or not isinstance(people, int) or people < 0:
            raise ValidationError(
                {"counts": [_("Zone %(zone)s: enter 0 or more people.") % {"zone": name}]}
            )
        rows.append(
            ZoneHeadCount(
                municipality=tenancy.municipality,
                site=site,
                sweep_at=sweep_at,
                zone=name,
                service=service,
                count=people,
                recorded_by=user,
            )
        )
    try:
        with transaction.atomic():
            ZoneHeadCount.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ValidationError(
            {"sweep_at": [_("These zones were already counted at this time.")]}
        ) from error
    return rows


def attribution_set(
    *,
    tenancy: Tenancy,
    site: Site,
    method: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    library_share: Decimal | None = None,
    note: str = "",
) -> EntranceAttribution:
    """Choose how ``site``'s door counts are split from ``valid_from`` to ``valid_to``
    (inclusive; ``None``: open). A fixed share needs ``library_share`` (0–1); the other
    methods take none. Raises :class:`ValidationError` for a bad share, a reversed
    period, a site of another municipality or a period overlapping another of the site."""
    _require(tenancy)
    if site.municipality_id != tenancy.municipality.pk:
        raise ValidationError({"site": [_("Choose one of your sites.")]})
    if method not in AttributionMethod.values:
        raise ValidationError({"method": [_("Choose a method.")]})
    if method == AttributionMethod.FIXED_SHARE:
        if library_share is None or not 0 <= library_share <= 1:
            raise ValidationError({"library_share": [_("Enter a share between 0 and 1.")]})
    elif library_share is not None:
        raise ValidationError({"library_share": [_("Only a fixed share takes a share.")]})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The last day cannot come before the first day.")]})
    others = scoped(EntranceAttribution, tenancy.municipality).filter(site=site)
    overlapping = others.filter(valid_to__isnull=True) | others.filter(valid_to__gte=valid_from)
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if overlapping.exists():
        raise ValidationError({"valid_from": [_("Another method is set for part of this period.")]})
    return EntranceAttribution.objects.create(
        municipality=tenancy.municipality,
        site=site,
        method=method,
        library_share=library_share,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note.strip(),
    )


def attribution_method_for(
    tenancy: Tenancy, site: Site, first_day: dt.date, last_day: dt.date
) -> EntranceAttribution | None:
    """The method chosen for ``site`` that covers every day from ``first_day`` to
    ``last_day``, or ``None``."""
    rows = scoped(EntranceAttribution, tenancy.municipality).filter(
        site=site, valid_from__lte=first_day
    )
    return (
        (rows.filter(valid_to__isnull=True) | rows.filter(valid_to__gte=last_day))
        .order_by("-valid_from")
        .first()
    )


def attribution_compute(
    *,
    tenancy: Tenancy,
    site: Site,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime | None = None,
) -> AttributedVisits:
    """Compute and store the library's part of ``site``'s door count for business days
    ``first_day`` to ``last_day`` (inclusive) by the method chosen for them
    (:func:`attribution_method_for`), with its band (:mod:`torg.visits.attribution`).
    The door count is the total of the site's daily series (:func:`site_series`, every
    count of the site); ``missing_periods`` is the number of days without any count, so
    that a report can say the door count is incomplete. A later call replaces the stored
    figure for the same range.

    Raises :class:`ValidationError` when no single method covers the range or a sampled
    method has no sample (no library or municipal inquiries, no people counted in
    library or citizen-service zones)."""
    from torg.inquiries.models import Inquiry
    from torg.visits.series import SeriesUnit, site_series

    _require(tenancy)
    now = now or timezone.now()
    chosen = attribution_method_for(tenancy, site, first_day, last_day)
    if chosen is None:
        raise ValidationError(
            {"site": [_("No attribution method is set for the whole of this period.")]}
        )
    series = site_series(tenancy, site, unit=SeriesUnit.DAY, first_day=first_day, last_day=last_day)
    door = series.total
    start, end = business_day_bounds(first_day, last_day, site.business_day_starts, site.time_zone)
    try:
        if chosen.method == AttributionMethod.FIXED_SHARE:
            assert chosen.library_share is not None
            result = attribute_fixed(door, float(chosen.library_share))
        elif chosen.method == AttributionMethod.INQUIRY_SHARE:
            by_domain = dict(
                scoped(Inquiry, tenancy.municipality)
                .filter(site=site, occurred_at__gte=start, occurred_at__lt=end)
                .values_list("domain")
                .annotate(n=Count("pk"))
                .order_by()
                .values_list("domain", "n")
            )
            library = by_domain.pop("library", 0)
            municipal = by_domain.pop("municipal", 0)
            result = attribute_sampled(
                chosen.method, door, library, municipal, left_out=sum(by_domain.values())
            )
        else:
            by_service = dict(
                scoped(ZoneHeadCount, tenancy.municipality)
                .filter(site=site, sweep_at__gte=start, sweep_at__lt=end)
                .values("service")
                .annotate(n=Sum("count"))
                .order_by()
                .values_list("service", "n")
            )
            result = attribute_sampled(
                chosen.method,
                door,
                int(by_service.get(ZoneService.LIBRARY) or 0),
                int(by_service.get(ZoneService.CITIZEN_SERVICE) or 0),
                left_out=int(by_service.get(ZoneService.SHARED) or 0),
            )
    except ValueError as error:
        raise ValidationError(
            {"method": [_("The sample for this period is empty; there is no share to apply.")]}
        ) from error
    stored, _created = AttributedVisits.objects.update_or_create(
        site=site,
        first_day=first_day,
        last_day=last_day,
        defaults={
            "municipality": tenancy.municipality,
            "method": result.method,
            "door_visits": result.door_visits,
            "library_share": result.share,
            "library_visits": result.library_visits,
            "library_low": result.library_low,
            "library_high": result.library_high,
            "sample_size": result.sample_size,
            "missing_periods": series.missing,
            "computed_at": now,
        },
    )
    return stored


def event_name_mapping_save(
    *,
    tenancy: Tenancy,
    source: str,
    name: str,
    event_type: str,
    audience: str,
    for_schools_kindergartens: bool = False,
) -> EventNameMapping:
    """Add or change the municipality's row of the event-name table of ``source`` for
    ``name`` (compared case-insensitively, spaces collapsed: :func:`event_name_key`).
    Raises :class:`ValidationError` for an empty name or unknown type or audience."""
    _require(tenancy)
    key = event_name_key(name)
    if not key:
        raise ValidationError({"name": [_("Enter the event name as the file writes it.")]})
    if event_type not in EventType.values:
        raise ValidationError({"event_type": [_("Choose a type.")]})
    if audience not in Audience.values:
        raise ValidationError({"audience": [_("Choose an audience.")]})
    row, _created = EventNameMapping.objects.update_or_create(
        municipality=tenancy.municipality,
        source=source,
        name_key=key,
        defaults={
            "event_type": event_type,
            "audience": audience,
            "for_schools_kindergartens": for_schools_kindergartens,
        },
    )
    return row


#: The fields of an event a correction may change, and that the audit trail records.
EVENT_FIELDS = (
    "site",
    "starts_at",
    "ends_at",
    "title",
    "event_type",
    "audience",
    "attendance",
    "is_digital",
    "in_partnership",
    "joint_with_citizen_service",
    "for_schools_kindergartens",
    "series_title",
)


def event_snapshot(event: Event) -> dict[str, Any]:
    """The audited fields of ``event`` as JSON values (site id, ISO 8601 UTC instants,
    the series' title; ``occurrences`` too, which only imports set)."""

    def instant(value: dt.datetime | None) -> str | None:
        return value.astimezone(dt.UTC).isoformat() if value is not None else None

    return {
        "site": event.site_id,
        "starts_at": instant(event.starts_at),
        "ends_at": instant(event.ends_at),
        "title": event.title,
        "event_type": event.event_type,
        "audience": event.audience,
        "attendance": event.attendance,
        "occurrences": event.occurrences,
        "is_digital": event.is_digital,
        "in_partnership": event.in_partnership,
        "joint_with_citizen_service": event.joint_with_citizen_service,
        "for_schools_kindergartens": event.for_schools_kindergartens,
        "series_title": event.series.title if event.series_id and event.series else "",
    }


def _event_errors(tenancy: Tenancy, values: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    site = values.get("site")
    if site is not None and site.municipality_id != tenancy.municipality.pk:
        errors["site"] = [_("Choose one of your sites.")]
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if ends_at is not None and starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = [_("The event must end after it starts.")]
    attendance = values.get("attendance")
    if attendance is not None and attendance < 0:
        errors["attendance"] = [_("Enter 0 or more.")]
    if values.get("event_type") not in EventType.values:
        errors["event_type"] = [_("Choose a type.")]
    if values.get("audience") not in Audience.values:
        errors["audience"] = [_("Choose an audience.")]
    return errors


def _event_series(tenancy: Tenancy, title: str) -> EventSeries | None:
    if not title.strip():
        return None
    series, _created = EventSeries.objects.get_or_create(
        municipality=tenancy.municipality, title=title.strip()
    )
    return series


def event_record(
    *,
    tenancy: Tenancy,
    site: Site | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    title: str,
    event_type: str,
    audience: str,
    attendance: int | None,
    is_digital: bool = False,
    in_partnership: bool = False,
    joint_with_citizen_service: bool = False,
    for_schools_kindergartens: bool = False,
    series_title: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Record one event, with a ``create`` audit row (:class:`EventChange`) naming
    ``user``. ``attendance`` ``None`` means not counted (0: nobody came).
    ``series_title`` names a recurring series (found or created by its title). Raises
    :class:`ValidationError` for a site of another municipality, an end not after the
    start, a negative attendance, or an unknown type or audience."""
    _require(tenancy)
    errors = _event_errors(
        tenancy,
        {
            "site": site,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "attendance": attendance,
            "event_type": event_type,
            "audience": audience,
        },
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = Event.objects.create(
            municipality=tenancy.municipality,
            site=site,
            starts_at=starts_at,
            ends_at=ends_at,
            title=title.strip(),
            event_type=event_type,
            audience=audience,
            attendance=attendance,
            occurrences=1,
            is_digital=is_digital,
            in_partnership=in_partnership,
            joint_with_citizen_service=joint_with_citizen_service,
            for_schools_kindergartens=for_schools_kindergartens,
            series=_event_series(tenancy, series_title),
        )
        EventChange.objects.create(
            municipality=tenancy.municipality,
            event=event,
            event_number=event.pk,
            action=CountChangeAction.CREATE,
            changed_by=user,
            changed_at=now or timezone.now(),
            after=event_snapshot(event),
        )
    return event


def event_correct(
    *,
    tenancy: Tenancy,
    user: User | None,
    event: Event,
    changes: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> Event:
    """Change the fields named in ``changes`` (keys of :data:`EVENT_FIELDS`;
    ``series_title`` finds or creates the series, ``""`` takes the event out of its
    series) and write an ``update`` audit row with only the fields that changed, old and
    new. Nothing changed: no write, no audit row. Raises :class:`PermissionDenied` for a
    role without ``edit_organisation`` or an event of another municipality, and
    :class:`ValidationError` for unknown fields or values :func:`event_record` refuses."""
    _require(tenancy)
    if event.municipality_id != tenancy.municipality.pk:
        raise PermissionDenied(_("Not an event of your municipality."))
    unknown = sorted(set(changes) - set(EVENT_FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be corrected.")] for name in unknown})
    values: dict[str, Any] = {
        name: getattr(event, name) for name in EVENT_FIELDS if name != "series_title"
    }
    values["series_title"] = event.series.title if event.series_id and event.series else ""
    values.update(changes)
    errors = _event_errors(tenancy, values)
    if errors:
        raise ValidationError(errors)
    before = event_snapshot(event)
    with transaction.atomic():
        series_title = str(values.pop("series_title") or "").strip()
        for name, value in values.items():
            setattr(event, name, value.strip() if isinstance(value, str) else value)
        if series_title != before["series_title"]:
            event.series = _event_series(tenancy, series_title)
        after = event_snapshot(event)
        changed = [name for name in after if before[name] != after[name]]
        if not changed:
            transaction.set_rollback(True)  # a series found or created for nothing
            return event
        event.save()
        EventChange.objects.create(
            municipality=tenancy.municipality,
            event=event,
            event_number=event.pk,
            action=CountChangeAction.UPDATE,
            changed_by=user,
            changed_at=now or timezone.now(),
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return event


def event_delete(
    *, tenancy: Tenancy, user: User | None, event: Event, now: dt.datetime | None = None
) -> int:
    """Delete ``event`` (it leaves every count and figure) and keep its snapshot in a
    ``delete`` audit row. Returns the deleted event's id. Raises
    :class:`PermissionDenied` as :func:`event_correct`."""
    _require(tenancy)
    if event.municipality_id != tenancy.municipality.pk:
        raise PermissionDenied(_("Not an event of your municipality."))
    number = event.pk
    snapshot = event_snapshot(event)
    with transaction.atomic():
        event.delete()
        EventChange.objects.create(
            municipality=tenancy.municipality,
            event=None,
            event_number=number,
            action=CountChangeAction.DELETE,
            changed_by=user,
            changed_at=now or timezone.now(),
            before=snapshot,
        )
    return number


def door_counter_add(
    *,
    tenancy: Tenancy,
    site: Site,
    entrance: str = "",
    direction: str,
    modulus: int | None = None,
    step_minutes: int = 60,
) -> DoorCounter:
    """Register the door counter of ``site``'s ``entrance`` (``""``: the whole site):
    ``direction`` a :class:`~torg.visits.counters.CounterDirection` value, ``modulus``
    the value at which its meter rolls over (``None``: never), read every
    ``step_minutes``. Raises :class:`ValidationError` for bad values, a site of another
    municipality or an entrance that already has a counter."""
    _require(tenancy)
    errors: dict[str, list[str]] = {}
    if site.municipality_id != tenancy.municipality.pk:
        errors["site"] = [_("Choose one of your sites.")]
    if direction not in {d.value for d in CounterDirection}:
        errors["direction"] = [_("Choose in and out, or entries only.")]
    if modulus is not None and modulus < 2:
        errors["modulus"] = [_("A meter rolls over at 2 or more.")]
    if step_minutes < 1:
        errors["step_minutes"] = [_("Enter 1 minute or more.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return DoorCounter.objects.create(
                municipality=tenancy.municipality,
                site=site,
                entrance=entrance.strip(),
                direction=direction,
                modulus=modulus,
                step_minutes=step_minutes,
            )
    except IntegrityError as error:
        raise ValidationError({"entrance": [_("This entrance already has a counter.")]}) from error
