"""The project's own files stay true: environment.yml = pyproject.toml, README commands = CI."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from .conftest import ROOT


def _name_and_bound(requirement: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*([<>=!~]=?\s*[^;,\s]+)?", requirement)
    assert m, requirement
    return m.group(1).lower().replace("_", "-"), (m.group(3) or "").replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = dict(_name_and_bound(r) for r in project["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep.get("pip", []):
                if not pip_dep.startswith("-e"):
                    name, bound = _name_and_bound(pip_dep)
                    listed[name] = bound
        else:
            name, bound = _name_and_bound(dep)
            if name not in ("python", "pip"):
                listed[name] = bound
    assert listed == wanted


def test_readme_first_two_commands_and_ci_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:bash|sh|shell)\n(.*?)```", readme, re.S).group(1)
    lines = [line for line in block.splitlines() if line.strip()]
    setup, test = lines[0], lines[1]
    assert "python3 -m venv .venv" in setup and "pip install" in setup and "salesanalytics" in setup
    assert "pytest" in test
    ci = [line for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    assert ci[-1] == test


def test_import_is_light():
    code = (
        "import sys, salesanalytics as sa; "
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'papermill', 'nbformat', 'scipy', 'pandas') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_public_api_resolves():
    import salesanalytics as sa

    for name in sa.__all__:
        assert getattr(sa, name) is not None


def test_public_api_points_into_the_layers():
    import salesanalytics as sa

    assert sa.evaluate_year.__module__ == "salesanalytics.orchestration.evaluation"
    assert sa.evaluate_kpis.__module__ == "salesanalytics.orchestration.evaluation"
    assert sa.make_forecaster.__module__ == "salesanalytics.methods.forward"
    assert sa.text("title_backward_plan", "en") == "Backward plan (倒推法): task breakdown"
    assert sa.label("sales_task", "zh") == "销售任务(元)"
