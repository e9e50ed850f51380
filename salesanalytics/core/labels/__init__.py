"""Every user-facing word of the product, in Chinese and English, looked up by key.

One package, one lookup.  The tables are split by domain (one file each, so two people
adding labels never edit the same table), and merged here:

- :func:`label` — a column or field name (``"sales_task"`` → ``"销售任务(元)"``).  A domain's
  own table wins over ``common`` (``"target"`` reads 建议目标 in the combined plan and 目标 in
  tracking).
- :func:`text` (alias :func:`t`) — a sentence or title with ``{fields}``.
- :func:`value` — a coded value shown to people (status ``"at risk"`` → 有风险).
- :func:`label_columns` / :func:`label_values` — a whole frame, for pages and workbooks.

A missing key raises :class:`~salesanalytics.core.exceptions.LabelError`: a page must fail its
render (and a test must fail) rather than show a raw identifier.  ``tests/test_labels.py``
checks that every entry has both languages and that no two tables disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..exceptions import LabelError, ParameterError, suggest
from . import _app, _backward, _cli, _combined, _common, _customers, _formatting, _forward, _presentation, _scorecard, _tracking

LANGS = ("zh", "en")
_INDEX = {"zh": 0, "en": 1}

#: domain -> column/field key -> (zh, en)
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "common": _common.COLUMNS,
    "backward": _backward.COLUMNS,
    "forward": _forward.COLUMNS,
    "combined": _combined.COLUMNS,
    "tracking": _tracking.COLUMNS,
    "scorecard": _scorecard.COLUMNS,
    "presentation": _presentation.COLUMNS,
    "cli": _cli.COLUMNS,
    "customers": _customers.COLUMNS,
    "formatting": _formatting.COLUMNS,
    "app": _app.COLUMNS,
}

#: sentence / title key -> (zh, en); keys are unique across domains (checked at import)
TEXTS: dict[str, tuple[str, str]] = {}
for _module in (_common, _backward, _forward, _combined, _tracking, _scorecard, _presentation, _cli, _customers, _formatting, _app):
    for _key, _pair in getattr(_module, "TEXTS", {}).items():
        if _key in TEXTS and TEXTS[_key] != _pair:
            raise LabelError(f"text '{_key}' is defined twice with different words ({_module.__name__}).")
        TEXTS[_key] = _pair

#: value kind -> code -> (zh, en)
VALUES: dict[str, dict[str, tuple[str, str]]] = {}
for _module in (_common, _backward, _forward, _combined, _tracking, _scorecard, _presentation, _cli, _customers, _formatting, _app):
    for _kind, _table in getattr(_module, "VALUES", {}).items():
        if _kind in VALUES and VALUES[_kind] != _table:
            raise LabelError(f"value kind '{_kind}' is defined twice with different words ({_module.__name__}).")
        VALUES[_kind] = _table


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ParameterError(f"lang must be one of {', '.join(LANGS)}, not '{lang}'.{suggest(str(lang), LANGS)}")
    return lang


def has_label(key: str, domain: str | None = None) -> bool:
    return (domain is not None and key in COLUMNS.get(domain, {})) or key in COLUMNS["common"]


def label(key: str, lang: str = "zh", domain: str | None = None) -> str:
    """The display name of column/field ``key`` in ``lang`` (domain table first, then common)."""
    i = _INDEX[check_lang(lang)]
    if domain is not None:
        if domain not in COLUMNS:
            raise LabelError(f"no label domain '{domain}'.{suggest(domain, COLUMNS)}")
        pair = COLUMNS[domain].get(key)
        if pair is not None:
            return pair[i]
    pair = COLUMNS["common"].get(str(key))
    if pair is None:
        where = f" in domain '{domain}' or common" if domain else " in common"
        raise LabelError(f"no label for '{key}'{where}: add it to salesanalytics/core/labels/.")
    return pair[i]


def text(key: str, lang: str = "zh", **fields) -> str:
    """The sentence/title ``key`` in ``lang``, formatted with ``fields``."""
    i = _INDEX[check_lang(lang)]
    pair = TEXTS.get(key)
    if pair is None:
        raise LabelError(f"no text '{key}'.{suggest(key, TEXTS)}")
    return pair[i].format(**fields) if fields else pair[i]


t = text  # the short name notebooks use


def bilingual(key: str, lang: str = "zh", **fields) -> str:
    """Chart titles carry both languages, the chosen one first: ``'销售任务 / Sales task'``."""
    other = "en" if check_lang(lang) == "zh" else "zh"
    return f"{text(key, lang, **fields)} / {text(key, other, **fields)}"


def value(kind: str, code, lang: str = "zh") -> str:
    """The display word of a coded value (``value("status", "at risk", "zh")`` → 有风险)."""
    i = _INDEX[check_lang(lang)]
    table = VALUES.get(kind)
    if table is None:
        raise LabelError(f"no value kind '{kind}'.{suggest(kind, VALUES)}")
    pair = table.get(code if not isinstance(code, bool) else str(code).lower())
    if pair is None:
        raise LabelError(f"no label for {kind} value '{code}': add it to salesanalytics/core/labels/.")
    return pair[i]


def label_columns(frame, lang: str = "zh", domain: str | None = None, *, keep: Mapping[str, str] | None = None):
    """``frame`` with every column renamed to its label; a column without a label raises LabelError.

    ``keep``: columns whose header is already a display text (e.g. month names) -> shown as given.
    """
    keep = dict(keep or {})
    names = {}
    for col in frame.columns:
        if col in keep:
            names[col] = keep[col]
        elif not isinstance(col, str):  # e.g. month timestamps of a wide matrix: the caller formats them
            names[col] = col
        else:
            names[col] = label(col, lang, domain)
    return frame.rename(columns=names)


def label_values(frame, lang: str = "zh", kinds: Mapping[str, str] | None = None):
    """``frame`` with the coded values of the given columns (``{column: kind}``) shown as words."""
    out = frame.copy()
    for col, kind in (kinds or {}).items():
        if col in out.columns:
            out[col] = [value(kind, v, lang) if v is not None and v == v else v for v in out[col]]
    return out


__all__ = ["LANGS", "COLUMNS", "TEXTS", "VALUES", "check_lang", "has_label", "label", "text", "t", "bilingual",
           "value", "label_columns", "label_values"]
