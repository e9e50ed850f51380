"""Coherent joint paths for sums (_forecast_hierarchy): coherence, marginals kept, determinism, factor recovery."""

from __future__ import annotations

import numpy as np
import pytest

from salesanalytics.core.exceptions import ParameterError
from salesanalytics.methods import _forecast_hierarchy as H
from salesanalytics.methods import _forecast_models as K

H_MONTHS = 6


def _fit(mean: float, resid: np.ndarray, alpha: float = 0.3) -> K.SeriesFit:
    """A hand-made fit: flat mean, given residuals, ETS(A,N,N) impulse weights."""
    return K.SeriesFit(
        mean=np.full(H_MONTHS, float(mean)), model="ets", resid=np.asarray(resid, float),
        impulse=np.r_[1.0, np.full(H_MONTHS - 1, alpha)], season=np.ones(H_MONTHS),
    )


def factor_panel(k: int = 6, T: int = 400, loading: float = 0.8, seed: int = 3):
    """Residuals with a known common factor: corr(i, j) = loading**2 for i != j."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(T)
    resid = loading * common[:, None] + np.sqrt(1 - loading**2) * rng.standard_normal((T, k))
    fits = [_fit(100.0 * (i + 1), 5.0 * resid[:, i]) for i in range(k)]
    total = _fit(sum(100.0 * (i + 1) for i in range(k)), 5.0 * resid.sum(axis=1))
    return fits, total, resid


@pytest.fixture(scope="module")
def panel():
    return factor_panel()


@pytest.fixture(autouse=True)
def _no_market_shock(monkeypatch):
    """The methods are tested as they draw; the market shock on top (the product's default) has tests of its own,
    which pass ``market`` explicitly or set the default themselves."""
    monkeypatch.setattr(H, "MARKET_SD", 0.0)


@pytest.mark.parametrize("method", H.METHODS)
def test_shapes_coherence_and_determinism(panel, method):
    fits, total, _ = panel
    groups = [[0, 1, 2], list(range(6))]
    group_fits = [_fit(600.0, 5.0 * np.ones(400)), total]
    a = H.joint_paths(fits, 300, seed=5, groups=groups, group_fits=group_fits, method=method)
    b = H.joint_paths(fits, 300, seed=5, groups=groups, group_fits=group_fits, method=method)
    c = H.joint_paths(fits, 300, seed=6, groups=groups, group_fits=group_fits, method=method)
    assert a.shape == (300, 6, H_MONTHS)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert np.all(np.isfinite(a))


@pytest.mark.parametrize("method", ["match", "copula"])
def test_reordering_keeps_every_series_paths(panel, method):
    """match / copula only move whole paths between draws: each series' set of paths is the kernel's."""
    fits, total, _ = panel
    kernel = H.joint_paths(fits, 200, seed=1, groups=[range(6)], group_fits=[total], method="bootstrap")
    moved = H.joint_paths(fits, 200, seed=1, groups=[range(6)], group_fits=[total], method=method)
    for i in range(6):
        key_k = np.lexsort(kernel[:, i, :].T[::-1])
        key_m = np.lexsort(moved[:, i, :].T[::-1])
        assert np.array_equal(kernel[key_k, i, :], moved[key_m, i, :])
    # and the draws are really re-paired (the company total changes)
    assert not np.array_equal(kernel.sum(axis=1), moved.sum(axis=1))


def test_bootstrap_is_the_kernel(panel):
    fits, total, _ = panel
    assert np.array_equal(H.joint_paths(fits, 50, seed=4, method="bootstrap"), K.simulate_paths(fits, 50, seed=4))


def test_mint_means_add_up_and_projection_is_coherent(panel):
    fits, total, _ = panel
    groups = [np.array([0, 1, 2]), np.arange(6)]
    group_fits = [_fit(600.0, 5.0 * np.ones(400)), total]
    P = H.mint_projection(fits, groups, group_fits)
    S = np.vstack([np.isin(np.arange(6), g).astype(float) for g in groups] + [np.eye(6)])
    assert P.shape == (6, 8)
    np.testing.assert_allclose(P @ S, np.eye(6), atol=1e-9)  # coherent base forecasts are left as they are
    base = np.r_[[600.0, total.mean[0]], [f.mean[0] for f in fits]]
    rec = S @ (P @ base)
    assert rec[1] == pytest.approx(rec[2:].sum())
    assert rec[0] == pytest.approx(rec[2:5].sum())


def test_shrunk_correlation_recovers_a_known_common_factor(panel):
    _, _, resid = panel
    X, lam = H.shrunk_correlation(resid)
    corr = (1 - lam) * X.T @ X / (len(X) - 1) + lam * np.eye(6)
    off = corr[~np.eye(6, dtype=bool)]
    assert 0 <= lam < 0.05  # 400 months of a strong factor: almost no shrinkage
    assert off.mean() == pytest.approx(0.64, abs=0.05)
    # no common factor: the estimate is shrunk towards independence
    noise = np.random.default_rng(0).standard_normal((30, 6))
    _, lam0 = H.shrunk_correlation(noise)
    assert lam0 > 0.5


def test_shrunk_correlation_degenerate_input():
    X, lam = H.shrunk_correlation(np.ones((2, 3)))
    assert lam == 1.0 and X.shape == (2, 3)


def test_match_correlations_solves_the_variance_equation_exactly():
    sd = np.ones(4)
    # var(sum) = 4 + 12 rho: a target of sqrt(7) means rho = 0.25
    rho = H.match_correlations(sd, [np.arange(4)], np.array([np.sqrt(7.0)]))
    assert rho == pytest.approx([0.25])
    # nested: two pairs (rho 0.5 inside each: var 3) and the total with var 3 + 3 + 8 rho_total = 10 -> 0.5 ... 0.25
    groups = [np.array([0, 1]), np.array([2, 3]), np.arange(4)]
    rho = H.match_correlations(sd, groups, np.sqrt(np.array([3.0, 3.0, 8.0])))
    assert rho == pytest.approx([0.5, 0.5, 0.25])
    # a total that asks for more correlation than a subgroup raises the subgroup to it
    rho = H.match_correlations(sd, groups, np.sqrt(np.array([2.0, 3.0, 12.0])))
    assert rho[0] >= rho[2] - 1e-12 and rho[1] >= rho[2] - 1e-12


def test_match_reaches_the_group_target(panel):
    """The bottom-up total's spread equals the spread of the total's own forecast (within sampling noise)."""
    fits, total, _ = panel
    paths = H.joint_paths(fits, 4000, seed=2, groups=[range(6)], group_fits=[total], method="match")
    got = H._robust_sd((paths.sum(axis=1) - total.mean).sum(axis=1))
    want = H._robust_sd((K.simulate_paths([total], 4000, seed=9)[:, 0] - total.mean).sum(axis=1))
    assert got == pytest.approx(want, rel=0.08)
    independent = H.joint_paths(fits, 4000, seed=2, method="copula")  # no groups: the shrunk residual correlation
    assert got > 1.5 * H._robust_sd((np.random.default_rng(0).permuted(independent, axis=0).sum(axis=1) - total.mean).sum(axis=1))


def test_bad_groups_and_methods(panel):
    fits, total, _ = panel
    with pytest.raises(ParameterError, match="nested"):
        H.joint_paths(fits, 10, groups=[[0, 1], [1, 2]], method="bootstrap")
    with pytest.raises(ParameterError, match="indices"):
        H.joint_paths(fits, 10, groups=[[0, 9]], method="bootstrap")
    with pytest.raises(ParameterError, match="one fit per group"):
        H.joint_paths(fits, 10, groups=[range(6)], method="match")
    with pytest.raises(ParameterError, match="method must be"):
        H.joint_paths(fits, 10, method="topdown")


def test_group_implied_sd_is_the_bootstraps_variance_of_the_total(panel):
    """Month 1: the variance of the summed residuals; month 2 adds the impulse weight alpha = 0.3 of the first shock."""
    fits, _, resid = panel
    sd_total = np.std(5.0 * resid.sum(axis=1))  # every member has every month: S is their covariance (ddof 0)
    got = H.group_implied_sd(fits)
    assert got[0] == pytest.approx(sd_total, rel=1e-12)
    assert got[1] == pytest.approx(sd_total * np.sqrt(1 + 0.3**2), rel=1e-12)
    # one series: its own error sd, error scale and seasonal multiplier included
    one = K.SeriesFit(**{**fits[0].__dict__, "error_scale": 1.5, "season": np.full(H_MONTHS, 2.0)})
    assert H.group_implied_sd([one])[0] == pytest.approx(1.5 * 2.0 * np.std(5.0 * resid[:, 0]), rel=1e-12)


def test_common_share_is_the_part_of_the_totals_variance_from_shared_shocks(panel):
    """Without correlations the total's variance is the members' own; the common share is what correlation adds."""
    fits, _, resid = panel
    own = np.sqrt(np.sum(np.var(5.0 * resid, axis=0)))  # month 1: the members' variances summed (ddof 0)
    alone = H.group_implied_sd(fits, independent=True)
    assert alone[0] == pytest.approx(own, rel=1e-12)
    assert alone[1] == pytest.approx(own * np.sqrt(1 + 0.3**2), rel=1e-12)
    full = H.group_implied_sd(fits)
    share = H.common_share(fits)
    assert share == pytest.approx(1 - own**2 / full[0] ** 2, rel=1e-12)  # same impulse weights: every month alike
    assert 0.73 < share < 0.79  # correlation 0.64 between 6 members of equal spread: 1 - 6 / (6 + 30 * 0.64) = 0.76
    # n identical members: 1 - 1/n; unrelated (orthogonal) members: 0
    same = [_fit(100.0, 5.0 * resid[:, 0]) for _ in range(4)]
    assert H.common_share(same) == pytest.approx(0.75, rel=1e-12)
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((400, 3)))
    q -= q.mean(axis=0)
    assert H.common_share([_fit(100.0, 50.0 * q[:, i]) for i in range(3)]) == pytest.approx(0.0, abs=1e-3)
    # the half-width: (GROUP_INTERVAL + GROUP_COMMON * share) * z_90 * sd
    want = (H.GROUP_INTERVAL + H.GROUP_COMMON * share) * H.Z90 * full
    assert H.group_halfwidth(fits) == pytest.approx(want, rel=1e-12)
    assert H.group_halfwidth(fits, interval=1.0, common=0.0) == pytest.approx(H.Z90 * full, rel=1e-12)
    assert H.group_halfwidth(fits, interval=0.95, common=0.5) == pytest.approx((0.95 + 0.5 * share) * H.Z90 * full, rel=1e-12)


def test_implied_sets_the_group_totals_range_and_leaves_other_series_alone(panel):
    fits, _, _ = panel
    paths = H.joint_paths(fits, 2000, seed=7, groups=[[0, 1, 2], range(6)], method="implied")
    total = paths.sum(axis=1)
    q = np.quantile(total, [0.1, 0.9], axis=0)
    want = H.group_halfwidth(fits)
    assert (q[1] - q[0]) / 2 == pytest.approx(want, rel=1e-9)  # the outermost group's 80 % half-width, every month
    # the middle stays where the bootstrap put it (only deviations are scaled)
    kernel = H.joint_paths(fits, 2000, seed=7, method="bootstrap")
    assert total.mean(axis=0) == pytest.approx(kernel.sum(axis=1).mean(axis=0), rel=1e-12)
    # a group of two: series outside it keep the bootstrap's paths exactly, the pair's total gets its own range
    pair = H.joint_paths(fits, 2000, seed=7, groups=[[0, 1]], method="implied")
    assert np.array_equal(pair[:, 2:], kernel[:, 2:])
    q2 = np.quantile(pair[:, :2].sum(axis=1), [0.1, 0.9], axis=0)
    assert (q2[1] - q2[0]) / 2 == pytest.approx(H.group_halfwidth(fits[:2]), rel=1e-9)


def _with_backtest(fit: K.SeriesFit, errors: list[np.ndarray]) -> K.SeriesFit:
    """``fit`` with backtest errors at origins 6 and 3 and the error scale they imply on their own."""
    from dataclasses import replace

    c = np.r_[1.0, np.full(5, 0.3)]
    pred = float(np.var(fit.resid)) * sum(float(np.sum(np.cumsum(c**2)[: len(e)])) for e in errors)
    es = float(np.sqrt(sum(float(e @ e) for e in errors) / pred))
    return replace(fit, backtest=tuple((e, np.ones(len(e))) for e in errors), backtest_impulse=c, error_scale=es)


def test_group_backtest_ratio_is_the_totals_backtest_against_the_members_bootstrap():
    rng = np.random.default_rng(2)
    r1, r2 = rng.standard_normal(200), rng.standard_normal(200)  # independent in-sample residuals
    e = [rng.standard_normal(6), rng.standard_normal(3)]
    a = _with_backtest(_fit(100.0, r1), e)
    # the same backtest errors in both members: the total's errors are twice one member's, the bootstrap
    # (independent residuals, each member at its own error scale) predicts sqrt(2) times: ratio sqrt(2)
    same = _with_backtest(_fit(100.0, r2), e)
    assert H.group_backtest_ratio([a, a]) == pytest.approx(1.0, abs=0.03)  # identical members: residuals correlated too
    assert H.group_backtest_ratio([a, same]) == pytest.approx(np.sqrt(2), rel=0.08)
    assert H.group_backtest_ratio([a, same], power=0.5) == pytest.approx(2**0.25, rel=0.04)
    # opposite errors cancel in the total: the ratio hits its floor
    opposite = _with_backtest(_fit(100.0, r2), [-x for x in e])
    assert H.group_backtest_ratio([a, opposite]) == pytest.approx(K.ERROR_SCALE_LIMITS[0])
    # no backtest, or origins that differ: no correction
    assert H.group_backtest_ratio([a, _fit(100.0, r2)]) == 1.0
    assert H.group_backtest_ratio([a, _with_backtest(_fit(100.0, r2), e[:1])]) == 1.0
    assert H.group_backtest_ratio([a]) == 1.0


def test_backtest_scales_each_group_total_and_keeps_members_coherent():
    rng = np.random.default_rng(4)
    e = [rng.standard_normal(6), rng.standard_normal(3)]
    fits = [_with_backtest(_fit(100.0 * (i + 1), 5.0 * rng.standard_normal(200)), e) for i in range(4)]

    def half(p, g):
        q = np.quantile(p[:, g].sum(axis=1), [0.1, 0.9], axis=0)
        return (q[1] - q[0]) / 2

    for groups in ([[0, 1], [2, 3]], [[0, 1, 2, 3]]):  # disjoint groups; the whole
        boot = H.joint_paths(fits, 2000, seed=3, groups=groups, method="bootstrap")
        moved = H.joint_paths(fits, 2000, seed=3, groups=groups, method="backtest")
        for g in groups:
            ratio = H.group_backtest_ratio([fits[i] for i in g])
            assert ratio > 1.2  # shared backtest errors, independent residuals
            np.testing.assert_allclose(half(moved, g), ratio * half(boot, g), rtol=0.02)
        np.testing.assert_allclose(moved.mean(axis=0), boot.mean(axis=0), atol=1e-6)  # the means stay
    # nested groups: the outer total ends at its target; the inner one is moved again by it (not exact)
    moved = H.joint_paths(fits, 2000, seed=3, groups=[[0, 1], [0, 1, 2, 3]], method="backtest")
    np.testing.assert_allclose(half(moved, [0, 1, 2, 3]), H.group_backtest_ratio(fits) * half(boot, [0, 1, 2, 3]), rtol=0.02)


def test_mint_inner_reconciles_each_inner_group_with_its_own_total_and_sums_above(panel):
    """A branch's people (inside the company) are reconciled with the branch's own forecast; the rest are the kernel's."""
    fits, total, _ = panel
    groups = [np.array([0, 1, 2]), np.arange(6)]  # the branch [0, 1, 2] inside the company
    branch = _fit(660.0, 5.0 * np.ones(400))  # its own forecast, above the sum of its people's means (600)
    group_fits = [branch, total]
    projections = H.inner_projections(fits, groups, group_fits)
    assert [gi for gi, _ in projections] == [0]  # only the inner group; the company is a plain sum
    P = projections[0][1]
    assert P.shape == (3, 4)
    np.testing.assert_allclose(P @ np.vstack([np.ones(3), np.eye(3)]), np.eye(3), atol=1e-9)  # coherent bases kept
    means = H.inner_means(fits, groups, group_fits)
    # the people's reconciled means lie between their sum (600) and the branch's own forecast (660), and add up
    assert 600.0 < means[:3, 0].sum() < 660.0
    np.testing.assert_allclose(means[3:], np.array([f.mean for f in fits[3:]]))  # outside the block: untouched
    paths = H.joint_paths(fits, 400, seed=2, groups=groups, group_fits=group_fits, method="mint_inner")
    base = K.simulate_paths([branch] + fits, 400, seed=2)  # the inner group's own forecast drawn with the people
    np.testing.assert_array_equal(paths[:, 3:], np.maximum(base[:, 4:], 0.0))  # members outside any inner group
    block = base[:, :4]
    np.testing.assert_allclose(paths[:, :3], np.maximum(np.einsum("kn,dnh->dkh", P, block), 0.0))
    # without an inner group it is exactly the bottom-up bootstrap (the product's figures for branch-level data)
    flat = H.joint_paths(fits, 50, seed=2, groups=[np.arange(6)], group_fits=[total], method="mint_inner")
    np.testing.assert_array_equal(flat, K.simulate_paths(fits, 50, seed=2))


def test_mint_inner_never_moves_a_never_negative_member_below_zero(panel):
    fits, total, _ = panel
    groups = [np.array([0, 1, 2]), np.arange(6)]
    low = _fit(-2000.0, 5.0 * np.ones(400))  # a branch forecast far below its people's sum (600)
    means = H.inner_means(fits, groups, [low, total])
    assert means.min() >= 0.0
    raw = H.inner_projections(fits, groups, [low, total])[0][1] @ np.vstack([low.mean[None], [f.mean for f in fits[:3]]])
    assert raw.min() < 0  # unfloored, the projection would have gone below zero


# ----------------------------------------------------------------------------
# the shared market shock
# ----------------------------------------------------------------------------
def test_market_factor_walk_has_mean_one_and_its_variance_grows_by_month():
    f = H.market_factor(200_000, 24, 0.06, "walk", seed=1)
    assert f.shape == (200_000, 24) and np.all(f > 0)
    assert np.allclose(f.mean(axis=0), 1.0, atol=0.002)
    log_sd = np.log(f).std(axis=0)
    # random walk with monthly steps sd / sqrt(12): sd * sqrt(m / 12) at month m
    assert np.allclose(log_sd, 0.06 * np.sqrt(np.arange(1, 25) / 12), rtol=0.01)


def test_market_factor_level_is_one_shift_per_forecast_year():
    f = H.market_factor(100_000, 30, 0.04, "level", seed=2)
    log = np.log(f)
    # constant within each forecast year, a new shift added each year
    assert np.allclose(log[:, :12], log[:, :1]) and np.allclose(log[:, 12:24], log[:, 12:13])
    assert not np.allclose(log[:, 12], log[:, 0])
    assert np.allclose(log.std(axis=0)[[0, 12, 24]], 0.04 * np.sqrt([1, 2, 3]), rtol=0.01)
    assert np.allclose(f.mean(axis=0), 1.0, atol=0.002)


def test_market_factor_rejects_bad_arguments():
    with pytest.raises(ParameterError, match="shape"):
        H.market_factor(10, 12, 0.05, "jump")
    for bad in (-0.01, float("nan"), float("inf")):
        with pytest.raises(ParameterError, match="sd"):
            H.market_factor(10, 12, bad)


@pytest.mark.parametrize("method", H.METHODS)
def test_market_shock_multiplies_every_series_by_one_shared_factor(panel, method):
    """On top of any method: the same draws times one factor per draw shared by all series; sums stay sums."""
    fits, total, _ = panel
    groups = [[0, 1, 2], list(range(6))]
    group_fits = [_fit(600.0, 5.0 * np.ones(400)), total]
    plain = H.joint_paths(fits, 400, seed=7, groups=groups, group_fits=group_fits, method=method, market=0.0)
    shocked = H.joint_paths(fits, 400, seed=7, groups=groups, group_fits=group_fits, method=method, market=0.05,
                            market_shape="level")
    ratio = shocked / plain
    assert np.allclose(ratio, ratio[:, :1, :])  # one factor per draw and month, the same for every series
    assert np.allclose(ratio, H.market_factor(400, H_MONTHS, 0.05, "level", seed=7)[:, None, :])


def test_market_shock_widens_a_total_far_more_than_its_members(panel):
    """Independent members' noise cancels in a total, a shared shock does not: the company's range grows most."""
    rng = np.random.default_rng(0)
    fits = [_fit(100.0, 20.0 * rng.standard_normal(400)) for _ in range(20)]  # a member's 6 months: ~±20 % (80 %)

    def widths(market):
        p = H.joint_paths(fits, 4000, seed=3, method="bootstrap", market=market, market_shape="level")
        member = np.subtract(*np.quantile(p[:, 0].sum(axis=1), [0.9, 0.1]))
        company = np.subtract(*np.quantile(p.sum(axis=(1, 2)), [0.9, 0.1]))
        return member, company

    (m0, c0), (m1, c1) = widths(0.0), widths(0.04)
    assert m1 / m0 < 1.05  # a member (80 % range ~±25 %): its own noise dominates, almost nothing added
    assert c1 / c0 > 1.2  # the company of 20 (~±6 %): the shared 4 % adds as much again in variance


def test_market_shock_default_is_the_module_constant(panel, monkeypatch):
    fits, _, _ = panel
    monkeypatch.setattr(H, "MARKET_SD", 0.03)
    monkeypatch.setattr(H, "MARKET_SHAPE", "walk")
    assert np.array_equal(H.joint_paths(fits, 50, seed=2), H.joint_paths(fits, 50, seed=2, market=0.03, market_shape="walk"))
    assert not np.array_equal(H.joint_paths(fits, 50, seed=2), H.joint_paths(fits, 50, seed=2, market=0.0))


def test_market_shock_arguments_are_checked_before_any_path_is_drawn(panel):
    fits, _, _ = panel
    with pytest.raises(ParameterError, match="shape"):
        H.joint_paths(fits, 10, market=0.0, market_shape="jump")
    with pytest.raises(ParameterError, match="sd"):
        H.joint_paths(fits, 10, market=-0.02)


def test_market_fill_adds_only_the_shared_variance_the_paths_do_not_already_carry():
    """The prior is a floor for the shared part of the total's variance a year out: independent members get
    (nearly) all of it, members whose residuals move together get only what is missing, or nothing."""
    alone, _, _ = factor_panel(k=6, loading=0.0, seed=4)
    together, _, _ = factor_panel(k=6, loading=0.95, seed=4)
    assert H.market_fill(alone, 0.05) == pytest.approx(0.05, abs=0.002)
    # the exact rule: sqrt(sd^2 - common_share * (scale * sd_12 / mean_12)^2)
    implied = H.group_implied_sd(together)
    total = np.sum([f.mean for f in together], axis=0)
    seen = H.common_share(together, implied) * (K.INTERVAL_SCALE * implied[-1] / total[-1]) ** 2  # 6 months: the last
    for sd in (0.01, 0.02, 0.05):
        assert H.market_fill(together, sd) == pytest.approx(np.sqrt(max(0.0, sd**2 - seen)), rel=1e-12)
    assert H.market_fill(together, np.sqrt(seen) * 0.9) == 0.0  # the paths already carry more than the prior
    assert H.market_fill(together, 0.0) == 0.0


def test_market_fill_shape_is_the_walk_of_what_is_left(panel):
    fits, _, _ = panel
    left = H.market_fill(fits, 0.05)
    assert 0 < left < 0.05
    np.testing.assert_array_equal(H.joint_paths(fits, 200, seed=3, market=0.05, market_shape="fill"),
                                  H.joint_paths(fits, 200, seed=3, market=left, market_shape="walk"))


def test_market_fill_leaves_a_single_series_to_its_own_calibrated_range(panel):
    fits, _, _ = panel
    assert H.market_fill(fits[:1], 0.2) == 0.0
    np.testing.assert_array_equal(H.joint_paths(fits[:1], 100, seed=1, market=0.2, market_shape="fill"),
                                  H.joint_paths(fits[:1], 100, seed=1, market=0.0))
