"""``torg import <profile> <file> --municipality <slug> [--dry-run]``.

Prints a one-line summary on success. Every user error (unknown profile or municipality,
unreadable or mismatched file, bad rows) exits with status 2 and a message, never a
traceback; bad rows are also written, one line per problem, to the ``--errors`` CSV file
(default: ``var/import-errors-<time>-<profile>.csv``, a new file for every run). The report
never overwrites the file being imported, nor any existing file but an earlier report.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from torg.imports.framework import (
    ImportFailed,
    ImportRefused,
    Issue,
    iter_profiles_help,
    run_import,
)
from torg.imports.registry import all_profiles
from torg.lib.tabular import TableError, parse_delimiter

USER_ERROR = 2
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
REPORT_HEADER = ["file", "row", "column", "value", "reason"]


class Command(BaseCommand):
    help = "Import a CSV, XLSX or JSON file through an import profile. All or nothing; re-importing adds nothing."
    # The system checks load every URL and view (and the charting library with them): a
    # second of start-up that an import does not need. `torg check` runs them.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if os.path.basename(prog_name) == "torg" and self.fixed_profile is None:
            parser.prog = "torg import"  # what the user typed, not the command's module name
        return parser

    #: Set by a command for one profile (``torg import survey-responses <file>``), which
    #: then takes no profile argument; :meth:`profile_options` adds its own options.
    fixed_profile: str | None = None

    def profile_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Profile options from a fixed-profile command's own arguments."""
        return {}

    def add_arguments(self, parser: CommandParser) -> None:
        if self.fixed_profile is None:
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
        parser.add_argument(
            "--delimiter",
            help="Override delimiter detection: , ; tab | (or comma, semicolon, tab, pipe).",
        )
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A profile option, e.g. --set site=Bibliotek (repeatable); "
            "`torg import --list` shows each profile's options.",
        )
        parser.add_argument("--sheet", help="Worksheet of an XLSX file (default: the first).")
        parser.add_argument(
            "--errors",
            type=Path,
            help="Write every problem to this CSV file (UTF-8 with BOM, ';'); "
            "written on every run, with only its header when there is no problem. "
            "An existing file is overwritten only if it is an earlier report.",
        )
        parser.add_argument(
            "--list", action="store_true", help="List the import profiles and exit."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if self.fixed_profile is not None:
            options["profile"] = self.fixed_profile
        if options["list"] or not options["profile"]:
            self.stdout.write("Import profiles:")
            self.stdout.write(iter_profiles_help(all_profiles()))
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
        if delimiter is not None:
            try:
                delimiter = parse_delimiter(delimiter)
            except TableError as error:
                raise CommandError(str(error), returncode=USER_ERROR) from None
        profile_options: dict[str, str] = {}
        for setting in options["set"]:
            name, equals, value = setting.partition("=")
            if not equals or not name.strip():
                raise CommandError(
                    f"--set takes NAME=VALUE, not {setting!r}.", returncode=USER_ERROR
                )
            profile_options[name.strip()] = value.strip()
        profile_options.update(self.profile_options(options))
        report: Path | None = options["errors"]
        if report is not None:
            problem = _report_clash(report, options["file"])
            if problem:
                raise CommandError(problem, returncode=USER_ERROR)
            # Fail before importing, not after, when the report cannot be written; and never
            # leave an earlier run's report behind.
            problem = self._write_report(report, [])
            if problem:
                raise CommandError(problem, returncode=USER_ERROR)
        console = Console(stderr=True)
        # Only a real terminal gets the live bar: rich also draws it when FORCE_COLOR or
        # TTY_COMPATIBLE is set (as on many CI machines), which would fill a log with
        # control codes.
        live = sys.stderr.isatty() and console.is_terminal
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not live,
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
                    options=profile_options,
                    progress=progress,
                )
            except ImportRefused as error:
                if report is not None:
                    name = Path(options["file"]).name
                    self._write_report(report, [Issue(name, None, None, None, str(error))])
                raise CommandError(str(error), returncode=USER_ERROR) from None
            except ImportFailed as error:
                report = report or self._new_report_path(options["profile"])
                problem = self._write_report(report, error.issues)
                where = problem or f"Every problem is listed in {report}."
                raise CommandError(f"{error}\n{where}", returncode=USER_ERROR) from None
            except DatabaseError as error:
                raise CommandError(
                    f"The database could not run the import ({error}); nothing was imported. "
                    "Has `torg migrate` been run?",
                    returncode=USER_ERROR,
                ) from None
            except KeyboardInterrupt:
                raise CommandError("Interrupted; nothing was imported.", returncode=130) from None
        self.stdout.write(result.summary())

    def _new_report_path(self, profile: str) -> Path:
        """A report file in the var folder that no other run writes: named by the time to
        the microsecond and the profile, and created here (another run that picks the
        same name gets ``-2``, ``-3``, …)."""
        folder = Path(settings.VAR_DIR)
        stem = f"import-errors-{timezone.now():%Y%m%dT%H%M%S-%f}-{_SAFE.sub('_', profile)}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return folder / f"{stem}.csv"  # _write_report says why it cannot be written
        for number in range(1, 1000):
            path = folder / (f"{stem}.csv" if number == 1 else f"{stem}-{number}.csv")
            try:
                path.open("x").close()
            except FileExistsError:
                continue
            except OSError:
                pass  # _write_report says why it cannot be written
            return path
        return folder / f"{stem}-{os.getpid()}.csv"  # pragma: no cover

    def _write_report(self, path: Path, issues: Iterable[Issue]) -> str | None:
        """Write ``issues`` as CSV (UTF-8 with BOM and ``;``, as Excel in Norway reads it).
        Returns ``None``, or the reason the file cannot be written."""
        try:
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, delimiter=";")
                writer.writerow(REPORT_HEADER)
                for issue in issues:
                    writer.writerow(
                        [
                            issue.file,
                            "" if issue.row is None else issue.row,
                            issue.column or "",
                            issue.value or "",
                            issue.reason,
                        ]
                    )
        except OSError as error:
            return f"The error report cannot be written to {path}: {error.strerror or error}."
        return None


# How every report this command writes begins (UTF-8 BOM, then the header row).
_REPORT_START = ("\ufeff" + ";".join(REPORT_HEADER)).encode("utf-8")


def _report_clash(report: Path, source: Path) -> str | None:
    """Why ``--errors report`` must not be written, or ``None``: it is the file being
    imported (under any name: a link, a relative path), or an existing file that is no
    report of this command, which the report would overwrite; or its folder does not
    exist (the command creates no folders: a mistyped path would vanish into a new one)."""
    if not report.parent.exists():
        return (
            f"--errors {report}: the folder {report.parent} does not exist; create it, or "
            "name a file in an existing folder."
        )
    try:
        if report.resolve() == source.resolve() or (
            report.exists() and source.exists() and report.samefile(source)
        ):
            return (
                f"--errors {report} is the file being imported; the report would overwrite it. "
                "Name another file for the report."
            )
        if report.is_file() and report.stat().st_size > 0:
            with report.open("rb") as handle:
                start = handle.read(len(_REPORT_START))
            if start != _REPORT_START:
                return (
                    f"--errors {report}: the file exists and is not an error report of torg "
                    "import, so it is not overwritten. Name a new file (or an earlier report)."
                )
    except OSError as error:
        return f"The error report cannot be written to {report}: {error.strerror or error}."
    return None
