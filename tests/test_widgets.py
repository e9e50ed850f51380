"""Widget helpers: sliders start at the parameters, a move recomputes the task table."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import widgets
from salesanalytics.core.exceptions import ParameterError, PlanError


def _total(table_html: str) -> float:
    """The grand total (last cell of the 合计 row) of a task table."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, flags=re.S)
    last = re.findall(r"<td>([^<]*)</td>", rows[-1])[-1]
    return float(last.replace(",", ""))


def test_recompute_follows_the_handbook_chain(seed_plan):
    planner = widgets.recompute_backward(seed_plan)
    assert planner.summary()["revenue_required_yuan"] == 850_000_000.00
    planner = widgets.recompute_backward(seed_plan, target_yuan=34_000_000, gross_margin=0.10)
    assert planner.summary()["revenue_required_yuan"] == 340_000_000.00


def test_growth_slider_moves_the_phasing_setting(seed_plan):
    assert widgets.growth_setting(seed_plan) == "monthly_growth"
    flat = widgets.recompute_backward(seed_plan, growth=0.0).matrix()
    beijing = flat.loc["北京"].drop("合计")  # open all year: no growth means equal months (to the fen)
    assert beijing.max() - beijing.min() <= 0.01
    grown = widgets.recompute_backward(seed_plan, growth=0.1).matrix().loc["北京"]
    assert grown["12月"] / grown["11月"] == pytest.approx(1.1, abs=1e-6)


def test_explorer_starts_at_the_parameter_values_and_updates_the_table(seed_plan):
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, growth=0.3, chart=False)
    sliders = {cls: w for w in panel.children for cls in w._dom_classes if cls.startswith("sa-slider")}
    assert sliders["sa-slider-target"].value == 68_000_000
    assert sliders["sa-slider-margin"].value == 0.08
    assert sliders["sa-slider-growth"].value == 0.3
    table = next(w for w in panel.children if "sa-task-table" in w._dom_classes)
    assert _total(table.value) == 850_000_000
    sliders["sa-slider-margin"].value = 0.10
    assert _total(table.value) == 680_000_000
    assert panel.planner.summary()["effective_margin"] == 0.10


def test_every_widget_has_a_css_class_for_browser_tests(seed_plan):
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, chart=True)
    classes = {c for w in panel.children for c in w._dom_classes} | set(panel._dom_classes)
    assert {widgets.CSS[k] for k in ("target", "margin", "growth", "table", "headline", "chart", "panel")} <= classes
    chart = next(w for w in panel.children if "sa-task-chart" in w._dom_classes)
    assert chart.value.startswith("<svg") and "各月销售任务" in chart.value


def _bars(svg: str) -> list[tuple[float, float]]:
    """(y, height) of every bar of an inline SVG chart."""
    return [(float(y), float(h)) for y, h in re.findall(r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill', svg)]


def test_slider_move_redraws_the_chart_in_place(seed_plan):
    """The chart follows the slider: same bars (one per branch and month), new heights, axis from zero."""
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, growth=0.3)
    by_class = {c: w for w in panel.children for c in w._dom_classes}
    chart = by_class["sa-task-chart"]
    before = _bars(chart.value)
    n_branches = len(seed_plan.branch_names)
    assert len(before) == 12 * n_branches + n_branches  # the bars, then one legend swatch per branch
    by_class["sa-slider-margin"].value = 0.16  # half the sales needed: every bar half as tall on the same axis?
    after = _bars(chart.value)
    assert len(after) == len(before) and after != before
    assert ">0</text>" in chart.value  # the value axis starts at zero


@pytest.mark.parametrize("top, step", [(1, 0.2), (7, 2), (10, 2), (12, 5), (850, 200), (99_999, 20_000)])
def test_grid_steps_are_round(top, step):
    assert widgets._nice_step(top) == pytest.approx(step)


def test_svg_chart_escapes_names_and_shows_the_line():
    svg = widgets.svg_bars(["1月", "2月"], [("<b>&", [1.0, 2.0])], title="T<", line=("预测", [1.5, float("nan")]))
    assert "<b>&" not in svg and "&lt;b&gt;&amp;" in svg and "T&lt;" in svg
    assert svg.count("<circle") == 2  # one dot (the NaN month has none) and the legend's


def test_impossible_slider_value_shows_the_error_and_keeps_the_table(seed_plan, monkeypatch):
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, chart=False)
    table = next(w for w in panel.children if "sa-task-table" in w._dom_classes)
    headline = next(w for w in panel.children if "sa-headline" in w._dom_classes)
    before = table.value

    def boom(*a, **k):
        raise PlanError("gross_margin: 0 must be greater than 0.")

    monkeypatch.setattr(widgets, "recompute_backward", boom)
    next(w for w in panel.children if "sa-slider-target" in w._dom_classes).value = 50_000_000
    assert "must be greater than 0" in headline.value and table.value == before


def test_backward_from_parameters_zero_keeps_the_plan():
    plan, history, planner = widgets.backward_from_parameters("seed_case_2012.yaml")
    assert float(plan.target_yuan) == 68_000_000 and plan.gross_margin == 0.08 and history is None
    plan, _, planner = widgets.backward_from_parameters("seed_case_2012.yaml", target_yuan=1e6, gross_margin=0.1, growth=0.0)
    assert planner.summary()["revenue_required_yuan"] == 10_000_000


@settings(max_examples=25, deadline=None)
@given(target=st.integers(1_000_000, 500_000_000), margin=st.floats(0.02, 0.5))
def test_task_table_always_adds_up_to_the_required_sales(seed_plan, target, margin):
    planner = widgets.recompute_backward(seed_plan, target_yuan=target, gross_margin=margin)
    fen = planner.tasks()["sales_task_fen"].sum()
    assert fen == round(planner.summary()["revenue_required_yuan"] * 100)
    assert _total(widgets.task_table_html(planner)) == pytest.approx(fen / 100, abs=1)


@pytest.fixture(scope="module")
def quarter_state():
    from salesanalytics.adapters.quarter import load_state

    return load_state("2026Q3", n_draws=300)


@pytest.mark.slow
def test_combined_panel_uses_the_same_inputs_as_the_page(quarter_state):
    """At a scenario's own setting the panel shows exactly the scenario's tab (its scenarios and adjustments)."""
    state = quarter_state
    assert len(state.combined_adjustments)  # the bundled year has manager adjustments: they must reach the panel
    panel = widgets.quarter_combined_explorer(state, lang="zh")
    by_class = {c: w for w in panel.children for c in w._dom_classes}
    menu, blend, table = by_class["sa-dropdown-scenario"], by_class["sa-slider-blend"], by_class["sa-target-table"]
    assert menu.value == state.combined_scenario == "基准"
    for name, tab in state.combined.results.items():
        menu.value = name
        assert panel.result.target_table["target_fen"].tolist() == tab.target_table["target_fen"].tolist(), name
        assert panel.result.summary["target_yuan"] == tab.summary["target_yuan"], name
        assert table.value == widgets.charts.table_html(tab.target_matrix("zh")), name
        assert by_class["sa-target-chart"].value == widgets.target_chart_svg(tab, "zh"), name
    # and its hires start after the as-of date, as the page's do
    assert (panel.result.staffing_branch["first_start_hiring"].dropna() > state.as_of).all()


@pytest.mark.slow
def test_combined_panel_blend_moves_the_targets(quarter_state):
    state = quarter_state
    panel = widgets.quarter_combined_explorer(state, scenario="基准", lang="en")
    by_class = {c: w for w in panel.children for c in w._dom_classes}
    menu, blend, table = by_class["sa-dropdown-scenario"], by_class["sa-slider-blend"], by_class["sa-target-table"]
    assert blend.value == 1.0  # the base scenario's own weight
    before, chart_before = table.value, by_class["sa-target-chart"].value
    blend.value = 0.0  # targets = the forecast
    assert table.value != before and by_class["sa-target-chart"].value != chart_before
    assert panel.result.summary["target_yuan"] == pytest.approx(panel.result.summary["forecast_yuan"], rel=1e-6)
    menu.value = "保守"  # its own weight, 0.5
    assert blend.value == 0.5
    assert panel.result.summary["target_yuan"] == state.combined.results["保守"].summary["target_yuan"]
    with pytest.raises(ParameterError, match="Did you mean '激进'"):
        widgets.combined_explorer(state.combined_planner, scenario="激近")


def test_forecast_explorer_switches_branch(history):
    import pandas as pd

    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    pred = pd.DataFrame({"branch": ["北京"] * 3 + ["上海"] * 3, "month": list(months) * 2, "mean": [1e6] * 6,
                         "lo_80": [0.9e6] * 6, "hi_80": [1.1e6] * 6})
    panel = widgets.forecast_explorer(history, pred, lang="en")
    by_class = {c: w for w in panel.children for c in w._dom_classes}
    menu, image = by_class["sa-dropdown-branch"], by_class["sa-forecast-chart"]
    assert menu.value == "" and [o[0] for o in menu.options][:2] == ["Total", "北京"]
    company = bytes(image.value)
    menu.value = "上海"
    assert bytes(image.value) != company and bytes(image.value).startswith(b"\x89PNG")
    with pytest.raises(ParameterError, match="Did you mean '北京'"):
        widgets.forecast_explorer(history, pred, branch="北亰")


@pytest.mark.slow
def test_forecast_panel_reads_the_quarter(quarter_state):
    state = quarter_state
    panel = widgets.forecast_explorer(state.history_to_date, state.forecast, lang="zh", as_of=state.as_of)
    menu = next(w for w in panel.children if "sa-dropdown-branch" in w._dom_classes)
    assert "全公司" not in [v for _, v in menu.options]  # the company is the first entry (合计), not a branch
    assert [v for _, v in menu.options][1:] == list(state.forecast["branch"].unique()[1:])
