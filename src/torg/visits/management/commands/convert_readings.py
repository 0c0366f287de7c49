"""``torg convert readings --municipality <slug> [--site S] [--entrance E]``: turn the
imported cumulative readings of door counters into visit counts
(:func:`torg.visits.services.counter_readings_convert`) and list the gaps, which stay
missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from torg.organisation.models import Municipality, Role
from torg.organisation.scoping import Tenancy, scoped
from torg.visits.management.commands.add_counter import site_of
from torg.visits.models import DoorCounter
from torg.visits.services import counter_readings_convert


class Command(BaseCommand):
    help = "Convert door-counter readings into visit counts; gaps are listed, not filled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True)
        parser.add_argument("--site", help="Only this site's counters (name or code).")
        parser.add_argument("--entrance", help="Only this entrance's counter.")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"No municipality {options['municipality']!r}.", returncode=2)
        tenancy = Tenancy(municipality=municipality, role=Role.ADMINISTRATOR)
        counters = scoped(DoorCounter, municipality).select_related("site")
        if options["site"]:
            counters = counters.filter(site=site_of(municipality.slug, options["site"])[1])
        if options["entrance"] is not None:
            counters = counters.filter(entrance=options["entrance"])
        if not counters.exists():
            raise CommandError(
                "No door counter matches; register one with `torg add counter`.", returncode=2
            )
        for counter in counters:
            try:
                result = counter_readings_convert(tenancy=tenancy, counter=counter)
            except ValueError as error:
                raise CommandError(f"{counter}: {error}", returncode=2) from None
            self.stdout.write(
                f"{counter}: {result.created} counts created, {result.existing} already there, "
                f"{result.conversion.visits} visits, {len(result.gaps)} gaps left missing."
            )
            for gap in result.gaps:
                passages = "unknown" if gap.passages is None else str(gap.passages)
                self.stdout.write(
                    f"  gap {gap.start.isoformat()} – {gap.end.isoformat()}: {gap.reason.value}, "
                    f"{passages} passages not spread"
                )
