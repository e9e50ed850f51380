"""Validation shared by every reader and by inline tables: header aliases, month keys and pandera.

A failing check becomes a :class:`~salesanalytics.core.exceptions.DataError` that names the
file, sheet, column and rows a person sees (header = row 1) and the fix.  Lives in the core so
that methods validating inline tables (a YAML list of branches, a KPI frame) and the file readers
in :mod:`salesanalytics.adapters.io` share one implementation without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import pandera.errors as pa_errors
import pandera.pandas as pa

from . import schema as S
from .exceptions import DataError


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
    template = _PROBLEMS.get(name, "'{case}' fails check " + str(check))
    return template.format(case=case, arg=arg, what="")


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping) -> pd.DataFrame:
    """Validate ``frame`` with a pandera ``schema``; raise a DataError naming rows and columns."""
    if S.MONTH in frame.columns and S.MONTH in schema.columns and frame[S.MONTH].dtype.kind != "M":  # already dates: nothing to parse
        frame = frame.assign(**{S.MONTH: parse_months(frame[S.MONTH])})
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
        fix=S.FIX_HINTS.get(column, "correct the value"),
    )


def with_unique(schema: pa.DataFrameSchema, keys: list[str]) -> pa.DataFrameSchema:
    return schema.set_unique(keys) if hasattr(schema, "set_unique") else pa.DataFrameSchema(schema.columns, unique=keys, coerce=True, name=schema.name)


def finish(frame: pd.DataFrame, schema: pa.DataFrameSchema, ctx: Mapping, keys: list[str]) -> pd.DataFrame:
    keep = [c for c in frame.columns if c in schema.columns or c in ctx.get("extra", ())]
    frame = frame[keep]
    ctx = {**ctx, "keys": keys}
    checked = validate(frame, with_unique(schema, keys) if keys else schema, ctx)
    return checked.reset_index(drop=True)


def frame_from_records(records: list[Mapping], schema: pa.DataFrameSchema, *, source: str, keys: list[str] | None = None) -> pd.DataFrame:
    """Validate a table given inline (e.g. a YAML list of branches); rows count from 1."""
    frame = pd.DataFrame(list(records))
    frame, original = rename_columns(frame)
    frame.index = frame.index - 1  # row numbers in messages start at 1 for inline lists
    ctx = {"source": source, "sheet": None, "original": original}
    return finish(frame, schema, ctx, keys or [])
