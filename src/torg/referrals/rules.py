"""Who may work the queue: the role rules of :mod:`torg.referrals.services`, in one place
so that pages and the API show only the actions a person may take.

The municipality-wide roles come from the membership (``tenancy.role``); being a member of
a team (a :class:`~torg.referrals.models.Team` lists memberships) adds the right to work
that team's queue.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from torg.organisation.models import Role
from torg.organisation.scoping import Tenancy
from torg.referrals.models import Team

#: Roles that do the work: log, refer, receive. Analysts only read.
WORKER_ROLES = frozenset({Role.DESK_STAFF, Role.MANAGER, Role.ADMINISTRATOR})
#: Roles that triage, assign to others and manage teams, and may act in any team's queue.
LEAD_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR})
#: Roles that see every team's queue rather than only their own teams'.
OVERVIEW_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR, Role.ANALYST})


def is_worker(tenancy: Tenancy) -> bool:
    return tenancy.role in WORKER_ROLES


def is_lead(tenancy: Tenancy) -> bool:
    return tenancy.role in LEAD_ROLES


def sees_everything(tenancy: Tenancy) -> bool:
    return tenancy.role in OVERVIEW_ROLES


def is_member(team: Team, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether ``user`` is a member of ``team`` through a membership of its municipality."""
    if user.pk is None:
        return False
    return team.members.filter(user_id=user.pk, municipality_id=team.municipality_id).exists()


def may_work(tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser, team: Team) -> bool:
    """Whether ``user`` may work ``team``'s queue: a lead, or a working member of it."""
    return is_lead(tenancy) or (is_worker(tenancy) and is_member(team, user))


def require_worker(tenancy: Tenancy) -> None:
    if not is_worker(tenancy):
        raise PermissionDenied(_("Your role in this municipality does not allow this."))


def require_lead(tenancy: Tenancy) -> None:
    if not is_lead(tenancy):
        raise PermissionDenied(_("Only managers and administrators can do this."))


def require_team_worker(
    tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser, team: Team
) -> None:
    if not may_work(tenancy, user, team):
        raise PermissionDenied(_("Only members of the team can work its queue."))
