"""The counts and events that cross an edge of a chosen range of local days
(:func:`visit_count_edges`, :func:`event_edges`), against a hand-computed table that spans
both spring-forward days of 2024: Toronto on 10 March (23 hours) and Oslo on 31 March
(23 hours).

Range 10 to 31 March 2024, both days included, in each site's own zone:

* Oslo (CET +1, CEST +2 from 31 March 02:00): the range is 2024-03-09T23:00Z to
  2024-03-31T22:00Z;
* Toronto (EST −5, EDT −4 from 10 March 02:00): 2024-03-10T05:00Z to 2024-04-01T04:00Z.

Row  site     local period                                  UTC period              in range  edge
a    Oslo     2024-01-01 00:00 – 2025-01-01 00:00           23:00Z(12-31)–23:00Z    no        left out
b    Oslo     03-31 23:00 CEST – 04-01 01:00 CEST           21:00Z – 23:00Z          yes       counted whole
c    Oslo     03-31 00:00 CET – 04-01 00:00 CEST (23 h)     03-30 23:00Z – 22:00Z    yes       —  (ends at the edge)
d    Oslo     03-09 22:00 – 03-10 02:00 CET                 21:00Z – 01:00Z          no        left out
e    Toronto  03-10 00:00 EST – 03-11 00:00 EDT (23 h)      05:00Z – 04:00Z          yes       —
f    Toronto  03-09 23:00 EST – 03-10 03:00 EDT             04:00Z – 07:00Z          no        left out
g    Toronto  03-31 23:00 EDT – 04-01 01:00 EDT             04-01 03:00Z – 05:00Z    yes       counted whole
h    Toronto  04-01 00:00 EDT – 05-01 00:00 EDT             04:00Z – 04:00Z          no        —  (starts after)

Judged in Oslo's zone, f would start inside the range and g after it: the zone matters.
Counted whole: b, g = 2 counts, 7 + 2 = 9 visits. Left out: a, d, f = 3 counts,
1000 + 4 + 3 = 1,007 visits. In range: b, c, e, g = 7 + 95 + 60 + 2 = 164 visits.
"""

from __future__ import annotations

import datetime as dt

import pytest

from torg.organisation.models import Municipality, Site
from torg.testing.factories import local, make_site
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount
from torg.visits.selectors import (
    EdgeRows,
    EventFilters,
    PeriodEdges,
    VisitCountFilters,
    event_edges,
    event_list,
    event_totals,
    visit_count_edges,
    visit_count_list,
    visit_count_totals,
)

FIRST = dt.date(2024, 3, 10)
LAST = dt.date(2024, 3, 31)
OSLO, TORONTO = "Europe/Oslo", "America/Toronto"


def count(site: Site, start: dt.datetime, end: dt.datetime, visits: int) -> None:
    VisitCount.objects.create(
        municipality=site.municipality,
        site=site,
        period_start=start,
        period_end=end,
        count=visits,
        method=CountMethod.AUTOMATIC,
    )


def load_table(municipality: Municipality) -> dict[str, Site]:
    oslo = make_site(municipality, "Torget A", time_zone=OSLO)
    toronto = make_site(municipality, "Toronto branch", time_zone=TORONTO)
    count(oslo, local(2024, 1, 1), local(2025, 1, 1), 1000)  # a
    count(oslo, local(2024, 3, 31, 23), local(2024, 4, 1, 1), 7)  # b
    count(oslo, local(2024, 3, 31), local(2024, 4, 1), 95)  # c
    count(oslo, local(2024, 3, 9, 22), local(2024, 3, 10, 2), 4)  # d
    count(toronto, local(2024, 3, 10, zone=TORONTO), local(2024, 3, 11, zone=TORONTO), 60)  # e
    count(toronto, local(2024, 3, 9, 23, zone=TORONTO), local(2024, 3, 10, 3, zone=TORONTO), 3)
    count(toronto, local(2024, 3, 31, 23, zone=TORONTO), local(2024, 4, 1, 1, zone=TORONTO), 2)
    count(toronto, local(2024, 4, 1, zone=TORONTO), local(2024, 5, 1, zone=TORONTO), 500)  # h
    return {"oslo": oslo, "toronto": toronto}


@pytest.fixture
def table(municipality_x, municipality_y) -> dict[str, Site]:
    load_table(municipality_y)  # a leak across municipalities would double every figure
    return load_table(municipality_x)


def test_the_utc_instants_of_the_table_are_the_hand_computed_ones(table):
    utc = dt.UTC
    assert local(2024, 3, 31, 23).astimezone(utc) == dt.datetime(2024, 3, 31, 21, tzinfo=utc)
    assert local(2024, 3, 9, 23, zone=TORONTO).astimezone(utc) == dt.datetime(
        2024, 3, 10, 4, tzinfo=utc
    )
    assert local(2024, 3, 10, 3, zone=TORONTO).astimezone(utc) == dt.datetime(
        2024, 3, 10, 7, tzinfo=utc
    )


def test_counts_that_run_past_the_last_day_and_counts_that_started_before_the_first_are_counted(
    table, municipality_x
):
    edges = visit_count_edges(municipality_x, VisitCountFilters(first_day=FIRST, last_day=LAST))
    assert edges == PeriodEdges(
        first_day=FIRST,
        last_day=LAST,
        counted_whole=EdgeRows(rows=2, total=9),
        left_out=EdgeRows(rows=3, total=1007),
    )
    rows = visit_count_list(municipality_x, VisitCountFilters(first_day=FIRST, last_day=LAST))
    assert visit_count_totals(rows).visits == 164


def test_an_open_side_has_nothing_on_that_edge(table, municipality_x):
    from_first = visit_count_edges(municipality_x, VisitCountFilters(first_day=FIRST))
    assert from_first.counted_whole == EdgeRows()
    assert from_first.left_out == EdgeRows(rows=3, total=1007)
    # Up to 31 March the yearly count a starts in the range and runs past it, with b and g.
    up_to_last = visit_count_edges(municipality_x, VisitCountFilters(last_day=LAST))
    assert up_to_last.counted_whole == EdgeRows(rows=3, total=1009)
    assert up_to_last.left_out == EdgeRows()
    assert not visit_count_edges(municipality_x, VisitCountFilters())


def test_the_other_filters_apply_to_the_edges_too(table, municipality_x):
    edges = visit_count_edges(
        municipality_x, VisitCountFilters(site=table["toronto"], first_day=FIRST, last_day=LAST)
    )
    assert (edges.counted_whole, edges.left_out) == (EdgeRows(1, 2), EdgeRows(1, 3))


def test_one_day_of_a_yearly_count_is_the_whole_year_and_says_so(municipality_x):
    # Toronto's tester: 1 January 2015 alone showed the year's visits.
    site = make_site(municipality_x, "Branch", time_zone=TORONTO)
    count(site, local(2015, 1, 1, zone=TORONTO), local(2016, 1, 1, zone=TORONTO), 18_153)
    day = dt.date(2015, 1, 1)
    edges = visit_count_edges(municipality_x, VisitCountFilters(first_day=day, last_day=day))
    assert (edges.counted_whole, edges.left_out) == (EdgeRows(1, 18_153), EdgeRows())
    rest = VisitCountFilters(first_day=dt.date(2015, 1, 2), last_day=dt.date(2015, 12, 31))
    edges = visit_count_edges(municipality_x, rest)
    assert (edges.counted_whole, edges.left_out) == (EdgeRows(), EdgeRows(1, 18_153))


def _event(municipality: Municipality, site: Site | None, starts, ends, occurrences) -> None:
    Event.objects.create(
        municipality=municipality,
        site=site,
        starts_at=starts,
        ends_at=ends,
        event_type=EventType.CULTURE,
        audience=Audience.ALL,
        occurrences=occurrences,
        attendance=10,
    )


def test_events_with_a_period_are_judged_like_counts(table, municipality_x):
    # Without a site an event is judged in the lists' zone: the sites use two zones, so
    # Torg's TIME_ZONE, Oslo. A month of events from 1 March (Oslo) started before the
    # range; a Toronto talk from 23:00 EDT on 31 March to 01:00 runs past it; an event
    # without an end has no period; the month of April starts after the range.
    _event(municipality_x, None, local(2024, 3, 1), local(2024, 4, 1), 9)
    _event(
        municipality_x,
        table["toronto"],
        local(2024, 3, 31, 23, zone=TORONTO),
        local(2024, 4, 1, 1, zone=TORONTO),
        1,
    )
    _event(municipality_x, table["oslo"], local(2024, 3, 5, 18), None, 1)
    _event(municipality_x, None, local(2024, 4, 1), local(2024, 5, 1), 12)
    filters = EventFilters(first_day=FIRST, last_day=LAST)
    edges = event_edges(municipality_x, filters)
    assert (edges.counted_whole, edges.left_out) == (EdgeRows(1, 1), EdgeRows(1, 9))
    assert event_totals(event_list(municipality_x, filters)).events == 1
