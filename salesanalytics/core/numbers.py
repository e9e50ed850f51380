"""The one place where a number written by a person (YAML setting, spreadsheet cell) becomes a number.

Every method's settings (plan, scenarios, scorecard scheme, incentive plans) and every reader
go through these functions, so "8%", "1,234,567.00", "¥1,000", full-width digits and the
largest accepted amount are handled once, with one wording of the error and its fix.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .exceptions import DataError, PlanError

#: The largest amount of money the tool accepts, in yuan: 10^15 (一千万亿元), far above any real
#: company's annual sales, and small enough that every sum of amounts in fen (10^17 per amount,
#: thousands of rows) stays far inside a 64-bit integer (9.2 × 10^18).
MAX_AMOUNT_YUAN = 10**15

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_CURRENCY = ("¥", "￥", "元", "RMB", "CNY")


def normalise_number_text(text: str) -> str:
    """Full-width digits/signs to ASCII, a currency sign or 元 dropped, unambiguous thousands separators removed.

    ``"1,234,567.00"`` → ``"1234567.00"``; ``"¥1,000"`` → ``"1000"``; ``"１２３"`` → ``"123"``.
    A comma that is not a thousands separator (``"1,5"``) is left in place, so it fails as "not a number".
    """
    text = unicodedata.normalize("NFKC", str(text)).strip()
    for sign in _CURRENCY:
        text = text.replace(sign, "")
    text = text.replace("_", "").replace(" ", "").strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    return text


def parse_number(value, where: str, *, error=PlanError, fix: str | None = None, low: float | None = None,
                 high: float | None = None, low_open: bool = False, high_open: bool = False, **context) -> float:
    """A finite float from ``value``; ``error`` (with ``context`` such as ``source=``) names ``where`` and the fix."""
    if isinstance(value, bool) or value is None:
        raise _make(error, f"{where}: expected a number, got {value!r}.", context, fix)
    if isinstance(value, str) and value.strip().endswith("%"):
        raise _make(error, f"{where}: '{value}' is written as a percentage.", context,
                    f"write it as a fraction, e.g. {_fraction_hint(value)}")
    try:
        number = float(normalise_number_text(value) if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise _make(error, f"{where}: '{value}' is not a number.", context, fix or "write digits, e.g. 1500") from None
    if not math.isfinite(number):
        raise _make(error, f"{where}: '{value}' is not a finite number.", context, fix or "write digits, e.g. 1500")
    below = low is not None and (number <= low if low_open else number < low)
    above = high is not None and (number >= high if high_open else number > high)
    if below or above:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        rng = f"{lo}{'-∞' if low is None else f'{low:g}'}, {'∞' if high is None else f'{high:g}'}{hi}"
        raise _make(error, f"{where}: {value} is outside {rng}.", context, fix)
    return number


def parse_fraction(value, where: str, *, error=PlanError, low: float = 0.0, high: float = 1.0,
                   low_open: bool = False, high_open: bool = False, **context) -> float:
    """A share written as a fraction (0.08 for 8 %); '8%' gets the fix "write 0.08"."""
    return parse_number(value, where, error=error, low=low, high=high, low_open=low_open, high_open=high_open,
                        fix=f"write it as a fraction, e.g. 0.08 for 8% (allowed {'(' if low_open else '['}{low:g}, "
                            f"{high:g}{')' if high_open else ']'})", **context)


def parse_amount(value, where: str, *, error=PlanError, allow_negative: bool = False, **context) -> Decimal:
    """An amount of money in yuan as an exact Decimal, bounded by :data:`MAX_AMOUNT_YUAN`."""
    if isinstance(value, bool) or value is None:
        raise _make(error, f"{where}: expected an amount in yuan, got {value!r}.", context, "write digits, e.g. 68000000")
    if isinstance(value, str) and value.strip().endswith("%"):
        raise _make(error, f"{where}: '{value}' is a percentage, not an amount.", context, "write the amount in yuan, e.g. 68000000")
    try:
        amount = Decimal(normalise_number_text(value) if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value))
    except (InvalidOperation, ValueError):
        raise _make(error, f"{where}: '{value}' is not an amount.", context, "write digits, e.g. 68000000") from None
    if not amount.is_finite():
        raise _make(error, f"{where}: '{value}' is not a finite amount.", context, "write digits, e.g. 68000000")
    check_amount(amount, where, error=error, allow_negative=allow_negative, **context)
    return amount


def check_amount(amount, where: str, *, error=PlanError, allow_negative: bool = True, **context) -> None:
    """Reject an amount beyond ±:data:`MAX_AMOUNT_YUAN` (or below 0 unless allowed)."""
    if abs(amount) > MAX_AMOUNT_YUAN:
        raise _make(error, f"{where}: {amount:,.0f} yuan is beyond the largest amount the tool accepts ({MAX_AMOUNT_YUAN:,} yuan).",
                    context, "check the unit (yuan, not fen) and the number of digits")
    if not allow_negative and amount < 0:
        raise _make(error, f"{where}: {amount} is negative.", context, "write an amount >= 0")


def _fraction_hint(text: str) -> str:
    try:
        pct = float(normalise_number_text(text.strip().rstrip("%")))
        return f"{pct / 100:g} for {text.strip()}"
    except ValueError:
        return "0.08 for 8%"


def _make(error, message: str, context: dict, fix: str | None):
    """The error to raise: DataError-like classes take source/column/rows/fix; others get the fix in the text."""
    if issubclass(error, DataError):
        return error(message, fix=fix, **context)
    return error(message + (f" Fix: {fix}." if fix else ""))
