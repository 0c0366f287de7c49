"""Pages at narrow widths, measured in headless Chromium: nothing may make the page wider
than the window (a wide table scrolls inside its own box). Issue 2's trial found a site's
model history 932 px wide at 768 px (the visually hidden texts of its cells escaped the
scroll box) and the municipality select of /national/ 427 px wide at 375 px.

The page is rendered by the test client, its stylesheets linked as files, and shown in an
iframe of the width under test (Chromium's window is at least 500 px wide); a script in the
page reports ``document.documentElement.scrollWidth``. Skipped where Chromium is missing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from torg.organisation.models import OrganisationalModel, SiteModelPeriod
from torg.visits.models import AnnualLibraryStatistics

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"),
]

PROBE = """<script>window.addEventListener('load', () => {
  parent.postMessage(String(document.documentElement.scrollWidth), '*');
});</script>"""


def page_width(client: Client, url: str, width: int, folder: Path) -> int:
    """The scroll width in CSS pixels of ``url`` shown ``width`` pixels wide."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 200

    def as_file(match: re.Match[str]) -> str:
        found = finders.find(match.group(1))
        return f'"{Path(str(found)).as_uri()}"' if found else match.group(0)

    html = re.sub(r'"/static/([^"]+)"', as_file, response.content.decode())
    (folder / "page.html").write_text(html.replace("</body>", PROBE + "</body>"), "utf-8")
    frame = folder / "frame.html"
    frame.write_text(
        f'<!doctype html><body style="margin:0"><iframe src="page.html" '
        f'style="width:{width}px;height:800px;border:0"></iframe><script>'
        "addEventListener('message', e => document.body.dataset.width = e.data);"
        "</script></body>",
        "utf-8",
    )
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--allow-file-access-from-files",
            "--window-size=1200,900",
            "--virtual-time-budget=5000",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    found = re.search(r'data-width="(\d+)"', done.stdout)
    assert found, done.stderr[-2000:]
    return int(found.group(1))


def test_a_long_note_in_the_model_history_leaves_the_site_page_as_wide_as_the_window(
    site_a, administrator_x, client_for, tmp_path
):
    SiteModelPeriod.objects.create(
        municipality=site_a.municipality,
        site=site_a,
        model=OrganisationalModel.choices[0][0],
        valid_from=dt.date(2020, 1, 1),
        note="x" * 300,
    )
    url = f"/m/{site_a.municipality.slug}/sites/{site_a.pk}/"
    client = client_for(administrator_x)
    for width in (768, 375):
        assert page_width(client, url, width, tmp_path) <= width, width


def test_the_national_page_with_long_municipality_names_fits_375_pixels(
    desk_worker_x, client_for, tmp_path
):
    for number, name in [
        ("5610", "Kárášjohka - Karasjok"),
        ("5620", "Porsanger - Porsángu - Porsanki"),
        ("3005", "Drammen"),
    ]:
        AnnualLibraryStatistics.objects.create(
            country="NO",
            year=2020,
            municipality_number=number,
            municipality_name=name + " og omegn bibliotek og innbyggertorg",
            population_total=10_000,
            visits_total=20_000,
            events_total=10,
            events_attendance=100,
        )
    assert page_width(client_for(desk_worker_x), "/national/", 375, tmp_path) <= 375
