"""Chinese working days, from the maintained ``chinesecalendar`` package (import ``chinese_calendar``).

The package carries the State Council's holiday notices year by year, including
the make-up working days (调休) on Saturdays and Sundays, e.g. 2026-02-14 and
2026-02-28 around the Spring Festival, 2026-09-20 and 2026-10-10 around National
Day.  Nothing here is a hand-typed holiday list.

The package only knows the years whose notices are published; asking for any
other year raises a :class:`~salesanalytics.exceptions.ParameterError` naming the
supported range instead of silently treating holidays as working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd

from .exceptions import ParameterError


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


def month_working_days(year: int) -> np.ndarray:
    """Working days in each of the 12 months of ``year`` (int array of length 12)."""
    flags = _year_flags(year)
    months = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D").month.to_numpy()
    return np.bincount(months - 1, weights=flags, minlength=12).astype(np.int64)


def is_workday(day) -> bool:
    """True on a Chinese working day (a 调休 Saturday counts, a public holiday does not)."""
    day = pd.Timestamp(day)
    return bool(_year_flags(day.year)[day.day_of_year - 1])


def year_days(year: int) -> pd.DatetimeIndex:
    return pd.date_range(dt.date(year, 1, 1), dt.date(year, 12, 31), freq="D")
