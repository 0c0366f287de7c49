"""Numbers on the pages are rounded half up, the way a person rounds by hand, by one helper
(:func:`torg.web.charts.round_half_up`), shares are computed exactly before rounding, and
written by one helper (:func:`torg.web.charts.fmt_percent`) in each language's style."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from torg.web.charts import fmt, fmt_percent, percent, round_half_up


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.75, 1, "0.8"),
        (14.25, 1, "14.3"),
        (0.05, 1, "0.1"),  # stored as 0.05000000000000000277, read as 0.05
        (0.15, 1, "0.2"),  # stored as 0.1499999999999999944, read as 0.15
        (2.5, 0, "3"),
        (3.5, 0, "4"),  # not to the even neighbour (Python's round gives 4 and 2 for 2.5)
        (-0.25, 1, "-0.3"),  # a half away from zero
        (Decimal("99.95"), 1, "100.0"),
        (7, 0, "7"),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert round_half_up(value, decimals) == Decimal(expected)


def test_shares_of_alessandrias_inquiries_are_rounded_not_cut_off():
    # By hand: 36 / 4651 = 0.007740… → 0.774… % → 0.8 %; 664 / 4651 = 0.142765… → 14.3 %;
    # 3951 / 4651 = 0.849494… → 84.9 %. Cutting the digits off gave 0.7 and 14.2.
    assert percent(36, 4651) == Decimal("0.8")
    assert percent(664, 4651) == Decimal("14.3")
    assert percent(3951, 4651) == Decimal("84.9")
    assert percent(4651, 4651) == Decimal("100.0")
    assert percent(0, 0) is None


def test_fmt_rounds_half_up_in_either_language():
    with translation.override("en"):
        assert fmt(100 * 36 / 4651, 1) == "0.8"
        assert fmt(1234.55, 1) == "1,234.6"
        assert fmt(2.5) == "3"
        assert fmt(None) == "–"
    with translation.override("nb"):
        assert fmt(100 * 664 / 4651, 1) == "14,3"
        assert fmt(1234.55, 1) == "1\xa0234,6"


def test_a_share_is_written_without_a_space_in_english_and_with_a_no_break_space_in_bokmal():
    # English style: "99.2%"; Språkrådet: "99,2 %" with a space that never breaks, so that
    # "(100,0" and "%)" never end up on two lines.
    with translation.override("en"):
        assert fmt_percent(Decimal("99.2")) == "99.2%"
        assert fmt_percent(100, 0) == "100%"
        assert fmt_percent(percent(3951, 4651)) == "84.9%"
        assert fmt_percent(None) == "–"
    with translation.override("nb"):
        assert fmt_percent(Decimal("99.2")) == "99,2\xa0%"
        assert fmt_percent(Decimal("100.0")) == "100,0\xa0%"
        assert fmt_percent(1234.5) == "1\xa0234,5\xa0%"
