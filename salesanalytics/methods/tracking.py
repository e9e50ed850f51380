"""监督和反馈: tracking actuals against targets, the outlook, and re-planning the rest of the year.

The handbook insists that targets are only as good as their follow-up: weekly
progress management (每周进程管理), the daily three checks (早上对照目标 / 中午对照过程 /
晚上对照结果), monitoring and feedback.  A quarterly review must answer three
questions, and :class:`Tracker` answers each with a tidy (long-format) frame:

* **where do we stand** — :meth:`Tracker.attainment` by company, branch,
  salesperson and product for the month, quarter-to-date and year-to-date;
* **where will we end the year** — :meth:`Tracker.outlook`: actuals so far plus
  a re-forecast of the remaining months (正推法, :class:`salesanalytics.forward.Forecaster`);
* **what must each branch and person now deliver** — :meth:`Tracker.replan`
  (the remaining gap over the remaining months with the plan's own phasing,
  exact to the fen) and :meth:`Tracker.daily_pace` (per remaining working day of
  the current month, Chinese holidays and 调休 make-up days from ``chinesecalendar``).

Rules (each one a documented business decision):

* **Credit splits.**  A deal credited to several salespeople carries one row per
  person with the deal's full amount and that person's ``share`` in percent; the
  shares of a deal must sum to 100.  Each person is credited only their share,
  split in integer fen by largest remainder so the credited parts sum exactly to
  the deal (crediting every co-seller the full amount is the classic bug).
* **Status light** (on the *time-adjusted* attainment, i.e. against the target
  due by the as-of date): ``green`` at or above ``thresholds['green']`` (default
  100 %: on pace), ``yellow`` at or above ``thresholds['yellow']`` (default 90 %:
  slightly behind, watch), ``red`` below (behind: act now), ``no_target`` when
  there is no target to compare with.
* **Time-adjusted target** = the full targets of the months already closed plus
  the current month's target times the share of its working days elapsed by the
  as-of date (working days, not calendar days: the Spring Festival month has
  fewer of them).
* **Unknown keys.**  Actuals of a branch or salesperson missing from the targets
  stay in every total (the company really sold it) and appear in the tables with
  ``status = no_target``; they are listed by :meth:`Tracker.unmatched` and a
  :class:`TrackingWarning` is issued — they are never dropped silently.
* **Duplicates.**  Rows with the same key (day or month, branch, salesperson,
  product, deal id) are an error by default; ``duplicates="sum"`` adds them up
  (amounts of plain rows; the shares of repeated credit lines of a deal).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core import calendar_cn
from ..core import schema as S
from ..core.validation import validate
from ..core.exceptions import DataError, ForecastError, NotFittedError, ParameterError, SalesAnalyticsWarning, suggest
from ..core.money import allocate_grouped

LEVELS = ("company", "branch", "salesperson", "product")
PERIODS = ("month", "qtd", "ytd")
MEASURES = {"sales": ("sales_task", S.REVENUE), "gross_profit": ("gross_profit_task", S.GROSS_PROFIT)}
DUPLICATES = ("error", "sum")
#: Status light thresholds, in percent of the time-adjusted target.
DEFAULT_THRESHOLDS = {"green": 100.0, "yellow": 90.0}
COMPANY = "全公司"
STATUS_ZH = {"green": "绿", "yellow": "黄", "red": "红", "no_target": "无目标"}
SHARE_TOLERANCE = 0.01  # percentage points: 33.33 + 33.33 + 33.34 is fine, 99 is not

#: Column labels for Excel / printed tables.
LABELS = {
    "branch": ("分公司", "Branch"),
    "salesperson": ("销售员", "Salesperson"),
    "product": ("产品", "Product"),
    "month": ("月份", "Month"),
    "period": ("期间", "Period"),
    "period_start": ("期间开始", "Period start"),
    "as_of": ("截至", "As of"),
    "actual": ("实际(元)", "Actual (yuan)"),
    "target": ("目标(元)", "Target (yuan)"),
    "attainment_pct": ("达成率%", "Attainment %"),
    "variance": ("差额(元)", "Variance (yuan)"),
    "time_elapsed_pct": ("时间进度%", "Time elapsed %"),
    "target_to_date": ("应完成(元)", "Target to date (yuan)"),
    "time_adjusted_attainment_pct": ("时间调整达成率%", "Time-adjusted attainment %"),
    "status": ("状态", "Status"),
    "rank": ("排名", "Rank"),
    "rank_in_branch": ("分公司内排名", "Rank in branch"),
    "annual_target": ("年度目标(元)", "Annual target (yuan)"),
    "actual_to_date": ("累计实际(元)", "Actual to date (yuan)"),
    "forecast_remaining": ("剩余月份预测(元)", "Forecast of remaining months (yuan)"),
    "projected_year_end": ("预计全年(元)", "Projected year-end (yuan)"),
    "lo_80": ("80%下限", "80% low"),
    "hi_80": ("80%上限", "80% high"),
    "lo_95": ("95%下限", "95% low"),
    "hi_95": ("95%上限", "95% high"),
    "projected_attainment_pct": ("预计达成率%", "Projected attainment %"),
    "prob_reach_target": ("达成概率", "Probability of reaching target"),
    "method": ("方法", "Method"),
    "projected": ("预计(元)", "Projected (yuan)"),
    "kind": ("类型", "Kind"),
    "month_status": ("月份状态", "Month status"),
    "planned_task": ("原任务(元)", "Planned task (yuan)"),
    "new_task": ("调整后任务(元)", "Re-planned task (yuan)"),
    "change": ("调整额(元)", "Change (yuan)"),
    "remaining_gap": ("剩余缺口(元)", "Remaining gap (yuan)"),
    "pace_month": ("当月", "Pace month"),
    "working_days_in_month": ("当月工作日", "Working days in month"),
    "working_days_left": ("剩余工作日", "Working days left"),
    "month_task": ("当月任务(元)", "Month task (yuan)"),
    "month_actual": ("当月已完成(元)", "Month actual (yuan)"),
    "still_to_do": ("尚需完成(元)", "Still to do (yuan)"),
    "required_per_working_day": ("每工作日需完成(元)", "Required per working day (yuan)"),
    "plan_per_working_day": ("原计划每工作日(元)", "Plan per working day (yuan)"),
    "run_rate_per_working_day": ("今年每工作日实绩(元)", "Run rate per working day (yuan)"),
    "pace_ratio": ("所需/实绩倍数", "Required / run rate"),
    "week": ("周", "Week"),
    "week_start": ("周一", "Week start"),
    "week_end": ("周末", "Week end"),
    "target_week": ("本周目标(元)", "Week target (yuan)"),
    "actual_week": ("本周实际(元)", "Week actual (yuan)"),
    "gap_to_date": ("累计差额(元)", "Gap to date (yuan)"),
    "attainment_to_date_pct": ("累计达成率%", "Attainment to date %"),
    "date": ("日期", "Date"),
    "is_workday": ("工作日", "Working day"),
    "target_day": ("早·当日目标(元)", "Morning: target for the day (yuan)"),
    "mtd_target": ("早·月累计目标(元)", "Morning: month-to-date target (yuan)"),
    "visits": ("午·拜访", "Midday: visits"),
    "new_customers": ("午·新客户", "Midday: new customers"),
    "quotes": ("午·报价", "Midday: quotes"),
    "deals": ("晚·成交笔数", "Evening: deals (credited)"),
    "actual_day": ("晚·当日实际(元)", "Evening: actual for the day (yuan)"),
    "gap_day": ("晚·当日差额(元)", "Evening: gap for the day (yuan)"),
    "mtd_actual": ("晚·月累计实际(元)", "Evening: month-to-date actual (yuan)"),
    "mtd_gap": ("晚·月累计差额(元)", "Evening: month-to-date gap (yuan)"),
    "stage": ("环节", "Stage"),
    "stage_order": ("序号", "Order"),
    "value": ("数值", "Value"),
    "from_stage": ("上一环节", "From stage"),
    "conversion_pct": ("转化率%", "Conversion %"),
    "rows": ("行数", "Rows"),
    "in_targets": ("目标中有该分公司", "Branch in targets"),
    "problem": ("问题", "Problem"),
}


#: Display names of the periods (standing table headers).
PERIOD_LABELS = {"month": ("本月", "Month"), "qtd": ("本季", "QTD"), "ytd": ("本年", "YTD")}


class TrackingWarning(SalesAnalyticsWarning):
    """Something in the actuals is unusual but usable (e.g. sales of people without a target)."""


def _label(col: str, lang: str) -> str:
    pair = LABELS.get(col)
    return col if pair is None else pair[0 if lang == "zh" else 1]


def relabel(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rename columns to display labels (Chinese or English) and translate the status light."""
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', not '{lang}'.")
    out = frame.copy()
    zh = lang == "zh"
    labels = {c: _label(c, lang) for c in out.columns}
    if "ytd_status" in out.columns:  # the standing table: columns <period>_<metric> -> 本月/本季/本年 + metric
        for col in out.columns:
            period, _, metric = str(col).partition("_")
            if period in PERIOD_LABELS and metric in LABELS:
                labels[col] = f"{PERIOD_LABELS[period][0 if zh else 1]}{'' if zh else ' '}{_label(metric, lang)}"
                if metric == "status" and zh:
                    out[col] = out[col].map(lambda s: STATUS_ZH.get(s, s))
    if zh and "status" in out.columns:
        out["status"] = out["status"].map(lambda s: STATUS_ZH.get(s, s))
    if not zh and S.BRANCH in out.columns:
        out[S.BRANCH] = out[S.BRANCH].where(out[S.BRANCH] != COMPANY, "Company")
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype) or out[col].dtype.kind == "M":
            if col in ("month", "pace_month"):
                out[col] = out[col].dt.strftime("%Y-%m")
    return out.rename(columns=labels)


# ----------------------------------------------------------------------------
# numeric kernels (arrays only)
# ----------------------------------------------------------------------------
def _codes(frame, cols: list[str]) -> tuple[np.ndarray, int]:
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


def _aggregate(frame, cols: list[str], values: Mapping[str, np.ndarray], *, code=None, order=None) -> pd.DataFrame:
    """Sum ``values`` per distinct combination of ``cols`` (sorted by the combination), without pandas groupby.

    ``code``/``order``: the combination's codes and an ordering that sorts them
    (may be reused from another sort whose major key is this code).  Integer
    values (fen) are summed exactly in int64.
    """
    if code is None:
        code, _ = _codes(frame, cols)
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


def _lookup(values: pd.Series, index: Mapping) -> np.ndarray:
    """Map a (possibly categorical) column through ``index``, fast on millions of rows."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        table = np.array([index.get(v, -1) for v in values.cat.categories] + [-1], dtype=np.int64)
        return table[values.cat.codes.to_numpy()]
    return values.map(index).to_numpy(dtype=np.int64)


def _status(ratio_pct: np.ndarray, thresholds: Mapping[str, float]) -> np.ndarray:
    out = np.where(ratio_pct >= thresholds["green"], "green", np.where(ratio_pct >= thresholds["yellow"], "yellow", "red"))
    return np.where(np.isnan(ratio_pct), "no_target", out).astype(object)


def _pct(num, den) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * 100.0, np.nan)


def _validate(frame: pd.DataFrame, schema, ctx: Mapping) -> pd.DataFrame:
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
    text = [c for c in frame.columns if c in schema.columns and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype))]
    if S.MONTH in text:
        text.remove(S.MONTH)
    other = [c for c in frame.columns if c not in text]
    try:
        out = validate(frame[other], schema.select_columns([c for c in other if c in schema.columns]), ctx) if other else pd.DataFrame(index=frame.index)
        for col in text:
            if col == "deal_id":
                out[col] = frame[col].to_numpy()  # an opaque key such as a deal id: nothing to check
                continue
            codes, uniques = pd.factorize(frame[col])
            if (codes < 0).any():  # missing values are checked too (nullable or not)
                uniques = pd.Index(list(uniques) + [None], dtype=object)
                codes = np.where(codes < 0, len(uniques) - 1, codes)
            checked = validate(pd.DataFrame({col: uniques}), schema.select_columns([col]), ctx)[col]
            # kept as a categorical: every later grouping works on its integer codes
            recoded, categories = pd.factorize(checked)
            out[col] = pd.Categorical.from_codes(recoded[codes], categories=categories)
    except DataError:
        return validate(frame, schema, ctx)
    return out[list(frame.columns)]


def _month_starts(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=12, freq="MS")


# ----------------------------------------------------------------------------
# the tracker
# ----------------------------------------------------------------------------
class Tracker:
    """Track actuals against targets (监督和反馈).

    Parameters
    ----------
    as_of : date-like or None
        The day the review is made.  Actuals after it are left out; it may not
        lie in the future or outside the plan year.  ``None``: the last day with
        actuals (the month end for monthly actuals).
    thresholds : mapping, optional
        Status light thresholds in percent of the time-adjusted target,
        ``{"green": 100, "yellow": 90}`` by default.
    measure : ``"sales"`` or ``"gross_profit"``
        ``sales`` compares actual ``revenue`` with ``sales_task``;
        ``gross_profit`` compares ``gross_profit`` with ``gross_profit_task``.
    duplicates : ``"error"`` or ``"sum"``
        What to do with actual rows sharing a key: stop with a DataError naming
        the rows (default), or add them up (reported in :meth:`duplicates`).

    After :meth:`fit`: ``year_``, ``as_of_``, ``targets_`` (month × keys, integer
    fen), ``credits_`` (credited actuals per day or month × keys, integer fen),
    ``monthly_`` (actual and target per month × keys), ``unmatched_``,
    ``duplicates_``, ``activities_``.
    """

    def __init__(self, as_of=None, thresholds: Mapping[str, float] | None = None, measure: str = "sales", duplicates: str = "error"):
        self.as_of = as_of
        self.thresholds = thresholds
        self.measure = measure
        self.duplicates = duplicates

    # -- fit -----------------------------------------------------------------
    def fit(self, targets: pd.DataFrame, actuals: pd.DataFrame, activities: pd.DataFrame | None = None) -> Tracker:
        """Check and align targets, actuals and (optional) activity records; returns ``self``."""
        self._check_settings()
        task_col, actual_col = MEASURES[self.measure]
        t_src = targets.attrs.get("source", "targets")
        a_src = actuals.attrs.get("source", "actuals")
        # -- targets
        if task_col not in targets.columns:
            raise DataError(f"has no column '{task_col}' to track '{self.measure}' against.", source=t_src, fix=f"add the column, or use measure='sales'")
        tcols = [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in targets.columns]
        tgt = _validate(targets[tcols + [task_col]], S.TARGETS_SCHEMA if task_col == "sales_task" else _gp_targets_schema(), {"source": t_src})
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
        self.year_ = year = int(years[0])
        self.person_level_ = S.SALESPERSON in tgt.columns
        self.product_targets_ = S.PRODUCT in tgt.columns
        tkeys = [c for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in tgt.columns]
        tgt = tgt[[S.MONTH] + tkeys].assign(target_fen=fen)
        dup = tgt.duplicated([S.MONTH] + tkeys, keep=False)
        if dup.any():
            raise DataError(
                "duplicate target rows: the same month and " + "/".join(tkeys) + " appears more than once.",
                source=t_src, rows=(np.flatnonzero(dup.to_numpy()) + 2).tolist(), fix="keep one target row per month and key",
            )
        self.target_keys_ = tkeys
        self.targets_ = tgt
        # report rows in the order of the targets (the plan's branch order), not alphabetically
        self.branch_order_ = list(pd.unique(tgt[S.BRANCH]))
        self.person_order_ = list(pd.unique(tgt[S.SALESPERSON])) if self.person_level_ else []
        # -- actuals
        self._fit_actuals(actuals, actual_col, a_src)
        # -- activities
        self.activities_ = None
        if activities is not None:
            src = activities.attrs.get("source", "activities")
            act = _validate(activities, S.ACTIVITIES_SCHEMA, {"source": src})
            outside = act["date"].dt.year != year
            if outside.any():
                raise DataError(
                    f"activity records outside the plan year {year}.", source=src, column="date",
                    rows=(np.flatnonzero(outside.to_numpy()) + 2).tolist(), fix=f"keep only days of {year}",
                )
            self.activities_ = act[act["date"] <= self.as_of_].reset_index(drop=True)
        self._build_monthly()
        return self

    def _check_settings(self) -> None:
        if self.measure not in MEASURES:
            raise ParameterError(f"measure must be one of {', '.join(MEASURES)}, not '{self.measure}'.{suggest(self.measure, MEASURES)}")
        if self.duplicates not in DUPLICATES:
            raise ParameterError(f"duplicates must be 'error' or 'sum', not '{self.duplicates}'.{suggest(self.duplicates, DUPLICATES)}")
        th = dict(DEFAULT_THRESHOLDS if self.thresholds is None else self.thresholds)
        if set(th) != {"green", "yellow"}:
            raise ParameterError(f"thresholds must have exactly the keys 'green' and 'yellow' (percent), got {sorted(th)}.")
        try:
            th = {k: float(v) for k, v in th.items()}
        except (TypeError, ValueError):
            raise ParameterError(f"thresholds must be numbers in percent, e.g. {{'green': 100, 'yellow': 90}}; got {self.thresholds}.") from None
        if not (0 <= th["yellow"] <= th["green"]) or not all(math.isfinite(v) for v in th.values()):
            raise ParameterError(f"thresholds need 0 <= yellow <= green (percent); got yellow={th['yellow']}, green={th['green']}.")
        self.thresholds_ = th

    def _fit_actuals(self, actuals: pd.DataFrame, actual_col: str, src: str) -> None:
        year = self.year_
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
        act = _validate(actuals[cols], schema, {"source": src})
        self.granularity_ = granularity
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
        today = pd.Timestamp(dt.date.today())
        if self.as_of is None:
            last = when.max()
            as_of = last + pd.offsets.MonthEnd(0) if granularity == "month" else last
        else:
            try:
                as_of = pd.Timestamp(self.as_of).normalize()
            except (ValueError, TypeError):
                raise ParameterError(f"as_of '{self.as_of}' is not a date; write it as YYYY-MM-DD, e.g. {year}-09-30.") from None
        if as_of > today:
            raise ParameterError(
                f"as_of {as_of:%Y-%m-%d} is in the future (today is {today:%Y-%m-%d}); actuals cannot exist yet. "
                "Fix: give a past date, e.g. the last day with complete actuals."
            )
        if as_of.year != year:
            raise ParameterError(f"as_of {as_of:%Y-%m-%d} is outside the plan year {year} of the targets. Fix: give a date in {year}.")
        self.as_of_ = as_of
        after = (when > as_of).to_numpy()
        self.rows_after_as_of_ = int(after.sum())
        if after.any():
            act = act.loc[~after].reset_index(drop=True)
        act_rows = np.flatnonzero(~after) + 2  # file rows (header = row 1) of the kept rows
        if "deal_id" in act.columns:  # one factorisation of the (nearly unique) deal ids, reused below
            deal_code, deal_names = pd.factorize(act["deal_id"])
        # -- duplicates
        keys = [c for c in (tcol, S.BRANCH, S.SALESPERSON, S.PRODUCT, "deal_id") if c in act.columns]
        akeys = [c for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in act.columns]
        # one sort serves both the duplicate check and the aggregation: the day x keys code is the major part
        agg_code, agg_size = _codes(act, [tcol] + akeys)
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
        self.duplicates_ = act.loc[is_dup, keys + [actual_col]].assign(row=act_rows[is_dup]).reset_index(drop=True)
        if is_dup.any():
            if self.duplicates == "error":
                raise DataError(
                    f"{int(is_dup.sum())} duplicated actual rows: the same {'/'.join(keys)} appears more than once.",
                    source=src, rows=act_rows[is_dup].tolist(),
                    fix="remove the repeated rows, or if they are separate sales pass duplicates='sum' (CLI: --sum-duplicates) to add them up",
                )
            warnings.warn(
                f"{src}: {int(is_dup.sum())} duplicated actual rows (same {'/'.join(keys)}) were summed, as duplicates='sum' asks.",
                TrackingWarning, stacklevel=3,
            )
        # -- money to fen, shares
        amount = np.rint(act[actual_col].to_numpy(dtype=float) * 100).astype(np.int64)
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
            total = np.bincount(deal, weights=share, minlength=n_deals)
            off = np.abs(total - 100.0) > SHARE_TOLERANCE
            if off.any():
                bad_rows = off[deal]
                ids = pd.unique(np.asarray(deal_names, dtype=object)[deal_code[bad_rows & ~deal_na]])[:5].astype(str) if "deal_id" in act.columns else []
                sums = ", ".join(f"{v:g}%" for v in np.unique(np.round(total[off], 4))[:5])
                what = f" (deal {', '.join(ids)})" if len(ids) else ""
                raise DataError(
                    f"contribution shares of {int(off.sum())} deal(s){what} do not sum to 100% (they sum to {sums}).",
                    source=src, column="share", rows=act_rows[bad_rows].tolist(),
                    fix="give each deal's credit lines shares in percent that add up to exactly 100, e.g. 60 and 40"
                    + ("; the shares look like fractions — write 60, not 0.6" if np.allclose(total[off], 1.0) else "")
                    + ("; a row without a deal id is a deal of its own, so give shared deals a deal_id (单号)" if (bad_rows & deal_na).any() else ""),
                )
        if len(act):
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
        credited = _split_credits(amount, deal, share) if has_share else amount
        # -- aggregate: one row per day (or month) x keys, and one per month x keys
        frame = {c: act[c] for c in [tcol] + akeys}
        if tcol == "date":
            frame[S.MONTH] = act["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
        values = {"actual_fen": credited, "deals": share / 100.0, "rows": np.ones(len(act), dtype=np.int64)}
        self.credits_ = _aggregate(frame, [tcol] + akeys, values, code=agg_code, order=order)
        if tcol == "date":
            self.credits_[S.MONTH] = self.credits_["date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
            monthly = _aggregate(frame, [S.MONTH] + akeys, values)
        else:
            monthly = self.credits_
        monthly = monthly.copy()
        for k in akeys:  # small from here on: plain text keys
            monthly[k] = monthly[k].astype(object)
        self.actual_keys_ = akeys
        self._actual_monthly = monthly
        # -- unmatched keys (reported, never dropped)
        self._find_unmatched(monthly, src)

    def _find_unmatched(self, monthly: pd.DataFrame, src: str) -> None:
        keys = [S.BRANCH] + ([S.SALESPERSON] if self.person_level_ and S.SALESPERSON in monthly.columns else [])
        known = self.targets_[keys].drop_duplicates()
        present = monthly.groupby(keys, sort=True)[["actual_fen", "rows"]].sum().reset_index().rename(columns={"actual_fen": "_fen", "rows": "_rows"})
        merged = present.merge(known.assign(_known=True), on=keys, how="left")
        missing = merged[merged["_known"].isna()].copy()
        branches = set(self.targets_[S.BRANCH])
        self.unmatched_ = pd.DataFrame(
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

    def _build_monthly(self) -> None:
        """Actual and target per month × keys (outer join: keys of either side are kept)."""
        akeys = self.actual_keys_
        act = self._actual_monthly
        tkeys = self.target_keys_
        # targets and actuals share the keys both of them have; product targets stay on their own level
        keys = [k for k in (S.BRANCH, S.SALESPERSON) if k in tkeys and k in akeys]
        a = act.groupby([S.MONTH] + keys, observed=True, dropna=False)[["actual_fen", "deals"]].sum()
        t = self.targets_.groupby([S.MONTH] + keys, observed=True)["target_fen"].sum()
        m = a.join(t, how="outer").reset_index()
        m["actual_fen"] = m["actual_fen"].fillna(0).astype(np.int64)
        m["deals"] = m["deals"].fillna(0.0)
        m["has_target"] = m["target_fen"].notna()
        self.monthly_ = m
        self.keys_ = keys
        # actuals by product (and by branch × product), whatever the targets hold
        self.product_monthly_ = None
        if S.PRODUCT in akeys:
            pkeys = [S.PRODUCT]
            p = act.groupby([S.MONTH] + pkeys, observed=True, dropna=False)["actual_fen"].sum()
            if self.product_targets_:
                pt = self.targets_.groupby([S.MONTH] + pkeys, observed=True)["target_fen"].sum()
                p = p.to_frame().join(pt, how="outer")
            else:
                p = p.to_frame().assign(target_fen=np.nan)
            p = p.reset_index()
            p["actual_fen"] = p["actual_fen"].fillna(0).astype(np.int64)
            p["has_target"] = p["target_fen"].notna()
            self.product_monthly_ = p

    # -- helpers -------------------------------------------------------------
    def _sort(self, frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        """Order rows by the targets' order of branches (then salespeople); keys without a target last."""
        if not keys or frame.empty:
            return frame.reset_index(drop=True)
        order = []
        for key, known in ((S.BRANCH, self.branch_order_), (S.SALESPERSON, self.person_order_), (S.PRODUCT, [])):
            if key in keys:
                rank = {v: i for i, v in enumerate(known)}
                order.append(frame[key].astype(object).map(rank).fillna(len(rank)).to_numpy(dtype=float))
                order.append(frame[key].astype(str).to_numpy())
        idx = np.lexsort(order[::-1])
        return frame.iloc[idx].reset_index(drop=True)

    def _branches(self) -> list[str]:
        """Every branch with a target or an actual, in the targets' order."""
        present = set(self.monthly_[S.BRANCH])
        extra = sorted(present - set(self.branch_order_), key=str)
        return list(self.branch_order_) + extra

    def _check_fitted(self) -> None:
        if not hasattr(self, "monthly_"):
            raise NotFittedError("Tracker is not fitted yet; call fit(targets, actuals) first.")

    def _level_keys(self, level: str) -> list[str]:
        if level not in LEVELS:
            raise ParameterError(f"level must be one of {', '.join(LEVELS)}, not '{level}'.{suggest(level, LEVELS)}")
        if level == "company":
            return []
        if level == "branch":
            return [S.BRANCH]
        if level == "salesperson":
            if S.SALESPERSON not in self.keys_:
                raise ParameterError("salesperson level needs targets and actuals with a salesperson column (e.g. `backward --level salesperson`).")
            return [S.BRANCH, S.SALESPERSON]
        if self.product_monthly_ is None:
            raise ParameterError("product level needs actuals with a product column.")
        return [S.PRODUCT]

    def _period_bounds(self, period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        if period not in PERIODS:
            raise ParameterError(f"period must be one of {', '.join(PERIODS)}, not '{period}'.{suggest(period, PERIODS)}")
        a = self.as_of_
        month = a.to_period("M").start_time
        start = {"month": month, "qtd": a.to_period("Q").start_time, "ytd": pd.Timestamp(year=a.year, month=1, day=1)}[period]
        return start, month

    def _elapsed_fraction(self) -> float:
        """Share of the as-of month's working days elapsed by the as-of date (1.0 at month end)."""
        a = self.as_of_
        if self.granularity_ == "month" or a == a + pd.offsets.MonthEnd(0):
            return 1.0
        start = a.to_period("M").start_time
        total = calendar_cn.working_days(start, start + pd.offsets.MonthEnd(0))
        return calendar_cn.working_days(start, a) / total if total else 1.0

    def _monthly_for(self, level: str) -> tuple[pd.DataFrame, list[str]]:
        keys = self._level_keys(level)
        return (self.product_monthly_ if level == "product" else self.monthly_), keys

    # -- attainment ------------------------------------------------------------
    def attainment(self, level: str = "branch", period: str = "ytd") -> pd.DataFrame:
        """Actual vs target for one level and period (``period='all'``: month, qtd and ytd stacked).

        Columns: the level's keys (none / branch / branch, salesperson /
        product), ``period``, ``period_start``, ``as_of``, ``actual``,
        ``target`` (full months of the period up to the as-of month, yuan),
        ``attainment_pct``, ``variance`` (actual - target), ``time_elapsed_pct``
        (working days), ``target_to_date`` (time-adjusted target),
        ``time_adjusted_attainment_pct``, ``status`` (light), ``rank`` (1 = best
        time-adjusted attainment, among rows with a target) and for salespeople
        ``rank_in_branch``; exact ``actual_fen`` and ``target_fen``.
        """
        self._check_fitted()
        if period == "all":
            return pd.concat([self.attainment(level, p) for p in PERIODS], ignore_index=True)
        data, keys = self._monthly_for(level)
        start, month = self._period_bounds(period)
        frac = self._elapsed_fraction()
        sel = data[(data[S.MONTH] >= start) & (data[S.MONTH] <= month)]
        cur = (sel[S.MONTH] == month).to_numpy()
        tgt = sel["target_fen"].to_numpy(dtype=float)
        sel = sel.assign(_tdate=np.where(cur, tgt * frac, tgt), _t=tgt)
        if keys:
            g = sel.groupby(keys, observed=True, dropna=False, sort=True)
            out = g.agg(actual_fen=("actual_fen", "sum"), target_fen=("_t", "sum"), _tdate=("_tdate", "sum"), _has=("has_target", "any")).reset_index()
        else:
            out = pd.DataFrame(
                {"actual_fen": [sel["actual_fen"].sum()], "target_fen": [np.nansum(sel["_t"])], "_tdate": [np.nansum(sel["_tdate"])], "_has": [bool(sel["has_target"].any())]}
            )
        has = out["_has"].to_numpy()
        target_fen = np.where(has, out["target_fen"].to_numpy(dtype=float), np.nan)
        tdate = np.where(has, out["_tdate"].to_numpy(dtype=float), np.nan)
        actual_fen = out["actual_fen"].to_numpy(dtype=np.int64)
        wd_total = calendar_cn.working_days(start, month + pd.offsets.MonthEnd(0))
        wd_done = calendar_cn.working_days(start, self.as_of_) if self.granularity_ == "day" else wd_total
        if self.granularity_ == "month":
            wd_done = wd_total
        res = out[keys].copy()
        res["period"] = period
        res["period_start"] = start
        res["as_of"] = self.as_of_
        res["actual"] = actual_fen / 100
        res["target"] = target_fen / 100
        res["attainment_pct"] = _pct(actual_fen, target_fen)
        res["variance"] = res["actual"] - res["target"]
        res["time_elapsed_pct"] = (wd_done / wd_total * 100.0) if wd_total else 100.0
        res["target_to_date"] = np.round(tdate) / 100
        res["time_adjusted_attainment_pct"] = _pct(actual_fen, tdate)
        res["status"] = _status(res["time_adjusted_attainment_pct"].to_numpy(dtype=float), self.thresholds_)
        res["rank"] = res["time_adjusted_attainment_pct"].rank(ascending=False, method="min").astype("Int64")
        if level == "salesperson":
            res["rank_in_branch"] = res.groupby(S.BRANCH)["time_adjusted_attainment_pct"].rank(ascending=False, method="min").astype("Int64")
        res["actual_fen"] = actual_fen
        res["target_fen"] = pd.array(np.where(has, out["target_fen"].to_numpy(dtype=float), np.nan), dtype="Int64")
        return self._sort(res, keys)

    def unmatched(self) -> pd.DataFrame:
        """Actuals whose branch (or branch/salesperson) has no target: keys, in_targets (branch known), rows, actual."""
        self._check_fitted()
        return self.unmatched_.copy()

    def duplicates_found(self) -> pd.DataFrame:
        """The duplicated actual rows detected (empty when there were none), with their file row."""
        self._check_fitted()
        return self.duplicates_.copy()

    def standing(self) -> pd.DataFrame:
        """Company and branch standing: one row per company/branch with month, QTD and YTD attainment."""
        self._check_fitted()
        parts = []
        for level in ("company", "branch"):
            frames = []
            for period in PERIODS:
                a = self.attainment(level, period)
                if level == "company":
                    a.insert(0, S.BRANCH, COMPANY)
                frames.append(
                    a.set_index(S.BRANCH)[["actual", "target", "attainment_pct", "time_adjusted_attainment_pct", "status"]].add_prefix(f"{period}_")
                )
            parts.append(pd.concat(frames, axis=1).reset_index())
        return pd.concat(parts, ignore_index=True)

    # -- outlook ---------------------------------------------------------------
    def outlook(self, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0, min_months: int = 24, forecaster=None) -> pd.DataFrame:
        """Projected year-end per branch and for the company, with a range and the odds of reaching the target.

        Actuals of the closed months + a re-forecast of the remaining months by
        the forward method (:class:`salesanalytics.forward.Forecaster`, fitted on
        ``history`` before the plan year plus this year's closed months, joint
        sample paths so the company range keeps the branches' correlation).  A
        branch with fewer than ``min_months`` months of data (a new branch), or
        every branch when no history is given or the forecaster is not
        available, is projected by its **run rate**: the remaining planned tasks
        times its attainment so far (``method = run_rate``, no range).  A month
        in progress counts its actual so far plus the forecast for its remaining
        working days.

        Columns: branch (``全公司`` for the company), ``annual_target``,
        ``actual_to_date``, ``forecast_remaining``, ``projected_year_end``,
        ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``, ``projected_attainment_pct``,
        ``prob_reach_target``, ``method``.
        """
        self._check_fitted()
        year, as_of = self.year_, self.as_of_
        months = _month_starts(year)
        month_end = as_of + pd.offsets.MonthEnd(0)
        closed = months[months + pd.offsets.MonthEnd(0) <= as_of]
        remaining = months[months + pd.offsets.MonthEnd(0) > as_of]
        current_partial = as_of != month_end and as_of.to_period("M").start_time in remaining
        frac_left = 1.0 - self._elapsed_fraction() if current_partial else 0.0
        m = self.monthly_.groupby([S.MONTH, S.BRANCH], observed=True)[["actual_fen", "target_fen"]].sum(min_count=1).reset_index()
        branches = self._branches()
        pivot = lambda col: m.pivot(index=S.BRANCH, columns=S.MONTH, values=col).reindex(index=branches, columns=months)  # noqa: E731
        act = pivot("actual_fen").fillna(0).to_numpy(dtype=float) / 100
        tgt = pivot("target_fen").to_numpy(dtype=float) / 100
        has_target = np.isfinite(tgt).any(axis=1)
        tgt = np.nan_to_num(tgt)
        annual = tgt.sum(axis=1)
        actual_to_date = act.sum(axis=1)
        n_rem = len(remaining)
        n_draws = int(n_draws)
        method = np.array(["run_rate"] * len(branches), dtype=object)
        # run rate: remaining planned tasks x attainment so far (plan phasing kept)
        rem_idx = np.arange(12 - n_rem, 12)
        t_rem = tgt[:, rem_idx].copy()
        if current_partial and n_rem:
            t_rem[:, 0] *= frac_left
        closed_idx = np.arange(0, 12 - n_rem)
        t_done = tgt[:, closed_idx].sum(axis=1) + (tgt[:, rem_idx[0]] * (1 - frac_left) if current_partial and n_rem else 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(t_done > 0, actual_to_date / t_done, 1.0)
        # sample paths of the remaining months (draw x branch x month); run-rate branches are the same in every draw
        paths = np.broadcast_to((t_rem * ratio[:, None])[None], (n_draws, len(branches), n_rem)).copy()
        self.outlook_note_ = None
        if n_rem and history is not None:
            paths, method = self._forecast_draws(history, branches, act, closed, remaining, frac_left if current_partial else 0.0, n_draws, seed, min_months, forecaster, paths, method)
        draws = paths.sum(axis=2)
        total = actual_to_date[None, :] + draws
        self.outlook_monthly_ = self._outlook_months(branches, months, act, tgt, has_target, paths, rem_idx)
        company_total = total.sum(axis=1)
        rows = []
        for i, b in enumerate(branches):
            rows.append(self._outlook_row(b, annual[i] if has_target[i] else np.nan, actual_to_date[i], total[:, i], method[i]))
        methods = set(method.tolist())
        rows.insert(0, self._outlook_row(COMPANY, annual[has_target].sum(), actual_to_date.sum(), company_total, methods.pop() if len(methods) == 1 else "mixed"))
        out = pd.DataFrame(rows)
        out.insert(1, "as_of", as_of)
        return out

    def _outlook_months(self, branches, months, act, tgt, has_target, paths, rem_idx) -> pd.DataFrame:
        """Month by month: target, actual, projection (actual + mean of the paths) and its 80 % range."""
        n_b = len(branches)
        proj = np.repeat(act[None], paths.shape[0], axis=0)  # draws x branches x 12
        proj[:, :, rem_idx] += paths
        names = [COMPANY] + list(branches)
        proj = np.concatenate([proj.sum(axis=1, keepdims=True), proj], axis=1)
        tgt_all = np.vstack([tgt[has_target].sum(axis=0, keepdims=True), np.where(has_target[:, None], tgt, np.nan)])
        act_all = np.vstack([act.sum(axis=0, keepdims=True), act])
        lo, hi = np.percentile(proj, [10, 90], axis=0)
        is_fc = np.zeros(12, dtype=bool)
        is_fc[rem_idx] = True
        return pd.DataFrame(
            {
                S.BRANCH: np.repeat(names, 12),
                S.MONTH: np.tile(months.to_numpy(), n_b + 1),
                "target": tgt_all.reshape(-1),
                "actual": np.where(np.tile(np.arange(12) < self.as_of_.month, n_b + 1), act_all.reshape(-1), np.nan),
                "projected": np.round(proj.mean(axis=0).reshape(-1), 2),
                "lo_80": np.round(lo.reshape(-1), 2),
                "hi_80": np.round(hi.reshape(-1), 2),
                "kind": np.tile(np.where(is_fc, "forecast", "actual"), n_b + 1),
            }
        )

    def outlook_monthly(self, history: pd.DataFrame | None = None, **kwargs) -> pd.DataFrame:
        """The outlook month by month, for charts: branch (``全公司`` first), month, ``target``,
        ``actual`` (NaN for months not started), ``projected`` (actual + mean re-forecast),
        ``lo_80``/``hi_80`` and ``kind`` (actual / forecast); same arguments as :meth:`outlook`."""
        self.outlook(history, **kwargs)
        return self.outlook_monthly_.copy()

    def _forecast_draws(self, history, branches, act, closed, remaining, frac_left, n_draws, seed, min_months, forecaster, draws, method):
        try:
            if forecaster is None:
                from .forward import make_forecaster
            else:
                def make_forecaster(horizon):  # a class passed in (tests, other models)
                    return forecaster(horizon=horizon, levels=(80, 95), n_jobs=1)
        except ImportError:
            self.outlook_note_ = "salesanalytics.forward is not available: run-rate projection only"
            warnings.warn(self.outlook_note_, TrackingWarning, stacklevel=3)
            return draws, method
        value_col = MEASURES[self.measure][1]
        if value_col not in history.columns:
            raise DataError(f"the history has no '{value_col}' column to re-forecast the {self.measure} outlook.", source=history.attrs.get("source", "history"))
        hist = history[history[S.MONTH] < pd.Timestamp(year=self.year_, month=1, day=1)]
        hist = hist.groupby([S.BRANCH, S.MONTH], observed=True)[value_col].sum().rename(S.REVENUE).reset_index()
        this = pd.DataFrame(
            {
                S.BRANCH: np.repeat(branches, len(closed)),
                S.MONTH: np.tile(closed.to_numpy(), len(branches)),
                S.REVENUE: act[:, : len(closed)].reshape(-1),
            }
        )
        full = pd.concat([hist, this], ignore_index=True)
        full = full[full[S.BRANCH].isin(branches)]
        span = full[full[S.REVENUE] != 0].groupby(S.BRANCH)[S.MONTH].agg(["min", "max", "count"])
        ok = [b for b in branches if b in span.index and span.loc[b, "count"] >= min_months and (len(closed) == 0 or span.loc[b, "max"] == closed[-1])]
        if not ok:
            return draws, method
        full = full[full[S.BRANCH].isin(ok)]
        full = full.sort_values([S.BRANCH, S.MONTH]).reset_index(drop=True)
        try:
            fc = make_forecaster(len(remaining)).fit(full)
            paths = np.asarray(fc.simulate(n_draws=n_draws, seed=seed), dtype=float)
        except (ForecastError, DataError) as exc:
            self.outlook_note_ = f"the forecaster could not fit ({exc}); run-rate projection only"
            warnings.warn(self.outlook_note_, TrackingWarning, stacklevel=3)
            return draws, method
        series = [str(s) for s in fc.series_]
        if frac_left and paths.shape[2]:
            paths[:, :, 0] *= frac_left  # only the working days still ahead of the month in progress
        draws = draws.copy()
        for j, name in enumerate(series):
            if name in branches:
                i = branches.index(name)
                draws[:, i, :] = paths[:, j, :]
                method[i] = "forecast"
        return draws, method

    @staticmethod
    def _outlook_row(branch, annual, actual, total, method) -> dict:
        q = np.percentile(total, [2.5, 10, 50, 90, 97.5]) if total.size else [np.nan] * 5
        mean = float(np.mean(total))
        return {
            S.BRANCH: branch,
            "annual_target": annual,
            "actual_to_date": round(float(actual), 2),
            "forecast_remaining": round(mean - float(actual), 2),
            "projected_year_end": round(mean, 2),
            "lo_80": round(float(q[1]), 2),
            "hi_80": round(float(q[3]), 2),
            "lo_95": round(float(q[0]), 2),
            "hi_95": round(float(q[4]), 2),
            "projected_attainment_pct": float(_pct(mean, annual)) if np.isfinite(annual) else np.nan,
            "prob_reach_target": float(np.mean(total >= annual - 0.005)) if np.isfinite(annual) and annual > 0 else np.nan,
            "method": method,
        }

    # -- re-planning -------------------------------------------------------------
    def _open_months(self) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Months still open after the as-of date and the share of each one's working days still ahead."""
        months = _month_starts(self.year_)
        ends = months + pd.offsets.MonthEnd(0)
        open_ = months[ends > self.as_of_]
        ahead = np.ones(len(open_))
        if len(open_) and open_[0] <= self.as_of_:
            ahead[0] = 1.0 - self._elapsed_fraction()
        return open_, ahead

    def replan(self, level: str = "branch") -> pd.DataFrame:
        """Re-plan the rest of the year: the remaining gap over the open months, exact to the fen.

        For each key, ``remaining_gap = annual target - actual to date`` (0 once
        the target is reached) is split over the months still open in proportion
        to their planned tasks (the plan's own phasing; the month in progress
        weighted by its share of working days still ahead), by largest remainder.
        ``new_task`` of an open month = what is already booked in it + its part of
        the gap; of a closed month = its actual.  So the new tasks of a key sum
        exactly to its annual target (or to its actual when that is higher).
        A key whose open months have no planned task spreads its gap by working days.

        Columns: keys, ``month``, ``month_status`` (closed/open), ``planned_task``,
        ``actual``, ``new_task``, ``change``, ``remaining_gap``, ``annual_target``
        and exact ``*_fen`` columns.  Levels: company, branch, salesperson.
        """
        self._check_fitted()
        if level == "product":
            raise ParameterError("replan works on company, branch or salesperson level (targets are set per branch/person).")
        keys = self._level_keys(level)
        m = self.monthly_[self.monthly_["has_target"]] if level != "company" else self.monthly_
        if keys:
            g = m.groupby(keys + [S.MONTH], observed=True)[["actual_fen", "target_fen"]].sum()
            frame = g.reset_index()
            key_frame = self._sort(frame[keys].drop_duplicates(), keys)
        else:
            frame = m.groupby(S.MONTH)[["actual_fen", "target_fen"]].sum().reset_index()
            key_frame = pd.DataFrame(index=[0])
        months = _month_starts(self.year_)
        n_keys, n_m = len(key_frame), 12
        kcode = frame.merge(key_frame.reset_index(), on=keys, how="left")["index"].to_numpy() if keys else np.zeros(len(frame), dtype=np.int64)
        mcode = frame[S.MONTH].dt.month.to_numpy() - 1
        A = np.zeros((n_keys, n_m), dtype=np.int64)
        T = np.zeros((n_keys, n_m), dtype=np.int64)
        np.add.at(A, (kcode, mcode), frame["actual_fen"].to_numpy(dtype=np.int64))
        np.add.at(T, (kcode, mcode), np.nan_to_num(frame["target_fen"].to_numpy(dtype=float)).astype(np.int64))
        open_, ahead = self._open_months()
        open_idx = (open_.month.to_numpy() - 1) if len(open_) else np.zeros(0, dtype=int)
        annual = T.sum(axis=1)
        done = A.sum(axis=1)
        gap = np.maximum(annual - done, 0)
        new = A.copy()
        if len(open_idx):
            w = T[:, open_idx].astype(float) * ahead[None, :]
            wd = np.array([calendar_cn.working_days(max(mo, self.as_of_ + pd.Timedelta(days=1)), mo + pd.offsets.MonthEnd(0)) for mo in open_], dtype=float)
            empty = w.sum(axis=1) <= 0
            w[empty] = wd[None, :]  # nothing planned in the open months: spread the gap by working days
            if np.any(empty & (gap > 0) & (wd.sum() <= 0)):  # pragma: no cover - December with no working day left
                raise ParameterError("no working day is left in the year to re-plan the gap over.")
            group = np.repeat(np.arange(n_keys), len(open_idx))
            parts = allocate_grouped(gap, group, w.reshape(-1)).reshape(n_keys, len(open_idx))
            new[:, open_idx] += parts
        rows = {k: np.repeat(key_frame[k].to_numpy(), n_m) for k in keys}
        out = pd.DataFrame(rows)
        out[S.MONTH] = np.tile(months.to_numpy(), n_keys)
        is_open = np.isin(np.arange(12), open_idx)
        out["month_status"] = np.tile(np.where(is_open, "open", "closed"), n_keys)
        out["planned_task_fen"] = T.reshape(-1)
        out["actual_fen"] = A.reshape(-1)
        out["new_task_fen"] = new.reshape(-1)
        out["planned_task"] = out["planned_task_fen"] / 100
        out["actual"] = out["actual_fen"] / 100
        out["new_task"] = out["new_task_fen"] / 100
        out["change"] = (out["new_task_fen"] - out["planned_task_fen"]) / 100
        out["remaining_gap"] = np.repeat(gap, n_m) / 100
        out["annual_target"] = np.repeat(annual, n_m) / 100
        return out

    def daily_pace(self, level: str = "branch") -> pd.DataFrame:
        """Required pace per remaining working day of the month ahead (Chinese calendar with 调休).

        The pace month is the month of the day after ``as_of`` (at a month end,
        the next month).  ``still_to_do`` = its re-planned task minus what is
        already booked in it; ``required_per_working_day`` = still_to_do /
        working days left, rounded **up** to the fen so that pace x days covers
        it.  For comparison: ``plan_per_working_day`` (the original task over the
        month's working days) and ``run_rate_per_working_day`` (this year's actual
        per working day so far); ``pace_ratio`` = required / run rate.
        """
        self._check_fitted()
        nxt = self.as_of_ + pd.Timedelta(days=1)
        if nxt.year != self.year_:
            raise ParameterError(f"as_of {self.as_of_:%Y-%m-%d} is the last day of {self.year_}: no working day is left to pace.")
        rp = self.replan(level)
        keys = self._level_keys(level)
        month = nxt.to_period("M").start_time
        month_end = month + pd.offsets.MonthEnd(0)
        wd_month = calendar_cn.working_days(month, month_end)
        wd_left = calendar_cn.working_days(nxt, month_end)
        wd_ytd = calendar_cn.working_days(pd.Timestamp(year=self.year_, month=1, day=1), self.as_of_)
        cur = rp[rp[S.MONTH] == month].reset_index(drop=True)
        # run rate since the key's first month with a task or a sale (a new branch is not diluted by months before it opened)
        active = rp.assign(_m=np.where((rp["planned_task_fen"] > 0) | (rp["actual_fen"] > 0), rp[S.MONTH].dt.month - 1, 12))
        agg = {"actual_fen": ("actual_fen", "sum"), "first": ("_m", "min")}
        ytd = active.groupby(keys, sort=False).agg(**agg).reset_index() if keys else pd.DataFrame({"actual_fen": [rp["actual_fen"].sum()], "first": [active["_m"].min()]})
        ytd = cur[keys].merge(ytd, on=keys, how="left") if keys else ytd
        ytd_fen = ytd["actual_fen"].to_numpy(dtype=float)
        wd_before = np.concatenate([[0], np.cumsum(calendar_cn.month_working_days(self.year_))])
        wd_ytd = wd_ytd - wd_before[np.minimum(ytd["first"].to_numpy(dtype=int), 12)]
        todo = np.maximum(cur["new_task_fen"].to_numpy(dtype=np.int64) - cur["actual_fen"].to_numpy(dtype=np.int64), 0)
        out = cur[keys].copy()
        out["pace_month"] = month
        out["as_of"] = self.as_of_
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

    # -- weekly and daily views ----------------------------------------------------
    def _daily_arrays(self, level: str):
        """(keys frame, days, target fen [K x D], actual fen [K x D]) for company or branch level."""
        if self.granularity_ != "day":
            raise ParameterError("weekly and daily views need daily actuals (a date column with days), not monthly ones.")
        if level not in ("company", "branch"):
            raise ParameterError(f"weekly and daily views are per branch or for the company, not '{level}'.")
        keys = self._level_keys(level)
        year = self.year_
        days = calendar_cn.year_days(year)
        flags = calendar_cn.workday_flags(days[0], days[-1]).to_numpy()
        m = self.monthly_[self.monthly_["has_target"]]
        if keys:
            names = self._branches()
        else:
            names = [COMPANY]
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
        c = self.credits_
        kc = _lookup(c[S.BRANCH], index) if keys else np.zeros(len(c), dtype=int)
        dc = (c["date"] - days[0]).dt.days.to_numpy()
        flat = kc.astype(np.int64) * D + dc
        aday = np.rint(np.bincount(flat, weights=c["actual_fen"].to_numpy(dtype=float), minlength=K * D)).astype(np.int64).reshape(K, D)
        deals = np.bincount(flat, weights=c["deals"].to_numpy(dtype=float), minlength=K * D).reshape(K, D)
        return names, days, flags, tday, aday, deals

    def weekly(self, level: str = "branch") -> pd.DataFrame:
        """每周进程管理: per week (Monday to Sunday) up to the as-of date, target and actual of the week and to date.

        The daily target spreads each month's task evenly over its working days
        (exact fen).  Columns: branch (or ``全公司``), ``week`` (ISO label),
        ``week_start``, ``week_end`` (the as-of date for the last, partial week),
        ``target_week``, ``actual_week``, ``target_to_date``, ``actual_to_date``,
        ``gap_to_date``, ``attainment_to_date_pct``, ``status``.
        """
        self._check_fitted()
        names, days, _, tday, aday, _ = self._daily_arrays(level)
        upto = int((self.as_of_ - days[0]).days) + 1
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
        wends = wends.where(wends <= self.as_of_, self.as_of_)
        iso = wstarts.isocalendar()
        wstarts = wstarts.where(wstarts >= days[0], days[0])  # the first week starts on 1 January
        label = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
        out = pd.DataFrame(
            {
                S.BRANCH: np.repeat(names, W),
                "week": np.tile(label, len(names)),
                "week_start": np.tile(wstarts.to_numpy(), len(names)),
                "week_end": np.tile(pd.DatetimeIndex(wends).to_numpy(), len(names)),
                "target_week": tw.reshape(-1) / 100,
                "actual_week": aw.reshape(-1) / 100,
                "target_to_date": tcum.reshape(-1) / 100,
                "actual_to_date": acum.reshape(-1) / 100,
            }
        )
        out["gap_to_date"] = out["actual_to_date"] - out["target_to_date"]
        out["attainment_to_date_pct"] = _pct(acum.reshape(-1), tcum.reshape(-1))
        out["status"] = _status(out["attainment_to_date_pct"].to_numpy(dtype=float), self.thresholds_)
        return out

    def daily_checks(self, start=None, end=None, level: str = "branch") -> pd.DataFrame:
        """The daily three checks (早上对照目标 / 中午对照过程 / 晚上对照结果) per branch and day.

        Default days: the as-of month from its 1st to the as-of date.  Morning:
        ``target_day`` (the month's task over its working days) and
        ``mtd_target``; midday (process, from the activity records, NaN without
        them): ``visits``, ``new_customers``, ``quotes``; evening (result):
        ``deals`` (credited, share-weighted), ``actual_day``, ``gap_day``,
        ``mtd_actual``, ``mtd_gap`` and ``status`` (month-to-date vs target).
        """
        self._check_fitted()
        names, days, flags, tday, aday, deals = self._daily_arrays(level)
        start = pd.Timestamp(start) if start is not None else self.as_of_.to_period("M").start_time
        end = pd.Timestamp(end) if end is not None else self.as_of_
        if end > self.as_of_ or start > end or start.year != self.year_:
            raise ParameterError(f"daily checks need {self.year_}-01-01 <= start <= end <= as_of ({self.as_of_:%Y-%m-%d}); got {start:%Y-%m-%d} .. {end:%Y-%m-%d}.")
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
        proc = ["visits", "new_customers", "quotes"]
        if self.activities_ is not None:
            a = self.activities_
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
        out["status"] = _status(_pct(acum[:, sel].reshape(-1), tcum[:, sel].reshape(-1)), self.thresholds_)
        return out[[S.BRANCH, "date", "is_workday", "target_day", "mtd_target", *proc, "deals", "actual_day", "gap_day", "mtd_actual", "mtd_gap", "status"]]

    def funnel(self, period: str = "ytd", level: str = "branch") -> pd.DataFrame:
        """Process → result funnel from the activity records: visits → quotes → deals → cash collected.

        Long format: branch (or ``全公司``), ``stage``, ``stage_order``,
        ``value``, ``from_stage`` and ``conversion_pct`` (quotes per 100 visits,
        deals per 100 quotes; new customers per 100 visits; cash collected per
        100 yuan of actual sales — the collection rate).  Empty without activities.
        """
        self._check_fitted()
        cols = [S.BRANCH, "stage", "stage_order", "value", "from_stage", "conversion_pct"]
        if self.activities_ is None:
            return pd.DataFrame(columns=cols)
        if level not in ("company", "branch"):
            raise ParameterError(f"the funnel is per branch or for the company, not '{level}'.")
        start, _ = self._period_bounds(period)
        a = self.activities_[self.activities_["date"] >= start]
        stages = [c for c in ("visits", "new_customers", "quotes", "deals", "cash_collected") if c in a.columns]
        if level == "branch":
            g = a.groupby(S.BRANCH, observed=True)[stages].sum()
        else:
            g = a[stages].sum().to_frame(COMPANY).T
        sales = self.attainment(level, period)
        sales = sales.set_index(S.BRANCH)["actual"] if level == "branch" else pd.Series({COMPANY: sales["actual"].iloc[0]})
        g["sales"] = sales.reindex(g.index).fillna(0.0)
        prev = {"new_customers": "visits", "quotes": "visits", "deals": "quotes", "cash_collected": "sales"}
        order = {s: i for i, s in enumerate(["visits", "new_customers", "quotes", "deals", "cash_collected", "sales"], start=1)}
        parts = []
        for stage in stages + ["sales"]:
            src = prev.get(stage)
            if stage == "sales":
                src = "deals" if "deals" in g.columns else None
            conv = _pct(g[stage], g[src]) if src in g.columns and stage != "sales" else np.full(len(g), np.nan)
            parts.append(pd.DataFrame({S.BRANCH: g.index, "stage": stage, "stage_order": order[stage], "value": g[stage].to_numpy(dtype=float), "from_stage": src if src in g.columns and stage != "sales" else None, "conversion_pct": conv}))
        out = pd.concat(parts, ignore_index=True).sort_values([S.BRANCH, "stage_order"], kind="stable").reset_index(drop=True)
        return out[cols]

    # -- summaries ----------------------------------------------------------------
    def summary(self, lang: str = "zh") -> dict:
        """Headline numbers of the company (floats in yuan) and counts of branches by light."""
        self._check_fitted()
        ytd = self.attainment("company", "ytd").iloc[0]
        br = self.attainment("branch", "ytd")
        annual = float(self.targets_["target_fen"].sum()) / 100
        return {
            "year": self.year_,
            "as_of": self.as_of_.date().isoformat(),
            "measure": self.measure,
            "granularity": self.granularity_,
            "ytd_actual_yuan": float(ytd["actual"]),
            "ytd_target_yuan": float(ytd["target"]),
            "ytd_attainment_pct": float(ytd["attainment_pct"]),
            "ytd_time_adjusted_attainment_pct": float(ytd["time_adjusted_attainment_pct"]),
            "status": ytd["status"] if lang == "en" else STATUS_ZH.get(ytd["status"], ytd["status"]),
            "annual_target_yuan": annual,
            "remaining_gap_yuan": max(annual - float(ytd["actual"]), 0.0),
            "branches_by_status": br["status"].value_counts().to_dict(),
            "unmatched_rows": int(self.unmatched_["rows"].sum()),
            "unmatched_yuan": float(self.unmatched_["actual"].sum()),
            "duplicated_rows": len(self.duplicates_),
            "rows_after_as_of": self.rows_after_as_of_,
        }

    def review(self, history: pd.DataFrame | None = None, *, n_draws: int = 1000, seed: int = 0) -> dict[str, pd.DataFrame | dict]:
        """Everything a quarterly review needs, in one call (tidy frames keyed by name).

        Keys: ``summary`` (dict), ``standing``, ``attainment_branch``,
        ``attainment_salesperson`` / ``attainment_product`` (when available, all
        three periods stacked), ``outlook``, ``outlook_monthly``, ``replan_branch``,
        ``replan_salesperson``, ``pace_branch``, ``pace_salesperson``,
        ``weekly``, ``daily_checks``, ``funnel``, ``unmatched``, ``duplicates``.
        """
        self._check_fitted()
        out: dict = {"summary": self.summary("en"), "standing": self.standing(), "attainment_branch": self.attainment("branch", "all")}
        if S.SALESPERSON in self.keys_:
            out["attainment_salesperson"] = self.attainment("salesperson", "all")
        if self.product_monthly_ is not None:
            out["attainment_product"] = self.attainment("product", "all")
        out["outlook"] = self.outlook(history, n_draws=n_draws, seed=seed)
        out["outlook_monthly"] = self.outlook_monthly_.copy()
        out["replan_branch"] = self.replan("branch")
        if S.SALESPERSON in self.keys_:
            out["replan_salesperson"] = self.replan("salesperson")
        if self.as_of_ + pd.Timedelta(days=1) <= pd.Timestamp(year=self.year_, month=12, day=31):
            out["pace_branch"] = self.daily_pace("branch")
            if S.SALESPERSON in self.keys_:
                out["pace_salesperson"] = self.daily_pace("salesperson")
        if self.granularity_ == "day":
            out["weekly"] = self.weekly("branch")
            out["daily_checks"] = self.daily_checks()
        out["funnel"] = self.funnel()
        out["unmatched"] = self.unmatched()
        out["duplicates"] = self.duplicates_found()
        return out

    def excel_sheets(self, lang: str = "zh", history: pd.DataFrame | None = None, *, review: dict | None = None) -> dict[str, pd.DataFrame]:
        """Sheets for the Excel output, with Chinese or English headers (exact ``*_fen`` columns dropped)."""
        review = review if review is not None else self.review(history)
        zh = lang == "zh"
        names = {
            "standing": ("总体进度", "standing"),
            "attainment_branch": ("分公司达成", "attainment_branch"),
            "attainment_salesperson": ("销售员达成", "attainment_salesperson"),
            "attainment_product": ("产品达成", "attainment_product"),
            "outlook": ("全年预计", "outlook"),
            "outlook_monthly": ("全年预计按月", "outlook_monthly"),
            "replan_branch": ("分公司调整任务", "replan_branch"),
            "replan_salesperson": ("销售员调整任务", "replan_salesperson"),
            "pace_branch": ("分公司每日进度", "pace_branch"),
            "pace_salesperson": ("销售员每日进度", "pace_salesperson"),
            "weekly": ("每周进程", "weekly"),
            "daily_checks": ("每日三查", "daily_checks"),
            "funnel": ("过程漏斗", "funnel"),
            "unmatched": ("无目标实绩", "unmatched"),
            "duplicates": ("重复行", "duplicates"),
        }
        sheets = {}
        for key, (zh_name, en_name) in names.items():
            frame = review.get(key)
            if frame is None:
                continue
            frame = frame.drop(columns=[c for c in frame.columns if str(c).endswith("_fen")])
            sheets[zh_name if zh else en_name] = relabel(frame, lang)
        return sheets


def _gp_targets_schema():
    import pandera.pandas as pa

    return S.TARGETS_SCHEMA.remove_columns(["sales_task"]).add_columns(
        {"gross_profit_task": pa.Column(float, checks=pa.Check.ge(0), nullable=False, coerce=True)}
    )


def track(targets: pd.DataFrame, actuals: pd.DataFrame, activities: pd.DataFrame | None = None, **settings) -> Tracker:
    """Convenience: ``Tracker(**settings).fit(targets, actuals, activities)``."""
    return Tracker(**settings).fit(targets, actuals, activities)
