"""Writes of the evaluation app."""

from __future__ import annotations

import datetime as dt

from torg.evaluation.models import ExcludedPeriod, HelpfulMethod, MethodChecklistItem
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


def ensure_demo_exclusions() -> int:
    """The excluded periods of the Toronto demo (see :mod:`torg.evaluation.cases` for why):
    Albion's building works 2015–2017 and the COVID restrictions at every branch. Adds only
    what is missing (running the demo again adds nothing); returns how many it added.
    Does nothing when there is no Toronto municipality with an Albion branch."""
    from torg.evaluation.cases import ALBION_CODE, ALBION_WORKS
    from torg.evaluation.methods import COVID_FIRST, COVID_LAST
    from torg.evaluation.models import ExclusionReason
    from torg.organisation.models import Municipality

    toronto = Municipality.objects.filter(slug="toronto").first()
    albion = Site.objects.filter(municipality=toronto, code=ALBION_CODE).first()
    if toronto is None or albion is None:
        return 0
    added = 0
    for site, (first, last), reason, note in (
        (
            albion,
            ALBION_WORKS,
            ExclusionReason.BUILDING_WORKS,
            "Temporary location 2015–2016; reopened on its site in 2017 (the year mixes both).",
        ),
        (None, (COVID_FIRST, COVID_LAST), ExclusionReason.COVID, ""),
    ):
        _row, created = ExcludedPeriod.objects.get_or_create(
            municipality=toronto,
            site=site,
            first=first,
            last=last,
            defaults={"reason": reason, "note": note},
        )
        added += created
    return added


def checklist_save(*, tenancy: Tenancy, entries: dict[str, tuple[str, str]]) -> int:
    """Store the status and note of each helpful method for the member's municipality
    (``entries``: method → (status, note)); returns how many rows changed. Raises
    ``ValueError`` for an unknown method."""
    changed = 0
    for method, (status, note) in entries.items():
        if method not in HelpfulMethod.values:
            raise ValueError(f"unknown method {method!r}")
        row, created = MethodChecklistItem.objects.get_or_create(
            municipality=tenancy.municipality,
            method=method,
            defaults={"status": status, "note": note},
        )
        if not created and (row.status, row.note) != (status, note):
            row.status, row.note = status, note
            row.save(update_fields=["status", "note", "updated_at"])
            changed += 1
        changed += created
    return changed
