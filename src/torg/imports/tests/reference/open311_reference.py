"""Computes ``open311.json`` from the sample Open311 GeoReport v2 files in ``../data`` with
the standard library only (json, csv, datetime, zoneinfo), independently of Torg's import
code: the figures the open311 profile's tests check the import against.

Run ``python src/torg/imports/tests/reference/open311_reference.py > .../open311.json``
after changing a sample; ``test_profile_open311`` also checks that the stored JSON is what
this script computes.

Days are the local calendar days in Europe/Oslo (the zone of the test's site) of each
``requested_datetime``, which carries its UTC offset. Services are counted by the pair
(service_code, service_name) as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import zoneinfo
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PERSONAL = ("description", "status_notes", "address", "zipcode", "media_url")


def _day(text: str) -> str:
    instant = dt.datetime.strptime(text.replace("Z", "+00:00"), "%Y-%m-%dT%H:%M:%S%z")
    return instant.astimezone(OSLO).date().isoformat()


def _summary(requests: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rows": len(requests),
        "ids": sorted(str(r["service_request_id"]) for r in requests),
        "by_status": dict(Counter(r["status"] for r in requests)),
        "by_service": dict(
            Counter(
                f"{r.get('service_code') or ''} | {r.get('service_name') or ''}" for r in requests
            )
        ),
        "by_day": dict(Counter(_day(r["requested_datetime"]) for r in requests)),
        "personal_text": sorted(
            {str(r[k]) for r in requests for k in PERSONAL if r.get(k) not in (None, "")}
        ),
    }


def compute() -> dict[str, Any]:
    requests = json.loads((DATA / "open311_requests.json").read_text("utf-8"))
    with (DATA / "open311_requests.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {str(r["service_request_id"]): r for r in requests}
    by_id.update({r["service_request_id"]: r for r in rows})  # the later export wins
    return {
        "_source": "src/torg/imports/tests/data/open311_requests.{json,csv} (written for these "
        "tests after the GeoReport v2 specification)",
        "_method": "open311_reference.py beside this file: json, csv and zoneinfo only, no "
        "Torg code",
        "json": _summary(requests),
        "csv": _summary(rows),
        "json_then_csv": {
            "rows": len(by_id),
            "in_both": sorted(
                set(map(str, (r["service_request_id"] for r in requests)))
                & {r["service_request_id"] for r in rows}
            ),
            "by_status": dict(Counter(r["status"] for r in by_id.values())),
        },
    }


if __name__ == "__main__":
    json.dump(compute(), sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")
