"""Two sites of municipality X with twelve staff, shift templates and weekly demand: the
manager's set-up of issue 6's "done when"."""

from __future__ import annotations

import datetime as dt

from torg.organisation.models import Municipality, Site
from torg.rosters.models import DemandSlot, ShiftTemplate, StaffMember
from torg.testing.factories import make_site

WEEKDAYS = [0, 1, 2, 3, 4]
KINDS = (["library", "municipal"], ["library"], ["municipal"])


def two_sites(municipality: Municipality, *, saturday_pairs: int = 1) -> list[Site]:
    """Sentrum and Nordby, six staff each (two generalists, two library and two municipal
    specialists), day and late shifts on weekdays and a Saturday shift, demand of one
    library and one municipal competence 09–19 on weekdays and 10–16 on Saturdays
    (``saturday_pairs`` people of each)."""
    sites = [make_site(municipality, "Sentrum"), make_site(municipality, "Nordby")]
    for site in sites:
        for code, starts, ends, days in (
            ("day", dt.time(8), dt.time(15, 30), WEEKDAYS),
            ("late", dt.time(12), dt.time(20), WEEKDAYS),
            ("sat", dt.time(10), dt.time(16), [5]),
        ):
            ShiftTemplate.objects.create(
                municipality=municipality,
                site=site,
                code=f"{site.name.lower()}-{code}",
                starts=starts,
                ends=ends,
                weekdays=days,
            )
        for i in range(6):
            StaffMember.objects.create(
                municipality=municipality,
                name=f"{('Kari', 'Ola', 'Ingrid', 'Lars', 'Åse', 'Øyvind')[i]} {site.name}",
                home_site=site,
                competences=KINDS[i % 3],
            )
        for weekday in [*WEEKDAYS, 5]:
            saturday = weekday == 5
            for competence in ("library", "municipal"):
                DemandSlot.objects.create(
                    municipality=municipality,
                    site=site,
                    weekday=weekday,
                    starts=dt.time(10 if saturday else 9),
                    ends=dt.time(16 if saturday else 19),
                    minimum=saturday_pairs if saturday else 1,
                    competence=competence,
                )
    return sites
