"""``salesanalytics app``: the interactive notebooks served by Voilà on localhost.

Voilà runs each notebook in its own kernel and shows outputs and widgets only
(no code), so analysts who do not code can move the sliders.  It listens on
127.0.0.1 only: the notebooks read the company's data.  Further:

- offline: pages use the ``sa_app`` template (``templates/voila``), Voilà's lab page
  without its two stylesheet links to a public CDN;
- a kernel idle for ``idle_timeout`` seconds (its page closed) is culled, checked every
  ``cull_interval`` seconds: each kernel holds the quarter's data (about 300 MB);
- errors are logged on the server, never shown to users as tracebacks;
- Voilà runs in a process group of its own, and SIGTERM/SIGINT to this command stop that
  group (Voilà then shuts its kernels down); nothing of ours is left listening.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from ..core import config
from ..core.exceptions import ParameterError, suggest
from ..core.labels import text

HOST = "127.0.0.1"
#: seconds a kernel may sit idle before Voilà shuts it down (a closed tab leaves its kernel idle)
IDLE_TIMEOUT = 900
#: seconds between two checks for idle kernels
CULL_INTERVAL = 60
#: seconds Voilà gets to shut its kernels down after SIGTERM before the group is killed
STOP_GRACE = 10
TEMPLATE = "sa_app"
TEMPLATES_ROOT = Path(__file__).resolve().parent / "templates"  # holds voila/templates/sa_app


def notebook_path(name: str | None, notebooks_dir: str | Path | None = None) -> Path:
    """The notebook to serve (``None``: the whole folder); accepts ``backward_plan`` or a path."""
    folder = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    if not name:
        return folder
    path = Path(name)
    if path.suffix != ".ipynb":
        path = path.with_suffix(".ipynb")
    if not path.exists():
        path = folder / path.name
    if not path.exists():
        known = sorted(p.stem for p in folder.glob("*.ipynb"))
        raise ParameterError(f"no notebook '{name}' in {folder}.{suggest(Path(name).stem, known)} Notebooks: {', '.join(known)}.")
    return path.resolve()  # absolute: Voilà runs in the notebooks folder, whatever the caller's working directory


def voila_command(name: str | None = None, *, port: int = 8866, open_browser: bool = False, notebooks_dir=None,
                  idle_timeout: int = IDLE_TIMEOUT, cull_interval: int = CULL_INTERVAL) -> list[str]:
    """The Voilà command line (``env JUPYTER_PATH=… python -m voila ...``) bound to 127.0.0.1.

    ``env`` puts the project's templates on the Jupyter data path (:func:`voila_env`) and then
    becomes Voilà (same process), so the line runs as it is from any caller.
    """
    if idle_timeout <= 0 or cull_interval <= 0:
        raise ParameterError(f"idle timeout ({idle_timeout} s) and cull interval ({cull_interval} s) must be positive. Fix: give whole seconds above 0.")
    target = notebook_path(name, notebooks_dir)
    cmd = ["env", f"JUPYTER_PATH={voila_env()['JUPYTER_PATH']}", sys.executable, "-m", "voila", str(target), f"--port={int(port)}", f"--Voila.ip={HOST}",
           "--show_tracebacks=False", f"--template={TEMPLATE}",
           f"--MappingKernelManager.cull_idle_timeout={int(idle_timeout)}",
           f"--MappingKernelManager.cull_interval={int(cull_interval)}",
           "--MappingKernelManager.cull_connected=False"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def voila_env(environ=None) -> dict[str, str]:
    """The environment Voilà needs: the project's templates first on the Jupyter data path."""
    env = dict(os.environ if environ is None else environ)
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(TEMPLATES_ROOT), env.get("JUPYTER_PATH", "")) if p)
    return env


def start(name: str | None = None, *, notebooks_dir=None, **options) -> subprocess.Popen:
    """Voilà started in a process group of its own (so it can be stopped as one, see :func:`stop`)."""
    cmd = voila_command(name, notebooks_dir=notebooks_dir, **options)
    return subprocess.Popen(cmd, cwd=str(config.NOTEBOOKS_DIR), start_new_session=True)


def stop(proc: subprocess.Popen, grace: float = STOP_GRACE) -> int:
    """SIGTERM to Voilà's group (it shuts its kernels down), SIGKILL after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            return proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return proc.wait()


def serve(name: str | None = None, *, port: int = 8866, open_browser: bool = False, notebooks_dir=None,
          idle_timeout: int = IDLE_TIMEOUT, cull_interval: int = CULL_INTERVAL, lang: str = "zh") -> int:
    """Run Voilà until it ends or this process gets SIGTERM/SIGINT (then Voilà is stopped); returns 0 on a stop."""
    proc = start(name, port=port, open_browser=open_browser, notebooks_dir=notebooks_dir,
                 idle_timeout=idle_timeout, cull_interval=cull_interval)
    print(text("app_serving", lang, target=notebook_path(name, notebooks_dir), host=HOST, port=port, idle=idle_timeout), flush=True)
    stopping = []

    def forward(signum, _frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:
            stop(proc)
