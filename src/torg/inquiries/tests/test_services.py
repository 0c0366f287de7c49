"""Recording, correcting and deleting inquiries (torg.inquiries.services): the domain from
the service, the privacy scrub of the note, idempotent client keys (also under a race),
the edit window, the audit log and who may do what, per persona."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import translation

from torg.inquiries import services
from torg.inquiries.models import ChangeAction, Channel, Inquiry, InquiryChange, Outcome
from torg.inquiries.selectors import InquiryFilters, inquiry_list, inquiry_totals
from torg.inquiries.services import inquiry_correct, inquiry_delete, inquiry_record
from torg.inquiries.tests.desk_world import NOW, Desk, make_desk, tenancy_of
from torg.organisation.models import Role
from torg.testing.factories import make_site, make_user

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def desk(site_a) -> Desk:
    return make_desk(site_a)


@pytest.fixture
def desk_tenancy(municipality_x):
    return tenancy_of(municipality_x, Role.DESK_STAFF)


def record(tenancy, user, desk: Desk, **overrides):
    arguments: dict[str, Any] = {
        "site": desk.site,
        "service_point": desk.point,
        "occurred_at": NOW,
        "channel": Channel.IN_PERSON,
        "service": desk.loan,
        "read_effort": 1,
        "outcome": Outcome.RESOLVED,
        "now": NOW,
    }
    arguments.update(overrides)
    return inquiry_record(tenancy=tenancy, user=user, **arguments)


def test_recording_takes_the_domain_from_the_service_and_audits_the_creation(
    desk, desk_tenancy, desk_worker_x
):
    recorded = record(desk_tenancy, desk_worker_x, desk, service=desk.housing, language="uk")
    inquiry = Inquiry.objects.get()
    assert recorded.created and recorded.inquiry == inquiry
    assert inquiry.domain == "municipal"
    assert inquiry.recorded_at == NOW and inquiry.created_by == desk_worker_x
    change = InquiryChange.objects.get()
    assert change.action == ChangeAction.CREATE and change.changed_by == desk_worker_x
    assert change.before == {}
    assert change.after["service"] == desk.housing.pk
    assert change.after["occurred_at"] == "2024-03-05T09:00:00+00:00"
    assert change.after["language"] == "uk"


def test_recording_late_keeps_when_it_happened_apart_from_when_it_was_entered(
    desk, desk_tenancy, desk_worker_x
):
    earlier = NOW - dt.timedelta(hours=3)
    inquiry = record(desk_tenancy, desk_worker_x, desk, occurred_at=earlier).inquiry
    assert (inquiry.occurred_at, inquiry.recorded_at) == (earlier, NOW)


def test_an_inquiry_in_the_future_is_refused(desk, desk_tenancy, desk_worker_x):
    with pytest.raises(ValidationError) as refused:
        record(desk_tenancy, desk_worker_x, desk, occurred_at=NOW + dt.timedelta(hours=1))
    assert "occurred_at" in refused.value.message_dict
    assert not Inquiry.objects.exists()


def test_the_note_is_scrubbed_and_the_result_says_what_was_removed(
    desk, desk_tenancy, desk_worker_x
):
    recorded = record(
        desk_tenancy, desk_worker_x, desk, note="Wants a reply at kari.nordmann@example.no today"
    )
    assert "@" not in recorded.inquiry.note
    assert recorded.scrub is not None and recorded.scrub.counts() == {"email": 1}
    assert "@" not in str(InquiryChange.objects.get().after["note"])


def test_the_same_client_key_again_returns_the_first_inquiry_and_stores_nothing_new(
    desk, desk_tenancy, desk_worker_x
):
    first = record(desk_tenancy, desk_worker_x, desk, client_key="2f1c-key")
    again = record(desk_tenancy, desk_worker_x, desk, client_key="2f1c-key")
    third = record(desk_tenancy, desk_worker_x, desk, client_key="2f1c-key")
    assert first.created and not again.created and not third.created
    assert again.inquiry.pk == third.inquiry.pk == first.inquiry.pk
    assert Inquiry.objects.count() == 1 and InquiryChange.objects.count() == 1


def test_a_client_key_of_another_users_inquiry_is_refused(
    desk, desk_tenancy, desk_worker_x, municipality_x
):
    colleague = make_user("colleague-x", municipality_x, Role.DESK_STAFF)
    record(desk_tenancy, desk_worker_x, desk, client_key="shared")
    with pytest.raises(ValidationError) as refused:
        record(desk_tenancy, colleague, desk, client_key="shared")
    assert "client_key" in refused.value.message_dict
    assert Inquiry.objects.count() == 1


def test_a_key_that_was_stored_between_the_look_up_and_the_write_gives_the_stored_inquiry(
    desk, desk_tenancy, desk_worker_x, monkeypatch
):
    # The race of two simultaneous requests, made deterministic: the first look-up finds
    # nothing, then the unique constraint sees the other request's row.
    first = record(desk_tenancy, desk_worker_x, desk, client_key="race")
    original = services._by_client_key
    calls = []

    def blind_first_time(tenancy, key):
        calls.append(key)
        return None if len(calls) == 1 else original(tenancy, key)

    monkeypatch.setattr(services, "_by_client_key", blind_first_time)
    again = record(desk_tenancy, desk_worker_x, desk, client_key="race")
    assert len(calls) == 2
    assert (again.created, again.inquiry.pk) == (False, first.inquiry.pk)
    assert Inquiry.objects.count() == 1 and InquiryChange.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_three_simultaneous_recordings_with_one_key_store_one_inquiry(
    municipality_x, site_a, desk_worker_x, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs truly concurrent transactions (PostgreSQL)")
    desk = make_desk(site_a)
    tenancy = tenancy_of(municipality_x, Role.DESK_STAFF)
    # Every thread looks the key up before any has written, then all write at once.
    barrier = threading.Barrier(3, timeout=20)
    waited = threading.local()
    original = services._by_client_key

    def look_up_then_wait(tenancy, key):
        found = original(tenancy, key)
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(services, "_by_client_key", look_up_then_wait)
    results = []
    failures = []

    def send() -> None:
        try:
            results.append(record(tenancy, desk_worker_x, desk, client_key="together"))
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(result.created for result in results) == [False, False, True]
    assert len({result.inquiry.pk for result in results}) == 1
    assert Inquiry.objects.count() == 1 and InquiryChange.objects.count() == 1


def test_an_analyst_may_not_record(desk, municipality_x, analyst_x):
    with pytest.raises(PermissionDenied):
        record(tenancy_of(municipality_x, Role.ANALYST), analyst_x, desk)
    assert not Inquiry.objects.exists()


def test_an_outsider_cannot_record_at_a_site_or_service_of_another_municipality(
    desk, municipality_y, outsider_y
):
    with pytest.raises(ValidationError) as refused:
        record(tenancy_of(municipality_y, Role.MANAGER), outsider_y, desk)
    assert {"site", "service_point", "service"} <= set(refused.value.message_dict)
    assert not Inquiry.objects.exists()


def test_a_service_point_of_another_site_is_refused(desk, desk_tenancy, desk_worker_x):
    other_site = make_site(desk.site.municipality, "Filial")
    with pytest.raises(ValidationError) as refused:
        record(desk_tenancy, desk_worker_x, desk, site=other_site)
    assert list(refused.value.message_dict) == ["service_point"]


def test_desk_staff_may_correct_their_own_inquiry_within_the_edit_window_only(
    desk, desk_tenancy, desk_worker_x, settings
):
    settings.TORG_INQUIRY_EDIT_MINUTES = 60
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    inquiry_correct(
        tenancy=desk_tenancy,
        user=desk_worker_x,
        inquiry=inquiry,
        changes={"read_effort": 2},
        now=NOW + 60 * MINUTE,
    )
    with pytest.raises(PermissionDenied):
        inquiry_correct(
            tenancy=desk_tenancy,
            user=desk_worker_x,
            inquiry=inquiry,
            changes={"read_effort": 3},
            now=NOW + 61 * MINUTE,
        )
    with pytest.raises(PermissionDenied):
        inquiry_delete(
            tenancy=desk_tenancy, user=desk_worker_x, inquiry=inquiry, now=NOW + 61 * MINUTE
        )
    assert Inquiry.objects.get().read_effort == 2


def test_the_edit_window_is_a_setting(desk, desk_tenancy, desk_worker_x, settings):
    settings.TORG_INQUIRY_EDIT_MINUTES = 5
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    with pytest.raises(PermissionDenied):
        inquiry_delete(
            tenancy=desk_tenancy, user=desk_worker_x, inquiry=inquiry, now=NOW + 6 * MINUTE
        )


def test_desk_staff_may_not_change_a_colleagues_inquiry(
    desk, desk_tenancy, desk_worker_x, municipality_x
):
    colleague = make_user("colleague-x", municipality_x, Role.DESK_STAFF)
    inquiry = record(desk_tenancy, colleague, desk).inquiry
    with pytest.raises(PermissionDenied):
        inquiry_correct(
            tenancy=desk_tenancy,
            user=desk_worker_x,
            inquiry=inquiry,
            changes={"read_effort": 4},
            now=NOW,
        )
    with pytest.raises(PermissionDenied):
        inquiry_delete(tenancy=desk_tenancy, user=desk_worker_x, inquiry=inquiry, now=NOW)


def test_a_manager_may_correct_anyones_inquiry_long_after(
    desk, desk_tenancy, desk_worker_x, manager_x, municipality_x
):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    later = NOW + dt.timedelta(days=30)
    inquiry_correct(
        tenancy=tenancy_of(municipality_x, Role.MANAGER),
        user=manager_x,
        inquiry=inquiry,
        changes={"outcome": Outcome.APPOINTMENT},
        now=later,
    )
    change = InquiryChange.objects.get(action=ChangeAction.UPDATE)
    assert (change.changed_by, change.changed_at) == (manager_x, later)


def test_an_outsider_manager_may_not_change_an_inquiry_of_another_municipality(
    desk, desk_tenancy, desk_worker_x, municipality_y, outsider_y
):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    outsider = tenancy_of(municipality_y, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        inquiry_correct(
            tenancy=outsider, user=outsider_y, inquiry=inquiry, changes={"read_effort": 6}, now=NOW
        )
    with pytest.raises(PermissionDenied):
        inquiry_delete(tenancy=outsider, user=outsider_y, inquiry=inquiry, now=NOW)
    assert Inquiry.objects.get().read_effort == 1


def test_a_correction_audits_exactly_the_changed_fields_with_a_moved_time(
    desk, desk_tenancy, desk_worker_x
):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    moved = NOW - dt.timedelta(minutes=30)
    inquiry_correct(
        tenancy=desk_tenancy,
        user=desk_worker_x,
        inquiry=inquiry,
        changes={"occurred_at": moved, "service": desk.housing, "channel": Channel.IN_PERSON},
        now=NOW + MINUTE,
    )
    change = InquiryChange.objects.get(action=ChangeAction.UPDATE)
    # The channel was given but did not change; the domain changed with the service.
    assert change.before == {
        "occurred_at": "2024-03-05T09:00:00+00:00",
        "service": desk.loan.pk,
        "domain": "library",
    }
    assert change.after == {
        "occurred_at": "2024-03-05T08:30:00+00:00",
        "service": desk.housing.pk,
        "domain": "municipal",
    }
    inquiry.refresh_from_db()
    assert (inquiry.domain, inquiry.updated_at) == ("municipal", NOW + MINUTE)


def test_a_correction_that_changes_nothing_writes_no_audit_row(desk, desk_tenancy, desk_worker_x):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    inquiry_correct(
        tenancy=desk_tenancy,
        user=desk_worker_x,
        inquiry=inquiry,
        changes={"read_effort": 1},
        now=NOW,
    )
    assert InquiryChange.objects.filter(action=ChangeAction.UPDATE).count() == 0


def test_a_correction_of_an_unknown_field_is_refused(desk, desk_tenancy, desk_worker_x):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry
    with pytest.raises(ValidationError) as refused:
        inquiry_correct(
            tenancy=desk_tenancy,
            user=desk_worker_x,
            inquiry=inquiry,
            changes={"created_by": None},
            now=NOW,
        )
    assert list(refused.value.message_dict) == ["created_by"]


def test_a_deleted_inquiry_leaves_lists_and_totals_and_keeps_a_snapshot_in_the_audit_log(
    desk, desk_tenancy, desk_worker_x, municipality_x
):
    kept = record(desk_tenancy, desk_worker_x, desk, read_effort=2).inquiry
    gone = record(desk_tenancy, desk_worker_x, desk, read_effort=6).inquiry
    number = gone.pk
    assert inquiry_delete(tenancy=desk_tenancy, user=desk_worker_x, inquiry=gone, now=NOW) == number
    rows = inquiry_list(municipality_x, InquiryFilters())
    assert list(rows) == [kept]
    assert inquiry_totals(rows).inquiries == 1
    assert str(inquiry_totals(rows).average_read_effort) == "2.0"
    deletion = InquiryChange.objects.get(action=ChangeAction.DELETE)
    assert deletion.inquiry is None and deletion.inquiry_number == number
    assert deletion.before["read_effort"] == 6 and deletion.after == {}
    # The creation row of the deleted inquiry stays, by number.
    assert InquiryChange.objects.filter(inquiry_number=number).count() == 2


# --- Optional fields and the lower limit of "Record late" (issue 3) ----------------------


def test_an_inquiry_without_service_point_service_or_read_effort_is_recorded(
    desk, desk_tenancy, desk_worker_x
):
    inquiry = inquiry_record(
        tenancy=desk_tenancy,
        user=desk_worker_x,
        site=desk.site,
        occurred_at=NOW,
        channel=Channel.PHONE,
        outcome=Outcome.RESOLVED,
        now=NOW,
    ).inquiry
    assert (inquiry.service_point, inquiry.service, inquiry.read_effort) == (None, None, None)
    assert inquiry.domain == "unknown"


@translation.override("en")  # the message is read in English
def test_an_inquiry_may_be_dated_back_exactly_the_late_limit_and_not_a_minute_more(
    desk, desk_tenancy, desk_worker_x, settings
):
    assert settings.TORG_INQUIRY_LATE_DAYS == 31  # the default
    # NOW is 5 March 2024 09:00 UTC; 31 days earlier is 3 February 2024 09:00 UTC.
    limit = dt.datetime(2024, 2, 3, 9, 0, tzinfo=dt.UTC)
    assert record(desk_tenancy, desk_worker_x, desk, occurred_at=limit).created
    with pytest.raises(ValidationError) as refused:
        record(desk_tenancy, desk_worker_x, desk, occurred_at=limit - MINUTE)
    assert refused.value.message_dict == {
        "occurred_at": ["An inquiry can be recorded at most 31 days after it happened."]
    }
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize("year", [1999, 1900])
def test_the_dates_of_the_trial_are_refused(desk, desk_tenancy, desk_worker_x, year):
    with pytest.raises(ValidationError) as refused:
        record(
            desk_tenancy, desk_worker_x, desk, occurred_at=dt.datetime(year, 1, 1, tzinfo=dt.UTC)
        )
    assert list(refused.value.message_dict) == ["occurred_at"]
    assert not Inquiry.objects.exists()


@translation.override("en")  # the message is read in English
def test_the_late_limit_follows_the_setting_and_the_message_names_it(
    desk, desk_tenancy, desk_worker_x, settings
):
    settings.TORG_INQUIRY_LATE_DAYS = 1
    assert record(
        desk_tenancy, desk_worker_x, desk, occurred_at=NOW - dt.timedelta(hours=24)
    ).created
    with pytest.raises(ValidationError) as refused:
        record(desk_tenancy, desk_worker_x, desk, occurred_at=NOW - dt.timedelta(hours=25))
    assert refused.value.message_dict["occurred_at"] == [
        "An inquiry can be recorded at most 1 day after it happened."
    ]


def test_a_correction_may_not_move_an_inquiry_further_back_than_the_limit_from_its_recording(
    desk, desk_tenancy, desk_worker_x, municipality_x
):
    inquiry = record(desk_tenancy, desk_worker_x, desk).inquiry  # recorded at NOW
    manager = tenancy_of(municipality_x, Role.MANAGER)
    later = NOW + dt.timedelta(days=60)
    with pytest.raises(ValidationError) as refused:
        inquiry_correct(
            tenancy=manager,
            user=desk_worker_x,
            inquiry=inquiry,
            changes={"occurred_at": NOW - dt.timedelta(days=32)},
            now=later,
        )
    assert list(refused.value.message_dict) == ["occurred_at"]
    # Two months on, a manager still corrects other fields of it, and moves it within the
    # limit counted from when it was recorded (not from today).
    inquiry_correct(
        tenancy=manager,
        user=desk_worker_x,
        inquiry=inquiry,
        changes={"read_effort": 4, "occurred_at": NOW - dt.timedelta(days=30)},
        now=later,
    )
    inquiry.refresh_from_db()
    assert (inquiry.read_effort, inquiry.occurred_at) == (4, NOW - dt.timedelta(days=30))


def test_an_imported_inquiry_carries_history_and_a_manager_may_still_correct_it(
    desk, municipality_x, manager_x
):
    old = dt.datetime(2019, 6, 3, 10, 0, tzinfo=dt.UTC)
    imported = Inquiry.objects.create(
        municipality=municipality_x,
        site=desk.site,
        occurred_at=old,
        channel=Channel.IN_PERSON,
        outcome=Outcome.NOT_RECORDED,
    )  # as an import writes it: no recorded_at, no creator
    inquiry_correct(
        tenancy=tenancy_of(municipality_x, Role.MANAGER),
        user=manager_x,
        inquiry=imported,
        changes={"occurred_at": old - dt.timedelta(days=400), "outcome": Outcome.RESOLVED},
        now=NOW,
    )
    imported.refresh_from_db()
    assert imported.occurred_at == old - dt.timedelta(days=400)
