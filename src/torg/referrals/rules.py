"""Who may work the queue: the role rules of :mod:`torg.referrals.services`, in one place
so that pages and the API show only the actions a person may take.

The municipality-wide roles come from the membership (``tenancy.role``); being a member of
a team (a :class:`~torg.referrals.models.Team` lists memberships) adds the right to work
that team's queue.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
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
    """Managers, administrators and analysts see every queue, unless the membership is bound
    to some sites (:attr:`Tenancy.site_ids`): then :func:`local_teams` limits it."""
    return tenancy.role in OVERVIEW_ROLES and not tenancy.site_bound


def local_teams(tenancy: Tenancy) -> QuerySet[Team]:
    """The teams a site-bound manager leads: those with one of the member's sites, and those
    without any site (municipality-wide teams). Every team for a manager without sites."""
    teams = tenancy.scoped(Team)
    if tenancy.site_ids is None:
        return teams
    with_sites = Team.sites.through.objects.values("team_id")
    return teams.filter(Q(sites__in=tenancy.site_ids) | ~Q(pk__in=with_sites)).distinct()


def may_edit_team(tenancy: Tenancy, team: Team) -> bool:
    """Whether a lead may change ``team``: any team, or for a manager bound to sites, a team
    whose sites are all theirs (a team at other sites too is the municipality's to change,
    and the form could not show those sites)."""
    if not is_lead(tenancy):
        return False
    if tenancy.site_ids is None:
        return True
    # Through all(), so that a prefetched list of sites costs no query.
    return all(site.pk in tenancy.site_ids for site in team.sites.all())


def is_member(team: Team, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether ``user`` is a member of ``team`` through a membership of its municipality."""
    if user.pk is None:
        return False
    return team.members.filter(user_id=user.pk, municipality_id=team.municipality_id).exists()


def may_work(tenancy: Tenancy, user: AbstractBaseUser | AnonymousUser, team: Team) -> bool:
    """Whether ``user`` may work ``team``'s queue: a lead (of a team at one of their sites,
    when bound to sites), or a working member of it."""
    if is_lead(tenancy) and (
        tenancy.site_ids is None or local_teams(tenancy).filter(pk=team.pk).exists()
    ):
        return True
    return is_worker(tenancy) and is_member(team, user)


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
