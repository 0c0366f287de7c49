"""Independent reference numbers for the Likert tests: plain Python (csv, math), no NumPy/SciPy.

Reads ../shared/data/likert-surveys/r-likert-package/{pisaitems_ST24,sasr}.csv and writes
likert_reference.json beside this file. Definitions follow R likert 2.0.1 as read in
R/likert.R and R/summary.likert.r: percent = count / non-missing * 100; low/high = the levels
below/above the centre (n-1)/2+1; neutral = the middle level of an odd scale; mean and sd
(divisor n-1) of the level numbers. Also: top-two share with the Wilson 95 % interval
(z = 1.959963984540054, the 0.975 normal quantile), Pearson's chi-square of country × level
for pisaitems (df 6, whose survival function is exp(-x/2) * sum_{i<3} (x/2)^i / i!), and the
pooled two-proportion z test Canada vs Mexico (p = erfc(|z| / sqrt 2)).

Run: python3 compute_likert_reference.py [data-dir]
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else HERE.parents[5] / "shared/data/likert-surveys/r-likert-package"
)
PISA_LEVELS = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
SASR_LEVELS = ["Strongly Disagree", "Disagree", "Neither", "Agree", "Strongly Agree"]
Z975 = 1.959963984540054


def summary(values: list[str], levels: list[str]) -> dict[str, Any]:
    counts = [sum(1 for v in values if v == level) for level in levels]
    missing = sum(1 for v in values if v == "")
    assert sum(counts) + missing == len(values), "unknown label"
    n = sum(counts)
    percent = [c / n * 100 for c in counts]
    k = len(levels)
    half = k // 2
    low = sum(percent[:half])
    high = sum(percent[k - half :])
    neutral = percent[half] if k % 2 else 0.0
    codes = [levels.index(v) + 1 for v in values if v != ""]
    mean = sum(codes) / n
    sd = math.sqrt(sum((c - mean) ** 2 for c in codes) / (n - 1))
    agree = counts[-1] + counts[-2]
    p = agree / n
    denominator = 1 + Z975**2 / n
    centre = (p + Z975**2 / (2 * n)) / denominator
    half_width = Z975 * math.sqrt(p * (1 - p) / n + Z975**2 / (4 * n * n)) / denominator
    return {
        "counts": counts,
        "missing": missing,
        "answered": n,
        "percent": percent,
        "low": low,
        "neutral": neutral,
        "high": high,
        "mean": mean,
        "sd": sd,
        "agree": agree,
        "wilson_low": centre - half_width,
        "wilson_high": centre + half_width,
    }


def read(name: str) -> tuple[list[str], list[list[str]]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def main() -> None:
    reference: dict[str, Any] = {}
    header, rows = read("pisaitems_ST24.csv")
    countries = sorted({row[0] for row in rows})
    pisa: dict[str, Any] = {}
    grouped: dict[str, dict[str, Any]] = {}
    tests: dict[str, Any] = {}
    for j, item in enumerate(header[1:], start=1):
        pisa[item] = summary([row[j] for row in rows], PISA_LEVELS)
        grouped[item] = {
            country: summary([row[j] for row in rows if row[0] == country], PISA_LEVELS)
            for country in countries
        }
        # Pearson chi-square, countries x levels.
        table = [grouped[item][c]["counts"] for c in countries]
        n = sum(sum(r) for r in table)
        row_sums = [sum(r) for r in table]
        col_sums = [sum(r[i] for r in table) for i in range(4)]
        chi2 = sum(
            (table[a][b] - row_sums[a] * col_sums[b] / n) ** 2 / (row_sums[a] * col_sums[b] / n)
            for a in range(3)
            for b in range(4)
        )
        half = chi2 / 2
        p_chi2 = math.exp(-half) * (1 + half + half * half / 2)
        cramers_v = math.sqrt(chi2 / (n * 2))
        ca, me = grouped[item]["Canada"], grouped[item]["Mexico"]
        k1, n1, k2, n2 = ca["agree"], ca["answered"], me["agree"], me["answered"]
        pooled = (k1 + k2) / (n1 + n2)
        z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        h = 2 * math.asin(math.sqrt(k1 / n1)) - 2 * math.asin(math.sqrt(k2 / n2))
        tests[item] = {
            "chi2": chi2,
            "dof": 6,
            "p_value": p_chi2,
            "cramers_v": cramers_v,
            "z_canada_mexico": z,
            "p_canada_mexico": math.erfc(abs(z) / math.sqrt(2)),
            "cohens_h_canada_mexico": h,
        }
    reference["pisaitems"] = pisa
    reference["pisaitems_by_country"] = grouped
    reference["pisaitems_tests"] = tests
    header, rows = read("sasr.csv")
    reference["sasr"] = {
        item: summary([row[j] for row in rows], SASR_LEVELS) for j, item in enumerate(header)
    }
    out = HERE / "likert_reference.json"
    out.write_text(json.dumps(reference, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
