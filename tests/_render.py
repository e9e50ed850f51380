"""Render the real report set once per test process (papermill is slow: one run serves every test).

Not a fixture module: ``rendered_set()`` is cached, so test_report, test_notebooks
and test_browser share one render however many of them run.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

QUARTER = "2026Q3"


#: simulated paths of the test renders (fewer than the default keeps the session short)
N_DRAWS = 300


@functools.cache
def rendered_set(lang: str = "zh", quarter: str = QUARTER):
    """(RenderResult, out_dir) of ``render_reports`` over every report notebook, in ``lang`` (Chinese by
    default) for ``quarter``; the set's pages are in ``out_dir / quarter``."""
    from salesanalytics.adapters.report import render_reports

    out = Path(tempfile.mkdtemp(prefix="sa-reports-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    result = render_reports(quarter, out_dir=out, lang=lang, parameters={"n_draws": N_DRAWS})
    return result, out


# ----------------------------------------------------------------------------
# what a page shows: the headline figures and the tables
# ----------------------------------------------------------------------------
class _Figures(HTMLParser):
    """Every ``<span data-key=… data-value=…>text</span>`` (the headline figures) and every table's cell texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.figures: list[tuple[str, str, str]] = []  # (key, data-value, shown text)
        self.tables: list[list[list[str]]] = []  # per table: rows of cell texts (th and td)
        self.blocks: list[tuple[dict, list[str]]] = []  # elements with a data-as-of attribute: (attrs, texts inside)
        self._span: list | None = None
        self._cell: list[str] | None = None
        self._open: list[tuple[str, dict, list[str], list[int]]] = []  # (tag, attrs, texts, [depth])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and "data-key" in attrs:
            self._span = [attrs["data-key"], attrs.get("data-value", ""), []]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("th", "td"):
            self._cell = []
        for block in self._open:  # nested elements of the same tag inside an open block
            if block[0] == tag:
                block[3][0] += 1
        if "data-as-of" in attrs and tag in ("div", "p", "table"):
            self._open.append((tag, attrs, [], [1]))

    def handle_endtag(self, tag):
        if tag == "span" and self._span is not None:
            key, data, parts = self._span
            self.figures.append((key, data, "".join(parts).strip()))
            self._span = None
        elif tag in ("th", "td") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        for block in list(self._open):
            if block[0] == tag:
                block[3][0] -= 1
                if block[3][0] == 0:
                    self._open.remove(block)
                    self.blocks.append((block[1], block[2]))

    def handle_data(self, data):
        if self._span is not None:
            self._span[2].append(data)
        if self._cell is not None:
            self._cell.append(data)
        for block in self._open:
            block[2].append(data)


def page_parts(page: str) -> _Figures:
    """The headline figures, tables and dated blocks of a rendered page."""
    parser = _Figures()
    parser.feed(page)
    parser.close()
    return parser


# ----------------------------------------------------------------------------
# unlabelled identifiers on a rendered page
# ----------------------------------------------------------------------------
#: what a reader must never see in a table or a headline: identifiers and Python/pandas reprs
UNLABELLED = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\bTrue\b|\bFalse\b|\bNone\b|\bnan\b|\bNaN\b|\bNaT\b|<NA>|Decimal\(")
#: elements whose text is checked: table headers and cells, headings, headlines, tab labels, titles
CHECKED = frozenset({"th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "label", "caption", "title", "summary"})
#: text shown literally on purpose (file and parameter names a reader types), and non-text
SKIPPED = frozenset({"code", "style", "script"})
#: file names and paths are shown as written (``plan_2026.yaml``), not as labels
FILE_NAME = re.compile(r"[\w./\\-]+\.(?:ya?ml|csv|xlsx?|json|ipynb|html|parquet)\b")
_VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "col", "wbr", "source", "area", "base", "embed", "param", "track"})


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []  # (tag, text) of every checked element
        self.buffers: list[list[str]] = []
        self.rows: list[tuple[int, str, list[str]]] = []  # (table number, section, header-cell texts) per table row
        self._row: list[str] | None = None
        self._section = "tbody"
        self._table = 0

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self._table += 1
        if tag in ("thead", "tbody"):
            self._section = tag
        elif tag == "tr":
            self._row = []
        if tag in CHECKED:
            self.buffers.append([])

    def handle_endtag(self, tag):
        if tag in _VOID or tag not in self.stack:
            return
        while self.stack:
            top = self.stack.pop()
            if top in CHECKED and self.buffers:
                text = " ".join("".join(self.buffers.pop()).split())
                self.texts.append((top, text))
                if top == "th" and self._row is not None:
                    self._row.append(text)
            if top == "tr" and self._row is not None:
                self.rows.append((self._table, self._section, self._row))
                self._row = None
            if top == "table":
                self._section = "tbody"
            if top == tag:
                break

    def handle_data(self, data):
        if self.buffers and not SKIPPED & set(self.stack):
            self.buffers[-1].append(data)


def _range_index(texts: list[str]) -> bool:
    """0, 1, 2 … (at least two): a pandas RangeIndex shown instead of names."""
    cells = [x for x in texts if x]
    return len(cells) >= 2 and cells == [str(i) for i in range(len(cells))]


def unlabelled(page: str) -> list[str]:
    """Every table header/cell, heading or headline of ``page`` that shows an unlabelled identifier."""
    scanner = _Scanner()
    scanner.feed(page)
    scanner.close()
    found = []
    for tag, text in scanner.texts:
        hits = sorted(set(m.group(0) for m in UNLABELLED.finditer(FILE_NAME.sub("", text))))
        if hits:
            found.append(f"<{tag}> {', '.join(hits)}: {text[:80]}")
    for table in sorted({n for n, _, _ in scanner.rows}):
        rows = [(section, cells) for n, section, cells in scanner.rows if n == table]
        for section, cells in rows:
            if section == "thead" and _range_index(cells):
                found.append(f"<thead> RangeIndex columns: {' '.join(cells[:6])} …")
        # a row index 0, 1, 2 … down the first header cell of the body rows
        firsts = [cells[0] for section, cells in rows if section == "tbody" and cells]
        if len(firsts) >= 2 and _range_index(firsts[:3]):
            found.append(f"<tbody> RangeIndex rows: {', '.join(firsts[:3])} …")
    return found
