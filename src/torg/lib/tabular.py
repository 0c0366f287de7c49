"""Reading tables from the files people actually have: CSV in whatever encoding and with
whatever delimiter Excel or a statistics portal produced, XLSX workbooks, and a JSON array
of flat objects (what web APIs such as Open311 GeoReport v2 return).

No Django here. Everything raises :class:`TableError` with a message a user can act on.
A file that is no text at all (an image, a PDF, random bytes) is refused as such, not as
text in the wrong encoding.

Encodings are tried in the order recommended for Nordic spreadsheets: a byte-order mark
decides (UTF-8 with BOM, UTF-16 LE/BE); UTF-16 without a BOM is recognised by its zero
bytes; otherwise strict UTF-8, and if that fails Windows-1252 (what Excel on Windows
writes for "CSV" in Norway). A file that is not UTF-8 but has UTF-8 characters in it (rows
pasted together from two sources) is refused, not read as Windows-1252: that would garble
every UTF-8 row ("sør" → "sÃ¸r"). Delimiters are sniffed among ``,``, ``;``, tab and ``|``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from torg.lib.localtime import parse_iso_day

DELIMITERS = (",", ";", "\t", "|")
# The names a user may give a delimiter by on the command line, where ";" and "|" need quotes.
DELIMITER_NAMES = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "\\t": "\t",
    "pipe": "|",
}
SUPPORTED_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
JSON_SUFFIXES = (".json",)


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


def parse_delimiter(text: str) -> str:
    """The delimiter a user named: one of ``, ; | <tab>`` or its name (``comma``,
    ``semicolon``, ``tab`` or ``\\t``, ``pipe``). Raises :class:`TableError` listing them
    otherwise.

    >>> parse_delimiter("semicolon"), parse_delimiter("tab"), parse_delimiter("|")
    (';', '\\t', '|')
    """
    if text in DELIMITERS:
        return text
    named = DELIMITER_NAMES.get(text.strip().casefold())
    if named is None:
        raise TableError(
            f"The delimiter must be one of , ; tab | (or their names comma, semicolon, tab, "
            f"pipe); not {text!r}."
        )
    return named


# File signatures of things that are not tables, for a message that says what they are.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office files: .xls, .doc
# Bytes that never occur in a CSV file written as UTF-8 or Windows-1252 text.
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# More than this share of control characters at the start means binary data, not text.
_BINARY_SHARE = 0.01


def binary_kind(raw: bytes) -> str | None:
    """What ``raw`` is when it is not text (``"a PNG image"``, ``"binary data"``), else
    ``None``. Text is recognised as :func:`detect_encoding` would decode it: a file is
    binary when more than 1 % of its first 64 KiB are control characters (or, read as
    UTF-16, characters that do not decode), which no spreadsheet writes into a CSV file.
    """
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            return kind
    if raw.startswith(_OLE2):
        return "an old Office file (an .xls workbook? then give it the suffix .xls)"
    head = raw[:65536].rstrip(b"\x1a")  # Ctrl-Z: the end-of-file mark of old DOS programs
    if not head:
        return None
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        len(head) >= 4 and head.count(0) >= len(head) // 4
    )
    if utf16:
        codec = (
            "utf-16"
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            else ("utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be")
        )
        text = head[: len(head) - len(head) % 2].decode(codec, errors="replace")
        strange = len(_CONTROL_CHARS.findall(text))
        return "binary data" if strange > len(text) * _BINARY_SHARE else None
    control = len(head.translate(None, _NOT_CONTROL))
    return "binary data" if control > len(head) * _BINARY_SHARE else None


def detect_encoding(raw: bytes) -> str:
    """Return the Python codec name for ``raw``: ``utf-8-sig``, ``utf-16``, ``utf-16-le``,
    ``utf-16-be``, ``utf-8`` or ``cp1252`` (see the module docstring for the order).

    Raises :class:`TableError` when none of them decodes the bytes.
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        # Text in UTF-16 without a BOM: every other byte of ASCII text is zero.
        even_zeros = head[0::2].count(0)
        odd_zeros = head[1::2].count(0)
        return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        not_utf8 = error.start
    else:
        return "utf-8"
    if _has_utf8_characters(raw):
        line = raw.count(b"\n", 0, not_utf8) + 1
        raise TableError(
            f"The file mixes encodings: it has UTF-8 characters, but line {line} has a byte "
            f"that is not UTF-8 (byte {not_utf8} of the file, 0x{raw[not_utf8]:02X}), as "
            "when rows from a Windows-1252 file are pasted into a UTF-8 file. Save the file "
            'as UTF-8 (in Excel: "CSV UTF-8") and import it again; if it is Windows-1252 '
            "throughout, give the encoding cp1252."
        )
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError(
            f"The file is neither UTF-8, UTF-16 nor Windows-1252 text (byte {error.start})."
        ) from error
    return "cp1252"


def _has_utf8_characters(raw: bytes) -> bool:
    """Whether ``raw`` holds a well-formed UTF-8 sequence of a printable character ("ø" is
    ``C3 B8``, "–" ``E2 80 93``; RFC 3629, which Python's strict decoder follows). Windows-1252
    text has one only by accident: a capital letter with an accent right before a symbol
    such as "’" or "°" ("Ã¸" is no Norwegian). Such a file is refused too, with the way out:
    give its encoding."""
    # Decoding with replacement keeps every well-formed sequence and turns each invalid
    # byte into U+FFFD; what is left beyond ASCII came from UTF-8.
    rest = raw.decode("utf-8", errors="replace").replace("\ufffd", "")
    if rest.isascii():
        return False
    return any(not char.isascii() and char.isprintable() for char in set(rest))


def detect_delimiter(text: str) -> str:
    """Return the delimiter of CSV ``text`` among ``, ; <tab> |``.

    Each candidate splits the first records (up to 50, quoted cells with delimiters and
    line breaks respected); the winner gives the header at least two columns and the most
    records as wide as the header (extra empty cells at the end of a record are allowed,
    as Excel writes them), then the widest header. Ties go to tab, ``;`` and ``|`` before
    ``,``, which is far more common inside cells (a decimal comma, "Oslo, sentrum").
    A file whose header has one column gets the candidate that occurs least in the sample
    (``,`` first), so it reads as one column.

    ``csv.Sniffer`` is not used: it prefers ``,`` when ``;`` and ``,`` are both regular,
    which misreads a Norwegian file with a decimal comma in every row.
    """
    sample = text[:65536]
    truncated = len(text) > len(sample)
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    best: tuple[float, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(_DELIMITER_PREFERENCE):
        records = _sample_records(sample, delimiter, drop_last=truncated)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        data = records[1:]
        regular = sum(
            1
            for cells in data
            if len(cells) == width or (len(cells) > width and not any(cells[width:]))
        )
        share = regular / len(data) if data else 1.0
        score = (share, width, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    if best is None:
        counts = {d: sample.count(d) for d in DELIMITERS}
        chosen = min(counts, key=lambda d: counts[d])
    return chosen


_DELIMITER_PREFERENCE = ("\t", ";", "|", ",")


def _sample_records(sample: str, delimiter: str, *, drop_last: bool) -> list[list[str]]:
    """The first 50 non-blank records of ``sample`` split on ``delimiter`` (lenient)."""
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for cells in reader:
            if cells and any(cells):
                records.append(cells)
                if len(records) > 50:
                    break
    except csv.Error:
        pass
    if drop_last and records and len(records) <= 50:
        records.pop()  # the sample may end inside this record
    return records[:50]


def normalise_header(value: str) -> str:
    """Collapse whitespace (including line breaks inside quoted headers) and case.

    >>> normalise_header("Antall deltakere/\\ntilskuere ")
    'antall deltakere/ tilskuere'
    """
    return " ".join(value.replace("\ufeff", "").split()).casefold()


@dataclass
class Table:
    """A table read from a file: the header cells and an iterator of ``(row_number, cells)``.

    ``row_number`` is what the user sees in a spreadsheet: the header is row 1 in an XLSX
    sheet; in a CSV file it is the physical line on which the record starts (a quoted cell
    with line breaks makes one record span several lines).

    A blank row, whose cells are all empty or spaces (an empty row of a sheet, which Excel
    writes into a CSV file as ``;;;;``), comes with an empty list of cells, so that the
    reader can count it; an empty line of a CSV file is no row at all.
    """

    path: Path
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    size_bytes: int = 0
    # For an XLSX sheet: finds its formula cells that have no saved value, which read as
    # empty. Called once, and only when a required cell is empty.
    find_formulas_without_value: Callable[[], frozenset[tuple[int, int]]] | None = field(
        default=None, repr=False
    )
    _formulas_without_value: frozenset[tuple[int, int]] | None = field(
        default=None, init=False, repr=False
    )
    # What a row and a column are called in messages: a JSON array has items (numbered
    # from 1 in the array's order) and keys, not rows and columns.
    row_noun: str = "row"
    column_noun: str = "column"
    # For a JSON array: the (item, column) cells whose key the object does not have at all,
    # told apart from a key that is present with null or "".
    absent_cells: frozenset[tuple[int, int]] = frozenset()

    def empty_reason(self, row: int, column: int) -> str:
        """Why the cell in spreadsheet ``row`` (header = 1) and 0-based ``column`` reads as
        empty: ``"is empty"``, or :data:`FORMULA_WITHOUT_VALUE` for a formula in a workbook
        that was never calculated (one written by a program, not by Excel), or
        ``"is missing (the object has no such key)"`` for a JSON object without the key."""
        if (row, column) in self.absent_cells:
            return "is missing (the object has no such key)"
        if self.find_formulas_without_value is not None:
            if self._formulas_without_value is None:
                self._formulas_without_value = self.find_formulas_without_value()
            if (row, column) in self._formulas_without_value:
                return FORMULA_WITHOUT_VALUE
        return "is empty"


FORMULA_WITHOUT_VALUE = (
    "is a formula without a saved value; open and save the workbook in Excel "
    "(or LibreOffice), which calculates it"
)


def read_table(
    path: Path | str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    number_format: NumberFormat | None = None,
    item_noun: str = "item",
) -> Table:
    """Open ``path`` as a :class:`Table`: XLSX/XLS/ODS or JSON (:func:`_read_json`, whose
    items are called ``item_noun`` in messages) by suffix, otherwise CSV.

    ``encoding`` and ``delimiter`` override detection for CSV; ``sheet`` picks a worksheet
    (default: the first). ``number_format`` is the format the caller will parse numbers
    with: a workbook's numeric cells are written out as text with its decimal mark (no
    grouping, no exponent), so ``1234.5`` in a cell reaches a Norwegian profile as
    ``"1234,5"``. Raises :class:`TableError` for a missing, empty or unreadable file, and
    while iterating ``rows`` for a CSV record that cannot be parsed.
    """
    path = Path(path)
    check_is_file(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_workbook(path, sheet, number_format.decimal if number_format else ".")
    if path.suffix.lower() in JSON_SUFFIXES:
        return _read_json(path, item_noun)
    if delimiter is not None:
        delimiter = parse_delimiter(delimiter)
    return _read_csv(path, encoding, delimiter)


def check_is_file(path: Path) -> None:
    """Raise :class:`TableError` unless ``path`` is a file: saying it does not exist, or
    that it is a folder."""
    if path.is_file():
        return
    if path.is_dir():
        raise TableError(f"{path} is a folder, not a file; name a CSV or XLSX file in it.")
    if path.exists():
        raise TableError(f"{path} is not a regular file; name a CSV or XLSX file.")
    raise TableError(f"{path}: no such file.")


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> Table:
    raw = path.read_bytes()
    if not raw.strip():
        raise TableError(f"{path.name}: the file is empty.")
    if raw[:4] == b"PK\x03\x04":
        raise TableError(f"{path.name}: this is a zip file (an Excel workbook?), not CSV text.")
    kind = binary_kind(raw)
    if kind is not None:
        raise TableError(
            f"{path.name} is not a text table (CSV) or a workbook (XLSX, XLS, ODS): "
            f"it looks like {kind}."
        )
    if encoding is None:
        try:
            encoding = detect_encoding(raw)
        except TableError as error:
            raise TableError(f"{path.name}: {error}") from error
    elif encoding.lower() not in SUPPORTED_ENCODINGS:
        raise TableError(
            f"Unsupported encoding {encoding!r}; use one of {', '.join(SUPPORTED_ENCODINGS)}."
        )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise TableError(f"{path.name} is not valid {encoding} (byte {error.start}).") from error
    size_bytes = len(raw)
    del raw
    text = text.removeprefix("\ufeff").rstrip("\x1a")  # Ctrl-Z: old DOS programs' end of file
    if delimiter is None:
        delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader)
    except StopIteration:
        raise TableError(f"{path.name}: the file has no header row.") from None
    except csv.Error as error:
        raise TableError(f"{path.name}, row 1: {_csv_reason(error)}.") from error
    return Table(
        path=path,
        headers=headers,
        rows=_csv_rows(path, reader),
        encoding=encoding,
        delimiter=delimiter,
        size_bytes=size_bytes,
    )


def _read_json(path: Path, item_noun: str = "item") -> Table:
    """A JSON array of flat objects as a table (RFC 8259 text: UTF-8, with or without a
    BOM). The headers are the keys in the order they first appear; item ``n`` of the array
    (from 1) is row ``n``. A string is its cell as it is; a number is written as JSON
    writes it (``59.91``), ``true``/``false`` as such; ``null`` is an empty cell, and so is
    a key the object lacks (listed in :attr:`Table.absent_cells`, so that the message says
    it is missing). A nested array or object is its JSON text. Raises :class:`TableError`
    for text that is no JSON, a document that is not an array, an empty array and an item
    that is not an object."""
    raw = path.read_bytes()
    if not raw.strip():
        raise TableError(f"{path.name}: the file is empty.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"{path.name} is not valid UTF-8 (byte {error.start}); JSON is always UTF-8."
        ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise TableError(
            f"{path.name} is not valid JSON: {error.msg} (line {error.lineno}, column "
            f"{error.colno})."
        ) from error
    if not isinstance(document, list):
        raise TableError(
            f"{path.name}: expected a JSON array of objects, one per {item_noun}; "
            f"the file holds a JSON {_json_kind(document)}."
        )
    if not document:
        raise TableError(f"{path.name}: the JSON array is empty; there is nothing to import.")
    headers: dict[str, int] = {}
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise TableError(
                f"{path.name}, {item_noun} {number}: expected a JSON object, found a "
                f"{_json_kind(item)}."
            )
        for key in item:
            headers.setdefault(key, len(headers))
    absent: set[tuple[int, int]] = set()
    rows: list[tuple[int, list[str]]] = []
    for number, item in enumerate(document, start=1):
        cells = [""] * len(headers)
        for key, position in headers.items():
            if key in item:
                cells[position] = _json_cell(item[key])
            else:
                absent.add((number, position))
        rows.append((number, cells))
    return Table(
        path=path,
        headers=list(headers),
        rows=iter(rows),
        encoding="utf-8",
        size_bytes=len(raw),
        row_noun=item_noun,
        column_noun="key",
        absent_cells=frozenset(absent),
    )


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false value"
    return "number"


def _json_cell(value: object) -> str:
    """A JSON value as cell text (see :func:`_read_json`)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _csv_rows(path: Path, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line = getattr(reader, "line_num", 1)
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise TableError(f"{path.name}, row {start}: {_csv_reason(error)}.") from error
        line = reader.line_num  # type: ignore[attr-defined]
        if not cells:
            continue  # an empty line: no row at all
        first = cells[0]
        if (first and not first.isspace()) or not _blank(cells):
            yield start, cells
        else:
            yield start, []  # only delimiters (and spaces): a blank row


# What the csv module's errors mean to someone who made the file in a spreadsheet.
_CSV_REASONS = (
    ("unexpected end of data", "a quoted cell is never closed"),
    ("line contains nul", "the row has a NUL byte, which no text file has"),
    ("expected after", "a quote inside a cell is not doubled"),
    ("field larger than field limit", "a cell is longer than the longest Torg reads"),
)


def _csv_reason(error: csv.Error) -> str:
    """The reason for a record the csv module cannot parse, in the user's terms, followed
    by the module's own words (without a full stop, for the caller to add)."""
    text = str(error).rstrip(".")
    lowered = text.casefold()
    for fragment, reason in _CSV_REASONS:
        if fragment in lowered:
            return f"{reason} ({text})"
    return text


def _blank(cells: list[str]) -> bool:
    """Whether every cell is empty or whitespace."""
    return all(not cell or cell.isspace() for cell in cells)


def _cell_text(value: object, decimal: str = ".") -> str:
    """A workbook cell as the text a profile parses: a yes/no cell as ``TRUE`` or ``FALSE``
    (as Excel shows it, so that no number column takes it for 1 or 0), a number without
    grouping and with ``decimal`` as its mark."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and -1e16 < value < 1e16:
            return str(int(value))
        text = repr(value)  # the shortest text that reads back as the same number
        if "e" in text and not 1e-16 < abs(value) < 1e16:
            # Far beyond any count or amount: as Excel shows it (1E+300), not 300 digits.
            return text.upper().replace(".", decimal)
        # Without an exponent (1e-07 → 0.0000001).
        return format(Decimal(text), "f").replace(".", decimal)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_workbook(path: Path, sheet: str | None, decimal: str = ".") -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types per format
        raise TableError(f"{path.name} cannot be read as a workbook: {error}") from error
    names = list(workbook.sheet_names)
    if not names:
        raise TableError(f"{path.name}: the workbook has no sheets.")
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise TableError(f"{path.name} has no sheet {sheet!r}; its sheets are: {', '.join(names)}.")
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    if not rows:
        raise TableError(f"{path.name}, sheet {sheet!r}: the sheet is empty.")
    headers = [_cell_text(v) for v in rows[0]]

    def iterate() -> Iterator[tuple[int, list[str]]]:
        for index, values in enumerate(rows[1:], start=2):
            cells = [_cell_text(v, decimal) for v in values]
            yield index, [] if _blank(cells) else cells

    table = Table(
        path=path, headers=headers, rows=iterate(), sheet=sheet, size_bytes=path.stat().st_size
    )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table.find_formulas_without_value = lambda: _formulas_without_value(path, sheet)
    return table


_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _parse_xml(
    source: IO[bytes],
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Stream the XML ``source`` through expat, calling ``start(name, attributes)``,
    ``end(name)`` and ``text(data)`` with names without their prefix (``x:c`` → ``c``).
    A document type declaration is refused (``ValueError``): no part of a workbook has
    one, and it is where the entity expansion attacks on XML parsers live."""
    from xml.parsers import expat

    def refuse(*_args: object) -> None:
        raise ValueError("an XML part of the workbook has a document type declaration")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attributes: start(
        name.rpartition(":")[2], {k.rpartition(":")[2]: v for k, v in attributes.items()}
    )
    if end is not None:
        parser.EndElementHandler = lambda name: end(name.rpartition(":")[2])
    if text is not None:
        parser.CharacterDataHandler = text
    parser.ParseFile(source)


def _formulas_without_value(path: Path, sheet: str) -> frozenset[tuple[int, int]]:
    """(spreadsheet row, 0-based column) of each formula cell of ``sheet`` in the XLSX
    workbook ``path`` that has no saved value (``<c><f>…</f></c>`` without a ``<v>``;
    ECMA-376 part 1, 18.3.1.4). calamine reads such a cell as empty and does not say that
    it holds a formula, so the sheet's XML is read again here. Empty when the workbook is
    laid out in a way this does not follow."""
    import zipfile
    from xml.parsers import expat

    targets: dict[str, str] = {}
    relations: dict[str, str] = {}
    found: set[tuple[int, int]] = set()
    cell: dict[str, str | None] = {}

    def relationship(name: str, attributes: dict[str, str]) -> None:
        if name == "Relationship":
            targets[attributes.get("Id", "")] = attributes.get("Target", "")

    def sheet_entry(name: str, attributes: dict[str, str]) -> None:
        if name == "sheet" and attributes.get("name") == sheet:
            relations[sheet] = attributes.get("id", "")

    def cell_start(name: str, attributes: dict[str, str]) -> None:
        if name == "c":
            cell.clear()
            cell.update(ref=attributes.get("r", ""), type=attributes.get("t"))
        elif name == "f":
            cell["formula"] = ""
        elif name == "v":
            cell["value"] = ""
            cell["reading"] = ""

    def cell_text(data: str) -> None:
        if "reading" in cell:
            cell["value"] = (cell.get("value") or "") + data

    def cell_end(name: str) -> None:
        if name == "v":
            cell.pop("reading", None)
        elif name == "c" and "formula" in cell:
            value = cell.get("value")
            # A cached empty text (t="str", <v></v>) is a value; <v/> alone is none.
            if value is None or (not value and cell.get("type") != "str"):
                match = _CELL_REFERENCE.fullmatch(cell.get("ref") or "")
                if match:
                    letters, digits = match.groups()
                    column = 0
                    for letter in letters:
                        column = column * 26 + ord(letter) - ord("A") + 1
                    found.add((int(digits), column - 1))

    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("xl/_rels/workbook.xml.rels") as handle:
                _parse_xml(handle, relationship)
            with archive.open("xl/workbook.xml") as handle:
                _parse_xml(handle, sheet_entry)
            target = targets.get(relations.get(sheet, ""), "")
            if not target:
                return frozenset()
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            with archive.open(part) as handle:
                _parse_xml(handle, cell_start, cell_end, cell_text)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, expat.ExpatError):
        return frozenset()
    return frozenset(found)


# --- numbers ---------------------------------------------------------------------------

_SPACES = (" ", "\u00a0", "\u202f", "\u2009")

# The largest count Torg stores: a PositiveIntegerField, which is a 32-bit signed integer
# in PostgreSQL (and the largest value Django lets every database store in one).
MAX_COUNT = 2_147_483_647


@dataclass(frozen=True)
class NumberFormat:
    """How a file writes numbers. ``decimal`` is the decimal mark; ``group`` the thousands
    separators it may use. Spaces of every kind (normal, no-break, narrow no-break, thin)
    count as one separator when ``" "`` is among them.

    >>> NORWEGIAN.parse_decimal("1 234,5")
    Decimal('1234.5')
    >>> ENGLISH.parse_decimal("1,234.5")
    Decimal('1234.5')
    >>> SPACE_GROUPED.parse_int("275 962 ")
    275962
    """

    name: str
    decimal: str
    group: tuple[str, ...]

    def _clean(self, text: str) -> tuple[str, bool]:
        """Strip, validate grouping, return (plain number text with '.' decimal, negative)."""
        value = text.strip()
        negative = False
        if value.startswith(("-", "\u2212")):
            negative, value = True, value[1:].strip()
        elif value.startswith("+"):
            value = value[1:].strip()
        if not value:
            raise ValueError("not a number")
        groups = self.group
        if " " in groups:
            for space in _SPACES:
                value = value.replace(space, " ")
        integer, sep, fraction = value.partition(self.decimal)
        if sep and not (fraction.isdigit() and fraction.isascii()):
            raise ValueError("not a number")
        used = [g for g in groups if g in integer]
        if len(used) > 1:
            raise ValueError(f"mixes thousands separators {' and '.join(map(repr, used))}")
        if used:
            parts = integer.split(used[0])
            if not all(p.isdigit() and p.isascii() for p in parts if p):
                raise ValueError("not a number")  # "12 kr": not a grouping problem
            if not (
                1 <= len(parts[0]) <= 3
                and all(p.isdigit() for p in parts)
                and all(len(p) == 3 for p in parts[1:])
            ):
                raise ValueError(f"thousands separator {used[0]!r} in the wrong place")
            integer = "".join(parts)
        if not integer.isdigit() or not integer.isascii():
            raise ValueError("not a number")
        return (f"{integer}.{fraction}" if sep else integer), negative

    def parse_decimal(self, text: str) -> Decimal:
        """Parse ``text`` as a decimal number. Raises ``ValueError`` with a reason."""
        plain, negative = self._clean(text)
        try:
            number = Decimal(plain)
        except InvalidOperation as error:
            raise ValueError("not a number") from error
        return -number if negative else number

    def parse_int(self, text: str) -> int:
        """Parse ``text`` as a whole number; ``"3024.0"``-style integral decimals (as written
        by spreadsheets and pandas) are accepted. Raises ``ValueError`` with a reason: "not
        a whole number" for a decimal in either notation (``1,5`` and ``1.5``), whichever
        mark the format has."""
        plain = text.strip()
        if plain.isdigit() and plain.isascii():  # the common case, fast
            return int(plain)
        try:
            number = self.parse_decimal(text)
        except ValueError as error:
            raise ValueError(_not_whole_reason(plain) or str(error)) from None
        if number != number.to_integral_value():
            raise ValueError("not a whole number")
        return int(number)

    def parse_count(self, text: str) -> int:
        """Parse ``text`` as a count: a whole number from 0 (an observation) to
        :data:`MAX_COUNT`. Raises ``ValueError`` with a reason."""
        try:
            value = self.parse_int(text)
        except ValueError:
            if _scientific_above(text, MAX_COUNT):
                raise ValueError(_TOO_LARGE_COUNT) from None
            raise
        if value < 0:
            raise ValueError("a count cannot be negative")
        if value > MAX_COUNT:
            raise ValueError(_TOO_LARGE_COUNT)
        return value


_TOO_LARGE_COUNT = f"is larger than {MAX_COUNT:,}, the largest count Torg stores"
# A decimal in either notation, and a number in scientific notation (as a spreadsheet
# shows a very large one: 1E+300, 1,5E+20).
_DECIMAL_TEXT = re.compile(r"[-+\u2212]?[0-9]+[.,][0-9]+")
_SCIENTIFIC_TEXT = re.compile(r"[-+\u2212]?[0-9]+(?:[.,][0-9]+)?[eE][-+]?[0-9]+")
_YES_NO = frozenset({"TRUE", "FALSE", "SANN", "USANN"})


def _not_whole_reason(plain: str) -> str | None:
    """Why stripped ``plain``, which the number format refused, is no whole number, when
    something better than "not a number" can be said."""
    if _DECIMAL_TEXT.fullmatch(plain):
        return "not a whole number"
    if _SCIENTIFIC_TEXT.fullmatch(plain):
        return "not a whole number written out in digits (it is in scientific notation)"
    if plain.upper() in _YES_NO:
        return "not a number but a yes/no value"
    return None


def _scientific_above(text: str, limit: int) -> bool:
    """Whether ``text`` is a number in scientific notation larger than ``limit``."""
    plain = text.strip()
    if not _SCIENTIFIC_TEXT.fullmatch(plain):
        return False
    try:
        return Decimal(plain.replace(",", ".").replace("\u2212", "-")) > limit
    except InvalidOperation:  # an exponent with more digits than Decimal takes
        return False


NORWEGIAN = NumberFormat("nb", decimal=",", group=(" ",))
ENGLISH = NumberFormat("en", decimal=".", group=(",",))
SPACE_GROUPED = NumberFormat("space-grouped", decimal=".", group=(" ",))
PLAIN = NumberFormat("plain", decimal=".", group=())
NUMBER_FORMATS = {f.name: f for f in (NORWEGIAN, ENGLISH, SPACE_GROUPED, PLAIN)}


def find_columns(headers: Sequence[str], wanted: Sequence[str]) -> dict[str, int]:
    """Map each wanted header (compared with :func:`normalise_header`) to its index.

    Missing headers are simply absent from the result; a header that occurs twice raises
    :class:`TableError`, since a mapping by name would be ambiguous.
    """
    index: dict[str, int] = {}
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        key = normalise_header(header)
        if key in seen and key:
            if key in {normalise_header(w) for w in wanted}:
                raise TableError(f"The column {header.strip()!r} appears twice in the header.")
            continue
        seen[key] = position
    for name in wanted:
        key = normalise_header(name)
        if key in seen:
            index[name] = seen[key]
    return index


def parse_iso_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` of a year Torg accepts; the same as
    :func:`torg.lib.localtime.parse_iso_day` (one wording of date errors everywhere).
    Raises ``ValueError`` with a reason."""
    return parse_iso_day(text)
