"""Benchmark of the evaluation report's aggregates at scale (issue 7):
``python bench/evaluation_aggregates.py [--inquiries N] [--visit-counts M] [--sites S]``
(also run by ``bench/run.py --only evaluation``, in a process of its own).

One municipality with ``S`` sites in Europe/Oslo gets ``N`` inquiries (2015–2024, spread
over the day and the sites, with domain, channel and new/returning user), ``M`` hourly visit
counts (consecutive hours from 2015, the same number per site) and one event per 200
inquiries (in time order with an hour of jitter), all generated in SQLite by SQL (a deterministic hash of the row number, no
Python loop), in a fresh SQLite database migrated by Torg (so its triggers mark the
inquiries' days, as for any import).

Torg's side is :func:`torg.evaluation.report.report_figures` for the year 2024: visits per
site and local month over the whole history, inquiries per site and local month over the
whole history, inquiries on the report's local days by domain, by channel and new users,
events and attendance by audience. Its first call brings the stored monthly inquiry
totals up to date from the marked days (the cost of the first report after a bulk load,
printed apart); then the best of ``--repeat`` calls.

The baseline: the same tables exported to Parquet (the columns the figures read) and the
same figures by hand-written DuckDB SQL (``timezone('Europe/Oslo', …)`` for local days),
best of ``--repeat``. Every figure of both sides must be equal before a time is printed.
Requirement: under 10 s and at most 2 × the DuckDB SQL, at 10,000,000 inquiries and
5,000,000 visit counts.

Prints one JSON object.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

START = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)
SPAN_SECONDS = int((dt.datetime(2025, 1, 1, tzinfo=dt.UTC) - START).total_seconds())
FIRST, LAST = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
ZONE = "Europe/Oslo"

# A multiplicative hash of the row number (Knuth), one multiplier per column, so the
# columns vary independently and the data are the same on every run.
_H = "((n.i * {m} + {c}) % 4294967296)"


def _hash(multiplier: int, constant: int) -> str:
    return _H.format(m=multiplier, c=constant)


def generate(cursor: Any, municipality_id: int, site_ids: list[int], args: Any) -> None:
    first_site, sites = min(site_ids), len(site_ids)
    assert site_ids == list(range(first_site, first_site + sites))
    # In time order with an hour of jitter, so the indexes on occurred_at grow at the end.
    seconds = f"(n.i * {SPAN_SECONDS} / {args.inquiries} + {_hash(2654435761, 11)} % 3600)"
    cursor.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO inquiries_inquiry (municipality_id, site_id, occurred_at,
            time_of_day_known, channel, domain, outcome, user_type, age_group, language,
            duration_band, note)
        SELECT ?, {first_site} + {_hash(2246822519, 7)} % {sites},
            datetime({int(START.timestamp())} + {seconds}, 'unixepoch'),
            1,
            CASE {_hash(3266489917, 3)} % 10 WHEN 0 THEN 'phone' WHEN 1 THEN 'phone'
                WHEN 2 THEN 'email' WHEN 3 THEN 'chat' WHEN 4 THEN 'digital_form'
                WHEN 5 THEN 'outreach' ELSE 'in_person' END,
            CASE {_hash(668265263, 5)} % 20 WHEN 0 THEN 'unknown' WHEN 1 THEN 'shared'
                WHEN 2 THEN 'shared' WHEN 3 THEN 'shared' ELSE
                CASE {_hash(374761393, 1)} % 2 WHEN 0 THEN 'library' ELSE 'municipal' END END,
            'resolved',
            CASE {_hash(2870177450, 9)} % 3 WHEN 0 THEN '' WHEN 1 THEN 'new'
                ELSE 'returning' END,
            '', '', '', ''
        FROM n""",
        [args.inquiries - 1, municipality_id],
    )
    per_site = args.visit_counts // sites
    cursor.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO visits_visitcount (municipality_id, site_id, entrance, period_start,
            period_end, count, method, note, estimate_reason, is_estimate)
        SELECT ?, {first_site} + n.i / {per_site},
            '',
            datetime({int(START.timestamp())} + (n.i % {per_site}) * 3600, 'unixepoch'),
            datetime({int(START.timestamp())} + (n.i % {per_site} + 1) * 3600, 'unixepoch'),
            {_hash(2654435761, 3)} % 60, 'automatic', '', '', 0
        FROM n""",
        [per_site * sites - 1, municipality_id],
    )
    events = max(args.inquiries // 200, 1)
    cursor.execute(
        f"""WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO visits_event (municipality_id, site_id, starts_at, title, event_type,
            audience, attendance, occurrences, is_digital, for_schools_kindergartens,
            in_partnership, joint_with_citizen_service)
        SELECT ?, {first_site} + {_hash(2246822519, 3)} % {sites},
            datetime({int(START.timestamp())} + {_hash(2654435761, 5)} % {SPAN_SECONDS},
                'unixepoch'),
            'Event', 'other',
            CASE {_hash(3266489917, 1)} % 4 WHEN 0 THEN 'children' WHEN 1 THEN 'young_people'
                WHEN 2 THEN 'adults' ELSE 'all' END,
            CASE WHEN {_hash(668265263, 2)} % 10 = 0 THEN NULL
                ELSE {_hash(374761393, 4)} % 80 END,
            1 + {_hash(2870177450, 6)} % 2, 0, 0, 0, 0
        FROM n""",
        [events - 1, municipality_id],
    )


EXPORTS = {
    "inquiries": "SELECT site_id, occurred_at, domain, channel, user_type "
    "FROM inquiries_inquiry WHERE municipality_id = ?",
    "visits": "SELECT site_id, period_start, period_end, count, method "
    "FROM visits_visitcount WHERE municipality_id = ?",
    "events": "SELECT site_id, starts_at, audience, occurrences, attendance "
    "FROM visits_event WHERE municipality_id = ?",
    "sites": "SELECT id, time_zone FROM organisation_site WHERE municipality_id = ?",
}
INSTANTS = {"occurred_at", "period_start", "period_end", "starts_at"}


def export(database: Path, municipality_id: int, folder: Path) -> None:
    """Each table's columns to ``folder/<table>.parquet``; instants as UTC timestamps."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    connection = sqlite3.connect(database)
    try:
        for name, query in EXPORTS.items():
            cursor = connection.execute(query, [municipality_id])
            columns = [d[0] for d in cursor.description]
            writer = None
            while rows := cursor.fetchmany(500_000):
                arrays = []
                for index, column in enumerate(columns):
                    values = pa.array([row[index] for row in rows])
                    if column in INSTANTS:
                        values = pc.strptime(values, format="%Y-%m-%d %H:%M:%S", unit="s")
                        values = values.cast(pa.timestamp("s", tz="UTC"))
                    arrays.append(values)
                table = pa.Table.from_arrays(arrays, names=columns)
                if writer is None:
                    writer = pq.ParquetWriter(folder / f"{name}.parquet", table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()
    finally:
        connection.close()


def duckdb_figures(folder: Path) -> dict[str, Any]:
    """The report's figures by hand-written SQL over the Parquet files."""
    import duckdb

    db = duckdb.connect()
    db.execute("SET TimeZone = 'UTC'")
    for name in EXPORTS:
        db.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{folder / (name + '.parquet')}')"
        )
    local = "timezone(s.time_zone, {0})"
    visits = db.execute(
        f"""SELECT v.site_id, strftime({local.format("v.period_start")}, '%Y-%m'), sum(v.count)
        FROM visits v JOIN sites s ON s.id = v.site_id GROUP BY ALL"""
    ).fetchall()
    panel = db.execute(
        f"""SELECT i.site_id, strftime({local.format("i.occurred_at")}, '%Y-%m'), count(*)
        FROM inquiries i JOIN sites s ON s.id = i.site_id GROUP BY ALL"""
    ).fetchall()
    in_range = f"""FROM inquiries i JOIN sites s ON s.id = i.site_id
        WHERE CAST({local.format("i.occurred_at")} AS DATE) BETWEEN '{FIRST}' AND '{LAST}'"""
    by_domain = db.execute(f"SELECT domain, count(*) {in_range} GROUP BY ALL").fetchall()
    by_channel = db.execute(f"SELECT channel, count(*) {in_range} GROUP BY ALL").fetchall()
    new_row = db.execute(f"SELECT count(*) FILTER (WHERE user_type = 'new') {in_range}").fetchone()
    assert new_row is not None
    (new_users,) = new_row
    events = db.execute(
        f"""SELECT audience, sum(occurrences), coalesce(sum(attendance), 0),
            coalesce(sum(occurrences) FILTER (WHERE attendance IS NULL), 0)
        FROM events e JOIN sites s ON s.id = e.site_id
        WHERE CAST({local.format("e.starts_at")} AS DATE) BETWEEN '{FIRST}' AND '{LAST}'
        GROUP BY ALL"""
    ).fetchall()
    db.close()
    return {
        "visits": {(str(site), month): float(n) for site, month, n in visits},
        "inquiry_panel": {(str(site), month): float(n) for site, month, n in panel},
        "by_domain": dict(by_domain),
        "by_channel": dict(by_channel),
        "new_users": int(new_users),
        "events": {a: (int(n), int(att), int(no)) for a, n, att, no in events},
    }


def torg_figures(municipality: Any) -> dict[str, Any]:
    from torg.evaluation.report import report_figures

    figures = report_figures(municipality, FIRST, LAST)
    return {
        "visits": {
            (row.unit, str(row.period)): float(row.value)
            for row in figures.visits.frame.itertuples()
        },
        "inquiry_panel": {
            (row.unit, str(row.period)): float(row.value)
            for row in figures.inquiry_panel.frame.itertuples()
        },
        "by_domain": figures.inquiries.by_domain,
        "by_channel": figures.inquiries.by_channel,
        "new_users": figures.inquiries.new_users,
        "events": {
            row.audience: (row.events, row.attendance, row.events_without_attendance)
            for row in figures.events.rows
        },
    }


def best(function: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def run(work: Path, args: Any) -> dict[str, float]:
    os.environ["TORG_VAR_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "torg.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from torg.organisation.models import Municipality, Site

    call_command("migrate", verbosity=0)
    database = Path(settings.DATABASES["default"]["NAME"])
    parquet = work / "parquet"
    reused = Municipality.objects.filter(slug="storby").first()
    if reused is not None:  # --work with a database generated before: time only
        return measure(reused, parquet, args, {})
    municipality = Municipality.objects.create(
        name="Storby", slug="storby", number="9999", country="NO"
    )
    Site.objects.bulk_create(
        Site(municipality=municipality, name=f"Filial {i:03d}", time_zone=ZONE)
        for i in range(args.sites)
    )
    site_ids = sorted(Site.objects.filter(municipality=municipality).values_list("id", flat=True))
    connection.close()
    started = time.perf_counter()
    raw = sqlite3.connect(database)
    raw.execute("PRAGMA cache_size = -4000000")  # 4 GB of page cache for the indexes
    with raw:  # one transaction; the triggers mark the inquiries' days as for any import
        generate(raw.cursor(), municipality.pk, site_ids, args)
    raw.close()
    generate_seconds = time.perf_counter() - started
    parquet.mkdir()
    started = time.perf_counter()
    export(database, municipality.pk, parquet)
    export_seconds = time.perf_counter() - started
    return measure(
        municipality,
        parquet,
        args,
        {"generate_seconds": generate_seconds, "export_seconds": export_seconds},
    )


def measure(
    municipality: Any, parquet: Path, args: Any, timings: dict[str, float]
) -> dict[str, float]:

    started = time.perf_counter()
    first = torg_figures(municipality)
    torg_first = time.perf_counter() - started
    torg_seconds, torg = best(lambda: torg_figures(municipality), args.repeat)
    duck_seconds, duck = best(lambda: duckdb_figures(parquet), args.repeat)
    for key in duck:
        assert torg[key] == duck[key], f"{key} differs between Torg and DuckDB"
        assert first[key] == duck[key], f"{key} differs on the first call"
    assert sum(torg["by_domain"].values()) > 0 and len(torg["inquiry_panel"]) > 0
    # Where the time goes: the visit panel alone (issue 4's functions).
    from torg.evaluation.selectors import visit_panel

    visits_seconds, _panel = best(lambda: visit_panel(municipality), 1)
    return {
        "inquiries": args.inquiries,
        "visit_counts": args.visit_counts,
        "sites": args.sites,
        **timings,
        "torg_first_seconds": torg_first,
        "torg_seconds": torg_seconds,
        "torg_visit_panel_seconds": visits_seconds,
        "duckdb_seconds": duck_seconds,
        "ratio": torg_seconds / duck_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inquiries", type=int, default=10_000_000)
    parser.add_argument("--visit-counts", type=int, default=5_000_000)
    parser.add_argument("--sites", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--work", type=Path, help="keep the database and Parquet here (reused when present)"
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="torg-bench-evaluation-aggregates-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = run(work, args)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    result["load_average"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
