"""The tables and charts of each report page, built from the methods' outputs.

Notebooks stay thin (a ``parameters`` cell and calls into here); every table a
page shows has labelled headers: a method's own labelled tables where it
provides them, otherwise the tidy frame through :func:`labelled`.
"""

from __future__ import annotations

import inspect

import pandas as pd

from ..core import schema as S
from ..core.labels import COLUMNS, check_lang, label, label_columns
from ..methods import tracking

#: The staffing check of the backward page, in this order.
CAPACITY_COLUMNS = ("headcount", "gp_per_head_month", "capacity_gross_profit", "gross_profit_task", "uplift_needed_pct", "extra_heads_needed")


def labelled(frame: pd.DataFrame, lang: str = "zh", domain: str | None = None) -> pd.DataFrame:
    """``frame`` with labelled headers: the method's ``domain`` first, then the page's own (presentation), then common.

    A column labelled nowhere raises :class:`~salesanalytics.core.exceptions.LabelError`.
    """
    check_lang(lang)
    mine = COLUMNS.get(domain, {}) if domain else {}
    keep = {c: label(c, lang, "presentation") for c in frame.columns
            if isinstance(c, str) and c in COLUMNS["presentation"] and c not in mine}
    return label_columns(frame, lang, domain, keep=keep)


def _takes_lang(method) -> bool:
    return "lang" in inspect.signature(method).parameters


# ----------------------------------------------------------------------------
# 倒推法 backward page
# ----------------------------------------------------------------------------
def backward_capacity(planner, lang: str = "zh") -> pd.DataFrame:
    """Per branch: heads, productivity, what today's team delivers against the task, the uplift and heads needed."""
    cap = planner.capacity_
    frame = cap[[S.BRANCH, *[c for c in CAPACITY_COLUMNS if c in cap.columns]]]
    return labelled(frame.reset_index(drop=True), lang, "backward")


def backward_assumptions(planner, lang: str = "zh") -> pd.DataFrame:
    """The plan's settings and documented assumptions (two columns)."""
    if _takes_lang(planner.assumptions):  # the method labels its own table
        return planner.assumptions(lang=lang)
    return labelled(planner.assumptions(), lang, "backward")


# ----------------------------------------------------------------------------
# quarterly review page
# ----------------------------------------------------------------------------
def review_table(review: dict, name: str, lang: str = "zh") -> pd.DataFrame:
    """One table of ``Tracker.review`` with tracking's labels (standing, outlook, pace_branch, ...)."""
    return tracking.relabel(review[name], lang)


def attainment_by_branch(review: dict) -> pd.Series:
    """Year-to-date time-adjusted attainment (%) per branch, for the review's bar chart."""
    return review["standing"].set_index(S.BRANCH)["ytd_time_adjusted_attainment_pct"]


# ----------------------------------------------------------------------------
# scorecard page
# ----------------------------------------------------------------------------
def mean_score_by_branch(evaluation: dict) -> pd.Series:
    """Average score per branch (lowest first), for the scorecard's bar chart."""
    return evaluation["scores"].groupby(S.BRANCH)["score"].mean().sort_values()
