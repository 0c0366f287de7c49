"""Recompute bampfa_statistics.json from the raw BAMPFA desk log, independently of Torg:
Python's csv module and plain string handling only (no Django, no Torg code, no time-zone
library: the file's timestamps are already local wall-clock time in Berkeley, and a site
whose business day starts at midnight puts each row on its own calendar date and hour).

A row's time of day is unknown when "Date if not today" names another date than the
Timestamp's; it then counts on that date and in no hour. Run from this folder:

    python compute_bampfa_statistics.py ../../../../../../shared/data/reference-desk-transactions/libstats_2020.csv > bampfa_statistics.json
"""

import csv
import datetime as dt
import json
import sys
from collections import Counter

SOURCES = {"walk in": "in_person", "email": "email", "phone call": "phone", "other": "other"}
SUCCESS = {"Yes": "resolved", "No": "not_resolved", "Maybe": "not_recorded", "": "not_recorded"}


def us_date(text: str) -> dt.date:
    month, day, year = (int(part) for part in text.split("/"))
    return dt.date(year, month, day)


def main(path: str) -> None:
    heat = [[0] * 24 for _ in range(7)]
    channels: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    unknown = 0
    march = 0  # rows whose day of contact is 1-31 March 2020 (both included)
    march_unknown = 0
    rows = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            date_text, time_text = row["Timestamp"].split(" ")
            stamp_day = us_date(date_text)
            hour = int(time_text.split(":")[0])
            given = row["Date if not today"].strip()
            day = us_date(given) if given else stamp_day
            known = day == stamp_day
            if known:
                heat[stamp_day.weekday()][hour] += 1
            else:
                unknown += 1
            if dt.date(2020, 3, 1) <= day <= dt.date(2020, 3, 31):
                march += 1
                march_unknown += 0 if known else 1
            channels[SOURCES[row["interaction source"]]] += 1
            outcomes[SUCCESS[row["successful interaction?"].strip()]] += 1
    json.dump(
        {
            "_method": __doc__.strip().splitlines()[0],
            "rows": rows,
            "time_unknown": unknown,
            "heat_map": heat,
            "channels": dict(sorted(channels.items())),
            "outcomes": dict(sorted(outcomes.items())),
            "march_2020": {"rows": march, "time_unknown": march_unknown},
        },
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main(sys.argv[1])
