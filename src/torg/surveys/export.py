"""Exports of a wave: results as XLSX (one sheet per section) and the raw anonymous responses
as CSV (for analysts).

Both read :func:`torg.surveys.selectors.wave_results` / the wave's own rows, so suppression
is the same as on the page: a hidden group has no figures in the workbook either.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from torg.lib.csv_export import Cell
from torg.surveys.analysis.anonymity import k_anonymise
from torg.surveys.models import ItemKind, Wave
from torg.surveys.selectors import GroupResult, WaveResults, free_texts

#: Excel refuses sheet names longer than 31 characters or with these characters.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(title: str, used: set[str]) -> str:
    base = title.translate(_SHEET_FORBIDDEN).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:25]} ({n})"
        n += 1
    used.add(name.lower())
    return name


def _number(value: float | None, decimals: int = 1) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(value, decimals)


def _row(label: str, group: str, result: GroupResult, points: int) -> list[Any]:
    if result.hidden or result.summary is None or result.agree is None:
        note = _("hidden (too few answers)") if result.hidden else _("no answers")
        return [label, group, None, note]
    summary, agree = result.summary, result.agree
    return [
        label,
        group,
        summary.answered,
        summary.dont_know,
        *[_number(p) for p in summary.percent],
        *[None] * (points - len(summary.percent)),
        _number(summary.low),
        _number(summary.neutral),
        _number(summary.high),
        _number(summary.mean, 2),
        _number(summary.sd, 3),
        _number(agree.share * 100),
        _number(agree.ci_low * 100),
        _number(agree.ci_high * 100),
    ]


def results_xlsx(results: WaveResults) -> bytes:
    """The workbook: a sheet "About" (wave, respondents, threshold, definitions) and one sheet
    per section that has statements, one row per statement (and per group when grouped).
    Percentages are 0–100 over those who answered with a level, as R ``likert`` reports them."""
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = _("About")
    wave = results.wave
    for row in (
        [wave.survey.title],
        [_("Wave"), wave.number],
        [_("Period"), wave.period],
        [_("Respondents"), None if results.hidden_respondents else results.respondents],
        [_("Minimum group size"), results.min_group],
        [
            _("Percentages"),
            _(
                "of those who answered the statement with a level; “don't know” and blank "
                "answers are not in the denominator"
            ),
        ],
        [_("Levels that count as agreeing"), wave.survey.agree_levels],
        [_("Interval of the share who agree"), _("Wilson score interval, 95 %")],
    ):
        about.append(row)
    about["A1"].font = Font(bold=True)
    used: set[str] = {about.title.lower()}
    points = max((len(s.labels) for s in results.statements), default=5)
    by_section: dict[int, list[Any]] = {}
    for statement in results.statements:
        by_section.setdefault(statement.item.section_id, []).append(statement)
    for statements in by_section.values():
        sheet: Worksheet = book.create_sheet(_sheet_name(statements[0].item.section.title, used))
        labels = statements[0].labels
        header = [
            _("Statement"), _("Group"), _("Answered"), _("Don't know"),
            *[f"{label} (%)" for label in labels], *[""] * (points - len(labels)),
            _("Low (%)"), _("Neutral (%)"), _("High (%)"), _("Mean"), _("Standard deviation"),
            _("Agree (%)"), _("Agree, lower bound (%)"), _("Agree, upper bound (%)"),
        ]  # fmt: skip
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for statement in statements:
            sheet.append(_row(statement.item.text, _("All"), statement.overall, points))
            for group in statement.groups:
                label = group.label or _("Not stated")
                sheet.append(_row(statement.item.text, label, group, points))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class RawExport:
    """The raw anonymous responses as the analysts' CSV shows them: ``header`` (item codes;
    a background column that lost cells says so, :func:`suppressed_header`), ``rows`` and
    ``k``; ``suppressed`` counts the background cells replaced by ``*``; ``free_text`` says
    whether free-text answers are in it."""

    header: list[str]
    rows: list[list[Cell]]
    k: int
    suppressed: int
    free_text: bool


def suppressed_header(code: str, k: int) -> str:
    """The header of a background column in which some cells are replaced by ``*``."""
    return _("%(code)s [* = hidden: fewer than %(k)s respondents share the combination]") % {
        "code": code,
        "k": k,
    }


def raw_export(wave: Wave) -> RawExport:
    """One row per response, one column per item code (section and position order): Likert
    levels as numbers (-1 "don't know"), choices as codes (several joined by ``|``), free
    text as text, no answer empty. Rows come in the order of the responses' random keys,
    never the order of submission.

    The background columns (quasi-identifiers) are made k-anonymous with the survey's
    minimum group size (:func:`torg.surveys.analysis.anonymity.k_anonymise`): a cell
    replaced by ``*`` hides a value, and every combination of background cells in the file
    occurs in at least ``k`` rows. Free-text answers are in the file only when the results
    page shows them (:func:`torg.surveys.selectors.free_texts`: at least the free-text
    threshold of respondents); otherwise the free-text columns are empty. Raises
    ``ValueError`` for a wave with fewer than ``k`` responses (the view refuses it before).
    """
    items = list(wave.own_items().order_by("section__position", "position"))
    column = {item.pk: i for i, item in enumerate(items)}
    with_free_text = free_texts(wave) is not None
    rows: dict[Any, list[Cell]] = {}
    for response_id in wave.own_responses().order_by("pk").values_list("pk", flat=True):
        rows[response_id] = [None] * len(items)
    answers = wave.own_answers().values_list(
        "response_id", "item_id", "item__kind", "level", "choice", "choices", "text"
    )
    for response_id, item_id, kind, level, choice, choices, text in answers:
        if response_id not in rows or item_id not in column:
            continue
        value: Cell
        if kind == ItemKind.LIKERT:
            value = level
        elif kind == ItemKind.MULTIPLE_CHOICE:
            value = "|".join(choices or [])
        elif kind == ItemKind.FREE_TEXT:
            if not with_free_text:
                continue
            value = text
        else:
            value = choice
        rows[response_id][column[item_id]] = value
    table = list(rows.values())
    background = [i for i, item in enumerate(items) if item.kind == ItemKind.BACKGROUND]
    k = wave.survey.min_group
    header = [item.code for item in items]
    if not table or not background:
        return RawExport(header, table, k, 0, with_free_text)
    protected = k_anonymise([[str(row[i] or "") for i in background] for row in table], k)
    for row, cells in zip(table, protected.rows, strict=True):
        for i, cell in zip(background, cells, strict=True):
            row[i] = cell or None
    for position in protected.columns_suppressed:
        header[background[position]] = suppressed_header(header[background[position]], k)
    return RawExport(header, table, k, protected.suppressed, with_free_text)
