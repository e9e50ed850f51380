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


def year_end_outlook(d: TrackingData, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0,
                     min_months: int = 24, forecaster=None) -> OutlookResult:
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

    ``table`` columns: branch (``全公司`` for the company), ``as_of``,
    ``annual_target``, ``actual_to_date``, ``forecast_remaining``,
    ``projected_year_end``, ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``,
    ``projected_attainment_pct``, ``prob_reach_target``, ``method``.
    ``monthly``: branch, month, ``target``, ``actual`` (NaN for months not
    started), ``projected`` (actual + mean re-forecast), ``lo_80``/``hi_80``,
    ``kind`` (actual / forecast).
    """
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
    has_target = np.isfinite(tgt).any(axis=1)
    tgt = np.nan_to_num(tgt)
    annual = tgt.sum(axis=1)
    actual_to_date = act.sum(axis=1)
    n_rem = len(remaining)
    n_draws = int(n_draws)
    method = np.array(["run_rate"] * len(branches), dtype=object)
    # run rate: remaining planned tasks x attainment so far (plan phasing kept)
    rem_idx = np.arange(12 - n_rem, 12)
    t_rem = tgt[:, rem_idx].copy()
    if current_partial and n_rem:
        t_rem[:, 0] *= frac_left
    closed_idx = np.arange(0, 12 - n_rem)
    t_done = tgt[:, closed_idx].sum(axis=1) + (tgt[:, rem_idx[0]] * (1 - frac_left) if current_partial and n_rem else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(t_done > 0, actual_to_date / t_done, 1.0)
    # sample paths of the remaining months (draw x branch x month); run-rate branches are the same in every draw
    paths = np.broadcast_to((t_rem * ratio[:, None])[None], (n_draws, len(branches), n_rem)).copy()
    note = None
    if n_rem and history is not None:
        paths, method, note = _forecast_draws(d, history, branches, act, closed, remaining, frac_left if current_partial else 0.0,
                                              n_draws, seed, min_months, forecaster, paths, method)
    total = actual_to_date[None, :] + paths.sum(axis=2)
    rows = [_outlook_row(b, annual[i] if has_target[i] else np.nan, actual_to_date[i], total[:, i], method[i]) for i, b in enumerate(branches)]
    methods = set(method.tolist())
    rows.insert(0, _outlook_row(COMPANY, annual[has_target].sum(), actual_to_date.sum(), total.sum(axis=1), methods.pop() if len(methods) == 1 else "mixed"))
    table = pd.DataFrame(rows)
    table.insert(1, "as_of", as_of)
    monthly = _outlook_months(branches, months, act, tgt, has_target, paths, rem_idx, as_of)
    table.attrs["note"] = monthly.attrs["note"] = note
    return OutlookResult(table, monthly, note)


def _outlook_months(branches, months, act, tgt, has_target, paths, rem_idx, as_of) -> pd.DataFrame:
    """Month by month: target, actual, projection (actual + mean of the paths) and its 80 % range."""
    n_b = len(branches)
    proj = np.repeat(act[None], paths.shape[0], axis=0)  # draws x branches x 12
    proj[:, :, rem_idx] += paths
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


def _forecast_draws(d: TrackingData, history, branches, act, closed, remaining, frac_left, n_draws, seed, min_months, forecaster, draws, method):
    """Replace the run-rate paths of the branches with enough history by the forecaster's; returns (draws, method, note)."""
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
        return draws, method, None
    full = full[full[S.BRANCH].isin(ok)]
    full = full.sort_values([S.BRANCH, S.MONTH]).reset_index(drop=True)
    try:
        fc = build(len(remaining)).fit(full)
        paths = np.asarray(fc.simulate(n_draws=n_draws, seed=seed), dtype=float)
    except (ForecastError, DataError) as exc:
        note = f"the forecaster could not fit ({exc}); run-rate projection only"
        warnings.warn(note, TrackingWarning, stacklevel=4)
        return draws, method, note
    series = [str(s) for s in fc.series_]
    if frac_left and paths.shape[2]:
        paths[:, :, 0] *= frac_left  # only the working days still ahead of the month in progress
    draws = draws.copy()
    method = method.copy()
    for j, name in enumerate(series):
        if name in branches:
            i = branches.index(name)
            draws[:, i, :] = paths[:, j, :]
            method[i] = "forecast"
    return draws, method, None


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

