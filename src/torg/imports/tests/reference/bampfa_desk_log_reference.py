"""Computes ``bampfa_desk_log.json`` from the BAMPFA film library's desk log
(``../shared/data/reference-desk-transactions/libstats_2020.csv``, not shipped) with the
standard library only (csv and string splitting), independently of Torg's import code.

Run ``python src/torg/imports/tests/reference/bampfa_desk_log_reference.py <path to
libstats_2020.csv> > .../bampfa_desk_log.json``; ``test_profile_bampfa`` checks that the
stored JSON is what this script computes when the file is there.

Counts of ``interaction source`` and ``successful interaction?`` as written, rows with
``Date if not today`` filled, and rows per calendar month and per day of the contact: the
``Date if not today`` when given, else the ``Timestamp``'s date (month/day/year; local time
at the film library, so no time zone arithmetic is needed).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _iso(us_date: str) -> str:
    """``1/6/2020`` → ``2020-01-06``."""
    month, day, year = us_date.strip().split("/")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def compute(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    days = [_iso(r["Date if not today"] or r["Timestamp"].split()[0]) for r in rows]
    first = rows[0]
    first_without = next(r for r in rows if not r["Date if not today"].strip())
    return {
        "_source": "../shared/data/reference-desk-transactions/libstats_2020.csv (not "
        "shipped: terms not stated)",
        "_method": "bampfa_desk_log_reference.py beside this file: Python's csv.DictReader "
        "and plain string splitting of the M/D/YYYY dates, no Torg code. Counts of "
        "'interaction source' and 'successful interaction?', rows with 'Date if not today' "
        "filled, and rows per calendar month and per day of contact (the 'Date if not "
        "today' when given, else the Timestamp's date).",
        "rows": len(rows),
        "by_source": dict(Counter(r["interaction source"] for r in rows)),
        "by_success": dict(Counter(r["successful interaction?"] for r in rows)),
        "date_given": sum(1 for r in rows if r["Date if not today"].strip()),
        "by_month_of_day": dict(sorted(Counter(day[:7] for day in days).items())),
        "by_day_of_contact": dict(sorted(Counter(days).items())),
        "first_row": {
            "timestamp": first["Timestamp"],
            "date_if_not_today": first["Date if not today"],
        },
        "first_row_without_date": {
            "timestamp": first_without["Timestamp"],
            "source": first_without["interaction source"],
        },
    }


if __name__ == "__main__":
    json.dump(compute(Path(sys.argv[1])), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
