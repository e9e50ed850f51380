"""The ``salesanalytics`` command: wires options to library calls, nothing more.

Errors the library raises on purpose print one clear message and exit
non-zero without a traceback; ``--debug`` shows the traceback.  Every
subcommand is registered by one ``_add_<name>`` function in ``COMMANDS``.
Tables come from the methods (``tables`` / ``excel_sheets`` / ``summary``) or
:mod:`salesanalytics.adapters.tables`; every word printed comes from
:mod:`salesanalytics.core.labels` (domain ``cli``).

Each command imports its methods inside the command function, so that ``--help``
and the light commands start without loading pandas or the forecasting stack.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .. import __version__
from ..core.exceptions import ParameterError, SalesAnalyticsError
from ..core.labels import LANGS, label, text, value
from . import stops


# ----------------------------------------------------------------------------
# helpers shared by subcommands
# ----------------------------------------------------------------------------
def _lang_option(p, help: str = "language of tables and Excel sheets") -> None:
    p.add_argument("--lang", choices=list(LANGS), default="zh", help=help)


def _sources_option(p) -> None:
    """``--sources FILE``: where the command's inputs come from (database tables or queries, or files); see docs/sources.md."""
    p.add_argument("--sources", metavar="FILE", help="sources file (.yaml) naming, per input, a database table or query or a file "
                   "(see docs/sources.md); an input given as a file option still wins")


def _sources(args):
    """The run's parsed ``--sources`` file (parsed once; nothing connects until an input is read), or None."""
    if not getattr(args, "sources", None):
        return None
    if getattr(args, "_sources_parsed", None) is None:
        from .sources import load_sources

        args._sources_parsed = load_sources(args.sources)
    return args._sources_parsed


def _input(args, key: str, given, reader, option: str | None = None):
    """An input: the file given on the command line, else the ``--sources`` entry ``key``, else None.

    With ``option`` (the input is required) a missing input says how to give it.
    """
    src = _sources(args)
    if given:
        return src.read_plan(given) if key == "plan" and src is not None else reader(given)
    if src is not None and key in src:
        return src.read(key)
    if option:
        raise ParameterError(f"{option} is needed: give a file, or name {key} in a sources file (--sources FILE).")
    return None


def _sourced(args, **given) -> dict:
    """Settings for ``_memo``: the fingerprints (query text + rows read) of the inputs taken from ``--sources``."""
    src = _sources(args)
    if src is None:
        return {}
    return {"sources": {key: src.fingerprint(key) for key, file in sorted(given.items()) if not file and key in src}}


def _show(frame, lang: str, floatfmt: str = "{:,.0f}") -> None:
    from .tables import render_table

    print(render_table(frame, lang, floatfmt=floatfmt))


def _check_as_of(as_of) -> None:
    """Reject a review date after today: actuals cannot exist yet (the methods take the date as given)."""
    import datetime as dt

    import pandas as pd

    from ..core import periods

    if as_of is None:
        return
    try:
        day = pd.Timestamp(as_of).normalize()
    except (ValueError, TypeError):
        return  # not a date at all: the method says so, with the format to use
    periods.check_not_future(day.date(), dt.date.today())


def _draws_options(p) -> None:
    """One number of simulated paths and one seed, the same defaults as the report (config.DEFAULT_DRAWS/SEED)."""
    from ..core import config

    p.add_argument("--draws", type=int, default=config.DEFAULT_DRAWS,
                   help=f"simulated paths behind every probability and range (default {config.DEFAULT_DRAWS}, as in the report)")
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED, help=f"random seed of the simulation (default {config.DEFAULT_SEED})")


def _memo(kind: str, files: dict, settings: dict, compute):
    """``compute()`` once per content of ``files`` and ``settings``; later runs read the result kept on disk."""
    from . import cache

    value, _ = cache.cached(kind, cache.file_parts(files, settings), compute)
    return value


def _plan_files(plan_path) -> dict:
    """The files a plan refers to (branch table, roster): their content is part of the plan."""
    if not plan_path:
        return {}
    return {f"plan_{key}": Path(plan_path).parent / file for key, file in _files_named_in(plan_path)}


def _write_outputs(out: str | None, sheets, tidy, *, what: str, lang: str, args=None) -> None:
    """Write ``sheets()`` to an .xlsx or ``tidy()`` to .csv/.parquet (callables: nothing is built without --out).

    A workbook gets the 说明 / README sheet: what each sheet holds and the options the command ran with.
    """
    from . import io, tables

    if not out:
        return
    path = Path(out)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        options = vars(args) if args is not None else {}
        settings = tables.run_settings(options, lang, command=options.get("command"))
        io.write_excel(tables.workbook(sheets(), lang, settings=settings, command=options.get("command")), path, lang=lang)
    else:
        io.write_table(tidy(), path)
    print(text("cli_written", lang, what=text(what, lang), path=path))


# ----------------------------------------------------------------------------
# backward
# ----------------------------------------------------------------------------
def _add_backward(sub) -> None:
    p = sub.add_parser(
        "backward",
        help="倒推法: derive every branch's monthly task from a required profit/revenue, and the team that can deliver it",
        description="Backward method (倒推法): from the target through the gross margin to each branch's monthly sales task; "
                    "today's capacity at today's productivity, the gross profit per head each task needs, the staffing plan "
                    "with its cost, the org by role, targets by product/market/customer type and the plan's readings side by side.",
    )
    p.add_argument("plan", help="plan file (.yaml), e.g. data/seed_case_2012.yaml")
    p.add_argument("--out", help="write tasks: .xlsx (matrix, tasks, capacity, staffing, org, readings, assumptions), .csv or .parquet (tidy tasks)")
    p.add_argument("--history", help="monthly history (needed for yoy_growth / seasonal-from-history phasing)")
    p.add_argument("--forecast", help="forward forecast (csv/xlsx with branch, month, mean) for allocation: forecast")
    p.add_argument("--mix-history", help="history with a product / market / customer_type column (e.g. actuals) for a mix 'from: history'")
    p.add_argument("--level", choices=["branch", "salesperson"], default="branch", help="rows of the tidy CSV/Parquet output")
    p.add_argument("--by", metavar="DIMENSION", help="split the tidy CSV/Parquet output by the plan's mix: product, market or customer_type")
    p.add_argument("--goal-seek", metavar="PARAM", help="solve for one input that lets today's team reach the target: productivity_growth, headcount, gp_per_head, gross_margin")
    _sources_option(p)
    _lang_option(p)
    p.set_defaults(func=_cmd_backward)


def _cmd_backward(args) -> int:
    from ..methods.backward import BackwardPlanner
    from . import io, tables

    lang = args.lang
    plan = _input(args, "plan", args.plan, io.read_plan)
    history = _input(args, "history", args.history, io.read_history)
    forecast = io.read_forecast(args.forecast) if args.forecast else None
    mix_history = io.read_actuals(args.mix_history) if args.mix_history else None
    planner = BackwardPlanner(plan).fit(history=history, forecast=forecast, mix_history=mix_history)
    for dimension in [d for d, shares in planner.mix_.items() if shares is None]:
        planner.mix_targets(dimension)  # a mix 'from: history' without that history: say which file to give, before printing
    s = planner.summary()
    print(f"{plan.name or plan.source} — {s['year']}")
    print(text("cli_backward_target", lang, kind=value("cli_target_kind", s["target_kind"], lang), amount=s["target_yuan"]))
    print(text("cli_gross_profit_required", lang, amount=s["gross_profit_required_yuan"]))
    print(text("cli_revenue_required", lang, amount=s["revenue_required_yuan"], margin=s["effective_margin"]))
    for line in tables.backward_team_lines(planner, lang):
        print(line)
    print()
    _show(tables.backward_overview(planner, lang), lang)
    sections = [("bw_heading_per_head", tables.backward_per_head(planner, lang)),
                ("bw_heading_hires", tables.backward_hires(planner, lang)),
                ("bw_heading_org", tables.backward_org(planner, lang))]
    sections += [(("bw_heading_mix", label(m.dimension, lang, "backward")), tables.backward_mix(planner, m.dimension, lang)) for m in plan.mix]
    if plan.readings:
        sections.append(("bw_heading_sensitivity", tables.backward_sensitivity(planner, lang)))
    for key, frame in sections:
        heading = text(key[0], lang, dimension=key[1]) if isinstance(key, tuple) else text(key, lang)
        print(f"\n{heading}")
        _show(frame, lang)
    if args.goal_seek:
        print(text("cli_goal_seek", lang, result=planner.goal_seek(args.goal_seek, history=history)))

    def tidy():
        frame = planner.mix_targets(args.by, args.level) if args.by else planner.tasks(args.level)
        return frame.drop(columns=["gross_profit_task_fen", "sales_task_fen"])

    _write_outputs(args.out, lambda: planner.excel_sheets(lang), tidy, what="cli_what_tasks", lang=lang, args=args)
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
    p.add_argument("history", nargs="?", help="monthly history in long format (.csv/.xlsx/.parquet), e.g. data/history_monthly.csv "
                   "(or history in --sources FILE)")
    p.add_argument("--industry", help="industry market size per year (year, market_size, kind actual/outlook)")
    p.add_argument("--industry-weight", type=float, default=0.3, help="weight of the market-share estimate in the blend, 0-1 (default 0.3)")
    p.add_argument("--industry-growth", type=float, help="market growth %% per year for forecast years the industry file does not cover (default: its last growth rate)")
    p.add_argument("--market-uncertainty", type=float, metavar="PCT",
                   help="the market movement all branches share, sd in %% a year, as a floor (what their history already shows "
                        "counts towards it): e.g. your industry outlook's uncertainty (default 6, chosen by measured coverage; 0: none)")
    p.add_argument("--horizon", type=int, default=12, help="months to forecast, 1-60 (default 12)")
    p.add_argument("--level", type=float, nargs="+", default=[80, 95], help="interval levels in percent (default 80 95)")
    p.add_argument("--method", default="auto", help="auto (default: backtest on the history picks per series), comb (ETS+Theta+seasonal naive), or ets, theta, snaive, arima, ets+theta, ...")
    p.add_argument("--fill", choices=["zero", "interpolate"], help="fill missing months instead of stopping with an error")
    p.add_argument("--no-calendar", dest="calendar", action="store_false",
                   help="do not adjust for the Spring Festival and working days (default: adjusted when the company's history shows the effect)")
    p.add_argument("--n-jobs", type=int, default=1, help="parallel workers over series (-1: all cores)")
    p.add_argument("--out", help="write the tidy forecast: .csv/.parquet, or .xlsx with summary, targets, model weights and calendar sheets")
    _sources_option(p)
    _lang_option(p, "language of the summary")
    p.set_defaults(func=_cmd_forward)


def _cmd_forward(args) -> int:
    from ..methods.forward import Forecaster
    from . import io, tables

    lang = args.lang
    history = _input(args, "history", args.history, io.read_history, "HISTORY")
    industry = _input(args, "industry", args.industry, io.read_industry)
    fc = Forecaster(horizon=args.horizon, levels=tuple(args.level), n_jobs=args.n_jobs, method=args.method,
                    industry_weight=args.industry_weight, industry_growth=args.industry_growth, fill=args.fill,
                    calendar=args.calendar, market_uncertainty=args.market_uncertainty)
    fc.fit(history, industry=industry)
    months = fc.months_
    print(text("cli_forward_title", lang, start=f"{months[0]:%Y-%m}", end=f"{months[-1]:%Y-%m}", n=len(fc.series_)))
    print()
    _show(tables.forward_summary(fc, lang), lang)
    targets = fc.target_suggestions(lang=lang)
    print(text("cli_target_suggestions", lang))
    _show(tables.forward_targets(targets, lang), lang)
    if fc.horizon_ > 12:
        print(text("cli_company_outlook", lang))
        _show(tables.forward_company_outlook(fc.outlook(lang=lang), lang), lang)
    note = fc.report(lang)
    if note:
        print("\n" + note)
    _write_outputs(args.out, lambda: tables.forward_sheets(fc, lang, targets=targets), fc.predict,
                   what="cli_what_forecast", lang=lang, args=args)
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
    p.add_argument("--history", help="monthly history (long format), e.g. data/history_monthly.csv (required unless in --sources)")
    p.add_argument("--plan", help="plan file (.yaml), e.g. data/plan_2026.yaml (required unless in --sources)")
    p.add_argument("--scenarios", help="scenario file (.yaml), e.g. data/scenarios_2026.yaml (default: built-in 保守/基准/激进)")
    p.add_argument("--adjustments", help="manager adjustments (csv/xlsx: branch, month or year, amount_yuan or change_pct, reason, author, adjusted_on)")
    p.add_argument("--out", help="write every table: .xlsx (one sheet per table, all scenarios), .csv or .parquet (the targets)")
    p.add_argument("--industry", help="industry market size (csv/xlsx) for the forecaster's market-share blend (optional)")
    _draws_options(p)
    _sources_option(p)
    _lang_option(p)
    p.set_defaults(func=_cmd_combined)


def _cmd_combined(args) -> int:
    from ..methods.adjustments import parse_adjustments
    from ..methods.combined import CombinedPlanner
    from . import io, tables

    lang = args.lang
    plan = _input(args, "plan", args.plan, io.read_plan, "--plan")
    history = _input(args, "history", args.history, io.read_history, "--history")
    scenarios = _input(args, "scenarios", args.scenarios, io.read_scenarios)
    adjustments = _input(args, "adjustments", args.adjustments, io.read_adjustments)
    if adjustments is not None:
        # checked against the plan before the forecast is fitted: a typo fails in a second, not after the fit
        adjustments = parse_adjustments(adjustments, plan.branch_names, plan.year, source=args.adjustments or adjustments.attrs.get("source"))
    industry = _input(args, "industry", args.industry, io.read_industry)

    def compute():
        return CombinedPlanner(plan, n_draws=args.draws, seed=args.seed).fit(history, industry=industry).run(scenarios, adjustments=adjustments)

    given = {"plan": args.plan, "history": args.history, "scenarios": args.scenarios, "adjustments": args.adjustments,
             "industry": args.industry}
    run = _memo("combined", {**given, **_plan_files(args.plan)},
                {"draws": args.draws, "seed": args.seed, **_sourced(args, **given)}, compute)
    first = tables.base_scenario(run)
    print(text("cli_combined_title", lang, name=plan.name or plan.source, year=plan.year))
    for name in [first] + [n for n in run.results if n != first]:
        print(run.results[name].headline(lang))
    print()
    _show(tables.combined_comparison(run, lang), lang, "{:,.2f}")
    res = run.results[first]
    print(text("cli_branches_of", lang, scenario=res.scenario.label(lang)))
    _show(tables.combined_branches(res, lang), lang, "{:,.2f}")
    log = tables.combined_adjustments(res, lang)
    if len(log):
        print(text("cli_adjustment_log", lang))
        _show(log, lang, "{:,.2f}")
    # a .csv/.parquet is the targets file that `track --targets` reads (month, branch, sales_task, gross_profit_task)
    _write_outputs(args.out, lambda: run.excel_sheets(lang), res.targets, what="cli_what_combined", lang=lang, args=args)
    return 0


# ----------------------------------------------------------------------------
# generate-data
# ----------------------------------------------------------------------------
def _add_generate_data(sub) -> None:
    p = sub.add_parser("generate-data", help="rebuild the bundled SYNTHETIC data set in data/ (fixed seed)")
    p.add_argument("--out", default=None, help="folder to write into (default: the project's data/)")
    p.add_argument("--branches", type=int, default=None, help="number of branches (default: the bundled 14; more clone their profiles)")
    p.add_argument("--people-per-branch", type=float, default=None, help="salespeople per branch (default: the bundled rosters)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the bundled data set's)")
    _lang_option(p, "language of the messages")
    p.set_defaults(func=_cmd_generate_data)


def write_synthetic_data(out_dir, **sizes) -> list[Path]:
    """Make the SYNTHETIC data set (:func:`salesanalytics.methods.datagen.make_dataset`; ``sizes``: branches,
    people_per_branch, seed — none given is exactly the bundled set) and write it into ``out_dir``."""
    from ..core import config
    from ..methods import datagen
    from . import io

    out = Path(out_dir)
    data = datagen.make_dataset(**{k: v for k, v in sizes.items() if v is not None})
    files = (("history", config.HISTORY_FILE), ("industry", config.INDUSTRY_FILE), ("roster", config.ROSTER_FILE),
             ("ratings", config.RATINGS_FILE), ("actuals", config.ACTUALS_FILE), ("activities", config.ACTIVITIES_FILE),
             ("customers", config.CUSTOMERS_FILE), ("customer_activities", config.CUSTOMER_ACTIVITIES_FILE))
    written = [io.write_table(data[key], out / name) for key, name in files]
    header = (f"# {datagen.SYNTHETIC_NOTE}\n"
              "# The 2026 plan of the synthetic company (倒推法). Edit freely; see seed_case_2012.yaml for every key.\n")
    written.append(io.write_yaml(out / config.PLAN_FILE, data["plan"], header=header))
    return written


def _cmd_generate_data(args) -> int:
    from ..core.config import DATA_DIR

    sizes = {"branches": args.branches, "people_per_branch": args.people_per_branch, "seed": args.seed}
    for path in write_synthetic_data(Path(args.out) if args.out else DATA_DIR, **sizes):
        print(text("cli_wrote", args.lang, path=path))
    return 0


# ----------------------------------------------------------------------------
# report / schedule / app
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
    _lang_option(p, "report language")
    p.add_argument("-p", "--param", action="append", metavar="NAME=VALUE", help="notebook parameter (checked against the notebooks' declared parameters and types); repeatable")
    p.add_argument("--only", action="append", metavar="REPORT", help="render only this report (name without .ipynb); repeatable")
    p.add_argument("--cell-timeout", type=float, default=600, help="seconds a cell may run before the kernel is stopped (default 600)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks rendered at once, each in its own kernel (default 2)")
    p.add_argument("--rerun", action="store_true",
                   help="execute every page again, even one whose notebook, parameters, input files and code are unchanged "
                        "(by default such a page is taken from the cache)")
    p.add_argument("--pdf", action="store_true", help="also print every page and the whole set to PDF (A4 landscape, through Debian's chromium)")
    _sources_option(p)
    p.set_defaults(func=_cmd_report)


def _cmd_report(args) -> int:
    from ..core import config
    from .kernels import Lanes

    # the kernels start first, and boot while this process imports pandas, papermill and nbconvert
    # and computes the quarter's state (see kernels.py); the lanes end with the run, interrupted or not
    n_lanes = min(max(1, int(args.jobs)), len(args.only)) if args.only else max(1, int(args.jobs))
    with Lanes(n_lanes, cwd=config.NOTEBOOKS_DIR) as lanes:
        from ..core.exceptions import suggest
        from . import report

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
            sources=args.sources, pdf=args.pdf, lanes=lanes, reuse=not args.rerun,
        )
    for r in result.reports:
        line = "cli_report_line_reused" if r.get("reused") else "cli_report_line"
        print(text(line, args.lang, file=r["file"], seconds=r["seconds"], title=r["title"]))
    print(text("cli_report_done", args.lang, quarter=result.quarter, n=len(result.reports), seconds=result.seconds))
    print(text("cli_report_index", args.lang, path=result.index))
    return 0


def _add_schedule(sub) -> None:
    p = sub.add_parser("schedule", help="print a crontab line and a systemd timer that render the reports on the first day of each quarter")
    p.add_argument("--out", help="reports folder the scheduled run writes to (default: reports/)")
    _lang_option(p, "report language")
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
    _lang_option(p, "language of the command's messages")
    p.add_argument("--idle-timeout", type=int, default=None, metavar="SECONDS", help="shut down a kernel idle this long, e.g. its page closed (default 900)")
    p.add_argument("--cull-interval", type=int, default=None, metavar="SECONDS", help="seconds between checks for idle kernels (default 60)")
    p.set_defaults(func=_cmd_app)


def _cmd_app(args) -> int:
    from . import app

    return app.serve(args.notebook, port=args.port, open_browser=args.open, lang=args.lang,
                     idle_timeout=args.idle_timeout or app.IDLE_TIMEOUT, cull_interval=args.cull_interval or app.CULL_INTERVAL)


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
    p.add_argument("--targets", help="targets in long format (csv/xlsx: month, branch[, salesperson], sales_task), "
                   "e.g. from `backward --level salesperson --out targets.csv`; or a plan .yaml (tasks are derived with --history)")
    p.add_argument("--actuals", help="actuals by day (date column) or month (month column), e.g. data/actuals_2026.csv (required unless in --sources)")
    p.add_argument("--activities", help="daily activity records (visits, new customers, quotes, deals, cash collected)")
    p.add_argument("--history", help="monthly history before the plan year: re-forecasts the remaining months (forward method)")
    p.add_argument("--as-of", help="review date YYYY-MM-DD (default: the last day with actuals)")
    p.add_argument("--measure", choices=["sales", "gross_profit"], default="sales", help="what to track (default sales)")
    p.add_argument("--sum-duplicates", action="store_true", help="add up actual rows with the same key instead of stopping")
    p.add_argument("--green", type=float, default=100.0, help="green light from this %% of the time-adjusted target (default 100)")
    p.add_argument("--yellow", type=float, default=90.0, help="yellow light from this %% (default 90); below is red")
    p.add_argument("--out", help="write every table: .xlsx (one sheet each) or .csv/.parquet (tidy attainment, all levels and periods)")
    _draws_options(p)
    _sources_option(p)
    _lang_option(p)
    p.set_defaults(func=_cmd_track)


def _cmd_track(args) -> int:
    import pandas as pd

    from ..methods.tracking import COMPANY, Tracker
    from ..orchestration.cycle import plan_targets
    from . import io, tables

    lang = args.lang
    _check_as_of(args.as_of)

    def compute():
        history = _input(args, "history", args.history, io.read_history)
        src = _sources(args)
        from_plan = (Path(args.targets).suffix.lower() in (".yaml", ".yml") if args.targets
                     else src is not None and "targets" not in src and "plan" in src)  # the sources' plan: its backward tasks
        if from_plan:
            plan = _input(args, "plan", args.targets, io.read_plan)
            targets = plan_targets(plan, history)  # the same targets the quarter's report tracks (by product with a mix)
        else:
            targets = _input(args, "targets", args.targets, io.read_targets, "--targets")
        actuals = _input(args, "actuals", args.actuals, io.read_actuals, "--actuals")
        activities = _input(args, "activities", args.activities, io.read_activities)
        tracker = Tracker(
            as_of=args.as_of,
            thresholds={"green": args.green, "yellow": args.yellow},
            measure=args.measure,
            duplicates="sum" if args.sum_duplicates else "error",
        ).fit(targets, actuals, activities)
        _check_as_of(tracker.as_of_)  # without --as-of: the last day with actuals (checked before anything is kept)
        return tracker, tracker.review(history, n_draws=args.draws, seed=args.seed)

    # a re-run on the same files and settings reads the result kept on disk (same figures, seconds faster)
    given = {"targets": args.targets, "actuals": args.actuals, "activities": args.activities, "history": args.history}
    tracker, review = _memo("track", given,
                            {"as_of": args.as_of, "green": args.green, "yellow": args.yellow, "measure": args.measure,
                             "sum_duplicates": args.sum_duplicates, "draws": args.draws, "seed": args.seed,
                             **_sourced(args, plan=args.targets, **given)}, compute)
    _check_as_of(tracker.as_of_)
    s = tracker.summary()
    print(text("cli_track_as_of", lang, as_of=s["as_of"], year=s["year"], measure=value("cli_measure", s["measure"], lang)))
    print(text("cli_track_headline", lang, annual=s["annual_target_yuan"], actual=s["ytd_actual_yuan"],
               pct=s["ytd_attainment_pct"], gap=s["remaining_gap_yuan"]))
    print()
    _show(tables.tracking_standing(review["standing"], lang, company=COMPANY), lang, "{:,.1f}")
    o = review["outlook"].set_index("branch").loc[COMPANY]
    print()
    print(text("cli_track_outlook", lang, projected=o["projected_year_end"], pct=o["projected_attainment_pct"], lo=o["lo_80"],
               hi=o["hi_80"], prob=o["prob_reach_target"], method=value("cli_outlook_method", o["method"], lang)))
    if "pace_branch" in review:
        pace = review["pace_branch"]
        print(text("cli_track_pace", lang, month=f"{pd.Timestamp(pace['pace_month'].iloc[0]):%Y-%m}",
                   days=int(pace["working_days_left"].iloc[0])))
        _show(tables.tracking_pace(pace, lang, company=COMPANY), lang)
    if len(review["unmatched"]):
        print(text("cli_unmatched", lang))
        _show(tables.tracking_unmatched(review["unmatched"], lang), lang, "{:,.2f}")
    _write_outputs(args.out, lambda: tracker.excel_sheets(lang, review=review), lambda: tables.tracking_tidy(tracker),
                   what="cli_what_tracking", lang=lang, args=args)
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
    _draws_options(p)
    _sources_option(p)
    _lang_option(p)


def _run_evaluation(args) -> dict:
    from ..core import config
    from ..orchestration.evaluation import evaluate_kpis, evaluate_year
    from . import io

    if args.draws < 1:
        raise ParameterError(f"--draws must be at least 1, not {args.draws}.")
    _check_as_of(args.as_of)
    src = _sources(args)

    def path(given, name):
        return given or config.data_path(name, args.data_dir)

    if args.kpis or (src is not None and "kpis" in src):
        # with an own KPI table the bundled ratings (other people) do not apply: ratings only when given
        return evaluate_kpis(
            _input(args, "kpis", args.kpis, io.read_person_kpis),
            _input(args, "ratings", args.ratings, io.read_ratings),
            _input(args, "scheme", args.scheme, io.read_scorecard_scheme) or io.read_scorecard_scheme(path(None, config.SCORECARD_SCHEME_FILE)),
            _input(args, "incentive_plans", args.plans, io.read_incentive_plans) or io.read_incentive_plans(path(None, config.INCENTIVE_PLANS_FILE)),
            n_draws=args.draws, seed=args.seed, lang=args.lang,
        )
    def compute():
        if src is not None:
            from .sources import evaluation_inputs

            given = [name for name in ("actuals", "activities", "ratings", "scheme", "plans") if getattr(args, name)]
            inputs = evaluation_inputs(src, files, given)
        else:
            inputs = io.read_evaluation_inputs(args.data_dir, scheme=args.scheme, plans=args.plans, ratings=args.ratings,
                                               actuals=args.actuals, activities=args.activities)
        return evaluate_year(inputs, period=args.period, as_of=args.as_of, n_draws=args.draws, seed=args.seed,
                             use_forecast=not args.no_forecast, lang=args.lang)

    files = {"plan": path(None, config.PLAN_FILE), "history": path(None, config.HISTORY_FILE), "roster": path(None, config.ROSTER_FILE),
             "actuals": path(args.actuals, config.ACTUALS_FILE), "activities": path(args.activities, config.ACTIVITIES_FILE),
             "ratings": path(args.ratings, config.RATINGS_FILE), "scheme": path(args.scheme, config.SCORECARD_SCHEME_FILE),
             "plans": path(args.plans, config.INCENTIVE_PLANS_FILE)}
    return _memo("evaluation", files, {"period": args.period, "as_of": args.as_of, "draws": args.draws, "seed": args.seed,
                                       "forecast": not args.no_forecast, "lang": args.lang,
                                       **_sourced(args, plan=None, history=None, roster=None, actuals=args.actuals, activities=args.activities,
                                                  ratings=args.ratings, scheme=args.scheme, incentive_plans=args.plans)}, compute)


def _info(res) -> dict:
    """The evaluation's notes by item code (its table is labelled, indexed by the codes)."""
    info = res["info"]
    return dict(zip(info.index, info.iloc[:, -1]))


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
    from ..orchestration.evaluation import excel_sheets
    from . import tables

    lang = args.lang
    res = _run_evaluation(args)
    info = _info(res)
    period = text("cli_assessed_period", lang, period=info["period"]) if "period" in info else ""
    print(period + text("cli_people", lang, n=info["people_scored"]))
    print(text("cli_grades", lang, counts=tables.grade_counts(res)))
    print()
    _show(res["ranking"].head(max(args.top, 0)).iloc[:, :7], lang, "{:,.2f}")
    print(text("cli_forced_distribution", lang))
    for line in tables.forced_lines(res, lang):
        print(line)
    messages = res["fairness_flags"][label("message", lang, "scorecard")]
    print(text("cli_fairness_flags", lang, n=len(messages)))
    for m in messages:
        print("  - " + m)
    _write_outputs(args.out, lambda: excel_sheets(res, lang, "scorecard"), lambda: res["ranking"], what="cli_what_scorecard", lang=lang, args=args)
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
    from ..orchestration.evaluation import excel_sheets

    lang = args.lang
    res = _run_evaluation(args)
    info = _info(res)
    period = text("cli_period_prefix", lang, period=info["period"]) if "period" in info else ""
    print(period + text("cli_simulation", lang, simulation=info["simulation"]))
    print()
    _show(res["plan_comparison"], lang)
    summary = res["plan_summary"]
    for r in summary[summary["flag_gross_profit"]].itertuples():
        print(text("cli_cost_flag", lang, plan=getattr(r, f"label_{lang}"), share=r.cost_pct_gross_profit,
                   limit=info["gross_profit_flag_share"]))
    _write_outputs(args.out, lambda: excel_sheets(res, lang, "incentives"), lambda: res["payouts"], what="cli_what_incentives", lang=lang, args=args)
    return 0


# ----------------------------------------------------------------------------
# customers (资产客户 vs 负债客户)
# ----------------------------------------------------------------------------
def _add_customers(sub) -> None:
    p = sub.add_parser(
        "customers",
        help="资产客户 vs 负债客户: customer value, time, opportunity cost, classes with reasons, advice per salesperson",
        description="Which customers are worth the team's time (开拓力): gross profit, hours and gross profit per hour, days to collect, "
        "lifetime value (BG/NBD + Gamma-Gamma) with its range, referrals; the handbook's opportunity cost (hours x the "
        "salesperson's asset-customer rate - gross profit); 资产/观察/负债 with the figures that decided it; hours to free and "
        "the gross profit they bring, per salesperson, branch and company; customers to re-price, move to a cheaper channel or hand over.",
    )
    p.add_argument("--deals", help="deal lines with customer_id (default: the bundled data/actuals_2026.csv)")
    p.add_argument("--activities", help="time spent on customers (default: data/customer_activities_2026.csv)")
    p.add_argument("--customers", help="the customer list with referred_by (default: data/customers_2026.csv)")
    p.add_argument("--data-dir", help="folder of the bundled inputs (default: the project's data/)")
    p.add_argument("--as-of", help="last day of the period YYYY-MM-DD (default: the last deal)")
    p.add_argument("--start", help="first day of the period YYYY-MM-DD (default: 1 January of the as-of year)")
    p.add_argument("--rule", action="append", metavar="NAME=VALUE",
                   help="a classification threshold, e.g. liability_oc_share=0.6 or asset_top_share=0.25 (repeatable; see docs/data-format.md)")
    p.add_argument("--no-lifetime", action="store_true", help="skip the lifetime-value model (faster; classes use the period's value only)")
    p.add_argument("--top", type=int, default=10, help="liability customers to print (default 10)")
    p.add_argument("--out", help="write every table: .xlsx (one sheet each) or .csv/.parquet (the customer table)")
    _lang_option(p)
    p.set_defaults(func=_cmd_customers)


def _rule_values(items) -> dict:
    out = {}
    for item in items or ():
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--rule '{item}' is not NAME=VALUE. Fix: write it like --rule liability_oc_share=0.6.")
        try:
            number = float(raw)
        except ValueError:
            raise ParameterError(f"--rule {key.strip()}: '{raw}' is not a number.") from None
        out[key.strip()] = int(number) if number.is_integer() and key.strip() == "asset_min_referrals" else number
    return out


def _cmd_customers(args) -> int:
    from ..methods.customers import CustomerValue
    from . import io

    lang = args.lang
    _check_as_of(args.as_of)
    rules = _rule_values(args.rule)
    inputs = io.read_customer_inputs(args.data_dir, deals=args.deals, activities=args.activities, customers=args.customers)
    model = CustomerValue(rules or None, as_of=args.as_of, start=args.start, lifetime=not args.no_lifetime)
    model.fit(inputs["deals"], inputs["activities"], inputs["customers"])
    s = model.summary()
    print(text("cli_customers_title", lang, start=s["start"], as_of=s["as_of"], months=s["months"]))
    print(text("cli_customers_classes", lang, customers=s["customers"], asset=s["asset_customers"], watch=s["watch_customers"],
               liability=s["liability_customers"]))
    print(text("cli_customers_time", lang, hours=s["hours"], asset=s["asset_hours_pct"], watch=s["watch_hours_pct"],
               liability=s["liability_hours_pct"], unassigned=s["unassigned_hours_pct"]))
    print(text("cli_customers_gp", lang, gp=s["gross_profit"], asset=s["asset_gp_pct"], liability=s["liability_gp_pct"], rate=s["company_asset_rate"]))
    print(text("cli_customers_oc", lang, oc=s["opportunity_cost"], hours=s["hours_freed_per_month"], gain=s["gp_at_asset_rate_per_month"],
               lost=s["gp_given_up_per_month"], net=s["net_gain_per_month"]))
    if "clv_total" in s:
        print(text("cli_customers_clv", lang, months=s["clv_horizon_months"], clv=s["clv_total"], n=s["clv_customers"], repeat=s["clv_repeat_buyers"]))
    if s["unassigned_lines"] or s["unassigned_hours"]:
        print(text("cli_customers_unassigned", lang, lines=s["unassigned_lines"], gp=s["unassigned_gross_profit"], hours=s["unassigned_hours"]))
    views = model.tables(lang, names=("advice", "top_actions"))
    print(text("cli_customers_branches", lang))
    _show(views["advice"], lang)
    print(text("cli_customers_actions", lang))
    _show(views["top_actions"].head(max(args.top, 0)), lang)
    _write_outputs(args.out, lambda: model.excel_sheets(lang), model.customers, what="cli_what_customers", lang=lang, args=args)
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
    _add_customers,
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


def _check_out(args) -> None:
    """``--out`` must not name an input of the command: an output never replaces what it was made from."""
    import os

    out = getattr(args, "out", None)
    if not out or not Path(out).exists():
        return
    given = [(name, path) for name, path in vars(args).items() if name != "out" and isinstance(path, str) and path]
    for name, path in list(given):
        if Path(path).suffix.lower() in (".yaml", ".yml") and Path(path).is_file():
            given += [(f"{name}'s {key}", str(Path(path).parent / file)) for key, file in _files_named_in(path)]
    for name, path in given:
        try:
            same = Path(path).exists() and os.path.samefile(path, out)
        except OSError:
            same = False
        if same:
            option = name if name.split("'")[0] in ("plan", "history", "notebook") else "--" + name.replace("_", "-")
            raise ParameterError(f"--out {out} is the input given as {option}; writing there would overwrite it. "
                                 "Fix: name another output file or folder.")


def _files_named_in(plan_path: str) -> list[tuple[str, str]]:
    """(key, file) of the tables a plan points to (branches, roster): inputs too, even when a cached result skips reading them."""
    from . import io

    try:
        data = io.read_yaml(plan_path)
    except SalesAnalyticsError:  # the command reports it when it reads the plan
        return []
    out = []
    for key in ("branches", "roster"):
        spec = data.get(key)
        file = spec if isinstance(spec, str) else spec.get("file") if isinstance(spec, dict) else None
        if isinstance(file, str) and file:
            out.append((key, file))
    return out


def _flush(buffered) -> None:
    """Print what a command printed while its outputs were written; a closed stdout (``| head``) loses nothing else."""
    import os

    if buffered is None or not buffered.getvalue():
        return
    try:
        sys.stdout.write(buffered.getvalue())
        sys.stdout.flush()
    except BrokenPipeError:
        if sys.stdout is sys.__stdout__:  # no "Exception ignored ... BrokenPipeError" when Python exits
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def main(argv: list[str] | None = None, *, program: bool = False) -> int:
    """Run one command; errors print one line (no traceback) and give a non-zero exit code.

    Printed output is held back until the command's files are written, so a reader that closes
    stdout early (``| head -1``) never costs the ``--out`` file.  SIGTERM and SIGHUP stop a
    command like Ctrl-C: the message, the cleanup, exit 128 + the signal's number.  ``program``
    (``python -m salesanalytics``): once a stop has been handled, further stop signals are ignored
    until the process ends (a second Ctrl-C, or one the kernels' process group passes on, would
    otherwise end it by the signal after the cleanup and its message: exit -2 instead of 130).
    """
    import contextlib
    import io as text_io

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.debug:
        warnings.showwarning = _show_warning
    # `app` serves until stopped and prints its address at once: nothing to hold back there
    buffered = text_io.StringIO() if getattr(args, "out", None) and args.command != "app" else None
    restore = stops.policy()
    message, code = None, 0
    try:
        if program and args.command == "report":  # a stop whose interrupt Python loses is still acted on (stops.noting)
            stops.PROCESS = stops.noting()
        with contextlib.ExitStack() as stack:
            if buffered is not None:
                from . import io

                stack.enter_context(contextlib.redirect_stdout(buffered))
                stack.enter_context(io.protect_inputs())
            _check_out(args)
            code = int(args.func(args) or 0)
    except SalesAnalyticsError as exc:
        if args.debug:
            raise
        message, code = f"error: {exc}", getattr(exc, "exit_code", 1)
    except BrokenPipeError:  # output piped into `head`: not an error
        code = 0
    except OSError as exc:
        if args.debug:
            raise
        from .io import os_error

        message, code = f"error: {os_error(exc, getattr(exc, 'filename', None) or '?', 'used')}", 1
    except stops.Stopped as exc:
        message, code = "error: stopped by a signal; temporary files were removed and earlier outputs kept.", 128 + exc.signum
    except KeyboardInterrupt:
        message, code = "interrupted; temporary files were removed and earlier outputs kept.", 130
    finally:
        if program and code >= 128:  # stopped and cleaned up: further stop signals are ignored until the process ends
            stops.ignore()
        else:
            restore()
        _flush(buffered)
    if message:
        print(message, file=sys.stderr)
    return code


def run() -> int:
    """The ``salesanalytics`` command (and ``python -m salesanalytics``): :func:`main` as a whole program."""
    return main(program=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
