"""Recording, correcting and deleting inquiries through the API: the same Idempotency-Key
three times records one inquiry, the note's scrub is reported, and the permissions of the
services hold (desk staff, manager, analyst, outsider)."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from torg.api import idempotency
from torg.inquiries.models import ChangeAction, Inquiry, InquiryChange
from torg.inquiries.tests.desk_world import Desk, make_desk
from torg.organisation.models import Role
from torg.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(site_a) -> Desk:
    return make_desk(site_a)


def recent(desk: Desk, *, days: int = 2) -> str:
    """10:00 at the desk's site ``days`` days ago, ISO 8601 with the site's UTC offset (an
    inquiry recorded late, well within ``TORG_INQUIRY_LATE_DAYS``)."""
    local = timezone.localtime(timezone.now(), desk.site.zone) - dt.timedelta(days=days)
    return local.replace(hour=10, minute=0, second=0, microsecond=0).isoformat()


def body(desk: Desk, **overrides) -> dict:
    data = {
        "site": desk.site.pk,
        "service_point": desk.point.pk,
        "occurred_at": recent(desk),
        "channel": "phone",
        "service": desk.housing.pk,
        "read_effort": 3,
        "outcome": "resolved",
        "note": "",
    }
    data.update(overrides)
    return data


def send(client, method: str, path: str, data: dict | None, key: str):
    return client.generic(
        method,
        path,
        data=json.dumps(data) if data is not None else "",
        content_type="application/json",
        headers={"Idempotency-Key": key, "Accept-Language": "en"},
    )


def inquiries_path(desk: Desk) -> str:
    return f"/api/v1/m/{desk.site.municipality.slug}/inquiries/"


def test_the_same_key_three_times_records_one_inquiry(desk, desk_worker_x, client_for):
    client = client_for(desk_worker_x)
    responses = [send(client, "POST", inquiries_path(desk), body(desk), "a1b2") for _ in range(3)]
    assert [response.status_code for response in responses] == [201, 201, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert [response.headers.get("Idempotent-Replayed") for response in responses] == [
        None,
        "true",
        "true",
    ]
    inquiry = Inquiry.objects.get()
    assert (inquiry.domain, inquiry.created_by) == ("municipal", desk_worker_x)
    assert inquiry.client_key is not None and inquiry.client_key.startswith("api-")
    assert responses[0].json()["occurred_at"] == recent(desk)


def test_the_response_says_what_was_removed_from_the_note(desk, desk_worker_x, client_for):
    response = send(
        client_for(desk_worker_x),
        "POST",
        inquiries_path(desk),
        body(desk, note="Send to per@example.org"),
        "note-1",
    )
    assert response.status_code == 201
    assert response.json()["removed"] == {"email": 1}
    assert "@" not in response.json()["note"]


#: What the OpenAPI schema of POST .../inquiries/ (component InquiryWrite) must mark
#: required; everything else it lists is optional, written down here by hand.
REQUIRED_TO_RECORD = {"site", "occurred_at", "channel", "outcome"}
OPTIONAL_TO_RECORD = {
    "service_point",
    "service",
    "read_effort",
    "user_type",
    "age_group",
    "language",
    "duration_band",
    "note",
}


def inquiry_write_schema(client) -> dict:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/m/{municipality}/inquiries/"]["post"]
    reference = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][reference.rsplit("/", 1)[1]]


def test_the_schema_marks_only_site_time_channel_and_outcome_as_required(client):
    component = inquiry_write_schema(client)
    assert set(component["required"]) == REQUIRED_TO_RECORD
    assert set(component["properties"]) - REQUIRED_TO_RECORD == OPTIONAL_TO_RECORD


def test_an_inquiry_with_only_the_required_fields_is_recorded(desk, desk_worker_x, client_for):
    only_required = {name: body(desk)[name] for name in REQUIRED_TO_RECORD}
    response = send(client_for(desk_worker_x), "POST", inquiries_path(desk), only_required, "r-1")
    assert response.status_code == 201, response.json()
    inquiry = Inquiry.objects.get(pk=response.json()["id"])
    assert (inquiry.service_point, inquiry.service, inquiry.read_effort) == (None, None, None)
    assert (inquiry.user_type, inquiry.note, inquiry.domain) == ("", "", "unknown")


@pytest.mark.parametrize("left_out", sorted(OPTIONAL_TO_RECORD))
def test_each_optional_field_may_be_left_out(desk, desk_worker_x, client_for, left_out):
    data = body(desk, user_type="new", age_group="young", language="no", duration_band="under_5")
    assert set(data) == REQUIRED_TO_RECORD | OPTIONAL_TO_RECORD
    del data[left_out]
    response = send(client_for(desk_worker_x), "POST", inquiries_path(desk), data, "o-1")
    assert response.status_code == 201, response.json()
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize("when", ["1999-01-01T10:00:00+01:00", "1900-01-01T10:00:00+01:00"])
def test_an_inquiry_dated_further_back_than_the_late_limit_is_refused_by_field(
    desk, desk_worker_x, client_for, when
):
    response = send(
        client_for(desk_worker_x), "POST", inquiries_path(desk), body(desk, occurred_at=when), "l-1"
    )
    assert response.status_code == 400
    assert response.json() == {
        "occurred_at": ["An inquiry can be recorded at most 31 days after it happened."]
    }
    assert not Inquiry.objects.exists()


def test_the_api_accepts_an_inquiry_thirty_days_back(desk, desk_worker_x, client_for):
    response = send(
        client_for(desk_worker_x),
        "POST",
        inquiries_path(desk),
        body(desk, occurred_at=recent(desk, days=30)),
        "l-2",
    )
    assert response.status_code == 201


def test_values_of_another_municipality_or_outside_the_choices_are_refused_by_field(
    desk, site_b, desk_worker_x, client_for
):
    response = send(
        client_for(desk_worker_x),
        "POST",
        inquiries_path(desk),
        body(desk, site=site_b.pk, channel="pigeon", read_effort=7),
        "bad-1",
    )
    assert response.status_code == 400
    assert {"site", "channel", "read_effort"} <= set(response.json())
    assert not Inquiry.objects.exists()


def test_an_instant_without_offset_is_refused(desk, desk_worker_x, client_for):
    response = send(
        client_for(desk_worker_x),
        "POST",
        inquiries_path(desk),
        body(desk, occurred_at="2024-03-05T10:00:00"),
        "naive-1",
    )
    assert response.status_code == 400 and list(response.json()) == ["occurred_at"]
    assert not Inquiry.objects.exists()


def test_an_analyst_may_not_record_and_an_outsider_gets_404(
    desk, analyst_x, outsider_y, client_for
):
    assert (
        send(client_for(analyst_x), "POST", inquiries_path(desk), body(desk), "k").status_code
        == 403
    )
    assert (
        send(client_for(outsider_y), "POST", inquiries_path(desk), body(desk), "k").status_code
        == 404
    )
    assert not Inquiry.objects.exists()


def test_desk_staff_correct_and_delete_their_own_entry_and_not_a_colleagues(
    desk, desk_worker_x, municipality_x, client_for
):
    mine = client_for(desk_worker_x)
    created = send(mine, "POST", inquiries_path(desk), body(desk), "c-1").json()
    path = f"{inquiries_path(desk)}{created['id']}/"
    colleague = client_for(make_user("colleague-x", municipality_x, Role.DESK_STAFF))
    assert send(colleague, "PATCH", path, {"read_effort": 5}, "p-0").status_code == 403
    assert send(colleague, "DELETE", path, None, "d-0").status_code == 403

    patched = send(mine, "PATCH", path, {"read_effort": 5}, "p-1")
    assert patched.status_code == 200 and patched.json()["read_effort"] == 5
    assert send(mine, "DELETE", path, None, "d-1").status_code == 204
    assert send(mine, "DELETE", path, None, "d-1").status_code == 204  # a replay
    assert not Inquiry.objects.exists()
    actions = sorted(InquiryChange.objects.values_list("action", flat=True))
    assert actions == sorted([ChangeAction.CREATE, ChangeAction.UPDATE, ChangeAction.DELETE])


def test_two_users_may_use_the_same_idempotency_key(
    desk, desk_worker_x, municipality_x, client_for
):
    colleague = make_user("colleague-x", municipality_x, Role.DESK_STAFF)
    long_key = "k" * 255  # the longest key the API accepts
    for user in (desk_worker_x, colleague):
        response = send(client_for(user), "POST", inquiries_path(desk), body(desk), long_key)
        assert response.status_code == 201
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_posts_with_one_key_store_one_inquiry_and_all_succeed(
    site_a, desk_worker_x, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    desk = make_desk(site_a)
    # Each request looks the key up before any has written (the barrier holds each after
    # its look-up until all three have made theirs), then all three write.
    barrier = threading.Barrier(3, timeout=20)
    waited = threading.local()
    original = idempotency._stored

    def look_up_then_wait(user_id, key):
        found = original(user_id, key)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(idempotency, "_stored", look_up_then_wait)
    responses = []

    def post() -> None:
        try:
            client = APIClient()
            client.force_authenticate(desk_worker_x)
            responses.append(
                client.post(
                    inquiries_path(desk), body(desk), format="json", HTTP_IDEMPOTENCY_KEY="same"
                )
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [response.status_code for response in responses] == [201, 201, 201]
    assert len({response.json()["id"] for response in responses}) == 1
    assert Inquiry.objects.count() == 1
    assert InquiryChange.objects.filter(action=ChangeAction.CREATE).count() == 1
