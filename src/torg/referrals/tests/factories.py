"""Personas and rows for the referral tests: a library team and a municipal team in
municipality X, a specialist who is a member of the municipal team, and inquiries at site A.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from torg.inquiries.models import Channel, Inquiry, Outcome
from torg.organisation.models import Membership, Municipality, Role, Site
from torg.organisation.scoping import Tenancy
from torg.referrals.models import Team
from torg.testing.factories import make_user

UTC = dt.UTC
#: Monday 2 March 2026, 10:00 UTC (11:00 in Oslo): the instant every test starts from.
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def tenancy_of(user: Any, municipality: Municipality) -> Tenancy:
    membership = Membership.objects.get(user=user, municipality=municipality)
    return Tenancy(municipality=municipality, role=membership.role)


def make_team(
    municipality: Municipality,
    name: str,
    *,
    domain: str = "municipal",
    members: tuple[Any, ...] = (),
    sites: tuple[Site, ...] = (),
    service_level_hours: int = 48,
) -> Team:
    team = Team.objects.create(
        municipality=municipality,
        name=name,
        domain=domain,
        service_level_hours=service_level_hours,
    )
    team.sites.set(sites)
    team.members.set(Membership.objects.filter(user__in=members, municipality=municipality))
    return team


def make_specialist(municipality: Municipality, username: str = "specialist-x") -> Any:
    """A desk-staff member who will be put in a team (the specialist of the issue)."""
    return make_user(username, municipality, Role.DESK_STAFF)


def make_inquiry(site: Site, *, at: dt.datetime = T0) -> Inquiry:
    return Inquiry.objects.create(
        municipality=site.municipality,
        site=site,
        occurred_at=at,
        channel=Channel.IN_PERSON,
        outcome=Outcome.REFERRED_INTERNAL,
    )
