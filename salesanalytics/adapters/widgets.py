"""ipywidgets helpers for analysts (JupyterLab, Voilà).

Sliders start at the notebook's parameter values, so an unattended papermill
run shows exactly the plan the parameters describe.  Widgets are only the
*interactive* layer: the static tables and charts of a report are displayed
outside widgets (:func:`salesanalytics.charts.show`), because widget areas are
blank in static HTML.  Every widget carries a CSS class (``add_class``) so the
browser tests can find it: ipywidgets 8 sliders are noUiSlider handles, not
``<input type=range>``.

The recompute behind a slider move is a pure function
(:func:`recompute_backward`) benchmarked in ``benchmarks/bench_report.py``.

What a slider move costs (``benchmarks/bench_widgets.py`` times each part; BENCHMARKS.md, "Slider
panels in a real browser"):

- **compute only what the panel shows**: the 倒推法 panel re-fits the plan (the headline's hires
  need the staffing plan) but builds its task table and chart from the fitted tasks' integer-fen
  array (:func:`wide_matrix_fen`, identical to ``planner.matrix``; a pivot took ~15 ms, a chart
  built with ``.loc`` per branch ~35 ms);
- **precompute what the slider does not move**: the 结合法 panel parses the managers' adjustments
  once (their validation was 25 of an ``evaluate``'s 35 ms) and starts from the page's own results;
- **one message**: headline, table and chart are one HTML widget, so a move is one comm message and
  one DOM swap, and the three change together;
- **throttled, never debounced**: sliders send while dragged (``continuous_update``); the
  front end's widget manager keeps at most one update in flight and sends the latest value
  when the kernel is idle again, so a drag cannot flood the kernel, nothing waits on a timer,
  and the panel always ends at the slider's final value.

Charts that follow a slider are inline SVG (:func:`svg_bars`), not a matplotlib PNG: drawing and
encoding a new PNG took 0.3-0.8 s per move, the SVG of the same bars about a millisecond.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from ..core import config
from ..core import schema as S
from ..core.exceptions import ParameterError, SalesAnalyticsError, suggest
from ..core.labels import check_lang, label, t, value
from ..methods.adjustments import parse_adjustments
from ..methods.backward import BackwardPlanner
from ..methods.tracking import COMPANY
from ..methods.plan import Plan
from ..methods.scenarios import default_scenarios
from . import charts, io

#: CSS classes the browser tests look for.
CSS = {
    "target": "sa-slider-target",
    "margin": "sa-slider-margin",
    "growth": "sa-slider-growth",
    "table": "sa-task-table",
    "headline": "sa-headline",
    "chart": "sa-task-chart",
    "panel": "sa-explorer",
    "output": "sa-task-output",
}


def growth_setting(plan: Plan) -> str | None:
    """The phasing setting a growth slider moves: monthly_growth, yoy_growth or none."""
    return {"compound_growth": "monthly_growth", "yoy_growth": "yoy_growth"}.get(plan.phasing.method)


def apply_backward_settings(plan: Plan, *, target_yuan: float | None = None, gross_margin: float | None = None, growth: float | None = None) -> Plan:
    """The plan with the slider values applied (``None`` keeps the plan's value)."""
    changes = {}
    if target_yuan is not None:
        changes["target_yuan"] = round(float(target_yuan), 2)
    if gross_margin is not None:
        changes["gross_margin"] = float(gross_margin)
    setting = growth_setting(plan)
    if growth is not None and setting:
        changes[setting] = float(growth)
    return plan.replace(**changes) if changes else plan


def recompute_backward(plan: Plan, *, target_yuan=None, gross_margin=None, growth=None, history=None) -> BackwardPlanner:
    """What a slider move computes: the plan with new settings, fitted (倒推法)."""
    return BackwardPlanner(apply_backward_settings(plan, target_yuan=target_yuan, gross_margin=gross_margin, growth=growth)).fit(history=history)


def headline_html(planner: BackwardPlanner, lang: str = "zh") -> str:
    """The chain target -> gross profit -> sales and the staffing gap, as a small HTML table."""
    check_lang(lang)
    s = planner.summary()
    rows = [
        (f"{t('target', lang)} ({value('target_kind', s['target_kind'], lang)})", f"{s['target_yuan']:,.2f} {t('yuan', lang)}"),
        (t("gross_profit_required", lang), f"{s['gross_profit_required_yuan']:,.2f} {t('yuan', lang)}"),
        (t("revenue_required", lang), f"{s['revenue_required_yuan']:,.2f} {t('yuan', lang)} ({t('gross_margin', lang)} {s['effective_margin']:.2%})"),
        (t("capacity", lang), f"{s['capacity_gross_profit_yuan']:,.2f} {t('yuan', lang)}"),
        (t("uplift_needed", lang), f"{s['uplift_needed_pct']:.1f}%"),
        (t("extra_heads", lang), f"{s['extra_heads_needed']:.0f} {t('people', lang)}"),
    ]
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:right'>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<table class='sa-headline-table'>{body}</table>"


#: matplotlib's tab20, the static charts' branch colours (no matplotlib import for a slider move)
TAB20 = ["#1f77b4", "#aec7e8", "#ff7f0e", "#ffbb78", "#2ca02c", "#98df8a", "#d62728", "#ff9896", "#9467bd", "#c5b0d5",
         "#8c564b", "#c49c94", "#e377c2", "#f7b6d2", "#7f7f7f", "#c7c7c7", "#bcbd22", "#dbdb8d", "#17becf", "#9edae5"]


def _nice_step(top: float) -> float:
    """A round grid step (1, 2 or 5 x 10^k) giving about five lines up to ``top``."""
    raw = max(top, 1e-9) / 5
    power = 10 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


def svg_bars(categories, series, lang: str = "zh", *, title: str = "", line=None, width: int = 860, height: int = 300) -> str:
    """Stacked vertical bars as inline SVG: ``series`` is ``[(name, values)]`` (stacked in order),
    ``line`` an optional ``(name, values)`` drawn as dots (e.g. the forecast).  The value axis
    starts at zero; labels are 11 px or more; colours as the static charts (tab20)."""
    e = charts.html_text
    colours = [TAB20[i % len(TAB20)] for i in range(len(series))]
    vals = np.array([np.asarray(v, dtype=float) for _, v in series]).reshape(len(series), len(categories))
    tops = np.nan_to_num(vals).clip(min=0).sum(axis=0)
    line_vals = np.asarray(line[1], dtype=float) if line is not None else np.zeros(len(categories))
    top = max(float(tops.max(initial=0)), float(np.nanmax(line_vals, initial=0)), 1.0)
    step = _nice_step(top)
    top = step * np.ceil(top / step)
    left, right, upper, lower = 70, 150, 28, 26
    plot_w, plot_h = width - left - right, height - upper - lower
    slot = plot_w / max(1, len(categories))

    def y(v):
        return upper + plot_h * (1 - v / top)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
           f'font-size="11" role="img" aria-label="{e(title)}">', f'<text x="{left}" y="16" font-size="13" font-weight="bold">{e(title)}</text>']
    for k in range(int(round(top / step)) + 1):
        v = k * step
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{"#444" if k == 0 else "#ddd"}"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:,.0f}</text>')
    bottom = np.zeros(len(categories))
    for (name, _), colour, row in zip(series, colours, vals):
        row = np.nan_to_num(row).clip(min=0)
        for i, v in enumerate(row):
            out.append(f'<rect x="{left + slot * i + slot * 0.1:.1f}" y="{y(bottom[i] + v):.1f}" width="{slot * 0.8:.1f}" '
                       f'height="{plot_h * v / top:.1f}" fill="{colour}"><title>{e(categories[i])} {e(name)}: {v:,.0f}</title></rect>')
        bottom += row
    if line is not None:
        for i, v in enumerate(line_vals):
            if np.isfinite(v):
                out.append(f'<circle cx="{left + slot * (i + 0.5):.1f}" cy="{y(v):.1f}" r="4" fill="#222"><title>{e(line[0])}: {v:,.0f}</title></circle>')
    for i, c in enumerate(categories):
        out.append(f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - 8}" text-anchor="middle">{e(c)}</text>')
    rows = int(plot_h // 16) - (line is not None)  # as many legend rows as fit beside the plot; the rest: hover a bar
    legend = list(zip([n for n, _ in series], colours))[:rows]
    for j, (name, colour) in enumerate(legend):
        out.append(f'<rect x="{width - right + 12}" y="{upper + 16 * j}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{width - right + 26}" y="{upper + 16 * j + 9}">{e(name)}</text>')
    if line is not None:
        j = len(legend)
        out.append(f'<circle cx="{width - right + 17}" cy="{upper + 16 * j + 5}" r="4" fill="#222"/>'
                   f'<text x="{width - right + 26}" y="{upper + 16 * j + 9}">{e(line[0])}</text>')
    out.append("</svg>")
    return "".join(out)


def wide_matrix_fen(fen: np.ndarray, names, months, lang: str = "zh") -> pd.DataFrame:
    """A 任务分解表 (branches x 12 months plus totals, yuan) from a ``branches x 12`` integer-fen array.

    The same frame as :meth:`BackwardPlanner.matrix` / :meth:`CombinedResult.target_matrix` (their long
    tables are branch-major, month within branch), built without a pivot: a slider move rebuilds it.
    """
    fen = np.asarray(fen, dtype=np.int64)
    n = len(names)
    full = np.empty((n + 1, 13), dtype=np.int64)
    full[:n, :12] = fen
    full[:n, 12] = fen.sum(axis=1)
    full[n] = full[:n].sum(axis=0)
    total = label("total", lang)
    index = pd.Index([*map(str, names), total], name=label(S.BRANCH, lang))
    return pd.DataFrame(full / 100, index=index, columns=[value("plan_month", pd.Timestamp(m).month, lang) for m in months] + [total])


def _task_fen(planner: BackwardPlanner, column: str = "sales_task_fen") -> np.ndarray:
    """The fitted tasks as branches x 12 integer fen (the tidy tasks are branch-major, months in order)."""
    return planner.tasks_[column].to_numpy(dtype=np.int64).reshape(len(planner.branch_names_), 12)


def task_matrix(planner: BackwardPlanner, lang: str = "zh", value: str = "sales_task") -> pd.DataFrame:
    """``planner.matrix(value, lang)`` (the same frame), from the fitted tasks' fen array."""
    return wide_matrix_fen(_task_fen(planner, f"{value}_fen"), planner.branch_names_, planner.plan.months, lang)


def _matrix_series(matrix: pd.DataFrame, lang: str):
    """(months, [(branch, values in 万元)]) of a labelled 任务分解表, its totals row and column left out."""
    total = t("total", lang)
    rows = [i for i, b in enumerate(matrix.index) if b != total]
    cols = [j for j, c in enumerate(matrix.columns) if c != total]
    vals = matrix.to_numpy(dtype=float)[np.ix_(rows, cols)] / 10_000
    return [str(matrix.columns[j]) for j in cols], [(str(matrix.index[i]), row) for i, row in zip(rows, vals)]


def task_chart_svg(planner: BackwardPlanner, lang: str = "zh", matrix: pd.DataFrame | None = None) -> str:
    """The monthly tasks of the planner's branches, stacked (万元), as inline SVG (``matrix``: the
    planner's labelled sales-task matrix, when the caller has it already)."""
    months, series = _matrix_series(task_matrix(planner, lang) if matrix is None else matrix, lang)
    return svg_bars(months, series, lang, title=t("chart_live_tasks", lang))


def task_table_html(planner: BackwardPlanner, lang: str = "zh", value: str = "sales_task") -> str:
    """The 任务分解表 (branches x months, 元 to the fen) as an HTML table, as the backward page shows it."""
    return charts.table_html(task_matrix(planner, lang, value), unnamed="money", lang=lang)


def compact_html(text: str) -> str:
    """HTML without the whitespace between tags (``to_html`` indents): fewer DOM nodes to build per move."""
    return _BETWEEN_TAGS.sub("><", text).strip()


_BETWEEN_TAGS = re.compile(r">\s+<")


def panel_html(parts: list[tuple[str, str]]) -> str:
    """The live part of a panel, ``[(css class, html)]`` in order, as one HTML value: one comm message and
    one DOM swap per move, so headline, table and chart change together."""
    return "".join(f"<div class='{css}'>{body}</div>" for css, body in parts)


def backward_outputs(planner: BackwardPlanner, lang: str = "zh", chart: bool = True) -> list[tuple[str, str]]:
    """What the 倒推法 panel shows for a fitted planner: ``[(css class, html)]`` of headline, task table, chart."""
    matrix = task_matrix(planner, lang)
    table = charts.table_html(matrix, unnamed="money", lang=lang)  # as the page's task table
    parts = [(CSS["headline"], headline_html(planner, lang)), (CSS["table"], compact_html(table))]
    if chart:
        parts.append((CSS["chart"], task_chart_svg(planner, lang, matrix)))
    return parts


def _error_html(exc: Exception) -> str:
    return f"<p style='color:#c0392b'>{html.escape(str(exc))}</p>"


def backward_explorer(plan: Plan, *, target_yuan: float, gross_margin: float, growth: float | None = None, lang: str = "zh", history: pd.DataFrame | None = None, chart: bool = True):
    """Sliders for target, margin and growth over a live headline, task table (and chart).

    The sliders start at the given values (the notebook's parameters).  Returns
    the panel widget; ``panel.planner`` is the planner of the current values and
    ``panel.output`` the HTML widget holding headline, table and chart (divs of
    classes ``CSS['headline']``, ``CSS['table']``, ``CSS['chart']``).
    """
    import ipywidgets as W  # lazy for speed: only the interactive notebooks load it

    check_lang(lang)
    style = {"description_width": "initial"}
    layout = W.Layout(width="640px")
    # continuous_update: the front end throttles (one update in flight, then the latest value), see the module doc
    target = W.FloatSlider(value=target_yuan, min=target_yuan * 0.25, max=target_yuan * 2.5, step=max(target_yuan / 200, 0.01),
                           description=t("target_profit", lang), readout_format=",.0f", continuous_update=True, style=style, layout=layout)
    margin = W.FloatSlider(value=gross_margin, min=0.01, max=max(0.6, gross_margin), step=0.005, description=t("gross_margin", lang),
                           readout_format=".1%", continuous_update=True, style=style, layout=layout)
    setting = growth_setting(plan)
    growth_value = growth if growth is not None else (getattr(plan.phasing, setting) if setting else 0.0)
    growth_slider = W.FloatSlider(value=growth_value or 0.0, min=-0.2, max=max(0.6, growth_value or 0.0), step=0.01,
                                  description=t("slider_yoy_growth" if setting == "yoy_growth" else "monthly_growth", lang),
                                  readout_format=".0%", continuous_update=True, disabled=setting is None, style=style, layout=layout)
    target.add_class(CSS["target"])
    margin.add_class(CSS["margin"])
    growth_slider.add_class(CSS["growth"])
    output = W.HTML(layout=W.Layout(max_width="900px"))
    output.add_class(CSS["output"])
    panel = W.VBox([W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), target, margin, growth_slider, output])
    panel.add_class(CSS["panel"])
    panel.output = output
    shown: list[tuple[str, str]] = []

    def update(_change=None):
        try:
            planner = recompute_backward(plan, target_yuan=target.value, gross_margin=margin.value,
                                         growth=growth_slider.value if setting else None, history=history)
            parts = backward_outputs(planner, lang, chart)
        except SalesAnalyticsError as exc:  # an impossible combination: say so, keep the last table and chart
            output.value = panel_html([(CSS["headline"], _error_html(exc))] + shown[1:])
            return
        panel.planner = planner
        shown[:] = parts
        output.value = panel_html(parts)

    for w in (target, margin, growth_slider):
        w.observe(update, names="value")
    update()
    return panel


def backward_from_parameters(plan_file: str, data_dir: str = "", *, target_yuan: float = 0.0, gross_margin: float = 0.0, growth: float = -1.0, history_file: str = ""):
    """What a backward notebook's parameters mean: ``(plan, history, planner)``.

    ``plan_file`` / ``history_file`` are names in ``data_dir`` ("" = the bundled
    data folder) or paths; 0 for target/margin and -1 for growth keep the
    plan's own value (so the sliders start at the plan's numbers).
    """
    folder = data_dir or None
    plan = io.read_plan(config.data_path(plan_file, folder))
    history = io.read_history(config.data_path(history_file, folder)) if history_file else None
    plan = apply_backward_settings(
        plan,
        target_yuan=target_yuan if target_yuan else None,
        gross_margin=gross_margin if gross_margin else None,
        growth=growth if growth != -1 else None,
    )
    return plan, history, BackwardPlanner(plan).fit(history=history)


CSS.update({"scenario": "sa-dropdown-scenario", "blend": "sa-slider-blend", "target_table": "sa-target-table", "combined_headline": "sa-combined-headline",
            "target_chart": "sa-target-chart", "target_output": "sa-target-output"})


def target_chart_svg(result, lang: str = "zh") -> str:
    """The company's monthly targets (stacked by branch, 万元) with the forecast mean as dots, as inline SVG."""
    frame = result.target_table  # branch-major, the plan's months within each branch (as evaluate builds it)
    names = list(dict.fromkeys(frame[S.BRANCH]))
    months = list(dict.fromkeys(frame[S.MONTH]))
    labels = [value("month_short", pd.Timestamp(m).month, lang) for m in months]
    wide = frame["target"].to_numpy(dtype=float).reshape(len(names), len(months)) / 10_000
    forecast = frame["forecast_mean"].to_numpy(dtype=float).reshape(len(names), len(months)).sum(axis=0) / 10_000
    return svg_bars(labels, [(str(b), row) for b, row in zip(names, wide)], lang, title=t("chart_combined_targets", lang),
                    line=(t("chart_forecast_dots", lang), forecast))


def combined_outputs(result, lang: str = "zh") -> list[tuple[str, str]]:
    """What the 结合法 panel shows for a result: ``[(css class, html)]`` of headline, target table, chart."""
    matrix = wide_matrix_fen(result.target_table["target_fen"].to_numpy(dtype=np.int64).reshape(len(result.plan.branch_names), 12),
                             result.plan.branch_names, result.plan.months, lang)  # = result.target_matrix(lang)
    table = charts.table_html(matrix, max_rows=None, lang=lang, unnamed="money")  # as the page's scenario tab
    return [(CSS["combined_headline"], f"<pre>{html.escape(result.headline(lang))}</pre>"),
            (CSS["target_table"], compact_html(table)), (CSS["target_chart"], target_chart_svg(result, lang))]


def _own_blend(sc) -> float:
    """Where the blend slider stands for a scenario's own rule (a quantile rule starts at 1)."""
    return sc.blend if sc.target_rule == "blend" else 1.0


def _parsed_adjustments(planner, adjustments):
    """The adjustments checked once against the plan's branches and year (a scenario changes margin,
    growth or target, never the branches); a table that fails the check is passed on as it is, so
    the panel shows the error where it showed it before."""
    if adjustments is None or isinstance(adjustments, list):
        return adjustments
    try:
        return parse_adjustments(adjustments, list(planner.backward_.branch_names_), planner.plan.year)
    except SalesAnalyticsError:
        return adjustments


def combined_explorer(planner, *, scenarios: dict | None = None, adjustments=None, scenario: str = "基准",
                      blend: float | None = None, lang: str = "zh", results: dict | None = None):
    """结合法 explorer: a scenario menu and a blend-weight slider over the recommended targets.

    ``planner``: a fitted :class:`~salesanalytics.methods.combined.CombinedPlanner`; ``scenarios``
    and ``adjustments``: the inputs the page around the panel ran with (default: the built-in
    scenarios, no adjustments) — so at a scenario's own setting the panel shows exactly that
    scenario's tab.  ``results``: those tabs' results (scenario name -> ``evaluate(scenario,
    adjustments=adjustments)``) when the page has them: shown as they are at a scenario's own
    setting.  A move re-uses the fitted paths (``evaluate``), about 10 ms.  ``blend`` is the
    weight of the requirement in the target (0 = forecast, 1 = requirement); ``None`` starts at
    the scenario's own rule.  ``panel.output`` holds headline, table and chart (one HTML widget).
    """
    import ipywidgets as W

    check_lang(lang)
    scenarios = dict(scenarios or default_scenarios())
    if scenario not in scenarios:
        raise ParameterError(f"unknown scenario '{scenario}'.{suggest(scenario, scenarios)} Scenarios: {', '.join(scenarios)}.")
    own_results = dict(results or {})
    adjustments = _parsed_adjustments(planner, adjustments)
    start_blend = blend if blend is not None else _own_blend(scenarios[scenario])
    style = {"description_width": "initial"}
    menu = W.Dropdown(options=[(sc.label(lang), name) for name, sc in scenarios.items()], value=scenario,
                      description=t("scenario", lang), style=style)
    weight = W.FloatSlider(value=start_blend, min=0.0, max=1.0, step=0.05, readout_format=".0%", continuous_update=True,
                           description=t("slider_blend", lang),
                           style=style, layout=W.Layout(width="640px"))
    menu.add_class(CSS["scenario"])
    weight.add_class(CSS["blend"])
    output = W.HTML(layout=W.Layout(max_width="900px"))
    output.add_class(CSS["target_output"])
    panel = W.VBox([W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), menu, weight, output])
    panel.add_class(CSS["panel"])
    panel.output = output
    shown: list[tuple[str, str]] = []

    def update(_change=None):
        sc = scenarios[menu.value]
        try:
            if weight.value == _own_blend(sc):  # the scenario as the page shows it (its own rule, blend or quantile)
                result = own_results[menu.value] if menu.value in own_results else planner.evaluate(sc, adjustments=adjustments)
            else:
                result = planner.evaluate(sc, blend=weight.value, adjustments=adjustments)
            parts = combined_outputs(result, lang)
        except SalesAnalyticsError as exc:
            output.value = panel_html([(CSS["combined_headline"], _error_html(exc))] + shown[1:])
            return
        panel.result = result
        shown[:] = parts
        output.value = panel_html(parts)

    def on_menu(_change):
        own = _own_blend(scenarios[menu.value])
        if weight.value != own:
            weight.value = own  # the slider's observer recomputes
        else:
            update()

    menu.observe(on_menu, names="value")
    weight.observe(update, names="value")
    update()
    return panel


def quarter_combined_explorer(state, *, scenario: str = "", lang: str = "zh"):
    """The 结合法 panel of the quarter's combined page: the state's fitted planner, scenarios (hiring
    only after the as-of date), adjustments and results — the same inputs as the tabs beside it."""
    if state.combined_planner is None:
        raise ParameterError("the quarter's state has no fitted combined planner (an old cache entry). Fix: render again with a fresh cache.")
    scenarios = {name: res.scenario for name, res in state.combined.results.items()}
    return combined_explorer(state.combined_planner, scenarios=scenarios, adjustments=state.combined_adjustments,
                             scenario=scenario or state.combined_scenario, lang=lang, results=state.combined.results)


CSS.update({"branch": "sa-dropdown-branch", "forecast_chart": "sa-forecast-chart"})


def forecast_explorer(history: pd.DataFrame, prediction: pd.DataFrame, *, branch: str = "", lang: str = "zh", as_of=None):
    """正推法 explorer: pick a branch (or the company) and see its history and forecast fan.

    ``history``: long frame (month, branch, revenue[, kind]) — the quarter's ``history_to_date``;
    ``prediction``: tidy forecast (branch, month, mean, lo_/hi_ ranges).  Where it has company rows
    (the quarter's ``forecast``) the company view shows them (its own range); otherwise the
    branches are summed.  ``branch`` "" starts at the company.
    """
    import ipywidgets as W

    check_lang(lang)
    has_company = bool((prediction[S.BRANCH] == COMPANY).any())
    branches = [b for b in dict.fromkeys(prediction[S.BRANCH]) if b != COMPANY]
    if branch and branch not in branches:
        raise ParameterError(f"unknown branch '{branch}'.{suggest(branch, branches)} Branches: {', '.join(branches)}.")
    company = t("total", lang)
    menu = W.Dropdown(options=[(company, "")] + [(b, b) for b in branches], value=branch, description=t("branch", lang))
    menu.add_class(CSS["branch"])
    image = W.Image(format="png", layout=W.Layout(max_width="900px"))
    image.add_class(CSS["forecast_chart"])
    panel = W.VBox([W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), menu, image])
    panel.add_class(CSS["panel"])

    def update(_change=None):
        if menu.value:
            h = history[history[S.BRANCH] == menu.value]
            p = prediction[prediction[S.BRANCH] == menu.value]
        else:
            h = history
            p = prediction[prediction[S.BRANCH] == COMPANY] if has_company else prediction
        image.value = charts.to_png(charts.history_forecast(h, p, lang, as_of=as_of))

    menu.observe(update, names="value")
    update()
    return panel
