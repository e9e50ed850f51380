"""Browser benchmark of the slider panels.  Run: .venv/bin/python benchmarks/bench_widgets.py [--moves N] [--no-lab]

What a user waits for after moving a slider: from the arrow key on the focused slider handle
(``.noUi-handle``) until the panel's table and chart have both changed in the page, measured in
the browser (a MutationObserver stamps ``performance.now()`` when each changes), in Debian's
chromium driven by playwright:

* **Voilà** — ``salesanalytics app backward_plan`` (the margin slider of the 倒推法 panel: task table
  and monthly chart) and ``salesanalytics app combined_plan`` (the blend slider of the 结合法 panel:
  target table and chart);
* **JupyterLab** — the same backward notebook opened in JupyterLab, all cells run, same slider.

Each move waits for the previous one to settle; median and max of ``--moves`` moves (default 12)
after one warm-up move.  Target: table and chart settle within 150 ms.  The machine may be shared:
the load average at the start is printed.  Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: arms a MutationObserver on the two outputs and stamps the start; returns nothing
ARM = """([table, chart]) => {
  const tb = document.querySelector(table), ch = document.querySelector(chart);
  const before = [tb.innerHTML, ch.innerHTML];
  window.__sa = {t0: null, table: null, chart: null};
  const check = () => {
    const now = performance.now();
    if (window.__sa.table === null && tb.innerHTML !== before[0]) window.__sa.table = now;
    if (window.__sa.chart === null && ch.innerHTML !== before[1]) window.__sa.chart = now;
    if (window.__sa.table !== null && window.__sa.chart !== null) obs.disconnect();
  };
  const obs = new MutationObserver(check);
  for (const el of [tb, ch]) obs.observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__sa.t0 = performance.now();
}"""
DONE = "() => window.__sa.table !== null && window.__sa.chart !== null"
RESULT = "() => [window.__sa.table - window.__sa.t0, window.__sa.chart - window.__sa.t0]"


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


def measure(page, slider: str, table: str, chart: str, moves: int) -> list[tuple[float, float]]:
    """Per move: (ms until the table changed, ms until the chart changed)."""
    handle = page.locator(f"{slider} .noUi-handle")
    handle.wait_for(state="visible", timeout=180_000)
    page.locator(chart).locator("svg").wait_for(state="attached", timeout=180_000)
    times = []
    for i in range(moves + 1):
        handle.focus()
        page.evaluate(ARM, [table, chart])
        page.keyboard.press("ArrowLeft" if i % 2 == 0 else "ArrowRight")  # back and forth (a slider may start at its maximum)
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


def jupyterlab(browser, moves: int):
    port = free_port()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
                             "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", "--allow-root",
                             f"--ServerApp.root_dir={ROOT / 'notebooks'}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        wait_listening(proc, port)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/lab/tree/backward_plan.ipynb", timeout=180_000)
        page.locator(".jp-Notebook").wait_for(state="visible", timeout=180_000)
        # the app handle (expose_app_in_browser) runs the cells once the notebook's kernel is ready
        page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
                               timeout=180_000, polling=200)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        return measure(page, ".sa-slider-margin", ".sa-task-table", ".sa-task-chart", moves)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def row(name: str, times) -> str:
    table = [a for a, _ in times]
    chart = [b for _, b in times]
    settle = [max(a, b) for a, b in times]
    return (f"| {name} | {len(times)} | {statistics.median(table):.0f} | {statistics.median(chart):.0f} | "
            f"{statistics.median(settle):.0f} | {max(settle):.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=12)
    parser.add_argument("--no-lab", action="store_true", help="skip JupyterLab")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores")
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        runs = [
            ("Voilà, 倒推法 margin slider (task table + chart)",
             lambda: voila(browser, "backward_plan", ".sa-slider-margin", ".sa-task-table", ".sa-task-chart", args.moves)),
            ("Voilà, 结合法 blend slider (target table + chart)",
             lambda: voila(browser, "combined_plan", ".sa-slider-blend", ".sa-target-table", ".sa-target-chart", args.moves)),
        ]
        if not args.no_lab:
            runs.append(("JupyterLab, 倒推法 margin slider (task table + chart)", lambda: jupyterlab(browser, args.moves)))
        for name, run in runs:
            try:
                rows.append(row(name, run()))
            except Exception as exc:  # noqa: BLE001 — one setup failing must not hide the other figures
                rows.append(f"| {name} | failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]} | | | | |")
            print(rows[-1], flush=True)
        browser.close()
    print()
    print("| panel | moves | table ms (median) | chart ms (median) | settled ms (median) | settled ms (max) |")
    print("|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
