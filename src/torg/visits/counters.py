"""Cumulative door-counter readings turned into visit counts (no Django).

A door counter shows a meter value that only grows: every passage adds one, and after
``modulus - 1`` it rolls over to 0 (a six-digit display has ``modulus = 1_000_000``). A
*bidirectional* counter counts everybody going in **and** out, so visits are half of its
passages; a *unidirectional* counter counts entries only.

Rules (the same as in the counter vendors' manuals and the UK library data schema's note
"physical visits = footfall in, or half of in+out"):

* The passages between two consecutive readings are ``value - previous``, or, when the
  value went down and a ``modulus`` is known, ``value + modulus - previous`` (one
  rollover). Without a modulus, or when a rollover would mean more than
  ``max_passages_per_step`` passages, a fall is a **reset** (the meter was replaced or
  cleared): the step is a gap.
* Consecutive readings exactly ``step`` apart give one count for ``[previous, current)``.
  Readings further apart give a :class:`Gap` covering the whole interval, with the
  passages it held: the hours inside are *missing*, never spread out or filled.
* Halving is done on the running total, ``floor(cum_i / 2) - floor(cum_{i-1} / 2)``, so
  that the counts of any run of consecutive steps add up to half the passages of the run
  (rounded down) rather than drifting by half a visit per step.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class CounterDirection(StrEnum):
    BIDIRECTIONAL = "bidirectional"  # in + out: visits are half the passages
    UNIDIRECTIONAL = "unidirectional"  # entries only


@dataclass(frozen=True)
class Reading:
    """One meter value read at an aware instant."""

    read_at: dt.datetime
    value: int


@dataclass(frozen=True)
class StepCount:
    """Visits in ``[start, end)`` from two consecutive readings ``step`` apart."""

    start: dt.datetime
    end: dt.datetime
    visits: int
    passages: int
    rolled_over: bool = False


class GapReason(StrEnum):
    READINGS_MISSING = "readings_missing"  # readings further apart than one step
    RESET = "reset"  # the meter went down without a plausible rollover
    IRREGULAR = "irregular"  # readings closer than one step, or unordered


@dataclass(frozen=True)
class Gap:
    """No count for ``[start, end)``. ``passages`` is what the meter moved over the gap
    (``None`` after a reset, when it is unknown); it is reported, never distributed."""

    start: dt.datetime
    end: dt.datetime
    reason: GapReason
    passages: int | None


@dataclass(frozen=True)
class Conversion:
    counts: tuple[StepCount, ...]
    gaps: tuple[Gap, ...]

    @property
    def visits(self) -> int:
        return sum(c.visits for c in self.counts)


def readings_to_counts(
    readings: Sequence[Reading],
    *,
    step: dt.timedelta,
    direction: CounterDirection,
    modulus: int | None = None,
    max_passages_per_step: int | None = None,
) -> Conversion:
    """Convert ``readings`` (one counter, sorted by ``read_at``; aware instants) into
    one :class:`StepCount` per pair of consecutive readings ``step`` apart and a
    :class:`Gap` for every other pair.

    ``modulus`` is the meter's rollover value (``None``: it never rolls over, a fall is a
    reset). ``max_passages_per_step`` bounds what one step may plausibly hold; a rollover
    that would exceed it is judged a reset (default: half the modulus).

    Raises ``ValueError`` for a negative value, a value not below ``modulus``, two
    readings at the same instant, unsorted readings or a non-positive ``step``.
    """
    if step <= dt.timedelta(0):
        raise ValueError("the step must be positive")
    limit = max_passages_per_step
    if limit is None and modulus is not None:
        limit = modulus // 2
    for index, reading in enumerate(readings):
        if reading.value < 0:
            raise ValueError(f"reading {index + 1}: the meter value is negative")
        if modulus is not None and reading.value >= modulus:
            raise ValueError(f"reading {index + 1}: the meter value is not below {modulus}")
        if index and reading.read_at <= readings[index - 1].read_at:
            raise ValueError(f"reading {index + 1}: not after the reading before it")
    halve = direction is CounterDirection.BIDIRECTIONAL
    counts: list[StepCount] = []
    gaps: list[Gap] = []
    cumulative = 0  # unwrapped passages since the last reset or gap
    for previous, current in itertools.pairwise(readings):
        rolled = current.value < previous.value
        if not rolled:
            passages: int | None = current.value - previous.value
        elif modulus is not None and current.value + modulus - previous.value <= (limit or 0):
            passages = current.value + modulus - previous.value
        else:
            passages = None
        elapsed = current.read_at - previous.read_at
        if passages is None or elapsed != step:
            reason = (
                GapReason.RESET
                if passages is None
                else GapReason.READINGS_MISSING
                if elapsed > step
                else GapReason.IRREGULAR
            )
            gaps.append(Gap(previous.read_at, current.read_at, reason, passages))
            cumulative = 0
            continue
        before = cumulative
        cumulative += passages
        visits = cumulative // 2 - before // 2 if halve else passages
        counts.append(StepCount(previous.read_at, current.read_at, visits, passages, rolled))
    return Conversion(counts=tuple(counts), gaps=tuple(gaps))
