"""Chinese working days from chinesecalendar: 2026 holidays and 调休 make-up days, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from salesanalytics.core import calendar_cn
from salesanalytics.core.exceptions import ParameterError


@pytest.mark.parametrize(
    ("day", "expected", "why"),
    [
        ("2026-01-04", True, "Sunday, 调休 make-up day after New Year"),
        ("2026-01-02", False, "Friday, New Year holiday"),
        ("2026-02-14", True, "Saturday, 调休 make-up day before the Spring Festival"),
        ("2026-02-16", False, "Monday, Spring Festival"),
        ("2026-02-23", False, "Monday, last day of the Spring Festival holiday"),
        ("2026-02-28", True, "Saturday, 调休 make-up day after the Spring Festival"),
        ("2026-09-20", True, "Sunday, 调休 make-up day before National Day"),
        ("2026-09-25", False, "Friday, Mid-Autumn Festival"),
        ("2026-10-01", False, "Thursday, National Day"),
        ("2026-10-08", True, "Thursday after the National Day week"),
        ("2026-10-10", True, "Saturday, 调休 make-up day after National Day"),
        ("2026-03-07", False, "an ordinary Saturday"),
    ],
)
def test_is_workday_2026(day, expected, why):
    assert calendar_cn.is_workday(day) is expected, why


def test_working_days_by_hand():
    # February 2026: 2-6 (5), 9-14 incl. Saturday 14th (6), 24-28 incl. Saturday 28th (5)
    assert calendar_cn.working_days("2026-02-01", "2026-02-28") == 16
    # after Friday 13 February: Sat 14th, then 24-28 February
    assert calendar_cn.working_days("2026-02-14", "2026-02-28") == 6
    # October 2026: 8, 9, Sat 10, 12-16, 19-23, 26-30
    assert calendar_cn.working_days("2026-10-01", "2026-10-31") == 18
    # 19-30 September: Sun 20th (调休), 21-24 (25th is 中秋), 28-30
    assert calendar_cn.working_days("2026-09-19", "2026-09-30") == 8
    # January 2026: Sun 4th (调休) + 20 weekdays from the 5th
    assert calendar_cn.working_days("2026-01-01", "2026-01-31") == 21
    assert calendar_cn.working_days("2026-03-02", "2026-03-01") == 0


def test_month_working_days_match_working_days():
    months = calendar_cn.month_working_days(2026)
    assert months[0] == 21 and months[1] == 16 and months[9] == 18
    assert months.sum() == calendar_cn.working_days("2026-01-01", "2026-12-31")


def test_flags_span_years():
    flags = calendar_cn.workday_flags("2025-12-30", "2026-01-05")
    assert flags.tolist() == [True, True, False, False, False, True, True]


def test_unsupported_year_is_a_clear_error():
    with pytest.raises(ParameterError, match=r"chinesecalendar.*2099.*upgrade"):
        calendar_cn.working_days("2099-01-01", "2099-01-31")


# 农历正月初一 2020–2030, Hong Kong Observatory, Gregorian-Lunar Calendar Conversion Table
# (the table the synthetic data generator carried before lunardate replaced it).
HKO_SPRING_FESTIVAL = {
    2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22",
    2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
    2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}


@pytest.mark.parametrize(("year", "day"), sorted(HKO_SPRING_FESTIVAL.items()))
def test_spring_festival_matches_the_observatory_table(year, day):
    assert calendar_cn.spring_festival(year) == pd.Timestamp(day)


def test_spring_festival_days_from_the_notices():
    # 2023: 21–27 January; 2024: 10–17 February; 2025: 28 January – 4 February; 2026: 15–23 February
    assert [calendar_cn.spring_festival_days(2023, m) for m in (1, 2, 3)] == [7, 0, 0]
    assert [calendar_cn.spring_festival_days(2024, m) for m in (1, 2, 3)] == [0, 8, 0]
    assert [calendar_cn.spring_festival_days(2025, m) for m in (1, 2, 3)] == [4, 4, 0]
    assert [calendar_cn.spring_festival_days(2026, m) for m in (1, 2, 3)] == [0, 9, 0]
    assert calendar_cn.spring_festival_days(2026, 12) == 0


def test_beyond_the_notices_the_documented_rule():
    assert calendar_cn.has_notice(2026) and not calendar_cn.has_notice(2099)
    # 2027: 春节 6 February, rule = 5–12 February (8 days); weekdays of February 2027 are 20, 6 of them off
    assert calendar_cn.spring_festival_days(2027, 2) == 8
    wd = calendar_cn.month_working_days(2027, estimate=True)
    assert wd[1] == 14
    # October 2027: 21 weekdays, 1–7 October take 5 of them
    assert wd[9] == 16
    # the notices still win where they exist
    assert calendar_cn.month_working_days(2026, estimate=True).tolist() == calendar_cn.month_working_days(2026).tolist()
    with pytest.raises(ParameterError, match=r"chinesecalendar.*2027"):
        calendar_cn.month_working_days(2027)


@pytest.mark.parametrize("year", [2003, 2100])
def test_years_outside_the_calendar_data_are_refused(year):
    with pytest.raises(ParameterError, match=rf"{year}"):
        calendar_cn.spring_festival_days(year, 1)
    with pytest.raises(ParameterError, match=rf"{year}"):
        calendar_cn.month_working_days(year, estimate=True)
