"""Reading the tables people have: every encoding and delimiter the import issue names,
Norwegian and English number formats, header matching and XLSX workbooks."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from torg.lib.tabular import (
    ENGLISH,
    FORMULA_WITHOUT_VALUE,
    MAX_COUNT,
    NORWEGIAN,
    NUMBER_FORMATS,
    PLAIN,
    SPACE_GROUPED,
    NumberFormat,
    TableError,
    binary_kind,
    detect_delimiter,
    detect_encoding,
    find_columns,
    normalise_header,
    parse_delimiter,
    parse_iso_date,
    read_table,
)

NORDIC_TEXT = "kommune;besøk\nÅs;1 234\nBø i Vesterålen;0\nÆrø Ørland;7\n"
NORDIC_ROWS = [(2, ["Ås", "1 234"]), (3, ["Bø i Vesterålen", "0"]), (4, ["Ærø Ørland", "7"])]


def write(tmp_path: Path, data: bytes, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- encodings --------------------------------------------------------------------------

ENCODED = {
    "utf-8": (NORDIC_TEXT.encode("utf-8"), "utf-8"),
    "utf-8 with BOM": (codecs.BOM_UTF8 + NORDIC_TEXT.encode("utf-8"), "utf-8-sig"),
    "utf-16 le with BOM": (codecs.BOM_UTF16_LE + NORDIC_TEXT.encode("utf-16-le"), "utf-16"),
    "utf-16 be with BOM": (codecs.BOM_UTF16_BE + NORDIC_TEXT.encode("utf-16-be"), "utf-16"),
    "utf-16 le without BOM": (NORDIC_TEXT.encode("utf-16-le"), "utf-16-le"),
    "utf-16 be without BOM": (NORDIC_TEXT.encode("utf-16-be"), "utf-16-be"),
    "cp1252 (Excel on Windows)": (NORDIC_TEXT.encode("cp1252"), "cp1252"),
}


@pytest.mark.parametrize("label", list(ENCODED))
def test_every_supported_encoding_round_trips_aeoeaa(tmp_path, label):
    data, codec = ENCODED[label]
    table = read_table(write(tmp_path, data))
    assert table.encoding == codec
    assert table.delimiter == ";"
    assert table.headers == ["kommune", "besøk"]
    assert list(table.rows) == NORDIC_ROWS
    assert table.size_bytes == len(data)


@pytest.mark.parametrize("label", list(ENCODED))
def test_the_detected_encoding_is_named_for_the_raw_bytes(label):
    data, codec = ENCODED[label]
    assert detect_encoding(data) == codec


def test_the_euro_sign_of_cp1252_is_not_mistaken_for_utf_8(tmp_path):
    table = read_table(write(tmp_path, "beløp;valuta\n12;€\n".encode("cp1252")))
    assert list(table.rows) == [(2, ["12", "€"])]


def test_bytes_that_no_supported_encoding_decodes_are_refused(tmp_path):
    # 0x81 is undefined in cp1252 and starts no UTF-8 sequence.
    with pytest.raises(TableError, match="neither UTF-8, UTF-16 nor Windows-1252"):
        read_table(write(tmp_path, b"a;b\n\x81x;1\n"))


def test_an_encoding_override_is_used_instead_of_detection(tmp_path):
    data = "navn;antall\nTromsø;3\n".encode("cp1252")
    with pytest.raises(TableError, match="is not valid utf-8"):
        read_table(write(tmp_path, data), encoding="utf-8")
    assert list(read_table(write(tmp_path, data), encoding="cp1252").rows) == [(2, ["Tromsø", "3"])]


MIXED_HEADER = "site,entrance,period_start,period_end,count\n"
MIXED_ROW = "biblioteca,Hovedinngang sør,2024-03-01 08:00,2024-03-01 09:00,12\n"


def mixed_file() -> tuple[bytes, int]:
    """Row 2 in UTF-8, row 3 the same in Windows-1252; and the offset of row 3's "ø"."""
    head = (MIXED_HEADER + MIXED_ROW).encode("utf-8")
    offset = len(head) + MIXED_ROW.index("ø")
    return head + MIXED_ROW.encode("cp1252"), offset


def test_a_utf_8_file_with_one_windows_1252_byte_is_refused_naming_line_and_byte(tmp_path):
    data, offset = mixed_file()
    assert data[offset] == 0xF8  # "ø" in Windows-1252, no UTF-8
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, data, "mixed.csv"))
    message = str(caught.value)
    assert message.startswith("mixed.csv: The file mixes encodings")
    assert f"line 3 has a byte that is not UTF-8 (byte {offset} of the file, 0xF8)" in message
    assert "Save the file as UTF-8" in message


@pytest.mark.parametrize(
    "utf8_text",
    ["Hovedinngang sør", "Kafé – inngang", "Čáhcesuolu", "€ 12", "Ærø"],
)
def test_any_utf_8_character_beside_a_byte_that_is_not_utf_8_makes_a_file_mixed(utf8_text):
    data = f"a;b\n{utf8_text};1\n".encode() + "Tromsø;2\n".encode("cp1252")
    with pytest.raises(TableError, match="mixes encodings"):
        detect_encoding(data)


def test_windows_1252_punctuation_and_letters_without_utf_8_sequences_stay_windows_1252():
    text = "sted;merknad\nTromsø;«åpent» – 10–16 € ’\nÅS;Ærlig\n"
    assert detect_encoding(text.encode("cp1252")) == "cp1252"


def test_a_mixed_file_can_still_be_read_with_its_encoding_given(tmp_path):
    data, _ = mixed_file()
    rows = list(read_table(write(tmp_path, data), encoding="cp1252").rows)
    assert rows[1][1][1] == "Hovedinngang sør"


def test_an_unsupported_encoding_override_lists_the_supported_ones(tmp_path):
    with pytest.raises(TableError, match="Unsupported encoding 'koi8-r'; use one of utf-8"):
        read_table(write(tmp_path, b"a;b\n1;2\n"), encoding="koi8-r")


# --- delimiters -------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_detected_with_quoted_cells_holding_delimiters_and_line_breaks(
    tmp_path, delimiter
):
    others = "".join(d for d in ",;\t|" if d != delimiter)
    rows = [
        ["site", "note", "count"],
        ["Hovedbiblioteket", f"all of them: {others}{delimiter}", "12"],
        ["Filial Nord", "first line\nsecond line", "3"],
        ["Filial Sør", f'said "hi"{delimiter} then left', "0"],
    ]

    def quote(cell: str) -> str:
        if any(c in cell for c in f'{delimiter}"\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    text = "".join(delimiter.join(quote(c) for c in row) + "\r\n" for row in rows)
    table = read_table(write(tmp_path, text.encode("utf-8")))
    assert table.delimiter == delimiter
    assert table.headers == rows[0]
    # Row numbers are physical lines: the cell with a line break makes row 3 span 3–4.
    assert list(table.rows) == [(2, rows[1]), (3, rows[2]), (5, rows[3])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A decimal comma in every row and a comma in a header cell: still ";".
        ("Besøk, totalt;antall\nA;1,5\nB;2,5\n", ";"),
        ("kommune;andel\nOslo;1,5\nBergen;2,5\nTrondheim;3,5\n", ";"),
        ("a\tb\n1,5\t2,5\n3,5\t4,5\n", "\t"),
        ('a,b,c\n"x;y;z",1,2\n"p;q;r",3,4\n', ","),
        ("a|b\nx, y|1\n", "|"),
        ("a,b,c\n", ","),
        # Excel adds empty cells at the end of some records.
        ("a;b;c\n1;2;3;;\n4;5;6\n", ";"),
    ],
)
def test_the_delimiter_that_gives_regular_records_wins(text, expected):
    assert detect_delimiter(text) == expected


def test_a_one_column_file_reads_as_one_column_even_with_commas_in_cells(tmp_path):
    table = read_table(write(tmp_path, b"name\nSmith, John\nDoe, Jane\n"))
    assert table.headers == ["name"]
    assert list(table.rows) == [(2, ["Smith, John"]), (3, ["Doe, Jane"])]


def test_detection_ignores_a_record_cut_off_at_the_end_of_the_sample():
    header = "a;b;c\n"
    row = "1;2;3\n"
    text = header + row * (70_000 // len(row)) + '"unterminated, with, commas'
    assert detect_delimiter(text) == ";"


def test_a_delimiter_override_is_used_and_one_not_supported_is_refused(tmp_path):
    path = write(tmp_path, b"a;b,c\n1;2,3\n")
    assert read_table(path, delimiter=",").headers == ["a;b", "c"]
    assert read_table(path, delimiter="semicolon").headers == ["a", "b,c"]
    for wrong in (";;", "x", ":", ""):
        with pytest.raises(TableError, match=r"must be one of , ; tab \| \(or their names"):
            read_table(path, delimiter=wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (",", ","),
        ("comma", ","),
        (";", ";"),
        ("Semicolon", ";"),
        ("\t", "\t"),
        ("tab", "\t"),
        ("\\t", "\t"),
        ("|", "|"),
        ("pipe", "|"),
    ],
)
def test_a_delimiter_is_given_by_its_character_or_its_name(text, expected):
    assert parse_delimiter(text) == expected


def test_blank_lines_are_skipped_and_rows_keep_their_line_numbers(tmp_path):
    # An empty line is no row; a row of delimiters (and spaces) is a blank row, which
    # comes without cells so that the importer can count it as skipped.
    table = read_table(write(tmp_path, b"a;b\n\n1;2\n;\n3;4\n ; \n"))
    assert list(table.rows) == [(3, ["1", "2"]), (4, []), (5, ["3", "4"]), (6, [])]


def test_an_unterminated_quote_is_reported_with_its_row(tmp_path):
    table = read_table(write(tmp_path, b'a;b\n1;2\n3;"never closed\n'))
    rows = table.rows
    assert next(rows) == (2, ["1", "2"])
    with pytest.raises(
        TableError,
        match=r"^table.csv, row 3: a quoted cell is never closed \(unexpected end of data\)\.$",
    ):
        next(rows)


def test_a_header_row_that_cannot_be_parsed_is_reported_as_row_1_with_a_full_stop(tmp_path):
    with pytest.raises(
        TableError, match=r"^table.csv, row 1: a quoted cell is never closed .*\)\.$"
    ):
        read_table(write(tmp_path, b'a;"b\n'))


def test_a_quote_inside_a_cell_that_is_not_doubled_is_named_as_such(tmp_path):
    rows = read_table(write(tmp_path, b'a;b\n1;"x"y\n', "quotes.csv"), delimiter=";").rows
    with pytest.raises(
        TableError, match=r"^quotes.csv, row 2: a quote inside a cell is not doubled \(.*\)\.$"
    ):
        next(rows)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "the file is empty"),
        (b" \r\n\n", "blank.csv", "the file is empty"),
        (b"PK\x03\x04rest", "book.csv", "zip file"),
    ],
)
def test_a_file_that_is_no_csv_text_is_refused_with_a_reason(tmp_path, data, name, message):
    with pytest.raises(TableError, match=message):
        read_table(write(tmp_path, data, name))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(TableError, match="no such file"):
        read_table(tmp_path / "absent.csv")


# --- numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number_format", "text", "expected"),
    [
        (SPACE_GROUPED, "275 962", Decimal(275962)),
        (NORWEGIAN, "275 962", Decimal(275962)),
        (NORWEGIAN, "1 234,5", Decimal("1234.5")),
        (NORWEGIAN, "1\u00a0234,5", Decimal("1234.5")),  # no-break space (Excel, nb locale)
        (NORWEGIAN, "1\u202f234\u202f567,25", Decimal("1234567.25")),  # narrow no-break
        (NORWEGIAN, "\u22121 234,5", Decimal("-1234.5")),  # minus sign
        (NORWEGIAN, " -0,5 ", Decimal("-0.5")),
        (NORWEGIAN, "12", Decimal(12)),
        (ENGLISH, "1,234.5", Decimal("1234.5")),
        (ENGLISH, "1,234,567", Decimal(1234567)),
        (ENGLISH, "+7.25", Decimal("7.25")),
        (PLAIN, "3024.0", Decimal("3024.0")),
    ],
)
def test_numbers_parse_in_their_declared_format(number_format, text, expected):
    assert number_format.parse_decimal(text) == expected


@pytest.mark.parametrize(
    ("number_format", "text", "reason"),
    [
        (NORWEGIAN, "1 23", "in the wrong place"),
        (NORWEGIAN, "12 34,5", "in the wrong place"),
        (NORWEGIAN, "1 234 56", "in the wrong place"),
        (NORWEGIAN, "1234 567", "in the wrong place"),
        (NORWEGIAN, "1  234", "in the wrong place"),
        (NORWEGIAN, "1.234,5", "not a number"),  # a dot is no Norwegian separator here
        (NORWEGIAN, "1,234.5", "not a number"),
        (ENGLISH, "1,23.4", "in the wrong place"),
        (ENGLISH, "1 234.5", "not a number"),
        (PLAIN, "1,234", "not a number"),
        (PLAIN, "1 234", "not a number"),
        (NumberFormat("mixed", ".", (",", " ")), "1,234 567", "mixes thousands separators"),
        (NORWEGIAN, "", "not a number"),
        (NORWEGIAN, "-", "not a number"),
        (NORWEGIAN, ",5", "not a number"),
        (NORWEGIAN, "1,", "not a number"),
        (NORWEGIAN, "1e5", "not a number"),
        (NORWEGIAN, "١٢٣", "not a number"),  # Arabic-Indic digits
        (NORWEGIAN, "1,٣", "not a number"),
        (NORWEGIAN, "1,²", "not a number"),
        (NORWEGIAN, "12 kr", "not a number"),
    ],
)
def test_a_badly_written_number_is_refused_with_a_reason(number_format, text, reason):
    with pytest.raises(ValueError, match=reason):
        number_format.parse_decimal(text)


def test_whole_numbers_accept_an_integral_decimal_and_refuse_a_fraction():
    assert NORWEGIAN.parse_int("275 962 ") == 275962
    assert PLAIN.parse_int("3024.0") == 3024
    assert NORWEGIAN.parse_int("3024,0") == 3024
    with pytest.raises(ValueError, match="not a whole number"):
        NORWEGIAN.parse_int("3024,5")
    # A decimal point where the format has a comma is still a decimal, not a whole number.
    with pytest.raises(ValueError, match=r"^not a whole number$"):
        NORWEGIAN.parse_int("3024.0")


@pytest.mark.parametrize("number_format", [NORWEGIAN, ENGLISH, SPACE_GROUPED, PLAIN])
@pytest.mark.parametrize("text", ["1,5", "1.5", " -2,25 ", "0.5"])
def test_a_decimal_in_either_notation_is_not_a_whole_number(number_format, text):
    for parse in (number_format.parse_int, number_format.parse_count):
        with pytest.raises(ValueError, match=r"^not a whole number$"):
            parse(text)


def test_a_count_in_scientific_notation_says_what_is_wrong_without_spelling_it_out():
    for text in ("1e300", "1E+300", "1,5E+20", "9.9e9"):
        with pytest.raises(ValueError) as caught:
            PLAIN.parse_count(text)
        assert str(caught.value) == "is larger than 2,147,483,647, the largest count Torg stores"
    with pytest.raises(ValueError, match="scientific notation"):
        PLAIN.parse_count("1e5")  # small enough, but a spreadsheet may have rounded it


@pytest.mark.parametrize("text", ["TRUE", "FALSE", "true", "SANN"])
def test_a_yes_no_value_is_no_count(text):
    with pytest.raises(ValueError, match=r"^not a number but a yes/no value$"):
        NORWEGIAN.parse_count(text)


SPACES = ["\u0020", "\u00a0", "\u202f", "\u2009"]


def write_number(value: Decimal, number_format: NumberFormat, space: str) -> str:
    """Write ``value`` the way a person using ``number_format`` would, independently of the
    parser: digits grouped in threes from the right with the format's separator."""
    sign = "-" if value < 0 else ""
    digits, _, fraction = f"{abs(value):f}".partition(".")
    if number_format.group:
        separator = space if number_format.group[0] == " " else number_format.group[0]
        groups: list[str] = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        digits = separator.join(groups)
    return sign + digits + (number_format.decimal + fraction if fraction else "")


@given(
    number_format=st.sampled_from(sorted(NUMBER_FORMATS.values(), key=lambda f: f.name)),
    value=st.decimals(
        min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False
    ),
    space=st.sampled_from(SPACES),
)
@example(number_format=NORWEGIAN, value=Decimal("1234.5"), space="\u00a0")
@example(number_format=ENGLISH, value=Decimal("-1000000"), space=" ")
def test_a_number_written_in_a_declared_format_parses_back_to_itself(number_format, value, space):
    text = write_number(value, number_format, space)
    assert number_format.parse_decimal(text) == value
    if value == value.to_integral_value():
        assert number_format.parse_int(text) == int(value)


@given(
    number_format=st.sampled_from([NORWEGIAN, ENGLISH, SPACE_GROUPED]),
    digits=st.integers(min_value=1000, max_value=10**12).map(str),
    data=st.data(),
)
def test_a_thousands_separator_in_the_wrong_place_is_always_refused(number_format, digits, data):
    # Any position whose distance from the right end is not a multiple of three.
    position = data.draw(
        st.sampled_from([p for p in range(1, len(digits)) if (len(digits) - p) % 3 != 0])
    )
    text = digits[:position] + number_format.group[0] + digits[position:]
    with pytest.raises(ValueError):
        number_format.parse_decimal(text)


# --- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Antall deltakere/\ntilskuere ", "antall deltakere/ tilskuere"),
        ("\ufeffKommune", "kommune"),
        ("  BESØK\u00a0 TOTALT\r\n", "besøk totalt"),
        ("Period_Start", "period_start"),
    ],
)
def test_headers_are_compared_without_case_spacing_line_breaks_or_bom(header, expected):
    assert normalise_header(header) == expected


def test_find_columns_maps_wanted_headers_to_positions():
    headers = ["Kommune", "Besøk\ntotalt", "Note", "note"]
    assert find_columns(headers, ["besøk totalt", "kommune", "missing"]) == {
        "besøk totalt": 1,
        "kommune": 0,
    }


def test_a_wanted_header_that_occurs_twice_is_ambiguous():
    with pytest.raises(TableError, match="appears twice"):
        find_columns(["count", "Count "], ["count"])


def test_iso_dates_parse_and_other_forms_are_refused():
    assert parse_iso_date(" 2024-02-29 ") == dt.date(2024, 2, 29)
    for text in ("29.02.2024", "2024-2-29", "2023-02-29"):
        with pytest.raises(ValueError):
            parse_iso_date(text)


# --- workbooks --------------------------------------------------------------------------


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Besøk"
    sheet.append(["Lokasjon", "Periode\nstart", "Dato", "Antall", "Andel", "Tekst"])
    sheet.append(
        [
            "Bø bibliotek",
            dt.datetime(2024, 3, 1, 8, 54),
            dt.date(2024, 3, 1),
            275962,
            1234.5,
            "1 234,5",
        ]
    )
    sheet.append([None] * 6)
    sheet.append(["Ås torg", dt.datetime(2024, 3, 2), dt.date(2024, 3, 2), 0, 1e-7, True])
    other = book.create_sheet("Ærlig talt")
    other.append(["a", "b"])
    other.append(["æ", 3.0])
    path = tmp_path / "besøk.xlsx"
    book.save(path)
    return path


def test_an_xlsx_workbook_made_with_openpyxl_reads_as_text_cells(workbook):
    table = read_table(workbook)
    assert table.sheet == "Besøk"
    assert table.headers == ["Lokasjon", "Periode\nstart", "Dato", "Antall", "Andel", "Tekst"]
    assert list(table.rows) == [
        (2, ["Bø bibliotek", "2024-03-01 08:54:00", "2024-03-01", "275962", "1234.5", "1 234,5"]),
        # Row 3 is empty, a blank row without cells; row numbers stay the spreadsheet's.
        (3, []),
        # A yes/no cell reads as Excel shows it, never as a number.
        (4, ["Ås torg", "2024-03-02", "2024-03-02", "0", "0.0000001", "TRUE"]),
    ]


def test_workbook_numbers_are_written_with_the_declared_decimal_mark(workbook):
    rows = list(read_table(workbook, number_format=NORWEGIAN).rows)
    assert rows[0][1][4] == "1234,5"
    assert NORWEGIAN.parse_decimal(rows[0][1][4]) == Decimal("1234.5")
    assert NORWEGIAN.parse_decimal(rows[2][1][4]) == Decimal("0.0000001")
    assert NORWEGIAN.parse_int(rows[0][1][3]) == 275962


def test_a_named_sheet_is_read_and_an_unknown_one_lists_the_sheets(workbook):
    assert list(read_table(workbook, sheet="Ærlig talt").rows) == [(2, ["æ", "3"])]
    with pytest.raises(
        TableError, match="has no sheet 'Sheet9'; its sheets are: Besøk, Ærlig talt"
    ):
        read_table(workbook, sheet="Sheet9")


def test_a_yes_no_cell_is_refused_by_a_count_column_not_read_as_1(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "count"])
    sheet.append(["Torget", True])
    sheet.append(["Torget", False])
    book.save(tmp_path / "flags.xlsx")
    rows = list(read_table(tmp_path / "flags.xlsx", number_format=NORWEGIAN).rows)
    assert [cells[1] for _, cells in rows] == ["TRUE", "FALSE"]
    for _, cells in rows:
        with pytest.raises(ValueError, match="yes/no"):
            NORWEGIAN.parse_count(cells[1])


def test_a_huge_or_tiny_workbook_number_reads_as_excel_shows_it_not_in_300_digits(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["count"])
    for value in (1e300, -1.5e20, 1e-300, 1e15, 123456789012.0):
        sheet.append([value])
    book.save(tmp_path / "huge.xlsx")
    cells = [cells[0] for _, cells in read_table(tmp_path / "huge.xlsx").rows]
    assert cells == ["1E+300", "-1.5E+20", "1E-300", "1000000000000000", "123456789012"]
    with pytest.raises(ValueError, match="is larger than 2,147,483,647"):
        PLAIN.parse_count(cells[0])


def formula_workbook(tmp_path: Path, *, saved_value: str | None) -> Path:
    """A sheet whose B2 is the formula =1+1: as openpyxl writes it (no saved value, as any
    program but a spreadsheet writes formulas), or with ``saved_value`` as Excel saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["site", "count"])
    sheet.append(["Torget", "=1+1"])
    sheet.append(["Filial", None])
    path = tmp_path / "formula.xlsx"
    book.save(path)
    if saved_value is not None:
        import zipfile

        copy = tmp_path / "saved.xlsx"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    assert b"<f>1+1</f><v />" in data
                    data = data.replace(
                        b"<f>1+1</f><v />", f"<f>1+1</f><v>{saved_value}</v>".encode()
                    )
                target.writestr(item, data)
        path = copy
    return path


def test_a_formula_without_a_saved_value_is_named_as_such_not_as_empty(tmp_path):
    table = read_table(formula_workbook(tmp_path, saved_value=None))
    assert list(table.rows) == [(2, ["Torget", ""]), (3, ["Filial", ""])]
    assert table.empty_reason(2, 1) == FORMULA_WITHOUT_VALUE
    assert "open and save the workbook in Excel" in FORMULA_WITHOUT_VALUE
    assert table.empty_reason(3, 1) == "is empty"
    assert table.empty_reason(2, 0) == "is empty"


def test_a_formula_with_its_saved_value_reads_as_the_value(tmp_path):
    table = read_table(formula_workbook(tmp_path, saved_value="2"))
    assert list(table.rows) == [(2, ["Torget", "2"]), (3, ["Filial", ""])]
    assert table.empty_reason(3, 1) == "is empty"


def test_an_empty_cell_of_a_csv_file_is_just_empty(tmp_path):
    table = read_table(write(tmp_path, b"a;b\n1;\n"))
    assert table.empty_reason(2, 1) == "is empty"


def test_a_damaged_workbook_is_refused(tmp_path):
    path = write(tmp_path, b"PK\x03\x04 not really a workbook", "broken.xlsx")
    with pytest.raises(TableError, match="cannot be read as a workbook"):
        read_table(path)


def test_a_count_is_a_whole_number_of_at_least_zero() -> None:
    assert NORWEGIAN.parse_count("0") == 0
    assert NORWEGIAN.parse_count("1 234") == 1234
    with pytest.raises(ValueError, match="a count cannot be negative"):
        NORWEGIAN.parse_count("-1")
    with pytest.raises(ValueError, match="not a whole number"):
        NORWEGIAN.parse_count("12,5")


def test_a_count_larger_than_the_database_stores_is_refused() -> None:
    assert NORWEGIAN.parse_count("2 147 483 647") == MAX_COUNT == 2_147_483_647
    for text in ("2147483648", "99999999999999999999999", "2 147 483 648"):
        with pytest.raises(ValueError, match="is larger than 2,147,483,647, the largest count"):
            NORWEGIAN.parse_count(text)


def test_iso_dates_outside_the_years_torg_accepts_are_refused():
    assert parse_iso_date("1900-01-01") == dt.date(1900, 1, 1)
    assert parse_iso_date("2100-12-31") == dt.date(2100, 12, 31)
    for text in ("0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"):
        with pytest.raises(ValueError, match=r"is outside the years Torg accepts \(1900–2100\)"):
            parse_iso_date(text)


# --- files that are no table ------------------------------------------------------------


def test_a_folder_is_refused_as_a_folder_not_as_missing(tmp_path):
    with pytest.raises(TableError, match="is a folder, not a file"):
        read_table(tmp_path)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"%PDF-1.4\n%\xe2\xe3", "a PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"SQLite format 3\x00\x10\x00", "an SQLite database"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "an old Office file"),
        # Zero bytes made this look like UTF-16 text without a BOM (the user's "not valid
        # utf-16-le (byte 1330)").
        ((bytes(3) + b"\xd8\x01\x02") * 500, "binary data"),
        (bytes((i * 7919) % 256 for i in range(5000)), "binary data"),
    ],
)
def test_a_binary_file_is_named_for_what_it_is(tmp_path, data, kind):
    assert (binary_kind(data) or "").startswith(kind)
    with pytest.raises(TableError, match=r"is not a text table \(CSV\) or a workbook"):
        read_table(write(tmp_path, data))


@pytest.mark.parametrize("label", list(ENCODED))
def test_text_in_every_supported_encoding_is_not_mistaken_for_binary(label):
    raw, _ = ENCODED[label]
    assert binary_kind(raw) is None
    assert binary_kind(raw * 3000) is None  # longer than the 64 KiB sample


def test_a_stray_control_character_or_a_dos_end_of_file_mark_is_still_text(tmp_path):
    text = b"a;b\n" + b"".join(b"%d;x\n" % i for i in range(200)) + b"7;\x0c\n\x1a"
    assert binary_kind(text) is None
    rows = list(read_table(write(tmp_path, text)).rows)
    assert rows[-1] == (202, ["7", "\x0c"])
