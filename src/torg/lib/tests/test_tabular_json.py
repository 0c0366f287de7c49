"""A JSON array of flat objects read as a table (what Open311 GeoReport v2 and other web
APIs return): keys become headers, items become rows numbered from 1, and a missing key is
told apart from a null one."""

from __future__ import annotations

from pathlib import Path

import pytest

from torg.lib.tabular import TableError, read_table


def _table(tmp_path: Path, text: str, name: str = "requests.json") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_keys_become_headers_in_the_order_they_first_appear(tmp_path: Path) -> None:
    table = read_table(
        _table(tmp_path, '[{"id": "a", "n": 1}, {"n": 2.5, "extra": true, "id": "b"}]')
    )
    assert table.headers == ["id", "n", "extra"]
    assert list(table.rows) == [(1, ["a", "1", ""]), (2, ["b", "2.5", "true"])]
    assert (table.row_noun, table.column_noun) == ("item", "key")


def test_a_missing_key_is_told_apart_from_null_and_an_empty_string(tmp_path: Path) -> None:
    table = read_table(
        _table(tmp_path, '[{"a": "x", "b": null, "c": ""}, {"c": "y"}]'), item_noun="request"
    )
    assert list(table.rows) == [(1, ["x", "", ""]), (2, ["", "", "y"])]
    assert table.empty_reason(1, 1) == "is empty"
    assert table.empty_reason(2, 0) == "is missing (the object has no such key)"
    assert table.row_noun == "request"


def test_nested_values_keep_their_json_text_and_a_bom_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes('\ufeff[{"media": ["x"], "name": "Bø"}]'.encode())
    table = read_table(path)
    assert list(table.rows) == [(1, ['["x"]', "Bø"])]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"a": 1}',
            "expected a JSON array of objects, one per item; the file holds a JSON object",
        ),
        ("[]", "the JSON array is empty"),
        ('[{"a": 1}, 2]', "item 2: expected a JSON object, found a number"),
        ('[{"a": 1}', "is not valid JSON"),
        ("   ", "the file is empty"),
    ],
)
def test_a_file_that_is_no_array_of_objects_is_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(TableError, match=message):
        read_table(_table(tmp_path, text))


def test_json_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes('[{"a": "bø"}]'.encode("cp1252"))
    with pytest.raises(TableError, match="not valid UTF-8"):
        read_table(path)
