"""Idempotent writes: a retried request with the same ``Idempotency-Key`` changes nothing.

A client on a flaky network cannot tell whether a POST that timed out was carried out. With
a key, it simply sends the request again: the first successful response is stored under
(user, key) in the same transaction as the write, and a retry gets that stored response
back (with the header ``Idempotent-Replayed: true``) without writing anything.

The rules follow the IETF draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header-06):

* a write without the header is refused with *400 Bad Request*;
* the same key sent with a *different* request (method, path or body) is refused with
  *422 Unprocessable Content*, rather than answered with the response of another request;
* two requests with the same key at the same time: the database's unique constraint on
  (user, key) lets one of them commit; the other's write is rolled back and it gets the
  stored response of the first. This holds also when the loser's write fails first (it
  collides with the winner's new row, or its validation sees that row): whenever a write
  fails and the key has meanwhile been stored, the stored response is the answer.

Only successful (2xx) responses are stored: a request that failed validation wrote nothing,
so the client may correct it and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from torg.api.models import IdempotencyKey
from torg.db.insert import insert

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "A unique value per intended write, e.g. a UUID, chosen by the client. Retrying a "
        "request with the same key returns the first response and writes nothing new. Keys "
        "are scoped per user; reusing a key for a different request gives 422."
    ),
)


class _LostRace(Exception):
    """Another request with the same key committed first; roll this one back."""


def request_fingerprint(request: Request) -> str:
    """SHA-256 (hex, 64 characters) of the method, the full path and the parsed body.

    The body is compared as parsed data with sorted keys, so a retry that serialises the
    same JSON object with its keys in another order still matches.
    """
    data: Any = request.data
    if isinstance(data, QueryDict):
        data = {key: data.getlist(key) for key in data}
    return fingerprint_of(request.method or "", request.get_full_path(), data)


def fingerprint_of(method: str, full_path: str, data: Any) -> str:
    """:func:`request_fingerprint` of a request given as its ``method``, its path with the
    query string, and its parsed body ``data``."""
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    text = f"{method}\n{full_path}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_key(
    *, user_id: int, key: str, method: str, full_path: str, fingerprint: str, response: Response
) -> None:
    """Store ``key`` with the successful ``response`` it was answered with; to be called
    inside the write's transaction, so that the write and its key commit together. Raises
    :class:`~django.db.IntegrityError` when the user has stored this key already (a
    concurrent request won), after which the caller's transaction must roll back."""
    insert(
        IdempotencyKey(
            user_id=user_id,
            key=key,
            method=method,
            path=full_path[:500],
            request_fingerprint=fingerprint,
            response_status=response.status_code,
            response_body=response.data,
        )
    )


def inquiry_client_key(user_id: int, idempotency_key: str | None) -> str | None:
    """The inquiry's client key for an API write: derived from the user and the
    ``Idempotency-Key`` (which are unique together, while client keys are unique per
    municipality), hashed so that any key up to 255 characters fits in 100."""
    if not idempotency_key:
        return None
    digest = hashlib.sha256(f"{user_id}\n{idempotency_key}".encode()).hexdigest()
    return f"api-{digest[:60]}"


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.request_fingerprint != fingerprint:
        return Response(
            {
                "detail": _(
                    "This %(header)s was already used for a different request "
                    "(%(method)s %(path)s). Use a new key for a new request."
                )
                % {"header": HEADER, "method": stored.method, "path": stored.path}
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(stored.response_body, status=stored.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def _stored(user_id: int, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(user_id=user_id, key=key).first()


def idempotent(request: Request, perform: Callable[[], Response]) -> Response:
    """Run the write ``perform`` at most once per (user, ``Idempotency-Key``).

    Returns the response of ``perform``, or the stored response of an earlier request with
    the same key and fingerprint, or a 400 (no or too long a key) or 422 (key reused for
    another request) response. ``perform`` runs inside a transaction that also stores the
    key, so the write and its key are committed together or not at all. A view whose
    reads and checks can run before that transaction uses :func:`idempotent_prepared`.
    """
    return idempotent_prepared(request, lambda: perform)


def idempotent_prepared(
    request: Request, prepare: Callable[[], Callable[[], Response]]
) -> Response:
    """:func:`idempotent` in two steps, to keep the write transaction short.

    ``prepare`` runs first, outside any transaction: it authorises, reads and validates
    (raising DRF exceptions as a view does) and returns ``write``, which only writes and
    builds the response. ``write`` runs inside the transaction that also stores the key.
    On SQLite, where one writer at a time holds the database's write lock, the lock is
    then held for the INSERTs only, not for the reads and checks.

    The guarantees are those of :func:`idempotent`: the key is looked up before
    ``prepare``; two requests with the same key that both pass that look-up are decided
    by the unique constraint on (user, key) when the second stores its key, and the loser
    is rolled back and answered with the winner's stored response.
    """
    key = (request.headers.get(HEADER) or "").strip()
    if not key:
        return Response(
            {
                "detail": _("Every write needs an %(header)s header (for example a new UUID).")
                % {"header": HEADER}
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if len(key) > MAX_KEY_LENGTH:
        return Response(
            {
                "detail": _("The %(header)s may be at most %(max)s characters long.")
                % {"header": HEADER, "max": MAX_KEY_LENGTH}
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    user_id = request.user.pk
    if user_id is None:  # the views' permission classes refuse anonymous writes first
        raise NotAuthenticated()
    fingerprint = request_fingerprint(request)
    stored = _stored(user_id, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        write = prepare()
        with transaction.atomic():
            response = write()
            if status.is_success(response.status_code):
                # No savepoint: a key stored meanwhile rolls the whole transaction back,
                # and the stored response is the answer (two statements fewer while
                # SQLite's write lock is held).
                try:
                    store_key(
                        user_id=user_id,
                        key=key,
                        method=request.method or "",
                        full_path=request.get_full_path(),
                        fingerprint=fingerprint,
                        response=response,
                    )
                except IntegrityError as error:
                    raise _LostRace from error
    except _LostRace:
        return _replay(IdempotencyKey.objects.get(user_id=user_id, key=key), fingerprint)
    except Exception:
        # The write failed, perhaps because a concurrent request with the same key wrote
        # the same row first (a unique constraint, or validation that now sees it). If
        # that request has committed its key, its response is the answer to this one too.
        winner = _stored(user_id, key)
        if winner is not None:
            return _replay(winner, fingerprint)
        raise
    if not status.is_success(response.status_code):
        winner = _stored(user_id, key)
        if winner is not None:
            return _replay(winner, fingerprint)
    return response


class IdempotentWritesMixin:
    """For DRF viewsets: ``create``, ``update`` and ``partial_update`` require an
    ``Idempotency-Key`` and run through :func:`idempotent`. (No viewset deletes yet; one
    that does should wrap ``destroy`` the same way.)"""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        base: Any = super()
        return idempotent(request, lambda: base.create(request, *args, **kwargs))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        base: Any = super()
        return idempotent(request, lambda: base.update(request, *args, **kwargs))
