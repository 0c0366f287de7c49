"""Benchmark of monthly visit totals: ``python bench/months.py [--sites 50] [--years 10]``
(also run by ``bench/run.py --only months``, which starts it in a process of its own).

1. Generates hourly visit counts for ``--sites`` sites (50 by default) over ``--years``
   years (10: 2015–2024), every hour of every local day, about 4.4 million rows, into a
   fresh SQLite database with one ``executemany`` (in time order, as counters deliver).
   Sites are in Europe/Oslo; a fifth of them start their business day at 03:00.
   The database's triggers mark the rollup of daily totals stale; it is built from the
   rows once (:func:`torg.visits.totals.visit_totals_refresh`), timed on its own.
2. Times :func:`torg.visits.series.monthly_totals` (every site, every month) against
   hand-written SQL computing the same totals on the same database in one grouped scan:
   local wall-clock time by a ``CASE`` over the years' daylight-saving instants, the
   business day by shifting it back by the site's start hour, the month by ``strftime``. Both are
   checked to give the same numbers before any time is reported.
3. Prints one JSON object (seconds, best of ``--repeat`` runs, and the ratio).

With ``--postgres URL`` the same runs on PostgreSQL (its own database, dropped after):
the rows go in with one ``COPY``, and the hand-written SQL converts to local time with
``AT TIME ZONE``.

Requirement (issue 4, "Speed"): under 2 s, and at most 3 × the hand-written SQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = dt.UTC

HAND_SQL = """
SELECT site_id,
       strftime('%Y-%m', datetime(period_start,
                                  CASE {dst} ELSE '+1 hours' END,
                                  CASE WHEN site_id IN ({late}) THEN '-3 hours'
                                       ELSE '+0 hours' END)) AS month,
       SUM(count)
FROM visits_visitcount
WHERE municipality_id = ?
GROUP BY site_id, month
"""


# The same totals on PostgreSQL, which knows the zone: local wall-clock time, shifted
# back by the site's business-day start, truncated to the month.
HAND_SQL_POSTGRES = """
SELECT site_id,
       date_trunc('month', (period_start AT TIME ZONE 'Europe/Oslo')
                  - CASE WHEN site_id IN ({late}) THEN interval '3 hours'
                         ELSE interval '0 hours' END) AS month,
       SUM(count)
FROM visits_visitcount
WHERE municipality_id = %s
GROUP BY 1, 2
"""
DATABASE_NAME = "torg_bench_months"


def postgres_database(url: str, *, create: bool) -> str:
    """Create (or only drop) the bench's own database on the server of ``url``; returns
    its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        if create:
            server.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return f"{url.rsplit('/', 1)[0]}/{DATABASE_NAME}"


def dst_table(first_year: int, last_year: int) -> list[tuple[str, str, str]]:
    """Europe/Oslo's summer-time periods as UTC texts (EU rule: from 01:00 UTC on the last
    Sunday of March to 01:00 UTC on the last Sunday of October)."""

    def last_sunday(year: int, month: int) -> dt.date:
        day = dt.date(year, month, 31)
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)

    return [
        (str(y), f"{last_sunday(y, 3)} 01:00:00", f"{last_sunday(y, 10)} 01:00:00")
        for y in range(first_year, last_year + 1)
    ]


def generate(
    site_ids: list[int], first_year: int, years: int, municipality_id: int
) -> Iterator[tuple[int, int, str, str, int]]:
    """(municipality, site, start UTC text, end UTC text, count): every UTC hour from
    local midnight 1 January of ``first_year`` to local midnight after ``years`` years,
    produced one at a time (4.4 million tuples would not fit a shared machine's memory)."""
    start = dt.datetime(first_year, 1, 1, tzinfo=OSLO).astimezone(UTC)
    end = dt.datetime(first_year + years, 1, 1, tzinfo=OSLO).astimezone(UTC)
    hours = []
    instant = start
    while instant < end:
        hours.append(instant.replace(tzinfo=None).isoformat(" "))
        instant += dt.timedelta(hours=1)
    hours.append(end.replace(tzinfo=None).isoformat(" "))
    for index in range(len(hours) - 1):
        begin, finish = hours[index], hours[index + 1]
        for position, site_id in enumerate(site_ids):
            yield (municipality_id, site_id, begin, finish, (index * 7 + position * 13) % 40)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--postgres",
        help="run on this PostgreSQL server instead (a URL; the bench creates and drops its "
        "own database torg_bench_months there)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="torg-bench-months-"))
    first_year = 2015
    try:
        os.environ["TORG_VAR_DIR"] = str(work)
        os.environ.pop("DATABASE_URL", None)
        if args.postgres:
            os.environ["DATABASE_URL"] = postgres_database(args.postgres, create=True)
        os.environ["DJANGO_SETTINGS_MODULE"] = "torg.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from torg.organisation.models import Municipality, Site
        from torg.visits.series import monthly_totals
        from torg.visits.totals import visit_totals_refresh

        call_command("migrate", verbosity=0)
        municipality = Municipality.objects.create(
            name="Bench", slug="bench", number="9997", country="NO"
        )
        sites = [
            Site.objects.create(
                municipality=municipality,
                name=f"Site {i}",
                kind="joint",
                business_day_starts=dt.time(3) if i % 5 == 0 else dt.time(0),
            )
            for i in range(args.sites)
        ]
        connection.close()

        rows = generate([s.pk for s in sites], first_year, args.years, municipality.pk)
        late = ", ".join(str(s.pk) for s in sites if s.business_day_starts == dt.time(3))
        started = time.perf_counter()
        if args.postgres:
            import psycopg

            raw_pg = psycopg.connect(os.environ["DATABASE_URL"])
            with (
                raw_pg.cursor() as cursor,
                cursor.copy(
                    "COPY visits_visitcount (municipality_id, site_id, period_start, "
                    "period_end, count, entrance, method, note) FROM STDIN"
                ) as copy,
            ):
                for m, site_id, begin, finish, count in rows:
                    copy.write_row(
                        (m, site_id, f"{begin}+00", f"{finish}+00", count, "", "automatic", "")
                    )
            raw_pg.commit()
            insert_seconds = time.perf_counter() - started
            raw_pg.autocommit = True
            raw_pg.execute("ANALYZE")
            counted = raw_pg.execute("SELECT COUNT(*) FROM visits_visitcount").fetchone()
            row_count = counted[0] if counted else 0
            sql = HAND_SQL_POSTGRES.format(late=late or "0")
        else:
            raw = sqlite3.connect(work / "torg.sqlite3")
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=OFF")
            raw.executemany(
                "INSERT INTO visits_visitcount (municipality_id, site_id, period_start, "
                "period_end, count, entrance, method, note) "
                "VALUES (?,?,?,?,?,'','automatic','')",
                rows,
            )
            raw.commit()
            insert_seconds = time.perf_counter() - started
            row_count = raw.execute("SELECT COUNT(*) FROM visits_visitcount").fetchone()[0]
            raw.execute("ANALYZE")
            raw.commit()
            raw.close()
        # The raw INSERT bypassed Torg; its triggers marked every site and day stale, and
        # the stored daily totals are built from the rows once (what an import does at
        # its end, and what `torg rebuild visit-totals` does), timed on its own.
        started = time.perf_counter()
        refreshed = visit_totals_refresh()
        rollup_seconds = time.perf_counter() - started
        connection.close()
        dst = " ".join(
            f"WHEN period_start >= '{s}' AND period_start < '{e}' THEN '+2 hours'"
            for _y, s, e in dst_table(first_year - 1, first_year + args.years)
        )
        if not args.postgres:
            raw = sqlite3.connect(work / "torg.sqlite3")
            sql = HAND_SQL.format(dst=dst, late=late)
        first_month = dt.date(first_year, 1, 1)
        last_month = dt.date(first_year + args.years - 1, 12, 1)

        def hand() -> dict[int, dict[dt.date, int]]:
            result: dict[int, dict[dt.date, int]] = {}
            found = (
                raw_pg.execute(sql, [municipality.pk])
                if args.postgres
                else raw.execute(sql, [municipality.pk])
            )
            for site_id, month, visits in found:
                day = month.date() if args.postgres else dt.date.fromisoformat(f"{month}-01")
                if first_month <= day <= last_month:
                    result.setdefault(site_id, {})[day] = visits
            return result

        hand_times, torg_times = [], []
        torg_result: dict[int, dict[dt.date, int]] = {}
        hand_result: dict[int, dict[dt.date, int]] = {}
        torg_first = 0.0
        for attempt in range(args.repeat):
            started = time.perf_counter()
            hand_result = hand()
            hand_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            torg_result = monthly_totals(
                municipality, first_month=first_month, last_month=last_month
            )
            torg_times.append(time.perf_counter() - started)
            if attempt == 0:
                torg_first = torg_times[0]
        # The same numbers, or the timing means nothing. (The hand SQL puts a site's
        # business day 31 December 00:00–03:00 of the last year in December as well; the
        # generated hours end at local midnight, so both see the same rows.)
        if hand_result != torg_result:
            raise SystemExit("monthly_totals and the hand-written SQL disagree")
        torg_seconds, hand_seconds = min(torg_times), min(hand_times)
        print(
            json.dumps(
                {
                    "rows": row_count,
                    "sites": args.sites,
                    "months": len(next(iter(torg_result.values()))),
                    "generate_and_insert_seconds": insert_seconds,
                    "rollup_seconds": rollup_seconds,
                    "rollup_days": refreshed.days,
                    "hand_seconds": hand_seconds,
                    "torg_seconds": torg_seconds,
                    "torg_first_seconds": torg_first,
                    "ratio": torg_seconds / hand_seconds,
                    "load_average": os.getloadavg()[0],
                    "database": "postgresql" if args.postgres else "sqlite",
                }
            )
        )
        return 0
    finally:
        if args.postgres:
            from django.db import connections

            connections.close_all()
            postgres_database(args.postgres, create=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
