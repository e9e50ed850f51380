"""Chinese working days from chinesecalendar: 2026 holidays and 调休 make-up days, checked by hand."""

from __future__ import annotations

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
