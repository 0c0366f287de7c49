"""The visits and events list pages: who may see them, what the filters and totals show,
and the accessible markup of form and table."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from torg.testing.factories import local
from torg.visits.models import VisitCount
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


@pytest.mark.parametrize("name", ["visits:list", "visits:events"])
def test_a_member_sees_the_list_of_their_municipality(name, world, desk_worker_x, client_for):
    response = client_for(desk_worker_x).get(url(name, world["Torget A"].municipality))
    assert response.status_code == 200
    assert "Torget A" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["visits:list", "visits:export", "visits:events", "visits:events_export"]
)
def test_an_outsider_gets_404_for_the_pages_and_exports_of_another_municipality(
    name, world, municipality_x, outsider_y, client_for
):
    response = client_for(outsider_y).get(url(name, municipality_x))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["visits:list", "visits:events"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(name, municipality_x, client):
    response = client.get(url(name, municipality_x))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_totals_of_the_visits_page_match_the_reference_for_the_filters(
    world, municipality_x, analyst_x, client_for
):
    client = client_for(analyst_x)
    response = client.get(url("visits:list", municipality_x), RANGE)
    totals = response.context["totals"]
    expected = EXPECTED["visits"]["range"]
    assert (totals.counts, totals.visits, totals.sites) == (
        expected["counts"],
        expected["visits"],
        expected["sites"],
    )
    site = world["Torget A"]
    response = client.get(url("visits:list", municipality_x), {**RANGE, "site": site.pk})
    assert response.context["totals"].visits == EXPECTED["visits"]["range_site_torget_a"]["visits"]
    response = client.get(
        url("visits:list", municipality_x), {**RANGE, "method": "manual", "entrance": "Nord"}
    )
    assert response.context["totals"].visits == 7


def test_the_page_says_what_its_totals_are_a_total_of(world, municipality_x, analyst_x, client_for):
    client = client_for(analyst_x)
    everything = client.get(url("visits:list", municipality_x), **ENGLISH).content.decode()
    filtered = client.get(url("visits:list", municipality_x), RANGE, **ENGLISH).content.decode()
    assert "Totals of all counts" in everything
    assert "Totals of the counts that match the filters" in filtered
    assert re.search(
        r"<dt>Visits \(sum of the counts\)</dt><dd><span class=\"headline__value\">248</span>",
        filtered,
    )


def test_a_zero_count_is_shown_as_0_and_not_blank(world, municipality_x, analyst_x, client_for):
    response = client_for(analyst_x).get(
        url("visits:list", municipality_x),
        {"date_from": "2024-03-30", "date_to": "2024-03-30"},
        **ENGLISH,
    )
    html = response.content.decode()
    assert re.search(r'<td class="num">0</td>', html)
    assert re.search(
        r"<dt>Visits \(sum of the counts\)</dt><dd><span class=\"headline__value\">0</span>", html
    )


def test_periods_are_shown_in_the_local_time_of_their_site(
    world, municipality_x, analyst_x, client_for
):
    html = (
        client_for(analyst_x)
        .get(
            url("visits:list", municipality_x), {"date_from": "2024-03-31", "date_to": "2024-03-31"}
        )
        .content.decode()
    )
    # Oslo 23:00 CEST and Toronto 22:00 EDT, both on 31 March in their own zones.
    assert "2024-03-31 23:00" in html
    assert "2024-03-31 22:00" in html
    assert 'datetime="2024-03-31T21:00:00+00:00"' in html


def test_the_end_day_is_inclusive_across_the_change_to_summer_time(
    world, municipality_x, analyst_x, client_for
):
    site = world["Torget A"]
    response = client_for(analyst_x).get(
        url("visits:list", municipality_x),
        {"site": site.pk, "date_from": "2024-03-31", "date_to": "2024-03-31"},
    )
    assert sorted(row.count for row in response.context["page"].object_list) == [7, 95]


def test_a_last_day_before_the_first_day_is_an_error_tied_to_its_field(
    municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(
        url("visits:list", municipality_x), {"date_from": "2024-03-31", "date_to": "2024-03-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_date_to_error"' in html
    assert re.search(r'<input[^>]*aria-describedby="id_date_to_error"[^>]*>', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_date_to"', html)
    assert 'role="alert"' in html


def test_a_site_of_another_municipality_is_refused_as_a_filter(
    world, municipality_x, municipality_y, analyst_x, client_for
):
    foreign = municipality_y.sites.get(name="Torget A")
    response = client_for(analyst_x).get(url("visits:list", municipality_x), {"site": foreign.pk})
    assert response.status_code == 400
    assert "totals" not in response.context


def test_text_that_is_not_on_the_whitelist_is_refused(municipality_x, analyst_x, client_for):
    response = client_for(analyst_x).get(
        url("visits:list", municipality_x), {"method": "automatic' OR 1=1 --"}
    )
    assert response.status_code == 400


def test_every_filter_has_a_label_and_the_table_has_a_caption_and_column_headers(
    world, municipality_x, analyst_x, client_for
):
    html = client_for(analyst_x).get(url("visits:list", municipality_x)).content.decode()
    for field in ("site", "date_from", "date_to", "method", "entrance"):
        assert f'<label for="id_{field}"' in html
    assert "<caption>" in html
    assert html.count('<th scope="col"') == 7  # Estimate added; an analyst has no "Correct" column
    assert (
        f'<form method="get" action="{url("visits:list", municipality_x)}" '
        'class="period-form filters" role="search"'
    ) in html


def test_the_pages_keep_the_filters(municipality_x, analyst_x, client_for):
    site = municipality_x.sites.create(name="Stor", kind="library", time_zone="Europe/Oslo")
    start = local(2024, 1, 1)
    VisitCount.objects.bulk_create(
        VisitCount(
            municipality=municipality_x,
            site=site,
            period_start=start + dt.timedelta(hours=hour),
            period_end=start + dt.timedelta(hours=hour + 1),
            count=hour,
            method="automatic",
        )
        for hour in range(120)
    )
    response = client_for(analyst_x).get(
        url("visits:list", municipality_x), {"method": "automatic", "page": 2}
    )
    page = response.context["page"]
    assert (page.number, page.paginator.num_pages, len(page.object_list)) == (2, 3, 50)
    assert response.context["totals"].counts == 120
    assert response.context["totals"].visits == sum(range(120))
    assert "method=automatic&amp;page=3" in response.content.decode()


def test_the_download_form_is_offered_only_to_roles_that_may_export(
    world, municipality_x, desk_worker_x, analyst_x, client_for
):
    desk = client_for(desk_worker_x).get(url("visits:list", municipality_x), RANGE, **ENGLISH)
    analyst = client_for(analyst_x).get(url("visits:list", municipality_x), RANGE, **ENGLISH)
    assert "Download CSV" not in desk.content.decode()
    html = analyst.content.decode()
    assert "Download CSV" in html
    assert '<input type="hidden" name="date_from" value="2024-03-25">' in html


def test_the_events_page_totals_match_the_reference(world, municipality_x, analyst_x, client_for):
    response = client_for(analyst_x).get(url("visits:events", municipality_x), RANGE)
    totals = response.context["totals"]
    expected = EXPECTED["events"]["range"]
    assert (totals.rows, totals.events, totals.attendance) == (
        expected["rows"],
        expected["events"],
        expected["attendance"],
    )
    response = client_for(analyst_x).get(
        url("visits:events", municipality_x), {**RANGE, "digital": "yes"}
    )
    assert response.context["totals"].events == EXPECTED["events"]["range_digital"]["events"]


def test_attendance_not_recorded_is_shown_apart_from_zero(
    world, municipality_x, analyst_x, client_for
):
    response = client_for(analyst_x).get(url("visits:events", municipality_x), RANGE, **ENGLISH)
    html = response.content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', html)
    attendance = cells[1::2]  # number of events, attendance, number of events, ...
    assert sorted(attendance) == sorted(
        [
            "40",
            "0",
            '<span class="not-recorded">not recorded</span>',
            '<span class="not-recorded">not recorded</span>',
            "25",
            "8",
        ]
    )


def test_an_event_without_a_site_says_so(world, municipality_x, analyst_x, client_for):
    html = (
        client_for(analyst_x)
        .get(url("visits:events", municipality_x), {"event_type": "information_meeting"}, **ENGLISH)
        .content.decode()
    )
    assert "Not stated" in html


def test_the_norwegian_captions_count_in_the_plural(world, municipality_x, analyst_x, client_for):
    client = client_for(analyst_x)
    events = client.get(url("visits:events", municipality_x), HTTP_ACCEPT_LANGUAGE="nb")
    assert "<caption>Arrangementer 1–" in events.content.decode()
    visits = client.get(url("visits:list", municipality_x), HTTP_ACCEPT_LANGUAGE="nb")
    assert "<caption>Besøkstall 1–" in visits.content.decode()


def _monthly(site, year: int, month: int, visits: int) -> None:
    start = local(year, month, 1, zone="Europe/London")
    end = local(year + month // 12, month % 12 + 1, 1, zone="Europe/London")
    VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=end,
        count=visits,
        method="reported",
    )


def test_the_visits_list_says_which_counts_a_range_leaves_out_or_counts_whole(
    municipality_x, analyst_x, client_for
):
    # Camden's tester: 2 April to 31 May left April out without a word. April's count
    # (1 April 00:00 BST = 31 March 23:00Z) starts before 2 April and is left out; May's is
    # in the range and ends on 1 June, at the range's end, so it is neither.
    site = municipality_x.sites.create(name="Camden", kind="library", time_zone="Europe/London")
    _monthly(site, 2023, 4, 281)
    _monthly(site, 2023, 5, 185)
    _monthly(site, 2023, 6, 296)
    client = client_for(analyst_x)
    html = client.get(
        url("visits:list", municipality_x),
        {"date_from": "2023-04-02", "date_to": "2023-05-31"},
        **ENGLISH,
    ).content.decode()
    assert re.search(r'<span class="headline__value">185</span>', html)
    assert (
        "1 count (281 visits) started before April 2, 2023 and is left out, also for its days "
        "in the chosen range."
    ) in html
    assert "runs past" not in html
    html = client.get(
        url("visits:list", municipality_x),
        {"date_from": "2023-05-01", "date_to": "2023-05-15"},
        **ENGLISH,
    ).content.decode()
    assert (
        "1 count (185 visits) runs past May 15, 2023: it is counted whole, in the period in "
        "which it starts."
    ) in html
    unfiltered = client.get(url("visits:list", municipality_x), **ENGLISH).content.decode()
    assert 'id="period-edges"' not in unfiltered


def test_a_range_without_counts_says_so_instead_of_a_sum_of_0(
    municipality_x, analyst_x, client_for
):
    site = municipality_x.sites.create(name="Camden", kind="library", time_zone="Europe/London")
    _monthly(site, 2023, 4, 281)
    html = (
        client_for(analyst_x)
        .get(
            url("visits:list", municipality_x),
            {"date_from": "2023-04-02", "date_to": "2023-04-30"},
            **ENGLISH,
        )
        .content.decode()
    )
    assert (
        '<dt>Visits (sum of the counts)</dt><dd><span class="headline__text">no counts to add '
        "up</span>"
    ) in html
    assert "1 count (281 visits) started before April 2, 2023" in html


def test_the_events_list_says_which_event_records_a_range_leaves_out(
    municipality_x, analyst_x, client_for
):
    # England's events are monthly totals without a site: judged in the municipality's
    # zone (no sites: Torg's TIME_ZONE, Oslo). February's 8 events start before 15
    # February; March's 9 start in the range and run past 10 March.
    from torg.visits.models import Event

    for month, occurrences in ((2, 8), (3, 9)):
        Event.objects.create(
            municipality=municipality_x,
            starts_at=local(2024, month, 1),
            ends_at=local(2024, month + 1, 1),
            event_type="culture",
            audience="all",
            occurrences=occurrences,
            attendance=50,
        )
    html = (
        client_for(analyst_x)
        .get(
            url("visits:events", municipality_x),
            {"date_from": "2024-02-15", "date_to": "2024-03-10"},
            **ENGLISH,
        )
        .content.decode()
    )
    assert (
        "1 event record (9 events) runs past March 10, 2024: it is counted whole, in the "
        "period in which it starts. 1 event record (8 events) started before Feb. 15, 2024 "
        "and is left out, also for its days in the chosen range."
    ) in html


@pytest.mark.parametrize(
    ("asked", "shown"), [("0", 1), ("-1", 1), ("abc", 1), ("²", 1), ("2", 2), ("99", 3)]
)
def test_a_page_number_below_1_or_no_number_shows_the_first_page_not_the_last(
    municipality_x, analyst_x, client_for, asked, shown
):
    site = municipality_x.sites.create(name="Stor", kind="library", time_zone="Europe/Oslo")
    start = local(2024, 1, 1)
    VisitCount.objects.bulk_create(
        VisitCount(
            municipality=municipality_x,
            site=site,
            period_start=start + dt.timedelta(hours=hour),
            period_end=start + dt.timedelta(hours=hour + 1),
            count=hour,
            method="automatic",
        )
        for hour in range(120)  # 3 pages of 50
    )
    response = client_for(analyst_x).get(url("visits:list", municipality_x), {"page": asked})
    assert response.status_code == 200
    assert response.context["page"].number == shown
