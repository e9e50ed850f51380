"""The inputs of the customer analysis checked and coded: deals, time spent on customers, the customer list.

Bad input is either an error naming the rows and the fix or an explicit warning:

* deals without a customer id are kept and counted as *unassigned* in every total
  (:class:`CustomerWarning`); so are activity records without one;
* activity time below zero, or more than 24 hours a day for one salesperson (24 x the days
  of the month for monthly records) is a :class:`~salesanalytics.core.exceptions.DataError`;
* a customer referring itself, or a referral cycle (A referred B, B referred A), is an error;
  a referrer missing from the customer list is a warning (the referral is ignored);
* customers in the deals or the activities but not in a given customer list are a warning
  (they are kept: the time and the gross profit are real).

Row numbers are those a person sees in Excel (header = row 1, first data row = row 2).
Money is integer fen; a shared deal's gross profit is split by the contribution shares by
largest remainder, so the credited parts add up to the deal to the fen.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import DataError, ParameterError, SalesAnalyticsWarning, suggest
from ..core.money import allocate_grouped
from .tracking.common import validate_fast

#: Hours an activity takes when a record gives none (documented in docs/data-format.md).
DEFAULT_HOURS: dict[str, float] = {"visit": 2.0, "call": 0.25, "quote": 1.0, "meeting": 1.5, "other": 1.0}
#: Words accepted in an ``activity`` column, Chinese and English, for each activity type.
ACTIVITY_WORDS: dict[str, str] = {
    "visit": "visit", "visits": "visit", "拜访": "visit", "上门": "visit", "上门拜访": "visit", "面访": "visit",
    "call": "call", "calls": "call", "phone": "call", "电话": "call", "通话": "call", "电话拜访": "call",
    "quote": "quote", "quotes": "quote", "报价": "quote", "方案": "quote",
    "meeting": "meeting", "会议": "meeting", "会谈": "meeting", "接待": "meeting",
    "other": "other", "其他": "other", "其它": "other",
}
#: Count columns of a summarised record and the activity type each counts.
COUNT_COLUMNS: dict[str, str] = {"visits": "visit", S.CALLS: "call", "quotes": "quote"}
SHARE_TOLERANCE = 0.01
_MAX_SHOWN = 5


class CustomerWarning(SalesAnalyticsWarning):
    """Customer data that is usable but incomplete: deals or time without a customer, unknown customers."""


def _rows(mask: np.ndarray) -> list[int]:
    return (np.flatnonzero(mask) + 2).tolist()


def _fen(values: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 100.0).astype(np.int64)


@dataclass
class Coded:
    """A text column as integer codes (-1 = blank) into cleaned distinct values: fast on millions of rows."""

    codes: np.ndarray
    uniques: np.ndarray  # object: distinct stripped texts

    def recode(self, index: pd.Index) -> np.ndarray:
        """The codes in another index's positions (-1 where blank or absent)."""
        where = np.append(index.get_indexer(pd.Index(self.uniques, dtype=object)), -1)
        return where[self.codes]

    def values(self) -> np.ndarray:
        return np.append(self.uniques, None).astype(object)[self.codes]

    def used(self, mask: np.ndarray | None = None) -> np.ndarray:
        codes = self.codes if mask is None else self.codes[mask]
        present = np.bincount(codes[codes >= 0], minlength=len(self.uniques)) > 0
        return self.uniques[present]


def coded(values, n: int, *, clean: bool = True) -> Coded:
    """Factorize once; strip and drop blanks on the distinct values only, merging those that become equal.

    ``clean=False`` for opaque keys with many distinct values (deal ids): only missing values are blanks.
    """
    if values is None:
        return Coded(np.full(n, -1, dtype=np.int64), np.zeros(0, dtype=object))
    series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = codes.astype(np.int64, copy=False)
    if not clean:
        return Coded(codes, np.asarray(uniques, dtype=object))
    text = pd.Series(uniques).astype(str).str.strip()
    text = text.where(text != "", None).astype(object)
    merged, clean_uniques = pd.factorize(text, use_na_sentinel=True)
    mapping = np.append(merged, -1).astype(np.int64)
    return Coded(mapping[codes], np.asarray(clean_uniques, dtype=object))


def _keys(frame: pd.DataFrame) -> Coded | None:
    """The customer key of each row: the id, or the name where a file gives only names."""
    for col in (S.CUSTOMER_ID, S.CUSTOMER_NAME):
        if col in frame.columns:
            return coded(frame[col], len(frame))
    return None


def _source(frame: pd.DataFrame, default: str) -> str:
    return str(frame.attrs.get("source", default))


#: cheap checks of columns that already have their type (what pandera would check); anything else: pandera
_QUICK = {"share": lambda v: (v > 0) & (v <= 100), "visits": lambda v: v >= 0, S.CALLS: lambda v: v >= 0, "quotes": lambda v: v >= 0}


def _checked(frame: pd.DataFrame, cols: list[str], schema, src: str) -> pd.DataFrame:
    """The numeric and date columns typed and checked.  Frames read by adapters.io are typed already: a numpy
    pass suffices; anything else goes through pandera, whose error names the rows (text keys are coded apart)."""
    part = frame[[c for c in cols if c in frame.columns]].reset_index(drop=True)
    typed = True
    for c in part.columns:
        kind = part[c].dtype.kind
        want = schema.columns[c].dtype
        is_date = "datetime" in str(want)
        if is_date and kind != "M" or not is_date and kind not in "fiu":
            typed = False
            break
        col = schema.columns[c]
        values = part[c].to_numpy()
        missing = pd.isna(values)
        if not col.nullable and missing.any() or c in _QUICK and not _QUICK[c](values[~missing]).all():
            typed = False
            break
    if typed:
        return part
    return validate_fast(part, schema.select_columns(list(part.columns)), {"source": src})


# ----------------------------------------------------------------------------
# deals
# ----------------------------------------------------------------------------
@dataclass
class Deals:
    """Deal lines, coded (one entry per line; money in fen, credited by the line's share)."""

    source: str
    date: np.ndarray  # datetime64[ns], the day
    customer: Coded  # -1 = unassigned
    person: Coded
    branch: Coded
    deal: np.ndarray  # int64 deal code (a line without a deal id is its own deal)
    gp_fen: np.ndarray  # credited gross profit
    revenue_fen: np.ndarray  # credited revenue
    deal_gp_fen: np.ndarray  # the deal's full gross profit on every line
    deal_revenue_fen: np.ndarray
    first_line: np.ndarray  # bool: the first line of its deal
    collected: np.ndarray | None  # datetime64[ns] (NaT = not collected) or None without the column


def _credit(total_fen: np.ndarray, deal: np.ndarray, share: np.ndarray, multi: np.ndarray) -> np.ndarray:
    out = np.round(total_fen * share / 100.0).astype(np.int64)
    rows = np.flatnonzero(multi)
    if rows.size:
        idx, d = pd.factorize(deal[rows])
        first = np.zeros(len(d), dtype=np.int64)
        first[idx] = total_fen[rows]
        sign = np.where(first < 0, -1, 1)
        out[rows] = allocate_grouped(np.abs(first), idx, share[rows]) * sign[idx]
    return out


def prepare_deals(deals: pd.DataFrame) -> Deals:
    """Check the deals and credit each line (see the module docstring)."""
    src = _source(deals, "deals")
    frame = deals
    if "date" not in frame.columns and S.MONTH in frame.columns:
        frame = frame.rename(columns={S.MONTH: "date"})
    if "date" not in frame.columns:
        raise DataError("has no date column.", source=src, fix="add the day of each deal (日期, YYYY-MM-DD)")
    if S.GROSS_PROFIT not in frame.columns:
        raise DataError("has no gross-profit column: customer value is gross profit.", source=src,
                        fix="add the gross profit (毛利) of each deal line in yuan")
    if S.BRANCH not in frame.columns:
        raise DataError("has no branch column.", source=src, fix="add the branch (分公司) of each deal line")
    ids = _keys(frame)
    if ids is None:
        raise DataError("has no customer column.", source=src, column=S.CUSTOMER_ID,
                        fix="add the customer of each deal (客户编号 or 客户); blank cells count as unassigned")
    n = len(frame)
    checked = _checked(frame, ["date", "share", S.REVENUE, S.GROSS_PROFIT, S.COLLECTED_DATE], S.CUSTOMER_DEALS_SCHEMA, src)
    gp = checked[S.GROSS_PROFIT].to_numpy(float)
    if np.isnan(gp).any():
        raise DataError("a gross profit is missing.", source=src, column=S.GROSS_PROFIT, rows=_rows(np.isnan(gp)),
                        fix="write the gross profit of every deal line (0 if there was none)")
    branch = coded(frame[S.BRANCH], n)
    if (branch.codes < 0).any():
        raise DataError("a branch is missing.", source=src, column=S.BRANCH, rows=_rows(branch.codes < 0)[:20], fix=S.FIX_HINTS[S.BRANCH])
    revenue = np.nan_to_num(checked[S.REVENUE].to_numpy(float)) if S.REVENUE in checked.columns else np.zeros(n)
    if "deal_id" in frame.columns:
        deal = coded(frame["deal_id"], n, clean=False).codes
        alone = deal < 0
        deal[alone] = deal.max(initial=-1) + 1 + np.arange(int(alone.sum()))
    else:
        deal = np.arange(n, dtype=np.int64)
    lines = np.bincount(deal)[deal]
    multi = lines > 1
    if "share" in checked.columns:
        share = checked["share"].to_numpy(float)
    elif multi.any():
        raise DataError("a deal id appears on several lines but there is no share column, so each line would count the whole deal.",
                        source=src, column="deal_id", rows=_rows(multi)[:20], fix="add the contribution share (分成比例, percent) of each line")
    else:
        share = np.full(n, 100.0)
    if multi.any():
        total = np.bincount(deal, weights=share)
        bad = np.abs(total[deal] - 100.0) > SHARE_TOLERANCE
        if bad.any():
            raise DataError("the shares of a deal do not sum to 100%.", source=src, column="share", rows=_rows(bad)[:20],
                            fix="give the lines of a deal shares that sum to 100")
        lo = np.full(deal.max() + 1, np.iinfo(np.int64).max)
        hi = np.full(deal.max() + 1, np.iinfo(np.int64).min)
        np.minimum.at(lo, deal, ids.codes)
        np.maximum.at(hi, deal, ids.codes)
        mixed = (lo != hi)[deal]
        if mixed.any():
            raise DataError("the lines of one deal name different customers.", source=src, column=S.CUSTOMER_ID, rows=_rows(mixed)[:20],
                            fix="a deal belongs to one customer: give all its lines the same customer id")
    gp_fen, rev_fen = _fen(gp), _fen(revenue)
    first_line = ~pd.Series(deal).duplicated().to_numpy()
    collected = checked[S.COLLECTED_DATE].to_numpy("datetime64[ns]") if S.COLLECTED_DATE in checked.columns else None
    return Deals(
        source=src, date=checked["date"].to_numpy("datetime64[D]").astype("datetime64[ns]"), customer=ids,
        person=coded(frame[S.SALESPERSON] if S.SALESPERSON in frame.columns else None, n), branch=branch, deal=deal,
        gp_fen=_credit(gp_fen, deal, share, multi), revenue_fen=_credit(rev_fen, deal, share, multi),
        deal_gp_fen=gp_fen, deal_revenue_fen=rev_fen, first_line=first_line, collected=collected,
    )


# ----------------------------------------------------------------------------
# time spent on customers
# ----------------------------------------------------------------------------
@dataclass
class Activities:
    """Activity records reduced to hours: one entry per record."""

    source: str
    granularity: str  # "day" or "month"
    start: np.ndarray  # datetime64[ns]: the day, or the first day of the month
    end: np.ndarray  # the day, or the last day of the month
    person: Coded
    branch: Coded
    customer: Coded  # -1 = unassigned
    hours: np.ndarray  # given, or the default of the activity type(s)
    visit_hours: np.ndarray  # the part spent on visits
    defaulted: int  # records whose hours came from the defaults


def _activity_types(values: pd.Series, src: str) -> np.ndarray:
    kinds = coded(values, len(values))
    words = pd.Series(kinds.uniques, dtype=object).str.lower()
    found = words.map(ACTIVITY_WORDS)
    bad_word = found.isna().to_numpy()
    blank = kinds.codes < 0
    if bad_word.any() or blank.any():
        bad = blank | np.isin(kinds.codes, np.flatnonzero(bad_word))
        first = "" if blank.any() and not bad_word.any() else str(words[bad_word].iloc[0])
        raise DataError(f"'{first}' is not an activity type.{suggest(first, ACTIVITY_WORDS)}", source=src, column=S.ACTIVITY,
                        rows=_rows(bad)[:20], fix=S.FIX_HINTS[S.ACTIVITY])
    return found.to_numpy(object), kinds.codes


def prepare_activities(activities: pd.DataFrame, default_hours: Mapping[str, float]) -> Activities:
    """Check the time records and turn each into hours (see the module docstring)."""
    src = _source(activities, "activities")
    frame = activities
    granularity = "day"
    if "date" not in frame.columns and S.MONTH in frame.columns:
        frame, granularity = frame.rename(columns={S.MONTH: "date"}), "month"
    if "date" not in frame.columns:
        raise DataError("has no date or month column.", source=src, fix="add the day (日期) or month (月份) of each record")
    if S.SALESPERSON not in frame.columns:
        raise DataError("has no salesperson column: time is valued at the salesperson's rate.", source=src,
                        fix="add who spent the time (销售员)")
    ids = _keys(frame)
    if ids is None:
        raise DataError("has no customer column: these look like the daily process records, not time spent on customers.",
                        source=src, column=S.CUSTOMER_ID,
                        fix="give the customer (客户编号) of each record, e.g. data/customer_activities_2026.csv")
    counts = [c for c in COUNT_COLUMNS if c in frame.columns]
    has_type = S.ACTIVITY in frame.columns
    if not counts and not has_type and S.HOURS not in frame.columns:
        raise DataError("says neither what was done nor how long it took.", source=src,
                        fix="add an activity type (活动类型), counts (拜访/电话/报价) or the hours (拜访时长)")
    if has_type and counts:
        raise DataError("has both an activity-type column and count columns.", source=src,
                        fix="use one row per activity with its type, or one row per customer and day with counts, not both")
    n = len(frame)
    checked = _checked(frame, ["date", *counts, S.HOURS], S.CUSTOMER_ACTIVITIES_SCHEMA, src)
    person = coded(frame[S.SALESPERSON], n)
    if (person.codes < 0).any():
        raise DataError("a salesperson is missing.", source=src, column=S.SALESPERSON, rows=_rows(person.codes < 0)[:20],
                        fix=S.FIX_HINTS[S.SALESPERSON])
    start = checked["date"].to_numpy("datetime64[D]")
    if granularity == "month":
        month = start.astype("datetime64[M]")
        start, end = month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]") - 1
    else:
        end = start
    given = checked[S.HOURS].to_numpy(float) if S.HOURS in checked.columns else np.full(n, np.nan)
    negative = given < 0
    if negative.any():
        raise DataError("activity time cannot be negative.", source=src, column=S.HOURS, rows=_rows(negative)[:20], fix=S.FIX_HINTS[S.HOURS])
    if has_type:
        kinds, kind_code = _activity_types(frame[S.ACTIVITY].reset_index(drop=True), src)
        per_kind = np.array([float(default_hours[k]) for k in kinds])
        default = per_kind[kind_code]
        visit_default = np.where(kinds == "visit", per_kind, 0.0)[kind_code]
    elif counts:
        c = {col: np.nan_to_num(checked[col].to_numpy(float)) for col in counts}
        default = sum(c[col] * float(default_hours[COUNT_COLUMNS[col]]) for col in counts)
        visit_default = c["visits"] * float(default_hours["visit"]) if "visits" in c else np.zeros(n)
    else:
        default, visit_default = np.zeros(n), np.zeros(n)
    missing = np.isnan(given)
    hours = np.where(missing, default, given)
    with np.errstate(divide="ignore", invalid="ignore"):
        visit_hours = np.where(default > 0, hours * visit_default / np.where(default > 0, default, 1), 0.0)
    _check_day_limit(src, granularity, person, start, end, hours)
    return Activities(src, granularity, start.astype("datetime64[ns]"), end.astype("datetime64[ns]"), person,
                      coded(frame[S.BRANCH] if S.BRANCH in frame.columns else None, n), ids, hours, visit_hours,
                      int(missing.sum()) if (has_type or counts) else 0)


def _check_day_limit(src, granularity, person: Coded, start, end, hours) -> None:
    """No salesperson works more than 24 hours a day (24 x the days of a month for monthly records)."""
    if not len(hours):
        return
    day = start.astype("datetime64[D]").astype(np.int64)
    span = int(day.max() - day.min()) + 1
    key = person.codes * span + (day - day.min())
    if (person.codes.max() + 1) * span <= 20_000_000:  # dense: one count, no hashing
        total = np.bincount(key, weights=hours)[key]
    else:
        codes = pd.factorize(key)[0]
        total = np.bincount(codes, weights=hours)[codes]
    days = ((end - start) / np.timedelta64(1, "D")).astype(float) + 1
    over = total > 24.0 * days + 1e-9
    if over.any():
        i = int(np.flatnonzero(over)[0])
        when = pd.Timestamp(start[i]).strftime("%Y-%m" if granularity == "month" else "%Y-%m-%d")
        raise DataError(f"{person.uniques[person.codes[i]]} has {total[i]:,.1f} hours on {when}, more than 24 hours a day.", source=src,
                        column=S.HOURS, rows=_rows(over)[:20], fix="check the hours of these records (a typo such as 80 for 8.0?)")


# ----------------------------------------------------------------------------
# the customer list and its referrals
# ----------------------------------------------------------------------------
@dataclass
class Customers:
    source: str
    frame: pd.DataFrame  # customer_id (unique, stripped) and the descriptive columns present
    referred_by: pd.Series  # customer_id -> referrer id (valid referrals only)


def prepare_customers(customers: pd.DataFrame) -> Customers:
    """Check the customer list: unique ids, no self-referral, no referral cycle; unknown referrers warned and ignored."""
    src = _source(customers, "customers")
    frame = customers.reset_index(drop=True)
    ids = _keys(frame)
    if ids is None:
        raise DataError("has no customer column.", source=src, column=S.CUSTOMER_ID, fix="add the customer id (客户编号)")
    n = len(frame)
    if (ids.codes < 0).any():
        raise DataError("a customer id is missing.", source=src, column=S.CUSTOMER_ID, rows=_rows(ids.codes < 0)[:20], fix=S.FIX_HINTS[S.CUSTOMER_ID])
    dup = pd.Series(ids.codes).duplicated(keep=False).to_numpy()
    if dup.any():
        raise DataError(f"customer '{ids.uniques[ids.codes[dup][0]]}' is listed more than once.", source=src, column=S.CUSTOMER_ID,
                        rows=_rows(dup)[:20], fix="keep one row per customer")
    ref = coded(frame[S.REFERRED_BY] if S.REFERRED_BY in frame.columns else None, n)
    index = pd.Index(ids.uniques, dtype=object)
    own_code = ids.codes
    ref_code = ref.recode(index)  # the referrer's position in the list, -1 blank or unknown
    has = ref.codes >= 0
    own = has & (ref_code == own_code)
    if own.any():
        raise DataError(f"customer '{ids.uniques[own_code[own][0]]}' is recorded as referred by itself.", source=src, column=S.REFERRED_BY,
                        rows=_rows(own)[:20], fix="clear the referrer or give the customer who really made the introduction")
    unknown = has & (ref_code < 0)
    if unknown.any():
        shown = ", ".join(sorted({str(ref.uniques[c]) for c in ref.codes[unknown]})[:_MAX_SHOWN])
        warnings.warn(f"{src}: {int(unknown.sum())} customer(s) name a referrer that is not in the list ({shown}); "
                      "those referrals are ignored.", CustomerWarning, stacklevel=3)
    valid = has & ~unknown
    _check_cycles(own_code[valid], ref_code[valid], ids.uniques, own_code, src)
    out = pd.DataFrame({S.CUSTOMER_ID: ids.uniques[own_code]})
    for col in (S.CUSTOMER_NAME, S.INDUSTRY, S.CUSTOMER_CITY, S.BRANCH, S.SALESPERSON):
        if col in frame.columns:
            out[col] = coded(frame[col], n).values()
    parent = pd.Series(ids.uniques[ref_code[valid]], index=ids.uniques[own_code[valid]], dtype=object)
    return Customers(src, out, parent)


def _check_cycles(child: np.ndarray, parent: np.ndarray, names: np.ndarray, row_code: np.ndarray, src: str) -> None:
    """Each customer has at most one referrer; following referrers must never come back to the start."""
    if not len(child):
        return
    up = np.full(len(names), -1, dtype=np.int64)
    up[child] = parent
    in_cycle = _cycle_members(up)
    if in_cycle:
        path = [names[i] for i in in_cycle] + [names[in_cycle[0]]]
        rows = _rows(np.isin(row_code, in_cycle))
        raise DataError(f"referral cycle: {' → '.join(map(str, path))} (each was referred by the next).", source=src, column=S.REFERRED_BY,
                        rows=rows, fix="a customer cannot be referred, directly or through others, by a customer it referred: correct one referrer")


def _cycle_members(up: np.ndarray) -> list[int]:
    """The customers of one referral cycle, in order (empty if none): peel off every customer nobody points to, repeatedly."""
    indeg = np.bincount(up[up >= 0], minlength=len(up))
    queue = list(np.flatnonzero(indeg == 0))
    removed = np.zeros(len(up), dtype=bool)
    while queue:
        i = queue.pop()
        removed[i] = True
        j = up[i]
        if j >= 0:
            indeg[j] -= 1
            if indeg[j] == 0:
                queue.append(j)
    left = np.flatnonzero(~removed)
    if not len(left):
        return []
    cycle, i = [], int(left[0])
    while i not in cycle:
        cycle.append(i)
        i = int(up[i])
    return cycle[cycle.index(i):]


def check_hours_table(default_hours) -> dict[str, float]:
    """The default hours per activity type, every type present and not negative."""
    table = dict(DEFAULT_HOURS)
    for key, value in dict(default_hours or {}).items():
        code = ACTIVITY_WORDS.get(str(key).strip().lower())
        if code is None:
            raise ParameterError(f"default_hours: unknown activity type '{key}'.{suggest(str(key), DEFAULT_HOURS)} Types: {', '.join(DEFAULT_HOURS)}.")
        try:
            hours = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"default_hours: '{key}' must be a number of hours, not {value!r}.") from None
        if not (0 <= hours <= 24):
            raise ParameterError(f"default_hours: '{key}' must be between 0 and 24 hours, not {value!r}.")
        table[code] = hours
    return table
