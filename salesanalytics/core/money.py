"""Exact money: amounts are allocated in integer fen (1 yuan = 100 fen).

Every split uses the largest-remainder (Hamilton) method: each part gets the
floor of its exact share, and the fen left over go one each to the parts with
the largest fractional remainders (ties to the earlier part).  Parts therefore
always sum exactly to their total, and no part is more than one fen away
from its exact share.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from .exceptions import PlanError

FEN_PER_YUAN = 100


def to_fen(amount_yuan) -> int:
    """Yuan (number, str or Decimal) to integer fen, rounding half up."""
    value = Decimal(str(amount_yuan)) * FEN_PER_YUAN
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen) -> np.ndarray | float:
    """Integer fen to yuan as float (exact for display to 2 decimals)."""
    return np.asarray(fen, dtype=np.int64) / FEN_PER_YUAN if np.ndim(fen) else int(fen) / FEN_PER_YUAN


def allocate(total_fen: int, weights) -> np.ndarray:
    """Split ``total_fen`` over ``weights`` by largest remainder; returns int64 fen summing to the total."""
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1:
        raise ValueError("weights must be one-dimensional")
    total_fen = int(total_fen)
    if w.size == 0:
        if total_fen:
            raise PlanError("cannot allocate an amount over nothing")
        return np.zeros(0, dtype=np.int64)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise PlanError("allocation weights must be finite and not negative")
    s = w.sum()
    if s <= 0:
        if total_fen == 0:
            return np.zeros(w.size, dtype=np.int64)
        raise PlanError("cannot allocate a non-zero amount when every weight is zero")
    sign = -1 if total_fen < 0 else 1
    t = abs(total_fen)
    exact = (w / s) * t  # divide first: tiny (subnormal) weights must not overflow
    base = np.floor(exact).astype(np.int64)
    # Guard against float drift pushing the floor sum over the total.
    while base.sum() > t:
        base[np.argmax(base)] -= 1
    left = t - int(base.sum())
    if left:
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:left]] += 1
    return sign * base


def allocate_grouped(totals_fen, group_index, weights) -> np.ndarray:
    """Split ``totals_fen[g]`` over the rows whose ``group_index`` is g, by largest remainder.

    Vectorised over any number of groups (10,000 salespeople x 12 months is one call).
    ``group_index`` holds integers 0..G-1; returns int64 fen per row.
    """
    totals = np.asarray(totals_fen, dtype=np.int64)
    g = np.asarray(group_index, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise PlanError("allocation weights must be finite and not negative")
    if np.any(totals < 0):
        raise PlanError("grouped allocation needs totals >= 0")
    wsum = np.bincount(g, weights=w, minlength=totals.size)
    empty = (wsum <= 0) & (totals != 0)
    if np.any(empty):
        raise PlanError(f"cannot allocate a non-zero amount to group(s) {np.flatnonzero(empty).tolist()} whose weights are all zero")
    share = np.divide(w, wsum[g], out=np.zeros(w.size), where=wsum[g] > 0)
    exact = share * totals[g]
    base = np.floor(exact).astype(np.int64)
    # float drift: a floor may exceed the exact share by rounding; pull such groups back
    left = totals - np.bincount(g, weights=base, minlength=totals.size).astype(np.int64)
    frac = exact - base
    if np.any(left < 0):  # pragma: no cover - needs pathological float input
        for grp in np.flatnonzero(left < 0):
            rows = np.flatnonzero(g == grp)
            base[rows] = allocate(int(totals[grp]), w[rows])
        left = totals - np.bincount(g, weights=base, minlength=totals.size).astype(np.int64)
        frac = np.where(left[g] > 0, frac, 0.0)
    # Rank rows inside their group by remainder (descending, stable by position).
    order = np.lexsort((np.arange(g.size), -frac, g))
    g_sorted = g[order]
    starts = np.searchsorted(g_sorted, np.arange(totals.size))
    rank = np.arange(g.size) - starts[g_sorted]
    bump = rank < left[g_sorted]
    base[order[bump]] += 1
    return base


def allocate_matrix(total_fen: int, weights: np.ndarray) -> np.ndarray:
    """Split a total over a (rows x months) weight matrix so that everything reconciles.

    First the total is split over the columns (months) by their column weight,
    then each column over the rows.  Every column sums exactly to its month
    total, every row to its row total, and the grand total to ``total_fen``.
    """
    w = np.asarray(weights, dtype=float)
    col_totals = allocate(total_fen, w.sum(axis=0))
    n_rows, n_cols = w.shape
    group = np.tile(np.arange(n_cols), n_rows)
    cells = allocate_grouped(col_totals, group, w.reshape(-1))
    return cells.reshape(n_rows, n_cols)
