"""Dates and times read naturally in each language: one format name per kind, no pattern
hard-coded in a template (an English page once showed "29. Nov. 2026")."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import formats, translation

import torg

MOMENT = dt.datetime(2026, 11, 29, 14, 5)


@pytest.mark.parametrize(
    ("language", "expected"), [("nb", "29. nov. 2026 14:05"), ("en", "29 Nov 2026, 14:05")]
)
def test_the_datetime_format_of_each_language(language, expected):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == expected


def test_no_template_hard_codes_a_day_month_pattern():
    root = Path(torg.__file__).parent
    pattern = re.compile(r'date:"[^"]*[jd][^"]*[NMF][^"]*"')
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.rglob("*.html")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
