"""Targets beyond branch x month: by product line, market or customer type (产品 / 市场 / 客户类型).

"目标应该具体到团队和个人的层面": each branch-month (or salesperson-month) task is split over the
plan's ``mix`` shares by largest remainder, so the parts add up to the fen to the task they come
from, and therefore to branch x month, to the salesperson and to the company total.  Shares are
given in the plan (percentages summing to 100; gross profit may have its own) or measured per
branch from a history frame with the dimension's column (the company's shares where a branch has
none).  The result is the shared targets format with one more key column: tracking reads it and
reports attainment by that column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import PlanError
from ..core.money import allocate_grouped
from .plan import Mix

TASK_FEN = ("gross_profit_task_fen", "sales_task_fen")


def mix_shares(mix: Mix, names: list[str], history: pd.DataFrame | None, year: int, source: str = "<plan>"):
    """``(categories, sales_shares, gross_profit_shares)``: shares per branch (branches x categories, rows sum to 1)."""
    if mix.source == "shares":
        cats = [k for k, _ in mix.shares]
        sales = np.tile(np.array([v for _, v in mix.shares]) / 100.0, (len(names), 1))
        gp = np.tile(np.array([v for _, v in mix.gross_profit_shares]) / 100.0, (len(names), 1))
        return cats, sales, gp
    where = f"{source}.mix.{mix.dimension}"
    if history is None or mix.dimension not in history.columns or S.BRANCH not in history.columns or S.REVENUE not in history.columns:
        raise PlanError(
            f"{where}: 'from: history' needs a history with columns branch, {mix.dimension} and revenue. "
            f"Fix: pass one (e.g. --mix-history actuals.csv with a {mix.dimension} column), or give shares in the plan."
        )
    frame = history
    if S.MONTH in frame.columns:
        last = frame[pd.to_datetime(frame[S.MONTH]).dt.year == year - 1]
        frame = last if not last.empty else frame
    elif "date" in frame.columns:
        last = frame[pd.to_datetime(frame["date"]).dt.year == year - 1]
        frame = last if not last.empty else frame
    frame = frame.dropna(subset=[mix.dimension])
    cats = sorted(frame[mix.dimension].astype(str).unique().tolist())
    if not cats:
        raise PlanError(f"{where}: the history has no {mix.dimension} values. Fix: give shares in the plan.")
    values = [S.REVENUE] + ([S.GROSS_PROFIT] if S.GROSS_PROFIT in frame.columns else [])
    if "share" in frame.columns:  # a deal credited to several people: each line carries the deal's amount and its share
        frame = frame.assign(**{v: frame[v] * frame["share"].fillna(100) / 100 for v in values})
    table = frame.assign(**{mix.dimension: frame[mix.dimension].astype(str)}).groupby([S.BRANCH, mix.dimension])[values].sum().clip(lower=0)
    out = []
    for col in (S.REVENUE, S.GROSS_PROFIT if S.GROSS_PROFIT in values else S.REVENUE):
        wide = table[col].unstack(mix.dimension).reindex(columns=cats).fillna(0.0)
        company = wide.sum(axis=0).to_numpy(dtype=float)
        if company.sum() <= 0:
            raise PlanError(f"{where}: the history's {col} by {mix.dimension} sums to 0; no shares can be measured. Fix: give shares.")
        rows = np.empty((len(names), len(cats)))
        for i, name in enumerate(names):
            row = wide.loc[name].to_numpy(dtype=float) if name in wide.index else np.zeros(len(cats))
            rows[i] = row / row.sum() if row.sum() > 0 else company / company.sum()
        out.append(rows)
    return cats, out[0], out[1]


def split_by_mix(tasks: pd.DataFrame, names: list[str], dimension: str, cats: list[str], sales: np.ndarray, gp: np.ndarray) -> pd.DataFrame:
    """Every row of ``tasks`` (integer-fen task columns, a ``branch`` column) split over the categories, exact in fen.

    Returns the rows of ``tasks`` repeated once per category, the ``dimension`` column after the
    other keys, and the split ``*_fen`` and yuan task columns.
    """
    k = len(cats)
    idx = pd.Index(names).get_indexer(tasks[S.BRANCH])
    if (idx < 0).any():
        raise PlanError(f"tasks name branches the plan does not have: {sorted(set(tasks[S.BRANCH][idx < 0]))}.")
    n = len(tasks)
    group = np.repeat(np.arange(n), k)
    keys = [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON) if c in tasks.columns]
    out = tasks[keys].iloc[group].reset_index(drop=True)
    out[dimension] = np.tile(np.asarray(cats, dtype=object), n).astype(str)
    for column, shares in zip(TASK_FEN, (gp, sales)):
        out[column] = allocate_grouped(tasks[column].to_numpy(dtype=np.int64), group, shares[idx].reshape(-1))
    out["gross_profit_task"] = out["gross_profit_task_fen"] / 100
    out["sales_task"] = out["sales_task_fen"] / 100
    return out
