"""The only module that reads or writes files (CSV, XLSX, Parquet, YAML, text).

Readers map Chinese or English headers to the canonical long-format columns
(:mod:`salesanalytics.core.schema`), validate with pandera and raise a
:class:`~salesanalytics.core.exceptions.DataError` naming the file, sheet, rows,
column and the fix.  Row numbers are the ones a person sees in Excel or a text
editor: the header is row 1, the first data row is row 2.

Writers never leave a half-written file: they write to a temporary file in the
same folder and move it into place only when complete (``os.replace`` is
atomic on one file system), so an earlier output survives a failure.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from difflib import get_close_matches
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..core import config
from ..core import schema as S
from ..core.exceptions import DataError, suggest
from ..core.validation import finish, parse_months, rename_columns
from ..methods.incentives import parse_plans
from ..methods.plan import Plan
from ..methods.scenarios import scenarios_from_dict
from ..methods.scorecard import parse_scheme

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")


# ----------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs get normal permissions
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


# -- folders of rendered reports (used by salesanalytics.adapters.report) ----
def read_text(path: str | os.PathLike) -> str:
    return Path(path).read_text(encoding="utf-8")


def make_temp_dir(parent: str | os.PathLike, prefix: str) -> Path:
    """A new empty folder inside ``parent`` (same file system, so it can be renamed into place)."""
    Path(parent).mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o777 & ~umask)  # mkdtemp makes 0700; a report folder gets normal permissions
    return path


def replace_dir(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Move the finished folder ``src`` onto ``dst``; the old ``dst`` is removed only after."""
    import shutil

    src, dst = Path(src), Path(dst)
    old = None
    if dst.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.old-", dir=dst.parent))
        os.replace(dst, old / dst.name)
    os.replace(src, dst)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dst


@contextlib.contextmanager
def exclusive_lock(path: str | os.PathLike) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path`` for the block; yields False if another process holds it."""
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_tree(path: str | os.PathLike) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def file_digests(folder: str | os.PathLike) -> list[tuple[str, str]]:
    """(relative name, SHA-256) of every non-hidden file under ``folder``, sorted by name."""
    import hashlib

    folder = Path(folder)
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") or part == "__pycache__" for part in rel.split("/")):
            continue
        out.append((rel, hashlib.sha256(path.read_bytes()).hexdigest()))
    return out


def _check_out_suffix(path: Path, allowed=TABLE_SUFFIXES) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise DataError(
            f"cannot write a '{suffix or 'no extension'}' file.",
            source=str(path),
            fix=f"name the output with one of: {', '.join(allowed)}",
        )
    return suffix


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, sheet: str = "data") -> Path:
    """Write one frame as CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX or Parquet."""
    path = Path(path)
    suffix = _check_out_suffix(path)
    if suffix in (".xlsx", ".xlsm"):
        return write_excel({sheet: frame}, path)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            frame.to_parquet(tmp, index=False)
    return path


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike, *, index: Mapping[str, bool] | None = None) -> Path:
    """Write several frames as the sheets of one XLSX workbook (openpyxl), atomically.

    Column widths are widened to fit (CJK characters count double) and the
    header row is frozen, so the workbook is readable without touching it.
    """
    path = Path(path)
    _check_out_suffix(path, (".xlsx", ".xlsm"))
    index = dict(index or {})
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                sheet_name = str(name)[:31]
                frame.to_excel(writer, sheet_name=sheet_name, index=index.get(name, False))
                ws = writer.sheets[sheet_name]
                ws.freeze_panes = "B2" if index.get(name, False) else "A2"
                for col_cells in ws.columns:
                    width = max(_display_width(c.value) for c in col_cells[:200])
                    ws.column_dimensions[col_cells[0].column_letter].width = min(max(width + 2, 8), 60)
    return path


def _display_width(value) -> int:
    if value is None:
        return 0
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# ----------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------
def _sniff(path: Path) -> str:
    """Return the real format of a file from its first bytes: xlsx, parquet, text or binary."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if b"\x00" in head:
        return "binary"
    return "text"


def _read_raw(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str | None]:
    """Read a table file as strings/objects, checking that its content matches its extension."""
    if not path.exists():
        raise DataError("file not found.", source=str(path), fix="check the path and file name")
    if path.is_dir():
        raise DataError("is a folder, not a file.", source=str(path), fix="name a .csv, .xlsx or .parquet file")
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataError(
            f"unsupported file type '{suffix or 'none'}'.",
            source=str(path),
            fix="save the table as .csv (UTF-8 or GBK), .xlsx or .parquet",
        )
    if path.stat().st_size == 0:
        raise DataError("the file is empty.", source=str(path), fix="export the table again with a header row and data")
    real = _sniff(path)
    expected = {".csv": "text", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet"}[suffix]
    if real != expected:
        described = {"text": "a text/CSV file", "xlsx": "an Excel workbook", "parquet": "a Parquet file", "binary": "a binary file"}[real]
        raise DataError(
            f"the file is not what its extension '{suffix}' says: its content looks like {described}.",
            source=str(path),
            fix="save it again in the format its name says, or rename it to the right extension",
        )
    sheet_name = None
    try:
        if suffix == ".csv":
            frame = _read_csv(path)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame, sheet_name = _read_xlsx(path, sheet)
    except DataError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot be read: {exc}", source=str(path), fix="open it in Excel and save it again") from exc
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataError(
            "has a header but no data rows." if frame.shape[1] else "has no header row.",
            source=str(path),
            sheet=sheet_name,
            fix="add at least one data row under the header",
        )
    return frame, sheet_name


def _read_csv(path: Path) -> pd.DataFrame:
    # Chinese Excel exports CSV as GBK/GB18030; UTF-8 (with or without BOM) is tried first.
    last_exc = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, encoding=encoding, skipinitialspace=True, keep_default_na=False, na_values=[""])
        except UnicodeDecodeError as exc:
            last_exc = exc
        except pd.errors.EmptyDataError:
            raise DataError("the file is empty.", source=str(path), fix="export the table again with a header row and data")
    raise DataError(f"is neither UTF-8 nor GBK text ({last_exc}).", source=str(path), fix="save the CSV as UTF-8")


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    with pd.ExcelFile(path, engine="openpyxl") as book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            sheet_name = names[0]
        elif isinstance(sheet, int):
            sheet_name = names[sheet]
        elif sheet in names:
            sheet_name = sheet
        else:
            raise DataError(
                f"has no sheet '{sheet}'.{suggest(sheet, names)} Sheets: {', '.join(names)}.",
                source=str(path),
                fix="name an existing sheet",
            )
        frame = pd.read_excel(book, sheet_name=sheet_name, dtype=object)
    frame = frame.dropna(how="all").dropna(axis=1, how="all")
    return frame, sheet_name


def _header_row_hint(frame: pd.DataFrame) -> int | None:
    """If the real header sits below row 1 (a title above the table), return its row number."""
    lookup = S.alias_lookup()
    for i in range(min(len(frame), 15)):
        values = [S.normalise_header(v) for v in frame.iloc[i].tolist() if isinstance(v, str)]
        if sum(v in lookup for v in values) >= 2:
            return int(frame.index[i]) + 2
    return None


def read_table(
    path: str | os.PathLike,
    *,
    required: tuple[str, ...],
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Read a table, map its headers and check the required columns exist.

    Returns ``(frame, context)`` where ``context`` carries ``source``, ``sheet`` and
    ``original`` (canonical → header in the file) for error messages.
    """
    path = Path(path)
    raw, sheet_name = _read_raw(path, sheet)
    # The index is kept as read: label + 2 is the row a person sees in Excel (header = row 1).
    frame, original = rename_columns(raw)
    ctx = {"source": str(path), "sheet": sheet_name, "original": original}
    missing = [c for c in required if c not in frame.columns]
    if missing:
        header_row = _header_row_hint(raw) if len(original) < 2 else None
        if header_row is not None:
            raise DataError(
                f"the header row is row {header_row}, not row 1 (rows above it look like a title).",
                source=str(path),
                sheet=sheet_name,
                fix=f"delete the rows above row {header_row} so the column names are in row 1",
            )
        unknown = [str(c) for c in raw.columns if str(c) not in original.values()]
        names = []
        for col in missing:
            accepted = (col,) + S.ALIASES.get(col, ())
            hint = ""
            for u in unknown:
                guess = get_close_matches(u, accepted, n=1, cutoff=0.6)
                if guess:
                    hint = f" (is '{u}' a misspelling of '{guess[0]}'?)"
                    break
            names.append(f"'{col}' ({'/'.join(accepted[:4])}){hint}")
        raise DataError(
            f"missing column {', '.join(names)}. Found columns: {', '.join(map(str, raw.columns))}.",
            source=str(path),
            sheet=sheet_name,
            fix="add the column or rename the header to one of the accepted names (see docs/data-format.md)",
        )
    return frame, ctx


def read_history(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read monthly history or actuals in long format (month, branch, [salesperson, product], revenue, ...)."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, S.REVENUE), sheet=sheet)
    keys = [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in frame.columns]
    out = finish(frame, S.HISTORY_SCHEMA, ctx, keys)
    out.attrs["source"] = ctx["source"]
    return out


def read_branch_table(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a plan's branch table (branch, headcount, [gp_per_head_month, gross_margin, weight])."""
    frame, ctx = read_table(path, required=(S.BRANCH, S.HEADCOUNT), sheet=sheet)
    return finish(frame, S.BRANCH_TABLE_SCHEMA, ctx, [])


def read_roster(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a salesperson roster (branch, salesperson, [weight])."""
    frame, ctx = read_table(path, required=(S.BRANCH, S.SALESPERSON), sheet=sheet)
    return finish(frame, S.ROSTER_SCHEMA, ctx, [])


def read_industry(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read an annual industry market-size table (year, market_size, [kind])."""
    frame, ctx = read_table(path, required=(S.YEAR, S.MARKET_SIZE), sheet=sheet)
    return finish(frame, S.INDUSTRY_SCHEMA, ctx, [])


def read_targets(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read targets in long format (month, branch, [salesperson], sales_task, [gross_profit_task])."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, "sales_task"), sheet=sheet)
    keys = [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in frame.columns]
    return finish(frame, S.TARGETS_SCHEMA, ctx, keys)


_DAY_HEADERS = ("date", "日期", "day", "日")


def _parse_days(values: pd.Series) -> pd.Series:
    """Dates of daily files: ISO days parsed in one vectorised call; anything else value by value (parse_months)."""
    if values.dtype.kind != "M":
        fast = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        if not (fast.isna() & values.notna()).any():
            return fast.astype("datetime64[ns]")
    return parse_months(values)


def read_actuals(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read actuals for tracking, by day or by month (long format).

    Columns: a date column (``date``/日期 with days → daily actuals in column
    ``date``; ``month``/月份 with months → monthly actuals in column ``month``),
    branch, [salesperson, product, deal_id, share (percent)], revenue,
    [gross_profit].  A deal credited to several salespeople has one row per
    person with the deal's full amount and that person's share.  Duplicates and
    shares are checked by :class:`salesanalytics.methods.tracking.Tracker`, which knows
    the option to sum duplicates.  ``attrs['granularity']`` is ``day`` or ``month``.
    """
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, S.REVENUE), sheet=sheet)
    header = S.normalise_header(ctx["original"].get(S.MONTH, S.MONTH))
    parsed = _parse_days(frame[S.MONTH])
    has_days = parsed.dtype.kind == "M" and bool((parsed.dt.day != 1).any())
    if header in _DAY_HEADERS or has_days:
        frame = frame.drop(columns=[S.MONTH]).assign(date=parsed)
        ctx["original"] = {**ctx["original"], "date": ctx["original"].get(S.MONTH, "date")}
        out = finish(frame, S.ACTUALS_DAILY_SCHEMA, ctx, [])
        out.attrs["granularity"] = "day"
    else:
        out = finish(frame, S.ACTUALS_MONTHLY_SCHEMA, ctx, [])
        out.attrs["granularity"] = "month"
    out.attrs["source"] = ctx["source"]
    return out


def read_activities(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read daily activity records (date, branch, [salesperson], visits, new_customers, quotes, deals, cash_collected)."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH), sheet=sheet)
    frame = frame.drop(columns=[S.MONTH]).assign(date=_parse_days(frame[S.MONTH]))
    ctx["original"] = {**ctx["original"], "date": ctx["original"].get(S.MONTH, "date")}
    keys = [c for c in ("date", S.BRANCH, S.SALESPERSON) if c in frame.columns]
    out = finish(frame, S.ACTIVITIES_SCHEMA, ctx, keys)
    out.attrs["source"] = ctx["source"]
    return out


# ----------------------------------------------------------------------------
# YAML
# ----------------------------------------------------------------------------
def read_yaml(path: str | os.PathLike) -> dict:
    """Read a YAML mapping, with a clear error for syntax problems (line and column)."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise DataError("file not found.", source=str(path), fix="check the path and file name")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise DataError(
            f"expected a .yaml file, not '{path.suffix or 'no extension'}'.",
            source=str(path),
            fix="see data/seed_case_2012.yaml for the format",
        )
    text = path.read_bytes()
    if not text.strip():
        raise DataError("the file is empty.", source=str(path), fix="see data/seed_case_2012.yaml for the format")
    try:
        data = yaml.safe_load(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text.", source=str(path), fix="save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DataError(
            f"is not valid YAML{where}: {getattr(exc, 'problem', exc)}.",
            source=str(path),
            fix="check indentation and that every 'key: value' has a space after the colon",
        ) from None
    if not isinstance(data, dict):
        raise DataError("must be a mapping of 'key: value' lines at the top level.", source=str(path))
    return data


def write_yaml(path: str | os.PathLike, data: Mapping, *, header: str = "") -> Path:
    """Write a mapping as UTF-8 YAML (keys in the given order, Chinese as is), after ``header`` (comment lines), atomically."""
    import yaml

    return write_text(path, header + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False))


# ----------------------------------------------------------------------------
# plans
# ----------------------------------------------------------------------------
def read_plan(path: str | os.PathLike):
    """Read a backward plan (YAML); branch tables and rosters may live in CSV/XLSX files beside it.

    ``branches: {file: branches.xlsx, sheet: 分公司}`` and ``roster: roster.csv``
    are resolved relative to the plan file.
    """
    path = Path(path)
    data = read_yaml(path)
    branches = roster = None
    spec = data.get("branches")
    if isinstance(spec, (str, Mapping)):
        file, sheet = (spec, None) if isinstance(spec, str) else (spec.get("file"), spec.get("sheet"))
        if not file:
            raise DataError("branches: give 'file:' (and optionally 'sheet:') or an inline list.", source=str(path))
        branches = read_branch_table(path.parent / file, sheet=sheet)
    spec = data.get("roster")
    if spec:
        file, sheet = (spec, None) if isinstance(spec, str) else (spec.get("file"), spec.get("sheet"))
        roster = read_roster(path.parent / file, sheet=sheet)
    return Plan.from_dict(data, source=path.name, branches=branches, roster=roster)


def read_forecast(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a forward forecast (branch, month, mean[, lo/hi columns]) as written by ``salesanalytics forward``."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, "mean"), sheet=sheet)
    schema = pa.DataFrameSchema(
        {S.MONTH: S.HISTORY_SCHEMA.columns[S.MONTH], S.BRANCH: S.HISTORY_SCHEMA.columns[S.BRANCH], "mean": pa.Column(float, coerce=True, nullable=False)},
        strict=False,
        coerce=True,
        name="forecast",
    )
    ctx = {**ctx, "extra": tuple(c for c in frame.columns if c not in (S.MONTH, S.BRANCH, "mean"))}
    return finish(frame, schema, ctx, [])


def read_adjustments(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read manager adjustments for the combined plan (branch, month or year, amount_yuan or change_pct, reason, author, adjusted_on).

    The month column stays text (``2026-03``, ``2026`` / ``全年`` / blank = the
    whole year); :func:`salesanalytics.methods.adjustments.parse_adjustments` checks it
    against the plan.
    """
    frame, ctx = read_table(path, required=(S.BRANCH, "reason", "author"), sheet=sheet)
    if "period" not in frame.columns:
        if S.MONTH in frame.columns:
            frame = frame.rename(columns={S.MONTH: "period"})
            ctx["original"]["period"] = ctx["original"].pop(S.MONTH, "month")
        elif S.YEAR in frame.columns:
            frame = frame.rename(columns={S.YEAR: "period"})
            ctx["original"]["period"] = ctx["original"].pop(S.YEAR, "year")
    for col in ("period", "amount_yuan", "change_pct", "adjusted_on"):
        if col not in frame.columns:
            frame[col] = None
    out = finish(frame, S.ADJUSTMENTS_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    return out


def read_scenarios(path: str | os.PathLike) -> dict:
    """Read a combined-plan scenario file (YAML: ``defaults`` + ``scenarios``) into ``{name: Scenario}``."""
    path = Path(path)
    return scenarios_from_dict(read_yaml(path), source=path.name)


# ----------------------------------------------------------------------------
# scorecard and incentives
# ----------------------------------------------------------------------------
def read_ratings(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read ratings in long format: rater (评分人), salesperson, dimension (维度), score (评分)."""
    frame, ctx = read_table(path, required=("rater", S.SALESPERSON, "dimension", "score"), sheet=sheet)
    out = finish(frame, S.RATINGS_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    return out


def read_person_kpis(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a per-person KPI table (salesperson, branch, actual, target, [gross_profit, prior_actual, new_customers, collected])."""
    frame, ctx = read_table(path, required=(S.SALESPERSON, S.BRANCH, "actual", "target"), sheet=sheet)
    ctx = {**ctx, "extra": tuple(c for c in frame.columns if c not in S.KPI_SCHEMA.columns)}
    out = finish(frame, S.KPI_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    return out


def read_scorecard_scheme(path: str | os.PathLike):
    """Read and validate a scorecard scheme (YAML) — see data/scorecard_scheme.yaml."""
    return parse_scheme(read_yaml(path), source=Path(path).name)


def read_incentive_plans(path: str | os.PathLike):
    """Read and validate incentive plans (YAML) — see data/incentive_plans.yaml."""
    return parse_plans(read_yaml(path), source=Path(path).name)


def read_evaluation_inputs(data_dir: str | os.PathLike | None = None, *, scheme: str | os.PathLike | None = None,
                           plans: str | os.PathLike | None = None, ratings: str | os.PathLike | None = None,
                           actuals: str | os.PathLike | None = None, activities: str | os.PathLike | None = None) -> dict:
    """Everything :func:`salesanalytics.orchestration.evaluation.evaluate_year` needs, from the bundled data (or the given files).

    Keys: plan, history, roster, actuals, activities (None if the file is absent),
    ratings, scheme, plans.
    """
    def path(given, name):
        return Path(given) if given else config.data_path(name, data_dir)

    act_path = path(actuals, config.ACTUALS_FILE)
    if not act_path.exists():
        raise DataError("file not found: the scorecard needs the year's actuals.", source=str(act_path),
                        fix="run `salesanalytics generate-data` for the bundled SYNTHETIC year, or pass --actuals")
    acts_path = path(activities, config.ACTIVITIES_FILE)
    rat_path = path(ratings, config.RATINGS_FILE)
    return {
        "plan": read_plan(config.data_path(config.PLAN_FILE, data_dir)),
        "history": read_history(config.data_path(config.HISTORY_FILE, data_dir)),
        "roster": read_roster(config.data_path(config.ROSTER_FILE, data_dir)),
        "actuals": read_actuals(act_path),
        "activities": read_activities(acts_path) if acts_path.exists() else None,
        "ratings": read_ratings(rat_path) if rat_path.exists() else None,
        "scheme": read_scorecard_scheme(path(scheme, config.SCORECARD_SCHEME_FILE)),
        "plans": read_incentive_plans(path(plans, config.INCENTIVE_PLANS_FILE)),
    }
