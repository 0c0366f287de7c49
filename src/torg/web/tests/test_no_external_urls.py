"""No page makes the browser fetch anything from elsewhere: every script, style sheet,
icon and image is served by Torg, and chart specs carry their data inline."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders

from torg.testing.factories import local
from torg.visits.models import (
    AnnualLibraryStatistics,
    Audience,
    CountMethod,
    Event,
    EventType,
    VisitCount,
)


class Resources(HTMLParser):
    """Collects the URLs a browser would load by itself from script, link, img, iframe,
    source, object and embed tags."""

    ATTRIBUTES = {
        "script": "src",
        "link": "href",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "embed": "src",
        "object": "data",
    }

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = self.ATTRIBUTES.get(tag)
        if wanted and values.get(wanted):
            self.urls.append(values[wanted] or "")
        if tag == "img" and values.get("srcset"):
            self.urls.append(values["srcset"] or "")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts.append(data)


EXTERNAL = re.compile(r"^\s*(https?:)?//", re.I)


@pytest.fixture
def pages(client_for, administrator_x, site_a):
    VisitCount.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        period_start=local(2024, 1, 1),
        period_end=local(2024, 2, 1),
        count=10,
        method=CountMethod.AUTOMATIC,
    )
    Event.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        starts_at=local(2024, 1, 5, 12),
        event_type=EventType.TRAINING,
        audience=Audience.ADULTS,
        attendance=4,
    )
    AnnualLibraryStatistics.objects.create(
        country="NO",
        year=2020,
        municipality_number="3005",
        municipality_name="Drammen",
        population_total=100,
        visits_total=200,
        events_total=3,
        events_attendance=40,
    )
    client = client_for(administrator_x)
    return client, ["/m/kommune-x/", "/national/", "/accounts/login/"]


def test_no_page_loads_a_script_style_or_image_from_another_origin(pages):
    client, urls = pages
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = Resources()
        parser.feed(response.content.decode())
        assert parser.urls, f"{url} loads nothing at all?"
        external = [u for u in parser.urls if EXTERNAL.match(u)]
        assert external == [], f"{url} loads {external}"
        for script in parser.inline_scripts:
            assert "http://" not in script and "https://" not in script, url


def test_the_chart_pages_load_the_vendored_vega_libraries_that_exist(pages):
    client, _urls = pages
    parser = Resources()
    parser.feed(client.get("/m/kommune-x/").content.decode())
    scripts = [u for u in parser.urls if u.endswith(".js")]
    assert [u.rsplit("/", 1)[-1] for u in scripts] == [
        "vega.min.js",
        "vega-lite.min.js",
        "vega-embed.min.js",
        "charts.js",
    ]
    for url in parser.urls:
        relative = url.split("/static/", 1)[1]
        assert finders.find(relative), f"{relative} is not a static file of Torg"


def test_the_anonymous_home_redirect_and_login_page_load_nothing_external(client, db):
    parser = Resources()
    parser.feed(client.get("/accounts/login/").content.decode())
    assert not [u for u in parser.urls if EXTERNAL.match(u)]
