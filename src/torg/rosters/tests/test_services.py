"""Roster services on the database: solve, save, check, publish, edit, exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from torg import rostering
from torg.organisation.models import Role
from torg.organisation.scoping import Tenancy
from torg.rosters import exports, services
from torg.rosters.models import Assignment, Placement, RosterStatus, ShiftTemplate, StaffMember

from .world import two_sites


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The refusals below are matched in English (every test starts in bokmål)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
FAST = rostering.SolverSettings(time_limit_seconds=10, workers=2, seed=0, explain_seconds=30)
MONDAY = dt.date(2026, 3, 2)
LAX = rostering.Rules(contract_tolerance_hours=40)


def tenancy(municipality) -> Tenancy:
    return Tenancy(municipality=municipality, role=Role.MANAGER)


def solve(municipality, weeks=2, rules=LAX):
    return services.roster_solve(
        tenancy=tenancy(municipality),
        actor=None,
        period_start=MONDAY,
        weeks=weeks,
        rules=rules,
        solver=FAST,
    )


def test_a_solved_roster_is_saved_checked_and_published(municipality_x):
    two_sites(municipality_x)
    roster = solve(municipality_x)
    assert roster.solver_status in ("optimal", "feasible")
    assert roster.version == 1
    assert roster.assignments.count() > 0
    assert services.roster_violations(roster=roster, rules=LAX) == []
    services.roster_publish(roster=roster, rules=LAX)
    roster.refresh_from_db()
    assert roster.status == RosterStatus.PUBLISHED
    assert roster.published_at is not None


def test_a_roster_that_breaks_a_rule_is_not_published(municipality_x):
    two_sites(municipality_x)
    roster = solve(municipality_x, weeks=1)
    assignment = roster.assignments.select_related("staff").first()
    assert assignment is not None
    # The same person on the Saturday shift of the other site too: not an allowed site.
    foreign = ShiftTemplate.objects.exclude(site=assignment.staff.home_site).get(
        code__endswith="sat"
    )
    services.roster_assignment_change(
        roster=roster,
        staff=assignment.staff,
        day=MONDAY + dt.timedelta(days=5),
        shift=foreign,
        add=True,
    )
    with pytest.raises(ValidationError, match="breaks"):
        services.roster_publish(roster=roster, rules=LAX)


def test_a_second_solve_is_a_new_version(municipality_x):
    two_sites(municipality_x)
    first = solve(municipality_x, weeks=1)
    second = solve(municipality_x, weeks=1)
    assert (first.version, second.version) == (1, 2)


def test_too_few_saturday_workers_are_explained_and_the_shortfall_kept(municipality_x):
    # Two people of each competence on Saturdays, but six staff per site and a Saturday
    # only every sixth week: the rules cannot all hold.
    two_sites(municipality_x, saturday_pairs=2)
    roster = solve(municipality_x, weeks=6)
    assert roster.solver_status == "infeasible"
    assert "lørdag hver 6. uke" in roster.explanation
    assert "Sentrum" in roster.explanation or "Nordby" in roster.explanation
    assert roster.shortfalls.exists()
    assert all(
        s.starts_at.astimezone(services_zone()).weekday() == 5 for s in roster.shortfalls.all()
    )
    with pytest.raises(ValidationError, match="unmet demand"):
        services.roster_publish(roster=roster)


def services_zone():
    import zoneinfo

    return zoneinfo.ZoneInfo(services.ZONE)


def test_a_manual_edit_is_checked_at_once(municipality_x):
    two_sites(municipality_x)
    roster = solve(municipality_x, weeks=1)
    assignment = roster.assignments.select_related("staff", "shift").first()
    assert assignment is not None
    other = (
        ShiftTemplate.objects.exclude(pk=assignment.shift_id)
        .filter(
            site=assignment.shift.site,
            code__endswith="late" if "day" in assignment.shift.code else "day",
        )
        .first()
    )
    assert other is not None
    violations = services.roster_assignment_change(
        roster=roster, staff=assignment.staff, day=assignment.day, shift=other, add=True
    )
    assert {"no_overlap", "daily_hours"} <= {v.rule for v in violations}
    services.roster_assignment_change(
        roster=roster, staff=assignment.staff, day=assignment.day, shift=other, add=False
    )
    with pytest.raises(ValidationError, match="outside"):
        services.roster_assignment_change(
            roster=roster,
            staff=assignment.staff,
            day=MONDAY - dt.timedelta(days=1),
            shift=other,
            add=True,
        )


def test_the_calendar_feed_holds_each_shift_with_its_real_times(municipality_x):
    two_sites(municipality_x)
    roster = solve(municipality_x, weeks=1)
    staff = StaffMember.objects.filter(assignment__roster=roster).distinct().first()
    assert staff is not None
    mine = Assignment.objects.filter(roster=roster, staff=staff).select_related("shift")
    calendar = icalendar.Calendar.from_ical(exports.roster_ical(roster=roster, staff=staff))
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert len(events) == mine.count()
    first = min(mine, key=lambda a: (a.day, a.shift.starts))
    start = events[0].decoded("dtstart")
    assert start.utcoffset() == dt.timedelta(hours=1)  # CET in early March
    assert (start.date(), start.time()) == (first.day, first.shift.starts)


def test_the_csv_rows_give_real_hours(municipality_x):
    two_sites(municipality_x)
    roster = solve(municipality_x, weeks=1)
    rows = exports.roster_rows(roster=roster)
    assert len(rows) == roster.assignments.count()
    assert {row[6] for row in rows} <= {7.5, 8.0, 6.0}


def test_a_placement_that_cannot_fit_is_explained(municipality_x):
    _sentrum, nordby = two_sites(municipality_x)
    kari = StaffMember.objects.get(name="Kari Sentrum")
    Placement.objects.create(municipality=municipality_x, staff=kari, site=nordby, shifts=20)
    roster = solve(municipality_x, weeks=1)
    assert roster.solver_status == "infeasible"
    assert "Kari Sentrum skal hospitere minst 20 vakter ved Nordby" in roster.explanation


def test_unwanted_shifts_are_avoided_and_placements_kept(municipality_x):
    _sentrum, nordby = two_sites(municipality_x)
    ola = StaffMember.objects.get(name="Ola Sentrum")
    ola.unwanted_shifts = ["sentrum-late"]
    ola.save()
    kari = StaffMember.objects.get(name="Kari Sentrum")
    Placement.objects.create(municipality=municipality_x, staff=kari, site=nordby, shifts=2)
    roster = solve(municipality_x, weeks=1)
    assert roster.solver_status in ("optimal", "feasible")
    mine = roster.own_assignments().filter(staff=ola).values_list("shift__code", flat=True)
    assert "sentrum-late" not in set(mine)
    at_nordby = roster.own_assignments().filter(staff=kari, shift__site=nordby).count()
    assert at_nordby >= 2
    assert services.roster_violations(roster=roster, rules=LAX) == []
