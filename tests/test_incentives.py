"""Incentive plans: tier arithmetic at every band edge, bonuses and pools in exact fen, simulation, bad plans."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesanalytics import DataError, NotFittedError, ParameterError
from salesanalytics.methods.incentives import (
    PlanSimulator,
    commission,
    differentiation,
    parse_plan,
    parse_plans,
    plan_payouts,
)

from .conftest import DATA

# Target 100,000 yuan.  Marginal bands: 0-80 % at 1 %, 80-100 % at 2 %, 100-120 % at 4 % (accelerator),
# 120-150 % at 6 %; nothing below 50 % attainment (threshold); nothing above 150 % (cap).
TIERED = {
    "basis": "signed",
    "threshold": 0.5,
    "cap": 1.5,
    "commission": {"kind": "tiered", "bands": [
        {"from": 0.0, "to": 0.8, "rate": 0.01},
        {"from": 0.8, "to": 1.0, "rate": 0.02},
        {"from": 1.0, "to": 1.2, "rate": 0.04},
        {"from": 1.2, "to": 1.5, "rate": 0.06},
    ]},
}

# basis (yuan) -> commission (yuan), computed by hand:
#   band 1 pays 1 % of the first 80,000; band 2 2 % of 80,000-100,000 (max 400); band 3 4 % of
#   100,000-120,000 (max 800); band 4 6 % of 120,000-150,000 (max 1,800).
TIER_CASES = [
    (0.0, 0.0),
    (49_999.0, 0.0),          # just below the threshold: nothing
    (49_999.99, 0.0),
    (50_000.0, 500.0),        # at the threshold: the whole first band up to here
    (50_001.0, 500.01),
    (79_999.0, 799.99),
    (80_000.0, 800.0),        # band edge 80 %
    (80_001.0, 800.02),
    (81_000.0, 820.0),
    (99_000.0, 1_180.0),
    (99_999.0, 1_199.98),
    (100_000.0, 1_200.0),     # band edge 100 %: the accelerator starts
    (100_001.0, 1_200.04),
    (101_000.0, 1_240.0),
    (119_999.0, 1_999.96),
    (120_000.0, 2_000.0),     # band edge 120 %
    (120_001.0, 2_000.06),
    (121_000.0, 2_060.0),
    (149_999.0, 3_799.94),
    (150_000.0, 3_800.0),     # the cap
    (150_001.0, 3_800.0),
    (200_000.0, 3_800.0),
    (12_345.67, 0.0),
    (87_654.32, 953.09),      # 800 + 2 % x 7,654.32 = 953.0864 -> 953.09 (half up)
    (100_000.25, 1_200.01),   # 1,200 + 4 % x 0.25 = 1,200.01
    (100_000.125, 1_200.01),  # 1,200.005 -> rounds half up to 1,200.01
]


@pytest.mark.parametrize("basis, expected", TIER_CASES)
def test_tier_arithmetic_at_and_around_every_band_edge(basis, expected):
    plan = parse_plan("tiered", TIERED)
    fen = commission(np.array([basis]), np.array([100_000.0]), plan)
    assert fen.dtype == np.int64
    assert fen[0] == round(expected * 100)


@pytest.mark.parametrize("basis, expected", [
    (59_999.0, 0.0), (60_000.0, 300.0), (100_000.0, 500.0), (200_000.0, 1_000.0), (200_001.0, 1_000.0), (400_000.0, 1_000.0),
])
def test_flat_rate_with_threshold_and_cap(basis, expected):
    plan = parse_plan("flat", {"commission": {"kind": "flat", "rate": 0.005}, "threshold": 0.6, "cap": 2.0})
    assert commission(np.array([basis]), np.array([100_000.0]), plan)[0] == round(expected * 100)


def test_open_last_band_and_max_payout():
    plan = parse_plan("open", {"commission": {"kind": "tiered", "bands": [{"from": 0, "to": 1.0, "rate": 0.01}, {"from": 1.0, "to": None, "rate": 0.03}]},
                               "max_payout_yuan": 5_000})
    got = commission(np.array([100_000.0, 200_000.0, 300_000.0]), np.array([100_000.0] * 3), plan)
    assert got.tolist() == [100_000, 400_000, 500_000]  # 1,000; 1,000 + 3,000; capped at 5,000 yuan


def people():
    return pd.DataFrame({
        "salesperson": ["甲", "乙", "丙", "丁", "戊"],
        "branch": ["北京", "北京", "北京", "上海", "上海"],
        "actual": [120_000.0, 90_000.0, 40_000.0, 100_000.0, 60_000.0],
        "target": [100_000.0] * 5,
        "collected": [100_000.0, 90_000.0, 40_000.0, 50_000.0, 60_000.0],
        "gross_profit": [9_600.0, 7_200.0, 3_200.0, 8_000.0, 4_800.0],
    })


def test_collected_basis_pays_on_cash():
    plan = parse_plan("t", {**TIERED, "basis": "collected"})
    pay = plan_payouts(people(), plan).set_index("salesperson")
    # 甲 collected 100,000 -> 1,200; 丁 collected 50,000 -> 500 (signed 100,000 would pay 1,200)
    assert pay.at["甲", "commission_fen"] == 120_000 and pay.at["丁", "commission_fen"] == 50_000
    assert pay.at["丙", "commission_fen"] == 0  # 40 % < threshold


def test_team_bonus_and_branch_pool_exact_in_fen():
    plan = parse_plan("t", {
        "commission": {"kind": "flat", "rate": 0.0},
        "team_bonus": {"amount_yuan": 1_000, "min_branch_attainment": 0.8, "min_member_attainment": 0.5},
        "branch_pool": {"pct_of_gross_profit": 0.1, "min_branch_attainment": 0.8, "split": "equal"},
    })
    pay = plan_payouts(people(), plan).set_index("salesperson")
    # 北京: 250,000 / 300,000 = 83.3 % >= 80 %; 上海: 160,000 / 200,000 = 80 % -> both qualify
    assert pay["branch_attainment"].round(4).to_dict() == {"甲": 0.8333, "乙": 0.8333, "丙": 0.8333, "丁": 0.8, "戊": 0.8}
    # team bonus only for members at >= 50 %: 丙 (40 %) gets none
    assert pay["team_bonus_fen"].to_dict() == {"甲": 100_000, "乙": 100_000, "丙": 0, "丁": 100_000, "戊": 100_000}
    # pool 北京: 10 % of 20,000 = 2,000.00 yuan split equally over 3 -> 666.67, 666.67, 666.66
    assert pay.loc[["甲", "乙", "丙"], "pool_fen"].tolist() == [66_667, 66_667, 66_666]
    assert pay.loc[["丁", "戊"], "pool_fen"].tolist() == [64_000, 64_000]
    assert (pay["total_fen"] == pay["commission_fen"] + pay["team_bonus_fen"] + pay["pool_fen"]).all()


def test_pool_split_by_actual_and_only_eligible_members():
    plan = parse_plan("t", {"commission": {"kind": "flat", "rate": 0.0},
                            "branch_pool": {"pct_of_gross_profit": 0.1, "min_branch_attainment": 0.0, "min_member_attainment": 0.5, "split": "actual"}})
    pay = plan_payouts(people(), plan).set_index("salesperson")
    # 北京 pool 2,000.00 yuan over 甲 120,000 and 乙 90,000 (丙 below 50 %): 1,142.857.. / 857.142.. -> 114,286 / 85,714 fen
    assert pay.loc[["甲", "乙", "丙"], "pool_fen"].tolist() == [114_286, 85_714, 0]


def test_pool_branch_below_attainment_gets_nothing():
    plan = parse_plan("t", {"commission": {"kind": "flat", "rate": 0.0}, "branch_pool": {"pct_of_gross_profit": 0.1, "min_branch_attainment": 0.9}})
    assert plan_payouts(people(), plan)["pool_fen"].sum() == 0


def test_pool_split_by_score_needs_scores():
    plan = parse_plan("t", {"commission": {"kind": "flat", "rate": 0.0}, "branch_pool": {"pct_of_gross_profit": 0.1, "min_branch_attainment": 0, "split": "score"}})
    with pytest.raises(ParameterError, match="splits its pool by score"):
        plan_payouts(people(), plan)
    pay = plan_payouts(people(), plan, scores=pd.Series({"甲": 3.0, "乙": 1.0, "丙": 0.0, "丁": 1.0, "戊": 1.0})).set_index("salesperson")
    assert pay.loc[["甲", "乙", "丙"], "pool_fen"].tolist() == [150_000, 50_000, 0]


def test_differentiation_top_vs_bottom_quintile():
    payout = np.arange(10, dtype=float) * 100  # perf = payout order
    d = differentiation(payout, np.arange(10))
    assert d["top_quintile_mean"] == 850.0 and d["bottom_quintile_mean"] == 50.0
    assert d["top_bottom_ratio"] == 17.0
    assert d["top_quintile_share"] == pytest.approx(1700 / 4500)
    assert differentiation(np.array([0.0, 0, 0, 0, 5]), np.arange(5))["top_bottom_ratio"] == np.inf


# -- simulation -----------------------------------------------------------------------------
PLANS = {"gross_profit_flag_share": 0.1, "plans": {
    "flat": {"label_zh": "统一", "label_en": "Flat", "commission": {"kind": "flat", "rate": 0.01}},
    "tiered": {"label_en": "Tiered", **TIERED},
}}


def test_simulation_with_draws_at_exactly_the_target_pays_the_hand_value():
    # every draw: each branch sells exactly its target, no person noise -> everyone at 100 %
    draws = pd.DataFrame({"北京": [300_000.0] * 50, "上海": [200_000.0] * 50})
    sim = PlanSimulator(PLANS, n_draws=50, seed=1, person_sigma=0.0).fit(people(), branch_draws=draws)
    s = sim.summary_.set_index("plan")
    assert s.at["tiered", "cost_p10_yuan"] == pytest.approx(5 * 1_200.0)
    assert s.at["flat", "cost_p90_yuan"] == pytest.approx(5 * 1_000.0)
    assert sim.method_ == "forecast"
    # actual year, exact: flat 1 % of 410,000; tiered 2,000 + 1,000 + 0 (below 50 %) + 1,200 + 600
    assert s.at["flat", "total_cost_fen"] == 410_000
    assert s.at["tiered", "total_cost_fen"] == 480_000
    assert s.at["flat", "cost_pct_revenue"] == pytest.approx(0.01)
    assert s.at["flat", "cost_pct_gross_profit"] == pytest.approx(4_100 / 32_800)
    assert bool(s.at["flat", "flag_gross_profit"])  # 12.5 % > 10 %


def test_simulation_new_branch_follows_the_company_factor():
    draws = pd.DataFrame({"北京": [300_000.0, 600_000.0]})  # 上海 not covered by the forecast
    sim = PlanSimulator({"plans": {"flat": PLANS["plans"]["flat"]}}, n_draws=2, seed=0, person_sigma=0.0).fit(people(), branch_draws=draws)
    cost = sim.draws_["total_cost_yuan"].to_numpy()
    # company factor 300/450 and 600/450; 上海 actual 160,000; 北京 300,000 / 600,000
    assert cost == pytest.approx([0.01 * (300_000 + 160_000 * 2 / 3), 0.01 * (600_000 + 160_000 * 4 / 3)])


def test_bootstrap_without_draws_is_reproducible():
    a = PlanSimulator(PLANS, n_draws=200, seed=3).fit(people())
    b = PlanSimulator(PLANS, n_draws=200, seed=3).fit(people())
    assert a.method_ == "bootstrap"
    pd.testing.assert_frame_equal(a.draws_, b.draws_)
    s = a.summary_
    assert (s["cost_p10_yuan"] <= s["cost_p50_yuan"]).all() and (s["cost_p50_yuan"] <= s["cost_p90_yuan"]).all()
    assert len(a.draws_) == 400


def test_comparison_table_both_languages_and_not_fitted():
    with pytest.raises(NotFittedError):
        PlanSimulator(PLANS).comparison()
    sim = PlanSimulator(PLANS, n_draws=20).fit(people())
    zh = sim.comparison("zh")
    en = sim.comparison("en")
    assert list(zh.columns) == ["指标", "统一", "tiered"]
    assert list(en.columns) == ["Measure", "Flat", "Tiered"]
    assert en.set_index("Measure").at["Gross-profit flag", "Flat"].startswith("FLAG")
    assert zh.set_index("指标").at["计提基数", "统一"] == "签单额"
    assert set(sim.excel_sheets("en")) == {"plan comparison", "payouts by person", "payout detail", "cost percentiles"}
    with pytest.raises(ParameterError):
        PlanSimulator(PLANS, n_draws=0).fit(people())


def test_plan_needs_its_basis_column():
    frame = people().drop(columns=["collected"])
    with pytest.raises(DataError, match="pays on collected amounts but the KPI frame has no complete 'collected' column"):
        PlanSimulator({"plans": {"t": {**TIERED, "basis": "collected"}}}).fit(frame)


# -- bad plans (table-driven) --------------------------------------------------------------
def _tiered(**changes):
    p = copy.deepcopy(TIERED)
    for key, value in changes.items():
        if key == "bands":
            p["commission"]["bands"] = value
        else:
            p[key] = value
    return p


B = TIERED["commission"]["bands"]
BAD_PLANS = [
    (_tiered(bands=[B[0], {"from": 0.7, "to": 1.0, "rate": 0.02}, *B[2:]]), "bands 1 and 2 overlap (0–0.8 and 0.7–1)"),
    (_tiered(bands=[B[0], {"from": 0.9, "to": 1.0, "rate": 0.02}, *B[2:]]), "gap between bands 1 and 2: nothing covers 0.8–0.9"),
    (_tiered(bands=[{"from": 0.1, "to": 0.8, "rate": 0.01}, *B[1:]]), "the first band starts at 0.1, not 0"),
    (_tiered(bands=B[:3]), "the last band ends at 1.2 but the plan has the cap 1.5"),
    (_tiered(cap=None), "the plan has no cap (open end)"),
    (_tiered(cap=0.4), "cap 0.4 is below the threshold 0.5"),
    (_tiered(bands=[{"from": 0.0, "to": 0.0, "rate": 0.01}]), "'to' 0 is not above 'from' 0"),
    (_tiered(bands=[*B[:3], {"from": 1.2, "to": 1.5, "rate": -0.06}]), "rate is -0.06, below 0"),
    (_tiered(bands=[]), "'bands' must be a non-empty list"),
    (_tiered(basis="invoiced"), "basis must be 'signed' or 'collected', not 'invoiced'"),
    (_tiered(threshold="六成"), "'六成' is not a number"),
    (_tiered(commission={"kind": "bonus"}), "commission.kind must be 'flat' or 'tiered'"),
    (_tiered(commission=None), "'commission' is missing"),
    (_tiered(branch_pool={"pct_of_gross_profit": 3}), "pct_of_gross_profit is 3, above 1"),
    (_tiered(branch_pool={"pct_of_gross_profit": 0.03, "split": "seniority"}), "split must be one of equal, actual, target, score"),
    (_tiered(team_bonus={"amount": 100}), "unknown key 'amount'"),
    (_tiered(treshold=0.5), "unknown key 'treshold'. Did you mean 'threshold'?"),
]


@pytest.mark.parametrize("spec, message", BAD_PLANS)
def test_bad_plans(spec, message):
    with pytest.raises(DataError) as err:
        parse_plans({"plans": {"p": spec}}, source="plans.yaml")
    assert message in str(err.value)
    assert "plans.yaml" in str(err.value)


# The bundled tiered plan (target 100,000 yuan): 0.5 % to 80 %, 0.9 % to 100 %, 1.8 % to 120 %, 2.5 % to the
# 160 % cap, nothing below 60 %.  Hand-computed: 80 % -> 400; 100 % -> 400 + 180 = 580; 120 % -> 580 + 360 = 940;
# 160 % -> 940 + 1,000 = 1,940.
BUNDLED_TIER_CASES = [
    (59_999.0, 0.0), (60_000.0, 300.0), (60_001.0, 300.01),  # 300.005 rounds half up
    (79_998.0, 399.99), (79_999.0, 400.0), (80_000.0, 400.0), (80_001.0, 400.01),  # 399.995 -> 400.00; 400.009 -> 400.01
    (99_999.0, 579.99), (100_000.0, 580.0), (100_001.0, 580.02), (119_999.0, 939.98), (120_000.0, 940.0),
    (120_002.0, 940.05), (159_998.0, 1_939.95), (160_000.0, 1_940.0), (160_001.0, 1_940.0), (250_000.0, 1_940.0),
]


@pytest.mark.parametrize("collected, expected", BUNDLED_TIER_CASES)
def test_bundled_tiered_plan_at_every_band_edge(collected, expected):
    from salesanalytics.adapters import io

    plan = io.read_incentive_plans(DATA / "incentive_plans.yaml").plans["tiered"]
    frame = pd.DataFrame({"salesperson": ["甲"], "branch": ["北京"], "actual": [999_999.0], "target": [100_000.0],
                          "collected": [collected], "gross_profit": [0.0]})
    pay = plan_payouts(frame, plan)
    assert pay["commission_fen"].iloc[0] == round(expected * 100)  # paid on collected cash, not on the signed 999,999


def test_plans_file_needs_plans():
    with pytest.raises(DataError, match="'plans' must map each plan name"):
        parse_plans({"plans": []})


def test_bundled_plans_read_and_compare_at_least_two():
    from salesanalytics.adapters import io

    ps = io.read_incentive_plans(DATA / "incentive_plans.yaml")
    assert len(ps.plans) >= 2
    kinds = {p.kind for p in ps.plans.values()}
    assert kinds == {"flat", "tiered"}
    tiered = ps.plans["tiered"]
    assert tiered.basis == "collected" and tiered.team_bonus and tiered.branch_pool and tiered.cap >= tiered.threshold


# -- properties ------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 300_000, allow_nan=False), min_size=2, max_size=30))
def test_commission_is_monotone_above_the_threshold_and_bounded(bases):
    plan = parse_plan("t", TIERED)
    b = np.sort(np.asarray(bases))
    fen = commission(b, np.full(b.size, 100_000.0), plan)
    above = b >= 50_000
    assert np.all(np.diff(fen[above]) >= 0)
    assert np.all(fen[~above] == 0)
    assert fen.max() <= 380_000


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 300_000), st.floats(0, 30_000), st.sampled_from(["a", "b", "c"])), min_size=1, max_size=25))
def test_pool_parts_always_sum_to_the_pool(rows):
    frame = pd.DataFrame({"salesperson": [f"p{i}" for i in range(len(rows))], "branch": [r[2] for r in rows],
                          "actual": [r[0] for r in rows], "target": [100_000.0] * len(rows), "gross_profit": [r[1] for r in rows]})
    plan = parse_plan("t", {"commission": {"kind": "flat", "rate": 0.0},
                            "branch_pool": {"pct_of_gross_profit": 0.037, "min_branch_attainment": 0.0, "split": "actual"}})
    pay = plan_payouts(frame, plan)
    gp = frame.groupby("branch")["gross_profit"].sum()
    expected = np.floor(gp * 0.037 * 100 + 0.5 + 1e-6).astype(np.int64)
    got = pay.groupby("branch")["pool_fen"].sum()
    assert (got.reindex(expected.index) == expected).all()


# -- the bundled year end to end ---------------------------------------------------------------
@pytest.mark.slow
def test_bundled_year_one_call():
    from salesanalytics.adapters import io
    from salesanalytics.orchestration.evaluation import EVALUATION_TABLES, evaluate_year

    res = evaluate_year(io.read_evaluation_inputs(), n_draws=200, seed=0, lang="en")
    assert tuple(res) == EVALUATION_TABLES
    assert len(res["scores"]) == 385 and res["scores"]["grade"].isin(list("SABCD")).all()
    flags = res["fairness_flags"]
    assert {"深圳经理", "天津经理"} <= set(flags.loc[flags["Check"] == "rater leniency", "Subject"])
    assert (res["target_difficulty"]["reference_kind"] == "forecast").all()
    s = res["plan_summary"].set_index("plan")
    assert len(s) >= 2 and bool(s.at["rich", "flag_gross_profit"]) and not bool(s.at["flat", "flag_gross_profit"])
    pay = res["payouts"]
    assert pay.groupby("plan")["total_fen"].sum().to_dict() == s["total_cost_fen"].to_dict()


# -- CLI -----------------------------------------------------------------------------------
def test_cli_incentives_from_a_kpi_table(tmp_path, capsys):
    import yaml

    from salesanalytics.adapters.cli import main

    kpis = tmp_path / "kpis.csv"
    people().to_csv(kpis, index=False)
    plans = tmp_path / "plans.yaml"
    plans.write_text(yaml.safe_dump(PLANS, allow_unicode=True, sort_keys=False), encoding="utf-8")
    scheme = tmp_path / "scheme.yaml"  # quintiles are ranked by the scorecard score: here attainment alone
    scheme.write_text("kpis:\n  attainment: {weight: 100, normalise: target, target: 1.0}\n", encoding="utf-8")
    out = tmp_path / "plans.xlsx"
    rc = main(["incentives", "--kpis", str(kpis), "--plans", str(plans), "--scheme", str(scheme), "--draws", "100", "--lang", "en", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "bootstrap, 100 draws" in text
    assert "4,100.00" in text and "4,800.00" in text  # actual-year totals of the two plans, hand-computed above
    assert "FLAG: Flat pays away 12.5% of gross profit (> 10%)" in text
    sheets = pd.read_excel(out, sheet_name=None)
    assert sheets["payouts by person"].columns.tolist() == ["Salesperson", "Branch", "Flat", "Tiered"]


def test_cli_incentives_bad_plan_is_one_line(tmp_path, capsys):
    import yaml

    from salesanalytics.adapters.cli import main

    kpis = tmp_path / "kpis.csv"
    people().to_csv(kpis, index=False)
    plans = tmp_path / "plans.yaml"
    plans.write_text(yaml.safe_dump({"plans": {"p": {**TIERED, "cap": 0.3}}}, sort_keys=False), encoding="utf-8")
    rc = main(["incentives", "--kpis", str(kpis), "--plans", str(plans)])
    err = capsys.readouterr().err
    assert rc == 2 and "cap 0.3 is below the threshold 0.5" in err and "plans.yaml" in err


@pytest.mark.parametrize("command", ["scorecard", "incentives"])
def test_cli_help(command, capsys):
    from salesanalytics.adapters.cli import main

    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "--kpis" in capsys.readouterr().out
