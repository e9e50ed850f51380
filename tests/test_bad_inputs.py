"""Table-driven: every file in tests/bad_inputs/ holds one mistake and must give a clear error.

The error names the file (and sheet/column/rows where they apply) and says how to fix it;
through the CLI it exits non-zero without a traceback and writes no output file.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from salesanalytics.adapters import io
from salesanalytics.adapters.cli import main
from salesanalytics.core.exceptions import DataError, PlanError

from .conftest import BAD

HISTORY_CASES = [
    ("history_text_in_amount.csv", DataError, ["column revenue", "row 4", "'一百一' is not a number", "Fix:"]),
    ("history_missing_column.csv", DataError, ["missing column 'revenue'", "销售额", "Found columns: month, branch"]),
    ("history_misspelt_column.csv", DataError, ["is 'revenu' a misspelling of 'revenue'"]),
    ("history_empty.csv", DataError, ["the file is empty"]),
    ("history_header_only.csv", DataError, ["no data rows"]),
    ("history_bad_month.csv", DataError, ["column month", "row 5", "'2025-13' is not a date"]),
    ("history_not_monthly.csv", DataError, ["row 4", "'2025-02-15' is not the first day of a month"]),
    ("history_duplicate_rows.csv", DataError, ["rows 5, 6", "the same month/branch appears more than once"]),
    ("history_negative_headcount.csv", DataError, ["column 人数 (headcount)", "row 3", "below the minimum 0"]),
    ("history_is_xlsx.csv", DataError, ["not what its extension '.csv' says", "Excel workbook"]),
    ("history_is_text.xlsx", DataError, ["not what its extension '.xlsx' says", "text/CSV"]),
    ("history_is_text.parquet", DataError, ["not what its extension '.parquet' says"]),
    ("history_title_above_header.xlsx", DataError, ["sheet Sheet1", "header row is row 3, not row 1", "delete the rows above row 3"]),
]

PLAN_CASES = [
    ("plan_text_headcount.yaml", DataError, ["branches_text_headcount.xlsx", "sheet 分公司", "column 人数", "row 7", "'十三' is not a number"]),
    ("plan_margin_zero.yaml", PlanError, ["gross_margin: 0 is outside (0, 1)"]),
    ("plan_margin_100.yaml", PlanError, ["gross_margin: 1.0 is outside (0, 1)"]),
    ("plan_negative_headcount.yaml", DataError, ["column headcount", "row 2", "below the minimum 0"]),
    ("plan_duplicate_branch.yaml", DataError, ["rows 1, 4", "the same branch appears more than once"]),
    ("plan_seasonal_not_100.yaml", PlanError, ["sum to 96%, not 100%"]),
    ("plan_target_zero.yaml", PlanError, ["amount_yuan: 0 must be greater than 0"]),
    ("plan_target_text.yaml", PlanError, ["'六千八百万' is not an amount"]),
    ("plan_opening_outside_year.yaml", PlanError, ["2027-03 is outside the plan year 2026"]),
    ("plan_unknown_key.yaml", PlanError, ["unknown key 'gross_marign'", "Did you mean 'gross_margin'?"]),
    ("plan_roster_unknown_branch.yaml", PlanError, ["row(s) 3", "南宁", "the plan does not have"]),
    ("plan_bad_yaml.yaml", DataError, ["not valid YAML at line 4"]),
    ("plan_missing_gp_per_head.yaml", PlanError, ["gp_per_head_month (月人均毛利) is missing"]),
]


@pytest.mark.parametrize(("name", "error", "words"), HISTORY_CASES, ids=[c[0] for c in HISTORY_CASES])
def test_bad_history_file(name, error, words):
    with pytest.raises(error) as info:
        io.read_history(BAD / name)
    message = str(info.value)
    assert name in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(("name", "error", "words"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_bad_plan_file(name, error, words):
    with pytest.raises(error) as info:
        io.read_plan(BAD / name)
    message = str(info.value)
    for word in words:
        assert word in message


@pytest.mark.parametrize(("name", "error", "words"), PLAN_CASES, ids=[c[0] for c in PLAN_CASES])
def test_cli_bad_plan_exits_nonzero_and_writes_nothing(name, error, words, tmp_path, capsys):
    out = tmp_path / "tasks.xlsx"
    code = main(["backward", str(BAD / name), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert words[0] in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_history_keeps_the_earlier_output(tmp_path, capsys):
    out = tmp_path / "tasks.csv"
    out.write_text("earlier good output", encoding="utf-8")
    code = main(["backward", str(BAD.parent.parent / "data" / "plan_2026.yaml"), "--history", str(BAD / "history_text_in_amount.csv"), "--out", str(out)])
    assert code == 2
    assert out.read_text(encoding="utf-8") == "earlier good output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.csv"]


def test_cli_error_in_a_real_process_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "salesanalytics", "backward", str(BAD / "plan_margin_zero.yaml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "gross_margin" in proc.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "salesanalytics", "--debug", "backward", str(BAD / "plan_margin_zero.yaml")],
        capture_output=True,
        text=True,
    )
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr
