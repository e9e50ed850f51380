"""Customer lifetime value: BG/NBD repeat purchases x Gamma-Gamma spend, by maximum likelihood, with uncertainty.

The models are the standard pair of the "buy till you die" literature:

* **BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while
  alive a customer buys as a Poisson process of rate λ (Gamma(r, α) across customers);
  after each purchase they leave for good with probability p (Beta(a, b) across
  customers).  Fitted on each customer's repeat purchases ``x``, the time of the last one
  ``t_x`` and the time observed ``T`` (all from the first purchase, in weeks).
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): a
  purchase's value is Gamma(p, ν), each customer's ν is Gamma(q, γ); fitted on the mean
  value of each customer's repeat purchases.  It assumes value and frequency independent.

Expected purchases over a horizon and the probability of still being a customer are the
papers' closed forms (the Gaussian hypergeometric function from scipy); the expected gross
profit is their product with the expected value of a purchase (undiscounted).  The
uncertainty is a simulation: parameters drawn from their asymptotic normal distribution
(log scale, inverse Hessian of the likelihood), then for each customer whether they are
still alive, their λ and p from the posterior, purchases min(Poisson(λt), Geometric(p)),
and their value from the Gamma-Gamma posterior — the 10 … 90 % range of the future gross
profit (``level`` sets it).

Why our own code and not a library: ``lifetimes`` (the reference implementation, which
these formulas reproduce — tests/test_customers.py checks the papers' published example)
is archived by its author and unmaintained since 2020; its successor ``pymc-marketing``
brings PyMC and PyTensor (a C compiler at run time), far heavier than this tool's
dependencies.  Both need only scipy here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize, special

from ..core.exceptions import NotFittedError, ParameterError, SalesAnalyticsWarning

DAYS_PER_WEEK = 7.0
DAYS_PER_MONTH = 365.25 / 12
_BOUND = 12.0  # log-parameters are kept in ±12 (a fit running to the bound is reported)


class LifetimeValueWarning(SalesAnalyticsWarning):
    """The lifetime-value fit is usable but weak (few repeat buyers, a parameter at its bound)."""


# ----------------------------------------------------------------------------
# transactions -> frequency, recency, T, monetary value
# ----------------------------------------------------------------------------
def rfm(customer: np.ndarray, day: np.ndarray, amount: np.ndarray, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per customer: repeat purchases, recency and age in weeks, mean value of the repeat purchases.

    A purchase is a customer-day (several deals of one day are one purchase, their
    amounts added).  ``frequency`` = purchase days − 1; ``recency`` = weeks from the first
    to the last; ``T`` = weeks from the first to ``as_of``; ``monetary`` = mean amount of
    the repeat purchases (NaN without one); ``first_amount`` = the first purchase's.
    """
    frame = pd.DataFrame({"c": customer, "d": pd.DatetimeIndex(day).normalize(), "v": np.asarray(amount, float)})
    per_day = frame.groupby(["c", "d"], sort=True, observed=True)["v"].sum().reset_index()
    codes, uniq = pd.factorize(per_day["c"], sort=False)
    n = np.bincount(codes)
    first_pos = np.concatenate([[0], np.cumsum(n)[:-1]])
    last_pos = first_pos + n - 1
    days = per_day["d"].to_numpy()
    values = per_day["v"].to_numpy(float)
    first, last = days[first_pos], days[last_pos]
    week = np.timedelta64(1, "D") * DAYS_PER_WEEK
    total = np.bincount(codes, weights=values)
    repeat_sum = total - values[first_pos]
    x = n - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(x > 0, repeat_sum / np.maximum(x, 1), np.nan)
    return pd.DataFrame(
        {
            "frequency": x.astype(float),
            "recency": (last - first) / week,
            "T": (np.datetime64(pd.Timestamp(as_of).normalize()) - first) / week,
            "monetary": monetary,
            "first_amount": values[first_pos],
            "first_day": pd.DatetimeIndex(first),
        },
        index=pd.Index(uniq, name="customer"),
    )


# ----------------------------------------------------------------------------
# BG/NBD
# ----------------------------------------------------------------------------
def bgnbd_loglik(params, x, tx, T) -> np.ndarray:
    """Each customer's BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, float) for v in (x, tx, T))
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + tx), -np.inf)
    return a1 + a2 + np.logaddexp(a3, a4)


def bgnbd_p_alive(params, x, tx, T) -> np.ndarray:
    """Probability that a customer with history (x, t_x, T) has not left (eq. 11)."""
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, float) for v in (x, tx, T))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_ratio = np.log(a) - np.log(np.maximum(b + x - 1, 1e-300)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        return np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))), 1.0)


def bgnbd_expected(params, t, x, tx, T) -> np.ndarray:
    """Expected purchases in the next ``t`` weeks given (x, t_x, T) (eq. 10)."""
    r, alpha, a, b = params
    x, tx, T = (np.asarray(v, float) for v in (x, tx, T))
    t = float(t)
    z = t / (alpha + T + t)
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        first = (a + b + x - 1) / (a - 1) * (1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp)
        out = first * bgnbd_p_alive(params, x, tx, T)
    return np.where(np.isfinite(out), np.maximum(out, 0.0), 0.0)


# ----------------------------------------------------------------------------
# Gamma-Gamma
# ----------------------------------------------------------------------------
def gamma_gamma_loglik(params, x, m) -> np.ndarray:
    """Each customer's Gamma-Gamma log-likelihood of the mean value ``m`` of ``x`` purchases (terms without parameters dropped)."""
    p, q, v = params
    x, m = np.asarray(x, float), np.asarray(m, float)
    return (special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q) + q * np.log(v)
            + (p * x - 1) * np.log(m) + p * x * np.log(x) - (p * x + q) * np.log(x * m + v))


def gamma_gamma_expected(params, x, m) -> np.ndarray:
    """Expected value of a future purchase given ``x`` repeat purchases of mean ``m`` (a weighted mean of the population's and the customer's)."""
    p, q, v = params
    x = np.asarray(x, float)
    m = np.where(np.isfinite(np.asarray(m, float)), np.maximum(np.asarray(m, float), 0.0), 0.0)
    return p * (v + x * m) / (p * x + q - 1)


# ----------------------------------------------------------------------------
# maximum likelihood on the log scale, with the inverse Hessian
# ----------------------------------------------------------------------------
def _distinct(values: np.ndarray):
    """Distinct values and each entry's position among them: the likelihoods compute their costly terms once per value."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return uniq, inverse


def _bgnbd_total(x, tx, T):
    """The total BG/NBD log-likelihood as a function of the parameters, fast on many customers.

    Repeat counts take a few dozen values and ages / recencies a few hundred (days), so the
    Gamma functions and logarithms are computed per distinct value and indexed; only one
    ``logaddexp`` runs per customer.  Equal to ``bgnbd_loglik(...).sum()``.
    """
    ux, ix = _distinct(x)
    uT, iT = _distinct(T)
    ut, it = _distinct(tx)
    xs = x
    some = x > 0

    def total(params) -> float:
        r, alpha, a, b = params
        g = (special.gammaln(r + ux) - special.gammaln(r) + r * np.log(alpha) + special.gammaln(a + b) + special.gammaln(b + ux)
             - special.gammaln(b) - special.gammaln(a + b + ux))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_b = np.log(np.maximum(b + ux - 1, 1e-300))
        a3 = -(r + xs) * np.log(alpha + uT)[iT]
        a4 = np.where(some, np.log(a) - log_b[ix] - (r + xs) * np.log(alpha + ut)[it], -np.inf)
        return float(np.sum(g[ix]) + np.sum(np.logaddexp(a3, a4)))

    return total


def _gamma_gamma_total(x, m):
    ux, ix = _distinct(x)
    log_m, log_x = np.log(m), np.log(x)

    def total(params) -> float:
        p, q, v = params
        g = special.gammaln(p * ux + q) - special.gammaln(p * ux) - special.gammaln(q)
        return float(np.sum(g[ix]) + len(x) * q * np.log(v) + np.sum((p * x - 1) * log_m + p * x * log_x - (p * x + q) * np.log(x * m + v)))

    return total


def _fit_mle(total, start, penalizer: float):
    def nll(theta):
        theta = np.clip(theta, -_BOUND, _BOUND)
        value = -total(np.exp(theta)) + penalizer * np.sum(np.exp(theta) ** 2)
        return value if np.isfinite(value) else 1e300

    best = None
    for s in start:  # further starts only when the first does not converge
        res = optimize.minimize(nll, np.log(s), method="L-BFGS-B", bounds=[(-_BOUND, _BOUND)] * len(s))
        if best is None or res.fun < best.fun:
            best = res
        if best.success and np.all(np.abs(best.x) < _BOUND - 1e-3):
            break
    theta = best.x
    cov = _inverse_hessian(nll, theta)
    at_bound = bool(np.any(np.abs(theta) > _BOUND - 1e-3))
    return np.exp(theta), cov, -best.fun, at_bound


def _inverse_hessian(f, theta, rel: float = 1e-4):
    """Covariance of the log-parameters (central differences); None when the Hessian is not positive definite."""
    k = len(theta)
    h = rel * np.maximum(np.abs(theta), 1.0)
    H = np.empty((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = H[j, i] = (f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)) / (4 * h[i] * h[j])
    try:
        np.linalg.cholesky(H)
        cov = np.linalg.inv(H)
        return (cov + cov.T) / 2
    except np.linalg.LinAlgError:
        return None


class BetaGeo:
    """BG/NBD model of repeat purchases (see the module docstring); ``penalizer`` adds an L2 term on the parameters."""

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def fit(self, frequency, recency, T) -> "BetaGeo":
        x, tx, T = (np.asarray(v, float) for v in (frequency, recency, T))
        if len(x) < 2 or not np.all(np.isfinite(x) & np.isfinite(tx) & np.isfinite(T)):
            raise ParameterError("BG/NBD needs at least two customers with finite frequency, recency and age.")
        if np.any((x < 0) | (tx < 0) | (tx > T + 1e-9)):
            raise ParameterError("BG/NBD needs 0 <= recency <= age and frequency >= 0 for every customer.")
        scale = max(float(np.mean(T)), 1e-3)
        starts = [(1.0, scale, 1.0, 1.0), (0.5, scale / 2, 0.5, 2.0), (2.0, scale * 2, 2.0, 5.0)]
        params, cov, ll, at_bound = _fit_mle(_bgnbd_total(x, tx, T), starts, float(self.penalizer))
        self.params_ = dict(zip(("r", "alpha", "a", "b"), params.tolist()))
        self.cov_ = cov
        self.loglik_ = ll
        self.at_bound_ = at_bound
        self.n_ = len(x)
        return self

    def _theta(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("fit the BG/NBD model first.")
        return tuple(self.params_.values())

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        return bgnbd_expected(self._theta(), t, frequency, recency, T)

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        return bgnbd_p_alive(self._theta(), frequency, recency, T)


class GammaGamma:
    """Gamma-Gamma model of the value of a purchase (see the module docstring)."""

    def __init__(self, penalizer: float = 0.0):
        self.penalizer = penalizer

    def fit(self, frequency, monetary) -> "GammaGamma":
        x, m = np.asarray(frequency, float), np.asarray(monetary, float)
        keep = (x > 0) & np.isfinite(m) & (m > 0)
        if keep.sum() < 2:
            raise ParameterError("Gamma-Gamma needs at least two customers with a repeat purchase of positive value.")
        x, m = x[keep], m[keep]
        mean = float(np.mean(m))
        starts = [(1.0, 1.0, mean), (5.0, 3.0, mean * 2), (2.0, 5.0, mean * 4)]
        params, cov, ll, at_bound = _fit_mle(_gamma_gamma_total(x, m), starts, float(self.penalizer))
        self.params_ = dict(zip(("p", "q", "v"), params.tolist()))
        self.cov_ = cov
        self.loglik_ = ll
        self.at_bound_ = at_bound
        self.n_ = int(keep.sum())
        return self

    def expected_value(self, frequency, monetary) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise NotFittedError("fit the Gamma-Gamma model first.")
        return gamma_gamma_expected(tuple(self.params_.values()), frequency, monetary)


# ----------------------------------------------------------------------------
# lifetime value per customer, with its range
# ----------------------------------------------------------------------------
def _draw_params(rng, params: dict, cov, n: int) -> np.ndarray:
    """``n`` parameter sets from the asymptotic normal on the log scale (the estimate itself without a covariance)."""
    theta = np.log(np.asarray(list(params.values()), float))
    if cov is None or n <= 0:
        return np.tile(np.exp(theta), (max(n, 1), 1))
    draws = rng.multivariate_normal(theta, cov, size=n, method="cholesky")
    return np.exp(np.clip(draws, -_BOUND, _BOUND))


def simulate_value(bg: dict, bg_cov, gg: dict, gg_cov, x, tx, T, m, t: float, *, n_draws: int, seed: int,
                   chunk: int = 2_000_000) -> np.ndarray:
    """Simulated future value over ``t`` weeks: an array (customers, draws), see the module docstring."""
    rng = np.random.default_rng(seed)
    x, tx, T = (np.asarray(v, float) for v in (x, tx, T))
    m = np.where(np.isfinite(np.asarray(m, float)), np.maximum(np.asarray(m, float), 0.0), 0.0)
    B = _draw_params(rng, bg, bg_cov, n_draws)  # (S, 4)
    Gp = _draw_params(rng, gg, gg_cov, n_draws)  # (S, 3)
    out = np.empty((len(x), n_draws))
    step = max(1, chunk // max(n_draws, 1))
    for lo in range(0, len(x), step):
        sl = slice(lo, lo + step)
        xi, txi, Ti, mi = x[sl, None], tx[sl, None], T[sl, None], m[sl, None]
        r, alpha, a, b = (B[None, :, k] for k in range(4))
        alive = rng.random((len(xi), n_draws)) < bgnbd_p_alive((r, alpha, a, b), xi, txi, Ti)
        lam = rng.gamma(r + xi, 1.0 / (alpha + Ti))
        p = rng.beta(np.broadcast_to(a, lam.shape), b + xi)
        n = np.minimum(rng.poisson(lam * t), rng.geometric(np.clip(p, 1e-12, 1.0))) * alive
        gp, gq, gv = (Gp[None, :, k] for k in range(3))
        nu = rng.gamma(gq + gp * xi, 1.0 / (gv + xi * mi))
        value = rng.gamma(np.maximum(gp * n, 1e-12), 1.0 / nu) * (n > 0)
        out[sl] = value
    return out


class LifetimeValue:
    """Expected gross profit of each customer over the next ``horizon_months``, with a ``level`` % range.

    ``fit(customer, date, amount, as_of)`` takes one value per deal (or per line: a day's
    amounts are added); customers are kept in the order first seen.  Results:
    :meth:`predict` (per customer: frequency, recency and age in weeks, p_alive,
    expected purchases and value per purchase, clv and its range), :meth:`summary`
    (the fitted parameters, how many customers).  ``n_draws`` = 0 skips the range.
    """

    def __init__(self, horizon_months: float = 12.0, *, level: float = 80.0, n_draws: int = 100, seed: int = 0,
                 penalizer: float = 0.0):
        self.horizon_months = horizon_months
        self.level = level
        self.n_draws = n_draws
        self.seed = seed
        self.penalizer = penalizer

    def _check(self) -> None:
        if not (isinstance(self.horizon_months, (int, float)) and self.horizon_months > 0):
            raise ParameterError(f"horizon_months must be a positive number of months, not {self.horizon_months!r}.")
        if not (0 < float(self.level) < 100):
            raise ParameterError(f"level must be a percentage between 0 and 100, not {self.level!r}.")
        if not (isinstance(self.n_draws, (int, np.integer)) and self.n_draws >= 0):
            raise ParameterError(f"n_draws must be a whole number >= 0, not {self.n_draws!r}.")

    def fit(self, customer, date, amount, as_of) -> "LifetimeValue":
        self._check()
        data = rfm(np.asarray(customer, object), np.asarray(date), np.asarray(amount, float), pd.Timestamp(as_of))
        if len(data) < 2 or (data["frequency"] > 0).sum() < 2:
            raise ParameterError("the lifetime-value model needs at least two customers who bought more than once.")
        bg = BetaGeo(self.penalizer).fit(data["frequency"], data["recency"], data["T"])
        gg = GammaGamma(self.penalizer).fit(data["frequency"], data["monetary"])
        t = float(self.horizon_months) * DAYS_PER_MONTH / DAYS_PER_WEEK
        x, tx, T, m = (data[c].to_numpy(float) for c in ("frequency", "recency", "T", "monetary"))
        per_purchase = gg.expected_value(x, m)
        if gg.params_["q"] <= 1:  # the population mean value does not exist: first-time buyers get the observed mean
            per_purchase = np.where(x > 0, per_purchase, np.nanmean(m))
        expected = bg.expected_purchases(t, x, tx, T)
        out = data.assign(p_alive=bg.p_alive(x, tx, T), expected_purchases=expected, value_per_purchase=per_purchase,
                          clv=expected * per_purchase)
        if self.n_draws:
            sims = simulate_value(bg.params_, bg.cov_, gg.params_, gg.cov_, x, tx, T, m, t, n_draws=int(self.n_draws), seed=int(self.seed))
            tail = (100.0 - float(self.level)) / 2
            out["clv_lo"], out["clv_hi"] = np.percentile(sims, [tail, 100 - tail], axis=1)
        else:
            out["clv_lo"] = out["clv_hi"] = np.nan
        self.bgnbd_, self.gamma_gamma_, self.values_ = bg, gg, out
        if bg.at_bound_ or gg.at_bound_ or bg.cov_ is None or gg.cov_ is None:
            warnings.warn("the lifetime-value fit is weak (a parameter ran to its bound or its uncertainty could not be "
                          "estimated): treat the lifetime values as rough.", LifetimeValueWarning, stacklevel=2)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "values_"):
            raise NotFittedError("call LifetimeValue.fit(...) first.")

    def predict(self) -> pd.DataFrame:
        self._fitted()
        return self.values_.copy()

    def summary(self) -> dict:
        self._fitted()
        return {
            "customers": int(len(self.values_)), "repeat_buyers": int((self.values_["frequency"] > 0).sum()),
            "horizon_months": float(self.horizon_months), "level": float(self.level),
            **{f"bgnbd_{k}": v for k, v in self.bgnbd_.params_.items()},
            **{f"gamma_gamma_{k}": v for k, v in self.gamma_gamma_.params_.items()},
            "expected_purchases": float(self.values_["expected_purchases"].sum()),
            "clv_total": float(self.values_["clv"].sum()),
        }


def calibration(customer, date, amount, *, split, end, buckets: int = 7) -> pd.DataFrame:
    """Predicted vs actual repeat purchases on a held-back period (the usual BG/NBD check).

    Fit on the purchases up to ``split`` (customers first seen by then), predict their
    purchases in (``split``, ``end``]; rows: customers grouped by their repeat purchases
    in the calibration period (0, 1, …, ``buckets`` or more), then the total.
    """
    split, end = pd.Timestamp(split), pd.Timestamp(end)
    when = pd.DatetimeIndex(np.asarray(date)).normalize()
    customer = np.asarray(customer, object)
    cal = when <= split
    data = rfm(customer[cal], when[cal], np.asarray(amount, float)[cal], split)
    bg = BetaGeo().fit(data["frequency"], data["recency"], data["T"])
    weeks = (end - split).days / DAYS_PER_WEEK
    predicted = bg.expected_purchases(weeks, data["frequency"], data["recency"], data["T"])
    hold = (when > split) & (when <= end)
    days = pd.DataFrame({"c": customer[hold], "d": when[hold]}).drop_duplicates()
    actual = days.groupby("c").size().reindex(data.index, fill_value=0).to_numpy(float)
    bucket = np.minimum(data["frequency"].to_numpy(int), buckets)
    frame = pd.DataFrame({"bucket": bucket, "customers": 1, "actual": actual, "predicted": predicted})
    table = frame.groupby("bucket").agg(customers=("customers", "sum"), actual=("actual", "sum"), predicted=("predicted", "sum"))
    table.loc["total"] = table.sum()
    table["actual_per_customer"] = table["actual"] / table["customers"]
    table["predicted_per_customer"] = table["predicted"] / table["customers"]
    table.attrs["params"] = dict(bg.params_)
    return table
