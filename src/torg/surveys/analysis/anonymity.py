"""k-anonymity of a table of respondent rows by local suppression (no Django).

The raw responses of a wave are one row per respondent. Its background answers (site,
service, role, age group, …) are *quasi-identifiers*: alone each is harmless, together they
can single out the one person at site 2 who works in both services as "other". A table is
*k-anonymous* when every combination of quasi-identifier values that occurs in it occurs in
at least ``k`` rows (Sweeney 2002, "k-anonymity: a model for protecting privacy",
*IJUFKS* 10(5):557–570).

:func:`k_anonymise` reaches that by *local suppression*: it replaces some cells by
:data:`SUPPRESSED` (``"*"``), which is a value of its own (a ``*`` matches only ``*``, so a
suppressed cell never counts as the value it hid, and every class the file shows really has
``k`` rows). The method, deterministic for the same rows in the same order:

1. The *rare* rows are those whose combination occurs in fewer than ``k`` rows.
2. For every column that still has a value in some rare row, try suppressing that column in
   every rare row; keep the column that leaves the fewest rows rare, then the one that
   suppresses the fewest cells, then the leftmost. Repeat until no row is rare or the rare
   rows are suppressed in every column. (The attribute-by-attribute greedy of local
   suppression, as in sdcMicro's ``localSuppression``; Templ, Kowarik & Meindl 2015,
   *J. Stat. Softw.* 67(4).)
3. If the rows suppressed in every column are still fewer than ``k``, they are topped up: the
   needed rows are taken (the last in row order) from the largest combination that keeps at
   least ``k`` rows without them; when no combination can spare them, the smallest whole
   combination is suppressed too. Repeated until the fully suppressed rows are at least
   ``k``: at worst every background cell of the file is suppressed, which is k-anonymous
   whenever the file has ``k`` rows.

Missing answers (``""``) are a value like any other: "did not say" is also a trait.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from torg.surveys.analysis.suppression import check_min_group

#: What a suppressed cell holds.
SUPPRESSED = "*"

Combination = tuple[str, ...]


@dataclass(frozen=True)
class KAnonymised:
    """The quasi-identifier cells after suppression, row for row as given; ``suppressed``
    is the number of cells replaced by :data:`SUPPRESSED` and ``columns_suppressed`` the
    columns (by position) that lost at least one cell."""

    rows: list[Combination]
    k: int
    suppressed: int
    columns_suppressed: tuple[int, ...]

    def classes(self) -> Counter[Combination]:
        """Rows per combination (each at least ``k``)."""
        return Counter(self.rows)


def _rare(rows: list[Combination], k: int) -> list[int]:
    counts = Counter(rows)
    return [i for i, row in enumerate(rows) if counts[row] < k]


def _suppress(row: Combination, column: int) -> Combination:
    return (*row[:column], SUPPRESSED, *row[column + 1 :])


def k_anonymise(rows: Sequence[Sequence[str]], k: int) -> KAnonymised:
    """Suppress cells of ``rows`` (one tuple of quasi-identifier values per respondent, all
    of one width) until every combination occurs in at least ``k`` rows (module docstring).

    ``k`` must be an allowed minimum group size (``ValueError`` below 3). Raises
    ``ValueError`` for a non-empty table with fewer than ``k`` rows (no suppression can
    protect it) or rows of different widths. Returns the new rows in the same order.
    """
    check_min_group(k)
    table = [tuple(str(cell) for cell in row) for row in rows]
    if not table:
        return KAnonymised([], k, 0, ())
    width = len(table[0])
    if any(len(row) != width for row in table):
        raise ValueError("every row must have the same number of cells")
    if len(table) < k:
        raise ValueError(f"{len(table)} rows cannot be made {k}-anonymous")
    original = list(table)
    rare = _rare(table, k)
    while rare:
        trials = []
        for column in range(width):
            if all(table[i][column] == SUPPRESSED for i in rare):
                continue
            trial = list(table)
            cells = 0
            for i in rare:
                if trial[i][column] != SUPPRESSED:
                    trial[i] = _suppress(trial[i], column)
                    cells += 1
            trials.append((len(_rare(trial, k)), cells, column, trial))
        if not trials:
            break
        _, _, _, table = min(trials, key=lambda t: t[:3])
        rare = _rare(table, k)
    everything = tuple([SUPPRESSED] * width)
    while 0 < (size := sum(1 for row in table if row == everything)) < k:
        needed = k - size
        counts = Counter(row for row in table if row != everything)
        order = {row: i for i, row in reversed(list(enumerate(table)))}
        donors = [c for c, n in counts.items() if n >= k + needed]
        if donors:
            donor = max(donors, key=lambda c: (counts[c], -order[c]))
            taken = [i for i, row in enumerate(table) if row == donor][-needed:]
        else:
            smallest = min(counts, key=lambda c: (counts[c], order[c]))
            taken = [i for i, row in enumerate(table) if row == smallest]
        for i in taken:
            table[i] = everything
    suppressed = 0
    columns: set[int] = set()
    for before, after in zip(original, table, strict=True):
        for column, (a, b) in enumerate(zip(before, after, strict=True)):
            if a != b:
                suppressed += 1
                columns.add(column)
    return KAnonymised(table, k, suppressed, tuple(sorted(columns)))
