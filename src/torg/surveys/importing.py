"""Import responses exported by other survey tools into a wave: one row per respondent, one
column per item (the layout of LimeSurvey's "responses" export, Nettskjema's and
Questback-style tools' spreadsheets), as the import framework's profile
``survey-responses`` (:class:`SurveyResponsesProfile`; ``torg import survey-responses <file>
--municipality <slug> --wave <id> [--mapping labels.csv] [--dry-run]``).

* A column belongs to an item when its header is the item's code or its text in bokmål,
  nynorsk or English (compared without regard to case and spacing); other columns (the
  tools' response ids, submit dates, IP addresses) are ignored and listed, never stored.
* A Likert cell is a level number ``1 … n``, one of the item's labels, a "don't know" label,
  or a label of the ``mapping`` table (label → level, e.g. LimeSurvey's ``A1 … A5`` codes or
  another wording: "Svært enig" → 5). A choice cell is a choice code or label; several
  choices are separated by ``|``, ``;`` or ``,``. An empty cell is no answer.
* The framework (:func:`torg.imports.framework.run_import`) gives what every import has:
  encoding and delimiter detection (CSV in UTF-8 with or without BOM, UTF-16 or cp1252,
  ``;``, ``,``, tab; XLSX; JSON), every bad cell reported with its row and column, all or
  nothing, an :class:`~torg.imports.models.ImportBatch` record, ``--dry-run``, and a file
  already imported into the municipality is skipped. Each row also gets a submission key
  derived from the wave and the tool's response id (a column ``id``, "Svar-ID",
  "Response ID", …), or without one from the file's SHA-256 and its row number, so
  importing the same file again (even with ``--force``), or a later export of the same
  survey with more rows, adds only what the wave does not have.
* Each row is stored through :func:`torg.surveys.services.response_submit`, as a response
  from the form would be (free text cleaned of personal data, nothing about the respondent).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from torg.imports.framework import (
    Column,
    ImportFailed,
    ImportRefused,
    ImportRun,
    Profile,
    ProgressCallback,
    Record,
    RowError,
    UpsertWriter,
    file_sha256,
    run_import,
)
from torg.lib.tabular import TableError, normalise_header, read_table
from torg.organisation.models import Municipality
from torg.organisation.scoping import scoped
from torg.surveys import services
from torg.surveys.analysis import DONT_KNOW
from torg.surveys.models import Item, ItemKind, Response, Wave
from torg.surveys.scales import DONT_KNOW_LABEL, LANGUAGES
from torg.surveys.services import SurveyError, clean_answer, response_submit

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
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False

    def text(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{self.rows} rows: {verb} {self.created}, {self.already_imported} already imported; "
            f"ignored columns: {', '.join(self.ignored_columns) or '-'}"
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


def _parse(item: Item, text: str, *, mapping: Mapping[str, int]) -> Any:
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


#: The field of the source tool's response id: it only names the row for re-imports and
#: is never stored (it is hashed into the submission key with the wave's id).
SOURCE_ID = "_source_response_id"
#: Headers of a response id in the tools' exports (LimeSurvey ``id``, Nettskjema
#: "Svar-ID"/"Innsendings-ID", Questback-style "Respondent ID"/"Response ID").
SOURCE_ID_HEADERS = (
    "response id",
    "responseid",
    "respondent id",
    "svar-id",
    "svar id",
    "innsendings-id",
    "innsendingsid",
    "submission id",
)


class SurveyResponsesProfile(Profile):
    """The framework profile of responses from other survey tools (module docstring). Its
    columns are the items of the wave named by the ``wave`` option, so they are made in
    :meth:`configure`."""

    name = "survey-responses"
    title = gettext_noop("Survey responses from LimeSurvey, Nettskjema or Questback-style exports")
    source = "one row per respondent, one column per item (code or text)"
    options: ClassVar[dict[str, str]] = {
        "wave": "id of the wave the responses belong to (required)",
        "mapping": "CSV or XLSX of answer label;level for labels that are not the scale's",
    }
    columns: tuple[Column, ...] = ()

    def configure(self, municipality: Municipality | None, options: dict[str, Any]) -> None:
        wave_id = str(options.get("wave") or "").strip()
        if not wave_id:
            raise ImportRefused(f"The profile {self.name} needs the wave: --wave <id>.")
        municipality_id = municipality.pk if municipality else None
        wave = (
            scoped(Wave, municipality).filter(pk=int(wave_id)).first()
            if municipality is not None and wave_id.isdigit()
            else None
        )
        if wave is None or wave.municipality_id != municipality_id:
            slug = municipality.slug if municipality else "?"
            raise ImportRefused(f"Municipality {slug} has no wave {wave_id}.")
        if services.sealed(wave):
            raise ImportRefused(f"Wave {wave.pk}: {services.SEALED_MESSAGE}")
        self.wave = wave
        given = options.get("mapping")
        try:
            # A path from the command line, or the table itself from Python.
            mapping = given if isinstance(given, Mapping) else read_mapping(given) if given else {}
        except ResponsesImportError as error:
            raise ImportRefused(str(error)) from error
        normalised = {normalise_header(k): v for k, v in mapping.items()}
        self.items = {item.code: item for item in wave.own_items()}
        self.columns = (
            *(
                Column(
                    header=item.code,
                    field=item.code,
                    parse=partial(_parse, item, mapping=normalised),
                    allow_empty=True,
                    optional=True,
                    aliases=tuple(
                        text
                        for text in dict.fromkeys((item.text_nb, item.text_nn, item.text_en))
                        if text and normalise_header(text) != normalise_header(item.code)
                    ),
                )
                for item in self.items.values()
            ),
            Column(
                header="id",
                field=SOURCE_ID,
                parse=str.strip,
                allow_empty=True,
                optional=True,
                aliases=SOURCE_ID_HEADERS,
            ),
        )

    def begin(self, run: ImportRun) -> None:
        if not run.fields - {SOURCE_ID}:
            raise ImportRefused(
                f"{run.file_name}: no column matches an item of the wave (by code or text)."
            )
        self.digest = file_sha256(run.path)

    def build(self, values: dict[str, Any], row: int, run: ImportRun) -> Record:
        source_id = values.pop(SOURCE_ID, None)
        answers = {code: value for code, value in values.items() if value not in (None, [])}
        for code, value in answers.items():
            try:
                clean_answer(self.items[code], value)
            except SurveyError as error:
                raise RowError(str(error), column=run.header(code, code)) from error
        return {
            "municipality_id": self.wave.municipality_id,
            "wave_id": self.wave.pk,
            # The tool's response id makes a later, longer export of the same survey add
            # only its new rows; without one, the file and row number do.
            "submission_key": uuid.uuid5(
                IMPORT_NAMESPACE,
                f"{self.wave.public_id}:id:{source_id}"
                if source_id
                else f"{self.wave.public_id}:{self.digest}:{row}",
            ),
            "answers": answers,
        }

    def writer(self) -> UpsertWriter:
        return _ResponseWriter(self.wave)

    def describe_key(self, key: tuple[Any, ...]) -> str:
        return "the same response"


class _ResponseWriter(UpsertWriter):
    """Stores each record through :func:`response_submit` (idempotent on its submission
    key): created, or unchanged when the wave has it already."""

    def __init__(self, wave: Wave) -> None:
        super().__init__(Response, ("wave_id", "submission_key"))
        self.wave = wave

    def write(
        self,
        records: Sequence[Record],
        *,
        scope: Mapping[str, Any] | None = None,
        progress: ProgressCallback | None = None,
    ) -> tuple[int, int, int]:
        created = 0
        for done, record in enumerate(records, 1):
            _, new = response_submit(
                wave=self.wave,
                answers=record["answers"],
                submission_key=record["submission_key"],
                imported=True,
            )
            created += new
            if progress and done % self.CHUNK == 0:
                progress("write", done, len(records))
        return created, 0, len(records) - created


def responses_import(
    *,
    wave: Wave,
    path: Path | str,
    mapping: Mapping[str, int] | Path | str | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import the rows of ``path`` into ``wave`` through the framework (module docstring),
    row by row even when the file was imported before (the submission keys make that add
    nothing). Raises :class:`ResponsesImportError` (nothing written) for a refused file
    (unreadable, no column matching an item, a bad mapping file) or bad cells, each listed
    as ``row <n>, column '<header>': <reason>`` (up to :data:`MAX_REPORTED`)."""
    options: dict[str, Any] = {"wave": str(wave.pk)}
    if mapping is not None:
        options["mapping"] = mapping if isinstance(mapping, Mapping) else str(mapping)
    try:
        result = run_import(
            SurveyResponsesProfile.name,
            path,
            municipality=wave.municipality.slug,
            dry_run=dry_run,
            force=True,
            options=options,
        )
    except ImportRefused as error:
        raise ResponsesImportError(str(error)) from error
    except ImportFailed as error:
        problems = [
            f"row {issue.row}, column {issue.column!r}: {issue.reason}"
            if issue.column
            else f"row {issue.row}: {issue.reason}"
            for issue in error.issues
        ]
        shown = problems[:MAX_REPORTED]
        more = len(problems) - len(shown)
        raise ResponsesImportError(
            f"{len(problems)} bad cells; nothing was imported"
            + (f" (the first {MAX_REPORTED} are listed)" if more else ""),
            shown,
        ) from error
    return ImportSummary(
        rows=result.rows_read,
        created=result.created,
        already_imported=result.unchanged,
        ignored_columns=result.ignored_columns,
        dry_run=dry_run,
    )
