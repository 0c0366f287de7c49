"""Receiving one digital inquiry three times at the same moment stores it once (needs
truly concurrent transactions: PostgreSQL; skipped on SQLite, which serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from torg.referrals import services
from torg.referrals.models import DigitalChannel, DigitalInquiry
from torg.referrals.tests.factories import T0, tenancy_of


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_receipts_with_one_key_store_one_row(
    municipality_x, manager_x, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    # Each thread looks for the key, then waits until all three have looked (none found
    # it), so all three try to insert: the unique constraint must decide.
    barrier = threading.Barrier(3, timeout=20)
    waited = threading.local()
    original = services._existing_digital

    def look_up_then_wait(tenancy, client_key, source_key):
        found = original(tenancy, client_key, source_key)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(services, "_existing_digital", look_up_then_wait)
    tenancy = tenancy_of(manager_x, municipality_x)
    results = []
    errors = []

    def receive() -> None:
        try:
            results.append(
                services.digital_inquiry_receive(
                    tenancy=tenancy,
                    actor=manager_x,
                    channel=DigitalChannel.EMAIL,
                    received_at=T0,
                    client_key="same-message",
                    now=T0,
                )
            )
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=receive) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(r.created for r in results) == [False, False, True]
    assert len({r.digital_inquiry.pk for r in results}) == 1
    assert DigitalInquiry.objects.count() == 1
