"""Manager adjustments of recommended targets, with reasons: "lock this, re-spread the others".

An adjustments table has one row per change (headers in Chinese or English)::

    branch  month    amount_yuan  change_pct  reason              author  adjusted_on
    北京    2026-03               +10         大客户续约           王总    2026-01-05
    杭州    全年      9000000                  新产品线延期         李经理  2026-01-06

* ``month``: a month of the plan year (``2026-03``, ``2026年3月``), or the whole
  year (``2026``, ``全年``, ``year`` or blank).
* exactly one of ``amount_yuan`` (the new amount in yuan) or ``change_pct``
  (a change in percent: ``+10`` means 10 % more, ``-5`` 5 % less).
* ``reason``, ``author`` are required (it is an audit trail); ``adjusted_on``
  is the date of the decision.

All adjustments are applied at once, against the targets before any of them:
every adjusted cell is locked (a whole-year adjustment locks the branch's 12
months, spread by the branch's current monthly shape, exactly in fen), and the
company total is held by re-spreading what is left over every unlocked cell in
proportion to its current target (largest remainder, so the total holds to the
fen).  Locks that leave a negative remainder, or lock every cell at a different
total, cannot hold the total and are rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.validation import validate
from ..core.exceptions import DataError, suggest
from ..core.labels import text
from ..core.money import allocate, to_fen

YEAR_WORDS = ("全年", "年度", "year", "all", "annual")
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*(?:[年\-/.]\s*(\d{1,2})\s*月?|(\d{2}))?\s*年?\s*$")


@dataclass(frozen=True)
class Adjustment:
    """One manager adjustment; ``month`` is 1..12 or None for the whole year."""

    branch: str
    month: int | None
    amount_fen: int | None
    change_pct: float | None
    reason: str
    author: str
    adjusted_on: pd.Timestamp | None = None
    row: int | None = None  # the row number a person sees in the file (header = row 1)

    def period_label(self, year: int, lang: str = "zh") -> str:
        if self.month is None:
            return text("cb_whole_year", lang, year=year)
        return f"{year}-{self.month:02d}"


class AdjustmentList(list):
    """The adjustments of one file, in file order; ``source`` names the file for error messages."""

    def __init__(self, items=(), source: str = "<adjustments>"):
        super().__init__(items)
        self.source = source


def _parse_period(value, year: int) -> int | None | str:
    """Month number, None (whole year) or the text back when it is not a period of ``year``."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp) or hasattr(value, "month"):
        ts = pd.Timestamp(value)
        return ts.month if ts.year == year and ts.day == 1 else str(value)
    text = str(value).strip()
    if not text or text.lower() in YEAR_WORDS:
        return None
    m = _MONTH_RE.match(text)
    if not m or int(m.group(1)) != year:
        return text
    month = m.group(2) or m.group(3)
    if month is None:
        return None
    month = int(month)
    return month if 1 <= month <= 12 else text


def parse_adjustments(frame: pd.DataFrame, branches: list[str], year: int, *, source: str | None = None) -> AdjustmentList:
    """Check an adjustments table against the plan's branches and year; return the adjustments.

    ``frame`` is what :func:`salesanalytics.adapters.io.read_adjustments` returns (or
    an in-memory frame with the same columns; it is validated here too).
    """

    source = source or frame.attrs.get("source", "<adjustments>")
    frame = frame.reset_index(drop=True)
    if "period" not in frame.columns:
        frame = frame.assign(period=None)
    for col in ("amount_yuan", "change_pct", "adjusted_on"):
        if col not in frame.columns:
            frame = frame.assign(**{col: None})
    frame = validate(frame, S.ADJUSTMENTS_SCHEMA, {"source": source, "sheet": None, "original": {}})
    rows = (frame.index + 2).tolist()
    out = AdjustmentList(source=source)
    for i, rec in enumerate(frame.itertuples(index=False)):
        row = rows[i]
        branch = str(rec.branch).strip()
        if branch not in branches:
            raise DataError(
                f"unknown branch '{branch}'.{suggest(branch, branches)}",
                source=source, column="branch", rows=[row],
                fix=f"use one of the plan's branches: {', '.join(branches)}",
            )
        month = _parse_period(rec.period, year)
        if isinstance(month, str):
            raise DataError(
                f"'{month}' is not a month of the plan year {year}.",
                source=source, column="month", rows=[row],
                fix=f"write {year}-01 … {year}-12, or {year} / 全年 / blank for the whole year",
            )
        amount = rec.amount_yuan if rec.amount_yuan == rec.amount_yuan else None
        pct = rec.change_pct if rec.change_pct == rec.change_pct else None
        if (amount is None) == (pct is None):
            raise DataError(
                "give exactly one of amount_yuan (the new amount) or change_pct (e.g. +10 or -5)"
                + (", not both." if amount is not None else "; both are empty."),
                source=source, column="amount_yuan/change_pct", rows=[row],
                fix="fill one of the two columns and leave the other blank",
            )
        if pct is not None and pct < -100:
            raise DataError(
                f"change_pct {pct:g} would make the target negative.",
                source=source, column="change_pct", rows=[row], fix="a cut cannot exceed -100 (%)",
            )
        on = rec.adjusted_on if not pd.isna(rec.adjusted_on) else None
        out.append(Adjustment(branch, month, None if amount is None else to_fen(amount), pct, str(rec.reason).strip(), str(rec.author).strip(), on, row))
    return out


def _scaled(fen: int, pct: float) -> int:
    value = Decimal(int(fen)) * (Decimal(100) + Decimal(str(pct))) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_adjustments(
    cells_fen: np.ndarray,
    adjustments: list[Adjustment],
    branches: list[str],
    year: int,
    *,
    source: str = "<adjustments>",
) -> tuple[np.ndarray, pd.DataFrame]:
    """Lock the adjusted cells and re-spread the rest so the company total holds to the fen.

    ``cells_fen``: (branches x 12) int64 targets.  Returns the new matrix and
    the audit log (one row per adjustment, with its reason).
    """
    cells = np.asarray(cells_fen, dtype=np.int64)
    total = int(cells.sum())
    index = {b: i for i, b in enumerate(branches)}
    locked = np.zeros(cells.shape, dtype=bool)
    owner = np.zeros(cells.shape, dtype=np.int64)  # row number of the adjustment that locked a cell
    new = cells.copy()
    log = []
    for adj in adjustments:
        if adj.branch not in index:
            raise DataError(f"unknown branch '{adj.branch}'.{suggest(adj.branch, branches)}", source=source, column="branch", rows=[adj.row] if adj.row else None)
        b = index[adj.branch]
        months = list(range(12)) if adj.month is None else [adj.month - 1]
        clash = [m for m in months if locked[b, m]]
        if clash:
            m = clash[0]
            raise DataError(
                f"two adjustments lock the same cell {adj.branch} {year}-{m + 1:02d} (rows {owner[b, m]} and {adj.row}).",
                source=source, rows=[int(owner[b, m]), adj.row] if adj.row else None,
                fix="keep one adjustment per branch and month (a whole-year adjustment covers all 12 months)",
            )
        before = int(cells[b, months].sum())
        after = adj.amount_fen if adj.amount_fen is not None else _scaled(before, adj.change_pct)
        if adj.month is None:
            shape = cells[b].astype(float)
            if shape.sum() <= 0:
                shape = np.ones(12)
            new[b] = allocate(after, shape)
        else:
            new[b, months[0]] = after
        locked[b, months] = True
        owner[b, months] = adj.row or 0
        log.append(
            {
                "row": adj.row,
                S.BRANCH: adj.branch,
                "period": adj.period_label(year),
                "before_yuan": before / 100,
                "after_yuan": after / 100,
                "change_yuan": (after - before) / 100,
                "change_pct": (after / before - 1) * 100 if before else float("nan"),
                "reason": adj.reason,
                "author": adj.author,
                "adjusted_on": adj.adjusted_on,
            }
        )
    if adjustments:
        rows = [a.row for a in adjustments if a.row]
        locked_sum = int(new[locked].sum())
        remaining = total - locked_sum
        free = ~locked
        if remaining < 0:
            raise DataError(
                f"the locked targets add up to {locked_sum / 100:,.2f} yuan, more than the company total "
                f"{total / 100:,.2f} yuan: the total cannot hold (the other branches would need a negative target).",
                source=source, rows=rows or None,
                fix="lower the locked amounts, or unlock some of them so the others can absorb the change",
            )
        if not free.any() and remaining != 0:
            raise DataError(
                f"every branch and month is locked, and the locks add up to {locked_sum / 100:,.2f} yuan, not the "
                f"company total {total / 100:,.2f} yuan: the total cannot hold.",
                source=source, rows=rows or None, fix="leave at least one cell unlocked to absorb the change",
            )
        weights = cells[free].astype(float)
        if weights.sum() <= 0:
            weights = np.ones(weights.size)
        new[free] = allocate(remaining, weights)
        others = (remaining - int(cells[free].sum())) / 100
        for entry in log:
            entry["others_respread_yuan"] = others
    columns = ["row", S.BRANCH, "period", "before_yuan", "after_yuan", "change_yuan", "change_pct", "reason", "author", "adjusted_on", "others_respread_yuan"]
    return new, pd.DataFrame(log, columns=columns)
