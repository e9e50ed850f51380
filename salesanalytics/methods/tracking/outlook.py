"""Where will we end the year, and what must each key now deliver: the year-end outlook and the re-plan.

* :func:`year_end_outlook` — actuals of the closed months plus a re-forecast of
  the remaining months (正推法, :func:`salesanalytics.methods.forward.make_forecaster`),
  or the run rate where no forecast can be made.  Why the run rate was used for
  every branch, if it was, is returned with the result (``note``), never stored.
The re-plan of the rest of the year is in :mod:`.replan`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core import schema as S
from ...core.exceptions import DataError, ForecastError
from ..forward import make_forecaster
from .common import COMPANY, MEASURES, TrackingWarning, month_starts, pct
from .data import TrackingData


@dataclass(frozen=True)
class OutlookResult:
    """The outlook per branch (``table``), month by month (``monthly``) and why it fell back to the run rate (``note``, or None).

    Both frames carry the note in ``.attrs["note"]`` too.
    """

    table: pd.DataFrame
    monthly: pd.DataFrame
    note: str | None = None


#: The re-forecast always runs this many months past the plan year (the forward page's view of next
#: year), whoever asks: the paths of the open months then come from one and the same simulation in
#: the report, the CLI and the notebooks.
MONTHS_BEYOND = 12


@dataclass(frozen=True)
class YearPaths:
    """The plan year as simulated paths: actuals of the closed months, sample paths of the rest.

    Computed once (:func:`year_paths`) and read by the outlook, the combined plan of the quarter
    and the incentive cost simulation, so every page shows the same probabilities.

    ``branches`` (order of the tracker), ``months`` (the 12 months), ``actual`` (branches × 12,
    yuan), ``target`` (branches × 12, NaN rows for branches without a target), ``rem_idx``
    (indices of the months still open), ``paths`` (draws × branches × open months, yuan; the
    month in progress holds only its remaining working days), ``method`` (forecast / run_rate
    per branch), ``note`` (why every branch fell back to the run rate, or None), ``forecaster``
    (the fitted forecaster, or None) and ``beyond`` (draws × forecast series × months after the
    plan year when asked for, else None) with ``beyond_months`` and ``series``.
    """

    branches: list
    months: pd.DatetimeIndex
    actual: np.ndarray
    target: np.ndarray
    rem_idx: np.ndarray
    paths: np.ndarray
    method: np.ndarray
    note: str | None = None
    forecaster: object | None = None
    beyond: np.ndarray | None = None
    beyond_months: pd.DatetimeIndex | None = None
    series: tuple = ()

    @property
    def year_draws(self) -> np.ndarray:
        """draws × branches × 12: actuals in the closed months (the same in every draw), paths after."""
        out = np.repeat(self.actual[None], self.paths.shape[0], axis=0)
        out[:, :, self.rem_idx] += self.paths
        return out


def year_paths(d: TrackingData, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
               min_months: int = 24, forecaster=None, months_beyond: int = MONTHS_BEYOND) -> YearPaths:
    """Simulate the rest of the plan year once (see :func:`year_end_outlook` for the rules).

    ``months_beyond``: also forecast that many months after the plan year with the same fit
    (the forward page's view of next year), in ``beyond``.
    """
    return begin_year_paths(d, history, n_draws=n_draws, seed=seed, min_months=min_months, forecaster=forecaster,
                            months_beyond=months_beyond)()


class PendingPaths:
    """:func:`year_paths` begun: call it for the :class:`YearPaths`; :meth:`cancel` drops it."""

    def __init__(self, finish, pending=None):
        self._finish, self._pending = finish, pending

    def __call__(self) -> YearPaths:
        return self._finish()

    def cancel(self, *, interrupted: bool = False) -> None:
        """Drop the re-forecast still running (see :meth:`salesanalytics.methods.forward.PendingFit.cancel`)."""
        if self._pending is not None:
            self._pending.cancel(interrupted=interrupted)


def begin_year_paths(d: TrackingData, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
                     min_months: int = 24, forecaster=None, months_beyond: int = MONTHS_BEYOND) -> PendingPaths:
    """:func:`year_paths` in two steps, so that other views can be computed while the re-forecast runs.

    The re-forecast's series are handed to the forecaster's worker processes now (the product's
    forecaster, many branches); calling the result waits for them and returns the same
    :class:`YearPaths` as :func:`year_paths`, saying and raising what it would.
    """
    try:
        return _begin_year_paths(d, history, n_draws, seed, min_months, forecaster, months_beyond)
    except Exception as exc:  # said when the paths are asked for, as year_paths() would say it

        def fail():
            raise exc

        return PendingPaths(fail)


def _begin_year_paths(d: TrackingData, history, n_draws, seed, min_months, forecaster, months_beyond) -> PendingPaths:
    year, as_of = d.year, d.as_of
    months = month_starts(year)
    month_end = as_of + pd.offsets.MonthEnd(0)
    closed = months[months + pd.offsets.MonthEnd(0) <= as_of]
    remaining = months[months + pd.offsets.MonthEnd(0) > as_of]
    current_partial = as_of != month_end and as_of.to_period("M").start_time in remaining
    frac_left = 1.0 - d.elapsed_fraction() if current_partial else 0.0
    m = d.monthly.groupby([S.MONTH, S.BRANCH], observed=True)[["actual_fen", "target_fen"]].sum(min_count=1).reset_index()
    branches = d.branches()
    pivot = lambda col: m.pivot(index=S.BRANCH, columns=S.MONTH, values=col).reindex(index=branches, columns=months)  # noqa: E731
    act = pivot("actual_fen").fillna(0).to_numpy(dtype=float) / 100
    tgt = pivot("target_fen").to_numpy(dtype=float) / 100
    actual_to_date = act.sum(axis=1)
    n_rem = len(remaining)
    n_draws = int(n_draws)
    method = np.array(["run_rate"] * len(branches), dtype=object)
    # run rate: remaining planned tasks x attainment so far (plan phasing kept)
    tgt0 = np.nan_to_num(tgt)
    rem_idx = np.arange(12 - n_rem, 12)
    t_rem = tgt0[:, rem_idx].copy()
    if current_partial and n_rem:
        t_rem[:, 0] *= frac_left
    closed_idx = np.arange(0, 12 - n_rem)
    t_done = tgt0[:, closed_idx].sum(axis=1) + (tgt0[:, rem_idx[0]] * (1 - frac_left) if current_partial and n_rem else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t_done > 0, actual_to_date / t_done, 1.0)
    # sample paths of the remaining months (draw x branch x month); run-rate branches are the same in every draw
    paths = np.broadcast_to((t_rem * ratio[:, None])[None], (n_draws, len(branches), n_rem)).copy()
    draws, pending = None, None
    if (n_rem or months_beyond) and history is not None:
        draws, pending = _begin_forecast_draws(
            d, history, branches, act, closed, remaining, frac_left if current_partial else 0.0,
            n_draws, seed, min_months, forecaster, paths, method, months_beyond)

    def finish() -> YearPaths:
        note, fc, beyond, beyond_months, series = None, None, None, None, ()
        paths_, method_ = paths, method
        if draws is not None:
            paths_, method_, note, fc, beyond, series = draws()
            if beyond is not None:
                beyond_months = pd.date_range(months[-1] + pd.offsets.MonthBegin(1), periods=beyond.shape[2], freq="MS")
        return YearPaths(list(branches), months, act, tgt, rem_idx, paths_, method_, note, fc, beyond, beyond_months, tuple(series))

    return PendingPaths(finish, pending)


def year_end_outlook(d: TrackingData, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
                     min_months: int = 24, forecaster=None, paths: YearPaths | None = None) -> OutlookResult:
    """Projected year-end per branch and for the company, with a range and the odds of reaching the target.

    Actuals of the closed months + a re-forecast of the remaining months by the
    forward method (fitted on ``history`` before the plan year plus this year's
    closed months, joint sample paths so the company range keeps the branches'
    correlation).  A branch with fewer than ``min_months`` months of data (a new
    branch), or every branch when no history is given or the forecaster cannot
    fit, is projected by its **run rate**: the remaining planned tasks times its
    attainment so far (``method = run_rate``, no range).  A month in progress
    counts its actual so far plus the forecast for its remaining working days.
    ``forecaster``: a class with the forward API to use instead of the product's.
    ``paths``: the year simulated already (:func:`year_paths`); then ``history``,
    ``n_draws``, ``seed``, ``min_months`` and ``forecaster`` are not used.

    ``table`` columns: branch (``全公司`` for the company), ``as_of``,
    ``annual_target``, ``actual_to_date``, ``forecast_remaining``,
    ``projected_year_end``, ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``,
    ``projected_attainment_pct``, ``prob_reach_target``, ``method``.
    ``monthly``: branch, month, ``target``, ``actual`` (NaN for months not
    started), ``projected`` (actual + mean re-forecast), ``lo_80``/``hi_80``,
    ``kind`` (actual / forecast).
    """
    yp = paths if paths is not None else year_paths(d, history, n_draws=n_draws, seed=seed, min_months=min_months, forecaster=forecaster)
    branches, act, method = yp.branches, yp.actual, yp.method
    has_target = np.isfinite(yp.target).any(axis=1)
    tgt = np.nan_to_num(yp.target)
    annual = tgt.sum(axis=1)
    actual_to_date = act.sum(axis=1)
    total = actual_to_date[None, :] + yp.paths.sum(axis=2)
    rows = [_outlook_row(b, annual[i] if has_target[i] else np.nan, actual_to_date[i], total[:, i], method[i]) for i, b in enumerate(branches)]
    methods = set(method.tolist())
    rows.insert(0, _outlook_row(COMPANY, annual[has_target].sum(), actual_to_date.sum(), total.sum(axis=1), methods.pop() if len(methods) == 1 else "mixed"))
    table = pd.DataFrame(rows)
    table.insert(1, "as_of", d.as_of)
    monthly = _outlook_months(yp, tgt, has_target, d.as_of)
    table.attrs["note"] = monthly.attrs["note"] = yp.note
    return OutlookResult(table, monthly, yp.note)


def _outlook_months(yp: YearPaths, tgt, has_target, as_of) -> pd.DataFrame:
    """Month by month: target, actual, projection (actual + mean of the paths) and its 80 % range."""
    branches, months, act, rem_idx = yp.branches, yp.months, yp.actual, yp.rem_idx
    n_b = len(branches)
    proj = yp.year_draws  # draws x branches x 12
    names = [COMPANY] + list(branches)
    proj = np.concatenate([proj.sum(axis=1, keepdims=True), proj], axis=1)
    tgt_all = np.vstack([tgt[has_target].sum(axis=0, keepdims=True), np.where(has_target[:, None], tgt, np.nan)])
    act_all = np.vstack([act.sum(axis=0, keepdims=True), act])
    lo, hi = np.percentile(proj, [10, 90], axis=0)
    is_fc = np.zeros(12, dtype=bool)
    is_fc[rem_idx] = True
    return pd.DataFrame(
        {
            S.BRANCH: np.repeat(names, 12),
            S.MONTH: np.tile(months.to_numpy(), n_b + 1),
            "target": tgt_all.reshape(-1),
            "actual": np.where(np.tile(np.arange(12) < as_of.month, n_b + 1), act_all.reshape(-1), np.nan),
            "projected": np.round(proj.mean(axis=0).reshape(-1), 2),
            "lo_80": np.round(lo.reshape(-1), 2),
            "hi_80": np.round(hi.reshape(-1), 2),
            "kind": np.tile(np.where(is_fc, "forecast", "actual"), n_b + 1),
        }
    )


def _begin_forecast_draws(d: TrackingData, history, branches, act, closed, remaining, frac_left, n_draws, seed, min_months, forecaster,
                          draws, method, months_beyond=0):
    """Replace the run-rate paths of the branches with enough history by the forecaster's (begun now).

    Returns ``(finish, pending fit or None)``; ``finish()`` returns (draws, method, note, fitted
    forecaster or None, paths beyond the plan year or None, series)."""
    if forecaster is None:
        build = make_forecaster
    else:
        def build(horizon):  # a class passed in (tests, other models)
            return forecaster(horizon=horizon, levels=(80, 95), n_jobs=1)
    value_col = MEASURES[d.measure][1]
    if value_col not in history.columns:
        raise DataError(f"the history has no '{value_col}' column to re-forecast the {d.measure} outlook.", source=history.attrs.get("source", "history"))
    hist = history[history[S.MONTH] < pd.Timestamp(year=d.year, month=1, day=1)]
    hist = hist.groupby([S.BRANCH, S.MONTH], observed=True)[value_col].sum().rename(S.REVENUE).reset_index()
    this = pd.DataFrame(
        {
            S.BRANCH: np.repeat(branches, len(closed)),
            S.MONTH: np.tile(closed.to_numpy(), len(branches)),
            S.REVENUE: act[:, : len(closed)].reshape(-1),
        }
    )
    full = pd.concat([hist, this], ignore_index=True)
    full = full[full[S.BRANCH].isin(branches)]
    span = full[full[S.REVENUE] != 0].groupby(S.BRANCH)[S.MONTH].agg(["min", "max", "count"])
    ok = [b for b in branches if b in span.index and span.loc[b, "count"] >= min_months and (len(closed) == 0 or span.loc[b, "max"] == closed[-1])]
    if not ok:
        return (lambda: (draws, method, None, None, None, ())), None
    full = full[full[S.BRANCH].isin(ok)]
    full = full.sort_values([S.BRANCH, S.MONTH]).reset_index(drop=True)
    def run_rate(exc):
        note = f"the forecaster could not fit ({exc}); run-rate projection only"
        warnings.warn(note, TrackingWarning, stacklevel=7)
        return draws, method, note, None, None, ()

    try:
        fc = build(len(remaining) + months_beyond)
    except (ForecastError, DataError) as exc:
        return (lambda: run_rate(exc)), None
    pending = fc.fit_begin(full) if hasattr(fc, "fit_begin") else None  # the product's forecaster: fitted in the background

    def finish():
        try:
            fitted = pending() if pending is not None else fc.fit(full)
            paths = np.asarray(fitted.simulate(n_draws=n_draws, seed=seed), dtype=float)
        except (ForecastError, DataError) as exc:
            return run_rate(exc)
        return _forecast_paths(fitted, paths, branches, remaining, frac_left, draws, method, months_beyond)

    return finish, pending


def _forecast_paths(fc, paths, branches, remaining, frac_left, draws, method, months_beyond):
    """The forecast's paths in place of the run rate of the branches it covers."""
    series = [str(s) for s in fc.series_]
    n_rem = len(remaining)
    beyond = paths[:, :, n_rem:] if months_beyond else None
    paths = paths[:, :, :n_rem]
    if frac_left and paths.shape[2]:
        paths[:, :, 0] *= frac_left  # only the working days still ahead of the month in progress
    draws = draws.copy()
    method = method.copy()
    for j, name in enumerate(series):
        if name in branches:
            i = branches.index(name)
            draws[:, i, :] = paths[:, j, :]
            method[i] = "forecast"
    return draws, method, None, fc, beyond, series


def _outlook_row(branch, annual, actual, total, method) -> dict:
    q = np.percentile(total, [2.5, 10, 50, 90, 97.5]) if total.size else [np.nan] * 5
    mean = float(np.mean(total))
    return {
        S.BRANCH: branch,
        "annual_target": annual,
        "actual_to_date": round(float(actual), 2),
        "forecast_remaining": round(mean - float(actual), 2),
        "projected_year_end": round(mean, 2),
        "lo_80": round(float(q[1]), 2),
        "hi_80": round(float(q[3]), 2),
        "lo_95": round(float(q[0]), 2),
        "hi_95": round(float(q[4]), 2),
        "projected_attainment_pct": float(pct(mean, annual)) if np.isfinite(annual) else np.nan,
        "prob_reach_target": float(np.mean(total >= annual - 0.005)) if np.isfinite(annual) and annual > 0 else np.nan,
        "method": method,
    }

