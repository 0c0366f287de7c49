"""The short way of ``POST …/inquiries/`` (:mod:`torg.api.fast_inquiry`) answers exactly as
the full way and stores exactly the same rows; everything out of the ordinary is left to
the full way, which answers as it always did.

Each ordinary request is sent twice at the same frozen instant, once the short way and
once with the short way switched off, and the two answers, headers and stored rows
(inquiry, audit row, idempotency key) are compared field by field. Each unusual request
checks that the short way declined it and that the full way's answer came back.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from torg.api import fast_inquiry
from torg.api.models import ApiToken, IdempotencyKey
from torg.api.tokens import api_token_create
from torg.inquiries.models import ChangeAction, Inquiry, InquiryChange
from torg.inquiries.tests.desk_world import Desk, make_desk, make_service
from torg.organisation.models import Membership, Role
from torg.testing.factories import make_service_point, make_site, make_user

pytestmark = pytest.mark.django_db

#: The frozen "now" of these tests: Tuesday 5 March 2024, 10:00 in Oslo.
NOW = dt.datetime(2024, 3, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def desk(municipality_x, municipality_y) -> Desk:
    # Ids that differ between municipality, sites and desks, so that a value read into
    # the wrong field cannot pass by coincidence.
    make_site(municipality_y, "Spare")
    make_site(municipality_x, "Spare")
    return make_desk(make_site(municipality_x, "Torget C"))


@pytest.fixture
def taken(monkeypatch) -> list[bool]:
    """Whether the short way served each request (``True``) or declined it."""
    seen: list[bool] = []
    original = fast_inquiry.create

    def spy(*args: Any, **kwargs: Any) -> Any:
        answer = original(*args, **kwargs)
        seen.append(answer is not None)
        return answer

    monkeypatch.setattr(fast_inquiry, "create", spy)
    return seen


def token_of(user) -> str:
    return f"Token {Token.objects.create(user=user).key}"


def post(
    desk: Desk,
    authorization: str | None,
    data: Any,
    key: str,
    *,
    raw: str | None = None,
    query: str = "",
    **headers: str,
):
    path = f"/api/v1/m/{desk.site.municipality.slug}/inquiries/{query}"
    extra = {"Idempotency-Key": key, "Accept-Language": "en", **headers}
    if authorization:
        extra["Authorization"] = authorization
    return Client().post(
        path,
        data=raw if raw is not None else json.dumps(data),
        content_type="application/json",
        headers=extra,
    )


def at(hour: int, *, days: int = 1) -> str:
    local = (NOW - dt.timedelta(days=days)).astimezone(dt.timezone(dt.timedelta(hours=1)))
    return local.replace(hour=hour, minute=5, second=0, microsecond=0).isoformat()


def ordinary_bodies(desk: Desk) -> dict[str, dict[str, Any]]:
    return {
        "the fewest fields": {
            "site": desk.site.pk,
            "occurred_at": at(10),
            "channel": "in_person",
            "outcome": "resolved",
        },
        "every field": {
            "site": desk.site.pk,
            "service_point": desk.point.pk,
            "occurred_at": at(11),
            "channel": "phone",
            "service": desk.housing.pk,
            "read_effort": 4,
            "outcome": "referred_internal",
            "user_type": "returning",
            "age_group": "senior",
            "language": "en",
            "duration_band": "5_15",
            "note": "Ville søke bostøtte – æøå",
        },
        "a note with personal data": {
            "site": desk.site.pk,
            "occurred_at": at(12),
            "channel": "email",
            "service": desk.loan.pk,
            "outcome": "resolved",
            "note": "Ring 412 34 567 eller kari@example.no, fnr 01010112345 sjekkes",
        },
        "nulls": {
            "site": desk.site.pk,
            "service_point": None,
            "service": None,
            "read_effort": None,
            "occurred_at": "2024-03-04T23:30:00Z",
            "channel": "chat",
            "outcome": "not_resolved",
        },
    }


def _row(model: Any, **lookup: Any) -> dict[str, Any]:
    row: dict[str, Any] = model.objects.filter(**lookup).values().get()
    return row


def test_an_ordinary_inquiry_is_answered_and_stored_exactly_as_by_the_full_way(
    desk, desk_worker_x, taken, monkeypatch
):
    authorization = token_of(desk_worker_x)
    for label, data in ordinary_bodies(desk).items():
        taken.clear()
        short = post(desk, authorization, data, f"short {label}")
        assert short.status_code == 201, (label, short.content)
        assert taken == [True], label
        with monkeypatch.context() as patch:
            patch.setattr(fast_inquiry, "create", lambda *args, **kwargs: None)
            full = post(desk, authorization, data, f"full {label}")
        assert full.status_code == 201, (label, full.content)

        short_body, full_body = dict(short.json()), dict(full.json())
        assert short_body.pop("id") != full_body.pop("id")
        assert short_body == full_body, label
        for header in ("Content-Type", "Allow", "Vary", "X-Frame-Options"):
            assert short.headers.get(header) == full.headers.get(header), (label, header)

        ignore = {"id", "client_key"}
        short_row = _row(Inquiry, pk=short.json()["id"])
        full_row = _row(Inquiry, pk=full.json()["id"])
        assert {k: v for k, v in short_row.items() if k not in ignore} == {
            k: v for k, v in full_row.items() if k not in ignore
        }, label
        ignore = {"id", "inquiry_id", "inquiry_number"}
        short_change = _row(InquiryChange, inquiry_id=short.json()["id"])
        full_change = _row(InquiryChange, inquiry_id=full.json()["id"])
        assert short_change["action"] == ChangeAction.CREATE
        assert {k: v for k, v in short_change.items() if k not in ignore} == {
            k: v for k, v in full_change.items() if k not in ignore
        }, label
        short_key = _row(IdempotencyKey, key=f"short {label}")
        full_key = _row(IdempotencyKey, key=f"full {label}")
        # Same method, path and body: the same fingerprint, so either can be replayed.
        for name in ("method", "path", "request_fingerprint", "response_status", "user_id"):
            assert short_key[name] == full_key[name], (label, name)
        assert short_key["response_body"] == short.json()

    scrubbed = Inquiry.objects.filter(channel="email").values_list("note", flat=True)
    assert all("412 34 567" not in note and "kari@" not in note for note in scrubbed)


def test_a_retry_of_a_request_served_the_short_way_is_replayed_by_the_full_way(
    desk, desk_worker_x, taken
):
    authorization = token_of(desk_worker_x)
    data = ordinary_bodies(desk)["every field"]
    first = post(desk, authorization, data, "k1")
    again = post(desk, authorization, data, "k1")
    other = post(desk, authorization, {**data, "channel": "chat"}, "k1")
    assert taken == [True, False, False]
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Inquiry.objects.count() == 1


def test_a_municipality_token_goes_the_short_way_once_its_last_use_is_recorded(
    desk, desk_worker_x, taken
):
    _, key = api_token_create(
        user=desk_worker_x,
        municipality_slug=desk.site.municipality.slug,
        name="chat",
        scopes=["inquiries:write"],
    )
    data = ordinary_bodies(desk)["the fewest fields"]
    responses = [post(desk, f"Bearer {key}", data, f"b{n}") for n in range(3)]
    assert [response.status_code for response in responses] == [201, 201, 201]
    # The first request writes the token's last use (the full way does that, at most
    # once a minute); the next ones take the short way.
    assert taken == [False, True, True]
    assert ApiToken.objects.get().last_used_at == NOW
    _, read_only = api_token_create(
        user=desk_worker_x,
        municipality_slug=desk.site.municipality.slug,
        name="reader",
        scopes=["inquiries:read"],
    )
    ApiToken.objects.update(last_used_at=NOW)
    taken.clear()
    refused = post(desk, f"Bearer {read_only}", data, "r1")
    assert (refused.status_code, taken) == (403, [False])


def test_unusual_requests_are_left_to_the_full_way(
    desk, desk_worker_x, analyst_x, outsider_y, site_b, client_for, taken
):
    x = desk.site.municipality
    authorization = token_of(desk_worker_x)
    good = ordinary_bodies(desk)["every field"]
    inactive = make_service(x, "gammel", is_active=False)
    branch = make_site(x, "Filial")
    branch_point = make_service_point(branch, "Filialskranke")
    sleeper = make_user("sleeper-x", x, Role.DESK_STAFF)
    sleeper_authorization = token_of(sleeper)
    sleeper.is_active = False
    sleeper.save()
    bound = make_user("bound-x", x, Role.DESK_STAFF)
    Membership.objects.get(user_id=bound.pk).sites.set([branch])
    bound_authorization = token_of(bound)

    cases: list[tuple[str, str | None, Any, dict[str, Any], int]] = [
        ("no token", None, good, {}, 401),
        ("a wrong token", "Token nope", good, {}, 401),
        ("an inactive user", sleeper_authorization, good, {}, 401),
        ("another municipality's member", token_of(outsider_y), good, {}, 404),
        ("a role that may not record", token_of(analyst_x), good, {}, 403),
        ("white space around the note", authorization, {**good, "note": " hei "}, {}, 201),
        ("an effort as text", authorization, {**good, "read_effort": "3"}, {}, 201),
        ("an effort as true", authorization, {**good, "read_effort": True}, {}, 400),
        ("an effort of 7", authorization, {**good, "read_effort": 7}, {}, 400),
        ("a site id as text", authorization, {**good, "site": str(desk.site.pk)}, {}, 201),
        ("an unknown field", authorization, {**good, "colour": "blue"}, {}, 201),
        ("a NUL in the note", authorization, {**good, "note": "a\x00b"}, {}, 400),
        ("no channel", authorization, {k: v for k, v in good.items() if k != "channel"}, {}, 400),
        ("an unknown channel", authorization, {**good, "channel": "pigeon"}, {}, 400),
        ("no UTC offset", authorization, {**good, "occurred_at": "2024-03-04T10:00"}, {}, 400),
        ("in the future", authorization, {**good, "occurred_at": "2024-03-06T10:00Z"}, {}, 400),
        ("an inactive service", authorization, {**good, "service": inactive.pk}, {}, 400),
        ("another site's desk", authorization, {**good, "service_point": branch_point.pk}, {}, 400),
        ("another municipality's site", authorization, {**good, "site": site_b.pk}, {}, 400),
        ("a site not one's own", bound_authorization, good, {}, 400),
        ("a list body", authorization, [good], {}, 400),
        ("malformed JSON", authorization, None, {"raw": "{"}, 400),
        ("NaN", authorization, None, {"raw": '{"read_effort": NaN}'}, 400),
        ("?format=json", authorization, good, {"query": "?format=json"}, 201),
        ("Accept: text/html", authorization, good, {"Accept": "text/html"}, 201),
        ("no Idempotency-Key", authorization, good, {"key": ""}, 400),
    ]
    for number, (label, auth, data, options, status) in enumerate(cases):
        taken.clear()
        key = options.pop("key", f"case {number}")
        response = post(desk, auth, data, key, **options)
        assert taken == [False], label
        assert response.status_code == status, (label, response.content)
    stored = Inquiry.objects.count()
    assert stored == sum(1 for case in cases if case[4] == 201)

    # A session login (the desk page) goes the full way too.
    taken.clear()
    session = client_for(desk_worker_x).post(
        f"/api/v1/m/{x.slug}/inquiries/",
        data=json.dumps(good),
        content_type="application/json",
        headers={"Idempotency-Key": "session"},
    )
    assert (session.status_code, taken) == (201, [False])
    # The bound member's own site goes the short way.
    taken.clear()
    own = {**good, "site": branch.pk, "service_point": branch_point.pk}
    assert post(desk, bound_authorization, own, "own").status_code == 201
    assert taken == [True]


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_short_way_posts_with_one_key_store_one_inquiry(
    site_a, desk_worker_x, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    desk = make_desk(site_a)
    authorization = token_of(desk_worker_x)
    # Each request reads the key as unused before any has written; then all three write,
    # two lose on the unique key and are answered by the full way with the stored answer.
    barrier = threading.Barrier(3, timeout=20)
    original = fast_inquiry._read

    def read_then_wait(*args: Any) -> Any:
        found = original(*args)
        barrier.wait()
        return found

    monkeypatch.setattr(fast_inquiry, "_read", read_then_wait)
    responses = []
    data = ordinary_bodies(desk)["every field"]

    def send() -> None:
        try:
            responses.append(post(desk, authorization, data, "same"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [response.status_code for response in responses] == [201, 201, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert sorted(response.headers.get("Idempotent-Replayed", "") for response in responses) == [
        "",
        "true",
        "true",
    ]
    assert Inquiry.objects.count() == 1
    assert InquiryChange.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
