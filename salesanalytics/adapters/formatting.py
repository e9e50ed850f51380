"""The one formatting layer: how a number is shown, the same on pages, in the terminal and in workbooks.

Every column has a *kind* (:data:`KINDS`), decided from its key (``sales_task_yuan``,
``gap_pct``, ``probability``, ``headcount`` ...) by :func:`kind_for`, or from its display
header (a workbook or a labelled table only has the header) by :func:`kind_for_header`, which
maps the header back to its key through :mod:`salesanalytics.core.labels`.  :data:`OVERRIDES`
settles the keys whose name does not say what they hold (``cost_pct_revenue`` is a fraction,
``difficulty`` a multiple).  A kind then gives

- the text of a value, :func:`format_value` (pages, CLI tables, sentences): money in 元 to the
  fen (``1,234.56``) or in 万元 for summaries (``123.5``; with its unit ``123.5万元`` /
  ``123.5 (10k yuan)``), percentages with one decimal (``12.3%``, never ``-0.0%``), counts as
  integers, multiples as ``1.2倍`` / ``1.2×``, dates ``YYYY-MM-DD`` and months ``YYYY-MM``;
- the Excel number format of the kind, :func:`excel_format` (``#,##0.00``, ``0.0%`` for
  fractions and ``0.0"%"`` for values already in percent, ``yyyy-mm-dd`` ...).

Two percent kinds exist because the methods hold both: ``fraction`` (0.124, shown 12.4%) and
``percent`` (12.4, shown 12.4%).  The kind says which; the values are never guessed from.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from ..core import labels as L

#: every kind of column, and what its values are
KINDS: dict[str, str] = {
    "money": "yuan, shown to the fen",
    "money_wan": "yuan, shown in 万元 (10k yuan) with one decimal (summaries and charts)",
    "fen": "integer fen",
    "percent": "a percentage already multiplied by 100 (12.4 is 12.4%)",
    "fraction": "a share or probability between 0 and 1 (0.124 is 12.4%)",
    "ratio": "a multiple (1.2倍 / 1.2×)",
    "count": "a whole number of people, rows, deals, days",
    "number": "a measure with two decimals (scores, points)",
    "precise": "a statistic with three decimals (p-values, error measures)",
    "hours": "hours, one decimal",
    "days": "days, one decimal",
    "year": "a calendar year (no thousands separator)",
    "date": "a day",
    "month": "a calendar month",
    "bool": "yes / no",
    "text": "text",
}

#: Excel number format per kind (the ratio's unit depends on the language: :func:`excel_format`)
_EXCEL = {
    "money": "#,##0.00",
    "money_wan": "#,##0.0",
    "fen": "#,##0",
    "percent": '0.0"%"',
    "fraction": "0.0%",
    "count": "#,##0",
    "number": "#,##0.00",
    "precise": "0.000",
    "hours": "#,##0.0",
    "days": "#,##0.0",
    "year": "0",
    "date": "yyyy-mm-dd",
    "month": "yyyy-mm",
}

#: decimals shown per numeric kind (a fraction's are those of its percentage)
_DECIMALS = {"money": 2, "money_wan": 1, "fen": 0, "percent": 1, "fraction": 1, "ratio": 1, "count": 0, "number": 2,
             "precise": 3, "hours": 1, "days": 1, "year": 0}

#: the half of the last shown unit, in the value's own scale: a negative value closer to zero than this shows as 0
_HALF_UNIT = {k: 0.5 * 10 ** -d for k, d in _DECIMALS.items()} | {"fraction": 0.5e-3, "money_wan": 0.5e3}

# ----------------------------------------------------------------------------
# the kind of a column
# ----------------------------------------------------------------------------
#: Keys whose name or label misleads: ``key`` or ``(domain, key)`` -> kind, before anything else
#: (a domain's entry wins over a plain one).
OVERRIDES: dict[str | tuple[str, str], str] = {
    # fractions named *_pct (the incentive cost shares are 0.008, not 0.8)
    "cost_pct_revenue": "fraction",
    "cost_pct_gross_profit": "fraction",
    "cost_pct_gross_profit_p50": "fraction",
    "cost_pct_gross_profit_p90": "fraction",
    # multiples whose label has no unit
    "difficulty": "ratio",
    "factor": "ratio",
    "pace_ratio": "ratio",
    "top_bottom_ratio": "ratio",
    # a model's weight in the forward forecast is a share (0.355 is 35.5%); the scorecard's weights are points
    ("forward", "weight"): "fraction",
}

#: Keys whose name and label carry no unit, consulted after both: key -> kind.
KEY_KINDS: dict[str, str] = {
    # fractions (the scorecard's raw KPIs are shares: 1.26 is 126% of target)
    "gross_margin": "fraction",
    "effective_margin": "fraction",
    "attainment": "fraction",
    "branch_attainment": "fraction",
    "growth": "fraction",
    "collection_rate": "fraction",
    "relative": "fraction",
    "blend": "fraction",
    # statistics and scores
    "p_value": "precise",
    "backtest_mase": "precise",
    "score": "number",
    "mean_score": "number",
    "points": "number",
    "leniency": "number",
    "contribution": "number",
    "weight": "number",
    "expected_purchases": "number",
    "productivity": "number",
    # whole numbers
    **dict.fromkeys((
        "headcount", "hires", "new_hires", "hires_total", "extra_heads_needed", "staffed", "today", "added", "rank",
        "rank_in_branch", "row", "rows", "deals", "visits", "calls", "quotes", "new_customers", "customers", "asset_customers",
        "watch_customers", "liability_customers", "referrals", "people", "people_total", "people_scored", "people_unscored",
        "paid_people", "salespeople", "months", "months_flagged", "working_days_in_month", "working_days_left", "limit_count",
        "stage_order", "oldest_open_days", "draw", "ratings_left_out", "n", "count"), "count"),
    "year": "year",
    "prior_year": "year",
    "collection_days": "days",
    # months and days
    **dict.fromkeys(("month", "opening_month", "peak_month", "pace_month", "start_hiring", "first_start_hiring",
                     "last_start_hiring", "on_board_by", "hires_productive_from"), "month"),
    **dict.fromkeys(("date", "as_of", "period_start", "week_start", "week_end"), "date"),
}

_KEY_RULES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"_fen$", "fen"),
    (r"(^|_)yuan$", "money"),
    (r"(^|_)pct($|_)", "percent"),
    (r"^(prob_|probability)", "fraction"),
    (r"(^|_)share$", "fraction"),
    (r"(^|_)multiple$|_vs_|(^|_)ratio$", "ratio"),
    (r"^n_", "count"),
    (r"(^|_)hours($|_)", "hours"),
    (r"_on$|(?<!_to)_date$", "date"),
))

#: units a label carries, most telling first: (pattern over the zh or en label, kind)
_UNIT_RULES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.IGNORECASE), k) for p, k in (
    (r"单位[:：]\s*分|\(fen\)|（分）$", "fen"),
    (r"万元|10k yuan", "money_wan"),
    (r"元\)|元）|\(元|yuan\)|\(yuan|yuan per", "money"),
    (r"\(分\)|\(points\)|（分）|points\)", "number"),
    (r"%$|\(%\)|（%）|% of time\)", "percent"),  # not a % inside a name ("统一提成 0.8% (签单额)")
    (r"概率|probability", "fraction"),
    (r"\(倍\)|倍数|\(times\)|×", "ratio"),
    (r"\(小时\)|小时\)|\(hours\)|^hours |hours\)", "hours"),
    (r"\(人\)|人数$|\(people\)", "count"),
))


def _unit_kind(text: str) -> str | None:
    for pattern, kind in _UNIT_RULES:
        if pattern.search(text):
            return kind
    return None


def kind_for(key: str, domain: str | None = None) -> str | None:
    """The kind of column ``key`` (in ``domain``), or None when neither its name nor its label tells.

    Order: :data:`OVERRIDES` (the domain's entry first), the name's ending (``_fen``, ``_yuan``,
    ``_pct``, ``probability``, ``_share``, ``_multiple`` ...), the unit its label carries
    (``(元)``, ``%``, ``(倍)`` ...), then :data:`KEY_KINDS`.
    """
    key = str(key)
    if domain is not None and (domain, key) in OVERRIDES:
        return OVERRIDES[(domain, key)]
    if key in OVERRIDES:
        return OVERRIDES[key]
    for pattern, kind in _KEY_RULES:
        if pattern.search(key):
            return kind
    if domain is None:
        pairs = [table[key] for table in L.COLUMNS.values() if key in table]
    else:  # the label the domain shows: its own, else the common one
        pair = L.COLUMNS.get(domain, {}).get(key) or L.COLUMNS["common"].get(key)
        pairs = [pair] if pair else []
    kinds = {_unit_kind(f"{zh} | {en}") for zh, en in pairs} - {None}
    if len(kinds) == 1:
        return kinds.pop()
    return KEY_KINDS.get(key)


@lru_cache(maxsize=1)
def _headers() -> dict[str, tuple[tuple[str, str], ...]]:
    """Display text (zh or en) -> the (domain, key) pairs labelled so."""
    out: dict[str, list[tuple[str, str]]] = {}
    for domain, table in L.COLUMNS.items():
        for key, pair in table.items():
            for word in pair:
                out.setdefault(word, []).append((domain, key))
    return {word: tuple(keys) for word, keys in out.items()}


def kind_for_header(header) -> str | None:
    """The kind of a labelled column (``毛利任务(元)`` -> money): its key's kind through the labels, else its unit.

    A header labelled the same in two domains with different kinds is decided by its unit alone.
    """
    if not isinstance(header, str):
        return None
    if header in _headers():
        kinds = {kind_for(key, domain) for domain, key in _headers()[header]} - {None}
        if len(kinds) == 1:
            return kinds.pop()
    if header in OVERRIDES or header in KEY_KINDS or any(p.search(header) for p, _ in _KEY_RULES):
        found = kind_for(header)  # a raw key (a frame not yet labelled)
        if found is not None:
            return found
    return _unit_kind(header)


def kind_for_values(values: Iterable) -> str:
    """The kind of a column nobody named: from its values (dates, yes/no, whole numbers, numbers, text)."""
    seen = set()
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or v is pd.NA:
            continue
        if isinstance(v, (bool, np.bool_)):
            seen.add("bool")
        elif isinstance(v, (_dt.datetime, _dt.date, pd.Timestamp, np.datetime64)):
            seen.add("date")
        elif isinstance(v, (int, np.integer)):
            seen.add("count")
        elif isinstance(v, (float, np.floating, Decimal)):
            seen.add("count" if float(v).is_integer() else "number")
        else:
            return "text"
    if seen == {"count", "number"}:
        return "number"
    return seen.pop() if len(seen) == 1 else ("text" if seen else "number")


def column_kind(column, values: Iterable | None = None, *, domain: str | None = None,
                kinds: Mapping | None = None) -> str:
    """The kind of one column: ``kinds`` (the caller's word) first, then its key or header, then its values."""
    if kinds and column in kinds:
        return kinds[column]
    found = kind_for(column, domain) if isinstance(column, str) and domain else None
    found = found or kind_for_header(column)
    if found is not None:
        return found
    return kind_for_values(values if values is not None else ())


# ----------------------------------------------------------------------------
# a value as text
# ----------------------------------------------------------------------------
def _missing(v) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    try:
        return bool(isinstance(v, (float, np.floating)) and math.isnan(v))
    except TypeError:
        return False


def fixed(v, decimals: int, *, separator: bool = True, signed: bool = False) -> str:
    """``v`` with ``decimals`` decimals (thousands separated), never ``-0.0``: a value that rounds to zero has no sign."""
    text = f"{float(v):{'+' if signed else ''}{',' if separator else ''}.{decimals}f}"
    if text[:1] in "+-" and not any(ch not in "0.,+-" for ch in text):
        text = ("+" if signed else "") + text[1:]
    return text


def format_value(v, kind: str | None, lang: str = "zh", *, unit: bool = False, signed: bool = False,
                 missing: str = "", decimals: int | None = None) -> str:
    """``v`` as text for a page, a CLI table or a sentence, by the column's ``kind``.

    ``unit``: add the unit (``1,234.56元``, ``123.5万元``, ``1.2倍``; a percentage always has
    its ``%``, a multiple its ``倍``/``×``).  ``signed``: ``+2.7%`` for changes.  ``missing``:
    the text of an empty value.  ``decimals``: another precision than the kind's.
    """
    L.check_lang(lang)
    if _missing(v):
        return missing
    if isinstance(v, (bool, np.bool_)):
        return L.value("bool", bool(v), lang)
    if kind in (None, "text") and isinstance(v, (_dt.date, pd.Timestamp, np.datetime64)):
        kind = "date"
    if kind in ("date", "month"):
        stamp = pd.Timestamp(v) if not isinstance(v, str) else None
        if stamp is None:
            return v
        return stamp.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
    if kind == "bool":
        return L.value("bool", bool(v), lang) if isinstance(v, (int, float, np.integer, np.floating)) else str(v)
    if kind in (None, "text") or not isinstance(v, (int, float, Decimal, np.integer, np.floating)):
        if kind in (None, "text") and isinstance(v, (float, np.floating)):
            kind = "number"
        elif kind in (None, "text") and isinstance(v, (int, np.integer)):
            kind = "count"
        else:
            return str(v)
    places = _DECIMALS.get(kind, 2) if decimals is None else decimals
    x = float(v)
    if kind == "fraction":
        return fixed(x * 100, places, signed=signed) + "%"
    if kind == "percent":
        return fixed(x, places, signed=signed) + "%"
    if kind == "ratio":
        return L.text("fmt_ratio", lang, n=fixed(x, places, signed=signed))
    if kind == "year":
        return f"{int(round(x))}"
    if kind == "money_wan":
        text = fixed(x / 10_000, places, signed=signed)
        return L.text("fmt_wan", lang, n=text) if unit else text
    text = fixed(x, places, signed=signed)
    if unit and kind == "money":
        return L.text("fmt_yuan", lang, n=text)
    if unit and kind == "fen":
        return L.text("fmt_fen", lang, n=text)
    return text


def money(v, lang: str = "zh", *, unit: bool = True) -> str:
    """Yuan to the fen, for detail: ``1,234.56元`` / ``1,234.56 yuan``."""
    return format_value(v, "money", lang, unit=unit)


def money_wan(v, lang: str = "zh", *, unit: bool = True) -> str:
    """Yuan in 万元 with one decimal, for summaries and charts: ``123.5万元`` / ``123.5 (10k yuan)``."""
    return format_value(v, "money_wan", lang, unit=unit)


def percent(v, lang: str = "zh", *, fraction: bool = True, signed: bool = False) -> str:
    """A share (``fraction=True``: 0.124) or a percentage (12.4) as ``12.4%``."""
    return format_value(v, "fraction" if fraction else "percent", lang, signed=signed)


def unit_word(kind: str, lang: str = "zh") -> str:
    """The unit of a kind for a chart axis or a header: 元 / yuan, 万元 / 10k yuan, 分 / fen ('' for the others)."""
    key = {"money": "fmt_unit_yuan", "money_wan": "fmt_unit_wan", "fen": "fmt_unit_fen"}.get(kind)
    return L.text(key, lang) if key else ""


def format_frame(frame: pd.DataFrame, lang: str = "zh", *, domain: str | None = None, kinds: Mapping | None = None,
                 missing: str = "", number_decimals: int | None = None) -> pd.DataFrame:
    """``frame`` with every cell as text by its column's kind (columns keys or labelled headers; the index kept).

    ``number_decimals``: the precision of plain measures (kind ``number``: scores, columns nobody named).
    """
    out = pd.DataFrame(index=frame.index)
    for pos, col in enumerate(frame.columns):
        values = frame.iloc[:, pos]
        kind = column_kind(col, values.tolist(), domain=domain, kinds=kinds)
        places = number_decimals if kind == "number" else None
        out[pos] = [format_value(v, kind, lang, missing=missing, decimals=places) for v in values.tolist()]
    out.columns = frame.columns
    return out


def row_kinds(labels: Iterable) -> list[str | None]:
    """The kind of each row of a transposed table (one measure per row, e.g. the plans side by side), from the
    row's label as a header (``本期实际总成本(元)`` -> money); None where the label says nothing."""
    return [kind_for_header(str(v)) if isinstance(v, str) else None for v in labels]


def format_rows(frame: pd.DataFrame, lang: str = "zh", *, label_column: int = 0, missing: str = "",
                number_decimals: int | None = None) -> pd.DataFrame:
    """A transposed table (a measure per row, its label in column ``label_column``) with every cell as text by its
    row's kind; a row whose label tells nothing is formatted by its values."""
    kinds = row_kinds(frame.iloc[:, label_column].tolist())
    out = frame.astype(object).copy()
    for i, kind in enumerate(kinds):
        row = [v for j, v in enumerate(frame.iloc[i].tolist()) if j != label_column]
        kind = kind or kind_for_values([v for v in row if not isinstance(v, str)])
        places = number_decimals if kind == "number" else None
        for j in range(frame.shape[1]):
            if j != label_column:
                out.iat[i, j] = format_value(frame.iat[i, j], kind, lang, missing=missing, decimals=places)
    return out


# ----------------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------------
def excel_format(kind: str | None, lang: str = "zh") -> str | None:
    """The Excel number format of a kind (None for text): ``#,##0.00`` money, ``0.0%`` fractions,
    ``0.0"%"`` percentages, ``0.0"倍"``/``0.0"×"`` multiples, ``yyyy-mm-dd`` days, ``yyyy-mm`` months."""
    if kind == "ratio":
        return '0.0"{}"'.format(L.text("fmt_ratio", L.check_lang(lang), n="").strip())
    return _EXCEL.get(kind)


def excel_value(v, kind: str | None):
    """The value a cell of ``kind`` stores: a negative value that would show as ``-0.0`` stored as 0."""
    half = _HALF_UNIT.get(kind)
    if half is not None and isinstance(v, (float, np.floating)) and -half < v < 0:
        return 0.0
    return v


__all__ = ["KINDS", "OVERRIDES", "KEY_KINDS", "kind_for", "kind_for_header", "kind_for_values", "column_kind", "fixed", "format_value",
           "money", "money_wan", "percent", "unit_word", "format_frame", "row_kinds", "format_rows", "excel_format", "excel_value"]
