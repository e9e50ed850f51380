"""Benchmark of the combined method (结合法). Run: .venv/bin/python benchmarks/bench_combined.py

Measures, on the bundled case (14 branches with history + 2 new branches, 2026 plan,
2000 simulated paths):
* the full combined plan with the forecast: ``CombinedPlanner(plan).fit(history).evaluate()``
  (forecaster fit on 14 series + simulation + backward plan + every table), in a warm process
  (modules imported, files read), median of 3; and once in a fresh interpreter including imports;
* re-using the fitted forecast (what a slider does): ``evaluate(blend=...)``,
  ``evaluate(plan=plan.replace(gross_margin=...))`` (the backward plan is refitted), median of 30;
* all three scenarios with the bundled adjustments (``run``), median of 10.
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COLD = f"""
import time; t = time.perf_counter()
from salesanalytics.adapters import io
from salesanalytics.methods.combined import CombinedPlanner
h = io.read_history(r"{ROOT / 'data' / 'history_monthly.csv'}"); plan = io.read_plan(r"{ROOT / 'data' / 'plan_2026.yaml'}")
CombinedPlanner(plan).fit(h).evaluate()
print(time.perf_counter() - t)
"""


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (CPU time is less moved by other load)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def fmt(times: tuple[float, float], unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    digits = 0 if unit == "ms" else 2
    return f"{times[0] * scale:.{digits}f} {unit} (CPU {times[1] * scale:.{digits}f} {unit})"


def main() -> None:
    import os

    from salesanalytics.adapters import io
    from salesanalytics.methods.combined import CombinedPlanner
    from salesanalytics.methods.forward import make_forecaster  # import cost kept out of the warm figure

    history = io.read_history(ROOT / "data" / "history_monthly.csv")
    plan = io.read_plan(ROOT / "data" / "plan_2026.yaml")
    adjustments = io.read_adjustments(ROOT / "data" / "adjustments_2026.csv")
    scenarios = io.read_scenarios(ROOT / "data" / "scenarios_2026.yaml")
    CombinedPlanner(plan).fit(history).evaluate()  # warm-up: first calls of statsmodels / numpy paths

    rows = [("load average (1 min) at the start", f"{os.getloadavg()[0]:.1f}", "")]
    rows.append(("full combined plan incl. forecast fit + 2000-path simulation (warm process), median of 3",
                 fmt(timed(lambda: CombinedPlanner(plan).fit(history).evaluate(), 3), "s"), "< 5 s"))
    planner = CombinedPlanner(plan).fit(history)
    branch_history = history.groupby(["month", "branch"], as_index=False)["revenue"].sum()
    rows.append(("of which the forecaster's fit alone (14 series), median of 3", fmt(timed(lambda: make_forecaster(planner.forecaster_.horizon).fit(branch_history), 3), "s"), ""))
    blends = iter([i / 100 for i in range(1000)])
    rows.append(("slider: evaluate(blend=...) re-using the fit, median of 30", fmt(timed(lambda: planner.evaluate(blend=next(blends) % 1), 30)), "< 200 ms"))
    margins = iter([0.07 + i / 10000 for i in range(1000)])
    rows.append(("slider: evaluate(plan=plan.replace(gross_margin=...)) (backward plan refitted), median of 30",
                 fmt(timed(lambda: planner.evaluate(plan=plan.replace(gross_margin=next(margins))), 30)), "< 200 ms"))
    rows.append(("3 scenarios + 3 adjustments: run(...), median of 10", fmt(timed(lambda: planner.run(scenarios, adjustments=adjustments), 10)), ""))
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True)
    rows.append(("fresh interpreter: imports (statsmodels...) + read files + full combined plan, wall", f"{float(out.stdout):.2f} s", ""))
    rows.append(("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}", ""))
    print("| measure | result | target |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
