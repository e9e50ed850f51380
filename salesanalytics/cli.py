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

from . import __version__
from .exceptions import SalesAnalyticsError


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
    from .backward import BackwardPlanner

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
    print()
    print_table(table)
    if args.goal_seek:
        result = planner.goal_seek(args.goal_seek, history=history)
        print(("\n反推: " if zh else "\nGoal seek: ") + str(result))
    tidy = planner.tasks(args.level).drop(columns=["gross_profit_task_fen", "sales_task_fen"])
    _write_outputs(args.out, planner.excel_sheets(args.lang), tidy, label="Tasks" if not zh else "任务")
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
    from .config import DATA_DIR

    out = Path(args.out) if args.out else DATA_DIR
    for path in io.write_synthetic_data(out):
        print(f"wrote {path}")
    return 0


#: Every subcommand, in the order ``--help`` lists them.
COMMANDS = [
    _add_backward,
    _add_generate_data,
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
