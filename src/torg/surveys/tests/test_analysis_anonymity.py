"""k-anonymity by local suppression, against small tables worked out by hand."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from torg.surveys.analysis.anonymity import SUPPRESSED, k_anonymise

S = SUPPRESSED


def test_a_table_that_is_already_k_anonymous_is_left_as_it_is():
    rows = [("1", "lib")] * 3 + [("2", "cs")] * 4
    result = k_anonymise(rows, 3)
    assert result.rows == rows
    assert (result.suppressed, result.columns_suppressed) == (0, ())


def test_the_column_that_merges_the_rare_rows_is_the_one_suppressed():
    # By hand, k = 3. (2, lib, staff) ×2 and (2, cs, staff) ×1 are rare (3 rows).
    # Suppressing site in them gives (*, lib, staff) ×2 and (*, cs, staff) ×1: 3 rows rare.
    # Suppressing service gives (2, *, staff) ×3: no row rare, 3 cells. Suppressing role gives
    # (2, lib, *) ×2 and (2, cs, *) ×1: 3 rare. So service goes, in those three rows only.
    rows = (
        [("1", "lib", "staff")] * 3
        + [("1", "cs", "staff")] * 3
        + [("2", "lib", "staff")] * 2
        + [("2", "cs", "staff")]
    )
    result = k_anonymise(rows, 3)
    assert (
        result.rows
        == [("1", "lib", "staff")] * 3 + [("1", "cs", "staff")] * 3 + [("2", S, "staff")] * 3
    )
    assert (result.suppressed, result.columns_suppressed) == (3, (1,))


def test_a_lone_respondent_is_pooled_with_a_whole_small_combination_when_nothing_else_works():
    # By hand, k = 3: as above plus (3, both, other) ×1. Step 2 suppresses service in the
    # four rare rows (leaves 1 rare: (3, *, other)), then site and role of that row (ties go
    # to the leftmost column): (*, *, *) ×1. No combination has 3 + 2 rows to spare, so the
    # smallest whole one, the first of the three with 3 rows, (1, lib, staff), is suppressed.
    rows = (
        [("1", "lib", "staff")] * 3
        + [("1", "cs", "staff")] * 3
        + [("2", "lib", "staff")] * 2
        + [("2", "cs", "staff")]
        + [("3", "both", "other")]
    )
    result = k_anonymise(rows, 3)
    assert result.rows == (
        [(S, S, S)] * 3 + [("1", "cs", "staff")] * 3 + [("2", S, "staff")] * 3 + [(S, S, S)]
    )
    assert result.suppressed == 3 * 3 + 3 + 3
    assert result.columns_suppressed == (0, 1, 2)


def test_the_fully_suppressed_rows_are_topped_up_from_a_large_combination():
    # k = 3: (9, x) is alone; suppressing either column leaves it alone, so it ends (*, *)
    # with 1 row; (1, a) ×6 can give 2 rows and keep 4, so its last two rows are taken.
    rows = [("1", "a")] * 6 + [("2", "b")] * 3 + [("9", "x")]
    result = k_anonymise(rows, 3)
    assert result.rows == [("1", "a")] * 4 + [(S, S)] * 2 + [("2", "b")] * 3 + [(S, S)]
    assert Counter(result.rows) == {("1", "a"): 4, (S, S): 3, ("2", "b"): 3}


def test_a_missing_answer_is_a_value_of_its_own():
    rows = [("1", "")] * 3 + [("1", "lib")] * 3
    assert k_anonymise(rows, 3).rows == rows


@pytest.mark.parametrize("seed", range(30))
def test_every_combination_of_any_table_occurs_at_least_k_times(seed):
    rng = random.Random(seed)
    k = rng.choice([3, 5, 7])
    n = rng.randint(k, 80)
    width = rng.randint(1, 4)
    rows = [tuple(str(rng.randint(0, rng.randint(1, 5))) for _ in range(width)) for _ in range(n)]
    result = k_anonymise(rows, k)
    assert len(result.rows) == n
    assert min(result.classes().values()) >= k
    # Only suppression: a cell is either what it was or "*".
    for before, after in zip(rows, result.rows, strict=True):
        assert all(b == a or a == S for b, a in zip(before, after, strict=True))
    # Deterministic.
    assert k_anonymise(rows, k) == result


def test_too_few_rows_or_a_low_k_are_refused():
    with pytest.raises(ValueError, match="cannot be made 5-anonymous"):
        k_anonymise([("1",)] * 4, 5)
    with pytest.raises(ValueError, match="never below 3"):
        k_anonymise([("1",)] * 4, 2)
    assert k_anonymise([], 5).rows == []
