"""The sites endpoint: each site with its time zone, desks, opening hours and model history."""

from __future__ import annotations

import datetime as dt

import pytest

from torg.organisation.models import (
    OpeningHours,
    OpeningHoursKind,
    OrganisationalModel,
    SiteModelPeriod,
)
from torg.testing.factories import make_service_point, make_site

pytestmark = pytest.mark.django_db


def test_a_site_comes_with_its_time_zone_desks_hours_and_model_history(
    municipality_x, desk_worker_x, client_for
):
    site = make_site(municipality_x, "Toronto-filialen", time_zone="America/Toronto")
    make_service_point(site, "Skranke")
    OpeningHours.objects.create(
        municipality=municipality_x,
        site=site,
        weekday=5,
        opens=dt.time(8),
        closes=dt.time(22),
        kind=OpeningHoursKind.SELF_SERVICE,
    )
    for model, first, last in [
        (OrganisationalModel.ONE_DOOR_IN, dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
        (OrganisationalModel.TOTAL, dt.date(2021, 1, 1), None),
    ]:
        SiteModelPeriod.objects.create(
            municipality=municipality_x, site=site, model=model, valid_from=first, valid_to=last
        )

    response = client_for(desk_worker_x).get(f"/api/v1/m/{municipality_x.slug}/sites/{site.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "America/Toronto"
    assert [(p["name"], p["kind"]) for p in body["service_points"]] == [("Skranke", "desk")]
    assert body["opening_hours"] == [
        {
            "id": body["opening_hours"][0]["id"],
            "weekday": 5,
            "opens": "08:00:00",
            "closes": "22:00:00",
            "kind": "self_service",
            "valid_from": "2000-01-01",
            "valid_to": None,
        }
    ]
    assert [(p["model"], p["valid_from"], p["valid_to"]) for p in body["model_history"]] == [
        ("one_door_in", "2018-01-01", "2020-12-31"),
        ("total", "2021-01-01", None),
    ]


def test_the_sites_list_is_paginated_and_holds_only_the_municipalitys_sites(
    municipality_x, site_a, site_b, desk_worker_x, client_for
):
    for number in range(3):
        make_site(municipality_x, f"Filial {number}")
    response = client_for(desk_worker_x).get(
        f"/api/v1/m/{municipality_x.slug}/sites/", {"limit": 2}
    )
    body = response.json()
    assert body["count"] == 4  # site A and three branches; site B is Y's
    assert len(body["results"]) == 2
    assert body["next"] is not None
