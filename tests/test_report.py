"""The report pipeline: quarters, typed parameters, safe renders, loud failures, offline HTML."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from salesanalytics.adapters import cli
from salesanalytics.core.exceptions import ParameterError, ReportError
from salesanalytics.adapters.report import (
    REPORTS,
    ReportSpec,
    check_parameters,
    declared_parameters,
    last_complete_quarter,
    parse_assignments,
    parse_quarter,
    render_reports,
    render_schedules,
)

from ._render import N_DRAWS, QUARTER, page_parts, rendered_set, unlabelled

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "notebooks"
OK = ReportSpec("ok", "ok.ipynb", "title_backward_plan")
BROKEN = ReportSpec("broken", "broken.ipynb", "title_executive_summary")
SLEEPY = ReportSpec("sleepy", "sleepy.ipynb", "title_scorecard")


# ----------------------------------------------------------------------------
# quarters
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "today, quarter",
    [
        (dt.date(2026, 11, 27), "2026Q3"),
        (dt.date(2026, 10, 1), "2026Q3"),
        (dt.date(2026, 9, 30), "2026Q2"),
        (dt.date(2026, 1, 1), "2025Q4"),
        (dt.date(2026, 4, 1), "2026Q1"),
    ],
)
def test_last_complete_quarter(today, quarter):
    assert last_complete_quarter(today) == quarter


@pytest.mark.parametrize("text, expected", [("2026Q3", (2026, 3)), ("2026-q1", (2026, 1)), (" 2025Q4 ", (2025, 4))])
def test_parse_quarter(text, expected):
    assert parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["2026Q5", "2026", "Q3 2026", "26Q3", ""])
def test_parse_quarter_rejects(text):
    with pytest.raises(ParameterError, match="2026Q3"):
        parse_quarter(text)


# ----------------------------------------------------------------------------
# typed parameters, checked before any kernel starts
# ----------------------------------------------------------------------------
def test_declared_parameters_have_types_defaults_and_help():
    params = declared_parameters(NOTEBOOKS / "backward_plan.ipynb")
    assert params["target_yuan"].type is float and params["target_yuan"].default == 0.0
    assert params["plan_file"].type is str and params["plan_file"].default == "seed_case_2012.yaml"
    assert params["interactive"].type is bool
    assert all(p.help for p in params.values())


def _paths(*specs):
    return {s.name: FIXTURES / s.notebook for s in specs}


def test_parameters_are_typed_and_converted_from_strings():
    out = check_parameters(_paths(OK), {"count": "3", "label": "00123"}, {"quarter": "2026Q3", "data_dir": "/x"})
    # a str parameter keeps the raw text (papermill's -p would have made 00123 the number 123)
    assert out["ok"] == {"quarter": "2026Q3", "count": 3, "label": "00123"}


@pytest.mark.parametrize(
    "overrides, error, words",
    [
        ({"cuont": 2}, ParameterError, ["unknown report parameter 'cuont'", "Did you mean 'count'"]),
        ({"lable": "x"}, ParameterError, ["'lable'", "Did you mean 'label'"]),
        ({"count": "2.5"}, ParameterError, ["'count' must be int", "'2.5'"]),
        ({"count": 2.5}, ParameterError, ["'count' must be int"]),
        ({"count": True}, ParameterError, ["'count' must be int"]),
        ({"label": 5}, ParameterError, ["'label' must be str"]),
        ({"count": "drei"}, ParameterError, ["ok.ipynb", "'count' must be int"]),
        ({"quarter": "2025Q1"}, ParameterError, ["'quarter' is set by the report run", "--quarter"]),
        ({"lang": "en"}, ParameterError, ["--lang"]),
        ({"interactive": True}, ParameterError, ["never interactive"]),
    ],
)
def test_bad_parameters_fail_fast(overrides, error, words):
    with pytest.raises(error) as info:
        check_parameters(_paths(OK), overrides, {})
    for word in words:
        assert word in str(info.value)


def test_bool_and_float_parameters():
    params = declared_parameters(NOTEBOOKS / "backward_plan.ipynb")
    from salesanalytics.adapters.report import _coerce

    assert _coerce("false", params["interactive"], "nb") is False
    assert _coerce(7, params["target_yuan"], "nb") == 7.0 and isinstance(_coerce(7, params["target_yuan"], "nb"), float)
    assert _coerce("7e7", params["target_yuan"], "nb") == 7e7
    with pytest.raises(ParameterError, match="must be bool"):
        _coerce("maybe", params["interactive"], "nb")


@pytest.mark.parametrize("items", [["target"], ["=5"]])
def test_parse_assignments_rejects(items):
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(items)


def test_unknown_parameter_starts_no_kernel_and_writes_nothing(tmp_path):
    with pytest.raises(ParameterError, match="Did you mean 'count'"):
        render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK], parameters={"cuont": 1})
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_parameter_one_line_nonzero(tmp_path, capsys):
    code = cli.main(["report", "--out", str(tmp_path), "-p", "taget_yuan=1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: unknown report parameter 'taget_yuan'") and "Did you mean 'target_yuan'" in err
    assert "Traceback" not in err


def test_cli_bad_quarter(tmp_path, capsys):
    assert cli.main(["report", "--out", str(tmp_path), "--quarter", "2026Q7"]) == 2
    assert "2026Q3" in capsys.readouterr().err


# ----------------------------------------------------------------------------
# safe renders and loud failures (tiny fixture notebooks, one behaviour each)
# ----------------------------------------------------------------------------
@pytest.mark.slow
def test_failed_rerun_keeps_last_good_report_and_other_quarters(tmp_path):
    other = tmp_path / "2026Q1"
    other.mkdir()
    (other / "index.html").write_text("earlier quarter", encoding="utf-8")
    before = (other / "index.html").stat().st_mtime_ns

    good = render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK], parameters={"count": 2})
    assert good.ok and (tmp_path / "2026Q2" / "ok.html").exists()
    ok_html = (tmp_path / "2026Q2" / "ok.html").read_text(encoding="utf-8")
    assert "好好 2026Q2 zh" in ok_html

    with pytest.raises(ReportError) as info:
        render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK, BROKEN])
    message = str(info.value)
    assert "broken.ipynb" in message and "cell 4" in message and "ValueError: fixture failure 坏了" in message
    folder = tmp_path / "2026Q2"
    kept = json.loads((folder / "failed" / "broken.ipynb").read_text(encoding="utf-8"))
    assert any(o.get("output_type") == "error" for c in kept["cells"] for o in c.get("outputs", []))
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "FAILED" in index and "broken.ipynb" in index and "fixture failure" in index
    assert "ok.html" in index  # the last good report is linked
    assert (folder / "ok.html").read_text(encoding="utf-8") == ok_html  # and untouched
    assert (other / "index.html").stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and "tmp" in p.name] == []

    # a good run of the same quarter again replaces the FAILED state
    render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK])
    assert not (folder / "failed").exists()
    assert "FAILED" not in (folder / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_first_run_that_fails_says_no_good_report(tmp_path, capsys):
    with pytest.raises(ReportError):
        render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[BROKEN], lang="en")
    index = (tmp_path / "2026Q2" / "index.html").read_text(encoding="utf-8")
    assert "FAILED" in index and "No good report" in index
    assert not (tmp_path / "2026Q2" / "broken.html").exists()


@pytest.mark.slow
def test_hung_cell_is_stopped_by_the_timeout(tmp_path):
    with pytest.raises(ReportError) as info:
        render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[SLEEPY], cell_timeout=3)
    assert "sleepy.ipynb" in str(info.value) and "timeout" in str(info.value).lower()
    assert "FAILED" in (tmp_path / "2026Q2" / "index.html").read_text(encoding="utf-8")


def test_concurrent_run_of_same_quarter_is_refused(tmp_path):
    from salesanalytics.adapters import io

    with io.exclusive_lock(tmp_path / ".2026Q2.lock") as held:
        assert held
        with pytest.raises(ReportError, match="another run of 2026Q2"):
            render_reports("2026Q2", out_dir=tmp_path, notebooks_dir=FIXTURES, reports=[OK])


# ----------------------------------------------------------------------------
# the real report set (rendered once per session)
# ----------------------------------------------------------------------------
@pytest.mark.slow
def test_report_set_renders_every_notebook():
    result, out = rendered_set()
    names = {r["name"] for r in result.reports}
    expected = {r.name for r in REPORTS if (NOTEBOOKS / r.notebook).exists()}
    assert names == expected and {"backward_plan", "executive_summary"} <= names
    assert result.index == out / QUARTER / "index.html"


@pytest.mark.slow
def test_report_html_has_no_code_no_parameters_and_no_external_references():
    result, out = rendered_set()
    for r in result.reports:
        text = (out / QUARTER / r["file"]).read_text(encoding="utf-8")
        assert 'class="jp-InputArea-editor' not in text and 'class="highlight' not in text, r["file"]  # no code cell input
        assert "import salesanalytics" not in text and "injected-parameters" not in text
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), r["file"]
        assert "require.js" not in text and "mathjax" not in text.lower().replace("mathjax_url", "")
        assert "@import url(http" not in text
        assert text.count("data:image/png;base64,") >= 1
        assert re.search(r"[\u4e00-\u9fff]", text)


@pytest.mark.slow
def test_index_lists_reports_parameters_fingerprint_version_time():
    from salesanalytics import __version__
    from salesanalytics.adapters.report import data_fingerprint

    result, out = rendered_set()
    index = (out / QUARTER / "index.html").read_text(encoding="utf-8")
    for r in result.reports:
        assert f"href='{r['file']}'" in index
    fingerprint, _ = data_fingerprint(ROOT / "data")
    assert fingerprint in index and __version__ in index and "n_draws" in index
    manifest = json.loads((out / QUARTER / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok" and manifest["data_fingerprint_sha256"] == fingerprint
    assert dt.datetime.strptime(manifest["rendered_at_utc"], "%Y-%m-%d %H:%M:%S")


@pytest.mark.slow
def test_backward_report_shows_the_seed_case_to_the_fen():
    result, out = rendered_set()
    text = (out / QUARTER / "backward_plan.html").read_text(encoding="utf-8")
    # the handbook case: 68,000,000 net profit -> 68,000,000 gross profit -> 850,000,000 sales at 8%
    assert re.search(r"所需毛利</th><td[^>]*>68,000,000\.00 元", text)
    assert re.search(r"所需销售额</th><td[^>]*>850,000,000\.00 元", text)
    assert "<td>850,000,000.00</td>" in text  # grand total of the 任务分解表, to the fen (a detail table)
    for city in ("北京", "西安", "海口", "厦门"):
        assert city in text


@pytest.mark.slow
def test_scenarios_are_prerendered_as_tabs():
    result, out = rendered_set()
    if "combined_plan" not in {r["name"] for r in result.reports}:
        pytest.skip("combined_plan notebook not present")
    text = (out / QUARTER / "combined_plan.html").read_text(encoding="utf-8")
    for label in ("保守", "基准", "激进"):
        assert re.search(rf'<label class="sa-tab-label" for="sa-scenarios-\d">{label}</label>', text), label
    assert text.count('type="radio"') == 3


# ----------------------------------------------------------------------------
# no unlabelled identifiers on a page
# ----------------------------------------------------------------------------
def test_the_scanner_finds_identifiers_reprs_and_range_indexes():
    import pandas as pd

    page = (pd.DataFrame({"sales_task": [1.0, float("nan")], "ok": [True, None]}).to_html()
            + pd.DataFrame([[1, 2]]).to_html(index=False)
            + "<h2>销售任务</h2><pre>Decimal('1')</pre><p>prose_is_not_checked</p><td><code>plan_2026.yaml</code></td><td>source: plan_2026.yaml</td>")
    found = "\n".join(unlabelled(page))
    for word in ("sales_task", "True", "NaN", "None", "Decimal(", "RangeIndex columns", "RangeIndex rows"):
        assert word in found, word
    assert "plan_2026" not in found and "prose_is_not_checked" not in found and "销售任务" not in found


def _manifest(status="ok"):
    return {"quarter": "2026Q3", "status": status, "lang": "zh", "rendered_at_utc": "2026-10-01 06:00:00", "seconds": 12.5,
            "package_version": "1.0", "data_dir": "/data/sales_in", "data_fingerprint_sha256": "ab" * 32,
            "data_files": [{"file": "history_monthly.csv", "sha256": "cd" * 32}], "parameters": {"target_yuan": 7e7, "n_draws": 300},
            "reports": [{"name": "backward_plan", "title": "倒推法", "notebook": "backward_plan.ipynb", "file": "backward_plan.html", "seconds": 3.2}],
            "failure": None, "last_good": None}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_index_page_has_no_unlabelled_identifier(lang):
    from salesanalytics.adapters.report import index_html

    assert unlabelled(index_html(_manifest(), lang)) == []


SUMMARY = {"quarter": "2026Q3", "as_of": "2026-09-30", "year": 2026, "annual_target_yuan": 328571428.57, "ytd_target_yuan": 243017542.22,
           "ytd_actual_yuan": 236284798.92, "ytd_attainment_pct": 97.2, "outlook_yuan": 322013933.9, "outlook_p10_yuan": 316838820.63,
           "outlook_p90_yuan": 326788815.8, "outlook_attainment_pct": 98.0, "probability": 0.03, "gap_yuan": 6557494.67,
           "remaining_task_yuan": 92286629.65, "n_draws": 1000, "seed": 0, "targets_source": "backward"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_executive_blocks_have_no_unlabelled_identifier(lang):
    import pandas as pd

    from salesanalytics.adapters import executive

    outlook = pd.DataFrame({"branch": ["全公司", "北京", "上海"], "annual_target": [30.0, 10.0, 20.0], "projected_year_end": [27.0, 12.0, 15.0],
                            "lo_80": [25.0, 11.0, 14.0], "hi_80": [29.0, 13.0, 16.0], "prob_reach_target": [0.2, 0.9, 0.01]})
    staffing = pd.DataFrame({"branch": ["北京"], "hires_total": [3], "first_start_hiring": [pd.Timestamp("2026-10-01")], "contribution_yuan": [1234.5]})
    page = "".join([
        executive.quarter_headline_html(SUMMARY, lang),
        executive.quarter_headline_html(SUMMARY, lang, compact=True),
        executive.risks_html(outlook, lang),
        executive.hires(staffing, lang).to_html(index=False),
    ])
    assert unlabelled(page) == []


@pytest.mark.slow
@pytest.mark.parametrize("lang, quarter", [("zh", QUARTER), ("en", QUARTER), ("zh", "2026Q2")])
def test_rendered_pages_show_no_unlabelled_identifier(lang, quarter):
    """Every page of the set: no snake_case, True/False, None, nan/NaT, Decimal( or RangeIndex in a table, heading or headline."""
    result, out = rendered_set(lang, quarter)
    pages = ["index.html"] + [r["file"] for r in result.reports]
    offenders = []
    for name in pages:
        for found in unlabelled((out / quarter / name).read_text(encoding="utf-8")):
            offenders.append(f"{lang} {quarter} {name}: {found}")
    assert offenders == [], f"{len(offenders)} unlabelled identifiers on the pages:\n" + "\n".join(offenders)


# ----------------------------------------------------------------------------
# one quarter, one story: every page shows the quarter's state (2026Q2 and 2026Q3)
# ----------------------------------------------------------------------------
QUARTERS = ("2026Q2", QUARTER)
#: summary.json's keys (QuarterState.summary)
SUMMARY_KEYS = {"quarter", "as_of", "year", "annual_target_yuan", "ytd_target_yuan", "ytd_actual_yuan", "ytd_attainment_pct", "outlook_yuan",
                "outlook_p10_yuan", "outlook_p90_yuan", "outlook_attainment_pct", "probability", "gap_yuan", "remaining_task_yuan",
                "n_draws", "seed", "targets_source"}
#: what the full headline shows (every page of the quarter but the scorecard, which shows the quarter line)
FULL_HEADLINE = {"as_of", "quarter", "annual_target_yuan", "ytd_actual_yuan", "ytd_target_yuan", "ytd_attainment_pct", "outlook_yuan",
                 "outlook_attainment_pct", "outlook_p10_yuan", "outlook_p90_yuan", "probability", "gap_yuan", "remaining_task_yuan",
                 "n_draws", "seed"}
QUARTER_LINE = {"as_of", "quarter", "ytd_actual_yuan", "ytd_target_yuan", "ytd_attainment_pct", "outlook_yuan", "outlook_attainment_pct",
                "outlook_p10_yuan", "outlook_p90_yuan", "probability", "n_draws", "seed"}
#: the quarter's pages (the backward page is the handbook's method page, not the quarter's)
QUARTER_PAGES = {"executive_summary": FULL_HEADLINE, "forward_forecast": FULL_HEADLINE, "combined_plan": FULL_HEADLINE,
                 "quarterly_review": FULL_HEADLINE, "scorecard": QUARTER_LINE}


def _shown(key: str, v) -> str:
    """How a headline writes a summary figure (written out here, independently of the page code)."""
    if key.endswith("_yuan"):
        text = f"{v:,.0f}"
        return "0" if text == "-0" else text
    if key.endswith("_pct"):
        return f"{v:.1f}%"
    if key == "probability":
        return f"{v * 100:.1f}%"
    if key == "n_draws":
        return f"{v:,}"
    return str(v)


def _summary(quarter: str) -> dict:
    result, out = rendered_set("zh", quarter)
    return json.loads((out / quarter / "summary.json").read_text(encoding="utf-8"))


def _page(quarter: str, name: str, lang: str = "zh") -> str:
    result, out = rendered_set(lang, quarter)
    return (out / quarter / f"{name}.html").read_text(encoding="utf-8")


def _state(quarter: str, lang: str = "zh"):
    """The quarter's state as the render computed it (read back from this session's cache)."""
    from salesanalytics.adapters.quarter import load_state

    return load_state(quarter, n_draws=N_DRAWS, lang=lang)


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
def test_summary_json_carries_the_documented_figures_as_of_the_quarter_end(quarter):
    from salesanalytics.core.periods import quarter_end

    summary = _summary(quarter)
    assert set(summary) == SUMMARY_KEYS
    assert summary["quarter"] == quarter and summary["as_of"] == f"{quarter_end(quarter)}"
    assert summary["n_draws"] == N_DRAWS and summary["seed"] == 0  # the set's -p n_draws reached the state
    assert summary["gap_yuan"] == pytest.approx(summary["annual_target_yuan"] - summary["outlook_yuan"], abs=0.011)
    assert summary["outlook_p10_yuan"] <= summary["outlook_yuan"] <= summary["outlook_p90_yuan"]
    assert 0 <= summary["probability"] <= 1
    assert summary == _state(quarter).summary  # the file is the state's headline, nothing recomputed


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
@pytest.mark.parametrize("name", sorted(QUARTER_PAGES))
def test_every_page_headline_equals_summary_json(quarter, name):
    summary = _summary(quarter)
    parts = page_parts(_page(quarter, name))
    figures = parts.figures
    assert {key for key, _, _ in figures} >= QUARTER_PAGES[name], name
    for key, data, shown in figures:
        raw = summary[key]
        if isinstance(raw, float):
            assert float(data) == raw, (name, key, data, raw)
        else:
            assert data == str(raw), (name, key, data, raw)
        assert shown == _shown(key, raw), (name, key, shown)
    headline = [attrs for attrs, _ in parts.blocks if "sa-quarter-headline" in attrs.get("class", "")]
    assert len(headline) == 1 and headline[0]["data-as-of"] == summary["as_of"] and headline[0]["data-quarter"] == quarter


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
def test_history_ends_at_the_as_of_month_and_the_forecast_starts_the_month_after(quarter):
    import pandas as pd

    state = _state(quarter)
    as_of = pd.Timestamp(state.summary["as_of"])
    month = as_of.to_period("M").to_timestamp()
    after = month + pd.offsets.MonthBegin(1)
    history = state.history_to_date
    assert history["month"].max() == month
    this_year = history[history["kind"] == "actual"]
    assert sorted(this_year["month"].unique()) == list(pd.date_range(f"{as_of.year}-01-01", month, freq="MS"))
    assert pd.Timestamp(state.forecast["month"].min()) == after
    company = state.forecast[state.forecast["branch"] == "全公司"]
    assert list(state.forecast["branch"].unique())[0] == "全公司" and (company["lo_80"] <= company["hi_80"]).all()
    for name in ("forward_forecast", "combined_plan"):
        markers = [attrs for attrs, _ in page_parts(_page(quarter, name)).blocks if "sa-period" in attrs.get("class", "")]
        assert len(markers) == 1, name
        assert markers[0]["data-history-end"] == f"{month:%Y-%m}" and markers[0]["data-forecast-start"] == f"{after:%Y-%m}", name
        assert markers[0]["data-as-of"] == state.summary["as_of"]


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
def test_the_combined_company_forecast_is_the_outlook(quarter):
    state = _state(quarter)
    for name, res in state.combined.results.items():
        assert round(res.summary["forecast_yuan"], 2) == pytest.approx(state.summary["outlook_yuan"], abs=0.011), name
        assert res.summary["required_yuan"] == pytest.approx(state.summary["annual_target_yuan"], abs=0.011), name


#: column keys of the dates an action starts or lands (hiring), in every table that shows one
ACTION_DATE_COLUMNS = ("first_start_hiring", "last_start_hiring", "start_hiring", "on_board_by")
DATE = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")


def _action_headers(lang: str) -> set[str]:
    from salesanalytics.core import labels as L

    i = L.LANGS.index(lang)
    return {table[key][i] for table in L.COLUMNS.values() for key in ACTION_DATE_COLUMNS if key in table}


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
def test_no_action_is_dated_before_the_as_of_date(quarter):
    import pandas as pd

    state = _state(quarter)
    first_open = (state.as_of + pd.offsets.MonthBegin(1)).to_period("M")
    # the state: every scenario hires only in open months
    for name, res in state.combined.results.items():
        starts = pd.to_datetime(res.staffing["start_hiring"]) if len(res.staffing) else pd.Series([], dtype="datetime64[ns]")
        assert (starts.dt.to_period("M") >= first_open).all(), name
        firsts = pd.to_datetime(res.staffing_branch["first_start_hiring"]).dropna()
        assert (firsts.dt.to_period("M") >= first_open).all(), name
    headers = _action_headers("zh")
    checked = 0
    for name in QUARTER_PAGES:
        parts = page_parts(_page(quarter, name))
        for table in parts.tables:
            header = next((row for row in table if any(cell in headers for cell in row)), None)
            if header is None:
                continue
            columns = [i for i, cell in enumerate(header) if cell in headers]
            for row in table[table.index(header) + 1:]:
                for i in columns:
                    if i < len(row) and DATE.fullmatch(row[i]):
                        checked += 1
                        assert pd.Period(row[i][:7], "M") >= first_open, (name, header[i], row[i])
        for attrs, texts in parts.blocks:  # the action sentences: every date in them after the as-of date
            if {"sa-actions", "sa-decision"} & set(attrs.get("class", "").split()):
                for m in DATE.finditer("".join(texts)):
                    checked += 1
                    assert pd.Period(m.group(0)[:7], "M") >= first_open, (name, m.group(0))
    assert checked > 0  # the pages do show dated actions


@pytest.mark.slow
def test_rerendering_a_quarter_gives_the_same_pages(tmp_path):
    """A second run of the same quarter (warm cache) writes the same pages, byte for byte, but for the run's time."""
    first, out = rendered_set("zh", QUARTER)
    again = render_reports(QUARTER, out_dir=tmp_path, lang="zh", parameters={"n_draws": N_DRAWS})
    assert again.ok
    for r in first.reports:
        assert (tmp_path / QUARTER / r["file"]).read_bytes() == (out / QUARTER / r["file"]).read_bytes(), r["file"]
    assert (tmp_path / QUARTER / "summary.json").read_bytes() == (out / QUARTER / "summary.json").read_bytes()

    def timeless(text: str) -> str:
        text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "<time>", text)
        text = re.sub(r"<td>\d+\.\d</td>", "<td><seconds></td>", text)  # each page's seconds
        return re.sub(r"\d+\.\d+ (秒|s)\b", "<seconds>", text)

    index = [timeless((folder / QUARTER / "index.html").read_text(encoding="utf-8")) for folder in (out, tmp_path)]
    index = [re.sub(re.escape(str(folder)), "<out>", text) for folder, text in zip((out, tmp_path), index)]
    assert index[0] == index[1]


# ----------------------------------------------------------------------------
# schedules
# ----------------------------------------------------------------------------
def test_schedule_prints_cron_and_systemd_for_the_first_day_of_each_quarter(tmp_path):
    text = render_schedules(out_dir=tmp_path, lang="en", at="05:30")
    cron = [line for line in text.splitlines() if line and not line.startswith("#") and "1,4,7,10" in line]
    assert len(cron) == 1 and cron[0].startswith("30 5 1 1,4,7,10 * ")
    assert "salesanalytics report --out" in cron[0] and "--lang en" in cron[0]
    assert "OnCalendar=*-01,04,07,10-01 05:30:00" in text and "Persistent=true" in text and "Type=oneshot" in text


@pytest.mark.parametrize("at", ["25:00", "6", "six"])
def test_schedule_rejects_bad_time(at):
    with pytest.raises(ParameterError, match="HH:MM"):
        render_schedules(at=at)


def test_schedule_cli(capsys):
    assert cli.main(["schedule"]) == 0
    assert "OnCalendar=" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_failed_run_exits_nonzero_naming_notebook_and_cell(tmp_path):
    """The scheduled command itself: a broken notebook gives exit 1 and one line naming it and the cell."""
    import os
    import shutil
    import subprocess
    import sys

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(FIXTURES / "broken.ipynb", notebooks / "executive_summary.ipynb")
    env = {**os.environ, "SALESANALYTICS_NOTEBOOKS": str(notebooks)}
    out = tmp_path / "reports"
    proc = subprocess.run([sys.executable, "-m", "salesanalytics", "report", "--out", str(out), "--quarter", "2026Q2"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: report executive_summary.ipynb failed at cell 4: ValueError: fixture failure 坏了")
    assert "Traceback" not in proc.stderr
    assert (out / "2026Q2" / "failed" / "executive_summary.ipynb").exists()
    assert "FAILED" in (out / "2026Q2" / "index.html").read_text(encoding="utf-8")


def test_cli_only_unknown_report(tmp_path, capsys):
    assert cli.main(["report", "--out", str(tmp_path), "--only", "executive_sumary"]) == 2
    assert "Did you mean 'executive_summary'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------
# the first screen of every page: cards, narrative, what changed since last quarter
# ----------------------------------------------------------------------------
FIGURE = re.compile(r'<span class="sa-figure" data-figure="([^"]+)" data-source="([^"]+)" data-value="([^"]*)">([^<]*)</span>')


def _wan(v: float) -> str:
    """How a sentence writes money (万元, one decimal; written out here, independently of the page code)."""
    return f"{v / 10_000:,.1f}万元"


@pytest.mark.slow
@pytest.mark.parametrize("quarter", QUARTERS)
@pytest.mark.parametrize("name", sorted(QUARTER_PAGES))
def test_every_narrative_says_what_changed_since_last_quarter_with_the_summarys_figures(quarter, name):
    from salesanalytics.orchestration.cycle import quarter_changes

    summary = _summary(quarter)
    changes = quarter_changes(_state(quarter))
    page = _page(quarter, name)
    narrative = re.search(r"<div class=[\"']sa-narrative[\"']>(.*?)</div>", page, flags=re.S).group(1)
    figures = FIGURE.findall(narrative)
    shown = {(key, source): (data, text) for key, source, data, text in figures}
    # what changed: year to date at the previous quarter end against today, from the state's one computation
    for key in ("previous_ytd_attainment_pct", "quarter_attainment_pct"):
        assert float(shown[(key, "changes")][0]) == changes[key] and shown[(key, "changes")][1] == f"{changes[key]:.1f}%", key
    assert shown[("quarter_actual_yuan", "changes")][1] == _wan(changes["quarter_actual_yuan"])
    assert changes["previous_as_of"] in narrative
    # the previous report's outlook when its summary.json is where the page looked, else the sentence saying it is not
    assert ("outlook_yuan", "previous") in shown or "summary.json" in re.sub(r"<[^>]+>", "", narrative)
    # every figure of today's summary in the sentences: its exact value, in 万元 as on the cards
    for key, source, data, text in figures:
        if source != "summary":
            continue
        assert float(data) == summary[key], (name, key)
        if key.endswith("_yuan"):
            assert text == _wan(summary[key]), (name, key, text)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["backward_plan", "customers"])
def test_the_backward_and_customer_pages_open_with_cards_and_a_narrative(name):
    page = _page(QUARTER, name)
    at = {word: re.search(rf"class=[\"']{word}[\"']", page).start() for word in ("sa-cards", "sa-narrative")}
    assert at["sa-cards"] < at["sa-narrative"] < page.index("class=\"dataframe")  # the first screen, before any detail table
    assert len(re.findall(r"class=[\"']sa-card sa-status-", page)) == 5 and "sa-decision" in page


#: a number nobody formatted: four or more decimals, or a fraction where a percentage belongs
RAW_NUMBER = re.compile(r"^-?\d[\d,]*\.\d{4,}$")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_cell_went_through_the_formatting_layer(lang):
    result, out = rendered_set(lang)
    problems = []
    for report in result.reports:
        parts = page_parts((out / QUARTER / report["file"]).read_text(encoding="utf-8"))
        for table in parts.tables:
            for row in table:
                problems += [f"{report['file']}: {cell}" for cell in row if RAW_NUMBER.match(cell) or cell in ("nan", "NaN", "None", "inf")]
    assert problems == []
    # the scorecard's attainment and shares in % with one decimal, on every table that shows them
    parts = page_parts((out / QUARTER / "scorecard.html").read_text(encoding="utf-8"))
    words = {"zh": ("任务达成率", "高等级占比", "占销售额"), "en": ("Attainment", "Share at the top grades", "% of revenue")}[lang]
    checked = 0
    for table in parts.tables:
        header = table[0] if table else []
        for word in words[:2]:
            if word in header:
                col = header.index(word)
                checked += 1
                assert all(re.fullmatch(r"-?\d[\d,]*\.\d%", row[col]) for row in table[1:] if len(row) > col), (word, table[1][col])
        for row in table:
            if row and row[0] == words[2]:
                checked += 1
                assert all(re.fullmatch(r"\d+\.\d%", cell) for cell in row[1:]), row
    assert checked == 3


@pytest.mark.slow
def test_a_quarter_compares_with_the_previous_report_in_the_same_folder(tmp_path):
    """The run tells the pages where the set lives (reports_dir): Q3's narrative quotes Q2's summary.json of that folder."""
    import shutil

    from salesanalytics.adapters import executive, formatting
    from salesanalytics.adapters.report import REPORTS, render_reports

    q2 = _summary("2026Q2")
    (tmp_path / "2026Q2").mkdir()
    shutil.copy(rendered_set("zh", "2026Q2")[1] / "2026Q2" / "summary.json", tmp_path / "2026Q2" / "summary.json")
    page_spec = [r for r in REPORTS if r.name == "executive_summary"]
    render_reports(QUARTER, out_dir=tmp_path, reports=page_spec, parameters={"n_draws": N_DRAWS})
    text = re.sub(r"<[^>]+>", "", (tmp_path / QUARTER / "executive_summary.html").read_text(encoding="utf-8"))
    assert "上季度报告（2026Q2）的全年预计为 " + formatting.money_wan(q2["outlook_yuan"], "zh") in text
    assert executive.fmt_probability(q2["probability"]) in text
    # elsewhere (no previous set in the folder) the page says so instead of comparing
    other = tmp_path / "other"
    render_reports(QUARTER, out_dir=other, reports=page_spec, parameters={"n_draws": N_DRAWS})
    assert "未找到上季度报告（2026Q2）" in (other / QUARTER / "executive_summary.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_an_unchanged_page_is_reused_and_any_change_renders_it_again(tmp_path, monkeypatch):
    """reuse: the same notebook, parameters, input files, code and language give the page kept before
    (byte for byte, no kernel run); a changed parameter, input file or previous summary renders it again."""
    import shutil

    from salesanalytics.core import config

    monkeypatch.setenv("SALESANALYTICS_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    out = tmp_path / "reports"

    def run(count=2, reuse=True):
        result = render_reports("2026Q2", out_dir=out, data_dir=data, notebooks_dir=FIXTURES, reports=[OK], reuse=reuse,
                                parameters={"count": count})
        return result.reports[0]["reused"], (out / "2026Q2" / "ok.html").read_bytes()

    first, page = run()
    assert first is False
    again, same = run()
    assert again is True and same == page
    assert run(count=3)[0] is False  # another parameter
    assert run()[0] is True  # back to the first page, still kept
    (data / "roster_2026.csv").write_text((data / "roster_2026.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run()[0] is False  # an input file changed
    (out / "2026Q1").mkdir()
    (out / "2026Q1" / "summary.json").write_text("{}", encoding="utf-8")
    assert run()[0] is False  # the previous quarter's summary (the 'since last quarter' text) appeared
    assert run(reuse=False)[0] is False  # the library's default (and the CLI's --rerun): every page executed
