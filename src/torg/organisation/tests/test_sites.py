"""The sites list and site detail pages, and the selectors behind them. Weekly hours are
compared with totals worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from torg.organisation.models import OpeningHours, SiteModelPeriod
from torg.organisation.selectors import (
    default_time_zone,
    site_opening_hours,
    site_overview,
    weekly_hours,
)
from torg.testing.factories import make_service_point, make_site

D = dt.date
T = dt.time


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in with a password; the production hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ALWAYS = D(2000, 1, 1)


def hours(site, weekday, opens, closes, kind="staffed", valid_from=ALWAYS, valid_to=None):
    return OpeningHours.objects.create(
        municipality=site.municipality,
        site=site,
        weekday=weekday,
        opens=opens,
        closes=closes,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@pytest.fixture
def timetable(site_a):
    # Staffed, by hand: Mon, Tue, Thu 08:00-15:30 = 3 x 7.5 h = 22.5 h; Wed 10-14 and
    # 12-19 overlap, together 10-19 = 9 h; Sat 10:00-14:20 = 4 h 20 min = 4.333 h.
    # 22.5 + 9 + 4.333 = 35.833 h, shown as 35.83.
    for weekday in (0, 1, 3):
        hours(site_a, weekday, T(8), T(15, 30))
    hours(site_a, 2, T(10), T(14))
    hours(site_a, 2, T(12), T(19))
    hours(site_a, 5, T(10), T(14, 20))
    # Self-service (meråpent), by hand: every day 07-22 = 7 x 15 h = 105 h. The old
    # timetable (06-23 until 2023) and the future one (from 2990) do not count today.
    for weekday in range(7):
        hours(site_a, weekday, T(7), T(22), kind="self_service", valid_from=D(2024, 1, 1))
        hours(site_a, weekday, T(6), T(23), kind="self_service", valid_to=D(2023, 12, 31))
        hours(site_a, weekday, T(0), T(23), kind="self_service", valid_from=D(2990, 1, 1))
    return site_a


def test_weekly_hours_count_overlapping_intervals_of_a_day_once(timetable):
    staffed, self_service = site_opening_hours(timetable, on=D(2025, 5, 5))
    assert (staffed.kind, staffed.weekly_hours) == ("staffed", Decimal("35.83"))
    assert (self_service.kind, self_service.weekly_hours) == ("self_service", Decimal("105.00"))
    assert len(staffed.intervals) == 6
    assert len(self_service.intervals) == 7


def test_the_timetable_is_the_one_valid_on_the_day_asked_for(timetable):
    _, self_service = site_opening_hours(timetable, on=D(2023, 6, 1))
    assert self_service.weekly_hours == Decimal("119.00")  # 7 x 17 h, the old timetable


def test_a_site_without_opening_hours_has_zero_weekly_hours(site_a):
    staffed, self_service = site_opening_hours(site_a, on=D(2025, 1, 1))
    assert staffed.weekly_hours == self_service.weekly_hours == Decimal("0.00")


def test_weekly_hours_of_nothing_is_zero():
    assert weekly_hours([]) == Decimal("0.00")


def test_the_current_model_is_taken_on_the_local_date_of_each_site(municipality_x):
    oslo = make_site(municipality_x, "Oslo-filialen", time_zone="Europe/Oslo")
    toronto = make_site(municipality_x, "Toronto-filialen", time_zone="America/Toronto")
    for site in (oslo, toronto):
        SiteModelPeriod.objects.create(
            municipality=municipality_x,
            site=site,
            model="hybrid",
            valid_from=D(2020, 1, 1),
            valid_to=D(2024, 12, 31),
        )
        SiteModelPeriod.objects.create(
            municipality=municipality_x, site=site, model="total", valid_from=D(2025, 1, 1)
        )
    # 1 January 2025 03:00 UTC: already 2025 in Oslo (04:00), still 2024 in Toronto (22:00).
    now = dt.datetime(2025, 1, 1, 3, 0, tzinfo=dt.UTC)
    rows = {row.site.name: row for row in site_overview(municipality_x, now=now)}
    oslo_now, toronto_now = rows["Oslo-filialen"], rows["Toronto-filialen"]
    assert oslo_now.current_period is not None and oslo_now.current_period.model == "total"
    assert toronto_now.current_period is not None
    assert toronto_now.current_period.model == "hybrid"
    assert rows["Toronto-filialen"].today == D(2024, 12, 31)


def test_events_without_a_site_use_the_zone_all_sites_share_or_the_default(municipality_x):
    make_site(municipality_x, "Toronto-filialen", time_zone="America/Toronto")
    assert default_time_zone(municipality_x) == "America/Toronto"
    make_site(municipality_x, "Oslo-filialen", time_zone="Europe/Oslo")
    assert default_time_zone(municipality_x) == "Europe/Oslo"  # settings.TIME_ZONE


# --- Pages ------------------------------------------------------------------------------


def test_the_sites_list_shows_kind_zone_current_model_and_service_points(
    site_a, municipality_x, desk_worker_x, client_for
):
    make_service_point(site_a, "Skranke 1")
    make_service_point(site_a, "Telefon", kind="phone")
    make_site(municipality_x, "Tomt bibliotek", kind="library", time_zone="Europe/Oslo")
    SiteModelPeriod.objects.create(
        municipality=municipality_x, site=site_a, model="total", valid_from=D(2021, 1, 1)
    )
    response = client_for(desk_worker_x).get(
        reverse("organisation:sites", args=["kommune-x"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = {row.site.name: row for row in response.context["rows"]}
    assert rows["Torget A"].service_points == 2
    assert rows["Tomt bibliotek"].service_points == 0
    assert rows["Tomt bibliotek"].current_period is None
    html = response.content.decode()
    assert "Total cooperation" in html
    assert "None recorded" in html
    assert re.search(r'<td class="num">0</td>', html)
    assert "<caption>" in html and html.count('<th scope="col"') == 5


def test_the_site_page_shows_address_service_points_hours_and_history(
    timetable, municipality_x, analyst_x, client_for
):
    timetable.address = "Torggata 1, 1234 Sted"
    timetable.save()
    make_service_point(timetable, "Skranke 1")
    SiteModelPeriod.objects.create(
        municipality=municipality_x,
        site=timetable,
        model="hybrid",
        valid_from=D(2020, 1, 1),
        valid_to=D(2022, 12, 31),
    )
    SiteModelPeriod.objects.create(
        municipality=municipality_x, site=timetable, model="total", valid_from=D(2023, 1, 1)
    )
    response = client_for(analyst_x).get(
        reverse("organisation:site", args=["kommune-x", timetable.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Torggata 1, 1234 Sted" in html
    assert "Skranke 1" in html
    staffed, self_service = response.context["opening_hours"]
    assert (staffed.weekly_hours, self_service.weekly_hours) == (
        Decimal("35.83"),
        Decimal("105.00"),
    )
    assert "Hours a week: 35.83" in html
    assert "Self-service (meråpent)" in html
    assert [p.model for p in response.context["history"]] == ["hybrid", "total"]
    assert "until further notice" in html
    assert "Add a period" not in html  # an analyst may not edit the organisation


def test_a_manager_is_offered_the_form_to_add_a_period(site_a, manager_x, client_for):
    html = (
        client_for(manager_x)
        .get(reverse("organisation:site", args=["kommune-x", site_a.pk]))
        .content.decode()
    )
    assert reverse("organisation:site_model_period_add", args=["kommune-x", site_a.pk]) in html


@pytest.mark.parametrize("page", ["list", "detail"])
def test_an_outsider_gets_404_for_the_sites_of_another_municipality(
    page, site_a, outsider_y, client_for
):
    address = (
        reverse("organisation:sites", args=["kommune-x"])
        if page == "list"
        else reverse("organisation:site", args=["kommune-x", site_a.pk])
    )
    assert client_for(outsider_y).get(address).status_code == 404


def test_a_site_of_another_municipality_is_404_even_through_ones_own_municipality(
    site_a, site_b, outsider_y, desk_worker_x, client_for
):
    # The outsider is a manager of Y; site A belongs to X.
    response = client_for(outsider_y).get(
        reverse("organisation:site", args=["kommune-y", site_a.pk])
    )
    assert response.status_code == 404
    response = client_for(desk_worker_x).get(
        reverse("organisation:site", args=["kommune-x", site_b.pk])
    )
    assert response.status_code == 404
    assert (
        client_for(outsider_y)
        .get(reverse("organisation:site", args=["kommune-y", site_b.pk]))
        .status_code
        == 200
    )
