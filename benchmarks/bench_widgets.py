"""Browser benchmark of the slider panels.  Run: .venv/bin/python benchmarks/bench_widgets.py [--moves N] [--only voila|lab|python] [--panel NOTEBOOK]

What a user waits for after moving a slider: from the arrow key on the focused slider handle
(``.noUi-handle``) until the panel's table and chart have both changed in the page, measured in
the browser (a MutationObserver stamps ``performance.now()`` when each has changed, and the first
animation frame after both has been painted), in Debian's chromium driven by playwright, for every
slider panel in both front ends:

* **倒推法** (``notebooks/backward_plan.ipynb``): the margin slider; headline, task table and chart;
* **结合法** (``notebooks/combined_plan.ipynb``, the quarter's panel): the blend slider; headline,
  target table and chart;

* **客户** (``notebooks/customers.ipynb``, ``customer_pages``): the liability-share slider; its headline
  (class counts; no chart);

each in **Voilà** (``salesanalytics app``) and in **JupyterLab** (a copy of the notebooks folder:
Lab autosaves outputs into the notebook it runs).  The forecast explorer has no slider (a branch
menu).

Each move waits for the previous one to settle; median and max of ``--moves`` moves (default 12)
after one warm-up move one step left, then back and forth
between the next two values (never the start value, whose result the panel may hold already).  **Python callback alone**, measured just before each browser run (so
both figures of a row share the machine's load): the same panel built in this process as the
notebook builds it, the same moves set on the slider (``slider.value = …`` runs the
observer: recompute and the panel's HTML, no comm, no browser) — the kernel's share of a move, and
less sensitive to a loaded machine than the browser figures.  Target: table and chart settle within
150 ms.  The machine may be shared: the load average is printed at the start and the end.  Prints
a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: arms a MutationObserver on the page and stamps the start; the table and chart are looked up on every
#: mutation (the panel replaces its whole output, headline, table and chart, in one swap)
ARM = """([table, chart]) => {
  const html = (sel) => { const el = document.querySelector(sel); return el ? el.innerHTML : null; };
  const before = [html(table), html(chart)];
  window.__sa = {t0: null, table: null, chart: null, painted: null};
  const check = () => {
    const now = performance.now();
    if (window.__sa.table === null && html(table) !== before[0]) window.__sa.table = now;
    if (window.__sa.chart === null && html(chart) !== before[1]) window.__sa.chart = now;
    if (window.__sa.table !== null && window.__sa.chart !== null) {
      obs.disconnect();
      // the frame that shows them: rAF runs before that frame's paint, the task after it once it is painted
      requestAnimationFrame(() => setTimeout(() => { window.__sa.painted = performance.now(); }, 0));
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  window.__sa.t0 = performance.now();
}"""
DONE = "() => window.__sa.painted !== null"
RESULT = "() => [window.__sa.table - window.__sa.t0, window.__sa.chart - window.__sa.t0, window.__sa.painted - window.__sa.t0]"

#: (name, notebook, slider, table, chart): what a move must change.  The customers panel has no chart, and a small
#: move of its threshold re-classifies customers (its headline's counts) without changing its top-15 table: both are
#: its headline there
PANELS = [
    ("倒推法 margin slider", "backward_plan", ".sa-slider-margin", ".sa-task-table", ".sa-task-chart"),
    ("结合法 blend slider", "combined_plan", ".sa-slider-blend", ".sa-target-table", ".sa-target-chart"),
    ("客户 liability-share slider", "customers", ".sa-slider-liability-share", ".sa-customers-headline", ".sa-customers-headline"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(proc, port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server on port {port} did not start")
        time.sleep(0.3)


def left(i: int) -> bool:
    """Move ``i`` (0 the warm-up) goes left: one step left, then back and forth between the next two values
    (a slider may start at its maximum, and its start value is the page's own result, shown without a compute)."""
    return i == 0 or i % 2 == 1


def measure(page, slider: str, table: str, chart: str, moves: int) -> list[tuple[float, float, float]]:
    """Per move: (ms until the table changed, ms until the chart changed, ms until that frame was painted)."""
    handle = page.locator(f"{slider} .noUi-handle")
    handle.wait_for(state="visible", timeout=180_000)
    page.locator(chart).wait_for(state="attached", timeout=180_000)
    times = []
    for i in range(moves + 1):
        handle.focus()
        page.evaluate(ARM, [table, chart])
        page.keyboard.press("ArrowLeft" if left(i) else "ArrowRight")
        page.wait_for_function(DONE, timeout=30_000, polling=10)
        if i:  # the first move warms the kernel's code paths
            times.append(tuple(page.evaluate(RESULT)))
    return times


def voila(browser, notebook: str, slider: str, table: str, chart: str, moves: int):
    from salesanalytics.adapters import app

    port = free_port()
    proc = app.start(notebook, port=port)
    try:
        wait_listening(proc, port)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
        return measure(page, slider, table, chart, moves)
    finally:
        app.stop(proc)


def jupyterlab(browser, notebook: str, slider: str, table: str, chart: str, moves: int):
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="sa-bench-lab-"))
    shutil.copy(ROOT / "notebooks" / f"{notebook}.ipynb", folder)  # Lab autosaves outputs: never into the committed notebook
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                             "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", "--allow-root",
                             f"--ServerApp.root_dir={folder}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ), start_new_session=True)
    try:
        wait_listening(proc, port)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook}.ipynb", timeout=180_000)
        page.locator(".jp-Notebook").wait_for(state="visible", timeout=180_000)
        # the app handle (expose_app_in_browser) runs the cells once the notebook's kernel is ready
        page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
                               timeout=180_000, polling=200)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        return measure(page, slider, table, chart, moves)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


_PANELS: dict = {}


def python_panel(notebook: str):
    """(panel, slider) built as the notebook's widget cell builds it (its default parameters), once."""
    if notebook in _PANELS:
        return _PANELS[notebook]
    from salesanalytics.adapters import widgets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if notebook == "backward_plan":
            plan, history, _ = widgets.backward_from_parameters("seed_case_2012.yaml")
            panel = widgets.backward_explorer(plan, target_yuan=float(plan.target_yuan), gross_margin=plan.gross_margin, history=history)
            css = widgets.CSS["margin"]
        elif notebook == "combined_plan":
            from salesanalytics.adapters.quarter import load_state

            state = load_state(None, n_draws=1000, seed=0, scenario="基准")
            panel = widgets.quarter_combined_explorer(state, scenario="基准")
            css = widgets.CSS["blend"]
        else:
            from salesanalytics.adapters import customer_pages

            rules = {"asset_top_share": 0.2, "asset_min_referrals": 2, "liability_oc_share": 0.65, "liability_min_hours": 8.0}
            panel = customer_pages.customers_explorer(customer_pages.customers_from_parameters("", "", "", rules=rules, lifetime=True), top=15)
            css = customer_pages.CSS["liability_oc_share"]
    _PANELS[notebook] = panel, next(w for w in panel.children if css in w._dom_classes)
    return _PANELS[notebook]


def callback_alone(notebook: str, moves: int) -> list[float]:
    """ms of ``slider.value = …`` (the observer: recompute and the panel's HTML), the browser's moves."""
    _, slider = python_panel(notebook)
    start = slider.value
    times = []
    for i in range(moves + 1):
        new = slider.value - slider.step if left(i) else slider.value + slider.step
        new = min(max(new, slider.min), slider.max)
        t0 = time.perf_counter()
        slider.value = new
        if i:
            times.append((time.perf_counter() - t0) * 1000)
    slider.value = start  # where the browser's panel starts, for the next row
    return times


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--only", choices=["voila", "lab", "python"], help="one front end (or the callbacks alone)")
    parser.add_argument("--panel", choices=[nb for _, nb, *_ in PANELS], help="one panel")
    args = parser.parse_args()

    print(f"load average at start: {load()} (1, 5, 15 min), {os.cpu_count()} cores", flush=True)
    head = ("| panel | front end | moves | Python callback alone ms (median / max) | table ms (median) | settled ms (median) "
            "| settled ms (max) | painted ms (median) |")
    rows = []
    fronts = [f for f in ("python", "voila", "lab") if args.only in (None, f)]
    browsers = [f for f in fronts if f != "python"]
    with contextlib.ExitStack() as stack:
        if browsers:
            from playwright.sync_api import sync_playwright

            p = stack.enter_context(sync_playwright())
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            stack.callback(browser.close)
        for name, notebook, slider, table, chart in [p for p in PANELS if args.panel in (None, p[1])]:
            for front in browsers or ["python"]:
                # the callback alone just before the browser's moves: the two figures of a row share the machine's load
                ms = callback_alone(notebook, args.moves)
                alone = f"{statistics.median(ms):.0f} / {max(ms):.0f}"
                if front == "python":
                    rows.append(f"| {name} | (no browser) | {len(ms)} | {alone} | | | | |")
                    print(rows[-1], flush=True)
                    continue
                label = "Voilà" if front == "voila" else "JupyterLab"
                run = voila if front == "voila" else jupyterlab
                try:
                    times = run(browser, notebook, slider, table, chart, args.moves)
                except Exception as exc:  # noqa: BLE001 — one setup failing must not hide the other figures
                    rows.append(f"| {name} | {label} | failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]} | {alone} | | | | |")
                else:
                    settle = [max(a, b) for a, b, _ in times]
                    rows.append(f"| {name} | {label} | {len(times)} | {alone} | {statistics.median([a for a, _, _ in times]):.0f} | "
                                f"{statistics.median(settle):.0f} | {max(settle):.0f} | {statistics.median([c for _, _, c in times]):.0f} |")
                print(rows[-1], flush=True)
    print(f"\nload average at end: {load()}\n")
    print(head)
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
