"""Exact money: amounts are allocated in integer fen (1 yuan = 100 fen).

Every split uses the largest-remainder (Hamilton) method: each part gets the
floor of its exact share, and the fen left over go one each to the parts with
the largest fractional remainders (ties to the earlier part).  Parts therefore
always sum exactly to their total, and no part is more than one fen away
from its exact share.

Bounds: every amount, and every total of amounts, is at most
:data:`~salesanalytics.core.numbers.MAX_AMOUNT_YUAN` (10^15 yuan = 10^17 fen), so
every sum of fen fits a 64-bit integer with room to spare (9.2 x 10^18).  Totals
above 2^50 fen (about 1.1 x 10^13 yuan) are split in exact integer arithmetic:
a float share of such a total can be off by more than one fen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np

from .exceptions import DataError, PlanError
from .numbers import MAX_AMOUNT_YUAN

FEN_PER_YUAN = 100
#: The largest amount in fen (10^17): every amount and every total the tool handles.
MAX_FEN = MAX_AMOUNT_YUAN * FEN_PER_YUAN
#: Below this total a float share is exact to well under one fen (error < t x 3.3e-16).
_FLOAT_EXACT_FEN = 2**50
_BOUND_FIX = "check the unit (yuan, not fen) and the number of digits"


def to_fen(amount_yuan) -> int:
    """Yuan (number, str or Decimal) to integer fen, rounding half up; beyond ±MAX_AMOUNT_YUAN is a PlanError."""
    try:
        value = Decimal(str(amount_yuan)) * FEN_PER_YUAN
        if not value.is_finite():
            raise InvalidOperation
        if abs(value) > MAX_FEN:
            raise PlanError(f"{value / FEN_PER_YUAN:,.0f} yuan is beyond the largest amount the tool accepts "
                            f"({MAX_AMOUNT_YUAN:,} yuan). Fix: {_BOUND_FIX}.")
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise PlanError(f"'{amount_yuan}' is not a finite amount in yuan. Fix: write digits, e.g. 68000000.") from None


def to_fen_array(amount_yuan, *, source: str | None = None, column: str | None = None, rows=None) -> np.ndarray:
    """Yuan (float array) to int64 fen (to the nearest fen, ties to even); amounts and their total bounded.

    An amount beyond ±MAX_AMOUNT_YUAN, or amounts that add up beyond it, are a
    :class:`DataError` naming ``source``, ``column`` and the ``rows`` (file rows of the values).
    """
    yuan = np.asarray(amount_yuan, dtype=float)
    bad = ~np.isfinite(yuan) | (np.abs(yuan) > MAX_AMOUNT_YUAN)
    if bad.any():
        where = np.flatnonzero(bad)
        shown = (where + 2).tolist() if rows is None else np.asarray(rows)[where].tolist()
        first = yuan[where[0]]
        problem = (f"{first:,.0f} is beyond the largest amount the tool accepts ({MAX_AMOUNT_YUAN:,} yuan)."
                   if np.isfinite(first) else f"'{first}' is not a finite amount.")
        raise DataError(problem, source=source, column=column, rows=shown, fix=_BOUND_FIX)
    total = float(np.abs(yuan).sum())
    if total > MAX_AMOUNT_YUAN:
        raise DataError(f"the amounts add up to {total:,.0f} yuan, beyond the largest total the tool accepts ({MAX_AMOUNT_YUAN:,} yuan).",
                        source=source, column=column, fix=_BOUND_FIX)
    return np.rint(yuan * FEN_PER_YUAN).astype(np.int64)


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
    _check_total(t)
    if t > _FLOAT_EXACT_FEN:
        return sign * _allocate_exact(t, w)
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


def _check_total(total: int) -> None:
    if total > MAX_FEN:
        raise PlanError(f"cannot split {total / FEN_PER_YUAN:,.0f} yuan: beyond the largest amount the tool accepts "
                        f"({MAX_AMOUNT_YUAN:,} yuan). Fix: {_BOUND_FIX}.")


def _bounded_totals(totals_fen) -> np.ndarray:
    """Totals as int64 fen, each within ±MAX_FEN (a Python int too large for int64 is refused, never wrapped)."""
    try:
        totals = np.asarray(totals_fen)
        if totals.dtype.kind not in "iu":
            totals = np.asarray([int(v) for v in totals.reshape(-1).tolist()], dtype=object)
    except OverflowError:
        totals = np.asarray([int(v) for v in totals_fen], dtype=object)
    if totals.size:
        _check_total(int(np.abs(totals).max()))
    return totals.astype(np.int64)


def _allocate_exact(total: int, w: np.ndarray) -> np.ndarray:
    """Largest remainder in exact integers: each float weight is m x 2^e, so scaled weights are integers."""
    mant, expo = np.frexp(w)
    low = int(expo[w > 0].min()) if np.any(w > 0) else 0
    scaled = [int(m * 2**53) << (int(e) - low) if m else 0 for m, e in zip(mant.tolist(), expo.tolist())]
    s = sum(scaled)
    base = [total * x // s for x in scaled]
    rem = [total * x % s for x in scaled]
    left = total - sum(base)
    for i in sorted(range(len(base)), key=lambda i: (-rem[i], i))[:left]:
        base[i] += 1
    return np.asarray(base, dtype=np.int64)


def allocate_grouped(totals_fen, group_index, weights) -> np.ndarray:
    """Split ``totals_fen[g]`` over the rows whose ``group_index`` is g, by largest remainder.

    Vectorised over any number of groups (10,000 salespeople x 12 months is one call).
    ``group_index`` holds integers 0..G-1; returns int64 fen per row.
    """
    totals = _bounded_totals(totals_fen)
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
    large = np.flatnonzero(totals > _FLOAT_EXACT_FEN)
    if large.size:  # split exactly in integers (rare: a group total above 10^13 yuan), the rest as usual
        base = np.zeros(w.size, dtype=np.int64)
        small = totals.copy()
        small[large] = 0
        rest = ~np.isin(g, large)
        if rest.any():
            base[rest] = allocate_grouped(small, g[rest], w[rest])
        for grp in large:
            rows = np.flatnonzero(g == grp)
            base[rows] = _allocate_exact(int(totals[grp]), w[rows])
        return base
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
