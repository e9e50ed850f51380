"""Tracking (监督和反馈): credit splits, attainment, re-planning and the daily pace against hand-computed cases."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import io
from salesanalytics.core.exceptions import DataError, ForecastError, NotFittedError, ParameterError
from salesanalytics.methods.tracking import COMPANY, Tracker, TrackingWarning, _split_credits, relabel

Y = 2026
PEOPLE = [("北京", "张三", 10_000.0), ("北京", "李四", 10_000.0), ("上海", "王五", 20_000.0)]


def make_targets(people=PEOPLE, monthly=None) -> pd.DataFrame:
    """Person targets: every month the given amount (or ``monthly[m]`` for month m)."""
    rows = []
    for branch, person, value in people:
        for m in range(1, 13):
            rows.append((pd.Timestamp(Y, m, 1), branch, person, monthly[m] if monthly else value))
    return pd.DataFrame(rows, columns=["month", "branch", "salesperson", "sales_task"])


def make_actuals(rows) -> pd.DataFrame:
    """rows: (date, deal_id, branch, salesperson, share, revenue)."""
    frame = pd.DataFrame(rows, columns=["date", "deal_id", "branch", "salesperson", "share", "revenue"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


#: Q1 2026 by hand: 张三 30,000 of 30,000; 李四 21,000 of 30,000; 王五 57,000 of 60,000.
Q1 = [
    ("2026-01-15", "A1", "北京", "张三", 100, 8_000.0),
    ("2026-02-10", "A2", "北京", "张三", 60, 20_000.0),  # one deal, two sellers: 12,000 + 8,000
    ("2026-02-10", "A2", "北京", "李四", 40, 20_000.0),
    ("2026-03-05", "A3", "北京", "张三", 100, 10_000.0),
    ("2026-03-06", "A4", "北京", "李四", 100, 13_000.0),
    ("2026-01-20", "B1", "上海", "王五", 100, 19_000.0),
    ("2026-02-24", "B2", "上海", "王五", 100, 19_000.0),
    ("2026-03-20", "B3", "上海", "王五", 100, 19_000.0),
]


@pytest.fixture
def q1():
    return Tracker(as_of="2026-03-31").fit(make_targets(), make_actuals(Q1))


# ----------------------------------------------------------------------------
# credit splits
# ----------------------------------------------------------------------------
def test_split_credits_exact_to_the_fen():
    # deal 0: 100.00 yuan at 60/40; deal 1: 100.01 yuan at 33.33/33.33/33.34; deal 2: alone
    amount = np.array([10_000, 10_000, 10_001, 10_001, 10_001, 555], dtype=np.int64)
    deal = np.array([0, 0, 1, 1, 1, 2])
    share = np.array([60, 40, 33.33, 33.33, 33.34, 100.0])
    parts = _split_credits(amount, deal, share)
    # 10,001 x 0.3333 = 3,333.33 (x2) and x 0.3334 = 3,334.33: floors 3,333 + 3,333 + 3,334 = 10,000;
    # the fen left goes to the largest remainder (.3334, the third line)
    assert parts.tolist() == [6_000, 4_000, 3_333, 3_333, 3_335, 555]


def test_refund_split_keeps_its_sign():
    parts = _split_credits(np.array([-10_001, -10_001]), np.array([0, 0]), np.array([50.0, 50.0]))
    assert parts.tolist() == [-5_001, -5_000]
    assert parts.sum() == -10_001


def test_each_person_gets_only_their_share(q1):
    a = q1.attainment("salesperson", "ytd").set_index("salesperson")
    # crediting the full 20,000 of deal A2 to both sellers (the classic bug) would give 38,000 and 33,000
    assert a.loc["张三", "actual"] == 30_000.0
    assert a.loc["李四", "actual"] == 21_000.0
    company = q1.attainment("company", "ytd").iloc[0]
    assert company["actual"] == 108_000.0  # the deal counts once for the company


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-10**9, 10**9), st.lists(st.integers(1, 60), min_size=1, max_size=5)),
        min_size=1,
        max_size=30,
    )
)
def test_split_parts_sum_to_the_deal(deals):
    amount, deal, share = [], [], []
    for d, (fen, cuts) in enumerate(deals):
        weights = np.asarray(cuts, dtype=float)
        pct = weights / weights.sum() * 100
        for p in pct:
            amount.append(fen)
            deal.append(d)
            share.append(p)
    amount, deal, share = np.array(amount, dtype=np.int64), np.array(deal), np.array(share)
    parts = _split_credits(amount, deal, share)
    sums = np.bincount(deal, weights=parts.astype(float))
    firsts = np.array([fen for fen, _ in deals], dtype=float)
    assert np.array_equal(sums, firsts)
    assert np.all(np.abs(parts - amount * share / 100) < 1 + 1e-6)


# ----------------------------------------------------------------------------
# attainment
# ----------------------------------------------------------------------------
def test_attainment_by_hand(q1):
    a = q1.attainment("salesperson", "ytd").set_index("salesperson")
    assert a.loc["张三", "target"] == 30_000.0 and a.loc["张三", "attainment_pct"] == pytest.approx(100.0)
    assert a.loc["李四", "attainment_pct"] == pytest.approx(70.0) and a.loc["李四", "variance"] == -9_000.0
    assert a.loc["王五", "attainment_pct"] == pytest.approx(95.0)
    assert a["status"].to_dict() == {"张三": "green", "李四": "red", "王五": "yellow"}
    assert a["rank"].to_dict() == {"张三": 1, "李四": 3, "王五": 2}
    assert a["rank_in_branch"].to_dict() == {"张三": 1, "李四": 2, "王五": 1}
    b = q1.attainment("branch", "ytd").set_index("branch")
    assert list(b.index) == ["北京", "上海"]  # the targets' order, not alphabetical
    assert b.loc["北京", "attainment_pct"] == pytest.approx(85.0) and b.loc["北京", "status"] == "red"
    c = q1.attainment("company", "ytd").iloc[0]
    assert c["attainment_pct"] == pytest.approx(90.0) and c["status"] == "yellow"  # 90 % is yellow, not red


def test_month_and_qtd(q1):
    m = q1.attainment("salesperson", "month").set_index("salesperson")
    assert m.loc["李四", "actual"] == 13_000.0 and m.loc["李四", "target"] == 10_000.0
    assert m.loc["李四", "attainment_pct"] == pytest.approx(130.0)
    qtd = q1.attainment("branch", "qtd")
    ytd = q1.attainment("branch", "ytd")
    assert qtd["actual"].tolist() == ytd["actual"].tolist()  # Q1: quarter and year coincide
    both = q1.attainment("company", "all")
    assert both["period"].tolist() == ["month", "qtd", "ytd"]


def test_time_adjusted_attainment_mid_month():
    # as of Friday 13 February 2026: 10 of February's 16 working days are gone (62.5 %)
    actuals = make_actuals([("2026-01-20", "A1", "北京", "张三", 100, 10_000.0), ("2026-02-11", "A2", "北京", "张三", 100, 4_000.0)])
    tr = Tracker(as_of="2026-02-13").fit(make_targets(), actuals)
    m = tr.attainment("salesperson", "month").set_index("salesperson").loc["张三"]
    assert m["time_elapsed_pct"] == pytest.approx(62.5)
    assert m["target"] == 10_000.0 and m["target_to_date"] == 6_250.0
    assert m["time_adjusted_attainment_pct"] == pytest.approx(64.0)
    y = tr.attainment("salesperson", "ytd").set_index("salesperson").loc["张三"]
    # January's 21 working days + 10 of February's 16
    assert y["time_elapsed_pct"] == pytest.approx(31 / 37 * 100)
    assert y["target_to_date"] == 16_250.0
    assert y["time_adjusted_attainment_pct"] == pytest.approx(14_000 / 16_250 * 100)
    assert y["status"] == "red"


def test_thresholds_move_the_lights(q1):
    loose = Tracker(as_of="2026-03-31", thresholds={"green": 95, "yellow": 70}).fit(make_targets(), make_actuals(Q1))
    a = loose.attainment("salesperson", "ytd").set_index("salesperson")
    assert a["status"].to_dict() == {"张三": "green", "李四": "yellow", "王五": "green"}


def test_product_level_without_product_targets():
    actuals = make_actuals(Q1).assign(product=["设备", "设备", "设备", "服务", "服务", "设备", "服务", "服务"])
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), actuals)
    p = tr.attainment("product", "ytd").set_index("product")
    assert p.loc["设备", "actual"] == 8_000 + 20_000 + 19_000
    assert p.loc["服务", "actual"] == 10_000 + 13_000 + 19_000 + 19_000
    assert p["status"].eq("no_target").all() and p["target"].isna().all()


def test_product_targets_are_used():
    t = make_targets().assign(product="设备")
    tr = Tracker(as_of="2026-03-31").fit(t, make_actuals(Q1).assign(product="设备"))
    p = tr.attainment("product", "ytd").iloc[0]
    assert p["target"] == 120_000.0 and p["attainment_pct"] == pytest.approx(90.0)


def test_gross_profit_measure():
    t = make_targets().assign(gross_profit_task=lambda f: f["sales_task"] * 0.1)
    a = make_actuals(Q1).assign(gross_profit=lambda f: f["revenue"] * 0.1)
    tr = Tracker(as_of="2026-03-31", measure="gross_profit").fit(t, a)
    c = tr.attainment("company", "ytd").iloc[0]
    assert c["actual"] == pytest.approx(10_800.0) and c["target"] == pytest.approx(12_000.0)


def test_actuals_after_as_of_are_left_out():
    rows = Q1 + [("2026-04-02", "A9", "北京", "张三", 100, 99_999.0)]
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), make_actuals(rows))
    assert tr.attainment("company", "ytd").iloc[0]["actual"] == 108_000.0
    assert tr.summary()["rows_after_as_of"] == 1


def test_as_of_defaults_to_last_actual_day():
    tr = Tracker().fit(make_targets(), make_actuals(Q1))
    assert tr.as_of_ == pd.Timestamp("2026-03-20")


def test_monthly_actuals():
    monthly = pd.DataFrame(
        {"month": pd.to_datetime(["2026-01-01", "2026-02-01"]), "branch": "北京", "salesperson": "张三", "revenue": [9_000.0, 11_000.0]}
    )
    tr = Tracker().fit(make_targets(), monthly)
    assert tr.as_of_ == pd.Timestamp("2026-02-28") and tr.granularity_ == "month"
    a = tr.attainment("salesperson", "ytd").set_index("salesperson").loc["张三"]
    assert a["actual"] == 20_000.0 and a["time_elapsed_pct"] == 100.0
    with pytest.raises(ParameterError, match="daily actuals"):
        tr.weekly()


def test_branch_level_targets():
    t = make_targets().groupby(["month", "branch"], as_index=False)["sales_task"].sum()
    tr = Tracker(as_of="2026-03-31").fit(t, make_actuals(Q1))
    assert tr.attainment("branch", "ytd").set_index("branch").loc["北京", "actual"] == 51_000.0
    with pytest.raises(ParameterError, match="salesperson column"):
        tr.attainment("salesperson")


# ----------------------------------------------------------------------------
# re-planning and pace
# ----------------------------------------------------------------------------
def test_replan_branch_by_hand(q1):
    rp = q1.replan("branch")
    bj = rp[rp["branch"] == "北京"].set_index(rp[rp["branch"] == "北京"]["month"].dt.month)
    # 北京: 240,000 - 51,000 = 189,000 over April-December, planned equally: 21,000 each
    assert bj.loc[4:12, "new_task"].tolist() == [21_000.0] * 9
    assert bj.loc[1:3, "new_task"].tolist() == [8_000.0, 20_000.0, 23_000.0]  # closed months keep their actuals
    assert bj["month_status"].tolist() == ["closed"] * 3 + ["open"] * 9
    sh = rp[rp["branch"] == "上海"]
    # 上海: 183,000 / 9 = 20,333.33...: 18,300,000 fen = 9 x 2,033,333 + 3 fen, to April, May, June
    assert sh["new_task_fen"].tolist()[3:] == [2_033_334] * 3 + [2_033_333] * 6
    assert sh["new_task_fen"].sum() == 24_000_000
    assert rp["remaining_gap"].unique().tolist() == [189_000.0, 183_000.0]


def test_replan_follows_the_plan_phasing():
    monthly = {m: (20_000.0 if m == 12 else 10_000.0) for m in range(1, 13)}
    t = make_targets([("北京", "张三", 0)], monthly=monthly)
    actuals = make_actuals([(f"2026-{m:02d}-10", f"A{m}", "北京", "张三", 100, 10_000.0) for m in range(1, 9)] + [("2026-09-10", "A9", "北京", "张三", 100, 5_000.0)])
    rp = Tracker(as_of="2026-09-30").fit(t, actuals).replan("salesperson")
    # gap 130,000 - 85,000 = 45,000 over Oct : Nov : Dec = 1 : 1 : 2
    assert rp["new_task"].tolist()[9:] == [11_250.0, 11_250.0, 22_500.0]
    assert rp["new_task_fen"].sum() == 13_000_000


def test_replan_target_already_reached():
    actuals = make_actuals([("2026-03-10", "A1", "北京", "张三", 100, 130_000.0)])
    rp = Tracker(as_of="2026-03-31").fit(make_targets(), actuals).replan("salesperson")
    zs = rp[rp["salesperson"] == "张三"]
    assert zs["remaining_gap"].iloc[0] == 0 and zs["new_task"].iloc[3:].eq(0).all()
    assert zs["new_task_fen"].sum() == 13_000_000  # the actual, above the 120,000 target


def test_replan_mid_month_and_pace_by_hand():
    # as of Friday 13 February 2026; 张三 has 10,000 in January and 4,000 so far in February
    actuals = make_actuals([("2026-01-20", "A1", "北京", "张三", 100, 10_000.0), ("2026-02-11", "A2", "北京", "张三", 100, 4_000.0)])
    tr = Tracker(as_of="2026-02-13").fit(make_targets(), actuals)
    rp = tr.replan("salesperson")
    zs = rp[rp["salesperson"] == "张三"].reset_index(drop=True)
    ls = rp[rp["salesperson"] == "李四"].reset_index(drop=True)
    bj = tr.replan("branch").query("branch == '北京'").reset_index(drop=True)
    # 北京: gap 240,000 - 14,000 = 226,000 yuan; weights: February 20,000 x 6/16 working days ahead = 7,500,
    # March-December 20,000 each.  February 22,600,000 fen x 7,500 / 207,500 = 816,867.47, each later month
    # 2,178,313.25; the 3 fen left go to the largest remainders: February (.47), then March and April.
    assert bj["new_task_fen"].tolist()[1:] == [400_000 + 816_868, 2_178_314, 2_178_314] + [2_178_313] * 8
    # 张三 (gap 106,000) and 李四 (gap 120,000) share the branch gap by their own gaps, and every month of the
    # two adds up to the branch's: February's extra fen goes to 张三 (383,132.53 -> 383,133).
    assert zs.loc[1, "new_task_fen"] == 400_000 + 383_133 and ls.loc[1, "new_task_fen"] == 433_735
    assert (zs["new_task_fen"] + ls["new_task_fen"]).tolist() == bj["new_task_fen"].tolist()
    assert zs["new_task_fen"].sum() == 12_000_000 and ls["new_task_fen"].sum() == 12_000_000
    assert (zs.loc[2:, "new_task_fen"] - 1_021_686.75).abs().max() < 1
    pace = tr.daily_pace("salesperson").set_index("salesperson").loc["张三"]
    # working days left in February after the 13th: Sat 14 (调休), 24, 25, 26, 27, Sat 28 (调休)
    assert pace["working_days_in_month"] == 16 and pace["working_days_left"] == 6
    assert pace["still_to_do"] == 3_831.33
    assert pace["required_per_working_day"] == 638.56  # 383,133 / 6 = 63,855.5 fen, rounded up
    assert pace["plan_per_working_day"] == 625.0  # 10,000 / 16


def test_pace_into_october_with_national_day():
    actuals = make_actuals([(f"2026-{m:02d}-10", f"A{m}", "北京", "张三", 100, 10_000.0) for m in range(1, 10)])
    tr = Tracker(as_of="2026-09-30").fit(make_targets(), actuals)
    pace = tr.daily_pace("salesperson").set_index("salesperson").loc["张三"]
    assert pace["pace_month"] == pd.Timestamp("2026-10-01")
    # October 2026: 8, 9, Sat 10 (调休), 12-16, 19-23, 26-30 = 18 working days
    assert pace["working_days_left"] == 18
    assert pace["month_task"] == 10_000.0
    assert pace["required_per_working_day"] == 555.56  # 1,000,000 fen / 18 = 55,555.6, rounded up
    from salesanalytics.core.calendar_cn import working_days

    assert pace["run_rate_per_working_day"] == round(90_000 / working_days("2026-01-01", "2026-09-30"), 2)
    branch = tr.daily_pace("branch").set_index("branch")
    assert branch.loc["上海", "still_to_do"] == 80_000.0  # nothing sold: 240,000 over October-December, planned equally


def test_pace_mid_september_counts_mid_autumn_and_make_up_day():
    actuals = make_actuals([("2026-09-10", "A1", "北京", "张三", 100, 1_000.0)])
    pace = Tracker(as_of="2026-09-18").fit(make_targets(), actuals).daily_pace("branch")
    # 19-30 September: Sun 20 (调休) counts, Fri 25 (中秋) does not
    assert pace["working_days_left"].unique().tolist() == [8]


def test_no_pace_after_the_last_day_of_the_year():
    tr = Tracker(as_of="2026-12-31").fit(make_targets(), make_actuals(Q1))
    with pytest.raises(ParameterError, match="last day"):
        tr.daily_pace()


def test_replan_credits_over_achievement_to_the_branch():
    # 张三 sold 130,000 by March: 10,000 over his annual 120,000.  北京's gap 240,000 - 130,000 = 110,000 is
    # all 李四's to deliver (not his own 120,000): persons add up to the branch, branches to the company.
    actuals = make_actuals([("2026-03-10", "A1", "北京", "张三", 100, 130_000.0), ("2026-03-11", "B1", "上海", "王五", 100, 30_000.0)])
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), actuals)
    rp = tr.replan("salesperson").drop_duplicates("salesperson").set_index("salesperson")
    assert rp.loc["张三", ["own_gap", "remaining_gap", "rule"]].tolist() == [0.0, 0.0, "ahead_of_target"]
    assert rp.loc["李四", ["own_gap", "remaining_gap", "rule"]].tolist() == [120_000.0, 110_000.0, "share_of_branch_gap"]
    assert rp.loc["王五", ["remaining_gap", "rule"]].tolist() == [210_000.0, "share_of_branch_gap"]
    br = tr.replan("branch").drop_duplicates("branch").set_index("branch")
    assert br["remaining_gap"].tolist() == [110_000.0, 210_000.0] and set(br["rule"]) == {"share_of_company_gap"}
    co = tr.replan("company")
    assert co["remaining_gap"].iloc[0] == 320_000.0 and co["rule"].iloc[0] == "company_gap"
    assert relabel(tr.replan("salesperson"), "zh")["调整依据"].iloc[0] == "已完成年度目标,超额计入上级"


def test_replan_branch_ahead_and_person_who_left():
    # 王五 (上海) is far ahead: the company gap is smaller than 北京's own gap, and 北京 takes all of it.
    # 李四 left after June (no task in the open months): his gap goes to 张三.
    t = make_targets()
    t = t[~((t["salesperson"] == "李四") & (t["month"].dt.month > 6))]
    actuals = make_actuals([("2026-03-10", "A1", "北京", "张三", 100, 60_000.0), ("2026-03-10", "B1", "上海", "王五", 100, 300_000.0)])
    tr = Tracker(as_of="2026-06-30").fit(t, actuals)
    rp = tr.replan("salesperson").drop_duplicates("salesperson").set_index("salesperson")
    # company: 420,000 - 360,000 = 60,000; 北京's own gap 180,000 - 60,000 = 120,000 -> all 60,000 to 北京
    assert rp.loc["王五", ["remaining_gap", "rule"]].tolist() == [0.0, "ahead_of_target"]
    assert rp.loc["李四", ["own_gap", "remaining_gap", "rule"]].tolist() == [60_000.0, 0.0, "no_open_task"]
    assert rp.loc["张三", ["own_gap", "remaining_gap", "rule"]].tolist() == [60_000.0, 60_000.0, "share_of_branch_gap"]
    # but when the company is ahead, nobody behind gets more
    more = make_actuals([("2026-03-10", "A1", "北京", "张三", 100, 10_000.0), ("2026-03-10", "B1", "上海", "王五", 100, 500_000.0)])
    rp = Tracker(as_of="2026-06-30").fit(t, more).replan("salesperson").drop_duplicates("salesperson").set_index("salesperson")
    assert rp.loc["张三", ["remaining_gap", "rule"]].tolist() == [0.0, "parent_target_reached"]


def test_replan_when_everybody_still_working_is_ahead():
    # 李四 left after June, behind; 张三 is ahead: the branch gap goes to 张三 by his planned open-month tasks
    t = make_targets()
    t = t[~((t["salesperson"] == "李四") & (t["month"].dt.month > 6))]
    actuals = make_actuals([("2026-03-10", "A1", "北京", "张三", 100, 125_000.0), ("2026-03-10", "B1", "上海", "王五", 100, 1_000.0)])
    rp = Tracker(as_of="2026-06-30").fit(t, actuals).replan("salesperson").drop_duplicates("salesperson").set_index("salesperson")
    # 北京: 180,000 - 125,000 = 55,000, all to 张三 although he is 5,000 ahead of his own target
    assert rp.loc["张三", ["own_gap", "remaining_gap", "rule"]].tolist() == [0.0, 55_000.0, "share_by_open_task"]
    assert rp.loc["李四", "remaining_gap"] == 0.0


def _tree_case(people, targets_fen, actual_fen, as_of):
    """Targets and actuals for the property test: people x 12 months (fen), daily actual rows on the 3rd and 20th."""
    rows_t, rows_a = [], []
    for i, (branch, person) in enumerate(people):
        for m in range(12):
            if targets_fen[i][m] is not None:
                rows_t.append((pd.Timestamp(Y, m + 1, 1), branch, person, targets_fen[i][m] / 100))
            for half, day in ((0, 3), (1, 20)):
                fen = actual_fen[i][m] // 2 + (actual_fen[i][m] % 2 if half else 0)
                if fen:
                    rows_a.append((f"2026-{m + 1:02d}-{day:02d}", f"D{i}-{m}-{half}", branch, person, 100, fen / 100))
    return pd.DataFrame(rows_t, columns=["month", "branch", "salesperson", "sales_task"]), make_actuals(rows_a)


@st.composite
def _org(draw):
    n_branches = draw(st.integers(1, 3))
    people = [(f"B{b}", f"P{b}{k}") for b in range(n_branches) for k in range(draw(st.integers(1, 3)))]
    targets, actuals = [], []
    for _ in people:
        start, end = sorted(draw(st.lists(st.integers(0, 12), min_size=2, max_size=2)))  # new or left: tasks only in [start, end)
        monthly = draw(st.integers(0, 2_000_000))
        targets.append([monthly + draw(st.integers(0, 500_000)) if start <= m < end else (0 if m < start else None) for m in range(12)])
        style = draw(st.sampled_from(["zero", "behind", "ahead", "far_ahead"]))
        factor = {"zero": 0.0, "behind": 0.5, "ahead": 1.1, "far_ahead": 3.0}[style]
        actuals.append([int(draw(st.integers(0, 2_000_000)) * factor) for _ in range(12)])
    if all(v in (None, 0) for row in targets for v in row):
        targets[0][11] = 100
    as_of = pd.Timestamp(Y, 1, 1) + pd.Timedelta(days=draw(st.integers(0, 363)))
    return people, targets, actuals, as_of


_N = None
#: found by hypothesis: the branch table's order (B0, B2, B1) is not the people's (B0, B1, B2)
_ORDER_CASE = ([("B0", "P00"), ("B1", "P10"), ("B1", "P11"), ("B1", "P12"), ("B2", "P20"), ("B2", "P21"), ("B2", "P22")],
               [[_N] * 11 + [100]] + [[_N] * 12] * 5 + [[0] + [_N] * 11],
               [[0] * 12, [2] + [0] * 11] + [[0] * 12] * 5, pd.Timestamp("2026-01-03"))


@settings(max_examples=50, deadline=None)
@given(_org())
@example(_ORDER_CASE)
def test_replans_add_up_at_every_level(case):
    """Random targets and actuals (some far ahead, some at zero, new and leaving people, a partial month)."""
    people, targets_fen, actual_fen, as_of = case
    targets, actuals = _tree_case(people, targets_fen, actual_fen, as_of)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrackingWarning)  # people without any task are sales without a target
        tr = Tracker(as_of=as_of).fit(targets, actuals)
    co, br, pe = (tr.replan(level) for level in ("company", "branch", "salesperson"))
    for frame in (co, br, pe):
        closed = frame["month_status"] == "closed"
        assert (frame.loc[closed, "new_task_fen"] == frame.loc[closed, "actual_fen"]).all()
        assert (frame["new_task_fen"] >= frame["actual_fen"]).all()  # nobody's part is negative
        parts = (frame["new_task_fen"] - frame["actual_fen"]).groupby([frame[k] for k in ("branch", "salesperson") if k in frame] or [np.zeros(len(frame))]).sum()
        gaps = np.rint(frame.groupby([frame[k] for k in ("branch", "salesperson") if k in frame] or [np.zeros(len(frame))])["remaining_gap"].first() * 100)
        if (frame["month_status"] == "open").any():
            assert (parts.to_numpy() == gaps.to_numpy()).all()  # every key's months add up to its share
    by_month = lambda f: f.groupby("month")["new_task_fen"].sum()  # noqa: E731
    assert (by_month(co) == by_month(br)).all() and (by_month(br) == by_month(pe)).all()
    # the branch table lists branches in its own order (hypothesis found B0, B2, B1): compare by label
    per_branch = pe.groupby(["branch", "month"])["new_task_fen"].sum()
    branches = br.set_index(["branch", "month"])["new_task_fen"].sort_index()
    assert per_branch.index.equals(branches.index) and (per_branch == branches).all()
    annual = sum(v for row in targets_fen for v in row if v is not None)
    done = int(co["actual_fen"].sum())
    assert np.rint(co["remaining_gap"].iloc[0] * 100) == max(annual - done, 0)
    assert np.rint(br.groupby("branch")["remaining_gap"].first().sum() * 100) == max(annual - done, 0)
    first = pe.drop_duplicates(["branch", "salesperson"])
    assert (first.loc[first["own_gap"] == 0, "rule"].isin(["ahead_of_target", "share_by_open_task", "share_by_annual_target", "no_target"])).all()


# ----------------------------------------------------------------------------
# outlook
# ----------------------------------------------------------------------------
class FlatForecaster:
    """Test double with the forward API: every remaining month of every series sells 1,000 yuan (+/- a draw)."""

    def __init__(self, horizon=12, levels=(80, 95), n_jobs=1):
        self.horizon = horizon

    def fit(self, history, industry=None):
        self.series_ = sorted(history["branch"].unique())
        self.months_ = pd.date_range(history["month"].max() + pd.offsets.MonthBegin(1), periods=self.horizon, freq="MS")
        self.history_seen_ = history
        return self

    def simulate(self, n_draws=1000, seed=0):
        shift = np.linspace(-100, 100, n_draws)[:, None, None]
        return 1_000.0 + shift + np.zeros((n_draws, len(self.series_), self.horizon))


def _history(branches=("北京", "上海"), months=36):
    idx = pd.date_range("2023-01-01", periods=months, freq="MS")
    return pd.DataFrame([(m, b, 1_000.0) for b in branches for m in idx], columns=["month", "branch", "revenue"])


def test_outlook_with_forecaster_by_hand(q1):
    out = q1.outlook(_history(), forecaster=FlatForecaster, n_draws=101).set_index("branch")
    # 北京: 51,000 so far + 9 months x 1,000 (+/- 100 per month, the same draw for every month)
    assert out.loc["北京", "projected_year_end"] == pytest.approx(60_000.0)
    assert out.loc["北京", "lo_95"] < 60_000 < out.loc["北京", "hi_95"]
    assert out.loc["北京", "method"] == "forecast" and out.loc["北京", "prob_reach_target"] == 0.0
    company = out.loc[COMPANY]
    assert company["projected_year_end"] == pytest.approx(108_000 + 18_000)
    months = q1.outlook_monthly(_history(), forecaster=FlatForecaster, n_draws=101).set_index(["branch", "month"])
    assert months.loc[("北京", pd.Timestamp("2026-02-01")), "actual"] == 20_000.0
    assert months.loc[("北京", pd.Timestamp("2026-02-01")), "kind"] == "actual"
    apr = months.loc[("北京", pd.Timestamp("2026-04-01"))]
    assert np.isnan(apr["actual"]) and apr["projected"] == pytest.approx(1_000.0) and apr["kind"] == "forecast"
    assert months.loc[(COMPANY, pd.Timestamp("2026-04-01")), "projected"] == pytest.approx(2_000.0)
    assert months.loc[(COMPANY, pd.Timestamp("2026-04-01")), "target"] == 40_000.0
    assert company["annual_target"] == 480_000.0 and company["actual_to_date"] == 108_000.0


def test_outlook_feeds_this_years_closed_months_to_the_forecaster(q1):
    seen = {}

    class Spy(FlatForecaster):
        def fit(self, history, industry=None):
            seen["history"] = history
            return super().fit(history, industry)

    q1.outlook(_history(), forecaster=Spy)
    h = seen["history"]
    bj = h[h["branch"] == "北京"].set_index("month")["revenue"]
    assert bj.loc[pd.Timestamp("2026-02-01")] == 20_000.0 and bj.index.max() == pd.Timestamp("2026-03-01")


def test_outlook_run_rate_without_history(q1):
    out = q1.outlook(None).set_index("branch")
    # 北京 reached 85 % of its 60,000 so far; the remaining 180,000 planned at the same rate: 153,000
    assert out.loc["北京", "projected_year_end"] == pytest.approx(51_000 + 153_000)
    assert out.loc["北京", "method"] == "run_rate"
    assert out.loc["北京", "lo_80"] == out.loc["北京", "hi_80"]
    monthly = q1.outlook_monthly(None).set_index(["branch", "month"])
    assert monthly.loc[("北京", pd.Timestamp("2026-04-01")), "projected"] == pytest.approx(20_000 * 0.85)


def test_outlook_new_branch_falls_back_to_run_rate(q1):
    out = q1.outlook(_history(branches=("北京",)), forecaster=FlatForecaster).set_index("branch")
    assert out.loc["北京", "method"] == "forecast" and out.loc["上海", "method"] == "run_rate"
    assert out.loc[COMPANY, "method"] == "mixed"


@pytest.mark.slow
def test_outlook_with_the_real_forecaster(history):
    from salesanalytics.methods.backward import BackwardPlanner

    plan = io.read_plan(io.Path(__file__).resolve().parents[1] / "data" / "plan_2026.yaml")
    targets = BackwardPlanner(plan).fit(history).tasks("branch")
    actuals = io.read_actuals(io.Path(__file__).resolve().parents[1] / "data" / "actuals_2026.csv")
    tr = Tracker(as_of="2026-09-30").fit(targets, actuals)
    out = tr.outlook(history, n_draws=300).set_index("branch")
    branches = out.drop(index=COMPANY)
    assert out.loc[COMPANY, "projected_year_end"] == pytest.approx(branches["projected_year_end"].sum(), rel=1e-9)
    assert (out["lo_80"] <= out["projected_year_end"] + 0.01).all() and (out["projected_year_end"] <= out["hi_80"] + 0.01).all()
    assert set(branches["method"]) == {"forecast", "run_rate"}  # 三亚 and 珠海 opened in 2026
    assert branches.loc["北京", "method"] == "forecast" and branches.loc["珠海", "method"] == "run_rate"
    assert 0 <= out.loc[COMPANY, "prob_reach_target"] <= 1


# ----------------------------------------------------------------------------
# weekly, daily checks, funnel
# ----------------------------------------------------------------------------
def test_weekly_by_hand():
    actuals = make_actuals([("2026-01-04", "A1", "北京", "张三", 100, 500.0), ("2026-01-07", "A2", "北京", "李四", 100, 3_000.0)])
    w = Tracker(as_of="2026-01-11").fit(make_targets(), actuals).weekly("branch")
    bj = w[w["branch"] == "北京"].reset_index(drop=True)
    # January 2026 has 21 working days; 北京's 20,000 = 2,000,000 fen -> 95,238 fen a day, 2 fen left to Sun 4th and Mon 5th.
    # Week 1 (1-4 January) holds one working day, Sunday the 4th (调休).
    assert bj["week"].tolist() == ["2026-W01", "2026-W02"]
    assert bj["week_start"].tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-05")]
    assert bj["target_week"].tolist() == [952.39, 4_761.91]  # Mon 5th 952.39 + 4 x 952.38
    assert bj["actual_week"].tolist() == [500.0, 3_000.0]
    assert bj["actual_to_date"].tolist() == [500.0, 3_500.0]
    assert bj["gap_to_date"].iloc[-1] == pytest.approx(3_500.0 - 5_714.30)


def test_weekly_targets_add_up_to_the_months(q1):
    w = q1.weekly("company")
    assert w["week"].iloc[-1] == "2026-W14" and w["week_end"].iloc[-1] == pd.Timestamp("2026-03-31")
    assert w["target_week"].sum() == pytest.approx(120_000.0, abs=1e-6)  # January-March, to the fen
    assert w["actual_to_date"].iloc[-1] == 108_000.0
    assert w["status"].iloc[-1] == "yellow"


def test_daily_checks_and_funnel():
    actuals = make_actuals(Q1)
    activities = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-03-05", "2026-03-05", "2026-03-06"]),
            "branch": ["北京", "北京", "上海"],
            "salesperson": ["张三", "李四", "王五"],
            "visits": [6, 4, 5],
            "new_customers": [1, 0, 1],
            "quotes": [3, 1, 2],
            "deals": [1, 0, 0],
            "cash_collected": [5_000.0, 0.0, 1_000.0],
        }
    )
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), actuals, activities)
    d = tr.daily_checks().set_index(["branch", "date"])
    row = d.loc[("北京", pd.Timestamp("2026-03-05"))]
    assert row["visits"] == 10 and row["quotes"] == 4 and row["actual_day"] == 10_000.0 and row["deals"] == 1
    assert row["target_day"] == pytest.approx(20_000 / 22, abs=0.01)  # March 2026 has 22 working days
    assert d.loc[("北京", pd.Timestamp("2026-03-31")), "mtd_actual"] == 23_000.0
    assert d.loc[("北京", pd.Timestamp("2026-03-31")), "mtd_target"] == 20_000.0
    assert not d.loc[("北京", pd.Timestamp("2026-03-07")), "is_workday"]
    f = tr.funnel(period="month").set_index(["branch", "stage"])
    assert f.loc[("北京", "quotes"), "conversion_pct"] == pytest.approx(40.0)  # 4 quotes / 10 visits
    assert f.loc[("北京", "deals"), "conversion_pct"] == pytest.approx(25.0)  # 1 deal / 4 quotes
    assert f.loc[("北京", "cash_collected"), "conversion_pct"] == pytest.approx(5_000 / 23_000 * 100)
    assert Tracker(as_of="2026-03-31").fit(make_targets(), actuals).funnel().empty


# ----------------------------------------------------------------------------
# bad input: each case with the exact error and the words that help
# ----------------------------------------------------------------------------
def _rows(*extra, base=Q1):
    return make_actuals(list(base) + list(extra))


BAD_ACTUALS = [
    ("shares not 100", _rows(("2026-03-09", "C1", "北京", "张三", 60, 1_000.0), ("2026-03-09", "C1", "北京", "李四", 30, 1_000.0)),
     DataError, ["C1", "do not sum to 100%", "90%"]),
    ("shares as fractions", _rows(("2026-03-09", "C1", "北京", "张三", 0.6, 1_000.0), ("2026-03-09", "C1", "北京", "李四", 0.4, 1_000.0)),
     DataError, ["fractions", "write 60, not 0.6"]),
    ("shared deal without a deal id", make_actuals(Q1).drop(columns=["deal_id"]), DataError, ["do not sum to 100%", "without a deal id", "rows 3, 4"]),
    ("lines of a deal with different amounts", _rows(("2026-03-09", "C1", "北京", "张三", 50, 1_000.0), ("2026-03-09", "C1", "北京", "李四", 50, 900.0)),
     DataError, ["different amounts", "row"]),
    ("date outside the plan year", _rows(("2025-12-31", "C1", "北京", "张三", 100, 1_000.0)), DataError, ["outside the plan year 2026", "2025-12-31", "row 10"]),
    ("duplicated rows", _rows(("2026-03-05", "A3", "北京", "张三", 100, 10_000.0)), DataError, ["duplicated actual rows", "rows 5, 10", "duplicates='sum'"]),
    ("share above 100", _rows(("2026-03-09", "C1", "北京", "张三", 150, 1_000.0)), DataError, ["share", "row 10"]),
    ("text amount", _rows(("2026-03-09", "C1", "北京", "张三", 100, "一千")), DataError, ["revenue", "一千", "not a number"]),
    ("missing amount column", make_actuals(Q1).drop(columns=["revenue"]), DataError, ["no column 'revenue'"]),
    ("no date column", make_actuals(Q1).drop(columns=["date"]), DataError, ["'date'", "'month'"]),
]


@pytest.mark.parametrize(("case", "actuals", "error", "words"), BAD_ACTUALS, ids=[c[0] for c in BAD_ACTUALS])
def test_bad_actuals(case, actuals, error, words):
    with pytest.raises(error) as info:
        Tracker(as_of="2026-03-31").fit(make_targets(), actuals)
    for word in words:
        assert word in str(info.value), (case, str(info.value))


BAD_SETTINGS = [
    ("as of outside the plan year", {"as_of": "2025-06-30"}, ParameterError, ["outside the plan year 2026"]),
    ("as of not a date", {"as_of": "soon"}, ParameterError, ["not a date", "YYYY-MM-DD"]),
    ("thresholds keys", {"thresholds": {"green": 100}}, ParameterError, ["'green' and 'yellow'"]),
    ("thresholds order", {"thresholds": {"green": 80, "yellow": 90}}, ParameterError, ["yellow <= green"]),
    ("measure", {"measure": "sale"}, ParameterError, ["Did you mean 'sales'"]),
    ("duplicates option", {"duplicates": "add"}, ParameterError, ["'error' or 'sum'"]),
]


@pytest.mark.parametrize(("case", "settings_", "error", "words"), BAD_SETTINGS, ids=[c[0] for c in BAD_SETTINGS])
def test_bad_settings(case, settings_, error, words):
    with pytest.raises(error) as info:
        Tracker(**{"as_of": "2026-03-31", **settings_}).fit(make_targets(), make_actuals(Q1))
    for word in words:
        assert word in str(info.value), (case, str(info.value))


def test_targets_over_two_years():
    t = pd.concat([make_targets(), make_targets().assign(month=lambda f: f["month"] - pd.DateOffset(years=1))])
    with pytest.raises(DataError, match="several years"):
        Tracker(as_of="2026-03-31").fit(t, make_actuals(Q1))


def test_duplicated_targets():
    t = pd.concat([make_targets(), make_targets().head(1)])
    with pytest.raises(DataError, match="duplicate target rows"):
        Tracker(as_of="2026-03-31").fit(t, make_actuals(Q1))


def test_duplicates_can_be_summed():
    plain = make_actuals(Q1).drop(columns=["deal_id", "share"]).iloc[[0, 3, 5]]
    twice = pd.concat([plain, plain.iloc[[0]].assign(revenue=500.0)], ignore_index=True)
    with pytest.warns(TrackingWarning, match="were summed"):
        tr = Tracker(as_of="2026-03-31", duplicates="sum").fit(make_targets(), twice)
    assert tr.duplicates_found()["row"].tolist() == [2, 5]
    assert tr.attainment("salesperson", "ytd").set_index("salesperson").loc["张三", "actual"] == 8_000 + 500 + 10_000


def test_duplicate_credit_lines_add_their_shares():
    rows = [("2026-03-09", "C1", "北京", "张三", 30, 1_000.0), ("2026-03-09", "C1", "北京", "张三", 30, 1_000.0), ("2026-03-09", "C1", "北京", "李四", 40, 1_000.0)]
    with pytest.warns(TrackingWarning):
        tr = Tracker(as_of="2026-03-31", duplicates="sum").fit(make_targets(), make_actuals(rows))
    a = tr.attainment("salesperson", "ytd").set_index("salesperson")["actual"]
    assert a["张三"] == 600.0 and a["李四"] == 400.0


def test_unknown_person_and_branch_are_reported_not_dropped():
    rows = Q1 + [("2026-03-09", "C1", "北京", "赵六", 100, 5_000.0), ("2026-03-09", "C2", "广州", "钱七", 100, 7_000.0)]
    with pytest.warns(TrackingWarning, match=r"absent from the targets.*北京/赵六"):
        tr = Tracker(as_of="2026-03-31").fit(make_targets(), make_actuals(rows))
    u = tr.unmatched().set_index("salesperson")
    assert u.loc["赵六", "in_targets"] and not u.loc["钱七", "in_targets"]
    assert u.loc["钱七", "actual"] == 7_000.0 and u.loc["赵六", "rows"] == 1
    people = tr.attainment("salesperson", "ytd").set_index("salesperson")
    assert people.loc["赵六", "status"] == "no_target" and pd.isna(people.loc["赵六", "rank"])
    branches = tr.attainment("branch", "ytd").set_index("branch")
    assert branches.loc["北京", "actual"] == 51_000 + 5_000  # the branch really sold it
    assert branches.loc["广州", "status"] == "no_target" and list(branches.index)[-1] == "广州"
    assert tr.attainment("company", "ytd").iloc[0]["actual"] == 108_000 + 12_000
    assert tr.summary()["unmatched_yuan"] == 12_000.0


def test_bad_views(q1):
    with pytest.raises(ParameterError, match="Did you mean 'branch'"):
        q1.attainment("brnch")
    with pytest.raises(ParameterError, match="period"):
        q1.attainment("branch", "week")
    with pytest.raises(ParameterError, match="product column"):
        q1.attainment("product")
    with pytest.raises(ParameterError, match="replan"):
        q1.replan("product")
    with pytest.raises(ParameterError, match="start <= end <= as_of"):
        q1.daily_checks(start="2026-03-01", end="2026-04-30")
    with pytest.raises(NotFittedError):
        Tracker().attainment()


def test_activities_outside_the_year():
    acts = pd.DataFrame({"date": pd.to_datetime(["2025-12-31"]), "branch": ["北京"], "visits": [3]})
    with pytest.raises(DataError, match="outside the plan year"):
        Tracker(as_of="2026-03-31").fit(make_targets(), make_actuals(Q1), acts)


# ----------------------------------------------------------------------------
# reports, Excel, readers, CLI
# ----------------------------------------------------------------------------
def test_review_and_excel_sheets(q1):
    review = q1.review(None)
    for key in ("summary", "standing", "attainment_branch", "attainment_salesperson", "outlook", "replan_branch", "replan_salesperson", "pace_branch", "weekly", "daily_checks", "funnel", "unmatched"):
        assert key in review, key
    st_ = review["standing"].set_index("branch")
    assert st_.loc[COMPANY, "ytd_status"] == "yellow" and st_.loc["北京", "month_actual"] == 23_000.0
    zh = q1.excel_sheets("zh", review=review)
    assert zh["总体进度"].set_index("分公司").loc["全公司", "本年状态"] == "黄"
    assert zh["总体进度"].set_index("分公司").loc["北京", "本月实际(元)"] == 23_000.0
    assert "分公司达成" in zh and "达成率%" in zh["分公司达成"].columns
    assert set(zh["分公司达成"]["状态"]) <= {"绿", "黄", "红", "无目标"}
    en = q1.excel_sheets("en", review=review)
    assert "Attainment %" in en["Attainment by branch"].columns
    assert en["Standing"].set_index("Branch").loc["Company", "YTD status"] == "yellow"
    assert not any(str(c).endswith("_fen") for frame in en.values() for c in frame.columns)
    with pytest.raises(ParameterError):
        relabel(review["standing"], "fr")


RAW = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")  # a snake_case identifier where a word belongs


def _full_tracker():
    """A tracker with every kind of table: products, activities, an unknown seller, summed duplicates."""
    rows = Q1 + [("2026-03-09", "C1", "北京", "赵六", 50, 5_000.0), ("2026-03-09", "C1", "北京", "赵六", 50, 5_000.0)]
    actuals = make_actuals(rows).assign(product=lambda f: np.where(f["branch"] == "北京", "设备", "服务"))
    activities = pd.DataFrame(
        {"date": pd.to_datetime(["2026-03-05", "2026-03-06"]), "branch": ["北京", "上海"], "salesperson": ["张三", "王五"],
         "visits": [6, 5], "new_customers": [1, 1], "quotes": [3, 2], "deals": [1, 0], "cash_collected": [5_000.0, 0.0]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TrackingWarning)
        return Tracker(as_of="2026-03-13", duplicates="sum").fit(make_targets(), actuals, activities)


def test_every_table_is_labelled_in_both_languages():
    tr = _full_tracker()
    review = tr.review(_history(), n_draws=50)
    tables = {k: v for k, v in review.items() if isinstance(v, pd.DataFrame)}
    tables |= {
        "attainment_company": tr.attainment("company", "all"),
        "replan_company": tr.replan("company"),
        "pace_company": tr.daily_pace("company"),
        "weekly_company": tr.weekly("company"),
        "daily_checks_company": tr.daily_checks(level="company"),
        "funnel_company": tr.funnel(level="company"),
        "outlook_run_rate": tr.outlook(None),
    }
    assert {"duplicates", "unmatched", "funnel", "daily_checks", "attainment_product", "outlook_monthly"} <= {k for k, v in tables.items() if len(v)}
    for lang in ("zh", "en"):
        for name, frame in tables.items():
            shown = relabel(frame, lang)  # a column without a label raises LabelError
            raw_headers = [c for c in shown.columns if RAW.match(str(c))]
            assert raw_headers == [], (lang, name, raw_headers)
            words = shown.select_dtypes(include=["object", "string"])
            raw_cells = sorted({v for col in words.columns for v in words[col] if isinstance(v, str) and RAW.match(v)})
            assert raw_cells == [], (lang, name, raw_cells)
            assert not any(isinstance(v, bool) for col in shown.columns for v in shown[col].astype(object)), (lang, name)
        sheets = tr.excel_sheets(lang, review=review)
        assert not any(RAW.match(name) for name in sheets), list(sheets)
    outlook = relabel(review["outlook"], "zh").set_index("分公司")
    assert set(outlook["方法"]) <= {"预测模型", "按目前达成率", "混合"} and "全公司" in outlook.index
    assert set(relabel(tr.replan("branch"), "en")["Month status"]) == {"closed", "open"}


def test_fit_does_not_read_the_clock():
    # a plan year far ahead: fit judges the as-of date against the plan year only, never against today
    future = make_targets().assign(month=lambda f: f["month"] + pd.DateOffset(years=73))
    actuals = make_actuals(Q1).assign(date=lambda f: f["date"] + pd.DateOffset(years=73))
    tr = Tracker(as_of="2099-06-30").fit(future, actuals)
    assert tr.as_of_ == pd.Timestamp("2099-06-30") and tr.credits_["actual_fen"].sum() == 10_800_000


class FailingForecaster(FlatForecaster):
    def fit(self, history, industry=None):
        raise ForecastError("not enough data")


def test_views_never_change_the_tracker(q1):
    before = dict(vars(q1))
    with pytest.warns(TrackingWarning, match="could not fit"):
        out = q1.outlook(_history(), forecaster=FailingForecaster)
    assert "could not fit" in out.attrs["note"] and set(out["method"]) == {"run_rate"}
    assert q1.outlook(None).attrs["note"] is None
    monthly = q1.outlook_monthly(None)
    assert monthly.attrs["note"] is None
    q1.review(None)
    q1.excel_sheets("en")
    q1.summary("zh")
    for level in ("company", "branch", "salesperson"):
        q1.attainment(level, "all"), q1.replan(level), q1.daily_pace(level)
    q1.weekly(), q1.daily_checks(), q1.funnel(), q1.standing()
    assert vars(q1).keys() == before.keys() and all(vars(q1)[k] is v for k, v in before.items())
    assert not hasattr(q1, "outlook_note_") and not hasattr(q1, "outlook_monthly_")


def test_summary_status_in_words(q1):
    assert q1.summary("zh")["status"] == "黄" and q1.summary("en")["status"] == "yellow"


def test_readers_with_chinese_headers(tmp_path):
    daily = pd.DataFrame(
        {"日期": ["2026-01-05", "2026-01-05"], "分公司": ["北京", "北京"], "销售员": ["张三", "李四"], "单号": ["D1", "D1"], "分成比例": [70, 30], "销售额": [1000, 1000]}
    )
    io.write_table(daily, tmp_path / "a.csv")
    a = io.read_actuals(tmp_path / "a.csv")
    assert a.attrs["granularity"] == "day" and {"date", "deal_id", "share"} <= set(a.columns)
    monthly = pd.DataFrame({"月份": ["2026-01", "2026-02"], "分公司": ["北京", "北京"], "销售额": [1, 2]})
    io.write_table(monthly, tmp_path / "m.xlsx")
    m = io.read_actuals(tmp_path / "m.xlsx")
    assert m.attrs["granularity"] == "month" and m["month"].dt.day.eq(1).all()
    acts = pd.DataFrame({"日期": ["2026-01-05"], "分公司": ["北京"], "销售员": ["张三"], "拜访": [5], "报价": [2], "成交": [1], "回款": [300.0]})
    io.write_table(acts, tmp_path / "x.csv")
    x = io.read_activities(tmp_path / "x.csv")
    assert {"visits", "quotes", "deals", "cash_collected"} <= set(x.columns)
    bad = daily.assign(日期=["2026-01-05", "2026-02-30"])
    io.write_table(bad, tmp_path / "bad.csv")
    with pytest.raises(DataError, match=r"日期.*row 3|row 3.*日期"):
        io.read_actuals(tmp_path / "bad.csv")


def test_cli_track_small(tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    io.write_table(make_targets(), tmp_path / "targets.csv")
    io.write_table(make_actuals(Q1), tmp_path / "actuals.csv")
    code = main(["track", "--targets", str(tmp_path / "targets.csv"), "--actuals", str(tmp_path / "actuals.csv"), "--as-of", "2026-03-31", "--out", str(tmp_path / "t.xlsx")])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("截至 2026-03-31")
    assert any(line.startswith("全公司") for line in lines) and any(line.startswith("北京") for line in lines)
    assert "2026-04" in out and "每工作日" in out
    sheets = pd.read_excel(tmp_path / "t.xlsx", sheet_name=None)
    assert {"总体进度", "分公司达成", "销售员调整任务", "分公司每日进度"} <= set(sheets)
    # a future as-of date is refused by the CLI (the adapter knows today; the Tracker does not read the clock)
    code = main(["track", "--targets", str(tmp_path / "targets.csv"), "--actuals", str(tmp_path / "actuals.csv"), "--as-of", "2030-01-01"])
    assert code == 2 and re.search("in the future|outside the plan year", capsys.readouterr().err)


@pytest.mark.slow
def test_cli_track_bundled_data(tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    data = io.Path(__file__).resolve().parents[1] / "data"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main([
            "track", "--targets", str(data / "plan_2026.yaml"), "--history", str(data / "history_monthly.csv"),
            "--actuals", str(data / "actuals_2026.csv"), "--activities", str(data / "activities_2026.csv"),
            "--as-of", "2026-09-30", "--lang", "en", "--out", str(tmp_path / "track.csv"),
        ])
    out = capsys.readouterr().out
    assert code == 0 and "Projected year-end" in out and "2026-10" in out
    tidy = pd.read_csv(tmp_path / "track.csv")
    assert set(tidy["level"]) == {"company", "branch", "salesperson", "product"}


# ----------------------------------------------------------------------------
# the bundled SYNTHETIC actuals
# ----------------------------------------------------------------------------
def test_bundled_actuals_are_clean_and_on_working_days():
    from salesanalytics.core import calendar_cn
    from salesanalytics.methods.backward import BackwardPlanner

    data = io.Path(__file__).resolve().parents[1] / "data"
    actuals = io.read_actuals(data / "actuals_2026.csv")
    assert actuals["date"].min() >= pd.Timestamp("2026-01-01") and actuals["date"].max() <= pd.Timestamp("2026-09-30")
    assert actuals["date"].map(calendar_cn.is_workday).all()  # including 调休 Sundays such as 4 January
    shares = actuals.groupby("deal_id")["share"].sum()
    assert np.allclose(shares, 100.0)
    assert (actuals.groupby("deal_id").size() > 1).mean() > 0.1  # shared deals are common enough to matter
    plan = io.read_plan(data / "plan_2026.yaml")
    targets = BackwardPlanner(plan).fit(io.read_history(data / "history_monthly.csv")).tasks("salesperson")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrackingWarning)  # every seller is in the roster
        tr = Tracker(as_of="2026-09-30").fit(targets, actuals)
    assert tr.summary()["unmatched_rows"] == 0
    lights = set(tr.attainment("branch", "ytd")["status"])
    assert lights == {"green", "yellow", "red"}  # a quarterly review with something to discuss


def test_synthetic_generators_are_deterministic():
    from salesanalytics.methods import datagen

    history = datagen.make_history()
    roster = datagen.make_roster(2026)
    roster = roster[roster["branch"].isin(["海口", "厦门"])]
    a = datagen.make_actuals(history, roster, end="2026-02-28")
    b = datagen.make_actuals(history, roster, end="2026-02-28")
    pd.testing.assert_frame_equal(a, b)
    acts = datagen.make_activities(a, roster, end="2026-02-28")
    lines = a.groupby(["date", "salesperson"]).size()
    got = acts.set_index(["date", "salesperson"])["deals"]
    assert (got.reindex(lines.index) == lines).all()  # activity deals = the credit lines of that day


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3), st.integers(-50_000, 10_000_000), st.integers(1, 89)), min_size=1, max_size=25))
def test_totals_reconcile_across_levels(deals):
    """Whatever the splits: the people add up to their branch, the branches to the company, the company to the deals."""
    rows = []
    for i, (who, n_lines, fen, day) in enumerate(deals):
        people = [PEOPLE[(who + k) % 3] for k in range(n_lines)]
        shares = [100.0] if n_lines == 1 else ([50.0, 50.0] if n_lines == 2 else [40.0, 30.0, 30.0])
        date = (pd.Timestamp("2026-01-01") + pd.Timedelta(days=day)).date().isoformat()
        rows += [(date, f"D{i}", b, p, s, fen / 100) for (b, p, _), s in zip(people, shares)]
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), make_actuals(rows))
    total = sum(fen for _, _, fen, _ in deals)
    for level in ("company", "branch", "salesperson"):
        assert tr.attainment(level, "ytd")["actual_fen"].sum() == total



def test_large_frames_report_the_exact_bad_row():
    """Above 50,000 rows text columns are checked on their distinct values; an error still names the row."""
    n = 60_000
    big = pd.DataFrame(
        {
            "date": pd.Timestamp("2026-02-02") + pd.to_timedelta(np.arange(n) % 50, unit="D"),
            "branch": "北京",
            "salesperson": np.where(np.arange(n) % 2 == 0, "张三", "李四"),
            "revenue": 1.0,
            "deal_id": [f"D{i}" for i in range(n)],
        }
    )
    tr = Tracker(as_of="2026-03-31").fit(make_targets(), big)
    assert tr.attainment("company", "ytd").iloc[0]["actual"] == n * 1.0
    big.loc[45_000, "salesperson"] = None
    with pytest.raises(DataError) as info:
        Tracker(as_of="2026-03-31").fit(make_targets(), big)
    assert "salesperson" in str(info.value) and "row 45002" in str(info.value)
