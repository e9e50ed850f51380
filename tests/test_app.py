"""`salesanalytics app`: Voilà bound to 127.0.0.1 (the serving itself is tested in test_browser)."""

from __future__ import annotations

import sys

import pytest

from salesanalytics.adapters import app, cli
from salesanalytics.core.exceptions import ParameterError


def test_voila_command_listens_on_localhost_only():
    cmd = app.voila_command("backward_plan", port=9000)
    assert cmd[:3] == [sys.executable, "-m", "voila"]
    assert cmd[3].endswith("notebooks/backward_plan.ipynb")
    assert "--port=9000" in cmd and "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd


def test_whole_folder_by_default():
    assert app.voila_command(None)[3].endswith("notebooks")


@pytest.mark.parametrize("name, hint", [("backward_pln", "Did you mean 'backward_plan'"), ("nothing", "Notebooks: ")])
def test_unknown_notebook(name, hint):
    with pytest.raises(ParameterError, match=hint):
        app.notebook_path(name)


def test_cli_unknown_notebook_exits_2(capsys):
    assert cli.main(["app", "excutive_summary"]) == 2
    assert "Did you mean 'executive_summary'" in capsys.readouterr().err
