"""Computes ``desk_log.json`` from the sample desk logs in ``../data`` with the standard
library only (csv, re, datetime), independently of Torg's import code: the figures the
desk-log profile's tests check the import against.

Run ``python src/torg/imports/tests/reference/desk_log_reference.py > .../desk_log.json``
after changing a sample; ``test_profile_desk_log`` also checks that the stored JSON is what
this script computes.

Every count is by the cell text as written (stripped; the channel, outcome and location in
lower case), so that the test states in its own words which text should become which
channel, service or outcome. Days are the local calendar days written in the files
(timestamps there are local time at the site, so no time zone arithmetic is needed).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"


def _us_day(text: str) -> str:
    """``3/28/2024 9:05:12 AM`` → ``2024-03-28``."""
    month, day, year = text.split()[0].split("/")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _no_day(text: str) -> str:
    """``28.03.2024`` → ``2024-03-28``."""
    day, month, year = text.split(".")
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def libanswers() -> dict[str, Any]:
    with (DATA / "desk_log_libanswers.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "rows": len(rows),
        "by_format": dict(Counter(r["Format"].strip().lower() for r in rows)),
        "by_category": dict(Counter(r["Category"].strip() for r in rows)),
        "by_day": dict(Counter(_us_day(r["Timestamp"]) for r in rows)),
        "by_read_level": dict(
            Counter(
                (m.group(0) if (m := re.search(r"[1-6]", r["Difficulty (READ Scale)"])) else "")
                for r in rows
            )
        ),
        "by_answered": dict(Counter(r["Answered"].strip().lower() for r in rows)),
        "by_location": dict(Counter(r["Location"].strip() for r in rows)),
        "ids": sorted(r["Id"] for r in rows),
        "free_text": sorted({r["Question"] for r in rows if r["Question"].strip()}),
    }


def skjema() -> dict[str, Any]:
    with (DATA / "desk_log_skjema.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return {
        "rows": len(rows),
        "by_kanal": dict(Counter(r["Kanal"].strip().lower() for r in rows)),
        "by_tjeneste": dict(Counter(r["Tjeneste"].strip() for r in rows)),
        "by_dato": dict(Counter(_no_day(r["Dato"]) for r in rows)),
        "without_time": sum(1 for r in rows if not r["Klokkeslett"].strip()),
        "by_utfall": dict(Counter(r["Utfall"].strip().lower() for r in rows)),
        "by_innsats": dict(Counter(r["Innsats"].strip() for r in rows)),
        # Rows equal in every column but the free text (which the import never reads).
        "identical_rows": sum(
            n - 1
            for n in Counter(
                tuple(v for k, v in r.items() if k != "Merknad") for r in rows
            ).values()
        ),
        "free_text": sorted({r["Merknad"] for r in rows if r["Merknad"].strip()}),
    }


def compute() -> dict[str, Any]:
    return {
        "_source": "src/torg/imports/tests/data/desk_log_*.csv (written for these tests)",
        "_method": "desk_log_reference.py beside this file: Python's csv module and string "
        "splitting only, no Torg code",
        "libanswers": libanswers(),
        "skjema": skjema(),
    }


if __name__ == "__main__":
    json.dump(compute(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
