"""Import responses exported by other survey tools into a wave: one row per respondent, one
column per item (the layout of LimeSurvey's "responses" export, Nettskjema's and
Questback-style tools' spreadsheets).

* A column belongs to an item when its header is the item's code or its text in bokmål,
  nynorsk or English (compared without regard to case and spacing); other columns (the
  tools' response ids, submit dates, IP addresses) are ignored and listed, never stored.
* A Likert cell is a level number ``1 … n``, one of the item's labels, a "don't know" label,
  or a label of the ``mapping`` table (label → level, e.g. LimeSurvey's ``A1 … A5`` codes or
  another wording: "Svært enig" → 5). A choice cell is a choice code or label; several
  choices are separated by ``|``, ``;`` or ``,``. An empty cell is no answer.
* All or nothing: every bad cell is reported with its row and column, and nothing is written
  unless every row is good. Each row gets a submission key derived from the file's SHA-256
  and its row number, so importing the same file again adds nothing.

Files are read by :func:`torg.lib.tabular.read_table` (CSV in UTF-8 with or without BOM,
UTF-16 or cp1252, ``;`` or ``,``; XLSX; JSON).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from torg.lib.tabular import TableError, normalise_header, read_table
from torg.surveys.analysis import DONT_KNOW
from torg.surveys.models import Item, ItemKind, Wave
from torg.surveys.scales import DONT_KNOW_LABEL, LANGUAGES
from torg.surveys.services import SurveyError, response_submit

#: Namespace of the submission keys of imported rows (uuid5 of file hash and row).
IMPORT_NAMESPACE = uuid.UUID("6f1f3c1e-5b7e-4d8e-9a55-0c1d2b3a4f50")
MAX_REPORTED = 50


class ResponsesImportError(SurveyError):
    """The file cannot be imported; ``problems`` lists every bad cell (row, column, reason)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # header → item code
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def text(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{self.rows} rows: {verb} {self.created}, {self.already_imported} already imported; "
            f"{len(self.columns)} columns matched, ignored: {', '.join(self.ignored_columns) or '-'}"
        )


def read_mapping(path: Path | str) -> dict[str, int]:
    """A label → level table (two columns: label, level; a header row is skipped when its
    second cell is not a number). Raises :class:`ResponsesImportError` naming the row."""
    try:
        table = read_table(path)
    except TableError as error:
        raise ResponsesImportError(f"mapping file: {error}") from error
    mapping: dict[str, int] = {}
    for row_number, cells in [(1, table.headers), *table.rows]:
        if len(cells) < 2 or not cells[0].strip():
            continue
        try:
            mapping[normalise_header(cells[0])] = int(cells[1].strip())
        except ValueError as error:
            if row_number == 1:
                continue  # the header
            raise ResponsesImportError(
                f"mapping file, row {row_number}: level {cells[1]!r} is not a whole number"
            ) from error
    return mapping


def _item_for_header(items: list[Item]) -> dict[str, Item]:
    by_header: dict[str, Item] = {}
    for item in items:
        for text in (item.code, item.text_nb, item.text_nn, item.text_en):
            if text:
                by_header.setdefault(normalise_header(text), item)
    return by_header


def _likert_labels(item: Item, mapping: Mapping[str, int]) -> dict[str, int]:
    labels = {str(level): level for level in range(1, (item.scale_points or 0) + 1)}
    for level, label in enumerate(item.labels, 1):
        for language in LANGUAGES:
            if label.get(language):
                labels[normalise_header(label[language])] = level
    if item.allows_dont_know:
        labels[str(DONT_KNOW)] = DONT_KNOW
        for language in LANGUAGES:
            labels[normalise_header(DONT_KNOW_LABEL[language])] = DONT_KNOW
    return labels | dict(mapping)


def _choice_labels(item: Item) -> dict[str, str]:
    labels: dict[str, str] = {}
    for choice in item.choices:
        code = str(choice["code"])
        labels[normalise_header(code)] = code
        for language in LANGUAGES:
            if choice.get(language):
                labels[normalise_header(str(choice[language]))] = code
    return labels


def _parse(item: Item, text: str, mapping: Mapping[str, int]) -> Any:
    if item.kind == ItemKind.LIKERT:
        level = _likert_labels(item, mapping).get(normalise_header(text))
        if level is None:
            raise ValueError(f"{text!r} is not a level of the scale; add it to the mapping table")
        return level
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.BACKGROUND):
        code = _choice_labels(item).get(normalise_header(text))
        if code is None:
            raise ValueError(f"{text!r} is not one of the choices")
        return code
    if item.kind == ItemKind.MULTIPLE_CHOICE:
        labels = _choice_labels(item)
        codes = []
        for part in re.split(r"[|;,]", text):
            if not part.strip():
                continue
            code = labels.get(normalise_header(part))
            if code is None:
                raise ValueError(f"{part.strip()!r} is not one of the choices")
            codes.append(code)
        return codes
    return text


def responses_import(
    *,
    wave: Wave,
    path: Path | str,
    mapping: Mapping[str, int] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import the rows of ``path`` into ``wave`` (see the module docstring).

    Raises :class:`ResponsesImportError` (nothing written) for an unreadable file, a file
    with no column matching an item, or any bad cell (all of them listed, up to 50).
    """
    path = Path(path)
    try:
        table = read_table(path)
        raw = path.read_bytes()
    except (TableError, OSError) as error:
        raise ResponsesImportError(str(error)) from error
    items = list(wave.own_items())
    by_header = _item_for_header(items)
    summary = ImportSummary(dry_run=dry_run)
    columns: dict[int, Item] = {}
    for index, header in enumerate(table.headers):
        item = by_header.get(normalise_header(header))
        if item is None or item in columns.values():
            summary.ignored_columns.append(header)
        else:
            columns[index] = item
            summary.columns[header] = item.code
    if not columns:
        raise ResponsesImportError(
            "no column matches an item of the wave (by code or text); the headers are: "
            + ", ".join(table.headers)
        )
    normalised_mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    digest = hashlib.sha256(raw).hexdigest()
    problems: list[str] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    try:
        for row_number, cells in table.rows:
            if not cells:
                continue
            answers: dict[str, Any] = {}
            for index, item in columns.items():
                text = cells[index].strip() if index < len(cells) else ""
                if not text:
                    continue
                try:
                    answers[item.code] = _parse(item, text, normalised_mapping)
                except ValueError as error:
                    problems.append(f"row {row_number}, column {table.headers[index]!r}: {error}")
            parsed.append((row_number, answers))
    except TableError as error:
        raise ResponsesImportError(str(error)) from error
    if problems:
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        raise ResponsesImportError(
            f"{len(problems)} bad cells; nothing was imported"
            + (f" (the first {MAX_REPORTED} are listed)" if more else ""),
            shown,
        )
    summary.rows = len(parsed)
    with transaction.atomic():
        for row_number, answers in parsed:
            key = uuid.uuid5(IMPORT_NAMESPACE, f"{wave.public_id}:{digest}:{row_number}")
            try:
                _, created = response_submit(
                    wave=wave, answers=answers, submission_key=key, imported=True
                )
            except SurveyError as error:
                raise ResponsesImportError(f"row {row_number}: {error}") from error
            if created:
                summary.created += 1
            else:
                summary.already_imported += 1
        if dry_run:
            transaction.set_rollback(True)
    return summary
