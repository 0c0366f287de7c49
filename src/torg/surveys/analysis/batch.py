"""Every statement by every grouping variable in one call: counts, R ``likert`` summaries,
shares who agree with Wilson intervals, and suppression. No Django.

This is what a results page or an export of a large survey needs, and what ``bench/surveys.py``
times against a plain NumPy ``bincount`` of the same counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from torg.surveys.analysis.likert import (
    LevelCounts,
    LikertSummary,
    Proportion,
    check_scale,
    checked_codes,
    counts_by_statement,
    counts_from_row,
    likert_summary,
    share_agree,
)
from torg.surveys.analysis.suppression import DEFAULT_MIN_GROUP, Relation, suppress


@dataclass(frozen=True)
class Grouping:
    """A grouping variable: ``index`` gives each respondent's group number
    ``0 … len(labels) - 1``."""

    labels: Sequence[str]
    index: NDArray[np.integer[Any]]


@dataclass(frozen=True)
class CellResult:
    """One statement in one group; ``summary``/``agree`` are ``None`` when hidden."""

    answered: int
    hidden: bool
    summary: LikertSummary | None
    agree: Proportion | None


@dataclass(frozen=True)
class GroupingResult:
    """``cells[statement][group]`` for one grouping variable, and the raw counts
    ``(statements, groups, n_levels + 2)`` (see :func:`grouped_level_counts`)."""

    counts: NDArray[np.int64]
    cells: list[list[CellResult]]


def analyse(
    answers: ArrayLike,
    n_levels: int,
    groupings: Mapping[str, Grouping],
    k: int = DEFAULT_MIN_GROUP,
    top: int = 2,
) -> dict[str, GroupingResult]:
    """Analyse ``answers`` (``(respondents, statements)`` codes) by each grouping.

    For each grouping and statement the groups are suppressed together with their total
    (the statement's respondents), so no group is left recoverable from the total and its
    siblings (:func:`torg.surveys.analysis.suppression.suppress`).
    """
    check_scale(n_levels)
    codes = checked_codes(answers, n_levels)
    if codes.ndim != 2:
        raise ValueError("answers must be a (respondents, statements) array")
    by_statement = np.ascontiguousarray(codes.T)  # one copy shared by every grouping
    results: dict[str, GroupingResult] = {}
    for name, grouping in groupings.items():
        n_groups = len(grouping.labels)
        index = np.asarray(grouping.index)
        if index.shape != (codes.shape[0],):
            raise ValueError(f"grouping {name}: one group number per respondent is needed")
        if index.size and (index.min() < 0 or index.max() >= n_groups):
            raise ValueError(f"grouping {name}: group numbers must be in 0 … {n_groups - 1}")
        table = counts_by_statement(by_statement, index, n_groups, n_levels)
        answered = table[:, :, 2:].sum(axis=2)
        cells: list[list[CellResult]] = []
        for j in range(table.shape[0]):
            counts_by_cell: dict[Any, int] = {("all",): int(answered[j].sum())}
            counts_by_cell |= {("group", g): int(answered[j, g]) for g in range(n_groups)}
            relation = Relation(("all",), tuple(("group", g) for g in range(n_groups)))
            hidden = suppress(counts_by_cell, [relation], k=k)
            row: list[CellResult] = []
            for g in range(n_groups):
                counts: LevelCounts = counts_from_row(table[j, g])
                if not hidden.shown(("group", g)) or counts.answered == 0:
                    row.append(CellResult(counts.answered, counts.answered > 0, None, None))
                else:
                    row.append(
                        CellResult(
                            counts.answered,
                            False,
                            likert_summary(counts),
                            share_agree(counts, top),
                        )
                    )
            cells.append(row)
        results[name] = GroupingResult(counts=table, cells=cells)
    return results
