"""`salesanalytics app`: Voilà bound to 127.0.0.1, offline, idle kernels culled, stopped as one group.

The browser tests drive Debian's chromium with playwright, as tests/test_browser.py does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from salesanalytics.adapters import app, cli
from salesanalytics.core.exceptions import ParameterError

from .test_browser import browser  # noqa: F401 — the shared chromium fixture


def test_voila_command_listens_on_localhost_only():
    cmd = app.voila_command("backward_plan", port=9000)
    assert cmd[0] == "env" and cmd[1] == f"JUPYTER_PATH={app.voila_env()['JUPYTER_PATH']}"  # the offline template
    assert cmd[2:5] == [sys.executable, "-m", "voila"]
    assert cmd[5].endswith("notebooks/backward_plan.ipynb")
    assert "--port=9000" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd


def test_no_tracebacks_for_users_and_idle_kernels_culled_by_default():
    cmd = app.voila_command("backward_plan")
    assert "--show_tracebacks=False" in cmd and "--template=sa_app" in cmd
    assert f"--MappingKernelManager.cull_idle_timeout={app.IDLE_TIMEOUT}" in cmd
    assert f"--MappingKernelManager.cull_interval={app.CULL_INTERVAL}" in cmd
    assert (app.TEMPLATES_ROOT / "voila" / "templates" / "sa_app" / "index.html.j2").exists()
    assert app.voila_env({"JUPYTER_PATH": "/x"})["JUPYTER_PATH"] == f"{app.TEMPLATES_ROOT}{os.pathsep}/x"


@pytest.mark.parametrize("idle, interval", [(0, 60), (900, 0), (-5, 10)])
def test_bad_cull_settings(idle, interval):
    with pytest.raises(ParameterError, match="must be positive"):
        app.voila_command("backward_plan", idle_timeout=idle, cull_interval=interval)


def test_whole_folder_by_default():
    assert app.voila_command(None)[5].endswith("notebooks")


@pytest.mark.parametrize("name, hint", [("backward_pln", "Did you mean 'backward_plan'"), ("nothing", "Notebooks: ")])
def test_unknown_notebook(name, hint):
    with pytest.raises(ParameterError, match=hint):
        app.notebook_path(name)


def test_cli_unknown_notebook_exits_2(capsys):
    assert cli.main(["app", "excutive_summary"]) == 2
    assert "Did you mean 'executive_summary'" in capsys.readouterr().err


# ----------------------------------------------------------------------------
# the running app, in a real browser
# ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_listening(proc, port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not _listening(port):
        assert proc.poll() is None, "the app exited"
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.3)


def _kernels(pid: int) -> list:
    psutil = pytest.importorskip("psutil")
    try:
        return [p for p in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.NoSuchProcess:
        return []


@pytest.mark.browser
@pytest.mark.slow
def test_app_is_offline_culls_idle_kernels_and_stops_on_sigterm(browser):  # noqa: F811
    psutil = pytest.importorskip("psutil")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "salesanalytics.adapters.cli", "app", "backward_plan", f"--port={port}",
                             "--idle-timeout=4", "--cull-interval=1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(proc, port)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.locator(".sa-task-table").wait_for(state="visible", timeout=120_000)
        page.locator(".sa-task-chart svg").wait_for(state="visible", timeout=30_000)
        assert "Traceback" not in page.inner_text("body")
        outside = [u for u in requests if not u.startswith((f"http://127.0.0.1:{port}/", f"ws://127.0.0.1:{port}/", "data:", "blob:"))]
        assert not outside, outside
        assert len(_kernels(proc.pid)) == 1
        page.close()  # the tab is gone: its kernel is idle and disconnected
        deadline = time.monotonic() + 60
        while _kernels(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _kernels(proc.pid), "the idle kernel was not culled"

        page = browser.new_page()  # a kernel again, to be stopped with the app
        page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
        page.locator(".sa-task-table").wait_for(state="visible", timeout=120_000)
        ours = [proc.pid] + [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
        assert len(ours) >= 3  # the command, Voilà, a kernel
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        page.close()
        deadline = time.monotonic() + 20
        while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in ours) and time.monotonic() < deadline:
            time.sleep(0.3)
        alive = [pid for pid in ours if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        assert not alive, alive
        assert not _listening(port)
    finally:
        if proc.poll() is None:
            proc.kill()
