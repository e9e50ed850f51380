"""Where do we stand: actual vs target by level × period, the time-adjusted attainment and its light.

* **Time-adjusted target** = the full targets of the months already closed plus
  the current month's target times the share of its working days elapsed by the
  as-of date (working days, not calendar days: the Spring Festival month has
  fewer of them).
* **Status light** (on the time-adjusted attainment): ``green`` at or above
  ``thresholds['green']`` (default 100 %: on pace), ``yellow`` at or above
  ``thresholds['yellow']`` (default 90 %: slightly behind, watch), ``red`` below
  (behind: act now), ``no_target`` when there is no target to compare with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import calendar_cn
from ...core import schema as S
from ...core.labels import value
from .common import COMPANY, PERIODS, pct, status_light
from .data import TrackingData


def attainment(d: TrackingData, level: str = "branch", period: str = "ytd") -> pd.DataFrame:
    """Actual vs target for one level and period (``period='all'``: month, qtd and ytd stacked).

    Columns: the level's keys (none / branch / branch, salesperson / product),
    ``period``, ``period_start``, ``as_of``, ``actual``, ``target`` (full months
    of the period up to the as-of month, yuan), ``attainment_pct``, ``variance``
    (actual - target), ``time_elapsed_pct`` (working days), ``target_to_date``
    (time-adjusted target), ``time_adjusted_attainment_pct``, ``status`` (light),
    ``rank`` (1 = best time-adjusted attainment, among rows with a target) and for
    salespeople ``rank_in_branch``; exact ``actual_fen`` and ``target_fen``.
    """
    if period == "all":
        return pd.concat([attainment(d, level, p) for p in PERIODS], ignore_index=True)
    data, keys = d.monthly_for(level)
    start, month = d.period_bounds(period)
    frac = d.elapsed_fraction()
    sel = data[(data[S.MONTH] >= start) & (data[S.MONTH] <= month)]
    cur = (sel[S.MONTH] == month).to_numpy()
    tgt = sel["target_fen"].to_numpy(dtype=float)
    sel = sel.assign(_tdate=np.where(cur, tgt * frac, tgt), _t=tgt)
    if keys:
        g = sel.groupby(keys, observed=True, dropna=False, sort=True)
        out = g.agg(actual_fen=("actual_fen", "sum"), target_fen=("_t", "sum"), _tdate=("_tdate", "sum"), _has=("has_target", "any")).reset_index()
    else:
        out = pd.DataFrame(
            {"actual_fen": [sel["actual_fen"].sum()], "target_fen": [np.nansum(sel["_t"])], "_tdate": [np.nansum(sel["_tdate"])], "_has": [bool(sel["has_target"].any())]}
        )
    has = out["_has"].to_numpy()
    target_fen = np.where(has, out["target_fen"].to_numpy(dtype=float), np.nan)
    tdate = np.where(has, out["_tdate"].to_numpy(dtype=float), np.nan)
    actual_fen = out["actual_fen"].to_numpy(dtype=np.int64)
    wd_total = calendar_cn.working_days(start, month + pd.offsets.MonthEnd(0))
    wd_done = calendar_cn.working_days(start, d.as_of) if d.granularity == "day" else wd_total
    res = out[keys].copy()
    res["period"] = period
    res["period_start"] = start
    res["as_of"] = d.as_of
    res["actual"] = actual_fen / 100
    res["target"] = target_fen / 100
    res["attainment_pct"] = pct(actual_fen, target_fen)
    res["variance"] = res["actual"] - res["target"]
    res["time_elapsed_pct"] = (wd_done / wd_total * 100.0) if wd_total else 100.0
    res["target_to_date"] = np.round(tdate) / 100
    res["time_adjusted_attainment_pct"] = pct(actual_fen, tdate)
    res["status"] = status_light(res["time_adjusted_attainment_pct"].to_numpy(dtype=float), d.thresholds)
    res["rank"] = res["time_adjusted_attainment_pct"].rank(ascending=False, method="min").astype("Int64")
    if level == "salesperson":
        res["rank_in_branch"] = res.groupby(S.BRANCH)["time_adjusted_attainment_pct"].rank(ascending=False, method="min").astype("Int64")
    res["actual_fen"] = actual_fen
    res["target_fen"] = pd.array(np.where(has, out["target_fen"].to_numpy(dtype=float), np.nan), dtype="Int64")
    return d.sort(res, keys)


def standing(d: TrackingData) -> pd.DataFrame:
    """Company and branch standing: one row per company/branch with month, QTD and YTD attainment (``<period>_<metric>``)."""
    parts = []
    for level in ("company", "branch"):
        frames = []
        for period in PERIODS:
            a = attainment(d, level, period)
            if level == "company":
                a.insert(0, S.BRANCH, COMPANY)
            frames.append(
                a.set_index(S.BRANCH)[["actual", "target", "attainment_pct", "time_adjusted_attainment_pct", "status"]].add_prefix(f"{period}_")
            )
        parts.append(pd.concat(frames, axis=1).reset_index())
    return pd.concat(parts, ignore_index=True)


def summary(d: TrackingData, lang: str = "zh") -> dict:
    """Headline numbers of the company (floats in yuan) and counts of branches by light (codes)."""
    ytd = attainment(d, "company", "ytd").iloc[0]
    br = attainment(d, "branch", "ytd")
    annual = float(d.targets["target_fen"].sum()) / 100
    return {
        "year": d.year,
        "as_of": d.as_of.date().isoformat(),
        "measure": d.measure,
        "granularity": d.granularity,
        "ytd_actual_yuan": float(ytd["actual"]),
        "ytd_target_yuan": float(ytd["target"]),
        "ytd_attainment_pct": float(ytd["attainment_pct"]),
        "ytd_time_adjusted_attainment_pct": float(ytd["time_adjusted_attainment_pct"]),
        "status": value("light", ytd["status"], lang),
        "annual_target_yuan": annual,
        "remaining_gap_yuan": max(annual - float(ytd["actual"]), 0.0),
        "branches_by_status": br["status"].value_counts().to_dict(),
        "unmatched_rows": int(d.unmatched["rows"].sum()),
        "unmatched_yuan": float(d.unmatched["actual"].sum()),
        "duplicated_rows": len(d.duplicates),
        "rows_after_as_of": d.rows_after_as_of,
    }
