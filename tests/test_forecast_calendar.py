"""Spring Festival and working-day adjustment of the forward forecast (salesanalytics.methods._forecast_calendar)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesanalytics.core import calendar_cn
from salesanalytics.core.exceptions import ParameterError
from salesanalytics.methods import _forecast_calendar as C
from salesanalytics.methods import _forecast_models as K

HIST = pd.date_range("2023-01-01", "2025-12-01", freq="MS")
FUTURE = pd.date_range("2026-01-01", periods=12, freq="MS")
SEASON = np.array([-0.06, 0.0, 0.03, 0.0, -0.01, 0.04, -0.02, -0.03, 0.04, -0.01, 0.04, 0.15])
BETA = np.array([0.5, -0.03, 0.012])  # elasticity on working days, per 春节 day, per 春节 day of the month before


def company(beta=BETA, n=6, noise=0.01, seed=0, months=HIST):
    """Positive monthly series: level, 0.5 % growth a month, seasonality, the calendar effect ``beta``, noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(months))
    base = 4.6 + 0.005 * t + SEASON[months.month - 1] + C.calendar_regressors(months) @ np.asarray(beta)
    return [np.exp(base + rng.normal(0, noise, len(months)) + rng.normal(0, 0.1)) for _ in range(n)]


def test_regressors_of_known_months():
    X = C.calendar_regressors(pd.DatetimeIndex(["2026-01-01", "2026-02-01", "2026-03-01", "2027-02-01"]))
    # 2026: 春节 holiday 15–23 February, 16 working days in February, 22 in March; 2027 by the rule (14 working days, 8 days off)
    assert np.allclose(X[:, 0], np.log([21, 16, 22, 14]))
    assert X[:, 1].tolist() == [0, 9, 0, 8]
    assert X[:, 2].tolist() == [0, 0, 9, 0]


def test_months_outside_the_calendar_data_are_refused():
    with pytest.raises(ParameterError, match="2100"):
        C.calendar_regressors(pd.date_range("2099-11-01", periods=3, freq="MS"))
    with pytest.raises(ParameterError, match="2003"):
        C.fit_calendar(company(n=1)[0], pd.date_range("2003-01-01", periods=36, freq="MS"), FUTURE)


def test_pool_recovers_the_effect_without_noise():
    with_a_loss = company(noise=0.0) + [np.r_[-5.0, np.full(35, 100.0)]]  # a series with a negative month stays out
    pool = C.fit_calendar_pooled(with_a_loss, HIST)
    assert np.allclose(pool.beta, BETA, atol=1e-9)
    assert pool.used and pool.p_value < 1e-6 and pool.n_series == 6
    assert np.allclose(pool.spread, 0.0)


def test_pool_without_effect_is_not_used():
    pool = C.fit_calendar_pooled(company(beta=np.zeros(3), noise=0.0), HIST)
    assert np.allclose(pool.beta, 0.0, atol=1e-9)
    assert not pool.used
    fit = C.fit_calendar(company(n=1)[0], HIST, FUTURE, pool)
    assert not fit.used and fit.reason == "no_effect"
    assert np.all(fit.hist == 1.0) and np.all(fit.future == 1.0)


def test_factors_are_centred_per_month_of_year_and_follow_the_holiday():
    cal = C.calendar_factors(BETA, HIST, FUTURE)
    logs = np.log(cal.hist)
    for k in range(1, 13):
        assert abs(logs[HIST.month == k].mean()) < 1e-12
    # the centred effect is the raw effect minus the history's mean of its month of year
    X = C.calendar_regressors(HIST.append(FUTURE)) @ BETA
    feb_mean = X[: len(HIST)][HIST.month == 2].mean()
    assert np.isclose(np.log(cal.future[1]), X[len(HIST) + 1] - feb_mean)
    # 2026: the whole holiday in February (9 days), none in January: February low, January and March high
    assert cal.future[1] < 0.9 and cal.future[0] > 1.0 and cal.future[2] > 1.0


def test_each_series_is_shrunk_towards_the_pool_by_the_spread():
    ys = company(noise=0.02, seed=3)
    pool = C.fit_calendar_pooled(ys, HIST)
    own = C.fit_calendar(ys[0], HIST, FUTURE)
    assert not np.allclose(own.beta, pool.beta)
    one_effect = C.CalendarPool(pool.beta, pool.cov, np.zeros(3), pool.n_series, pool.p_value, True)
    assert np.allclose(C.fit_calendar(ys[0], HIST, FUTURE, one_effect).beta, pool.beta)
    wide = C.CalendarPool(pool.beta, pool.cov, np.full(3, 10.0), pool.n_series, pool.p_value, True)
    assert np.allclose(C.fit_calendar(ys[0], HIST, FUTURE, wide).beta, own.beta, rtol=1e-2, atol=1e-6)


def test_spread_measures_branches_that_differ():
    same = C.fit_calendar_pooled(company(noise=0.0), HIST)
    mixed = C.fit_calendar_pooled(company(noise=0.0, n=3) + company(beta=[0.5, -0.01, 0.012], noise=0.0, n=3), HIST)
    assert np.allclose(same.spread, 0.0)
    # per 春节 day -0.03 for three branches, -0.01 for three: standard deviation 0.011 (ddof 1)
    assert np.isclose(mixed.spread[1], np.std([-0.03] * 3 + [-0.01] * 3, ddof=1))
    assert np.isclose(mixed.beta[1], -0.02)


@pytest.mark.parametrize(("y", "reason"), [(np.r_[-1.0, np.full(35, 100.0)], "nonpositive"), (np.full(20, 100.0), "short")])
def test_series_the_adjustment_cannot_handle_get_the_plain_forecast(y, reason):
    pool = C.fit_calendar_pooled(company(), HIST)
    cal = C.fit_calendar(y, HIST[: len(y)], FUTURE, pool)
    assert not cal.used and cal.reason == reason
    fit = C.fit_series_calendar(y, HIST[: len(y)], FUTURE, 12, pool)
    assert np.allclose(fit.mean, K.fit_series(y, 12).mean)
    assert fit.calendar["used"] is False and fit.calendar["reason"] == reason


def test_apply_calendar_scales_mean_and_error_path_and_reports_per_month():
    ys = company(seed=1)
    pool = C.fit_calendar_pooled(ys, HIST)
    cal = C.fit_calendar(ys[0], HIST, FUTURE, pool)
    base = K.fit_series(ys[0] / cal.hist, 12)
    fit = C.apply_calendar(base, cal)
    assert np.allclose(fit.mean, base.mean * cal.future)
    assert np.allclose(fit.season, base.season * cal.future)
    assert fit.resid is base.resid  # residuals stay on the adjusted scale
    record = fit.calendar
    json.dumps(record)
    assert record["used"] is True and set(record["coefficients"]) == set(C.REGRESSORS)
    assert list(record["effect_pct"]) == [f"{m:%Y-%m}" for m in FUTURE]
    assert record["effect_pct"]["2026-02"] == round(100 * (cal.future[1] - 1), 2) and record["effect_pct"]["2026-02"] < -10
    wrapped = C.fit_series_calendar(ys[0], HIST, FUTURE, 12, pool)
    assert np.allclose(wrapped.mean, fit.mean) and wrapped.calendar == record


def test_the_holiday_month_is_no_outlier_once_the_calendar_explains_it():
    ys = company(seed=2)
    raw = K.fit_series(ys[0], 12)
    flagged = [int(i) for code, d in raw.notes if code == "outliers" for i in d.split(",")]
    sf_months = {i for i, m in enumerate(HIST) if calendar_cn.spring_festival_days(m.year, m.month) > 0}
    assert flagged and set(flagged) <= sf_months | {i + 1 for i in sf_months}  # the raw kernel calls the holiday an outlier
    fit = C.fit_series_calendar(ys[0], HIST, FUTURE, 12, C.fit_calendar_pooled(ys, HIST))
    assert fit.calendar["used"] and not any(code == "outliers" for code, _ in fit.notes)


def test_months_must_match_the_values():
    y = company(n=1)[0]
    with pytest.raises(ParameterError, match="35 months"):
        C.fit_calendar(y, HIST[:-1], FUTURE)
    with pytest.raises(ParameterError, match="horizon 6 but 12"):
        C.fit_series_calendar(y, HIST, FUTURE, 6, C.fit_calendar_pooled([y], HIST))


def test_no_pool_is_no_calendar():
    y = company(n=1)[0]
    fit = C.fit_series_calendar(y, HIST, FUTURE, 12, None)
    assert fit.calendar is None and np.allclose(fit.mean, K.fit_series(y, 12).mean)


def test_the_pools_test_counts_the_months_the_nuisance_uses():
    """36 months: 12 month-of-year dummies and a trend take 13, the coefficients 3, so W / 3 is referred to F(3, 20)."""
    from scipy import stats

    pool = C.fit_calendar_pooled(company(noise=0.05, seed=3), HIST)
    assert pool.dof == 36 - 13 - 3
    wald = float(pool.beta @ np.linalg.inv(pool.cov) @ pool.beta)
    assert pool.p_value == pytest.approx(stats.f.sf(wald / 3, 3, 20), rel=1e-9)


def test_the_pools_other_forms_for_the_benchmark():
    """"none" is the earlier form (G / (G - 1), chi-square); cr2 / cr3 divide each month's scores by its leverage."""
    from scipy import stats

    ys = company(noise=0.05, seed=3)
    dof = C.fit_calendar_pooled(ys, HIST)
    none = C.fit_calendar_pooled(ys, HIST, correction="none")
    assert none.cov == pytest.approx(dof.cov * 20 / 35, rel=1e-12)  # the same scores, scaled 36/35 instead of 36/20
    wald = float(none.beta @ np.linalg.inv(none.cov) @ none.beta)
    assert none.p_value == pytest.approx(stats.chi2.sf(wald, 3), rel=1e-9)
    cr2, cr3 = (C.fit_calendar_pooled(ys, HIST, correction=c) for c in ("cr2", "cr3"))
    assert np.all(np.diag(cr3.cov) > np.diag(cr2.cov))  # leverage < 1: dividing by 1 - h widens more than its root
    assert cr2.beta == pytest.approx(dof.beta) and cr2.dof == dof.dof == 20
    with pytest.raises(ParameterError, match="correction"):
        C.fit_calendar_pooled(ys, HIST, correction="hc9")


def test_the_pool_rarely_finds_an_effect_in_companies_without_one():
    """The generator with its calendar switched off (30 companies of 14 branches, fixed seeds): the chi-square form
    with the usual G / (G - 1) finds an effect in 6 of these 30 (20 % of 300 in bench_holiday.py --size), this one
    in 3 (11 % there), while it still finds the generator's own effect in every company."""
    from dataclasses import replace

    from salesanalytics.methods import datagen as D

    found = {}
    for effect in (0.0, 1.0):
        process = replace(D.PROCESS, workday_elasticity=D.PROCESS.workday_elasticity * effect,
                          sf_loss_per_day=D.PROCESS.sf_loss_per_day * effect)
        used = []
        for seed in range(1001, 1031):
            hist = D.make_history("2023-01", "2025-12", seed, branches=14, story=False, process=process)
            wide = hist.pivot(index="month", columns="branch", values="revenue")
            used.append(C.fit_calendar_pooled([wide[b].to_numpy() for b in wide.columns], pd.DatetimeIndex(wide.index)).used)
        found[effect] = sum(used)
    assert found[1.0] == 30
    assert found[0.0] <= 3
