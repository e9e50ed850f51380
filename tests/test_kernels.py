"""The report run's kernel lanes: started at once, warmed, reused page after page, nothing left behind."""

from __future__ import annotations

import os
import threading

import pytest

from salesanalytics.adapters.kernels import Lanes
from salesanalytics.core.exceptions import ReportError


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _run_code(km, code: str) -> dict:
    """Execute ``code`` on the lane's kernel the way a page does (a client per page), return the reply content."""
    from jupyter_core.utils import run_sync

    async def go():
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute(code, reply=True, timeout=60)
        return reply["content"], kc

    content, _ = run_sync(go)()
    return content


def test_lanes_warm_their_kernels_and_keep_them_for_every_page(tmp_path):
    marker = tmp_path / "warmed"
    code = f"import pathlib, os\npathlib.Path({str(marker)!r}).write_text(str(os.getpid()))\nWARMED = True\n"
    with Lanes(1, cwd=tmp_path, warm_code=code) as lanes:
        lanes.ready()
        pid = int(marker.read_text())  # the warm-up ran in the kernel process
        first = lanes.submit(_run_code, "import os\nassert WARMED and os.getcwd() == %r\nPID = os.getpid()" % str(tmp_path)).result()
        second = lanes.submit(_run_code, f"assert PID == {pid}").result()  # the same kernel, page after page
    assert first["status"] == "ok" and second["status"] == "ok"


def _one_run() -> None:
    with Lanes(1, warm_code="pass") as lanes:
        lanes.ready()
        for _ in range(3):
            assert lanes.submit(_run_code, "1 + 1").result()["status"] == "ok"


def test_runs_leave_no_client_running():
    """nbclient leaves a given kernel's client running (a heartbeat thread, sockets): the lane stops it per page."""
    import gc

    _one_run()  # the process's first kernel run opens what stays for the process (zmq's own)
    gc.collect()
    before_threads, before_fds = threading.active_count(), _open_fds()
    for _ in range(3):
        _one_run()
    gc.collect()
    assert threading.active_count() == before_threads
    assert _open_fds() == before_fds  # before the fix: +16 descriptors and a heartbeat thread per page


def test_a_warm_up_that_fails_is_a_report_error_naming_the_fix():
    with Lanes(1, warm_code="import no_such_module_here") as lanes:
        with pytest.raises(ReportError, match="could not import what the pages need: ModuleNotFoundError.*Fix:"):
            lanes.ready()


def test_stop_kills_the_kernels_at_once():
    lanes = Lanes(2, warm_code="pass")
    lanes.ready()
    processes = [km.provisioner.process for km in lanes._managers]
    assert len(processes) == 2 and all(p.poll() is None for p in processes)
    lanes.stop()
    assert [p.wait(timeout=5) for p in processes] == [-9, -9]  # SIGKILL, not a graceful shutdown
    lanes.close()
