"""A retried write with the same Idempotency-Key returns the first response and creates
nothing new."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from torg.api import idempotency
from torg.api.idempotency import idempotent, request_fingerprint
from torg.api.models import IdempotencyKey
from torg.catalogue.models import ServiceCategory
from torg.organisation.models import Role
from torg.testing.factories import make_user

pytestmark = pytest.mark.django_db

CATEGORY = {"code": "bolig", "name_nb": "Bolig", "name_en": "Housing"}


def post(client, path: str, body: dict, key: str | None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def categories_path(municipality_x) -> str:
    return f"/api/v1/m/{municipality_x.slug}/service-categories/"


def test_a_retried_post_returns_the_first_response_and_creates_nothing(
    categories_path, manager_x, client_for
):
    client = client_for(manager_x)
    first = post(client, categories_path, CATEGORY, "8a1f-retry")
    second = post(client, categories_path, CATEGORY, "8a1f-retry")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ServiceCategory.objects.count() == 1


def test_the_same_body_with_a_new_key_is_a_new_request(categories_path, manager_x, client_for):
    client = client_for(manager_x)
    assert post(client, categories_path, CATEGORY, "key-1").status_code == 201
    # A second category with the same code is refused by validation, not by the key.
    assert post(client, categories_path, CATEGORY, "key-2").status_code == 400
    assert ServiceCategory.objects.count() == 1


def test_a_write_without_a_key_is_refused(categories_path, manager_x, client_for):
    response = post(client_for(manager_x), categories_path, CATEGORY, None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not ServiceCategory.objects.exists()


def test_a_key_reused_for_a_different_request_is_refused(categories_path, manager_x, client_for):
    client = client_for(manager_x)
    assert post(client, categories_path, CATEGORY, "same").status_code == 201
    other = post(client, categories_path, {**CATEGORY, "code": "skatt"}, "same")
    assert other.status_code == 422
    assert list(ServiceCategory.objects.values_list("code", flat=True)) == ["bolig"]


def test_keys_are_scoped_per_user(municipality_x, categories_path, manager_x, client_for):
    colleague = make_user("colleague-x", municipality_x, Role.MANAGER)
    assert post(client_for(manager_x), categories_path, CATEGORY, "shared").status_code == 201
    # The colleague's key "shared" is hers, not a replay of the manager's request.
    theirs = post(client_for(colleague), categories_path, {**CATEGORY, "code": "x"}, "shared")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert ServiceCategory.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="shared").count() == 2


def test_a_failed_write_stores_no_key_so_the_corrected_request_may_reuse_it(
    categories_path, manager_x, client_for
):
    client = client_for(manager_x)
    assert post(client, categories_path, {**CATEGORY, "code": ""}, "fix-me").status_code == 400
    assert post(client, categories_path, CATEGORY, "fix-me").status_code == 201
    assert ServiceCategory.objects.count() == 1


def test_a_retried_update_is_replayed(categories_path, manager_x, client_for):
    client = client_for(manager_x)
    created = post(client, categories_path, CATEGORY, "create").json()
    path = f"{categories_path}{created['id']}/"

    def rename(key: str):
        return client.patch(
            path,
            data=json.dumps({"name_en": "Housing support"}),
            content_type="application/json",
            headers={"Idempotency-Key": key},
        )

    assert rename("rename").status_code == 200
    ServiceCategory.objects.filter(pk=created["id"]).update(name_en="Changed since")
    replay = rename("rename")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["name_en"] == "Housing support"  # the first response...
    assert ServiceCategory.objects.get().name_en == "Changed since"  # ...and no new write


def test_when_a_concurrent_request_with_the_key_commits_first_this_write_is_undone(
    manager_x, monkeypatch
):
    # The race: this request looked for its key before a concurrent request with the same
    # key committed. Here the winner's key is already stored and this request's look-up
    # is made to miss it, as it would have a moment earlier. The unique constraint then
    # makes this request lose: its write is rolled back and it answers with the winner's
    # response.
    factory = APIRequestFactory()
    request = factory.post("/probe/", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="race")
    force_authenticate(request, user=manager_x)
    municipality = manager_x.memberships.get().municipality

    class Probe(APIView):
        def post(self, request):
            IdempotencyKey.objects.create(
                user=manager_x,
                key="race",
                method="POST",
                path="/probe/",
                request_fingerprint=request_fingerprint(request),
                response_status=201,
                response_body={"winner": True},
            )

            def perform() -> Response:
                ServiceCategory.objects.create(
                    municipality=municipality, code="loser", name_nb="Taper", name_en="Loser"
                )
                return Response({"winner": False}, status=201)

            return idempotent(request, perform)

    monkeypatch.setattr("torg.api.idempotency._stored", lambda user_id, key: None)
    response = Probe.as_view()(request)
    assert response.status_code == 201
    assert response.data == {"winner": True}
    assert not ServiceCategory.objects.filter(code="loser").exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_with_one_key_create_one_row(municipality_x, manager_x, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    # Both requests look for the key before either has written anything (the barrier
    # holds each after its look-up until the other has made its own), then both write.
    barrier = threading.Barrier(2, timeout=20)
    waited = threading.local()
    original = idempotency._stored

    def look_up_then_wait(user_id, key):
        found = original(user_id, key)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(idempotency, "_stored", look_up_then_wait)
    path = f"/api/v1/m/{municipality_x.slug}/service-categories/"
    responses = []

    def send() -> None:
        try:
            client = APIClient()
            client.force_authenticate(manager_x)
            responses.append(client.post(path, CATEGORY, format="json", HTTP_IDEMPOTENCY_KEY="k"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == ["", "true"]
    assert ServiceCategory.objects.count() == 1
