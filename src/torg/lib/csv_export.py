"""CSV files that open correctly in Excel and LibreOffice in Norway and elsewhere.

No Django. The caller decides the header (already translated), the rows and the
:class:`CsvFormat`; this module turns them into text, one line at a time, so that a big
table can be streamed.

What the format guarantees (see LESSONS.md, "Excel"):

- UTF-8 with a byte-order mark, so that Excel recognises æøå instead of guessing cp1252.
- A choice of delimiter: ``;`` (what Excel expects where the decimal separator is a comma,
  as in Norway) or ``,``.
- Decimal numbers with a decimal comma when the reader's language writes them so
  (``1234,5``); never a thousands separator, which spreadsheets would read as text.
- Dates as ISO 8601 (``2024-03-31``) and date-times as ISO 8601 with their UTC offset
  (``2024-03-31T03:00:00+02:00``): the caller passes aware date-times already converted
  to the site's local time, so the wall-clock time and the offset are both in the cell.
- Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return) is prefixed with an apostrophe, as recommended by OWASP
  ("CSV Injection"). Numbers are never touched, so negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

BOM = "\ufeff"
SEMICOLON = ";"
COMMA = ","
DELIMITERS = {"semicolon": SEMICOLON, "comma": COMMA}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | dt.date | dt.datetime | bool | None


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written.

    ``delimiter`` is ``;`` or ``,``; ``decimal_comma`` writes ``1234,5`` instead of
    ``1234.5``; ``true_text``/``false_text`` are how booleans read (already translated);
    ``empty_text`` is what ``None`` becomes (the empty string by default: an empty cell is
    what spreadsheets understand as "no value", distinct from ``0``).
    """

    delimiter: str = SEMICOLON
    decimal_comma: bool = True
    true_text: str = "yes"
    false_text: str = "no"
    empty_text: str = ""

    def __post_init__(self) -> None:
        if self.delimiter not in (SEMICOLON, COMMA):
            raise ValueError(f"delimiter must be ';' or ',', not {self.delimiter!r}")


def format_for_language(language: str | None, delimiter: str | None = None) -> CsvFormat:
    """The default format for a reader of ``language`` (a code such as ``nb``, ``en-gb``).

    Norwegian (``nb``, ``nn``, ``no``) gets ``;`` and a decimal comma; other languages get
    ``,`` and a decimal point. ``delimiter`` (``;`` or ``,``, or the names ``semicolon`` and
    ``comma``) overrides the delimiter but not the decimal mark. Raises ``ValueError`` for
    any other delimiter.
    """
    norwegian = (language or "").lower().split("-")[0] in {"nb", "nn", "no"}
    chosen = DELIMITERS.get(delimiter or "", delimiter) or (SEMICOLON if norwegian else COMMA)
    return CsvFormat(delimiter=chosen, decimal_comma=norwegian)


def format_cell(value: Cell, fmt: CsvFormat) -> str:
    """One value as the text of a CSV cell (before quoting, which the csv module does).

    ``None`` → ``fmt.empty_text``; ``bool`` → ``fmt.true_text``/``fmt.false_text``; ``int``
    as digits; ``float`` and ``Decimal`` with ``fmt``'s decimal mark and no thousands
    separator; ``datetime`` (must be aware) as ISO 8601 to the second with its UTC offset;
    ``date`` as ``YYYY-MM-DD``; text as is, apostrophe-prefixed when it would start a
    formula. Raises ``ValueError`` for a naive ``datetime`` (its meaning would be a guess).
    """
    if value is None:
        return fmt.empty_text
    if isinstance(value, bool):
        return fmt.true_text if value else fmt.false_text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = _plain_number(value)
        return text.replace(".", ",") if fmt.decimal_comma else text
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive date-time {value!r}: convert it to the site's zone first")
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _plain_number(value: float | Decimal) -> str:
    """Digits with a point and no exponent: ``1e-05`` would not read as a number."""
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value} cannot be written to a spreadsheet")
        value = Decimal(repr(value))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _Line:
    """A file-like sink for :func:`csv.writer` that hands back what was written."""

    def write(self, text: str) -> str:
        return text


def iter_csv(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], fmt: CsvFormat
) -> Iterator[str]:
    """Yield the CSV file as text chunks: the BOM and header line first, then one line per
    row (``\\r\\n`` line ends, as RFC 4180 and Excel expect). Nothing is buffered, so a
    table of any size streams in constant memory. Encode each chunk as UTF-8.
    """
    writer = csv.writer(_Line(), delimiter=fmt.delimiter, lineterminator="\r\n")
    yield BOM + writer.writerow([_header_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([format_cell(value, fmt) for value in row])


def _header_cell(name: str) -> str:
    return "'" + name if name.startswith(FORMULA_PREFIXES) else name


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], fmt: CsvFormat) -> bytes:
    """The whole CSV file as UTF-8 bytes with a BOM (for small tables and tests)."""
    return "".join(iter_csv(header, rows, fmt)).encode("utf-8")
