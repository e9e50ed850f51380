"""正推法 — the forward method: next year's forecast from monthly history and the industry outlook.

The handbook's forward method has two legs: the company's own last three
years (企业分析) and the industry's trend (行业分析).  :class:`Forecaster`
does both::

    fc = Forecaster(horizon=12, levels=(80, 95)).fit(history, industry=industry)
    fc.predict()             # branch, month, mean, lo_80, hi_80, lo_95, hi_95, model
    fc.simulate(1000)        # (draws, series, months) joint sample paths
    fc.target_suggestions()  # conservative / base / stretch annual totals
    fc.summary()             # headline figures (a dict of raw numbers)
    fc.tables("zh")          # every table with labelled headers

How it works (details and measurements in BENCHMARKS.md):

* **Company analysis** — every bottom-level series (branch, or branch x
  salesperson / product when the history has those columns) is forecast by
  :func:`salesanalytics.methods._forecast_models.fit_series`.

  **Default method ("auto").** Each series is seasonally adjusted (ratios to
  the centred 2x12 moving average continued at both ends, later years
  weighted more, when its lag-12 autocorrelation is significant) and three
  candidates are fitted: ETS (no or damped trend, by AICc) and the Theta
  method on the adjusted series — on a positive series each mixed with the
  same model on the log scale by their backtest errors (the log model's forecast taken as the mean of
  its noise, not its median, so that sums of forecasts are not low; the mean by the smearing estimate, which
  a few near-zero months do not inflate) — and seasonal naive.  A backtest on the
  series' own history (forecasts from 12, 8 and 4 months before its end)
  scores each by its scaled mean absolute error.  **Combination rule:** the
  forecast is their weighted mean — half of the weight goes to the three
  models in proportion to 1/error², half to two groups, ETS+Theta (equal
  inside) and seasonal naive, in proportion to each group's 1/error², so
  that seasonal naive, the only member with its own seasonal pattern, is not
  outvoted by two models sharing one decomposition.  :meth:`Forecaster.model_weights`
  shows the weights, ``backtest_`` every candidate's error (row "weighted"
  is the combination's own).  ``method="select"`` picks the single model or
  equal combination with the smallest backtest error (the earlier default),
  ``"comb"`` uses equal weights.  Intervals come from a joint bootstrap of
  the ETS residuals, scaled per series by how much its backtest errors
  exceed its in-sample residuals, then by factors calibrated on Tourism and
  M3 monthly, widened after the first year.  Last 36 → next 12 months: mean
  MASE 0.870 on M1 monthly and 0.837 on Tourism (statsforecast AutoETS
  0.915 / 0.934; equal combination of AutoETS, AutoTheta, AutoARIMA
  0.898 / 1.052), 80 % / 95 % coverage 78.1 / 93.4 and 81.5 / 95.8
  (BENCHMARKS.md, "Forward forecast accuracy and speed").
* **Chinese calendar** — working days per month (调休 included, from
  ``chinesecalendar``) and Spring Festival holiday days per month (from the
  lunar calendar) are estimated as one effect for the company, pooled over
  every series (each series' own estimate shrunk towards it), and used when
  the pooled test finds it (5 %): the series are forecast calendar-adjusted
  and the forecast months get their own calendar factors back
  (``_forecast_calendar``; :meth:`Forecaster.calendar_effect` per month).
  On the synthetic company's held-back years MASE falls from 1.019 to 0.924.
* **Industry analysis** — the market-share method: our share of the market
  in each full history year, its trend (geometric, damped by
  ``SHARE_DAMPING`` per year) times the industry outlook gives a second
  estimate of each forecast year's total.  The blend is
  ``(1 - industry_weight) * statistical + industry_weight * industry``,
  applied as one factor per calendar year to the months of that year.
  ``industry_weight`` defaults to 0.3: the statistical forecast is tested
  (benchmarks), the industry outlook is someone's opinion.
* **Coherence** — branch and company figures are sums of the bottom-level
  sample paths, so the company mean is exactly the sum of the branch means
  in every draw, and a branch made of salespeople or products is the sum of
  theirs (``SUMS`` "mint_inner").  A branch of several series is also
  forecast as a series of its own (its members' months summed), and its
  members are reconciled with it by MinT (shrink) on that branch alone: their
  means move part of the way to the branch's own forecast (``fits_`` holds
  the reconciled means, every figure reads them; the fits as made are
  ``base_fits_``) and their draws are projected the same way.  Above the
  branches, and for branches as the bottom series, the totals are the plain
  bottom-up sums: the draws keep the residuals of one calendar month
  together for every series, so shocks the branches share add up in the
  company total.  Chosen by measured coverage of group totals
  (benchmarks/bench_sums.py: Tourism groups, the synthetic company's
  branches, regions and salespeople) against a width implied by the
  branches' error variance ("implied", with and without a term for shared
  shocks), a shared scale, a shrunk residual-correlation copula, variance
  matching, MinT(shrink) over the whole hierarchy and each group's own
  backtest ratio: only "mint_inner" is closer to 80 % overall by the margin
  and not further from it on the synthetic company (person -> branch 80 % /
  81 %, against 93 % / 93 % plain bottom-up); 78-82 % is not reached on
  every set (BENCHMARKS.md, "Coverage of sums").  On seeds no choice was
  made on (bench_sums.py --fresh), with each figure's sampling interval:
  Tourism groups over seven years, a company of 112 salespeople and the
  14-branch company's annual sum are consistent with 80 %; a 100-branch
  company is covered 75 % / 81 % (monthly / annual), short on its months
  because the point forecast lags its branches' growth by 3 % a year.  With
  the industry file the product runs with (the synthetic one, weight 0.3)
  the lag falls to 1-2 % and the 14-branch company is covered 79 % / 82 %,
  the 100-branch company 76 % / 81 %, a branch of salespeople 79 % / 78 %
  (BENCHMARKS.md, "The product as it runs").
* **Market uncertainty** — every sample path is multiplied by one factor
  per draw that all series share: a market that moves, which widens the
  company's range far more than a branch's.  ``market_uncertainty``
  (percent a year, default 6) is a floor for the shared part of the
  company's variance a year out, not an addition to it
  (``_forecast_hierarchy.market_fill``): a company whose branches visibly
  move together in their history already has it and gets little or
  nothing; one whose history shows no shared movement gets the whole
  prior; a single series gets none.  Chosen by bench_sums.py --market
  (groups of Tourism series over seven years 75 % / 68 % -> 80 % / 77 %,
  the synthetic company's sets unchanged; BENCHMARKS.md, "A market shock
  every series shares").  0 turns it off; an industry outlook that comes
  with an uncertainty of its own is a good value.
* **Target suggestions** — conservative / base / stretch are P20 / P50 / P80
  of the simulated annual sum.  Each sample path is a whole year, built from
  shocks that persist through the ETS dynamics and are drawn for all
  branches in the same calendar month, so good and bad months are not
  assumed to cancel out.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import DataError, ForecastError, NotFittedError, ParameterError, SalesAnalyticsWarning
from ..core.labels import check_lang, label_columns, label_values, text, value as label_value
from ..core.validation import validate

MIN_MONTHS = 24  # below this: error
FULL_MONTHS = 36  # below this: warning + non-seasonal damped fallback
MAX_HORIZON = 60
SHARE_DAMPING = 0.8  # yearly damping of the market-share trend
#: How the sample paths make the group totals (_forecast_hierarchy.METHODS; the product's "mint_inner": each branch of
#: several series reconciled with its own forecast by MinT, plain bottom-up sums above; "bootstrap": plain bottom-up).
SUMS = "mint_inner"
MAX_MARKET_UNCERTAINTY = 50.0  # percent per year
FILL_POLICIES = (None, "zero", "interpolate")


class ShortHistoryWarning(SalesAnalyticsWarning):
    """A series has 24–35 months: forecast with a non-seasonal damped fallback."""


def _fmt_month(ts) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m")


def _branch_of(key) -> str:
    """The branch of a series key (the key itself, or its first part when salesperson / product follow)."""
    return key[0] if isinstance(key, tuple) else key


def _series_label(key) -> str:
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or not 1 <= int(horizon) <= MAX_HORIZON:
        raise ParameterError(
            f"horizon must be a whole number of months between 1 and {MAX_HORIZON}, got {horizon!r}. "
            f"Fix: use e.g. --horizon 12 (one year) or up to {MAX_HORIZON} (a five-year outlook)."
        )
    return int(horizon)


def _check_levels(levels) -> tuple[float, ...]:
    if isinstance(levels, (int, float)):
        levels = (levels,)
    out = []
    for lv in levels:
        try:
            value = float(lv)
        except (TypeError, ValueError):
            value = float("nan")
        if not 0 < value < 100:
            raise ParameterError(
                f"interval level {lv!r} is outside (0, 100). Fix: give levels in percent, e.g. --level 80 95."
            )
        out.append(value)
    return tuple(sorted(set(out)))


def _level_name(level: float) -> str:
    return f"{level:g}".replace(".", "_")


class Forecaster:
    """The forward forecaster (正推法).

    Parameters
    ----------
    horizon : months to forecast (1–60); 12 is next year, up to 60 gives a 3–5 year outlook.
    levels : prediction-interval levels in percent, each in (0, 100).
    n_jobs : joblib workers over series (``-1`` all cores, ``"auto"``: all cores from
        ``AUTO_PARALLEL_SERIES`` series on, else one process); inside
        ``joblib.parallel_backend("dask")`` the series go to a Dask cluster.
    method : "auto" (default: the weighted combination of ``models`` by their
        rolling-origin backtest errors on the series' history, see above),
        "select" (the single model or equal combination with the smallest
        backtest error), "comb" (equal weights) or a fixed model / combination:
        "ets", "theta", "snaive", "arima", "ets+theta", ...  ``backtest_`` shows
        every candidate's backtest error on your own history, :meth:`model_weights`
        the weights.
    models : candidate models (the members of "auto" and "comb", the choices of "select").
    industry_weight : weight of the market-share estimate in the blend, 0–1.
    industry_growth : market growth in percent per year for forecast years the
        industry file does not cover: one number, or ``{year: percent}``;
        None extends at the file's last growth rate.
    fill : what to do with missing months inside a series: None (error
        listing them), "zero" (no sales that month) or "interpolate".
    value : the column to forecast (default ``revenue``).
    interval_scale : multiplier of the bootstrapped errors (default: the
        value calibrated on Tourism and M3 monthly, see
        ``_forecast_models.INTERVAL_SCALE``, ``INTERVAL_TAIL`` and ``INTERVAL_GROWTH``).
    market_uncertainty : the standard deviation, in percent per year, of the market movement every series
        shares, as a floor: each sample path is multiplied by one shared factor that brings the shared part of
        the company's variance a year out up to it (``_forecast_hierarchy.market_fill``; what the branches'
        history already shows counts towards it).  None: ``_forecast_hierarchy.MARKET_SD`` (6, chosen by
        measured coverage); 0 turns it off; an industry outlook's own uncertainty is a good value.  Needs two
        or more series.
    n_sims : sample paths used for the intervals in :meth:`predict`.
    seed : random seed for those paths.
    calendar : adjust for the Chinese calendar (Spring Festival days per month from the lunar
        calendar, working days per month with 调休 from ``chinesecalendar``) when the company's
        pooled test finds the effect (``_forecast_calendar``); False forecasts the raw series.
    """

    def __init__(
        self,
        horizon: int = 12,
        levels: Sequence[float] = (80, 95),
        n_jobs: int | None = 1,
        *,
        method: str = "auto",
        models: Sequence[str] = ("ets", "theta", "snaive"),
        industry_weight: float = 0.3,
        industry_growth: float | dict | None = None,
        fill: str | None = None,
        value: str = S.REVENUE,
        interval_scale: float | None = None,
        market_uncertainty: float | None = None,
        n_sims: int = 2000,
        seed: int = 0,
        calendar: bool = True,
    ):
        self.horizon = horizon
        self.levels = levels
        self.n_jobs = n_jobs
        self.method = method
        self.models = models
        self.industry_weight = industry_weight
        self.industry_growth = industry_growth
        self.fill = fill
        self.value = value
        self.interval_scale = interval_scale
        self.market_uncertainty = market_uncertainty
        self.n_sims = n_sims
        self.seed = seed
        self.calendar = calendar

    # ------------------------------------------------------------------ fit
    def fit(self, history: pd.DataFrame, industry: pd.DataFrame | None = None) -> Forecaster:
        """Fit every series of a long-format monthly ``history``; ``industry`` adds the market-share leg."""
        pending, finish, _ = _fit_start(self, history, industry, False)
        return finish(pending)

    def fit_begin(self, history: pd.DataFrame, industry: pd.DataFrame | None = None) -> PendingFit:
        """:meth:`fit` in two steps, so that other work can run while the series are fitted.

        The series are handed to the worker processes now (when ``n_jobs`` gives more than one);
        calling the :class:`PendingFit` returned waits for them, finishes the fit and returns
        ``self``, fitted exactly as :meth:`fit` fits it.  Whatever the fit says or raises (a short
        history, a missing month) it says or raises then, as :meth:`fit` would at that point.
        With one process the series are fitted when it is called.
        """
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            try:
                return PendingFit(_fit_start(self, history, industry, True), said)
            except Exception as exc:  # raised when the result is asked for, as fit() would raise it then
                return PendingFit(None, said, exc)

    def _note(self, series: str, code: str, **info) -> None:
        self.notes_.append({"series": series, "code": code, **info})

    # ------------------------------------------------------------- results
    def _check_fitted(self) -> None:
        if not hasattr(self, "fits_"):
            raise NotFittedError("this Forecaster is not fitted yet. Fix: call fit(history) first.")

    def simulate(self, n_draws: int = 1000, seed: int = 0) -> np.ndarray:
        """Joint sample paths, shape (n_draws, len(series_), len(months_)), industry blend included."""
        from . import _forecast_hierarchy as H

        self._check_fitted()
        if not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
            raise ParameterError(f"n_draws must be a positive whole number, got {n_draws!r}.")
        groups = self._sum_groups() if SUMS != "bootstrap" else []  # plain bottom-up needs no group list
        # "mint_inner": each branch of several series reconciled with its own fit (the company needs none)
        group_fits = [f for _, f in self.branch_fits_] + [None] if SUMS == "mint_inner" and groups else []
        paths = H.joint_paths(self.base_fits_, int(n_draws), seed=seed, groups=groups, group_fits=group_fits,
                              method=SUMS, scale=self.interval_scale, market=self.market_sd_)
        return paths * self.factor_[None, :, :]

    def _branches(self) -> tuple[list, list[list[int]]]:
        """The branches in the order they first appear, and each one's bottom series (indices into ``series_``)."""
        members = _branch_members(self.series_)
        return list(members), list(members.values())

    def _sum_groups(self) -> list[list[int]]:
        """The totals a :data:`SUMS` method other than "bootstrap" calibrates: each branch made of several series (its
        salespeople or products), then the company (inner groups first; a total of one series is that series' own range)."""
        n = len(self.series_)
        return _inner_branches(self.series_) + [list(range(n))] if n > 1 else []

    def _paths(self) -> np.ndarray:
        return self.paths_

    def _means(self) -> np.ndarray:
        return np.array([f.mean for f in self.fits_]) * self.factor_

    def _key_frame(self, keys: list) -> pd.DataFrame:
        if len(self.keys_) == 1:
            return pd.DataFrame({self.keys_[0]: [str(k) for k in keys]})
        return pd.DataFrame([list(map(str, k)) for k in keys], columns=self.keys_)

    def _tidy(self, keys: list, means: np.ndarray, paths: np.ndarray, models: list[str]) -> pd.DataFrame:
        n, h = means.shape
        frame = self._key_frame(keys).loc[np.repeat(np.arange(n), h)].reset_index(drop=True)
        frame[S.MONTH] = np.tile(self.months_.to_numpy(), n)
        frame["mean"] = means.reshape(-1)
        for level in self.levels_:
            a = (100 - level) / 200
            lo, hi = np.quantile(paths, [a, 1 - a], axis=0)
            # the interval always contains the point forecast, even for skewed floored paths
            frame[f"lo_{_level_name(level)}"] = np.minimum(lo, means).reshape(-1)
            frame[f"hi_{_level_name(level)}"] = np.maximum(hi, means).reshape(-1)
        frame["model"] = np.repeat(models, h)
        return frame

    def _aggregate(self, level: str, lang: str = "zh") -> tuple[list, np.ndarray, np.ndarray]:
        """Bottom-up sums to ``level`` ("branch" or "total"): (labels, means, paths)."""
        means, paths = self._means(), self._paths()
        if level == "total":
            return [text("fc_company", lang)], means.sum(axis=0, keepdims=True), paths.sum(axis=1, keepdims=True)
        names, idx = self._branches()
        return (
            names,
            np.array([means[i].sum(axis=0) for i in idx]),
            np.stack([paths[:, i, :].sum(axis=1) for i in idx], axis=1),
        )

    def predict(self, total: bool = False, lang: str = "zh") -> pd.DataFrame:
        """Tidy forecast: key columns, month, mean, lo_/hi_ per level, model.

        ``total=True`` appends the company total (bottom-up: the sum of the
        series' means and of their joint paths) with branch ``全公司``/``Company``.
        """
        self._check_fitted()
        frame = self._tidy(self.series_, self._means(), self._paths(), [f.model for f in self.fits_])
        if total:
            labels, means, paths = self._aggregate("total", lang)
            tot = self._tidy_total(labels, means, paths)
            frame = pd.concat([frame, tot], ignore_index=True)
        return frame

    def _tidy_total(self, labels, means, paths) -> pd.DataFrame:
        keys = [(labels[0],) + ("",) * (len(self.keys_) - 1)] if len(self.keys_) > 1 else labels
        return self._tidy(keys, means, paths, ["bottom-up"])

    def _annual_quantiles(self, paths: np.ndarray, months: np.ndarray, quantiles) -> np.ndarray:
        sums = paths[:, :, months].sum(axis=2)  # (draws, n)
        return np.percentile(sums, quantiles, axis=0)  # (q, n)

    def target_suggestions(self, quantiles: Sequence[float] = (20, 50, 80), lang: str = "zh") -> pd.DataFrame:
        """Conservative / base / stretch annual totals per branch and for the company.

        The year is the first 12 forecast months (or the whole horizon if
        shorter); the three values are the ``quantiles`` (default P20/P50/P80)
        of the simulated annual sum, so month-to-month and branch-to-branch
        correlation is taken into account.  ``mean`` is the point forecast's
        sum, ``last_12m`` the actual sum of the last 12 history months.
        """
        self._check_fitted()
        q = sorted(float(v) for v in quantiles)
        if len(q) != 3 or not all(0 < v < 100 for v in q):
            raise ParameterError(f"quantiles must be three percentiles in (0, 100), got {quantiles!r}.")
        sel = np.arange(min(12, self.horizon_))
        rows = []
        for level in ("branch", "total"):
            labels, means, paths = self._aggregate(level, lang)
            qs = self._annual_quantiles(paths, sel, q)
            for j, label in enumerate(labels):
                last = self._last_12(label if level == "branch" else None)
                base_mean = float(means[j, sel].sum())
                rows.append({
                    S.BRANCH: label,
                    "period": f"{_fmt_month(self.months_[sel[0]])}..{_fmt_month(self.months_[sel[-1]])}",
                    "last_12m": last,
                    "conservative": float(qs[0, j]),
                    "base": float(qs[1, j]),
                    "stretch": float(qs[2, j]),
                    "mean": base_mean,
                    "growth_pct": (base_mean / last - 1) * 100 if last and last > 0 else np.nan,
                })
        return pd.DataFrame(rows)

    def _last_12(self, branch) -> float:
        total = 0.0
        for key, y in self.history_.items():
            if branch is None or _branch_of(key) == branch:
                total += float(np.sum(y[-12:]))
        return total

    def summary_table(self, level: float | None = None) -> pd.DataFrame:
        """Per branch and company: last 12 months, forecast of the next 12, growth %, the range at ``level``.

        Columns: branch, last_12m, forecast, growth_pct, low, high (yuan; ``low``/``high`` are the
        ``level`` % range of the annual sum, default the first of ``levels``).
        """
        self._check_fitted()
        level = level if level is not None else self.levels_[0]
        a = (100 - level) / 2
        t = self.target_suggestions((a, 50, 100 - a))
        return pd.DataFrame({S.BRANCH: t[S.BRANCH], "last_12m": t["last_12m"], "forecast": t["mean"],
                             "growth_pct": t["growth_pct"], "low": t["conservative"], "high": t["stretch"]})

    def summary(self) -> dict:
        """Headline figures of the company, raw numbers (yuan as floats).

        Keys: ``series`` (count of bottom-level series), ``branches`` (count), ``history_end``
        (last month of history), ``forecast_start`` / ``forecast_end`` (months), ``horizon``
        (months), ``last_12m_yuan`` (actual sum of the last 12 months), ``forecast_yuan`` (point
        forecast of the first 12 forecast months, or the whole horizon if shorter),
        ``growth_pct`` (percent), ``conservative_yuan`` / ``base_yuan`` / ``stretch_yuan`` (P20 /
        P50 / P80 of that annual sum), ``level`` and ``low_yuan`` / ``high_yuan`` (its range at
        the first interval level), ``models`` ({model: series}), ``industry_weight`` (the
        blend's weight, or None without an industry file), ``market_uncertainty_pct`` (the floor for the
        market movement all branches share that the ranges carry, percent a year: :meth:`market_floor_pct`), ``notes`` (count of data notes).
        """
        self._check_fitted()
        level = self.levels_[0]
        a = (100 - level) / 2
        t = self.target_suggestions().iloc[-1]
        r = self.target_suggestions((a, 50, 100 - a)).iloc[-1]
        branches = self._branches()[0]
        return {
            "series": len(self.series_),
            "branches": len(branches),
            "history_end": self.last_month_,
            "forecast_start": self.months_[0],
            "forecast_end": self.months_[-1],
            "horizon": self.horizon_,
            "last_12m_yuan": float(t["last_12m"]),
            "forecast_yuan": float(t["mean"]),
            "growth_pct": float(t["growth_pct"]),
            "conservative_yuan": float(t["conservative"]),
            "base_yuan": float(t["base"]),
            "stretch_yuan": float(t["stretch"]),
            "level": level,
            "low_yuan": float(r["conservative"]),
            "high_yuan": float(r["stretch"]),
            "models": pd.Series([f.model for f in self.fits_]).value_counts().to_dict(),
            "industry_weight": float(self.industry_weight) if self.industry_ is not None and len(self.industry_) else None,
            "market_uncertainty_pct": self.market_floor_pct(),
            "notes": len(self.notes_),
        }

    def model_weights(self) -> pd.DataFrame:
        """How every series' point forecast is made: key columns, model, weight, backtest_mase.

        One row per member model of the series' forecast (``weight`` 0–1, summing to 1 per
        series) with that model's own rolling-origin backtest error on the series' history
        (NaN where the history is too short for a backtest).
        """
        self._check_fitted()
        rows = []
        for key, fit in zip(self.series_, self.fits_):
            for model, weight in fit.weights.items():  # every fit fills them (_forecast_models.fit_series)
                rows.append((key, model, float(weight), float(fit.scores.get(model, np.nan))))
        keys = self._key_frame([r[0] for r in rows])
        keys["model"] = [r[1] for r in rows]
        keys["weight"] = [r[2] for r in rows]
        keys["backtest_mase"] = [r[3] for r in rows]
        return keys

    def calendar_effect(self) -> pd.DataFrame:
        """The Chinese calendar's effect on every series' forecast: key columns, month, effect_pct, used.

        ``effect_pct``: how much the Spring Festival and the month's working days move that
        month's forecast, in percent of the calendar-neutral forecast; 0 where the series'
        forecast is not adjusted (``used`` False: the company's pooled test found no calendar
        effect, too short a history, or non-positive values).
        """
        self._check_fitted()
        parts = []
        for key, fit in zip(self.series_, self.fits_):
            cal = fit.calendar or {}
            effect = cal.get("effect_pct") or {}
            used = bool(cal.get("used", False))
            frame = self._key_frame([key] * len(self.months_))
            frame[S.MONTH] = self.months_
            frame["effect_pct"] = [float(effect.get(_fmt_month(m), 0.0)) if used else 0.0 for m in self.months_]
            frame["used"] = used
            parts.append(frame)
        return pd.concat(parts, ignore_index=True)

    def _range_headers(self, lang: str, level: float | None = None) -> dict[str, str]:
        """Headers of the interval columns, whose words depend on the level."""
        level = level if level is not None else self.levels_[0]
        keep = {"low": text("fc_interval_low", lang, level=f"{level:g}"), "high": text("fc_interval_high", lang, level=f"{level:g}")}
        for lv in self.levels_:
            keep[f"lo_{_level_name(lv)}"] = text("fc_interval_low", lang, level=f"{lv:g}")
            keep[f"hi_{_level_name(lv)}"] = text("fc_interval_high", lang, level=f"{lv:g}")
        return keep

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Every table with labelled headers: ``forecast`` (with the company total), ``summary``,
        ``target_suggestions``, ``outlook``, ``backtest``, ``weights`` (:meth:`model_weights`),
        ``calendar`` (:meth:`calendar_effect`) and ``industry`` (with an industry file)."""
        self._check_fitted()
        keep = self._range_headers(check_lang(lang))
        raw = {
            "forecast": self.predict(total=True, lang=lang),
            "summary": self.summary_table(),
            "target_suggestions": self.target_suggestions(lang=lang),
            "outlook": self.outlook(lang=lang),
            "backtest": self.backtest_,
            "weights": self.model_weights(),
            "calendar": self.calendar_effect(),
        }
        if self.industry_ is not None and len(self.industry_):
            raw["industry"] = self.industry_
        out = {}
        for name, frame in raw.items():
            pcols = {c: text("fc_percentile", lang, q=c[1:]) for c in frame.columns if name == "outlook" and c.startswith("p")}
            frame = label_values(frame, lang, {"used": "bool"})
            for col in ("model", "candidate"):
                if col in frame.columns:
                    frame[col] = [model_label(m, lang) for m in frame[col]]
            out[name] = label_columns(frame, lang, "forward", keep={**keep, **pcols})
        return out

    def outlook(self, quantiles: Sequence[float] = (20, 50, 80), lang: str = "zh") -> pd.DataFrame:
        """Annual totals per calendar year of the horizon (a 3–5 year outlook with horizon 36–60)."""
        self._check_fitted()
        rows = []
        years = self.months_.year.to_numpy()
        for level in ("branch", "total"):
            labels, means, paths = self._aggregate(level, lang)
            for year in sorted(set(years)):
                sel = np.flatnonzero(years == year)
                qs = self._annual_quantiles(paths, sel, quantiles)
                for j, label in enumerate(labels):
                    rows.append({S.BRANCH: label, S.YEAR: int(year), "months": len(sel), "mean": float(means[j, sel].sum()),
                                 **{f"p{q:g}": float(qs[k, j]) for k, q in enumerate(quantiles)}})
        return pd.DataFrame(rows)

    def market_floor_pct(self) -> float:
        """The market floor the ranges carry, percent a year: ``market_uncertainty`` (or its default) when two or
        more series share it, 0 for a single series (``_forecast_hierarchy.market_fill`` gives it none)."""
        self._check_fitted()
        return 100 * self.market_sd_ if len(self.series_) > 1 else 0.0

    def report(self, lang: str = "zh") -> str:
        """How the data was handled: short histories, zeros, returns, outliers, filled months, industry blend."""
        self._check_fitted()
        check_lang(lang)
        lines = [_note_line(n, lang) for n in self.notes_]
        if self.industry_ is not None and len(self.industry_):
            lines.append(text("fc_note_industry_weight", lang, weight=f"{self.industry_weight:.0%}"))
        floor = self.market_floor_pct()
        if floor:
            lines.append(text("fc_note_market", lang, sd=f"{floor:g}%"))  # as the weight above: 30%
        models = pd.Series([f.model for f in self.fits_]).value_counts()
        lines.append(text("fc_note_models", lang, models=", ".join(f"{model_label(m, lang)} ×{c}" for m, c in models.items())))
        return "\n".join(lines)


def _fit_start(self: Forecaster, history: pd.DataFrame, industry: pd.DataFrame | None, background: bool):
    """The first half of :meth:`Forecaster.fit`: check the history, hand the series to the workers.

    Returns ``(pending, finish)``: the series' fits (a list, or a generator filled in the background)
    and the function that completes the fitted state from them.
    """
    from joblib import Parallel, delayed, effective_n_jobs

    from . import _forecast_calendar as CAL
    from . import _forecast_models as K

    self.horizon_, self.levels_ = _check_params(self)
    self.market_sd_ = _market_sd(self.market_uncertainty)
    history = _validate_history(history, self.value)
    keys = [c for c in S.KEY_COLUMNS if c in history.columns]
    self.keys_ = keys
    source = history.attrs.get("source", "history")
    self.notes_: list[dict] = []
    last = history[S.MONTH].max()
    self.last_month_ = pd.Timestamp(last)
    self.months_ = pd.date_range(self.last_month_ + pd.offsets.MonthBegin(1), periods=self.horizon_, freq="MS")

    series, ys, specs, hist_months = [], [], [], []
    grouped = history.groupby(keys if len(keys) > 1 else keys[0], sort=True)
    too_short = []
    for key, frame in grouped:
        key = key if len(keys) > 1 else (key[0] if isinstance(key, tuple) else key)
        label = _series_label(key)
        y, months = _series_values(self, frame, label, source)
        n = len(y)
        if n < MIN_MONTHS:
            too_short.append(f"{label} ({n} months, {_fmt_month(months[0])}–{_fmt_month(months[-1])})")
            continue
        if not np.any(y != 0):
            raise ForecastError(
                f"{source}: series {label} has only zeros in column {self.value} ({n} months); there is nothing to forecast. "
                "Fix: remove the branch from the history or correct its amounts."
            )
        spec = {}
        if n < FULL_MONTHS:
            spec = {"seasonal": False, "damped_only": True}
            warnings.warn(
                f"{label}: only {n} months of history (36 are normal); forecast without seasonality, damped trend.",
                ShortHistoryWarning,
                stacklevel=3,
            )
            self._note(label, "short", n=n)
        n_zero, n_neg = int(np.sum(y == 0)), int(np.sum(y < 0))
        if n_zero:
            self._note(label, "zeros", n=n_zero)
        if n_neg:
            self._note(label, "negatives", n=n_neg)
        series.append(key)
        ys.append(y)
        hist_months.append(months)
        specs.append(spec)
    if too_short:
        raise ForecastError(
            f"{source}: fewer than {MIN_MONTHS} months of history for {'; '.join(too_short)}. "
            f"Fix: give at least {MIN_MONTHS} consecutive months per series (36 for a seasonal forecast), "
            "or leave these series out."
        )
    if not series:
        raise ForecastError(f"{source}: no series to forecast.")
    method, models = self.method, tuple(self.models)
    n_jobs = self.n_jobs
    if n_jobs == "auto":  # worker processes cost ~2 s to start: worth it only for many series
        n_jobs = -1 if len(ys) >= AUTO_PARALLEL_SERIES else 1
    # the Chinese calendar's effect is estimated once for the company (pooled over every series) and
    # each series' own estimate shrunk towards it; None: no calendar adjustment at all
    try:
        pool = CAL.fit_calendar_pooled(ys, hist_months) if self.calendar else None
    except ParameterError as exc:  # months outside the calendar's years: the forecast itself does not need it
        raise ParameterError(f"{exc} Or forecast without the calendar adjustment: Forecaster(calendar=False), "
                             "on the command line `forward --no-calendar`.") from None
    # "mint_inner": each branch of several series (salespeople, products) is also forecast as a series of its own,
    # the sum of its members' months (all end in the last month), for its members to be reconciled with
    inner = _inner_branches(series) if SUMS == "mint_inner" else []
    totals = [_branch_total(ys, hist_months, g) for g in inner]
    fits_in = list(zip(ys, hist_months, specs)) + [
        (y, m, {} if len(y) >= FULL_MONTHS else {"seasonal": False, "damped_only": True}) for y, m in totals]
    tasks = (delayed(CAL.fit_series_calendar)(y, m, self.months_, self.horizon_, pool, method=method, models=models, **spec)
             for y, m, spec in fits_in)
    if background:  # every series handed to the workers now; collected in order when finished (one process: then fitted)
        pending = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="all")(tasks)
    else:
        pending = Parallel(n_jobs=n_jobs)(tasks)
    k = len(series)
    return (pending, lambda fits: _fit_end(self, series, ys, fits[:k], industry, list(zip(inner, fits[k:]))),
            effective_n_jobs(n_jobs) != 1)


def _branch_members(series: list) -> dict:
    """Each branch (in first-seen order) and its series' indices in ``series``: one pass over thousands of salespeople."""
    members: dict = {}
    for i, key in enumerate(series):
        members.setdefault(_branch_of(key), []).append(i)
    return members


def _inner_branches(series: list) -> list[list[int]]:
    """The branches of several series that are not the whole company (indices into ``series``, in first-seen order)."""
    return [g for g in _branch_members(series).values() if 1 < len(g) < len(series)]


def _branch_total(ys: list, months: list, group: list[int]) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """A branch's monthly total: its members' months summed (a member not there yet counts 0), and those months."""
    total = pd.concat([pd.Series(ys[i], index=months[i]) for i in group], axis=1).fillna(0.0).sum(axis=1).sort_index()
    return total.to_numpy(dtype=float), pd.DatetimeIndex(total.index)


def _fit_end(self: Forecaster, series: list, ys: list, fits: list, industry: pd.DataFrame | None,
             branch_fits: list | None = None) -> Forecaster:
    """The second half of :meth:`Forecaster.fit`: the fitted state from the series' fits.

    ``branch_fits``: (members, the branch total's own fit) for "mint_inner" (:data:`SUMS`); the members' means
    are then the reconciled ones in ``fits_`` (every figure reads them), their fits as made in ``base_fits_``.
    """
    from dataclasses import replace

    from . import _forecast_hierarchy as H

    for key, y, fit in zip(series, ys, fits):
        label = _series_label(key)
        for code, detail in fit.notes:
            if code == "outliers":
                idx = [int(i) for i in detail.split(",")]
                first = self.last_month_ - pd.DateOffset(months=len(y) - 1)
                months = [_fmt_month(first + pd.DateOffset(months=i)) for i in idx]
                self._note(label, "outliers", months=", ".join(months))
            elif code == "seasonal":
                self._note(label, "seasonal", form=detail)
    self.series_ = series
    self.history_ = {key: y for key, y in zip(series, ys)}
    self.backtest_ = pd.DataFrame(
        [{"series": _series_label(k), "candidate": c, "backtest_mase": v, "used": c == f.model}
         for k, f in zip(series, fits) for c, v in f.scores.items()],
        columns=["series", "candidate", "backtest_mase", "used"],
    )
    self.base_fits_ = fits
    self.branch_fits_ = branch_fits or []
    if self.branch_fits_:  # the same groups, in the same order, as _sum_groups
        means = H.inner_means(fits, self._sum_groups(), [f for _, f in self.branch_fits_] + [None])
        fits = [replace(f, mean=m) for f, m in zip(fits, means)]
    self.fits_ = fits
    self.factor_ = np.ones((len(series), self.horizon_))
    self.industry_ = None
    if industry is not None:
        _blend_industry(self, industry)
    # the sample paths behind every interval and quantile, drawn once here so that no result
    # method changes the fitted state
    self.paths_ = self.simulate(self.n_sims, self.seed)
    return self


class PendingFit:
    """A fit begun by :meth:`Forecaster.fit_begin`: call it for the fitted forecaster, or :meth:`cancel` it."""

    def __init__(self, started, said: list, failed: Exception | None = None):
        self._pending, self._finish, self._workers = started if started is not None else (None, None, False)
        self._said, self._failed = said, failed

    def __call__(self) -> Forecaster:
        for w in self._said:  # what the first half said, said now (where fit() would have said it)
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if self._failed is not None:
            raise self._failed
        return self._finish(list(self._pending))

    def cancel(self, *, interrupted: bool = False) -> None:
        """Drop the fit: the caller stopped before it needed it (nothing of the fit is said or raised).

        Series already with the workers are waited for (stopping them mid-way takes the worker
        pool down); ``interrupted`` (Ctrl-C) stops them at once instead.
        """
        if self._pending is None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if self._workers and not interrupted:
                    for _ in self._pending:
                        pass
                else:
                    self._pending.close()
            except Exception:  # a series that fails: nobody asked for the fit any more
                pass
        self._pending = None


def model_label(code: str, lang: str = "zh") -> str:
    """The display words of a model code: "weighted" → 加权组合, "ets+theta" → 指数平滑(ETS)+Theta法."""
    return "+".join(label_value("forecast_model", part, lang) for part in str(code).split("+"))


def _note_line(note: dict, lang: str) -> str:
    """One line of :meth:`Forecaster.report` for one data note (codes: see ``Forecaster._note``)."""
    fields = {k: v for k, v in note.items() if k != "code"}
    code = note["code"]
    if code == "seasonal":
        fields["form"] = label_value("seasonal_form", note["form"], lang)
    elif code == "filled":
        fields["policy"] = label_value("fill_policy", note["policy"], lang)
    elif code == "industry_extended":
        fields["how"] = label_value("industry_extension", note["how"], lang)
    return text(f"fc_note_{code}", lang, **fields)


def _market_sd(percent: float | None) -> float:
    """The shared market shock's relative sd per year: ``percent / 100``, or the module default (``MARKET_SD``)."""
    from . import _forecast_hierarchy as H

    return H.MARKET_SD if percent is None else float(percent) / 100


def _check_params(self: Forecaster) -> tuple[int, tuple[float, ...]]:
    """The checked horizon and levels; a ParameterError for any setting out of range."""
    from . import _forecast_models as K

    horizon, levels = _check_horizon(self.horizon), _check_levels(self.levels)
    if self.fill not in FILL_POLICIES:
        raise ParameterError(f"fill must be one of none, 'zero', 'interpolate', got {self.fill!r}.")
    w = self.industry_weight
    if not isinstance(w, (int, float)) or not 0 <= w <= 1:
        raise ParameterError(f"industry_weight must be between 0 and 1, got {w!r}. Fix: e.g. 0.3.")
    m = self.market_uncertainty
    if m is not None and (isinstance(m, bool) or not isinstance(m, numbers.Real) or not 0 <= m <= MAX_MARKET_UNCERTAINTY):
        raise ParameterError(f"market_uncertainty must be between 0 and {MAX_MARKET_UNCERTAINTY:g} (percent per year), got {m!r}. "
                             "Fix: e.g. 4, or 0 for none.")
    known = K.MODELS
    names = list(self.models) + ([] if self.method in ("auto", "comb", "select") else self.method.split("+"))
    for name in names:
        if name not in known:
            raise ParameterError(f"unknown model '{name}'. Fix: use 'auto', 'select', 'comb' or one of {', '.join(known)} (combine with '+').")
    return horizon, levels


def _validate_history(history, value: str) -> pd.DataFrame:
    """The history checked against the schema (keys unique), with its source kept."""
    if not isinstance(history, pd.DataFrame):
        raise ParameterError(f"history must be a DataFrame in long format (month, branch, {value}), got {type(history).__name__}.")
    source = history.attrs.get("source", "history")
    missing = [c for c in (S.MONTH, S.BRANCH, value) if c not in history.columns]
    if missing:
        raise DataError(
            f"missing column {', '.join(missing)}. Found columns: {', '.join(map(str, history.columns))}.",
            source=source,
            fix="the history needs month, branch and the amount column in long format",
        )
    keys = [S.MONTH] + [c for c in S.KEY_COLUMNS if c in history.columns]
    schema = S.HISTORY_SCHEMA
    if value != S.REVENUE and value not in schema.columns:
        schema = schema.add_columns({value: pa_float()})
    unique_schema = _unique(schema, keys)
    ctx = {"source": source, "sheet": history.attrs.get("sheet"), "original": {}}
    frame = history.reset_index(drop=True)
    out = validate(frame, unique_schema, ctx)
    out.attrs["source"] = source
    return out


def _series_values(self: Forecaster, frame: pd.DataFrame, label: str, source: str) -> tuple[np.ndarray, pd.DatetimeIndex]:
    """One series' monthly values up to the last month, gaps filled by the fill policy (noted) or an error."""
    s = frame.set_index(S.MONTH)[self.value].sort_index()
    full = pd.date_range(s.index.min(), self.last_month_, freq="MS")
    gaps = full.difference(s.index)
    if len(gaps):
        if self.fill is None:
            shown = ", ".join(_fmt_month(m) for m in gaps[:24]) + (f" (+{len(gaps) - 24} more)" if len(gaps) > 24 else "")
            raise DataError(
                f"series {label} has {len(gaps)} missing month(s): {shown}.",
                source=source,
                column=S.MONTH,
                fix="add the missing months (0 if there truly were no sales), or choose a fill policy "
                "(Forecaster(fill='zero') or fill='interpolate'; CLI --fill zero|interpolate)",
            )
        s = s.reindex(full)
        s = s.fillna(0.0) if self.fill == "zero" else s.interpolate(limit_direction="both")
        self._note(label, "filled", months=", ".join(_fmt_month(m) for m in gaps), policy=self.fill)
    return s.to_numpy(dtype=float), full


def _blend_industry(self: Forecaster, industry: pd.DataFrame) -> None:
    """The market-share leg: a factor per series and forecast year on ``self.factor_`` (part of fit)."""
    ind_source = industry.attrs.get("source", "industry")
    ind = validate(industry.reset_index(drop=True), S.INDUSTRY_SCHEMA, {"source": ind_source, "original": {}})
    market = ind.set_index(S.YEAR)[S.MARKET_SIZE].sort_index().astype(float)
    first = self.last_month_ - pd.DateOffset(months=max(len(y) for y in self.history_.values()) - 1)
    history_years = list(range(first.year, self.last_month_.year + 1))
    missing = [y for y in history_years if y not in market.index]
    if missing:
        raise DataError(
            f"the industry file does not cover the history's years: {', '.join(map(str, missing))} missing "
            f"(history {_fmt_month(first)}–{_fmt_month(self.last_month_)}, industry {market.index.min()}–{market.index.max()}).",
            source=ind_source,
            column=S.YEAR,
            fix="add the market size of every year of the history (kind: actual)",
        )
    fc_years = sorted(set(self.months_.year))
    extended = []
    given = self.industry_growth
    for year in fc_years:
        if year not in market.index:
            prev = market.index.max()
            last_growth = market.iloc[-1] / market.iloc[-2] if len(market) >= 2 else 1.0
            for y in range(prev + 1, year + 1):
                if isinstance(given, dict):
                    if y not in given:
                        raise ParameterError(f"industry_growth has no growth for {y}. Fix: give every year the industry file lacks, e.g. {{{y}: 5.0}}.")
                    growth = 1 + float(given[y]) / 100
                elif given is not None:
                    growth = 1 + float(given) / 100
                else:
                    growth = last_growth
                market.loc[y] = market.loc[y - 1] * growth
                extended.append(y)
            market = market.sort_index()
    if extended:
        how = "given growth" if given is not None else "last growth rate"
        self._note("*", "industry_extended", years=", ".join(map(str, sorted(set(extended)))), how=how)
    factor, rows, skipped = industry_factors([self.history_[key] for key in self.series_], self.last_month_, self.months_,
                                             np.array([f.mean for f in self.fits_]), market, float(self.industry_weight))
    for i in skipped:
        self._note(_series_label(self.series_[i]), "industry_skipped")
    self.factor_ = self.factor_ * factor
    self.industry_ = pd.DataFrame([{"series": _series_label(self.series_[r.pop("index")]), **r} for r in rows])


def industry_factors(histories: Sequence[np.ndarray], last_month: pd.Timestamp, months: pd.DatetimeIndex, means: np.ndarray,
                     market: pd.Series, weight: float) -> tuple[np.ndarray, list[dict], list[int]]:
    """The market-share leg of the blend, one factor per series and forecast month (the product's one computation).

    ``histories``: each series' monthly values ending at ``last_month``; ``months``: the forecast months; ``means``
    (series, months): the statistical forecast; ``market``: market size by calendar year, covering every full
    history year and every forecast year.  Per series: its share of the market in each full history year, the
    share's geometric trend damped by ``SHARE_DAMPING`` a year, times the market of each forecast year, gives the
    industry estimate of that year's total; the factor moves the statistical estimate of the year (the history's
    months of that year plus the forecast's, scaled to 12) ``weight`` of the way to it, for every forecast month of
    the year.  Returns (factors, one row per series and year, the indices of series without a usable share).
    """
    factor = np.ones((len(histories), len(months)))
    rows, skipped = [], []
    fc_years = sorted(set(months.year))
    for i, y in enumerate(histories):
        hist_months = pd.date_range(end=last_month, periods=len(y), freq="MS")
        annual = pd.Series(y, index=hist_months).groupby(hist_months.year).agg(["sum", "count"])
        full_years = annual[annual["count"] == 12]
        share = (full_years["sum"] / market.reindex(full_years.index)).dropna()
        if len(share) == 0 or (share <= 0).any():
            skipped.append(i)
            continue
        g = (share.iloc[-1] / share.iloc[0]) ** (1 / (len(share) - 1)) - 1 if len(share) >= 2 else 0.0
        mean = means[i]
        for year in fc_years:
            ahead = year - int(share.index[-1])
            damp = sum(SHARE_DAMPING**j for j in range(1, ahead + 1))
            share_y = share.iloc[-1] * (1 + g) ** damp
            industry_total = share_y * market.loc[year]
            in_year = months.year == year
            hist_part = float(annual["sum"].get(year, 0.0))
            k = int(in_year.sum()) + int(annual["count"].get(year, 0))
            stat_total = (hist_part + float(mean[in_year].sum())) * 12 / max(k, 1)
            if stat_total <= 0:
                continue
            ratio = (1 - weight) + weight * industry_total / stat_total
            factor[i, in_year] = ratio
            rows.append({"index": i, "year": year, "share": share_y, "market_size": market.loc[year],
                         "industry_estimate": industry_total, "statistical_estimate": stat_total,
                         "blended_estimate": ratio * stat_total, "factor": ratio})
    return factor, rows, skipped


def pa_float():
    import pandera.pandas as pa

    return pa.Column(float, nullable=False, coerce=True)


def _unique(schema, keys):
    import pandera.pandas as pa

    return pa.DataFrameSchema(schema.columns, unique=keys, strict=schema.strict, coerce=True, name=schema.name, checks=schema.checks)


#: The product's one forecaster configuration.  Every method that needs a forecast (combined,
#: tracking's re-forecast, the year evaluation) builds it with :func:`make_forecaster`, so a
#: change here moves every page together.
FORECASTER_DEFAULTS: dict = {"levels": (80, 95), "n_jobs": "auto"}
#: From this many series on, ``n_jobs="auto"`` fits them on every core (a 100-branch company: ~2x faster
#: on 2 cores); below it one process is faster than starting workers.  The fits are the same either way.
AUTO_PARALLEL_SERIES = 40


def make_forecaster(horizon: int = 12, **overrides) -> "Forecaster":
    """A :class:`Forecaster` with the product's defaults (``FORECASTER_DEFAULTS``), ``overrides`` applied."""
    return Forecaster(horizon=horizon, **{**FORECASTER_DEFAULTS, **overrides})


def forecast(history: pd.DataFrame, industry: pd.DataFrame | None = None, **settings) -> pd.DataFrame:
    """One call: ``Forecaster(**settings).fit(history, industry).predict()``."""
    return Forecaster(**settings).fit(history, industry).predict()
