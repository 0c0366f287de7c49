"""The national annual library statistics: public reference data for any logged-in user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from torg.imports.framework import run_import
from torg.testing.factories import demo_data_file, make_user

REFERENCE = json.loads((Path(__file__).parent / "reference" / "api_lists.json").read_text("utf-8"))
PATH = "/api/v1/national/annual-statistics/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def norway_2020() -> None:
    run_import(
        "nb-folkebibliotek-2020", demo_data_file("norway-nb-2020/folkebibl-2020-kommuner.csv")
    )


def test_any_logged_in_user_reads_the_statistics_of_every_municipality(norway_2020, client_for):
    nobody = make_user("member-of-nothing")  # no membership at all
    response = client_for(nobody).get(PATH, {"country": "no", "year": 2020, "limit": 1})
    assert response.status_code == 200
    assert response.json()["count"] == REFERENCE["norway_2020"]["rows"]


def test_the_statistics_filter_by_municipality_number(norway_2020, desk_worker_x, client_for):
    response = client_for(desk_worker_x).get(PATH, {"municipality_number": "3005"})
    [drammen] = response.json()["results"]
    expected = REFERENCE["norway_2020"]["drammen_3005"]
    assert drammen["municipality_name"] == "Drammen"
    assert {name: drammen[name] for name in expected} == expected
    detail = client_for(desk_worker_x).get(f"{PATH}{drammen['id']}/").json()
    assert detail == drammen


def test_another_year_or_country_gives_no_rows(norway_2020, desk_worker_x, client_for):
    client = client_for(desk_worker_x)
    assert client.get(PATH, {"year": 2019}).json()["count"] == 0
    assert client.get(PATH, {"country": "SE"}).json()["count"] == 0
    assert client.get(PATH, {"year": "twenty"}).status_code == 400


def test_an_anonymous_caller_cannot_read_them(client, norway_2020):
    assert client.get(PATH).status_code in {401, 403}
