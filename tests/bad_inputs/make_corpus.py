"""Re-create the corpus of small bad input files used by tests/test_bad_inputs.py.

Run from the repository root:  .venv/bin/python tests/bad_inputs/make_corpus.py
Each file holds exactly one mistake; the table in test_bad_inputs.py says which
error and which words the message must contain.
"""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent

GOOD_HISTORY = "month,branch,revenue\n2025-01,北京,100\n2025-01,上海,200\n2025-02,北京,110\n2025-02,上海,210\n"

BASE_PLAN = {
    "year": 2026,
    "target": {"kind": "net_profit", "amount_yuan": 1000000},
    "gross_margin": 0.1,
    "phasing": {"method": "flat"},
    "branches": [
        {"branch": "北京", "headcount": 10, "gp_per_head_month": 2000},
        {"branch": "上海", "headcount": 8, "gp_per_head_month": 2500},
        {"branch": "海口", "headcount": 5, "gp_per_head_month": 1500},
    ],
}


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_text(content, encoding=encoding)


def plan(name: str, **changes) -> None:
    data = copy.deepcopy(BASE_PLAN)
    for key, value in changes.items():
        data[key] = value
    text(name, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def xlsx(name: str, rows: list[list], sheet: str = "Sheet1") -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(HERE / name)


def main() -> None:
    text("history_text_in_amount.csv", GOOD_HISTORY.replace("2025-02,北京,110", "2025-02,北京,一百一"))
    text("history_missing_column.csv", "month,branch\n2025-01,北京\n")
    text("history_misspelt_column.csv", GOOD_HISTORY.replace("revenue", "revenu"))
    text("history_empty.csv", "")
    text("history_header_only.csv", "month,branch,revenue\n")
    text("history_bad_month.csv", GOOD_HISTORY.replace("2025-02,上海", "2025-13,上海"))
    text("history_not_monthly.csv", GOOD_HISTORY.replace("2025-02,北京", "2025-02-15,北京"))
    text("history_duplicate_rows.csv", GOOD_HISTORY + "2025-02,上海,999\n")
    text("history_negative_headcount.csv", "月份,分公司,销售额,人数\n2025-01,北京,100,10\n2025-02,北京,100,-3\n")
    xlsx("history_is_xlsx.csv", [["month", "branch", "revenue"], ["2025-01", "北京", 1]])
    text("history_is_text.xlsx", GOOD_HISTORY)
    text("history_is_text.parquet", GOOD_HISTORY)
    xlsx(
        "history_title_above_header.xlsx",
        [["2025年各分公司月度销售额"], [], ["月份", "分公司", "销售额"], ["2025-01", "北京", 100]],
    )
    # STYLE.md's example: plan.xlsx, sheet 分公司, column 人数, row 7: '十三' is not a number
    rows = [["分公司", "人数", "月人均毛利"]] + [[c, 10, 1800] for c in ["北京", "上海", "广州", "深圳", "武汉"]]
    rows.append(["西安", "十三", 1500])
    xlsx("branches_text_headcount.xlsx", rows, sheet="分公司")
    plan("plan_text_headcount.yaml", branches={"file": "branches_text_headcount.xlsx", "sheet": "分公司"})
    plan("plan_margin_zero.yaml", gross_margin=0)
    plan("plan_margin_100.yaml", gross_margin=1.0)
    negative = copy.deepcopy(BASE_PLAN["branches"])
    negative[1]["headcount"] = -8
    plan("plan_negative_headcount.yaml", branches=negative)
    dup = copy.deepcopy(BASE_PLAN["branches"]) + [{"branch": "北京", "headcount": 3, "gp_per_head_month": 1000}]
    plan("plan_duplicate_branch.yaml", branches=dup)
    plan("plan_seasonal_not_100.yaml", phasing={"method": "seasonal", "shares": [8] * 12})
    plan("plan_target_zero.yaml", target={"kind": "net_profit", "amount_yuan": 0})
    plan("plan_target_text.yaml", target={"kind": "net_profit", "amount_yuan": "六千八百万"})
    plan("plan_opening_outside_year.yaml", new_branches=[{"branch": "厦门", "opening_month": "2027-03", "headcount": 5}])
    plan("plan_unknown_key.yaml", gross_marign=0.1)
    text("roster_unknown_branch.csv", "branch,salesperson\n北京,王伟\n南宁,李娜\n")
    plan("plan_roster_unknown_branch.yaml", roster="roster_unknown_branch.csv")
    text("plan_bad_yaml.yaml", "year: 2026\ntarget:\n  kind: net_profit\n amount_yuan: 5\n")
    text("plan_missing_gp_per_head.yaml", yaml.safe_dump({**BASE_PLAN, "branches": [{"branch": "北京", "headcount": 10}]}, allow_unicode=True))


if __name__ == "__main__":
    main()
