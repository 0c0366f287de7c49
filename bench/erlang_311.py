"""Erlang C against a real contact centre: ``python bench/erlang_311.py``.

Data: the City of Vancouver 3-1-1 contact centre's daily metrics
(../shared/data/citizen-service-inquiries/vancouver-311, see its SOURCE.md): per day calls
offered and handled, average speed of answer (ASA, seconds) and service level (share of
calls answered within the centre's threshold).

The data set has no staffing, so the model cannot be checked by predicting the service
level from the staff on duty. What it can check is Erlang C's own link between the two
waiting measures: for each day, the number of agents N whose Erlang C ASA is closest to the
observed ASA (:func:`torg.rostering.erlang.average_speed_of_answer`), then the service level
Erlang C predicts with that N (:func:`torg.rostering.erlang.service_level`), against the
observed one.

Assumptions (options, printed with the result):

- the calls offered arrive as a Poisson stream at a constant rate over ``--open-hours``
  hours a day (default 15: 07:00–22:00); real arrivals peak, so one day is one average hour;
- the mean handling time is ``--handle-seconds`` (default 240 s; not in the data);
- the service level counts calls answered within ``--target-seconds`` (default 60 s; the
  data set does not state the threshold);
- nobody abandons (Erlang C), although 3-1-1 callers do (``CallsAbandoned``), and calls
  offered stand in for the arrivals the model needs.

Days without calls, without an ASA above 0 or without a service level are left out.
Exit status 2 when the file is missing or unreadable.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from torg.rostering.erlang import average_speed_of_answer, service_level  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "citizen-service-inquiries" / "vancouver-311"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/citizen-service-inquiries/vancouver-311")
FILE = DATA / "3-1-1-contact-centre-metrics.csv"


@dataclass(frozen=True)
class Day:
    date: str
    offered: int
    asa_seconds: float
    observed: float  # service level, 0–1
    servers: int  # agents whose Erlang C ASA is nearest the observed one
    predicted: float  # Erlang C service level with those agents, 0–1


def nearest_servers(arrivals_per_hour: float, handle_seconds: float, asa_seconds: float) -> int:
    """The agent count whose Erlang C ASA is nearest ``asa_seconds`` (on a log scale)."""
    load = arrivals_per_hour * handle_seconds / 3600
    servers = math.floor(load) + 1
    best, best_error = servers, math.inf
    while True:
        asa = average_speed_of_answer(servers, arrivals_per_hour, handle_seconds)
        error = abs(math.log(max(asa, 1e-9)) - math.log(asa_seconds))
        if error < best_error:
            best, best_error = servers, error
        if asa < asa_seconds:  # ASA falls as agents are added; past the target, stop
            return best
        servers += 1


def compare(
    path: Path, open_hours: float, handle_seconds: float, target_seconds: float
) -> list[Day]:
    """One :class:`Day` per usable row of the metrics file."""
    days = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            try:
                offered = int(row["CallsOffered"])
                asa = float(row["AverageSpeedofAnswer"])
                observed = float(row["ServiceLevel"])
            except (KeyError, TypeError, ValueError):
                continue
            if offered <= 0 or asa <= 0 or not 0 <= observed <= 1:
                continue
            rate = offered / open_hours
            servers = nearest_servers(rate, handle_seconds, asa)
            predicted = service_level(servers, rate, handle_seconds, target_seconds)
            days.append(Day(row["Date"], offered, asa, observed, servers, predicted))
    return days


def report(days: list[Day]) -> None:
    errors = [d.predicted - d.observed for d in days]
    print(f"  days: {len(days)} ({min(d.date for d in days)} to {max(d.date for d in days)})")
    print(
        f"  service level, mean of days: observed {statistics.fmean(d.observed for d in days):.1%}, "
        f"predicted {statistics.fmean(d.predicted for d in days):.1%}"
    )
    print(
        f"  predicted − observed (percentage points): mean {100 * statistics.fmean(errors):+.1f}, "
        f"mean absolute {100 * statistics.fmean(abs(e) for e in errors):.1f}; "
        f"within 5 points on {sum(abs(e) <= 0.05 for e in errors) / len(days):.0%} of days"
    )
    print(
        "  correlation of predicted and observed (Pearson, across days): "
        f"{statistics.correlation([d.predicted for d in days], [d.observed for d in days]):.2f}"
    )
    print("  by year: days, observed mean, predicted mean, mean absolute difference")
    for year in sorted({d.date[:4] for d in days}):
        group = [d for d in days if d.date.startswith(year)]
        print(
            f"    {year}: {len(group):>4} {statistics.fmean(d.observed for d in group):7.1%} "
            f"{statistics.fmean(d.predicted for d in group):7.1%} "
            f"{100 * statistics.fmean(abs(d.predicted - d.observed) for d in group):6.1f} pp"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=FILE)
    parser.add_argument("--open-hours", type=float, default=15)
    parser.add_argument("--handle-seconds", type=float, default=240)
    parser.add_argument("--target-seconds", type=float, default=60)
    args = parser.parse_args()
    if args.open_hours <= 0 or args.handle_seconds <= 0 or args.target_seconds < 0:
        print("error: hours and handling time must be positive", file=sys.stderr)
        return 2
    try:
        days = compare(args.file, args.open_hours, args.handle_seconds, args.target_seconds)
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    if not days:
        print(f"error: no usable rows in {args.file}", file=sys.stderr)
        return 2
    print(
        f"Erlang C against Vancouver 3-1-1 daily metrics: calls spread over "
        f"{args.open_hours:g} h a day, handling {args.handle_seconds:g} s, service level "
        f"threshold {args.target_seconds:g} s, no abandonment; agents inferred from the ASA"
    )
    report(days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
