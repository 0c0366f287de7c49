"""The dashboard page: members see it, outsiders get 404, and the charts' data tables show
the numbers that were stored (zero as 0, a missing count as a dash)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import translation

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.organisation.models import Site
from torg.testing.factories import local, make_municipality, make_site
from torg.visits.models import (
    AnnualLibraryStatistics,
    Audience,
    CountMethod,
    Event,
    EventType,
    VisitCount,
)
from torg.visits.selectors import national_figures


def count(site: Site, start: dt.datetime, end: dt.datetime, visits: int) -> None:
    VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=end,
        count=visits,
        method=CountMethod.MANUAL,
    )


def table(html: str, table_id: str) -> list[list[str]]:
    """The text of every row of the table with ``table_id`` (header, body and footer)."""
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert match, f"no table {table_id}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).replace("\xa0", " ").strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


def spec(html: str, spec_id: str) -> dict:
    match = re.search(rf'<script id="{spec_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no spec {spec_id}"
    return json.loads(match.group(1))


@pytest.fixture
def monthly(municipality_x):
    main = make_site(municipality_x, "Hovedbiblioteket")
    branch = make_site(municipality_x, "Filial")
    count(main, local(2024, 1, 1), local(2024, 2, 1), 1250)
    count(main, local(2024, 2, 1), local(2024, 3, 1), 0)
    count(main, local(2024, 3, 1), local(2024, 4, 1), 1400)
    count(branch, local(2024, 1, 1), local(2024, 2, 1), 300)
    count(branch, local(2024, 3, 1), local(2024, 4, 1), 310)
    Event.objects.create(
        municipality=municipality_x,
        site=main,
        starts_at=local(2024, 2, 10, 12),
        event_type=EventType.CULTURE,
        audience=Audience.CHILDREN,
        attendance=45,
    )
    return municipality_x


def test_a_desk_worker_sees_the_dashboard_of_their_municipality(client_for, desk_worker_x, monthly):
    response = client_for(desk_worker_x).get("/m/kommune-x/")
    assert response.status_code == 200
    assert b"<h1>Kommune X</h1>" in response.content


def test_an_outsider_gets_404_for_another_municipalitys_dashboard(client_for, outsider_y, monthly):
    assert client_for(outsider_y).get("/m/kommune-x/").status_code == 404
    assert client_for(outsider_y).get("/switch/?municipality=kommune-x").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, monthly):
    response = client.get("/m/kommune-x/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_visit_tables_show_the_stored_counts_with_zero_and_missing_apart(
    client_for, analyst_x, monthly
):
    client = client_for(analyst_x)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/m/kommune-x/").content.decode()
    assert table(html, "chart-visits-total-table") == [
        ["Period", "Visits", "Sites reporting"],
        ["2024-01", "1,550", "2"],
        ["2024-02", "0", "1"],
        ["2024-03", "1,710", "2"],
        ["Total", "3,260", ""],
    ]
    assert table(html, "chart-visits-sites-table") == [
        ["Period", "Hovedbiblioteket", "Filial"],
        ["2024-01", "1,250", "300"],
        ["2024-02", "0", "–no value"],
        ["2024-03", "1,400", "310"],
        ["Total", "2,650", "610"],
    ]
    lines = spec(html, "chart-visits-sites-spec")
    values = lines["data"]["values"] if "data" in lines else next(iter(lines["datasets"].values()))
    assert {"label": "2024-02", "series": "Filial", "value": None} in values
    events = table(html, "chart-events-audience-table")
    assert events[1] == ["Children", "1", "45", "0"]


def test_norwegian_pages_group_thousands_with_a_space(client_for, analyst_x, monthly):
    with translation.override("nb"):
        html = client_for(analyst_x).get("/m/kommune-x/").content.decode()
    assert table(html, "chart-visits-total-table")[1][1] == "1 550"


def test_a_date_range_limits_every_figure_to_those_local_days(client_for, analyst_x, monthly):
    client = client_for(analyst_x)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/m/kommune-x/?first=2024-03-01&last=2024-03-31").content.decode()
    assert table(html, "chart-visits-total-table")[1:] == [
        ["2024-03", "1,710", "2"],
        ["Total", "1,710", ""],
    ]
    assert "chart-events-audience" not in html


def test_an_inverted_date_range_is_refused_with_a_message(client_for, analyst_x, monthly):
    client = client_for(analyst_x)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/m/kommune-x/?first=2024-03-31&last=2024-03-01").content.decode()
    assert "The last day comes before the first." in html


def test_the_dashboard_shows_the_municipalitys_data_source_and_licence(
    client_for, desk_worker_x, monthly
):
    monthly.data_source = "Toronto Public Library, Library Visits"
    monthly.data_licence = "Open Government Licence – Toronto"
    monthly.save()
    html = client_for(desk_worker_x).get("/m/kommune-x/").content.decode()
    assert "Toronto Public Library, Library Visits" in html
    assert "Open Government Licence – Toronto" in html


def test_many_sites_show_the_top_eight_and_say_so(client_for, analyst_x, municipality_x):
    for index in range(12):
        site = make_site(municipality_x, f"Branch {index:02d}")
        count(site, local(2023, 1, 1), local(2024, 1, 1), 1000 + index)
    client = client_for(analyst_x)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/m/kommune-x/").content.decode()
    assert "12 sites have visit counts" in html
    header = table(html, "chart-visits-sites-table")[0]
    assert header == ["Period", *[f"Branch {i:02d}" for i in range(11, 3, -1)]]
    assert table(html, "chart-visits-total-table")[1] == ["2023", "12,066", "12"]


def test_an_empty_municipality_says_there_is_nothing_yet(client_for, desk_worker_x):
    response = client_for(desk_worker_x).get("/m/kommune-x/")
    assert response.status_code == 200
    assert b"data-chart=" not in response.content


def _inquiries(site: Site, channel: str, how_many: int) -> None:
    Inquiry.objects.bulk_create(
        Inquiry(
            municipality=site.municipality,
            site=site,
            occurred_at=local(2024, 5, 2, 10),
            channel=channel,
            outcome=Outcome.RESOLVED,
        )
        for _ in range(how_many)
    )


def test_shares_are_rounded_half_up_like_the_hand_computed_ones(
    client_for, analyst_x, municipality_x
):
    # Alessandria's channels: 36, 664 and 3,951 of 4,651 inquiries. By hand: 0.774 % → 0.8,
    # 14.277 % → 14.3, 84.949 % → 84.9; they add up to 100.0, so no note is needed.
    site = make_site(municipality_x, "Torget")
    _inquiries(site, Channel.PHONE, 36)
    _inquiries(site, Channel.EMAIL, 664)
    _inquiries(site, Channel.DIGITAL_FORM, 3951)
    html = client_for(analyst_x).get("/m/kommune-x/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert table(html, "chart-inquiries-channel-table")[1:] == [
        ["Digital form or app", "3,951", "84.9"],
        ["E-mail", "664", "14.3"],
        ["Phone", "36", "0.8"],
        ["Total", "4,651", "100.0"],
    ]
    assert "(84.9%)" in html
    with translation.override("nb"):
        html = client_for(analyst_x).get("/m/kommune-x/").content.decode()
    assert "(84,9\xa0%)" in html
    assert "Each share is rounded" not in html


def test_rounded_shares_that_do_not_add_up_to_100_say_so(client_for, analyst_x, municipality_x):
    site = make_site(municipality_x, "Torget")
    for channel in (Channel.PHONE, Channel.EMAIL, Channel.CHAT):
        _inquiries(site, channel, 1)
    with translation.override("nb"):
        html = client_for(analyst_x).get("/m/kommune-x/").content.decode()
    assert [row[2] for row in table(html, "chart-inquiries-channel-table")[1:]] == [
        "33,3",
        "33,3",
        "33,3",
        "100,0",
    ]
    assert "så til sammen blir de 99,9\xa0% og ikke nøyaktig 100\xa0%" in html


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def headlines(html: str) -> dict[str, str]:
    """Each key figure's label and what it shows, number or words, without its detail."""
    return {
        label: re.sub(r"<[^>]+>", "", shown).replace("\xa0", " ")
        for label, shown in re.findall(
            r'<div class="headline"><dt>(.*?)</dt><dd><span class="headline__\w+">(.*?)</span>',
            html,
        )
    }


def test_one_day_of_a_yearly_count_shows_the_year_and_says_why(
    client_for, analyst_x, municipality_x
):
    # Toronto's tester: 1 January 2015 showed a whole year's visits "for" one day.
    site = make_site(municipality_x, "Branch", time_zone="America/Toronto")
    count(
        site,
        local(2015, 1, 1, zone="America/Toronto"),
        local(2016, 1, 1, zone="America/Toronto"),
        18_153,
    )
    client = english(client_for(analyst_x))
    html = client.get("/m/kommune-x/?first=2015-01-01&last=2015-01-01").content.decode()
    assert headlines(html)["Visits"] == "18,153"
    assert (
        '<p class="notice" id="visits-period-edges">A count cannot be split between days '
        "without inventing numbers, so each count belongs wholly to the period in which it "
        "starts. 1 count (18,153 visits) runs past Jan. 1, 2015: it is counted whole, in the "
        "period in which it starts.</p>"
    ) in html
    assert "(see the note on longer periods under Visits)" in html


def test_the_rest_of_the_year_shows_no_visits_and_says_which_count_is_left_out(
    client_for, analyst_x, municipality_x
):
    site = make_site(municipality_x, "Branch", time_zone="America/Toronto")
    count(
        site,
        local(2015, 1, 1, zone="America/Toronto"),
        local(2016, 1, 1, zone="America/Toronto"),
        18_153,
    )
    client = english(client_for(analyst_x))
    html = client.get("/m/kommune-x/?first=2015-01-02&last=2015-12-31").content.decode()
    assert headlines(html)["Visits"] == "No visit count starts in this period"
    assert (
        "1 count (18,153 visits) started before Jan. 2, 2015 and is left out, also for its "
        "days in the chosen range."
    ) in html
    assert "No visit counts in this period." in html


def test_an_annual_figure_from_april_is_counted_whole_in_april_and_says_so(
    client_for, analyst_x, municipality_x
):
    # Barnet reports a year from 1 April 2023 (00:00 BST, 31 March 23:00Z).
    site = make_site(municipality_x, "Library buildings (all)", time_zone="Europe/London")
    london = "Europe/London"
    count(site, local(2023, 4, 1, zone=london), local(2024, 4, 1, zone=london), 644_609)
    with translation.override("nb"):
        html = client_for(analyst_x).get("/m/kommune-x/?first=2023-04-01&last=2023-04-30")
    text = html.content.decode()
    assert headlines(text)["Besøk"] == "644 609"
    assert "1 telling (644\xa0609 besøk) går forbi 30. april 2023" in text


def test_the_events_card_says_which_monthly_event_totals_a_range_leaves_out(
    client_for, analyst_x, municipality_x
):
    make_site(municipality_x, "Camden", time_zone="Europe/London")
    london = "Europe/London"
    for month, occurrences in ((4, 134), (5, 97)):
        Event.objects.create(
            municipality=municipality_x,
            starts_at=local(2023, month, 1, zone=london),
            ends_at=local(2023, month + 1, 1, zone=london),
            event_type=EventType.CULTURE,
            audience=Audience.ALL,
            occurrences=occurrences,
            attendance=100,
        )
    client = english(client_for(analyst_x))
    html = client.get("/m/kommune-x/?first=2023-04-02&last=2023-05-31").content.decode()
    assert headlines(html)["Events"] == "97"
    assert ('<p class="notice" id="events-period-edges">Some event records cover a period') in html
    assert (
        "1 event record (134 events) started before April 2, 2023 and is left out, also for "
        "its days in the chosen range."
    ) in html


def test_a_municipality_without_records_says_none_yet_and_never_shows_0(client_for, desk_worker_x):
    html = english(client_for(desk_worker_x)).get("/m/kommune-x/").content.decode()
    assert headlines(html) == {
        "Visits": "No visit counts yet",
        "Inquiries": "No inquiries logged yet",
        "Events": "No events recorded yet",
    }
    assert "No visit counts yet." in html
    assert "No events recorded yet." in html


def test_a_zero_count_is_a_0_and_a_period_without_rows_is_said_in_words(
    client_for, analyst_x, monthly
):
    client = english(client_for(analyst_x))
    february = client.get("/m/kommune-x/?first=2024-02-01&last=2024-02-29").content.decode()
    assert headlines(february)["Visits"] == "0"
    april = client.get("/m/kommune-x/?first=2024-04-01&last=2024-04-30").content.decode()
    assert headlines(april) == {
        "Visits": "No visit count starts in this period",
        "Inquiries": "No inquiries logged yet",
        "Events": "No events in this period",
    }


def _statistics(number: str, year: int, visits: int | None) -> None:
    AnnualLibraryStatistics.objects.create(
        country="NO",
        year=year,
        municipality_number=number,
        municipality_name="Drammen",
        population_total=101_386,
        visits_total=visits,
        events_total=298,
        events_attendance=7_760,
    )


def test_a_norwegian_municipality_points_to_its_newest_national_statistics(
    client_for, desk_worker_x, municipality_x
):
    # Kommune X has number 3005, Drammen's.
    _statistics("3005", 2019, 250_000)
    _statistics("3005", 2020, 275_962)
    with translation.override("nb"):
        html = client_for(desk_worker_x).get("/m/kommune-x/").content.decode()
    assert headlines(html)["Besøk"] == "Ingen besøkstall ennå"
    link = '<a href="/national/?municipality=3005&amp;year=2020">'
    assert (
        '<p class="hint" id="national-visits">Drammen i folkebibliotekstatistikken for 2020: '
        "275\xa0962 besøk. " + link
    ) in html
    assert (
        '<p class="hint" id="national-events">Drammen i folkebibliotekstatistikken for 2020: '
        "298 arrangementer, 7\xa0760 deltakere. " + link
    ) in html


def test_a_missing_national_figure_is_not_reported_not_zero(
    client_for, desk_worker_x, municipality_x
):
    _statistics("3005", 2020, None)
    html = english(client_for(desk_worker_x)).get("/m/kommune-x/").content.decode()
    assert "for 2020: visits not reported." in html


def test_a_municipality_outside_norway_or_the_statistics_has_no_pointer(
    client_for, desk_worker_x, municipality_x
):
    _statistics("3014", 2020, 131_548)
    html = client_for(desk_worker_x).get("/m/kommune-x/").content.decode()
    assert 'id="national-visits"' not in html and 'id="national-events"' not in html
    toronto = make_municipality("toronto", number="3005", country="CA")
    _statistics("3005", 2020, 1)
    assert national_figures(toronto) is None


def test_national_figures_match_a_number_with_or_without_leading_zeros(db):
    AnnualLibraryStatistics.objects.create(
        country="NO", year=2020, municipality_number="301", municipality_name="Oslo"
    )
    oslo = make_municipality("oslo", number="0301")
    figures = national_figures(oslo)
    assert figures is not None
    assert (figures.number, figures.year, figures.visits) == ("301", 2020, None)


def test_events_without_a_site_are_judged_in_the_same_zone_as_on_the_events_list(
    client_for, analyst_x, municipality_x
):
    # Two sites in Toronto, one in Oslo: the lists (and the API) judge an event without a
    # site in Torg's TIME_ZONE, Oslo. At 02:00 Oslo time on 10 March it is still 9 March
    # in Toronto; the dashboard used to judge it there and leave it out of 10 March.
    make_site(municipality_x, "Toronto 1", time_zone="America/Toronto")
    make_site(municipality_x, "Toronto 2", time_zone="America/Toronto")
    make_site(municipality_x, "Oslo", time_zone="Europe/Oslo")
    Event.objects.create(
        municipality=municipality_x,
        starts_at=local(2024, 3, 10, 2),
        event_type=EventType.CULTURE,
        audience=Audience.ALL,
        attendance=5,
    )
    client = english(client_for(analyst_x))
    dashboard = client.get("/m/kommune-x/?first=2024-03-10&last=2024-03-10").content.decode()
    events = client.get(
        "/m/kommune-x/visits/events/", {"date_from": "2024-03-10", "date_to": "2024-03-10"}
    )
    assert events.context["totals"].events == 1
    assert headlines(dashboard)["Events"] == "1"
