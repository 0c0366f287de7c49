"""Counter readings to counts, against the hand-worked example in
``reference/counter_readings.md``, plus a property: halving on the running total never
loses or invents more than half a visit over a run of steps."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from torg.visits.counters import CounterDirection, GapReason, Reading, readings_to_counts

REFERENCE = Path(__file__).parent / "reference" / "counter_readings.csv"
HOUR = dt.timedelta(hours=1)


def _readings() -> list[Reading]:
    with REFERENCE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        Reading(dt.datetime.fromisoformat(row["read_at"]), int(row["value"]))
        for row in csv.DictReader(lines)
    ]


def test_a_bidirectional_counter_gives_the_hand_worked_counts_and_gaps() -> None:
    result = readings_to_counts(
        _readings(), step=HOUR, direction=CounterDirection.BIDIRECTIONAL, modulus=1_000_000
    )
    assert [c.visits for c in result.counts] == [2, 9, 14, 0, 3]
    assert result.visits == 28
    assert [c.rolled_over for c in result.counts] == [False, True, False, False, False]
    assert [(g.start.hour, g.end.hour, g.reason, g.passages) for g in result.gaps] == [
        (10, 12, GapReason.READINGS_MISSING, 61),
        (14, 15, GapReason.RESET, None),
    ]


def test_a_unidirectional_counter_counts_every_passage() -> None:
    result = readings_to_counts(
        _readings(), step=HOUR, direction=CounterDirection.UNIDIRECTIONAL, modulus=1_000_000
    )
    assert [c.visits for c in result.counts] == [5, 18, 27, 1, 5]


def test_without_a_modulus_a_fall_is_a_reset_not_a_rollover() -> None:
    result = readings_to_counts(
        _readings()[:3], step=HOUR, direction=CounterDirection.UNIDIRECTIONAL
    )
    assert [c.visits for c in result.counts] == [5]
    assert [g.reason for g in result.gaps] == [GapReason.RESET]


def test_it_refuses_unsorted_readings_and_values_past_the_modulus() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="reading 2"):
        readings_to_counts(
            [Reading(start, 1), Reading(start, 2)],
            step=HOUR,
            direction=CounterDirection.UNIDIRECTIONAL,
        )
    with pytest.raises(ValueError, match="not below 100"):
        readings_to_counts(
            [Reading(start, 100)],
            step=HOUR,
            direction=CounterDirection.UNIDIRECTIONAL,
            modulus=100,
        )


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_halved_counts_of_a_run_add_up_to_half_its_passages(passages: list[int]) -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    values, modulus = [95], 100
    for step in passages:
        values.append((values[-1] + step) % modulus)
    readings = [Reading(start + i * HOUR, v) for i, v in enumerate(values)]
    result = readings_to_counts(
        readings, step=HOUR, direction=CounterDirection.BIDIRECTIONAL, modulus=modulus
    )
    assert not result.gaps
    assert result.visits == sum(passages) // 2
    assert all(c.visits >= 0 for c in result.counts)
