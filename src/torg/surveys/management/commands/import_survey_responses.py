"""``torg import survey-responses <file> --municipality <slug> --wave <id> [--mapping FILE]
[--dry-run]``: responses exported by another survey tool, through the import framework's
``survey-responses`` profile (:mod:`torg.surveys.importing`), with every option of
``torg import`` (``--encoding``, ``--delimiter``, ``--sheet``, ``--errors``, ``--force``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from torg.imports.management.commands.import_data import Command as ImportCommand
from torg.surveys.importing import SurveyResponsesProfile


class Command(ImportCommand):
    help = (
        "Import one-row-per-respondent survey responses (LimeSurvey, Nettskjema, Questback "
        "exports: CSV, XLSX) into a wave, all or nothing. Columns are matched to items by code "
        "or text; --mapping gives a label;level table for other answer labels."
    )
    fixed_profile = SurveyResponsesProfile.name

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--wave", required=True, help="Id of the wave.")
        parser.add_argument("--mapping", type=Path, help="CSV or XLSX: answer label, level.")

    def profile_options(self, options: dict[str, Any]) -> dict[str, Any]:
        found = {"wave": str(options["wave"])}
        if options.get("mapping"):
            found["mapping"] = str(options["mapping"])
        return found
