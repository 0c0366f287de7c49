"""Benchmark of the survey analysis: ``python bench/surveys.py [--respondents N]`` (also run by
``bench/run.py --only surveys``).

1. Generates N respondents (1,000,000 by default) × 40 five-point statements as ``int8`` codes
   (5 % missing, 3 % "don't know") and three grouping variables: site (12 groups, one of them
   small so that suppression has work to do), service (3) and role (4).
2. Times :func:`torg.surveys.analysis.batch.analyse` (counts, R ``likert`` summaries, Wilson
   intervals and suppression, for every statement by every grouping) against a plain NumPy
   baseline computing the same counts: for each grouping and statement, one ``np.bincount``
   of ``group * width + code + 1``. The counts of both are checked to be equal before any
   time is reported.
3. Prints one JSON object: seconds (best of ``--repeat``) and the ratio.

Requirement (issue 5, "Speed"): under 5 s, and no more than 3 × the baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STATEMENTS = 40
LEVELS = 5
GROUPS = {"site": 12, "service": 3, "role": 4}


def generate(respondents: int, seed: int = 5) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    codes = rng.integers(1, LEVELS + 1, size=(respondents, STATEMENTS), dtype=np.int8)
    noise = rng.random((respondents, STATEMENTS), dtype=np.float32)
    codes[noise < 0.05] = 0
    codes[(noise >= 0.05) & (noise < 0.08)] = -1
    groups = {
        name: rng.integers(0, n, size=respondents, dtype=np.int16) for name, n in GROUPS.items()
    }
    groups["site"][: min(3, respondents)] = GROUPS["site"] - 1  # make the last site tiny
    groups["site"][3:][groups["site"][3:] == GROUPS["site"] - 1] = 0
    return codes, groups


def baseline(codes: np.ndarray, groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Plain NumPy: the counts of every grouping × statement × code, one bincount each."""
    width = LEVELS + 2
    by_statement = np.ascontiguousarray(codes.T)
    out = {}
    for name, index in groups.items():
        n = GROUPS[name]
        offsets = index.astype(np.int32) * width + 1
        table = np.empty((STATEMENTS, n * width), dtype=np.int64)
        for j in range(STATEMENTS):
            table[j] = np.bincount(offsets + by_statement[j], minlength=n * width)
        out[name] = table.reshape(STATEMENTS, n, width)
    return out


def best_of(repeat: int, run: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from torg.surveys.analysis.batch import Grouping, analyse

    started = time.perf_counter()
    codes, groups = generate(args.respondents)
    generate_seconds = time.perf_counter() - started
    groupings = {
        name: Grouping(labels=[f"{name} {i}" for i in range(GROUPS[name])], index=index)
        for name, index in groups.items()
    }
    base_seconds, expected = best_of(args.repeat, lambda: baseline(codes, groups))
    torg_seconds, result = best_of(args.repeat, lambda: analyse(codes, LEVELS, groupings))
    for name in GROUPS:
        assert np.array_equal(result[name].counts, expected[name]), name
    hidden_site = result["site"].cells[0][GROUPS["site"] - 1]
    assert hidden_site.hidden, "the tiny site must be suppressed"
    print(
        json.dumps(
            {
                "respondents": args.respondents,
                "statements": STATEMENTS,
                "generate_seconds": generate_seconds,
                "baseline_seconds": base_seconds,
                "torg_seconds": torg_seconds,
                "ratio": torg_seconds / base_seconds,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
