"""Benchmark of the desk statistics: ``python bench/stats.py [--rows N]`` (also run by
``bench/run.py --only stats``, which starts it in a process of its own).

1. Generates N inquiries (1,000,000 by default) into a fresh SQLite database: 20 sites in
   Europe/Oslo (four of them with a business day that starts at 03:00), 3 service points
   each, 60 services, two years (2024–2025) of contacts between 07:00 and 01:00 local
   time, 5 % with an unknown time of day. Rows go in with one ``executemany``.
2. Times :func:`torg.inquiries.statistics.inquiry_statistics` over all of them (heat maps,
   every mix, outcomes, effort) against hand-written SQL computing the same heat map and
   mixes in the same run on the same database: local time by a table of the two years'
   daylight-saving instants, the business day by shifting the local time back by the
   site's start hour, the weekday and hour by ``strftime``; the mixes by one grouped scan.
   Both are checked to give the same numbers before any time is reported.
3. Prints one JSON object (seconds, best of ``--repeat`` runs, and the ratio).

Requirement (issue 3, "Speed"): under 2 s, and at most 3 × the hand-written SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import zoneinfo
from collections import defaultdict
from pathlib import Path

SITES = 20
LATE_SITES = 4  # the first four sites' business day starts at 03:00
POINTS_PER_SITE = 3
SERVICES = 60
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
CHANNELS = ["in_person"] * 6 + ["phone"] * 2 + ["chat", "email", "digital_form", "outreach"]
OUTCOMES = ["resolved"] * 6 + [
    "referred_internal",
    "referred_external",
    "appointment",
    "not_resolved",
    "not_recorded",
]
DOMAINS = ["library", "municipal", "shared"]
# Daylight-saving time in Europe/Oslo (EU rule: last Sunday of March and of October, 01:00 UTC).
DST = [
    ("2024", "2024-03-31 01:00:00", "2024-10-27 01:00:00"),
    ("2025", "2025-03-30 01:00:00", "2025-10-26 01:00:00"),
]

HAND_HEAT_MAP = """
WITH dst(year, starts, ends) AS (VALUES {dst}),
located AS (
  SELECT i.site_id AS site_id,
         datetime(i.occurred_at, CASE WHEN i.occurred_at >= d.starts AND i.occurred_at < d.ends
                                      THEN '+2 hours' ELSE '+1 hours' END) AS wall,
         CAST(substr(s.business_day_starts, 1, 2) AS INTEGER) AS start_hour
  FROM inquiries_inquiry AS i
  JOIN organisation_site AS s ON s.id = i.site_id
  JOIN dst AS d ON d.year = substr(i.occurred_at, 1, 4)
  WHERE i.municipality_id = ? AND i.time_of_day_known
)
SELECT site_id,
       CAST(strftime('%w', wall, '-' || start_hour || ' hours') AS INTEGER) AS weekday,
       CAST(strftime('%H', wall) AS INTEGER) AS hour,
       COUNT(*)
FROM located GROUP BY 1, 2, 3
"""

#: Covering indexes proposed for the inquiries table (SQLite). With them, SQLite reads
#: both grouped queries of inquiry_statistics in index order and streams the groups instead
#: of sorting a million rows in a temporary B-tree. The expression must be written exactly
#: as torg.inquiries.statistics.UtcTimeKey writes it. They belong in a migration of
#: torg.inquiries (not this branch's to write; see the closing note of issue 3).

HAND_MIX = """
SELECT i.domain, COALESCE(c.level, ''), i.service_id, i.channel, i.outcome, i.read_effort,
       COUNT(*)
FROM inquiries_inquiry AS i LEFT JOIN catalogue_service AS c ON c.id = i.service_id
WHERE i.municipality_id = ?
GROUP BY 1, 2, 3, 4, 5, 6
"""


def generate(
    rows: int,
    site_ids: list[int],
    points: dict[int, list[int]],
    services: list[tuple[int, str]],
    municipality_id: int,
) -> list[tuple]:
    """The rows to insert, reproducibly (seeded)."""
    rng = random.Random(20260329)
    first = dt.datetime(2024, 1, 1, tzinfo=OSLO)
    days = 731
    result = []
    for _ in range(rows):
        site = site_ids[rng.randrange(SITES)]
        day = first + dt.timedelta(days=rng.randrange(days))
        known = rng.random() >= 0.05
        if known:
            # 07:00 to 01:00 the next morning, wall clock; normalised through UTC so that
            # a time skipped by the clocks moves on, as a real clock reading would.
            minutes = 7 * 60 + rng.randrange(18 * 60)
            wall = day.replace(hour=0) + dt.timedelta(minutes=minutes)
            instant = wall.astimezone(dt.UTC)
        else:
            instant = day.astimezone(dt.UTC)
        service_id, domain = (
            services[rng.randrange(SERVICES)] if rng.random() < 0.9 else (None, "unknown")
        )
        effort = rng.randrange(1, 7) if rng.random() < 0.8 else None
        result.append(
            (
                municipality_id,
                site,
                rng.choice(points[site]),
                instant.replace(tzinfo=None).isoformat(" "),
                known,
                rng.choice(CHANNELS),
                service_id,
                domain,
                rng.choice(OUTCOMES),
                effort,
            )
        )
    return result


def raw_plan(work: Path, sql: str, municipality_id: int) -> list[tuple]:
    with sqlite3.connect(work / "torg.sqlite3") as plan:
        return list(plan.execute("EXPLAIN QUERY PLAN " + sql, [municipality_id]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", help="keep the database in this (new) folder, for profiling")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="torg-bench-stats-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        os.environ["TORG_VAR_DIR"] = str(work)
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "torg.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from torg.catalogue.models import Domain, Level, Service, ServiceCategory
        from torg.inquiries.statistics import StatisticsFilters, inquiry_statistics
        from torg.organisation.models import Municipality, ServicePoint, Site

        call_command("migrate", verbosity=0)
        municipality = Municipality.objects.create(
            name="Bench", slug="bench", number="9998", country="NO"
        )
        sites = [
            Site.objects.create(
                municipality=municipality,
                name=f"Site {i}",
                kind="joint",
                business_day_starts=dt.time(3) if i < LATE_SITES else dt.time(0),
            )
            for i in range(SITES)
        ]
        points = {
            site.pk: [
                ServicePoint.objects.create(
                    municipality=municipality, site=site, name=f"Desk {j}", kind="desk"
                ).pk
                for j in range(POINTS_PER_SITE)
            ]
            for site in sites
        }
        category = ServiceCategory.objects.create(
            municipality=municipality, code="general", name_nb="Generelt", name_en="General"
        )
        services = []
        for i in range(SERVICES):
            domain = DOMAINS[i % 3]
            service = Service.objects.create(
                municipality=municipality,
                category=category,
                code=f"s{i}",
                name_nb=f"Tjeneste {i}",
                name_en=f"Service {i}",
                domain=domain,
                level=Level.GENERALIST if i % 4 else Level.SPECIALIST,
            )
            services.append((service.pk, domain))
        assert {d for _pk, d in services} <= {d.value for d in Domain}
        started = time.perf_counter()
        rows = generate(args.rows, [s.pk for s in sites], points, services, municipality.pk)
        generate_seconds = time.perf_counter() - started
        connection.close()

        raw = sqlite3.connect(work / "torg.sqlite3")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=OFF")
        raw.execute("PRAGMA cache_size=-262144")
        rows.sort(key=lambda row: row[3])  # in time order, as a log grows: local index pages
        started = time.perf_counter()
        raw.executemany(
            "INSERT INTO inquiries_inquiry (municipality_id, site_id, service_point_id, "
            "occurred_at, time_of_day_known, channel, service_id, domain, outcome, read_effort, "
            "user_type, age_group, language, duration_band, note) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,'','','','','')",
            rows,
        )
        raw.commit()
        insert_seconds = time.perf_counter() - started
        raw.execute("ANALYZE")
        raw.commit()
        raw.close()
        del rows
        # Timed with default connection settings, the same for both sides.
        raw = sqlite3.connect(work / "torg.sqlite3")

        dst = ", ".join(f"('{y}', '{s}', '{e}')" for y, s, e in DST)
        heat_sql = HAND_HEAT_MAP.format(dst=dst)

        def hand() -> tuple[dict, dict]:
            heat: dict = defaultdict(int)
            for site_id, weekday, hour, n in raw.execute(heat_sql, [municipality.pk]):
                heat[(site_id, (weekday - 1) % 7, hour)] += n  # %w: Sunday = 0
            channel: dict = defaultdict(int)
            level: dict = defaultdict(int)
            for _domain, lvl, _service, chan, _outcome, _effort, n in raw.execute(
                HAND_MIX, [municipality.pk]
            ):
                channel[chan] += n
                level[lvl] += n
            return dict(heat), {"channel": dict(channel), "level": dict(level)}

        def torg() -> object:
            return inquiry_statistics(municipality, StatisticsFilters())

        hand_times, torg_times = [], []
        stats = None
        hand_result: tuple[dict, dict] = ({}, {})
        for _ in range(args.repeat):
            started = time.perf_counter()
            hand_result = hand()
            hand_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            stats = torg()
            torg_times.append(time.perf_counter() - started)

        # The same numbers, or the timing means nothing.
        heat, mixes = hand_result
        torg_heat = {
            (hm.site_id, weekday, hour): n
            for hm in stats.heat_maps  # type: ignore[attr-defined]
            for weekday, row in enumerate(hm.counts)
            for hour, n in enumerate(row)
            if n
        }
        assert torg_heat == heat, "heat maps differ"
        assert {r.key: r.count for r in stats.channel if r.count} == mixes["channel"]  # type: ignore[attr-defined]
        assert {r.key: r.count for r in stats.level if r.count} == mixes["level"]  # type: ignore[attr-defined]
        assert stats.total == args.rows  # type: ignore[attr-defined]
        raw.close()
        connection.close()
        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "generate_seconds": generate_seconds,
                    "insert_seconds": insert_seconds,
                    "hand_seconds": min(hand_times),
                    "torg_seconds": min(torg_times),
                    "torg_first_seconds": torg_times[0],
                    "ratio": min(torg_times) / min(hand_times),
                    "load_average": os.getloadavg()[0],
                    "hand_plan": [row[3] for row in raw_plan(work, heat_sql, municipality.pk)],
                }
            )
        )
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
