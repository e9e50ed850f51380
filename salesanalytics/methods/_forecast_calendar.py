"""Chinese calendar effects for the forward forecaster: Spring Festival and working days.

The Spring Festival (春节) moves between January and February with the lunar
calendar, and the State Council's make-up working days (调休) move working days
between months.  A month-of-year seasonal index cannot follow either, so the
kernel (:mod:`._forecast_models`) sees a 春节 month as a one-off dip, flags it as
an outlier and replaces it by a local median.  This module models the effect
instead, on the log scale of a positive series:

    log y_t = month-of-year + trend + b_wd * log(working days_t)
              + b_sf * (春节 holiday days in month t) + b_after * (春节 days in month t-1) + noise

(:data:`REGRESSORS`; the facts come from :mod:`salesanalytics.core.calendar_cn`:
chinesecalendar's notices, and beyond them the lunar date with the documented
8-day rule).  Three years of history hold only three Spring Festivals, so one
series alone estimates the effect poorly.  Every branch of a company lives on
the same calendar, so :func:`fit_calendar_pooled` estimates one coefficient
vector from all series (each with its own month-of-year pattern and trend),
with standard errors clustered by month (a company-wide shock in a 春节 month
does not count as independent evidence once per branch).
:func:`fit_calendar` then shrinks each series' own estimate towards that pool
by the between-series spread (empirical Bayes), so a branch whose business
really differs keeps some of its own effect.

The effect is centred per month of year over the history: the adjusted series
keeps the seasonality of an average calendar, which the kernel's seasonal
index models; the forecast is multiplied back by the future months' factor.
:func:`fit_series_calendar` is the per-series entry point for the workers
(adjust -> :func:`._forecast_models.fit_series` -> :func:`apply_calendar`).

**When it is used.** Only where the company's pool shows an effect: the joint
Wald test of "all three coefficients 0" at 5 % (:attr:`CalendarPool.used`,
small-sample form in :func:`fit_calendar_pooled`).
Measured with benchmarks/bench_holiday.py (synthetic generator, 100 branches,
seeds 1–3, held-back years 2024–2026, train 36 months -> next 12, method
"auto"; benchmarks/results/holiday_summary.txt): with the generator's calendar
effect the adjustment took mean MASE from 1.019 to 0.924 (January 1.09 -> 0.75,
February 1.29 -> 0.69; better for 78 % of branch-years) and the holiday month
flagged as an outlier in 0.4 % of branches instead of 1.0 %; on the control
company without a calendar effect the test switched it on in 2 of 9 companies
and the MASE moved by +0.001 +- 0.001 (always on: +0.009).  Each branch's own
estimate without the pool: 0.942 with the effect, +0.032 harm without.  Over
many more control companies (bench_holiday.py --size) the test finds an
effect in 11 % of companies of 14 branches and 2.5 % of 100 (nominal 5 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from ..core import calendar_cn
from ..core.exceptions import ParameterError
from . import _forecast_models as K

#: Regressor columns of :func:`calendar_regressors`.
REGRESSORS = ("workdays", "spring_festival", "after_spring_festival")

#: Fewest months of history for a calendar fit: two of each month of year, so a
#: month-of-year pattern and a trend can be told apart from the calendar.
MIN_MONTHS = 24


@dataclass(frozen=True)
class CalendarPool:
    """The company-wide estimate of the calendar coefficients (:func:`fit_calendar_pooled`)."""

    beta: np.ndarray  # (k,) coefficients on REGRESSORS, log scale
    cov: np.ndarray  # (k, k) covariance, clustered by month
    spread: np.ndarray  # (k,) between-series standard deviation of the true coefficients (0 = one effect for all)
    n_series: int
    p_value: float  # joint Wald test of beta = 0 (F reference, see fit_calendar_pooled)
    used: bool  # p_value below the level (5 %): the company shows a calendar effect, adjust its series
    dof: int = 0  # the test's denominator degrees of freedom: months - nuisance columns - regressors


@dataclass
class CalendarFit:
    """Calendar factors of one series: divide the history by ``hist``, multiply the forecast by ``future``."""

    beta: np.ndarray  # (k,) coefficients used for this series
    hist: np.ndarray  # (n,) multiplicative factor of each history month (1 = an average calendar)
    future: np.ndarray  # (h,) factor of each forecast month
    future_months: pd.DatetimeIndex
    used: bool
    reason: str = ""  # why not used, for the report
    extra: dict = field(default_factory=dict)  # pool_p_value, own_weight (share of the series' own estimate)


# ----------------------------------------------------------------------------
# regressors and design
# ----------------------------------------------------------------------------
def calendar_regressors(months) -> np.ndarray:
    """(T, 3) regressors of each month: log working days, 春节 days, 春节 days of the month before.

    Years without a holiday notice use calendar_cn's documented rule; years
    outside the calendar data raise :class:`~salesanalytics.core.exceptions.ParameterError`.
    """
    months = pd.DatetimeIndex(months)
    if len(months) == 0:
        return np.zeros((0, len(REGRESSORS)))
    if len(months) > 1 and not (months[1:] == months[:-1] + pd.offsets.MonthBegin(1)).all():
        return np.vstack([_regressor_block(m.year * 12 + m.month - 1, 1) for m in months])
    first = months[0]
    return _regressor_block(first.year * 12 + first.month - 1, len(months)).copy()


@lru_cache(maxsize=64)
def _regressor_block(first: int, n: int) -> np.ndarray:
    """Regressors of ``n`` consecutive months from month number ``first`` (year * 12 + month - 1), cached."""
    k = np.arange(first - 1, first + n)  # one month before, for the month-after term
    years, mon = k // 12, k % 12
    wd = {y: calendar_cn.month_working_days(int(y), estimate=True) for y in np.unique(years[1:])}
    sf_years = {y: [calendar_cn.spring_festival_days(int(y), j + 1) for j in range(12)] for y in np.unique(years)}
    sf = np.array([sf_years[y][j] for y, j in zip(years, mon)], dtype=float)
    out = np.column_stack([np.log([wd[y][j] for y, j in zip(years[1:], mon[1:])]), sf[1:], sf[:-1]])
    out.setflags(write=False)
    return out


def _nuisance(months: pd.DatetimeIndex) -> np.ndarray:
    """Month-of-year dummies and a linear trend: what the calendar coefficients are estimated beside.

    Tried while developing benchmarks/bench_holiday.py on the generator: a
    piecewise-linear trend (a knot every 3–12 months) estimated the pooled 春节
    coefficient a little more closely, but made the pool's test find an effect
    in more of the companies that have none; so did Driscoll–Kraay lags in the
    covariance.  The straight line is kept.
    """
    moy = months.month.to_numpy() - 1
    D = np.zeros((len(months), 12))
    D[np.arange(len(months)), moy] = 1.0
    D = D[:, D.any(axis=0)]
    t = np.arange(len(months), dtype=float)
    return np.column_stack([D, (t - t.mean()) / 12.0])


def _residualise(Z: np.ndarray, N: np.ndarray) -> np.ndarray:
    """Z minus its least-squares projection on the columns of N (Frisch–Waugh–Lovell)."""
    coef, *_ = np.linalg.lstsq(N, Z, rcond=None)
    return Z - N @ coef


def _centre(effect: np.ndarray, moy_hist: np.ndarray, moy: np.ndarray) -> np.ndarray:
    """Effect minus the history's mean effect of the same month of year."""
    means = np.zeros(12)
    for k in np.unique(moy_hist):
        means[k] = effect[: len(moy_hist)][moy_hist == k].mean()
    return effect - means[moy]


def _usable(y: np.ndarray) -> str:
    if len(y) < MIN_MONTHS:
        return "short"
    if not np.all(np.isfinite(y)) or np.any(y <= 0):
        return "nonpositive"
    return ""


# ----------------------------------------------------------------------------
# estimation
# ----------------------------------------------------------------------------
def _series_ols(y: np.ndarray, months: pd.DatetimeIndex):
    """Per-series OLS of log y on the regressors beside its nuisance: (beta, cov, residualised X, residualised z)."""
    N = _nuisance(months)
    X = _residualise(calendar_regressors(months), N)
    z = _residualise(np.log(y), N)
    XtX = X.T @ X
    beta = np.linalg.lstsq(XtX, X.T @ z, rcond=None)[0]
    dof = max(len(y) - N.shape[1] - X.shape[1], 1)
    s2 = float(np.sum((z - X @ beta) ** 2)) / dof
    cov = s2 * np.linalg.pinv(XtX)
    return beta, cov, X, z


#: Small-sample forms of the pool's test (:func:`fit_calendar_pooled`); the first is the product's.
CORRECTIONS = ("dof", "none", "cr2", "cr3")


def fit_calendar_pooled(ys, months, level: float = 0.05, correction: str = "dof") -> CalendarPool:
    """One coefficient vector for all series of a company (each with its own seasonality and trend).

    ``ys``: list of positive monthly series; ``months``: one DatetimeIndex per
    series (or one for all).  Series that are too short or not positive are
    left out.  Standard errors are clustered by calendar month.  ``used`` is
    the joint Wald test of "no calendar effect" at ``level``.

    The test's small-sample form: every series shares the calendar, so the
    evidence is one observation per month (G clusters), of which the
    month-of-year dummies and the trend take q and the coefficients k.  The
    clustered covariance is scaled by ``G / (G - q - k)`` (not the usual
    ``G / (G - 1)``, which ignores the nuisance's share) and the Wald
    statistic / k is referred to F(k, G - q - k) instead of chi-square(k).
    On control companies without a calendar effect (the generator with the
    calendar off; 300 companies of 14 branches and 120 of 100, the three
    training windows of bench_holiday.py) the usual form found an effect in
    20 % and 19 % of them, this one in 11 % and 2.5 %, and it still finds the
    generator's own effect in every company (bench_holiday.py --size).  The
    rest of the excess at 14 branches comes from the few months that carry
    the 春节 regressors (high leverage: a month's own residual is small where
    the fit leans on it).  ``correction`` chooses the form, for the
    benchmark: "dof" (the product's), "none" (the usual: ``G / (G - 1)``,
    chi-square), "cr2" / "cr3" (each month's scores divided by
    ``sqrt(1 - h)`` / ``1 - h``, h its leverage in the whole regression,
    nuisance included, F(k, G - q - k)).  CR2 finds an effect in 5.7 % of the
    control companies of 14 branches but in only 96.7 % of those with the
    generator's effect, CR3 2.0 % and 69.3 %: each missed effect costs its
    company the adjustment's gain (MASE -0.1), a false one costs +0.001, so
    "dof" is kept.  A Driscoll-Kraay covariance over months made the excess
    worse (see :func:`_nuisance`).
    """
    if correction not in CORRECTIONS:
        raise ParameterError(f"correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    if isinstance(months, pd.DatetimeIndex):
        months = [months] * len(ys)
    Xs, zs, keys, betas, covs, lev, nuisance = [], [], [], [], [], [], 0
    for y, m in zip(ys, months):
        y = np.asarray(y, dtype=float)
        m = pd.DatetimeIndex(m)
        if _usable(y):
            continue
        b, c, X, z = _series_ols(y, m)
        N = _nuisance(m)
        nuisance = max(nuisance, N.shape[1])
        if correction in ("cr2", "cr3"):  # each month's leverage in the nuisance (only these forms need it)
            lev.append(np.einsum("ij,jk,ik->i", N, np.linalg.pinv(N.T @ N), N))
        Xs.append(X)
        zs.append(z)
        keys.append(m.year.to_numpy() * 12 + m.month.to_numpy())
        betas.append(b)
        covs.append(c)
    k = len(REGRESSORS)
    if not Xs:
        return CalendarPool(np.zeros(k), np.zeros((k, k)), np.zeros(k), 0, 1.0, False)
    X, z, key = np.vstack(Xs), np.concatenate(zs), np.concatenate(keys)
    XtX_inv = np.linalg.pinv(X.T @ X)
    beta = XtX_inv @ (X.T @ z)
    e = z - X @ beta
    # cluster-robust covariance by month: sum the scores of all series in a month
    groups = np.unique(key, return_inverse=True)[1]
    S = np.zeros((groups.max() + 1, k))
    np.add.at(S, groups, X * e[:, None])
    G = S.shape[0]
    # the months' evidence left after the nuisance and the coefficients.  It assumes the series' months nest
    # (every series ends at the company's last month, a branch opened later has a part of the others' months),
    # as a forecaster's history gives them; series on disjoint windows would have more nuisance than q.
    dof = max(G - nuisance - k, 1)
    if correction in ("cr2", "cr3"):
        # a month's leverage: its rows' mean in their series' nuisance plus their sum in the calendar part
        # (exactly the month's leverage in one series' whole regression when every series has every month)
        h = np.zeros(G)
        np.add.at(h, groups, np.einsum("ij,jk,ik->i", X, XtX_inv, X))
        counts = np.bincount(groups, minlength=G)
        h += np.bincount(groups, weights=np.concatenate(lev), minlength=G) / np.maximum(counts, 1)
        S = S / np.clip(1.0 - h, 1e-6, None)[:, None] ** (0.5 if correction == "cr2" else 1.0)
    scale = {"dof": G / dof, "none": G / max(G - 1, 1), "cr2": 1.0, "cr3": (G - 1) / G}[correction]
    cov = XtX_inv @ (S.T @ S) @ XtX_inv * scale
    wald = float(beta @ np.linalg.pinv(cov) @ beta)
    # Wald test of beta = 0: W / k against F(k, dof) ("none": W against chi-square(k))
    from scipy.special import chdtrc, fdtrc  # survival functions (scipy.stats costs ~0.4 s to import)

    p = float(chdtrc(k, wald)) if correction == "none" else float(fdtrc(k, dof, wald / k))
    # between-series spread of the true coefficients: variance of the series' estimates minus their noise
    B = np.asarray(betas)
    noise = np.mean([np.diag(c) for c in covs], axis=0)
    spread = np.sqrt(np.maximum(B.var(axis=0, ddof=1) - noise, 0.0)) if len(B) > 1 else np.zeros(k)
    return CalendarPool(beta, cov, spread, len(Xs), p, bool(p < level), dof)


def fit_calendar(y, months, future_months, pool: CalendarPool | None = None) -> CalendarFit:
    """Calendar factors of one series for its history ``months`` and ``future_months``.

    With ``pool`` (:func:`fit_calendar_pooled` of the company) the series' own
    estimate is shrunk towards the pooled one, coefficient by coefficient,
    with weight spread² / (spread² + own variance); without it the series'
    own estimate is used (three Spring Festivals: noisy).  Not used (factors
    1) when the series is too short or not positive, or the pool shows no
    calendar effect.
    """
    y = np.asarray(y, dtype=float)
    months = pd.DatetimeIndex(months)
    future_months = pd.DatetimeIndex(future_months)
    if len(months) != len(y):
        raise ParameterError(f"calendar adjustment: {len(y)} values but {len(months)} months; give one month per value.")
    k = len(REGRESSORS)
    reason = _usable(y)
    if not reason and pool is not None and not pool.used:
        reason = "no_effect"
    extra = {} if pool is None else {"pool_p_value": float(f"{pool.p_value:.3g}")}
    if reason:
        return CalendarFit(np.zeros(k), np.ones(len(y)), np.ones(len(future_months)), future_months, False, reason, extra)
    own, own_cov, _, _ = _series_ols(y, months)
    if pool is None:
        return calendar_factors(own, months, future_months)
    between = pool.spread**2
    total = between + np.diag(own_cov)
    w = np.divide(between, total, out=np.zeros(k), where=total > 0)
    cal = calendar_factors(pool.beta + w * (own - pool.beta), months, future_months)
    cal.extra = {**extra, "own_weight": {name: round(float(v), 4) for name, v in zip(REGRESSORS, w)}}
    return cal


def calendar_factors(beta, months, future_months) -> CalendarFit:
    """Factors for given coefficients: exp(X beta), centred per month of year over ``months``."""
    beta = np.asarray(beta, dtype=float)
    months = pd.DatetimeIndex(months)
    future_months = pd.DatetimeIndex(future_months)
    allm = months.append(future_months)
    effect = calendar_regressors(allm) @ beta
    moy = allm.month.to_numpy() - 1
    centred = _centre(effect, moy[: len(months)], moy)
    factors = np.exp(centred)
    return CalendarFit(beta, factors[: len(months)], factors[len(months) :], future_months, True)


# ----------------------------------------------------------------------------
# use in the forecaster
# ----------------------------------------------------------------------------
def _describe(cal: CalendarFit) -> dict:
    """The JSON-able record kept in ``SeriesFit.calendar`` (the report page shows ``effect_pct``)."""
    return {
        "used": bool(cal.used),
        "reason": cal.reason,
        "coefficients": {name: round(float(b), 6) for name, b in zip(REGRESSORS, cal.beta)},
        "effect_pct": {f"{m:%Y-%m}": round(100.0 * (float(f) - 1.0), 2) for m, f in zip(cal.future_months, cal.future)},
        **cal.extra,
    }


def apply_calendar(fit: K.SeriesFit, cal: CalendarFit) -> K.SeriesFit:
    """A fit of the adjusted series back on the calendar: mean and error-path multiplier times the future factor."""
    if not cal.used:
        return replace(fit, calendar=_describe(cal))
    return replace(fit, mean=fit.mean * cal.future, season=fit.season * cal.future, calendar=_describe(cal))


def fit_series_calendar(y, months, future_months, h: int, pool: CalendarPool | None, **fit_kwargs) -> K.SeriesFit:
    """Adjust ``y`` for the calendar, fit it with :func:`._forecast_models.fit_series`, put the calendar back.

    ``months``: the history's months (DatetimeIndex, monthly); ``future_months``:
    the ``h`` forecast months; ``pool``: the company's :func:`fit_calendar_pooled`,
    or None for no calendar at all (plain ``fit_series``, ``calendar`` None).
    Where the pool shows no effect, or the series is too short or not
    positive, this is ``fit_series`` on the raw series with
    ``calendar["used"]`` False and the reason.
    """
    y = np.asarray(y, dtype=float)
    if pool is None:
        return K.fit_series(y, h, **fit_kwargs)
    if len(future_months) != h:
        raise ParameterError(f"calendar adjustment: horizon {h} but {len(future_months)} forecast months; give one month per step.")
    cal = fit_calendar(y, months, future_months, pool)
    return apply_calendar(K.fit_series(y / cal.hist if cal.used else y, h, **fit_kwargs), cal)
