"""Managers add and change sites, service points and opening hours in the UI (no
superuser needed); bad input is refused next to the field and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from torg.organisation.models import Membership, OpeningHours, ServicePoint, Site
from torg.testing.factories import make_site

pytestmark = pytest.mark.django_db


def _site_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Nytt torg",
        "code": "NT",
        "address": "Storgata 1",
        "kind": "joint",
        "time_zone": "Europe/Oslo",
        "business_day_starts": "03:00",
        "opened_year": "2024",
        "note": "",
    }
    data.update(changes)
    return data


def test_a_manager_adds_a_site_and_sees_it(municipality_x, manager_x, client_for):
    client = client_for(manager_x)
    response = client.post(f"/m/{municipality_x.slug}/sites/add/", _site_data())
    site = Site.objects.get(municipality=municipality_x, name="Nytt torg")
    assert response.status_code == 302
    assert response["Location"] == f"/m/{municipality_x.slug}/sites/{site.pk}/"
    assert site.business_day_starts == dt.time(3) and site.code == "NT"
    assert site.opened_year == 2024
    assert "Nytt torg" in client.get(f"/m/{municipality_x.slug}/sites/").content.decode()


def test_a_duplicate_name_or_code_is_refused_by_field(
    municipality_x, site_a, manager_x, client_for
):
    Site.objects.filter(pk=site_a.pk).update(code="TA")
    client = client_for(manager_x)
    before = Site.objects.count()
    response = client.post(
        f"/m/{municipality_x.slug}/sites/add/", _site_data(name="torget a", code="ta")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "code"}
    assert Site.objects.count() == before


def test_a_bad_time_and_year_are_refused(municipality_x, manager_x, client_for):
    response = client_for(manager_x).post(
        f"/m/{municipality_x.slug}/sites/add/",
        _site_data(business_day_starts="25:00", opened_year="99", time_zone="Mars/Olympus"),
    )
    assert response.status_code == 400
    assert {"business_day_starts", "opened_year", "time_zone"} <= set(
        response.context["form"].errors
    )
    assert not Site.objects.filter(name="Nytt torg").exists()


def test_a_manager_changes_a_site(municipality_x, site_a, manager_x, client_for):
    response = client_for(manager_x).post(
        f"/m/{municipality_x.slug}/sites/{site_a.pk}/edit/",
        _site_data(name="Torget A (nytt navn)", code=""),
    )
    assert response.status_code == 302
    site_a.refresh_from_db()
    assert site_a.name == "Torget A (nytt navn)"


def test_desk_staff_and_analysts_cannot_edit(
    municipality_x, site_a, desk_worker_x, analyst_x, client_for
):
    for user in (desk_worker_x, analyst_x):
        client = client_for(user)
        assert client.get(f"/m/{municipality_x.slug}/sites/add/").status_code == 403
        assert client.post(f"/m/{municipality_x.slug}/sites/add/", _site_data()).status_code == 403
    assert not Site.objects.filter(name="Nytt torg").exists()


def test_a_site_bound_manager_cannot_add_sites_nor_edit_another(
    municipality_x, site_a, manager_x, client_for
):
    other = make_site(municipality_x, "Torget C")
    Membership.objects.get(user=manager_x).sites.set([site_a])
    client = client_for(manager_x)
    assert client.get(f"/m/{municipality_x.slug}/sites/add/").status_code == 403
    assert client.get(f"/m/{municipality_x.slug}/sites/{other.pk}/edit/").status_code == 404
    assert client.get(f"/m/{municipality_x.slug}/sites/{site_a.pk}/edit/").status_code == 200


def test_service_points_are_added_renamed_and_kept_unique(
    municipality_x, site_a, manager_x, client_for
):
    client = client_for(manager_x)
    base = f"/m/{municipality_x.slug}/sites/{site_a.pk}/service-points/"
    assert (
        client.post(f"{base}add/", {"name": "Skranke", "kind": "desk", "is_active": "on"})
    ).status_code == 302
    point = ServicePoint.objects.get(site=site_a, name="Skranke")
    clash = client.post(f"{base}add/", {"name": "SKRANKE", "kind": "phone"})
    assert clash.status_code == 400 and "name" in clash.context["form"].errors
    assert ServicePoint.objects.filter(site=site_a).count() == 1
    renamed = client.post(f"{base}{point.pk}/edit/", {"name": "Hovedskranke", "kind": "desk"})
    assert renamed.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.is_active) == ("Hovedskranke", False)


def test_opening_hours_are_added_per_weekday_and_overlaps_refused(
    municipality_x, site_a, manager_x, client_for
):
    client = client_for(manager_x)
    base = f"/m/{municipality_x.slug}/sites/{site_a.pk}/opening-hours/"
    week = {
        "kind": "staffed",
        "weekdays": ["0", "1", "2", "3", "4"],
        "opens": "08:00",
        "closes": "15:30",
        "valid_from": "2026-01-01",
    }
    assert client.post(f"{base}add/", week).status_code == 302
    assert OpeningHours.objects.filter(site=site_a).count() == 5
    overlap = client.post(f"{base}add/", {**week, "weekdays": ["4", "5"], "opens": "15:00"})
    assert overlap.status_code == 400 and "opens" in overlap.context["form"].errors
    assert OpeningHours.objects.filter(site=site_a).count() == 5  # Saturday not added either
    backwards = client.post(f"{base}add/", {**week, "weekdays": ["5"], "opens": "16:00"})
    assert backwards.status_code == 400 and "closes" in backwards.context["form"].errors
    self_service = client.post(
        f"{base}add/",
        {**week, "kind": "self_service", "weekdays": ["5"], "opens": "07:00", "closes": "22:00"},
    )
    assert self_service.status_code == 302
    monday = OpeningHours.objects.get(site=site_a, weekday=0)
    assert client.post(f"{base}{monday.pk}/delete/").status_code == 302
    assert not OpeningHours.objects.filter(pk=monday.pk).exists()


def test_the_site_page_links_to_the_editing_pages(municipality_x, site_a, manager_x, client_for):
    body = client_for(manager_x).get(f"/m/{municipality_x.slug}/sites/{site_a.pk}/").content
    for piece in ("/edit/", "/service-points/add/", "/opening-hours/add/"):
        assert piece.encode() in body
