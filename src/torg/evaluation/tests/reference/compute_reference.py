"""Reference values for the statistics tests, computed apart from torg.evaluation.methods.

* ``did_point_numpy``: the two-way fixed-effects DiD point estimate by plain numpy least
  squares (design built here by hand, ``numpy.linalg.lstsq``).
* ``did_statsmodels``: the same model through statsmodels' *formula* interface
  (``np.log(value) ~ C(unit) + C(year) + treated_after``), cluster-robust by unit.
* ``its_statsmodels``: segmented regression through the formula interface with month
  categories and HAC (maxlags 3 = floor(4 (48/100)^(2/9))).
* ``same_period_statsmodels``: quasi-Poisson GLM through the formula interface
  (``value ~ C(month) + after``, scale X2) on monthly.csv with the change at 2018-01.

Run: ``python compute_reference.py`` (writes reference.json). Needs numpy, pandas,
statsmodels.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

HERE = Path(__file__).parent


def main() -> None:
    panel = pd.read_csv(HERE / "panel.csv")
    panel["treated_after"] = ((panel["unit"] == "A") & (panel["year"] >= 2014)).astype(float)
    units = sorted(panel["unit"].unique())
    years = sorted(panel["year"].unique())
    columns = [panel["treated_after"].to_numpy(), np.ones(len(panel))]
    columns += [(panel["unit"] == u).to_numpy(float) for u in units[1:]]
    columns += [(panel["year"] == y).to_numpy(float) for y in years[1:]]
    design = np.column_stack(columns)
    coefficients, *_ = np.linalg.lstsq(design, np.log(panel["value"].to_numpy(float)), rcond=None)

    did = smf.ols("np.log(value) ~ C(unit) + C(year) + treated_after", data=panel).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["unit"])[0]}, use_t=True
    )
    monthly = pd.read_csv(HERE / "monthly.csv")
    monthly["year"] = monthly["month"].str[:4].astype(int)
    monthly["calendar_month"] = monthly["month"].str[5:].astype(int)
    monthly["t"] = monthly["year"] + (monthly["calendar_month"] - 1) / 12 - 2018.0
    monthly["after"] = (monthly["year"] >= 2018).astype(float)
    monthly["t_after"] = monthly["t"] * monthly["after"]
    its = smf.ols("np.log(value) ~ t + after + t_after + C(calendar_month)", data=monthly).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True}, use_t=True
    )
    import statsmodels.api as sm

    glm = smf.glm(
        "value ~ C(calendar_month) + after", data=monthly, family=sm.families.Poisson()
    ).fit(scale="X2")
    ci = glm.conf_int(alpha=0.05)
    result = {
        "did_point_numpy": float(coefficients[0]),
        "did_statsmodels": {
            "estimate": float(did.params["treated_after"]),
            "std_error": float(did.bse["treated_after"]),
            "ci_low": float(did.conf_int().loc["treated_after", 0]),
            "ci_high": float(did.conf_int().loc["treated_after", 1]),
        },
        "its_statsmodels": {
            "level": float(its.params["after"]),
            "level_std_error": float(its.bse["after"]),
            "slope_change": float(its.params["t_after"]),
            "slope_change_std_error": float(its.bse["t_after"]),
        },
        "same_period_statsmodels": {
            "estimate": float(glm.params["after"]),
            "std_error": float(glm.bse["after"]),
            "normal_ci_low": float(ci.loc["after", 0]),
            "dispersion": float(glm.scale),
        },
    }
    (HERE / "reference.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
