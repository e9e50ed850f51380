"""Charts for every method, with Chinese that renders (no tofu boxes).

The machine this runs on may have no CJK font, so :func:`setup_fonts`
registers the Noto Sans CJK collection shipped by the pinned PyPI package
``noto-cjk-sans-otc`` (it exposes ``FONT_PATH``) with matplotlib's font
manager at run time and puts "Noto Sans CJK SC" first; no font-cache rebuild
is needed.  Every chart function calls it.

Charts are built on :class:`matplotlib.figure.Figure` directly (no pyplot
state, nothing to close) and returned; :func:`show` displays one as a PNG
*outside* any widget, because widget areas are blank in static HTML reports.
Titles are bilingual, the report language first.

Text that comes from data (branch, person and scenario names, notes) is shown as
written: in HTML through :func:`html_text` (escaped, so ``<script>`` is text), in a
chart through :func:`chart_text` (``$`` escaped, so a name is never mathtext).
"""

from __future__ import annotations

import base64
import html
import io as _io
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.labels import bilingual, check_lang, t
from ..core.labels import value as value_label
from ..methods.tracking.common import DEFAULT_THRESHOLDS, status_light
from . import formatting

CJK_FAMILY = "Noto Sans CJK SC"
_FONT_READY = False


def font_path() -> str:
    """Path of the bundled NotoSansCJK-Regular.ttc (from ``noto-cjk-sans-otc``)."""
    import noto_cjk_sans_otc

    return str(noto_cjk_sans_otc.FONT_PATH)


def setup_fonts() -> str:
    """Register the CJK font with matplotlib (once per process); return its path."""
    global _FONT_READY
    import matplotlib
    from matplotlib import font_manager

    path = font_path()
    if not _FONT_READY:
        if not any(f.fname == path for f in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
        _FONT_READY = True
    sans = [CJK_FAMILY] + [f for f in matplotlib.rcParams["font.sans-serif"] if f != CJK_FAMILY]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = sans
    matplotlib.rcParams["axes.unicode_minus"] = False
    return path


def _figure(width: float = 9.0, height: float = 4.2):
    from matplotlib.figure import Figure

    setup_fonts()
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def figure(width: float = 9.0, height: float = 4.2):
    """A new ``(fig, ax)`` with the CJK font set up, for plot functions that draw on an Axes."""
    return _figure(width, height)


def html_text(value) -> str:
    """The one escaping rule for data text in HTML: ``&``, ``<``, ``>`` and both quotes escaped."""
    return html.escape(str(value), quote=True)


def chart_text(value) -> str:
    """Data text for a matplotlib label: ``$`` escaped, so ``$x$`` is shown as written instead of being
    parsed as mathtext (where a name like ``$\\frac$`` would stop the chart with an error); control
    characters, which no font can draw, left out."""
    text = str(value).replace("$", r"\$")
    return "".join(ch for ch in text if ch >= " " or ch in "\t\n") if any(ch < " " for ch in text) else text


def _wan(values) -> np.ndarray:
    """Yuan -> 万元 (10,000 yuan), the unit Chinese management reports use."""
    return np.asarray(values, dtype=float) / 10_000


#: the tables' 红/黄/绿 status lights, the same colours on cards and in charts
STATUS_COLOURS = {"green": "#2e7d32", "yellow": "#e0a800", "red": "#c62828", "neutral": "#3b6ea5"}
#: the combined plan's branch statuses in those colours (out of reach darker than at risk)
GAP_COLOURS = {"on track": STATUS_COLOURS["green"], "stretch": STATUS_COLOURS["yellow"], "at risk": STATUS_COLOURS["red"],
               "out of reach": "#7b1f1f"}
#: the most bars a branch chart shows: the worst and the best, the rest in the table below it
WORST, BEST = 10, 5
#: no chart is taller than a screen (inches at 100 dpi)
MAX_HEIGHT = 7.0
#: the smallest text of a chart in points (8 pt is 11 px at the charts' 100 dpi)
MIN_FONT = 8


def top_bottom(values: pd.Series, worst: int = WORST, best: int = BEST) -> pd.Series:
    """``values`` already ranked worst first, cut to the ``worst`` first and the ``best`` last when longer
    (so a chart of 100 branches stays one read; the full ranking is in the table beside it)."""
    if len(values) <= worst + best:
        return values
    return pd.concat([values.iloc[:worst], values.iloc[-best:]])


def _height(n_rows: int, per_row: float = 0.32, extra: float = 1.4) -> float:
    return min(MAX_HEIGHT, per_row * n_rows + extra)


def _title(ax, title: str, n_total: int, n_shown: int, lang: str, worst: int = WORST, best: int = BEST) -> None:
    """The chart's title, with a second line saying which branches are shown when not all are."""
    if n_shown < n_total:
        title += "\n" + t("chart_top_bottom", lang, worst=worst, best=best, n=n_total)
    ax.set_title(title, fontsize=11)


def _month_labels(months, lang: str) -> list[str]:
    return [value_label("month_short", m.month, lang) for m in pd.DatetimeIndex(months)]


# ----------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------
def to_png(fig) -> bytes:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def img_tag(fig, alt: str = "") -> str:
    """The figure as an ``<img>`` with the PNG embedded (no external file)."""
    data = base64.b64encode(to_png(fig)).decode("ascii")
    return f'<img alt="{html_text(alt)}" src="data:image/png;base64,{data}" style="max-width:100%"/>'


def show(fig) -> None:
    """Display ``fig`` as a static PNG (outside widgets, so it survives in HTML)."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig), format="png"))


def html_tabs(panes: Mapping[str, str], *, name: str = "tabs") -> str:
    """Tabs that switch in a plain browser without a kernel (CSS radio buttons, no script).

    ``panes`` maps a tab label to its HTML; the first tab is selected.
    """
    key = "".join(ch for ch in name if ch.isalnum()) or "tabs"
    css = [
        f".sa-tabs-{key} > input {{ display:none; }}",
        f".sa-tabs-{key} > label {{ display:inline-block; padding:6px 14px; border:1px solid #bbb;"
        " border-bottom:none; cursor:pointer; background:#f2f2f2; margin-right:2px; }",
        f".sa-tabs-{key} > .sa-pane {{ display:none; border:1px solid #bbb; padding:10px; }}",
    ]
    parts = []
    for i, (label, body) in enumerate(panes.items()):
        pid = f"sa-{key}-{i}"
        checked = " checked" if i == 0 else ""
        parts.append(f'<input type="radio" name="sa-{key}" id="{pid}"{checked}/>')
        parts.append(f'<label for="{pid}" class="sa-tab-label">{html_text(label)}</label>')
        css.append(f"#{pid}:checked + label {{ background:#fff; font-weight:bold; }}")
        css.append(f"#{pid}:checked ~ .sa-pane-{i} {{ display:block; }}")
    for i, body in enumerate(panes.values()):
        parts.append(f'<div class="sa-pane sa-pane-{i}">{body}</div>')
    return f'<style>{"".join(css)}</style><div class="sa-tabs sa-tabs-{key}">{"".join(parts)}</div>'


# ----------------------------------------------------------------------------
# 倒推法 backward
# ----------------------------------------------------------------------------
def monthly_tasks(tasks: pd.DataFrame, lang: str = "zh", *, value: str = "sales_task"):
    """Stacked bars: each month's task, one colour per branch (tidy tasks frame, yuan)."""
    check_lang(lang)
    wide = tasks.pivot_table(index=S.MONTH, columns=S.BRANCH, values=value, aggfunc="sum", sort=False)
    branches = list(dict.fromkeys(tasks[S.BRANCH]))
    wide = wide[branches]
    if len(branches) > 12:  # a legend of 100 colours is no read: the 11 largest and the others together
        keep = list(wide.sum().sort_values(ascending=False).index[:11])
        others = t("chart_others", lang, n=len(branches) - len(keep))
        wide = wide[keep].assign(**{others: wide.drop(columns=keep).sum(axis=1)})
        branches = [*keep, others]
    fig, ax = _figure()
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    colours = _palette(len(branches))
    for colour, branch in zip(colours, branches):
        vals = _wan(wide[branch].fillna(0))
        ax.bar(x, vals, bottom=bottom, label=chart_text(branch), color=colour, width=0.8)
        bottom += vals
    ax.set_xticks(x, _month_labels(wide.index, lang))
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual("chart_monthly_tasks", lang))
    ax.legend(ncol=1, fontsize=MIN_FONT, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def branch_tasks(tasks: pd.DataFrame, lang: str = "zh", *, value: str = "sales_task"):
    """Horizontal bars: each branch's annual task (tidy tasks frame, yuan)."""
    check_lang(lang)
    every = tasks.groupby(S.BRANCH, sort=False)[value].sum().sort_values(ascending=False)
    totals = top_bottom(every)
    fig, ax = _figure(8, _height(len(totals)))
    y = np.arange(len(totals))[::-1]
    ax.barh(y, _wan(totals.values), color=STATUS_COLOURS["neutral"])
    ax.set_yticks(y, [chart_text(b) for b in totals.index])
    for yi, v in zip(y, _wan(totals.values)):
        ax.text(v, yi, f" {v:,.0f}", va="center", fontsize=MIN_FONT)
    ax.set_xlabel(t("wan_yuan", lang))
    _title(ax, bilingual("chart_branch_tasks", lang), len(every), len(totals), lang)
    ax.set_xlim(left=min(0.0, float(_wan(totals.values).min())))
    ax.margins(x=0.12)
    return fig


def capacity_gap(capacity: pd.DataFrame, lang: str = "zh"):
    """Per branch: the gross-profit task against what today's team delivers."""
    check_lang(lang)
    n_total = len(capacity)
    if n_total > WORST + BEST:  # the most stretched first: capacity against the task
        ratio = capacity["capacity_gross_profit"] / capacity["gross_profit_task"].where(capacity["gross_profit_task"] != 0)
        capacity = capacity.assign(_ratio=ratio.to_numpy()).sort_values("_ratio", na_position="last").head(WORST + BEST)
    fig, ax = _figure(9, 4)
    x = np.arange(len(capacity))
    ax.bar(x - 0.2, _wan(capacity["gross_profit_task"]), 0.4, label=t("gross_profit_task", lang), color="#c0504d")
    ax.bar(x + 0.2, _wan(capacity["capacity_gross_profit"]), 0.4, label=t("capacity", lang), color="#9bbb59")
    ax.set_xticks(x, [chart_text(b) for b in capacity[S.BRANCH]], rotation=30 if len(capacity) > 10 else 0, fontsize=MIN_FONT)
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual("chart_capacity_gap", lang) + ("" if len(capacity) == n_total else "\n" + t("chart_top_bottom", lang, worst=len(capacity), best=0, n=n_total)))
    ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    ax.legend(frameon=False)
    return fig


# ----------------------------------------------------------------------------
# 正推法 forward / 结合法 combined / tracking / scorecard
# ----------------------------------------------------------------------------
def forecast_fan(history: pd.DataFrame | None, prediction: pd.DataFrame, lang: str = "zh", *, levels=(80, 95), title_key: str = "chart_forecast"):
    """Company-total history and forecast with its intervals.

    ``history``: long frame (month, [branch], revenue); ``prediction``: the
    forecaster's tidy frame (month, mean, lo_<L>, hi_<L>); both are summed over
    branches (the company forecast is the bottom-up sum).
    """
    check_lang(lang)
    fig, ax = _figure()
    if history is not None and len(history):
        h = history.groupby(S.MONTH)[S.REVENUE].sum()
        ax.plot(h.index, _wan(h.values), color="#444", label=t("history", lang))
    cols = ["mean"] + [f"{side}_{lvl}" for lvl in levels for side in ("lo", "hi") if f"{side}_{lvl}" in prediction]
    p = prediction.groupby(S.MONTH)[cols].sum()
    for lvl, alpha in zip(sorted(levels, reverse=True), (0.18, 0.32)):
        if f"lo_{lvl}" in p:
            ax.fill_between(p.index, _wan(p[f"lo_{lvl}"]), _wan(p[f"hi_{lvl}"]), alpha=alpha, color="#3b6ea5", lw=0, label=t("interval", lang, level=lvl))
    ax.plot(p.index, _wan(p["mean"]), color="#3b6ea5", lw=2, label=t("forecast", lang))
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual(title_key, lang))
    ax.legend(frameon=False, fontsize=MIN_FONT + 1)
    return fig


def lines(frame: pd.DataFrame, columns: Mapping[str, str], lang: str = "zh", *, title_key: str = "chart_tracking", x: str = S.MONTH):
    """One line per column of a long frame summed by ``x``; ``columns`` maps column -> i18n key."""
    check_lang(lang)
    fig, ax = _figure()
    g = frame.groupby(x)[list(columns)].sum(min_count=1)
    for col, key in columns.items():
        ax.plot(g.index, _wan(g[col]), marker="o", ms=3, label=t(key, lang))
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual(title_key, lang))
    ax.legend(frameon=False, fontsize=MIN_FONT + 1)
    return fig


def bars(values: pd.Series, lang: str = "zh", *, title_key: str = "chart_scores", unit_key: str | None = None, scale: float = 1.0,
         reference: float | None = None, reference_key: str | None = None, status: bool = False, ascending: bool = True):
    """Horizontal bars of one value per label (branch, salesperson, scenario), ranked worst first (at the top).

    ``ascending``: a low value is worse (attainment, scores).  With more than :data:`WORST` + :data:`BEST`
    labels the worst and the best are drawn (the title says so).  ``reference``: a vertical line (e.g. 100 %
    of target) labelled ``reference_key``.  ``status``: bars coloured as the tables' lights (values in
    percent of target: green from 100, yellow from 90).  The value axis always includes zero.
    """
    check_lang(lang)
    every = values.sort_values(ascending=ascending, na_position="first")
    shown = top_bottom(every)
    fig, ax = _figure(8, _height(len(shown)))
    y = np.arange(len(shown))[::-1]
    vals = np.asarray(shown.values, dtype=float) / scale
    if status:
        colours = [STATUS_COLOURS.get(c, STATUS_COLOURS["neutral"]) for c in status_light(vals * scale, DEFAULT_THRESHOLDS)]
    else:
        colours = STATUS_COLOURS["neutral"]
    ax.barh(y, np.nan_to_num(vals), color=colours)
    ax.set_yticks(y, [chart_text(i) for i in shown.index])
    for yi, v in zip(y, vals):
        ax.text(0 if np.isnan(v) else v, yi, f" {MISSING if np.isnan(v) else f'{v:,.1f}'}", va="center", fontsize=MIN_FONT + 1)
    if reference is not None:
        ax.axvline(reference / scale, color="#333", lw=1.2, ls="--", label=t(reference_key, lang) if reference_key else None)
        if reference_key:
            ax.legend(frameon=False, fontsize=MIN_FONT + 1, loc="lower right")
    if unit_key:
        ax.set_xlabel(t(unit_key, lang))
    _title(ax, bilingual(title_key, lang), len(every), len(shown), lang)
    finite = vals[np.isfinite(vals)]
    ax.margins(x=0.12)
    low = min(0.0, float(finite.min()) if len(finite) else 0.0)
    high = max([0.0, *(finite.tolist()), *([reference / scale] if reference is not None else [])])
    ax.set_xlim(low - 0.02 * (high - low), high + 0.15 * (high - low or 1))
    return fig


def _palette(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(n)]


# ----------------------------------------------------------------------------
# display helpers for notebooks (static output that survives in HTML)
# ----------------------------------------------------------------------------
def show_html(text: str) -> None:
    from IPython.display import HTML, display

    display(HTML(text))


def show_text(text: str) -> None:
    """Display plain text (notes made from data, e.g. branch names) as preformatted, escaped HTML."""
    show_html(f"<pre class='sa-note'>{html_text(text)}</pre>")


def show_heading(text: str, level: int = 2) -> None:
    show_html(f"<h{level}>{html_text(text)}</h{level}>")


#: how a missing value (NaN, NaT, None) reads in a table
MISSING = "—"


#: rows a table shows before the rest is folded into an expandable section (the workbook has them all)
MAX_ROWS = 20
#: headers of a totals column, kept in view at the right edge of a wide table
_TOTAL_WORDS = ("合计", "Total", "总计")


def _words(frame: pd.DataFrame) -> str:
    """The language of a table nobody named: Chinese when its headers are."""
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in "".join(map(str, frame.columns))) else "en"


def shown_cells(frame: pd.DataFrame, lang: str | None = None, *, floatfmt: str = "{:,.0f}", rows: bool = False,
                index: bool = True, unnamed: str | None = None) -> pd.DataFrame:
    """``frame`` as the page shows it: every cell text through the one formatting layer
    (:mod:`salesanalytics.adapters.formatting`), by its column's kind — money in 元 to the fen,
    percentages with one decimal, shares and probabilities in %, multiples as 倍/×, counts as integers,
    months ``YYYY-MM``; text cells are kept as written, a missing value is a dash.

    ``rows``: one measure per row (a transposed table: the row's label, its first column, says the kind).
    ``floatfmt``: the precision of plain measures nobody named (scores, statistics: ``{:,.2f}``).
    ``index``: the index is shown, so a named index of months or numbers is formatted too.
    ``unnamed``: the kind of the numeric columns whose header names no unit (a matrix of months in yuan: ``money``).
    """
    lang = lang or _words(frame)
    kinds = None
    if unnamed is not None:
        kinds = {c: unnamed for c in frame.columns
                 if formatting.kind_for_header(c) is None and pd.api.types.is_numeric_dtype(frame[c].dtype)}
    match = re.search(r"\.(\d+)f", floatfmt)
    places = int(match.group(1)) if match else 0
    if index and (frame.index.name is not None or isinstance(frame.index, pd.MultiIndex)):
        names = list(frame.index.names)
        flat = frame.reset_index()
        shown = formatting.format_rows(flat, lang, missing=MISSING, number_decimals=places) if rows else \
            formatting.format_frame(flat, lang, missing=MISSING, number_decimals=places, kinds=kinds)
        return shown.set_index(list(shown.columns[:len(names)]))
    if rows:
        flat = frame.reset_index() if index else frame
        shown = formatting.format_rows(flat, lang, missing=MISSING, number_decimals=places)
        return shown.set_index(shown.columns[0]).rename_axis(None) if index else shown
    return formatting.format_frame(frame, lang, missing=MISSING, number_decimals=places, kinds=kinds)


#: a cell that reads as a figure (``1,234.56``, ``+7.9%``, ``1.3倍``, ``2026-10``, a dash): right-aligned
_FIGURE = re.compile(r"^[+\-−]?[\d,.]*\d[\d,.]*\s*(%|倍|×|万元|元)?$|^[—∞]$|^\d{4}-\d{2}(-\d{2})?$|^$")


def _text_columns(shown: pd.DataFrame) -> set[int]:
    """Positions of the columns of words (names, reasons): left-aligned, the figures right-aligned.  In a transposed
    table (a measure per row) a column mixes words and figures: there each cell is aligned by what it holds."""
    return {j for j in range(shown.shape[1])
            if not all(_FIGURE.match(str(v).strip()) for v in shown.iloc[:, j].tolist())}


def _is_text(v, column_is_text: bool) -> bool:
    return column_is_text and not _FIGURE.match(str(v).strip())


def _html_table(shown: pd.DataFrame, *, index: bool, classes: str, text: set[int]) -> str:
    """A table of formatted cells (escaped): one header row (the index's name in its corner), the index as row
    headers, columns of words marked ``sa-text`` (left-aligned)."""
    esc = lambda v: html.escape(str(v))  # noqa: E731
    corner = shown.index.name if shown.index.name is not None else (shown.columns.name or "")
    head = ([f"<th>{esc(corner)}</th>"] if index else []) + [f"<th>{esc(c)}</th>" for c in shown.columns]
    rows = []
    for i in range(len(shown)):
        cells = [f"<th>{esc(shown.index[i])}</th>"] if index else []
        cells += [f"<td class=\"sa-text\">{esc(v)}</td>" if _is_text(v, j in text) else f"<td>{esc(v)}</td>"
                  for j, v in enumerate(shown.iloc[i].tolist())]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table border="0" class="dataframe {classes}">\n<thead>\n<tr style="text-align: right;">{"".join(head)}</tr>\n</thead>\n'
            f'<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>')


def _light_cells(table: str, lang: str) -> str:
    """Cells holding a status light (红/黄/绿, red/yellow/green) get its colour, the colour of the cards and charts."""
    for status in ("red", "yellow", "green"):
        word = html.escape(value_label("light", status, lang))
        for before in (f"<td>{word}</td>", f"<td class=\"sa-text\">{word}</td>"):
            table = table.replace(before, f"<td class=\"sa-light sa-light-{status}\">{word}</td>")
    return table


def table_html(frame: pd.DataFrame, *, floatfmt: str = "{:,.0f}", index: bool = True, classes: str = "sa-matrix",
               max_rows: int | None = MAX_ROWS, lang: str | None = None, rows: bool = False, unnamed: str | None = None) -> str:
    """A frame as an HTML table in its own scroll box (the page never scrolls sideways; the first column stays
    in view, and a totals column at the right edge too), every cell through the formatting layer
    (:func:`shown_cells`).  Beyond ``max_rows`` rows the rest is in an expandable section below (rank the frame
    worst first, so the rows that need attention are the ones shown)."""
    words = lang or _words(frame)
    shown = shown_cells(frame, words, floatfmt=floatfmt, rows=rows, index=index, unnamed=unnamed)
    last = frame.columns[-1] if len(frame.columns) else ""
    last = last[-1] if isinstance(last, tuple) else last
    # the table is its own scroll box (no wrapper element: a table is all a table cell's text can produce)
    scroll = f"{classes} sa-scroll" + (" sa-has-total" if any(str(last).startswith(w) for w in _TOTAL_WORDS) else "")

    text = _text_columns(shown)

    def one(part: pd.DataFrame) -> str:
        if isinstance(part.columns, pd.MultiIndex) or isinstance(part.index, pd.MultiIndex):
            return _light_cells(part.to_html(na_rep=MISSING, classes=scroll, border=0, index=index, escape=True), words)
        return _light_cells(_html_table(part, index=index, classes=scroll, text=text), words)

    if max_rows is None or len(shown) <= max_rows + 2:  # folding away one or two rows saves nothing
        return one(shown)
    more = html.escape(t("rows_more", words, n=len(shown) - max_rows))
    return f"{one(shown.iloc[:max_rows])}<details class='sa-more'><summary>{more}</summary>{one(shown.iloc[max_rows:])}</details>"


def show_table(frame: pd.DataFrame, *, floatfmt: str = "{:,.0f}", index: bool = True, max_rows: int | None = MAX_ROWS,
               lang: str | None = None, rows: bool = False, unnamed: str | None = None) -> None:
    """Display :func:`table_html` of ``frame`` (static output that survives in HTML)."""
    show_html(table_html(frame, floatfmt=floatfmt, index=index, max_rows=max_rows, lang=lang, rows=rows, unnamed=unnamed))


def target_vs_forecast(gap_month: pd.DataFrame, lang: str = "zh", *, title_key: str = "chart_target_vs_forecast"):
    """Company per month: the required task against the forecast and its 80 % range (结合法).

    ``gap_month``: branch x month rows with ``required``, ``forecast_mean`` and
    optionally ``forecast_p10`` / ``forecast_p90`` (yuan), summed over branches.
    The band of summed branch quantiles is wider than the company's own range:
    it is shown as the envelope of what branches may do, labelled as such.
    """
    check_lang(lang)
    cols = [c for c in ("required", "forecast_mean", "forecast_p10", "forecast_p90") if c in gap_month]
    g = gap_month.groupby(S.MONTH)[cols].sum()
    fig, ax = _figure()
    x = np.arange(len(g))
    if "forecast_p10" in g:
        ax.fill_between(x, _wan(g["forecast_p10"]), _wan(g["forecast_p90"]), alpha=0.2, color="#3b6ea5", lw=0, label=t("interval", lang, level=80))
    ax.plot(x, _wan(g["forecast_mean"]), color="#3b6ea5", lw=2, marker="o", ms=3, label=t("forecast", lang))
    ax.plot(x, _wan(g["required"]), color="#c0504d", lw=2, ls="--", marker="s", ms=3, label=t("target", lang))
    ax.set_xticks(x, _month_labels(g.index, lang))
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual(title_key, lang))
    ax.legend(frameon=False, fontsize=MIN_FONT + 1)
    return fig


def scenario_tabs(run, lang: str = "zh") -> str:
    """结合法 scenarios (保守/基准/激进) pre-rendered as tabs: switching works in a plain browser.

    ``run``: a :class:`salesanalytics.combined.CombinedRun`.  Each tab holds
    the scenario's headline, its gap and bridge charts, the recommended
    target matrix and the hiring plan.
    """
    check_lang(lang)
    panes = {}
    for name, res in run.results.items():
        parts = [f"<pre class='sa-scenario-headline'>{html_text(res.headline(lang))}</pre>"]
        fig, ax = figure(9, _height(min(len(res.gap_branch), WORST + BEST), extra=1.8))
        plot_gap(ax, res.gap_branch, lang)
        parts.append(img_tag(fig, alt=f"gap {name}"))
        fig, ax = figure()
        plot_bridge(ax, res.bridge, lang)
        parts.append(img_tag(fig, alt=f"bridge {name}"))
        parts.append(table_html(res.target_matrix(lang), max_rows=None, lang=lang, unnamed="money"))
        tables = res.tables(lang)
        staffing = tables["staffing_branch"]
        parts.append(table_html(staffing, index=False, lang=lang))
        if len(res.adjustment_log):  # the audit trail: every manager adjustment with its reason
            parts.append(table_html(tables["adjustment_log"], index=False, classes="sa-matrix sa-adjustments", lang=lang))
        panes[res.scenario.label(lang)] = "".join(parts)
    return html_tabs(panes, name="scenarios")


# ----------------------------------------------------------------------------
# 结合法 charts (drawn on a given matplotlib Axes)
# ----------------------------------------------------------------------------
def plot_bridge(ax, bridge: pd.DataFrame, lang: str = "zh"):
    """Waterfall of the bridge from forecast to requirement (万元) on ``ax``."""
    setup_fonts()
    check_lang(lang)
    label = [chart_text(v) for v in bridge[f"label_{lang}"]]  # the method names each step in both languages
    start = bridge["start_yuan"].to_numpy() / 1e4
    end = bridge["end_yuan"].to_numpy() / 1e4
    bottom = np.minimum(start, end)
    height = np.abs(end - start)
    colours = ["#4C72B0" if k in ("start", "total") else ("#55A868" if e >= s else "#C44E52") for k, s, e in zip(bridge["kind"], start, end)]
    x = np.arange(len(label))
    ax.bar(x, height, bottom=bottom, color=colours)
    for i, (b, h, amount) in enumerate(zip(bottom, height, bridge["amount_yuan"] / 1e4)):
        ax.text(i, b + h, f"{amount:,.0f}", ha="center", va="bottom", fontsize=MIN_FONT + 1)
    ax.set_xticks(x, label, rotation=20, ha="right", fontsize=MIN_FONT + 1)
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(t("chart_bridge", lang))
    # the waterfall floats on a zero baseline: a step is read against the totals at their true size
    ax.axhline(0, color="#333", lw=0.8)
    ax.set_ylim(bottom=min(0.0, float(np.min(bottom))), top=float(np.max(bottom + height)) * 1.08 or 1.0)
    return ax


def plot_scenarios(ax, comparison: pd.DataFrame, lang: str = "zh"):
    """Scenario comparison on ``ax``: target and forecast bars (万元) and the probability of the target."""
    setup_fonts()
    check_lang(lang)
    names = comparison["scenario" if lang == "zh" else "label_en"]  # the zh scenario name is the key itself
    x = np.arange(len(comparison))
    ax.bar(x - 0.2, comparison["forecast_mean"] / 1e4, width=0.4, label=t("forecast", lang), color="#8C8C8C")
    ax.bar(x + 0.2, comparison["target"] / 1e4, width=0.4, label=t("legend_recommended_target", lang), color="#4C72B0")
    required = float(comparison["required"].iloc[0]) / 1e4
    ax.axhline(required, color="#C44E52", linestyle="--", label=t("legend_requirement", lang))
    highest = max(required, float(comparison[["forecast_mean", "target"]].max().max()) / 1e4)
    for i, row in comparison.reset_index(drop=True).iterrows():
        # above the bar and the requirement line, on a white ground: never written over the dashed line
        ax.text(i + 0.2, max(row["target"] / 1e4, required) + highest * 0.015,
                f"{row['probability_target'] * 100:.1f}% · " + t("hires_count", lang, n=int(row["hires_total"])),
                ha="center", va="bottom", fontsize=MIN_FONT + 1, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.9})
    ax.set_xticks(x, [chart_text(n) for n in names])
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(t("chart_scenarios", lang))
    # bars start at zero (a truncated axis makes a 3 % difference look like a doubling)
    ax.set_ylim(bottom=min(0.0, float(comparison[["forecast_mean", "target"]].min().min()) / 1e4), top=highest * 1.15)
    ax.legend(loc="lower right", fontsize=MIN_FONT + 1)
    return ax


def plot_gap(ax, gap_branch: pd.DataFrame, lang: str = "zh"):
    """Per branch: forecast range (P10..P90) and mean against the required task (万元), coloured by status."""
    setup_fonts()
    check_lang(lang)
    colour = GAP_COLOURS
    n_total = len(gap_branch)
    short = (gap_branch["forecast_mean"] - gap_branch["required"]) / gap_branch["required"].where(gap_branch["required"] != 0)
    gap_branch = gap_branch.assign(_short=short.to_numpy()).sort_values("_short", na_position="last")
    gap_branch = pd.concat([gap_branch.iloc[:WORST], gap_branch.iloc[-BEST:]]) if n_total > WORST + BEST else gap_branch
    y = np.arange(len(gap_branch))[::-1]
    lo, hi = gap_branch["forecast_p10"] / 1e4, gap_branch["forecast_p90"] / 1e4
    ax.hlines(y, lo, hi, color="#8C8C8C", linewidth=4)
    ax.plot(gap_branch["forecast_mean"] / 1e4, y, "o", color="#4C72B0", label=t("legend_forecast_mean", lang))
    ax.scatter(gap_branch["required"] / 1e4, y, marker="|", s=200, c=[colour[s] for s in gap_branch["status"]], label=t("legend_requirement", lang))
    ax.set_yticks(y, [chart_text(b) for b in gap_branch[S.BRANCH]])
    ax.set_xlabel(t("wan_yuan", lang))
    _title(ax, t("chart_gap", lang), n_total, len(gap_branch), lang)
    ax.legend(loc="lower right", fontsize=MIN_FONT + 1)
    return ax


# ----------------------------------------------------------------------------
# the quarter: the year so far and the forecast after the as-of date
# ----------------------------------------------------------------------------
def year_outlook(monthly: pd.DataFrame, lang: str = "zh", *, as_of=None, title_key: str = "chart_year_outlook"):
    """One series' plan year by month: target, actuals of the closed months, forecast with its 80 % range after.

    ``monthly``: rows of one branch (or the company) of the review's ``outlook_monthly``
    (month, target, actual, projected, lo_80, hi_80, kind).  The value axis starts at zero.
    """
    check_lang(lang)
    m = monthly.sort_values(S.MONTH).reset_index(drop=True)
    fig, ax = _figure()
    x = np.arange(len(m))
    closed = (m["kind"] == "actual").to_numpy()
    ax.bar(x[closed], _wan(m.loc[closed, "actual"]), width=0.7, color="#3b6ea5", label=t("legend_actual", lang))
    open_ = ~closed
    if open_.any():
        ax.bar(x[open_], _wan(m.loc[open_, "projected"]), width=0.7, color="#3b6ea5", alpha=0.35, label=t("forecast", lang))
        ax.errorbar(x[open_], _wan(m.loc[open_, "projected"]),
                    yerr=[_wan(m.loc[open_, "projected"] - m.loc[open_, "lo_80"]), _wan(m.loc[open_, "hi_80"] - m.loc[open_, "projected"])],
                    fmt="none", ecolor="#333", capsize=3, lw=1, label=t("interval", lang, level=80))
    ax.plot(x, _wan(m["target"]), color="#c0504d", lw=2, ls="--", marker="s", ms=3, label=t("legend_target", lang))
    if as_of is not None and closed.any() and open_.any():
        edge = x[closed].max() + 0.5
        ax.axvline(edge, color="#888", lw=1, ls=":")
        ax.text(edge, 0.985, " " + t("as_of_line", lang, as_of=f"{pd.Timestamp(as_of):%Y-%m-%d}"), va="top", fontsize=9, color="#555",
                transform=ax.get_xaxis_transform(), bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})  # inside the frame
    ax.set_xticks(x, _month_labels(m[S.MONTH], lang))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual(title_key, lang))
    ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4)
    return fig


def history_forecast(history: pd.DataFrame, forecast: pd.DataFrame, lang: str = "zh", *, as_of=None,
                     title_key: str = "chart_history_forecast", levels=(80, 95)):
    """History and this year's actuals up to the as-of date, then the forecast fan after it.

    ``history``: long (month, [branch], revenue, kind) with ``kind`` ``history`` or ``actual``
    (the quarter's ``history_to_date``), summed by month; ``forecast``: one series' rows (month,
    mean, lo_<L>, hi_<L>) — pass the company's own rows, not the branches (their ranges don't add).
    """
    check_lang(lang)
    fig, ax = _figure()
    last = pd.Series(dtype=float)  # the last month shown as history or actual: the forecast line starts there
    if len(history):
        kinds = history["kind"] if "kind" in history else pd.Series("history", index=history.index)
        past = history[kinds == "history"].groupby(S.MONTH)[S.REVENUE].sum()
        this = history[kinds == "actual"].groupby(S.MONTH)[S.REVENUE].sum()
        if len(past):
            ax.plot(past.index, _wan(past.values), color="#777", lw=1.5, label=t("history", lang))
        if len(this):
            joined = pd.concat([past.tail(1), this]) if len(past) else this  # no gap between the two lines
            ax.plot(joined.index, _wan(joined.values), color="#222", lw=2, label=t("legend_actual_this_year", lang))
        last = (this if len(this) else past).tail(1)
    p = forecast.groupby(S.MONTH)[[c for c in forecast.columns if c == "mean" or c.startswith(("lo_", "hi_"))]].sum()
    if len(p):
        for lvl, alpha in zip(sorted(levels, reverse=True), (0.18, 0.32)):
            if f"lo_{lvl}" in p:
                ax.fill_between(p.index, _wan(p[f"lo_{lvl}"]), _wan(p[f"hi_{lvl}"]), alpha=alpha, color="#3b6ea5", lw=0,
                                label=t("interval", lang, level=lvl))
        mean = pd.concat([last, p["mean"]]) if len(last) and last.index[-1] < p.index[0] else p["mean"]
        ax.plot(mean.index, _wan(mean.values), color="#3b6ea5", lw=2, label=t("forecast", lang))
    if as_of is not None:
        ax.axvline(pd.Timestamp(as_of), color="#888", lw=1, ls=":")
        ax.text(pd.Timestamp(as_of), 0.985, " " + t("as_of_line", lang, as_of=f"{pd.Timestamp(as_of):%Y-%m-%d}"),
                va="top", fontsize=9, color="#555", transform=ax.get_xaxis_transform(),
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax.set_ylim(bottom=0)
    ax.set_ylabel(t("wan_yuan", lang))
    ax.set_title(bilingual(title_key, lang))
    ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=4)
    return fig
