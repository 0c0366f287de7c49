"""Desk statistics: the mixes, outcomes and effort on a small hand-counted log, the filters,
and the real BAMPFA desk log against figures computed from the raw file by
``reference/compute_bampfa_statistics.py`` (no Torg code), where the page, the CSV and XLSX
exports and the API must show the same numbers as :func:`inquiry_statistics`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from torg.catalogue.models import Domain, Level, Service, ServiceCategory
from torg.imports.framework import run_import
from torg.inquiries.aggregates import Dimension, inquiries_by
from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.inquiries.statistics import StatisticsFilters, inquiry_statistics
from torg.inquiries.statistics_export import lines
from torg.organisation.models import Municipality, Role, Site
from torg.testing.factories import (
    local,
    make_municipality,
    make_service_point,
    make_site,
    make_user,
    shared_data_file,
)

pytestmark = pytest.mark.django_db
REFERENCE = json.loads(
    (Path(__file__).parent / "reference" / "bampfa_statistics.json").read_text("utf-8")
)


def service(municipality: Municipality, code: str, domain: str, level: str) -> Service:
    category, _ = ServiceCategory.objects.get_or_create(
        municipality=municipality,
        code="general",
        defaults={"name_nb": "Generelt", "name_en": "General"},
    )
    return Service.objects.create(
        municipality=municipality,
        category=category,
        code=code,
        name_nb=f"{code} nb",
        name_en=f"{code} en",
        domain=domain,
        level=level,
    )


def log(site: Site, **fields: Any) -> Inquiry:
    values: dict[str, Any] = {
        "occurred_at": local(2026, 5, 4, 10),
        "channel": Channel.IN_PERSON,
        "outcome": Outcome.RESOLVED,
        "domain": "unknown",
    }
    values.update(fields)
    chosen = values.get("service")
    if chosen is not None:
        values["domain"] = chosen.domain
    return Inquiry.objects.create(municipality=site.municipality, site=site, **values)


def mix(rows: Any) -> dict[str, int]:
    return {row.key: row.count for row in rows}


def test_mixes_outcomes_and_effort_match_a_hand_count(site_a):
    municipality = site_a.municipality
    lending = service(municipality, "lending", Domain.LIBRARY, Level.GENERALIST)
    tax = service(municipality, "tax", Domain.MUNICIPAL, Level.SPECIALIST)
    log(site_a, service=lending, read_effort=1)
    log(site_a, service=lending, read_effort=2, channel=Channel.PHONE)
    log(site_a, service=tax, read_effort=4, outcome=Outcome.REFERRED_INTERNAL)
    log(site_a, service=tax, outcome=Outcome.REFERRED_EXTERNAL, channel=Channel.EMAIL)
    log(site_a, outcome=Outcome.NOT_RECORDED)
    log(site_a, outcome=Outcome.APPOINTMENT, read_effort=6)
    stats = inquiry_statistics(municipality, StatisticsFilters())
    assert stats.total == 6
    assert mix(stats.domain) == {"library": 2, "municipal": 2, "shared": 0, "unknown": 2}
    assert mix(stats.level) == {"generalist": 2, "specialist": 2, "": 2}
    assert mix(stats.service) == {"lending": 2, "tax": 2, "": 2}
    assert mix(stats.channel)["in_person"] == 4 and mix(stats.channel)["phone"] == 1
    assert mix(stats.read_effort) == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 0, "6": 1, "": 2}
    outcomes = stats.outcomes
    # 5 with an outcome; 2 resolved (the first two); 2 referred; 1 appointment; the
    # not-recorded one is in no share.
    assert (outcomes.with_outcome, outcomes.not_recorded) == (5, 1)
    assert (outcomes.resolved, outcomes.referred) == (2, 2)
    assert outcomes.share_resolved == pytest.approx(2 / 5)
    assert outcomes.share_referred == pytest.approx(2 / 5)
    for each in (stats.domain, stats.level, stats.service, stats.channel, stats.read_effort):
        assert each.total == stats.total, each.name


def test_services_past_the_top_ones_are_added_up_as_other(site_a):
    municipality = site_a.municipality
    for index, count in enumerate([4, 3, 2, 1]):
        chosen = service(municipality, f"s{index}", Domain.LIBRARY, Level.GENERALIST)
        for _ in range(count):
            log(site_a, service=chosen)
    stats = inquiry_statistics(municipality, StatisticsFilters(), top_services=2)
    assert [(row.key, row.count) for row in stats.service] == [
        ("s0", 4),
        ("s1", 3),
        ("other", 3),
        ("", 0),
    ]
    assert stats.service_count == 4


def test_no_outcome_recorded_gives_no_share_rather_than_zero(site_a):
    log(site_a, outcome=Outcome.NOT_RECORDED)
    stats = inquiry_statistics(site_a.municipality, StatisticsFilters())
    assert stats.outcomes.share_resolved is None and stats.outcomes.share_referred is None


def test_filters_by_service_point_domain_and_channel(site_a, municipality_x):
    desk, phone = make_service_point(site_a, "Skranke"), make_service_point(site_a, "Telefon")
    other_site = make_site(municipality_x, "Filial")
    log(site_a, service_point=desk)
    log(site_a, service_point=desk, channel=Channel.PHONE)
    log(site_a, service_point=phone, channel=Channel.PHONE)
    log(other_site, channel=Channel.PHONE, domain="library")
    count = lambda **kw: inquiry_statistics(municipality_x, StatisticsFilters(**kw)).total  # noqa: E731
    assert count() == 4
    assert count(site=site_a) == 3
    assert count(site=site_a, service_point=desk) == 2
    assert count(channel=Channel.PHONE) == 3
    assert count(domain="library") == 1
    stats = inquiry_statistics(municipality_x, StatisticsFilters(site=site_a, service_point=desk))
    (heat_map,) = stats.heat_maps
    assert heat_map.service_point_name == "Skranke" and heat_map.total == 2


def test_another_municipalitys_site_or_rows_never_count(site_a, site_b):
    log(site_a)
    log(site_b)
    # A stray row of Y that points at X's site: only the scoping keeps it out.
    Inquiry.objects.create(
        municipality=site_b.municipality,
        site=site_a,
        occurred_at=local(2026, 5, 4, 10),
        channel=Channel.PHONE,
        outcome=Outcome.RESOLVED,
    )
    assert inquiry_statistics(site_a.municipality, StatisticsFilters()).total == 1
    assert inquiry_statistics(site_a.municipality, StatisticsFilters(site=site_b)).total == 0


# --- The real desk log: one function, four renderings, the same numbers -----------------


@pytest.fixture
def bampfa(db: None) -> tuple[Municipality, Site]:
    municipality = make_municipality("bampfa", name="BAMPFA", number="06001", country="US")
    site = make_site(municipality, "PFA Library", code="pfa", time_zone="America/Los_Angeles")
    result = run_import(
        "bampfa-desk-log",
        shared_data_file("reference-desk-transactions/libstats_2020.csv"),
        municipality="bampfa",
    )
    assert result.created == REFERENCE["rows"]
    return municipality, site


class _Cells(HTMLParser):
    """``data-count`` of every cell, by the id of its table."""

    def __init__(self) -> None:
        super().__init__()
        self.table: str | None = None
        self.counts: dict[str, list[int]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self.table = values.get("id") or ""
            self.counts[self.table] = []
        elif tag == "td" and "data-count" in values and self.table is not None:
            self.counts[self.table].append(int(values["data-count"] or 0))


@pytest.mark.shared_data
def test_the_bampfa_log_gives_the_independently_computed_figures(bampfa):
    municipality, _site = bampfa
    stats = inquiry_statistics(municipality, StatisticsFilters())
    assert stats.total == REFERENCE["rows"]
    assert stats.time_unknown == REFERENCE["time_unknown"]
    (heat_map,) = stats.heat_maps
    assert [list(row) for row in heat_map.counts] == REFERENCE["heat_map"]
    assert {k: v for k, v in mix(stats.channel).items() if v} == REFERENCE["channels"]
    outcomes = REFERENCE["outcomes"]
    assert stats.outcomes.resolved == outcomes["resolved"]
    assert stats.outcomes.not_recorded == outcomes["not_recorded"]
    march = inquiry_statistics(
        municipality,
        StatisticsFilters(first_day=dt.date(2020, 3, 1), last_day=dt.date(2020, 3, 31)),
    )
    assert march.total == REFERENCE["march_2020"]["rows"]
    assert march.time_unknown == REFERENCE["march_2020"]["time_unknown"]


@pytest.mark.shared_data
def test_the_page_the_csv_the_xlsx_and_the_api_agree_to_the_unit_on_the_bampfa_log(
    bampfa, client_for
):
    municipality, site = bampfa
    analyst = make_user("analyst-bampfa", municipality, Role.ANALYST)
    client = client_for(analyst)
    query = {"date_from": "2020-03-01", "date_to": "2020-03-31", "site": str(site.pk)}
    with translation.override("en"):
        stats = inquiry_statistics(
            municipality,
            StatisticsFilters(
                site=site, first_day=dt.date(2020, 3, 1), last_day=dt.date(2020, 3, 31)
            ),
        )
        expected_lines = [(line.table, line.row, line.column, line.count) for line in lines(stats)]
    heat = [list(row) for row in stats.heat_maps[0].counts]
    assert stats.total == REFERENCE["march_2020"]["rows"]

    # The page: the heat map's cells (in business-day hour order: midnight first) and totals.
    page = client.get("/m/bampfa/inquiries/statistics/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    parser = _Cells()
    parser.feed(page.content.decode())
    assert parser.counts[f"heat-map-{site.pk}"] == [n for row in heat for n in row]
    totals = parser.counts["statistics-totals"]
    assert totals[:3] == [stats.total, stats.time_known, stats.time_unknown]

    # The CSV: every line, as numbers.
    response = client.get(
        "/m/bampfa/inquiries/statistics/export.csv",
        {**query, "delimiter": "comma"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2020-03-01--2020-03-31.csv"')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1:]
    assert [int(row[4]) for row in rows] == [line[3] for line in expected_lines]
    heat_lines = [i for i, line in enumerate(expected_lines) if line[0].startswith("Heat map")]
    assert len(heat_lines) == 7 * 24
    assert sum(int(rows[i][4]) for i in heat_lines) == stats.time_known

    # The XLSX: the heat map grid and the data sheet.
    response = client.get("/m/bampfa/inquiries/statistics/export.xlsx", query)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('2020-03-01--2020-03-31.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    grid = list(book.worksheets[1].iter_rows(min_row=3, max_row=9, values_only=True))
    assert [list(row[1:25]) for row in grid] == heat
    data = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert [row[4] for row in data] == [line[3] for line in expected_lines]

    # The API.
    body = client.get("/api/v1/m/bampfa/inquiry-statistics/", query).json()
    assert body["total"] == stats.total
    assert body["time_of_day_unknown"] == stats.time_unknown
    assert body["heat_maps"][0]["counts"] == heat
    assert {row["key"]: row["count"] for row in body["mix"]["channel"]} == mix(stats.channel)
    assert body["outcomes"]["resolved_at_first_line"] == stats.outcomes.resolved
    assert body["referral_turnaround"] is None  # not faked: the referrals app is elsewhere
    assert re.fullmatch(r"\d+", str(body["total"]))


def test_the_top_services_are_the_same_in_every_language_when_counts_tie(site_a):
    # Two services with one inquiry each, top 1: "b-code" sorts first by its Norwegian name
    # ("Anker" before "Zebra"), "a-code" by its English one ("Apple" before "Zoo"); the
    # code decides, so "a-code" is the one shown in both languages.
    municipality = site_a.municipality
    first = service(municipality, "a-code", "library", "generalist")
    second = service(municipality, "b-code", "library", "generalist")
    Service.objects.filter(pk=first.pk).update(name_nb="Zebra", name_en="Apple")
    Service.objects.filter(pk=second.pk).update(name_nb="Anker", name_en="Zoo")
    log(site_a, service=first)
    log(site_a, service=second)
    shown = {}
    for language in ("nb", "en"):
        with translation.override(language):
            stats = inquiry_statistics(municipality, StatisticsFilters(), top_services=1)
            shown[language] = next(row.key for row in stats.service)
            dashboard = inquiries_by(municipality, Dimension.SERVICE, top_services=1)
            shown[f"dashboard-{language}"] = next(row.key for row in dashboard.rows)
    assert set(shown.values()) == {"a-code"}, shown
