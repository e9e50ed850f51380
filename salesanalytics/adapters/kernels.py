"""The Jupyter kernels a report run executes its pages in: started first, warmed, reused, killed on interrupt.

A page's own work is well under a second; what costs is a kernel's start and its imports (pandas,
matplotlib, the package: about 1.5 s of CPU each).  So a run has a few *lanes* — worker threads,
each with one kernel it keeps for every page it runs — and the lanes start their kernels and the
imports every page needs before anything else happens: this module imports nothing heavier than
``jupyter_client``, so ``salesanalytics report`` starts the kernels before it imports pandas,
papermill and nbconvert, and the kernels boot while the driver imports and computes the quarter's
state.

Each notebook sets everything it uses (imports, parameters): what an earlier page left in a
kernel's namespace is never read.

jupyter_client starts each kernel in a session of its own: Ctrl-C and SIGTERM reach only the
driver.  :meth:`Lanes.stop` kills every kernel's process group at once, so an interrupted run
ends in a second, not after the running notebooks.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..core.exceptions import ReportError

#: What every page imports (and one chart drawn with the Chinese font, which loads the font): run in
#: each kernel as it starts, while the driver imports and computes the quarter's state.
WARM_UP_CODE = (
    "import pandas, matplotlib.pyplot\n"
    "from salesanalytics.adapters import charts, executive, pages, quarter\n"
    "_fig, _ax = charts.figure(2, 1)\n_ax.set_title('北京 1,234')\ncharts.to_png(_fig)\nmatplotlib.pyplot.close(_fig)\ndel _fig, _ax\n"
)

#: Kernel-app log noise ("TCP without encryption" on localhost) is not for the report's reader.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


class Lanes:
    """``n`` worker threads, each with its own kernel, started (and warmed) at construction.

    ``submit(fn, *args)`` runs ``fn(km, *args)`` on a lane with that lane's kernel manager (an
    ``AsyncKernelManager`` whose kernel is already running, for ``papermill.execute_notebook(km=...)``).
    ``ready()`` waits for every lane's kernel and re-raises a start failure.  ``close()`` shuts
    the kernels down; ``stop()`` kills them (interrupts).  Use as a context manager.
    """

    def __init__(self, n: int, *, kernel_name: str = "python3", cwd: str | Path | None = None,
                 warm_code: str = WARM_UP_CODE, timeout: float = 120.0) -> None:
        self.n = max(1, int(n))
        self.kernel_name = kernel_name
        self.cwd = str(cwd) if cwd else None
        self.warm_code = warm_code
        self.timeout = timeout
        self.stopping = False
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self._managers: list = []
        self._local = threading.local()
        self._ipc_dir = tempfile.mkdtemp(prefix="sa-kernels-")
        self._pool = ThreadPoolExecutor(max_workers=self.n, thread_name_prefix="report-lane")
        # n warm-ups submitted at once land on n threads (the pool adds a thread while all are busy)
        self._warming: list[Future] = []
        try:
            for _ in range(self.n):
                self._warming.append(self._pool.submit(self._warm_up))
        except BaseException:  # an interrupt while the lanes start: nothing may keep running
            self.stop()
            raise

    # ------------------------------------------------------------------ kernels
    def _manager_class(self):
        from jupyter_client import AsyncKernelManager

        lanes = self

        class TrackedKernelManager(AsyncKernelManager):
            async def start_kernel(self, **kw):
                await super().start_kernel(**kw)
                lanes._started(getattr(self.provisioner, "pgid", None) or getattr(self.provisioner, "pid", None))

            def client(self, **kw):
                # nbclient leaves the client of a kernel it was given running (a heartbeat thread and five
                # sockets per page): the lane stops it when the page is done
                kc = super().client(**kw)
                self.page_clients = [*getattr(self, "page_clients", []), kc]
                return kc

        return TrackedKernelManager

    def _kernel(self):
        """This lane's kernel manager (created, not started, on first use)."""
        km = getattr(self._local, "km", None)
        if km is None:
            with self._lock:
                # Unix sockets in a folder of the run, not TCP ports: a port picked free for one kernel can be taken
                # by another kernel's client before the kernel binds it ("Address already in use" in its heartbeat)
                ip = os.path.join(self._ipc_dir, f"k{len(self._managers)}")
                km = self._local.km = self._manager_class()(kernel_name=self.kernel_name, transport="ipc", ip=ip)
                self._managers.append(km)
        return km

    def _warm_up(self) -> None:
        """Start this lane's kernel and run the imports every page needs."""
        from jupyter_core.utils import run_sync

        if self.stopping:
            return
        km = self._kernel()
        run_sync(km.start_kernel)(cwd=self.cwd, extra_arguments=KERNEL_ARGUMENTS)
        client = km.blocking_client()
        # the shell channel only: no heartbeat thread that an interrupt could catch half-started
        client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        try:
            content = self._execute(km, client, self.warm_code)
        finally:
            client.stop_channels()
        if content.get("status") != "ok":
            raise ReportError(f"the report kernel could not import what the pages need: {content.get('ename', '')}: {content.get('evalue', '')}. "
                              "Fix: reinstall the package (pip install -e .) in the environment the kernel runs.")

    def _execute(self, km, client, code: str) -> dict:
        """Run ``code`` in the kernel; the reply's content.  Gives up as soon as the run is stopped or the kernel dies."""
        from queue import Empty

        msg_id = client.execute(code, silent=True, store_history=False)  # queued until the kernel listens
        deadline = time.monotonic() + self.timeout
        while True:
            if self.stopping:
                return {"status": "aborted"}
            if not threading.main_thread().is_alive():  # the driver is exiting (an interrupt before the lanes were in use)
                self.stop()
                return {"status": "aborted"}
            process = getattr(km.provisioner, "process", None)
            if process is not None and process.poll() is not None:
                raise ReportError("the report kernel stopped while it started. Fix: check that the environment's ipykernel works "
                                  "(python -m ipykernel_launcher --help).")
            if time.monotonic() > deadline:
                raise ReportError(f"the report kernel did not start within {self.timeout:.0f} s.")
            try:
                msg = client.get_shell_msg(timeout=0.2)
            except Empty:
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg.get("content", {})

    def _started(self, group: int | None) -> None:
        if not group:
            return
        with self._lock:
            self._groups.add(group)
        if self.stopping:  # started while the run was being stopped
            self.stop()

    # ------------------------------------------------------------------ use
    def ready(self) -> None:
        """Wait until every lane's kernel runs and is warmed; a failed start raises here."""
        for future in self._warming:
            future.result()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run ``fn(km, *args)`` on a free lane with that lane's running kernel."""
        def run():
            km = self._kernel()
            try:
                return fn(km, *args)
            finally:
                for kc in getattr(km, "page_clients", []):
                    try:
                        kc.stop_channels()
                    except Exception:  # noqa: BLE001 — a client already stopped is fine
                        pass
                km.page_clients = []

        return self._pool.submit(run)

    def futures(self) -> list[Future]:
        return list(self._warming)

    def stop(self) -> None:
        """Kill every kernel of the run (and anything it started) now; queued work is cancelled."""
        self.stopping = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            groups, self._groups = set(self._groups), set()
        shutil.rmtree(self._ipc_dir, ignore_errors=True)  # the killed kernels' sockets
        for group in groups:
            try:
                if group != os.getpgid(0):
                    os.killpg(group, signal.SIGKILL)
                else:  # pragma: no cover - a kernel in our own process group: only the kernel itself
                    os.kill(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def close(self) -> None:
        """Shut every kernel down (their outputs are collected: no graceful shutdown needed) and end the lanes."""
        from jupyter_core.utils import run_sync

        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            managers = list(self._managers)
        for km in managers:
            try:
                if km.has_kernel:
                    run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 — a kernel already gone is fine
                pass
        shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def __enter__(self) -> Lanes:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:  # a failure or an interrupt: the kernels go now (their threads then end at once)
            self.stop()
        else:
            self.close()
