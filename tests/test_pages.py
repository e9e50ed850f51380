"""The forward page's method section (adapters/pages.py): model weights and the calendar effect per branch."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from salesanalytics.adapters import pages
from salesanalytics.core.calendar_cn import has_notice
from salesanalytics.methods import tracking

MONTHS = pd.date_range("2027-01-01", periods=3, freq="MS")


def _state(used=(True, True, False)):
    weights = pd.DataFrame({
        "branch": ["北京", "北京", "上海", "海口"],
        "model": ["theta", "ets", "ets", "snaive"],
        "weight": [0.625, 0.375, 1.0, 1.0],
        "backtest_mase": [0.8, 0.9, 0.7, 1.1],
    })
    effects = {"北京": [2.0, -6.0, 0.0], "上海": [1.0, -4.0, 0.01], "海口": [0.0, 0.0, 0.0]}
    calendar = pd.concat([
        pd.DataFrame({"branch": b, "month": MONTHS, "effect_pct": e, "used": u})
        for (b, e), u in zip(effects.items(), used)
    ], ignore_index=True)
    means = {"北京": [102.0, 94.0, 100.0], "上海": [202.0, 192.0, 200.0], "海口": [50.0, 50.0, 50.0]}
    forecast = pd.concat([pd.DataFrame({"branch": b, "month": MONTHS, "mean": m}) for b, m in means.items()]
                         + [pd.DataFrame({"branch": tracking.COMPANY, "month": MONTHS, "mean": [354.0, 336.0, 350.0]})],
                         ignore_index=True)
    return SimpleNamespace(forecast_method={"weights": weights, "calendar": calendar, "market_pct": 6.0}, forecast=forecast)


def test_weights_table_one_row_per_branch_in_percent():
    table = pages.forecast_weights_table(_state(), "zh")
    assert list(table.columns) == ["分公司", "Theta法", "指数平滑(ETS)", "季节朴素"]
    assert table.values.tolist() == [
        ["北京", "62.5%", "37.5%", "0.0%"],
        ["上海", "0.0%", "100.0%", "0.0%"],
        ["海口", "0.0%", "0.0%", "100.0%"],
    ]
    en = pages.forecast_weights_table(_state(), "en")
    assert list(en.columns) == ["Branch", "Theta method", "Exponential smoothing (ETS)", "Seasonal naive"]


def test_calendar_table_months_as_rows_company_then_branches_that_differ():
    table = pages.calendar_effect_table(_state(), "zh")
    # March moves by less than 0.05 % everywhere: not shown; 海口 does not use the calendar: not shown
    assert list(table.columns) == ["月份", "全公司", "北京", "上海"]
    assert table["月份"].tolist() == ["2027-01", "2027-02"]
    # company: (102 + 202) / (102/1.02 + 202/1.01) - 1 = 304/300 - 1; (94 + 192) / (94/0.94 + 192/0.96) - 1 = 286/300 - 1
    assert table["全公司"].tolist() == ["+1.3%", "-4.7%"]
    assert table["北京"].tolist() == ["+2.0%", "-6.0%"]
    assert table["上海"].tolist() == ["+1.0%", "-4.0%"]


def test_branches_with_the_company_effect_are_one_column():
    state = _state()
    cal = state.forecast_method["calendar"]
    cal.loc[cal.branch == "上海", "effect_pct"] = cal.loc[cal.branch == "北京", "effect_pct"].to_numpy()
    table = pages.calendar_effect_table(state, "en")
    assert list(table.columns) == ["Month", "Company"]  # the company's name in the page's language
    assert table["Company"].tolist() == ["+2.0%", "-6.0%"]
    html = pages.forecast_method_html(state, "en")
    assert "Every branch has the company's calendar effect" in html.replace("&#x27;", "'")
    # a year whose holiday notice chinesecalendar does not carry yet: the page says its working days are estimated
    assert ("notice for 2027 is not out yet" in html) is (not has_notice(2027))


@pytest.mark.parametrize("lang, words", [("zh", "年标准差至少 6%"), ("en", "at least 6% a year")])
def test_method_html_says_what_market_movement_the_ranges_allow_for(lang, words):
    state = _state()
    assert words in pages.forecast_method_html(state, lang)
    state.forecast_method["market_pct"] = 0.0
    assert "6%" not in pages.forecast_method_html(state, lang)


def test_no_calendar_and_no_forecaster():
    assert pages.calendar_effect_table(_state(used=(False, False, False)), "zh") is None
    html = pages.forecast_method_html(_state(used=(False, False, False)), "en")
    assert "Spring Festival and working-day effect" in html and "is not adjusted for the calendar" in html
    assert pages.forecast_method_html(SimpleNamespace(forecast_method=None), "zh") == ""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_method_html_escapes_branch_names(lang):
    state = _state()
    hostile = "<script>alert(1)</script>"
    state.forecast_method["weights"].loc[0:1, "branch"] = hostile
    html = pages.forecast_method_html(state, lang)
    assert hostile not in html and "&lt;script&gt;" in html
