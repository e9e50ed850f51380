"""The rhythm of follow-up: pace per working day, the weekly view, the daily three checks and the funnel.

The handbook's weekly progress management (每周进程管理) and daily three checks
(早上对照目标 / 中午对照过程 / 晚上对照结果).  Working days follow the Chinese
calendar (holidays and 调休 make-up days, :mod:`salesanalytics.core.calendar_cn`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import calendar_cn
from ...core import schema as S
from ...core.exceptions import ParameterError
from ...core.money import allocate_grouped
from .attainment import attainment
from .common import COMPANY, lookup, pct, status_light
from .data import TrackingData
from .replan import replan

PROCESS = ("visits", "new_customers", "quotes")
STAGES = ("visits", "new_customers", "quotes", "deals", "cash_collected")


def daily_pace(d: TrackingData, level: str = "branch") -> pd.DataFrame:
    """Required pace per remaining working day of the month ahead (Chinese calendar with 调休).

    The pace month is the month of the day after ``as_of`` (at a month end,
    the next month).  ``still_to_do`` = its re-planned task minus what is
    already booked in it; ``required_per_working_day`` = still_to_do /
    working days left, rounded **up** to the fen so that pace x days covers
    it.  For comparison: ``plan_per_working_day`` (the original task over the
    month's working days) and ``run_rate_per_working_day`` (this year's actual
    per working day so far); ``pace_ratio`` = required / run rate.
    """
    nxt = d.as_of + pd.Timedelta(days=1)
    if nxt.year != d.year:
        raise ParameterError(f"as_of {d.as_of:%Y-%m-%d} is the last day of {d.year}: no working day is left to pace.")
    rp = replan(d, level)
    keys = d.level_keys(level)
    month = nxt.to_period("M").start_time
    month_end = month + pd.offsets.MonthEnd(0)
    wd_month = calendar_cn.working_days(month, month_end)
    wd_left = calendar_cn.working_days(nxt, month_end)
    wd_ytd = calendar_cn.working_days(pd.Timestamp(year=d.year, month=1, day=1), d.as_of)
    cur = rp[rp[S.MONTH] == month].reset_index(drop=True)
    # run rate since the key's first month with a task or a sale (a new branch is not diluted by months before it opened)
    active = rp.assign(_m=np.where((rp["planned_task_fen"] > 0) | (rp["actual_fen"] > 0), rp[S.MONTH].dt.month - 1, 12))
    agg = {"actual_fen": ("actual_fen", "sum"), "first": ("_m", "min")}
    ytd = active.groupby(keys, sort=False).agg(**agg).reset_index() if keys else pd.DataFrame({"actual_fen": [rp["actual_fen"].sum()], "first": [active["_m"].min()]})
    ytd = cur[keys].merge(ytd, on=keys, how="left") if keys else ytd
    ytd_fen = ytd["actual_fen"].to_numpy(dtype=float)
    wd_before = np.concatenate([[0], np.cumsum(calendar_cn.month_working_days(d.year))])
    wd_ytd = wd_ytd - wd_before[np.minimum(ytd["first"].to_numpy(dtype=int), 12)]
    todo = np.maximum(cur["new_task_fen"].to_numpy(dtype=np.int64) - cur["actual_fen"].to_numpy(dtype=np.int64), 0)
    out = cur[keys].copy()
    out["pace_month"] = month
    out["as_of"] = d.as_of
    out["working_days_in_month"] = wd_month
    out["working_days_left"] = wd_left
    out["month_task"] = cur["new_task"]
    out["month_actual"] = cur["actual"]
    out["still_to_do"] = todo / 100
    out["required_per_working_day"] = (np.ceil(todo / wd_left) / 100) if wd_left else np.where(todo > 0, np.inf, 0.0)
    out["plan_per_working_day"] = np.round(cur["planned_task_fen"].to_numpy(dtype=float) / wd_month) / 100 if wd_month else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        out["run_rate_per_working_day"] = np.where(wd_ytd > 0, np.round(ytd_fen / wd_ytd) / 100, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pace_ratio"] = np.where(out["run_rate_per_working_day"] > 0, out["required_per_working_day"] / out["run_rate_per_working_day"], np.nan)
    return out


def _daily_arrays(d: TrackingData, level: str):
    """(names, days, working-day flags, target fen [K x D], actual fen [K x D], deals [K x D]) for company or branch level."""
    if d.granularity != "day":
        raise ParameterError("weekly and daily views need daily actuals (a date column with days), not monthly ones.")
    if level not in ("company", "branch"):
        raise ParameterError(f"weekly and daily views are per branch or for the company, not '{level}'.")
    keys = d.level_keys(level)
    days = calendar_cn.year_days(d.year)
    flags = calendar_cn.workday_flags(days[0], days[-1]).to_numpy()
    m = d.monthly[d.monthly["has_target"]]
    names = d.branches() if keys else [COMPANY]
    index = {n: i for i, n in enumerate(names)}
    K, D = len(names), len(days)
    T = np.zeros((K, 12), dtype=np.int64)
    kc = m[S.BRANCH].map(index).to_numpy() if keys else np.zeros(len(m), dtype=int)
    np.add.at(T, (kc, m[S.MONTH].dt.month.to_numpy() - 1), m["target_fen"].to_numpy(dtype=float).astype(np.int64))
    # each month's target over its working days, in equal fen (largest remainder)
    day_month = days.month.to_numpy() - 1
    group = (np.arange(K)[:, None] * 12 + day_month[None, :]).reshape(-1)
    w = np.tile(flags.astype(float), K)
    tday = allocate_grouped(T.reshape(-1), group, w).reshape(K, D)
    c = d.credits
    kc = lookup(c[S.BRANCH], index) if keys else np.zeros(len(c), dtype=int)
    dc = (c["date"] - days[0]).dt.days.to_numpy()
    flat = kc.astype(np.int64) * D + dc
    aday = np.rint(np.bincount(flat, weights=c["actual_fen"].to_numpy(dtype=float), minlength=K * D)).astype(np.int64).reshape(K, D)
    deals = np.bincount(flat, weights=c["deals"].to_numpy(dtype=float), minlength=K * D).reshape(K, D)
    return names, days, flags, tday, aday, deals


def weekly(d: TrackingData, level: str = "branch") -> pd.DataFrame:
    """每周进程管理: per week (Monday to Sunday) up to the as-of date, target and actual of the week and to date.

    The daily target spreads each month's task evenly over its working days
    (exact fen).  Columns: branch (or ``全公司``), ``week`` (ISO label),
    ``week_start``, ``week_end`` (the as-of date for the last, partial week),
    ``target_week``, ``actual_week``, ``target_to_date``, ``actual_to_date``,
    ``gap_to_date``, ``attainment_to_date_pct``, ``status``.
    """
    names, days, _, tday, aday, _ = _daily_arrays(d, level)
    upto = int((d.as_of - days[0]).days) + 1
    days, tday, aday = days[:upto], tday[:, :upto], aday[:, :upto]
    week_start = days - pd.to_timedelta(days.day_of_week, unit="D")
    wcode, wstarts = pd.factorize(week_start)
    W = len(wstarts)
    tw = np.zeros((len(names), W), dtype=np.int64)
    aw = np.zeros((len(names), W), dtype=np.int64)
    np.add.at(tw.T, wcode, tday.T)
    np.add.at(aw.T, wcode, aday.T)
    tcum, acum = tw.cumsum(axis=1), aw.cumsum(axis=1)
    wstarts = pd.DatetimeIndex(wstarts)
    wends = wstarts + pd.Timedelta(days=6)
    wends = wends.where(wends <= d.as_of, d.as_of)
    iso = wstarts.isocalendar()
    wstarts = wstarts.where(wstarts >= days[0], days[0])  # the first week starts on 1 January
    week = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    out = pd.DataFrame(
        {
            S.BRANCH: np.repeat(names, W),
            "week": np.tile(week, len(names)),
            "week_start": np.tile(wstarts.to_numpy(), len(names)),
            "week_end": np.tile(pd.DatetimeIndex(wends).to_numpy(), len(names)),
            "target_week": tw.reshape(-1) / 100,
            "actual_week": aw.reshape(-1) / 100,
            "target_to_date": tcum.reshape(-1) / 100,
            "actual_to_date": acum.reshape(-1) / 100,
        }
    )
    out["gap_to_date"] = out["actual_to_date"] - out["target_to_date"]
    out["attainment_to_date_pct"] = pct(acum.reshape(-1), tcum.reshape(-1))
    out["status"] = status_light(out["attainment_to_date_pct"].to_numpy(dtype=float), d.thresholds)
    return out


def daily_checks(d: TrackingData, start=None, end=None, level: str = "branch") -> pd.DataFrame:
    """The daily three checks (早上对照目标 / 中午对照过程 / 晚上对照结果) per branch and day.

    Default days: the as-of month from its 1st to the as-of date.  Morning:
    ``target_day`` (the month's task over its working days) and
    ``mtd_target``; midday (process, from the activity records, NaN without
    them): ``visits``, ``new_customers``, ``quotes``; evening (result):
    ``deals`` (credited, share-weighted), ``actual_day``, ``gap_day``,
    ``mtd_actual``, ``mtd_gap`` and ``status`` (month-to-date vs target).
    """
    names, days, flags, tday, aday, deals = _daily_arrays(d, level)
    start = pd.Timestamp(start) if start is not None else d.as_of.to_period("M").start_time
    end = pd.Timestamp(end) if end is not None else d.as_of
    if end > d.as_of or start > end or start.year != d.year:
        raise ParameterError(f"daily checks need {d.year}-01-01 <= start <= end <= as_of ({d.as_of:%Y-%m-%d}); got {start:%Y-%m-%d} .. {end:%Y-%m-%d}.")
    # month-to-date sums restart on the 1st of each month
    month = days.month.to_numpy()
    tcum = pd.DataFrame(tday.T).groupby(month).cumsum().to_numpy().T
    acum = pd.DataFrame(aday.T).groupby(month).cumsum().to_numpy().T
    sel = np.flatnonzero((days >= start) & (days <= end))
    K, n = len(names), len(sel)
    out = pd.DataFrame(
        {
            S.BRANCH: np.repeat(names, n),
            "date": np.tile(days[sel].to_numpy(), K),
            "is_workday": np.tile(flags[sel], K),
            "target_day": tday[:, sel].reshape(-1) / 100,
            "mtd_target": tcum[:, sel].reshape(-1) / 100,
        }
    )
    proc = list(PROCESS)
    if d.activities is not None:
        a = d.activities
        have = [c for c in proc if c in a.columns]
        grp = [S.BRANCH, "date"] if level == "branch" else ["date"]
        g = a.groupby(grp, observed=True)[have].sum().reset_index()
        if level != "branch":
            g[S.BRANCH] = COMPANY
        out = out.merge(g, on=[S.BRANCH, "date"], how="left")
        for c in have:
            out[c] = out[c].fillna(0.0)
    for c in proc:
        if c not in out.columns:
            out[c] = np.nan
    out["deals"] = np.round(deals[:, sel].reshape(-1), 4)
    out["actual_day"] = aday[:, sel].reshape(-1) / 100
    out["gap_day"] = out["actual_day"] - out["target_day"]
    out["mtd_actual"] = acum[:, sel].reshape(-1) / 100
    out["mtd_gap"] = out["mtd_actual"] - out["mtd_target"]
    out["status"] = status_light(pct(acum[:, sel].reshape(-1), tcum[:, sel].reshape(-1)), d.thresholds)
    return out[[S.BRANCH, "date", "is_workday", "target_day", "mtd_target", *proc, "deals", "actual_day", "gap_day", "mtd_actual", "mtd_gap", "status"]]


def funnel(d: TrackingData, period: str = "ytd", level: str = "branch") -> pd.DataFrame:
    """Process → result funnel from the activity records: visits → quotes → deals → cash collected.

    Long format: branch (or ``全公司``), ``stage``, ``stage_order``,
    ``value``, ``from_stage`` and ``conversion_pct`` (quotes per 100 visits,
    deals per 100 quotes; new customers per 100 visits; cash collected per
    100 yuan of actual sales — the collection rate).  Empty without activities.
    """
    cols = [S.BRANCH, "stage", "stage_order", "value", "from_stage", "conversion_pct"]
    if d.activities is None:
        return pd.DataFrame(columns=cols)
    if level not in ("company", "branch"):
        raise ParameterError(f"the funnel is per branch or for the company, not '{level}'.")
    start, _ = d.period_bounds(period)
    a = d.activities[d.activities["date"] >= start]
    stages = [c for c in STAGES if c in a.columns]
    if level == "branch":
        g = a.groupby(S.BRANCH, observed=True)[stages].sum()
    else:
        g = a[stages].sum().to_frame(COMPANY).T
    sales = attainment(d, level, period)
    sales = sales.set_index(S.BRANCH)["actual"] if level == "branch" else pd.Series({COMPANY: sales["actual"].iloc[0]})
    g["sales"] = sales.reindex(g.index).fillna(0.0)
    prev = {"new_customers": "visits", "quotes": "visits", "deals": "quotes", "cash_collected": "sales"}
    order = {s: i for i, s in enumerate([*STAGES, "sales"], start=1)}
    parts = []
    for stage in stages + ["sales"]:
        src = prev.get(stage)
        if stage == "sales":
            src = "deals" if "deals" in g.columns else None
        conv = pct(g[stage], g[src]) if src in g.columns and stage != "sales" else np.full(len(g), np.nan)
        parts.append(pd.DataFrame({S.BRANCH: g.index, "stage": stage, "stage_order": order[stage], "value": g[stage].to_numpy(dtype=float),
                                   "from_stage": src if src in g.columns and stage != "sales" else None, "conversion_pct": conv}))
    out = pd.concat(parts, ignore_index=True).sort_values([S.BRANCH, "stage_order"], kind="stable").reset_index(drop=True)
    return out[cols]
