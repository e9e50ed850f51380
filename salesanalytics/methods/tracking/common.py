"""Settings, constants and array kernels shared by the tracking modules (no tracking state here)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...core import schema as S
from ...core.exceptions import DataError, ParameterError, SalesAnalyticsWarning
from ...core.labels import text
from ...core.validation import validate

LEVELS = ("company", "branch", "salesperson", "product")
PERIODS = ("month", "qtd", "ytd")
#: measure -> (target column, actual column)
MEASURES = {"sales": ("sales_task", S.REVENUE), "gross_profit": ("gross_profit_task", S.GROSS_PROFIT)}
DUPLICATES = ("error", "sum")
#: Status light thresholds, in percent of the time-adjusted target.
DEFAULT_THRESHOLDS = {"green": 100.0, "yellow": 90.0}
#: The branch value of the company row in every tracking table (a key in the data, shown as "Company" in English).
COMPANY = text("tracking_company", "zh")
SHARE_TOLERANCE = 0.01  # percentage points: 33.33 + 33.33 + 33.34 is fine, 99 is not


class TrackingWarning(SalesAnalyticsWarning):
    """Something in the actuals is unusual but usable (e.g. sales of people without a target)."""


def resolve_as_of(setting, last: pd.Timestamp, granularity: str, year: int) -> pd.Timestamp:
    """The review day: ``setting`` as a date, or by default the last day with actuals (the month end for monthly ones).

    Whether the day lies in the future is for the caller to judge (it knows today); here it
    must only be a date in the plan year.
    """
    if setting is None:
        as_of = last + pd.offsets.MonthEnd(0) if granularity == "month" else last
    else:
        try:
            as_of = pd.Timestamp(setting).normalize()
        except (ValueError, TypeError):
            raise ParameterError(f"as_of '{setting}' is not a date; write it as YYYY-MM-DD, e.g. {year}-09-30.") from None
    if as_of.year != year:
        raise ParameterError(f"as_of {as_of:%Y-%m-%d} is outside the plan year {year} of the targets. Fix: give a date in {year}.")
    return as_of


def status_light(ratio_pct: np.ndarray, thresholds: Mapping[str, float]) -> np.ndarray:
    """The traffic light of each time-adjusted attainment (percent); ``no_target`` where there is none."""
    out = np.where(ratio_pct >= thresholds["green"], "green", np.where(ratio_pct >= thresholds["yellow"], "yellow", "red"))
    return np.where(np.isnan(ratio_pct), "no_target", out).astype(object)


def pct(num, den) -> np.ndarray:
    """``num / den`` in percent; NaN where there is nothing to divide by."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * 100.0, np.nan)


def month_starts(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=12, freq="MS")


def codes(frame, cols: list[str]) -> tuple[np.ndarray, int]:
    """One int64 group code per row for the combination of ``cols`` (NaN is its own value).

    Mixed-radix over each column's integer codes (categorical codes, days since
    the first date, or a factorisation), so no hashing of the combined key is
    needed; codes are compacted only if the product would overflow.  Codes are
    not dense: ``n`` is an upper bound.
    """
    n_rows = len(frame[cols[0]]) if cols else len(frame)
    code = np.zeros(n_rows, dtype=np.int64)
    size = 1
    for col in cols:
        s = frame[col]
        s = s if isinstance(s, pd.Series) else pd.Series(s, copy=False)
        if isinstance(s.dtype, pd.CategoricalDtype):
            c, n = s.cat.codes.to_numpy().astype(np.int64) + 1, len(s.cat.categories) + 1
        elif s.dtype.kind == "M" and len(s):
            v = s.to_numpy().astype("datetime64[D]").astype(np.int64)
            c = v - v.min()
            n = int(c.max()) + 1
        elif s.dtype.kind in "iu" and len(s) and s.min() >= 0 and s.max() < 2**31:
            c, n = s.to_numpy().astype(np.int64), int(s.max()) + 1
        else:
            c, uniques = pd.factorize(s, use_na_sentinel=False)
            c, n = c.astype(np.int64), len(uniques)
        if size * n >= 2**62:  # pragma: no cover - needs astronomically many distinct keys
            code, uniq = pd.factorize(code)
            code, size = code.astype(np.int64), len(uniq)
        code = code * n + c
        size *= n
    return code, size


def aggregate(frame, cols: list[str], values: Mapping[str, np.ndarray], *, code=None, order=None) -> pd.DataFrame:
    """Sum ``values`` per distinct combination of ``cols`` (sorted by the combination), without pandas groupby.

    ``code``/``order``: the combination's codes and an ordering that sorts them
    (may be reused from another sort whose major key is this code).  Integer
    values (fen) are summed exactly in int64.
    """
    if code is None:
        code, _ = codes(frame, cols)
    if order is None:
        order = np.argsort(code, kind="stable")
    if not len(order):
        return pd.DataFrame({c: pd.Series(frame[c]).iloc[:0] for c in cols} | {n: np.asarray(v)[:0] for n, v in values.items()})
    sorted_code = code[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_code[1:] != sorted_code[:-1]]))
    first = order[starts]
    out = pd.DataFrame({c: (frame[c].iloc[first].reset_index(drop=True) if isinstance(frame[c], pd.Series) else frame[c][first]) for c in cols})
    for name, v in values.items():
        out[name] = np.add.reduceat(np.asarray(v)[order], starts)
    return out


def lookup(values: pd.Series, index: Mapping) -> np.ndarray:
    """Map a (possibly categorical) column through ``index``, fast on millions of rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        table = np.array([index.get(v, -1) for v in values.cat.categories] + [-1], dtype=np.int64)
        return table[values.cat.codes.to_numpy()]
    return values.map(index).to_numpy(dtype=np.int64)


def validate_fast(frame: pd.DataFrame, schema, ctx: Mapping) -> pd.DataFrame:
    """pandera validation that stays fast on millions of rows.

    Text key columns (branch, salesperson, deal id...) repeat a few thousand
    values over millions of rows, and pandera checks text element by element;
    so each text column is validated on its distinct values and the coerced
    values are mapped back.  The other columns are validated whole.  If anything
    fails, the whole frame is validated again the ordinary way, so the error
    names the exact rows.
    """
    missing = [c for c, col in schema.columns.items() if col.required and c not in frame.columns]
    if len(frame) < 50_000 or missing:
        return validate(frame, schema, ctx)
    text_cols = [c for c in frame.columns if c in schema.columns and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))]
    if S.MONTH in text_cols:
        text_cols.remove(S.MONTH)
    other = [c for c in frame.columns if c not in text_cols]
    try:
        out = validate(frame[other], schema.select_columns([c for c in other if c in schema.columns]), ctx) if other else pd.DataFrame(index=frame.index)
        for col in text_cols:
            if col == "deal_id":
                out[col] = frame[col].to_numpy()  # an opaque key such as a deal id: nothing to check
                continue
            codes_, uniques = pd.factorize(frame[col])
            if (codes_ < 0).any():  # missing values are checked too (nullable or not)
                uniques = pd.Index(list(uniques) + [None], dtype=object)
                codes_ = np.where(codes_ < 0, len(uniques) - 1, codes_)
            checked = validate(pd.DataFrame({col: uniques}), schema.select_columns([col]), ctx)[col]
            # kept as a categorical: every later grouping works on its integer codes
            recoded, categories = pd.factorize(checked)
            out[col] = pd.Categorical.from_codes(recoded[codes_], categories=categories)
    except DataError:
        return validate(frame, schema, ctx)
    return out[list(frame.columns)]
