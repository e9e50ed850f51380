"""The command line: the seed case end to end, help, outputs, the as-of clock check, and words only."""

from __future__ import annotations

import contextlib
import io as stdio
import re
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from salesanalytics.adapters.cli import main
from salesanalytics.core.labels import label

from .conftest import DATA


def test_seed_case_through_the_cli(tmp_path, capsys):
    out = tmp_path / "任务.xlsx"
    assert main(["backward", str(DATA / "seed_case_2012.yaml"), "--out", str(out), "--goal-seek", "productivity_growth"]) == 0
    text = capsys.readouterr().out
    assert "68,000,000.00" in text and "850,000,000.00" in text
    assert "北京" in text and "海口" in text and "productivity_growth = 35.39" in text
    # today's capacity at today's productivity (the twelve cities 7,338,000 + the new branches), the target 8.9x it,
    # 北京's December task 25.2x today's gross profit per head, 141 branch-months flagged, the hires that close the gap
    total_line = next(line for line in text.splitlines() if line.startswith("合计"))
    assert total_line.split() == ["合计", "850,000,000", "68,000,000", "7,632,840", "8.9倍", "25.2倍", "141", "24,495"]
    book = pd.read_excel(out, sheet_name=None)
    assert list(book) == ["销售任务分解表", "毛利任务分解表", "任务明细", "产能与任务", "所需人均毛利", "招聘计划", "招聘明细",
                          "团队编制", "不同解读对比", "假设", "说明"]
    matrix = book["销售任务分解表"].set_index("分公司")
    assert matrix.loc["合计", "合计"] == pytest.approx(850_000_000, abs=1e-6)
    tidy = book["任务明细"]
    assert round(tidy[label("gross_profit_task", "zh", "backward")].sum(), 2) == 68_000_000
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


# ----------------------------------------------------------------------------
# the as-of date is checked against the clock here, not in the methods
# ----------------------------------------------------------------------------
FUTURE = (pd.Timestamp.today() + pd.Timedelta(days=3)).strftime("%Y-%m-%d")


@pytest.mark.parametrize("command", [
    ["track", "--targets", str(DATA / "plan_2026.yaml"), "--actuals", str(DATA / "actuals_2026.csv")],
    ["scorecard", "--no-forecast"],
    ["incentives", "--no-forecast"],
], ids=["track", "scorecard", "incentives"])
def test_as_of_in_the_future_is_refused_before_any_work(command, capsys):
    code = main([*command, "--as-of", FUTURE])
    err = capsys.readouterr().err
    assert code == 2
    assert f"as_of {FUTURE} is in the future (today is " in err and "actuals cannot exist yet" in err and "Fix:" in err
    assert "Traceback" not in err


# ----------------------------------------------------------------------------
# generate-data: the datagen frames, written by io
# ----------------------------------------------------------------------------
def test_generate_data_writes_every_bundled_file(tmp_path, capsys):
    assert main(["generate-data", "--out", str(tmp_path), "--lang", "en"]) == 0
    printed = capsys.readouterr().out.splitlines()
    names = {"history_monthly.csv", "industry_market_size.csv", "roster_2026.csv", "ratings_2026.csv", "actuals_2026.csv",
             "activities_2026.csv", "plan_2026.yaml", "customers_2026.csv", "customer_activities_2026.csv"}
    assert {p.name for p in tmp_path.iterdir()} == names
    assert len(printed) == len(names) and all(line.startswith("wrote ") for line in printed)
    assert (tmp_path / "plan_2026.yaml").read_text(encoding="utf-8").startswith("# SYNTHETIC")
    # the bundled data set is exactly what the generator makes
    for name in names:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_generate_data_sizes_a_larger_company(tmp_path, capsys):
    assert main(["generate-data", "--out", str(tmp_path), "--branches", "20", "--people-per-branch", "5", "--lang", "en"]) == 0
    roster = pd.read_csv(tmp_path / "roster_2026.csv", encoding="utf-8-sig")
    history = pd.read_csv(tmp_path / "history_monthly.csv", encoding="utf-8-sig")
    assert history["branch"].nunique() == 20
    # people_per_branch is the average over today's branches (each keeps its bundled profile's relative size)
    assert roster[roster["branch"].isin(history["branch"])].shape[0] == pytest.approx(20 * 5, abs=10)


# ----------------------------------------------------------------------------
# every command that prints a table prints words: no identifiers, no Python values
# ----------------------------------------------------------------------------
TRACK = ["track", "--targets", str(DATA / "plan_2026.yaml"), "--history", str(DATA / "history_monthly.csv"),
         "--actuals", str(DATA / "actuals_2026.csv"), "--activities", str(DATA / "activities_2026.csv")]
PRINTING = {
    "backward": ["backward", str(DATA / "seed_case_2012.yaml")],
    "forward": ["forward", str(DATA / "history_monthly.csv")],
    "combined": ["combined", "--history", str(DATA / "history_monthly.csv"), "--plan", str(DATA / "plan_2026.yaml"), "--draws", "500"],
    "track": TRACK,
    "scorecard": ["scorecard", "--draws", "200"],
    "incentives": ["incentives", "--draws", "200"],
}
#: what is still printed raw because the method's own tables are not labelled yet (removed after integration)

IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_0-9]+\b")
PYTHON_VALUE = re.compile(r"\b(?:True|False|None|nan|NaN)\b|Decimal\(|<NA>|NaT\b")
PATH = re.compile(r"\S+\.(?:ya?ml|csv|xlsx|parquet)\b")


@pytest.fixture(scope="module")
def printed():
    """Each command's printout per language, run once for the module."""
    cache: dict[tuple[str, str], tuple[int, str]] = {}

    def run(command: str, lang: str) -> tuple[int, str]:
        if (command, lang) not in cache:
            out = stdio.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(out):
                warnings.simplefilter("ignore")
                code = main([*PRINTING[command], "--lang", lang])
            cache[command, lang] = (code, out.getvalue())
        return cache[command, lang]

    return run


CASES = [pytest.param(c, lang)
         for c in PRINTING for lang in ("zh", "en")]


@pytest.mark.parametrize("command, lang", CASES)
def test_printed_output_has_no_identifiers_or_python_values(printed, command, lang):
    code, out = printed(command, lang)
    assert code == 0
    text = PATH.sub("", out)
    assert sorted(set(IDENTIFIER.findall(text))) == []
    assert sorted(set(PYTHON_VALUE.findall(text))) == []


@pytest.mark.parametrize("command", list(PRINTING))
def test_chinese_output_is_chinese_and_english_output_is_english(printed, command):
    _, zh = printed(command, "zh")
    _, en = printed(command, "en")
    assert zh != en
    cjk = re.compile(r"[\u4e00-\u9fff]")
    # English lines may carry Chinese names (branches, people, plans); the words around them are English
    first_en = en.splitlines()[0] if command != "backward" else en.splitlines()[1]
    assert re.search(r"[A-Za-z]{3}", first_en)
    assert cjk.search(zh.splitlines()[1] if command == "backward" else zh.splitlines()[0])


def test_track_lists_actuals_without_a_target_in_words(tmp_path, capsys):
    months = pd.date_range("2026-01-01", periods=12, freq="MS")
    pd.DataFrame({"month": months.strftime("%Y-%m"), "branch": "北京", "sales_task": 1000.0}).to_csv(tmp_path / "t.csv", index=False)
    pd.DataFrame({"date": ["2026-01-05", "2026-02-03", "2026-02-04"], "branch": ["北京", "北京", "上海"],
                  "revenue": [900.0, 1100.0, 50.0]}).to_csv(tmp_path / "a.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["track", "--targets", str(tmp_path / "t.csv"), "--actuals", str(tmp_path / "a.csv"), "--as-of", "2026-02-28", "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Actuals without a target (counted in the totals)" in out and "Branch in targets" in out
    assert out.splitlines()[-1].split() == ["上海", "no", "1", "50.00"]
    assert not IDENTIFIER.findall(out) and not PYTHON_VALUE.findall(out)
