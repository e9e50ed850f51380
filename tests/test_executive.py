"""The executive summary blocks: headline rows, risks and hires from the methods' tidy tables."""

from __future__ import annotations

import pandas as pd
import pytest

from salesanalytics.adapters import executive
from salesanalytics.core.exceptions import ParameterError

BACKWARD = {"year": 2026, "target_kind": "net_profit", "target_yuan": 15_000_000.0, "revenue_required_yuan": 328_571_428.57,
            "effective_margin": 0.08, "capacity_gross_profit_yuan": 2.0e7, "uplift_needed_pct": 31.4, "extra_heads_needed": 12.0}
COMBINED = {"forecast_yuan": 302_334_827.7, "forecast_p10_yuan": 293_197_628.8, "forecast_p90_yuan": 310_502_203.9,
            "gap_yuan": 26_236_600.87, "gap_pct": 7.99, "status": "out of reach", "probability": 0.0,
            "probability_with_actions": 0.7175, "hires": 46}


def test_headline_with_the_combined_plan():
    rows = dict(executive.headline_rows(BACKWARD, COMBINED, "zh"))
    assert rows["目标 (净利润, 2026)"] == "15,000,000 元"
    assert rows["所需销售额"] == "328,571,429 元 (毛利率 8.0%)"
    assert rows["缺口"] == "26,236,601 元 (8.0%) — 难以达成"
    assert rows["达成概率"].startswith("0% → 72%")
    assert rows["招聘"] == "46 人"


def test_headline_without_a_forecast_falls_back_to_the_staffing_check():
    rows = dict(executive.headline_rows(BACKWARD, None, "en"))
    assert rows["Productivity uplift needed"] == "31.4%" and rows["Extra heads needed"] == "12 people"
    assert "Forecast" not in rows


def test_headline_html_escapes():
    assert "&lt;b&gt;" in executive.headline_html([("<b>", "1")])


GAP = pd.DataFrame({
    "branch": ["北京", "上海", "广州", "深圳"],
    "required": [10.0, 20.0, 30.0, 40.0],
    "forecast_mean": [12.0, 15.0, 20.0, 39.0],
    "gap_yuan": [-2.0, 5.0, 10.0, 1.0],
    "probability": [0.9, 0.1, 0.0, 0.3],
    "status": ["on track", "at risk", "out of reach", "stretch"],
})


def test_risks_are_the_unlikely_branches_worst_first():
    out = executive.risks(GAP, "zh")
    assert out["分公司"].tolist() == ["广州", "上海"]
    assert out["达成概率"].tolist() == ["0%", "10%"] and out["状态"].tolist() == ["难以达成", "有风险"]
    assert executive.risks(GAP, "en", top=1)["Branch"].tolist() == ["广州"]


def test_hires_leave_out_branches_without_hires():
    staffing = pd.DataFrame({"branch": ["北京", "上海"], "hires_total": [0, 3], "first_start_hiring": ["2026-01-01", "2026-03-01"],
                             "contribution_yuan": [0.0, 1234.5]})
    out = executive.hires(staffing, "en")
    assert out.to_dict("records") == [{"Branch": "上海", "Hires": 3, "Start hiring by": "2026-03", "Gap closed (yuan)": 1234.5}]


def test_review_headline_uses_the_company_row():
    summary = {"as_of": "2026-09-30", "annual_target_yuan": 100.0, "ytd_actual_yuan": 80.0, "ytd_attainment_pct": 101.0, "remaining_gap_yuan": 20.0}
    outlook = pd.DataFrame({"branch": ["北京", "全公司"], "projected_year_end": [1.0, 99.0], "projected_attainment_pct": [1.0, 99.0],
                            "lo_80": [0.0, 95.0], "hi_80": [2.0, 103.0], "prob_reach_target": [1.0, 0.47]})
    rows = dict(executive.review_headline_rows(summary, outlook, "zh"))
    assert rows["全年预计"] == "99 元 (99.0%), 80%: 95 – 103" and rows["达成概率"] == "47%"


def test_bad_language():
    with pytest.raises(ParameterError, match="Did you mean 'en'"):
        executive.headline_rows(BACKWARD, None, "eng")


def test_pages_label_with_the_method_domain_first_then_the_page_then_common(seed_plan):
    from salesanalytics.adapters import pages
    from salesanalytics.core import labels as L
    from salesanalytics.core.exceptions import LabelError
    from salesanalytics.methods.backward import BackwardPlanner

    out = pages.labelled(pd.DataFrame({"branch": [], "probability": []}), "en")
    assert list(out.columns) == ["Branch", L.label("probability", "en", "presentation")]
    with pytest.raises(LabelError):
        pages.labelled(pd.DataFrame({"no_such_column": []}), "zh")
    capacity = pages.backward_capacity(BackwardPlanner(seed_plan).fit(), "zh")
    assert list(capacity.columns)[:2] == ["分公司", "人数"] and len(capacity) == len(seed_plan.branch_names)
