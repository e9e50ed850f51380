"""Printed and exported views that the methods do not (yet) offer themselves, and plain-text tables.

Each function takes a fitted method object (or its result tables), picks the columns a
person needs and labels them through :mod:`salesanalytics.core.labels`; the command line
only prints what these return.  A column's words come from its method's label domain when
that domain has them, otherwise from the ``cli`` domain (or ``common``).

When a method grows its own ``tables(lang)`` / ``excel_sheets(lang)`` for one of these
views, the function here should become a one-line call to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..core import labels as L
from ..core.schema import BRANCH, SALESPERSON
from . import formatting as F


# ----------------------------------------------------------------------------
# plain-text rendering
# ----------------------------------------------------------------------------
def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


_PLACES = re.compile(r"\.(\d+)f")


def _column_cells(values: list, kind: str, lang: str, places: int) -> list[str]:
    """A column's cells as text: money and unnamed numbers at the table's precision, the rest by their kind."""
    if kind == "date" and all(F._missing(v) or getattr(v, "day", 0) == 1 for v in values):
        kind = "month"  # a column of month starts nobody named
    if kind in ("money", "number"):
        return ["" if F._missing(v) else F.format_value(v, kind, lang, decimals=places) for v in values]
    return [F.format_value(v, kind, lang) for v in values]


def render_table(frame: pd.DataFrame, lang: str = "zh", *, floatfmt: str = "{:,.0f}", kinds: Mapping[str, str] | None = None) -> str:
    """A small frame as aligned text: first column left, the others right (CJK-aware widths).

    Cells are formatted by their column's kind (:mod:`salesanalytics.adapters.formatting`):
    percentages with one decimal, multiples with 倍/×, counts as integers, months ``YYYY-MM``;
    money and numbers nobody named at the precision of ``floatfmt`` (whole yuan by default: the
    terminal shows summaries, the workbook the fen).  ``kinds``: the caller's word per column.
    """
    if frame.index.name or isinstance(frame.index, pd.MultiIndex):
        frame = frame.reset_index()
    match = _PLACES.search(floatfmt)
    places = int(match.group(1)) if match else 0
    cols = [str(c) for c in frame.columns]
    columns = []
    for pos, col in enumerate(frame.columns):
        values = frame.iloc[:, pos].tolist()
        columns.append(_column_cells(values, F.column_kind(col, values, kinds=kinds), lang, places))
    cells = [list(row) for row in zip(*columns)] if columns else []
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(cols)]

    def line(values):
        parts = []
        for i, v in enumerate(values):
            pad = " " * (widths[i] - _width(v))
            parts.append(v + pad if i == 0 else pad + v)
        return "  ".join(parts)

    return "\n".join([line(cols)] + [line(r) for r in cells])


# ----------------------------------------------------------------------------
# labels of the views
# ----------------------------------------------------------------------------
def header(key: str, lang: str, domain: str) -> str:
    """The column label of ``key``: the method's domain first, then the CLI's and common."""
    if key in L.COLUMNS.get(domain, {}):
        return L.label(key, lang, domain)
    return L.label(key, lang, "cli")


def _labelled(frame: pd.DataFrame, lang: str, domain: str) -> pd.DataFrame:
    return frame.rename(columns={c: header(c, lang, domain) for c in frame.columns})


def _pick(raw: pd.DataFrame, labelled: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Columns ``names`` of ``raw`` taken from its labelled twin (same columns, renamed)."""
    position = {c: i for i, c in enumerate(raw.columns)}
    return labelled.iloc[:, [position[n] for n in names]]


def _company_word(frame: pd.DataFrame, lang: str, company: str) -> pd.DataFrame:
    """The company-total row's name in ``lang`` (the methods name it 全公司)."""
    if BRANCH in frame.columns:
        frame = frame.assign(**{BRANCH: frame[BRANCH].where(frame[BRANCH] != company, L.text("cli_company", lang))})
    return frame


# ----------------------------------------------------------------------------
# backward
# ----------------------------------------------------------------------------
def backward_overview(planner, lang: str = "zh") -> pd.DataFrame:
    """Per branch and in total: the annual tasks next to today's capacity (today's productivity), the
    multiple the task needs, the most stretched month's multiple per head and the people the staffing plan adds."""
    s = planner.summary()
    cap = planner.capacity_.set_index(BRANCH)
    sales = planner.matrix("sales_task", lang)
    annual = sales.columns[-1]  # the 合计 / Total column of the matrix
    table = pd.DataFrame(index=sales.index)
    table[header("sales_task", lang, "backward")] = sales[annual]
    table[header("gross_profit_task", lang, "backward")] = planner.matrix("gross_profit_task", lang)[annual]
    total_row = table.index[-1]  # the 合计 / Total row of the matrix
    totals = {"capacity_gross_profit": s["capacity_gross_profit_yuan"], "capacity_multiple": s["capacity_multiple"],
              "peak_vs_today": s["peak_vs_today"], "months_flagged": float(cap["months_flagged"].sum()),
              "extra_heads_needed": s["extra_heads_needed"]}
    for key, total in totals.items():
        name = header(key, lang, "backward")
        table[name] = cap[key].astype(float)
        table.loc[total_row, name] = total
    for key in ("capacity_multiple", "peak_vs_today"):
        name = header(key, lang, "backward")
        table[name] = [backward_times(v, lang) for v in table[name]]
    return table


def backward_times(v, lang: str, flagged: bool = False) -> str:
    if v is None or v != v:
        return "—"
    return L.text("bw_times_flagged" if flagged else "bw_times", lang, ratio=float(v))


def backward_team_lines(planner, lang: str = "zh") -> list[str]:
    """The answer in sentences: today's capacity, the phasing comparison, the most stretched month, the staffing plan."""
    s = planner.summary()
    lines = [
        L.text("bw_cli_capacity", lang, total=s["capacity_gross_profit_yuan"], existing=s["capacity_existing_yuan"],
               new=s["capacity_new_branches_yuan"], multiple=s["capacity_multiple"]),
        L.text("bw_cli_phased", lang, amount=s["capacity_phased_yuan"]),
    ]
    if s["peak_branch"] is not None:
        peak = planner.per_head_.query("branch == @s['peak_branch'] and month == @s['peak_month']").iloc[0]
        lines.append(L.text("bw_cli_peak", lang, branch=s["peak_branch"], month=s["peak_month"].month, required=peak["required_per_head"],
                            today=peak["today_per_head"], ratio=s["peak_vs_today"], cells=s["cells_flagged"]))
    lines.append(L.text("bw_cli_staffing", lang, hires=int(s["extra_heads_needed"]), cost=s["staffing_cost_yuan"],
                        gp=s["gross_profit_with_staffing_yuan"], revenue=s["revenue_with_staffing_yuan"], iterations=s["staffing_iterations"]))
    if s["open_gap_yuan"] > 0:
        lines.append(L.text("bw_cli_open_gap", lang, amount=s["open_gap_yuan"]))
    return lines


def backward_per_head(planner, lang: str = "zh") -> pd.DataFrame:
    """Branches x months: the gross profit per head the task requires as a multiple of today's (⚠ above the realistic level)."""
    ph = planner.per_head_
    names = planner.branch_names_
    ratio = ph["required_vs_today"].to_numpy(dtype=float).reshape(len(names), 12)
    flag = ph["flagged"].to_numpy(dtype=bool).reshape(len(names), 12)
    cells = [[backward_times(r, lang, f) for r, f in zip(rr, ff)] for rr, ff in zip(ratio, flag)]
    out = pd.DataFrame(cells, index=pd.Index(names, name=L.label(BRANCH, lang)),
                       columns=[L.value("plan_month", m, lang) for m in range(1, 13)])
    return out


def backward_hires(planner, lang: str = "zh") -> pd.DataFrame:
    """Branches x months: the people joining each month, with totals (the hiring plan)."""
    hires = pd.DataFrame(planner.staffing_.hires.astype(float), index=pd.Index(planner.branch_names_, name=L.label(BRANCH, lang)),
                         columns=[L.value("plan_month", m, lang) for m in range(1, 13)])
    total = L.label("total", lang)
    hires[total] = hires.sum(axis=1)
    hires.loc[total] = hires.sum(axis=0)
    return hires


def backward_org(planner, lang: str = "zh") -> pd.DataFrame:
    """团队编制 per branch and in total: people by role, today → year end, and the monthly cost."""
    today, staffed = planner.org("today"), planner.org("staffed")
    total = L.label("total", lang)
    today.loc[total] = today.sum(axis=0)
    staffed.loc[total] = staffed.sum(axis=0)
    out = pd.DataFrame(index=pd.Index(list(staffed.index), name=L.label(BRANCH, lang)))
    for col in staffed.columns:
        name = header(col, lang, "backward") if col not in ("salesperson",) else L.value("org_role", "salesperson", lang)
        out[name] = [f"{a:,.0f} → {b:,.0f}" if a != b else f"{b:,.0f}" for a, b in zip(today[col], staffed[col])]
    return out


def backward_mix(planner, dimension: str, lang: str = "zh") -> pd.DataFrame:
    """Branches x categories of the mix: the annual sales task (yuan), with totals."""
    mix = planner.mix_targets(dimension)
    wide = mix.pivot_table(index=BRANCH, columns=dimension, values="sales_task_fen", aggfunc="sum", sort=False)
    wide = wide.reindex(planner.branch_names_)
    total = L.label("total", lang)
    wide[total] = wide.sum(axis=1)
    wide.loc[total] = wide.sum(axis=0)
    wide = wide / 100
    wide.index.name = L.label(BRANCH, lang)
    wide.columns.name = None
    return wide


def backward_sensitivity(planner, lang: str = "zh") -> pd.DataFrame:
    """The readings side by side: capacity, the phasing comparison, the multiples, the staffing plan, the branch that moves most."""
    raw = planner.sensitivity(lang)
    out = pd.DataFrame({header("reading", lang, "backward"): raw["reading"]})
    for key in ("capacity_gross_profit", "capacity_phased"):
        out[header(key, lang, "backward")] = raw[key].map(lambda v: "—" if v != v else f"{v:,.0f}")
    for key in ("capacity_multiple", "december_vs_january"):
        out[header(key, lang, "backward")] = [backward_times(v, lang) for v in raw[key]]
    out[header("peak_vs_today", lang, "backward")] = [
        "—" if b is None or b != b else f"{b} {L.value('plan_month', m.month, lang)} {backward_times(r, lang)}"
        for b, m, r in zip(raw["peak_branch"], raw["peak_month"], raw["peak_vs_today"])]
    for key in ("extra_heads_needed", "gross_profit_with_staffing"):
        out[header(key, lang, "backward")] = raw[key].map(lambda v: "—" if v != v else f"{v:,.0f}")
    out[header("changed_branch", lang, "backward")] = [
        "—" if b is None or b != b else f"{b} {x:,.0f} → {y:,.0f}"
        for b, x, y in zip(raw["changed_branch"], raw["changed_branch_task_before"], raw["changed_branch_task"])]
    return out.reset_index(drop=True)


# ----------------------------------------------------------------------------
# forward
# ----------------------------------------------------------------------------
def forward_summary(fc, lang: str = "zh") -> pd.DataFrame:
    """The forecaster's labelled summary with the growth column signed to one decimal (``+2.7``)."""
    raw = fc.summary_table()
    shown = fc.tables(lang)["summary"].copy()
    growth = shown.columns[list(raw.columns).index("growth_pct")]
    shown[growth] = [f"{v:+.1f}" if v == v else "" for v in raw["growth_pct"]]
    return shown


def forward_targets(targets: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Conservative / base / stretch annual totals per branch (from ``target_suggestions`` with its default P20/P50/P80).

    The headers name the percentiles (保守(P20) ...), so they come from the ``cli`` domain.
    """
    view = targets[[BRANCH, "conservative", "base", "stretch"]]
    return view.rename(columns={c: header(c, lang, "forward") if c == BRANCH else L.label(c, lang, "cli") for c in view.columns})


def forward_company_outlook(outlook: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The company's annual totals per calendar year (the last rows of ``Forecaster.outlook``)."""
    company = outlook[outlook[BRANCH] == outlook[BRANCH].iloc[-1]][["year", "months", "p20", "p50", "p80"]]
    return _labelled(company.astype({"year": str, "months": str}), lang, "forward")


def forward_sheets(fc, lang: str = "zh", *, targets: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The forecast workbook, every header labelled: forecast with the company total, summary, targets,
    backtest, model weights, calendar effect, the industry blend (with an industry file) and the multi-year outlook (horizon over 12 months).

    ``Forecaster.tables`` labels the frames; the sheet names are the ``fc_sheet_*`` texts.  (When the
    Forecaster grows its own ``excel_sheets``, this becomes a call to it.)
    """
    shown = fc.tables(lang)
    if targets is not None:
        shown["target_suggestions"] = L.label_columns(targets, lang, "forward")
    names = {"forecast": "fc_sheet_forecast", "summary": "fc_sheet_summary", "target_suggestions": "fc_sheet_targets",
             "backtest": "fc_sheet_backtest", "weights": "fc_sheet_weights", "calendar": "fc_sheet_calendar",
             "industry": "fc_sheet_industry", "outlook": "fc_sheet_outlook"}
    return {L.text(key, lang): shown[name] for name, key in names.items()
            if name in shown and (name != "outlook" or fc.horizon_ > 12)}


# ----------------------------------------------------------------------------
# combined
# ----------------------------------------------------------------------------
def base_scenario(run) -> str:
    """The scenario shown first: 基准 / base if there is one, else the first."""
    names = list(run.results)
    return next((n for n in names if n in ("基准", "base") or run.results[n].scenario.label_en == "base"), names[0])


def combined_comparison(run, lang: str = "zh") -> pd.DataFrame:
    """The scenarios side by side, one row each (indexed by the scenario)."""
    shown = run.tables(lang)["comparison"]
    keep = [c for c in run.comparison.columns if c != "label_en"]
    shown = _pick(run.comparison, shown, keep)
    return shown.set_index(shown.columns[0])


def combined_branches(result, lang: str = "zh") -> pd.DataFrame:
    """One scenario per branch: forecast vs requirement, gap, probability, status, target and hires."""
    names = [BRANCH, "forecast_mean", "required", "gap_yuan", "gap_pct", "probability", "status", "target"]
    shown = _pick(result.gap_branch, result.tables(lang)["gap_branch"], names)
    shown = shown.set_index(shown.columns[0])
    staffing = result.staffing_branch.set_index(BRANCH)
    shown[header("hires_total", lang, "combined")] = staffing["hires_total"].to_numpy()
    shown[header("last_start_hiring", lang, "combined")] = staffing["last_start_hiring"].dt.strftime("%Y-%m").fillna("").to_numpy()
    return shown


def combined_adjustments(result, lang: str = "zh") -> pd.DataFrame:
    """The managers' adjustments as an audit log (empty when there were none)."""
    names = ["row", BRANCH, "period", "before_yuan", "after_yuan", "reason", "author"]
    shown = _pick(result.adjustment_log, result.tables(lang)["adjustment_log"], names)
    return shown.set_index(shown.columns[0])


# ----------------------------------------------------------------------------
# tracking
# ----------------------------------------------------------------------------
def tracking_standing(standing: pd.DataFrame, lang: str = "zh", *, company: str) -> pd.DataFrame:
    """Company and branches: actual, time-adjusted attainment % and light for month, QTD and YTD."""
    out = pd.DataFrame({header(BRANCH, lang, "tracking"): _company_word(standing, lang, company)[BRANCH]})
    for period in ("month", "qtd", "ytd"):
        word = L.value("cli_period", period, lang)
        out[L.text("cli_period_actual", lang, period=word)] = standing[f"{period}_actual"]
        out[L.text("cli_period_pct", lang, period=word)] = standing[f"{period}_time_adjusted_attainment_pct"]
        out[L.text("cli_period_light", lang, period=word)] = [L.value("light", v, lang) for v in standing[f"{period}_status"]]
    return out


def tracking_pace(pace: pd.DataFrame, lang: str = "zh", *, company: str) -> pd.DataFrame:
    """What each branch still has to do per remaining working day, against plan and run rate."""
    view = pace[[BRANCH, "still_to_do", "required_per_working_day", "plan_per_working_day", "run_rate_per_working_day"]]
    return _labelled(_company_word(view, lang, company), lang, "tracking")


def tracking_unmatched(unmatched: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Actuals of branches or people without a target."""
    view = unmatched.assign(in_targets=[L.value("bool", bool(v), lang) for v in unmatched["in_targets"]])
    return _labelled(view, lang, "tracking")


def tracking_tidy(tracker) -> pd.DataFrame:
    """Attainment of every level and period in one long table (the CSV/Parquet export)."""
    levels = ["company", "branch"]
    if SALESPERSON in tracker.keys_:
        levels.append("salesperson")
    if tracker.product_monthly_ is not None:
        levels.append("product")
    tidy = pd.concat([tracker.attainment(level, "all").assign(level=level) for level in levels], ignore_index=True)
    return tidy.drop(columns=["actual_fen", "target_fen"])


# ----------------------------------------------------------------------------
# scorecard and incentives (from the evaluation's result tables)
# ----------------------------------------------------------------------------
def grade_counts(result: Mapping[str, pd.DataFrame]) -> str:
    """``S 5, A 63, B 159, C 107, D 51``: people per grade, in the scheme's order."""
    grades = result["scores"]["grade"].value_counts()
    order = [g for g in result["grades_by_branch"].columns if g in grades.index or g in ("S", "A", "B", "C", "D")]
    return ", ".join(f"{g} {int(grades.get(g, 0))}" for g in order)


def forced_lines(result: Mapping[str, pd.DataFrame], lang: str = "zh") -> list[str]:
    """``S+A max 20%: 68 (17.7%) OK``: one line per forced-distribution rule.

    The result's table is labelled (scorecard domain); its columns are those of ``Scorecard.forced_``
    in that order, and its rule/result words are mapped back to their codes here.
    """
    rule_max = L.value("forced_rule", "max", lang)
    result_ok = L.value("forced_result", "ok", lang)
    lines = []
    for grades, rule, limit_share, _limit_count, count, share, _n, ok in result["forced_distribution"].itertuples(index=False):
        rule_word = L.value("cli_rule", "max" if rule == rule_max else "min", lang)
        verdict = L.value("cli_verdict", ok == result_ok, lang)
        lines.append(f"  {grades} {rule_word} {limit_share:.0%}: {count} ({share:.1%}) {verdict}")
    return lines


# ----------------------------------------------------------------------------
# workbooks: the 说明 / README sheet
# ----------------------------------------------------------------------------
#: the command line's options listed in a workbook's README, in this order: option -> label key
_OPTIONS = {
    "plan": "opt_plan", "targets": "opt_targets", "history": "opt_history", "forecast": "opt_forecast",
    "mix_history": "opt_mix_history", "actuals": "opt_actuals", "activities": "opt_activities", "deals": "opt_deals",
    "customers": "opt_customers", "kpis": "opt_kpis", "ratings": "opt_ratings", "scheme": "opt_scheme", "plans": "opt_plans",
    "industry": "opt_industry", "scenarios": "opt_scenarios", "adjustments": "opt_adjustments", "data_dir": "opt_data_dir",
    "sources": "opt_sources", "level": "opt_level", "by": "opt_by", "goal_seek": "opt_goal_seek", "period": "opt_period",
    "start": "opt_start", "as_of": "opt_as_of", "measure": "opt_measure", "green": "opt_green", "yellow": "opt_yellow",
    "sum_duplicates": "opt_sum_duplicates", "horizon": "opt_horizon", "method": "opt_method", "fill": "opt_fill",
    "industry_weight": "opt_industry_weight", "industry_growth": "opt_industry_growth", "rule": "opt_rule",
    "market_uncertainty": "opt_market_uncertainty",
    "no_forecast": "opt_no_forecast", "no_lifetime": "opt_no_lifetime", "draws": "opt_draws", "seed": "opt_seed",
}
#: options naming a file or folder: the README shows its name, never a path of this machine
_FILE_OPTIONS = frozenset({"plan", "targets", "history", "forecast", "mix_history", "actuals", "activities", "deals", "customers",
                           "kpis", "ratings", "scheme", "plans", "industry", "scenarios", "adjustments", "data_dir", "sources"})


def _option_text(name: str, v, lang: str) -> str:
    if name in _FILE_OPTIONS:
        return Path(str(v)).name or str(v)
    if isinstance(v, bool):
        return L.value("bool", v, lang)
    if isinstance(v, (list, tuple)):
        return ", ".join(_option_text(name, x, lang) for x in v)
    if name in ("level", "by", "goal_seek") and isinstance(v, str) and L.has_label(v, "backward"):
        return L.label(v, lang, "backward")
    if name == "measure":
        return L.value("cli_measure", v, lang)
    if name == "period" and v in L.VALUES["cli_period"]:
        return L.value("cli_period", v, lang)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def run_settings(options: Mapping, lang: str = "zh", *, command: str | None = None) -> list[tuple[str, str]]:
    """(label, value) of the options a command ran with (``vars(args)``), for a workbook's README.

    Options not given (None) or switched off are left out; files are shown by name.
    """
    out = []
    for name, key in _OPTIONS.items():
        v = options.get(name)
        if v is None or v is False or v == [] or v == "":
            continue
        if name.startswith("industry_") and not options.get("industry"):
            continue  # the blend's settings mean nothing without an industry file
        if name == "level" and command == "forward":
            key = "opt_levels"
        out.append((L.label(key, lang, "formatting"), _option_text(name, v, lang)))
    return out


def _about_patterns(lang: str) -> list[tuple[re.Pattern, str]]:
    """(pattern of a sheet name, its text key) for every sheet the README can describe."""
    out = []
    for key in L.TEXTS:
        if not key.startswith("wb_about_"):
            continue
        sheet_key = key[len("wb_about_"):]
        if sheet_key not in L.TEXTS:
            continue
        template = L.TEXTS[sheet_key][L.LANGS.index(L.check_lang(lang))]
        pattern = "".join(f"(?P<{p[1:-1]}>.+)" if p.startswith("{") else re.escape(p) for p in re.split(r"(\{\w+\})", template) if p)
        out.append((re.compile(pattern), sheet_key))
    return out


def sheet_descriptions(names, lang: str = "zh") -> dict[str, str]:
    """What each sheet holds, by its name (the ``wb_about_<sheet key>`` texts).

    A name two commands use (招聘计划) is read as the sheet of the command most other sheets of
    the workbook come from.
    """
    patterns = _about_patterns(lang)
    found = {}
    for name in names:
        found[name] = [(key, m.groupdict()) for pattern, key in patterns if (m := pattern.fullmatch(str(name)))]
    families = [hits[0][0].rsplit("sheet_", 1)[0] for hits in found.values() if len(hits) == 1]
    usual = max(set(families), key=families.count) if families else ""
    out = {}
    for name, hits in found.items():
        if not hits:
            continue
        key, fields = next((h for h in hits if h[0].rsplit("sheet_", 1)[0] == usual), hits[0])
        out[name] = L.text(f"wb_about_{key}", lang, **fields)
    return out


def workbook(sheets: Mapping[str, pd.DataFrame], lang: str = "zh", *, settings: list[tuple[str, str]] | None = None,
             command: str | None = None) -> dict[str, pd.DataFrame]:
    """``sheets`` with the 说明 / README sheet last: what each sheet holds and its rows, the number
    formats, the inputs and settings of the run, and (scorecard, incentives) the evaluation's notes,
    whose own 说明 / info sheet it replaces."""
    from .. import __version__

    sheets = dict(sheets)
    notes = sheets.pop(L.text("sheet_info", lang), None)
    readme = L.text("wb_readme_sheet", lang)
    sheets.pop(readme, None)
    about = sheet_descriptions(list(sheets), lang)
    section = {k: L.text(f"wb_section_{k}", lang) for k in ("sheets", "settings", "notes", "made_by")}
    rows = [(section["sheets"], str(name)[:31], about.get(name, L.text("wb_no_about", lang)) + L.text("wb_rows", lang, n=f"{len(frame):,}"))
            for name, frame in sheets.items()]
    rows.append((L.text("wb_format_note", lang), "", L.text("wb_formats", lang)))
    rows += [(section["settings"], item, shown) for item, shown in settings or ()]
    if notes is not None and notes.shape[1] >= 2:
        rows += [(section["notes"], str(item), F.format_value(v, None, lang)) for item, v in zip(notes.iloc[:, 0], notes.iloc[:, -1])]
    rows.append((section["made_by"], "salesanalytics", L.text("wb_made_by", lang, version=__version__, command=command or "")))
    columns = [L.label(k, lang, "formatting") for k in ("wb_section", "wb_item", "wb_content")]
    sheets[readme] = pd.DataFrame(rows, columns=columns)
    return sheets
