"""``torg report evaluation --municipality <slug> --from <date> --to <date> --out report.pdf``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from rich.progress import Progress

from torg.evaluation.report import report_build, report_html, report_pdf
from torg.organisation.models import Municipality

USER_ERROR = 2


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise CommandError(
            f"{option} takes a date as YYYY-MM-DD, not {text!r}.", returncode=USER_ERROR
        ) from None


class Command(BaseCommand):
    help = (
        "Write the evaluation report of a municipality for a period: PDF (WeasyPrint) when "
        "--out ends in .pdf, else HTML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", help="Slug of the municipality.")
        parser.add_argument("--from", dest="first", help="First local day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="last", help="Last local day (included), YYYY-MM-DD.")
        parser.add_argument("--out", type=Path, help="The file to write (.pdf or .html).")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the report (default: the installation's).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name, option in (
            ("municipality", "--municipality"),
            ("first", "--from"),
            ("last", "--to"),
            ("out", "--out"),
        ):
            if not options.get(name):
                raise CommandError(
                    f"Missing {option}: torg report evaluation --municipality <slug> "
                    "--from <date> --to <date> --out report.pdf",
                    returncode=USER_ERROR,
                )
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(
                f"There is no municipality {options['municipality']!r}.", returncode=USER_ERROR
            )
        first, last = _day(options["first"], "--from"), _day(options["last"], "--to")
        if last < first:
            raise CommandError("--to comes before --from.", returncode=USER_ERROR)
        out: Path = options["out"]
        if not out.parent.exists():
            raise CommandError(f"The folder {out.parent} does not exist.", returncode=USER_ERROR)
        if out.is_dir():
            raise CommandError(
                f"{out} is a folder; give the file to write, e.g. {out / 'report.pdf'}.",
                returncode=USER_ERROR,
            )
        with (
            translation.override(options["language"]),
            Progress(transient=True, disable=not self.stdout.isatty()) as bar,
        ):
            task = bar.add_task("Evaluation report", total=6)

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, completed=done, description=step)

            report = report_build(municipality, first, last, progress=progress)
            data = (
                report_pdf(report)
                if out.suffix.lower() == ".pdf"
                else report_html(report).encode("utf-8")
            )
            bar.update(task, completed=6, description="written")
        out.write_bytes(data)
        self.stdout.write(
            f"Wrote {out} ({len(data):,} bytes): {len(report.findings)} before/after findings."
        )
