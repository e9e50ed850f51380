"""Benchmark of the backward method (倒推法). Run: .venv/bin/python benchmarks/bench_backward.py

Measures, on this machine:
* `import salesanalytics` and `import salesanalytics.methods.backward` (fresh interpreter, best of 5);
* the handbook's seed case (read plan excluded; fit + matrix), median of 50 runs after import;
* 10,000 salespeople x 12 months (500 branches x 20 people, capacity allocation,
  compound growth, a new branch, roster split in exact fen), median of 5 runs;
* the recompute behind a slider move (plan.replace(gross_margin=...) + fit + matrix), median of 50.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_time(module: str) -> float:
    best = float("inf")
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"],
            capture_output=True, text=True, check=True,
        )
        best = min(best, float(out.stdout))
    return best


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    import numpy as np
    import pandas as pd

    from salesanalytics.methods.backward import BackwardPlanner
    from salesanalytics.adapters.io import read_plan
    from salesanalytics.methods.plan import Plan

    rows = []
    rows.append(("import salesanalytics", f"{import_time('salesanalytics') * 1000:.0f} ms", "< 500 ms"))
    rows.append(("import salesanalytics.methods.backward (pandas, pandera)", f"{import_time('salesanalytics.methods.backward') * 1000:.0f} ms", ""))

    seed = read_plan(ROOT / "data" / "seed_case_2012.yaml")

    def seed_case():
        p = BackwardPlanner(seed).fit()
        p.matrix()
        assert int(p.tasks_["sales_task_fen"].sum()) == 85_000_000_000

    seed_case()
    rows.append(("seed case: fit + 任务分解表 (14 branches x 12 months)", f"{timed(seed_case, 50) * 1000:.1f} ms", "< 50 ms"))

    def slider():
        BackwardPlanner(seed.replace(gross_margin=0.09)).fit().matrix()

    rows.append(("slider move: margin changed, refit + matrix", f"{timed(slider, 50) * 1000:.1f} ms", "< 100 ms"))

    rng = np.random.default_rng(0)
    n_branches, per_branch = 500, 20
    branches = [{"branch": f"B{i:03d}", "headcount": per_branch, "gp_per_head_month": float(rng.integers(1000, 3000))} for i in range(n_branches)]
    roster = pd.DataFrame(
        {
            "branch": np.repeat([b["branch"] for b in branches], per_branch),
            "salesperson": [f"P{i:05d}" for i in range(n_branches * per_branch)],
            "weight": rng.lognormal(0, 0.25, n_branches * per_branch),
        }
    )
    big = Plan.from_dict(
        {
            "year": 2026,
            "target": {"kind": "net_profit", "amount_yuan": 680_000_000},
            "gross_margin": 0.08,
            "phasing": {"method": "compound_growth", "monthly_growth": 0.05},
            "branches": branches,
        },
        roster=roster,
    )

    def big_case():
        p = BackwardPlanner(big).fit()
        people = p.person_tasks_
        assert len(people) == 10_000 * 12
        assert int(people["gross_profit_task_fen"].sum()) == p.requirement_.gross_profit_fen

    big_case()
    rows.append(("10,000 salespeople x 12 months (500 branches), fit incl. roster split", f"{timed(big_case, 5) * 1000:.0f} ms", "< 1 s"))

    print(f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores; date {time.strftime('%Y-%m-%d')}\n")
    print("| measure | result | target |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


if __name__ == "__main__":
    main()
