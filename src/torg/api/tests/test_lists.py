"""The inquiries, visit counts and events lists: inclusive local-day ranges at each row's
site, the site filter, pagination, totals of all matching rows, and instants written with
the site's UTC offset.

Real data is compared with figures computed independently from the raw files
(``reference/api_lists.json`` says how); the daylight-saving cases are worked out by hand
in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from torg.demo.setup import ensure_toronto
from torg.imports.framework import run_import
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.organisation.models import Role, Site
from torg.testing.factories import (
    demo_data_file,
    local,
    make_municipality,
    make_site,
    make_user,
    shared_data_file,
)
from torg.visits.models import Audience, Event, EventType

REFERENCE = json.loads((Path(__file__).parent / "reference" / "api_lists.json").read_text("utf-8"))

pytestmark = pytest.mark.django_db


def inquiry_at(site: Site, instant: dt.datetime) -> Inquiry:
    return Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=instant,
        channel=Channel.IN_PERSON,
        outcome=Outcome.RESOLVED,
    )


def fetch_all(client, path: str, params: dict) -> tuple[list[dict], dict]:
    """Every row of a list, page by page, and the totals of the first page."""
    rows: list[dict] = []
    first = client.get(path, {**params, "limit": 50})
    assert first.status_code == 200, first.content
    body = first.json()
    totals = body["totals"]
    rows.extend(body["results"])
    while body["next"]:
        body = client.get(body["next"]).json()
        rows.extend(body["results"])
        assert body["totals"] == totals  # the totals are of all rows, not of a page
    assert len(rows) == first.json()["count"]
    return rows, totals


@pytest.fixture
def oslo_and_toronto(municipality_x) -> tuple[Site, Site]:
    return (
        make_site(municipality_x, "Oslo", time_zone="Europe/Oslo"),
        make_site(municipality_x, "Toronto", time_zone="America/Toronto"),
    )


def test_the_last_day_is_included_by_local_time_at_each_site(
    municipality_x, oslo_and_toronto, analyst_x, client_for
):
    oslo, toronto = oslo_and_toronto
    # Oslo went to summer time (UTC+2) at 02:00 on Sunday 31 March 2024.
    inquiry_at(oslo, local(2024, 3, 31, 23, 30))  # 21:30 UTC: on the 31st in Oslo
    inquiry_at(oslo, local(2024, 4, 1, 0, 30))  # 22:30 UTC on the 31st, but 1 April in Oslo
    inquiry_at(oslo, local(2024, 3, 1, 0, 0))  # first instant of the range
    inquiry_at(oslo, local(2024, 2, 29, 23, 59))  # one minute before it
    # Toronto is UTC-4 then: 23:30 on the 31st there is 03:30 UTC on 1 April.
    inquiry_at(toronto, local(2024, 3, 31, 23, 30, zone="America/Toronto"))
    inquiry_at(toronto, local(2024, 4, 1, 0, 0, zone="America/Toronto"))

    rows, totals = fetch_all(
        client_for(analyst_x),
        f"/api/v1/m/{municipality_x.slug}/inquiries/",
        {"from": "2024-03-01", "to": "2024-03-31"},
    )

    assert totals["inquiries"] == 3
    assert sorted(row["occurred_at"] for row in rows) == [
        "2024-03-01T00:00:00+01:00",
        "2024-03-31T23:30:00+02:00",
        "2024-03-31T23:30:00-04:00",
    ]
    assert {row["local_date"] for row in rows} == {"2024-03-01", "2024-03-31"}


def test_the_site_filter_and_a_single_day_range(
    municipality_x, oslo_and_toronto, analyst_x, client_for
):
    oslo, toronto = oslo_and_toronto
    inquiry_at(oslo, local(2024, 10, 27, 2, 30).replace(fold=1))  # the second 02:30 (UTC+1)
    inquiry_at(oslo, local(2024, 10, 27, 23, 59))
    inquiry_at(toronto, local(2024, 10, 27, 12, 0, zone="America/Toronto"))
    response = client_for(analyst_x).get(
        f"/api/v1/m/{municipality_x.slug}/inquiries/",
        {"from": "2024-10-27", "to": "2024-10-27", "site": oslo.pk},
    )
    body = response.json()
    # 27 October 2024 had 25 hours in Oslo; both Oslo inquiries fall on it.
    assert body["totals"]["inquiries"] == body["count"] == 2
    assert {row["site"] for row in body["results"]} == {oslo.pk}
    assert "2024-10-27T02:30:00+01:00" in {row["occurred_at"] for row in body["results"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "31.03.2024"}, "from"),
        ({"from": "2024-03-31", "to": "2024-03-01"}, "to"),
        ({"site": "abc"}, "site"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_the_parameter(
    params, field, municipality_x, site_a, analyst_x, client_for
):
    response = client_for(analyst_x).get(f"/api/v1/m/{municipality_x.slug}/inquiries/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_a_site_of_another_municipality_is_not_found_as_a_filter(
    municipality_x, site_a, site_b, analyst_x, client_for
):
    inquiry_at(site_b, local(2024, 3, 1, 12))
    response = client_for(analyst_x).get(
        f"/api/v1/m/{municipality_x.slug}/inquiries/", {"site": site_b.pk}
    )
    assert response.status_code == 400
    assert "site" in response.json()


def test_events_carry_their_totals_and_zero_attendance_is_not_missing(
    municipality_x, site_a, analyst_x, client_for
):
    for attendance, occurrences in [(0, 1), (25, 1), (None, 3), (40, None)]:
        Event.objects.create(
            municipality=municipality_x,
            site=site_a,
            starts_at=local(2024, 5, 2, 18),
            event_type=EventType.TALK_DEBATE,
            audience=Audience.ADULTS,
            attendance=attendance,
            occurrences=occurrences,
        )
    body = client_for(analyst_x).get(f"/api/v1/m/{municipality_x.slug}/events/").json()
    # The last row reports attendance without a number of events: its 40 count in the
    # attendance, it adds no events.
    assert body["totals"] == {
        "rows": 4,
        "events": 5,
        "attendance": 65,
        "events_with_attendance": 2,
        "events_without_attendance": 3,
        "rows_without_event_count": 1,
        "attendance_without_event_count": 40,
    }
    assert sorted(
        row["attendance"] for row in body["results"] if row["attendance"] is not None
    ) == [0, 25, 40]
    assert sorted(
        (row["occurrences"] is None, row["attendance"] is None) for row in body["results"]
    ) == [(False, False), (False, False), (False, True), (True, False)]
    assert {row["starts_at"] for row in body["results"]} == {"2024-05-02T18:00:00+02:00"}


@pytest.fixture
def toronto_visits():
    toronto = ensure_toronto()
    run_import(
        "toronto-branches",
        demo_data_file("toronto-tpl/tpl-branch-general-information-2023.csv"),
        municipality="toronto",
    )
    run_import(
        "toronto-visits",
        demo_data_file("toronto-tpl/tpl-visits-annual-by-branch-2012-2022.csv"),
        municipality="toronto",
    )
    return toronto


def test_toronto_visits_per_year_match_the_raw_file(toronto_visits, client_for):
    analyst = make_user("analyst-toronto", toronto_visits, Role.ANALYST)
    client = client_for(analyst)
    path = "/api/v1/m/toronto/visit-counts/"
    for year, expected in REFERENCE["toronto_visits"]["by_year"].items():
        rows, totals = fetch_all(client, path, {"from": f"{year}-01-01", "to": f"{year}-12-31"})
        assert totals["visits"] == sum(row["count"] for row in rows) == expected["visits"]
        assert totals["counts"] == len(rows) == expected["rows"]
        # Each yearly period starts at local midnight on 1 January, Toronto time (UTC-5).
        assert {row["period_start"] for row in rows} == {f"{year}-01-01T00:00:00-05:00"}


def test_the_scarborough_civic_centre_branch_by_site_filter(toronto_visits, client_for):
    analyst = make_user("analyst-toronto", toronto_visits, Role.ANALYST)
    site = Site.objects.get(municipality=toronto_visits, code="SC")
    rows, totals = fetch_all(
        client_for(analyst), "/api/v1/m/toronto/visit-counts/", {"site": site.pk}
    )
    by_year = {row["period_start"][:4]: row["count"] for row in rows}
    assert by_year == REFERENCE["toronto_visits"]["scarborough_civic_centre"]
    assert totals["visits"] == sum(by_year.values())
    # A range that ends the day before 2015 begins holds none of the branch's years.
    before = client_for(analyst).get(
        "/api/v1/m/toronto/visit-counts/", {"site": site.pk, "to": "2014-12-31"}
    )
    assert before.json()["count"] == 0


@pytest.mark.shared_data
def test_the_film_library_desk_log_by_inclusive_local_days(client_for):
    bampfa = make_municipality("bampfa", name="BAMPFA", number="06001", country="US")
    make_site(bampfa, "PFA Library", code="pfa", time_zone="America/Los_Angeles")
    run_import(
        "bampfa-desk-log",
        shared_data_file("reference-desk-transactions/libstats_2020.csv"),
        municipality="bampfa",
    )
    client = client_for(make_user("analyst-bampfa", bampfa, Role.ANALYST))
    for interval, expected in REFERENCE["bampfa_inquiries"]["by_inclusive_range"].items():
        first, last = interval.split("/")
        response = client.get("/api/v1/m/bampfa/inquiries/", {"from": first, "to": last})
        assert response.json()["totals"]["inquiries"] == expected, interval
