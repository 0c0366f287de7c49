"""The short way through ``POST /api/v1/m/<municipality>/inquiries/`` for the common case.

Logging an inquiry is the one write a desk makes many times an hour, and the API is how
desk tablets, chat tools and ticket systems send them. Through Django REST framework's
full machinery (authentication classes, permission classes, a serializer with three
related-row look-ups, the idempotency look-up) one request cost about a dozen SQL
statements and ten times the CPU of the write itself. This module serves the *ordinary*
request, a valid inquiry from a token client with a new ``Idempotency-Key``, with

* one read: the token, its user, the membership in the URL's municipality with the
  member's sites, whether the key was used before, and the site, service point and
  service named in the body, in a single statement;
* the same checks as every other way of recording an inquiry
  (:func:`torg.inquiries.services.inquiry_record_check`, the same serializer fields for
  the values), and the same write (:func:`~torg.inquiries.services.inquiry_record_save`
  and :func:`torg.api.idempotency.store_key` in one transaction).

Anything out of the ordinary returns ``None``, and the caller hands the request to the
full path, which then gives the answer it always gave: no or a bad token, a session
login, another municipality or a role that may not record, a used ``Idempotency-Key``
(a replay or a 422), a body that is not a JSON object of known fields with plain JSON
values, an id that is not found, any value a check refuses, ``?format=`` or an ``Accept``
other than JSON, a municipality token whose last-use time is due for an update, and a
lost race for the key. So every refusal is worded and shaped by one piece of code, and
the tests send every request both ways and compare the answers and the rows stored.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers as drf_serializers
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from torg.api.idempotency import (
    HEADER,
    MAX_KEY_LENGTH,
    fingerprint_of,
    inquiry_client_key,
    store_key,
)
from torg.api.models import ApiToken, IdempotencyKey
from torg.api.tokens import PREFIX as API_TOKEN_PREFIX
from torg.catalogue.models import Service
from torg.inquiries.services import InquiryDraft, inquiry_record_check, inquiry_record_save
from torg.lib.pii import ScrubResult
from torg.organisation.models import SITE_BOUND_ROLES, Membership, Municipality, ServicePoint, Site
from torg.organisation.roles import Permission, role_allows
from torg.organisation.scoping import Tenancy

#: The body fields a request may carry (those of ``InquiryWriteSerializer``).
_RELATIONS = ("site", "service_point", "service")
_VALUES = (
    "occurred_at",
    "channel",
    "read_effort",
    "outcome",
    "user_type",
    "age_group",
    "language",
    "duration_band",
    "note",
)
_FIELDS = frozenset((*_RELATIONS, *_VALUES))
_ACCEPTED = frozenset({"", "*/*", "application/json", "application/*"})
#: As :class:`torg.api.tokens.ApiTokenAuthentication`: a token's last use is written at
#: most once a minute; when it is due, the full path writes it.
_LAST_USED_EVERY = timedelta(minutes=1)

_renderer = JSONRenderer()


#: The columns read of a municipality and a site: plain text and ids, which a raw cursor
#: returns as the ORM would (other fields stay deferred and are read if ever used).
_MUNICIPALITY_FIELDS = ("id", "name", "slug", "number", "country")
_SITE_FIELDS = ("id", "municipality_id", "name", "code", "time_zone", "kind")
_POINT_FIELDS = ("id", "municipality_id", "site_id")
_SERVICE_FIELDS = ("id", "municipality_id", "domain", "is_active")


@functools.cache
def _in_model_order(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    """``names`` (attribute names) in the order of the model's concrete fields, the order
    in which ``Model.from_db`` expects the values of a partial row."""
    wanted = set(names)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


def _columns(model: type[models.Model], alias: str, names: list[str]) -> str:
    """The quoted columns of the fields ``names``, to be read in that order (give the
    names in model order, :func:`_in_model_order`)."""
    qn = connection.ops.quote_name
    columns = (getattr(model._meta.get_field(name), "column", name) for name in names)
    return ", ".join(f"{alias}.{qn(str(column))}" for column in columns)


def _municipality_fields() -> list[str]:
    return _in_model_order(Municipality, _MUNICIPALITY_FIELDS)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _read_sql(bearer: bool, vendor: str) -> str:
    """The one statement that authenticates, authorises and finds the referenced rows:
    rows of (user id, is active, role, bound site id or NULL, key used before,
    municipality..., site..., service point..., service... [, scopes]), one per bound site
    (one row with NULL for a member bound to none). Parameters: the key, the site,
    service point and service ids, then the token's (see :func:`_read`)."""
    del vendor  # a key of the cache: quoting and types differ between databases
    qn = connection.ops.quote_name
    sites = qn(Membership.sites.through._meta.db_table)
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    head = (
        "SELECT u.id, u.is_active, mem.role, ms.site_id, "  # noqa: S608
        f"EXISTS (SELECT 1 FROM {_table(IdempotencyKey)} ik "
        'WHERE ik.user_id = u.id AND ik."key" = %s), '
        f"{_columns(Municipality, 'mu', _municipality_fields())}, "
        f"{_columns(Site, 's', _in_model_order(Site, _SITE_FIELDS))}, "
        f"{_columns(ServicePoint, 'sp', _in_model_order(ServicePoint, _POINT_FIELDS))}, "
        f"{_columns(Service, 'sv', _in_model_order(Service, _SERVICE_FIELDS))}"
    )
    joins = (
        f"JOIN {_table(User)} u ON u.id = t.user_id "
        f"JOIN {_table(Membership)} mem ON mem.user_id = u.id "
        f"JOIN {_table(Municipality)} mu ON mu.id = mem.municipality_id "
        f"LEFT JOIN {sites} ms ON ms.membership_id = mem.id "
        f"LEFT JOIN {_table(Site)} s ON s.id = %s AND s.municipality_id = mu.id "
        f"LEFT JOIN {_table(ServicePoint)} sp ON sp.id = %s AND sp.municipality_id = mu.id "
        f"LEFT JOIN {_table(Service)} sv ON sv.id = %s AND sv.municipality_id = mu.id "
    )
    if bearer:
        return (
            f"{head}, t.scopes FROM {_table(ApiToken)} t {joins}"
            "WHERE t.key_hash = %s AND mu.slug = %s AND t.municipality_id = mu.id "
            "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s) "
            "AND t.last_used_at IS NOT NULL AND t.last_used_at > %s"
        )
    return f"{head} FROM {_table(Token)} t {joins}WHERE t.{qn('key')} = %s AND mu.slug = %s"


class _Read(NamedTuple):
    tenancy: Tenancy
    user: User
    site: Site
    service_point: ServicePoint | None
    service: Service | None


def _read(
    request: HttpRequest,
    slug: str,
    key: str,
    site_id: int,
    point_id: int | None,
    service_id: int | None,
) -> _Read | None:
    """The caller's tenancy and user, and the site, service point and service the body
    names, when the ``Authorization`` header holds a valid token of a member of ``slug``
    who may record inquiries and has not used ``key``, and each row is found among the
    municipality's and the member's sites (as ``TenantPrimaryKeyRelatedField`` finds
    them); else ``None``."""
    parts = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(parts) != 2:
        return None
    scheme, secret = parts[0].lower(), parts[1]
    ids = [key, site_id, point_id, service_id]
    if scheme == "token":
        sql, params = _read_sql(False, connection.vendor), [*ids, secret, slug]
    elif scheme == "bearer" and secret.startswith(API_TOKEN_PREFIX):
        now = timezone.now()
        adapt = connection.ops.adapt_datetimefield_value
        digest = hashlib.sha256(secret.encode()).hexdigest()
        sql = _read_sql(True, connection.vendor)
        params = [*ids, digest, slug, adapt(now), adapt(now - _LAST_USED_EVERY)]
    else:
        return None
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    values = iter(rows[0])
    user_id, is_active, role, _site, key_used = (next(values) for _ in range(5))
    if not is_active or key_used or not role_allows(role, Permission.RECORD_INQUIRIES):
        return None
    municipality_fields = _municipality_fields()
    municipality_values = [next(values) for _ in municipality_fields]
    site_fields = _in_model_order(Site, _SITE_FIELDS)
    site_values = [next(values) for _ in site_fields]
    point_fields = _in_model_order(ServicePoint, _POINT_FIELDS)
    point_values = dict(zip(point_fields, [next(values) for _ in point_fields], strict=True))
    service_fields = _in_model_order(Service, _SERVICE_FIELDS)
    service_values = dict(zip(service_fields, [next(values) for _ in service_fields], strict=True))
    if scheme == "bearer":
        scopes = next(values)
        if isinstance(scopes, str):
            scopes = json.loads(scopes)
        if "inquiries:write" not in scopes:
            return None
    bound = frozenset(row[3] for row in rows if row[3] is not None)
    tenancy = Tenancy(
        municipality=Municipality.from_db(
            connection.alias, municipality_fields, municipality_values
        ),
        role=role,
        site_ids=(bound or None) if role in SITE_BOUND_ROLES else None,
    )
    if site_values[0] is None or not tenancy.covers_site(site_values[0]):
        return None
    site = Site.from_db(connection.alias, site_fields, site_values)
    point = None
    if point_id is not None:
        if point_values["id"] is None or not tenancy.covers_site(point_values["site_id"]):
            return None
        point = ServicePoint.from_db(connection.alias, point_fields, list(point_values.values()))
    service = None
    if service_id is not None:
        if service_values["id"] is None:
            return None
        service = Service.from_db(connection.alias, service_fields, list(service_values.values()))
    return _Read(tenancy, User(id=user_id, is_active=True), site, point, service)


def _id(value: Any) -> int | None:
    """A plain JSON id (an integer, not a boolean); ``None`` for anything else."""
    return value if type(value) is int and value > 0 else None


_CHOICE_VALUES = ("channel", "outcome", "user_type", "age_group", "language", "duration_band")
_REQUIRED = ("occurred_at", "channel", "outcome")
_recorded_at_field = drf_serializers.DateTimeField()


def _plain_text(value: Any) -> bool:
    """Whether ``value`` is a string that DRF's text fields keep as it is: no surrounding
    white space (they trim it), no NUL and no lone surrogate (they refuse those)."""
    return (
        isinstance(value, str)
        and value == value.strip()
        and "\x00" not in value
        and not any("\ud800" <= char <= "\udfff" for char in value)
    )


def _values(data: dict[str, Any]) -> dict[str, Any] | None:
    """The body's non-relational values when each is already what the full path's
    serializer fields would make of it (a plain string, an integer effort or null, an
    instant with its offset); ``None`` otherwise, or when a required one is missing.
    Whether the values are *allowed* is checked by ``inquiry_record_check``."""
    if any(name not in data for name in _REQUIRED):
        return None
    raw = data["occurred_at"]
    occurred_at = parse_datetime(raw) if isinstance(raw, str) else None
    if occurred_at is None or occurred_at.tzinfo is None:  # as validate_occurred_at
        return None
    values: dict[str, Any] = {"occurred_at": occurred_at}
    for name in (*_CHOICE_VALUES, "note"):
        if name in data:
            if not _plain_text(data[name]):
                return None
            values[name] = data[name]
    if "read_effort" in data:
        effort = data["read_effort"]
        if effort is not None and type(effort) is not int:
            return None
        values["read_effort"] = effort
    return values


def _answer(draft: InquiryDraft) -> dict[str, Any]:
    """The answer's fields, as :class:`torg.api.serializers.InquirySerializer` gives them
    (the tests compare the two), and ``removed``."""
    inquiry = draft.inquiry
    local = inquiry.occurred_at.astimezone(inquiry.site.zone)
    scrubbed: ScrubResult | None = draft.scrub
    return {
        "id": None,
        "site": inquiry.site_id,
        "service_point": inquiry.service_point_id,
        "occurred_at": local.isoformat(),
        "local_date": local.date().isoformat(),
        "time_of_day_known": inquiry.time_of_day_known,
        "channel": inquiry.channel,
        "service": inquiry.service_id,
        "domain": inquiry.domain,
        "outcome": inquiry.outcome,
        "read_effort": inquiry.read_effort,
        "user_type": inquiry.user_type,
        "age_group": inquiry.age_group,
        "language": inquiry.language,
        "duration_band": inquiry.duration_band,
        "note": inquiry.note,
        "recorded_at": (
            _recorded_at_field.to_representation(inquiry.recorded_at)
            if inquiry.recorded_at is not None
            else None
        ),
        "removed": scrubbed.counts() if scrubbed else {},
    }


def create(
    request: HttpRequest, municipality_slug: str, allowed: Sequence[str]
) -> HttpResponse | None:
    """Record the inquiry in ``request`` the short way and answer 201 exactly as the full
    path would (same body, same stored idempotency response), or return ``None`` for the
    full path to take the request (see the module). ``allowed`` is the view's ``Allow``
    header value list."""
    if request.GET:
        return None
    if request.content_type != "application/json":
        return None
    if request.META.get("HTTP_ACCEPT", "").strip() not in _ACCEPTED:
        return None
    key = (request.headers.get(HEADER) or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    try:
        data = json.loads(request.body, parse_constant=_refuse)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not data.keys() <= _FIELDS:
        return None
    site_id = _id(data.get("site"))
    point_id = _id(data.get("service_point")) if data.get("service_point") is not None else None
    service_id = _id(data.get("service")) if data.get("service") is not None else None
    if (
        site_id is None
        or (data.get("service_point") is not None and point_id is None)
        or (data.get("service") is not None and service_id is None)
    ):
        return None
    values = _values(data)
    if values is None:
        return None
    read = _read(request, municipality_slug, key, site_id, point_id, service_id)
    if read is None:
        return None
    tenancy, user, site, point, service = read
    try:
        draft = inquiry_record_check(
            tenancy=tenancy,
            user=user,
            site=site,
            service_point=point,
            service=service,
            client_key=inquiry_client_key(user.pk, key),
            **values,
        )
    except (ValidationError, PermissionDenied):
        return None
    body = _answer(draft)
    full_path = request.get_full_path()
    fingerprint = fingerprint_of("POST", full_path, data)
    try:
        with transaction.atomic():
            recorded = inquiry_record_save(
                tenancy=tenancy, user=user, draft=draft, in_savepoint=False
            )
            body["id"] = recorded.inquiry.pk
            store_key(
                user_id=user.pk,
                key=key,
                method="POST",
                full_path=full_path,
                fingerprint=fingerprint,
                response=Response(body, status=201),
            )
    except DatabaseError:
        # A concurrent request with the same key (or client key) committed first; the
        # full path answers with its stored response.
        return None
    response = HttpResponse(_renderer.render(body), status=201, content_type="application/json")
    response["Allow"] = ", ".join(allowed)
    response["Vary"] = "Accept"
    return response


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")
