"""The inquiries list: selector totals against figures computed by GNU date and awk from
``reference/inquiries.csv`` (see ``reference/compute_reference.sh``), the page, the CSV
export, and who may see what."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from torg.catalogue.models import Service, ServiceCategory
from torg.inquiries.models import Inquiry
from torg.inquiries.selectors import InquiryFilters, inquiry_list, inquiry_totals
from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site
from torg.testing.factories import local, make_site

REFERENCE = Path(__file__).parent / "reference"
EXPECTED = json.loads((REFERENCE / "expected_totals.json").read_text(encoding="utf-8"))
FIRST = dt.date(2024, 3, 25)
LAST = dt.date(2024, 3, 31)
RANGE = {"date_from": "2024-03-25", "date_to": "2024-03-31"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas log in with a password; the production hasher costs seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _services(municipality: Municipality) -> dict[str, Service]:
    category = ServiceCategory.objects.create(
        municipality=municipality, code="test", name_nb="Test", name_en="Test"
    )
    return {
        "lending": Service.objects.create(
            municipality=municipality,
            category=category,
            code="lending",
            name_nb="Utlån",
            name_en="Lending",
            domain="library",
            level="generalist",
        ),
        "building-application": Service.objects.create(
            municipality=municipality,
            category=category,
            code="building-application",
            name_nb="Byggesøknad",
            name_en="Building application",
            domain="municipal",
            level="specialist",
        ),
    }


def load_inquiries(municipality: Municipality) -> tuple[dict[str, Site], dict[str, Service]]:
    """Create the rows of ``reference/inquiries.csv`` in ``municipality``."""
    services = _services(municipality)
    sites: dict[str, Site] = {}
    with (REFERENCE / "inquiries.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            if row["site"] not in sites:
                sites[row["site"]] = make_site(
                    municipality, row["site"], time_zone=row["time_zone"]
                )
            Inquiry.objects.create(
                municipality=municipality,
                site=sites[row["site"]],
                occurred_at=dt.datetime.fromisoformat(row["occurred"]).replace(
                    tzinfo=zone(row["time_zone"])
                ),
                time_of_day_known=row["time_of_day_known"] == "yes",
                channel=row["channel"],
                service=services[row["service"]] if row["service"] else None,
                domain=row["domain"],
                outcome=row["outcome"],
                read_effort=int(row["read_effort"]) if row["read_effort"] else None,
            )
    return sites, services


@pytest.fixture
def world(municipality_x, municipality_y):
    load_inquiries(municipality_y)
    return load_inquiries(municipality_x)


def cases(sites: dict[str, Site], services: dict[str, Service]) -> dict[str, InquiryFilters]:
    return {
        "all": InquiryFilters(),
        "range": InquiryFilters(first_day=FIRST, last_day=LAST),
        "range_municipal": InquiryFilters(first_day=FIRST, last_day=LAST, domain="municipal"),
        "range_in_person": InquiryFilters(first_day=FIRST, last_day=LAST, channel="in_person"),
        "range_resolved": InquiryFilters(first_day=FIRST, last_day=LAST, outcome="resolved"),
        "range_lending": InquiryFilters(
            first_day=FIRST, last_day=LAST, service=services["lending"]
        ),
        "range_site_toronto": InquiryFilters(
            site=sites["Toronto Branch"], first_day=FIRST, last_day=LAST
        ),
    }


@pytest.mark.parametrize("case", list(EXPECTED["inquiries"]))
def test_inquiry_totals_match_the_independently_computed_reference(case, world, municipality_x):
    totals = inquiry_totals(inquiry_list(municipality_x, cases(*world)[case]))
    expected = EXPECTED["inquiries"][case]
    assert totals.inquiries == expected["inquiries"]
    assert totals.inquiries_with_effort == expected["inquiries_with_effort"]
    assert totals.average_read_effort == Decimal(expected["average_read_effort"])


def test_an_average_leaves_out_inquiries_without_effort_instead_of_counting_them_as_zero(
    world, municipality_x
):
    totals = inquiry_totals(
        inquiry_list(
            municipality_x,
            InquiryFilters(first_day=dt.date(2024, 3, 28), last_day=dt.date(2024, 3, 28)),
        )
    )
    assert (totals.inquiries, totals.inquiries_with_effort, totals.average_read_effort) == (
        1,
        0,
        None,
    )


def test_the_last_day_includes_a_quarter_to_midnight_in_summer_time(world, municipality_x):
    sites, _ = world
    rows = inquiry_list(
        municipality_x, InquiryFilters(site=sites["Torget A"], first_day=LAST, last_day=LAST)
    )
    assert [row.read_effort for row in rows] == [3]


def test_a_member_sees_the_inquiries_of_their_municipality(
    world, municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(reverse("inquiries:list", args=[municipality_x.slug]))
    assert response.status_code == 200
    assert response.context["totals"].inquiries == EXPECTED["inquiries"]["all"]["inquiries"]
    html = response.content.decode()
    assert "<caption>" in html
    for field in ("site", "date_from", "date_to", "channel", "domain", "service", "outcome"):
        assert f'<label for="id_{field}"' in html


@pytest.mark.parametrize("name", ["inquiries:list", "inquiries:export"])
def test_an_outsider_gets_404_for_the_list_and_the_export(
    name, world, municipality_x, outsider_y, client_for
):
    response = client_for(outsider_y).get(reverse(name, args=[municipality_x.slug]))
    assert response.status_code == 404


def test_a_desk_worker_without_export_permission_gets_403_for_the_csv(
    world, municipality_x, desk_worker_x, client_for
):
    response = client_for(desk_worker_x).get(
        reverse("inquiries:export", args=[municipality_x.slug])
    )
    assert response.status_code == 403


def test_a_service_of_another_municipality_is_refused_as_a_filter(
    world, municipality_x, municipality_y, analyst_x, client_for
):
    foreign = Service.objects.get(municipality=municipality_y, code="lending")
    response = client_for(analyst_x).get(
        reverse("inquiries:list", args=[municipality_x.slug]), {"service": foreign.pk}
    )
    assert response.status_code == 400
    assert re.search(r'<select[^>]*aria-describedby="id_service_error"', response.content.decode())


def test_the_page_filters_and_shows_the_average_with_its_denominator(
    world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        reverse("inquiries:list", args=[municipality_x.slug]),
        {**RANGE, "domain": "municipal"},
        **ENGLISH,
    )
    totals = response.context["totals"]
    assert (totals.inquiries, totals.average_read_effort) == (2, Decimal("3.5"))
    html = response.content.decode()
    assert "Average READ effort (1–6), over the inquiries with an effort" in html


def test_a_date_only_inquiry_is_shown_without_a_time(world, municipality_x, analyst_x, client_for):
    html = (
        client_for(analyst_x)
        .get(
            reverse("inquiries:list", args=[municipality_x.slug]),
            {"date_from": "2024-03-28", "date_to": "2024-03-28"},
        )
        .content.decode()
    )
    assert re.search(r"<time [^>]*>2024-03-28</time>", html)


def test_the_csv_sums_to_the_page_total_and_gives_local_times_with_offsets(
    world, municipality_x, analyst_x, client_for
):
    client = client_for(analyst_x)
    response = client.get(reverse("inquiries:export", args=[municipality_x.slug]), RANGE, **ENGLISH)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    page = client.get(reverse("inquiries:list", args=[municipality_x.slug]), RANGE)
    assert len(rows) == page.context["totals"].inquiries == 5
    efforts = [int(row["READ effort (1–6)"]) for row in rows if row["READ effort (1–6)"]]
    assert sum(efforts) == EXPECTED["inquiries"]["range"]["read_effort_sum"]
    when = {row["When"] for row in rows}
    assert "2024-03-31T23:45:00+02:00" in when
    assert "2024-03-31T20:00:00-04:00" in when
    date_only = [row for row in rows if row["Time of day known"] == "no"]
    assert [row["When"] for row in date_only] == ["2024-03-28T00:00:00+01:00"]
    assert {row["Service"] for row in rows} == {"Lending", "Building application", ""}


def test_the_norwegian_csv_uses_semicolons_and_norwegian_service_names(
    world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        reverse("inquiries:export", args=[municipality_x.slug]), RANGE
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert all(len(row) == 10 for row in rows)
    assert any("Byggesøknad" in row for row in rows)


def test_without_any_effort_the_average_is_said_in_ordinary_text_not_as_a_big_number(
    municipality_x, site_a, analyst_x, client_for
):
    Inquiry.objects.create(
        municipality=municipality_x,
        site=site_a,
        occurred_at=local(2024, 3, 1, 10),
        channel="phone",
        outcome="resolved",
    )
    html = (
        client_for(analyst_x)
        .get(reverse("inquiries:list", args=[municipality_x.slug]), HTTP_ACCEPT_LANGUAGE="nb")
        .content.decode()
    )
    assert '<span class="headline__text">ingen innsats registrert</span>' in html
    assert '<span class="headline__value">ingen innsats' not in html


def test_the_norwegian_caption_counts_inquiries_in_the_plural(
    world, municipality_x, analyst_x, client_for
):
    html = (
        client_for(analyst_x)
        .get(
            reverse("inquiries:list", args=[municipality_x.slug]), RANGE, HTTP_ACCEPT_LANGUAGE="nb"
        )
        .content.decode()
    )
    assert "<caption>Henvendelser 1–5 av 5, nyeste først" in html


def test_a_refused_filter_puts_the_focus_on_the_error_summary(
    municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        reverse("inquiries:list", args=[municipality_x.slug]),
        {"channel": "digital"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r"<div class=\"error-summary\"[^>]*>", html)
    assert summary is not None
    for attribute in ('role="alert"', 'tabindex="-1"', "autofocus", "data-error-summary"):
        assert attribute in summary.group(0)
    assert '<a href="#id_channel">Channel: ' in html
    assert '<script src="/static/torg/focus.js" defer></script>' in html
    # The field's own error is in the field's box, linked from the control.
    assert re.search(
        r'<div class="field field--error">.*?<ul class="errorlist" id="id_channel_error">',
        html,
        re.S,
    )
