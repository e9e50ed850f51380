"""The ``salesanalytics`` command: wires options to library calls, nothing more.

Errors the library raises on purpose print one clear message and exit
non-zero without a traceback; ``--debug`` shows the traceback.  Every
subcommand is registered by one ``_add_<name>`` function in ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .. import __version__
from ..core.exceptions import SalesAnalyticsError


# ----------------------------------------------------------------------------
# helpers shared by subcommands
# ----------------------------------------------------------------------------
def fmt_yuan(value: float) -> str:
    return f"{value:,.2f}"


def print_table(frame, *, file=None, floatfmt: str = "{:,.0f}") -> None:
    """Print a small frame readably (CJK-aware column widths)."""
    import pandas as pd

    file = file or sys.stdout
    frame = frame.reset_index() if frame.index.name or isinstance(frame.index, pd.MultiIndex) else frame
    cols = [str(c) for c in frame.columns]
    cells = []
    for _, row in frame.iterrows():
        out = []
        for v in row.tolist():
            if isinstance(v, float):
                out.append("" if v != v else floatfmt.format(v))
            elif hasattr(v, "strftime"):
                out.append(v.strftime("%Y-%m"))
            else:
                out.append(str(v))
        cells.append(out)

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)

    widths = [max([width(c)] + [width(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def line(values):
        parts = []
        for i, v in enumerate(values):
            pad = widths[i] - width(v)
            parts.append((v + " " * pad) if i == 0 else (" " * pad + v))
        return "  ".join(parts)

    print(line(cols), file=file)
    for r in cells:
        print(line(r), file=file)


def _write_outputs(out: str | None, sheets: dict, tidy, *, label: str) -> None:
    from . import io

    if not out:
        return
    path = Path(out)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        io.write_excel(sheets, path)
    else:
        io.write_table(tidy, path)
    print(f"\n{label} written to {path}")


# ----------------------------------------------------------------------------
# backward
# ----------------------------------------------------------------------------
def _add_backward(sub) -> None:
    p = sub.add_parser(
        "backward",
        help="倒推法: derive every branch's monthly task from a required profit/revenue",
        description="Backward method (倒推法): from the target through the gross margin to each branch's monthly sales task.",
    )
    p.add_argument("plan", help="plan file (.yaml), e.g. data/seed_case_2012.yaml")
    p.add_argument("--out", help="write tasks: .xlsx (matrix, tasks, staffing, assumptions), .csv or .parquet (tidy tasks)")
    p.add_argument("--history", help="monthly history (needed for yoy_growth / seasonal-from-history phasing)")
    p.add_argument("--forecast", help="forward forecast (csv/xlsx with branch, month, mean) for allocation: forecast")
    p.add_argument("--level", choices=["branch", "salesperson"], default="branch", help="rows of the tidy CSV/Parquet output")
    p.add_argument("--goal-seek", metavar="PARAM", help="solve for one input that lets today's team reach the target: monthly_growth, yoy_growth, gross_margin, headcount, gp_per_head")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of tables and Excel sheets")
    p.set_defaults(func=_cmd_backward)


def _cmd_backward(args) -> int:
    from . import io
    from ..methods.backward import BackwardPlanner

    plan = io.read_plan(args.plan)
    history = io.read_history(args.history) if args.history else None
    forecast = io.read_forecast(args.forecast) if args.forecast else None
    planner = BackwardPlanner(plan).fit(history=history, forecast=forecast)
    s = planner.summary()
    zh = args.lang == "zh"
    print(f"{plan.name or plan.source} — {s['year']}")
    print(("目标" if zh else "Target") + f" ({s['target_kind']}): {fmt_yuan(s['target_yuan'])} yuan")
    print(("所需毛利" if zh else "Gross profit required") + f": {fmt_yuan(s['gross_profit_required_yuan'])} yuan")
    print(("所需销售额" if zh else "Sales required") + f": {fmt_yuan(s['revenue_required_yuan'])} yuan (margin {s['effective_margin']:.2%})")
    print(("现有团队产能(毛利)" if zh else "Today's team delivers (gross profit)") + f": {fmt_yuan(s['capacity_gross_profit_yuan'])} yuan → "
          + ("需提升人效" if zh else "uplift needed") + f" {s['uplift_needed_pct']:.1f}%, " + ("或增员" if zh else "or hire") + f" {s['extra_heads_needed']:.0f}")
    cap = planner.capacity_.set_index("branch")
    matrix = planner.matrix("sales_task", args.lang)
    table = matrix[[matrix.columns[-1]]].rename(columns={matrix.columns[-1]: "销售任务" if zh else "sales_task"})
    table["毛利任务" if zh else "gp_task"] = planner.matrix("gross_profit_task", args.lang).iloc[:, -1]
    table["产能毛利" if zh else "capacity_gp"] = cap["capacity_gross_profit"]
    table["需提升%" if zh else "uplift_%"] = cap["uplift_needed_pct"]
    table["增员" if zh else "extra_heads"] = cap["extra_heads_needed"]
    total = table.index[-1]  # the 合计 / Total row of the matrix
    table.loc[total, table.columns[2]] = s["capacity_gross_profit_yuan"]
    table.loc[total, table.columns[3]] = s["uplift_needed_pct"]
    table.loc[total, table.columns[4]] = s["extra_heads_needed"]
    print()
    print_table(table)
    if args.goal_seek:
        result = planner.goal_seek(args.goal_seek, history=history)
        print(("\n反推: " if zh else "\nGoal seek: ") + str(result))
    tidy = planner.tasks(args.level).drop(columns=["gross_profit_task_fen", "sales_task_fen"])
    _write_outputs(args.out, planner.excel_sheets(args.lang), tidy, label="Tasks" if not zh else "任务")
    return 0


# ----------------------------------------------------------------------------
# forward
# ----------------------------------------------------------------------------
def _add_forward(sub) -> None:
    p = sub.add_parser(
        "forward",
        help="正推法: forecast every branch from monthly history (and the industry outlook), with ranges and target suggestions",
        description="Forward method (正推法): statistical forecast per branch, market-share industry blend, 80/95% ranges, "
        "conservative/base/stretch targets (P20/P50/P80 of the simulated annual total).",
    )
    p.add_argument("history", help="monthly history in long format (.csv/.xlsx/.parquet), e.g. data/history_monthly.csv")
    p.add_argument("--industry", help="industry market size per year (year, market_size, kind actual/outlook)")
    p.add_argument("--industry-weight", type=float, default=0.3, help="weight of the market-share estimate in the blend, 0-1 (default 0.3)")
    p.add_argument("--industry-growth", type=float, help="market growth %% per year for forecast years the industry file does not cover (default: its last growth rate)")
    p.add_argument("--horizon", type=int, default=12, help="months to forecast, 1-60 (default 12)")
    p.add_argument("--level", type=float, nargs="+", default=[80, 95], help="interval levels in percent (default 80 95)")
    p.add_argument("--method", default="auto", help="auto (default: backtest on the history picks per series), comb (ETS+Theta+seasonal naive), or ets, theta, snaive, arima, ets+theta, ...")
    p.add_argument("--fill", choices=["zero", "interpolate"], help="fill missing months instead of stopping with an error")
    p.add_argument("--n-jobs", type=int, default=1, help="parallel workers over series (-1: all cores)")
    p.add_argument("--out", help="write the tidy forecast: .csv/.parquet, or .xlsx with summary and targets sheets")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the summary")
    p.set_defaults(func=_cmd_forward)


def _cmd_forward(args) -> int:
    from . import io
    from ..methods.forward import Forecaster

    history = io.read_history(args.history)
    industry = io.read_industry(args.industry) if args.industry else None
    fc = Forecaster(horizon=args.horizon, levels=tuple(args.level), n_jobs=args.n_jobs, method=args.method,
                    industry_weight=args.industry_weight, industry_growth=args.industry_growth, fill=args.fill)
    fc.fit(history, industry=industry)
    zh = args.lang == "zh"
    months = fc.months_
    print(("正推法预测" if zh else "Forward forecast") + f": {months[0]:%Y-%m} – {months[-1]:%Y-%m}, {len(fc.series_)} "
          + ("个序列" if zh else "series"))
    summary = fc.summary(args.lang)
    shown = summary.copy()
    growth = shown.columns[3]
    shown[growth] = [f"{v:+.1f}" if v == v else "" for v in shown[growth]]
    print()
    print_table(shown, floatfmt="{:,.0f}")
    targets = fc.target_suggestions(lang=args.lang)
    view = targets[["branch", "conservative", "base", "stretch"]]
    if zh:
        view = view.rename(columns={"branch": "分公司", "conservative": "保守(P20)", "base": "基准(P50)", "stretch": "挑战(P80)"})
    print("\n" + ("目标建议（年度合计，元）" if zh else "Target suggestions (annual total, yuan)"))
    print_table(view)
    if fc.horizon_ > 12:
        out = fc.outlook(lang=args.lang)
        company = out[out["branch"] == out["branch"].iloc[-1]][["year", "months", "p20", "p50", "p80"]]
        print("\n" + ("全公司年度展望（元）" if zh else "Company outlook per year (yuan)"))
        print_table(company.astype({"year": str, "months": str}))
    note = fc.report(args.lang)
    if note:
        print("\n" + note)
    tidy = fc.predict()
    sheets = {"forecast": fc.predict(total=True, lang=args.lang), "summary": summary, "targets": targets,
              "backtest": fc.backtest_}
    if fc.horizon_ > 12:
        sheets["outlook"] = fc.outlook(lang=args.lang)
    _write_outputs(args.out, sheets, tidy, label="预测" if zh else "Forecast")
    return 0


# ----------------------------------------------------------------------------
# combined
# ----------------------------------------------------------------------------
def _add_combined(sub) -> None:
    p = sub.add_parser(
        "combined",
        help="结合法: forecast vs required target per branch x month — gap, probability, targets, hires, scenarios",
        description="Combined method (结合法): the forward forecast against the backward requirement; the gap, "
        "the probability of attainment, recommended targets, the bridge and staffing plan, scenarios and manager adjustments.",
    )
    p.add_argument("--history", required=True, help="monthly history (long format), e.g. data/history_monthly.csv")
    p.add_argument("--plan", required=True, help="plan file (.yaml), e.g. data/plan_2026.yaml")
    p.add_argument("--scenarios", help="scenario file (.yaml), e.g. data/scenarios_2026.yaml (default: built-in 保守/基准/激进)")
    p.add_argument("--adjustments", help="manager adjustments (csv/xlsx: branch, month or year, amount_yuan or change_pct, reason, author, adjusted_on)")
    p.add_argument("--out", help="write every table: .xlsx (one sheet per table, all scenarios), .csv or .parquet (the targets)")
    p.add_argument("--industry", help="industry market size (csv/xlsx) for the forecaster's market-share blend (optional)")
    p.add_argument("--draws", type=int, default=2000, help="simulated paths for the probabilities (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation (default 0)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of tables and Excel sheets")
    p.set_defaults(func=_cmd_combined)


def _cmd_combined(args) -> int:
    from . import io
    from ..methods.combined import CombinedPlanner

    plan = io.read_plan(args.plan)
    history = io.read_history(args.history)
    scenarios = io.read_scenarios(args.scenarios) if args.scenarios else None
    adjustments = None
    if args.adjustments:
        from ..methods.adjustments import parse_adjustments

        frame = io.read_adjustments(args.adjustments)
        # checked against the plan before the forecast is fitted: a typo fails in a second, not after the fit
        adjustments = parse_adjustments(frame, plan.branch_names, plan.year, source=args.adjustments)
    industry = io.read_industry(args.industry) if args.industry else None
    planner = CombinedPlanner(n_draws=args.draws, seed=args.seed).fit(history, plan, industry=industry)
    run = planner.run(scenarios, adjustments=adjustments)
    zh = args.lang == "zh"
    names = list(run.results)
    first = next((n for n in names if n in ("基准", "base") or run.results[n].scenario.label_en == "base"), names[0])
    print(f"{plan.name or plan.source} — {plan.year} " + ("结合法" if zh else "combined plan"))
    for name in [first] + [n for n in names if n != first]:
        print(run.results[name].headline(args.lang))
    tables = run.tables(args.lang)
    print()
    comparison = tables["comparison"].set_index(tables["comparison"].columns[0])
    print_table(comparison.drop(columns=[comparison.columns[0]]), floatfmt="{:,.2f}")
    res = run.results[first]
    branch = res.tables(args.lang)["gap_branch"]
    cols = [0, 2, 5, 6, 7, 8, 10, 11]
    print("\n" + (f"分公司 ({first})" if zh else f"Branches ({res.scenario.label_en})"))
    shown = branch.iloc[:, cols].set_index(branch.columns[0])
    staffing = res.staffing_branch.set_index("branch")
    shown["招聘人数" if zh else "hires"] = staffing["hires_total"].to_numpy()
    shown["最晚开始招聘" if zh else "last_start_hiring"] = staffing["last_start_hiring"].dt.strftime("%Y-%m").fillna("").to_numpy()
    print_table(shown, floatfmt="{:,.2f}")
    log = res.tables(args.lang)["adjustment_log"]
    if len(log):
        print("\n" + ("经理调整 (审计记录)" if zh else "Manager adjustments (audit log)"))
        print_table(log.iloc[:, [0, 1, 2, 3, 4, 7, 8]].set_index(log.columns[0]), floatfmt="{:,.2f}")
    sheets = run.excel_sheets(args.lang)
    _write_outputs(args.out, sheets, tables["targets"], label="结合法表格" if zh else "Combined plan tables")
    return 0


# ----------------------------------------------------------------------------
# generate-data
# ----------------------------------------------------------------------------
def _add_generate_data(sub) -> None:
    p = sub.add_parser("generate-data", help="rebuild the bundled SYNTHETIC data set in data/ (fixed seed)")
    p.add_argument("--out", default=None, help="folder to write into (default: the project's data/)")
    p.set_defaults(func=_cmd_generate_data)


def _cmd_generate_data(args) -> int:
    from . import io
    from ..core.config import DATA_DIR

    out = Path(args.out) if args.out else DATA_DIR
    for path in io.write_synthetic_data(out):
        print(f"wrote {path}")
    return 0



# ----------------------------------------------------------------------------
# report / schedule / app (issue 5)
# ----------------------------------------------------------------------------
def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="render the quarter's report set (notebooks -> HTML without code) into reports/<quarter>/",
        description="Execute every report notebook with papermill and write self-contained HTML plus reports/<quarter>/index.html. "
        "A failing notebook exits non-zero, keeps the executed notebook under failed/ and writes an index that says FAILED.",
    )
    p.add_argument("--quarter", help="quarter to report, e.g. 2026Q3 (default: the last complete quarter)")
    p.add_argument("--data", help="folder of the input files (default: the bundled data/)")
    p.add_argument("--out", help="reports folder (default: reports/)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="notebook parameter (checked against the notebooks' declared parameters and types); repeatable")
    p.add_argument("--only", action="append", metavar="REPORT", help="render only this report (name without .ipynb); repeatable")
    p.add_argument("--cell-timeout", type=float, default=600, help="seconds a cell may run before the kernel is stopped (default 600)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks rendered at once, each in its own kernel (default 2)")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from ..core import config
    from . import report
    from ..core.exceptions import ParameterError, suggest

    specs = None
    if args.only:
        nb_dir = config.NOTEBOOKS_DIR
        known = {r.name: r for r in report.available_reports(nb_dir)}
        for name in args.only:
            if name.removesuffix(".ipynb") not in known:
                raise ParameterError(f"no report '{name}'.{suggest(name, known)} Reports: {', '.join(known)}.")
        specs = [known[n.removesuffix(".ipynb")] for n in args.only]
    result = report.render_reports(
        args.quarter, data_dir=args.data, out_dir=args.out, lang=args.lang,
        parameters=report.parse_assignments(args.param), reports=specs, cell_timeout=args.cell_timeout, jobs=args.jobs,
    )
    for r in result.reports:
        print(f"  {r['file']:<28} {r['seconds']:6.1f} s  {r['title']}")
    print(f"{result.quarter}: {len(result.reports)} reports in {result.seconds:.1f} s")
    print(f"index: {result.index}")
    return 0


def _add_schedule(sub) -> None:
    p = sub.add_parser("schedule", help="print a crontab line and a systemd timer that render the reports on the first day of each quarter")
    p.add_argument("--out", help="reports folder the scheduled run writes to (default: reports/)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="report language")
    p.add_argument("--time", default="06:00", help="time of day (HH:MM, local) on the first day of the quarter")
    p.set_defaults(func=_cmd_schedule)


def _cmd_schedule(args) -> int:
    from .report import render_schedules

    print(render_schedules(out_dir=args.out, lang=args.lang, at=args.time))
    return 0


def _add_app(sub) -> None:
    p = sub.add_parser("app", help="serve the interactive notebooks with Voilà on 127.0.0.1 (no code shown)")
    p.add_argument("notebook", nargs="?", help="one notebook to serve, e.g. backward_plan (default: the notebooks folder)")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--open", action="store_true", help="open a web browser")
    p.set_defaults(func=_cmd_app)


def _cmd_app(args) -> int:
    from . import app

    return app.serve(args.notebook, port=args.port, open_browser=args.open)


# ----------------------------------------------------------------------------
# track (监督和反馈)
# ----------------------------------------------------------------------------
def _add_track(sub) -> None:
    p = sub.add_parser(
        "track",
        help="监督和反馈: actuals vs targets, year-end outlook, re-planned tasks and daily pace",
        description="Track actuals against targets: attainment (month/QTD/YTD), the year-end outlook, "
        "the rest of the year re-planned to the fen and the pace per remaining working day.",
    )
    p.add_argument("--targets", required=True, help="targets in long format (csv/xlsx: month, branch[, salesperson], sales_task), "
                   "e.g. from `backward --level salesperson --out targets.csv`; or a plan .yaml (tasks are derived with --history)")
    p.add_argument("--actuals", required=True, help="actuals by day (date column) or month (month column), e.g. data/actuals_2026.csv")
    p.add_argument("--activities", help="daily activity records (visits, new customers, quotes, deals, cash collected)")
    p.add_argument("--history", help="monthly history before the plan year: re-forecasts the remaining months (forward method)")
    p.add_argument("--as-of", help="review date YYYY-MM-DD (default: the last day with actuals)")
    p.add_argument("--measure", choices=["sales", "gross_profit"], default="sales", help="what to track (default sales)")
    p.add_argument("--sum-duplicates", action="store_true", help="add up actual rows with the same key instead of stopping")
    p.add_argument("--green", type=float, default=100.0, help="green light from this %% of the time-adjusted target (default 100)")
    p.add_argument("--yellow", type=float, default=90.0, help="yellow light from this %% (default 90); below is red")
    p.add_argument("--out", help="write every table: .xlsx (one sheet each) or .csv/.parquet (tidy attainment, all levels and periods)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of tables and Excel sheets")
    p.set_defaults(func=_cmd_track)


def _cmd_track(args) -> int:
    import pandas as pd

    from . import io
    from ..methods.tracking import COMPANY, Tracker, relabel

    zh = args.lang == "zh"
    history = io.read_history(args.history) if args.history else None
    if Path(args.targets).suffix.lower() in (".yaml", ".yml"):
        from ..methods.backward import BackwardPlanner

        plan = io.read_plan(args.targets)
        planner = BackwardPlanner(plan).fit(history=history)
        targets = planner.tasks("salesperson" if plan.roster is not None else "branch")
    else:
        targets = io.read_targets(args.targets)
    actuals = io.read_actuals(args.actuals)
    activities = io.read_activities(args.activities) if args.activities else None
    tracker = Tracker(
        as_of=args.as_of,
        thresholds={"green": args.green, "yellow": args.yellow},
        measure=args.measure,
        duplicates="sum" if args.sum_duplicates else "error",
    ).fit(targets, actuals, activities)
    s = tracker.summary(args.lang)
    print(("截至" if zh else "As of") + f" {s['as_of']} ({s['year']}, {'销售额' if zh and s['measure'] == 'sales' else s['measure']})")
    print(("全年目标" if zh else "Annual target") + f": {fmt_yuan(s['annual_target_yuan'])} · " + ("累计实际" if zh else "actual YTD")
          + f": {fmt_yuan(s['ytd_actual_yuan'])} ({'达成' if zh else ''}{s['ytd_attainment_pct']:.1f}%{'' if zh else ' of the target to date'}) · " + ("剩余缺口" if zh else "remaining gap")
          + f": {fmt_yuan(s['remaining_gap_yuan'])}")
    standing = tracker.standing()
    cols = {"branch": "分公司" if zh else "branch"}
    for period in ("month", "qtd", "ytd"):
        name = {"month": ("本月", "month"), "qtd": ("本季", "QTD"), "ytd": ("本年", "YTD")}[period][0 if zh else 1]
        cols[f"{period}_actual"] = f"{name}{'实际' if zh else ' actual'}"
        cols[f"{period}_time_adjusted_attainment_pct"] = f"{name}%"
        cols[f"{period}_status"] = f"{name}{'状态' if zh else ' light'}"
    table = standing[list(cols)].rename(columns=cols)
    if zh:
        from ..methods.tracking import STATUS_ZH

        for c in table.columns:
            if c.endswith("状态"):
                table[c] = table[c].map(lambda v: STATUS_ZH.get(v, v))
    print()
    print_table(table, floatfmt="{:,.1f}")
    review = tracker.review(history)
    o = review["outlook"].set_index("branch").loc[COMPANY]
    print()
    print(("全年预计" if zh else "Projected year-end") + f": {fmt_yuan(o['projected_year_end'])} ({o['projected_attainment_pct']:.1f}%), "
          + ("80%区间" if zh else "80% range") + f" {fmt_yuan(o['lo_80'])} – {fmt_yuan(o['hi_80'])}, "
          + ("达成概率" if zh else "probability of reaching the target") + f" {o['prob_reach_target']:.0%} [{o['method']}]")
    if "pace_branch" in review:
        pace = review["pace_branch"]
        month = pd.Timestamp(pace["pace_month"].iloc[0])
        print(("\n" + f"{month:%Y-%m} 每工作日所需 (剩余 {int(pace['working_days_left'].iloc[0])} 个工作日, 含调休)") if zh
              else f"\nRequired per working day in {month:%Y-%m} ({int(pace['working_days_left'].iloc[0])} working days left, 调休 included)")
        view = pace[["branch", "still_to_do", "required_per_working_day", "plan_per_working_day", "run_rate_per_working_day"]]
        print_table(relabel(view, args.lang), floatfmt="{:,.0f}")
    if len(review["unmatched"]):
        print(("\n无目标的实绩 (已计入合计)" if zh else "\nActuals without a target (counted in the totals)"))
        print_table(relabel(review["unmatched"], args.lang), floatfmt="{:,.2f}")
    tidy = pd.concat(
        [tracker.attainment(level, "all").assign(level=level) for level in ("company", "branch", "salesperson", "product")
         if level in ("company", "branch") or (level == "salesperson" and "salesperson" in tracker.keys_) or (level == "product" and tracker.product_monthly_ is not None)],
        ignore_index=True,
    )
    _write_outputs(args.out, tracker.excel_sheets(args.lang, review=review), tidy.drop(columns=["actual_fen", "target_fen"]), label="跟踪结果" if zh else "Tracking")
    return 0



# ----------------------------------------------------------------------------
# scorecard / incentives (考核与激励)
# ----------------------------------------------------------------------------
def _evaluation_options(p) -> None:
    p.add_argument("--data-dir", help="folder of the bundled inputs (default: the project's data/)")
    p.add_argument("--kpis", help="a per-person KPI table instead of tracking (salesperson, branch, actual, target[, gross_profit, prior_actual, new_customers, collected])")
    p.add_argument("--actuals", help="actuals (default data/actuals_2026.csv); person attainment comes from `track`'s Tracker")
    p.add_argument("--activities", help="daily activity records for new customers and collected cash (default data/activities_2026.csv)")
    p.add_argument("--ratings", help="ratings: rater, salesperson, dimension, score (default data/ratings_2026.csv; none with --kpis)")
    p.add_argument("--scheme", help="scorecard scheme .yaml (default data/scorecard_scheme.yaml)")
    p.add_argument("--plans", help="incentive plans .yaml (default data/incentive_plans.yaml)")
    p.add_argument("--period", choices=["ytd", "qtd", "month"], default="ytd", help="period assessed (default ytd, up to --as-of)")
    p.add_argument("--as-of", help="review date YYYY-MM-DD (default: the last day with actuals)")
    p.add_argument("--no-forecast", action="store_true", help="skip the forward forecast: prior-year difficulty reference and a bootstrap of attainment")
    p.add_argument("--draws", type=int, default=1000, help="forecast draws for the plan simulation (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the simulation (default 0)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of tables and Excel sheets")


def _run_evaluation(args) -> dict:
    from . import io
    from ..orchestration.evaluation import evaluate_kpis, evaluate_year

    if args.draws < 1:
        from ..core.exceptions import ParameterError

        raise ParameterError(f"--draws must be at least 1, not {args.draws}.")
    if args.kpis:
        from ..core import config

        def pick(given, name):
            return given or config.data_path(name, args.data_dir)

        # with an own KPI table the bundled ratings (other people) do not apply: ratings only when given
        return evaluate_kpis(
            io.read_person_kpis(args.kpis),
            io.read_ratings(args.ratings) if args.ratings else None,
            io.read_scorecard_scheme(pick(args.scheme, config.SCORECARD_SCHEME_FILE)),
            io.read_incentive_plans(pick(args.plans, config.INCENTIVE_PLANS_FILE)),
            n_draws=args.draws, seed=args.seed, lang=args.lang,
        )
    inputs = io.read_evaluation_inputs(args.data_dir, scheme=args.scheme, plans=args.plans, ratings=args.ratings,
                                       actuals=args.actuals, activities=args.activities)
    return evaluate_year(inputs, period=args.period, as_of=args.as_of, n_draws=args.draws, seed=args.seed,
                    use_forecast=not args.no_forecast, lang=args.lang)


def _add_scorecard(sub) -> None:
    p = sub.add_parser(
        "scorecard",
        help="考核: score, rank and grade every salesperson; fairness flags",
        description="Scorecard (考核): KPIs and 360 ratings, normalised and weighted into a score, rank and grade "
        "(S/A/B/C/D) with a forced-distribution check and fairness flags (rater leniency, target difficulty, grades by branch).",
    )
    _evaluation_options(p)
    p.add_argument("--top", type=int, default=10, help="rows of the ranking to print (default 10)")
    p.add_argument("--out", help="write .xlsx (ranking, person cards, fairness, ...) or .csv/.parquet (the ranking)")
    p.set_defaults(func=_cmd_scorecard)


def _cmd_scorecard(args) -> int:
    res = _run_evaluation(args)
    zh = args.lang == "zh"
    info = dict(zip(res["info"]["item"], res["info"]["value"]))
    period = (("考核期间" if zh else "Period") + f": {info['period']}  ·  ") if "period" in info else ""
    print(period + ("人数" if zh else "people") + f": {info['people_scored']}")
    grades = res["scores"]["grade"].value_counts()
    order = [g for g in res["grades_by_branch"].columns if g in grades.index or g in ("S", "A", "B", "C", "D")]
    print(("等级分布" if zh else "Grades") + ": " + ", ".join(f"{g} {int(grades.get(g, 0))}" for g in order if g in res["grades_by_branch"].columns))
    print()
    print_table(res["ranking"].head(max(args.top, 0)).iloc[:, :7], floatfmt="{:,.2f}")
    print("\n" + ("强制分布检查" if zh else "Forced distribution"))
    for r in res["forced_distribution"].itertuples():
        print(f"  {r.grades} {r.rule} {r.limit_share:.0%}: {r.count} ({r.share:.1%}) " + ("OK" if r.ok else ("超出" if zh else "VIOLATED")))
    flags = res["fairness_flags"]
    print("\n" + ("公平性提示" if zh else "Fairness flags") + f" ({len(flags)})")
    for m in flags["message"]:
        print("  - " + m)
    if args.out:
        sheets = {k: res[k] for k in ("ranking", "cards", "fairness_flags", "grades_by_branch", "rater_leniency", "target_difficulty",
                                         "forced_distribution", "scheme", "info")}
        names = {"ranking": "排名", "cards": "个人考核卡", "fairness_flags": "公平性提示", "grades_by_branch": "分公司等级分布",
                 "rater_leniency": "评分人宽严", "target_difficulty": "任务难度", "forced_distribution": "强制分布", "scheme": "考核方案", "info": "说明"}
        sheets = {(names[k] if zh else k.replace("_", " ")): v for k, v in sheets.items()}
        _write_outputs(args.out, sheets, res["ranking"], label="考核结果" if zh else "Scorecard")
    return 0


def _add_incentives(sub) -> None:
    p = sub.add_parser(
        "incentives",
        help="激励: compare incentive plans — payout per person, cost P10/P50/P90, %% of gross profit",
        description="Incentive plans (提成/奖金): payouts per person for the actual period (exact in fen), total cost under "
        "forecast draws (P10/P50/P90), cost as %% of revenue and gross profit (flagged when too high), top vs bottom quintile.",
    )
    _evaluation_options(p)
    p.add_argument("--out", help="write .xlsx (comparison, payouts, cost percentiles) or .csv/.parquet (payouts, long)")
    p.set_defaults(func=_cmd_incentives)


def _cmd_incentives(args) -> int:
    res = _run_evaluation(args)
    zh = args.lang == "zh"
    info = dict(zip(res["info"]["item"], res["info"]["value"]))
    period = (("期间" if zh else "Period") + f": {info['period']}  ·  ") if "period" in info else ""
    print(period + ("模拟" if zh else "simulation") + f": {info['simulation']}")
    print()
    print_table(res["plan_comparison"])
    flagged = res["plan_summary"][res["plan_summary"]["flag_gross_profit"]]
    for r in flagged.itertuples():
        print(("\n警示: " if zh else "\nFLAG: ") + (r.label_zh if zh else r.label_en) + (" 支付毛利的 " if zh else " pays away ")
              + f"{r.cost_pct_gross_profit:.1%}" + ("" if zh else " of gross profit") + f" (> {info['gross_profit_flag_share']})")
    if args.out:
        payouts = res["payouts"]
        wide = payouts.pivot_table(index=["salesperson", "branch"], columns="plan", values="total_yuan", aggfunc="sum", sort=False).reset_index()
        wide.columns.name = None
        cost = res["plan_summary"][["plan", "cost_p10_yuan", "cost_p50_yuan", "cost_p90_yuan", "total_cost_yuan", "cost_pct_revenue", "cost_pct_gross_profit"]]
        sheets = {("方案对比" if zh else "plan comparison"): res["plan_comparison"], ("个人奖金" if zh else "payouts by person"): wide,
                  ("奖金明细" if zh else "payout detail"): payouts, ("成本分布" if zh else "cost"): cost,
                  ("说明" if zh else "info"): res["info"]}
        _write_outputs(args.out, sheets, payouts, label="激励方案" if zh else "Incentives")
    return 0


#: Every subcommand, in the order ``--help`` lists them.
COMMANDS = [
    _add_backward,
    _add_generate_data,
    _add_forward,
    _add_report,
    _add_schedule,
    _add_app,
    _add_combined,
    _add_track,
    _add_scorecard,
    _add_incentives,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesanalytics",
        description="Set and run sales targets: 正推法 forward, 倒推法 backward, 结合法 combined; tracking and reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for register in COMMANDS:
        register(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.debug:
        warnings.showwarning = _show_warning
    try:
        return int(args.func(args) or 0)
    except SalesAnalyticsError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    except BrokenPipeError:  # output piped into `head`: not an error
        return 0
    except OSError as exc:
        if args.debug:
            raise
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
