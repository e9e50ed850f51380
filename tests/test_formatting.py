"""The one formatting layer: a column's kind from its key or header, its text and its Excel number format."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import formatting as F
from salesanalytics.core import labels as L


# ----------------------------------------------------------------------------
# the kind of a column
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("key, domain, kind", [
    ("sales_task_yuan", None, "money"),
    ("amount_yuan", "combined", "money"),
    ("sales_task_fen", "backward", "fen"),
    ("gap_pct", "combined", "percent"),
    ("asset_share_pct", "customers", "percent"),
    ("probability", "combined", "fraction"),
    ("prob_reach_target", "tracking", "fraction"),
    ("top_share", "scorecard", "fraction"),
    ("cost_pct_revenue", "scorecard", "fraction"),  # named *_pct, holds 0.008: the override says so
    ("capacity_multiple", "backward", "ratio"),
    ("required_vs_today", "backward", "ratio"),
    ("difficulty", "scorecard", "ratio"),
    ("headcount", None, "count"),
    ("extra_heads_needed", "backward", "count"),
    ("hires", "backward", "count"),
    ("hires", "combined", "money"),  # the bridge's step is an amount: its label says (元)
    ("month", None, "month"),
    ("opening_month", "backward", "month"),
    ("as_of", "tracking", "date"),
    ("adjusted_on", "combined", "date"),
    ("actual_to_date", "tracking", "money"),  # "..._to_date" is an amount, not a day
    ("attainment", "scorecard", "fraction"),
    ("attainment_pct", "tracking", "percent"),
    ("p_value", "scorecard", "precise"),
    ("hours", "customers", "hours"),
    ("year", None, "year"),
    ("gross_profit_task", None, "money"),  # no suffix: the label's unit (元) tells
    ("branch", None, None),
])
def test_kind_from_the_key(key, domain, kind):
    assert F.kind_for(key, domain) == kind


@pytest.mark.parametrize("header, kind", [
    ("毛利任务(元)", "money"),
    ("Gross-profit task (yuan)", "money"),
    ("达成概率", "fraction"),
    ("Probability of attainment", "fraction"),
    ("达成率%", "percent"),
    ("本月时间调整达成率%", "percent"),  # a header made from a sentence: its unit
    ("Opportunity cost share (%)", "percent"),
    ("任务/现有产能(倍)", "ratio"),
    ("所需/实绩倍数", "ratio"),
    ("提成(单位: 分)", "fen"),
    ("Commission (fen)", "fen"),
    ("任务达成率(分)", "number"),  # the scorecard's points
    ("任务达成率", "fraction"),
    ("月份", "month"),
    ("截至", "date"),
    ("需新增人员(人)", "count"),
    ("投入时间(小时)", "hours"),
    ("统一提成 0.8% (签单额)", None),  # a plan's name: the % inside it is no unit
    ("Flat 0.8 % of signed", None),
    ("1月", None),
    ("gap_yuan", "money"),  # a raw key (a frame not labelled yet)
    (3, None),
])
def test_kind_from_the_header(header, kind):
    assert F.kind_for_header(header) == kind


def test_a_labelled_header_has_the_kind_of_its_key():
    # pages format keys, workbooks labelled headers: the same column gets the same kind both ways
    owners = {}
    for domain, table in L.COLUMNS.items():
        for key, pair in table.items():
            for word in pair:
                owners.setdefault(word, set()).add(F.kind_for(key, domain))
    checked = 0
    for domain, table in L.COLUMNS.items():
        for key, pair in table.items():
            for word in pair:
                if len(owners[word]) == 1 and F.kind_for(key, domain) is not None:
                    assert F.kind_for_header(word) == F.kind_for(key, domain), (domain, key, word)
                    checked += 1
    assert checked > 400


@pytest.mark.parametrize("values, kind", [
    ([1, 2, None], "count"),
    ([1.0, 2.0], "count"),
    ([1.5, 2], "number"),
    ([pd.Timestamp("2026-01-31"), None], "date"),
    ([True, False], "bool"),
    (["北京", 1], "text"),
    ([], "number"),
])
def test_kind_from_the_values(values, kind):
    assert F.kind_for_values(values) == kind


def test_the_callers_kind_wins():
    assert F.column_kind("达成率%", [0.5], kinds={"达成率%": "fraction"}) == "fraction"
    assert F.column_kind("x", [1.5]) == "number"
    assert F.column_kind("probability", [0.5], domain="combined") == "fraction"


# ----------------------------------------------------------------------------
# a value as text
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("v, kind, lang, unit, text", [
    (1234567.891, "money", "zh", False, "1,234,567.89"),
    (1234567.891, "money", "zh", True, "1,234,567.89元"),
    (1234567.891, "money", "en", True, "1,234,567.89 yuan"),
    (290_290_000, "money_wan", "zh", True, "29,029.0万元"),
    (290_290_000, "money_wan", "en", True, "29,029.0 (10k yuan)"),
    (290_290_000, "money_wan", "zh", False, "29,029.0"),
    (123456789, "fen", "zh", False, "123,456,789"),
    (12.345, "percent", "zh", False, "12.3%"),
    (0.12345, "fraction", "zh", False, "12.3%"),
    (1.2645, "fraction", "en", False, "126.4%"),
    (-0.04, "percent", "zh", False, "0.0%"),  # never -0.0
    (-0.0004, "fraction", "zh", False, "0.0%"),
    (-0.06, "percent", "zh", False, "-0.1%"),
    (8.9088, "ratio", "zh", False, "8.9倍"),
    (8.9088, "ratio", "en", False, "8.9×"),
    (-0.01, "ratio", "en", False, "0.0×"),
    (24495.0, "count", "zh", False, "24,495"),
    (55, "count", "en", False, "55"),
    (0.95455, "precise", "zh", False, "0.955"),
    (89.694, "number", "zh", False, "89.69"),
    (650.55, "hours", "zh", False, "650.5"),
    (2026, "year", "zh", False, "2026"),
    (pd.Timestamp("2026-03-01"), "month", "zh", False, "2026-03"),
    (pd.Timestamp("2026-03-31 00:00"), "date", "zh", False, "2026-03-31"),
    (dt.date(2026, 3, 31), None, "zh", False, "2026-03-31"),
    (np.datetime64("2026-03-01"), "month", "en", False, "2026-03"),
    (True, None, "zh", False, "是"),
    (np.False_, "bool", "en", False, "no"),
    (None, "money", "zh", False, ""),
    (float("nan"), "percent", "zh", False, ""),
    (pd.NaT, "date", "zh", False, ""),
    ("北京", None, "zh", False, "北京"),
    (1.5, None, "zh", False, "1.50"),
])
def test_format_value(v, kind, lang, unit, text):
    assert F.format_value(v, kind, lang, unit=unit) == text


def test_signed_changes_and_other_precision():
    assert F.format_value(2.68, "percent", signed=True) == "+2.7%"
    assert F.format_value(-2.68, "percent", signed=True) == "-2.7%"
    assert F.format_value(-0.01, "percent", signed=True) == "+0.0%"
    assert F.format_value(1234.4, "money", decimals=0) == "1,234"
    assert F.format_value(None, "money", missing="—") == "—"
    assert F.money(1234.5, "en") == "1,234.50 yuan"
    assert F.money_wan(12_345, "zh") == "1.2万元"
    assert F.percent(0.5) == "50.0%" and F.percent(50, fraction=False) == "50.0%"
    assert F.unit_word("money_wan", "en") == "10k yuan" and F.unit_word("count") == ""


@settings(max_examples=300, deadline=None)
@given(v=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       kind=st.sampled_from(["money", "money_wan", "fen", "percent", "fraction", "ratio", "count", "number", "precise", "hours"]),
       lang=st.sampled_from(["zh", "en"]))
def test_no_negative_zero_and_the_text_reads_back(v, kind, lang):
    text = F.format_value(v, kind, lang)
    number = re.sub(r"[^0-9.+-]", "", text.replace("万元", "").replace("(10k yuan)", ""))
    assert not re.fullmatch(r"-[0.]+", number), text  # never "-0.0"
    scale = {"fraction": 100, "money_wan": 1e-4}.get(kind, 1)
    shown = float(number)
    places = len(number.split(".")[1]) if "." in number else 0
    assert math.isclose(shown, v * scale, abs_tol=0.5 * 10 ** -places + 1e-9 * abs(v * scale)), (v, kind, text)


def test_format_frame_by_keys_and_headers():
    frame = pd.DataFrame({"branch": ["北京"], "gap_yuan": [1234.5], "probability": [0.42], "达成率%": [95.44],
                          "month": [pd.Timestamp("2026-03-01")], "flagged": [True]})
    out = F.format_frame(frame, "zh", domain="combined")
    assert out.iloc[0].tolist() == ["北京", "1,234.50", "42.0%", "95.4%", "2026-03", "是"]
    assert list(out.columns) == list(frame.columns)


def test_format_frame_precision_of_plain_measures():
    frame = pd.DataFrame({"综合得分": [89.694], "score_x": [1.23456]})
    assert F.format_frame(frame, "zh").iloc[0].tolist() == ["89.69", "1.23"]
    assert F.format_frame(frame, "zh", number_decimals=1).iloc[0].tolist() == ["89.7", "1.2"]


def test_format_rows_of_a_transposed_table():
    """One measure per row (the plans side by side): each row formatted by its label's kind."""
    frame = pd.DataFrame({"指标": ["本期实际总成本(元)", "达成概率", "所需/实绩倍数", "人数"], "方案A": [1890278.454, 0.0305, 1.26, 385.0],
                          "方案B": [981840.8, 1.0, 0.9, 12.0]})
    out = F.format_rows(frame, "zh")
    assert out.iloc[:, 1].tolist() == ["1,890,278.45", "3.0%", "1.3倍", "385"]
    assert out.iloc[:, 2].tolist() == ["981,840.80", "100.0%", "0.9倍", "12"]
    assert out.iloc[:, 0].tolist() == frame.iloc[:, 0].tolist()  # the labels are kept
    assert F.row_kinds(["本期实际总成本(元)", "达成概率", 3]) == ["money", "fraction", None]


# ----------------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind, lang, fmt", [
    ("money", "zh", "#,##0.00"),
    ("money_wan", "zh", "#,##0.0"),
    ("fen", "zh", "#,##0"),
    ("fraction", "zh", "0.0%"),       # the values are shares: Excel multiplies by 100
    ("percent", "zh", '0.0"%"'),      # the values are already percentages: only the sign is added
    ("ratio", "zh", '0.0"倍"'),
    ("ratio", "en", '0.0"×"'),
    ("count", "en", "#,##0"),
    ("precise", "en", "0.000"),
    ("year", "zh", "0"),
    ("date", "zh", "yyyy-mm-dd"),
    ("month", "en", "yyyy-mm"),
    ("text", "zh", None),
    (None, "zh", None),
])
def test_excel_format(kind, lang, fmt):
    assert F.excel_format(kind, lang) == fmt


@pytest.mark.parametrize("v, kind, stored", [
    (-0.00001, "fraction", 0.0),
    (-0.04, "percent", 0.0),
    (-0.06, "percent", -0.06),
    (-0.004, "money", 0.0),
    (-400.0, "money_wan", 0.0),
    (-600.0, "money_wan", -600.0),
    (-0.4, "count", 0.0),
    (5.0, "fraction", 5.0),
    ("x", "percent", "x"),
])
def test_excel_value_never_shows_negative_zero(v, kind, stored):
    assert F.excel_value(v, kind) == stored


def test_unknown_language_is_refused():
    from salesanalytics.core.exceptions import ParameterError

    with pytest.raises(ParameterError):
        F.format_value(1.0, "money", "fr")
