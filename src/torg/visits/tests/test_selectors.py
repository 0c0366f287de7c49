"""The visits and events selectors against totals computed independently from the fixture
files by GNU date and awk (``reference/compute_reference.sh`` → ``expected_totals.json``).

The same fixture is loaded into municipality Y as well, so a selector that leaked rows
across municipalities would double every figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from torg.lib.localtime import zone
from torg.organisation.models import Municipality, Site
from torg.testing.factories import make_site
from torg.visits.models import Event, VisitCount
from torg.visits.selectors import (
    WHOLE_SITE,
    EventFilters,
    VisitCountFilters,
    event_list,
    event_totals,
    visit_count_list,
    visit_count_totals,
    visit_entrances,
)

REFERENCE = Path(__file__).parent / "reference"
EXPECTED = json.loads((REFERENCE / "expected_totals.json").read_text(encoding="utf-8"))
FIRST = dt.date(2024, 3, 25)
LAST = dt.date(2024, 3, 31)


def _instant(text: str, zone_name: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone(zone_name))


def _site(municipality: Municipality, name: str, zone_name: str) -> Site:
    existing = Site.objects.filter(municipality=municipality, name=name).first()
    return existing or make_site(municipality, name, time_zone=zone_name)


def load_visit_counts(municipality: Municipality) -> dict[str, Site]:
    """Create the rows of ``reference/visit_counts.csv`` in ``municipality``; return its
    sites by name."""
    sites: dict[str, Site] = {}
    with (REFERENCE / "visit_counts.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            site = sites.get(row["site"]) or _site(municipality, row["site"], row["time_zone"])
            sites[row["site"]] = site
            VisitCount.objects.create(
                municipality=municipality,
                site=site,
                entrance=row["entrance"],
                period_start=_instant(row["start"], row["time_zone"]),
                period_end=_instant(row["end"], row["time_zone"]),
                count=int(row["count"]),
                method=row["method"],
            )
    return sites


def load_events(municipality: Municipality) -> dict[str, Site]:
    """Create the rows of ``reference/events.csv`` in ``municipality`` (an empty site
    means an event without a site); return the sites by name."""
    sites: dict[str, Site] = {}
    with (REFERENCE / "events.csv").open(encoding="utf-8", newline="") as file:
        for number, row in enumerate(csv.DictReader(file)):
            site = None
            if row["site"]:
                site = sites.get(row["site"]) or _site(municipality, row["site"], row["time_zone"])
                sites[row["site"]] = site
            Event.objects.create(
                municipality=municipality,
                site=site,
                starts_at=_instant(row["starts"], row["time_zone"]),
                title=f"Fixture event {number}",
                event_type=row["event_type"],
                audience=row["audience"],
                is_digital=row["digital"] == "yes",
                occurrences=int(row["occurrences"]),
                attendance=int(row["attendance"]) if row["attendance"] else None,
            )
    return sites


@pytest.fixture
def visit_world(municipality_x, municipality_y) -> dict[str, Site]:
    load_visit_counts(municipality_y)
    return load_visit_counts(municipality_x)


@pytest.fixture
def event_world(municipality_x, municipality_y) -> dict[str, Site]:
    load_events(municipality_y)
    return load_events(municipality_x)


def visit_cases(sites: dict[str, Site]) -> dict[str, VisitCountFilters]:
    return {
        "all": VisitCountFilters(),
        "range": VisitCountFilters(first_day=FIRST, last_day=LAST),
        "range_site_torget_a": VisitCountFilters(
            site=sites["Torget A"], first_day=FIRST, last_day=LAST
        ),
        "range_whole_site": VisitCountFilters(first_day=FIRST, last_day=LAST, entrance=WHOLE_SITE),
        "range_entrance_nord": VisitCountFilters(first_day=FIRST, last_day=LAST, entrance="Nord"),
        "range_method_manual": VisitCountFilters(first_day=FIRST, last_day=LAST, method="manual"),
    }


@pytest.mark.parametrize("case", list(EXPECTED["visits"]))
def test_visit_totals_match_the_independently_computed_reference(case, visit_world, municipality_x):
    rows = visit_count_list(municipality_x, visit_cases(visit_world)[case])
    totals = visit_count_totals(rows)
    expected = EXPECTED["visits"][case]
    assert (totals.counts, totals.visits, totals.sites) == (
        expected["counts"],
        expected["visits"],
        expected["sites"],
    )
    assert rows.count() == expected["counts"]


def test_the_last_day_of_a_range_includes_its_final_hour_after_the_clocks_went_forward(
    visit_world, municipality_x
):
    # 31 March 2024 is a 23-hour day in Oslo. The count 23:00-24:00 CEST (21:00Z) belongs
    # to 31 March; the one starting at 00:00 on 1 April (22:00Z) does not.
    rows = visit_count_list(
        municipality_x,
        VisitCountFilters(site=visit_world["Torget A"], first_day=LAST, last_day=LAST),
    )
    assert sorted(row.count for row in rows) == [7, 95]


def test_each_site_is_judged_in_its_own_time_zone(visit_world, municipality_x):
    # Toronto's 20:00 on 24 March is 01:00 on 25 March in Oslo: outside the range there;
    # its 22:00 on 31 March is 04:00 on 1 April in Oslo: inside the range there.
    rows = visit_count_list(
        municipality_x,
        VisitCountFilters(site=visit_world["Toronto Branch"], first_day=FIRST, last_day=LAST),
    )
    assert [row.count for row in rows] == [11]


def test_open_ended_ranges_work_from_either_side(visit_world, municipality_x):
    after = visit_count_totals(
        visit_count_list(municipality_x, VisitCountFilters(first_day=dt.date(2024, 4, 1)))
    )
    before = visit_count_totals(
        visit_count_list(municipality_x, VisitCountFilters(last_day=dt.date(2024, 3, 24)))
    )
    # 1 April onwards: Nord 00:00 (3) and Filial 15 April (9). Up to 24 March: Torget A
    # 23:00 (4) and Toronto 20:00 local (5).
    assert (after.counts, after.visits) == (2, 12)
    assert (before.counts, before.visits) == (2, 9)


def test_a_zero_count_is_a_row_that_adds_nothing(visit_world, municipality_x):
    rows = visit_count_list(
        municipality_x,
        VisitCountFilters(first_day=dt.date(2024, 3, 30), last_day=dt.date(2024, 3, 30)),
    )
    totals = visit_count_totals(rows)
    assert (totals.counts, totals.visits) == (1, 0)


def test_totals_warn_when_whole_site_and_entrance_figures_are_mixed(visit_world, municipality_x):
    mixed = visit_count_totals(
        visit_count_list(municipality_x, VisitCountFilters(first_day=FIRST, last_day=LAST))
    )
    whole = visit_count_totals(
        visit_count_list(
            municipality_x,
            VisitCountFilters(first_day=FIRST, last_day=LAST, entrance=WHOLE_SITE),
        )
    )
    assert mixed.mixes_entrances is True
    assert whole.mixes_entrances is False


def test_a_site_of_another_municipality_in_the_filters_yields_no_rows(
    visit_world, municipality_x, municipality_y
):
    foreign = Site.objects.get(municipality=municipality_y, name="Torget A")
    rows = visit_count_list(municipality_x, VisitCountFilters(site=foreign))
    assert rows.count() == 0


def test_the_entrance_whitelist_lists_named_entrances_of_the_municipality_only(
    visit_world, municipality_x, municipality_y
):
    VisitCount.objects.create(
        municipality=municipality_y,
        site=Site.objects.get(municipality=municipality_y, name="Filial"),
        entrance="Only in Y",
        period_start=_instant("2024-01-01 00:00", "Europe/Oslo"),
        period_end=_instant("2024-01-02 00:00", "Europe/Oslo"),
        count=1,
        method="manual",
    )
    assert visit_entrances(municipality_x) == ["Nord"]


def test_empty_selections_total_zero_not_nothing(municipality_x):
    totals = visit_count_totals(visit_count_list(municipality_x, VisitCountFilters()))
    assert (totals.counts, totals.visits, totals.sites) == (0, 0, 0)
    events = event_totals(event_list(municipality_x, EventFilters()))
    assert (events.rows, events.events, events.attendance) == (0, 0, 0)


def event_cases(sites: dict[str, Site]) -> dict[str, EventFilters]:
    return {
        "all": EventFilters(),
        "range": EventFilters(first_day=FIRST, last_day=LAST),
        "range_digital": EventFilters(first_day=FIRST, last_day=LAST, is_digital=True),
        "range_children": EventFilters(first_day=FIRST, last_day=LAST, audience="children"),
        "range_site_filial": EventFilters(site=sites["Filial"], first_day=FIRST, last_day=LAST),
        "range_culture": EventFilters(first_day=FIRST, last_day=LAST, event_type="culture"),
    }


@pytest.mark.parametrize("case", list(EXPECTED["events"]))
def test_event_totals_match_the_independently_computed_reference(case, event_world, municipality_x):
    totals = event_totals(event_list(municipality_x, event_cases(event_world)[case]))
    expected = EXPECTED["events"][case]
    assert {
        "rows": totals.rows,
        "events": totals.events,
        "attendance": totals.attendance,
        "events_with_attendance": totals.events_with_attendance,
        "events_without_attendance": totals.events_without_attendance,
    } == expected


def test_not_digital_is_a_filter_of_its_own_and_not_the_same_as_any(event_world, municipality_x):
    everything = event_totals(event_list(municipality_x, EventFilters()))
    digital = event_totals(event_list(municipality_x, EventFilters(is_digital=True)))
    not_digital = event_totals(event_list(municipality_x, EventFilters(is_digital=False)))
    assert digital.rows == 2
    assert digital.rows + not_digital.rows == everything.rows
