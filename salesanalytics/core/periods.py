"""Quarters and as-of dates: the calendar of the planning cycle (pure functions, no clock).

A quarter's report is "as of" its last day; every page of its set reads actuals up to that
day and plans the months after it.  ``today`` is always a parameter: only adapters read the
clock.
"""

from __future__ import annotations

import datetime as dt
import re

from .exceptions import ParameterError

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


def parse_quarter(text: str) -> tuple[int, int]:
    """``'2026Q3'`` (or ``2026-q3``) -> ``(2026, 3)``."""
    m = _QUARTER.match(str(text))
    if not m:
        raise ParameterError(f"quarter '{text}' is not a quarter. Fix: write it like 2026Q3 (year, Q, 1-4).")
    return int(m.group(1)), int(m.group(2))


def last_complete_quarter(today: dt.date) -> str:
    """The last quarter that has ended before ``today`` (2026-11-27 -> ``2026Q3``)."""
    q = (today.month - 1) // 3 + 1
    year, q = (today.year, q - 1) if q > 1 else (today.year - 1, 4)
    return f"{year}Q{q}"


def quarter_end_date(quarter: str) -> dt.date:
    """Last day of ``quarter`` (the as-of date of its review)."""
    year, q = parse_quarter(quarter)
    first_next = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def quarter_end(quarter: str) -> str | None:
    """Last day of ``quarter`` as ``YYYY-MM-DD``; ``""`` -> ``None``."""
    if not quarter:
        return None
    return quarter_end_date(quarter).isoformat()


def quarter_of(day: dt.date) -> str:
    """The quarter a day falls in: 2026-09-30 -> ``2026Q3``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def check_not_future(as_of: dt.date, today: dt.date) -> None:
    """Actuals cannot exist after today: an as-of date in the future is a ParameterError."""
    if as_of > today:
        raise ParameterError(
            f"as_of {as_of:%Y-%m-%d} is in the future (today is {today:%Y-%m-%d}); actuals cannot exist yet. "
            f"Fix: give a date up to today, e.g. the last quarter's end {quarter_end(last_complete_quarter(today))}."
        )
