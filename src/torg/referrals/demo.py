"""The ``referrals`` step of the demo set-up: two teams for a demo municipality. The lead
calls :func:`demo_teams` from :mod:`torg.demo.setup`; it is safe to call again."""

from __future__ import annotations

from django.db import transaction

from torg.catalogue.models import Domain
from torg.organisation.models import Membership, Municipality, Role, Site
from torg.referrals.models import DEFAULT_SERVICE_LEVEL_HOURS, Team

#: (name, domain, service-level target in calendar hours). The library answers within two
#: days like the municipal services; names are in bokmål, the language of the demo data.
DEMO_TEAMS = (
    ("Biblioteksteamet", Domain.LIBRARY, DEFAULT_SERVICE_LEVEL_HOURS),
    ("Kommunale tjenester", Domain.MUNICIPAL, DEFAULT_SERVICE_LEVEL_HOURS),
)


def demo_teams(municipality: Municipality) -> list[Team]:
    """Create (or find) the library team and the municipal services team of
    ``municipality``, each spanning all its sites, with the municipality's desk staff, managers
    and administrators as members. Returns the two teams in the order of :data:`DEMO_TEAMS`; running
    it again changes nothing."""
    sites = list(Site.objects.filter(municipality=municipality))
    members = list(
        Membership.objects.filter(
            municipality=municipality, role__in=[Role.DESK_STAFF, Role.MANAGER, Role.ADMINISTRATOR]
        )
    )
    teams = []
    with transaction.atomic():
        for name, domain, hours in DEMO_TEAMS:
            team, created = Team.objects.get_or_create(
                municipality=municipality,
                name=name,
                defaults={"domain": domain, "service_level_hours": hours},
            )
            if created:
                team.sites.set(sites)
                team.members.set(members)
            teams.append(team)
    return teams
