"""The quarter's state for pages, CLI and notebooks: read the inputs, compute once, keep on disk.

``load_state(quarter=…, data_dir=…)`` reads the quarter's input files (the bundled names in
``data_dir``, or the given paths), keys the result by a fingerprint of the files' bytes and the
settings, and returns the cached :class:`~salesanalytics.orchestration.cycle.QuarterState` when
nothing changed — so the six pages of a report set, a re-render and ``track``/``combined`` on
the same files all read one computation.  ``write_summary`` writes the machine-readable
``summary.json`` whose figures every page's headline shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from ..core import config, periods
from ..core.exceptions import DataError, ParameterError
from ..orchestration.cycle import CycleInputs, CycleSettings, QuarterState, build_quarter_state
from . import cache, io
from .sources import Sources, as_sources

#: optional inputs: (setting name, bundled file name); a missing bundled file means "none"
SCENARIOS_FILE = "scenarios_2026.yaml"
ADJUSTMENTS_FILE = "adjustments_2026.csv"


def input_paths(data_dir: str | os.PathLike | None = None, **given: str | os.PathLike | None) -> dict[str, Path | None]:
    """Where each input of the quarter comes from: the given path, else the bundled name in ``data_dir``."""
    folder = Path(data_dir or config.DATA_DIR)
    names = {
        "plan": config.PLAN_FILE, "history": config.HISTORY_FILE, "actuals": config.ACTUALS_FILE,
        "activities": config.ACTIVITIES_FILE, "industry": config.INDUSTRY_FILE, "roster": config.ROSTER_FILE,
        "ratings": config.RATINGS_FILE, "scheme": config.SCORECARD_SCHEME_FILE, "incentive_plans": config.INCENTIVE_PLANS_FILE,
        "scenarios": SCENARIOS_FILE, "adjustments": ADJUSTMENTS_FILE, "targets": None,
    }
    out: dict[str, Path | None] = {}
    for key, name in names.items():
        value = given.get(key)
        if value == "":  # an empty setting means "none" for an optional input
            out[key] = None
        elif value:
            path = Path(value)
            out[key] = path if path.is_absolute() or path.exists() else folder / path
        else:
            out[key] = folder / name if name else None
    return out


REQUIRED = ("plan", "history", "actuals")


def read_inputs(paths: dict[str, Path | None], sources: Sources | None = None) -> CycleInputs:
    """Read every input through io's validating readers (missing optional files are skipped).

    ``sources``: the inputs a sources file names are read from there instead (a database table
    or query, checked like a file, or the file it names); the others from ``paths``.
    """
    given = sources.read_all(k for k in paths if k in sources) if sources is not None else {}
    for key in REQUIRED:
        if key not in given and (paths.get(key) is None or not paths[key].exists()):
            raise DataError(f"the quarter needs its {key} file.", source=str(paths.get(key) or key),
                            fix="run `salesanalytics generate-data` for the bundled SYNTHETIC year, or give the file")

    def opt(key, reader):
        if key in given:
            return given[key]
        path = paths.get(key)
        return reader(path) if path is not None and path.exists() else None

    read_plan = sources.read_plan if sources is not None else io.read_plan  # a roster from the sources replaces the plan's
    return CycleInputs(
        plan=opt("plan", read_plan), history=opt("history", io.read_history), actuals=opt("actuals", io.read_actuals),
        activities=opt("activities", io.read_activities), targets=opt("targets", io.read_targets),
        industry=opt("industry", io.read_industry), scenarios=opt("scenarios", io.read_scenarios),
        adjustments=opt("adjustments", io.read_adjustments), roster=opt("roster", io.read_roster),
        ratings=opt("ratings", io.read_ratings), scheme=opt("scheme", io.read_scorecard_scheme),
        incentive_plans=opt("incentive_plans", io.read_incentive_plans),
    )


def load_state(quarter: str | None = None, *, as_of: str | None = None, data_dir: str | os.PathLike | None = None,
               n_draws: int = config.DEFAULT_DRAWS, seed: int = config.DEFAULT_SEED, scenario: str = "基准",
               period: str = "ytd", lang: str = "zh", refresh: bool = False, sources: str | os.PathLike | Sources | None = None,
               **files: str | os.PathLike | None) -> QuarterState:
    """The quarter's state, from the cache when inputs and settings are unchanged (else computed and stored).

    ``quarter`` (``2026Q3``) or ``as_of`` (a date) — with neither, the last complete quarter.
    ``files``: paths overriding the bundled inputs (``plan=``, ``history=``, ``actuals=``,
    ``activities=``, ``targets=``, ``scenarios=``, ``adjustments=`` …; ``""`` for none).
    ``sources``: a sources file (:mod:`salesanalytics.adapters.sources`); the inputs it names come
    from the database (or the files it names), and the cache keys on their query text and rows.
    """
    if as_of is None:
        quarter = quarter or periods.last_complete_quarter(dt.date.today())
        as_of = periods.quarter_end(quarter)
    else:
        try:
            day = dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise ParameterError(f"as_of '{as_of}' is not a date. Fix: write it as YYYY-MM-DD, e.g. 2026-09-30.") from None
        periods.check_not_future(day, dt.date.today())
    settings = CycleSettings(as_of=str(as_of), n_draws=int(n_draws), seed=int(seed), scenario=scenario, period=period, lang=lang).check()
    paths = input_paths(data_dir, **files)
    src = as_sources(sources)
    parts = cache.file_parts({key: path for key, path in paths.items() if src is None or key not in src}, {})
    parts["settings"] = repr(settings)
    if src is None:
        state, _ = cache.cached("quarter", parts, lambda: build_quarter_state(read_inputs(paths), settings), refresh=refresh)
        return state
    # a database can change without a file changing: read it, and key on the query text and the rows read
    inputs = read_inputs(paths, src)
    parts.update({f"source:{key}": src.fingerprint(key, getattr(inputs, key)) for key in src.keys() if key in paths})
    state, _ = cache.cached("quarter", parts, lambda: build_quarter_state(inputs, settings), refresh=refresh)
    return state


def summary_json(state: QuarterState) -> str:
    """``summary.json``: the quarter's headline figures (what every page's headline shows)."""
    return json.dumps(state.summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_summary(state: QuarterState, folder: str | os.PathLike) -> Path:
    return io.write_text(Path(folder) / "summary.json", summary_json(state))
