"""Holiday effect: the forward forecast with and without the Chinese calendar adjustment (issue #16).

Data: the synthetic generator (:mod:`salesanalytics.methods.datagen`), which
simulates working days (elasticity 0.5) and a Spring Festival effect (1.5 % per
春节 holiday day beyond the lost working days, 40 % recovered the next month).
For each seed and each held-back year Y (2024, 2025, 2026: 春节 in February,
split over January/February, in February again), a company of ``--branches``
branches is generated with ``story=False``; every branch's revenue of the
36 months before Y is the training history and the 12 months of Y are the
held-back year.  Per branch:

* ``raw``      ``_forecast_models.fit_series(y, 12, method="auto")``
* ``pooled``   :func:`_forecast_calendar.fit_series_calendar` with the company's
               :func:`fit_calendar_pooled` (each branch shrunk towards the pool)
* ``always``   ``pooled`` without the pool's significance test (the adjustment always on):
               the decision rule's worth
* ``own``      each branch's own estimate alone (no pool, always on)

MASE = mean absolute error over Y / in-sample seasonal-naive MAE of the 36
months; "jan" and "feb" are the same scaled error of January and February only.
The control company switches the calendar off in the generator
(``Process(workday_elasticity=0, sf_loss_per_day=0)``), so any change there is
harm.  "outliers" is the share of branches whose kernel note flags any month as
an outlier, "sf_flagged" the share flagged in a month with 春节 holiday days
(what the adjustment should stop: the holiday explains that month).

Run (one core)::

    .venv/bin/python benchmarks/bench_holiday.py                      # 100 branches, seeds 1-3
    .venv/bin/python benchmarks/bench_holiday.py --branches 34 --seeds 1   # quick look
    .venv/bin/python benchmarks/bench_holiday.py --size 100    # the pool test's size and power (~3 min)
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from salesanalytics.adapters import io
from salesanalytics.core import calendar_cn
from salesanalytics.methods import _forecast_calendar as C
from salesanalytics.methods import _forecast_models as K
from salesanalytics.methods import datagen as D

H = 12
YEARS = (2024, 2025, 2026)
VARIANTS = ("raw", "pooled", "always", "own")
RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def company(seed: int, year: int, branches: int, effect: bool):
    """(train months, test months, list of (name, train y, test y)) of one generated company."""
    process = D.PROCESS if effect else replace(D.PROCESS, workday_elasticity=0.0, sf_loss_per_day=0.0)
    hist = D.make_history(f"{year - 3}-01", f"{year}-12", seed, branches=branches, story=False, process=process)
    piv = hist.pivot(index="month", columns="branch", values="revenue")
    months = pd.DatetimeIndex(piv.index)
    series = [(b, piv[b].to_numpy()[:-H], piv[b].to_numpy()[-H:]) for b in piv.columns]
    return months[:-H], months[-H:], series


def kernel_diffstat() -> str:
    """``git diff --stat`` of the kernel against HEAD (it is being rewritten in parallel: say which one ran)."""
    out = subprocess.run(["git", "diff", "--stat", "HEAD", "--", "salesanalytics/methods/_forecast_models.py"],
                         cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return " ".join(out.split()) or "(unchanged from HEAD)"


def scaled_errors(y_train: np.ndarray, y_test: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return np.abs(y_test - mean) / K._scale(y_train)


def run_company(seed: int, year: int, branches: int, effect: bool) -> list[dict]:
    train_m, test_m, series = company(seed, year, branches, effect)
    t0 = time.perf_counter()
    pool = C.fit_calendar_pooled([y for _, y, _ in series], train_m)
    pool_seconds = time.perf_counter() - t0
    rows = []
    sf_month = np.array([calendar_cn.spring_festival_days(m.year, m.month) > 0 for m in train_m])
    for name, y, actual in series:
        t0 = time.perf_counter()
        raw = K.fit_series(y, H, method="auto")
        t_raw = time.perf_counter() - t0
        fits = {"raw": raw}
        for variant, p in (("pooled", pool), ("always", replace(pool, used=True))):
            t0 = time.perf_counter()
            fits[variant] = C.fit_series_calendar(y, train_m, test_m, H, p, method="auto")
            if variant == "pooled":
                t_cal = time.perf_counter() - t0 + pool_seconds / max(len(series), 1)
        own = C.fit_calendar(y, train_m, test_m)  # no pool: the series' own coefficients
        fits["own"] = C.apply_calendar(K.fit_series(y / own.hist, H, method="auto"), own)
        for variant, fit in fits.items():
            flagged = [int(i) for code, detail in fit.notes if code == "outliers" for i in detail.split(",")]
            e = scaled_errors(y, actual, fit.mean)
            rows.append({
                "effect": effect, "seed": seed, "year": year, "branch": name, "variant": variant,
                "mase": float(e.mean()), "jan": float(e[0]), "feb": float(e[1]), "rest": float(e[2:].mean()),
                "outliers": bool(flagged),
                "sf_flagged": bool(sf_month[flagged].any()),
                "used": bool(fit.calendar and fit.calendar["used"]),
                "seconds": t_raw if variant == "raw" else (t_cal if variant == "pooled" else np.nan),
                "pool_p": pool.p_value,
                "pool_sf": float(pool.beta[1]),
            })
    return rows


def size(companies: int, branches_list=(14, 100), strengths=(0.0, 0.1, 0.2, 1.0), years=YEARS) -> pd.DataFrame:
    """Share of companies in which the pool's test finds a calendar effect (p < 5 %), by effect strength and form.

    Only the pooled regression runs (no forecasts), so hundreds of companies take a few minutes.  Strength 0 is
    the control (the generator's calendar off), 1 its full effect, 0.1 / 0.2 a tenth / a fifth of it; the
    36 months before each held-back year of the main run, seeds 1001...  Columns: the test's small-sample
    forms (``_forecast_calendar.CORRECTIONS``): "dof" the product's, "none" the earlier one, "cr2" / "cr3"
    leverage-corrected.
    """
    rows = []
    for branches in branches_list:
        n = companies if branches <= 20 else max(companies * 2 // 5, 1)
        for strength in strengths:
            process = replace(D.PROCESS, workday_elasticity=D.PROCESS.workday_elasticity * strength,
                              sf_loss_per_day=D.PROCESS.sf_loss_per_day * strength)
            found = dict.fromkeys(C.CORRECTIONS, 0)
            for seed, year in ((seed, year) for seed in range(1001, 1001 + n) for year in years):
                hist = D.make_history(f"{year - 3}-01", f"{year - 1}-12", seed, branches=branches, story=False, process=process)
                piv = hist.pivot(index="month", columns="branch", values="revenue")
                ys, months = [piv[b].to_numpy() for b in piv.columns], pd.DatetimeIndex(piv.index)
                for form in C.CORRECTIONS:
                    found[form] += C.fit_calendar_pooled(ys, months, correction=form).used
            runs = n * len(years)
            rows.append({"branches": branches, "companies": runs, "strength": strength, **{f: v / runs for f, v in found.items()}})
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--branches", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--years", type=int, nargs="+", default=list(YEARS))
    ap.add_argument("--tag", default="", help="suffix of the result files")
    ap.add_argument("--size", type=int, metavar="N",
                    help="only the pool test's size and power: N companies of 14 branches (2N/5 of 100) per strength and window")
    args = ap.parse_args(argv)
    if args.size:
        table = size(args.size)
        text = (f"# bench_holiday --size {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.machine()} / "
                f"{os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}\n\nshare of companies where the pool's test finds "
                f"a calendar effect (p < 5 %); strength 0 = no effect (the size), 1 = the generator's effect\n\n"
                + table.to_string(index=False, float_format=lambda v: f"{v:.3f}") + "\n")
        io.write_text(RESULTS / "holiday_size.txt", text)
        print(text)
        return

    rows = []
    diff_at_start = kernel_diffstat()
    started = time.perf_counter()
    for effect in (True, False):
        for seed in args.seeds:
            for year in args.years:
                rows += run_company(seed, year, args.branches, effect)
                print(f"effect={effect} seed={seed} year={year}: {len(rows)} rows, {time.perf_counter() - started:.0f} s", flush=True)
    frame = pd.DataFrame(rows)
    summary = (frame.groupby(["effect", "variant"])[["mase", "jan", "feb", "rest", "outliers", "sf_flagged", "used"]].mean()
               .reindex(VARIANTS, level="variant"))
    by_year = frame.pivot_table(index=["effect", "year"], columns="variant", values="mase", aggfunc="mean")[list(VARIANTS)]
    pools = frame.drop_duplicates(["effect", "seed", "year"])[["effect", "seed", "year", "pool_p", "pool_sf"]]
    # paired comparison per branch-year: share of forecasts the adjustment made better
    wide = frame.pivot_table(index=["effect", "seed", "year", "branch"], columns="variant", values="mase")
    better = (wide["pooled"] < wide["raw"]).groupby(level="effect").mean()
    diff = wide["pooled"] - wide["raw"]
    se = diff.groupby(level="effect").std() / np.sqrt(diff.groupby(level="effect").size())
    diff_at_end = kernel_diffstat()
    secs = frame.groupby("variant")["seconds"].mean()
    load = os.getloadavg()
    text = "\n".join([
        f"# bench_holiday {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"branches {args.branches}, seeds {args.seeds}, held-back years {args.years}, train 36 months, horizon {H}, method auto, one core",
        f"machine {platform.machine()} / {os.cpu_count()} cpus, load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"_forecast_models.py vs HEAD when imported: {diff_at_start}",
        "" if diff_at_end == diff_at_start else f"  (changed on disk during the run, now: {diff_at_end}; the run used the imported one)",
        "",
        "## mean scaled errors (MASE over the held-back year; jan / feb / rest = that month's scaled error)",
        summary.round(4).to_string(),
        "",
        "## MASE by held-back year",
        by_year.round(4).to_string(),
        "",
        "## pooled minus raw MASE per branch-year: mean +- standard error, share improved",
        "\n".join(f"effect={e}: {diff.xs(e, level='effect').mean():+.4f} +- {se[e]:.4f}, improved {better[e]:.1%}" for e in se.index),
        "",
        "## company pools (p = joint Wald test of no calendar effect; sf = coefficient per 春节 day, truth -0.015 / 0)",
        pools.round(5).to_string(index=False),
        "",
        f"## seconds per series (mean, load {load[0]:.2f}: under load when above 1)",
        secs.round(3).to_string(),
        f"total {time.perf_counter() - started:.0f} s",
    ])
    print(text)
    RESULTS.mkdir(exist_ok=True)
    io.write_text(RESULTS / f"holiday_summary{args.tag}.txt", text + "\n")
    io.write_table(frame.round(5), RESULTS / f"holiday_rows{args.tag}.csv")

if __name__ == "__main__":
    main()
