"""``torg rebuild visit-totals [--municipality <slug>] [--dry-run]``: recompute the stored
daily visit totals from the raw visit counts
(:func:`torg.visits.totals.visit_totals_rebuild`). The rollup is kept in step by
database triggers; this is for a database restored or written around them, and to check
(the result never differs from the kept rollup)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from torg.organisation.models import Municipality
from torg.visits.models import VisitDayTotal
from torg.visits.totals import visit_totals_rebuild


class Command(BaseCommand):
    help = "Recompute the stored daily visit totals from the raw visit counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="Only this municipality (slug).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Recompute, report, and roll back."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality {options['municipality']!r}.", returncode=2)
        with transaction.atomic():
            rows = VisitDayTotal.objects.all()
            if municipality is not None:
                rows = rows.filter(municipality=municipality)
            before = _snapshot(rows)
            result = visit_totals_rebuild(municipality)
            after = _snapshot(rows)
            if options["dry_run"]:
                transaction.set_rollback(True)
        changed = sum(
            1 for key in before.keys() | after.keys() if before.get(key) != after.get(key)
        )
        self.stdout.write(
            f"{'Would recompute' if options['dry_run'] else 'Recomputed'} {result.days:,} "
            f"business days of {result.sites} sites from {result.rows_read:,} visit counts; "
            f"{len(after):,} daily totals, {changed:,} "
            f"{'differ' if options['dry_run'] else 'changed'}."
        )


def _snapshot(rows: Any) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    return {
        (site_id, entrance, day, last_day): (visits, counts, estimates)
        for site_id, entrance, day, last_day, visits, counts, estimates in rows.values_list(
            "site_id", "entrance", "day", "last_day", "visits", "counts", "estimates"
        )
    }
