"""The real cases in the demo data, with the choices made for them and why.

Toronto Public Library publishes visits per branch and **year** (2012–2022), so every
change date and excluded period below is at the resolution of a year.

**Albion (AB)**, 1515 Albion Road, was rebuilt on its site and reopened in 2017
(``PresentSiteYear`` 2017 in the branch file) after two years in a temporary location.
The raw counts say when the branch left its old building: 401,819 visits in 2014, then
194,587 in 2015 and 208,251 in 2016 (the temporary location), 260,950 in 2017 (part of
the year in the temporary location, part in the new building), 327,977 in 2018 and
337,559 in 2019. So:

* change date 2017-01-01 (the file gives only the year of reopening);
* excluded as building works: 2015-01-01 to 2017-12-31, i.e. the two years in the
  temporary location and the reopening year, which mixes both buildings;
* excluded as the COVID restrictions: 2020-03-01 to 2021-12-31, for every branch;
* before = 2012–2014, after = 2018, 2019 and 2022; comparison = Torg's proposal, the ten
  branches with counts in all six of those years that are most like Albion before the
  change in size and trend (:func:`~torg.evaluation.selectors.propose_comparison_units`),
  or, with ``all_branches``, every such branch (96).

Albion's visits were falling faster than most branches' in 2012–2014 (522,309 to
401,819). Against all branches the estimate is about −17 % with a clearly diverging
pre-trend; against the ten most similar branches about −9 % with an interval that
includes no change, and a pre-trend that still differs (p just under 0.05). The page and
the report say both the estimate and the pre-trend warning.

**Scarborough Civic Centre (SC)** opened in 2015 inside the civic centre; its first count
is 2015. With the change at its opening there is no before-period, and every method
refuses with that reason.
"""

from __future__ import annotations

import datetime as dt

from torg.evaluation import methods
from torg.evaluation.selectors import (
    Evaluation,
    Outcome,
    complete_comparison_units,
    evaluate,
    visit_panel,
)
from torg.organisation.models import Site
from torg.organisation.scoping import Scope, scoped

ALBION_CODE = "AB"
ALBION_CHANGE = dt.date(2017, 1, 1)
ALBION_WORKS = (dt.date(2015, 1, 1), dt.date(2017, 12, 31))
SCARBOROUGH_CIVIC_CENTRE_CODE = "SC"
SCARBOROUGH_CIVIC_CENTRE_OPENED = dt.date(2015, 1, 1)


def albion_exclusions(site: Site) -> tuple[methods.ExcludedRange, ...]:
    """Albion's building works (temporary location and reopening year) and COVID."""
    return (
        methods.ExcludedRange(*ALBION_WORKS, unit=str(site.pk), reason="building works"),
        methods.covid_exclusion(),
    )


def albion(
    scope: Scope,
    method: methods.Method = methods.Method.DIFFERENCE_IN_DIFFERENCES,
    *,
    all_branches: bool = False,
) -> Evaluation:
    """The Albion rebuild against the other Toronto branches (see the module): Torg's
    proposed comparison branches, or, with ``all_branches``, every branch with complete
    counts. Raises ``Site.DoesNotExist`` when the municipality has no branch AB."""
    site = scoped(Site, scope).get(code=ALBION_CODE)
    excluded = albion_exclusions(site)
    comparison = None
    if all_branches:
        panel = visit_panel(scope)
        comparison = [
            int(unit)
            for unit in complete_comparison_units(panel, str(site.pk), ALBION_CHANGE, excluded)
        ]
    return evaluate(
        scope,
        site=site,
        change=ALBION_CHANGE,
        outcome=Outcome.VISITS,
        method=method,
        comparison_site_ids=comparison,
        extra_excluded=excluded,
    )


def scarborough_civic_centre(
    scope: Scope, method: methods.Method = methods.Method.DIFFERENCE_IN_DIFFERENCES
) -> Evaluation:
    """The Scarborough Civic Centre branch's opening in 2015: no before-period."""
    site = scoped(Site, scope).get(code=SCARBOROUGH_CIVIC_CENTRE_CODE)
    return evaluate(
        scope,
        site=site,
        change=SCARBOROUGH_CIVIC_CENTRE_OPENED,
        outcome=Outcome.VISITS,
        method=method,
        extra_excluded=(methods.covid_exclusion(),),
    )
