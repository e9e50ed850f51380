"""Widget helpers: sliders start at the parameters, a move recomputes headline, task table and chart.

The panels show headline, table and chart in one HTML widget (``panel.output``: one comm message and
one DOM swap per move); ``_parts`` reads it back as {css class: html}.  How fast a move settles is
measured in a browser by ``benchmarks/bench_widgets.py``, never here."""

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


def _parts(panel) -> dict[str, str]:
    """The panel's live output as {css class: html} (headline, table, chart)."""
    return dict(re.findall(r"<div class='([^']+)'>(.*?)</div>", panel.output.value, flags=re.S))


def _row(table_html: str, name: str) -> list[str]:
    """The cells of one row (by its header) of a table, as shown."""
    row = re.search(rf"<tr><th>{name}</th>(.*?)</tr>", table_html, flags=re.S).group(1)
    return re.findall(r"<td>([^<]*)</td>", row)


def _slider(panel, css: str):
    return next(w for w in panel.children if css in w._dom_classes)


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
    assert _total(_parts(panel)["sa-task-table"]) == 850_000_000
    assert "sa-task-chart" not in _parts(panel)
    sliders["sa-slider-margin"].value = 0.10
    assert _total(_parts(panel)["sa-task-table"]) == 680_000_000
    assert panel.planner.summary()["effective_margin"] == 0.10


def test_slider_move_shows_the_new_figures_in_headline_table_and_chart(seed_plan):
    """After a move the one output holds the new plan: the same gross profit over a margin of 10 % instead
    of 8 % is 0.8 x the sales, cell by cell within a fen (北京's December 31,217,664.59 x 0.8 = 24,974,131.672:
    24,974,131.68 by largest remainder), in 元 to the fen as the page's task table shows them."""
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, growth=0.3)
    before = _parts(panel)
    assert _row(before["sa-task-table"], "北京")[-2:] == ["31,217,664.59", "129,470,209.03"]
    assert "<title>12月 北京: 3,122</title>" in before["sa-task-chart"]  # 万元
    assert "850,000,000.00 元 (毛利率 8.00%)" in before["sa-headline"]
    _slider(panel, "sa-slider-margin").value = 0.10
    after = _parts(panel)
    assert list(after) == ["sa-headline", "sa-task-table", "sa-task-chart"]  # one message: all three, in order
    assert "680,000,000.00 元 (毛利率 10.00%)" in after["sa-headline"]
    assert _row(after["sa-task-table"], "北京")[-2:] == ["24,974,131.68", "103,576,167.24"]
    assert _row(after["sa-task-table"], "合计")[-1] == "680,000,000.00"
    assert "<title>12月 北京: 2,497</title>" in after["sa-task-chart"] and "<title>12月 北京: 3,122</title>" not in after["sa-task-chart"]
    # and exactly what the library shows for that plan: its task table and chart
    planner = widgets.recompute_backward(seed_plan, target_yuan=68_000_000, gross_margin=0.10, growth=0.3)
    assert after["sa-task-table"] == widgets.compact_html(widgets.charts.table_html(planner.matrix("sales_task", "zh"), unnamed="money", lang="zh"))
    assert after["sa-task-chart"] == widgets.task_chart_svg(planner, "zh", planner.matrix("sales_task", "zh"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("value", ["sales_task", "gross_profit_task"])
def test_task_matrix_is_the_planners_matrix(seed_plan, lang, value):
    """The panel's matrix (from the fen array, no pivot) is the planner's own, to the last bit."""
    import pandas as pd

    planner = widgets.recompute_backward(seed_plan, gross_margin=0.0931)
    pd.testing.assert_frame_equal(widgets.task_matrix(planner, lang, value), planner.matrix(value, lang), check_exact=True)


def test_every_widget_has_a_css_class_for_browser_tests(seed_plan):
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, chart=True)
    classes = {c for w in panel.children for c in w._dom_classes} | set(panel._dom_classes) | set(_parts(panel))
    assert {widgets.CSS[k] for k in ("target", "margin", "growth", "table", "headline", "chart", "panel", "output")} <= classes
    assert _parts(panel)["sa-task-chart"].startswith("<svg") and "各月销售任务" in _parts(panel)["sa-task-chart"]


def test_sliders_follow_a_drag_throttled_by_the_front_end(seed_plan):
    """continuous_update: the front end sends while dragging, one update in flight and then the latest value."""
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, growth=0.3)
    assert all(w.continuous_update for w in panel.children if any(c.startswith("sa-slider") for c in w._dom_classes))


def _bars(svg: str) -> list[tuple[float, float]]:
    """(y, height) of every bar of an inline SVG chart."""
    return [(float(y), float(h)) for y, h in re.findall(r'<rect x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)" fill', svg)]


def test_slider_move_redraws_the_chart_in_place(seed_plan):
    """The chart follows the slider: same bars (one per branch and month), new heights, axis from zero."""
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08, growth=0.3)
    before = _bars(_parts(panel)["sa-task-chart"])
    n_branches = len(seed_plan.branch_names)
    assert len(before) == 12 * n_branches + n_branches  # the bars, then one legend swatch per branch
    _slider(panel, "sa-slider-margin").value = 0.16  # half the sales needed: every bar half as tall on the same axis?
    chart = _parts(panel)["sa-task-chart"]
    after = _bars(chart)
    assert len(after) == len(before) and after != before
    assert ">0</text>" in chart  # the value axis starts at zero


@pytest.mark.parametrize("top, step", [(1, 0.2), (7, 2), (10, 2), (12, 5), (850, 200), (99_999, 20_000)])
def test_grid_steps_are_round(top, step):
    assert widgets._nice_step(top) == pytest.approx(step)


def test_svg_chart_escapes_names_and_shows_the_line():
    svg = widgets.svg_bars(["1月", "2月"], [("<b>&", [1.0, 2.0])], title="T<", line=("预测", [1.5, float("nan")]))
    assert "<b>&" not in svg and "&lt;b&gt;&amp;" in svg and "T&lt;" in svg
    assert svg.count("<circle") == 2  # one dot (the NaN month has none) and the legend's


def test_impossible_slider_value_shows_the_error_and_keeps_the_table(seed_plan, monkeypatch):
    panel = widgets.backward_explorer(seed_plan, target_yuan=68_000_000, gross_margin=0.08)
    before = _parts(panel)

    def boom(*a, **k):
        raise PlanError("gross_margin: 0 must be greater than 0.")

    monkeypatch.setattr(widgets, "recompute_backward", boom)
    _slider(panel, "sa-slider-target").value = 50_000_000
    after = _parts(panel)
    assert "must be greater than 0" in after["sa-headline"]
    assert after["sa-task-table"] == before["sa-task-table"] and after["sa-task-chart"] == before["sa-task-chart"]


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
    menu = _slider(panel, "sa-dropdown-scenario")
    assert menu.value == state.combined_scenario == "基准"
    for name, tab in state.combined.results.items():
        menu.value = name
        assert panel.result.target_table["target_fen"].tolist() == tab.target_table["target_fen"].tolist(), name
        assert panel.result.summary["target_yuan"] == tab.summary["target_yuan"], name
        parts = _parts(panel)
        assert parts["sa-target-table"] == widgets.compact_html(  # as the scenario's tab shows it
            widgets.charts.table_html(tab.target_matrix("zh"), max_rows=None, lang="zh", unnamed="money")), name
        assert parts["sa-target-chart"] == widgets.target_chart_svg(tab, "zh"), name
    # and its hires start after the as-of date, as the page's do
    assert (panel.result.staffing_branch["first_start_hiring"].dropna() > state.as_of).all()


@pytest.mark.slow
def test_combined_panel_blend_moves_the_targets(quarter_state):
    """A blend move shows the new targets, exactly those of the planner at that weight with the page's adjustments
    (parsed once by the panel), in the headline, the table and the chart."""
    import numpy as np

    state = quarter_state
    panel = widgets.quarter_combined_explorer(state, scenario="基准", lang="en")
    menu, blend = _slider(panel, "sa-dropdown-scenario"), _slider(panel, "sa-slider-blend")
    assert blend.value == 1.0  # the base scenario's own weight
    before = _parts(panel)
    blend.value = 0.0  # targets = the forecast (then the managers' adjustments)
    after = _parts(panel)
    expected = state.combined_planner.evaluate(state.combined.results["基准"].scenario, blend=0.0, adjustments=state.combined_adjustments)
    assert panel.result.target_table["target_fen"].tolist() == expected.target_table["target_fen"].tolist()
    assert panel.result.summary == expected.summary
    fen = expected.target_table["target_fen"].to_numpy().reshape(-1, 12)
    names = list(dict.fromkeys(expected.target_table["branch"]))
    first = names[0]
    assert _row(after["sa-target-table"], first) == [f"{v / 100:,.2f}" for v in [*fen[0], fen[0].sum()]]  # 元 to the fen
    assert _row(after["sa-target-table"], "Total")[-1] == f"{fen.sum() / 100:,.2f}" != _row(before["sa-target-table"], "Total")[-1]
    assert f"<title>Dec {first}: {fen[0, 11] / 1e6:,.0f}</title>" in after["sa-target-chart"]  # 10k yuan
    assert after["sa-target-chart"] != before["sa-target-chart"]
    assert f"{expected.summary['target_yuan']:,.0f}" in after["sa-combined-headline"]
    assert np.isclose(panel.result.summary["target_yuan"], panel.result.summary["forecast_yuan"], rtol=0.02)
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
