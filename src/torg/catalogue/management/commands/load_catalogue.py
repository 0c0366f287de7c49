"""``torg load catalogue --municipality <slug> [--replace] [--dry-run] [--file PATH]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from torg.catalogue.defaults import CatalogueDataError, read_default_catalogue
from torg.catalogue.services import catalogue_load_default
from torg.organisation.models import Municipality

USER_ERROR = 2


def valid_municipalities() -> str:
    """A sentence listing the municipality slugs (at most 60), for error messages."""
    slugs = list(Municipality.objects.order_by("slug").values_list("slug", flat=True)[:60])
    if not slugs:
        return "No municipality exists yet (create one, or run `torg demo`)."
    more = Municipality.objects.count() - len(slugs)
    return "Valid municipalities: " + ", ".join(slugs) + (f" and {more} more." if more else ".")


class Command(BaseCommand):
    help = (
        "Load Torg's default Norwegian service catalogue into a municipality. Safe to re-run: "
        "it adds only what is missing and leaves services the municipality edited alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="Slug of the municipality.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Also reset services the municipality has edited to the default.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, write nothing."
        )
        parser.add_argument(
            "--file",
            type=Path,
            help="Load this catalogue file instead of the bundled one (same JSON format).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["municipality"]
        if not slug:
            raise CommandError(
                f"Name the municipality: torg load catalogue --municipality <slug>. "
                f"{valid_municipalities()}",
                returncode=USER_ERROR,
            )
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            raise CommandError(
                f"There is no municipality {slug!r}. {valid_municipalities()}",
                returncode=USER_ERROR,
            )
        try:
            catalogue = read_default_catalogue(options["file"])
        except CatalogueDataError as error:
            raise CommandError(str(error), returncode=USER_ERROR) from None
        result = catalogue_load_default(
            municipality=municipality,
            replace=options["replace"],
            catalogue=catalogue,
            dry_run=options["dry_run"],
        )
        self.stdout.write(result.summary())
