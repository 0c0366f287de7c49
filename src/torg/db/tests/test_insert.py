"""``torg.db.insert.insert`` stores exactly the row ``save(force_insert=True)`` stores, and
is used only for models without signal receivers (it sends none)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import signals

from torg.api.models import IdempotencyKey
from torg.db.insert import insert
from torg.inquiries.models import ChangeAction, Inquiry, InquiryChange
from torg.inquiries.tests.desk_world import make_desk
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db

#: Every model written with insert(); a receiver added to one of them would be skipped.
INSERTED_MODELS = (Inquiry, InquiryChange, IdempotencyKey)


@pytest.mark.parametrize("model", INSERTED_MODELS, ids=lambda model: model.__name__)
def test_the_models_written_with_insert_have_no_signal_receivers(model) -> None:
    for signal in (signals.pre_save, signals.post_save, signals.pre_init, signals.post_init):
        assert not signal.has_listeners(model), (model.__name__, signal)


def _inquiry(desk, user, key: str) -> Inquiry:
    instant = dt.datetime(2024, 3, 4, 22, 30, tzinfo=dt.UTC)
    return Inquiry(
        municipality=desk.site.municipality,
        site=desk.site,
        service_point=desk.point,
        occurred_at=instant,
        channel="phone",
        service=desk.housing,
        domain="municipal",
        outcome="resolved",
        read_effort=2,
        note="Søknad – æøå",
        time_of_day_known=True,
        created_by=user,
        recorded_at=instant,
        updated_at=instant,
        client_key=key,
    )


def test_insert_stores_the_row_the_orm_stores(municipality_x, desk_worker_x) -> None:
    desk = make_desk(make_site(municipality_x, "Torget"))
    by_orm = _inquiry(desk, desk_worker_x, "orm")
    by_orm.save(force_insert=True)
    by_insert = _inquiry(desk, desk_worker_x, "insert")
    insert(by_insert)
    assert by_insert.pk is not None and by_insert.pk != by_orm.pk
    assert not by_insert._state.adding
    rows = {row["client_key"]: row for row in Inquiry.objects.values()}
    assert rows["insert"]["id"] == by_insert.pk
    for row in rows.values():
        del row["id"], row["client_key"]
    assert rows["insert"] == rows["orm"]

    changes: list[dict[str, object]] = []
    for instance, use_insert in ((by_orm, False), (by_insert, True)):
        change = InquiryChange(
            municipality=municipality_x,
            inquiry=instance,
            inquiry_number=instance.pk,
            action=ChangeAction.CREATE,
            changed_by=desk_worker_x,
            changed_at=dt.datetime(2024, 3, 4, 22, 30, tzinfo=dt.UTC),
            before={},
            after={"note": instance.note, "n": [1, 2.5, None, True]},
        )
        if use_insert:
            insert(change)
        else:
            change.save(force_insert=True)
        changes.append(dict(InquiryChange.objects.filter(pk=change.pk).values().get()))
    for change_row in changes:
        del change_row["id"], change_row["inquiry_id"], change_row["inquiry_number"]
    assert changes[0] == changes[1]
    assert changes[1]["after"] == {"note": "Søknad – æøå", "n": [1, 2.5, None, True]}


def test_insert_fills_auto_now_add_and_refuses_saved_rows(desk_worker_x) -> None:
    key = IdempotencyKey(
        user=desk_worker_x,
        key="k",
        method="POST",
        path="/p",
        request_fingerprint="f" * 64,
        response_status=201,
        response_body={"id": 1},
    )
    insert(key)
    stored = IdempotencyKey.objects.get(pk=key.pk)
    assert stored.created_at is not None and stored.response_body == {"id": 1}
    with pytest.raises(ValueError):
        insert(key)
    twin = IdempotencyKey(
        user=desk_worker_x,
        key="k",
        method="POST",
        path="/p",
        request_fingerprint="f" * 64,
        response_status=201,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(twin)
