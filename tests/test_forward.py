"""Forward method (正推法): selection, intervals, fallbacks, industry blend, coherence, bad inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import salesanalytics as sa
from salesanalytics.methods import _forecast_models as K
from salesanalytics.methods import forward
from salesanalytics.core.exceptions import DataError, ForecastError, NotFittedError, ParameterError
from salesanalytics.methods.forward import Forecaster, ShortHistoryWarning

from .conftest import DATA

SEASON = np.array([0.80, 0.85, 1.00, 1.00, 1.02, 1.05, 0.98, 0.97, 1.00, 1.03, 1.10, 1.20])


def make_panel(n_months=36, branches=("北京", "上海", "海口"), seed=1, start="2023-01-01", noise=0.03):
    """Trend x season x correlated noise, long format (what read_history returns)."""
    rng = np.random.default_rng(seed)
    months = pd.date_range(start, periods=n_months, freq="MS")
    common = rng.normal(0, noise, n_months)
    rows = []
    for i, b in enumerate(branches):
        level = 1_000_000 * (i + 1)
        t = np.arange(n_months)
        y = level * (1 + 0.01 * t) * SEASON[months.month - 1] * (1 + common + rng.normal(0, noise, n_months))
        rows += [{"month": m, "branch": b, "revenue": float(v)} for m, v in zip(months, y)]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def panel():
    return make_panel()


@pytest.fixture(scope="module")
def fitted(panel):
    return Forecaster(horizon=12, levels=(80, 95)).fit(panel)


# ----------------------------------------------------------------------------
# the API contract
# ----------------------------------------------------------------------------
def test_predict_is_tidy_and_ordered(fitted):
    out = fitted.predict()
    assert list(out.columns) == ["branch", "month", "mean", "lo_80", "hi_80", "lo_95", "hi_95", "model"]
    assert len(out) == 3 * 12
    assert fitted.series_ == ["上海", "北京", "海口"]
    assert list(fitted.months_) == list(pd.date_range("2026-01-01", periods=12, freq="MS"))
    assert (out["lo_95"] <= out["lo_80"]).all() and (out["lo_80"] <= out["mean"]).all()
    assert (out["mean"] <= out["hi_80"]).all() and (out["hi_80"] <= out["hi_95"]).all()
    assert out["model"].str.len().gt(0).all()


def test_forecast_follows_trend_and_season(fitted, panel):
    out = fitted.predict().set_index(["branch", "month"])["mean"]
    bj = out.loc["北京"].to_numpy()
    # December (index 1.20) above January (0.80) and the level grows about 1 % a month
    assert bj[11] > 1.3 * bj[0]
    last_year = panel[panel.branch == "北京"].revenue.to_numpy()[-12:].sum()
    assert 1.02 < bj.sum() / last_year < 1.25


def test_company_total_is_sum_of_branches(fitted):
    out = fitted.predict(total=True)
    total = out[out.branch == "全公司"].set_index("month")["mean"]
    branches = out[out.branch != "全公司"].groupby("month")["mean"].sum()
    np.testing.assert_allclose(total.to_numpy(), branches.to_numpy(), rtol=1e-12)
    assert (out[out.branch == "全公司"]["model"] == "bottom-up").all()
    en = fitted.predict(total=True, lang="en")
    assert "Company" in set(en.branch)


def test_simulate_shape_and_joint_draws(fitted):
    paths = fitted.simulate(n_draws=500, seed=3)
    assert paths.shape == (500, 3, 12)
    again = fitted.simulate(n_draws=500, seed=3)
    np.testing.assert_array_equal(paths, again)
    # branches share a common shock in make_panel: the joint draws keep that correlation
    annual = paths.sum(axis=2)
    corr = np.corrcoef(annual.T)
    assert corr[0, 1] > 0.2 and corr[1, 2] > 0.2
    # months are correlated through the ETS dynamics (a level shock persists)
    assert np.corrcoef(paths[:, 1, 0], paths[:, 1, 6])[0, 1] > 0


def test_target_suggestions_quantiles_of_annual_sum(fitted):
    t = fitted.target_suggestions()
    assert list(t.branch) == ["上海", "北京", "海口", "全公司"]
    assert (t.conservative < t.base).all() and (t.base < t.stretch).all()
    annual = fitted._paths().sum(axis=2)
    np.testing.assert_allclose(t.loc[1, "conservative"], np.percentile(annual[:, 1], 20))
    np.testing.assert_allclose(t.loc[3, "base"], np.percentile(annual.sum(axis=1), 50))
    np.testing.assert_allclose(t.loc[3, "mean"], t.loc[:2, "mean"].sum())


def test_outlook_five_years(panel):
    fc = Forecaster(horizon=60).fit(panel)
    out = fc.outlook()
    assert sorted(out.year.unique()) == [2026, 2027, 2028, 2029, 2030]
    assert (out.months == 12).all()
    assert (out.p20 <= out.p50).all() and (out.p50 <= out.p80).all()


def test_not_fitted():
    with pytest.raises(NotFittedError, match="fit"):
        Forecaster().predict()


def test_lazy_public_names():
    assert sa.Forecaster is Forecaster
    out = sa.forecast(make_panel(branches=("北京",)), horizon=3)
    assert len(out) == 3


# ----------------------------------------------------------------------------
# model selection
# ----------------------------------------------------------------------------
def test_backtest_picks_the_lowest_scaled_error():
    y = make_panel(branches=("a",), noise=0.02).revenue.to_numpy()
    fit = K.fit_series(y, 12, method="select")
    assert fit.scores, "select must run the rolling-origin backtest"
    assert fit.model == min(fit.scores, key=fit.scores.get)
    assert set(fit.scores) >= {"ets", "theta", "snaive", "ets+theta", "ets+theta+snaive"}
    auto = K.fit_series(y, 12, method="auto")
    assert auto.model == "weighted" and sum(auto.weights.values()) == pytest.approx(1.0)
    assert set(auto.weights) == {"ets", "theta", "snaive"}
    # the weighted combination's point forecast is the weighted mean of its members' forecasts
    members = {m: K.fit_series(y, 12, method=m).mean for m in auto.weights}
    assert auto.mean == pytest.approx(sum(w * members[m] for m, w in auto.weights.items()))
    comb = K.fit_series(y, 12, method="comb")
    assert comb.model == "ets+theta+snaive"
    assert comb.scores == pytest.approx({k: v for k, v in auto.scores.items() if k != "weighted"})


def test_backtest_table_on_the_forecaster(fitted):
    bt = fitted.backtest_
    assert set(bt.series) == {"上海", "北京", "海口"}
    assert (bt.groupby("series")["used"].sum() == 1).all()
    assert (bt.backtest_mase > 0).all()


def test_seasonality_detected_and_form_chosen_on_data():
    y = make_panel(branches=("a",), noise=0.02).revenue.to_numpy()
    assert K.is_seasonal(y)
    fit = K.fit_series(y, 12)
    assert ("seasonal", "multiplicative") in fit.notes
    # a zero month rules out the multiplicative form
    y0 = y.copy()
    y0[5] = 0.0
    fit0 = K.fit_series(y0, 12)
    assert ("seasonal", "multiplicative") not in fit0.notes
    rng = np.random.default_rng(0)
    assert not K.is_seasonal(100 + rng.normal(0, 1, 36))


def test_fixed_method_and_combination():
    y = make_panel(branches=("a",)).revenue.to_numpy()
    ets = K.fit_series(y, 12, method="ets")
    theta = K.fit_series(y, 12, method="theta")
    both = K.fit_series(y, 12, method="ets+theta")
    assert both.model == "ets+theta"
    np.testing.assert_allclose(both.mean, (ets.mean + theta.mean) / 2)
    arima = K.fit_series(y, 6, method="arima", models=("ets", "arima"))
    assert arima.model == "arima" and np.all(np.isfinite(arima.mean))


def test_unknown_model_is_a_parameter_error(panel):
    with pytest.raises(ParameterError, match="unknown model 'prophet'"):
        Forecaster(method="prophet").fit(panel)


# ----------------------------------------------------------------------------
# intervals
# ----------------------------------------------------------------------------
def test_interval_coverage_on_a_known_process():
    """Random walk + noise: the 80 % interval of the fitted model covers most futures drawn from the same process."""
    rng = np.random.default_rng(7)
    hits80, hits95 = [], []
    for _ in range(8):
        level = 1000 + np.cumsum(rng.normal(0, 10, 48))
        y = level + rng.normal(0, 10, 48)
        fit = K.fit_series(y[:36], 12, seasonal=False)
        paths = K.simulate_paths([fit], 2000, seed=1)[:, 0, :]
        lo, hi = np.quantile(paths, [0.1, 0.9], axis=0)
        lo2, hi2 = np.quantile(paths, [0.025, 0.975], axis=0)
        hits80.append(np.mean((y[36:] >= lo) & (y[36:] <= hi)))
        hits95.append(np.mean((y[36:] >= lo2) & (y[36:] <= hi2)))
    assert 0.6 <= np.mean(hits80) <= 0.97
    assert np.mean(hits95) >= np.mean(hits80)


def test_interval_scale_widens(panel):
    narrow = Forecaster(interval_scale=1.0).fit(panel).predict()
    wide = Forecaster(interval_scale=2.0).fit(panel).predict()
    np.testing.assert_allclose(narrow["mean"], wide["mean"])
    assert ((wide.hi_80 - wide.lo_80) > (narrow.hi_80 - narrow.lo_80)).all()


@settings(max_examples=30, deadline=None)
@given(
    k=st.integers(1, 4),
    h=st.integers(1, 14),
    seed=st.integers(0, 10_000),
)
def test_simulated_paths_shape_floor_and_centre(k, h, seed):
    rng = np.random.default_rng(seed)
    fits = [
        K.SeriesFit(
            mean=rng.uniform(50, 100, h),
            model="ets",
            resid=np.r_[np.nan, rng.normal(0, 5, 30)],
            impulse=np.r_[1.0, np.full(h - 1, 0.3)],
            season=np.ones(h),
            nonneg=True,
        )
        for _ in range(k)
    ]
    paths = K.simulate_paths(fits, 200, seed=seed)
    assert paths.shape == (200, k, h)
    assert np.all(paths >= 0)
    # centred on the point forecast: residuals are demeaned
    assert np.all(np.abs(paths.mean(axis=0) - np.array([f.mean for f in fits])) < 10)


# ----------------------------------------------------------------------------
# short / broken histories, zeros, negatives, outliers
# ----------------------------------------------------------------------------
def test_short_history_warns_and_falls_back():
    panel = make_panel(n_months=30)
    with pytest.warns(ShortHistoryWarning, match="only 30 months"):
        fc = Forecaster(horizon=6).fit(panel)
    assert "snaive" not in " ".join(fc.predict().model)
    assert "30" in fc.report("en") and "damped" in fc.report("en")


def test_too_short_history_names_series_and_months():
    panel = pd.concat([make_panel(n_months=36, branches=("北京",)), make_panel(n_months=20, branches=("海口",), start="2024-05-01")])
    with pytest.raises(ForecastError, match=r"海口 \(20 months, 2024-05–2025-12\)"):
        Forecaster().fit(panel)


def test_fill_policy_zero_and_interpolate():
    panel = make_panel()
    gapped = panel.drop(index=[5, 6]).reset_index(drop=True)
    for fill in ("zero", "interpolate"):
        fc = Forecaster(fill=fill, horizon=3).fit(gapped)
        assert "2023-06, 2023-07" in fc.report("en") and fill in fc.report("en")


def test_zeros_negatives_and_outliers_are_reported():
    panel = make_panel(branches=("北京", "上海"))
    panel.loc[(panel.branch == "北京") & (panel.month == "2024-03-01"), "revenue"] = -50_000.0  # returns
    panel.loc[(panel.branch == "北京") & (panel.month == "2024-04-01"), "revenue"] = 0.0
    panel.loc[(panel.branch == "上海") & (panel.month == "2024-07-01"), "revenue"] *= 4  # one-off spike
    fc = Forecaster(horizon=12).fit(panel)
    text = fc.report("en")
    assert "北京: 1 negative months" in text and "北京: 1 zero months" in text
    assert "上海: one-off outliers 2024-07" in text
    out = fc.predict()
    assert out.loc[out.branch == "北京", "lo_95"].min() < 0 or np.isfinite(out["mean"]).all()
    zh = fc.report("zh")
    assert "退货" in zh and "异常值" in zh


# ----------------------------------------------------------------------------
# industry (market-share method)
# ----------------------------------------------------------------------------
def industry_frame(outlook_growth=0.06):
    years = [2023, 2024, 2025, 2026, 2027]
    size = [100e9 * 1.05**i for i in range(3)]
    size += [size[-1] * (1 + outlook_growth), size[-1] * (1 + outlook_growth) ** 2]
    return pd.DataFrame({"year": years, "market_size": size, "kind": ["actual"] * 3 + ["outlook"] * 2})


def test_industry_weight_zero_changes_nothing(panel, fitted):
    fc = Forecaster(industry_weight=0.0).fit(panel, industry=industry_frame())
    np.testing.assert_allclose(fc.predict()["mean"], fitted.predict()["mean"])
    assert fc.industry_ is not None and np.allclose(fc.industry_["factor"], 1.0)


def test_industry_blend_weight_one_is_share_times_market(panel):
    ind = industry_frame(outlook_growth=0.10)
    fc = Forecaster(industry_weight=1.0).fit(panel, industry=ind)
    row = fc.industry_.set_index("series").loc["北京"]
    y = panel[panel.branch == "北京"].set_index("month").revenue
    share = y.groupby(y.index.year).sum() / ind.set_index("year").market_size.loc[[2023, 2024, 2025]]
    g = (share.iloc[-1] / share.iloc[0]) ** 0.5 - 1
    expected = share.iloc[-1] * (1 + g) ** 0.8 * ind.set_index("year").market_size.loc[2026]
    assert row["industry_estimate"] == pytest.approx(expected)
    annual = fc.predict().query("branch == '北京'")["mean"].sum()
    assert annual == pytest.approx(expected, rel=1e-9)


def test_industry_outlook_moves_the_blend(panel):
    low = Forecaster().fit(panel, industry=industry_frame(0.0)).predict()["mean"].sum()
    high = Forecaster().fit(panel, industry=industry_frame(0.2)).predict()["mean"].sum()
    assert high > low * 1.04


def test_industry_outlook_extended_when_short(panel):
    ind = industry_frame().iloc[:3]  # actuals only
    fc = Forecaster(horizon=24).fit(panel, industry=ind)
    assert "2026, 2027" in fc.report("en") and "last growth rate" in fc.report("en")
    given = Forecaster(horizon=24, industry_weight=1.0, industry_growth=10.0).fit(panel, industry=ind)
    market = given.industry_.set_index(["series", "year"])["market_size"]
    assert market.loc[("北京", 2027)] == pytest.approx(ind.market_size.iloc[-1] * 1.1**2)
    by_year = Forecaster(horizon=12, industry_growth={2026: -5.0}).fit(panel, industry=ind)
    assert by_year.industry_["market_size"].iloc[0] == pytest.approx(ind.market_size.iloc[-1] * 0.95)
    with pytest.raises(ParameterError, match="no growth for 2027"):
        Forecaster(horizon=24, industry_growth={2026: 3.0}).fit(panel, industry=ind)


# ----------------------------------------------------------------------------
# parallel: joblib and a local Dask cluster
# ----------------------------------------------------------------------------
def test_n_jobs_gives_same_result(panel, fitted):
    import joblib

    # threads keep the test quick; the default loky backend runs the same calls in processes
    with joblib.parallel_backend("threading"):
        par = Forecaster(n_jobs=2).fit(panel)
    np.testing.assert_allclose(par.predict()["mean"], fitted.predict()["mean"])


def test_dask_backend_local_cluster(panel, fitted):
    import joblib
    from dask.distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, Client(cluster) as client:
            with joblib.parallel_backend("dask"):
                fc = Forecaster(n_jobs=-1).fit(panel)
            assert client.scheduler_info()["workers"]
    np.testing.assert_allclose(fc.predict()["mean"], fitted.predict()["mean"])


# ----------------------------------------------------------------------------
# tie to the backward method: the forecast as allocation share
# ----------------------------------------------------------------------------
def test_backward_allocates_by_forecast(tmp_path, small_plan_dict):
    from salesanalytics.adapters import io
    from salesanalytics.methods.backward import BackwardPlanner
    from salesanalytics.methods.plan import Plan

    panel = make_panel(branches=("北京", "上海", "海口"))
    fc = Forecaster().fit(panel)
    path = io.write_table(fc.predict(), tmp_path / "forecast.csv")
    forecast = io.read_forecast(path)
    small_plan_dict["allocation"] = "forecast"
    plan = Plan.from_dict(small_plan_dict, source="small.yaml")
    planner = BackwardPlanner(plan).fit(forecast=forecast)
    tasks = planner.tasks_.groupby("branch")["sales_task"].sum()
    share_fc = fc.predict().groupby("branch")["mean"].sum()
    share_fc = share_fc / share_fc.sum()
    np.testing.assert_allclose((tasks / tasks.sum()).loc[share_fc.index], share_fc, atol=1e-6)


# ----------------------------------------------------------------------------
# the bundled data through the CLI
# ----------------------------------------------------------------------------
def test_cli_forecasts_bundled_history(tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    out = tmp_path / "fc.xlsx"
    code = main(["forward", str(DATA / "history_monthly.csv"), "--industry", str(DATA / "industry_market_size.csv"), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "全公司" in text and "目标建议" in text and "保守(P20)" in text
    book = pd.read_excel(out, sheet_name=None)
    assert set(book) >= {"预测", "预测摘要", "目标建议", "说明"}
    fc = book["预测"]
    assert fc["分公司"].nunique() == 15 and len(fc) == 15 * 12
    assert "2026-01" in str(book["目标建议"]["期间"].iloc[0])
    # how each branch is forecast: the weights of its models (summing to 1) and the calendar effect per month
    weights = book["模型权重"]
    assert list(weights.columns) == ["分公司", "模型", "权重", "回测误差(MASE)"]
    assert set(weights["模型"]) == {"指数平滑(ETS)", "Theta法", "季节朴素"}
    assert weights.groupby("分公司")["权重"].sum().round(9).eq(1).all()
    calendar = book["日历效应"]
    assert list(calendar.columns) == ["分公司", "月份", "日历效应%", "采用"] and len(calendar) == 14 * 12  # branches, no company row
    assert "weighted" not in text and "加权组合" in text  # the model line of the report: words, not codes


def test_model_weights_and_calendar_effect_on_the_bundled_history():
    from salesanalytics.adapters import io

    history = io.read_history(DATA / "history_monthly.csv")
    fc = Forecaster(n_sims=200).fit(history)
    weights = fc.model_weights()
    assert list(weights.columns) == ["branch", "model", "weight", "backtest_mase"]
    assert weights.groupby("branch")["weight"].sum().to_numpy() == pytest.approx(np.ones(len(fc.series_)))
    assert (weights["weight"] > 0).all() and weights["backtest_mase"].notna().all()
    cal = fc.calendar_effect()
    assert len(cal) == len(fc.series_) * 12 and cal["used"].all()  # the bundled history carries the calendar
    feb, jan = cal[cal.month == "2026-02-01"], cal[cal.month == "2026-01-01"]
    # 春节 2026 falls wholly in February (17th): February loses, January (no holiday, more working days) gains
    assert (feb["effect_pct"] < -5).all() and (jan["effect_pct"] > 0).all()
    raw = Forecaster(n_sims=200, calendar=False).fit(history)
    assert not raw.calendar_effect()["used"].any() and (raw.calendar_effect()["effect_pct"] == 0).all()
    # the calendar moves February's forecast down against the raw forecast for every branch
    adjusted, plain = fc.predict(), raw.predict()
    month = adjusted["month"] == pd.Timestamp("2026-02-01")
    assert (adjusted.loc[month, "mean"].to_numpy() < plain.loc[month, "mean"].to_numpy()).all()


def test_cli_csv_round_trips_to_read_forecast(tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    hist = tmp_path / "h.csv"
    make_panel().to_csv(hist, index=False)
    csv = tmp_path / "fc.csv"
    assert main(["forward", str(hist), "--lang", "en", "--horizon", "6", "--level", "90", "--out", str(csv)]) == 0
    text = capsys.readouterr().out
    assert "Company" in text and "Target suggestions" in text
    back = sa.read_forecast(csv)
    assert back.branch.nunique() == 3 and {"lo_90", "hi_90"} <= set(back.columns)


# ----------------------------------------------------------------------------
# bad input: each a clear error, table-driven
# ----------------------------------------------------------------------------
def _bad_history(kind: str) -> pd.DataFrame:
    panel = make_panel()
    if kind == "non_monthly":
        panel["month"] = panel["month"] + pd.Timedelta(days=14)
    elif kind == "duplicate":
        panel = pd.concat([panel, panel.iloc[[4]]], ignore_index=True)
    elif kind == "text_amount":
        panel["revenue"] = panel["revenue"].astype(object)
        panel.loc[7, "revenue"] = "一百万"
    elif kind == "gapped":
        panel = panel.drop(index=[40, 41, 42]).reset_index(drop=True)
    elif kind == "all_zero":
        panel.loc[panel.branch == "海口", "revenue"] = 0.0
    elif kind == "unsorted":
        return panel.sample(frac=1.0, random_state=0)
    return panel


BAD_HISTORY = [
    ("non_monthly", DataError, ["column month", "first day of a month"]),
    ("duplicate", DataError, ["duplicate", "row"]),
    ("text_amount", DataError, ["column revenue", "'一百万' is not a number", "row 9"]),
    ("gapped", DataError, ["上海", "3 missing month", "2023-05, 2023-06, 2023-07", "fill"]),
    ("all_zero", ForecastError, ["海口", "only zeros"]),
]


@pytest.mark.parametrize("kind, error, words", BAD_HISTORY, ids=[b[0] for b in BAD_HISTORY])
def test_bad_history(kind, error, words):
    with pytest.raises(error) as info:
        Forecaster(horizon=3).fit(_bad_history(kind))
    for word in words:
        assert word in str(info.value)


def test_unsorted_history_is_fine(fitted):
    fc = Forecaster().fit(_bad_history("unsorted"))
    np.testing.assert_allclose(fc.predict()["mean"], fitted.predict()["mean"])


BAD_PARAMS = [
    ({"horizon": 0}, "between 1 and 60"),
    ({"horizon": -3}, "between 1 and 60"),
    ({"horizon": 61}, "between 1 and 60"),
    ({"horizon": 2.5}, "whole number"),
    ({"levels": (0, 95)}, "outside (0, 100)"),
    ({"levels": (80, 100)}, "outside (0, 100)"),
    ({"levels": (-5,)}, "outside (0, 100)"),
    ({"levels": ("x",)}, "outside (0, 100)"),
    ({"industry_weight": 1.5}, "between 0 and 1"),
    ({"fill": "mean"}, "fill must be"),
    ({"market_uncertainty": -1}, "market_uncertainty must be between 0 and 50"),
    ({"market_uncertainty": 60}, "market_uncertainty must be between 0 and 50"),
    ({"market_uncertainty": "5"}, "market_uncertainty must be between 0 and 50"),
    ({"market_uncertainty": True}, "market_uncertainty must be between 0 and 50"),
]


@pytest.mark.parametrize("settings_, words", BAD_PARAMS, ids=[str(b[0]) for b in BAD_PARAMS])
def test_bad_parameters(settings_, words, panel):
    with pytest.raises(ParameterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        Forecaster(**settings_).fit(panel)


def test_industry_not_covering_history(panel):
    ind = industry_frame().iloc[1:]  # 2024.. only
    ind.attrs["source"] = "industry.csv"
    with pytest.raises(DataError) as info:
        Forecaster().fit(panel, industry=ind)
    text = str(info.value)
    assert "industry.csv" in text and "does not cover" in text and "2023" in text and "Fix:" in text


def _write(path, frame):
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return str(path)


CLI_BAD = [
    ("text_amount", [], "'一百万' is not a number"),
    ("duplicate", [], "duplicate"),
    ("gapped", [], "missing month"),
    ("all_zero", [], "only zeros"),
    ("non_monthly", [], "first day of a month"),
    ("ok", ["--horizon", "0"], "between 1 and 60"),
    ("ok", ["--horizon", "61"], "between 1 and 60"),
    ("ok", ["--level", "80", "100"], "outside (0, 100)"),
    ("ok", ["--industry", "IND"], "does not cover"),
    ("ok", ["--market-uncertainty", "-3"], "market_uncertainty must be between 0 and 50"),
]


@pytest.mark.parametrize("kind, extra, words", CLI_BAD, ids=[f"{b[0]}{b[1]}" for b in CLI_BAD])
def test_cli_bad_inputs_exit_nonzero(kind, extra, words, tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    hist = _write(tmp_path / "h.csv", _bad_history(kind) if kind != "ok" else make_panel())
    ind = _write(tmp_path / "ind.csv", industry_frame().iloc[2:])
    extra = [ind if e == "IND" else e for e in extra]
    code = main(["forward", hist, "--horizon", "3", *extra] if "--horizon" not in extra else ["forward", hist, *extra])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("error: ") and words in err
    assert "Traceback" not in err


def test_branch_by_product_is_bottom_up():
    a = make_panel(branches=("北京", "上海"), seed=4).assign(product="A")
    b = make_panel(branches=("北京", "上海"), seed=5).assign(product="B")
    fc = Forecaster(horizon=6).fit(pd.concat([a, b], ignore_index=True))
    assert fc.series_ == [("上海", "A"), ("上海", "B"), ("北京", "A"), ("北京", "B")]
    out = fc.predict(total=True)
    assert list(out.columns[:3]) == ["branch", "product", "month"]
    t = fc.target_suggestions().set_index("branch")
    bottom = out[out.branch != "全公司"].groupby("branch")["mean"].sum()
    np.testing.assert_allclose(t.loc[["上海", "北京"], "mean"], bottom.loc[["上海", "北京"]])
    np.testing.assert_allclose(t.loc["全公司", "mean"], bottom.sum())


def test_cli_prints_multi_year_outlook(tmp_path, capsys):
    from salesanalytics.adapters.cli import main

    hist = tmp_path / "h.csv"
    make_panel().to_csv(hist, index=False)
    assert main(["forward", str(hist), "--horizon", "36", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Company outlook per year" in text and "2028" in text


# ----------------------------------------------------------------------------
# headline figures and labelled tables
# ----------------------------------------------------------------------------
def test_summary_is_a_dict_of_headline_figures(fitted):
    s = fitted.summary()
    assert isinstance(s, dict)
    t = fitted.target_suggestions().iloc[-1]
    assert s["forecast_yuan"] == pytest.approx(t["mean"]) and s["base_yuan"] == pytest.approx(t["base"])
    assert s["last_12m_yuan"] == pytest.approx(t["last_12m"])
    assert s["series"] == len(fitted.series_) and s["horizon"] == 12 and s["level"] == 80
    assert s["low_yuan"] <= s["base_yuan"] <= s["high_yuan"]
    assert sum(s["models"].values()) == len(fitted.series_)
    assert s["industry_weight"] is None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_column_has_a_label(fitted, lang):
    tables = fitted.tables(lang)  # label_columns raises LabelError on a column without a label
    assert {"forecast", "summary", "target_suggestions", "outlook", "backtest"} <= set(tables)
    for name, frame in tables.items():
        for col in frame.columns:
            assert "_" not in str(col), (name, col)
            assert not frame[col].map(lambda v: isinstance(v, (bool, np.bool_))).any(), (name, col)
    company = "全公司" if lang == "zh" else "Company"
    assert company in set(tables["forecast"].iloc[:, 0])


def test_report_is_labelled_in_both_languages():
    panel = make_panel(branches=("北京",))
    panel.loc[panel.month == "2024-04-01", "revenue"] = 0.0
    fc = Forecaster(horizon=12).fit(panel)
    zh, en = fc.report("zh"), fc.report("en")
    assert "模型: " in zh and "models: " in en and "个月为零" in zh and "zero months" in en
    with pytest.raises(ParameterError, match="lang"):
        fc.report("fr")


# ----------------------------------------------------------------------------
# fit in two steps (the series fitted while other work runs): the same fit
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fit_begin_gives_the_same_fit_as_fit(panel, n_jobs):
    pending = Forecaster(horizon=12, n_sims=300, seed=4, n_jobs=n_jobs).fit_begin(panel)
    began = pending()
    plain = Forecaster(horizon=12, n_sims=300, seed=4, n_jobs=n_jobs).fit(panel)
    assert np.array_equal(began.paths_, plain.paths_)
    pd.testing.assert_frame_equal(began.predict(), plain.predict())
    pd.testing.assert_frame_equal(began.backtest_, plain.backtest_)
    assert began.notes_ == plain.notes_


def test_fit_begin_says_and_raises_when_the_result_is_asked_for(panel):
    short = make_panel(n_months=30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing said when begun
        pending = Forecaster(horizon=6, n_sims=200).fit_begin(short)
        failing = Forecaster(horizon=6).fit_begin(make_panel(n_months=12))
    with pytest.warns(ShortHistoryWarning, match="only 30 months"):
        fitted = pending()
    assert fitted.months_[0] == pd.Timestamp("2025-07-01")
    with pytest.raises(ForecastError, match="fewer than 24 months"):
        failing()
    dropped = Forecaster(horizon=6, n_jobs=2).fit_begin(panel)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dropped.cancel()  # waits quietly for the series already with the workers


def test_history_before_the_calendar_years_names_both_fixes():
    old = make_panel(start="2000-01-01")
    with pytest.raises(ParameterError) as err:
        Forecaster(n_sims=50).fit(old)
    message = str(err.value)
    # what is wrong (no calendar data for 2000), and both ways out: later months, or no calendar adjustment
    assert "2000" in message and "Fix: use months from 2004" in message
    assert "Forecaster(calendar=False)" in message and "forward --no-calendar" in message
    fc = Forecaster(n_sims=50, calendar=False).fit(old)  # the advice works
    assert len(fc.predict()) == 3 * 12


def test_company_range_is_the_plain_bottom_up_sum_of_the_branch_paths(panel):
    """Branches as the bottom series: the company total's range is the sum of the branches' joint bootstrap paths
    (forward.SUMS "mint_inner" reconciles only branches made of several series; BENCHMARKS.md "Coverage of sums");
    a caller's interval scale widens it."""
    from salesanalytics.methods import forward as F

    assert F.SUMS == "mint_inner"
    fc = Forecaster(n_sims=200, market_uncertainty=0).fit(panel)
    assert fc.branch_fits_ == [] and fc.fits_ == fc.base_fits_  # no branch of several series: nothing reconciled
    assert np.all(fc.factor_ == 1)  # no industry file: the paths are the kernel's
    total = fc.simulate(4000, seed=3).sum(axis=1)
    plain = K.simulate_paths(fc.fits_, 4000, seed=3)
    np.testing.assert_array_equal(total, plain.sum(axis=1))
    # the draws keep one calendar month's shocks together: the branches' shared shocks widen the company's range
    # beyond what the same branches drawn independently give
    q = np.quantile(total, [0.1, 0.9], axis=0)
    alone = np.stack([K.simulate_paths([f], 4000, seed=10 + i)[:, 0] for i, f in enumerate(fc.fits_)], axis=1).sum(axis=1)
    qa = np.quantile(alone, [0.1, 0.9], axis=0)
    assert np.mean((q[1] - q[0]) / (qa[1] - qa[0])) > 1.1
    wide = Forecaster(n_sims=200, interval_scale=2 * K.INTERVAL_SCALE, market_uncertainty=0).fit(panel).simulate(4000, seed=3).sum(axis=1)
    qw = np.quantile(wide, [0.1, 0.9], axis=0)
    assert qw[1] - qw[0] == pytest.approx(2 * (q[1] - q[0]), rel=0.03)


def test_market_uncertainty_is_one_shock_all_branches_share(panel):
    """market_uncertainty multiplies every branch's paths by one shared factor per draw: the means stay, each
    branch's range widens a little and the company's much more.  The product's shape ("fill") takes it as a
    floor for the shared variance a year out: what the branches' own shared shocks already give is not added
    again.  The default: MARKET_SD, chosen by bench_sums.choose_market (BENCHMARKS.md)."""
    from salesanalytics.methods import _forecast_hierarchy as H

    assert H.MARKET_SHAPE == "fill"
    none = Forecaster(n_sims=200, market_uncertainty=0).fit(panel)
    ten = Forecaster(n_sims=200, market_uncertainty=10).fit(panel)
    np.testing.assert_array_equal(none._means(), ten._means())
    p0, p5 = none.simulate(3000, seed=4), ten.simulate(3000, seed=4)
    left = H.market_fill(none.base_fits_, 0.10)
    assert 0.05 < left < 0.10  # this panel's branches share a common shock: part of the 10 % is already there
    np.testing.assert_allclose(p5, p0 * H.market_factor(3000, 12, left, "walk", seed=4)[:, None, :], rtol=1e-12)
    # a prior below what the branches already share adds nothing
    assert H.market_fill(none.base_fits_, 0.03) == 0.0
    np.testing.assert_array_equal(Forecaster(n_sims=50, market_uncertainty=3).fit(panel).simulate(500, seed=4),
                                  none.simulate(500, seed=4))

    def width(paths):  # the 80 % range of the year's sum
        q = np.quantile(paths.sum(axis=-1), [0.1, 0.9], axis=0)
        return q[1] - q[0]

    branch = width(p5) / width(p0)  # per branch
    company = width(p5.sum(axis=1)) / width(p0.sum(axis=1))
    assert company > branch.max()
    assert ten.summary()["market_uncertainty_pct"] == 10
    assert "at least 10% a year" in ten.report("en") and "至少 10%" in ten.report("zh")
    assert "market" not in none.report("en")
    single = Forecaster(n_sims=50, market_uncertainty=10).fit(panel[panel["branch"] == panel["branch"].iloc[0]])
    assert single.market_floor_pct() == 0.0 and "market" not in single.report("en")  # one series: its own range
    assert ten.market_floor_pct() == 10
    default = Forecaster(n_sims=50).fit(panel)
    assert default.market_sd_ == H.MARKET_SD == 0.06  # bench_sums.choose_market: fill 6 %
    assert default.summary()["market_uncertainty_pct"] == pytest.approx(6.0)
    np.testing.assert_array_equal(default.simulate(500, seed=4), Forecaster(n_sims=50, market_uncertainty=6).fit(panel).simulate(500, seed=4))


def _people_history(seed: int = 5) -> pd.DataFrame:
    base = make_panel(branches=("北京", "上海"), noise=0.05)
    rng = np.random.default_rng(seed)
    people = []
    for person in ("甲", "乙", "丙"):
        part = base.copy()
        part["salesperson"] = part["branch"] + person
        part["revenue"] = part["revenue"] * rng.uniform(0.3, 0.6) * (1 + rng.normal(0, 0.08, len(part)))
        people.append(part)
    return pd.concat(people, ignore_index=True)


def test_people_are_reconciled_with_their_branch_forecast_and_add_up_to_it():
    """Salespeople as the bottom series (forward.SUMS "mint_inner"): each branch is also forecast as a series of its
    own (its people's months summed), its people are reconciled with it by MinT, and every figure reads the
    reconciled means; the branch and company tables are the path-by-path sums of the people."""
    from salesanalytics.methods import _forecast_calendar as CAL
    from salesanalytics.methods import _forecast_hierarchy as H

    history = _people_history()
    fc = Forecaster(n_sims=200).fit(history)
    assert fc.keys_ == ["branch", "salesperson"] and len(fc.series_) == 6
    assert fc._sum_groups() == [[0, 1, 2], [3, 4, 5], [0, 1, 2, 3, 4, 5]]  # 上海's people, 北京's, the company
    assert [g for g, _ in fc.branch_fits_] == [[0, 1, 2], [3, 4, 5]]
    # a branch's own fit is the ordinary fit of its people's summed months
    shanghai = history[history["branch"] == "上海"].groupby("month")["revenue"].sum()
    hist_months = [pd.date_range(end=fc.last_month_, periods=len(fc.history_[k]), freq="MS") for k in fc.series_]
    y, months = forward._branch_total([fc.history_[k] for k in fc.series_], hist_months, [0, 1, 2])
    np.testing.assert_allclose(y, shanghai.to_numpy(float), rtol=1e-12)  # the people's months summed
    assert list(months) == list(shanghai.index)
    pool = CAL.fit_calendar_pooled([fc.history_[k] for k in fc.series_], hist_months)
    # fitted on exactly those sums: ETS's optimiser may land elsewhere for the same months summed in another order
    own = CAL.fit_series_calendar(y, months, fc.months_, fc.horizon_, pool, method=fc.method, models=tuple(fc.models))
    np.testing.assert_allclose(fc.branch_fits_[0][1].mean, own.mean, rtol=1e-12)
    # the people's means are the reconciled ones, and they moved: part of the way to the branch's own forecast
    groups = [g for g, _ in fc.branch_fits_] + [list(range(6))]
    want = H.inner_means(fc.base_fits_, groups, [f for _, f in fc.branch_fits_] + [None])
    np.testing.assert_allclose(np.array([f.mean for f in fc.fits_]), want, rtol=1e-12)
    before = np.array([f.mean for f in fc.base_fits_])
    assert not np.allclose(want, before)
    for g, branch in fc.branch_fits_:
        sum_before, sum_after = before[g].sum(axis=0).sum(), want[g].sum(axis=0).sum()
        assert min(sum_before, branch.mean.sum()) - 1e-6 <= sum_after <= max(sum_before, branch.mean.sum()) + 1e-6
    # the paths are the "mint_inner" joint paths, centred on the reconciled means
    np.testing.assert_array_equal(fc.simulate(500, seed=3), H.joint_paths(
        fc.base_fits_, 500, seed=3, groups=groups, group_fits=[f for _, f in fc.branch_fits_] + [None], method="mint_inner"))
    assert fc.paths_.mean(axis=0) == pytest.approx(want, rel=0.05)
    # every table reads the same means: the forecast per person, the branch table and the company are sums of them
    frame = fc.predict(total=True)
    people_rows = frame[frame["salesperson"] != ""]
    np.testing.assert_allclose(people_rows["mean"].to_numpy(), want.reshape(-1), rtol=1e-12)
    names, branch_means, branch_paths = fc._aggregate("branch")
    assert names == ["上海", "北京"]
    np.testing.assert_allclose(branch_means[0], want[:3].sum(axis=0), rtol=1e-12)
    assert branch_paths[:, 0] == pytest.approx(fc.paths_[:, :3].sum(axis=1), rel=1e-12)
    company = frame[frame["branch"] == "全公司"]["mean"].to_numpy()
    np.testing.assert_allclose(company, want.sum(axis=0), rtol=1e-12)


def test_a_branch_total_counts_a_member_who_joined_later_as_zero_before():
    from salesanalytics.methods import forward as F

    months = pd.date_range("2023-01-01", periods=36, freq="MS")
    y, m = F._branch_total([np.ones(36), np.full(24, 2.0)], [months, months[12:]], [0, 1])
    assert list(m) == list(months)
    assert y.tolist() == [1.0] * 12 + [3.0] * 24
    assert F._inner_branches([("北京", "甲"), ("北京", "乙"), ("上海", "丙")]) == [[0, 1]]
    assert F._inner_branches([("北京", "甲"), ("北京", "乙")]) == []  # the branch is the whole company: a plain sum
    assert F._inner_branches(["北京", "上海"]) == []


def test_implied_gives_each_branch_of_people_its_own_range_first():
    """"implied" (a benchmark candidate) on salespeople: each branch's total gets its own range first, then the company."""
    from salesanalytics.methods import _forecast_hierarchy as H

    fc = Forecaster(n_sims=200).fit(_people_history())
    fits = fc.base_fits_
    plain = K.simulate_paths(fits, 4000, seed=3)
    paths = H.joint_paths(fits, 4000, seed=3, groups=fc._sum_groups(), method="implied", market=0)  # the method alone
    # the company's range is exactly its implied width; the middles are the plain draws' at every level (but for
    # the odd draw of a person pushed below zero and floored there)
    total = paths.sum(axis=1)
    q = np.quantile(total, [0.1, 0.9], axis=0)
    assert (q[1] - q[0]) / 2 == pytest.approx(H.group_halfwidth(fits), rel=1e-9)
    assert paths.mean(axis=0) == pytest.approx(plain.mean(axis=0), rel=1e-5)
    for g in fc._sum_groups()[:2]:
        branch, bottom_up = paths[:, g].sum(axis=1), plain[:, g].sum(axis=1)
        want = H.group_halfwidth([fits[i] for i in g])
        qb, qp = np.quantile(branch, [0.1, 0.9], axis=0), np.quantile(bottom_up, [0.1, 0.9], axis=0)
        got, before = (qb[1] - qb[0]) / 2 / want, (qp[1] - qp[0]) / 2 / want
        # set to the branch's own width first; the company's step afterwards moves it only through the branch's
        # share of the company's deviation: within 4 % here, and less than half as far off as the plain sum
        assert np.abs(got - 1).max() < 0.04 and np.abs(got - 1).mean() < np.abs(before - 1).mean() / 2


def test_a_branch_whose_people_cancel_exactly_stays_their_plain_sum():
    """One person booked as the negative of the others: the branch's MinT weights do not exist (singular
    covariance); that branch is left as the plain sum of its people, the other branch is still reconciled."""
    history = _people_history()
    wide = history[history["branch"] == "上海"].pivot(index="month", columns="salesperson", values="revenue")
    history.loc[history["salesperson"] == "上海丙", "revenue"] = -(wide["上海甲"] + wide["上海乙"]).to_numpy()
    fc = Forecaster(n_sims=200).fit(history)
    shanghai = [i for i, key in enumerate(fc.series_) if key[0] == "上海"]
    for i in shanghai:  # as fitted: not moved
        np.testing.assert_array_equal(fc.fits_[i].mean, fc.base_fits_[i].mean)
    beijing = [i for i, key in enumerate(fc.series_) if key[0] == "北京"]
    assert not np.allclose([fc.fits_[i].mean for i in beijing], [fc.base_fits_[i].mean for i in beijing])
    assert np.all(np.isfinite(fc.paths_))
