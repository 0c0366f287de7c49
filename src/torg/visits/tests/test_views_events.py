"""A manager records events (own or in partnership, joint, for schools, a series, past
midnight) and edits the event-name table; other roles and municipalities are kept out."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from torg.visits.models import Event, EventNameMapping, EventSeries

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _event(client: Any, slug: str, **extra: str) -> Any:
    data = {
        "title": "Digital help hour",
        "day": "2024-03-05",
        "starts": "10:00",
        "ends": "11:30",
        "event_type": "digital_help",
        "audience": "adults",
        "attendance": "0",
        **extra,
    }
    return client.post(reverse("visits:event_new", args=[slug]), data, **ENGLISH)


def test_a_manager_records_events_with_every_detail(manager_x, site_a, client_for):
    client = client_for(manager_x)
    slug = site_a.municipality.slug
    response = _event(
        client,
        slug,
        site=site_a.pk,
        joint_with_citizen_service="on",
        series_title="Digital help",
    )
    assert response.status_code == 302
    _event(
        client,
        slug,
        site=site_a.pk,
        title="Late concert",
        starts="22:00",
        ends="01:00",
        event_type="culture",
        audience="all",
        attendance="",
        in_partnership="on",
    )
    _event(
        client,
        slug,
        title="Class visit",
        for_schools_kindergartens="on",
        series_title="Digital help",
    )
    help_hour, concert, visit = Event.objects.order_by("pk")
    assert help_hour.attendance == 0 and help_hour.joint_with_citizen_service
    assert help_hour.series == visit.series and EventSeries.objects.count() == 1
    assert concert.attendance is None and concert.in_partnership
    assert concert.ends_at is not None
    assert concert.ends_at - concert.starts_at == dt.timedelta(hours=3)
    assert visit.site is None and visit.for_schools_kindergartens
    listing = client.get(reverse("visits:events", args=[slug]), **ENGLISH).content.decode()
    assert "In partnership" in listing and "schools/kindergartens" in listing


def test_the_event_name_table_is_edited_case_insensitively(manager_x, site_a, client_for):
    client = client_for(manager_x)
    page = reverse("visits:event_names", args=[site_a.municipality.slug])
    for name in ("Robot Club", "robot  club"):
        response = client.post(
            page, {"name": name, "event_type": "training", "audience": "children"}, **ENGLISH
        )
        assert response.status_code == 302
    row = EventNameMapping.objects.get()
    assert row.name_key == "robot club"
    html = client.get(page, **ENGLISH).content.decode()
    assert "robot club" in html and "your own" in html and "baby rhyme time" in html


def test_other_roles_and_municipalities_are_kept_out(desk_worker_x, outsider_y, site_a, client_for):
    slug = site_a.municipality.slug
    desk = client_for(desk_worker_x)
    assert desk.get(reverse("visits:event_new", args=[slug])).status_code == 403
    names = reverse("visits:event_names", args=[slug])
    assert desk.get(names).status_code == 200
    assert (
        desk.post(names, {"name": "x", "event_type": "culture", "audience": "all"}).status_code
        == 403
    )
    outsider = client_for(outsider_y)
    assert outsider.get(reverse("visits:event_new", args=[slug])).status_code == 404
    assert outsider.get(names).status_code == 404
    assert not EventNameMapping.objects.exists()


def _form_of(event: Event, site_id: int | None, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": event.title,
        "day": "2024-03-05",
        "starts": "10:00",
        "ends": "11:30",
        "event_type": event.event_type,
        "audience": event.audience,
        "attendance": "" if event.attendance is None else str(event.attendance),
        "series_title": "Digital help",
        "joint_with_citizen_service": "on",
        **extra,
    }
    if site_id is not None:
        data["site"] = site_id
    return data


def test_a_manager_corrects_an_event_and_the_audit_trail_shows_only_what_changed(
    manager_x, site_a, client_for
):
    client = client_for(manager_x)
    slug = site_a.municipality.slug
    _event(
        client, slug, site=site_a.pk, joint_with_citizen_service="on", series_title="Digital help"
    )
    event = Event.objects.get()
    url = reverse("visits:event_edit", args=[slug, event.pk])
    page = client.get(url, **ENGLISH)
    assert page.status_code == 200
    # The form shows the event as recorded: local day and times of the site.
    assert page.context["form"].initial["starts"] == dt.time(10, 0)
    assert page.context["form"].initial["series_title"] == "Digital help"
    response = client.post(url, _form_of(event, site_a.pk, attendance="14"), **ENGLISH)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.attendance == 14
    changes = list(event.changes.order_by("pk"))
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[0].changed_by == manager_x
    assert changes[1].before == {"attendance": 0} and changes[1].after == {"attendance": 14}
    # Saving the same values again changes nothing and writes no audit row.
    client.post(url, _form_of(event, site_a.pk, attendance="14"), **ENGLISH)
    assert event.changes.count() == 2
    page = client.get(url, **ENGLISH)
    assert "attendance: 14" in page.content.decode()
    # Leaving attendance empty makes it "not counted", not 0.
    client.post(url, _form_of(event, site_a.pk, attendance=""), **ENGLISH)
    event.refresh_from_db()
    assert event.attendance is None


def test_a_correction_is_checked_like_a_recording(manager_x, site_a, client_for):
    client = client_for(manager_x)
    slug = site_a.municipality.slug
    _event(client, slug, site=site_a.pk)
    event = Event.objects.get()
    url = reverse("visits:event_edit", args=[slug, event.pk])
    response = client.post(url, _form_of(event, site_a.pk, attendance="-3"), **ENGLISH)
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.attendance == 0 and event.changes.count() == 1


def test_a_manager_deletes_an_event_and_the_audit_trail_keeps_it(manager_x, site_a, client_for):
    from torg.visits.models import EventChange

    client = client_for(manager_x)
    slug = site_a.municipality.slug
    _event(client, slug, site=site_a.pk)
    event = Event.objects.get()
    url = reverse("visits:event_delete", args=[slug, event.pk])
    assert client.get(url, **ENGLISH).status_code == 200
    assert Event.objects.exists()  # GET only asks
    response = client.post(url, **ENGLISH)
    assert response.status_code == 302
    assert not Event.objects.exists()
    deleted = EventChange.objects.get(action="delete")
    assert deleted.event is None and deleted.event_number == event.pk
    assert deleted.before["title"] == "Digital help hour" and deleted.before["attendance"] == 0
    assert deleted.changed_by == manager_x


def test_desk_staff_and_outsiders_cannot_correct_or_delete_events(
    manager_x, desk_worker_x, outsider_y, site_a, client_for
):
    slug = site_a.municipality.slug
    _event(client_for(manager_x), slug, site=site_a.pk)
    event = Event.objects.get()
    for user, expected in ((desk_worker_x, 403), (outsider_y, 404)):
        client = client_for(user)
        edit = reverse("visits:event_edit", args=[slug, event.pk])
        delete = reverse("visits:event_delete", args=[slug, event.pk])
        assert client.post(edit, _form_of(event, site_a.pk, attendance="99")).status_code in {
            403,
            404,
        }
        assert client.post(delete).status_code in {403, 404}
        assert client.get(edit).status_code in {expected, 404}
    event.refresh_from_db()
    assert event.attendance == 0
