"""Charts: Chinese renders with the bundled CJK font (no tofu), bilingual titles, kernel-free tabs."""

from __future__ import annotations

import re
import warnings

import matplotlib
import pandas as pd
import pytest

from salesanalytics.adapters import charts
from salesanalytics.methods.backward import BackwardPlanner
from salesanalytics.core.exceptions import ParameterError


@pytest.fixture(scope="module")
def planner(seed_plan):
    return BackwardPlanner(seed_plan).fit()


def _draw(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.to_png(fig)
    assert png.startswith(b"\x89PNG")
    return [str(w.message) for w in caught]


def test_font_comes_from_the_pinned_package():
    import noto_cjk_sans_otc
    from matplotlib import font_manager

    path = charts.setup_fonts()
    assert path == str(noto_cjk_sans_otc.FONT_PATH) and path.endswith("NotoSansCJK-Regular.ttc")
    assert any(f.fname == path and f.name == charts.CJK_FAMILY for f in font_manager.fontManager.ttflist)
    assert matplotlib.rcParams["font.sans-serif"][0] == charts.CJK_FAMILY


def test_chinese_draws_without_missing_glyph_warnings(planner):
    figs = [
        charts.monthly_tasks(planner.tasks(), "zh"),
        charts.branch_tasks(planner.tasks(), "zh"),
        charts.capacity_gap(planner.capacity_, "zh"),
    ]
    for fig in figs:
        messages = _draw(fig)
        assert not [m for m in messages if re.search(r"Glyph .* missing", m)], messages


def test_a_font_without_cjk_would_warn():
    """The check above can fail: DejaVu alone draws tofu and warns."""
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.sans-serif": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("北京分公司")
        messages = _draw(fig)
    assert any(re.search(r"Glyph .* missing", m) for m in messages)


@pytest.mark.parametrize("lang, first, second", [("zh", "各月销售任务", "Monthly sales task"), ("en", "Monthly sales task", "各月销售任务")])
def test_titles_are_bilingual_report_language_first(planner, lang, first, second):
    title = charts.monthly_tasks(planner.tasks(), lang).axes[0].get_title()
    assert title.index(first) < title.index(second)


def test_month_labels_follow_language(planner):
    labels = [t.get_text() for t in charts.monthly_tasks(planner.tasks(), "zh").axes[0].get_xticklabels()]
    assert labels[0] == "1月" and labels[-1] == "12月"
    labels = [t.get_text() for t in charts.monthly_tasks(planner.tasks(), "en").axes[0].get_xticklabels()]
    assert labels[0] == "Jan"


def test_stacked_bars_add_up_to_the_monthly_total(planner):
    fig = charts.monthly_tasks(planner.tasks(), "zh")
    ax = fig.axes[0]
    tops = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2)
        tops[x] = max(tops.get(x, 0), patch.get_y() + patch.get_height())
    monthly = planner.tasks().groupby("month")["sales_task"].sum().to_numpy() / 10_000
    assert [round(tops[i], 2) for i in range(12)] == [round(v, 2) for v in monthly]


def test_forecast_fan_and_target_vs_forecast():
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    pred = pd.DataFrame({"branch": ["北京"] * 3, "month": months, "mean": [1e6, 2e6, 3e6], "lo_80": [0.9e6] * 3, "hi_80": [3.1e6] * 3})
    assert not _draw(charts.forecast_fan(None, pred, "zh", levels=(80,)))
    gap = pd.DataFrame({"branch": ["北京"] * 3, "month": months, "required": [1e6] * 3, "forecast_mean": [2e6] * 3, "forecast_p10": [1e6] * 3, "forecast_p90": [3e6] * 3})
    fig = charts.target_vs_forecast(gap, "en")
    assert "Target vs forecast" in fig.axes[0].get_title()


def test_html_tabs_switch_without_script():
    text = charts.html_tabs({"保守": "<p>a</p>", "基准": "<p>b</p>", "激进": "<p>c</p>"}, name="scen")
    assert "<script" not in text
    assert text.count('type="radio"') == 3 and text.count(" checked") == 1
    assert '<label for="sa-scen-1" class="sa-tab-label">基准</label>' in text
    assert "#sa-scen-2:checked ~ .sa-pane-2 { display:block; }" in text
    assert "}}" not in text and text.count("{") == text.count("}")


def test_img_tag_embeds_png(planner):
    tag = charts.img_tag(charts.branch_tasks(planner.tasks(), "zh"), alt="x")
    assert tag.startswith('<img alt="x" src="data:image/png;base64,iVBOR')


def test_bad_language_is_rejected(planner):
    with pytest.raises(ParameterError, match="Did you mean 'zh'"):
        charts.monthly_tasks(planner.tasks(), "zn")


def test_show_table_shows_probabilities_as_percent(monkeypatch):
    import pandas as pd

    from salesanalytics.adapters import charts

    shown = []
    monkeypatch.setattr(charts, "show_html", shown.append)
    charts.show_table(pd.DataFrame({"amount": [1234567.8], "probability_of_target": [0.52], "达成概率": [0.049]}), index=False)
    html = shown[0]
    assert "1,234,568" in html and "52.0%" in html and "4.9%" in html  # one decimal, never rounded to 0 or 1
    assert ">1<" not in html and ">0<" not in html


def test_missing_values_read_as_a_dash():
    html = charts.table_html(pd.DataFrame({"a": [1.5, None], "d": pd.to_datetime(["2026-01-01", None])}), index=False)
    assert "NaN" not in html and "NaT" not in html and html.count(f"<td>{charts.MISSING}</td>") == 2


_BRIDGE = pd.DataFrame({"kind": ["start", "step", "total"], "label_zh": ["预测", "招聘", "所需"], "label_en": ["Forecast", "Hires", "Required"],
                        "start_yuan": [0.0, 9e6, 0.0], "end_yuan": [9e6, 1e7, 1e7], "amount_yuan": [9e6, 1e6, 1e7]})
_COMPARISON = pd.DataFrame({"scenario": ["保守", "基准"], "label_en": ["Conservative", "Base"], "forecast_mean": [9e6, 9e6],
                            "target": [9.5e6, 1e7], "required": [1e7, 1e7], "probability_target": [0.6, 0.4], "hires_total": [2, 5]})
_GAP = pd.DataFrame({"branch": ["北京", "上海"], "forecast_p10": [1e6, 2e6], "forecast_p90": [2e6, 3e6], "forecast_mean": [1.5e6, 2.5e6],
                     "required": [1.8e6, 2.2e6], "status": ["at risk", "on track"]})


@pytest.mark.parametrize("lang, words", [("zh", ("从预测到所需任务", "情景对比", "各分公司", "万元", "5人", "保守")),
                                         ("en", ("From forecast to requirement", "Scenarios", "Branches", "10k yuan", "5 hires", "Conservative"))])
def test_combined_charts_take_their_words_from_the_labels(lang, words):
    texts = []
    for plot, frame in ((charts.plot_bridge, _BRIDGE), (charts.plot_scenarios, _COMPARISON), (charts.plot_gap, _GAP)):
        fig, ax = charts.figure()
        plot(ax, frame, lang)
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *(t.get_text() for t in ax.texts),
                  *(t.get_text() for t in ax.get_xticklabels()), *(t.get_text() for t in (ax.get_legend().get_texts() if ax.get_legend() else []))]
    joined = " | ".join(texts)
    for word in words:
        assert word in joined, word
    assert not re.search(r"\b[a-z]+(?:_[a-z0-9]+)+\b", joined)


# ----------------------------------------------------------------------------
# honest charts: value axes from zero, screen-high, readable, worst first
# ----------------------------------------------------------------------------
def _bar_axes(fig):
    """(axes, vertical?) of every Axes of ``fig`` holding bars."""
    from matplotlib.patches import Rectangle

    out = []
    for ax in fig.axes:
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        if rects:
            vertical = sum(r.get_width() for r in rects) < sum(abs(r.get_height()) for r in rects)
            out.append((ax, rects, vertical))
    return out


def _many_branches(n=100):
    names = [f"分公司{i:03d}" for i in range(n)]
    return names, pd.Series([40.0 + i for i in range(n)], index=names)


def _bar_charts(planner):
    names, attainment = _many_branches()
    gap = pd.DataFrame({"branch": names, "forecast_p10": 1e6, "forecast_p90": 3e6, "forecast_mean": [1e6 + 1e4 * i for i in range(100)],
                        "required": 2e6, "status": ["at risk"] * 50 + ["on track"] * 50})
    figs = {"monthly_tasks": charts.monthly_tasks(planner.tasks(), "zh"), "branch_tasks": charts.branch_tasks(planner.tasks(), "zh"),
            "capacity_gap": charts.capacity_gap(planner.capacity_, "zh"),
            "bars": charts.bars(attainment, "zh", title_key="chart_attainment", reference=100, reference_key="ref_target_100", status=True),
            "bars_negative": charts.bars(pd.Series([-5.0, 3.0], index=["甲", "乙"]), "zh")}
    for name, plot, frame in (("bridge", charts.plot_bridge, _BRIDGE), ("scenarios", charts.plot_scenarios, _COMPARISON),
                              ("gap", charts.plot_gap, gap)):
        fig, ax = charts.figure()
        plot(ax, frame, "zh")
        figs[name] = fig
    return figs


def test_every_bar_chart_value_axis_includes_zero(planner):
    figs = _bar_charts(planner)
    checked = 0
    for name, fig in figs.items():
        for ax, rects, vertical in _bar_axes(fig):
            low, high = ax.get_ylim() if vertical else ax.get_xlim()
            assert low <= 0 <= high, (name, low, high)
            # every bar is drawn inside the axis (no bar cut at a truncated axis)
            for r in rects:
                base = r.get_y() if vertical else r.get_x()
                assert base >= low - 1e-9, (name, base, low)
            checked += 1
    assert checked >= 7


def test_the_waterfall_floats_on_a_zero_baseline():
    fig, ax = charts.figure()
    charts.plot_bridge(ax, _BRIDGE, "zh")
    assert ax.get_ylim()[0] == 0
    starts = [r for r, kind in zip(ax.patches, _BRIDGE["kind"]) if kind in ("start", "total")]
    assert all(r.get_y() == 0 for r in starts)  # the totals stand on zero, the steps float between them


def test_charts_are_at_most_a_screen_tall_and_their_text_readable(planner):
    for name, fig in _bar_charts(planner).items():
        assert fig.get_size_inches()[1] <= charts.MAX_HEIGHT, name
        for ax in fig.axes:
            texts = [*ax.texts, *ax.get_xticklabels(), *ax.get_yticklabels(), ax.title]
            texts += list(ax.get_legend().get_texts()) if ax.get_legend() else []
            small = [t.get_text() for t in texts if t.get_text() and t.get_fontsize() * fig.dpi / 72 < 10]
            assert not small, (name, small[:3])  # every label at least 10 px


def test_hundred_branches_show_the_worst_and_the_best_ranked_worst_first():
    names, attainment = _many_branches()
    fig = charts.bars(attainment.sample(frac=1, random_state=1), "zh", title_key="chart_attainment", reference=100,
                      reference_key="ref_target_100", status=True)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = ax.get_yticks()
    top_down = [label for _, label in sorted(zip(ticks, labels), reverse=True)]
    assert top_down == names[:10] + names[-5:]  # the 10 lowest at the top, then the 5 best
    assert "最差 10 个与最好 5 个，共 100 个" in ax.get_title()
    assert any(abs(line.get_xdata()[0] - 100) < 1e-9 for line in ax.get_lines())  # the 100 % line


def test_bar_colours_are_the_tables_status_lights():
    from matplotlib.colors import to_hex

    fig = charts.bars(pd.Series([80.0, 95.0, 105.0], index=["甲", "乙", "丙"]), "zh", status=True)
    colours = {to_hex(r.get_facecolor()) for r in fig.axes[0].patches}
    assert colours == {charts.STATUS_COLOURS[c] for c in ("red", "yellow", "green")}


def test_wide_tables_scroll_in_their_own_box_and_long_ones_fold():
    frame = pd.DataFrame({"分公司": [f"分公司{i}" for i in range(30)], "1月": range(30), "合计": range(30)})
    out = charts.table_html(frame, index=False, lang="zh")
    assert out.count("sa-scroll sa-has-total") == 2  # the first 20 rows and the folded 10
    assert "<details class='sa-more'><summary>其余 10 行（点击展开）</summary>" in out
    assert "sa-more" not in charts.table_html(frame.head(21), index=False)


# ----------------------------------------------------------------------------
# every table cell through the one formatting layer
# ----------------------------------------------------------------------------
def _cells(table: str) -> list[list[str]]:
    return [re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)]


def test_table_cells_are_formatted_by_their_columns_kind():
    """The scorecard showed attainment as 1.26 on one table and 124 % on another, shares and p-values as 0 or 1."""
    frame = pd.DataFrame({"销售员": ["毛晨杰", "严宁"], "任务达成率": [1.265, 1.647], "高等级占比": [0.171, 0.0], "p 值": [0.955, 0.0312],
                          "毛利(元)": [61257.154, 0.0], "参评人数": [35.0, 8.0], "所需/实绩倍数": [1.26, 0.9], "本年达成率%": [97.23, 100.0],
                          "本年状态": ["黄", "绿"], "综合得分": [89.694, 88.0]})
    rows = _cells(charts.table_html(frame, index=False, lang="zh", floatfmt="{:,.2f}"))
    assert rows[1] == ["毛晨杰", "126.5%", "17.1%", "0.955", "61,257.15", "35", "1.3倍", "97.2%", "黄", "89.69"]
    assert rows[2] == ["严宁", "164.7%", "0.0%", "0.031", "0.00", "8", "0.9倍", "100.0%", "绿", "88.00"]


def test_words_are_left_aligned_and_lights_carry_the_status_colour():
    frame = pd.DataFrame({"分公司": ["北京", "上海"], "本年状态": ["红", "绿"], "较原计划%": ["+7.9%", "-0.4%"], "说明": ["a<b", "c"]})
    out = charts.table_html(frame, index=False, lang="zh")
    assert '<td class="sa-text">北京</td>' in out and '<td class="sa-text">a&lt;b</td>' in out  # escaped
    assert '<td class="sa-light sa-light-red">红</td>' in out and '<td class="sa-light sa-light-green">绿</td>' in out
    assert "<td>+7.9%</td>" in out  # a figure already written stays right-aligned


def test_a_transposed_table_and_a_matrix_of_months_in_yuan():
    plans = pd.DataFrame({"指标": ["本期实际总成本(元)", "占毛利"], "统一提成": [1890278.454, 0.102], "阶梯提成": [981840.84, 0.053]})
    assert _cells(charts.table_html(plans, index=False, lang="zh", rows=True))[1:] == [
        ["本期实际总成本(元)", "1,890,278.45", "981,840.84"], ["占毛利", "10.2%", "5.3%"]]
    matrix = pd.DataFrame({"1月": [1234.567, 2.0], "合计": [1236.567, 2.0]}, index=pd.Index(["北京", "合计"], name="分公司"))
    rows = _cells(charts.table_html(matrix, lang="zh", unnamed="money"))
    assert rows == [["分公司", "1月", "合计"], ["北京", "1,234.57", "1,236.57"], ["合计", "2.00", "2.00"]]  # one header row, to the fen
