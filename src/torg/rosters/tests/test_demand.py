"""Demand slots derived from a site's inquiry log (forecast per weekday and hour, then
Erlang C). Expected staff computed independently with exact rational arithmetic:
26/h → 4, 20/h → 3, 4/h → 2 people for 80 % within 120 s at 300 s handling."""

from __future__ import annotations

import datetime as dt

import pytest

from torg.inquiries.models import Inquiry, Outcome
from torg.organisation.models import Role, Site
from torg.organisation.scoping import Tenancy
from torg.rosters import services
from torg.rosters.models import DemandSlot
from torg.testing.factories import local, make_site

pytestmark = pytest.mark.django_db


def log(site: Site, when: dt.datetime, domain: str, *, known: bool = True) -> None:
    Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=when,
        time_of_day_known=known,
        channel="in_person",
        domain=domain,
        outcome=Outcome.RESOLVED,
    )


def test_demand_slots_come_from_the_inquiry_log(municipality_x, municipality_y):
    site = make_site(municipality_x, "Sentrum")
    elsewhere = make_site(municipality_y, "Y")
    mondays = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * i) for i in range(8)]
    for monday in mondays:
        for i in range(20):
            log(site, local(monday.year, monday.month, monday.day, 10, i), "library")
        for i in range(4):
            log(site, local(monday.year, monday.month, monday.day, 10, 30 + i), "municipal")
        for i in range(2):
            log(site, local(monday.year, monday.month, monday.day, 10, 50 + i), "unknown")
        # Not counted: unknown time of day, another municipality's site.
        log(site, local(monday.year, monday.month, monday.day), "library", known=False)
        log(elsewhere, local(monday.year, monday.month, monday.day, 10), "library")
    # Before the eight weeks: not counted.
    for i in range(30):
        log(site, local(2025, 12, 29, 10, i), "library")
    written = services.demand_derive_from_inquiries(
        tenancy=Tenancy(municipality=municipality_x, role=Role.MANAGER),
        site=site,
        until=dt.date(2026, 3, 2),
        weeks=8,
        open_hours={0: range(9, 11)},
    )
    slots = {
        (s.starts.hour, s.competence): s.minimum
        for s in DemandSlot.objects.filter(site=site, weekday=0)
    }
    assert slots == {(9, ""): 1, (10, ""): 4, (10, "library"): 3, (10, "municipal"): 2}
    assert written == 4
