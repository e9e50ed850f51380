"""Chinese working days and the Spring Festival, from maintained packages.

``chinesecalendar`` (import ``chinese_calendar``) carries the State Council's
holiday notices year by year, including the make-up working days (调休) on
Saturdays and Sundays, e.g. 2026-02-14 and 2026-02-28 around the Spring
Festival, 2026-09-20 and 2026-10-10 around National Day.  ``lunardate`` converts
the lunar calendar (1900–2099), so the date of 春节 (正月初一) is known for years
whose notice is not out yet.  Nothing here is a hand-typed holiday list.

The exact functions (:func:`working_days`, :func:`workday_flags`, :func:`is_workday`,
and :func:`month_working_days` by default) only know the years whose notices are
published; asking for any other year raises a
:class:`~salesanalytics.exceptions.ParameterError` naming the supported range
instead of silently treating holidays as working days.  A forecast or the
synthetic data generator need months after the last notice: for those,
``estimate=True`` (and :func:`spring_festival_days`) use the documented rule of
:func:`estimated_days_off` — weekdays minus the 春节 holiday (New Year's Eve to
the 7th day of the lunar year, 8 days) and 1–7 October, no make-up days.
Years before the first notice are refused even then.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from .exceptions import ParameterError


@lru_cache(maxsize=1)
def notice_years() -> range:
    """The years whose holiday notices the installed chinesecalendar carries (2004–2026 in 1.11)."""
    import chinese_calendar as cc

    return range(min(cc.holidays).year, max(cc.holidays).year + 1)


def has_notice(year: int) -> bool:
    """True when chinesecalendar knows the holidays and make-up days of ``year``."""
    return int(year) in notice_years()


def _check_estimable(year: int) -> None:
    years = notice_years()
    if year < years.start or year > 2099:
        raise ParameterError(
            f"no Chinese calendar data for {year}: holiday notices (chinesecalendar) cover {years.start}–{years.stop - 1}, "
            f"and the estimate beyond them reaches 2099 (lunardate). Fix: use months from {years.start} to 2099."
        )


@lru_cache(maxsize=256)
def spring_festival(year: int) -> pd.Timestamp:
    """正月初一, the first day of the lunar year, in ``year`` (``lunardate``, 1900–2099)."""
    from lunardate import LunarDate

    try:
        return pd.Timestamp(LunarDate(int(year), 1, 1).to_solar_date())
    except ValueError:
        raise ParameterError(f"no lunar calendar for {year}: lunardate covers 1900–2099. Fix: use a year in that range.") from None


def _spring_festival_rule(year: int) -> pd.DatetimeIndex:
    """The 春节 holiday of a year without a notice: New Year's Eve to the 7th day of the lunar year (8 days)."""
    return pd.date_range(spring_festival(year) - pd.Timedelta(days=1), periods=8, freq="D")


def estimated_days_off(year: int) -> pd.DatetimeIndex:
    """The rule for a year without a notice: the 春节 holiday (8 days) and 1–7 October."""
    return _spring_festival_rule(year).append(pd.date_range(f"{int(year)}-10-01", periods=7, freq="D"))


@lru_cache(maxsize=256)
def _spring_festival_by_month(year: int) -> np.ndarray:
    """Days of the 春节 public holiday in each month of ``year`` (length 12)."""
    _check_estimable(year)
    if has_notice(year):
        import chinese_calendar as cc

        name = cc.Holiday.spring_festival.value
        days = [d for d, h in cc.holidays.items() if d.year == year and h == name]
        months = np.array([d.month for d in days], dtype=np.int64)
    else:
        months = _spring_festival_rule(year).month.to_numpy()
    out = np.bincount(months - 1, minlength=12).astype(np.int64)
    out.setflags(write=False)
    return out


def spring_festival_days(year: int, month: int) -> int:
    """Days of the 春节 public holiday falling in a month: the notice, or the 8-day rule beyond it."""
    return int(_spring_festival_by_month(int(year))[int(month) - 1])


@lru_cache(maxsize=256)
def _estimated_month_working_days(year: int) -> np.ndarray:
    """Weekdays per month of ``year`` minus :func:`estimated_days_off` (no make-up days)."""
    days = year_days(year)
    off = days.isin(estimated_days_off(year))
    work = (days.day_of_week < 5) & ~off
    out = np.bincount(days.month.to_numpy() - 1, weights=work, minlength=12).astype(np.int64)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=16)
def _year_flags(year: int) -> np.ndarray:
    """Boolean working-day flag of every day of ``year`` (index 0 = 1 January)."""
    import chinese_calendar as cc

    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    try:
        flags = np.fromiter((cc.is_workday(d.date()) for d in days), dtype=bool, count=len(days))
    except NotImplementedError as exc:
        raise ParameterError(
            f"the Chinese holiday calendar (chinesecalendar) has no data for {year}: {exc}. "
            "Fix: upgrade chinesecalendar (pip install -U chinesecalendar) once the State Council has published that year's holidays."
        ) from None
    flags.setflags(write=False)
    return flags


def workday_flags(start, end) -> pd.Series:
    """Working-day flags (bool) for every day from ``start`` to ``end`` inclusive, indexed by date."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    days = pd.date_range(start, end, freq="D")
    if days.empty:
        return pd.Series([], index=days, dtype=bool)
    parts = []
    for year in range(start.year, end.year + 1):
        flags = _year_flags(year)
        lo = max(start, pd.Timestamp(year=year, month=1, day=1))
        hi = min(end, pd.Timestamp(year=year, month=12, day=31))
        a = (lo - pd.Timestamp(year=year, month=1, day=1)).days
        b = (hi - pd.Timestamp(year=year, month=1, day=1)).days
        parts.append(flags[a : b + 1])
    return pd.Series(np.concatenate(parts), index=days, name="is_workday")


def working_days(start, end) -> int:
    """Number of working days from ``start`` to ``end`` inclusive (0 if ``end`` < ``start``)."""
    if pd.Timestamp(end) < pd.Timestamp(start):
        return 0
    return int(workday_flags(start, end).sum())


def month_working_days(year: int, *, estimate: bool = False) -> np.ndarray:
    """Working days in each of the 12 months of ``year`` (int array of length 12).

    ``estimate=True``: a year after the last notice gets the rule of
    :func:`estimated_days_off` instead of an error (years before the first
    notice or after 2099 still raise).
    """
    if estimate and not has_notice(year):
        _check_estimable(year)
        return _estimated_month_working_days(int(year)).copy()
    flags = _year_flags(year)
    months = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D").month.to_numpy()
    return np.bincount(months - 1, weights=flags, minlength=12).astype(np.int64)


def is_workday(day) -> bool:
    """True on a Chinese working day (a 调休 Saturday counts, a public holiday does not)."""
    day = pd.Timestamp(day)
    return bool(_year_flags(day.year)[day.day_of_year - 1])


def year_days(year: int) -> pd.DatetimeIndex:
    """Every day of ``year``."""
    return pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
