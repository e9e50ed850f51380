"""The command line: the seed case end to end, help, outputs."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from salesanalytics.adapters.cli import main

from .conftest import DATA


def test_seed_case_through_the_cli(tmp_path, capsys):
    out = tmp_path / "任务.xlsx"
    assert main(["backward", str(DATA / "seed_case_2012.yaml"), "--out", str(out), "--goal-seek", "monthly_growth"]) == 0
    text = capsys.readouterr().out
    assert "68,000,000.00" in text and "850,000,000.00" in text
    assert "北京" in text and "海口" in text and "monthly_growth = 35.39" in text
    total_line = next(line for line in text.splitlines() if line.startswith("合计"))
    assert total_line.split() == ["合计", "850,000,000", "68,000,000", "48,309,282", "41", "161"]
    book = pd.read_excel(out, sheet_name=None)
    assert list(book) == ["销售任务分解表", "毛利任务分解表", "任务明细", "团队编制", "假设"]
    matrix = book["销售任务分解表"].set_index("分公司")
    assert matrix.loc["合计", "合计"] == pytest.approx(850_000_000, abs=1e-6)
    tidy = book["任务明细"]
    assert round(tidy["gross_profit_task"].sum(), 2) == 68_000_000
    assert len(tidy) == 168


def test_csv_output_per_salesperson_in_english(tmp_path, capsys):
    out = tmp_path / "tasks.csv"
    code = main(["backward", str(DATA / "plan_2026.yaml"), "--history", str(DATA / "history_monthly.csv"), "--level", "salesperson", "--lang", "en", "--out", str(out)])
    assert code == 0
    assert "Sales required" in capsys.readouterr().out
    tidy = pd.read_csv(out, encoding="utf-8-sig")
    assert {"month", "branch", "salesperson", "sales_task"} <= set(tidy.columns)
    assert tidy["salesperson"].nunique() > 300


def test_help_lists_subcommands():
    proc = subprocess.run([sys.executable, "-m", "salesanalytics", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "backward" in proc.stdout and "generate-data" in proc.stdout


def test_no_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
