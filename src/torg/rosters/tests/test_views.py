"""Roster pages: solve in the background with progress, the grid, edits, publish, exports,
and nothing of it for a user of another municipality."""

from __future__ import annotations

import datetime as dt
import io
import time

import icalendar
import openpyxl
import pytest
from django.urls import reverse

from torg import rostering
from torg.organisation.models import Role
from torg.organisation.scoping import Tenancy
from torg.rosters import services
from torg.rosters.models import Roster, StaffMember

from .world import two_sites

MONDAY = dt.date(2026, 3, 2)
PERIOD = {"weeks": 1, "contract_tolerance_hours": 40, "saturday_every_weeks": 6}
FAST = rostering.SolverSettings(time_limit_seconds=5, workers=2, seed=0, explain_seconds=10)


def solved(municipality) -> Roster:
    two_sites(municipality)
    return services.roster_solve(
        tenancy=Tenancy(municipality=municipality, role=Role.MANAGER),
        actor=None,
        period_start=MONDAY,
        weeks=1,
        rules=rostering.Rules(contract_tolerance_hours=40),
        solver=FAST,
    )


def urls(slug: str, roster: Roster, staff: StaffMember) -> dict[str, str]:
    return {
        "list": reverse("rosters:list", args=[slug]),
        "detail": reverse("rosters:detail", args=[slug, roster.pk]),
        "csv": reverse("rosters:csv", args=[slug, roster.pk]),
        "xlsx": reverse("rosters:xlsx", args=[slug, roster.pk]),
        "ical": reverse("rosters:ical", args=[slug, roster.pk, staff.pk]),
        "edit": reverse("rosters:edit", args=[slug, roster.pk]),
        "publish": reverse("rosters:publish", args=[slug, roster.pk]),
        "stop": reverse("rosters:job-stop", args=[slug]),
    }


@pytest.mark.django_db
def test_the_roster_page_shows_the_grid_the_check_and_fairness(
    municipality_x, manager_x, client_for
):
    roster = solved(municipality_x)
    client = client_for(manager_x)
    response = client.get(reverse("rosters:detail", args=["kommune-x", roster.pk]) + "?week=1")
    assert response.status_code == 200
    body = response.content.decode()
    some = roster.own_assignments().select_related("staff").first()
    assert some is not None and some.staff.name in body
    assert "sentrum-day" in body
    people = response.context["people"]
    assert len(people) == 12
    per_person = sum(len(codes) for row in people for codes in row.cells)
    assert per_person == roster.own_assignments().count()  # one week: every shift once
    assert "<caption" in body  # every table has a caption


@pytest.mark.django_db
def test_a_manager_edit_is_checked_and_reported(municipality_x, manager_x, client_for):
    roster = solved(municipality_x)
    a = roster.own_assignments().select_related("shift").first()
    assert a is not None
    late = "late" if a.shift.code.endswith("day") else "day"
    other = a.shift.__class__.objects.get(code=f"{a.shift.code.rsplit('-', 1)[0]}-{late}")
    client = client_for(manager_x)
    response = client.post(
        reverse("rosters:edit", args=["kommune-x", roster.pk]),
        {"staff": a.staff_id, "day": a.day.isoformat(), "shift": other.pk, "action": "add"},
        follow=True,
        headers={"Accept-Language": "en"},  # the message is matched in English
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("breaks" in m for m in messages), messages


@pytest.mark.django_db
def test_exports_give_csv_and_a_calendar(municipality_x, manager_x, client_for):
    roster = solved(municipality_x)
    staff = StaffMember.objects.filter(assignment__roster=roster).first()
    assert staff is not None
    client = client_for(manager_x)
    csv = client.get(reverse("rosters:csv", args=["kommune-x", roster.pk]))
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + roster.own_assignments().count()
    xlsx = client.get(reverse("rosters:xlsx", args=["kommune-x", roster.pk]) + f"?staff={staff.pk}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert len(values) == 1 + roster.own_assignments().filter(staff=staff).count()
    assert {row[5] for row in values[1:]} == {staff.name}
    feed = client.get(reverse("rosters:ical", args=["kommune-x", roster.pk, staff.pk]))
    assert feed["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == roster.own_assignments().filter(staff=staff).count()


@pytest.mark.django_db
def test_a_user_of_another_municipality_gets_404_everywhere(municipality_x, outsider_y, client_for):
    roster = solved(municipality_x)
    staff = StaffMember.objects.filter(municipality=municipality_x).first()
    assert staff is not None
    client = client_for(outsider_y)
    for name, url in urls("kommune-x", roster, staff).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"job": "x"}).status_code == 404, name


@pytest.mark.django_db
def test_a_desk_worker_cannot_solve_or_publish(municipality_x, client_for):
    from torg.testing.factories import make_user

    roster = solved(municipality_x)
    desk = make_user("desk-x", municipality_x, Role.DESK_STAFF)
    client = client_for(desk)
    assert client.post(reverse("rosters:publish", args=["kommune-x", roster.pk])).status_code == 403
    response = client.post(
        reverse("rosters:list", args=["kommune-x"]), {**PERIOD, "period_start": "2026-03-02"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_period_must_start_on_monday(municipality_x, manager_x, client_for):
    client = client_for(manager_x)
    response = client.post(
        reverse("rosters:list", args=["kommune-x"]), {**PERIOD, "period_start": "2026-03-03"}
    )
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_a_background_solve_shows_progress_and_ends_in_a_roster(
    municipality_x, manager_x, client_for, settings
):
    settings.TORG_ROSTER_TIME_LIMIT = 5
    two_sites(municipality_x)
    client = client_for(manager_x)
    response = client.post(
        reverse("rosters:list", args=["kommune-x"]),
        {**PERIOD, "period_start": "2026-03-02", "soft": ["saturday_rotation"]},
    )
    assert response.status_code == 303
    progress = response["Location"]
    assert "?job=" in progress
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = client.get(progress)
        if page.status_code == 302:
            break
        assert "Seconds left" in page.content.decode() or "Sekunder igjen" in page.content.decode()
        time.sleep(0.5)
    assert page.status_code == 302, "the solve did not finish"
    roster = Roster.objects.get(municipality=municipality_x)
    assert page["Location"] == reverse("rosters:detail", args=["kommune-x", roster.pk])
    assert roster.own_assignments().exists()
    assert roster.rules == {
        "contract_tolerance_hours": 40.0,
        "saturday_every_weeks": 6,
        "soft": ["saturday_rotation"],
    }


@pytest.mark.django_db
def test_a_manager_sets_up_staff_shifts_and_demand(municipality_x, manager_x, client_for):
    from torg.testing.factories import make_site

    site = make_site(municipality_x, "Sentrum")
    client = client_for(manager_x)
    url = reverse("rosters:setup", args=["kommune-x"])
    posts = [
        {
            "kind": "staff",
            "staff-name": "Kari Nordmann",
            "staff-home_site": site.pk,
            "staff-contract_share": "0.8",
            "staff-weekly_hours": "37.5",
            "staff-competences": ["library", "municipal"],
            "staff-unwanted_shifts": "natt, sentrum-late",
        },
        {
            "kind": "shift",
            "shift-site": site.pk,
            "shift-code": "natt",
            "shift-starts": "22:00",
            "shift-ends": "07:00",
            "shift-weekdays": ["4", "5"],
        },
        {
            "kind": "demand",
            "demand-site": site.pk,
            "demand-weekday": "0",
            "demand-starts": "09:00",
            "demand-ends": "15:00",
            "demand-minimum": "2",
            "demand-competence": "library",
        },
    ]
    for data in posts:
        assert client.post(url, data).status_code == 303, data
    member = StaffMember.objects.get(municipality=municipality_x)
    assert member.competences == ["library", "municipal"]
    assert member.unwanted_shifts == ["natt", "sentrum-late"]
    placement = {
        "kind": "placement",
        "placement-staff": member.pk,
        "placement-site": site.pk,
        "placement-shifts": "2",
    }
    assert client.post(url, placement).status_code == 303
    assert member.placements.get().shifts == 2
    from torg.rosters.models import DemandSlot, ShiftTemplate

    night = ShiftTemplate.objects.get(municipality=municipality_x, code="natt")
    assert night.weekdays == [4, 5]
    assert DemandSlot.objects.get(municipality=municipality_x).minimum == 2
    # A shift of no length and a duplicate code are refused with the field named.
    bad = client.post(url, {**posts[1], "shift-ends": "22:00", "shift-code": "x"})
    assert bad.status_code == 400
    dup = client.post(url, posts[1])
    assert dup.status_code == 400
    assert "exists already" in dup.content.decode() or "finnes" in dup.content.decode()
    page = client.get(url)
    assert "Kari Nordmann" in page.content.decode()
    # With no inquiries in the log, every open weekday hour needs one person.
    derive = {
        "kind": "derive",
        "derive-site": site.pk,
        "derive-until": "2026-03-02",
        "derive-weeks": "8",
        "derive-opens": "9",
        "derive-closes": "19",
        "derive-handle_minutes": "5",
        "derive-target_seconds": "120",
        "derive-target_percent": "80",
    }
    assert client.post(url, derive).status_code == 303
    slots = DemandSlot.objects.filter(municipality=municipality_x)
    assert slots.count() == 5 * 10
    assert {s.minimum for s in slots} == {1}


@pytest.mark.django_db
def test_a_desk_worker_sees_the_setup_but_cannot_change_it(municipality_x, client_for):
    from torg.testing.factories import make_site, make_user

    site = make_site(municipality_x, "Sentrum")
    desk = make_user("desk-x", municipality_x, Role.DESK_STAFF)
    client = client_for(desk)
    url = reverse("rosters:setup", args=["kommune-x"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "staff", "staff-name": "X", "staff-home_site": site.pk})
    assert response.status_code == 403
    assert not StaffMember.objects.exists()
