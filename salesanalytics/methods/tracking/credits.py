"""Actuals → credited amounts: checks, duplicates, contribution shares split exactly in fen, aggregation.

A deal credited to several salespeople carries one row per person with the deal's full
amount and that person's ``share`` in percent; the shares of a deal must sum to 100.  Each
person is credited only their share, split in integer fen by largest remainder so the
credited parts sum exactly to the deal (crediting every co-seller the full amount is the
classic bug).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...core import schema as S
from ...core.exceptions import DataError
from ...core.money import allocate_grouped, to_fen_array
from .common import SHARE_TOLERANCE, TrackingWarning, aggregate, codes, resolve_as_of, validate_fast


def _split_credits(amount_fen: np.ndarray, deal: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Each credit line's part of its deal, in fen, summing exactly to the deal (largest remainder).

    ``amount_fen`` is the deal's full amount on every line; ``deal`` 0..D-1; ``share`` in percent.
    """
    n_deals = int(deal.max()) + 1 if deal.size else 0
    lines = np.bincount(deal, minlength=n_deals)
    out = amount_fen.copy()
    multi = lines[deal] > 1
    if not multi.any():
        return out
    rows = np.flatnonzero(multi)
    d, idx = np.unique(deal[rows], return_inverse=True)
    first = np.zeros(d.size, dtype=np.int64)
    first[idx] = amount_fen[rows]  # every line carries the same amount (checked before)
    sign = np.where(first < 0, -1, 1)
    parts = allocate_grouped(np.abs(first), idx, share[rows])
    out[rows] = parts * sign[idx]
    return out


@dataclass
class Credits:
    """The actuals as credited: per day (or month) × keys, and per month × keys, in integer fen."""

    granularity: str  # "day" or "month"
    as_of: pd.Timestamp
    rows_after_as_of: int
    duplicates: pd.DataFrame  # the duplicated rows found (with their file row)
    credits: pd.DataFrame  # per day (or month) x keys: actual_fen, deals, rows (+ month for daily actuals)
    monthly: pd.DataFrame  # per month x keys, plain text keys
    keys: list[str]  # the key columns the actuals have (branch, salesperson, product)


def read_actuals(actuals: pd.DataFrame, actual_col: str, src: str, *, year: int, as_of, duplicates: str) -> Credits:
    """Check the actuals of plan ``year`` and credit them; ``as_of`` is the setting (None: the last day with actuals)."""
    if "date" in actuals.columns:
        granularity, tcol, schema = "day", "date", S.ACTUALS_DAILY_SCHEMA
    elif S.MONTH in actuals.columns:
        granularity, tcol, schema = "month", S.MONTH, S.ACTUALS_MONTHLY_SCHEMA
    else:
        raise DataError("has no 'date' (daily) or 'month' column.", source=src, fix="add a date column (日期) with the day of each sale, or a month column (月份)")
    if actual_col not in actuals.columns:
        raise DataError(f"has no column '{actual_col}'.", source=src, fix=f"add the actual {actual_col} in yuan, or track another measure")
    cols = [c for c in (tcol, S.BRANCH, S.SALESPERSON, S.PRODUCT, "deal_id", "share") if c in actuals.columns] + [actual_col]
    if actual_col != S.REVENUE and S.REVENUE in actuals.columns:
        cols.append(S.REVENUE)
    act = validate_fast(actuals[cols], schema, {"source": src})
    if granularity == "day":
        act[tcol] = act[tcol].dt.normalize()  # a sale at 15:30 belongs to its day
    when = act[tcol]
    # -- dates
    bad = (when.dt.year != year).to_numpy()
    if bad.any():
        shown = ", ".join(sorted({d.strftime("%Y-%m-%d") for d in when[bad].iloc[:5]}))
        raise DataError(
            f"{int(bad.sum())} actual row(s) fall outside the plan year {year} (e.g. {shown}).",
            source=src, column=tcol, rows=(np.flatnonzero(bad) + 2).tolist(),
            fix=f"keep only {year} in the actuals file, or track against that year's targets",
        )
    as_of = resolve_as_of(as_of, when.max(), granularity, year)
    after = (when > as_of).to_numpy()
    rows_after = int(after.sum())
    if after.any():
        act = act.loc[~after].reset_index(drop=True)
    act_rows = np.flatnonzero(~after) + 2  # file rows (header = row 1) of the kept rows
    if "deal_id" in act.columns:  # one factorisation of the (nearly unique) deal ids, reused below
        deal_code, deal_names = pd.factorize(act["deal_id"])
    # -- duplicates
    keys = [c for c in (tcol, S.BRANCH, S.SALESPERSON, S.PRODUCT, "deal_id") if c in act.columns]
    akeys = [c for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in act.columns]
    # one sort serves both the duplicate check and the aggregation: the day x keys code is the major part
    agg_code, agg_size = codes(act, [tcol] + akeys)
    code = agg_code
    if "deal_id" in act.columns:
        n = len(deal_names) + 1
        if agg_size * n >= 2**62:  # pragma: no cover - astronomically many keys
            agg_code = pd.factorize(agg_code)[0].astype(np.int64)
            agg_size = int(agg_code.max()) + 1
        code = agg_code * n + (deal_code + 1)
    order = np.argsort(code, kind="stable")
    same = code[order][1:] == code[order][:-1]
    is_dup = np.zeros(len(code), dtype=bool)
    is_dup[order[1:][same]] = True
    is_dup[order[:-1][same]] = True
    dup_rows = act.loc[is_dup, keys + [actual_col]].assign(row=act_rows[is_dup]).reset_index(drop=True)
    if is_dup.any():
        if duplicates == "error":
            raise DataError(
                f"{int(is_dup.sum())} duplicated actual rows: the same {'/'.join(keys)} appears more than once.",
                source=src, rows=act_rows[is_dup].tolist(),
                fix="remove the repeated rows, or if they are separate sales pass duplicates='sum' (CLI: --sum-duplicates) to add them up",
            )
        warnings.warn(
            f"{src}: {int(is_dup.sum())} duplicated actual rows (same {'/'.join(keys)}) were summed, as duplicates='sum' asks.",
            TrackingWarning, stacklevel=4,
        )
    # -- money to fen, shares
    # bounded: an amount beyond 10^15 yuan (or a total beyond it) is an error naming the rows, never a wrapped int64
    amount = to_fen_array(act[actual_col].to_numpy(dtype=float), source=src, column=actual_col, rows=act_rows)
    has_share = "share" in act.columns
    share = act["share"].to_numpy(dtype=float) if has_share else np.full(len(act), 100.0)
    if "deal_id" in act.columns:
        deal_na = deal_code < 0
        deal = deal_code.astype(np.int64)
        deal[deal_na] = len(deal_names) + np.arange(int(deal_na.sum()))  # a row without a deal id is its own deal
    else:
        deal_na = np.ones(len(act), dtype=bool)
        deal = np.arange(len(act), dtype=np.int64)
    if is_dup.any() and "deal_id" in act.columns:
        # summing repeated credit lines of one deal: the person's shares add up, the deal amount stays
        line = pd.factorize(code)[0]
        keep = ~pd.Series(line).duplicated().to_numpy()
        share = np.bincount(line, weights=share)[line][keep]
        act, amount, deal, deal_na, act_rows = act.loc[keep].reset_index(drop=True), amount[keep], deal[keep], deal_na[keep], act_rows[keep]
        deal_code = deal_code[keep]
        deal = pd.factorize(deal)[0].astype(np.int64)
        agg_code, order = agg_code[keep], None
    n_deals = int(deal.max()) + 1 if len(deal) else 0
    if has_share and len(act):
        _check_shares(share, deal, n_deals, deal_code if "deal_id" in act.columns else None, deal_names if "deal_id" in act.columns else None, deal_na, act_rows, src)
    if len(act):
        _check_deal_amounts(amount, deal, n_deals, act_rows, actual_col, src)
    credited = _split_credits(amount, deal, share) if has_share else amount
    # -- aggregate: one row per day (or month) x keys, and one per month x keys
    frame = {c: act[c] for c in [tcol] + akeys}
    if tcol == "date":
        frame[S.MONTH] = act["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    values = {"actual_fen": credited, "deals": share / 100.0, "rows": np.ones(len(act), dtype=np.int64)}
    credits = aggregate(frame, [tcol] + akeys, values, code=agg_code, order=order)
    if tcol == "date":
        credits[S.MONTH] = credits["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
        monthly = aggregate(frame, [S.MONTH] + akeys, values)
    else:
        monthly = credits
    monthly = monthly.copy()
    for k in akeys:  # small from here on: plain text keys
        monthly[k] = monthly[k].astype(object)
    return Credits(granularity, as_of, rows_after, dup_rows, credits, monthly, akeys)


def _check_shares(share, deal, n_deals, deal_code, deal_names, deal_na, act_rows, src) -> None:
    """The shares of every deal must sum to 100 % (within SHARE_TOLERANCE)."""
    total = np.bincount(deal, weights=share, minlength=n_deals)
    off = np.abs(total - 100.0) > SHARE_TOLERANCE
    if not off.any():
        return
    bad_rows = off[deal]
    ids = pd.unique(np.asarray(deal_names, dtype=object)[deal_code[bad_rows & ~deal_na]])[:5].astype(str) if deal_code is not None else []
    sums = ", ".join(f"{v:g}%" for v in np.unique(np.round(total[off], 4))[:5])
    what = f" (deal {', '.join(ids)})" if len(ids) else ""
    raise DataError(
        f"contribution shares of {int(off.sum())} deal(s){what} do not sum to 100% (they sum to {sums}).",
        source=src, column="share", rows=act_rows[bad_rows].tolist(),
        fix="give each deal's credit lines shares in percent that add up to exactly 100, e.g. 60 and 40"
        + ("; the shares look like fractions — write 60, not 0.6" if np.allclose(total[off], 1.0) else "")
        + ("; a row without a deal id is a deal of its own, so give shared deals a deal_id (单号)" if (bad_rows & deal_na).any() else ""),
    )


def _check_deal_amounts(amount, deal, n_deals, act_rows, actual_col, src) -> None:
    """Every credit line of a deal carries the deal's full amount."""
    lo = np.full(n_deals, np.iinfo(np.int64).max)
    hi = np.full(n_deals, np.iinfo(np.int64).min)
    np.minimum.at(lo, deal, amount)
    np.maximum.at(hi, deal, amount)
    differ = (lo != hi)[deal]
    if differ.any():
        raise DataError(
            "the credit lines of a deal carry different amounts; each line must carry the deal's full amount and its share.",
            source=src, column=actual_col, rows=act_rows[differ].tolist(),
            fix="write the whole deal amount on every line of the deal and split it with the share column",
        )
