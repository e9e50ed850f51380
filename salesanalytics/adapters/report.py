"""Render the quarterly report set: papermill, then HTML without code.

One driver process runs every report notebook (``papermill.execute_notebook``)
and exports it with nbconvert's :class:`~nbconvert.HTMLExporter` (inputs
excluded, the ``parameters`` / ``injected-parameters`` cells removed, and a
template without require.js/MathJax/widget scripts from a CDN), so the HTML
opens offline.  Importing nbformat costs about 2 s per process (jsonschema's
rfc3987-syntax grammar), so one process for the whole set, not a CLI chain.

What makes the run safe to schedule:

* **parameters fail fast** — :func:`check_parameters` reads each notebook's
  declared parameters (papermill's inspection) and rejects unknown names (with
  the nearest valid name) and wrong types before any kernel starts;
* **nothing half-written** — the set renders into a temporary folder beside
  ``reports/<quarter>`` and replaces it only when every notebook succeeded
  (an atomic swap where the file system allows it); other quarters are never
  touched; rendering only some reports (``--only``) keeps the quarter's other
  good pages and lists them in the index;
* **interruptions** — Ctrl-C or SIGTERM stops the kernels at once (they run in
  their own sessions, so the signal reaches only this driver), removes the
  temporary folder and releases the lock; folders left by a killed run (its
  process gone) are removed by the next run of the quarter;
* **loud failures** — a failing (or timed-out) cell raises
  :class:`~salesanalytics.exceptions.ReportError` naming the notebook and cell,
  the executed notebook with the error marked is kept under
  ``reports/<quarter>/failed/``, ``index.html`` says FAILED, and the last good
  reports stay where they were.

Papermill writes the executed notebooks itself (into the temporary folder);
every other file goes through :mod:`salesanalytics.io`.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__

from ..core import config, periods
from ..core.periods import parse_quarter, quarter_end  # noqa: F401  (the report's API)

from . import io, stops
from .charts import html_text as escape_html
from ..core.exceptions import ParameterError, ReportError, suggest
from ..core.labels import check_lang, t

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "sa_report"
#: Cells removed from the HTML (the parameters and papermill's bookkeeping).
HIDDEN_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})
#: Parameters the pipeline fills in itself, where a notebook declares them.
PIPELINE_PARAMETERS = ("quarter", "data_dir", "lang", "interactive", "sources_file", "reports_dir")
DEFAULT_CELL_TIMEOUT = 600
MANIFEST = "manifest.json"
#: the ``lang`` attribute of the pages
HTML_LANG = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class ReportSpec:
    """One report of the set: ``notebook`` (file in the notebooks folder) -> ``<name>.html``."""

    name: str
    notebook: str
    title_key: str
    #: the page reads the quarter's state; a page that does not (the handbook case, the customers) runs
    #: while the state is computed
    uses_state: bool = True


#: The quarterly set, in the order of the index page.  A report is rendered
#: only when its notebook exists (the forward/combined/tracking/scorecard ones
#: arrive with their modules).
REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec("executive_summary", "executive_summary.ipynb", "title_executive_summary"),
    ReportSpec("backward_plan", "backward_plan.ipynb", "title_backward_plan", uses_state=False),
    ReportSpec("forward_forecast", "forward_forecast.ipynb", "title_forward_forecast"),
    ReportSpec("combined_plan", "combined_plan.ipynb", "title_combined_plan"),
    ReportSpec("quarterly_review", "quarterly_review.ipynb", "title_quarterly_review"),
    ReportSpec("scorecard", "scorecard.ipynb", "title_scorecard"),
    ReportSpec("customers", "customers.ipynb", "title_customers", uses_state=False),
)


# ----------------------------------------------------------------------------
# quarters
# ----------------------------------------------------------------------------
def last_complete_quarter(today: dt.date | None = None) -> str:
    """The last quarter that has ended before ``today`` (the adapter reads the clock)."""
    return periods.last_complete_quarter(today or dt.date.today())


# ----------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class NotebookParameter:
    name: str
    type: type | None  # None: declared as None, anything goes
    default: Any
    help: str


_TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict}


def declared_parameters(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's inspection).

    The type is the annotation when given, else the type of the literal default.
    """
    _import_jupyter()
    from papermill.inspection import inspect_notebook

    params = {}
    for name, p in inspect_notebook(str(notebook)).items():
        typename = (p.get("inferred_type_name") or "None").strip()
        try:
            default = ast.literal_eval(p["default"])
        except (ValueError, SyntaxError) as exc:
            raise ReportError(f"{notebook}: parameter '{name}' has default {p['default']!r}, not a plain literal; notebooks take plain literals only.") from exc
        kind = _TYPES.get(typename) if typename != "None" else (None if default is None else type(default))
        params[name] = NotebookParameter(name, kind, default, p.get("help") or "")
    return params


def _coerce(value: Any, param: NotebookParameter, where: str) -> Any:
    """Check ``value`` against the declared type; strings (from the command line) are converted."""
    kind = param.type
    if kind is None:
        return value
    bad = ParameterError(
        f"{where}: parameter '{param.name}' must be {kind.__name__} (like {param.default!r}), not {value!r}."
    )
    if isinstance(value, str) and kind is not str:
        text = value.strip()
        if kind is bool:
            low = text.lower()
            if low in ("true", "yes", "1", "on"):
                return True
            if low in ("false", "no", "0", "off"):
                return False
            raise bad
        if kind is int:
            if not re.fullmatch(r"[+-]?\d[\d_]*", text):
                raise bad
            return int(text)
        if kind is float:
            try:
                return float(text)
            except ValueError:
                raise bad from None
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise bad from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is not bool and isinstance(value, bool):
        raise bad
    if not isinstance(value, kind):
        raise bad
    return value


def check_parameters(
    notebooks: Mapping[str, Path], overrides: Mapping[str, Any], pipeline: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The parameters to inject into each notebook, checked before any kernel starts.

    ``overrides`` (the user's) apply to every notebook that declares the name; a
    name that no notebook declares is an error with the nearest valid name.
    ``pipeline`` values (quarter, data_dir, lang, interactive) go to the
    notebooks that declare them.
    """
    for key in overrides:
        if key in PIPELINE_PARAMETERS:
            how = {"quarter": "--quarter", "data_dir": "--data", "lang": "--lang", "sources_file": "--sources", "reports_dir": "--out"}.get(key)
            raise ParameterError(
                f"parameter '{key}' is set by the report run itself" + (f"; give it with {how}." if how else "; reports are never interactive.")
            )
    declared = {name: declared_parameters(path) for name, path in notebooks.items()}
    valid = sorted({p for params in declared.values() for p in params})
    for key in overrides:
        if key not in valid:
            raise ParameterError(
                f"unknown report parameter '{key}'.{suggest(key, valid)} Declared parameters: {', '.join(valid) or 'none'}."
            )
    out = {}
    for name, params in declared.items():
        chosen = {}
        for key, value in list(pipeline.items()) + list(overrides.items()):
            if key in params:
                chosen[key] = _coerce(value, params[key], f"{notebooks[name].name}")
        out[name] = chosen
    return out


def parse_assignments(items: Sequence[str] | None) -> dict[str, str]:
    """``['target_yuan=7e7', 'lang=en']`` -> dict of raw strings (types are checked per notebook)."""
    out = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"parameter '{item}' is not NAME=VALUE. Fix: write it like -p target_yuan=70000000.")
        out[key.strip()] = value
    return out


# ----------------------------------------------------------------------------
# HTML export
# ----------------------------------------------------------------------------
def _exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

    class DropWidgetViews(Preprocessor):
        """Widget outputs are blank without a kernel: drop them (charts are drawn outside widgets)."""

        def preprocess_cell(self, cell, resources, index):
            if cell.get("cell_type") == "code":
                cell.outputs = [o for o in cell.get("outputs", []) if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})]
            return cell, resources

    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_TAGS), enabled=True), enabled=True)
    exporter.register_preprocessor(DropWidgetViews(enabled=True), enabled=True)
    return exporter


def notebook_to_html(nb, title: str, exporter=None) -> str:
    """Self-contained HTML of an executed notebook: outputs only, images embedded."""
    import copy

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    body, _ = (exporter or _exporter()).from_notebook_node(nb)
    return body


# ----------------------------------------------------------------------------
# the run
# ----------------------------------------------------------------------------
@dataclass
class RenderResult:
    quarter: str
    folder: Path
    index: Path
    ok: bool
    reports: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def data_fingerprint(data_dir: str | Path) -> tuple[str, list[tuple[str, str]]]:
    """SHA-256 over the names and contents of every input file, and the per-file digests."""
    files = io.file_digests(data_dir)
    h = hashlib.sha256()
    for name, digest in files:
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest(), files


def available_reports(notebooks_dir: Path, reports: Sequence[ReportSpec] = REPORTS) -> list[ReportSpec]:
    return [r for r in reports if (notebooks_dir / r.notebook).exists()]


def render_reports(
    quarter: str | None = None,
    *,
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    lang: str = "zh",
    parameters: Mapping[str, Any] | None = None,
    notebooks_dir: str | Path | None = None,
    reports: Sequence[ReportSpec] | None = None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    kernel_name: str = "python3",
    jobs: int = 2,
    sources: str | Path | None = None,
    pdf: bool = False,
    lanes=None,
    reuse: bool = False,
) -> RenderResult:
    """Render the quarter's report set into ``out_dir/<quarter>/`` (see the module docstring).

    ``jobs`` notebooks run at once (separate kernels).  With ``reports`` given, only those
    pages are rendered: the quarter's other good pages are kept and the index lists them all
    (``RenderResult.reports`` holds the pages rendered now).  ``lanes`` (a
    :class:`salesanalytics.adapters.kernels.Lanes` started by the caller, e.g. the CLI before its
    imports) runs the pages; without it the run starts its own.  With ``reuse``
    a page whose notebook, parameters, input files, package code, libraries and language are those
    of a page rendered before is taken from the cache instead of executed (never with ``sources``:
    a database changes without any file changing).  With ``pdf`` every page (and the
    index) is also printed to ``<page>.pdf`` and the whole set to ``<quarter>.pdf`` (see
    :mod:`salesanalytics.adapters.pdf`).  Returns a
    :class:`RenderResult`; raises :class:`ReportError` (after writing
    the FAILED index and keeping the failed notebook) when a notebook fails.
    """
    started = time.perf_counter()
    quarter = quarter or last_complete_quarter()
    year, q = parse_quarter(quarter)
    quarter = f"{year}Q{q}"
    check_lang(lang)
    data_dir = Path(data_dir or config.DATA_DIR).resolve()
    if not data_dir.is_dir():
        raise ParameterError(f"data folder {data_dir} does not exist. Fix: give --data DIR with the input files.")
    out_dir = Path(out_dir or config.REPORTS_DIR).resolve()
    notebooks_dir = Path(notebooks_dir or config.NOTEBOOKS_DIR).resolve()
    specs = list(reports) if reports is not None else available_reports(notebooks_dir)
    if not specs:
        raise ParameterError(f"no report notebooks found in {notebooks_dir}.")
    paths = {s.name: notebooks_dir / s.notebook for s in specs}
    for s in specs:
        if not paths[s.name].exists():
            raise ParameterError(f"report notebook {paths[s.name]} does not exist.")
    # sources: the sources file (database tables/queries) the state is built from; pages get its path, never a URL
    # reports_dir: where the pages find the previous quarter's summary.json (what changed since last quarter)
    pipeline = {"quarter": quarter, "data_dir": str(data_dir), "lang": lang, "interactive": False,
                "sources_file": str(Path(sources).resolve()) if sources else "", "reports_dir": str(out_dir)}
    injected = check_parameters(paths, dict(parameters or {}), pipeline)  # before any kernel starts
    if sources and any("sources_file" not in injected[s.name] for s in specs):
        import warnings

        from ..core.exceptions import SalesAnalyticsWarning

        blind = ", ".join(s.name for s in specs if "sources_file" not in injected[s.name])
        warnings.warn(f"these pages declare no sources_file parameter and read the files in {data_dir}: {blind}", SalesAnalyticsWarning, stacklevel=2)
    fingerprint, files = data_fingerprint(data_dir)
    # the quarter's state is computed once, while the kernels start, before any page runs: every page
    # then reads it from the cache, and summary.json carries the headline figures every page shows
    def summary_fn():
        return _quarter_summary(quarter, data_dir, dict(parameters or {}), lang, sources)

    with io.exclusive_lock(out_dir / f".{quarter}.lock") as locked:
        if not locked:
            raise ReportError(f"another run of {quarter} is writing {out_dir / quarter} right now; nothing was changed. Run again when it has finished.")
        return _render_locked(quarter, specs, paths, injected, out_dir, notebooks_dir, lang, data_dir, fingerprint, files,
                              _as_checked(parameters or {}, injected), cell_timeout, kernel_name, started, jobs,
                              summary_fn=summary_fn, keep_others=reports is not None, pdf=pdf, lanes=lanes,
                              reuse=reuse and not sources)


def _as_checked(overrides: Mapping[str, Any], injected: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The user's parameters as the notebooks received them (typed), for the index page."""
    return {k: next((inj[k] for inj in injected.values() if k in inj), v) for k, v in overrides.items()}


def _import_jupyter() -> None:
    """Import papermill/nbformat/nbconvert without jsonschema's rfc3987-syntax grammar.

    jsonschema imports ``rfc3987_syntax`` (if installed) to check the "iri"
    string formats, and that package compiles a grammar at import: about 2-3 s
    in every process that imports nbformat (jsonschema issue #1392).  Notebook
    validation never uses those formats, so in this driver process the module
    is marked missing before jsonschema is first imported (import 3.7 s -> 1.5 s
    for nbformat + papermill + nbconvert, measured here).  Harmless if
    jsonschema was imported already: then nothing changes.
    """
    import sys

    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401


def _quarter_summary(quarter: str, data_dir: Path, parameters: dict, lang: str, sources: str | Path | None = None) -> str | None:
    """Build (or read from the cache) the quarter's state with the set's settings; its summary.json text."""
    from . import quarter as quarter_state

    settings = {k: parameters[k] for k in ("n_draws", "seed", "scenario", "period") if k in parameters}
    state = quarter_state.load_state(quarter, data_dir=data_dir, lang=lang, sources=sources, **settings)
    return quarter_state.summary_json(state)


#: rendered pages kept for reuse (``cache`` kind "page"): a set of 7 pages in two languages for a few quarters
PAGE_CACHE_KEEP = 64


def _versions() -> str:
    """The libraries that shape a page (its tables, charts, HTML): a page made with others is not reused."""
    import platform
    from importlib import metadata

    names = ("pandas", "numpy", "matplotlib", "nbconvert", "papermill", "ipykernel", "statsmodels", "scipy", "jinja2")
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return f"python={platform.python_version()} " + " ".join(found)


def _page_keys(specs, paths, injected, fingerprint, out_dir, quarter, lang, kernel_name) -> dict[str, str]:
    """Each page's key: everything its HTML depends on — its notebook, its parameters, the input files, the
    package's code, the libraries, the previous quarter's summary.json (the 'since last quarter' text) and the language."""
    from . import cache

    year, q = parse_quarter(quarter)
    previous = out_dir / (f"{year}Q{q - 1}" if q > 1 else f"{year - 1}Q4") / "summary.json"
    common = {"data": fingerprint, "code": cache.code_digest(), "versions": _versions(), "kernel": kernel_name, "lang": lang,
              "previous_summary": cache.digest_file(previous) if previous.is_file() else ""}
    return {spec.name: cache.fingerprint({**common, "page": spec.name, "notebook": cache.digest_file(paths[spec.name]),
                                          "parameters": json.dumps(_jsonable(injected[spec.name]), sort_keys=True, ensure_ascii=False)})
            for spec in specs}


def _render_locked(quarter, specs, paths, injected, out_dir, notebooks_dir, lang, data_dir, fingerprint, files, user_params, cell_timeout, kernel_name, started, jobs,
                   *, summary_fn=None, keep_others: bool = False, pdf: bool = False, lanes=None, reuse: bool = False) -> RenderResult:
    from concurrent.futures import wait as futures_wait

    from .kernels import KERNEL_ARGUMENTS, Lanes

    _import_jupyter()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    final = out_dir / quarter
    # under the lock no other run of the quarter is alive: any temporary folder of it is a dead run's
    io.remove_stale_dirs(out_dir, (f".{quarter}.tmp-", f".{quarter}.old-"))
    quiet = logging.getLogger("papermill")  # nbclient logs through papermill's logger
    level = quiet.level
    # one kernel per lane (worker thread), reused for the pages that lane runs (see kernels.py); the
    # CLI starts the lanes before it imports anything heavy, a library call starts them here
    own_lanes = lanes is None
    if own_lanes:
        lanes = Lanes(min(max(1, int(jobs)), len(specs)), kernel_name=kernel_name, cwd=notebooks_dir)
    exporters = threading.local()  # one HTML exporter per lane: its templates are compiled once, not per page

    def execute(km, spec):
        t0 = time.perf_counter()
        nb = papermill.execute_notebook(
            str(paths[spec.name]), str(executed_dir / spec.notebook), parameters=injected[spec.name], kernel_name=kernel_name,
            progress_bar=False, cwd=str(notebooks_dir), execution_timeout=cell_timeout, request_save_on_cell_execute=True,
            extra_arguments=KERNEL_ARGUMENTS, km=km,
        )
        exporter = getattr(exporters, "html", None)
        if exporter is None:
            exporter = exporters.html = _exporter()
        html_text = notebook_to_html(nb, t(spec.title_key, lang), exporter)
        return html_text, time.perf_counter() - t0

    from concurrent.futures import Future

    from . import cache

    # a page whose inputs, parameters, notebook and code are those of a page rendered before is that page:
    # it is taken from the cache, not executed again (a re-render of an unchanged quarter runs no notebook)
    keys = _page_keys(specs, paths, injected, fingerprint, out_dir, quarter, lang, kernel_name) if reuse else {}
    kept = {name: entry for name, key in keys.items()
            if isinstance(entry := cache.load(key, "page"), dict) and isinstance(entry.get("html"), str)}

    def reused(spec) -> Future:
        done_ = Future()
        done_.set_result((kept[spec.name]["html"], float(kept[spec.name].get("seconds", 0.0))))
        return done_

    notes = stops.noting()
    tmp = None
    try:
        # made inside the try: a signal that comes right after (while the page keys are hashed, say) still
        # finds the folder removed by the finally below
        tmp = io.make_temp_dir(out_dir, f".{quarter}.tmp-")
        executed_dir = io.make_temp_dir(tmp, "_executed-")
        submitted: dict = {}
        try:
            # longest first (by the last good run), so the lanes finish close together; the pages that do not
            # read the quarter's state go first and run while the state is computed (and the kernels start)
            last = _last_seconds(final)
            order = sorted([s for s in specs if s.name not in kept], key=lambda s: -last.get(s.name, float("inf")))
            submitted = {spec.name: reused(spec) for spec in specs if spec.name in kept}
            submitted.update({spec.name: lanes.submit(execute, spec) for spec in order if not spec.uses_state})
            # the state is computed while this thread waits: a stop lost inside it is acted on within a poll
            summary_text = stops.run_acting_on_lost(summary_fn, notes, STOP_POLL_SECONDS) if summary_fn is not None else None
            if len(kept) == len(specs):
                lanes.stop()  # every page is reused: no kernel is needed
            else:
                lanes.ready()
            submitted.update({spec.name: lanes.submit(execute, spec) for spec in order if spec.uses_state})
            futures = [(spec, submitted[spec.name]) for spec in specs]
            outcomes = []
            for spec, future in futures:
                stops.wait_acting_on_lost(future, notes, STOP_POLL_SECONDS)
                try:
                    outcomes.append((spec, future.result(), None))
                except Exception as exc:  # noqa: BLE001 — any failure must end as a FAILED index
                    outcomes.append((spec, None, exc))
                    for _, later in futures:
                        later.cancel()  # not started yet: do not start it
        except BaseException as exc:  # Ctrl-C, SIGTERM (the CLI raises it as an interrupt): stop now, not after the notebooks
            quiet.setLevel(logging.CRITICAL + 1)  # the kernels die by our hand: no "Kernel died" lines
            lanes.stop()
            # the notebooks' threads end within a second once their kernels are dead (several on a loaded
            # machine); wait for them (bounded) so none of them writes an executed notebook into the
            # temporary folder while or after it is removed
            futures_wait([*submitted.values(), *lanes.futures()], timeout=STOP_WAIT_SECONDS)
            if not isinstance(exc, KeyboardInterrupt):
                # a stop that came while a library turned its interrupt into an error of its own (pandas' CSV
                # reader: "Error tokenizing data ... read() failed"): the user stopped the run, the data are fine
                stops.act_on_lost(notes)
            raise
        lanes.close()  # pages done: free the kernels' memory before writing (and printing) the set
        failed = [(spec, exc) for spec, _, exc in outcomes if exc is not None]
        if failed:
            spec, exc = failed[0]
            executed = executed_dir / spec.notebook
            error = _describe_failure(exc, executed, cell_timeout, PapermillExecutionError)
            raise _fail(spec, error, executed, final, quarter, lang, data_dir, fingerprint, files, user_params, started) from exc
        done = []
        for spec, (html_text, seconds), _ in outcomes:
            io.write_text(tmp / f"{spec.name}.html", html_text)
            if spec.name in keys and spec.name not in kept:
                cache.save(keys[spec.name], "page", {"html": html_text, "seconds": seconds}, keep=PAGE_CACHE_KEEP)
            done.append({"name": spec.name, "title": t(spec.title_key, lang), "notebook": spec.notebook, "file": f"{spec.name}.html",
                         "seconds": round(seconds, 2), "parameters": _jsonable(injected[spec.name]), "reused": spec.name in kept})
        io.remove_tree(executed_dir)
        listed = _keep_other_reports(final, tmp, done) if keep_others else done
        manifest = _manifest(quarter, lang, data_dir, fingerprint, files, user_params, listed, started, ok=True)
        io.write_text(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        if summary_text is not None:
            io.write_text(tmp / "summary.json", summary_text)
        io.write_text(tmp / "index.html", index_html(manifest, lang, summary=json.loads(summary_text) if summary_text else None))
        if pdf:  # printed before the move: a set is in place with all its PDFs or not at all
            from . import pdf as pdf_printer

            pages = [("index.html", t("index_title", lang, quarter=quarter))] + [(r["file"], r["title"]) for r in listed]
            pdf_printer.print_pages(tmp, pages, combined=f"{quarter}.pdf")
        with stops.held(drain=True):  # the set is swapped in whole; a stop that comes now is too late to matter
            io.replace_dir(tmp, final)
            _remove_temporary(tmp)
    finally:
        quiet.setLevel(level)
        try:
            with stops.held():  # a signal during the cleanup would leave it half done: it is delivered after it
                if tmp is not None:
                    _remove_temporary(tmp)
                else:  # a signal between mkdtemp and the assignment: the folder exists, its name ours (pid), tmp unset
                    io.remove_stale_dirs(out_dir, (f".{quarter}.tmp-",))
        finally:
            notes.restore()
    return RenderResult(quarter, final, final / "index.html", True, done, time.perf_counter() - started)


#: how long a stopped run waits for its notebook threads to end before it removes the temporary folder
STOP_WAIT_SECONDS = 15
#: how often the driver, waiting for its pages, looks whether a stop signal came that Python lost
STOP_POLL_SECONDS = 0.25


def _remove_temporary(tmp: Path, attempts: int = 20) -> None:
    """Remove the run's temporary folder, again while a late writer (a notebook thread still ending after a
    signal) puts a file back into it: ``rmtree`` leaves a folder that gained a file while it was emptied."""
    for _ in range(attempts):
        io.remove_tree(tmp)
        if not tmp.exists():
            return
        time.sleep(0.1)


def _keep_other_reports(final: Path, tmp: Path, done: list[dict]) -> list[dict]:
    """The quarter's other good pages (of the last good run) linked into the new set; all of them, in the set's order.

    Rendering some reports (``--only``) updates those pages and the index, never drops the rest.
    """
    try:
        last = json.loads(io.read_text(final / MANIFEST))
    except (OSError, ValueError):
        return done
    if not isinstance(last, dict) or last.get("status") != "ok":
        return done
    have = {r["name"] for r in done}
    kept = []
    for entry in last.get("reports") or []:
        if not isinstance(entry, dict):
            continue
        name, file = entry.get("name"), str(entry.get("file", ""))
        # a file name of the set, never a path: a hand-edited manifest cannot pull files from elsewhere
        if name in have or not re.fullmatch(r"[\w.-]+\.html", file) or file.startswith(".") or not (final / file).is_file():
            continue
        io.link_or_copy(final / file, tmp / file)
        kept.append({**entry, "rendered_at_utc": entry.get("rendered_at_utc") or last.get("rendered_at_utc")})
    order = {s.name: i for i, s in enumerate(REPORTS)}
    return sorted(kept + done, key=lambda r: order.get(r["name"], len(order)))


def _last_seconds(final: Path) -> dict[str, float]:
    """Seconds per report of the last good run of this quarter (empty if none)."""
    try:
        manifest = json.loads(io.read_text(final / MANIFEST))
        return {r["name"]: float(r["seconds"]) for r in manifest.get("reports", [])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _describe_failure(exc: Exception, executed: Path, timeout: float, exec_error) -> dict:
    if isinstance(exc, exec_error):
        first = (exc.source or "").strip().splitlines()[:1]
        # papermill inserted the injected-parameters cell and an error banner: count code cells as a reader sees them
        return {"cell": _reader_cell_number(executed, exc.cell_index), "error": f"{exc.ename}: {exc.evalue}", "source": first[0] if first else ""}
    name = type(exc).__name__
    cell = _running_cell(executed)
    if "Timeout" in name:
        return {"cell": cell, "error": f"{name}: cell did not finish within the per-cell timeout of {timeout:g} s", "source": ""}
    return {"cell": cell, "error": f"{name}: {exc}", "source": ""}


def _load_executed(executed: Path):
    import nbformat

    try:
        return nbformat.reads(io.read_text(executed), as_version=4)
    except (OSError, ValueError):
        return None


def _reader_cell_number(executed: Path, cell_index: int) -> int | str:
    """1-based position of the failing cell among the notebook's own cells (injected/banner cells not counted)."""
    nb = _load_executed(executed)
    if nb is None:
        return cell_index + 1
    own = [i for i, c in enumerate(nb.cells) if not set(c.get("metadata", {}).get("tags", [])) & {"injected-parameters", "papermill-error-cell-tag"}]
    failing = [i for i in own if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))]
    return own.index(failing[0]) + 1 if failing else cell_index + 1


def _running_cell(executed: Path) -> int | str:
    nb = _load_executed(executed)
    if nb is None:
        return "?"
    own = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    for i, c in enumerate(own):
        if c.get("metadata", {}).get("papermill", {}).get("status") == "running":
            return i + 1
    return "?"


def _fail(spec, error, executed, final, quarter, lang, data_dir, fingerprint, files, user_params, started) -> ReportError:
    """Keep the executed notebook under failed/, write the FAILED index, return the error to raise."""
    failed_dir = final / "failed"
    kept = failed_dir / spec.notebook
    if executed.exists():
        text = io.read_text(executed)
        io.write_text(kept, text)
        nb = _load_executed(executed)
        if nb is not None:
            try:
                io.write_text(failed_dir / f"{spec.name}.html", _failed_html(nb, spec))
            except Exception:  # noqa: BLE001 — the .ipynb is the record; the HTML is a convenience
                pass
    last_good = None
    if (final / MANIFEST).exists():
        try:
            last_good = json.loads(io.read_text(final / MANIFEST))
        except (OSError, ValueError):
            last_good = None
    failure = {"notebook": spec.notebook, "report": spec.name, **error,
               "kept": f"failed/{spec.notebook}" if executed.exists() else None}
    manifest = _manifest(quarter, lang, data_dir, fingerprint, files, user_params, [], started, ok=False, failure=failure, last_good=last_good)
    io.write_text(final / "index.html", index_html(manifest, lang))
    message = (
        f"report {spec.notebook} failed at cell {error['cell']}: {error['error']}"
        + (f" (`{error['source'][:80]}`)" if error.get("source") else "")
        + (f"; executed notebook kept at {kept}" if executed.exists() else "")
        + f"; {final / 'index.html'} says FAILED"
        + ("; the last good reports are kept" if last_good else "")
    )
    return ReportError(message)


def _failed_html(nb, spec) -> str:
    """The failed notebook as HTML *with* its code, so the traceback can be read in a browser."""
    import copy

    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata["title"] = "FAILED " + spec.notebook
    nb.metadata.pop("widgets", None)
    exp = HTMLExporter(extra_template_basedirs=[str(TEMPLATES_DIR)], template_name=TEMPLATE_NAME)
    return exp.from_notebook_node(nb)[0]


def _jsonable(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _manifest(quarter, lang, data_dir, fingerprint, files, user_params, done, started, *, ok, failure=None, last_good=None) -> dict:
    return {
        "quarter": quarter,
        "status": "ok" if ok else "FAILED",
        "lang": lang,
        "rendered_at_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.perf_counter() - started, 2),
        "package_version": __version__,
        "data_dir": str(data_dir),
        "data_fingerprint_sha256": fingerprint,
        "data_files": [{"file": f, "sha256": d} for f, d in files],
        "parameters": _jsonable(dict(user_params)),
        "reports": done,
        "failure": failure,
        "last_good": last_good,
    }


_INDEX_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:1180px;margin:1.5em auto;padding:0 16px;color:#222;box-sizing:border-box}
h1{font-size:1.7em;margin:.2em 0} h2{font-size:1.15em;margin:1.2em 0 .5em;color:#333}
.ok{color:#2a7a2a} .failed{color:#fff;background:#c0392b;padding:.6em 1em;font-size:1.3em}
code{font-size:.9em;word-break:break-all}
table.cards,table.cards tbody,table.reports,table.reports tbody{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px;border:0;margin:0}
table.reports,table.reports tbody{grid-template-columns:repeat(auto-fit,minmax(280px,1fr))}
table.cards tr,table.reports tr{display:contents}
table.cards td{display:block;border:1px solid #ddd;border-top:5px solid #3b6ea5;border-radius:6px;padding:8px 12px;min-width:0}
table.cards td.sa-status-green{border-top-color:#2e7d32} table.cards td.sa-status-yellow{border-top-color:#e0a800} table.cards td.sa-status-red{border-top-color:#c62828}
table.cards p{margin:2px 0} .card-label{font-size:13px;color:#555} .card-value{font-size:22px;font-weight:bold;white-space:nowrap} .card-sub{font-size:12px;color:#666}
table.reports td{display:block;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:0}
table.reports a{font-size:1.15em;font-weight:bold;color:#1d3f66;text-decoration:none} table.reports a:hover{text-decoration:underline}
table.reports p{margin:4px 0} .report-headline{color:#333} .report-meta{font-size:12px;color:#777}
table.run{border-collapse:collapse;margin:.5em 0} table.run th,table.run td{border:1px solid #ddd;padding:3px 8px;text-align:left}
.footer{margin-top:2em;border-top:1px solid #ddd;padding-top:.6em;font-size:13px;color:#555}
"""


def _shown_folder(folder: str) -> str:
    """The data folder as a reader may see it: an absolute path as its last part (pages show no folders of the machine)."""
    path = Path(str(folder))
    return path.name or str(folder) if path.is_absolute() else str(folder)


def _key_figures(summary: Mapping, lang: str) -> str:
    """The quarter's key-figure cards (the same cards as every page's first screen) as a table laid out as a grid."""
    from . import executive

    e = escape_html
    cells = []
    for card in executive.key_cards(dict(summary), lang):
        status = card["status"]
        word = "" if status == "neutral" else f" · {t('card_status_' + status, lang)}"
        cells.append(f"<td class='sa-status-{e(status)}' data-card='{e(card['key'])}' data-status='{e(status)}'>"
                     f"<p class='card-label'>{e(card['label'] + word)}</p><p class='card-value'>{e((card['value'] + ' ' + card['unit']).strip())}</p>"
                     f"<p class='card-sub'>{e(card['sub'])}</p></td>")
    return f"<h2>{e(t('index_key_figures', lang))}</h2><table class='cards'><tr>{''.join(cells)}</tr></table>"


def _report_headline(name: str, summary: Mapping | None, lang: str) -> str:
    """One sentence per report from the quarter's figures ('' without a summary or for a report with no headline)."""
    from ..core.labels import TEXTS
    from . import executive, formatting

    key = f"index_head_{name}"
    if not summary or key not in TEXTS:
        return ""
    wan = lambda k: formatting.money_wan(summary[k], lang)  # noqa: E731
    return t(key, lang, outlook=wan("outlook_yuan"), probability=executive.fmt_probability(summary["probability"]),
             target=wan("annual_target_yuan"), p10=wan("outlook_p10_yuan"), p90=wan("outlook_p90_yuan"),
             gap=wan("gap_yuan"), pct=executive.fmt_pct(summary["ytd_attainment_pct"]), remaining=wan("remaining_task_yuan"))


def index_html(manifest: Mapping, lang: str = "zh", summary: Mapping | None = None) -> str:
    """The quarter's index, the cover page of the set: the quarter's key figures (``summary``, else
    ``manifest['summary']``: the figures of summary.json), one card per report with its headline, and the
    run's metadata in a footer (parameters, data fingerprint, version, time; no absolute path) — or FAILED."""
    e = escape_html
    q = manifest["quarter"]
    summary = summary if summary is not None else manifest.get("summary")
    parts = [f"<!DOCTYPE html><html lang='{HTML_LANG[lang]}'><head><meta charset='utf-8'/>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'/>",
             f"<title>{e(t('index_title', lang, quarter=q))}{' — FAILED' if manifest['status'] != 'ok' else ''}</title>",
             f"<style>{_INDEX_CSS}</style></head><body>",
             f"<h1>{e(t('index_title', lang, quarter=q))}</h1>"]
    if manifest["status"] == "ok":
        parts.append(f"<p class='ok status' data-status='ok'>{e(t('index_ok', lang))} · {e(t('index_seconds', lang, seconds=manifest['seconds']))}</p>")
        if summary:
            parts.append(_key_figures(summary, lang))
        parts.append(f"<h2>{e(t('index_reports', lang))}</h2>")
        parts.append(_report_table(manifest["reports"], lang, summary))
    else:
        f = manifest["failure"]
        parts.append(f"<p class='failed status' data-status='FAILED'>{e(t('index_failed', lang))}</p>")
        parts.append(f"<p>{e(t('index_failed_detail', lang, notebook=f['notebook'], cell=f['cell'], error=f['error']))}</p>")
        if f.get("source"):
            parts.append(f"<p><code>{e(f['source'])}</code></p>")
        if f.get("kept"):
            html_name = f"failed/{f['report']}.html"
            parts.append(f"<p>{e(t('index_failed_kept', lang))} <a href='{e(f['kept'])}'>{e(f['kept'])}</a> · <a href='{e(html_name)}'>{e(html_name)}</a></p>")
        good = manifest.get("last_good")
        if good:
            parts.append(f"<h2>{e(t('index_last_good', lang, time=good['rendered_at_utc'] + ' UTC'))}</h2>")
            parts.append(_report_table(good["reports"], lang, None))
        else:
            parts.append(f"<p>{e(t('index_no_last_good', lang))}</p>")
    # the footer: how this set was made, enough to repeat the run
    params = manifest["parameters"]
    parts.append(f"<p class='footer'>{e(t('index_run', lang))} · {e(t('index_version', lang))}: salesanalytics {e(manifest['package_version'])} · "
                 f"{e(t('index_time', lang))}: {e(manifest['rendered_at_utc'])} · {e(t('index_data_dir', lang))}: "
                 f"<code>{e(_shown_folder(manifest['data_dir']))}</code></p>")
    parts.append(f"<details><summary>{e(t('index_parameters', lang))} · {e(t('index_fingerprint', lang))}</summary><table class='run'>")
    parts.append(f"<tr><th>{e(t('index_quarter', lang))}</th><td>{e(q)}</td></tr><tr><th>{e(t('index_lang', lang))}</th><td>{e(manifest['lang'])}</td></tr>")
    for k, v in params.items():  # the names as typed after -p, so a reader can repeat the run
        parts.append(f"<tr><th><code>{e(str(k))}</code></th><td><code>{e(repr(v))}</code></td></tr>")
    parts.append(f"<tr><th>{e(t('index_fingerprint', lang))}</th><td><code class='fingerprint'>{e(manifest['data_fingerprint_sha256'])}</code></td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>{e(t('index_files', lang))} ({len(manifest['data_files'])})</h2><table class='run'>")
    for item in manifest["data_files"]:
        parts.append(f"<tr><td><code>{e(item['file'])}</code></td><td><code>{e(item['sha256'][:16])}…</code></td></tr>")
    parts.append("</table></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _report_table(reports: Sequence[Mapping], lang: str, summary: Mapping | None = None) -> str:
    """One card per report: its title (the link), its headline from the quarter's figures, how long it took."""
    e = escape_html
    rows = ["<table class='reports'>"]
    for r in reports:
        headline = _report_headline(str(r.get("name", "")), summary, lang)
        rows.append(f"<tr><td><a class='report-link' href='{e(r['file'])}'>{e(r['title'])}</a>"
                    + (f"<p class='report-headline'>{e(headline)}</p>" if headline else "")
                    + f"<p class='report-meta'>{e(t('index_seconds', lang, seconds=float(r['seconds'])))}</p></td></tr>")
    rows.append("</table>")
    return "".join(rows)


# ----------------------------------------------------------------------------
# schedules
# ----------------------------------------------------------------------------
def render_schedules(out_dir: str | Path | None = None, lang: str = "zh", at: str = "06:00") -> str:
    """A crontab line and a systemd service + timer running the report on the 1st day of each quarter.

    The run on 1 January renders the quarter that just ended (the default
    quarter is the last complete one).  Running a quarter twice is safe: the
    set is replaced only when the new run succeeds, and a lock stops two runs
    of one quarter from overlapping.  A failed run exits non-zero, so cron
    logs it and systemd marks the unit failed (``systemctl --failed``).
    """
    import shlex
    import sys

    check_lang(lang)
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if not m:
        raise ParameterError(f"time '{at}' is not HH:MM. Fix: e.g. --time 06:00.")
    hh, mm = int(m.group(1)), int(m.group(2))
    project = config.PROJECT_DIR
    out = Path(out_dir).resolve() if out_dir else config.REPORTS_DIR
    exe = Path(sys.executable).parent / "salesanalytics"
    cmd = f"{shlex.quote(str(exe))} report --out {shlex.quote(str(out))} --lang {lang}"
    log = shlex.quote(str(out / "schedule.log"))
    return f"""# --- crontab (crontab -e): {hh:02d}:{mm:02d} on 1 Jan, 1 Apr, 1 Jul, 1 Oct ---
{mm} {hh} 1 1,4,7,10 * cd {shlex.quote(str(project))} && {cmd} >> {log} 2>&1 || logger -t salesanalytics "quarterly report FAILED, see {out / 'schedule.log'}"

# --- systemd: ~/.config/systemd/user/salesanalytics-report.service ---
[Unit]
Description=salesanalytics quarterly report set

[Service]
Type=oneshot
WorkingDirectory={project}
ExecStart={cmd}

# --- systemd: ~/.config/systemd/user/salesanalytics-report.timer ---
[Unit]
Description=Render the salesanalytics reports on the first day of each quarter

[Timer]
OnCalendar=*-01,04,07,10-01 {hh:02d}:{mm:02d}:00
Persistent=true

[Install]
WantedBy=timers.target

# enable: systemctl --user daemon-reload && systemctl --user enable --now salesanalytics-report.timer
# check:  systemctl --user list-timers salesanalytics-report.timer; journalctl --user -u salesanalytics-report
"""
