"""Reads of teams, referrals and the digital queue, always through the caller's
:class:`~torg.organisation.scoping.Tenancy`.

Visibility: managers, administrators and analysts see every team's queue; desk staff see
the queues of their own teams and the referrals they made themselves. A desk staff member or
manager bound to some sites (``Membership.sites``) sees the referrals made at those sites
and those sent to the teams they are a member of, and a site-bound manager the digital
queues of the teams at those sites.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from torg.lib.localtime import zone
from torg.organisation.models import Membership
from torg.organisation.scoping import Tenancy
from torg.organisation.selectors import default_time_zone
from torg.referrals import rules
from torg.referrals.models import (
    DigitalInquiry,
    DigitalStatus,
    Referral,
    ReferralStatus,
    Team,
)

OPEN_REFERRAL_STATUSES = (ReferralStatus.NEW, ReferralStatus.ACCEPTED)
OPEN_DIGITAL_STATUSES = (DigitalStatus.NEW, DigitalStatus.ASSIGNED, DigitalStatus.ANSWERED)


def team_list(tenancy: Tenancy, *, active_only: bool = False) -> QuerySet[Team]:
    """The municipality's teams by name, with sites and members (memberships with their
    users) prefetched."""
    teams = tenancy.scoped(Team).prefetch_related(
        "sites",
        Prefetch(
            "members",
            queryset=tenancy.scoped(Membership).select_related("user").order_by("user__username"),
        ),
    )
    if active_only:
        teams = teams.filter(is_active=True)
    return teams.order_by("name", "pk")


def teams_of(tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Team]:
    """The teams of the municipality that ``user`` is a member of, by name."""
    if user.pk is None:
        return team_list(tenancy).none()
    return team_list(tenancy).filter(
        members__user_id=user.pk, members__municipality=tenancy.municipality
    )


def team_get(tenancy: Tenancy, pk: int) -> Team:
    """Team ``pk`` of the municipality; ``Team.DoesNotExist`` for any other."""
    return team_list(tenancy).get(pk=pk)


def visible_referrals(
    tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[Referral]:
    """The referrals ``user`` may see, oldest first, with team, service, inquiry and site."""
    rows = (
        tenancy.scoped(Referral)
        .select_related("to_team", "to_service", "inquiry", "inquiry__site", "inquiry__service")
        .order_by("created_at", "pk")
    )
    if rules.sees_everything(tenancy):
        return rows
    mine = teams_of(tenancy, user).values("pk")
    visible = Q(to_team__in=mine) | Q(created_by_id=user.pk)
    if tenancy.site_ids is not None:
        # Site-bound: also the referrals made at the member's sites. A referral made at
        # another site is seen only by the members of the team it went to, even when that
        # team also covers the member's sites (its inquiry is not theirs to see).
        visible |= Q(inquiry__site_id__in=tenancy.site_ids)
    return rows.filter(visible)


def visible_digital_inquiries(
    tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser
) -> QuerySet[DigitalInquiry]:
    """The digital inquiries ``user`` may see, oldest first. Untriaged ones (no team) are
    seen by managers, administrators and analysts only; a manager bound to sites sees those
    and the queues of the teams at their sites (:func:`rules.local_teams`)."""
    rows = (
        tenancy.scoped(DigitalInquiry)
        .select_related("team", "service", "assigned_to")
        .order_by("received_at", "pk")
    )
    if rules.sees_everything(tenancy):
        return rows
    visible = Q(team__in=teams_of(tenancy, user).values("pk"))
    if tenancy.site_ids is not None and rules.is_lead(tenancy):
        # A site-bound manager triages (no team yet) and leads the teams at their sites.
        visible |= Q(team__isnull=True) | Q(team__in=rules.local_teams(tenancy).values("pk"))
    return rows.filter(visible)


@dataclass(frozen=True)
class Clock:
    """The service-level clock of an open item: ``due_at`` (UTC instant) shown in
    ``local_due`` (the display zone), and the whole minutes left (negative: overdue)."""

    due_at: dt.datetime
    local_due: dt.datetime
    minutes_left: int

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0

    @property
    def hours_part(self) -> int:
        return abs(self.minutes_left) // 60

    @property
    def minutes_part(self) -> int:
        return abs(self.minutes_left) % 60


def clock(due_at: dt.datetime | None, *, now: dt.datetime, zone_name: str) -> Clock | None:
    """The clock for ``due_at`` at ``now``; ``None`` without a due time. Minutes left are
    rounded towards minus infinity, so an item is overdue from the first second after its
    due time."""
    if due_at is None:
        return None
    seconds = (due_at - now).total_seconds()
    return Clock(
        due_at=due_at,
        local_due=timezone.localtime(due_at, zone(zone_name)),
        minutes_left=int(seconds // 60),
    )


def referral_due_at(referral: Referral) -> dt.datetime | None:
    """A referral waits for its first response for the team's service-level target (the
    same calendar hours as digital inquiries); answered or closed ones have no clock."""
    if referral.status != ReferralStatus.NEW:
        return None
    return referral.created_at + dt.timedelta(hours=referral.to_team.service_level_hours)


def digital_due_at(item: DigitalInquiry) -> dt.datetime | None:
    """A digital inquiry's clock runs until its first answer."""
    if item.status not in {DigitalStatus.NEW, DigitalStatus.ASSIGNED}:
        return None
    return item.due_at


@dataclass(frozen=True)
class ReferralRow:
    """One referral of the queue; ``zone_name`` is the zone of the inquiry's site, in which
    the page shows its times."""

    referral: Referral
    clock: Clock | None
    may_work: bool
    zone_name: str


@dataclass(frozen=True)
class DigitalRow:
    """One digital inquiry of the queue; its times are shown in ``zone_name``, the
    municipality's default zone."""

    item: DigitalInquiry
    clock: Clock | None
    may_work: bool
    assigned_to_me: bool
    zone_name: str


@dataclass(frozen=True)
class Queue:
    """The queue page of one person: their teams, and the referrals and digital inquiries
    they may see that match the filter, oldest first."""

    my_teams: list[Team]
    referrals: list[ReferralRow]
    digital: list[DigitalRow]


def queue_for(
    tenancy: Tenancy,
    user: AbstractBaseUser | AnonymousUser,
    *,
    status: str = "open",
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> Queue:
    """The queue of ``user``. ``status`` is ``open`` (default: everything not yet done),
    ``all`` or one status value of either kind; ``team`` narrows to one team. Clocks are
    computed at ``now``; referral due times are shown in the zone of the inquiry's site,
    digital ones in the municipality's default zone."""
    instant = now or timezone.now()
    referrals = visible_referrals(tenancy, user)
    digital = visible_digital_inquiries(tenancy, user)
    if status == "open":
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
        digital = digital.filter(status__in=OPEN_DIGITAL_STATUSES)
    elif status != "all":
        referrals = referrals.filter(status=status)
        digital = digital.filter(status=status)
    if team is not None:
        referrals = referrals.filter(to_team=team)
        digital = digital.filter(team=team)
    my_teams = list(teams_of(tenancy, user))
    my_team_ids = {t.pk for t in my_teams}
    lead = rules.is_lead(tenancy)
    worker = rules.is_worker(tenancy)
    digital_zone = default_time_zone(tenancy.municipality)
    return Queue(
        my_teams=my_teams,
        referrals=[
            ReferralRow(
                referral=row,
                clock=clock(
                    referral_due_at(row), now=instant, zone_name=row.inquiry.site.time_zone
                ),
                may_work=lead or (worker and row.to_team_id in my_team_ids),
                zone_name=row.inquiry.site.time_zone,
            )
            for row in referrals
        ],
        digital=[
            DigitalRow(
                item=row,
                clock=clock(digital_due_at(row), now=instant, zone_name=digital_zone),
                may_work=lead or (worker and row.team_id in my_team_ids),
                assigned_to_me=row.assigned_to_id == user.pk,
                zone_name=digital_zone,
            )
            for row in digital
        ],
    )
