"""Write the small synthetic inputs the statistics tests read (run once; output committed).

panel.csv: 5 sites × 8 years (2010–2017), site A changes on 2014-01-01 (+20 % on top of its
own level), all sites share a year pattern, plus fixed pseudo-random noise (seed 7).
monthly.csv: one site, 48 months 2016-01..2019-12, a trend, a season, a level jump of
+15 % at 2018-01 and fixed noise (seed 11).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    rng = random.Random(7)
    levels = {"A": 1000.0, "B": 800.0, "C": 1500.0, "D": 600.0, "E": 1200.0}
    with (HERE / "panel.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "year", "value"])
        for unit, level in levels.items():
            for year in range(2010, 2018):
                value = level * (1.03 ** (year - 2010)) * (1 + rng.uniform(-0.05, 0.05))
                if unit == "A" and year >= 2014:
                    value *= 1.2
                writer.writerow([unit, year, round(value)])
    rng = random.Random(11)
    with (HERE / "monthly.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "value"])
        for index in range(48):
            year, month = 2016 + index // 12, index % 12 + 1
            season = 1 + 0.25 * math.sin(2 * math.pi * (month - 1) / 12)
            value = 5000 * (1.002**index) * season * (1 + rng.uniform(-0.04, 0.04))
            if year >= 2018:
                value *= 1.15
            writer.writerow([f"{year}-{month:02d}", round(value)])


if __name__ == "__main__":
    main()
