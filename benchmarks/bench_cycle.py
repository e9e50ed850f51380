"""Benchmark: the quarterly cycle — the report set, `track`, `scorecard`, `incentives`, `combined`, cold and warm.

Each command runs as a whole process (its start-up, imports and kernels included); wall seconds,
CPU seconds (user + system of the process and every child it waited for, from ``getrusage``)
and peak memory (the largest single process, ``ru_maxrss``) are printed as the median of
``--repeat`` runs.  "cold" runs start with an empty cache folder (``SALESANALYTICS_CACHE``);
"warm" runs find the quarter's state / the command's result computed by the run before.

    python benchmarks/bench_cycle.py                       # the bundled 14 branches, 2026Q3
    python benchmarks/bench_cycle.py --branches 100 --people-per-branch 49 --repeat 1   # a large company

With ``--branches`` the data set is generated into a temporary folder by the same generator
(`salesanalytics generate-data --branches N --people-per-branch P`), and the bundled scheme,
incentive plans, scenarios and adjustments are copied beside it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = [sys.executable, "-m", "salesanalytics"]
KEEP = ("scorecard_scheme.yaml", "incentive_plans.yaml", "scenarios_2026.yaml", "adjustments_2026.csv", "seed_case_2012.yaml")


def run(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """(wall s, cpu s of the process and its children, peak MB of the largest child so far) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def measure(name: str, cmd: list[str], env: dict, repeat: int, warm: bool, cache: Path) -> dict:
    rows = []
    for _ in range(repeat):
        if not warm:
            shutil.rmtree(cache, ignore_errors=True)
        rows.append(run(cmd, env))
    wall, cpu, peak = (statistics.median(r[i] for r in rows) for i in range(3))
    label = f"{name} ({'warm' if warm else 'cold'})"
    print(f"{label:<34} wall {wall:6.2f} s   cpu {cpu:6.2f} s   peak {peak:7.0f} MB   (median of {repeat})", flush=True)
    return {"name": label, "wall": wall, "cpu": cpu, "peak_mb": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quarter", default="2026Q3")
    ap.add_argument("--branches", type=int, default=None)
    ap.add_argument("--people-per-branch", type=float, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None, help="report, track, scorecard, incentives, combined")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sa-bench-cycle-"))
    cache = work / "cache"
    env = {**os.environ, "SALESANALYTICS_CACHE": str(cache)}
    data = ROOT / "data"
    try:
        if args.branches:
            data = work / "data"
            gen = [*EXE, "generate-data", "--out", str(data), "--branches", str(args.branches)]
            if args.people_per_branch:
                gen += ["--people-per-branch", str(args.people_per_branch)]
            t0 = time.perf_counter()
            subprocess.run(gen, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            for name in KEEP:
                shutil.copy(ROOT / "data" / name, data / name)
            lines = sum(1 for _ in open(data / "actuals_2026.csv", encoding="utf-8-sig")) - 1
            acts = sum(1 for _ in open(data / "activities_2026.csv", encoding="utf-8-sig")) - 1
            people = sum(1 for _ in open(data / "roster_2026.csv", encoding="utf-8-sig")) - 1
            print(f"generated {args.branches} branches, {people:,} salespeople, {lines:,} actual lines, "
                  f"{acts:,} activity records in {time.perf_counter() - t0:.1f} s")
        as_of = {"2026Q2": "2026-06-30", "2026Q3": "2026-09-30"}.get(args.quarter, "2026-09-30")
        commands = {
            "report": [*EXE, "report", "--quarter", args.quarter, "--data", str(data), "--out", str(work / "reports")],
            "track": [*EXE, "track", "--targets", str(data / "plan_2026.yaml"), "--actuals", str(data / "actuals_2026.csv"),
                      "--activities", str(data / "activities_2026.csv"), "--history", str(data / "history_monthly.csv"),
                      "--as-of", as_of],
            "scorecard": [*EXE, "scorecard", "--data-dir", str(data), "--as-of", as_of],
            "incentives": [*EXE, "incentives", "--data-dir", str(data), "--as-of", as_of],
            "combined": [*EXE, "combined", "--history", str(data / "history_monthly.csv"), "--plan", str(data / "plan_2026.yaml"),
                         "--scenarios", str(data / "scenarios_2026.yaml"), "--adjustments", str(data / "adjustments_2026.csv")],
        }
        for name, cmd in commands.items():
            if args.only and name not in args.only:
                continue
            measure(name, cmd, env, args.repeat, warm=False, cache=cache)
            measure(name, cmd, env, args.repeat, warm=True, cache=cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
