"""Benchmark of the report pipeline.  Run: .venv/bin/python benchmarks/bench_report.py

Measures, in one run:

* ``import salesanalytics`` in a fresh interpreter (best of 5);
* the slider recompute of the backward notebook (seed case: plan change, refit,
  任务分解表 HTML), median of 50, and the same with the chart PNG redrawn;
* the full quarterly report set through ``render_reports`` (papermill + HTML,
  one driver process), with 1 and 2 notebooks at a time;
* the same notebooks' code as plain Python in one fresh process (parameters as
  the pipeline injects them, display calls going nowhere), to see what the
  notebook machinery costs;
* the fixed cost of one kernel: papermill + export of a one-cell notebook.

Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import json
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


def combined_slider_time() -> float:
    """结合法 panel: one blend-weight move (evaluate on the fitted planner + target matrix), median of 20."""
    from salesanalytics.adapters import io, widgets
    from salesanalytics.core.config import data_path
    from salesanalytics.methods.scenarios import default_scenarios

    planner = widgets.fit_combined_planner(io.read_history(data_path("history_monthly.csv")), io.read_plan(data_path("plan_2026.yaml")), n_draws=1000, seed=0)
    base = default_scenarios()["基准"]
    times = []
    for i in range(20):
        t = time.perf_counter()
        result = planner.evaluate(base, blend=i / 20)
        result.target_matrix("zh").to_html()
        result.headline("zh")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def render(jobs: int) -> tuple[float, list[dict]]:
    from salesanalytics.adapters.report import render_reports

    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        result = render_reports(QUARTER, out_dir=out, jobs=jobs)
        return time.perf_counter() - t, result.reports


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


def plain() -> dict:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", PLAIN], capture_output=True, text=True, check=True, cwd=ROOT / "notebooks")
    wall = time.perf_counter() - t
    data = json.loads(out.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def main() -> None:
    imp = import_time()
    table, chart = slider_times()
    blend = combined_slider_time()
    overhead = kernel_overhead()
    plain_run = plain()
    render2, reports2 = render(2)
    render1, reports1 = render(1)
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| `import salesanalytics` (fresh interpreter, best of 5) | {imp * 1000:.0f} ms | < 500 ms |")
    print(f"| slider move: plan change + refit + headline + 任务分解表 HTML (seed case, median of 50) | {table * 1000:.1f} ms | < 100 ms |")
    print(f"| slider move: redraw the stacked-bar chart PNG as well (median of 10) | {chart * 1000:.0f} ms | |")
    print(f"| 结合法 blend-weight move: evaluate + target matrix HTML + headline (bundled 2026 plan, 1,000 paths, median of 20) | {blend * 1000:.0f} ms | < 100 ms |")
    print(f"| full report set ({len(reports2)} notebooks), `render_reports(jobs=2)`, wall | {render2:.1f} s | < 30 s |")
    print(f"| the same, one notebook at a time (`jobs=1`), wall | {render1:.1f} s | |")
    print(f"| the same notebooks' code as plain Python in one fresh process, wall | {plain_run['wall']:.1f} s | |")
    print(f"| ratio report set (jobs=2) / plain Python | {render2 / plain_run['wall']:.2f} | < 2 |")
    print(f"| fixed cost of one notebook: kernel start + imports + papermill + HTML of a one-cell notebook | {overhead:.1f} s | |")
    print()
    print("per notebook (seconds): name, papermill+HTML jobs=1, plain Python")
    for r in reports1:
        print(f"  {r['name']:<20} {r['seconds']:6.1f} {plain_run['per_notebook'].get(r['name'], float('nan')):6.1f}")


if __name__ == "__main__":
    main()
