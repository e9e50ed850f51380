"""Table-driven: every file in tests/bad_inputs/ holds one mistake and must give a clear error.

The error names the file (and sheet/column/rows where they apply) and says how to fix it;
through the CLI it exits non-zero without a traceback and writes no output file.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
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


# ----------------------------------------------------------------------------
# hostile and unlucky plans (YAML written on the fly: one mistake each)
# ----------------------------------------------------------------------------
def _plan_yaml(**changes) -> str:
    import copy

    import yaml

    from .conftest import SMALL_PLAN

    data = copy.deepcopy(SMALL_PLAN)
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


_BRANCHES = "branches:\n- {branch: 北京, headcount: 10, gp_per_head_month: 2000}\n"
_HEAD = "year: 2026\ntarget: {kind: net_profit, amount_yuan: 1000000}\ngross_margin: 0.1\nphasing: {method: flat}\n"
_BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else '"lol"'] * 9) + "]\n" for i in range(9))

YAML_CASES = [
    ("billion_laughs", _HEAD + _BRANCHES + _BOMB + "notes: [*l8]\n", DataError, ["expands to more than", "aliases"]),
    ("alias_loop", _HEAD + _BRANCHES + "notes: &n [a, *n]\n", DataError, ["refers to the node that contains it", "loop"]),
    ("deeply_nested", _HEAD + _BRANCHES + "notes: " + "[" * 3000 + "]" * 3000 + "\n", DataError, ["nested too deeply"]),
    ("duplicate_key", _HEAD + _BRANCHES + "gross_margin: 0.8\n", DataError, ["'gross_margin' appears twice", "line 3", "keep the key once"]),
    ("unknown_key_in_branch_item", _HEAD + "branches:\n- {branch: 北京, headcount: 10, gp_per_head_month: 2000}\n"
     "- {branch: 上海, headcount: 8, gp_per_head_month: 2500, gross_margn: 0.30}\n", PlanError,
     ["branches (item) 2", "unknown key 'gross_margn'", "Did you mean 'gross_margin'?"]),
    ("blank_branch_name", _HEAD + "branches:\n- {branch: 北京, headcount: 10, gp_per_head_month: 2000}\n- {branch: '   ', headcount: 8, gp_per_head_month: 2500}\n",
     DataError, ["column branch", "row 2", "blank (only spaces)"]),
    ("margin_as_percent", _plan_yaml(gross_margin="8%"), PlanError, ["gross_margin", "'8%' is written as a percentage", "0.08"]),
    ("target_2e18", _plan_yaml(target={"kind": "net_profit", "amount_yuan": 2e18}), PlanError, ["target.amount_yuan", "largest amount", "yuan, not fen"]),
    ("target_1e25", _plan_yaml(target={"kind": "net_profit", "amount_yuan": 1e25}), PlanError, ["target.amount_yuan", "largest amount"]),
    ("target_1e26_int", _HEAD.replace("1000000", "1" + "0" * 26) + _BRANCHES, PlanError, ["target.amount_yuan", "largest amount"]),
    ("target_1e30", _plan_yaml(target={"kind": "net_profit", "amount_yuan": "1e30"}), PlanError, ["target.amount_yuan", "largest amount"]),
    ("gp_per_head_beyond", _HEAD + "branches:\n- {branch: 北京, headcount: 10, gp_per_head_month: 1e16}\n", PlanError, ["gp_per_head_month", "largest amount"]),
    ("sheet_number_missing", _HEAD + "branches: {file: branches_text_headcount.xlsx, sheet: 7}\n", DataError, ["has no sheet '7'", "Sheets: 分公司"]),
]


@pytest.mark.parametrize(("case", "text", "error", "words"), YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_hostile_plan_yaml(case, text, error, words, tmp_path):
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    # branch tables named in a plan are resolved beside it
    (tmp_path / "branches_text_headcount.xlsx").write_bytes((BAD / "branches_text_headcount.xlsx").read_bytes())
    with pytest.raises(error) as info:
        io.read_plan(path)
    message = str(info.value)
    for word in words:
        assert word in message, message
    out = tmp_path / "tasks.xlsx"
    assert main(["backward", str(path), "--out", str(out)]) == 2
    assert not out.exists()


@pytest.mark.parametrize(("written", "name"), [
    ("NO", "NO"), ("ON", "ON"), ("yes", "yes"), ("off", "off"), ("0755", "0755"), ("1e3", "1e3"), ("1:30", "1:30"),
    ("2026-01-01", "2026-01-01"), ("0x1F", "0x1F"), ("'=1+1'", "=1+1"), ("null_", "null_"), ("1.50", "1.50"),
])
def test_names_stay_the_text_written(written, name, tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(_HEAD + f"name: {written}\nnotes: [{written}]\nbranches:\n- {{branch: {written}, headcount: 10, gp_per_head_month: 2000}}\n"
                    "- {branch: 上海, headcount: 8, gp_per_head_month: 2500}\n", encoding="utf-8")
    plan = io.read_plan(path)
    assert plan.branch_names == [name, "上海"]
    assert plan.name == name and plan.notes == (name,)


def test_numbers_keep_yaml_1_2_meaning(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 0755\nb: 1e3\nc: 0o17\nd: true\ne: .inf\nf: ~\ng: 6.8e7\n", encoding="utf-8")
    assert io.read_yaml(path) == {"a": 755, "b": 1000.0, "c": 15, "d": True, "e": float("inf"), "f": None, "g": 6.8e7}


# ----------------------------------------------------------------------------
# amounts as spreadsheets export them; amounts beyond the bound
# ----------------------------------------------------------------------------
AMOUNT_TEXT_CASES = [
    ('"1,234,567.00"', 1234567.0),
    ('"¥1,000"', 1000.0),
    ("￥250", 250.0),
    ("１２３", 123.0),
    ("1000元", 1000.0),
    ("RMB 5", 5.0),
    ('"-1,234.5"', -1234.5),
    ("'-1234", -1234.0),
    ('"1,000,000"', 1e6),
]


@pytest.mark.parametrize(("cell", "amount"), AMOUNT_TEXT_CASES, ids=[c[0] for c in AMOUNT_TEXT_CASES])
def test_spreadsheet_amounts_are_read(cell, amount, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(f"month,branch,revenue\n2025-01,北京,{cell}\n2025-02,北京,100\n", encoding="utf-8")
    assert io.read_history(path)["revenue"].tolist() == [amount, 100.0]


AMOUNT_BAD_CASES = [
    ('"1,5"', ["row 2", "'1,5' is not a number"]),
    ('"1.234,56"', ["row 2", "'1.234,56' is not a number"]),
    ("1e17", ["column revenue", "row 2", "100,000,000,000,000,000 is beyond the largest amount", "yuan, not fen"]),
    ("-2e15", ["row 2", "beyond the largest amount"]),
    ("inf", ["row 2", "beyond the largest amount"]),
]


@pytest.mark.parametrize(("cell", "words"), AMOUNT_BAD_CASES, ids=[c[0] for c in AMOUNT_BAD_CASES])
def test_ambiguous_or_huge_amounts_are_refused(cell, words, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(f"month,branch,revenue\n2025-01,北京,{cell}\n2025-02,北京,100\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_history(path)
    for word in words:
        assert word in str(info.value)


def test_column_total_beyond_the_bound_is_refused(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("month,branch,revenue\n2025-01,北京,9e14\n2025-02,北京,9e14\n", encoding="utf-8")
    with pytest.raises(DataError, match="add up to 1,800,000,000,000,000 yuan, beyond the largest total"):
        io.read_history(path)


def test_margin_percent_in_a_branch_file_suggests_the_fraction(tmp_path):
    (tmp_path / "b.csv").write_text("branch,headcount,gross_margin,gp_per_head_month\n北京,3,8%,100\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        io.read_branch_table(tmp_path / "b.csv")
    message = str(info.value)
    assert "column gross_margin" in message and "'8%' is written as a percentage" in message and "0.08 for 8%" in message
    assert "68000000" not in message


def test_share_in_percent_may_carry_the_sign(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("date,deal_id,branch,salesperson,share,revenue\n2026-01-05,D1,北京,张三,60%,100\n2026-01-05,D1,北京,李四,40%,100\n",
                    encoding="utf-8")
    assert io.read_actuals(path)["share"].tolist() == [60.0, 40.0]


# ----------------------------------------------------------------------------
# paths: --out on an input, links, folders, pipes
# ----------------------------------------------------------------------------
def _small_plan(tmp_path, branches_file: bool = False):
    plan = tmp_path / "plan.yaml"
    if branches_file:
        (tmp_path / "branches.csv").write_text("branch,headcount,gp_per_head_month\n北京,10,2000\n上海,8,2500\n", encoding="utf-8")
        plan.write_text(_HEAD + "branches: branches.csv\n", encoding="utf-8")
    else:
        plan.write_text(_plan_yaml(), encoding="utf-8")
    return plan


@pytest.mark.parametrize("which", ["history", "branch_table", "symlink_to_history"])
def test_out_naming_an_input_is_refused_and_the_input_kept(which, tmp_path, capsys):
    plan = _small_plan(tmp_path, branches_file=which == "branch_table")
    history = tmp_path / "history.csv"
    history.write_text("month,branch,revenue\n2025-01,北京,100\n", encoding="utf-8")
    out = {"history": history, "branch_table": tmp_path / "branches.csv", "symlink_to_history": tmp_path / "link.csv"}[which]
    if which == "symlink_to_history":
        out.symlink_to(history)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    assert main(["backward", str(plan), "--history", str(history), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "overwrite" in err and "Fix: name another output file" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_symlink_loop_dangling_link_and_pipe_are_named(tmp_path):
    loop = tmp_path / "loop.csv"
    other = tmp_path / "other.csv"
    loop.symlink_to(other)
    other.symlink_to(loop)
    with pytest.raises(DataError, match="symbolic link that leads back to itself"):
        io.read_history(loop)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "gone.csv")
    with pytest.raises(DataError, match="is a symbolic link to '.*gone.csv', which does not exist"):
        io.read_history(dangling)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        io.read_history(fifo)  # never blocks waiting for a writer
    with pytest.raises(DataError, match="symbolic link that leads back to itself"):
        io.write_table(pd.DataFrame({"a": [1]}), loop)


def test_read_only_output_file_is_kept(tmp_path):
    out = tmp_path / "tasks.csv"
    out.write_text("keep me", encoding="utf-8")
    out.chmod(0o444)
    with pytest.raises(DataError, match="is read-only; it was kept"):
        io.write_table(pd.DataFrame({"a": [1]}), out)
    assert out.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["tasks.csv"]
