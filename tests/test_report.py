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

from ._render import QUARTER, rendered_set, unlabelled

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
    assert "<td>850,000,000</td>" in text  # grand total of the 任务分解表
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_executive_blocks_have_no_unlabelled_identifier(lang):
    import pandas as pd

    from salesanalytics.adapters import executive

    backward = {"year": 2026, "target_kind": "net_profit", "target_yuan": 1.5e7, "revenue_required_yuan": 3.2e8, "effective_margin": 0.08,
                "capacity_gross_profit_yuan": 2.0e7, "uplift_needed_pct": 31.4, "extra_heads_needed": 12.0}
    combined = {"forecast_yuan": 3.0e8, "forecast_p10_yuan": 2.9e8, "forecast_p90_yuan": 3.1e8, "gap_yuan": 2.6e7, "gap_pct": 7.99,
                "status": "out of reach", "probability": 0.0, "probability_with_actions": 0.7, "hires": 46}
    gap = pd.DataFrame({"branch": ["北京", "上海"], "required": [10.0, 20.0], "forecast_mean": [12.0, 15.0], "gap_yuan": [-2.0, 5.0],
                        "probability": [0.1, 0.0], "status": ["at risk", "out of reach"]})
    staffing = pd.DataFrame({"branch": ["北京"], "hires_total": [3], "first_start_hiring": ["2026-03-01"], "contribution_yuan": [1234.5]})
    page = "".join([
        executive.headline_html(executive.headline_rows(backward, combined, lang)),
        executive.headline_html(executive.headline_rows(backward, None, lang)),
        executive.risks(gap, lang).to_html(index=False),
        executive.hires(staffing, lang).to_html(index=False),
    ])
    assert unlabelled(page) == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rendered_pages_show_no_unlabelled_identifier(lang):
    """Every page of the set: no snake_case, True/False, None, nan/NaT, Decimal( or RangeIndex in a table, heading or headline."""
    result, out = rendered_set(lang)
    pages = ["index.html"] + [r["file"] for r in result.reports]
    offenders = []
    for name in pages:
        for found in unlabelled((out / QUARTER / name).read_text(encoding="utf-8")):
            offenders.append(f"{lang} {name}: {found}")
    assert offenders == [], f"{len(offenders)} unlabelled identifiers on the pages:\n" + "\n".join(offenders)


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
