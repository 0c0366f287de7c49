"""The desk statistics page, its CSV and XLSX exports and its API endpoint as each persona:
who sees what, how the page is built for screen readers and keyboards, and the file
formats."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.inquiries.views_statistics import HEAT_LEVELS, heat_level
from torg.testing.factories import local, make_service_point, make_site

pytestmark = pytest.mark.django_db

PAGE = "/m/{slug}/inquiries/statistics/"
CSV = "/m/{slug}/inquiries/statistics/export.csv"
XLSX = "/m/{slug}/inquiries/statistics/export.xlsx"
API = "/api/v1/m/{slug}/inquiry-statistics/"


@pytest.fixture
def logged(site_a):
    for hour in (9, 9, 10):
        Inquiry.objects.create(
            municipality=site_a.municipality,
            site=site_a,
            occurred_at=local(2026, 5, 4, hour),
            channel=Channel.IN_PERSON,
            outcome=Outcome.RESOLVED,
        )
    return site_a


def urls(slug: str) -> list[str]:
    return [template.format(slug=slug) for template in (PAGE, CSV, XLSX, API)]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # Desk staff see the page (the municipality's figures, as on the dashboard) but
        # may not download them; analysts and managers may.
        ("desk_worker_x", [200, 403, 403, 403]),
        ("analyst_x", [200, 200, 200, 200]),
        ("manager_x", [200, 200, 200, 200]),
        ("administrator_x", [200, 200, 200, 200]),
        # A manager of municipality Y learns nothing about X, not even that it exists.
        ("outsider_y", [404, 404, 404, 404]),
    ],
)
def test_each_persona_gets_what_its_role_allows(persona, expected, logged, client_for, request):
    client = client_for(request.getfixturevalue(persona))
    statuses = [client.get(url).status_code for url in urls(logged.municipality.slug)]
    assert statuses == expected


def test_an_anonymous_visitor_is_sent_to_the_login_page_or_refused(logged, client):
    page, csv_url, xlsx, api = urls(logged.municipality.slug)
    for url in (page, csv_url, xlsx):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(api).status_code == 401


def test_the_outsider_sees_only_her_own_municipality_in_her_statistics(
    logged, site_b, outsider_y, client_for
):
    body = client_for(outsider_y).get(API.format(slug=site_b.municipality.slug)).json()
    assert body["total"] == 0 and body["heat_maps"] == []


def test_a_site_of_another_municipality_is_refused_as_a_filter(
    logged, site_b, analyst_x, client_for
):
    client = client_for(analyst_x)
    slug = logged.municipality.slug
    assert client.get(PAGE.format(slug=slug), {"site": site_b.pk}).status_code == 400
    assert client.get(API.format(slug=slug), {"site": site_b.pk}).status_code == 400


def test_a_service_point_of_another_site_is_refused_next_to_its_field(
    logged, municipality_x, analyst_x, client_for
):
    other = make_site(municipality_x, "Filial")
    desk = make_service_point(other, "Skranke")
    response = client_for(analyst_x).get(
        PAGE.format(slug=logged.municipality.slug),
        {"site": logged.pk, "service_point": desk.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["service_point"]


def test_the_page_has_an_accessible_heat_map_filters_and_export_links(
    logged, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        PAGE.format(slug=logged.municipality.slug), {"channel": "in_person", "site": logged.pk}
    )
    html = response.content.decode()
    assert f'id="heat-map-{logged.pk}"' in html
    assert "<caption>" in html and '<th scope="row">' in html and '<th scope="col">' in html
    # Counts are written in the cells; the shade only adds to them.
    assert 'data-count="2">2</td>' in html
    # Every filter has a label.
    for name in ("site", "service_point", "date_from", "date_to", "domain", "channel"):
        assert f'for="id_{name}"' in html, name
    # The export links carry the filters.
    assert 'name="channel" value="in_person"' in html
    (xlsx_link,) = re.findall(r'href="([^"]*export\.xlsx[^"]*)"', html)
    assert f"site={logged.pk}" in xlsx_link and "channel=in_person" in xlsx_link
    assert 'aria-current="page"' in html and "/inquiries/statistics/" in html


def test_the_nav_links_to_the_statistics(logged, manager_x, client_for):
    response = client_for(manager_x).get(f"/m/{logged.municipality.slug}/")
    assert (
        f'href="/m/{logged.municipality.slug}/inquiries/statistics/"' in response.content.decode()
    )


def test_the_csv_is_utf8_with_a_bom_and_the_chosen_delimiter(logged, analyst_x, client_for):
    client = client_for(analyst_x)
    for delimiter, mark in (("semicolon", ";"), ("comma", ",")):
        response = client.get(CSV.format(slug=logged.municipality.slug), {"delimiter": delimiter})
        raw = b"".join(response.streaming_content)
        assert raw.startswith("\ufeff".encode())
        assert raw.decode("utf-8").splitlines()[0].count(mark) == 5
    assert response["Content-Disposition"].endswith('-all--all.csv"')


def test_an_unknown_delimiter_is_refused_with_the_page(logged, analyst_x, client_for):
    response = client_for(analyst_x).get(
        CSV.format(slug=logged.municipality.slug), {"delimiter": "tab"}
    )
    assert response.status_code == 400
    assert response.context["csv_options"].errors


def test_the_workbook_has_the_heat_map_as_a_grid(logged, analyst_x, client_for):
    response = client_for(analyst_x).get(XLSX.format(slug=logged.municipality.slug))
    book = load_workbook(io.BytesIO(response.content))
    # Summary, heat map, mix, data; no "hours" sheet without a period.
    assert len(book.worksheets) == 4
    grid = book.worksheets[1]
    monday = [cell.value for cell in grid[3]]
    assert monday[1 + 9] == 2 and monday[1 + 10] == 1 and monday[-1] == 3


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(("background", "text"), HEAT_LEVELS)
def test_every_heat_map_shade_keeps_a_contrast_of_at_least_4_5_to_1(background, text):
    # WCAG 2.1 relative luminance and contrast ratio (success criterion 1.4.3).
    lighter, darker = sorted((_luminance(background), _luminance(text)), reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5


def test_the_heat_map_shades_follow_quarters_of_the_busiest_cell():
    assert [heat_level(n, 8) for n in (0, 1, 2, 3, 4, 5, 6, 7, 8)] == [0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert heat_level(0, 0) == 0


def test_the_hourly_chart_of_the_day_the_clocks_go_back_has_25_bars(site_a, analyst_x, client_for):
    for hour in (0, 1, 1):  # 02:15 CEST, then 02:15 CET twice (UTC hours 0 and 1)
        Inquiry.objects.create(
            municipality=site_a.municipality,
            site=site_a,
            occurred_at=dt.datetime(2026, 10, 25, hour, 15, tzinfo=dt.UTC),
            channel=Channel.IN_PERSON,
            outcome=Outcome.RESOLVED,
        )
    response = client_for(analyst_x).get(
        PAGE.format(slug=site_a.municipality.slug),
        {"site": site_a.pk, "date_from": "2026-10-25", "date_to": "2026-10-25"},
    )
    chart = response.context["hourly_chart"]
    assert len(chart.rows) == 25
    labels = {row[0].text: row[1].text for row in chart.rows}
    assert labels["2026-10-25 02:00 UTC+02:00"] == "1"
    assert labels["2026-10-25 02:00 UTC+01:00"] == "2"
    assert 'id="hours-2026-10-25"' in response.content.decode()
