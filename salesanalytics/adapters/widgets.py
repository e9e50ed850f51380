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
"""

from __future__ import annotations

import html

import pandas as pd

from ..core import config
from ..core import schema as S
from ..core.exceptions import ParameterError, SalesAnalyticsError, suggest
from ..core.labels import check_lang, t, value
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


def task_table_html(planner: BackwardPlanner, lang: str = "zh", value: str = "sales_task") -> str:
    """The 任务分解表 (branches x months, yuan) as an HTML table."""
    matrix = planner.matrix(value, lang)
    return charts.table_html(matrix)


def backward_explorer(plan: Plan, *, target_yuan: float, gross_margin: float, growth: float | None = None, lang: str = "zh", history: pd.DataFrame | None = None, chart: bool = True):
    """Sliders for target, margin and growth over a live task table (and chart).

    The sliders start at the given values (the notebook's parameters).  Returns
    the panel widget; ``panel.planner`` is the planner of the current values.
    """
    import ipywidgets as W  # lazy for speed: only the interactive notebooks load it

    check_lang(lang)
    style = {"description_width": "initial"}
    layout = W.Layout(width="640px")
    target = W.FloatSlider(value=target_yuan, min=target_yuan * 0.25, max=target_yuan * 2.5, step=max(target_yuan / 200, 0.01),
                           description=t("target_profit", lang), readout_format=",.0f", continuous_update=False, style=style, layout=layout)
    margin = W.FloatSlider(value=gross_margin, min=0.01, max=max(0.6, gross_margin), step=0.005, description=t("gross_margin", lang),
                           readout_format=".1%", continuous_update=False, style=style, layout=layout)
    setting = growth_setting(plan)
    growth_value = growth if growth is not None else (getattr(plan.phasing, setting) if setting else 0.0)
    growth_slider = W.FloatSlider(value=growth_value or 0.0, min=-0.2, max=max(0.6, growth_value or 0.0), step=0.01,
                                  description=t("slider_yoy_growth" if setting == "yoy_growth" else "monthly_growth", lang),
                                  readout_format=".0%", continuous_update=False, disabled=setting is None, style=style, layout=layout)
    target.add_class(CSS["target"])
    margin.add_class(CSS["margin"])
    growth_slider.add_class(CSS["growth"])
    headline = W.HTML()
    headline.add_class(CSS["headline"])
    table = W.HTML()
    table.add_class(CSS["table"])
    image = W.Image(format="png", layout=W.Layout(max_width="900px"))
    image.add_class(CSS["chart"])
    children = [W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), target, margin, growth_slider, headline, table]
    if chart:
        children.append(image)
    panel = W.VBox(children)
    panel.add_class(CSS["panel"])

    def update(_change=None):
        try:
            planner = recompute_backward(plan, target_yuan=target.value, gross_margin=margin.value,
                                         growth=growth_slider.value if setting else None, history=history)
        except SalesAnalyticsError as exc:  # an impossible combination: say so, keep the last table
            headline.value = f"<p style='color:#c0392b'>{html.escape(str(exc))}</p>"
            return
        panel.planner = planner
        headline.value = headline_html(planner, lang)
        table.value = task_table_html(planner, lang)
        if chart:
            image.value = charts.to_png(charts.monthly_tasks(planner.tasks(), lang))

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


CSS.update({"scenario": "sa-dropdown-scenario", "blend": "sa-slider-blend", "target_table": "sa-target-table", "combined_headline": "sa-combined-headline"})


def _own_blend(sc) -> float:
    """Where the blend slider stands for a scenario's own rule (a quantile rule starts at 1)."""
    return sc.blend if sc.target_rule == "blend" else 1.0


def combined_explorer(planner, *, scenarios: dict | None = None, adjustments=None, scenario: str = "基准",
                      blend: float | None = None, lang: str = "zh"):
    """结合法 explorer: a scenario menu and a blend-weight slider over the recommended targets.

    ``planner``: a fitted :class:`~salesanalytics.methods.combined.CombinedPlanner`; ``scenarios``
    and ``adjustments``: the inputs the page around the panel ran with (default: the built-in
    scenarios, no adjustments) — so at a scenario's own setting the panel shows exactly that
    scenario's tab.  A move re-uses the fitted paths (``evaluate``), about 60 ms.  ``blend`` is
    the weight of the requirement in the target (0 = forecast, 1 = requirement); ``None`` starts
    at the scenario's own rule.
    """
    import ipywidgets as W

    check_lang(lang)
    scenarios = dict(scenarios or default_scenarios())
    if scenario not in scenarios:
        raise ParameterError(f"unknown scenario '{scenario}'.{suggest(scenario, scenarios)} Scenarios: {', '.join(scenarios)}.")
    start_blend = blend if blend is not None else _own_blend(scenarios[scenario])
    style = {"description_width": "initial"}
    menu = W.Dropdown(options=[(sc.label(lang), name) for name, sc in scenarios.items()], value=scenario,
                      description=t("scenario", lang), style=style)
    weight = W.FloatSlider(value=start_blend, min=0.0, max=1.0, step=0.05, readout_format=".0%", continuous_update=False,
                           description=t("slider_blend", lang),
                           style=style, layout=W.Layout(width="640px"))
    menu.add_class(CSS["scenario"])
    weight.add_class(CSS["blend"])
    headline = W.HTML()
    headline.add_class(CSS["combined_headline"])
    table = W.HTML()
    table.add_class(CSS["target_table"])
    panel = W.VBox([W.HTML(f"<h3>{html.escape(t('explore', lang))}</h3>"), menu, weight, headline, table])
    panel.add_class(CSS["panel"])

    def update(_change=None):
        sc = scenarios[menu.value]
        try:
            if weight.value == _own_blend(sc):  # the scenario as the page shows it (its own rule, blend or quantile)
                result = planner.evaluate(sc, adjustments=adjustments)
            else:
                result = planner.evaluate(sc, blend=weight.value, adjustments=adjustments)
        except SalesAnalyticsError as exc:
            headline.value = f"<p style='color:#c0392b'>{html.escape(str(exc))}</p>"
            return
        panel.result = result
        headline.value = f"<pre>{html.escape(result.headline(lang))}</pre>"
        table.value = charts.table_html(result.target_matrix(lang))

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
    only after the as-of date) and adjustments — the same inputs as the tabs beside it."""
    if state.combined_planner is None:
        raise ParameterError("the quarter's state has no fitted combined planner (an old cache entry). Fix: render again with a fresh cache.")
    scenarios = {name: res.scenario for name, res in state.combined.results.items()}
    return combined_explorer(state.combined_planner, scenarios=scenarios, adjustments=state.combined_adjustments,
                             scenario=scenario or state.combined_scenario, lang=lang)


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
