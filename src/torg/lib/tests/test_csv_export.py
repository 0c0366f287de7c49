"""The CSV export format, read back the way a program would (the csv module) and compared
with bytes written out by hand in this file."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from torg.lib.csv_export import (
    COMMA,
    SEMICOLON,
    Cell,
    CsvFormat,
    csv_bytes,
    format_cell,
    format_for_language,
    iter_csv,
)
from torg.lib.localtime import zone

OSLO = zone("Europe/Oslo")
HEADER = ["Lokasjon", "Inngang", "Besøk", "Snitt"]
ROWS: list[list[Cell]] = [
    ["Bibliotek på Ås", "Hovedinngang – sør", 0, Decimal("1234.5")],
    ["Torget Øst; «Ærlig»", 'Dør "B"', 17, 2.25],
]


def read_back(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("delimiter", [SEMICOLON, COMMA])
def test_aeoeaa_round_trips_through_the_csv_module_with_either_delimiter(delimiter):
    fmt = CsvFormat(delimiter=delimiter, decimal_comma=True)
    rows = read_back(csv_bytes(HEADER, ROWS, fmt), delimiter)
    assert rows == [
        HEADER,
        ["Bibliotek på Ås", "Hovedinngang – sør", "0", "1234,5"],
        ["Torget Øst; «Ærlig»", 'Dør "B"', "17", "2,25"],
    ]


def test_the_file_starts_with_a_utf8_byte_order_mark_and_nothing_else_before_the_header():
    data = csv_bytes(["Æ"], [], CsvFormat())
    assert data == b"\xef\xbb\xbf\xc3\x86\r\n"


def test_semicolon_and_decimal_comma_give_exactly_the_bytes_excel_in_norway_expects():
    data = csv_bytes(["a", "b"], [[Decimal("1.50"), 3]], CsvFormat(SEMICOLON, True))
    assert data == b"\xef\xbb\xbfa;b\r\n1,5;3\r\n"


def test_a_decimal_comma_in_a_comma_separated_file_is_quoted_so_the_columns_survive():
    data = csv_bytes(["a", "b"], [[Decimal("1.5"), 3]], CsvFormat(COMMA, True))
    assert data == b'\xef\xbb\xbfa,b\r\n"1,5",3\r\n'
    assert read_back(data, COMMA) == [["a", "b"], ["1,5", "3"]]


def test_a_decimal_point_is_kept_when_the_reader_does_not_use_a_decimal_comma():
    data = csv_bytes(
        ["a"], [[Decimal("1234.5")], [0.1], [Decimal("1E+3")]], CsvFormat(COMMA, False)
    )
    assert read_back(data, COMMA)[1:] == [["1234.5"], ["0.1"], ["1000"]]


def test_zero_is_written_as_0_and_missing_as_an_empty_cell():
    fmt = CsvFormat()
    assert format_cell(0, fmt) == "0"
    assert format_cell(Decimal("0.00"), fmt) == "0"
    assert format_cell(None, fmt) == ""


def test_local_date_times_keep_their_wall_clock_time_and_utc_offset_across_dst():
    fmt = CsvFormat()
    winter = dt.datetime(2024, 3, 31, 1, 30, tzinfo=OSLO)
    summer = dt.datetime(2024, 3, 31, 3, 30, tzinfo=OSLO)
    assert format_cell(winter, fmt) == "2024-03-31T01:30:00+01:00"
    assert format_cell(summer, fmt) == "2024-03-31T03:30:00+02:00"
    assert format_cell(dt.date(2024, 3, 31), fmt) == "2024-03-31"


def test_a_naive_date_time_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="naive"):
        format_cell(dt.datetime(2024, 3, 31, 12, 0), CsvFormat())


def test_booleans_use_the_translated_words():
    fmt = CsvFormat(true_text="ja", false_text="nei")
    assert [format_cell(True, fmt), format_cell(False, fmt)] == ["ja", "nei"]


def test_text_that_would_run_as_a_spreadsheet_formula_is_defused_but_numbers_are_not():
    fmt = CsvFormat()
    assert format_cell("=HYPERLINK(1)", fmt) == "'=HYPERLINK(1)"
    assert format_cell("@SUM(A1)", fmt) == "'@SUM(A1)"
    assert format_cell("-5 besøk", fmt) == "'-5 besøk"
    assert format_cell(-5, fmt) == "-5"


def test_norwegian_readers_get_semicolon_and_decimal_comma_others_comma_and_point():
    assert format_for_language("nb") == CsvFormat(SEMICOLON, True)
    assert format_for_language("nn") == CsvFormat(SEMICOLON, True)
    assert format_for_language("en") == CsvFormat(COMMA, False)
    assert format_for_language("nb", "comma") == CsvFormat(COMMA, True)
    assert format_for_language("en", ";") == CsvFormat(SEMICOLON, False)


def test_any_other_delimiter_is_refused():
    with pytest.raises(ValueError):
        format_for_language("nb", "\t")


def test_rows_are_produced_one_line_at_a_time_so_big_tables_stream():
    produced = 0

    def rows():
        nonlocal produced
        for number in range(1_000_000):
            produced += 1
            yield [number]

    lines = iter_csv(["n"], rows(), CsvFormat())
    assert next(lines) == "\ufeffn\r\n"
    assert next(lines) == "0\r\n"
    assert produced == 1
