"""``salesanalytics app``: the interactive notebooks served by Voilà on localhost.

Voilà runs each notebook in its own kernel and shows outputs and widgets only
(no code), so analysts who do not code can move the sliders.  It listens on
127.0.0.1 only: the notebooks read the company's data.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..core import config
from ..core.exceptions import ParameterError, suggest

HOST = "127.0.0.1"


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


def voila_command(name: str | None = None, *, port: int = 8866, open_browser: bool = False, notebooks_dir=None) -> list[str]:
    """The Voilà command line (``python -m voila ...``) bound to 127.0.0.1."""
    target = notebook_path(name, notebooks_dir)
    cmd = [sys.executable, "-m", "voila", str(target), f"--port={int(port)}", f"--Voila.ip={HOST}", "--show_tracebacks=True"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def serve(name: str | None = None, *, port: int = 8866, open_browser: bool = False, notebooks_dir=None) -> int:
    """Run Voilà in the foreground until Ctrl-C; returns its exit code."""
    cmd = voila_command(name, port=port, open_browser=open_browser, notebooks_dir=notebooks_dir)
    print(f"serving {cmd[3]} on http://{HOST}:{port}/  (Ctrl-C stops)", flush=True)
    try:
        return subprocess.call(cmd, cwd=str(config.NOTEBOOKS_DIR))
    except KeyboardInterrupt:
        return 0
