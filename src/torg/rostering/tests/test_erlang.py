"""Erlang C against published worked examples and against the factorial form in exact
rational arithmetic (an independent computation of the same formula)."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

from torg.rostering.erlang import (
    average_speed_of_answer,
    erlang_c,
    service_level,
    staff_needed,
)

REFERENCE = json.loads((Path(__file__).parent / "reference" / "erlang_c.json").read_text())
HELPER, FOOTBRIDGE = REFERENCE["examples"]


def exact_erlang_c(servers: int, load: Fraction) -> float:
    """C(N, A) = (A^N/N!·N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N!·N/(N−A)), exactly."""
    top = load**servers / math.factorial(servers) * Fraction(servers) / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return float(top / bottom)


@pytest.mark.parametrize("servers", [11, 14])
def test_the_call_centre_helper_example(servers):
    expected = HELPER["by_servers"][str(servers)]
    args = (HELPER["arrivals_per_hour"], HELPER["handle_seconds"])
    assert erlang_c(servers, 10.0) == pytest.approx(expected["waiting"], abs=5e-5)
    assert service_level(servers, *args, HELPER["target_seconds"]) == pytest.approx(
        expected["service_level"], abs=5e-5
    )
    assert average_speed_of_answer(servers, *args) == pytest.approx(
        expected["asa_seconds"], abs=0.05
    )


def test_fourteen_agents_are_needed_for_eighty_percent_in_twenty_seconds():
    needed = staff_needed(
        HELPER["arrivals_per_hour"],
        HELPER["handle_seconds"],
        HELPER["target_seconds"],
        HELPER["target_share"],
    )
    assert needed == HELPER["staff_needed"]


def test_the_footbridge_example():
    share_late = 1 - service_level(
        2,
        FOOTBRIDGE["arrivals_per_hour"],
        FOOTBRIDGE["handle_seconds"],
        FOOTBRIDGE["target_seconds"],
    )
    assert share_late < FOOTBRIDGE["by_servers"]["2"]["wait_longer_than_target_below"]
    # By hand: C(2, 0.5) = 0.1 and 0.1·exp(−1.5·10/60) = 0.0779.
    assert share_late == pytest.approx(0.1 * math.exp(-0.25), rel=1e-12)


@pytest.mark.parametrize(
    ("servers", "load"),
    [(1, Fraction(1, 2)), (3, Fraction(5, 2)), (20, Fraction(35, 2)), (60, Fraction(50))],
)
def test_the_recursion_agrees_with_the_exact_factorial_form(servers, load):
    assert erlang_c(servers, float(load)) == pytest.approx(exact_erlang_c(servers, load), rel=1e-9)


def test_large_loads_do_not_overflow():
    assert 0 < erlang_c(1200, 1150.0) < 1


def test_an_overloaded_queue_always_waits_and_nobody_arriving_needs_nobody():
    assert erlang_c(5, 5.0) == 1.0
    assert service_level(5, 100, 180, 20) == 0.0
    assert staff_needed(0, 180, 20, 0.8) == 0


def test_bad_targets_are_refused():
    with pytest.raises(ValueError, match="target share"):
        staff_needed(10, 180, 20, 1.2)
