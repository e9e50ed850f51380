"""Combined method (结合法): gap, odds, recommended targets, bridge, staffing, scenarios.

Most tests use a small deterministic stand-in forecaster (``FakeForecaster``:
same contract as salesanalytics.methods.forward.Forecaster, with paths we control) so
that numbers are exact and the file stays fast; one slow test runs the real
forecaster on the bundled case through the CLI.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import charts
from salesanalytics.methods import combined as C
from salesanalytics.methods.combined import CombinedPlanner, allocate_rows, attainment, hire_schedule, hire_value, status_of
from salesanalytics.core.exceptions import ForecastError, NotFittedError, ParameterError, PlanError
from salesanalytics.core import labels as L
from salesanalytics.core.labels import label, value
from salesanalytics.core.money import to_fen
from salesanalytics.methods.plan import Plan
from salesanalytics.methods.scenarios import Scenario

from .conftest import DATA, SMALL_PLAN


# ----------------------------------------------------------------------------
# a forecaster with known paths
# ----------------------------------------------------------------------------
class FakeForecaster:
    """Forecaster contract with controlled paths: mean x (1 + common + own noise)."""

    def __init__(self, level: dict[str, float], sd: float = 0.05, common: float = 0.03, horizon: int = 12):
        self.level, self.sd, self.common, self.horizon = level, sd, common, horizon
        self.fit_calls = 0

    def fit(self, history, industry=None):
        self.fit_calls += 1
        last = history["month"].max()
        self.series_ = sorted(history["branch"].unique().tolist())
        self.months_ = pd.date_range(last + pd.offsets.MonthBegin(1), periods=self.horizon, freq="MS")
        self.mean = np.array([[self.level[b]] * self.horizon for b in self.series_], dtype=float)
        return self

    def predict(self):
        n = len(self.series_)
        return pd.DataFrame({
            "branch": np.repeat(self.series_, self.horizon),
            "month": np.tile(self.months_.to_numpy(), n),
            "mean": self.mean.reshape(-1),
        })

    def simulate(self, n_draws=1000, seed=0):
        rng = np.random.default_rng(seed)
        n = len(self.series_)
        common = rng.normal(0, self.common, size=(n_draws, 1, self.horizon))
        own = rng.normal(0, self.sd, size=(n_draws, n, self.horizon))
        return self.mean[None] * (1 + common + own)


def _history(branches=("北京", "上海", "海口"), year=2025) -> pd.DataFrame:
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    return pd.DataFrame({
        "month": np.tile(months, len(branches)),
        "branch": np.repeat(list(branches), 12),
        "revenue": 100_000.0,
    })


def _plan(**changes) -> Plan:
    data = {**SMALL_PLAN, **changes}
    return Plan.from_dict(data, source="small.yaml")


LEVEL = {"北京": 340_000.0, "上海": 320_000.0, "海口": 122_000.0}  # near the small plan's tasks: probabilities in between


@pytest.fixture
def planner():
    plan = _plan(new_branches=[{"branch": "三亚", "opening_month": 7, "headcount": 4, "comparable": "海口"}])
    return CombinedPlanner(plan, FakeForecaster(LEVEL), n_draws=2000, seed=1).fit(_history())


# ----------------------------------------------------------------------------
# kernels
# ----------------------------------------------------------------------------
def _norm_cdf(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _norm_pdf(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi)


def test_attainment_matches_the_normal_distribution_for_independent_draws():
    # known answer: a sum of independent normals is normal with summed means and variances
    rng = np.random.default_rng(42)
    mu, sigma = np.array([100.0, 50.0, 30.0]), np.array([10.0, 8.0, 6.0])
    draws = rng.normal(mu, sigma, size=(400_000, 3)).sum(axis=1)
    m, s = mu.sum(), math.sqrt((sigma**2).sum())
    for task in (170.0, 180.0, 195.0):
        p, es = attainment(draws, task)
        z = (task - m) / s
        p_true = 1 - _norm_cdf(z)
        es_true = (task - m) * _norm_cdf(z) + s * _norm_pdf(z)  # E[max(task - X, 0)] for X ~ N(m, s^2)
        assert abs(p - p_true) < 4 * math.sqrt(p_true * (1 - p_true) / draws.size)
        assert es == pytest.approx(es_true, rel=0.01)


def test_attainment_of_perfectly_correlated_draws_adds_the_spreads():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(200_000, 1))
    draws = (np.array([100.0, 50.0]) + z * np.array([10.0, 5.0])).sum(axis=1)  # sd of the sum = 15, not sqrt(125)
    p, _ = attainment(draws, 150 + 15)
    assert p == pytest.approx(1 - _norm_cdf(1.0), abs=0.004)


def test_attainment_is_elementwise_and_exact_on_small_cases():
    draws = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    p, es = attainment(draws, np.array([3.0, 5.0]))
    assert p.tolist() == [0.5, 1.0]
    assert es.tolist() == [0.75, 0.0]  # (2 + 1 + 0 + 0) / 4


@pytest.mark.parametrize(
    "prob, status",
    [(1.0, "on track"), (0.5, "on track"), (0.4999, "stretch"), (0.2, "stretch"), (0.1999, "at risk"),
     (0.05, "at risk"), (0.0499, "out of reach"), (0.0, "out of reach")],
)
def test_status_thresholds(prob, status):
    assert status_of(np.array([prob]))[0] == status


def test_allocate_rows_reconciles_rows_first():
    w = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [5.0, 5.0, 1.0]])
    cells = allocate_rows(1_000_001, w)
    assert cells.sum() == 1_000_001 and cells.dtype == np.int64
    assert cells[1].sum() == 0
    given = allocate_rows(0, w, row_totals_fen=np.array([7, 3, 11]))
    assert given.sum(axis=1).tolist() == [7, 3, 11]
    assert given[1].tolist() == [1, 1, 1]  # a row with a total but no shape is spread evenly


def test_hire_value_and_schedule_known_case():
    rpm = np.full((1, 12), 100.0)
    value = hire_value(rpm, np.array([0]), lead=2, ramp=(0.5, 1.0), keep_monthly=1.0)
    # hired in January: works from March at half speed, then full: 50 + 9 x 100
    assert value[0, 0].sum() == pytest.approx(950.0)
    assert value[0, 1].sum() == pytest.approx(850.0)
    assert value[0, 10].sum() == 0.0  # would start in January next year
    assert hire_schedule(np.array([1000.0]), value, 0, 5)[0].tolist() == [2] + [0] * 11
    assert hire_schedule(np.array([1000.0]), value, 0, 1)[0].tolist() == [1, 1] + [0] * 10
    assert hire_schedule(np.array([0.0]), value, 0, 5).sum() == 0
    with_attrition = hire_value(rpm, np.array([0]), lead=0, ramp=(1.0,), keep_monthly=0.5)
    assert with_attrition[0, 11, 11] == pytest.approx(100.0)
    assert with_attrition[0, 10, 11] == pytest.approx(50.0)


# ----------------------------------------------------------------------------
# the planner
# ----------------------------------------------------------------------------
def test_gap_tables_reconcile_and_use_the_backward_requirement(planner):
    res = planner.evaluate()
    backward = planner.backward_
    req_fen = backward.tasks_["sales_task_fen"].sum()
    assert to_fen(res.gap_company["required"].iloc[0]) == req_fen
    assert res.gap_month.shape == (4 * 12, len(res.gap_month.columns))
    by_branch = res.gap_month.groupby("branch", sort=False)[["forecast_mean", "required", "gap_yuan"]].sum()
    assert np.allclose(by_branch["required"].to_numpy(), res.gap_branch["required"].to_numpy())
    assert np.allclose(by_branch["gap_yuan"].to_numpy(), res.gap_branch["gap_yuan"].to_numpy(), atol=0.1)
    # existing branches: the forecaster's mean; the new branch: its capacity, zero before it opens
    bj = res.gap_branch.set_index("branch").loc["北京"]
    assert bj["forecast_mean"] == pytest.approx(12 * LEVEL["北京"])
    sanya = res.gap_month[res.gap_month["branch"] == "三亚"]
    assert (sanya["forecast_mean"].iloc[:6] == 0).all() and (sanya["required"].iloc[:6] == 0).all()
    assert (sanya["status"].iloc[:6] == "on track").all()
    assert set(res.gap_month["status"]) <= set(C.STATUSES)
    assert res.summary["gap_yuan"] == pytest.approx(res.summary["required_yuan"] - res.summary["forecast_yuan"])


def test_probabilities_are_seeded_and_reproducible():
    plan = _plan()
    one = CombinedPlanner(plan, FakeForecaster(LEVEL), seed=7).fit(_history()).evaluate()
    two = CombinedPlanner(plan, FakeForecaster(LEVEL), seed=7).fit(_history()).evaluate()
    other = CombinedPlanner(plan, FakeForecaster(LEVEL), seed=8).fit(_history()).evaluate()
    pd.testing.assert_frame_equal(one.gap_branch, two.gap_branch)
    assert not one.gap_month["probability"].equals(other.gap_month["probability"])


def test_probability_of_the_company_matches_the_draws(planner):
    res = planner.evaluate()
    mean, draws, _ = planner._paths(planner.backward_)
    company = draws.sum(axis=(1, 2))
    assert res.summary["probability"] == (company >= res.summary["required_yuan"]).mean()
    assert res.summary["expected_shortfall_yuan"] == pytest.approx(np.maximum(res.summary["required_yuan"] - company, 0).mean())


@pytest.mark.parametrize("blend", [0.0, 0.3, 0.5, 1.0])
def test_blend_targets_reconcile_to_the_fen(planner, blend):
    res = planner.evaluate(blend=blend)
    req = res.gap_company["required"].iloc[0]
    fc = res.gap_company["forecast_mean"].iloc[0]
    total = res.target_table["target_fen"].sum()
    assert total == round((blend * req + (1 - blend) * fc) * 100) or abs(total - (blend * req + (1 - blend) * fc) * 100) <= 1
    assert res.target_table["target_fen"].dtype == np.int64
    assert (res.target_table["target_fen"] >= 0).all()
    assert res.summary["target_yuan"] == total / 100
    if blend == 1.0:
        assert total == planner.backward_.tasks_["sales_task_fen"].sum()


def test_quantile_targets_are_not_below_the_requirement(planner):
    res = planner.evaluate(quantile=0.8)
    target = res.target_table.groupby("branch", sort=False)["target_fen"].sum()
    required = planner.backward_.tasks_.groupby("branch", sort=False)["sales_task_fen"].sum()
    assert (target >= required.reindex(target.index)).all()
    assert res.target_table["target_fen"].sum() == target.sum()
    free = planner.evaluate(scenario=Scenario(target_rule="quantile", quantile=0.5, floor_at_requirement=False))
    p50 = free.gap_branch.set_index("branch")["target"]
    assert p50.loc["北京"] == pytest.approx(free.gap_branch.set_index("branch").loc["北京", "forecast_p50"], abs=0.01)


def test_chosen_company_total_is_hit_exactly(planner):
    res = planner.evaluate(blend=0.4, total_yuan="1234567.89")
    assert res.target_table["target_fen"].sum() == 123456789
    res = planner.evaluate(quantile=0.9, total_yuan=2_000_000)
    assert res.target_table["target_fen"].sum() == 200_000_000


def test_bridge_waterfall_ends_at_the_requirement(planner):
    res = planner.evaluate(scenario=Scenario(productivity_uplift=0.03))
    b = res.bridge.set_index("step")
    assert list(b.index) == ["forecast", "new_branches", "uplift", "hires", "surplus", "open", "required"]
    assert b.loc["open", "end_yuan"] == pytest.approx(res.summary["required_yuan"], abs=0.05)
    assert b["amount_yuan"].iloc[:-1].sum() == pytest.approx(b.loc["required", "amount_yuan"], abs=0.05)
    assert b.loc["uplift", "amount_yuan"] == pytest.approx(0.03 * b.loc["forecast", "amount_yuan"], abs=0.05)
    bb = res.bridge_branch
    lhs = bb["forecast"] + bb["new_branches"] + bb["uplift"] + bb["hires"] - bb["surplus"] + bb["open"]
    assert np.allclose(lhs, bb["required"], atol=0.05)


def test_staffing_respects_lead_time_and_productive_from(planner):
    plan = planner.plan.replace(hires_productive_from=5)
    res = planner.evaluate(plan=plan, scenario=Scenario(hire_lead_time_months=2, max_hires_per_branch_month=2))
    st = res.staffing
    assert len(st) and (st["new_hires"] > 0).all() and (st["new_hires"] <= 2).all()
    lag = (st["on_board_by"].dt.month - st["start_hiring"].dt.month)
    assert (lag >= 2).all() and (st["on_board_by"].dt.month >= 5).all()
    sanya = st[st["branch"] == "三亚"]
    assert (sanya["on_board_by"].dt.month >= 7).all()  # not before the new branch opens
    per_branch = st.groupby("branch")["new_hires"].sum()
    summary = res.staffing_branch.set_index("branch")["hires_total"]
    assert (summary.reindex(per_branch.index) == per_branch).all()
    assert res.summary["hires"] == summary.sum()
    # branches whose gap is closed get no open amount; more uplift means fewer hires
    more = planner.evaluate(plan=plan, scenario=Scenario(productivity_uplift=0.2, hire_lead_time_months=2, max_hires_per_branch_month=2))
    assert more.summary["hires"] <= res.summary["hires"]


def test_no_hiring_capacity_leaves_the_gap_open(planner):
    res = planner.evaluate(scenario=Scenario(max_hires_per_branch_month=0))
    assert res.summary["hires"] == 0
    gap = res.staffing_branch["gap_to_close"].sum()
    assert res.summary["open_yuan"] == pytest.approx(gap, abs=0.1)


def test_slider_changes_reuse_the_fit(planner):
    fc = planner.forecaster_
    res_a = planner.evaluate(blend=0.2)
    res_b = planner.evaluate(plan=planner.plan.replace(gross_margin=0.12))
    assert fc.fit_calls == 1
    assert res_b.summary["required_yuan"] < res_a.summary["required_yuan"]  # higher margin: less sales needed
    a, b = (r.gap_branch.set_index("branch")["forecast_mean"] for r in (res_a, res_b))
    assert a.loc["北京"] == b.loc["北京"]  # today's branches: the same fitted forecast
    assert b.loc["三亚"] < a.loc["三亚"]  # a new branch's capacity in sales shrinks as the margin grows
    # the scenario's plan overrides go through Plan.replace too
    sq = planner.evaluate(scenario=Scenario(gross_margin=0.12))
    assert sq.summary["required_yuan"] == res_b.summary["required_yuan"]


def test_run_gives_every_table_per_scenario(planner):
    run = planner.run()
    assert list(run.results) == ["保守", "基准", "激进"]
    assert run.comparison["scenario"].tolist() == ["保守", "基准", "激进"]
    tables = run.tables("en")
    assert set(tables) == {"comparison", *C.CombinedResult.TABLES}
    assert list(tables["comparison"].columns) == [label(c, "en", "combined") for c in run.comparison.columns]
    assert tables["gap_branch"]["Scenario"].value_counts().to_dict() == {"保守": 4, "基准": 4, "激进": 4}
    zh = run.excel_sheets("zh")
    assert "情景对比" in zh and "建议目标" in zh
    assert "状态" in zh["分公司缺口"].columns
    assert set(zh["分公司缺口"]["状态"]) <= {value("gap_status", code, "zh") for code in C.STATUSES}
    for name, res in run.results.items():
        assert res.target_table["target_fen"].sum() == round(res.summary["target_yuan"] * 100)
        assert "yuan" in res.headline("en") and "元" in res.headline("zh")
    matrix = run.results["基准"].target_matrix("zh")
    assert matrix.loc["合计", "合计"] == pytest.approx(run.results["基准"].summary["target_yuan"])


def test_adjustments_through_the_planner_hold_the_total(planner):
    frame = pd.DataFrame({
        "branch": ["北京", "上海"], "period": ["2026-03", "全年"], "amount_yuan": [None, 2_500_000.0],
        "change_pct": [10.0, None], "reason": ["大单", "新产品推迟"], "author": ["王总", "李经理"],
        "adjusted_on": ["2026-01-05", "2026-01-06"],
    })
    base = planner.evaluate()
    res = planner.evaluate(adjustments=frame)
    assert res.target_table["target_fen"].sum() == base.target_table["target_fen"].sum()
    t = res.target_table.set_index(["branch", "month"])["target_fen"]
    assert t.loc["上海"].sum() == 250_000_000
    before = base.target_table.set_index(["branch", "month"])["target_fen"].loc[("北京", pd.Timestamp("2026-03-01"))]
    assert t.loc[("北京", pd.Timestamp("2026-03-01"))] == round(before * 1.1)
    log = res.adjustment_log
    assert log["reason"].tolist() == ["大单", "新产品推迟"] and log["author"].tolist() == ["王总", "李经理"]
    assert res.target_table["adjusted"].sum() == 1 + 12


def test_plot_functions_draw_on_an_axes(planner):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    run = planner.run()
    res = run.results["基准"]
    fig = Figure()
    axes = fig.subplots(1, 3)
    charts.plot_bridge(axes[0], res.bridge, "zh")
    charts.plot_scenarios(axes[1], run.comparison, "en")
    charts.plot_gap(axes[2], res.gap_branch, "zh")
    assert len(axes[0].patches) == len(res.bridge)
    assert len(axes[1].patches) == 2 * len(run.comparison)


# ----------------------------------------------------------------------------
# bad input (table-driven): exact class and key words
# ----------------------------------------------------------------------------
BAD_EVALUATE = [
    ({"blend": 1.5}, PlanError, ["blend", "outside [0, 1]"]),
    ({"blend": -0.1}, PlanError, ["blend", "outside"]),
    ({"quantile": 2}, PlanError, ["quantile", "outside"]),
    ({"productivity_uplfit": 0.1}, PlanError, ["unknown key 'productivity_uplfit'", "Did you mean 'productivity_uplift'"]),
    ({"target_rule": "stretchy"}, PlanError, ["target_rule", "unknown 'stretchy'"]),
    ({"total_yuan": -5}, ParameterError, ["total_yuan", "negative"]),
]


@pytest.mark.parametrize("kwargs, error, words", BAD_EVALUATE)
def test_bad_evaluate_arguments(planner, kwargs, error, words):
    with pytest.raises(error) as info:
        planner.evaluate(**kwargs)
    for word in words:
        assert word in str(info.value)


def test_not_fitted_and_mismatched_forecasts():
    with pytest.raises(NotFittedError, match="fit"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL)).evaluate()
    history = _history(("北京", "上海"))  # no 海口 in the history
    with pytest.raises(ForecastError, match="no series for branch 海口"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL)).fit(history)
    with pytest.raises(ForecastError, match="not all 12 months"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL, horizon=6)).fit(_history())
    with pytest.raises(PlanError, match="inside the plan year"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL)).fit(_history(year=2026))
    with pytest.raises(ParameterError, match="n_draws"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL), n_draws=5).fit(_history())
    with pytest.raises(ParameterError, match="lang"):
        CombinedPlanner(_plan(), FakeForecaster(LEVEL)).fit(_history()).evaluate().tables("fr")


def test_extra_history_branches_warn_and_are_left_out():
    with pytest.warns(UserWarning, match="深圳"):
        planner = CombinedPlanner(_plan(), FakeForecaster({**LEVEL, "深圳": 1.0})).fit(_history(("北京", "上海", "海口", "深圳")))
    assert "深圳" not in planner.evaluate().gap_branch["branch"].tolist()


# ----------------------------------------------------------------------------
# the bundled case, end to end with the real forecaster (slow: fits 14 series)
# ----------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_bundled_case_end_to_end(tmp_path, capsys):
    from openpyxl import load_workbook

    from salesanalytics.adapters.cli import main

    out = tmp_path / "combined.xlsx"
    code = main([
        "combined", "--history", str(DATA / "history_monthly.csv"), "--plan", str(DATA / "plan_2026.yaml"),
        "--scenarios", str(DATA / "scenarios_2026.yaml"), "--adjustments", str(DATA / "adjustments_2026.csv"),
        "--out", str(out), "--draws", "500", "--lang", "en",
    ])
    text = capsys.readouterr().out
    assert code == 0
    lines = text.splitlines()
    assert lines[1].startswith("Scenario base: forecast") and "required 328,571,429 yuan" in lines[1]
    assert "probability of reaching the requirement" in lines[2] and "hires needed" in lines[3]
    assert "Manager adjustments (audit log)" in text and "key-account renewal" in text
    book = load_workbook(out, read_only=True)
    assert {"Scenarios", "Monthly gap", "Branch gap", "Recommended targets", "Gap bridge", "Hiring plan", "Adjustment log"} <= set(book.sheetnames)
    targets = pd.read_excel(out, sheet_name="Recommended targets")
    for _, rows in targets.groupby("Scenario"):
        assert rows["Recommended target (fen)"].sum() == rows["Target before adjustments (yuan)"].mul(100).round().sum()


CLI_BAD = [
    ("adjustments", "分公司,月份,新金额,调整比例,原因,调整人,调整日期\n北平,2026-03,100,,r,a,2026-01-02\n", "adj.csv", ["unknown branch '北平'", "Did you mean '北京'"]),
    ("adjustments", "分公司,月份,新金额,调整比例,原因,调整人,调整日期\n北京,2027-03,100,,r,a,2026-01-02\n", "adj.csv", ["not a month of the plan year 2026"]),
    ("scenarios", "scenarios:\n  保守:\n    blend: 1.5\n", "s.yaml", ["blend", "outside [0, 1]"]),
    ("scenarios", "scenarios:\n  保守:\n    max_hire_per_branch_month: 2\n", "s.yaml", ["unknown key", "Did you mean 'max_hires_per_branch_month'"]),
]


@pytest.mark.parametrize("option, text, name, words", CLI_BAD)
def test_cli_bad_input_exits_non_zero_with_one_line(tmp_path, capsys, option, text, name, words):
    # these are checked before the forecast is fitted, so the command fails at once
    from salesanalytics.adapters.cli import main

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["combined", "--history", str(DATA / "history_monthly.csv"), "--plan", str(DATA / "plan_2026.yaml"), f"--{option}", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and "Traceback" not in err
    for word in words:
        assert word in err, err


_SHARED = {}


def _shared_planner() -> CombinedPlanner:
    # one fitted planner for the property test (hypothesis does not mix with function-scoped fixtures)
    if "planner" not in _SHARED:
        plan = _plan(new_branches=[{"branch": "三亚", "opening_month": 7, "headcount": 4, "comparable": "海口"}])
        _SHARED["planner"] = CombinedPlanner(plan, FakeForecaster(LEVEL), n_draws=500, seed=2).fit(_history())
    return _SHARED["planner"]


@settings(max_examples=40, deadline=None)
@given(
    blend=st.floats(0, 1),
    cuts=st.lists(st.tuples(st.sampled_from(["北京", "上海", "海口", "三亚"]), st.integers(0, 12), st.floats(-50, 50)), max_size=4,
                  unique_by=lambda c: (c[0], c[1])),
)
@example(blend=0.0, cuts=[("北京", 0, 11.0), ("上海", 0, 34.0)])  # found by hypothesis: the locked year exceeds the total
def test_planner_targets_reconcile_after_adjustments(blend, cuts):
    from salesanalytics.core.exceptions import DataError
    from salesanalytics.methods.adjustments import Adjustment, _scaled

    planner = _shared_planner()
    if any(m == 0 for b, m, _ in cuts):  # a whole-year lock covers that branch's months
        year_locked = {b for b, m, _ in cuts if m == 0}
        cuts = [c for c in cuts if c[1] == 0 or c[0] not in year_locked]
    adj = [Adjustment(b, None if m == 0 else m, None, round(p, 2), "r", "a", row=i + 2) for i, (b, m, p) in enumerate(cuts)]
    plain = planner.evaluate(blend=blend)
    # raising the locked cells past the company total cannot hold: a clear error, not a negative target elsewhere
    cells = plain.target_table.assign(m=plain.target_table["month"].dt.month)
    locked = sum(_scaled(int(cells.loc[(cells["branch"] == a.branch) & ((cells["m"] == a.month) if a.month else True), "target_fen"].sum()),
                         a.change_pct) for a in adj)
    if locked > int(cells["target_fen"].sum()):
        with pytest.raises(DataError, match="cannot hold"):
            planner.evaluate(blend=blend, adjustments=adj)
        return
    res = planner.evaluate(blend=blend, adjustments=adj)
    assert res.target_table["target_fen"].sum() == plain.target_table["target_fen"].sum()
    assert (res.target_table["target_fen"] >= 0).all()
    assert res.target_table["target_fen"].dtype == np.int64
    by_branch = res.target_table.groupby("branch", sort=False)["target_fen"].sum()
    assert int(by_branch.sum()) == int(round(res.summary["target_yuan"] * 100))
    assert len(res.adjustment_log) == len(adj)


def test_one_call_for_notebooks_and_a_prefitted_forecaster():
    fc = FakeForecaster(LEVEL).fit(_history())
    run = C.plan_combined(_history(), _plan(), forecaster=fc, n_draws=300, seed=3)
    assert fc.fit_calls == 1  # a fitted forecaster is re-used, not refitted
    assert isinstance(run, C.CombinedRun) and list(run.results) == ["保守", "基准", "激进"]
    assert run.results["基准"].summary["n_draws"] == 300


def test_cached_quantiles_equal_the_direct_ones(planner):
    # fit() caches quantiles that sliders cannot move; they must equal computing them afresh
    plan = planner.plan.replace(gross_margin=0.13)
    res = planner.evaluate(plan=plan)
    mean, draws, _ = planner._paths(planner._backward(plan))
    lo, hi = np.quantile(draws, C.RANGE_QUANTILES, axis=0)
    assert np.allclose(res.gap_month["forecast_p10"], lo.reshape(-1), atol=0.01)
    assert np.allclose(res.gap_month["forecast_p90"], hi.reshape(-1), atol=0.01)
    q = np.quantile(draws.sum(axis=2), C.ANNUAL_QUANTILES, axis=0)
    assert np.allclose(res.gap_branch["forecast_p50"], q[2], atol=0.01)
    assert np.allclose(res.gap_branch["forecast_p90"], q[4], atol=0.01)


# ----------------------------------------------------------------------------
# one targets format: what the combined plan recommends, tracking reads
# ----------------------------------------------------------------------------
def test_recommended_targets_in_the_tracking_format(tmp_path):
    from salesanalytics.adapters import io
    from salesanalytics.methods.tracking import Tracker

    branches = [{**b} for b in SMALL_PLAN["branches"]]
    branches[0]["gross_margin"] = 0.12  # 北京 has its own margin; the others use the plan's 0.1
    plan = _plan(branches=branches, new_branches=[{"branch": "三亚", "opening_month": 7, "headcount": 4, "comparable": "海口"}])
    res = CombinedPlanner(plan, FakeForecaster(LEVEL), n_draws=300, seed=4).fit(_history()).evaluate(blend=0.7)
    targets = res.targets()
    assert list(targets.columns) == ["month", "branch", "sales_task", "gross_profit_task"]
    assert len(targets) == 4 * 12
    sales_fen = (targets["sales_task"] * 100).round().astype(np.int64)
    assert (sales_fen.to_numpy() == res.target_table["target_fen"].to_numpy()).all()
    assert int(sales_fen.sum()) == round(res.summary["target_yuan"] * 100)
    gp_fen = (targets["gross_profit_task"] * 100).round().astype(np.int64)
    by_branch = pd.DataFrame({"branch": targets["branch"], "sales": sales_fen, "gp": gp_fen}).groupby("branch", sort=False).sum()
    margins = {"北京": 0.12, "上海": 0.1, "海口": 0.1, "三亚": 0.1}
    for branch, row in by_branch.iterrows():  # each branch's gross profit is its sales target x margin, to the fen
        assert row["gp"] == int((Decimal(int(row["sales"])) * Decimal(str(margins[branch]))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    # the CSV written by io round-trips through io.read_targets, and tracking accepts it
    path = io.write_table(targets, tmp_path / "targets.csv")
    back = io.read_targets(path)
    pd.testing.assert_frame_equal(back[targets.columns].reset_index(drop=True), targets, check_dtype=False)
    actuals = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"]), "branch": ["北京", "上海", "北京"],
                            "revenue": [300_000.0, 250_000.0, 310_000.0]})
    tracker = Tracker().fit(back, actuals)
    assert tracker.year_ == 2026


def test_backward_tasks_are_in_the_tracking_format(tmp_path, seed_plan):
    from salesanalytics.adapters import io
    from salesanalytics.methods.backward import BackwardPlanner

    tasks = BackwardPlanner(seed_plan).fit().tasks()
    assert {"month", "branch", "sales_task", "gross_profit_task"} <= set(tasks.columns)
    back = io.read_targets(io.write_table(tasks, tmp_path / "tasks.csv"))
    np.testing.assert_array_equal((back["sales_task"] * 100).round().to_numpy(), tasks["sales_task_fen"].to_numpy())
    np.testing.assert_array_equal((back["gross_profit_task"] * 100).round().to_numpy(), tasks["gross_profit_task_fen"].to_numpy())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_column_has_a_label(planner, lang):
    run = planner.run()
    for tables in (run.tables(lang), planner.tables(lang), run.results["基准"].tables(lang)):  # LabelError if a label is missing
        for name, frame in tables.items():
            for col in frame.columns:
                assert "_" not in str(col), (name, col)
                assert not frame[col].map(lambda v: isinstance(v, (bool, np.bool_))).any(), (name, col)
    statuses = set(run.tables(lang)["gap_branch"][label("status", lang)])
    assert statuses <= {value("gap_status", code, lang) for code in C.STATUSES}
    assert set(run.excel_sheets(lang)) == {L.text(f"cb_sheet_{name}", lang) for name in ["comparison", *C.CombinedResult.TABLES]}
