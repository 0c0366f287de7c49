"""Survey results by wave for the evaluation: per Likert statement, the share who agree in
each wave of a survey, side by side, so that a change can be read against the waves before
and after it.

The figures are :func:`torg.surveys.selectors.wave_results`' overall results, so the
survey's suppression rules hold here as on the survey pages: a statement answered by fewer
than the survey's minimum group in a wave is shown as suppressed, never as a number, and an
anonymous wave shows nothing until it has closed
(:func:`~torg.surveys.selectors.results_available`). A statement is one row across waves
while each wave's copy stays comparable with the previous one (``Item.comparable_to`` and
``comparable``); a statement whose wording changed starts a new row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from torg.organisation.scoping import Scope, scoped
from torg.surveys.analysis.likert import Proportion
from torg.surveys.models import ItemKind, Survey, Wave, WaveStatus
from torg.surveys.selectors import results_available, site_item, wave_results


class CellState(StrEnum):
    SHOWN = "shown"
    SUPPRESSED = "suppressed"  # fewer answers than the survey's minimum group
    NO_ANSWERS = "no_answers"
    NOT_ASKED = "not_asked"  # the statement was not in this wave (or not comparable)
    UNAVAILABLE = "unavailable"  # an anonymous wave that has not closed


CELL_STATE_LABELS = {
    CellState.SUPPRESSED: _("suppressed (too few answers)"),
    CellState.NO_ANSWERS: _("no answers"),
    CellState.NOT_ASKED: _("not asked"),
    CellState.UNAVAILABLE: _("shown once the wave has closed"),
}


@dataclass(frozen=True)
class WaveCell:
    """One statement in one wave: ``agree`` (count of ``n`` answering on the scale, with a
    Wilson 95 % interval) when ``state`` is shown; ``answered`` only when shown."""

    state: CellState
    agree: Proportion | None = None

    @property
    def label(self) -> str:
        return str(CELL_STATE_LABELS.get(self.state, ""))


@dataclass(frozen=True)
class StatementRow:
    code: str
    text: str
    cells: tuple[WaveCell, ...]


@dataclass(frozen=True)
class SurveyWaves:
    """One survey: its waves in order and a row per statement with a cell per wave."""

    survey: Survey
    waves: tuple[Wave, ...]
    rows: tuple[StatementRow, ...] = field(default_factory=tuple)

    def side(self, wave: Wave, change: dt.date) -> str:
        """``"before"`` when ``wave`` ended before ``change``, ``"after"`` when it started on
        or after it, ``"during"`` otherwise."""
        if wave.ends_on < change:
            return "before"
        if wave.starts_on >= change:
            return "after"
        return "during"


def survey_waves(scope: Scope) -> list[SurveyWaves]:
    """Every survey of ``scope`` that has a wave past its draft, with the share who agree
    per statement and wave (see the module). Surveys in order of title, waves by number."""
    out = []
    surveys = scoped(Survey, scope).order_by("pk")
    for survey in surveys:
        waves = tuple(
            scoped(Wave, scope)
            .filter(survey=survey)
            .exclude(status=WaveStatus.DRAFT)
            .order_by("number")
        )
        if not waves:
            continue
        row_of: dict[int, int] = {}  # item id -> row index
        rows: list[tuple[str, str, dict[int, WaveCell]]] = []
        for index, wave in enumerate(waves):
            available = results_available(wave)
            results = wave_results(wave) if available else None
            items = (
                [statement.item for statement in results.statements]
                if results
                else list(wave.own_items().filter(kind=ItemKind.LIKERT))
            )
            by_item = {s.item.pk: s for s in results.statements} if results else {}
            for item in items:
                previous = item.comparable_to_id if item.comparable else None
                if previous is not None and previous in row_of:
                    row = row_of[previous]
                else:
                    rows.append((item.code, item.text, {}))
                    row = len(rows) - 1
                row_of[item.pk] = row
                statement = by_item.get(item.pk)
                if statement is None:
                    cell = WaveCell(CellState.UNAVAILABLE)
                elif statement.overall.hidden:
                    cell = WaveCell(CellState.SUPPRESSED)
                elif statement.overall.agree is None:
                    cell = WaveCell(CellState.NO_ANSWERS)
                else:
                    cell = WaveCell(CellState.SHOWN, statement.overall.agree)
                rows[row][2][index] = cell
        out.append(
            SurveyWaves(
                survey=survey,
                waves=waves,
                rows=tuple(
                    StatementRow(
                        code,
                        text,
                        tuple(
                            cells.get(i, WaveCell(CellState.NOT_ASKED)) for i in range(len(waves))
                        ),
                    )
                    for code, text, cells in rows
                ),
            )
        )
    return sorted(out, key=lambda s: str(s.survey))


@dataclass(frozen=True)
class ModelCell:
    """One organisational model's answers to one statement: ``answered`` on the scale and
    the share who agree, or ``None`` when the group is suppressed or nobody answered."""

    answered: int
    hidden: bool
    agree: Proportion | None


@dataclass(frozen=True)
class SurveyByModel:
    """The latest wave of a survey whose results may be shown, by the organisational model
    of each respondent's site on the wave's first day (the survey pages' grouping):
    ``models`` are the groups in order ((value, label); "" for no site or no model), and a
    row per statement ``(text, cells)`` with a cell per group."""

    survey: Survey
    wave: Wave
    models: tuple[tuple[str, str], ...]
    rows: tuple[tuple[str, tuple[ModelCell, ...]], ...]


def survey_by_model(scope: Scope) -> list[SurveyByModel]:
    """For every survey of ``scope``, its latest wave with results available
    (:func:`~torg.surveys.selectors.results_available`) by organisational model, through
    :func:`~torg.surveys.selectors.wave_results` with ``by_model``: the survey's minimum
    group and its protection against subtraction hold. Surveys whose waves have no site
    question are left out (no respondent has a model)."""
    out = []
    for survey in scoped(Survey, scope).order_by("pk"):
        waves = (
            scoped(Wave, scope)
            .filter(survey=survey)
            .exclude(status=WaveStatus.DRAFT)
            .order_by("-number")
        )
        wave = next((w for w in waves if results_available(w) and site_item(w)), None)
        if wave is None:
            continue
        results = wave_results(wave, by_model=True)
        if not results.statements:
            continue
        first = results.statements[0].groups
        models = tuple((group.key, group.label or str(_("No model recorded"))) for group in first)
        rows = tuple(
            (
                statement.item.text,
                tuple(ModelCell(g.answered, g.hidden, g.agree) for g in statement.groups),
            )
            for statement in results.statements
        )
        out.append(SurveyByModel(survey, wave, models, rows))
    return sorted(out, key=lambda s: str(s.survey))
