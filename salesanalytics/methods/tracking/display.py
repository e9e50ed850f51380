"""Tracking tables for people: headers and coded values in Chinese or English, and the Excel sheets.

Every word comes from :mod:`salesanalytics.core.labels` (domain ``tracking``); a column
without a label is a :class:`~salesanalytics.core.exceptions.LabelError`, not a raw
identifier in a workbook.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ...core import schema as S
from ...core.labels import check_lang, label, label_columns, label_values, text
from .common import COMPANY, PERIODS

#: column -> value kind of its coded values (see core/labels/_tracking.py and _common.py)
VALUE_KINDS = {
    "status": "light",
    "method": "method",
    "month_status": "month_status",
    "rule": "replan_rule",
    "kind": "outlook_kind",
    "period": "tracking_period",
    "stage": "funnel_stage",
    "from_stage": "funnel_stage",
    "is_workday": "bool",
    "in_targets": "bool",
}
#: month columns shown as YYYY-MM
MONTH_COLUMNS = (S.MONTH, "pace_month")
#: review key -> Excel sheet (text key), in the workbook's order
SHEETS = {
    key: f"tracking_sheet_{key}"
    for key in ("standing", "attainment_branch", "attainment_salesperson", "attainment_product", "outlook", "outlook_monthly",
                "replan_branch", "replan_salesperson", "pace_branch", "pace_salesperson", "weekly", "daily_checks", "funnel",
                "unmatched", "duplicates")
}


def _is_standing(frame: pd.DataFrame) -> bool:
    """The standing table has ``<period>_<metric>`` columns; there ``month_status`` is this month's light."""
    return "ytd_status" in frame.columns


def relabel(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Rename columns to display labels (Chinese or English) and show coded values (lights, methods...) as words."""
    check_lang(lang)
    out = frame.copy()
    standing = _is_standing(out)
    kinds = {c: k for c, k in VALUE_KINDS.items() if c in out.columns}
    if standing:
        kinds.update({f"{p}_status": "light" for p in PERIODS if f"{p}_status" in out.columns})
    for col in kinds:
        if out[col].dtype == bool:  # numpy booleans -> Python ones, which the bool labels know
            out[col] = out[col].astype(object)
    out = label_values(out, lang, kinds)
    if S.BRANCH in out.columns:
        out[S.BRANCH] = out[S.BRANCH].where(out[S.BRANCH] != COMPANY, text("tracking_company", lang))
    for col in MONTH_COLUMNS:
        if col in out.columns and (isinstance(out[col].dtype, pd.DatetimeTZDtype) or out[col].dtype.kind == "M"):
            out[col] = out[col].dt.strftime("%Y-%m")
    keep = {c: label(f"standing_{c}", lang, "tracking") for c in out.columns if standing and c != S.BRANCH}
    return label_columns(out, lang, "tracking", keep=keep)


def excel_sheets(review: Mapping[str, pd.DataFrame | dict], lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Sheets of a review (see :meth:`Tracker.review`) with labelled headers; exact ``*_fen`` columns dropped."""
    check_lang(lang)
    sheets = {}
    for key, text_key in SHEETS.items():
        frame = review.get(key)
        if frame is None:
            continue
        frame = frame.drop(columns=[c for c in frame.columns if str(c).endswith("_fen")])
        sheets[text(text_key, lang)] = relabel(frame, lang)
    return sheets
