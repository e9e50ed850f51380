"""The synthetic-data generator: forecast calibration on its own rolling origins, and generation speed.

Calibration.  For each seed (the plain process: ``story=False``, 14 branches)
and each origin (December 2022 … 2025), fit the product's forecaster
(``make_forecaster(12)``, no industry file) on the 36 months up to the origin
and compare its 80 % ranges with what the generator's process actually does in
the next 12 months:

* branch-months   — lo_80/hi_80 of ``predict()``;
* branch years    — P10/P90 of each branch's simulated 12-month sum;
* company months / company year — P10/P90 of the sum of the branches' joint
  paths (``Forecaster.simulate``), so cross-branch correlation counts;
* company year (direct) — the company total fitted as one series.

Target: about 80 % everywhere.  Speed: the bundled data set, and a company of
100 branches with ~4,900 salespeople (≈313,000 deal lines and ≈912,000 activity
records to 2026-09-30).

Run (one core, ~2–3 minutes)::

    .venv/bin/python benchmarks/bench_datagen.py
    .venv/bin/python benchmarks/bench_datagen.py --seeds 5 --origins 2024,2025   # quick look
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from salesanalytics.core.exceptions import SalesAnalyticsWarning  # noqa: E402
from salesanalytics.methods import datagen  # noqa: E402
from salesanalytics.methods.forward import make_forecaster  # noqa: E402


def _inside(x, lo, hi) -> np.ndarray:
    return (x >= lo) & (x <= hi)


def calibration(seeds: list[int], origins: list[int], n_draws: int = 2000) -> pd.DataFrame:
    rows = {k: [] for k in ("branch-month", "branch-year", "company-month", "company-year", "company-year (direct)")}
    width = {k: [] for k in rows}
    for seed in seeds:
        for year in origins:
            hist = datagen.simulate_monthly(14, f"{year - 2}-01", f"{year}-12", seed=seed, story=False)
            fut = datagen.simulate_monthly(14, f"{year + 1}-01", f"{year + 1}-12", seed=seed, story=False)
            actual = fut.pivot(index="branch", columns="month", values="revenue")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SalesAnalyticsWarning)
                fc = make_forecaster(12, n_jobs=1).fit(hist)
                company = make_forecaster(12, n_jobs=1).fit(hist.groupby("month", as_index=False)["revenue"].sum().assign(branch="company"))
            names = [str(s) for s in fc.series_]
            y = actual.loc[names].to_numpy()  # (branches, 12)
            pred = fc.predict()
            lo = pred.pivot(index="branch", columns="month", values="lo_80").loc[names].to_numpy()
            hi = pred.pivot(index="branch", columns="month", values="hi_80").loc[names].to_numpy()
            rows["branch-month"] += list(_inside(y, lo, hi).ravel())
            width["branch-month"] += list(((hi - lo) / y).ravel())
            paths = fc.simulate(n_draws, seed=seed)  # (draws, branches, 12)
            qb = np.percentile(paths.sum(axis=2), [10, 90], axis=0)
            yb = y.sum(axis=1)
            rows["branch-year"] += list(_inside(yb, qb[0], qb[1]))
            width["branch-year"] += list((qb[1] - qb[0]) / yb)
            tot = paths.sum(axis=1)  # (draws, 12)
            qm = np.percentile(tot, [10, 90], axis=0)
            ym = y.sum(axis=0)
            rows["company-month"] += list(_inside(ym, qm[0], qm[1]))
            width["company-month"] += list((qm[1] - qm[0]) / ym)
            qy = np.percentile(tot.sum(axis=1), [10, 90])
            rows["company-year"].append(bool(_inside(ym.sum(), qy[0], qy[1])))
            width["company-year"].append((qy[1] - qy[0]) / ym.sum())
            qd = np.percentile(company.simulate(n_draws, seed=seed).sum(axis=(1, 2)), [10, 90])
            rows["company-year (direct)"].append(bool(_inside(ym.sum(), qd[0], qd[1])))
            width["company-year (direct)"].append((qd[1] - qd[0]) / ym.sum())
    return pd.DataFrame(
        {
            "level": list(rows),
            "n": [len(v) for v in rows.values()],
            "coverage_80_%": [100 * float(np.mean(v)) for v in rows.values()],
            "median_width_%": [100 * float(np.median(width[k])) for k in rows],
        }
    )


def annual_spread(seeds: list[int]) -> pd.DataFrame:
    """Company year-on-year growth across seeds and years: how much a year can differ from the last."""
    growth = []
    for seed in seeds:
        p = datagen.simulate_monthly(14, "2020-01", "2026-12", seed=seed, story=False)
        y = p.groupby(p["month"].dt.year)["revenue"].sum()
        growth += list(y.pct_change().dropna())
    g = 100 * np.asarray(growth)
    return pd.DataFrame({"n": [len(g)], "mean_%": [g.mean()], "sd_%": [g.std(ddof=1)], "P10_%": [np.percentile(g, 10)], "P90_%": [np.percentile(g, 90)]})


def timing(branches: int, people_per_branch: float | None, repeat: int = 1) -> dict:
    best = None
    for _ in range(repeat):
        datagen._process.cache_clear()
        t0 = time.perf_counter()
        ds = datagen.make_dataset(branches=branches, people_per_branch=people_per_branch)
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return {
        "branches": branches,
        "people": len(ds["roster"]),
        "actual_lines": len(ds["actuals"]),
        "activity_records": len(ds["activities"]),
        "ratings": len(ds["ratings"]),
        "seconds": round(best, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--origins", default="2022,2023,2024,2025", help="December of these years")
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()
    seeds = list(range(1, args.seeds + 1))
    origins = [int(y) for y in args.origins.split(",")]

    t0 = time.perf_counter()
    cal = calibration(seeds, origins, args.draws)
    t_cal = time.perf_counter() - t0
    print(f"Calibration of make_forecaster(12) on the generator: {len(seeds)} seeds x origins Dec {', '.join(map(str, origins))}, "
          f"36 months of history, 14 branches ({t_cal:.0f} s)")
    print(cal.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print()
    print("Company year-on-year growth of the plain process (seeds x 2021–2026):")
    print(annual_spread(seeds).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print()
    print("Generation time (make_dataset: history, industry, roster, ratings, actuals, activities, plan):")
    tab = pd.DataFrame([timing(14, None, repeat=3), timing(100, 49.0, repeat=1)])
    print(tab.to_string(index=False))


if __name__ == "__main__":
    main()
