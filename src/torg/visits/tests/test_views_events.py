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
