"""The national comparison page: any logged-in user, the default municipality, the figures
in the table, and what the page says about its method and missing values."""

from __future__ import annotations

import re

import pytest

from torg.organisation.models import Role
from torg.testing.factories import make_municipality, make_user
from torg.visits.models import AnnualLibraryStatistics


def stats(
    number: str,
    name: str,
    population: int | None,
    visits: int | None,
    events: int,
    attendance: int,
    county: str = "30",
):
    return AnnualLibraryStatistics.objects.create(
        country="NO",
        county_number=county,
        year=2020,
        municipality_number=number,
        municipality_name=name,
        population_total=population,
        visits_total=visits,
        events_total=events,
        events_attendance=attendance,
    )


@pytest.fixture
def country(db):
    # Visits per inhabitant: Drammen 2.0, Lier 3.0 (in band), Asker — (missing, in band),
    # Oslo 1.0 (out of band). Country median of (2, 3, 1) = 2; ratio of totals =
    # (200 000 + 270 000 + 700 000) / (100 000 + 90 000 + 700 000) = 1.3146…
    stats("3005", "Drammen", 100_000, 200_000, 300, 7_000)
    stats("3049", "Lier", 90_000, 270_000, 90, 1_800)
    stats("3025", "Asker", 95_000, None, 95, 950)
    # County 30: Drammen, Lier, Asker (missing): median (2, 3) = 2.5, ratio 470 000 /
    # 190 000 = 2.47; Oslo is county 03.
    stats("0301", "Oslo", 700_000, 700_000, 7_000, 140_000, county="03")


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def summary_rows(html: str) -> list[list[str]]:
    body = re.search(
        r'<table class="data-table comparison-table".*?<tbody>(.*?)</tbody>', html, re.S
    )
    assert body
    return [
        [
            re.sub(r"<[^>]+>", "", c).replace("\xa0", " ").strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    ]


def test_any_logged_in_user_sees_the_comparison_and_drammen_is_the_default(client_for, country, db):
    client = english(client_for(make_user("no-membership")))
    html = client.get("/national/").content.decode()
    assert "Drammen in 2020" in html
    rows = summary_rows(html)
    assert rows[0][:2] == ["Visits per inhabitant", "2.00"]
    # Peers: Lier (3.0) and Asker (missing) in 75 000–125 000; median over Lier only.
    assert rows[0][3:5] == ["3.00", "3.00"]
    assert rows[0][5:7] == ["2.50", "2.47"]
    assert rows[0][7:9] == ["2.00", "1.31"]
    assert "similar population 1 included, 1 left out; country 3 included, 1 left out" in html
    assert "County: 2 included, 1 left out." in html
    assert "75,000 to 125,000 inhabitants" in html


def test_the_page_opens_on_the_users_norwegian_municipality(client_for, country, db):
    lier = make_municipality("lier", name="Lier", number="3049")
    user = make_user("lier-analyst", lier, Role.ANALYST)
    html = english(client_for(user)).get("/national/").content.decode()
    assert "Lier in 2020" in html


def test_a_chosen_municipality_number_without_leading_zero_is_found(
    client_for, desk_worker_x, country
):
    html = (
        english(client_for(desk_worker_x))
        .get("/national/?municipality=301&year=2020")
        .content.decode()
    )
    assert "Oslo in 2020" in html
    assert summary_rows(html)[1][:3] == ["Events per 1,000 inhabitants", "10.0", "1 of 4"]


def test_an_unknown_number_falls_back_and_says_so(client_for, desk_worker_x, country):
    html = english(client_for(desk_worker_x)).get("/national/?municipality=9999").content.decode()
    assert "No municipality with number 9999" in html


def test_the_page_says_which_figure_is_a_median_and_which_a_ratio_of_totals(
    client_for, desk_worker_x, country
):
    html = english(client_for(desk_worker_x)).get("/national/").content.decode()
    assert "Ratio of totals" in html and "Median" in html
    assert "left out of that indicator" in html
    assert 'id="chart-national-table"' in html


def test_anonymous_visitors_are_sent_to_log_in(client, country):
    response = client.get("/national/")
    assert response.status_code == 302


def test_without_statistics_the_page_says_so(client_for, desk_worker_x):
    html = english(client_for(desk_worker_x)).get("/national/").content.decode()
    assert "No national library statistics have been imported yet." in html


def test_a_membership_in_a_non_norwegian_municipality_does_not_change_the_default(
    client_for, country, db
):
    toronto = make_municipality("toronto", name="Toronto", number="3049", country="CA")
    user = make_user("toronto-analyst", toronto, Role.ANALYST)
    html = english(client_for(user)).get("/national/").content.decode()
    assert "Drammen in 2020" in html


@pytest.mark.parametrize("year", ["1900", "2031", "abc"])
def test_a_year_without_statistics_falls_back_and_says_so(year, client_for, desk_worker_x, country):
    response = english(client_for(desk_worker_x)).get(
        "/national/", {"municipality": "3005", "year": year}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f"There are no statistics for the year {year}; showing 2020, the newest year, instead."
        in html
    )
    assert "Drammen in 2020" in html


def test_a_year_with_statistics_says_nothing_about_falling_back(client_for, desk_worker_x, country):
    html = (
        english(client_for(desk_worker_x))
        .get("/national/", {"municipality": "3005", "year": "2020"})
        .content.decode()
    )
    assert "There are no statistics for the year" not in html
