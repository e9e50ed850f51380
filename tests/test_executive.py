"""The quarter's summary blocks: one headline from state.summary, the narrative, deliveries, risks and actions."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from salesanalytics.adapters import executive
from salesanalytics.core.exceptions import ParameterError

SUMMARY = {"quarter": "2026Q3", "as_of": "2026-09-30", "year": 2026, "annual_target_yuan": 328571428.57, "ytd_target_yuan": 243017542.22,
           "ytd_actual_yuan": 236284798.92, "ytd_attainment_pct": 97.2, "outlook_yuan": 322013933.9, "outlook_p10_yuan": 316838820.63,
           "outlook_p90_yuan": 326788815.8, "outlook_attainment_pct": 98.0, "probability": 0.03, "gap_yuan": 6557494.67,
           "remaining_task_yuan": 92286629.65, "n_draws": 1000, "seed": 0, "targets_source": "backward"}
SPAN = re.compile(r'<span class="sa-figure" data-key="([^"]+)" data-value="([^"]*)">([^<]*)</span>')


def _text(cell_html: str) -> str:
    return re.sub(r"<[^>]+>", "", cell_html)


def test_headline_rows_read_the_summary():
    rows = {k: _text(v) for k, v in executive.headline_rows(SUMMARY, "zh")}
    assert rows["截至"] == "2026-09-30（2026Q3）"
    assert rows["全年目标"] == "328,571,429 元"
    assert rows["年初至今实际"] == "236,284,799 元，目标 243,017,542 元，达成 97.2%"
    assert rows["全年预计"] == "322,013,934 元（达成 98.0%），80% 区间 316,838,821 – 326,788,816 元"
    assert rows["达成全年目标的概率"] == "3.0%"
    assert rows["预计缺口（全年目标 − 全年预计）"] == "6,557,495 元，低于目标"
    assert rows["剩余月份须完成"] == "92,286,630 元"
    en = {k: _text(v) for k, v in executive.headline_rows({**SUMMARY, "gap_yuan": -1234.4}, "en")}
    assert en["Expected gap (annual target − outlook)"] == "-1,234 yuan, above target"
    assert en["Probability of reaching the annual target"] == "3.0%"


def test_every_figure_carries_its_key_and_exact_value():
    page = executive.quarter_headline_html(SUMMARY, "zh")
    spans = SPAN.findall(page)
    assert {k for k, _, _ in spans} == set(executive.HEADLINE_KEYS)
    for key, data, shown in spans:
        raw = SUMMARY[key]
        assert (float(data) == raw) if isinstance(raw, float) else (data == str(raw)), key
        assert shown == executive.FORMATS[key](raw)
    assert "data-as-of='2026-09-30'" in page and "data-quarter='2026Q3'" in page
    assert "倒推法任务分解" in page  # where the targets come from, in words


def test_compact_headline_is_the_quarter_line():
    keys = {k for k, _, _ in SPAN.findall(executive.quarter_headline_html(SUMMARY, "en", compact=True))}
    assert {"as_of", "ytd_actual_yuan", "outlook_yuan", "probability"} <= keys and "remaining_task_yuan" not in keys


@pytest.mark.parametrize("fmt, value, shown", [
    (executive.fmt_yuan, -0.4, "0"), (executive.fmt_yuan, 1234567.5, "1,234,568"), (executive.fmt_pct, 97.25, "97.2%"),
    (executive.fmt_probability, 0.0305, "3.0%"), (executive.fmt_probability, 1.0, "100.0%"),
])
def test_number_formats(fmt, value, shown):
    assert fmt(value) == shown


def test_headline_html_escapes():
    assert "&lt;b&gt;" in executive.headline_html([("<b>", "1")])
    assert "<script>" not in executive.quarter_headline_html({**SUMMARY, "quarter": "<script>"}, "zh")


OUTLOOK = pd.DataFrame({
    "branch": ["全公司", "北京", "上海", "广州", "深圳"],
    "annual_target": [100.0, 10.0, 20.0, 30.0, 40.0],
    "projected_year_end": [95.0, 12.0, 15.0, 20.0, 39.0],
    "lo_80": [90.0, 11.0, 14.0, 19.0, 38.0],
    "hi_80": [99.0, 13.0, 16.0, 21.0, 40.0],
    "prob_reach_target": [0.2, 0.9, 0.1, 0.0, 0.3],
})


def test_risks_are_the_unlikely_branches_worst_first():
    out = executive.risks(OUTLOOK, "zh")
    assert out["分公司"].tolist() == ["广州", "上海", "深圳"]  # lowest probability first; the company is not a risk
    assert out["达成概率"].tolist() == ["0.0%", "10.0%", "30.0%"]
    assert out["缺口(元)"].tolist() == [10.0, 5.0, 1.0]
    assert executive.risks(OUTLOOK, "en", top=1)["Branch"].tolist() == ["广州"]
    assert "50%" in executive.risks_html(OUTLOOK[OUTLOOK["prob_reach_target"] > 0.5], "zh")  # none: a sentence says so


def test_hires_leave_out_branches_without_hires():
    staffing = pd.DataFrame({"branch": ["北京", "上海"], "hires_total": [0, 3], "first_start_hiring": [pd.NaT, pd.Timestamp("2026-10-01")],
                             "contribution_yuan": [0.0, 1234.5]})
    out = executive.hires(staffing, "en")
    assert out.to_dict("records") == [{"Branch": "上海", "Hires": 3, "Start hiring by": "2026-10", "Gap closed (yuan)": 1234.5}]


def _replan(branch: str, planned: list[int], actual: list[int], new: list[int]) -> pd.DataFrame:
    months = pd.date_range("2026-01-01", periods=12, freq="MS")
    status = ["closed"] * 9 + ["open"] * 3
    return pd.DataFrame({"branch": branch, "month": months, "month_status": status, "planned_task_fen": planned,
                         "actual_fen": actual, "new_task_fen": new})


def test_deliveries_are_the_open_months_of_the_replan_company_first():
    a = _replan("北京", [100] * 12, [90] * 9 + [0] * 3, [90] * 9 + [110, 110, 110])
    b = _replan("上海", [100] * 12, [120] * 9 + [0] * 3, [120] * 9 + [80, 80, 80])
    company = pd.concat([a, b]).groupby(["month", "month_status"], as_index=False)[["planned_task_fen", "actual_fen", "new_task_fen"]].sum()
    out = executive.deliveries({"replan_company": company, "replan_branch": pd.concat([b, a])}, "zh")
    assert out["分公司"].tolist() == ["全公司", "北京", "上海"]  # the branch that must lift most comes first
    assert list(out.columns)[-3:] == ["10月", "11月", "12月"]
    assert out["剩余月份须完成(元)"].tolist() == [5.7, 3.3, 2.4]
    assert out["原计划(剩余月份, 元)"].tolist() == [6.0, 3.0, 3.0]
    assert out["较原计划%"].tolist() == ["-5.0%", "+10.0%", "-20.0%"]
    assert out["年初至今实际(元)"].tolist() == [18.9, 8.1, 10.8]


def test_first_open_month_is_after_the_as_of_date():
    assert executive.first_open_month("2026-09-30") == pd.Timestamp("2026-10-01")
    assert executive.first_open_month("2026-06-30") == pd.Timestamp("2026-07-01")
    assert executive.first_open_month("2026-06-15") == pd.Timestamp("2026-07-01")


def test_bad_language():
    with pytest.raises(ParameterError, match="Did you mean 'en'"):
        executive.headline_rows(SUMMARY, "eng")


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


# ----------------------------------------------------------------------------
# on the quarter's state (the bundled SYNTHETIC year)
# ----------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["2026Q2", "2026Q3"])
def state(request):
    from salesanalytics.adapters.quarter import load_state

    return load_state(request.param, n_draws=300)


@pytest.mark.slow
def test_actions_and_the_decision_are_dated_after_the_as_of_date(state):
    first = executive.first_open_month(state.as_of)
    for name, res in state.combined.results.items():  # the state's scenarios hire only in open months
        starts = pd.to_datetime(res.staffing_branch["first_start_hiring"]).dropna()
        assert (starts >= first).all(), name
    decision = re.search(r"<p class='sa-decision'[^>]*>(.*?)</p>", executive.narrative_html(state, "zh")).group(1)
    page = _text(executive.actions_html(state, "zh") + decision)
    dates = re.findall(r"\b(20\d\d-\d\d)(?:-\d\d)?\b", page)
    assert dates and all(pd.Period(d, "M") >= first.to_period("M") for d in dates), dates


@pytest.mark.slow
def test_deliveries_add_up_to_the_remaining_task(state):
    out = executive.deliveries(state.review, "zh")
    company = out[out["分公司"] == "全公司"].iloc[0]
    assert company["剩余月份须完成(元)"] == pytest.approx(state.summary["remaining_task_yuan"], abs=0.005)
    assert company["年初至今实际(元)"] == pytest.approx(state.summary["ytd_actual_yuan"], abs=0.005)
    branches = out[out["分公司"] != "全公司"]
    assert round(branches["剩余月份须完成(元)"].sum() * 100) == round(company["剩余月份须完成(元)"] * 100)  # to the fen


# ----------------------------------------------------------------------------
# the first screen: key-figure cards
# ----------------------------------------------------------------------------
_SUMMARY = {"quarter": "2026Q3", "as_of": "2026-09-30", "year": 2026, "annual_target_yuan": 328571428.57, "ytd_target_yuan": 243018000.0,
            "ytd_actual_yuan": 236284798.92, "ytd_attainment_pct": 97.2, "outlook_yuan": 322013933.9, "outlook_p10_yuan": 316838820.63,
            "outlook_p90_yuan": 326788815.8, "outlook_attainment_pct": 98.0, "probability": 0.033, "gap_yuan": 6557494.67,
            "remaining_task_yuan": 92286629.65, "n_draws": 1000, "seed": 0, "targets_source": "backward"}


@pytest.mark.parametrize("lang, unit", [("zh", "万元"), ("en", "10k yuan")])
def test_cards_show_the_summary_in_wan_with_the_tables_status(lang, unit):
    cards = {c["key"]: c for c in executive.key_cards(_SUMMARY, lang)}
    assert list(cards) == ["annual_target_yuan", "ytd_actual_yuan", "outlook_yuan", "probability", "gap_yuan"]
    assert cards["annual_target_yuan"]["value"] == "32,857.1" and cards["annual_target_yuan"]["unit"] == unit
    assert cards["ytd_actual_yuan"]["value"] == "23,628.5" and cards["outlook_yuan"]["value"] == "32,201.4"
    assert cards["probability"]["value"] == "3.3%" and cards["gap_yuan"]["value"] == "655.7"
    # 97.2 % to date and 98.0 % at year end: yellow (90–100, the tables' 黄); 3.3 % probability: red
    assert [cards[k]["status"] for k in cards] == ["neutral", "yellow", "yellow", "red", "yellow"]
    assert [c["key"] for c in executive.key_cards(_SUMMARY, lang, compact=True)] == ["ytd_actual_yuan", "outlook_yuan", "probability"]


def test_cards_say_their_status_in_words_and_carry_the_exact_value():
    page = executive.key_cards_html(_SUMMARY, "zh")
    assert page.count("class='sa-card ") == 5
    assert "data-card='ytd_actual_yuan' data-status='yellow' data-value='236284798.92'" in page
    assert "关注" in page and "落后" in page


def test_a_surplus_is_a_green_card():
    ahead = dict(_SUMMARY, gap_yuan=-1_000_000.0, outlook_attainment_pct=100.3)
    gap = executive.key_cards(ahead, "zh")[-1]
    assert gap["label"] == "预计超出目标" and gap["value"] == "100.0" and gap["status"] == "green"


@pytest.mark.parametrize("pct, status", [(100.0, "green"), (99.9, "yellow"), (90.0, "yellow"), (89.9, "red")])
def test_attainment_status_uses_trackings_thresholds(pct, status):
    assert executive.attainment_status(pct) == status


def test_the_index_is_the_cover_page():
    from salesanalytics.adapters.report import index_html

    manifest = {"quarter": "2026Q3", "status": "ok", "lang": "zh", "rendered_at_utc": "2026-10-01 06:00:00", "seconds": 12.5,
                "package_version": "1.0", "data_dir": "/srv/secret/sales_in", "data_fingerprint_sha256": "ab" * 32,
                "data_files": [{"file": "history_monthly.csv", "sha256": "cd" * 32}], "parameters": {"n_draws": 300},
                "reports": [{"name": "executive_summary", "title": "经营摘要", "notebook": "executive_summary.ipynb",
                             "file": "executive_summary.html", "seconds": 3.2}], "failure": None, "last_good": None}
    page = index_html(manifest, "zh", summary=_SUMMARY)
    assert page.count("<td class='sa-status-") == 5 and "32,857.1 万元" in page
    assert "全年预计 32,201.4万元，达成概率 3.3%" in page  # the report's headline from the quarter's figures
    assert "/srv/secret" not in page and "<code>sales_in</code>" in page  # no absolute path
    assert "executive_summary.ipynb" not in page and ">s<" not in page
    assert "ab" * 32 in page  # the fingerprint stays, in the footer
    assert "table class='cards'" not in index_html(manifest, "zh")  # no summary: no figures made up
