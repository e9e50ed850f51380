"""Targets, credited actuals and activities aligned for one plan year: what every tracking view reads.

:func:`prepare` checks the inputs and builds a :class:`TrackingData`; the views
(attainment, outlook, cadence) are functions of it.  Rules:

* **Unknown keys.**  Actuals of a branch or salesperson missing from the targets
  stay in every total (the company really sold it) and appear in the tables with
  ``status = no_target``; they are listed in ``unmatched`` and a
  :class:`TrackingWarning` is issued — they are never dropped silently.
* **Duplicates.**  Rows with the same key (day or month, branch, salesperson,
  product, deal id) are an error by default; ``duplicates="sum"`` adds them up
  (amounts of plain rows; the shares of repeated credit lines of a deal).
* **The as-of date** is a parameter (``None``: the last day with actuals); it must
  lie in the plan year.  Whether it lies in the future is the caller's to check.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ...core import calendar_cn
from ...core import schema as S
from ...core.exceptions import DataError, ParameterError, suggest
from .common import DEFAULT_THRESHOLDS, DUPLICATES, LEVELS, MEASURES, PERIODS, TrackingWarning, month_starts, validate_fast
from .credits import read_actuals


@dataclass
class TrackingData:
    """The fitted, aligned data of a tracker (money in integer fen)."""

    year: int
    as_of: pd.Timestamp
    measure: str
    granularity: str  # "day" or "month" (of the actuals)
    thresholds: dict[str, float]
    targets: pd.DataFrame  # month x target keys, target_fen
    target_keys: list[str]
    person_level: bool  # the targets are per salesperson
    product_targets: bool  # the targets are per product
    branch_order: list  # branches in the targets' order (the plan's)
    person_order: list
    credits: pd.DataFrame  # credited actuals per day (or month) x keys
    actual_keys: list[str]
    rows_after_as_of: int
    duplicates: pd.DataFrame
    unmatched: pd.DataFrame
    activities: pd.DataFrame | None
    monthly: pd.DataFrame  # actual and target per month x keys (outer join)
    keys: list[str]  # the keys targets and actuals share (branch[, salesperson])
    product_monthly: pd.DataFrame | None  # actual (and target) per month x product

    def sort(self, frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        """Order rows by the targets' order of branches (then salespeople); keys without a target last."""
        if not keys or frame.empty:
            return frame.reset_index(drop=True)
        order = []
        for key, known in ((S.BRANCH, self.branch_order), (S.SALESPERSON, self.person_order), (S.PRODUCT, [])):
            if key in keys:
                rank = {v: i for i, v in enumerate(known)}
                order.append(frame[key].astype(object).map(rank).fillna(len(rank)).to_numpy(dtype=float))
                order.append(frame[key].astype(str).to_numpy())
        idx = np.lexsort(order[::-1])
        return frame.iloc[idx].reset_index(drop=True)

    def branches(self) -> list:
        """Every branch with a target or an actual, in the targets' order."""
        present = set(self.monthly[S.BRANCH])
        extra = sorted(present - set(self.branch_order), key=str)
        return list(self.branch_order) + extra

    def level_keys(self, level: str) -> list[str]:
        if level not in LEVELS:
            raise ParameterError(f"level must be one of {', '.join(LEVELS)}, not '{level}'.{suggest(level, LEVELS)}")
        if level == "company":
            return []
        if level == "branch":
            return [S.BRANCH]
        if level == "salesperson":
            if S.SALESPERSON not in self.keys:
                raise ParameterError("salesperson level needs targets and actuals with a salesperson column (e.g. `backward --level salesperson`).")
            return [S.BRANCH, S.SALESPERSON]
        if self.product_monthly is None:
            raise ParameterError("product level needs actuals with a product column.")
        return [S.PRODUCT]

    def monthly_for(self, level: str) -> tuple[pd.DataFrame, list[str]]:
        keys = self.level_keys(level)
        return (self.product_monthly if level == "product" else self.monthly), keys

    def period_bounds(self, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """(first day of the period, first day of the as-of month)."""
        if period not in PERIODS:
            raise ParameterError(f"period must be one of {', '.join(PERIODS)}, not '{period}'.{suggest(period, PERIODS)}")
        a = self.as_of
        month = a.to_period("M").start_time
        start = {"month": month, "qtd": a.to_period("Q").start_time, "ytd": pd.Timestamp(year=a.year, month=1, day=1)}[period]
        return start, month

    def elapsed_fraction(self) -> float:
        """Share of the as-of month's working days elapsed by the as-of date (1.0 at month end)."""
        a = self.as_of
        if self.granularity == "month" or a == a + pd.offsets.MonthEnd(0):
            return 1.0
        start = a.to_period("M").start_time
        total = calendar_cn.working_days(start, start + pd.offsets.MonthEnd(0))
        return calendar_cn.working_days(start, a) / total if total else 1.0

    def open_months(self) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Months still open after the as-of date and the share of each one's working days still ahead."""
        months = month_starts(self.year)
        ends = months + pd.offsets.MonthEnd(0)
        open_ = months[ends > self.as_of]
        ahead = np.ones(len(open_))
        if len(open_) and open_[0] <= self.as_of:
            ahead[0] = 1.0 - self.elapsed_fraction()
        return open_, ahead


def check_settings(measure: str, duplicates: str, thresholds: Mapping[str, float] | None) -> dict[str, float]:
    """Check the tracker's settings; returns the thresholds as floats."""
    if measure not in MEASURES:
        raise ParameterError(f"measure must be one of {', '.join(MEASURES)}, not '{measure}'.{suggest(measure, MEASURES)}")
    if duplicates not in DUPLICATES:
        raise ParameterError(f"duplicates must be 'error' or 'sum', not '{duplicates}'.{suggest(duplicates, DUPLICATES)}")
    th = dict(DEFAULT_THRESHOLDS if thresholds is None else thresholds)
    if set(th) != {"green", "yellow"}:
        raise ParameterError(f"thresholds must have exactly the keys 'green' and 'yellow' (percent), got {sorted(th)}.")
    try:
        th = {k: float(v) for k, v in th.items()}
    except (TypeError, ValueError):
        raise ParameterError(f"thresholds must be numbers in percent, e.g. {{'green': 100, 'yellow': 90}}; got {thresholds}.") from None
    if not (0 <= th["yellow"] <= th["green"]) or not all(math.isfinite(v) for v in th.values()):
        raise ParameterError(f"thresholds need 0 <= yellow <= green (percent); got yellow={th['yellow']}, green={th['green']}.")
    return th


def prepare(targets: pd.DataFrame, actuals: pd.DataFrame, activities: pd.DataFrame | None = None, *,
            as_of=None, thresholds: Mapping[str, float] | None = None, measure: str = "sales", duplicates: str = "error") -> TrackingData:
    """Check and align targets, actuals and (optional) activity records of one plan year."""
    th = check_settings(measure, duplicates, thresholds)
    task_col, actual_col = MEASURES[measure]
    tgt, year = _read_targets(targets, task_col, measure)
    tkeys = [c for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in tgt.columns]
    person_level = S.SALESPERSON in tgt.columns
    a_src = actuals.attrs.get("source", "actuals")
    cr = read_actuals(actuals, actual_col, a_src, year=year, as_of=as_of, duplicates=duplicates)
    unmatched = _find_unmatched(tgt, cr.monthly, person_level, a_src)
    acts = _read_activities(activities, year, cr.as_of)
    monthly, keys, product_monthly = _build_monthly(tgt, tkeys, cr.monthly, cr.keys)
    return TrackingData(
        year=year, as_of=cr.as_of, measure=measure, granularity=cr.granularity, thresholds=th,
        targets=tgt, target_keys=tkeys, person_level=person_level, product_targets=S.PRODUCT in tgt.columns,
        # report rows in the order of the targets (the plan's branch order), not alphabetically
        branch_order=list(pd.unique(tgt[S.BRANCH])), person_order=list(pd.unique(tgt[S.SALESPERSON])) if person_level else [],
        credits=cr.credits, actual_keys=cr.keys, rows_after_as_of=cr.rows_after_as_of, duplicates=cr.duplicates,
        unmatched=unmatched, activities=acts, monthly=monthly, keys=keys, product_monthly=product_monthly,
    )


def _gp_targets_schema():
    return S.TARGETS_SCHEMA.remove_columns(["sales_task"]).add_columns(
        {"gross_profit_task": pa.Column(float, checks=pa.Check.ge(0), nullable=False, coerce=True)}
    )


def _read_targets(targets: pd.DataFrame, task_col: str, measure: str) -> tuple[pd.DataFrame, int]:
    """Targets as month x keys x ``target_fen`` (exact), of exactly one plan year."""
    t_src = targets.attrs.get("source", "targets")
    if task_col not in targets.columns:
        raise DataError(f"has no column '{task_col}' to track '{measure}' against.", source=t_src, fix="add the column, or use measure='sales'")
    tcols = [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in targets.columns]
    tgt = validate_fast(targets[tcols + [task_col]], S.TARGETS_SCHEMA if task_col == "sales_task" else _gp_targets_schema(), {"source": t_src})
    fen_col = f"{task_col}_fen"
    if fen_col in targets.columns:
        fen = targets[fen_col].to_numpy(dtype=np.int64)
    else:
        fen = np.rint(tgt[task_col].to_numpy(dtype=float) * 100).astype(np.int64)
    years = tgt[S.MONTH].dt.year.unique()
    if len(years) != 1:
        raise DataError(
            f"the targets span several years ({', '.join(str(y) for y in sorted(years))}); tracking follows one plan year.",
            source=t_src, column=S.MONTH, fix="keep the months of one plan year in the targets file",
        )
    tkeys = [c for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in tgt.columns]
    tgt = tgt[[S.MONTH] + tkeys].assign(target_fen=fen)
    dup = tgt.duplicated([S.MONTH] + tkeys, keep=False)
    if dup.any():
        raise DataError(
            "duplicate target rows: the same month and " + "/".join(tkeys) + " appears more than once.",
            source=t_src, rows=(np.flatnonzero(dup.to_numpy()) + 2).tolist(), fix="keep one target row per month and key",
        )
    return tgt, int(years[0])


def _read_activities(activities: pd.DataFrame | None, year: int, as_of: pd.Timestamp) -> pd.DataFrame | None:
    if activities is None:
        return None
    src = activities.attrs.get("source", "activities")
    act = validate_fast(activities, S.ACTIVITIES_SCHEMA, {"source": src})
    outside = act["date"].dt.year != year
    if outside.any():
        raise DataError(
            f"activity records outside the plan year {year}.", source=src, column="date",
            rows=(np.flatnonzero(outside.to_numpy()) + 2).tolist(), fix=f"keep only days of {year}",
        )
    return act[act["date"] <= as_of].reset_index(drop=True)


def _find_unmatched(targets: pd.DataFrame, monthly: pd.DataFrame, person_level: bool, src: str) -> pd.DataFrame:
    """Actuals whose branch (or branch/salesperson) has no target: reported with a warning, never dropped."""
    keys = [S.BRANCH] + ([S.SALESPERSON] if person_level and S.SALESPERSON in monthly.columns else [])
    known = targets[keys].drop_duplicates()
    present = monthly.groupby(keys, sort=True)[["actual_fen", "rows"]].sum().reset_index().rename(columns={"actual_fen": "_fen", "rows": "_rows"})
    merged = present.merge(known.assign(_known=True), on=keys, how="left")
    missing = merged[merged["_known"].isna()].copy()
    branches = set(targets[S.BRANCH])
    unmatched = pd.DataFrame(
        {
            **{k: missing[k].to_numpy() for k in keys},
            "in_targets": missing[S.BRANCH].isin(branches).to_numpy(),
            "rows": missing["_rows"].to_numpy(dtype=np.int64),
            "actual": missing["_fen"].to_numpy(dtype=np.int64) / 100,
        }
    )
    if len(missing):
        who = ", ".join("/".join(str(v) for v in r) for r in missing[keys].head(5).itertuples(index=False))
        more = f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""
        warnings.warn(
            f"{src}: {int(missing['_rows'].sum())} actual rows ({missing['_fen'].sum() / 100:,.2f} yuan) belong to "
            f"{len(missing)} {'/'.join(keys)} absent from the targets: {who}{more}. They count in the totals and are "
            "shown with status 'no_target'; see Tracker.unmatched().",
            TrackingWarning, stacklevel=4,
        )
    return unmatched


def _build_monthly(targets: pd.DataFrame, tkeys: list[str], act: pd.DataFrame, akeys: list[str]):
    """Actual and target per month × keys (outer join: keys of either side are kept), and per product."""
    # targets and actuals share the keys both of them have; product targets stay on their own level
    keys = [k for k in (S.BRANCH, S.SALESPERSON) if k in tkeys and k in akeys]
    a = act.groupby([S.MONTH] + keys, observed=True, dropna=False)[["actual_fen", "deals"]].sum()
    t = targets.groupby([S.MONTH] + keys, observed=True)["target_fen"].sum()
    m = a.join(t, how="outer").reset_index()
    m["actual_fen"] = m["actual_fen"].fillna(0).astype(np.int64)
    m["deals"] = m["deals"].fillna(0.0)
    m["has_target"] = m["target_fen"].notna()
    # actuals by product, whatever the targets hold
    product_monthly = None
    if S.PRODUCT in akeys:
        pkeys = [S.PRODUCT]
        p = act.groupby([S.MONTH] + pkeys, observed=True, dropna=False)["actual_fen"].sum()
        if S.PRODUCT in tkeys:
            pt = targets.groupby([S.MONTH] + pkeys, observed=True)["target_fen"].sum()
            p = p.to_frame().join(pt, how="outer")
        else:
            p = p.to_frame().assign(target_fen=np.nan)
        p = p.reset_index()
        p["actual_fen"] = p["actual_fen"].fillna(0).astype(np.int64)
        p["has_target"] = p["target_fen"].notna()
        product_monthly = p
    return m, keys, product_monthly
