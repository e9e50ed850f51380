"""Validation shared by every reader and by inline tables: header aliases, month keys and pandera.

A failing check becomes a :class:`~salesanalytics.core.exceptions.DataError` that names the
file, sheet, column and rows a person sees (header = row 1) and the fix.  Lives in the core so
that methods validating inline tables (a YAML list of branches, a KPI frame) and the file readers
in :mod:`salesanalytics.adapters.io` share one implementation without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc

from . import schema as S
from .exceptions import DataError, PlanError, reject_unknown_keys
from .numbers import MAX_AMOUNT_YUAN, normalise_number_text

#: columns written as a fraction (0.08 for 8 %): a value written '8%' is refused with that hint
FRACTION_COLUMNS = frozenset({S.GROSS_MARGIN})
#: columns written in percent (60 for 60 %): '60%' is unambiguous and read as 60
PERCENT_COLUMNS = frozenset({"share", "change_pct"})


def rename_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename accepted headers to canonical names; return the frame and canonical→original."""
    lookup = S.alias_lookup()
    rename, original, seen = {}, {}, {}
    for col in frame.columns:
        canonical = lookup.get(S.normalise_header(col))
        if canonical is None:
            continue
        if canonical in seen:
            raise DataError(
                f"two columns mean the same thing: '{seen[canonical]}' and '{col}' are both '{canonical}'.",
                fix="keep one of them",
            )
        seen[canonical] = col
        rename[col] = canonical
        original[canonical] = str(col)
    return frame.rename(columns=rename), original



_ZH_MONTH = re.compile(r"^\s*(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*月?\s*$")


def parse_months(values: pd.Series) -> pd.Series:
    """Parse month keys: '2025-03', '2025/3', '2025年3月', '202503', dates on the 1st, Excel dates.

    Values that cannot be parsed are kept as text so validation reports them verbatim.
    """

    def one(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return v
        if isinstance(v, pd.Timestamp):
            return v
        if hasattr(v, "year") and hasattr(v, "month"):
            return pd.Timestamp(v)
        text = str(v).strip()
        m = _ZH_MONTH.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                return pd.Timestamp(year=year, month=month, day=1)
            return text
        if re.fullmatch(r"\d{6}", text):
            year, month = int(text[:4]), int(text[4:])
            return pd.Timestamp(year=year, month=month, day=1) if 1 <= month <= 12 else text
        try:
            return pd.Timestamp(text)
        except (ValueError, TypeError):
            return text

    parsed = [one(v) for v in values.tolist()]
    if all(isinstance(v, pd.Timestamp) for v in parsed):
        return pd.Series(pd.DatetimeIndex(parsed).as_unit("ns"), index=values.index)
    return pd.Series(parsed, index=values.index, dtype=object)


_PROBLEMS = {
    "coerce_dtype": "'{case}' is not a {what}",
    "not_nullable": "a value is missing",
    "greater_than_or_equal_to": "{case} is below the minimum {arg}",
    "greater_than": "{case} must be greater than {arg}",
    "less_than": "{case} must be less than {arg}",
    "in_range": "{case} is outside the allowed range",
    "isin": "'{case}' is not one of the allowed values",
    "str_length": "'{case}' is empty",
    "field_uniqueness": "'{case}' appears more than once",
    "multiple_fields_uniqueness": "duplicate rows for the same key",
}


def _describe_check(check: str, case, column: str) -> str:
    if isinstance(case, pd.Timestamp):
        case = case.strftime("%Y-%m-%d")
    name = str(check).split("(")[0]
    arg = str(check)[len(name) + 1 : -1] if "(" in str(check) else ""
    if name.startswith("coerce_dtype"):
        what = "date (month)" if column == S.MONTH else "date" if column == "date" else ("number" if "float" in str(check) or "int" in str(check) else "text")
        return f"'{case}' is not a {what}"
    if name == "month must be a calendar month" or "calendar month" in str(check):
        return f"'{case}' is not the first day of a month (the data must be monthly)"
    if str(check) == S.AMOUNT_BOUND_CHECK:
        return f"{_amount_text(case)} is beyond the largest amount the tool accepts ({MAX_AMOUNT_YUAN:,} yuan)"
    template = _PROBLEMS.get(name, "'{case}' fails check " + str(check))
    return template.format(case=case, arg=arg, what="")


def _amount_text(value) -> str:
    try:
        return f"{float(value):,.0f}"
    except (TypeError, ValueError):
        return f"'{value}'"


def _where(ctx: Mapping, column: str) -> dict:
    original = ctx.get("original", {})
    shown = original.get(column, column)
    return {"source": ctx.get("source"), "sheet": ctx.get("sheet"), "column": shown if shown == column else f"{shown} ({column})"}


def _is_numeric(column: pa.Column) -> bool:
    return str(column.dtype).startswith(("float", "int"))


def normalise_numbers(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping) -> pd.DataFrame:
    """Numbers as spreadsheets export them, made plain where that is unambiguous.

    Thousands separators (``1,234,567.00``), a currency sign (``¥1,000``) and full-width digits
    are read (:func:`salesanalytics.core.numbers.normalise_number_text`); ``60%`` in a column
    written in percent is 60; ``8%`` in a column written as a fraction is refused with the
    fraction to write.  Anything else that is not a number is left as written, so the schema
    reports it verbatim.
    """
    changes = {}
    for name, column in schema.columns.items():
        if name not in frame.columns or not _is_numeric(column) or not _is_text(frame[name]):
            continue
        values = frame[name]
        fast = _plain_floats(values) if str(column.dtype).startswith("float") else None
        if fast is not None:  # every text is a plain number: the floats pandera's coercion would give
            changes[name] = fast
            continue
        text = values.notna() if values.dtype != object else values.map(lambda v: isinstance(v, str)).astype(bool)
        plain = pd.to_numeric(values.where(text), errors="coerce")
        todo = text & plain.isna()
        if not todo.any():
            continue
        fixed = {}
        for raw in pd.unique(values[todo]):
            stripped = raw.strip()
            if stripped.endswith(("%", "％")):
                if name in FRACTION_COLUMNS:
                    rows = (values.index[values == raw] + 2).tolist()
                    pct = normalise_number_text(stripped[:-1])
                    hint = f"{float(pct) / 100:g} for {stripped}" if _parses(pct) else "0.08 for 8%"
                    raise DataError(f"'{raw}' is written as a percentage.", rows=rows,
                                    fix=f"write it as a fraction, e.g. {hint}", **_where(ctx, name))
                if name in PERCENT_COLUMNS:
                    stripped = stripped[:-1]
            candidate = normalise_number_text(stripped)
            if _parses(candidate):
                fixed[raw] = candidate
        if fixed:
            changes[name] = values.where(~values.isin(list(fixed)), values.map(fixed))
    return frame.assign(**changes) if changes else frame


def _plain_floats(values: pd.Series) -> pd.Series | None:
    """A text column whose every value is a plain number, as float64 (missing cells NaN) in one
    vectorised cast; None when any value needs a closer look (the value-by-value path then runs).

    Arrow parses decimal text correctly rounded, as Python's ``float`` (what ``astype`` does), so
    the floats are bit for bit those pandera's coercion gives; a text that Arrow reads as NaN
    ('nan') also goes the slow way, where such a value has always been handled.
    """
    if values.dtype == object or not pd.api.types.is_string_dtype(values.dtype):
        return None
    try:
        floats = pc.cast(pa_arrow.array(values.array), pa_arrow.float64())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowNotImplementedError, TypeError, ValueError):
        return None
    out = np.asarray(floats.to_numpy(zero_copy_only=False), dtype="float64")
    if np.isnan(out).sum() != values.isna().sum():
        return None
    return pd.Series(out, index=values.index, name=values.name)


def _is_text(values: pd.Series) -> bool:
    """Object or string dtype (pandas 3 reads ``dtype=str`` as its string dtype)."""
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _reject_blank_names(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping) -> None:
    """A name made of spaces only is no name: refused like a missing one, with the rows."""
    for name, column in schema.columns.items():
        if name not in frame.columns or column.nullable or not str(column.dtype).startswith(("str", "object")):
            continue
        values = frame[name]
        if not _is_text(values):
            continue
        try:
            stripped = values.str.strip()
        except AttributeError:  # an object column without any text
            continue
        blank = ((stripped == "") & (values != "")).fillna(False).astype(bool)
        if blank.any():
            raise DataError(f"'{values[blank].iloc[0]}' is blank (only spaces).", rows=(values.index[blank] + 2).tolist(),
                            fix=S.FIX_HINTS.get(name, "write a name"), **_where(ctx, name))


def _check_totals(frame: pd.DataFrame, ctx: Mapping) -> None:
    """The amounts of a column add up to at most MAX_AMOUNT_YUAN: every sum in fen then fits 64 bits."""
    for name in S.AMOUNT_COLUMNS & set(frame.columns):
        if frame[name].dtype.kind != "f":
            continue
        total = float(frame[name].abs().sum())
        if total > MAX_AMOUNT_YUAN:
            raise DataError(f"the amounts add up to {total:,.0f} yuan, beyond the largest total the tool accepts ({MAX_AMOUNT_YUAN:,} yuan).",
                            fix="check the unit (yuan, not fen) and the number of digits", **_where(ctx, name))


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping) -> pd.DataFrame:
    """Validate ``frame`` with a pandera ``schema``; raise a DataError naming rows and columns."""
    if S.MONTH in frame.columns and S.MONTH in schema.columns and frame[S.MONTH].dtype.kind != "M":  # already dates: nothing to parse
        frame = frame.assign(**{S.MONTH: parse_months(frame[S.MONTH])})
    frame = normalise_numbers(frame, schema, ctx)
    _reject_blank_names(frame, schema, ctx)
    try:
        return schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        raise _schema_error(exc, ctx) from None
    except pa_errors.SchemaError as exc:  # pragma: no cover - lazy=True normally collects
        raise DataError(str(exc), source=ctx.get("source"), sheet=ctx.get("sheet")) from None


def _schema_error(exc: pa_errors.SchemaErrors, ctx: Mapping) -> DataError:
    cases = exc.failure_cases.copy()
    original = ctx.get("original", {})
    # Report the first failing column (the file order), all its failing rows.
    cases["column"] = cases["column"].astype(object)
    first = cases.iloc[0]
    column = first["column"]
    check = str(first["check"])
    same = cases[(cases["column"] == column) & (cases["check"].astype(str) == check)]
    rows = sorted({int(i) + 2 for i in same["index"].dropna().tolist()})
    case = first["failure_case"]
    if str(check).startswith("multiple_fields_uniqueness") or column is None or str(column) == "nan":
        keys = ctx.get("keys") or ["key"]
        shown_keys = "/".join(original.get(k, k) for k in keys)
        problem = f"duplicate rows: the same {shown_keys} appears more than once"
        return DataError(
            problem,
            source=ctx.get("source"),
            sheet=ctx.get("sheet"),
            rows=rows or None,
            fix="keep one row per key, or sum the duplicates before loading",
        )
    shown = original.get(column, column)
    label = f"{shown}" if shown == column else f"{shown} ({column})"
    problem = _describe_check(check, case, column)
    n_more = len(same) - 1
    if n_more > 0 and "coerce" in check:
        others = ", ".join(f"'{c}'" for c in same["failure_case"].astype(str).tolist()[1:4])
        problem += f" (also {others}{'…' if n_more > 3 else ''})"
    return DataError(
        problem + ".",
        source=ctx.get("source"),
        sheet=ctx.get("sheet"),
        column=label,
        rows=rows or None,
        fix=("check the unit (yuan, not fen) and the number of digits" if check == S.AMOUNT_BOUND_CHECK
             else S.FIX_HINTS.get(column, "correct the value")),
    )


def with_unique(schema: pa.DataFrameSchema, keys: list[str]) -> pa.DataFrameSchema:
    return schema.set_unique(keys) if hasattr(schema, "set_unique") else pa.DataFrameSchema(schema.columns, unique=keys, coerce=True, name=schema.name)


def finish(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping, keys: list[str]) -> pd.DataFrame:
    keep = [c for c in frame.columns if c in schema.columns or c in ctx.get("extra", ())]
    frame = frame[keep]
    ctx = {**ctx, "keys": keys}
    checked = validate(frame, with_unique(schema, keys) if keys else schema, ctx)
    _check_totals(checked, ctx)
    return checked.reset_index(drop=True)


def frame_from_records(records: list[Mapping], schema: pa.DataFrameSchema, *, source: str, keys: list[str] | None = None) -> pd.DataFrame:
    """Validate a table given inline (e.g. a YAML list of branches); rows count from 1.

    Unlike a file (whose extra columns are ignored), an inline item is settings someone typed:
    a key that is no column of ``schema`` (``gross_margn``) is a :class:`PlanError` naming the item.
    """
    lookup = S.alias_lookup()
    valid = [c for c in schema.columns]
    for i, rec in enumerate(records, start=1):
        typed = [k for k in rec if lookup.get(S.normalise_header(k)) not in schema.columns]
        reject_unknown_keys(typed, valid, where=f"{source} {i}", error=PlanError)
    frame = pd.DataFrame(list(records))
    frame, original = rename_columns(frame)
    frame.index = frame.index - 1  # row numbers in messages start at 1 for inline lists
    ctx = {"source": source, "sheet": None, "original": original}
    return finish(frame, schema, ctx, keys or [])
