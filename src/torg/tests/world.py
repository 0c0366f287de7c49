"""A small, complete "world" per municipality for the tenancy tests.

:func:`build_world` gives a municipality one row of *every* tenant model (every model with
a ``municipality`` field, see :func:`torg.organisation.scoping.is_tenant_model`), all with
the same primary key. A URL parameter such as ``<int:pk>`` can then be filled with that one
number and is sure to name an existing object of the municipality, whatever model the view
looks up. Known models get a hand-written builder; a tenant model added later by another
app is built by :func:`_autofill` from its fields, so the tenancy tests cover it without
anyone editing this file (unless its constraints need more care: then the test failure
says to add a builder here).

:func:`make_stray_copy` makes the inconsistent rows that the scoping must hide: a row that
belongs to one municipality but whose foreign keys point at another's objects (a desk of
municipality Y attached to a site of X). No form allows it, but the database does not
forbid it, so only scoped querysets keep it out of X's pages and API.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.imports.models import ImportBatch
from torg.inquiries.models import Channel, Inquiry, InquiryDomain, Outcome
from torg.organisation.models import (
    Membership,
    Municipality,
    OpeningHours,
    OpeningHoursKind,
    OrganisationalModel,
    Role,
    ServicePoint,
    ServicePointKind,
    Site,
    SiteKind,
    SiteModelPeriod,
)
from torg.organisation.scoping import is_tenant_model
from torg.rosters.models import DemandSlot, Roster, ShiftTemplate
from torg.surveys.models import Wave as SurveyWave
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount

M = TypeVar("M", bound=models.Model)
UTC = dt.UTC
#: A moment inside every range the tests use: Monday 15 January 2024, 10:00 UTC.
WORLD_INSTANT = dt.datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
WORLD_DAY = dt.date(2024, 1, 15)
#: The day of the stray rows' date fields: far from every world period, so that a stray
#: model period of a site does not overlap the site's own (the database refuses overlaps).
STRAY_DAY = dt.date(1990, 1, 1)


def tenant_models() -> list[type[models.Model]]:
    """Every installed model whose rows belong to a municipality, by label."""
    return sorted((m for m in apps.get_models() if is_tenant_model(m)), key=lambda m: m._meta.label)


def world_uuid(number: int) -> uuid.UUID:
    return uuid.UUID(int=number)


@dataclass
class World:
    """One municipality's world: ``objects[model]`` is its row of each tenant model, every
    one with primary key ``number`` (or ``world_uuid(number)`` for UUID keys); ``code`` is
    the text of its slug and name fields, ``user`` a member (desk staff) with id ``number``.
    """

    municipality: Municipality
    number: int
    code: str
    user: Any
    objects: dict[type[models.Model], models.Model] = field(default_factory=dict)

    def get(self, model: type[M]) -> M:
        if model not in self.objects:
            self.objects[model] = _build(self, model)
        return cast(M, self.objects[model])


def _pk_for(model: type[models.Model], number: int) -> Any:
    return world_uuid(number) if isinstance(model._meta.pk, models.UUIDField) else number


Builder = Callable[[World, int], models.Model]


def _membership(world: World, pk: int) -> models.Model:
    return Membership.objects.create(
        pk=pk, user=world.user, municipality=world.municipality, role=Role.DESK_STAFF
    )


def _site(world: World, pk: int) -> models.Model:
    return Site.objects.create(
        pk=pk,
        municipality=world.municipality,
        name=world.code,
        code=world.code,
        kind=SiteKind.JOINT,
        time_zone="Europe/Oslo",
    )


def _service_point(world: World, pk: int) -> models.Model:
    return ServicePoint.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        name=world.code,
        kind=ServicePointKind.DESK,
    )


def _opening_hours(world: World, pk: int) -> models.Model:
    return OpeningHours.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        weekday=0,
        opens=dt.time(9),
        closes=dt.time(15),
        kind=OpeningHoursKind.STAFFED,
    )


def _site_model_period(world: World, pk: int) -> models.Model:
    return SiteModelPeriod.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        model=OrganisationalModel.TOTAL,
        valid_from=dt.date(2020, 1, 1),
        note=world.code,
    )


def _service_category(world: World, pk: int) -> models.Model:
    return ServiceCategory.objects.create(
        pk=pk,
        municipality=world.municipality,
        code=world.code,
        name_nb=world.code,
        name_en=world.code,
    )


def _service(world: World, pk: int) -> models.Model:
    return Service.objects.create(
        pk=pk,
        municipality=world.municipality,
        category=world.get(ServiceCategory),
        code=world.code,
        name_nb=world.code,
        name_en=world.code,
        domain=Domain.LIBRARY,
        level=Level.GENERALIST,
    )


def _import_batch(world: World, pk: int) -> models.Model:
    return ImportBatch.objects.create(
        pk=pk,
        municipality=world.municipality,
        profile=world.code,
        file_name=f"{world.code}.csv",
        file_sha256="0" * 64,
        started_at=WORLD_INSTANT,
        finished_at=WORLD_INSTANT,
    )


def _inquiry(world: World, pk: int) -> models.Model:
    return Inquiry.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        service_point=world.get(ServicePoint),
        occurred_at=WORLD_INSTANT,
        channel=Channel.IN_PERSON,
        service=world.get(Service),
        domain=InquiryDomain.LIBRARY,
        outcome=Outcome.RESOLVED,
        read_effort=2,
        source_key=world.code,
    )


def _visit_count(world: World, pk: int) -> models.Model:
    return VisitCount.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        period_start=WORLD_INSTANT,
        period_end=WORLD_INSTANT + dt.timedelta(hours=1),
        count=5,
        method=CountMethod.MANUAL,
    )


def _event(world: World, pk: int) -> models.Model:
    return Event.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        starts_at=WORLD_INSTANT,
        title=world.code,
        event_type=EventType.CULTURE,
        audience=Audience.CHILDREN,
        attendance=12,
        source_key=world.code,
    )


def _wave(world: World, pk: int) -> models.Model:
    """A survey wave whose public id is the world's UUID, so ``/s/<uuid>/`` names it."""
    wave = _autofill(world, SurveyWave, pk)
    SurveyWave.objects.filter(pk=pk).update(
        public_id=world_uuid(world.number),
        status="open",
        open_link=True,
        # Not anonymous: its results are shown while it is open, so the walks read them.
        anonymous=False,
    )
    wave.refresh_from_db()
    return wave


def _shift_template(world: World, pk: int) -> models.Model:
    return ShiftTemplate.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        code=world.code,
        starts=dt.time(9),
        ends=dt.time(16),
        weekdays=[0, 1, 2, 3, 4],
    )


def _demand_slot(world: World, pk: int) -> models.Model:
    return DemandSlot.objects.create(
        pk=pk,
        municipality=world.municipality,
        site=world.get(Site),
        weekday=0,
        starts=dt.time(10),
        ends=dt.time(11),
        minimum=1,
    )


def _roster(world: World, pk: int) -> models.Model:
    # The version is the world's number, so that two worlds of one municipality (the
    # site-scoping tests) do not share (municipality, period, version).
    return Roster.objects.create(
        pk=pk,
        municipality=world.municipality,
        period_start=dt.date(2024, 1, 15),
        weeks=1,
        version=world.number,
    )


def _checklist_item(world: World, pk: int) -> models.Model:
    # One row per municipality and method: a second world of the same municipality (the
    # site-scoping tests) takes another method. The stray copy takes "time_set_aside".
    from torg.evaluation.models import HelpfulMethod, MethodChecklistItem

    methods = [value for value in HelpfulMethod.values if value != "time_set_aside"]
    return MethodChecklistItem.objects.create(
        pk=pk,
        municipality=world.municipality,
        method=methods[(world.number // 10000) % len(methods)],
    )


BUILDERS: dict[type[models.Model], Builder] = {
    Membership: _membership,
    Site: _site,
    ServicePoint: _service_point,
    OpeningHours: _opening_hours,
    SiteModelPeriod: _site_model_period,
    ServiceCategory: _service_category,
    Service: _service,
    ImportBatch: _import_batch,
    Inquiry: _inquiry,
    VisitCount: _visit_count,
    Event: _event,
    SurveyWave: _wave,
    ShiftTemplate: _shift_template,
    DemandSlot: _demand_slot,
    Roster: _roster,
}
BUILDERS_BY_LABEL: dict[str, Builder] = {"evaluation.MethodChecklistItem": _checklist_item}


def _value_for(world: World, model_field: models.Field[Any, Any]) -> Any:
    """A plausible value for one required field of a model without a builder."""
    if model_field.choices:
        return model_field.choices[0][0]
    if isinstance(model_field, models.ForeignKey):
        target = model_field.related_model
        assert isinstance(target, type)
        if target is Municipality:
            return world.municipality
        if target is get_user_model():
            return world.user
        if is_tenant_model(target):
            return world.get(target)
        existing = target._default_manager.first()
        if existing is None:
            raise LookupError(f"no row of {target._meta.label} to point at")
        return existing
    simple: list[tuple[type[models.Field[Any, Any]], Any]] = [
        (models.EmailField, "world@example.org"),
        (models.URLField, "https://example.org/"),
        (models.UUIDField, world_uuid(world.number)),
        (models.BooleanField, False),
        (models.DecimalField, Decimal(1)),
        (models.FloatField, 1.0),
        (models.IntegerField, 1),  # also the positive and small variants
        (models.DateTimeField, WORLD_INSTANT),  # before DateField: it is a subclass
        (models.DateField, WORLD_DAY),
        (models.TimeField, dt.time(9)),
        (models.DurationField, dt.timedelta(hours=1)),
        (models.JSONField, {}),
    ]
    for field_class, value in simple:
        if isinstance(model_field, field_class):
            return value
    if isinstance(model_field, models.CharField | models.TextField):
        limit = getattr(model_field, "max_length", None) or len(world.code)
        return world.code[:limit]
    raise LookupError(f"no default for {type(model_field).__name__} {model_field.name}")


def _autofill(world: World, model: type[models.Model], pk: Any) -> models.Model:
    values: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.has_default():
            continue
        if model_field.null and not (
            isinstance(model_field, models.ForeignKey) and model_field.name == "municipality"
        ):
            continue
        if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            continue
        values[model_field.name] = _value_for(world, model_field)
    return model._default_manager.create(pk=pk, **values)


def _build(world: World, model: type[models.Model]) -> models.Model:
    pk = _pk_for(model, world.number)
    builder = BUILDERS.get(model) or BUILDERS_BY_LABEL.get(model._meta.label)
    try:
        with transaction.atomic():
            return builder(world, pk) if builder else _autofill(world, model, pk)
    except (IntegrityError, LookupError, ValueError) as error:
        raise AssertionError(
            f"The tenancy tests cannot build a row of {model._meta.label} for "
            f"{world.municipality.slug}: {error}. Add a builder for it to BUILDERS in "
            "src/torg/tests/world.py."
        ) from error


def build_world(municipality: Municipality, number: int, *, code: str | None = None) -> World:
    """Give ``municipality`` one row of every tenant model, each with primary key
    ``number``, plus a member (desk staff) whose user id is ``number``. ``code`` (default
    ``world-<slug>``) is the text of the rows' names; a second world in the same
    municipality needs another."""
    code = code or f"world-{municipality.slug}"
    user = get_user_model().objects.create_user(pk=number, username=code, password=None)
    world = World(municipality=municipality, number=number, code=code, user=user)
    for model in tenant_models():
        world.get(model)
    return world


def stray_marker(number: int) -> str:
    return f"stray-row-{number}"


def _close_source_referral(source_row: models.Model) -> None:
    """An inquiry has at most one open referral (constraint
    ``referral_one_open_per_inquiry``): the source world's referral is declined so that
    the stray copy, which points at the same inquiry, stays open (what the queue shows)."""
    type(source_row)._default_manager.filter(pk=source_row.pk).update(
        status="declined",
        first_response_at=models.F("created_at"),
        declined_at=models.F("created_at"),
    )


#: Models whose stray copy would break a constraint together with the source row: what
#: to change on the source row first (by model label).
def _move_stray_reading(row: models.Model) -> None:
    # The copy (not the source) reads the same counter a day earlier: one per instant.
    row.read_at -= dt.timedelta(days=1)  # type: ignore[attr-defined]


def _other_checklist_method(row: models.Model) -> None:
    # One checklist row per municipality and method: the stray copy takes another method.
    row.method = "time_set_aside"  # type: ignore[attr-defined]


MAKE_ROOM_FOR_STRAY: dict[str, Callable[[models.Model], None]] = {
    "referrals.Referral": _close_source_referral,
    "visits.CounterReading": _move_stray_reading,
    "evaluation.MethodChecklistItem": _other_checklist_method,
}


def _stray_wave(row: Any) -> None:
    row.number += 1000
    row.public_id = uuid.uuid4()


def _stray_response(row: Any) -> None:
    row.submission_key = uuid.uuid4()


def _stray_draft(row: Any) -> None:
    token = row.token
    row.token = type(token)._default_manager.create(
        municipality=token.municipality, wave=token.wave, token_hash=uuid.uuid4().hex * 2
    )


def _stray_answer(row: Any) -> None:
    response = row.response
    row.response = type(response)._default_manager.create(
        municipality=response.municipality, wave=response.wave, submission_key=uuid.uuid4()
    )


#: Models whose stray copy must differ from its source row in a field that a unique
#: constraint covers: what to change on the copy (by model label).
MAKE_STRAY_UNIQUE: dict[str, Callable[[Any], None]] = {
    "surveys.Wave": _stray_wave,
    "surveys.Response": _stray_response,
    "surveys.ResponseDraft": _stray_draft,
    "surveys.Answer": _stray_answer,
}


def make_stray_copy(
    model: type[models.Model], source: World, owner: Municipality, number: int
) -> models.Model:
    """A copy of ``source``'s row of ``model`` that belongs to ``owner`` but keeps its
    foreign keys into ``source``'s world: primary key ``number``, every free-text field set
    to :func:`stray_marker` (so it can be spotted on a page) and every date moved to
    :data:`STRAY_DAY`. See :data:`MAKE_ROOM_FOR_STRAY` for the source rows it changes."""
    row = model._default_manager.get(pk=source.objects[model].pk)
    make_room = MAKE_ROOM_FOR_STRAY.get(model._meta.label)
    if make_room is not None:
        make_room(row)
    row.pk = _pk_for(model, number)
    row._state.adding = True
    marker = stray_marker(number)
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.choices or model_field.is_relation:
            continue
        if isinstance(model_field, models.CharField | models.TextField) and not isinstance(
            model_field, models.EmailField | models.URLField
        ):
            limit = getattr(model_field, "max_length", None) or len(marker)
            setattr(row, model_field.attname, marker[:limit])
        elif isinstance(model_field, models.DateField) and not isinstance(
            model_field, models.DateTimeField
        ):
            setattr(row, model_field.attname, STRAY_DAY)
    row.municipality = owner  # type: ignore[attr-defined]
    make_unique = MAKE_STRAY_UNIQUE.get(model._meta.label)
    if make_unique is not None:
        make_unique(row)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as error:
        raise AssertionError(
            f"Cannot make a stray {model._meta.label} row: {error}. Teach make_stray_copy in "
            "src/torg/tests/world.py how to keep its constraints."
        ) from error
    return row
