"""A computed result kept on disk, keyed by a fingerprint of everything it was computed from.

The quarter's state (:mod:`salesanalytics.orchestration.cycle`) is computed once and then read
by every page of the report set, the CLI commands and the notebooks.  The key is a SHA-256 of
the input files' bytes (or frames' contents), the settings, the package version and its code
(:func:`code_digest`), so any change of input, setting or code recomputes, and nothing stale is
ever read.  Entries are pickles
written atomically (temp file + rename) in ``config.CACHE_DIR``; a damaged or unreadable entry is
treated as a miss.  Only this machine's own runs write there: never point it at a folder others
can write to (a pickle is code).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import warnings
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..core import config
from . import io

#: Bump when the state's structure changes incompatibly (old entries then miss).
FORMAT = 2


def digest_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (``"absent"`` for a missing optional file)."""
    path = Path(path)
    if not path.exists():
        return "absent"
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def digest_frame(frame: pd.DataFrame | None) -> str:
    """SHA-256 of a frame's values, index and column names (row order counts)."""
    if frame is None:
        return "none"
    h = hashlib.sha256()
    h.update(repr(list(frame.columns)).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over the package's own files (code, templates, labels), once per process.

    Part of every key: a result computed by other code (an edited checkout, an upgrade that kept
    the version number) is never read back.
    """
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json", ".yaml", ".yml")):
        h.update(f"{path.relative_to(root)}\0".encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def fingerprint(parts: Mapping[str, Any]) -> str:
    """One key from named parts (digests, settings) and the package's code: stable across runs and machines."""
    h = hashlib.sha256()
    h.update(f"salesanalytics {__version__} format {FORMAT} code {code_digest()}".encode())
    for name in sorted(parts):
        h.update(f"\n{name}={parts[name]!r}".encode())
    return h.hexdigest()


def cache_dir() -> Path:
    """``$SALESANALYTICS_CACHE`` (read at each call, so tests and CI can point it elsewhere) or ``config.CACHE_DIR``."""
    value = os.environ.get("SALESANALYTICS_CACHE")
    return Path(value).expanduser() if value else Path(config.CACHE_DIR)


def load(key: str, kind: str) -> Any | None:
    """The cached value of ``kind`` under ``key``, or None on a miss (absent or unreadable)."""
    path = cache_dir() / kind / f"{key}.pkl"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None


def save(key: str, kind: str, value: Any, *, keep: int = 8) -> None:
    """Store ``value`` atomically; keep the ``keep`` newest entries of ``kind``.  A cache that can't be
    written (read-only folder, full disk) is skipped: the result is still returned to the caller."""
    folder = cache_dir() / kind
    try:
        io.write_bytes(folder / f"{key}.pkl", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        entries = sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def cached(kind: str, parts: Mapping[str, Any], compute: Callable[[], Any], *, refresh: bool = False) -> tuple[Any, bool]:
    """``(value, hit)``: the value under the fingerprint of ``parts``, computed and stored on a miss.

    The warnings ``compute`` issued (unmatched rows, short histories …) are stored with the value
    and issued again on every hit: a cached answer says everything the computed one said.
    """
    key = fingerprint(parts)
    if not refresh:
        entry = load(key, kind)
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], list):
            value, said = entry
            _say_again(said)
            return value, True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = compute()
    said = [(w.category, str(w.message)) for w in caught]
    save(key, kind, (value, said))
    _say_again(said)
    return value, False


def _say_again(said: list) -> None:
    for category, message in said:
        warnings.warn(message, category, stacklevel=3)


def file_parts(files: Mapping[str, str | os.PathLike | None], settings: Mapping[str, Any]) -> dict[str, Any]:
    """Fingerprint parts of named input files (bytes) and settings."""
    parts: dict[str, Any] = {f"file:{k}": digest_file(v) if v else "none" for k, v in files.items()}
    parts.update({f"setting:{k}": v for k, v in settings.items()})
    return parts


def digests(paths: Iterable[str | os.PathLike | None]) -> dict[str, str]:
    """{file name: digest} of the given files (None entries skipped); names, not absolute paths."""
    return {Path(p).name: digest_file(p) for p in paths if p}
