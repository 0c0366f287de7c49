"""Benchmark of the evaluation: ``python bench/evaluation.py [--sites N] [--months M]``
(also run by ``bench/run.py --only evaluation``, in a process of its own).

1. Statistics: difference-in-differences (:func:`torg.evaluation.methods.difference_in_differences`,
   cluster-robust by site, with its pre-trend check and bookkeeping) on a generated panel of
   N sites × M months, against the baseline of one plain ``numpy.linalg.lstsq`` of the same
   two-way fixed-effects design, timed in the same run. Both point estimates must agree
   before any time is printed.
2. Report: the Toronto demo data (112 branches, yearly visits 2012–2022) imported into a
   fresh SQLite database; the one-year report for 2017 as PDF
   (:func:`torg.evaluation.report.report_pdf`) against the baseline of building its figures
   alone (:func:`~torg.evaluation.report.report_build`). Requirement (issue 7): the PDF
   of a one-year report for the demo municipality in under 20 s.

Prints one JSON object. The issue's 10 million inquiries / 5 million visit counts aggregate
bench against DuckDB over Parquet is ``bench/evaluation_aggregates.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def panel(sites: int, months: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    index = pd.period_range("2015-01", periods=months, freq="M")
    level = rng.uniform(500, 5000, sites)
    season = 1 + 0.2 * np.sin(2 * np.pi * np.arange(months) / 12)
    values = level[:, None] * season[None, :] * rng.uniform(0.9, 1.1, (sites, months))
    values[0, months // 2 :] *= 1.2
    return pd.DataFrame(
        {
            "unit": np.repeat([f"s{i:04d}" for i in range(sites)], months),
            "period": list(index) * sites,
            "value": values.reshape(-1),
        }
    )


def numpy_did(frame: pd.DataFrame, change: pd.Period) -> float:
    units = pd.factorize(frame["unit"])[0]
    periods = pd.factorize(frame["period"])[0]
    treat = ((units == 0) & (frame["period"] >= change).to_numpy()).astype(float)
    x = np.column_stack(
        [treat, np.ones(len(frame))]
        + [(units == u).astype(float) for u in range(1, units.max() + 1)]
        + [(periods == p).astype(float) for p in range(1, periods.max() + 1)]
    )
    beta, *_ = np.linalg.lstsq(x, np.log(frame["value"].to_numpy()), rcond=None)
    return float(beta[0])


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def bench_statistics(sites: int, months: int, repeat: int) -> dict[str, float]:
    from torg.evaluation.methods import difference_in_differences

    frame = panel(sites, months)
    change = frame["period"].iloc[months // 2]
    result = difference_in_differences(frame, ["s0000"], change.start_time.date())
    assert result.effect is not None
    assert abs(result.effect.log_ratio - numpy_did(frame, change)) < 1e-8
    baseline = best(lambda: numpy_did(frame, change), repeat)
    torg = best(
        lambda: difference_in_differences(frame, ["s0000"], change.start_time.date()), repeat
    )
    return {"did_numpy_seconds": baseline, "did_torg_seconds": torg, "did_ratio": torg / baseline}


def bench_report(work: Path) -> dict[str, float]:
    os.environ["TORG_VAR_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "torg.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from torg.demo.setup import TORONTO_BRANCHES, TORONTO_VISITS, data_path
    from torg.evaluation.report import report_build, report_pdf
    from torg.evaluation.services import ensure_demo_exclusions
    from torg.imports.framework.run import run_import
    from torg.organisation.models import Municipality

    call_command("migrate", verbosity=0)
    toronto = Municipality.objects.create(
        name="Toronto", slug="toronto", number="3520005", country="CA"
    )
    run_import("toronto-branches", data_path(TORONTO_BRANCHES), municipality="toronto")
    run_import("toronto-visits", data_path(TORONTO_VISITS), municipality="toronto")
    ensure_demo_exclusions()
    first, last = dt.date(2017, 1, 1), dt.date(2017, 12, 31)
    report_build(toronto, first, last)  # warm-up: imports, template and query caches
    started = time.perf_counter()
    report_build(toronto, first, last)
    build = time.perf_counter() - started
    started = time.perf_counter()
    pdf = report_pdf(report_build(toronto, first, last))
    whole = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    return {"report_build_seconds": build, "report_pdf_seconds": whole, "pdf_ratio": whole / build}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    result = bench_statistics(args.sites, args.months, args.repeat)
    work = Path(tempfile.mkdtemp(prefix="torg-bench-evaluation-"))
    try:
        result |= bench_report(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["load_average"] = os.getloadavg()[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
