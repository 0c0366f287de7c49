"""Torg benchmarks: ``make bench``.

Every figure is printed as a ratio to a baseline measured in the same run, since these
machines are shared and noisy.

1. Import: a generated visit-count CSV (1,000,000 rows by default) through the import
   framework (``torg import visit-counts``: read, detect, parse, validate, check duplicates,
   write in one transaction) against a raw ``sqlite3`` ``executemany`` of the same rows into
   the same table of the same SQLite database. Requirement: the framework reaches at least
   25 % of the raw rate.
2. Demo: ``torg demo`` from an empty database until the web app answers, against
   ``torg migrate`` alone on an empty database. Requirement: under 60 s (pip install
   excluded).

3. Desk statistics (``bench/stats.py``, in a process of its own): heat map and mix
   statistics of 1,000,000 generated inquiries through
   :func:`torg.inquiries.statistics.inquiry_statistics` against hand-written SQL computing
   the same aggregates on the same SQLite database. Requirement: under 2 s and at most 3 ×
   the hand-written SQL.
4. Logging an inquiry over HTTP (``bench/http_logging.py``): 16 concurrent clients against
   gunicorn, the API's inquiry POST against a bare 204 view (and a bare view doing one
   INSERT) in the same server set-up, on SQLite, and on PostgreSQL with ``--postgres URL``.
   Requirement (issue 3): at least 50 % of the bare view's rate and a p95 under 50 ms.
5. Survey analysis (``bench/surveys.py``, in a process of its own): 1,000,000 respondents ×
   40 statements by 3 grouping variables through :func:`torg.surveys.analysis.batch.analyse`
   against a plain NumPy ``bincount`` of the same counts. Requirement (issue 5): under 5 s
   and at most 3 × the baseline.
6. Monthly visit totals (``bench/months.py``, in a process of its own): ten years of hourly
   counts for 50 sites (about 4.4 million rows) summed per site and local month by
   :func:`torg.visits.series.monthly_totals` against hand-written SQL computing the same
   totals on the same SQLite database. Requirement (issue 4): under 2 s and at most 3 ×
   the hand-written SQL. (Issue 4's other speed requirement, importing 1,000,000 hourly
   counts at 25 % of a raw ``executemany``, is bench 1.)
7. Rostering (``bench/rostering.py``): Curtois–Qu instances 1–12 (60 s, 2 workers) against
   the published best values, and a generated municipal instance's time to a lawful roster.

8. Evaluation (``bench/evaluation.py``, in a process of its own): difference-in-differences
   against a plain numpy least squares of the same design, and the one-year Toronto report
   as PDF against building its figures. Requirement (issue 7): the PDF under 20 s.
   Then ``bench/evaluation_aggregates.py``: the report's aggregates
   (:func:`torg.evaluation.report.report_figures`) over 10,000,000 generated inquiries and
   5,000,000 hourly visit counts of one municipality against hand-written DuckDB SQL over
   the same tables exported to Parquet (``--evaluation-inquiries``,
   ``--evaluation-visit-counts`` for smaller runs). Requirement (issue 7): under 10 s and at
   most 2 × the DuckDB SQL.

Usage: ``python bench/run.py [--rows N] [--evaluation-inquiries N --evaluation-visit-counts M]
[--only import|demo|stats|http|surveys|months|rostering|evaluation] [--postgres URL]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SITES = 20
ENTRANCES = ("Nord", "Sør")
OPEN_HOURS = range(8, 20)  # local hours, so no row falls in a daylight-saving gap or overlap
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def generate(path: Path, rows: int) -> list[tuple[int, str, str, str, int]]:
    """Write the CSV; return (site index, entrance, start UTC text, end UTC text, count) rows."""
    expected: list[tuple[int, str, str, str, int]] = []
    day = dt.date(2019, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("site;entrance;period_start;period_end;count\n")
        while len(expected) < rows:
            for hour in OPEN_HOURS:
                start_local = dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)
                end_local = start_local + dt.timedelta(hours=1)
                start_utc = start_local.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
                end_utc = end_local.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
                for site in range(SITES):
                    for entrance in ENTRANCES:
                        count = (site * 7 + hour * 3 + len(expected)) % 50
                        handle.write(
                            f"Site {site};{entrance};{day} {hour:02d}:00;{day} {hour + 1:02d}:00;{count}\n"
                        )
                        expected.append((site, entrance, start_utc, end_utc, count))
                        if len(expected) == rows:
                            return expected
            day += dt.timedelta(days=1)
    return expected


def bench_import(rows: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="torg-bench-import-"))
    try:
        os.environ["TORG_VAR_DIR"] = str(work)
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "torg.settings"
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from torg.imports.framework import run_import
        from torg.organisation.models import Municipality, Site

        call_command("migrate", verbosity=0)
        municipality = Municipality.objects.create(
            name="Bench", slug="bench", number="9999", country="NO"
        )
        site_ids = [
            Site.objects.create(municipality=municipality, name=f"Site {i}", kind="library").pk
            for i in range(SITES)
        ]
        csv_path = work / "visit-counts.csv"
        started = time.perf_counter()
        expected = generate(csv_path, rows)
        print(
            f"  generated {rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        raw_rows = [
            (municipality.pk, site_ids[s], e, start, end, count, "automatic", "", None)
            for s, e, start, end, count in expected
        ]
        connection.close()

        # Baseline: the same rows, already converted, straight into the same table.
        raw = sqlite3.connect(work / "torg.sqlite3")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        raw.executemany(
            "INSERT INTO visits_visitcount (municipality_id, site_id, entrance, period_start, "
            "period_end, count, method, note, import_batch_id) VALUES (?,?,?,?,?,?,?,?,?)",
            raw_rows,
        )
        raw.commit()
        raw_seconds = time.perf_counter() - started
        raw.execute("DELETE FROM visits_visitcount")
        raw.commit()
        raw.close()
        del raw_rows

        started = time.perf_counter()
        result = run_import("visit-counts", csv_path, municipality="bench")
        framework_seconds = time.perf_counter() - started
        assert result.created == rows, result.summary()
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), SUM(count) FROM visits_visitcount")
            stored, total = cursor.fetchone()
        assert stored == rows and total == sum(r[4] for r in expected), (stored, total)
        connection.close()
        return {
            "rows": rows,
            "raw_seconds": raw_seconds,
            "framework_seconds": framework_seconds,
            "ratio": raw_seconds / framework_seconds,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_demo(timeout: float = 300.0) -> dict[str, float]:
    torg = str(BIN / "torg")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TORG_VAR_DIR"}}

    work = Path(tempfile.mkdtemp(prefix="torg-bench-migrate-"))
    try:
        started = time.perf_counter()
        subprocess.run(
            [torg, "migrate", "--verbosity", "0"],
            check=True,
            env={**env, "TORG_VAR_DIR": str(work)},
        )
        migrate_seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)

    work = Path(tempfile.mkdtemp(prefix="torg-bench-demo-"))
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [torg, "demo", "--port", str(port)],
        env={**env, "TORG_VAR_DIR": str(work)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/accounts/login/"
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"torg demo exited with status {process.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError("torg demo did not serve within the timeout")
            time.sleep(0.2)
        demo_seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return {
        "demo_seconds": demo_seconds,
        "migrate_seconds": migrate_seconds,
        "ratio": demo_seconds / migrate_seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Torg benchmarks, printed as ratios.")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--evaluation-inquiries",
        type=int,
        default=10_000_000,
        help="inquiries of the evaluation aggregates bench (issue 7: 10,000,000)",
    )
    parser.add_argument(
        "--evaluation-visit-counts",
        type=int,
        default=5_000_000,
        help="hourly visit counts of the evaluation aggregates bench (issue 7: 5,000,000)",
    )
    parser.add_argument(
        "--only",
        choices=[
            "import",
            "demo",
            "stats",
            "http",
            "surveys",
            "months",
            "rostering",
            "evaluation",
        ],
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TORG_BENCH_POSTGRES"),
        help="also run the HTTP and monthly-totals benches on this PostgreSQL server (a URL; "
        "or TORG_BENCH_POSTGRES)",
    )
    args = parser.parse_args()
    failed = False
    if args.only in (None, "demo"):
        print("Demo: `torg demo` from an empty database until it serves")
        demo = bench_demo()
        print(f"  baseline `torg migrate` on an empty database: {demo['migrate_seconds']:.1f} s")
        print(
            f"  `torg demo` to serving: {demo['demo_seconds']:.1f} s = {demo['ratio']:.1f} × the baseline"
        )
        verdict = "ok" if demo["demo_seconds"] < 60 else "TOO SLOW"
        print(f"  requirement: under 60 s on a 2-core machine -> {verdict}")
        failed |= demo["demo_seconds"] >= 60
    if args.only in (None, "import"):
        print(f"Import: {args.rows:,} visit-count rows through the framework vs a raw executemany")
        result = bench_import(args.rows)
        raw_rate = result["rows"] / result["raw_seconds"]
        framework_rate = result["rows"] / result["framework_seconds"]
        print(f"  baseline raw executemany: {result['raw_seconds']:.1f} s ({raw_rate:,.0f} rows/s)")
        print(f"  framework: {result['framework_seconds']:.1f} s ({framework_rate:,.0f} rows/s)")
        print(f"  framework rate / raw rate = {result['ratio']:.2f} (requirement: at least 0.25)")
        failed |= result["ratio"] < 0.25
    if args.only in (None, "stats"):
        print(f"Desk statistics: {args.rows:,} inquiries, inquiry_statistics vs hand-written SQL")
        failed |= report_stats(bench_stats(args.rows))
    if args.only in (None, "surveys"):
        print(f"Survey analysis: {args.rows:,} respondents × 40 statements × 3 groupings")
        failed |= report_surveys(bench_surveys(args.rows))
    if args.only in (None, "months"):
        print("Monthly visit totals: 50 sites × 10 years of hourly counts vs hand-written SQL")
        failed |= report_months(bench_months())
        if args.postgres:
            print("Monthly visit totals on PostgreSQL")
            failed |= report_months(bench_months(args.postgres))
    if args.only in (None, "rostering"):
        sys.path.insert(0, str(ROOT))
        from bench import rostering

        failed |= not rostering.run(60, 2, "1-12")
    if args.only in (None, "evaluation"):
        failed |= report_evaluation(bench_evaluation())
        failed |= report_evaluation_aggregates(
            _run_script(
                "evaluation_aggregates",
                "--inquiries",
                str(args.evaluation_inquiries),
                "--visit-counts",
                str(args.evaluation_visit_counts),
            )
        )
    if args.only in (None, "http"):
        sys.path.insert(0, str(ROOT))
        from bench import http_logging

        failed |= not http_logging.run(16, 60, args.postgres)
    return 1 if failed else 0


def _run_script(name: str, *args: str) -> dict[str, float]:
    """Run ``bench/<name>.py`` with ``args`` in a process of its own and return the JSON
    object on the last line of its output; ``RuntimeError`` with its stderr if it fails."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"bench/{name}.py failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench_stats(rows: int) -> dict[str, float]:
    """Run ``bench/stats.py`` in its own process (it sets up Django on its own database,
    with the statistics indexes of migration ``inquiries/0004``)."""
    return _run_script("stats", "--rows", str(rows))


def report_stats(result: dict[str, float]) -> bool:
    """Print the figures; return whether a requirement failed."""
    print(
        f"  generated in {result['generate_seconds']:.1f} s, inserted in "
        f"{result['insert_seconds']:.1f} s (load average {result['load_average']:.1f} on "
        f"{os.cpu_count()} cores)"
    )
    print(f"  baseline hand-written SQL (heat map + mix): {result['hand_seconds']:.2f} s")
    print(
        f"  inquiry_statistics: {result['torg_seconds']:.2f} s (first run "
        f"{result['torg_first_seconds']:.2f} s) = {result['ratio']:.2f} × the baseline"
    )
    slow = result["torg_seconds"] >= 2 or result["ratio"] > 3
    verdict = "ok" if not slow else "TOO SLOW"
    print(f"  requirement: under 2 s and at most 3 × the baseline -> {verdict}")
    return slow


def bench_months(postgres: str | None = None) -> dict[str, float]:
    """Run ``bench/months.py`` in its own process (its own database; on the PostgreSQL
    server ``postgres`` when given)."""
    return _run_script("months", *(["--postgres", postgres] if postgres else []))


def report_months(result: dict[str, float]) -> bool:
    """Print the figures; return whether a requirement failed."""
    print(
        f"  {result['rows']:,.0f} hourly counts, {result['sites']:.0f} sites, "
        f"{result['months']:.0f} months; generated and inserted in "
        f"{result['generate_and_insert_seconds']:.1f} s (load average "
        f"{result['load_average']:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"  stored daily totals built from the raw rows once: {result['rollup_seconds']:.1f} s "
        f"({result['rollup_days']:,.0f} site-days)"
    )
    print(f"  baseline hand-written SQL (one grouped scan): {result['hand_seconds']:.2f} s")
    print(
        f"  monthly_totals: {result['torg_seconds']:.2f} s (first run "
        f"{result['torg_first_seconds']:.2f} s) = {result['ratio']:.2f} × the baseline"
    )
    slow = result["torg_seconds"] >= 2 or result["ratio"] > 3
    print(
        f"  requirement: under 2 s and at most 3 × the baseline -> {'ok' if not slow else 'TOO SLOW'}"
    )
    return slow


def bench_evaluation() -> dict[str, float]:
    """Run ``bench/evaluation.py`` in its own process (its own Django database)."""
    return _run_script("evaluation")


def report_evaluation(result: dict[str, float]) -> bool:
    """Print the figures; return whether a requirement failed."""
    print(
        "Evaluation: difference-in-differences, 200 sites × 120 months (load average "
        f"{result['load_average']:.1f})"
    )
    print(f"  baseline numpy least squares: {result['did_numpy_seconds']:.2f} s")
    print(
        f"  difference_in_differences (clustered, pre-trend): {result['did_torg_seconds']:.2f} s"
        f" = {result['did_ratio']:.2f} × the baseline"
    )
    print(f"  Toronto 2017 report figures: {result['report_build_seconds']:.2f} s")
    print(
        f"  Toronto 2017 report as PDF: {result['report_pdf_seconds']:.2f} s = "
        f"{result['pdf_ratio']:.2f} × the figures alone"
    )
    slow = result["report_pdf_seconds"] >= 20
    print(f"  requirement: the PDF under 20 s -> {'ok' if not slow else 'TOO SLOW'}")
    return slow


def report_evaluation_aggregates(result: dict[str, float]) -> bool:
    """Print the figures of ``bench/evaluation_aggregates.py``; return whether a
    requirement failed (judged only at the issue's full size)."""
    print(
        f"Evaluation report aggregates: {result['inquiries']:,.0f} inquiries, "
        f"{result['visit_counts']:,.0f} hourly visit counts, {result['sites']:.0f} sites "
        f"(generated in {result.get('generate_seconds', 0):.0f} s, exported to Parquet in "
        f"{result.get('export_seconds', 0):.0f} s; load average {result['load_average']:.1f})"
    )
    print(f"  baseline hand-written DuckDB SQL over Parquet: {result['duckdb_seconds']:.2f} s")
    print(
        f"  report_figures: {result['torg_seconds']:.2f} s = {result['ratio']:.2f} × the baseline "
        f"(of which the visit panel {result['torg_visit_panel_seconds']:.2f} s; first call, "
        f"bringing the stored monthly inquiry totals up to date: "
        f"{result['torg_first_seconds']:.1f} s)"
    )
    full = result["inquiries"] >= 10_000_000 and result["visit_counts"] >= 5_000_000
    slow = result["torg_seconds"] >= 10 or result["ratio"] > 2
    verdict = ("TOO SLOW" if slow else "ok") if full else "not judged below the full size"
    print(f"  requirement: under 10 s and at most 2 × the baseline -> {verdict}")
    return full and slow


def bench_surveys(rows: int) -> dict[str, float]:
    """Run ``bench/surveys.py`` in its own process (its arrays take about 1 GB)."""
    return _run_script("surveys", "--respondents", str(rows))


def report_surveys(result: dict[str, float]) -> bool:
    """Print the figures; return whether a requirement failed."""
    print(f"  baseline NumPy bincount of the same counts: {result['baseline_seconds']:.2f} s")
    print(
        f"  analyse (counts, likert summaries, Wilson intervals, suppression): "
        f"{result['torg_seconds']:.2f} s = {result['ratio']:.2f} × the baseline"
    )
    slow = result["torg_seconds"] >= 5 or result["ratio"] > 3
    print(
        f"  requirement: under 5 s and at most 3 × the baseline -> {'TOO SLOW' if slow else 'ok'}"
    )
    return slow


if __name__ == "__main__":
    sys.exit(main())
