"""``torg import survey-responses <file> --municipality <slug> --wave <id> [--mapping FILE]
[--dry-run]``: responses exported by another survey tool, all or nothing
(:mod:`torg.surveys.importing`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped
from torg.surveys.importing import ResponsesImportError, read_mapping, responses_import
from torg.surveys.models import Wave

USER_ERROR = 2


class Command(BaseCommand):
    help = (
        "Import one-row-per-respondent survey responses (LimeSurvey, Nettskjema, Questback "
        "exports: CSV, XLSX) into a wave. Columns are matched to items by code or text; "
        "--mapping gives a label;level table for other answer labels."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="Slug of the municipality.")
        parser.add_argument("--wave", required=True, type=int, help="Id of the wave.")
        parser.add_argument("--mapping", type=Path, help="CSV or XLSX: answer label, level.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                f"There is no municipality {options['municipality']!r}.", returncode=USER_ERROR
            )
        wave = scoped(Wave, municipality).filter(pk=options["wave"]).first()
        if wave is None:
            raise CommandError(
                f"Municipality {municipality.slug} has no wave {options['wave']}.",
                returncode=USER_ERROR,
            )
        try:
            mapping = read_mapping(options["mapping"]) if options["mapping"] else None
            summary = responses_import(
                wave=wave, path=options["file"], mapping=mapping, dry_run=options["dry_run"]
            )
        except ResponsesImportError as error:
            lines = [str(error), *error.problems]
            raise CommandError("\n".join(lines), returncode=USER_ERROR) from error
        self.stdout.write(summary.text())
