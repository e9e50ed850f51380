"""Benchmark: tracking 5,000 salespeople with a year of daily actuals (~1.8 million rows).

Run: ``.venv/bin/python benchmarks/bench_tracking.py [--people 5000] [--repeat 3]``

The measured work runs in a fresh child process so that its peak resident
memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is the tracker's own
(plus the input frames it is given).  The input is built in memory, not read
from disk: reading a CSV is the io module's cost, not the tracker's.

What is timed: ``Tracker.fit`` (validation with pandera, duplicate and share
checks, the exact split of multi-credit deals in fen, aggregation), then
attainment for company, branch and salesperson × month/QTD/YTD, the re-plan
per branch and per salesperson, the daily pace per salesperson and the weekly
table per branch.  The year-end outlook is left out: its cost is the forward
forecaster's (per branch series, independent of the number of people).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def make_data(people: int = 5000, branches: int = 50, year: int = 2025, seed: int = 1):
    """Person targets (people x 12) and one credit line per person-day; 10 % of deals shared 60/40."""
    rng = np.random.default_rng(seed)
    branch_of = np.arange(people) % branches
    names = np.array([f"P{i:05d}" for i in range(people)], dtype=object)
    bnames = np.array([f"B{b:02d}" for b in range(branches)], dtype=object)
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    task = np.round(rng.uniform(50_000, 150_000, (people, 12)), 2)
    targets = pd.DataFrame(
        {
            "month": np.tile(months.to_numpy(), people),
            "branch": np.repeat(bnames[branch_of], 12),
            "salesperson": np.repeat(names, 12),
            "sales_task": task.reshape(-1),
        }
    )
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    n = people * len(days)
    person = np.repeat(np.arange(people), len(days))
    day = np.tile(days.to_numpy(), people)
    amount = np.round(rng.gamma(2.0, 1800.0, n), 2)
    deal = np.arange(n)
    share = np.full(n, 100.0)
    # 10 % of lines become the second line of the previous line's deal (same branch, 60/40)
    second = np.flatnonzero(rng.random(n) < 0.10)
    second = second[(second > 0) & (branch_of[person[second]] == branch_of[person[np.maximum(second - 1, 0)]])]
    second = second[np.diff(np.concatenate([[-2], second])) > 1]  # never chain three lines
    deal[second] = deal[second - 1]
    amount[second] = amount[second - 1]
    day[second] = day[second - 1]
    share[second - 1], share[second] = 60.0, 40.0
    person[second] = (person[second - 1] + branches) % people  # a colleague of the same branch
    actuals = pd.DataFrame(
        {
            "date": day,
            "branch": bnames[branch_of[person]],
            "salesperson": names[person],
            "product": np.array(["设备", "耗材", "服务"], dtype=object)[rng.integers(0, 3, n)],
            "deal_id": pd.Series(deal).map("D{:07d}".format).to_numpy(dtype=object),
            "share": share,
            "revenue": amount,
        }
    )
    return targets, actuals


def child(people: int, repeat: int) -> dict:
    from salesanalytics.methods.tracking import Tracker

    targets, actuals = make_data(people)
    rss_input = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    cpu = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        tr = Tracker(as_of="2025-12-31").fit(targets, actuals)
        t_fit = time.perf_counter() - t0
        for level in ("company", "branch", "salesperson"):
            tr.attainment(level, "all")
        tr.replan("branch")
        tr.replan("salesperson")
        tr.weekly("branch")
        times.append((t_fit, time.perf_counter() - t0))
        cpu.append(time.process_time() - c0)
    # the daily pace needs a day left in the year: pace on 30 September
    t0 = time.perf_counter()
    tr = Tracker(as_of="2025-09-30").fit(targets, actuals)
    tr.daily_pace("salesperson")
    t_pace = time.perf_counter() - t0
    return {
        "people": people,
        "rows": len(actuals),
        "fit_s": min(t for t, _ in times),
        "total_s": min(t for _, t in times),
        "total_s_median": sorted(t for _, t in times)[len(times) // 2],
        "total_cpu_s": min(cpu),
        "fit_and_pace_s": t_pace,
        "rss_after_input_mb": rss_input,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.people, args.repeat)))
        return
    out = subprocess.run([sys.executable, __file__, "--child", "--people", str(args.people), "--repeat", str(args.repeat)], capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["python"] = platform.python_version()
    result["pandas"] = pd.__version__
    result["load_average"] = [round(x, 1) for x in __import__("os").getloadavg()]
    print(json.dumps(result, indent=2))
    ok = result["total_s"] < 5 and result["peak_rss_mb"] < 2048
    print("PASS" if ok else "FAIL", f"(goal: < 5 s and < 2048 MB for {result['rows']:,} rows)")


if __name__ == "__main__":
    main()
