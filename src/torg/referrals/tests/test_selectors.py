"""The service-level clock and the demo teams."""

from __future__ import annotations

import datetime as dt

from torg.referrals.demo import demo_teams
from torg.referrals.models import Team
from torg.referrals.selectors import clock
from torg.referrals.tests.factories import T0
from torg.testing.factories import make_site


def test_the_clock_counts_whole_minutes_left_and_is_overdue_from_the_first_second():
    due = T0 + dt.timedelta(hours=2, minutes=5, seconds=30)
    running = clock(due, now=T0, zone_name="Europe/Oslo")
    assert running is not None
    assert running.minutes_left == 125 and not running.overdue  # 2 h 5 min 30 s → 125 min
    assert (running.hours_part, running.minutes_part) == (2, 5)
    assert running.local_due.hour == 13 and running.local_due.minute == 5  # 12:05 UTC in Oslo
    late = clock(T0 - dt.timedelta(seconds=1), now=T0, zone_name="Europe/Oslo")
    assert late is not None and late.overdue and late.minutes_left == -1
    very_late = clock(T0 - dt.timedelta(hours=26, minutes=3), now=T0, zone_name="UTC")
    assert very_late is not None and (very_late.hours_part, very_late.minutes_part) == (26, 3)
    assert clock(None, now=T0, zone_name="UTC") is None


def test_the_clock_shows_the_due_time_in_summer_time_too():
    # 29 March 2026 is the spring change in Oslo: 01:30 UTC is 03:30 CEST.
    due = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    shown = clock(due, now=due - dt.timedelta(hours=3), zone_name="Europe/Oslo")
    assert shown is not None and shown.local_due.hour == 3 and shown.minutes_left == 180


def test_demo_teams_makes_two_teams_once(municipality_x, desk_worker_x, analyst_x):
    make_site(municipality_x, "Torget A")
    make_site(municipality_x, "Filial B")
    first = demo_teams(municipality_x)
    again = demo_teams(municipality_x)
    assert [t.pk for t in first] == [t.pk for t in again]
    assert Team.objects.filter(municipality=municipality_x).count() == 2
    assert {t.domain for t in first} == {"library", "municipal"}
    for team in first:
        assert team.sites.count() == 2
        assert [m.user for m in team.members.all()] == [desk_worker_x]  # analysts are not in
