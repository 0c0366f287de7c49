"""What an import reports when something is wrong: problems with cells and rows
(:class:`Issue`), and the exceptions :func:`~torg.imports.framework.run_import` raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem in a source file. ``row`` is the spreadsheet row (header = 1), or for a
    JSON array the item's number in it (from 1); ``row`` and ``column`` are ``None`` for
    problems with the file as a whole. ``row_noun`` and ``column_noun`` name them in the
    message (a JSON file has a "request 3" and a "key 'status'")."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    row_noun: str = "row"
    column_noun: str = "column"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_noun} {self.row}"
        if self.column:
            where += f", {self.column_noun} {self.column!r}"
        value = f" (value {shorten(self.value)!r})" if self.value else ""
        return f"{where}: {self.reason}{value}"


#: How many characters of a value a message shows in the terminal; the error report
#: (``--errors``) keeps values whole.
SHOWN_CHARACTERS = 200


def shorten(text: str, limit: int = SHOWN_CHARACTERS) -> str:
    """``text`` cut to ``limit`` characters, ending with "…" when cut.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ImportRefused(Exception):
    """A user error before any row is read: the message says what would be valid."""


class ImportFailed(Exception):
    """The file has bad rows; nothing was written. ``issues`` lists every bad cell."""

    def __init__(self, issues: Sequence[Issue], rows_read: int) -> None:
        self.issues = list(issues)
        self.rows_read = rows_read
        shown = "\n".join(f"  {issue}" for issue in self.issues[:20])
        more = len(self.issues) - 20
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(self.issues)} problem(s) in {rows_read} row(s); nothing was imported.\n"
            f"{shown}{tail}"
        )


class RowError(ValueError):
    """Raised by :meth:`Profile.build` for a row that cannot become a record."""

    def __init__(self, reason: str, column: str | None = None, value: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.value = value


class MissingRows(Exception):
    """An update-only writer met records whose key is not stored (``keys``)."""

    def __init__(self, keys: Sequence[tuple[Any, ...]]) -> None:
        super().__init__(f"{len(keys)} record(s) have no stored row to update")
        self.keys = list(keys)
