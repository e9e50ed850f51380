"""One exception tree for the whole package.

Every error the library raises on purpose is a :class:`SalesAnalyticsError`.
Errors about user input also subclass :class:`ValueError`, so callers that
catch built-ins still catch them (the scikit-learn convention).  The CLI
prints ``str(error)`` and exits non-zero; it never shows a traceback unless
``--debug`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from difflib import get_close_matches


class SalesAnalyticsError(Exception):
    """Root of every error raised on purpose by salesanalytics."""

    exit_code = 1


def _format_rows(rows: Sequence[int] | None, limit: int = 10) -> str:
    if not rows:
        return ""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
    label = "row" if len(rows) == 1 else "rows"
    return f"{label} {shown}{more}"


class DataError(SalesAnalyticsError, ValueError):
    """A data file or frame is not usable.

    The message names where the problem is (file, sheet, rows, column), what
    is wrong and how to fix it, e.g.::

        plan.xlsx, sheet 分公司, column 人数, row 7: '十三' is not a number.
        Fix: write the headcount as digits, e.g. 13.
    """

    exit_code = 2

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        sheet: str | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.sheet = sheet
        self.column = column
        self.rows = list(rows) if rows is not None else None
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.column:
            where.append(f"column {self.column}")
        rows = _format_rows(self.rows)
        if rows:
            where.append(rows)
        text = (", ".join(where) + ": " if where else "") + self.problem
        if self.fix:
            text += f"\nFix: {self.fix}"
        return text


class PlanError(SalesAnalyticsError, ValueError):
    """A plan's settings are inconsistent or impossible (margin 0, target <= 0...)."""

    exit_code = 2


class ParameterError(SalesAnalyticsError, ValueError):
    """A parameter given by the user (CLI, notebook, API) is not valid."""

    exit_code = 2


class GoalSeekError(SalesAnalyticsError, ValueError):
    """No value of the chosen input reaches the target."""


class NotFittedError(SalesAnalyticsError, ValueError):
    """A method was asked for results before ``fit`` was called."""


class ForecastError(SalesAnalyticsError, ValueError):
    """A series cannot be forecast (too short, all zeros, ...)."""

    exit_code = 2


class ReportError(SalesAnalyticsError):
    """Rendering a report failed; the message names the notebook and cell."""


class LabelError(SalesAnalyticsError, KeyError):
    """A user-facing label is missing: a programming error, never shown as a raw identifier."""

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return str(self.args[0]) if self.args else ""


class SalesAnalyticsWarning(UserWarning):
    """Root of the warnings the library issues: unusual but usable input (filter them in one line)."""


def suggest(name: str, valid: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest valid name, or ``""``."""
    valid = [str(v) for v in valid]
    match = get_close_matches(str(name), valid, n=1, cutoff=0.5)
    return f" Did you mean '{match[0]}'?" if match else ""


def reject_unknown_keys(
    given: Iterable[str], valid: Iterable[str], *, where: str, error=PlanError
) -> None:
    """Raise ``error`` for the first key of ``given`` not in ``valid``, with a suggestion."""
    valid = list(valid)
    for key in given:
        if key not in valid:
            raise error(
                f"{where}: unknown key '{key}'.{suggest(key, valid)} "
                f"Valid keys: {', '.join(valid)}."
            )
