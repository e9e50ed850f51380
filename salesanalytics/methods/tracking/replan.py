"""Re-planning the rest of the year so that company, branches and salespeople add up, to the fen.

The rule (written for people in the README, section "Re-planning the rest of the year"):

1. **The company's remaining gap** = max(company annual target − company actual to
   date, 0).  Every actual counts, also the sales of people or branches without
   a target.
2. **Over-achievement is credited to the parent.**  Each branch's *own* gap is
   max(its annual target − its actual, 0).  The company gap is split over the
   branches in proportion to their own gaps, so the branches' shares add up
   exactly to the company gap and a branch that is ahead of its target gets
   nothing more; its surplus lowers the company gap that the others share.
   Each branch's share is split over its salespeople the same way (their own
   gaps as weights).  Only keys that still have a planned task in the open
   months take part: a person with no task left (left the company, or a task
   ending before the as-of date) gets nothing more, and their gap goes to the
   colleagues.  Keys without a target (actuals only) get nothing more.
3. **If every child still working is ahead but the parent is not** (impossible
   when the children's targets sum to the parent's and every actual belongs to
   a child with a target — it needs e.g. refunds of people without a target, or
   behind people who have left), the parent's gap is split by the children's
   planned tasks in the open months; if none has one, by their annual targets.
4. **Months.**  Each branch's share is spread over the open months by the
   branch's planned phasing (the month in progress weighted by its share of
   working days still ahead; by working days where nothing is planned), by
   largest remainder; the company's month is the sum of its branches'.  Each
   person's share is spread by the person's own phasing and then
   **reconciled**: for every branch and open month the persons' parts sum
   exactly to the branch's part of that month, and every person's months
   exactly to the person's share (iterative proportional fitting on the
   phasing, largest remainder per person, then single fen moved between
   months where a month is off).  Integer fen throughout.
5. ``new_task`` of a closed month = its actual; of an open month = what is
   already booked in it + its part of the gap.  So for every month
   company = Σ branches = Σ persons (persons of the branches with a roster).

Each row says why it got what it got (``rule``, labelled by the value kind
``replan_rule``): ``company_gap``, ``share_of_company_gap``,
``share_of_branch_gap``, ``share_by_open_task``, ``share_by_annual_target``,
``ahead_of_target``, ``no_open_task``, ``parent_target_reached`` (behind its
own target, but the parent's target is already reached thanks to others) and
``no_target``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core import calendar_cn
from ...core import schema as S
from ...core.exceptions import ParameterError
from ...core.money import allocate_grouped
from .common import month_starts
from .data import TrackingData

#: rule of a child whose share follows its own gap, by parent level
_SHARE_RULE = {"company": "share_of_company_gap", "branch": "share_of_branch_gap"}
#: the fallbacks of point 3 of the rule, in order
_FALLBACK_RULES = ("share_by_open_task", "share_by_annual_target")
#: IPF: iterations at most and tolerance (fen) on the column sums
_IPF_ITER, _IPF_TOL, _IPF_BLEND = 500, 1e-4, 1e-6


class _Level:
    """One level of the tree: its keys, actual/target matrices (keys x 12, fen) and, after the split, its shares."""

    def __init__(self, keys: pd.DataFrame, A: np.ndarray, T: np.ndarray, has_target: np.ndarray, parent: np.ndarray):
        self.keys, self.A, self.T, self.has_target, self.parent = keys, A, T, has_target, parent
        self.own_gap = np.maximum(T.sum(axis=1) - A.sum(axis=1), 0)
        self.gap = np.zeros(len(keys), dtype=np.int64)
        self.rule = np.full(len(keys), "no_target", dtype=object)
        self.parts = None  # keys x open months: part of the gap


def replan(d: TrackingData, level: str = "branch") -> pd.DataFrame:
    """Re-plan the rest of the year by the hierarchical rule of this module, exact to the fen.

    Columns: keys, ``month``, ``month_status`` (closed/open), ``planned_task``,
    ``actual``, ``new_task``, ``change``, ``remaining_gap`` (the key's share
    of its parent's gap: what it must still deliver), ``own_gap`` (annual
    target − actual, 0 once reached), ``annual_target``, ``rule`` (why, a
    code of the value kind ``replan_rule``) and exact ``*_fen`` columns.
    Levels: company, branch, salesperson; the three are consistent month by month.
    """
    if level == "product":
        raise ParameterError("replan works on company, branch or salesperson level (targets are set per branch/person).")
    keys = d.level_keys(level)
    tree = _tree(d, with_persons=level == "salesperson")
    return _frame(d, tree[level], keys)


def _matrices(d: TrackingData, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """(keys in the plan's order, actual fen, planned fen, has a target) of every key with a target or an actual."""
    m = d.monthly
    frame = m.groupby(keys + [S.MONTH], observed=True, dropna=False).agg(
        actual_fen=("actual_fen", "sum"), target_fen=("target_fen", "sum"), has_target=("has_target", "any")).reset_index()
    key_frame = d.sort(frame[keys].drop_duplicates(), keys)
    n = len(key_frame)
    kcode = frame[keys].merge(key_frame.reset_index(), on=keys, how="left")["index"].to_numpy()
    mcode = frame[S.MONTH].dt.month.to_numpy() - 1
    A = np.zeros((n, 12), dtype=np.int64)
    T = np.zeros((n, 12), dtype=np.int64)
    np.add.at(A, (kcode, mcode), frame["actual_fen"].to_numpy(dtype=np.int64))
    np.add.at(T, (kcode, mcode), np.nan_to_num(frame["target_fen"].to_numpy(dtype=float)).astype(np.int64))
    has = np.zeros(n, dtype=bool)
    np.logical_or.at(has, kcode, frame["has_target"].to_numpy(dtype=bool))
    return key_frame, A, T, has


def _tree(d: TrackingData, with_persons: bool) -> dict[str, _Level]:
    """Company, branches (and persons) with their shares of the gap and their open-month parts."""
    open_, ahead = d.open_months()
    open_idx = (open_.month.to_numpy() - 1) if len(open_) else np.zeros(0, dtype=int)
    wd = np.array([calendar_cn.working_days(max(mo, d.as_of + pd.Timedelta(days=1)), mo + pd.offsets.MonthEnd(0)) for mo in open_], dtype=float)
    b_keys, A, T, has = _matrices(d, [S.BRANCH])
    branch = _Level(b_keys, A, T, has, np.zeros(len(b_keys), dtype=np.int64))
    company = _Level(pd.DataFrame(index=[0]), A.sum(axis=0, keepdims=True), T.sum(axis=0, keepdims=True), np.array([has.any()]), np.zeros(1, dtype=np.int64))
    company.gap = company.own_gap.copy()
    company.rule[:] = "company_gap" if company.gap[0] > 0 else "ahead_of_target"
    phase = lambda lv: _phasing(lv.T, open_idx, ahead, wd)  # noqa: E731
    if len(open_idx) and company.gap[0] > 0 and wd.sum() <= 0:  # pragma: no cover - December with no working day left
        raise ParameterError("no working day is left in the year to re-plan the gap over.")
    levels = {"company": company, "branch": branch}
    # the branch is the planning level: its months follow its own phasing; the company's months are their sum
    _split(company, branch, "company", open_idx, phase(branch), reconcile_months=False)
    company.parts = branch.parts.sum(axis=0, keepdims=True)
    if with_persons:
        p_keys, A, T, has = _matrices(d, [S.BRANCH, S.SALESPERSON])
        parent = pd.Index(b_keys[S.BRANCH].astype(object)).get_indexer(p_keys[S.BRANCH].astype(object))
        person = _Level(p_keys, A, T, has, parent.astype(np.int64))
        _split(branch, person, "branch", open_idx, phase(person), reconcile_months=True)
        levels["salesperson"] = person
    return levels


def _phasing(T: np.ndarray, open_idx: np.ndarray, ahead: np.ndarray, wd: np.ndarray) -> np.ndarray:
    """Weights of the open months per key: planned tasks (month in progress by working days ahead); by working days where none."""
    w = T[:, open_idx].astype(float) * ahead[None, :]
    empty = w.sum(axis=1) <= 0
    w[empty] = wd[None, :]
    return w


def _split(up: _Level, down: _Level, up_name: str, open_idx: np.ndarray, phase: np.ndarray, *, reconcile_months: bool) -> None:
    """Give each child its share of its parent's gap (rule points 2-3) and spread it over the open months (point 4).

    ``reconcile_months``: the children's months must add up to the parent's months
    (persons in a branch); otherwise each child follows its own phasing (branches).
    """
    n_up = len(up.gap)
    g = down.parent
    open_task = down.T[:, open_idx].sum(axis=1) > 0 if len(open_idx) else np.zeros(len(g), dtype=bool)
    bases = [
        (_SHARE_RULE[up_name], np.where(down.has_target & open_task, down.own_gap, 0).astype(float)),
        (_FALLBACK_RULES[0], np.where(down.has_target, phase.sum(axis=1) * open_task, 0.0)),
        (_FALLBACK_RULES[1], np.where(down.has_target, down.T.sum(axis=1), 0).astype(float)),
        (_FALLBACK_RULES[1], down.has_target.astype(float)),  # annual targets of 0 and refunds: equally
    ]
    weights = np.zeros(len(g))
    basis = np.full(n_up, -1)
    need = up.gap > 0
    for i, (_, w) in enumerate(bases):
        avail = np.bincount(g, weights=w, minlength=n_up) > 0
        take = need & avail & (basis < 0)
        basis[take] = i
        weights = np.where(take[g], w, weights)
    if np.any(need & (basis < 0)):  # pragma: no cover - a parent with a gap and no child with a target
        raise ParameterError("a gap cannot be re-planned: no key below it has a target.")
    down.gap = allocate_grouped(np.where(need, up.gap, 0), g, weights)
    rule = np.where(down.own_gap > 0, np.where(open_task, "parent_target_reached", "no_open_task"), "ahead_of_target").astype(object)
    for i, (code, _) in enumerate(bases):
        rule = np.where((basis[g] == i) & (weights > 0), code, rule)
    down.rule = np.where(down.has_target, rule, "no_target").astype(object)
    if not len(open_idx):  # the year is over: nothing is left to re-plan; the gap stays a shortfall
        down.parts = np.zeros((len(g), 0), dtype=np.int64)
        return
    if not reconcile_months:
        rows = np.repeat(np.arange(len(g)), len(open_idx))
        down.parts = allocate_grouped(down.gap, rows, phase.reshape(-1)).reshape(len(g), len(open_idx))
        return
    parts = np.zeros((len(g), len(open_idx)), dtype=np.int64)
    for p in range(n_up):
        rows = np.flatnonzero(g == p)
        if len(rows) and len(open_idx):
            parts[rows] = reconcile(up.parts[p], down.gap[rows], phase[rows])
    down.parts = parts


def reconcile(col_totals, row_totals, weights) -> np.ndarray:
    """Integer fen matrix (rows x months) whose rows sum to ``row_totals`` and columns to ``col_totals``, near ``weights``' phasing.

    Each row follows its own phasing ``weights`` as closely as the column totals
    allow: iterative proportional fitting on the rows' phasing (with a trace of
    the independent product so that it always converges), largest remainder per
    row, then single fen moved between months, from the row furthest above
    its fitted value in the month with too much to one furthest below in the
    month with too little.  Cells are never negative.
    """
    col = np.asarray(col_totals, dtype=np.int64)
    row = np.asarray(row_totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    total = int(row.sum())
    if total != int(col.sum()) or np.any(row < 0) or np.any(col < 0):
        raise ParameterError(f"cannot reconcile rows summing to {total} fen with months summing to {int(col.sum())} fen.")
    n, k = w.shape
    if total == 0 or k == 0:
        return np.zeros((n, k), dtype=np.int64)
    share = col / total
    wsum = w.sum(axis=1, keepdims=True)
    phase = np.where(wsum > 0, w / np.where(wsum > 0, wsum, 1), share[None, :])
    fit = row[:, None] * ((1 - _IPF_BLEND) * phase + _IPF_BLEND * share[None, :])
    for _ in range(_IPF_ITER):
        cs = fit.sum(axis=0)
        fit *= np.divide(col, cs, out=np.zeros(k), where=cs > 0)[None, :]
        rs = fit.sum(axis=1)
        fit *= np.divide(row, rs, out=np.zeros(n), where=rs > 0)[:, None]
        if np.abs(fit.sum(axis=0) - col).max() < _IPF_TOL:
            break
    cells = allocate_grouped(row, np.repeat(np.arange(n), k), fit.reshape(-1)).reshape(n, k)
    off = cells.sum(axis=0) - col  # > 0: too much in that month
    while np.any(off):
        s, t = int(np.argmax(off)), int(np.argmin(off))
        dev = cells - fit
        score = np.where(cells[:, s] > 0, dev[:, s] - dev[:, t], -np.inf)
        order = np.argsort(-score, kind="stable")[: int(min(off[s], -off[t]))]
        order = order[np.isfinite(score[order])]
        cells[order, s] -= 1
        cells[order, t] += 1
        off[s] -= len(order)
        off[t] += len(order)
    return cells


def _frame(d: TrackingData, lv: _Level, keys: list[str]) -> pd.DataFrame:
    open_, _ = d.open_months()
    open_idx = (open_.month.to_numpy() - 1) if len(open_) else np.zeros(0, dtype=int)
    n, n_m = len(lv.gap), 12
    new = lv.A.copy()
    if len(open_idx):
        new[:, open_idx] += lv.parts
    out = pd.DataFrame({k: np.repeat(lv.keys[k].to_numpy(), n_m) for k in keys})
    out[S.MONTH] = np.tile(month_starts(d.year).to_numpy(), n)
    out["month_status"] = np.tile(np.where(np.isin(np.arange(12), open_idx), "open", "closed"), n)
    out["planned_task_fen"] = lv.T.reshape(-1)
    out["actual_fen"] = lv.A.reshape(-1)
    out["new_task_fen"] = new.reshape(-1)
    out["planned_task"] = out["planned_task_fen"] / 100
    out["actual"] = out["actual_fen"] / 100
    out["new_task"] = out["new_task_fen"] / 100
    out["change"] = (out["new_task_fen"] - out["planned_task_fen"]) / 100
    out["remaining_gap"] = np.repeat(lv.gap, n_m) / 100
    out["own_gap"] = np.repeat(lv.own_gap, n_m) / 100
    out["annual_target"] = np.repeat(lv.T.sum(axis=1), n_m) / 100
    out["rule"] = np.repeat(lv.rule, n_m)
    return out
