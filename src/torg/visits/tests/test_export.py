"""The CSV exports of the visits and events lists: permission, format, filters, and totals
that agree with the page."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
from django.urls import reverse

from torg.visits.tests.test_selectors import EXPECTED, load_events, load_visit_counts

RANGE = {"date_from": "2024-03-25", "date_to": "2024-03-31"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in with a password; the production hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(municipality_x, municipality_y):
    load_visit_counts(municipality_y)
    load_events(municipality_y)
    sites = load_visit_counts(municipality_x)
    load_events(municipality_x)
    return sites


def url(name: str, municipality) -> str:
    return reverse(name, args=[municipality.slug])


def download(response) -> tuple[bytes, str]:
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    body = b"".join(response.streaming_content)
    return body, response["Content-Type"]


def rows_of(body: bytes, delimiter: str) -> list[dict[str, str]]:
    assert body.startswith(codecs.BOM_UTF8)
    return list(
        csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter)
    )


@pytest.mark.parametrize("name", ["visits:export", "visits:events_export"])
def test_a_desk_worker_without_export_permission_gets_403(
    name, world, municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(url(name, municipality_x))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["visits:export", "visits:events_export"])
def test_an_analyst_and_a_manager_may_download(
    name, world, municipality_x, analyst_x, manager_x, client_for
):
    for user in (analyst_x, manager_x):
        body, content_type = download(client_for(user).get(url(name, municipality_x)))
        assert content_type == "text/csv; charset=utf-8"
        assert body.startswith(codecs.BOM_UTF8)


def test_the_visits_csv_sums_to_the_page_total_for_the_same_filters(
    world, municipality_x, analyst_x, client_for
):
    client = client_for(analyst_x)
    body, _ = download(client.get(url("visits:export", municipality_x), RANGE, **ENGLISH))
    rows = rows_of(body, ",")
    page = client.get(url("visits:list", municipality_x), RANGE).context["totals"]
    assert len(rows) == page.counts == EXPECTED["visits"]["range"]["counts"]
    assert sum(int(row["Visits"]) for row in rows) == page.visits == 248


def test_the_visits_csv_gives_local_times_with_their_utc_offset_and_zone(
    world, municipality_x, analyst_x, client_for
):
    body, _ = download(
        client_for(analyst_x).get(
            url("visits:export", municipality_x),
            {"date_from": "2024-03-31", "date_to": "2024-03-31"},
            **ENGLISH,
        )
    )
    rows = {(row["Site"], row["Entrance"]): row for row in rows_of(body, ",")}
    nord = rows[("Torget A", "Nord")]
    assert nord["Period start"] == "2024-03-31T23:00:00+02:00"
    assert nord["Period end (not included)"] == "2024-04-01T00:00:00+02:00"
    assert nord["Time zone"] == "Europe/Oslo"
    whole_day = rows[("Torget A", "All entrances")]
    # The 23-hour day: starts in winter time, ends in summer time.
    assert whole_day["Period start"] == "2024-03-31T00:00:00+01:00"
    assert whole_day["Period end (not included)"] == "2024-04-01T00:00:00+02:00"
    toronto = rows[("Toronto Branch", "All entrances")]
    assert toronto["Period start"] == "2024-03-31T22:00:00-04:00"
    assert toronto["Time zone"] == "America/Toronto"


def test_norwegian_readers_get_semicolons_by_default_and_may_choose_commas(
    world, municipality_x, analyst_x, client_for
):
    client = client_for(analyst_x)
    norwegian, _ = download(client.get(url("visits:export", municipality_x), RANGE))
    header = norwegian.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.count(";") == 9 and "," not in header
    chosen, _ = download(
        client.get(url("visits:export", municipality_x), {**RANGE, "delimiter": "comma"})
    )
    assert len(rows_of(chosen, ",")) == 6


def test_english_readers_get_commas_by_default_and_english_headers(
    world, municipality_x, analyst_x, client_for
):
    body, _ = download(
        client_for(analyst_x).get(url("visits:export", municipality_x), RANGE, **ENGLISH)
    )
    header = body.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header == (
        "Site,Entrance,Period start,Period end (not included),Time zone,Visits,Method,Note,Estimate,Why an estimate"
    )


def test_a_zero_count_is_exported_as_0(world, municipality_x, analyst_x, client_for):
    body, _ = download(
        client_for(analyst_x).get(
            url("visits:export", municipality_x),
            {"date_from": "2024-03-30", "date_to": "2024-03-30"},
            **ENGLISH,
        )
    )
    assert [row["Visits"] for row in rows_of(body, ",")] == ["0"]


def test_the_export_refuses_invalid_filters_instead_of_exporting_everything(
    world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        url("visits:export", municipality_x), {"date_from": "2024-03-31", "date_to": "2024-03-01"}
    )
    assert response.status_code == 400
    assert not response.streaming


def test_the_export_never_contains_rows_of_another_municipality(
    world, municipality_x, analyst_x, client_for
):
    body, _ = download(client_for(analyst_x).get(url("visits:export", municipality_x), **ENGLISH))
    assert len(rows_of(body, ",")) == EXPECTED["visits"]["all"]["counts"]


def test_the_events_csv_keeps_not_recorded_apart_from_zero_and_sums_to_the_page_total(
    world, municipality_x, analyst_x, client_for
):
    client = client_for(analyst_x)
    body, _ = download(client.get(url("visits:events_export", municipality_x), RANGE, **ENGLISH))
    rows = rows_of(body, ",")
    totals = client.get(url("visits:events", municipality_x), RANGE).context["totals"]
    assert len(rows) == totals.rows
    assert sum(int(row["Number of events"]) for row in rows) == totals.events == 9
    recorded = [row for row in rows if row["Attendance recorded"] == "yes"]
    missing = [row for row in rows if row["Attendance recorded"] == "no"]
    assert sum(int(row["Attendance"]) for row in recorded) == totals.attendance == 73
    assert sorted(row["Attendance"] for row in recorded) == ["0", "25", "40", "8"]
    assert [row["Attendance"] for row in missing] == ["", ""]
    no_site = [row for row in rows if row["Site"] == "Not stated"]
    assert [row["Starts"] for row in no_site] == ["2024-03-26T10:00:00+01:00"]


def test_the_events_csv_has_a_filename_and_is_not_cached(
    world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(url("visits:events_export", municipality_x))
    assert response["Content-Disposition"].startswith(
        'attachment; filename="torg-events-kommune-x-'
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("export", "page"),
    [
        ("visits:export", "visits:list"),
        ("visits:events_export", "visits:events"),
        ("inquiries:export", "inquiries:list"),
    ],
)
def test_an_unknown_delimiter_is_refused_with_400_and_a_message_not_replaced_by_a_semicolon(
    export, page, world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        url(export, municipality_x), {**RANGE, "delimiter": "tab"}, **ENGLISH
    )
    assert response.status_code == 400
    assert not response.streaming
    html = response.content.decode()
    assert 'id="id_delimiter_error"' in html
    assert "Choose a semicolon or a comma." in html
    # The list is shown with its filters kept, and its filter form leads back to the list.
    assert 'value="2024-03-25"' in html
    assert f'<form method="get" action="{url(page, municipality_x)}"' in html
