"""England 2023-24 (Arts Council England, Libraries Activity Data): visits per library
authority in library-only buildings against shared buildings. A cross-section of one
year, so a **comparison, not a before/after**. No Django.

``visits.csv`` has ``Authority, Location, Period, Count`` with ``Period`` an ISO 8601
interval (``2023-04-01/P1M``, ``/P3M``, ``/P1Y``). An authority's yearly figure for a kind
of building is the sum of its rows when they cover exactly the twelve months April 2023 to
March 2024; an authority whose rows cover fewer (or more) months for that kind is left out
and counted, never scaled up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from torg.evaluation.methods import CrossSection, cross_section

LIBRARY = "Library"
SHARED = "Shared building"
_PERIOD = re.compile(r"^(\d{4})-(\d{2})-01/P(\d+)([MY])$")


@dataclass(frozen=True)
class EnglandComparison:
    """The cross-section and how many authorities were left out for partial coverage."""

    result: CrossSection
    library_authorities: int
    shared_authorities: int
    partial_left_out: int


def _months(period: str) -> int:
    match = _PERIOD.match(period.strip())
    if not match:
        raise ValueError(f"unreadable period {period!r}")
    number = int(match.group(3))
    return number * 12 if match.group(4) == "Y" else number


def yearly_by_location(path: Path) -> tuple[pd.DataFrame, int]:
    """Rows ``Authority, Location, visits`` for authority–location pairs whose periods add
    up to exactly twelve months, and how many pairs were left out."""
    raw = pd.read_csv(path)
    raw = raw[raw["Location"].isin([LIBRARY, SHARED])].copy()
    raw["months"] = [_months(p) for p in raw["Period"]]
    grouped = raw.groupby(["Authority", "Location"]).agg(
        visits=("Count", "sum"), months=("months", "sum")
    )
    complete = grouped[grouped["months"] == 12].reset_index()
    return complete[["Authority", "Location", "visits"]], int((grouped["months"] != 12).sum())


def england_comparison(path: Path) -> EnglandComparison:
    """Shared buildings against library-only buildings, per authority, 2023-24."""
    frame, partial = yearly_by_location(path)
    library = frame.loc[frame["Location"] == LIBRARY, "visits"].astype(float).tolist()
    shared = frame.loc[frame["Location"] == SHARED, "visits"].astype(float).tolist()
    result = cross_section(library, shared, labels=(LIBRARY, SHARED))
    return EnglandComparison(result, len(library), len(shared), partial)
