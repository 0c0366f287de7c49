"""Minimum group sizes with complementary suppression.

A *cell* is any published count of respondents: a group in a wave, a parent total (the whole
municipality, all sites of one model), a group pooled over waves. A *relation* says that one
cell is the sum of others (``total = part_1 + … + part_m``): a parent and its children, a
wave total and its groups, a group pooled over waves and its waves. The same relations hold
for the distribution over the levels, so protecting the counts protects the distributions.

**Primary suppression.** A cell with ``0 < n < k`` respondents is hidden (an empty cell, ``0``,
describes nobody and stays shown). ``k`` defaults to :data:`DEFAULT_MIN_GROUP` (5) and is
never below :data:`LOWEST_MIN_GROUP` (3).

**Complementary suppression.** Hiding a cell is not enough when it can be recovered by
subtraction (a parent total minus its shown children, a group pooled over waves minus the
previous wave). Until nothing changes, for every relation:

* if its total is shown and some parts are hidden, the hidden parts must be at least two and
  add up to at least ``k`` (else ``total - shown parts`` reveals one cell, or a set of fewer
  than ``k`` people); otherwise the smallest shown non-empty part is hidden too, and if no
  part is left, the total;
* if its total is hidden, at least one part must be hidden (else the total is their sum).

This is the greedy heuristic of statistical offices (hide the smallest cell that protects;
Cox 1980, *JASA* 75:377–385, "Suppression methodology and statistical disclosure control").
It is not optimal (it may hide more than needed) but it never leaves a cell recoverable
through one relation. :func:`audit` checks a pattern against *all* relations at once with
linear programming (the attacker's best bounds on every hidden cell, cells ≥ 0).

Derived figures follow the cells: a change from the previous wave is shown only when both
waves' cells are shown (:func:`change_shown`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy.linalg import null_space
from scipy.optimize import linprog

#: Default minimum number of respondents for a result to be shown.
DEFAULT_MIN_GROUP = 5
#: No municipality may set the minimum lower than this.
LOWEST_MIN_GROUP = 3


class Reason(StrEnum):
    """Why a cell is hidden."""

    PRIMARY = "primary"
    COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Relation:
    """``total`` is the sum of ``parts`` (cells are any hashable keys)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Suppression:
    """Which cells are hidden and why; ``k`` is the minimum group size used."""

    k: int
    hidden: Mapping[Hashable, Reason]

    def shown(self, cell: Hashable) -> bool:
        return cell not in self.hidden


def check_min_group(k: int) -> int:
    """Return ``k`` if it is an allowed minimum group size, else raise ``ValueError``."""
    if k < LOWEST_MIN_GROUP:
        raise ValueError(f"the minimum group size is never below {LOWEST_MIN_GROUP}, not {k}")
    return k


def suppress(
    counts: Mapping[Any, int],
    relations: Sequence[Relation] = (),
    k: int = DEFAULT_MIN_GROUP,
    *,
    also_hide: Iterable[Hashable] = (),
) -> Suppression:
    """Primary and complementary suppression of ``counts`` (respondents per cell).

    ``also_hide`` names cells to hide from the start whatever their size (as primary
    suppression): cells another table could expose, see :func:`nested_exposures`.
    Every cell named in a relation must be in ``counts`` (``KeyError`` otherwise); negative
    counts raise ``ValueError``. Deterministic: ties are broken by the order of ``counts``.
    """
    check_min_group(k)
    for cell, n in counts.items():
        if n < 0:
            raise ValueError(f"cell {cell!r} has a negative count {n}")
    for relation in relations:
        for cell in (relation.total, *relation.parts):
            if cell not in counts:
                raise KeyError(f"relation names cell {cell!r} that has no count")
    order = {cell: i for i, cell in enumerate(counts)}
    hidden: dict[Hashable, Reason] = {
        cell: Reason.PRIMARY for cell, n in counts.items() if 0 < n < k
    }
    for cell in also_hide:
        if counts.get(cell, 0) > 0:
            hidden[cell] = Reason.PRIMARY

    def hide_smallest(candidates: Iterable[Hashable]) -> bool:
        shown = [c for c in candidates if c not in hidden and counts[c] > 0]
        if not shown:
            return False
        hidden[min(shown, key=lambda c: (counts[c], order[c]))] = Reason.COMPLEMENTARY
        return True

    changed = True
    while changed:
        changed = False
        for relation in relations:
            hidden_parts = [p for p in relation.parts if p in hidden]
            if relation.total in hidden:
                if not hidden_parts and counts[relation.total] > 0:
                    changed |= hide_smallest(relation.parts)
                continue
            if not hidden_parts:
                continue
            if len(hidden_parts) >= 2 and sum(counts[p] for p in hidden_parts) >= k:
                continue
            if not hide_smallest(relation.parts):
                hidden[relation.total] = Reason.COMPLEMENTARY
            changed = True
    return Suppression(k=k, hidden=hidden)


def nested_exposures(
    group_index: np.ndarray,
    groups: int,
    other_indexes: Sequence[tuple[np.ndarray, int]],
    k: int = DEFAULT_MIN_GROUP,
) -> set[int]:
    """The groups of one grouping that another grouping of the same respondents could
    expose by subtraction, to be hidden (``also_hide`` of :func:`suppress`).

    ``group_index[r]`` is respondent ``r``'s group (``0 <= g < groups``) in the grouping
    shown; each ``(index, size)`` of ``other_indexes`` is another grouping a user may
    choose (another background question, the organisational model). Group ``g`` is exposed
    when some other group ``h`` that is large enough to be shown (at least ``k``) lies
    inside it, ``h ⊆ g``, and ``0 < |g| - |h| < k``: showing both would reveal the fewer
    than ``k`` people of ``g`` outside ``h`` (a site of 6 people of whom 5 make up the "library"
    group of the service question exposes the sixth). Applied to every grouping with the
    same rule, the larger group of such a pair is the one hidden, so the pair is never
    shown together. Found by a newcomer trial; complementary suppression inside the grouping
    then protects the hidden group from its siblings.
    """
    exposed: set[int] = set()
    for other_index, other_groups in other_indexes:
        table = np.zeros((groups, other_groups), dtype=np.int64)
        np.add.at(table, (group_index, other_index), 1)
        own = table.sum(axis=1)
        other = table.sum(axis=0)
        inside = (table == other[np.newaxis, :]) & (other[np.newaxis, :] >= k)
        rest = own[:, np.newaxis] - other[np.newaxis, :]
        exposing = inside & (rest > 0) & (rest < k)
        exposed |= set(np.nonzero(exposing.any(axis=1))[0].tolist())
    return exposed


def change_shown(suppression: Suppression, cell: Hashable, previous: Hashable) -> bool:
    """Whether a change from ``previous`` to ``cell`` may be shown (both cells shown)."""
    return suppression.shown(cell) and suppression.shown(previous)


@dataclass(frozen=True)
class Exposure:
    """The attacker's best bounds on one hidden cell given everything shown."""

    cell: Hashable
    lowest: float
    highest: float


def audit(
    counts: Mapping[Any, int], relations: Sequence[Relation], suppression: Suppression
) -> list[Exposure]:
    """Hidden cells whose value an attacker can pin down, or narrow to below ``k``.

    The attacker's bounds come from two linear programmes per cell (minimise and maximise it
    subject to every relation, the shown cells at their values and hidden cells ≥ 0); a
    hidden cell is exposed when they are exact (``highest - lowest < 1``). Returns the exposed
    cells (empty when the pattern is safe).

    Only candidates get the linear programmes: every hidden cell holds at least one person,
    so the true table lies inside the orthant and can move along any direction of the null
    space of the relations; a cell's bounds can be exact only if every null-space direction
    leaves it unchanged (its row of the null-space basis is zero). One singular value
    decomposition finds those cells, so a safe pattern costs no linear programme at all.
    """
    hidden = [c for c in counts if c in suppression.hidden]
    if not hidden:
        return []
    index = {c: i for i, c in enumerate(hidden)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for relation in relations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for sign, cell in [(1.0, relation.total)] + [(-1.0, p) for p in relation.parts]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * counts[cell]
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    if a_eq is None:
        return []
    basis = null_space(a_eq)
    candidates = {cell: i for cell, i in index.items() if not np.any(np.abs(basis[i]) > 1e-9)}
    exposed: list[Exposure] = []
    for cell, i in candidates.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1.0
        bounds = [(0, None)] * len(hidden)
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lowest = float(low.fun) if low.status == 0 else 0.0
        highest = float(-high.fun) if high.status == 0 else float("inf")
        if highest - lowest < 1:
            exposed.append(Exposure(cell, lowest, highest))
    return exposed


def suppress_audited(
    counts: Mapping[Any, int],
    relations: Sequence[Relation],
    k: int = DEFAULT_MIN_GROUP,
    *,
    also_hide: Iterable[Hashable] = (),
) -> Suppression:
    """:func:`suppress`, then :func:`audit` of the pattern against every relation at once;
    while some hidden cell is exposed, one more cell is hidden and both run again.

    The cell added for an exposed cell is the smallest shown non-empty part of a relation
    that names the exposed cell (the first such relation in ``relations`` that has one), or
    that relation's total when no part is left: the next cell the greedy of :func:`suppress`
    would have taken. Terminates, since every round hides one more cell. Needed when the
    relations share hidden cells (a site that is a part both of "all sites" and of its
    organisational model): one relation at a time cannot see what two together reveal.
    Arguments and errors as :func:`suppress`.
    """
    extra = list(also_hide)
    while True:
        pattern = suppress(counts, relations, k, also_hide=extra)
        exposed = audit(counts, relations, pattern)
        if not exposed:
            return pattern
        order = {cell: i for i, cell in enumerate(counts)}
        added = None
        for exposure in exposed:
            for relation in relations:
                if exposure.cell != relation.total and exposure.cell not in relation.parts:
                    continue
                shown = [p for p in relation.parts if pattern.shown(p) and counts[p] > 0]
                if shown:
                    added = min(shown, key=lambda c: (counts[c], order[c]))
                elif pattern.shown(relation.total) and counts[relation.total] > 0:
                    added = relation.total
                if added is not None:
                    break
            if added is not None:
                break
        if added is None:  # pragma: no cover - an exposed cell always has a shown neighbour
            raise RuntimeError(f"internal: cannot protect {exposed[0].cell!r}")
        extra.append(added)


def one_level_relations(parent: Hashable, children: Sequence[Hashable]) -> list[Relation]:
    """``parent = sum(children)``: a municipality and its sites, a wave and its groups."""
    return [Relation(parent, tuple(children))]


def wave_table_relations(
    groups: Sequence[Hashable], waves: Sequence[Hashable]
) -> tuple[list[Relation], list[tuple[Hashable, ...]]]:
    """Relations of a groups × waves table with its margins.

    Cells are ``("cell", group, wave)``, ``("wave", wave)`` (all groups in one wave),
    ``("group", group)`` (one group pooled over the waves) and ``("all",)``. Returns the
    relations and every cell key, so the caller can fill in the counts.
    """
    relations = [Relation(("wave", w), tuple(("cell", g, w) for g in groups)) for w in waves] + [
        Relation(("group", g), tuple(("cell", g, w) for w in waves)) for g in groups
    ]
    relations.append(Relation(("all",), tuple(("wave", w) for w in waves)))
    relations.append(Relation(("all",), tuple(("group", g) for g in groups)))
    cells: list[tuple[Hashable, ...]] = [("cell", g, w) for g in groups for w in waves]
    cells += [("wave", w) for w in waves] + [("group", g) for g in groups] + [("all",)]
    return relations, cells
