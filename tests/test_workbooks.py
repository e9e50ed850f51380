"""Every workbook the command line writes is ready to read: formats, frozen panes, labels, widths, README.

Each command runs once per language on the bundled data (a module-wide cache of the written
files); every test then checks every sheet of every workbook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io as stdio
import re

import openpyxl
import pytest
from openpyxl.styles.numbers import is_date_format

from salesanalytics.adapters.cli import main

from .conftest import DATA

HISTORY, PLAN = str(DATA / "history_monthly.csv"), str(DATA / "plan_2026.yaml")
COMMANDS = {
    "backward_seed": ["backward", str(DATA / "seed_case_2012.yaml")],
    "backward_2026": ["backward", PLAN, "--history", HISTORY],
    "forward": ["forward", HISTORY, "--industry", str(DATA / "industry_market_size.csv")],
    "combined": ["combined", "--history", HISTORY, "--plan", PLAN, "--scenarios", str(DATA / "scenarios_2026.yaml"),
                 "--adjustments", str(DATA / "adjustments_2026.csv")],
    "track": ["track", "--targets", PLAN, "--actuals", str(DATA / "actuals_2026.csv"), "--activities", str(DATA / "activities_2026.csv"),
              "--history", HISTORY],
    "scorecard": ["scorecard"],
    "incentives": ["incentives"],
    "customers": ["customers"],
}
CASES = [(c, lang) for c in COMMANDS for lang in ("zh", "en")]
RAW = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
NOT_WORDS = {"True", "False", "None", "nan", "NaN", "NaT", "true", "false"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(command, lang) -> the workbook it wrote; each command runs once, when a test first asks."""
    folder = tmp_path_factory.mktemp("workbooks")
    books = {}

    def book(command: str, lang: str):
        if (command, lang) not in books:
            out = folder / f"{command}_{lang}.xlsx"
            with contextlib.redirect_stdout(stdio.StringIO()):
                assert main([*COMMANDS[command], "--lang", lang, "--out", str(out)]) == 0
            books[command, lang] = openpyxl.load_workbook(out)
        return books[command, lang]

    return book


def _data_cells(ws):
    for row in ws.iter_rows(min_row=2):
        yield from row


@pytest.mark.parametrize("command, lang", CASES)
def test_every_sheet_is_ready_to_read(written, command, lang):
    book = written(command, lang)
    assert len(book.worksheets) >= 2
    for ws in book.worksheets:
        where = f"{command} {lang} {ws.title}"
        headers = [c.value for c in ws[1]]
        assert headers and all(isinstance(h, str) and h.strip() for h in headers), (where, headers)
        assert not [h for h in headers if RAW.match(h) or h in NOT_WORDS], (where, headers)
        assert not RAW.match(ws.title), where
        assert all(c.font.bold for c in ws[1]), where
        assert ws.freeze_panes == "B2", (where, ws.freeze_panes)  # header row and first column
        for letter in (openpyxl.utils.get_column_letter(i) for i in range(1, ws.max_column + 1)):
            assert ws.column_dimensions[letter].width and ws.column_dimensions[letter].width >= 6, (where, letter)
        for cell in _data_cells(ws):
            v = cell.value
            assert cell.data_type != "f", (where, cell.coordinate)  # no formula, ever
            assert not isinstance(v, bool), (where, cell.coordinate)  # yes/no are words
            if isinstance(v, (dt.datetime, dt.date)):
                assert is_date_format(cell.number_format) and "h" not in cell.number_format.lower(), (where, cell.coordinate, cell.number_format)
            elif isinstance(v, (int, float)):
                assert cell.number_format != "General", (where, cell.coordinate, headers[cell.column - 1])
            elif isinstance(v, str):
                assert v not in NOT_WORDS, (where, cell.coordinate, v)


@pytest.mark.parametrize("command, lang", CASES)
def test_the_readme_lists_every_sheet_and_the_settings(written, command, lang):
    book = written(command, lang)
    readme = {"zh": "说明", "en": "README"}[lang]
    assert book.sheetnames[-1] == readme
    rows = [[c.value for c in row] for row in book[readme].iter_rows(min_row=2)]
    sheets = [r[1] for r in rows if r[0] == {"zh": "工作表", "en": "Sheet"}[lang]]
    assert sheets == book.sheetnames[:-1]
    described = [r[2] for r in rows if r[0] == {"zh": "工作表", "en": "Sheet"}[lang]]
    assert not [d for d in described if d.startswith(("（本工作表", "(see the headers"))], described  # every sheet said what it holds
    settings = {r[1]: r[2] for r in rows if r[0] == {"zh": "输入与设置", "en": "Inputs and settings"}[lang]}
    if command in ("combined", "track"):
        assert settings[{"zh": "模拟路径数", "en": "Simulated paths"}[lang]].isdigit()
    if command != "scorecard" and command != "incentives" and command != "customers":
        assert all("/" not in v for v in settings.values()), settings  # file names, never a path of this machine
    if command in ("scorecard", "incentives"):  # the evaluation's notes moved into the README
        assert any(r[0] == {"zh": "备注", "en": "Notes"}[lang] for r in rows)


def _column(ws, header):
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    cells = [ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)]
    return [c for c in cells if isinstance(c.value, (int, float, dt.datetime)) and not isinstance(c.value, bool)]


@pytest.mark.parametrize("command, sheet, header, fmt", [
    ("backward_seed", "任务明细", "月份", "yyyy-mm"),
    ("backward_seed", "任务明细", "销售任务(元)", "#,##0.00"),
    ("backward_seed", "销售任务分解表", "合计", "#,##0.00"),
    ("backward_seed", "招聘计划", "合计", "#,##0"),
    ("backward_seed", "产能与任务", "任务/现有产能(倍)", '0.0"倍"'),
    ("backward_seed", "产能与任务", "需提升人效%", '0.0"%"'),
    ("backward_seed", "团队编制", "年末编制(人)", "#,##0"),
    ("combined", "情景对比", "达成概率", "0.0%"),          # 0.019: a probability, shown 1.9%
    ("combined", "情景对比", "缺口%", '0.0"%"'),            # 7.49: already a percentage
    ("combined", "建议目标", "建议目标(分)", "#,##0"),
    ("combined", "调整记录", "调整日期", "yyyy-mm-dd"),
    ("track", "全年预计按月", "月份", "yyyy-mm"),           # written by the method as "2026-01" text
    ("track", "分公司每日进度", "所需/实绩倍数", '0.0"倍"'),
    ("track", "全年预计", "达成概率", "0.0%"),
    ("track", "总体进度", "本年时间调整达成率%", '0.0"%"'),
    ("scorecard", "排名", "任务达成率", "0.0%"),            # 1.26: a share of target, shown 126.5%
    ("scorecard", "分公司等级分布", "p 值", "0.000"),
    ("scorecard", "任务难度", "任务难度", '0.0"倍"'),
    ("incentives", "成本分布", "占销售额", "0.0%"),
    ("incentives", "奖金明细", "提成(单位: 分)", "#,##0"),
    ("incentives", "个人奖金", "统一提成 0.8% (签单额)", "#,##0.00"),  # a plan's name, yuan: the % is no unit
    ("customers", "客户价值", "毛利率(%)", '0.0"%"'),
    ("customers", "客户价值", "投入时间(小时)", "#,##0.0"),
    ("forward", "预测", "月份", "yyyy-mm"),
    ("forward", "回测", "回测误差(MASE)", "0.000"),
])
def test_each_kind_of_column_gets_its_format(written, command, sheet, header, fmt):
    cells = _column(written(command, "zh")[sheet], header)
    assert cells and {c.number_format for c in cells} == {fmt}, (sheet, header, {c.number_format for c in cells})
    if fmt.startswith("yyyy"):
        assert all(isinstance(c.value, dt.datetime) for c in cells)


def test_english_multiples_and_yes_no(written):
    book = written("backward_seed", "en")
    assert {c.number_format for c in _column(book["Capacity vs task"], "Task / capacity (times)")} == {'0.0"×"'}
    for ws, header in ((book["Tasks"], "New branch"), (written("forward", "en")["Backtest"], "Used")):
        col = [c.value for c in ws[1]].index(header) + 1
        assert {ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)} == {"yes", "no"}
