"""The only module that reads or writes files (CSV, XLSX, Parquet, YAML, text).

Readers map Chinese or English headers to the canonical long-format columns
(:mod:`salesanalytics.core.schema`), validate with pandera and raise a
:class:`~salesanalytics.core.exceptions.DataError` naming the file, sheet, rows,
column and the fix.  Row numbers are the ones a person sees in Excel or a text
editor: the header is row 1, the first data row is row 2.

Writers never leave a half-written file: they write to a temporary file in the
same folder and move it into place only when complete (``os.replace`` is
atomic on one file system), so an earlier output survives a failure.  An OS
error (disk full, no permission, read-only file system) names the user's path,
never the hidden temporary file, and says what to do.

Every text cell goes through one safe cell writer (:func:`csv_cell`,
:func:`xlsx_text`): a name from a CRM export such as ``=HYPERLINK(...)`` is stored
as text, never as a formula (see docs/data-format.md, "Text cells").
"""

from __future__ import annotations

import contextlib
import copy
import csv
import errno
import os
import re
import stat
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Mapping
from difflib import get_close_matches
from pathlib import Path

import numpy as np
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
# OS errors in the user's words
# ----------------------------------------------------------------------------
_OS_PROBLEMS = {
    errno.ENOSPC: ("there is no space left on the disk", "free some disk space, or write to another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space in your quota, or write to another disk"),
    errno.EACCES: ("permission denied", "write into a folder you may write to, or ask for write permission"),
    errno.EPERM: ("the operation is not permitted", "write into a folder you may write to, or ask for write permission"),
    errno.EROFS: ("the file system is read-only", "write to a folder on a writable disk"),
    errno.ENAMETOOLONG: ("the file name is too long", "use a shorter file or folder name"),
    errno.EISDIR: ("it is a folder", "name a file, not a folder"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the folders in the path"),
    errno.ELOOP: ("the path is a symbolic link that leads back to itself (a loop)", "give the path of the real file (ls -l shows where each link points)"),
    errno.EIO: ("the disk reported an input/output error", "check the disk and try again"),
}


def os_error(exc: OSError, path: str | os.PathLike, doing: str = "written") -> DataError:
    """An OSError as a DataError naming ``path`` (the user's, not a temporary file) and the fix."""
    problem, fix = _OS_PROBLEMS.get(exc.errno, (exc.strerror or str(exc), "check the path and try again"))
    return DataError(f"cannot be {doing}: {problem}.", source=str(path), fix=fix)


# ----------------------------------------------------------------------------
# inputs of a run are never overwritten by its outputs
# ----------------------------------------------------------------------------
_INPUTS: set[str] | None = None
_INPUTS_LOCK = threading.Lock()


@contextlib.contextmanager
def protect_inputs() -> Iterator[None]:
    """While active, every file a reader opens is remembered and a writer refuses to replace it.

    The CLI runs each command inside this, so ``--out`` naming an input (or a branch table the
    plan points to) is refused instead of overwriting the input.
    """
    global _INPUTS
    with _INPUTS_LOCK:
        outer, _INPUTS = _INPUTS, set()
    try:
        yield
    finally:
        with _INPUTS_LOCK:
            _INPUTS = outer


def _remember_input(path: Path) -> None:
    if _INPUTS is not None:
        with _INPUTS_LOCK:
            _INPUTS.add(os.path.realpath(path))


def _refuse_overwriting_an_input(path: Path) -> None:
    if _INPUTS is not None and os.path.realpath(path) in _INPUTS:
        raise DataError("is an input of this run; writing the output there would overwrite it.", source=str(path),
                        fix="name another output file")


# ----------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------
def _output_target(path: Path) -> Path:
    """Where to write ``path``: through a symbolic link to its file; a folder, a loop or a read-only file refused."""
    if path.is_symlink():
        try:
            os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise os_error(exc, path) from None
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise DataError("is a folder; a file cannot be written there.", source=str(path), fix=f"name a file, e.g. {path / 'out.csv'}")
    with contextlib.suppress(OSError):
        if path.exists() and not os.stat(path).st_mode & 0o222:
            raise DataError("is read-only; it was kept as it is.", source=str(path),
                            fix="make it writable (chmod u+w) or name another output file")
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` on success.

    On any exception the temporary file is removed and ``path`` is untouched; an
    OSError (disk full, permission) becomes a DataError naming ``path`` with the fix.
    """
    shown = Path(path)
    _refuse_overwriting_an_input(shown)
    path = _output_target(shown)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise os_error(exc, shown) from None
    tmp_path = Path(tmp)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; outputs get normal permissions
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException as exc:
        tmp_path.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, (BrokenPipeError, InterruptedError)):
            raise os_error(exc, shown) from exc
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
    """A new empty folder ``<prefix><pid>-<random>`` inside ``parent`` (same file system, so it can be renamed into place).

    The process id in the name lets a later run tell a dead run's leftovers from a live run's
    folder (:func:`remove_stale_dirs`).
    """
    try:
        Path(parent).mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(path, 0o777 & ~umask)  # mkdtemp makes 0700; a report folder gets normal permissions
    except OSError as exc:
        raise os_error(exc, parent) from None
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def remove_stale_dirs(parent: str | os.PathLike, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove folders ``<prefix><pid>-*`` in ``parent`` whose process is gone (or that carry no pid).

    Call it while holding the lock that the writers of these folders hold: then no live run
    can own one of them, and the pid check is a second safety.  A previous good set parked by
    an interrupted :func:`replace_dir` fallback is moved back first when its place is empty.
    """
    import shutil

    parent = Path(parent)
    removed = []
    if not parent.is_dir():
        return removed
    for entry in sorted(parent.iterdir()):
        prefix = next((p for p in prefixes if entry.name.startswith(p)), None)
        if prefix is None or not entry.is_dir() or entry.is_symlink():
            continue
        pid_text = entry.name[len(prefix):].split("-", 1)[0]
        # under the lock even this process's own folder is a leftover (of an earlier, interrupted call)
        if pid_text.isdigit() and int(pid_text) != os.getpid() and _pid_alive(int(pid_text)):
            continue
        for parked in entry.glob("*"):  # a replace_dir fallback interrupted between its two moves
            home = parent / parked.name
            if parked.is_dir() and ".old-" in entry.name and not home.exists():
                os.replace(parked, home)
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _exchange(src: Path, dst: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # the file system cannot exchange: the two-step fallback
    raise OSError(code, os.strerror(code), str(dst))


def replace_dir(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Put the finished folder ``src`` in place of ``dst``; the old ``dst`` is removed only after.

    Where the file system can swap two folders atomically, a process killed at any moment
    leaves either the old or the new set in place, never neither.  Elsewhere the old set is
    parked in ``.<name>.old-<pid>-*`` for the instant between two renames, and
    :func:`remove_stale_dirs` moves it back if the process died there.
    """
    import shutil

    src, dst = Path(src), Path(dst)
    try:
        if dst.exists() and _exchange(src, dst):
            shutil.rmtree(src, ignore_errors=True)  # src now holds the old set
            return dst
        old = None
        if dst.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.old-{os.getpid()}-", dir=dst.parent))
            os.replace(dst, old / dst.name)
        os.replace(src, dst)
    except OSError as exc:
        raise os_error(exc, dst) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dst


def link_or_copy(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """``dst`` as a hard link to ``src`` (same file system: no copy), or a copy where links are not possible."""
    import shutil

    src, dst = Path(src), Path(dst)
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    except OSError as exc:
        raise os_error(exc, dst) from None
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


# -- the one safe cell writer -------------------------------------------------
#: First characters that make Excel, WPS or LibreOffice read a cell as a formula (OWASP "CSV
#: injection"), with the full-width forms a Chinese input method types.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")
_STARTS = "=+\\-@\t\r＝＋－＠"
#: a CSV cell written with the protecting apostrophe (or text that merely looks like one)
_PROTECTED = re.compile(f"'+ *[{_STARTS}]")
_NEEDS_PROTECTION = re.compile(f"'* *[{_STARTS}]")
#: "-5", "+3.2", "-1.5e3", "-8%": a number written as text is inert (no formula), so it stays as written
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
#: characters XML 1.0 (so XLSX) cannot hold, and CR (an XML reader turns it into LF): stored as _xHHHH_
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_XLSX_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def csv_cell(text: str) -> str:
    """Text for a CSV cell: an apostrophe in front when a spreadsheet would run it as a formula.

    ``=HYPERLINK(...)``, ``@SUM(...)``, ``+1``-like text, a leading tab or CR (also after spaces)
    get the apostrophe OWASP recommends; text that already starts with apostrophes before
    such a character gets one more, so :func:`csv_uncell` gives back exactly what was written.
    Numbers written as text ("-5") are left alone.
    """
    if _NEEDS_PROTECTION.match(text) and not (text[0] != "'" and _PLAIN_NUMBER.fullmatch(text)):
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """The inverse of :func:`csv_cell`: one protecting apostrophe removed."""
    return text[1:] if _PROTECTED.match(text) else text


def xlsx_text(text: str) -> str:
    """Text for an XLSX cell: characters XML cannot hold as ``_xHHHH_`` (the OOXML escape Excel reads).

    A literal ``_x0041_`` in the text is escaped as ``_x005F_x0041_`` so that it reads back as written.
    """
    if "_x" in text:
        text = _XLSX_ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    return _XLSX_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def xlsx_untext(text: str) -> str:
    """The inverse of :func:`xlsx_text` (openpyxl leaves ``_xHHHH_`` escapes in cell text)."""
    return _XLSX_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


#: which texts each cell function changes (a vectorised pre-check: big files cost one regex pass)
_TOUCHES = {}


def _map_text(frame: pd.DataFrame, fn) -> pd.DataFrame:
    """``frame`` with ``fn`` applied to every text cell, header and index label (a copy only when something changes)."""
    pattern = _TOUCHES[fn]
    prefix = _PREFIXES.get(fn)

    def texts(values: pd.Series):
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            return None
        try:
            if prefix is not None and not values.str.startswith(prefix, na=False).any():
                return None  # no cell can match (a plain prefix test, far cheaper than the pattern)
            hit = values.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool)
        except AttributeError:  # an object column without any text
            return None
        if not hit.any():
            return None
        out = values.astype(object).to_numpy(copy=True)
        out[hit] = [fn(v) for v in out[hit]]
        return out

    def index(idx: pd.Index) -> pd.Index:
        if isinstance(idx, pd.MultiIndex):
            levels = [index(level) for level in idx.levels]
            return idx if all(a is b for a, b in zip(levels, idx.levels)) else idx.set_levels(levels)
        mapped = texts(pd.Series(idx, dtype=idx.dtype))
        return idx if mapped is None else pd.Index(mapped, name=idx.name, dtype=object)

    out = frame
    for pos in range(frame.shape[1]):
        mapped = texts(frame.iloc[:, pos])
        if mapped is not None:
            out = frame.copy() if out is frame else out
            out.isetitem(pos, pd.Series(mapped, index=frame.index, dtype=object))
    columns, rows = index(frame.columns), index(frame.index)
    if columns is not frame.columns or rows is not frame.index:
        out = frame.copy() if out is frame else out
        out.columns, out.index = columns, rows
    return out


#: the literal start of every text a cell function changes, where there is one
_PREFIXES = {}


_TOUCHES.update({
    csv_cell: f"^'* *[{_STARTS}]",
    csv_uncell: f"^{_PROTECTED.pattern}",
    xlsx_text: f"{_XLSX_UNSAFE.pattern}|_x[0-9A-Fa-f]{{4}}_",
    xlsx_untext: "_x[0-9A-Fa-f]{4}_",
})
_PREFIXES[csv_uncell] = "'"


def _csv_quoting(frame: pd.DataFrame) -> int:
    """Minimal quoting, unless a text holds a CR or starts/ends with a space: those are quoted, or a
    reader would split the row at the CR or drop the spaces (every other file keeps the usual bytes)."""
    def risky(v):
        return isinstance(v, str) and ("\r" in v or v[:1].isspace() or v[-1:].isspace())

    texts = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)]
    if any(risky(c) for c in frame.columns) or any(risky(v) for c in texts for v in frame[c].tolist()):
        return csv.QUOTE_NONNUMERIC
    return csv.QUOTE_MINIMAL


def write_table(frame: pd.DataFrame, path: str | os.PathLike, *, sheet: str = "data") -> Path:
    """Write one frame as CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX or Parquet.

    Text cells go through the safe cell writer: formulas are never written (see :func:`csv_cell`).
    """
    path = Path(path)
    suffix = _check_out_suffix(path)
    if suffix in (".xlsx", ".xlsm"):
        return write_excel({sheet: frame}, path)
    with atomic_path(path) as tmp:
        if suffix == ".csv":
            safe = _map_text(frame, csv_cell)
            safe.to_csv(tmp, index=False, encoding="utf-8-sig", quoting=_csv_quoting(safe))
        else:
            frame.to_parquet(tmp, index=False)
    return path


def write_excel(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike, *, index: Mapping[str, bool] | None = None,
                kinds: Mapping[str, Mapping[str, str] | str] | None = None, lang: str = "zh") -> Path:
    """Write several frames as the sheets of one XLSX workbook (openpyxl), atomically, ready to read.

    Every numeric cell gets the number format of its column's kind (:mod:`.formatting`: money
    ``#,##0.00``, 万元 ``#,##0.0``, fractions ``0.0%``, values already in percent ``0.0"%"``,
    multiples ``0.0"倍"``/``0.0"×"``, counts ``#,##0``); days are date cells ``yyyy-mm-dd`` and
    months ``yyyy-mm`` (a month column written as ``2026-03`` text becomes a date cell too); yes/no
    values are words in ``lang``.  The header row is bold and wraps, header and first column are
    frozen (B2), columns are as wide as their content (CJK characters count double) and every
    sheet has a filter.  ``kinds``: the caller's word on a column's kind, per sheet
    (``{sheet: {column: kind}}``, or ``{sheet: kind}`` for every numeric column of a matrix);
    without it a column's kind comes from its header (:func:`.formatting.kind_for_header`), else
    from its values.  Every text is stored as text: a cell that starts with ``=`` is never a formula.
    """
    path = Path(path)
    _check_out_suffix(path, (".xlsx", ".xlsm"))
    index = dict(index or {})
    kinds = dict(kinds or {})
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                sheet_name = xlsx_text(str(name))[:31]
                with_index = bool(index.get(name, False))
                frame, column_kinds = _prepared(frame, with_index, kinds.get(name), lang)
                _map_text(frame, xlsx_text).to_excel(writer, sheet_name=sheet_name, index=with_index)
                ws = writer.sheets[sheet_name]
                _store_text_as_text(ws)
                header_rows = frame.columns.nlevels + (1 if with_index and frame.columns.nlevels > 1 else 0)
                _format_sheet(ws, column_kinds, header_rows, lang)
    return path


def _prepared(frame: pd.DataFrame, with_index: bool, given, lang: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` as the sheet shows it (yes/no as words, month texts as dates) and the kind of every sheet column."""
    from . import formatting as F

    out = frame
    kinds = []
    if with_index:
        for level in range(frame.index.nlevels):
            values = frame.index.get_level_values(level)
            kinds.append(F.column_kind(values.name, values.tolist()))
    for pos, col in enumerate(frame.columns):
        values = frame.iloc[:, pos]
        if isinstance(given, str):
            kind = given if pd.api.types.is_numeric_dtype(values.dtype) else F.column_kind(col, values.tolist())
        else:
            kind = F.column_kind(col, values.tolist(), kinds=given or None)
        shown = _shown_cells(values, kind, lang)
        if shown is not None:
            out = frame.copy() if out is frame else out
            out.isetitem(pos, shown)
        kinds.append(kind)
    return out, kinds


#: month and day texts a method leaves as text (``2026-03``, ``2026-03-31``): shown as date cells
_MONTH_TEXT = re.compile(r"\d{4}-\d{2}")
_DAY_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown_cells(values: pd.Series, kind: str, lang: str) -> pd.Series | None:
    """A column's cells as the workbook holds them, or None when they stay as they are."""
    from ..core.labels import value

    if pd.api.types.is_bool_dtype(values.dtype) or (values.dtype == object and any(isinstance(v, (bool, np.bool_)) for v in values.head(1000))):
        return pd.Series([value("bool", bool(v), lang) if isinstance(v, (bool, np.bool_)) else v for v in values],
                         index=values.index, dtype=object)
    if kind in ("month", "date") and (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        texts = values.dropna()
        pattern = _MONTH_TEXT if kind == "month" else _DAY_TEXT
        if len(texts) and all(isinstance(v, str) and pattern.fullmatch(v) for v in texts):
            return pd.to_datetime(values, format="%Y-%m" if kind == "month" else "%Y-%m-%d")
    return None


def _format_sheet(ws, kinds: list[str], header_rows: int, lang: str) -> None:
    """Number formats by kind, a bold wrapped header, frozen header and first column, fitted widths, a filter."""
    import datetime as dt

    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from . import formatting as F

    formats = [F.excel_format(k, lang) for k in kinds]
    date_formats = [F.excel_format("month" if k == "month" else "date", lang) for k in kinds]
    widths = [0] * ws.max_column
    styles: dict = {}
    for r, row in enumerate(ws.iter_rows(min_row=header_rows + 1), start=0):
        for c, cell in enumerate(row):
            v = cell.value
            if v is None:
                continue
            kind = kinds[c] if c < len(kinds) else "text"
            if isinstance(v, bool):
                continue
            if isinstance(v, (int, float)):
                fmt, cell_kind = formats[c] if c < len(formats) else None, kind
                if fmt is None or kind in ("date", "month", "text", "bool"):
                    cell_kind = F.kind_for_values([v])  # a number in a text column (an item/value table)
                    fmt = F.excel_format(cell_kind, lang)
                elif kind == "count" and isinstance(v, float) and not v.is_integer():
                    cell_kind, fmt = "number", F.excel_format("number", lang)
                fixed = F.excel_value(v, cell_kind)
                if fixed is not v:
                    cell.value = fixed
                _set_format(cell, fmt, styles)
                if r < 200:
                    widths[c] = max(widths[c], _display_width(F.format_value(fixed, cell_kind, lang)))
            elif isinstance(v, (dt.datetime, dt.date)):
                _set_format(cell, date_formats[c] if c < len(date_formats) else "yyyy-mm-dd", styles)
                if r < 200:
                    widths[c] = max(widths[c], 7 if kind == "month" else 10)
            elif r < 200:
                widths[c] = max(widths[c], _display_width(v))
    bold, fill = Font(bold=True), PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    lines = 1
    for c in range(1, ws.max_column + 1):
        letter = get_column_letter(c)
        header = max((_display_width(ws.cell(row=r, column=c).value) for r in range(1, header_rows + 1)), default=0)
        # a long header wraps over up to three lines rather than widening a column of short numbers
        width = min(max(widths[c - 1], min(header, max(widths[c - 1], 24)), 6) + 2, 60)
        ws.column_dimensions[letter].width = width
        lines = max(lines, min(3, -(-header // max(width - 2, 1))))
        for r in range(1, header_rows + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
    for r in range(1, header_rows + 1):
        ws.row_dimensions[r].height = 15 * lines
    ws.freeze_panes = ws.cell(row=header_rows + 1, column=2).coordinate
    if ws.max_row > header_rows:
        ws.auto_filter.ref = f"A{header_rows}:{get_column_letter(ws.max_column)}{ws.max_row}"


def _set_format(cell, fmt: str, styles: dict) -> None:
    """``cell.number_format = fmt``, reusing the style of the last cell given ``fmt`` from the same
    style (openpyxl's setter looks the format up in the workbook's registry on every call: slow)."""
    key = (fmt, tuple(cell._style) if cell._style else ())
    style = styles.get(key)
    if style is None:
        cell.number_format = fmt
        styles[key] = copy.copy(cell._style)
    else:
        cell._style = copy.copy(style)


def _store_text_as_text(ws) -> None:
    """openpyxl makes any text starting with '=' a formula: every such cell is set back to text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _display_width(value) -> int:
    """Columns a value takes on screen: CJK (and full-width) characters count double."""
    if value is None:
        return 0
    text = f"{value:,.2f}" if isinstance(value, float) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# ----------------------------------------------------------------------------
# reading
# ----------------------------------------------------------------------------
def _sniff(path: Path) -> str:
    """Return the real format of a file from its first bytes: xlsx, parquet, text or binary."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise os_error(exc, path, "read") from None
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(_BINARY_MAGIC) or head.count(b"\x00") * 10 > len(head) * 3:
        return "binary"  # a known binary format, or NULs everywhere (UTF-16 too); a stray NUL in a name is still text
    return "text"


#: first bytes of binary files people save as .csv by mistake: old Excel/Word (OLE2), PDF, images, archives
_BINARY_MAGIC = (b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")


#: the largest settings (YAML) file read: plans and schemes are a few KB
MAX_YAML_BYTES = 1_000_000


def check_input(path: str | os.PathLike, *, what: str = "a .csv, .xlsx or .parquet file") -> Path:
    """``path`` must be a readable regular file: a clear DataError otherwise (missing, a folder,
    a dangling or looping symbolic link, a pipe or device, no permission)."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise DataError(f"is a symbolic link to '{os.readlink(path)}', which does not exist.", source=str(path),
                            fix="point the link at the file, or give the file's own path") from None
        raise DataError("file not found.", source=str(path), fix="check the path and file name") from None
    except OSError as exc:
        raise os_error(exc, path, "read") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError("is a folder, not a file.", source=str(path), fix=f"name {what}")
    if not stat.S_ISREG(info.st_mode):
        raise DataError("is not a regular file (a pipe or a device).", source=str(path), fix="save the data to a file and give its path")
    _remember_input(path)
    return path


def _read_raw(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str | None]:
    """Read a table file as strings/objects, checking that its content matches its extension."""
    check_input(path)
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


#: CSV files from this size on are parsed by Arrow's multi-threaded reader (a 0.9 M-row file in a third
#: of the time), when that gives exactly the frame pandas' reader gives; smaller files and any file where
#: it might differ are read by pandas as always
ARROW_CSV_BYTES = 8 << 20


def _read_csv(path: Path) -> pd.DataFrame:
    if path.stat().st_size >= ARROW_CSV_BYTES:
        frame = _read_csv_arrow(path)
        if frame is not None:
            return _map_text(frame, csv_uncell)
    # Chinese Excel exports CSV as GBK/GB18030; UTF-8 (with or without BOM) is tried first.
    last_exc = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            frame = pd.read_csv(path, dtype=str, encoding=encoding, skipinitialspace=True, keep_default_na=False, na_values=[""])
            # undo the protecting apostrophe of the safe cell writer (csv_cell) in headers and text cells
            return _map_text(frame, csv_uncell)
        except UnicodeDecodeError as exc:
            last_exc = exc
        except pd.errors.EmptyDataError:
            raise DataError("the file is empty.", source=str(path), fix="export the table again with a header row and data")
    raise DataError(f"is neither UTF-8 nor GBK text ({last_exc}).", source=str(path), fix="save the CSV as UTF-8")


def _read_csv_arrow(path: Path) -> pd.DataFrame | None:
    """A UTF-8 CSV read by Arrow as pandas would read it in :func:`_read_csv` (every cell text, only an
    empty cell missing, the same dtype), or None where the two readers could differ: a header that is
    not plain distinct names, a cell starting with a space or tab (pandas skips initial spaces), text
    that is not UTF-8, a row Arrow can't parse."""
    import pyarrow as arrow
    import pyarrow.compute as arrow_compute
    import pyarrow.csv as arrow_csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        if not header or len(set(header)) != len(header) or any(not h or h[0] in " \t" or h != h.strip() for h in header):
            return None
        table = arrow_csv.read_csv(
            path,
            parse_options=arrow_csv.ParseOptions(newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(column_types={h: arrow.string() for h in header}, null_values=[""],
                                                     strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except (OSError, UnicodeDecodeError, csv.Error, arrow.ArrowException, ValueError):
        return None
    if table.column_names != header or table.num_rows == 0:
        return None
    for column in table.columns:
        if arrow_compute.any(arrow_compute.starts_with(column, " ")).as_py() or arrow_compute.any(arrow_compute.starts_with(column, "\t")).as_py():
            return None
    string = pd.StringDtype("pyarrow", na_value=np.nan)  # what dtype=str gives
    return table.to_pandas(types_mapper={arrow.string(): string, arrow.large_string(): string}.get)


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, str]:
    with pd.ExcelFile(path, engine="openpyxl") as book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            sheet_name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not -len(names) <= sheet < len(names):
                raise DataError(f"has no sheet number {sheet}; it has {len(names)} sheet(s): {', '.join(names)}.",
                                source=str(path), fix="name an existing sheet")
            sheet_name = names[sheet]
        elif sheet in names:
            sheet_name = sheet
        else:
            raise DataError(
                f"has no sheet '{sheet}'.{suggest(sheet, names)} Sheets: {', '.join(names)}.",
                source=str(path),
                fix="name an existing sheet",
            )
        # as in CSV, only an empty cell is missing: a person named "NA" or "None" keeps the name
        frame = pd.read_excel(book, sheet_name=sheet_name, dtype=object, keep_default_na=False, na_values=[""])
    frame = frame.dropna(how="all").dropna(axis=1, how="all")
    return _map_text(frame, xlsx_untext), sheet_name


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
    out = history_from_frame(frame, ctx)
    out.attrs["source"] = ctx["source"]
    return out


# The checks of each table input on a frame whose headers are already canonical (``ctx`` as
# :func:`read_table` returns it): the file readers here and database frames
# (:func:`salesanalytics.adapters.sources.validated`) both go through them.
def _series_keys(frame: pd.DataFrame) -> list[str]:
    return [c for c in (S.MONTH, S.BRANCH, S.SALESPERSON, S.PRODUCT) if c in frame.columns]


def history_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.HISTORY_SCHEMA, ctx, _series_keys(frame))


def targets_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.TARGETS_SCHEMA, ctx, _series_keys(frame))


def roster_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.ROSTER_SCHEMA, ctx, [])


def industry_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.INDUSTRY_SCHEMA, ctx, [])


def ratings_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.RATINGS_SCHEMA, ctx, [])


def kpis_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    return finish(frame, S.KPI_SCHEMA, {**ctx, "extra": tuple(c for c in frame.columns if c not in S.KPI_SCHEMA.columns)}, [])


def read_branch_table(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a plan's branch table (branch, headcount, [gp_per_head_month, gross_margin, weight])."""
    frame, ctx = read_table(path, required=(S.BRANCH, S.HEADCOUNT), sheet=sheet)
    return finish(frame, S.BRANCH_TABLE_SCHEMA, ctx, [])


def read_roster(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a salesperson roster (branch, salesperson, [weight])."""
    frame, ctx = read_table(path, required=(S.BRANCH, S.SALESPERSON), sheet=sheet)
    return roster_from_frame(frame, ctx)


def read_industry(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read an annual industry market-size table (year, market_size, [kind])."""
    frame, ctx = read_table(path, required=(S.YEAR, S.MARKET_SIZE), sheet=sheet)
    return industry_from_frame(frame, ctx)


def read_targets(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read targets in long format (month, branch, [salesperson], sales_task, [gross_profit_task])."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, "sales_task"), sheet=sheet)
    return targets_from_frame(frame, ctx)


_DAY_HEADERS = ("date", "日期", "day", "日")


def _parse_days(values: pd.Series) -> pd.Series:
    """Dates of daily files: ISO days parsed in one vectorised call; anything else value by value (parse_months)."""
    if values.dtype.kind == "M":  # already dates (Parquet, a database): nothing to parse
        return values.dt.tz_localize(None).astype("datetime64[ns]") if values.dt.tz is not None else values.astype("datetime64[ns]")
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
    out = actuals_from_frame(frame, ctx)
    out.attrs["source"] = ctx["source"]
    return out


def actuals_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    """:func:`read_actuals`' checks: by day (column ``date``) or by month, ``attrs['granularity']`` saying which."""
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
    return out


def read_activities(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read daily activity records (date, branch, [salesperson], visits, new_customers, quotes, deals, cash_collected)."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH), sheet=sheet)
    out = activities_from_frame(frame, ctx)
    out.attrs["source"] = ctx["source"]
    return out


def activities_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
    frame = frame.drop(columns=[S.MONTH]).assign(date=_parse_days(frame[S.MONTH]))
    ctx["original"] = {**ctx["original"], "date": ctx["original"].get(S.MONTH, "date")}
    keys = [c for c in ("date", S.BRANCH, S.SALESPERSON) if c in frame.columns]
    return finish(frame, S.ACTIVITIES_SCHEMA, ctx, keys)


# ----------------------------------------------------------------------------
# customers (资产客户 / 负债客户): deals with their customer, time spent on customers, the customer list
# ----------------------------------------------------------------------------
#: Bundled SYNTHETIC customer files (the deals are the actuals file, which carries customer_id).
CUSTOMERS_FILE = config.CUSTOMERS_FILE
CUSTOMER_ACTIVITIES_FILE = config.CUSTOMER_ACTIVITIES_FILE


def _dated(frame: pd.DataFrame, ctx: dict, *, monthly_ok: bool) -> tuple[pd.DataFrame, str]:
    """The date column as ``date`` (days) or, where a file gives months and ``monthly_ok``, ``month``."""
    header = S.normalise_header(ctx["original"].get(S.MONTH, S.MONTH))
    parsed = _parse_days(frame[S.MONTH])
    has_days = parsed.dtype.kind == "M" and bool((parsed.dt.day != 1).any())
    if header in _DAY_HEADERS or has_days or not monthly_ok:
        ctx["original"] = {**ctx["original"], "date": ctx["original"].get(S.MONTH, "date")}
        return frame.drop(columns=[S.MONTH]).assign(date=parsed), "day"
    return frame.assign(**{S.MONTH: parsed}), "month"


def _need_customer(frame: pd.DataFrame, ctx: dict) -> None:
    if S.CUSTOMER_ID not in frame.columns and S.CUSTOMER_NAME not in frame.columns:
        accepted = "/".join((S.CUSTOMER_ID,) + S.ALIASES[S.CUSTOMER_ID][:3] + S.ALIASES[S.CUSTOMER_NAME][:2])
        raise DataError(f"missing the customer column ({accepted}). Found columns: {', '.join(map(str, ctx['original'].values()))}.",
                        source=ctx["source"], sheet=ctx.get("sheet"),
                        fix="add the customer of each row (客户编号, or 客户 with its name); see docs/data-format.md")


def read_customer_deals(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read deal lines with their customer: the daily actuals plus ``customer_id`` (客户编号; blank = unassigned) and ``collected_date`` (回款日期)."""
    frame, ctx = read_table(path, required=(S.MONTH, S.BRANCH, S.GROSS_PROFIT), sheet=sheet)
    _need_customer(frame, ctx)
    frame, _ = _dated(frame, ctx, monthly_ok=False)
    out = finish(frame, S.CUSTOMER_DEALS_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    return out


def read_customer_activities(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read time spent on customers: per day (日期) or month (月份) x salesperson x customer, with an activity type or counts and hours.

    ``attrs['granularity']`` is ``day`` (column ``date``) or ``month`` (column ``month``).
    """
    frame, ctx = read_table(path, required=(S.MONTH, S.SALESPERSON), sheet=sheet)
    _need_customer(frame, ctx)
    frame, granularity = _dated(frame, ctx, monthly_ok=True)
    if granularity == "month":
        checked = finish(frame.rename(columns={S.MONTH: "date"}), S.CUSTOMER_ACTIVITIES_SCHEMA,
                         {**ctx, "original": {**ctx["original"], "date": ctx["original"].get(S.MONTH, "month")}}, [])
        out = checked.rename(columns={"date": S.MONTH})
    else:
        out = finish(frame, S.CUSTOMER_ACTIVITIES_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    out.attrs["granularity"] = granularity
    return out


def read_customers(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read the customer list: customer_id (客户编号) [customer_name, industry, customer_city, branch, salesperson, referred_by (介绍人)]."""
    frame, ctx = read_table(path, required=(), sheet=sheet)
    _need_customer(frame, ctx)
    if S.CUSTOMER_ID not in frame.columns:
        frame = frame.assign(**{S.CUSTOMER_ID: frame[S.CUSTOMER_NAME]})
        ctx["original"] = {**ctx["original"], S.CUSTOMER_ID: ctx["original"][S.CUSTOMER_NAME]}
    out = finish(frame, S.CUSTOMERS_SCHEMA, ctx, [])
    out.attrs["source"] = ctx["source"]
    return out


def _given_or_bundled(given: str | os.PathLike | None, name: str, data_dir: str | os.PathLike | None) -> Path:
    """The path given on the command line, else the bundled file ``name`` in ``data_dir``."""
    return Path(given) if given else config.data_path(name, data_dir)


def read_customer_inputs(data_dir: str | os.PathLike | None = None, *, deals: str | os.PathLike | None = None,
                         activities: str | os.PathLike | None = None, customers: str | os.PathLike | None = None) -> dict:
    """Deals, time records and the customer list for :class:`salesanalytics.methods.customers.CustomerValue`.

    Defaults: the bundled actuals (with customer_id), customer_activities_2026.csv and
    customers_2026.csv in ``data_dir`` (the project's data/); the last two are None when absent.
    """
    deals_path = _given_or_bundled(deals, config.ACTUALS_FILE, data_dir)
    if not deals_path.exists():
        raise DataError("file not found: the customer analysis needs the deals.", source=str(deals_path),
                        fix="run `salesanalytics generate-data` for the bundled SYNTHETIC year, or pass --deals")
    acts_path = _given_or_bundled(activities, CUSTOMER_ACTIVITIES_FILE, data_dir)
    list_path = _given_or_bundled(customers, CUSTOMERS_FILE, data_dir)
    for given, p in ((activities, acts_path), (customers, list_path)):
        if given and not p.exists():
            raise DataError("file not found.", source=str(p), fix="check the path and file name")
    return {
        "deals": read_customer_deals(deals_path),
        "activities": read_customer_activities(acts_path) if acts_path.exists() else None,
        "customers": read_customers(list_path) if list_path.exists() else None,
    }


# ----------------------------------------------------------------------------
# YAML
# ----------------------------------------------------------------------------
#: keys whose values are names: kept as the text written (``NO``, ``0755``, ``1e3`` stay text)
_NAME_KEYS = frozenset({"name", "notes", "comparable", "label", "label_zh", "label_en", "file", "sheet", "author", "reason"}
                       | {a for c in (S.BRANCH, S.SALESPERSON, S.PRODUCT, S.RATER, S.DIMENSION) for a in (c, *S.ALIASES[c])})
#: nodes a YAML document may have once its aliases are expanded (a plan has a few hundred)
MAX_YAML_NODES = 200_000
_STR, _BOOL, _INT, _FLOAT = (f"tag:yaml.org,2002:{t}" for t in ("str", "bool", "int", "float"))


def _yaml_loader_class():
    """A safe loader with the YAML 1.2 core schema, name keys kept as text and duplicate keys refused.

    PyYAML follows YAML 1.1, where ``NO``/``on`` are booleans, ``0755`` is octal 493 and
    ``1:30`` is 90: a branch named NO would become False.  Here only true/false are booleans,
    integers are decimal (or 0o/0x), there are no timestamps or sexagesimals, and the value of a
    name key (branch, salesperson, name, notes, sheet, ...) is the text as written.
    """
    import yaml
    from yaml.constructor import ConstructorError, SafeConstructor
    from yaml.resolver import BaseResolver

    class Resolver(BaseResolver):
        pass

    Resolver.yaml_implicit_resolvers = {}
    for tag, pattern, first in (
        (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
        (_FLOAT, r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
        ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ):
        Resolver.add_implicit_resolver(tag, re.compile(pattern), list(first))

    class Constructor(SafeConstructor):
        def construct_yaml_int(self, node):
            text = self.construct_scalar(node)
            if text.startswith(("0o", "0x")):
                return int(text[2:], 8 if text[1] == "o" else 16)
            return int(text, 10)  # 0755 is 755 (YAML 1.2), never octal

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen = {}
                for key_node, value_node in node.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        continue
                    if key_node.value in seen and key_node.tag != "tag:yaml.org,2002:merge":
                        raise ConstructorError(None, None, f"the key '{key_node.value}' appears twice (first at line {seen[key_node.value]})",
                                               key_node.start_mark)
                    seen[key_node.value] = key_node.start_mark.line + 1
                    if key_node.value in _NAME_KEYS:
                        items = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                        for item in items:
                            if isinstance(item, yaml.ScalarNode) and item.tag in (_BOOL, _INT, _FLOAT):
                                item.tag = _STR
            return super().construct_mapping(node, deep=deep)

    Constructor.add_constructor(_INT, Constructor.construct_yaml_int)

    class Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, Constructor, Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            Constructor.__init__(self)
            Resolver.__init__(self)

    return Loader


def _expanded_size(root) -> int:
    """Nodes of a composed document with every alias expanded; refuses loops and oversized documents."""
    import yaml

    sizes: dict[int, int] = {}
    stack = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            active.discard(key)
            if sizes[key] > MAX_YAML_NODES:
                raise ValueError(f"it expands to more than {MAX_YAML_NODES:,} values (aliases repeating aliases)")
            continue
        if key in sizes:
            continue
        if key in active:
            raise ValueError(f"an alias at line {node.start_mark.line + 1} refers to the node that contains it (a loop)")
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        active.add(key)
        stack.append((node, True))
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        for child in children:
            if id(child) in active:
                raise ValueError(f"an alias at line {node.start_mark.line + 1} refers to the node that contains it (a loop)")
            stack.append((child, False))
    return sizes[id(root)]


def read_yaml(path: str | os.PathLike) -> dict:
    """Read a YAML mapping (YAML 1.2 core schema, names kept as written), with a clear error for
    syntax problems (line and column), duplicate keys and documents that expand beyond a sane size."""
    import yaml

    path = Path(path)
    check_input(path, what="a .yaml file")
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise DataError(
            f"expected a .yaml file, not '{path.suffix or 'no extension'}'.",
            source=str(path),
            fix="see data/seed_case_2012.yaml for the format",
        )
    if path.stat().st_size > MAX_YAML_BYTES:
        raise DataError(f"is {path.stat().st_size:,} bytes; a settings file is at most {MAX_YAML_BYTES:,}.", source=str(path),
                        fix="keep tables in .csv/.xlsx files and point to them from the YAML (e.g. branches: {file: branches.xlsx})")
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise os_error(exc, path, "read") from None
    if not text.strip():
        raise DataError("the file is empty.", source=str(path), fix="see data/seed_case_2012.yaml for the format")
    fix = "check indentation and that every 'key: value' has a space after the colon"
    try:
        loader = _yaml_loader_class()(text.decode("utf-8-sig"))
        try:
            node = loader.get_single_node()
            if node is not None:
                _expanded_size(node)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text.", source=str(path), fix="save the file as UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = str(getattr(exc, "problem", exc))
        raise DataError(f"is not valid YAML{where}: {problem}.", source=str(path),
                        fix="keep the key once, with the value you mean" if "appears twice" in problem else fix) from None
    except ValueError as exc:
        raise DataError(f"is refused: {exc}.", source=str(path), fix="write the values out instead of repeating aliases (*name)") from None
    except RecursionError:
        raise DataError("is nested too deeply to be a settings file.", source=str(path), fix=fix) from None
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
    out = adjustments_from_frame(frame, ctx)
    out.attrs["source"] = ctx["source"]
    return out


def adjustments_from_frame(frame: pd.DataFrame, ctx: dict) -> pd.DataFrame:
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
    return finish(frame, S.ADJUSTMENTS_SCHEMA, ctx, [])


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
    out = ratings_from_frame(frame, ctx)
    out.attrs["source"] = ctx["source"]
    return out


def read_person_kpis(path: str | os.PathLike, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a per-person KPI table (salesperson, branch, actual, target, [gross_profit, prior_actual, new_customers, collected])."""
    frame, ctx = read_table(path, required=(S.SALESPERSON, S.BRANCH, "actual", "target"), sheet=sheet)
    out = kpis_from_frame(frame, ctx)
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
    act_path = _given_or_bundled(actuals, config.ACTUALS_FILE, data_dir)
    if not act_path.exists():
        raise DataError("file not found: the scorecard needs the year's actuals.", source=str(act_path),
                        fix="run `salesanalytics generate-data` for the bundled SYNTHETIC year, or pass --actuals")
    acts_path = _given_or_bundled(activities, config.ACTIVITIES_FILE, data_dir)
    rat_path = _given_or_bundled(ratings, config.RATINGS_FILE, data_dir)
    return {
        "plan": read_plan(config.data_path(config.PLAN_FILE, data_dir)),
        "history": read_history(config.data_path(config.HISTORY_FILE, data_dir)),
        "roster": read_roster(config.data_path(config.ROSTER_FILE, data_dir)),
        "actuals": read_actuals(act_path),
        "activities": read_activities(acts_path) if acts_path.exists() else None,
        "ratings": read_ratings(rat_path) if rat_path.exists() else None,
        "scheme": read_scorecard_scheme(_given_or_bundled(scheme, config.SCORECARD_SCHEME_FILE, data_dir)),
        "plans": read_incentive_plans(_given_or_bundled(plans, config.INCENTIVE_PLANS_FILE, data_dir)),
    }
