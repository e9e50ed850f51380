"""Kernel of the forward forecaster: the combination rule, weights, long horizons, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from salesanalytics.methods import _forecast_models as K

SEASON = np.array([0.80, 0.85, 1.00, 1.00, 1.02, 1.05, 0.98, 0.97, 1.00, 1.03, 1.10, 1.20])


def series(n=36, seed=1, noise=0.03, trend=0.01):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 1000 * (1 + trend * t) * SEASON[t % 12] * (1 + rng.normal(0, noise, n))


@pytest.fixture(scope="module")
def y():
    return series()


@pytest.fixture(scope="module")
def auto(y):
    return K.fit_series(y, 12)


# ----------------------------------------------------------------------------
# the combination rule
# ----------------------------------------------------------------------------
def test_inverse_error_weights():
    w = K.inverse_error_weights({"a": 1.0, "b": 2.0}, power=2)
    assert w == pytest.approx({"a": 0.8, "b": 0.2})
    assert K.inverse_error_weights({"a": 1.0, "b": 2.0}, power=1) == pytest.approx({"a": 2 / 3, "b": 1 / 3})
    # an unknown error: no ranking, equal weights
    assert K.inverse_error_weights({"a": 1.0, "b": np.nan}) == {"a": 0.5, "b": 0.5}
    assert K.inverse_error_weights({}) == {}


def test_auto_weights_half_single_half_groups():
    scores = {"ets": 1.0, "theta": 1.0, "snaive": 1.0, "ets+theta": 1.0}
    w = K.auto_weights(scores, ["ets", "theta", "snaive"], power=2)
    # single half: 1/6 each; group half: 1/4 to each group, the adjusted group split in two
    assert w == pytest.approx({"ets": 1 / 6 + 1 / 8, "theta": 1 / 6 + 1 / 8, "snaive": 1 / 6 + 1 / 4})
    assert sum(w.values()) == pytest.approx(1.0)
    # a member with a smaller backtest error gets more weight, a worse one less
    better = K.auto_weights({**scores, "snaive": 0.5}, ["ets", "theta", "snaive"])
    assert better["snaive"] > w["snaive"] and better["ets"] < w["ets"]
    # without backtest scores (history too short): equal weights
    assert K.auto_weights({}, ["ets", "theta"]) == {"ets": 0.5, "theta": 0.5}
    # no seasonal naive among the models: one group, so half equal + half inverse error
    w2 = K.auto_weights({"ets": 1.0, "theta": 2.0, "ets+theta": 1.4}, ["ets", "theta"], power=2)
    assert w2 == pytest.approx({"ets": 0.25 + 0.4, "theta": 0.25 + 0.1})


def test_auto_fills_weights_scores_and_model(y, auto):
    assert auto.model == K.WEIGHTED
    assert set(auto.weights) == {"ets", "theta", "snaive"}
    assert sum(auto.weights.values()) == pytest.approx(1.0)
    assert all(w > 0 for w in auto.weights.values())
    # the backtest errors of every single model and equal combination, and of the weighted forecast itself
    assert set(auto.scores) >= {"ets", "theta", "snaive", "ets+theta", "ets+theta+snaive", K.WEIGHTED}
    assert auto.weights == pytest.approx(K.auto_weights(auto.scores, ["ets", "theta", "snaive"]))
    # the point forecast is the weighted mean of the members' forecasts
    members = {m: K.fit_series(y, 12, method=m).mean for m in auto.weights}
    np.testing.assert_allclose(auto.mean, sum(w * members[m] for m, w in auto.weights.items()), rtol=1e-10)


@pytest.mark.parametrize(
    "method, model, weights",
    [
        ("comb", "ets+theta+snaive", {"ets": 1 / 3, "theta": 1 / 3, "snaive": 1 / 3}),
        ("ets", "ets", {"ets": 1.0}),
        ("theta+snaive", "theta+snaive", {"theta": 0.5, "snaive": 0.5}),
    ],
)
def test_fixed_methods_have_equal_weights(y, method, model, weights):
    fit = K.fit_series(y, 12, method=method)
    assert fit.model == model
    assert fit.weights == pytest.approx(weights)


def test_select_picks_the_smallest_backtest_error(y, auto):
    fit = K.fit_series(y, 12, method="select")
    plain = {k: v for k, v in fit.scores.items() if k != K.WEIGHTED}
    assert fit.model == min(plain, key=plain.get)
    assert sum(fit.weights.values()) == pytest.approx(1.0)
    assert {k: v for k, v in auto.scores.items() if k != K.WEIGHTED} == pytest.approx(plain)


def test_short_history_without_backtest_has_equal_weights():
    fit = K.fit_series(series(n=24), 12, seasonal=False, damped_only=True)
    assert fit.scores == {}
    assert fit.weights == {"ets": 0.5, "theta": 0.5}
    assert fit.model == K.WEIGHTED


def test_extra_candidates():
    y = series(n=48, trend=0.02)
    models = ("ses", "damped", "holt", "theta", "theta3", "naive", "drift", "snaive", "arima")
    c = K._Candidates(y, 6, None, models)
    out = c.forecasts()
    assert set(out) == set(models)
    assert all(f.shape == (6,) and np.all(np.isfinite(f)) for f in out.values())
    # the Theta line with theta = 1 is the SES forecast itself
    np.testing.assert_allclose(K.theta_forecast(c.sa_clean, 6, c.ses, K.ets_forecast(c.ses, 6), theta=1.0),
                               K.ets_forecast(c.ses, 6))
    np.testing.assert_allclose(K.drift_forecast(np.array([1.0, 2.0, 4.0]), 2), [5.5, 7.0])
    # the backtest re-runs the ARIMA parameters on a shorter history
    short = c.forecasts(36, 6)
    assert set(short) == set(models)


# ----------------------------------------------------------------------------
# long horizons, determinism, simulation shape
# ----------------------------------------------------------------------------
def test_horizon_60_paths(y):
    fit = K.fit_series(y, 60)
    assert fit.mean.shape == fit.impulse.shape == fit.season.shape == (60,)
    paths = K.simulate_paths([fit, K.fit_series(y * 2, 60)], 200, seed=3)
    assert paths.shape == (200, 2, 60)
    assert np.all(np.isfinite(paths)) and np.all(paths >= 0)
    # the error spread grows with the horizon
    spread = np.quantile(paths[:, 0], 0.9, axis=0) - np.quantile(paths[:, 0], 0.1, axis=0)
    assert spread[48:].mean() > spread[:12].mean()


def test_deterministic(y, auto):
    again = K.fit_series(y, 12)
    np.testing.assert_array_equal(again.mean, auto.mean)
    assert again.weights == auto.weights and again.scores == auto.scores
    a = K.simulate_paths([auto], 100, seed=5)
    np.testing.assert_array_equal(a, K.simulate_paths([again], 100, seed=5))


# ----------------------------------------------------------------------------
# the per-series error scale
# ----------------------------------------------------------------------------
def test_backtest_error_scale_exact():
    resid = np.array([np.nan, -1.0, 1.0, -1.0, 1.0])  # variance 1
    impulse = np.ones(3)  # error variance of months 1, 2, 3: 1, 2, 3
    got = K.backtest_error_scale([(np.array([1.0, 1.0]), np.ones(2))], resid, impulse)
    assert got == pytest.approx(np.sqrt(2 / 3))
    # the seasonal multiplier of the months enters the predicted variance
    got = K.backtest_error_scale([(np.array([2.0]), np.array([2.0]))], resid, impulse)
    assert got == pytest.approx(1.0)
    # clipped; 1 without a backtest
    lo, hi = K.ERROR_SCALE_LIMITS
    assert K.backtest_error_scale([(np.array([100.0]), np.ones(1))], resid, impulse) == hi
    assert K.backtest_error_scale([(np.array([0.0]), np.ones(1))], resid, impulse) == lo
    assert K.backtest_error_scale([], resid, impulse) == 1.0


def test_error_scale_widens_the_paths(auto):
    lo, hi = K.ERROR_SCALE_LIMITS
    assert lo <= auto.error_scale <= hi
    from dataclasses import replace

    wide = replace(auto, error_scale=2 * auto.error_scale)
    a = K.simulate_paths([auto], 400, seed=1, tail=0.0)[:, 0] - auto.mean
    b = K.simulate_paths([wide], 400, seed=1, tail=0.0)[:, 0] - auto.mean
    # same draws, twice the error (where the floor at zero does not bind)
    assert np.allclose(b[:, :3], 2 * a[:, :3])


def test_interval_growth_beyond_the_first_year(y, monkeypatch):
    fit = K.fit_series(y, 36)
    growth = K.INTERVAL_GROWTH
    assert growth > 0
    grown = K.simulate_paths([fit], 300, seed=2)[:, 0] - fit.mean
    monkeypatch.setattr(K, "INTERVAL_GROWTH", 0.0)
    flat = K.simulate_paths([fit], 300, seed=2)[:, 0] - fit.mean
    np.testing.assert_allclose(grown[:, :12], flat[:, :12])  # the first year is untouched
    month = np.arange(1, 37)
    factor = 1 + growth * np.maximum(0, month - 12) / 12
    ok = (fit.mean + flat * factor > 0).all(axis=1)  # paths the floor at zero does not touch
    assert ok.sum() > 250
    np.testing.assert_allclose(grown[ok], flat[ok] * factor, rtol=1e-9, atol=1e-6)


def test_seasonal_indices_continue_the_trend_exactly():
    # a straight line plus a pattern: the moving average and its continuation are the line itself,
    # so every month's ratio (difference) is the pattern and the indices recover it exactly
    t = np.arange(36)
    pattern = 50 * (SEASON - SEASON.mean())
    np.testing.assert_allclose(K.seasonal_indices(100 + 2 * t + pattern[t % 12], multiplicative=False), pattern, atol=1e-9)
    np.testing.assert_allclose(K.seasonal_indices(1000 * SEASON[t % 12], multiplicative=True), SEASON / SEASON.mean())


def test_seasonal_indices_weigh_later_years_more():
    # the same one-off January bump in year 1, 2 or 3: the later it is, the more of it the index keeps
    t = np.arange(36)
    jan = [K.seasonal_indices(100.0 + np.where((t % 12 == 0) & (t // 12 == k), 12.0, 0.0), False)[0] for k in range(3)]
    assert jan[0] < jan[1] < jan[2]
    assert jan[2] > 1.5 * jan[0]


def test_log_twins_mix_ets_and_theta(y, auto):
    plain = K.fit_series(y, 12, log_twins=False)
    assert set(plain.weights) == set(auto.weights) == {"ets", "theta", "snaive"}
    for m in K.LOG_TWINS:  # the mixed member differs from the plain fit, snaive does not
        assert not np.allclose(K.fit_series(y, 12, method=m).mean, K.fit_series(y, 12, method=m, log_twins=False).mean)
    np.testing.assert_array_equal(K.fit_series(y, 12, method="snaive").mean, K.fit_series(y, 12, method="snaive", log_twins=False).mean)
    # a series with a zero has no log scale: exactly the plain fit
    z = y.copy()
    z[5] = 0.0
    np.testing.assert_array_equal(K.fit_series(z, 12).mean, K.fit_series(z, 12, log_twins=False).mean)


def _noisy_lognormal(seed: int, sigma: float = 0.5) -> tuple[np.ndarray, float]:
    """36 months of a constant level with log-normal noise, and the series' true mean."""
    rng = np.random.default_rng(seed)
    return 100.0 * np.exp(sigma * rng.standard_normal(36)), 100.0 * np.exp(sigma**2 / 2)


def test_log_twins_forecast_the_mean_so_sums_are_not_low(monkeypatch):
    # exp(log forecast) is the log-normal's median, e^(-s2/2) below its mean: 12 % at s = 0.5; a sum of such
    # forecasts (a branch of salespeople) would be low by as much.  The log twins forecast the mean instead.
    def level(log_mean: bool) -> float:
        monkeypatch.setattr(K, "LOG_MEAN", log_mean)
        fits, truth = zip(*((K.fit_series(y, 12, method="ets", seasonal=False), mu) for y, mu in map(_noisy_lognormal, range(40))))
        return float(sum(f.mean.sum() for f in fits) / (12 * sum(truth)))

    with_mean, median_only = level(True), level(False)
    assert abs(with_mean - 1) < 0.03
    assert median_only < with_mean - 0.03
    # the factor itself is about exp(sigma2 / 2) = 1.13 for this noise (sigma 0.5), estimated from 33 residuals
    factors = [K._log_mean_factor(K._Candidates(np.log(_noisy_lognormal(seed)[0]), 12, False, ("ets",), additive=True))
               for seed in range(40)]
    assert np.median(factors) == pytest.approx(np.exp(0.125), abs=0.03)
    assert min(factors) > 1.04 and max(factors) < 1.35


def _with_near_zero_months(rng) -> np.ndarray:
    """36 seasonal months around 100 (10 % log-normal noise) of which six, at random, are near zero (0.5-2)."""
    y = 100 * (1 + 0.2 * np.sin(np.arange(36) * 2 * np.pi / 12)) * rng.lognormal(0, 0.1, 36)
    months = rng.choice(36, 6, replace=False)
    y[months] = rng.uniform(0.5, 2, 6)
    return y


def _variance_factor(c) -> float:
    """The textbook log-normal correction exp(s2 / 2), the first version of the log twins' mean."""
    r = np.asarray(c.ets.resid, dtype=float)[3:]
    r = r[np.isfinite(r)]
    return float(np.exp(np.var(r) / 2))


def test_a_few_near_zero_months_do_not_push_the_forecast_up(monkeypatch):
    # A salesperson on leave: six near-zero months give large negative log residuals.  Their variance made
    # exp(s2 / 2) a factor of 4 and more, and the forecast rose above what the same series gives without log
    # twins at all.  The smearing estimate, mean of exp(r), weighs those months by what they are worth (about
    # nothing): the log twins then leave such a series where the plain models put it.
    rng = np.random.default_rng(3)
    series = [_with_near_zero_months(rng) for _ in range(40)]

    def level(**kw) -> float:  # median forecast / history mean
        return float(np.median([K.fit_series(y, 12, **kw).mean.mean() / y.mean() for y in series]))

    seen = []
    smearing = K._log_mean_factor
    monkeypatch.setattr(K, "_log_mean_factor", lambda c: seen.append((smearing(c), _variance_factor(c))) or seen[-1][0])
    product, plain = level(), level(log_twins=False)
    monkeypatch.setattr(K, "_log_mean_factor", _variance_factor)
    textbook = level()
    factors = np.median(seen, axis=0)
    assert 1.5 < factors[0] < 2.5 and factors[1] > 2 * factors[0]
    assert abs(product - plain) < 0.02  # measured 1.007 against 1.008
    assert textbook > plain + 0.04  # measured 1.070


def test_theta_names():
    assert K._theta_coef("theta") == 2.0
    assert K._theta_coef("theta1.5") == 1.5
    assert K._theta_coef("theta0") is None and K._theta_coef("thetax") is None and K._theta_coef("ets") is None


def test_seasonal_naive_repeats_last_year_by_default():
    y = np.concatenate([np.arange(1.0, 13.0), np.arange(1.0, 13.0) * 1.1, np.arange(1.0, 13.0) * 1.21])
    assert K.SNAIVE_GROWTH == 0.0  # the product's: no growth
    np.testing.assert_allclose(K.snaive_forecast(y, 24), np.tile(y[-12:], 2))


def test_seasonal_naive_growth_is_the_geometric_growth_of_full_years():
    y = np.concatenate([np.arange(1.0, 13.0), np.arange(1.0, 13.0) * 1.1, np.arange(1.0, 13.0) * 1.21])
    assert K.snaive_growth(y) == pytest.approx(0.10)
    f = K.snaive_forecast(y, 24, growth=1.0)
    np.testing.assert_allclose(f[:12], y[-12:] * 1.1)
    np.testing.assert_allclose(f[12:], y[-12:] * 1.21)
    # half the growth: (1.1) ** 0.5 a year
    np.testing.assert_allclose(K.snaive_forecast(y, 12, growth=0.5), y[-12:] * 1.1 ** 0.5)
    # the last three full years only, counted from the end (a partial year at the start is left out)
    assert K.snaive_growth(np.concatenate([[5.0] * 7, y])) == pytest.approx(0.10)


def test_seasonal_naive_growth_needs_two_positive_full_years():
    assert K.snaive_growth(np.arange(1.0, 20.0)) == 0.0  # one full year
    y = np.concatenate([np.full(12, 100.0), np.full(12, 120.0)])
    assert K.snaive_growth(y) == pytest.approx(0.2)
    y[3] = 0.0
    assert K.snaive_growth(y) == 0.0
    np.testing.assert_allclose(K.snaive_forecast(y, 12, growth=1.0), y[-12:])
