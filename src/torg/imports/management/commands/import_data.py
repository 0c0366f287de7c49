"""``torg import <profile> <file> --municipality <slug> [--dry-run]``."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from torg.imports.framework import ImportFailed, ImportRefused, run_import
from torg.imports.registry import all_profiles

USER_ERROR = 2


class Command(BaseCommand):
    help = "Import a CSV or XLSX file through an import profile. All or nothing; re-importing adds nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "profile", help="Import profile; `torg import --list` shows them.", nargs="?"
        )
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--municipality", help="Slug of the municipality the data belongs to.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, write nothing."
        )
        parser.add_argument(
            "--force", action="store_true", help="Import even a file already imported."
        )
        parser.add_argument(
            "--encoding", help="Override encoding detection (utf-8, utf-16, cp1252, …)."
        )
        parser.add_argument("--delimiter", help="Override delimiter detection (, ; tab |).")
        parser.add_argument("--sheet", help="Worksheet of an XLSX file (default: the first).")
        parser.add_argument("--errors", type=Path, help="Write every problem to this CSV file.")
        parser.add_argument(
            "--list", action="store_true", help="List the import profiles and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["profile"]:
            self.stdout.write("Import profiles:")
            for profile in all_profiles():
                scope = f"[{profile.scope.value}]"
                self.stdout.write(f"  {profile.name:<26} {scope:<11} {profile.title}")
            if not options["list"]:
                raise CommandError(
                    "Name a profile and a file: torg import <profile> <file>", returncode=USER_ERROR
                )
            return
        if options["file"] is None:
            raise CommandError(
                "Name the file to import: torg import <profile> <file>", returncode=USER_ERROR
            )
        delimiter = options["delimiter"]
        if delimiter in ("tab", "\\t"):
            delimiter = "\t"
        console = Console(stderr=True)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        ) as bar:
            tasks: dict[str, Any] = {}

            def progress(phase: str, done: int, total: int | None) -> None:
                if phase not in tasks:
                    label = "Reading and checking rows" if phase == "read" else "Writing"
                    tasks[phase] = bar.add_task(label, total=total)
                bar.update(tasks[phase], completed=done, total=total)

            try:
                result = run_import(
                    options["profile"],
                    options["file"],
                    municipality=options["municipality"],
                    dry_run=options["dry_run"],
                    force=options["force"],
                    encoding=options["encoding"],
                    delimiter=delimiter,
                    sheet=options["sheet"],
                    progress=progress,
                )
            except ImportRefused as error:
                raise CommandError(str(error), returncode=USER_ERROR) from None
            except ImportFailed as error:
                report = options["errors"] or (
                    Path(settings.VAR_DIR) / f"import-errors-{timezone.now():%Y%m%dT%H%M%S}.csv"
                )
                self._write_report(report, error)
                raise CommandError(
                    f"{error}\nEvery problem is listed in {report}.", returncode=USER_ERROR
                ) from None
        self.stdout.write(result.summary())

    def _write_report(self, path: Path, error: ImportFailed) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["file", "row", "column", "value", "reason"])
            for issue in error.issues:
                writer.writerow(
                    [
                        issue.file,
                        issue.row or "",
                        issue.column or "",
                        issue.value or "",
                        issue.reason,
                    ]
                )
