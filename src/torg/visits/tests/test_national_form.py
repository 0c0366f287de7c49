"""The national form for a demo municipality, against figures worked out by hand:

* Hovedbiblioteket (library): 5 visits in each of the hours 10, 11, 12 and 13 local on
  every day of 2024 except March. 2024 has 366 days, March 31: 335 days × 4 × 5 = 6,700.
  Staffed hours are Mon–Fri 10–19 and Sat 10–14 (Sunday is self-service 8–22), so the
  Sundays' visits are not in staffed hours: 2024 has 52 Sundays, 5 of them in March, so
  47 × 20 = 940 are not staffed and 6,700 − 940 = 5,760 are. One count is an estimate,
  so both figures are "estimated"; March has no count, so both are incomplete.
* Torget (joint): 100 door visits a day, 366 days = 36,600, attributed at a fixed share of
  0.5 = 18,300 ("attributed"). Daily counts cannot be split by opening hours: its staffed
  figure is missing, so the municipality's staffed total is incomplete.
* Events: own culture for children ×3 (attendance 10, 20, not recorded), a talk in
  partnership for adults (30), digital help, digital (5), a class visit (library
  information, children, schools) (25): 6 events, 4 for children, attendance 90 with one
  event not recorded.
* Opening hours on 15 September: staffed 5 × (7 before 17:00 + 2 after) + Saturday 4
  before = 39 before and 10 after; self-service Sunday 14.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from torg.lib.localtime import zone
from torg.organisation.models import (
    Municipality,
    OpeningHours,
    OpeningHoursKind,
    Role,
    Site,
    SiteKind,
)
from torg.organisation.scoping import Tenancy
from torg.testing.factories import make_site
from torg.visits.models import Audience, CountMethod, Event, EventType, VisitCount
from torg.visits.national_form import FigureStatus, national_form
from torg.visits.services import attribution_compute, attribution_set

OSLO = zone("Europe/Oslo")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _demo(municipality: Municipality) -> tuple[Site, Site]:
    main = make_site(municipality, "Hovedbiblioteket", kind=SiteKind.LIBRARY)
    joint = make_site(municipality, "Torget", kind=SiteKind.JOINT)
    rows = []
    day = dt.date(2024, 1, 1)
    while day.year == 2024:
        start = dt.datetime.combine(day, dt.time(0), tzinfo=OSLO)
        rows.append(
            VisitCount(
                municipality=municipality,
                site=joint,
                period_start=start,
                period_end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=OSLO),
                count=100,
                method=CountMethod.AUTOMATIC,
            )
        )
        if day.month != 3:
            for hour in (10, 11, 12, 13):
                at = dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)
                rows.append(
                    VisitCount(
                        municipality=municipality,
                        site=main,
                        period_start=at,
                        period_end=at + dt.timedelta(hours=1),
                        count=5,
                        method=CountMethod.AUTOMATIC,
                        is_estimate=(day, hour) == (dt.date(2024, 6, 3), 10),
                        estimate_reason="Counter off; hand tally"
                        if (day, hour) == (dt.date(2024, 6, 3), 10)
                        else "",
                    )
                )
        day += dt.timedelta(days=1)
    VisitCount.objects.bulk_create(rows)
    for weekday in range(5):
        OpeningHours.objects.create(
            municipality=municipality,
            site=main,
            weekday=weekday,
            opens=dt.time(10),
            closes=dt.time(19),
            kind=OpeningHoursKind.STAFFED,
        )
    OpeningHours.objects.create(
        municipality=municipality,
        site=main,
        weekday=5,
        opens=dt.time(10),
        closes=dt.time(14),
        kind=OpeningHoursKind.STAFFED,
    )
    OpeningHours.objects.create(
        municipality=municipality,
        site=main,
        weekday=6,
        opens=dt.time(8),
        closes=dt.time(22),
        kind=OpeningHoursKind.SELF_SERVICE,
    )
    tenancy = Tenancy(municipality=municipality, role=Role.MANAGER)
    attribution_set(
        tenancy=tenancy,
        site=joint,
        method="fixed_share",
        valid_from=dt.date(2024, 1, 1),
        library_share=Decimal("0.5"),
    )
    attribution_compute(
        tenancy=tenancy, site=joint, first_day=dt.date(2024, 1, 1), last_day=dt.date(2024, 12, 31)
    )
    events = [
        (EventType.CULTURE, Audience.CHILDREN, 10, {}),
        (EventType.CULTURE, Audience.CHILDREN, 20, {}),
        (EventType.CULTURE, Audience.CHILDREN, None, {}),
        (EventType.TALK_DEBATE, Audience.ADULTS, 30, {"in_partnership": True}),
        (EventType.DIGITAL_HELP, Audience.ADULTS, 5, {"is_digital": True}),
        (
            EventType.LIBRARY_INFORMATION,
            Audience.CHILDREN,
            25,
            {"for_schools_kindergartens": True},
        ),
    ]
    for index, (event_type, audience, attendance, extra) in enumerate(events):
        Event.objects.create(
            municipality=municipality,
            site=main,
            starts_at=dt.datetime(2024, 5, 1 + index, 18, tzinfo=OSLO),
            event_type=event_type,
            audience=audience,
            attendance=attendance,
            **extra,
        )
    return main, joint


def test_the_demo_municipalitys_form_has_the_hand_worked_figures(
    municipality_x: Municipality,
) -> None:
    _demo(municipality_x)
    with translation.override("en"):
        form = national_form(municipality_x, 2024)
    main = form.get("Visits: Hovedbiblioteket")
    assert (main.value, main.status, main.complete) == (6700, FigureStatus.ESTIMATED, False)
    assert "1 of 12 months without a count" in main.source
    joint = form.get("Visits: Torget")
    assert (joint.value, joint.status, joint.complete) == (18300, FigureStatus.ATTRIBUTED, True)
    assert "Fixed share" in joint.source and "36600 door visits" in joint.source
    total = form.get("Visits in total")
    assert (total.value, total.status, total.complete) == (25000, FigureStatus.ESTIMATED, False)
    staffed_main = form.get("Visits in staffed hours: Hovedbiblioteket")
    assert staffed_main.value == 5760
    assert form.get("Visits in staffed hours: Torget").status is FigureStatus.MISSING
    staffed = form.get("Visits in staffed hours")
    assert (staffed.value, staffed.complete) == (5760, False)
    assert form.get("Events in total").value == 6
    assert form.get("Events in total: for children").value == 4
    attendance = form.get("Events in total: attendance")
    assert (attendance.value, attendance.complete) == (90, False)
    assert form.get("Own events, culture").value == 3
    assert form.get("Own events, culture: attendance").value == 30
    assert form.get("Events in partnership, debate or talk").value == 1
    assert form.get("Own events, debate or talk").value == 0
    assert form.get("Events for schools and kindergartens: attendance").value == 25
    assert form.get("Digital events").value == 1
    assert form.get("Staffed hours before 17:00").value == Decimal("39.00")
    assert form.get("Staffed hours after 17:00").value == Decimal("10.00")
    assert form.get("Self-service hours").value == Decimal("14.00")


def test_a_year_without_anything_is_missing_not_zero(municipality_x: Municipality) -> None:
    make_site(municipality_x, "Filial", kind=SiteKind.LIBRARY)
    with translation.override("en"):
        form = national_form(municipality_x, 2019)
    for label in ("Visits in total", "Events in total", "Self-service hours"):
        figure = form.get(label)
        assert (figure.value, figure.status) == (None, FigureStatus.MISSING)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_exports_carry_every_figure_with_status_and_source(
    kind: str, municipality_x: Municipality, analyst_x: object, client_for: Any
) -> None:
    _demo(municipality_x)
    client = client_for(analyst_x)
    response = client.get(
        reverse(f"visits:national_form_{kind}", args=[municipality_x.slug]),
        {"year": "2024", "delimiter": "comma"},
        **ENGLISH,
    )
    assert response.status_code == 200
    if kind == "csv":
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        lines = body.splitlines()
        assert lines[0] == "Section,Figure,Value,Status,Complete,Source"
        assert any(line.startswith("Visits,Visits: Torget,18300,attributed,yes,") for line in lines)
        assert any(
            line.startswith("Visits,Visits in staffed hours: Torget,,missing,no,") for line in lines
        )
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        rows = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert rows["Visits in total"][2:5] == (25000, "estimated", "no")
        assert rows["Visits in staffed hours: Torget"][2] is None
    assert len(national_form(municipality_x, 2024).figures) > 40


def test_the_page_is_for_members_only(
    municipality_x: Municipality, desk_worker_x: object, outsider_y: object, client_for: Any
) -> None:
    page = reverse("visits:national_form", args=[municipality_x.slug])
    assert client_for(desk_worker_x).get(page, {"year": "2024"}).status_code == 200
    assert (
        client_for(desk_worker_x)
        .get(reverse("visits:national_form_csv", args=[municipality_x.slug]))
        .status_code
        == 403
    )
    for name in ("national_form", "national_form_csv", "national_form_xlsx"):
        url = reverse(f"visits:{name}", args=[municipality_x.slug])
        assert client_for(outsider_y).get(url).status_code == 404
