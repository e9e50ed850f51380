"""The committed notebooks: thin, no outputs, a documented parameters cell; every one runs under papermill."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from salesanalytics.adapters.report import REPORTS, declared_parameters

from ._render import QUARTER, rendered_set

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PARAM_LINE = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*): (?P<type>int|float|str|bool) = (?P<value>.+?)  # (?P<help>\S.*)$")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_notebooks():
    names = {p.stem for p in NOTEBOOKS}
    assert {"backward_plan", "executive_summary"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = _load(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, f"{path.name}: strip outputs"
    assert "widgets" not in nb.get("metadata", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_with_plain_literals_and_help_on_every_line(path):
    nb = _load(path)
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"{path.name}: exactly one cell tagged 'parameters'"
    lines = [line for line in _source(cells[0]).splitlines() if line.strip()]
    names = []
    for line in lines:
        m = PARAM_LINE.match(line)
        assert m, f"{path.name}: '{line}' is not 'name: type = literal  # help'"
        value = ast.literal_eval(m["value"])
        assert type(value).__name__ == m["type"], f"{path.name}: {m['name']} is annotated {m['type']} but its value is {value!r}"
        assert "=" not in m["help"] and "'" not in m["help"] and '"' not in m["help"], (
            f"{path.name}: papermill's inspection drops help text with '=' or quotes ({m['name']})"
        )
        names.append(m["name"])
    # papermill sees every one of them (so `papermill --help-notebook` documents them all)
    declared = declared_parameters(path)
    assert list(declared) == names
    assert all(p.help for p in declared.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    """Imports, parameters, then library calls: no function or class definitions, short cells."""
    for cell in _load(path)["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_source(cell))
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], path.name
        assert len(_source(cell).splitlines()) <= 12, f"{path.name}: move logic into the package"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_report_notebooks_take_the_pipeline_parameters(path):
    declared = declared_parameters(path)
    assert {"quarter", "lang", "data_dir"} <= set(declared)
    assert path.name in {r.notebook for r in REPORTS}


@pytest.mark.slow
def test_every_notebook_runs_under_papermill():
    """The smoke run: the session's report render executes every notebook with papermill."""
    result, out = rendered_set()
    rendered = {r["notebook"] for r in result.reports}
    assert rendered == {p.name for p in NOTEBOOKS}
    for r in result.reports:
        assert (out / QUARTER / r["file"]).stat().st_size > 10_000


#: the quarter's pages read one state (the backward page stays the handbook's method page)
QUARTER_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem in {"executive_summary", "forward_forecast", "combined_plan", "quarterly_review", "scorecard"}]
#: the simulation settings every page of a set shares (so the report's -p n_draws=… reaches them all)
SHARED = {"n_draws": (int, 1000), "seed": (int, 0), "scenario": (str, "基准")}


@pytest.mark.parametrize("path", QUARTER_NOTEBOOKS, ids=lambda p: p.stem)
def test_quarter_notebooks_share_the_simulation_settings(path):
    declared = declared_parameters(path)
    for name, (kind, default) in SHARED.items():
        assert name in declared, f"{path.name}: declare {name}"
        assert declared[name].type is kind and declared[name].default == default, f"{path.name}: {name}"


@pytest.mark.parametrize("path", QUARTER_NOTEBOOKS, ids=lambda p: p.stem)
def test_quarter_notebooks_read_the_one_state_and_nothing_else(path):
    code = "\n".join(_source(c) for c in _load(path)["cells"] if c["cell_type"] == "code")
    assert "load_state(quarter or None, data_dir=data_dir or None, n_draws=n_draws, seed=seed, scenario=scenario" in code
    for word in ("io.read", "read_csv", "make_forecaster", "Tracker(", "Planner(", "plan_combined", "evaluate_year", ".fit(",
                 "import statsmodels", "backward_from_parameters"):
        assert word not in code, f"{path.name}: {word} — pages read the quarter's state, they compute nothing themselves"
