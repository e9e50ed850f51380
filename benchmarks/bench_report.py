"""Benchmark of the report pipeline.  Run: .venv/bin/python benchmarks/bench_report.py [--quick]

Measures, in one run:

* the full quarterly set as a user runs it: the whole ``salesanalytics report --quarter 2026Q3``
  process, wall time and CPU time of the process *and its children* (the notebook kernels),
  median of 3 — **cold** (an empty cache: the quarter's state is computed once, before any
  kernel) and **warm** (the same quarter rendered again: every page reads the cached state);
  targets ≤ 10 s wall / ≤ 15 s CPU cold, ≤ 6 s wall warm (2 cores);
* seconds per notebook (papermill + HTML, from the set's ``manifest.json``);
* the same notebooks' code as plain Python in one fresh process (warm cache), to see what the
  notebook machinery costs, and the fixed cost of one kernel (a one-cell notebook);
* ``import salesanalytics`` in a fresh interpreter (best of 5);
* the slider recompute of the backward notebook (seed case), median of 50, and the 结合法
  blend-weight move on the quarter's own fitted planner, median of 20.

The machine may be shared with other work: the figures are wall and CPU of this run, and the
load average at the start is printed beside them.  ``--quick`` runs each set once.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUARTER = "2026Q3"


def import_time() -> float:
    best = float("inf")
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", "import time; t = time.perf_counter(); import salesanalytics; print(time.perf_counter() - t)"],
            capture_output=True, text=True, check=True,
        )
        best = min(best, float(out.stdout))
    return best


def slider_times() -> tuple[float, float]:
    from salesanalytics.adapters import charts, io, widgets
    from salesanalytics.core.config import data_path

    plan = io.read_plan(data_path("seed_case_2012.yaml"))
    widgets.task_table_html(widgets.recompute_backward(plan), "zh")  # warm-up
    table, chart = [], []
    for i in range(50):
        t = time.perf_counter()
        planner = widgets.recompute_backward(plan, target_yuan=68_000_000 + i * 100_000, gross_margin=0.08 + i * 0.0005, growth=0.3)
        widgets.headline_html(planner, "zh")
        widgets.task_table_html(planner, "zh")
        table.append(time.perf_counter() - t)
        if i < 10:
            t = time.perf_counter()
            charts.to_png(charts.monthly_tasks(planner.tasks(), "zh"))
            chart.append(time.perf_counter() - t)
    return statistics.median(table), statistics.median(chart)


def combined_slider_time(cache: str) -> float:
    """结合法 panel: one blend-weight move on the quarter's fitted planner (evaluate + target matrix + headline), median of 20."""
    os.environ["SALESANALYTICS_CACHE"] = cache
    from salesanalytics.adapters.quarter import load_state

    state = load_state(QUARTER)
    planner, base = state.combined_planner, state.headline_result.scenario
    times = []
    for i in range(20):
        t = time.perf_counter()
        result = planner.evaluate(base, blend=i / 20, adjustments=state.combined_adjustments)
        result.target_matrix("zh").to_html()
        result.headline("zh")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run_set(out: str, cache: str, *extra: str) -> tuple[float, float, dict]:
    """(wall s, CPU s of the process and its children, manifest) of one ``salesanalytics report`` run."""
    env = {**os.environ, "SALESANALYTICS_CACHE": cache}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "salesanalytics", "report", "--quarter", QUARTER, "--out", out, *extra],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"report failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    manifest = json.loads((Path(out) / QUARTER / "manifest.json").read_text(encoding="utf-8"))
    return wall, cpu, manifest


def full_set(repeats: int) -> dict:
    """Cold (fresh cache each time) and warm (the same quarter again, cache kept) runs of the set."""
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="sa-bench-") as tmp:
        for i in range(repeats):
            cold.append(run_set(f"{tmp}/out-cold-{i}", f"{tmp}/cache-cold-{i}"))
        warm_cache = f"{tmp}/cache-cold-0"  # already holds the state
        for _ in range(repeats):
            warm.append(run_set(f"{tmp}/out-cold-0", warm_cache))
        plain_run = plain(warm_cache)
        return {"cold": cold, "warm": warm, "plain": plain_run, "cache": warm_cache, "combined_slider": combined_slider_time(warm_cache)}


def kernel_overhead() -> float:
    from salesanalytics.adapters.report import ReportSpec, render_reports

    spec = ReportSpec("ok", "ok.ipynb", "title_backward_plan")
    with tempfile.TemporaryDirectory() as out:
        render_reports("2026Q2", out_dir=out, notebooks_dir=ROOT / "tests" / "notebooks", reports=[spec])  # warm
        t = time.perf_counter()
        render_reports("2026Q2", out_dir=out, notebooks_dir=ROOT / "tests" / "notebooks", reports=[spec])
        return time.perf_counter() - t


PLAIN = r"""
import contextlib, io as _io, json, sys, time
t0 = time.perf_counter()
from salesanalytics.adapters.report import available_reports
from salesanalytics.core import config
import nbformat  # only to read the code cells; its import time is measured and subtracted
t_nb = time.perf_counter()
specs = available_reports(config.NOTEBOOKS_DIR)
cells = {}
for spec in specs:
    nb = nbformat.read(config.NOTEBOOKS_DIR / spec.notebook, as_version=4)
    cells[spec.name] = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
t_read = time.perf_counter()
times = {}
for spec in specs:
    t = time.perf_counter()
    ns = {"quarter": "2026Q3", "data_dir": str(config.DATA_DIR), "lang": "zh", "interactive": False}
    src = nbformat.read(config.NOTEBOOKS_DIR / spec.notebook, as_version=4)
    params = next(c.source for c in src.cells if "parameters" in c.metadata.get("tags", []))
    exec(params, ns)
    ns.update({"quarter": "2026Q3", "data_dir": str(config.DATA_DIR), "lang": "zh", "interactive": False})
    with contextlib.redirect_stdout(_io.StringIO()):
        for code in cells[spec.name]:
            exec(code, ns)
    times[spec.name] = time.perf_counter() - t
total = time.perf_counter() - t0 - (t_read - t_nb)
print(json.dumps({"total": total, "per_notebook": times}))
"""


def plain(cache: str) -> dict:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PLAIN], capture_output=True, text=True, check=True, cwd=ROOT / "notebooks",
                         env={**os.environ, "SALESANALYTICS_CACHE": cache})
    wall = time.perf_counter() - t
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def _median(runs: list, i: int) -> float:
    return statistics.median(r[i] for r in runs)


def main() -> None:
    repeats = 1 if "--quick" in sys.argv else 3
    load = os.getloadavg()[0]
    sets = full_set(repeats)
    imp = import_time()
    table, chart = slider_times()
    overhead = kernel_overhead()
    cold, warm = sets["cold"], sets["warm"]
    n = len(cold[0][2]["reports"])
    print(f"machine: {os.cpu_count()} cores, shared; load average {load:.2f} at the start; median of {repeats}")
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| full set ({n} notebooks), `salesanalytics report`, cold cache, wall | {_median(cold, 0):.1f} s | ≤ 10 s |")
    print(f"| the same, CPU of the process and its kernels | {_median(cold, 1):.1f} s | ≤ 15 s |")
    print(f"| full set re-rendered, warm cache, wall | {_median(warm, 0):.1f} s | ≤ 6 s |")
    print(f"| the same, CPU of the process and its kernels | {_median(warm, 1):.1f} s | |")
    print(f"| the same notebooks' code as plain Python in one fresh process (warm cache), wall | {sets['plain']['wall']:.1f} s | |")
    print(f"| fixed cost of one notebook: kernel start + imports + papermill + HTML of a one-cell notebook | {overhead:.1f} s | |")
    print(f"| `import salesanalytics` (fresh interpreter, best of 5) | {imp * 1000:.0f} ms | < 500 ms |")
    print(f"| slider move: plan change + refit + headline + 任务分解表 HTML (seed case, median of 50) | {table * 1000:.1f} ms | < 100 ms |")
    print(f"| slider move: redraw the stacked-bar chart PNG as well (median of 10) | {chart * 1000:.0f} ms | |")
    print(f"| 结合法 blend-weight move on the quarter's planner: evaluate + target matrix HTML + headline (1,000 paths, median of 20) | {sets['combined_slider'] * 1000:.0f} ms | < 100 ms |")
    print()
    print("every run (wall s / CPU s): cold " + ", ".join(f"{w:.1f}/{c:.1f}" for w, c, _ in cold)
          + "; warm " + ", ".join(f"{w:.1f}/{c:.1f}" for w, c, _ in warm))
    print("per notebook (seconds, papermill + HTML in the set's kernels, 2 at a time): name, cold, warm, plain Python")
    cold_nb = {r["name"]: r["seconds"] for r in cold[len(cold) // 2][2]["reports"]}
    warm_nb = {r["name"]: r["seconds"] for r in warm[len(warm) // 2][2]["reports"]}
    for name in cold_nb:
        print(f"  {name:<20} {cold_nb[name]:6.1f} {warm_nb.get(name, float('nan')):6.1f} {sets['plain']['per_notebook'].get(name, float('nan')):6.1f}")


if __name__ == "__main__":
    main()
