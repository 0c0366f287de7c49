"""Writes of the evaluation app."""

from __future__ import annotations

import datetime as dt

from torg.evaluation.models import ExcludedPeriod
from torg.organisation.models import Site
from torg.organisation.scoping import Tenancy


def excluded_period_create(
    *,
    tenancy: Tenancy,
    site: Site | None,
    first: dt.date,
    last: dt.date,
    reason: str,
    note: str = "",
) -> ExcludedPeriod:
    """Store a period to leave out of every before/after comparison at ``site`` (``None``:
    every site; only a member who sees every site may enter that). Raises ``ValueError``
    for a site outside the member's scope or ``last`` before ``first``."""
    if site is not None and (
        site.municipality_id != tenancy.municipality.pk or not tenancy.covers_site(site)
    ):
        raise ValueError("the site is not one of yours")
    if site is None and tenancy.site_bound:
        raise ValueError("only a member who sees every site can exclude a period everywhere")
    if last < first:
        raise ValueError("the last day comes before the first")
    return ExcludedPeriod.objects.create(
        municipality=tenancy.municipality,
        site=site,
        first=first,
        last=last,
        reason=reason,
        note=note,
    )
