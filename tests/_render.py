"""Render the real report set once per test process (papermill is slow: one run serves every test).

Not a fixture module: ``rendered_set()`` is cached, so test_report, test_notebooks
and test_browser share one render however many of them run.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

QUARTER = "2026Q3"


@functools.cache
def rendered_set():
    """(RenderResult, out_dir) of ``render_reports`` over every report notebook, Chinese."""
    from salesanalytics.adapters.report import render_reports

    out = Path(tempfile.mkdtemp(prefix="sa-reports-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    # fewer simulated paths than the default keeps the session short; the numbers are not under test here
    result = render_reports(QUARTER, out_dir=out, lang="zh", parameters={"n_draws": 300})
    return result, out
