"""倒推法, the backward method: from what must be achieved to every branch's monthly task.

The chain (handbook, "以终定始": set the goal first, then find what achieves it):

1. target → gross profit required.  From net profit: pre-tax = net / (1 - tax);
   gross profit = pre-tax + fixed costs + cost per head x head-months
   + pct-of-revenue costs (solved jointly, because revenue depends on gross profit).
2. gross profit → revenue required, through the gross margin (company-wide or
   per branch).
3. allocation weights per branch x month: capacity (headcount x monthly gross
   profit per head, with new branches ramping up after they open), explicit
   weights, or a forecast's share; times the phasing index of each month.
4. exact split: the gross-profit total in fen over the weight matrix by largest
   remainder (month totals first, then branches); revenue likewise; then each
   branch-month over its salespeople, and over the plan's product / market /
   customer-type mix (:mod:`salesanalytics.methods.mix`).
5. can this team make it (:mod:`salesanalytics.methods.staffing`): today's capacity at
   today's productivity (the phasing shapes the task, never the team), the gross
   profit per head each task requires against today's with unrealistic cells
   flagged, the staffing plan that closes the gap with its cost fed back into the
   requirement (exact fixed point), and the org table by role
   (:mod:`salesanalytics.methods.roles`); with the plan's ``readings``, the same
   answers under each reading of an ambiguous case, side by side.

Everything is computed by :meth:`BackwardPlanner.fit`; the outputs are tidy
frames (long format) and a wide 任务分解表 view made at the edge.

Rhythm (the estimator contract of every method class): the plan is a *setting*
(configuration read from a YAML), data go to ``fit``::

    planner = BackwardPlanner(plan).fit(history=None)   # returns the planner
    planner.tasks()      # month, branch, sales_task, gross_profit_task (+ fen columns): the targets format
    planner.mix_targets("product")  # the same, one row more per product, to the fen
    planner.summary()    # headline figures, raw numbers (see its docstring)
    planner.tables("zh") # every table with labelled headers

The numeric steps are module functions (arrays in, arrays out); the class holds the
settings and the fitted state.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import GoalSeekError, NotFittedError, ParameterError, PlanError, suggest
from ..core.labels import check_lang, label, label_columns, label_values, text, value
from ..core.money import allocate_grouped, allocate_matrix, to_fen
from . import staffing as st
from .mix import mix_shares, split_by_mix
from .plan import Phasing, Plan
from .roles import org_frame, org_wide

#: the salesperson name a branch's task goes to when the roster has nobody there: "待招聘 (to hire)",
#: one name in both languages because it is data (a key of the targets file), not a header
UNASSIGNED = f"{text('bw_unassigned', 'zh')} ({text('bw_unassigned', 'en')})"
GOAL_SEEK_PARAMETERS = ("productivity_growth", "monthly_growth", "yoy_growth", "gross_margin", "headcount", "gp_per_head")


@dataclass(frozen=True)
class Requirement:
    """The company-level chain from the target to the revenue required, in yuan (Decimal)."""

    target_kind: str
    target_yuan: Decimal
    net_profit: Decimal
    pretax_profit: Decimal
    fixed_costs: Decimal
    head_costs: Decimal
    revenue_costs: Decimal
    gross_profit: Decimal
    revenue: Decimal
    gross_profit_fen: int
    revenue_fen: int
    staffing_costs: Decimal = Decimal(0)

    @property
    def effective_margin(self) -> float:
        return float(self.gross_profit / self.revenue)


@dataclass(frozen=True)
class GoalSeekResult:
    parameter: str
    value: float
    target_yuan: float
    achieved_yuan: float
    detail: str

    def __str__(self) -> str:
        return self.detail


# ----------------------------------------------------------------------------
# numeric kernels (arrays only)
# ----------------------------------------------------------------------------
def _ramp_matrix(opening: np.ndarray, ramps: list[tuple[float, ...]]) -> np.ndarray:
    """Share of full productivity of each branch in each month (0 before it opens)."""
    out = np.zeros((len(opening), 12))
    for i, (start, ramp) in enumerate(zip(opening, ramps)):
        for m in range(start - 1, 12):
            k = m - (start - 1)
            out[i, m] = ramp[k] if k < len(ramp) else 1.0
    return out


def _head_months(heads: np.ndarray, opening: np.ndarray) -> float:
    return float(np.sum(heads * (13 - opening)))


def branch_arrays(plan: Plan) -> dict[str, np.ndarray | list]:
    """Per-branch arrays in plan order (existing branches, then new ones).

    ``names``, ``heads``, ``gph`` (monthly gross profit per head; a new branch borrows its
    comparable's or the company median), ``margin``, ``weight``, ``opening`` (month 1..12),
    ``ramp`` (branches x 12 share of full productivity) and ``cap`` (monthly gross profit the
    team delivers before phasing, branches x 12).
    """
    b = plan.branches
    gph_existing = b[S.GP_PER_HEAD].to_numpy(dtype=float)
    median = float(np.nanmedian(gph_existing)) if np.isfinite(gph_existing).any() else float("nan")
    heads = list(b[S.HEADCOUNT].to_numpy(dtype=float))
    gph = list(gph_existing)
    margin_col = b[S.GROSS_MARGIN].to_numpy(dtype=float) if S.GROSS_MARGIN in b.columns else np.full(len(b), np.nan)
    margins = [m if np.isfinite(m) else plan.gross_margin for m in margin_col]
    weights = list(b[S.WEIGHT].to_numpy(dtype=float)) if S.WEIGHT in b.columns else [np.nan] * len(b)
    opening = [1] * len(b)
    ramps: list[tuple[float, ...]] = [(1.0,)] * len(b)
    by_name = dict(zip(b[S.BRANCH], gph_existing))
    for nb in plan.new_branches:
        if nb.gp_per_head_month is not None:
            own = nb.gp_per_head_month
        elif nb.comparable is not None:
            own = by_name[nb.comparable]
        else:
            own = median
        heads.append(nb.headcount)
        gph.append(own)
        margins.append(nb.gross_margin if nb.gross_margin is not None else plan.gross_margin)
        weights.append(nb.weight if nb.weight is not None else np.nan)
        opening.append(nb.opening_month)
        ramps.append(nb.ramp)
    out = {
        "names": plan.branch_names,
        "heads": np.asarray(heads, dtype=float),
        "gph": np.nan_to_num(np.asarray(gph, dtype=float)),
        "margin": np.asarray(margins, dtype=float),
        "weight": np.asarray(weights, dtype=float),
        "opening": np.asarray(opening, dtype=int),
    }
    out["ramp"] = _ramp_matrix(out["opening"], ramps)
    out["cap"] = (out["heads"] * out["gph"])[:, None] * out["ramp"]
    return out


def phase_index(plan: Plan, names: list[str], history: pd.DataFrame | None) -> np.ndarray:
    """Month weights per branch (rows) x month (cols) under the plan's phasing."""
    ph = plan.phasing
    n = len(names)
    if ph.method == "flat":
        return np.ones((n, 12))
    if ph.method == "compound_growth":
        return np.tile((1.0 + ph.monthly_growth) ** np.arange(12), (n, 1))
    if ph.method == "linear_growth":
        return np.tile(1.0 + ph.monthly_growth * np.arange(12), (n, 1))
    if ph.method == "seasonal" and ph.shares is not None:
        return np.tile(np.asarray(ph.shares) / 100.0 * 12, (n, 1))
    # yoy_growth and seasonal-from-history need last year's months
    if history is None:
        raise PlanError(
            f"{plan.source}.phasing: '{ph.method}' needs the monthly history of {plan.year - 1}. "
            "Fix: pass --history FILE, or give 12 seasonal shares, or use compound_growth/flat."
        )
    last = history[history[S.MONTH].dt.year == plan.year - 1]
    if last.empty:
        raise PlanError(f"history has no months of {plan.year - 1}, which '{ph.method}' phasing needs.")
    table = last.groupby([S.BRANCH, last[S.MONTH].dt.month])[S.REVENUE].sum().unstack().reindex(columns=range(1, 13))
    company = table.sum(axis=0).to_numpy(dtype=float)
    if not np.all(np.isfinite(company)) or company.sum() <= 0:
        raise PlanError(f"history for {plan.year - 1} must cover all 12 months with positive sales for '{ph.method}' phasing.")
    company_profile = company / company.mean()
    out = np.empty((n, 12))
    for i, name in enumerate(names):
        row = table.loc[name].to_numpy(dtype=float) if name in table.index else None
        if row is not None and np.all(np.isfinite(row)) and np.all(row > 0):
            out[i] = row / row.mean()
        else:
            out[i] = company_profile  # new or incomplete branches follow the company's shape
    if ph.method == "yoy_growth":
        out = out * (1.0 + ph.yoy_growth)
    return out


def phase_level(plan: Plan) -> float:
    """The phasing's weight of the capacity's anchor month relative to January's (for growth phasings).

    Only for the comparison "what the team would deliver if its productivity grew like the target":
    today's level sits at the anchor month (1 = January, 0 = the December before).
    """
    ph, anchor = plan.phasing, plan.capacity.anchor_month
    if ph.method == "compound_growth":
        return (1.0 + ph.monthly_growth) ** (anchor - 1)
    if ph.method == "linear_growth":
        return 1.0 + ph.monthly_growth * (anchor - 1)
    return 1.0


def forecast_weights(plan: Plan, arrays: dict, forecast: pd.DataFrame | None, capacity: np.ndarray) -> np.ndarray:
    """Allocation weights from a forward forecast (revenue -> gross profit); new branches keep their capacity."""
    if forecast is None:
        raise PlanError(f"{plan.source}: allocation 'forecast' needs a forecast. Fix: pass --forecast FILE or fit(forecast=...).")
    value_col = "mean" if "mean" in forecast.columns else S.REVENUE
    fc = forecast[forecast[S.MONTH].dt.year == plan.year]
    table = fc.groupby([S.BRANCH, fc[S.MONTH].dt.month])[value_col].sum().unstack().reindex(columns=range(1, 13))
    out = capacity.copy()
    known = set(table.index)
    for i, name in enumerate(arrays["names"]):
        if name in known:
            row = table.loc[name].to_numpy(dtype=float)
            if not np.all(np.isfinite(row)):
                raise PlanError(f"the forecast for {name} does not cover all 12 months of {plan.year}.")
            # revenue forecast -> gross profit, so new branches' capacity weights share its unit
            out[i] = np.clip(row, 0, None) * arrays["margin"][i] * arrays["ramp"][i]
        elif arrays["opening"][i] == 1:
            raise PlanError(f"the forecast has no rows for branch {name}.{suggest(name, known)}")
    return out


def requirement(plan: Plan, weights: np.ndarray, margin: np.ndarray, heads: np.ndarray, opening: np.ndarray,
                extra_cost: Decimal = Decimal(0)) -> Requirement:
    """The chain from the plan's target to the gross profit and revenue required (exact Decimal, then fen).

    ``extra_cost``: the staffing plan's cost (hires' pay, recruiting, extra managers), in yuan, that the
    gross profit must cover on top of the plan's own costs (a net-profit target only).
    """
    costs = plan.costs
    row_w = weights.sum(axis=1)
    uniform = np.allclose(margin, margin[0])
    if uniform:
        rev_per_gp = Decimal(1) / Decimal(str(margin[0]))
    else:
        rev_per_gp = Decimal(repr(float(np.sum(row_w / margin) / row_w.sum())))
    fixed = costs.fixed_per_month_yuan * 12
    head = costs.per_head_per_month_yuan * Decimal(repr(_head_months(heads, opening)))
    pct = Decimal(repr(costs.pct_of_revenue))
    tax = Decimal(repr(costs.income_tax_rate))
    amount = plan.target_yuan
    if plan.target_kind == "revenue":
        revenue = amount
        gp = revenue / rev_per_gp
    elif plan.target_kind == "gross_profit":
        gp = amount
        revenue = gp * rev_per_gp
    else:
        pretax = amount / (1 - tax)
        denom = 1 - pct * rev_per_gp
        if denom <= 0:
            raise PlanError(
                f"{plan.source}.costs.pct_of_revenue: costs of {float(pct):.1%} of revenue eat the whole gross margin "
                f"({1 / float(rev_per_gp):.1%}); no sales volume reaches a profit. Fix: lower the cost rate or raise the margin."
            )
        gp = (pretax + fixed + head + extra_cost) / denom
        revenue = gp * rev_per_gp
    revenue_costs = pct * revenue
    pretax = gp - fixed - head - revenue_costs - extra_cost
    net = pretax * (1 - tax) if pretax > 0 else pretax
    if gp <= 0:
        raise PlanError(f"{plan.source}: the target needs no gross profit; check the target and the costs.")
    return Requirement(
        target_kind=plan.target_kind, target_yuan=amount, net_profit=net, pretax_profit=pretax, fixed_costs=fixed,
        head_costs=head, revenue_costs=revenue_costs, gross_profit=gp, revenue=revenue,
        gross_profit_fen=to_fen(gp), revenue_fen=to_fen(revenue), staffing_costs=extra_cost,
    )


def split_tasks(plan: Plan, req: Requirement, weights: np.ndarray, arrays: dict) -> pd.DataFrame:
    """Branch x month tasks: the totals in fen over the weights by largest remainder (months, then branches)."""
    gp_cells = allocate_matrix(req.gross_profit_fen, weights)
    sales_cells = allocate_matrix(req.revenue_fen, weights / arrays["margin"][:, None])
    names = arrays["names"]
    n = len(names)
    tasks = pd.DataFrame(
        {
            S.MONTH: np.tile(plan.months.to_numpy(), n),
            S.BRANCH: np.repeat(np.asarray(names, dtype=object), 12),
            "is_new_branch": np.repeat(arrays["opening"] > 1, 12) | np.repeat(np.arange(n) >= len(plan.branches), 12),
            "gross_profit_task_fen": gp_cells.reshape(-1),
            "sales_task_fen": sales_cells.reshape(-1),
        }
    )
    tasks[S.BRANCH] = tasks[S.BRANCH].astype(str)
    tasks["gross_profit_task"] = tasks["gross_profit_task_fen"] / 100
    tasks["sales_task"] = tasks["sales_task_fen"] / 100
    return tasks


def split_people(roster: pd.DataFrame, tasks: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Each branch-month task over its salespeople by roster weight, exact in fen."""
    roster = roster.copy()
    if S.WEIGHT not in roster.columns:
        roster[S.WEIGHT] = 1.0
    staffed = set(roster[S.BRANCH])
    missing = [b for b in names if b not in staffed]
    if missing:
        warnings.warn(
            f"the roster has nobody in {', '.join(missing)}; their tasks go to '{UNASSIGNED}'.",
            stacklevel=3,
        )
        roster = pd.concat(
            [roster, pd.DataFrame({S.BRANCH: missing, S.SALESPERSON: UNASSIGNED, S.WEIGHT: 1.0})],
            ignore_index=True,
        )
    zero = roster.groupby(S.BRANCH)[S.WEIGHT].sum()
    if (zero <= 0).any():
        raise PlanError(f"roster: every weight is 0 in {', '.join(zero.index[zero <= 0])}; nobody can carry its task.")
    cell = tasks.reset_index(drop=True).reset_index().rename(columns={"index": "_cell"})
    people = cell.merge(roster[[S.BRANCH, S.SALESPERSON, S.WEIGHT]], on=S.BRANCH, how="inner", sort=False)
    people = people.sort_values(["_cell"], kind="stable").reset_index(drop=True)
    group = people["_cell"].to_numpy()
    w = people[S.WEIGHT].to_numpy(dtype=float)
    people["gross_profit_task_fen"] = allocate_grouped(cell["gross_profit_task_fen"].to_numpy(), group, w)
    people["sales_task_fen"] = allocate_grouped(cell["sales_task_fen"].to_numpy(), group, w)
    people["gross_profit_task"] = people["gross_profit_task_fen"] / 100
    people["sales_task"] = people["sales_task_fen"] / 100
    cols = [S.MONTH, S.BRANCH, S.SALESPERSON, "gross_profit_task_fen", "sales_task_fen", "gross_profit_task", "sales_task"]
    return people[cols]


def capacity_check(plan: Plan, tasks: pd.DataFrame, arrays: dict, today: np.ndarray, per_head: pd.DataFrame,
                   staffing: st.StaffingPlan, earliest: np.ndarray) -> pd.DataFrame:
    """Can this team make it, per branch: today's capacity (at today's productivity) against the task.

    Columns: branch, headcount, gp_per_head_month, opening_month, capacity_gross_profit (what today's team
    delivers in the year, yuan), gross_profit_task, gap_gross_profit, capacity_multiple (task / capacity),
    uplift_needed_pct, peak_required_per_head and peak_month (the month whose task needs the most gross
    profit per head), peak_vs_today (that month's multiple of what a head delivers today), months_flagged
    (months above the realistic multiple), extra_heads_needed (people the staffing plan adds), open_gap
    (what no hire can close in time), hires_productive_from (the first month a hire can join).
    """
    names = arrays["names"]
    task_fen = tasks.groupby(S.BRANCH, sort=False)["gross_profit_task_fen"].sum().reindex(names)
    task = task_fen.to_numpy(dtype=float) / 100
    cap = today.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        multiple = np.where(cap > 0, task / cap, np.nan)
    ratio = per_head["required_vs_today"].to_numpy(dtype=float).reshape(len(names), 12)
    required = per_head["required_per_head"].to_numpy(dtype=float).reshape(len(names), 12)
    has = np.isfinite(ratio).any(axis=1)
    peak = np.where(has, np.nanargmax(np.where(np.isfinite(ratio), ratio, -np.inf), axis=1), 0)
    rows = np.arange(len(names))
    year = plan.year
    month = [pd.Timestamp(year=year, month=int(m) + 1, day=1) if h else pd.NaT for m, h in zip(peak, has)]
    return pd.DataFrame(
        {
            S.BRANCH: names,
            "headcount": arrays["heads"],
            "gp_per_head_month": arrays["gph"],
            "opening_month": [pd.Timestamp(year=year, month=int(m), day=1) for m in arrays["opening"]],
            "capacity_gross_profit": np.round(cap, 2),
            "gross_profit_task": task,
            "gap_gross_profit": np.round(task - cap, 2),
            "capacity_multiple": np.round(multiple, 4),
            "uplift_needed_pct": np.round((multiple - 1.0) * 100, 2),
            "peak_required_per_head": np.where(has, required[rows, peak], np.nan),
            "peak_month": pd.to_datetime(pd.Series(month, dtype="datetime64[ns]")),
            "peak_vs_today": np.where(has, ratio[rows, peak], np.nan),
            "months_flagged": per_head["flagged"].to_numpy().reshape(len(names), 12).sum(axis=1),
            "extra_heads_needed": staffing.hires.sum(axis=1),
            "open_gap": np.round(staffing.open_gap.sum(axis=1), 2),
            "hires_productive_from": pd.to_datetime(pd.Series(
                [pd.Timestamp(year=year, month=int(m), day=1) if m <= 12 else pd.NaT for m in earliest], dtype="datetime64[ns]")),
        }
    )


def wide_matrix(tasks: pd.DataFrame, names: list[str], fen_column: str, lang: str = "zh") -> pd.DataFrame:
    """A 任务分解表: branches x 12 months plus totals, in yuan, with labelled headers.

    ``tasks``: long format with month, branch and the integer-fen column ``fen_column``.
    """
    check_lang(lang)
    fen = tasks.pivot(index=S.BRANCH, columns=S.MONTH, values=fen_column).reindex(names)
    total = label("total", lang)
    fen.columns = [value("plan_month", m.month, lang) for m in fen.columns]
    fen[total] = fen.sum(axis=1)
    fen.loc[total] = fen.sum(axis=0)
    out = fen / 100
    out.index.name = label(S.BRANCH, lang)
    return out


# ----------------------------------------------------------------------------
# assumptions and goal seek (module functions: the class only delegates)
# ----------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{x * 100:.4g}%"


def _yuan(amount, lang: str) -> str:
    return text("bw_amount", lang, amount=f"{amount:,.2f}")


def assumptions_table(plan: Plan, lang: str = "zh") -> pd.DataFrame:
    """The settings and documented assumptions used: one labelled item per row, its value formatted."""
    check_lang(lang)
    p, c, ph = plan, plan.costs, plan.phasing
    if ph.method == "compound_growth":
        phasing = text("bw_phasing_compound", lang, growth=_pct(ph.monthly_growth))
    elif ph.method == "linear_growth":
        phasing = text("bw_phasing_linear", lang, growth=_pct(ph.monthly_growth))
    elif ph.method == "yoy_growth":
        phasing = text("bw_phasing_yoy", lang, growth=_pct(ph.yoy_growth))
    elif ph.method == "seasonal" and ph.shares is not None:
        phasing = text("bw_phasing_seasonal_shares", lang, shares=", ".join(f"{s:g}%" for s in ph.shares))
    elif ph.method == "seasonal":
        phasing = text("bw_phasing_seasonal_history", lang)
    else:
        phasing = text("bw_phasing_flat", lang)
    rows = [
        ("bw_item_plan", p.name),
        ("bw_item_source", p.source),
        ("bw_item_year", str(p.year)),
        ("bw_item_target", text("bw_target_value", lang, kind=value("plan_target_kind", p.target_kind, lang), amount=f"{p.target_yuan:,.2f}")),
        ("bw_item_gross_margin", _pct(p.gross_margin)),
        ("bw_item_fixed_costs", _yuan(c.fixed_per_month_yuan, lang)),
        ("bw_item_head_costs", _yuan(c.per_head_per_month_yuan, lang)),
        ("bw_item_revenue_costs", _pct(c.pct_of_revenue)),
        ("bw_item_income_tax", _pct(c.income_tax_rate)),
        ("bw_item_phasing", phasing),
        ("bw_item_allocation", value("allocation", p.allocation, lang)),
        ("bw_item_hires_productive_from", text("bw_month_number", lang, month=p.hires_productive_from)),
        ("bw_item_rounding", text("bw_rounding_value", lang)),
    ]
    items = [(text(key, lang), val) for key, val in rows]
    for nb in p.new_branches:
        if nb.gp_per_head_month is not None:
            gph = _yuan(nb.gp_per_head_month, lang)
        elif nb.comparable:
            gph = text("bw_gph_comparable", lang, branch=nb.comparable)
        else:
            gph = text("bw_gph_median", lang)
        items.append((text("bw_item_new_branch", lang, branch=nb.branch),
                      text("bw_new_branch_value", lang, month=nb.opening_month, heads=f"{nb.headcount:g}", gph=gph,
                           ramp=", ".join(_pct(r) for r in nb.ramp))))
    items += _team_assumptions(p, lang)
    items += [(text("bw_item_note", lang), n) for n in p.notes]
    return pd.DataFrame(items, columns=["item", "value"]).astype({"value": str})


def _team_assumptions(p: Plan, lang: str) -> list[tuple[str, str]]:
    """The capacity, staffing, org and mix settings, in words."""
    cap, sf = p.capacity, p.staffing
    anchor = text("bw_anchor_previous_december", lang) if cap.anchor_month == 0 else value("plan_month", cap.anchor_month, lang)
    ceiling = "" if cap.productivity_ceiling_yuan is None else text("bw_ceiling_value", lang, amount=f"{cap.productivity_ceiling_yuan:,.2f}")
    realistic = text(f"bw_realistic_{cap.realistic_base}", lang, multiple=f"{cap.realistic_multiple:g}")
    items = [
        (text("bw_item_capacity", lang), text("bw_capacity_value", lang, growth=_pct(cap.productivity_growth), anchor=anchor, ceiling=ceiling)),
        (text("bw_item_realistic", lang), realistic),
        (text("bw_item_staffing", lang), text("bw_staffing_value", lang, ramp=", ".join(_pct(r) for r in sf.ramp),
                                              attrition=_pct(sf.attrition_rate_annual), lead=sf.lead_time_months,
                                              start=sf.start_month, ahead=sf.ahead)),
        (text("bw_item_staffing_cost", lang), text("bw_staffing_cost_value", lang, pay=f"{staffing_pay(p):,.2f}",
                                                   recruiting=f"{sf.recruiting_cost_per_hire_yuan:,.2f}")),
    ]
    for role in p.roles:
        key, count = ("bw_role_per_branch", role.per_branch) if role.per_branch is not None else ("bw_role_per_salespeople", role.per_salespeople)
        items.append((text("bw_item_role", lang, role=value("org_role", role.role, lang)),
                      text(key, lang, count=f"{count:g}", pay=f"{role.pay_per_head_month_yuan:,.2f}")))
    for mix in p.mix:
        shares = text("bw_mix_history", lang) if mix.source == "history" else ", ".join(f"{k} {v:g}%" for k, v in mix.shares)
        items.append((text("bw_item_mix", lang, dimension=label(mix.dimension, lang, "backward")), shares))
    items += [(text("bw_item_reading", lang), r.name[0 if lang == "zh" else 1]) for r in p.readings]
    return items


def _delivered(plan: Plan, arrays: dict) -> float:
    """What today's capacity (today's productivity, not the target's phasing) delivers, in the target's unit."""
    gp = arrays["heads"][:, None] * st.productivity_matrix(arrays["gph"], plan.capacity) * arrays["ramp"]
    gp_total = gp.sum()
    revenue = float(np.sum(gp.sum(axis=1) / arrays["margin"]))
    if plan.target_kind == "gross_profit":
        return float(gp_total)
    if plan.target_kind == "revenue":
        return revenue
    c = plan.costs
    pretax = (
        gp_total
        - float(c.fixed_per_month_yuan) * 12
        - float(c.per_head_per_month_yuan) * _head_months(arrays["heads"], arrays["opening"])
        - c.pct_of_revenue * revenue
    )
    return pretax * (1 - c.income_tax_rate) if pretax > 0 else pretax


def delivered(plan: Plan, history: pd.DataFrame | None = None) -> float:
    """What today's team delivers at today's productivity, in the unit of the plan's target (yuan).

    ``history`` is accepted for symmetry with the planner; capacity does not depend on the phasing.
    """
    return _delivered(plan, branch_arrays(plan))


_GOAL_SEEK_BOUNDS = {
    "productivity_growth": (-0.5, 3.0),
    "monthly_growth": (-0.5, 3.0),
    "yoy_growth": (-0.9, 20.0),
    "gross_margin": (0.001, 0.999),
    "headcount": (0.0, 1000.0),
    "gp_per_head": (0.0, 1000.0),
}


def _with_value(p: Plan, parameter: str, x: float) -> Plan:
    if parameter == "productivity_growth":
        return p.replace(capacity=dataclasses.replace(p.capacity, productivity_growth=x))
    if parameter in ("monthly_growth", "yoy_growth", "gross_margin"):
        return p.replace(**{parameter: x})
    col = S.HEADCOUNT if parameter == "headcount" else S.GP_PER_HEAD
    branches = p.branches.assign(**{col: p.branches[col] * x})
    new = tuple(
        nb.__class__(**{**nb.__dict__, **({"headcount": nb.headcount * x} if parameter == "headcount" else {"gp_per_head_month": (nb.gp_per_head_month * x if nb.gp_per_head_month is not None else None)})})
        for nb in p.new_branches
    )
    # new branches that borrow the median/comparable productivity scale with it
    return p.replace(branches=branches, new_branches=new)


def goal_seek(plan: Plan, parameter: str, history: pd.DataFrame | None = None) -> GoalSeekResult:
    """Solve for the value of one input at which today's team capacity reaches the plan's target.

    ``parameter``: ``productivity_growth`` (the monthly growth of gross profit per head, from the
    capacity's anchor month), ``headcount`` (a factor on every branch's headcount), ``gp_per_head``
    (a factor on every branch's productivity) or ``gross_margin``.  The phasing's ``monthly_growth`` /
    ``yoy_growth`` only shape the task, never the team, so they cannot reach a target: asking for
    them raises :class:`GoalSeekError` pointing to ``productivity_growth``.
    """
    from scipy.optimize import brentq  # scipy comes with statsmodels; imported only here, for speed

    if parameter not in GOAL_SEEK_PARAMETERS:
        raise ParameterError(f"cannot goal-seek '{parameter}'.{suggest(parameter, GOAL_SEEK_PARAMETERS)} Valid: {', '.join(GOAL_SEEK_PARAMETERS)}.")
    p = plan
    target = float(p.target_yuan)
    if parameter in ("monthly_growth", "yoy_growth"):
        raise GoalSeekError(
            f"{parameter} is the phasing's growth: it shapes the monthly tasks, not what the team delivers, so no value "
            "of it reaches the target. Fix: goal-seek productivity_growth (how fast gross profit per head must grow "
            "a month), headcount or gp_per_head."
        )

    def f(x: float) -> float:
        return delivered(_with_value(p, parameter, x), history) - target

    lo, hi = _GOAL_SEEK_BOUNDS[parameter]
    f_lo, f_hi = f(lo), f(hi)
    unit = f"{p.target_kind} yuan"
    if f_lo == f_hi:
        raise GoalSeekError(
            f"{parameter} does not change the {p.target_kind} that today's capacity delivers "
            f"({f_lo + target:,.0f} vs target {target:,.0f} {unit}); no value of it can reach the target."
        )
    if f_lo * f_hi > 0:
        raise GoalSeekError(
            f"no value of {parameter} in [{lo}, {hi}] reaches the target {target:,.0f} {unit}: "
            f"it delivers {f_lo + target:,.0f} at {lo} and {f_hi + target:,.0f} at {hi}."
        )
    found = brentq(f, lo, hi, xtol=1e-10)
    current = {
        "productivity_growth": p.capacity.productivity_growth,
        "monthly_growth": p.phasing.monthly_growth,
        "yoy_growth": p.phasing.yoy_growth,
        "gross_margin": p.gross_margin,
        "headcount": 1.0,
        "gp_per_head": 1.0,
    }[parameter]
    if parameter == "headcount":
        heads_now = float(p.branches[S.HEADCOUNT].sum() + sum(nb.headcount for nb in p.new_branches))
        detail = f"headcount x{found:.4f}: {math.ceil(heads_now * found - 1e-9):,} people instead of {heads_now:,.0f}"
    elif parameter == "gp_per_head":
        detail = f"gross profit per head x{found:.4f} of today's"
    else:
        detail = f"{parameter} = {found:.4%} (now {current:.4%})"
    return GoalSeekResult(parameter, float(found), target, delivered(_with_value(p, parameter, found), history) + 0.0, detail)


# ----------------------------------------------------------------------------
# can this team make it: capacity, staffing, org, mix, readings (module functions; the class delegates)
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TeamAnswer:
    """What :func:`team_answer` finds for a fitted plan (see :class:`BackwardPlanner` for each field)."""

    productivity: np.ndarray
    today_capacity: np.ndarray
    phased_capacity: np.ndarray
    per_head: pd.DataFrame
    earliest: np.ndarray
    staffing: st.StaffingPlan
    staffed_requirement: Requirement
    staffed_tasks: pd.DataFrame
    org: pd.DataFrame


def staffing_pay(plan: Plan) -> Decimal:
    """A hire's pay a month: the staffing setting, else what the plan's costs count per head."""
    pay = plan.staffing.pay_per_head_month_yuan
    return pay if pay is not None else plan.costs.per_head_per_month_yuan


def team_answer(plan: Plan, arrays: dict, phase: np.ndarray, weights: np.ndarray, base: Requirement, tasks: pd.DataFrame) -> TeamAnswer:
    """Today's capacity, the gross profit per head each task needs, the staffing plan (cost fed back) and the org."""
    names, heads, opening, ramp = arrays["names"], arrays["heads"], arrays["opening"], arrays["ramp"]
    n = len(names)
    prod = st.productivity_matrix(arrays["gph"], plan.capacity)
    today = heads[:, None] * prod * ramp
    phased = arrays["cap"] * phase / phase_level(plan)
    gp_task = tasks["gross_profit_task_fen"].to_numpy(dtype=float).reshape(n, 12) / 100
    per_head = st.per_head_frame(names, plan.months, gp_task, heads, opening, prod, ramp, st.realistic_limit(arrays["gph"], plan.capacity))
    earliest = st.earliest_join(opening, plan.staffing, plan.hires_productive_from)
    pay = staffing_pay(plan)
    net = plan.target_kind == "net_profit"

    def gross_profit_fen_for(cost_fen: int) -> int:
        if cost_fen == 0 or not net:
            return base.gross_profit_fen
        return requirement(plan, weights, arrays["margin"], heads, opening, Decimal(cost_fen) / 100).gross_profit_fen

    plan_st = st.solve_staffing(
        st.StaffingInputs(names, heads, prod, ramp, opening, earliest), weights / weights.sum(), gross_profit_fen_for,
        plan.staffing, pay, plan.roles, costs_count=net,
        pass_through=float(base.gross_profit / (base.gross_profit - base.revenue_costs)), source=plan.source,
    )
    cost = Decimal(plan_st.cost_fen) / 100
    if net and plan_st.cost_fen:
        staffed = requirement(plan, weights, arrays["margin"], heads, opening, cost)
    else:
        staffed = dataclasses.replace(base, staffing_costs=cost)
    staffed_tasks = split_tasks(plan, staffed, weights, arrays) if net and plan_st.cost_fen else tasks
    everywhere = np.ones(n, dtype=bool)
    org = org_frame(names, heads, plan_st.salespeople[:, 11], everywhere, everywhere, plan.roles, float(pay))
    return TeamAnswer(prod, today, phased, per_head, earliest, plan_st, staffed, staffed_tasks, org)


def _needs_history(phasing: Phasing) -> bool:
    return phasing.method == "yoy_growth" or (phasing.method == "seasonal" and phasing.shares is None)


def readings_table(base: BackwardPlanner, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """The plan's answer under each of its ``readings``, side by side with its own (first row).

    Per reading: today's capacity (existing branches, new branches, total), what the team would
    deliver if its productivity grew like the target (the comparison the phasing invites),
    the gross profit required and its multiple of today's capacity, December's task against
    January's, the branch-month that needs the most gross profit per head against today's, the people
    the staffing plan adds, their cost and the requirement with it, and the branch whose annual sales
    task moves most against the plan's own reading.  A phasing that needs last year's months, given
    without history, takes last year's months as equal (``flat_history``).
    """
    plan = base.plan
    rows = [_reading_row(base, (text("bw_reading_as_planned", "zh"), text("bw_reading_as_planned", "en")), 1.0, False, None)]
    for reading in plan.readings:
        p = dataclasses.replace(plan.with_reading(reading), mix=())
        level, flat = 1.0, False
        if history is None and _needs_history(p.phasing):
            level = 1.0 + (p.phasing.yoy_growth if p.phasing.method == "yoy_growth" else 0.0)
            p, flat = dataclasses.replace(p, phasing=Phasing("flat")), True
        try:
            bw, converges = BackwardPlanner(p).fit(history=history, forecast=forecast), True
        except PlanError:
            # no team size converges under this reading: capacity and tasks still stand, the staffing columns stay empty
            free = dataclasses.replace(p.staffing, pay_per_head_month_yuan=Decimal(0), recruiting_cost_per_hire_yuan=Decimal(0))
            bw, converges = BackwardPlanner(dataclasses.replace(p, staffing=free, roles=())).fit(history=history, forecast=forecast), False
        rows.append(_reading_row(bw, reading.name, level, flat, base, converges))
    return pd.DataFrame(rows)


def _reading_row(bw: BackwardPlanner, name: tuple[str, str], level: float, flat: bool, base: BackwardPlanner | None,
                 converges: bool = True) -> dict:
    n_old = len(bw.plan.branches)
    today = bw.today_capacity_
    gp = bw.requirement_.gross_profit_fen / 100
    months = bw.tasks_.groupby(S.MONTH)["gross_profit_task_fen"].sum().to_numpy(dtype=float)
    ratio = bw.per_head_["required_vs_today"]
    peak = ratio.idxmax() if ratio.notna().any() else None
    row = {
        "reading_zh": name[0], "reading_en": name[1], "flat_history": flat, "converges": converges,
        "capacity_existing": round(float(today[:n_old].sum()), 2),
        "capacity_new_branches": round(float(today[n_old:].sum()), 2),
        "capacity_gross_profit": round(float(today.sum()), 2),
        "capacity_phased": round(float(bw.phased_capacity_.sum() * level), 2),
        "gross_profit_required": gp,
        "capacity_multiple": gp / today.sum() if today.sum() > 0 else np.nan,
        "december_vs_january": months[11] / months[0] if months[0] > 0 else np.nan,
        "peak_branch": bw.per_head_.at[peak, S.BRANCH] if peak is not None else None,
        "peak_month": bw.per_head_.at[peak, S.MONTH] if peak is not None else pd.NaT,
        "peak_vs_today": float(ratio[peak]) if peak is not None else np.nan,
        "extra_heads_needed": bw.staffing_.hires_total if converges else np.nan,
        "staffing_cost": bw.staffing_.cost_fen / 100 if converges else np.nan,
        "gross_profit_with_staffing": bw.staffed_requirement_.gross_profit_fen / 100 if converges else np.nan,
        "changed_branch": None, "changed_branch_task_before": np.nan, "changed_branch_task": np.nan,
    }
    if base is not None:
        mine = bw.tasks_.groupby(S.BRANCH, sort=False)["sales_task_fen"].sum()
        theirs = base.tasks_.groupby(S.BRANCH, sort=False)["sales_task_fen"].sum().reindex(mine.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.abs(mine.to_numpy(dtype=float) / theirs.to_numpy(dtype=float) - 1.0)
        change = np.where(np.isfinite(change), change, -1.0)
        if change.max() > 0:
            i = int(np.argmax(change))
            row.update(changed_branch=mine.index[i], changed_branch_task_before=theirs.iloc[i] / 100, changed_branch_task=mine.iloc[i] / 100)
    return row


def hires_matrix(bw: BackwardPlanner, lang: str = "zh") -> pd.DataFrame:
    """People joining per branch x month, with totals (a 招聘计划 in the shape of the 任务分解表)."""
    check_lang(lang)
    hires = pd.DataFrame(bw.staffing_.hires, index=bw.branch_names_, columns=[value("plan_month", m, lang) for m in range(1, 13)])
    total = label("total", lang)
    hires[total] = hires.sum(axis=1)
    hires.loc[total] = hires.sum(axis=0)
    hires.index.name = label(S.BRANCH, lang)
    return hires


def _label_reading(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    names = out[f"reading_{lang}"].astype(str)
    notes = np.where(out["flat_history"].astype(bool), " " + text("bw_reading_flat_history", lang), "")
    fails = np.where(~out["converges"].astype(bool), " " + text("bw_reading_no_convergence", lang), "")
    out.insert(0, "reading", names + notes + fails)
    return out.drop(columns=["reading_zh", "reading_en", "flat_history", "converges"])


def labelled_tables(bw: BackwardPlanner, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Every table of a fitted planner with labelled headers and values (see :meth:`BackwardPlanner.tables`)."""
    check_lang(lang)
    fen = ["gross_profit_task_fen", "sales_task_fen"]
    raw = {"tasks": bw.tasks_.drop(columns=fen)}
    if bw.person_tasks_ is not None:
        raw["salesperson_tasks"] = bw.person_tasks_.drop(columns=fen)
    raw["staffing_check"] = bw.capacity_
    raw["required_per_head"] = bw.per_head_
    raw["staffing_plan"] = bw.staffing_plan()
    raw["org_structure"] = bw.org_
    for dim in bw.mix_:
        raw[f"mix_{dim}"] = bw.mix_targets(dim).drop(columns=fen)  # a mix without its history says which to give
    if bw.plan.readings:
        raw["sensitivity"] = bw.sensitivity(lang)
    raw["assumptions"] = bw.assumptions(lang)
    out = {
        "sales_matrix": bw.matrix("sales_task", lang).reset_index(),
        "gross_profit_matrix": bw.matrix("gross_profit_task", lang).reset_index(),
        "hires_matrix": hires_matrix(bw, lang).reset_index(),
    }
    kinds = {"is_new_branch": "bool", "flagged": "bool", "role": "org_role"}
    for name, frame in raw.items():
        out[name] = label_columns(label_values(frame, lang, kinds), lang, "backward")
    order = ["sales_matrix", "gross_profit_matrix", "tasks", "salesperson_tasks", "staffing_check", "required_per_head",
             "hires_matrix", "staffing_plan", "org_structure", *[f"mix_{d}" for d in bw.mix_], "sensitivity", "assumptions"]
    return {k: out[k] for k in order if k in out}


def sheet_name(table: str, lang: str) -> str:
    """The workbook sheet of a table, in ``lang`` (at most 31 characters)."""
    if table.startswith("mix_"):
        return text("bw_sheet_mix", lang, dimension=label(table[4:], lang, "backward"))[:31]
    return text(f"bw_sheet_{table}", lang)


# ----------------------------------------------------------------------------
# the planner
# ----------------------------------------------------------------------------
class BackwardPlanner:
    """Derive monthly tasks from a required target (倒推法), and what team can deliver them.

    Parameters
    ----------
    plan : Plan
        The settings (target, margin, costs, branches, phasing, allocation, capacity, staffing,
        roles, mix, readings).

    After :meth:`fit`: ``requirement_`` (the chain), ``tasks_`` (tidy, one row
    per branch x month with integer-fen columns and yuan columns),
    ``person_tasks_`` (per salesperson, when the plan has a roster),
    ``capacity_`` (can this team make it, per branch), ``weights_`` (branch x month) and the
    per-branch arrays ``branch_names_``, ``heads_``, ``gph_``, ``margin_``,
    ``weight_``, ``opening_``, ``ramp_``, ``cap_`` (headcount x productivity x ramp, before
    phasing), ``phase_`` (the target's phasing), ``capacity_gp_`` (``cap_`` x ``phase_``: the
    capacity-allocation weights).

    Can this team make it: ``productivity_`` (gross profit per head per month at today's
    productivity, grown only by ``capacity.productivity_growth``, capped at the ceiling),
    ``today_capacity_`` (headcount x ``productivity_`` x ramp: what today's team delivers, independent
    of the phasing), ``phased_capacity_`` (what it would deliver if productivity grew like the target:
    for comparison only), ``per_head_`` (required vs today's gross profit per head, flagged),
    ``earliest_`` (first month a hire can join), ``staffing_`` (the staffing plan,
    :class:`~salesanalytics.methods.staffing.StaffingPlan`), ``staffed_requirement_`` /
    ``staffed_tasks_`` (the requirement and tasks with the staffing plan's cost), ``org_`` (团队编制 by
    role and branch), ``mix_`` (dimension -> categories and shares per branch), ``history_`` /
    ``forecast_`` (the inputs :meth:`sensitivity` fits each of the plan's readings with).
    """

    def __init__(self, plan: Plan):
        self.plan = plan

    # -- fit -----------------------------------------------------------------
    def fit(self, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None,
            mix_history: pd.DataFrame | None = None) -> BackwardPlanner:
        """Compute the requirement, the allocation, today's capacity, the staffing plan and the org.

        ``history``: monthly history (long format) for yoy / seasonal phasing.
        ``forecast``: a forward forecast (columns branch, month, mean) for
        ``allocation: forecast``; new branches keep their capacity weights.
        ``mix_history``: a frame with branch, revenue [, gross_profit] and the mix dimension's column
        for a ``mix`` measured ``from: history`` (default: ``history``).
        """
        plan = self.plan
        arrays = branch_arrays(plan)
        self.branch_names_ = arrays["names"]
        self.heads_, self.gph_, self.margin_ = arrays["heads"], arrays["gph"], arrays["margin"]
        self.weight_, self.opening_, self.ramp_, self.cap_ = arrays["weight"], arrays["opening"], arrays["ramp"], arrays["cap"]
        self.phase_ = phase_index(plan, self.branch_names_, history)
        capacity = self.cap_ * self.phase_  # the capacity allocation's weights: the task's shape, not the team's output
        if plan.allocation == "capacity":
            weights = capacity
        elif plan.allocation == "weights":
            weights = self.weight_[:, None] * self.ramp_ * self.phase_
        else:
            weights = forecast_weights(plan, arrays, forecast, capacity)
        if not np.isfinite(weights).all() or weights.sum() <= 0:
            raise PlanError(f"{plan.source}: every branch has zero capacity/weight; nothing to allocate the target over.")
        self.weights_ = weights
        self.capacity_gp_ = capacity
        self.requirement_ = requirement(plan, weights, self.margin_, self.heads_, self.opening_)
        self.tasks_ = split_tasks(plan, self.requirement_, weights, arrays)
        self.person_tasks_ = split_people(plan.roster, self.tasks_, self.branch_names_) if plan.roster is not None else None
        team = team_answer(plan, arrays, self.phase_, weights, self.requirement_, self.tasks_)
        self.productivity_, self.today_capacity_, self.phased_capacity_ = team.productivity, team.today_capacity, team.phased_capacity
        self.per_head_, self.earliest_, self.staffing_ = team.per_head, team.earliest, team.staffing
        self.staffed_requirement_, self.staffed_tasks_, self.org_ = team.staffed_requirement, team.staffed_tasks, team.org
        self.capacity_ = capacity_check(plan, self.tasks_, arrays, self.today_capacity_, self.per_head_, self.staffing_, self.earliest_)
        mixed = mix_history if mix_history is not None else history
        # a mix measured from a history that lacks its column is left open (None): only asking for it is an error,
        # so the combined plan and the quarter's cycle, which never do, still fit such a plan
        self.mix_ = {m.dimension: None if m.source == "history" and (mixed is None or m.dimension not in mixed.columns)
                     else mix_shares(m, self.branch_names_, mixed, plan.year, plan.source) for m in plan.mix}
        self.history_, self.forecast_ = history, forecast  # the readings are fitted on demand, with the same inputs
        return self

    def _arrays(self) -> dict:
        return {"names": self.branch_names_, "heads": self.heads_, "gph": self.gph_, "margin": self.margin_,
                "weight": self.weight_, "opening": self.opening_, "ramp": self.ramp_, "cap": self.cap_}

    # -- views ---------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "tasks_"):
            raise NotFittedError("BackwardPlanner is not fitted yet; call fit() first.")

    def tasks(self, level: str = "branch", *, staffed: bool = False) -> pd.DataFrame:
        """Tidy tasks in the targets format that tracking reads.

        ``level='branch'``: month, branch, is_new_branch, gross_profit_task_fen, sales_task_fen,
        gross_profit_task, sales_task (yuan); ``'salesperson'``: month, branch, salesperson and
        the same task columns.  Both sum exactly (in fen) to the requirement.  ``staffed=True``:
        the tasks of the requirement with the staffing plan's cost (branch level only).
        """
        self._check_fitted()
        if level not in ("branch", "salesperson"):
            raise ParameterError(f"level must be 'branch' or 'salesperson', not '{level}'.{suggest(str(level), ['branch', 'salesperson'])}")
        if staffed:
            if level != "branch":
                raise ParameterError("tasks with the staffing plan's cost exist per branch only (the hires are not on the roster yet).")
            return self.staffed_tasks_.copy()
        if level == "branch":
            return self.tasks_.copy()
        if self.person_tasks_ is None:
            raise ParameterError("the plan has no roster; give one (roster: FILE) to split tasks per salesperson.")
        return self.person_tasks_.copy()

    def mix_targets(self, dimension: str | None = None, level: str = "branch", *, staffed: bool = False) -> pd.DataFrame:
        """Targets by the plan's ``mix`` dimension (product / market / customer_type), in the targets format.

        Every branch-month (``level='salesperson'``: salesperson-month) task split over the dimension's
        shares by largest remainder: the parts sum to the fen to :meth:`tasks` at the same level.
        ``dimension`` defaults to the plan's first mix.
        """
        self._check_fitted()
        if not self.mix_:
            raise ParameterError("the plan has no mix; add one, e.g. mix: {product: {shares: {工业设备: 60, 耗材配件: 40}}}.")
        dimension = dimension or next(iter(self.mix_))
        if dimension not in self.mix_:
            raise ParameterError(f"the plan has no mix by '{dimension}'.{suggest(str(dimension), self.mix_)} It has: {', '.join(self.mix_)}.")
        if self.mix_[dimension] is None:
            mix = next(m for m in self.plan.mix if m.dimension == dimension)
            mix_shares(mix, self.branch_names_, None, self.plan.year, self.plan.source)  # raises: the history to give
        cats, sales, gp = self.mix_[dimension]
        return split_by_mix(self.tasks(level, staffed=staffed), self.branch_names_, dimension, cats, sales, gp)

    def matrix(self, value: str = "sales_task", lang: str = "zh", *, staffed: bool = False) -> pd.DataFrame:
        """The wide 任务分解表: branches x 12 months plus totals, in yuan."""
        self._check_fitted()
        if value not in ("sales_task", "gross_profit_task"):
            raise ParameterError(f"value must be 'sales_task' or 'gross_profit_task', not '{value}'.{suggest(value, ['sales_task', 'gross_profit_task'])}")
        return wide_matrix(self.staffed_tasks_ if staffed else self.tasks_, self.branch_names_, f"{value}_fen", lang)

    def staffing_plan(self) -> pd.DataFrame:
        """The staffing plan, tidy: per branch x month the people joining, when recruiting starts, the
        expected team, the task, what today's team and the hires deliver, what stays open, and the costs."""
        self._check_fitted()
        return st.hires_frame(self.branch_names_, self.plan.months, self.staffing_, self.plan.staffing.lead_time_months)

    def capacity_frame(self) -> pd.DataFrame:
        """Today's capacity per branch x month (month, branch, headcount, productivity, capacity_gross_profit), yuan.

        Headcount x today's productivity (grown only by the capacity's own setting) x ramp: what the
        combined method's staffing and any "can today's team make it" question should start from.
        """
        self._check_fitted()
        n = len(self.branch_names_)
        return pd.DataFrame({
            S.MONTH: np.tile(self.plan.months.to_numpy(), n),
            S.BRANCH: np.repeat(np.asarray(self.branch_names_, dtype=object), 12).astype(str),
            S.HEADCOUNT: np.repeat(self.heads_, 12),
            "productivity": self.productivity_.reshape(-1),
            "capacity_gross_profit": self.today_capacity_.reshape(-1),
        })

    def org(self, stage: str = "staffed") -> pd.DataFrame:
        """团队编制, one row per branch: people by role (role codes as columns), people_total, monthly_cost.

        ``stage='today'``: the plan's team; ``'staffed'``: December's team with the staffing plan.
        """
        self._check_fitted()
        if stage not in ("today", "staffed"):
            raise ParameterError(f"stage must be 'today' or 'staffed', not '{stage}'.{suggest(str(stage), ['today', 'staffed'])}")
        return org_wide(self.org_, self.branch_names_, stage)

    def sensitivity(self, lang: str | None = None) -> pd.DataFrame:
        """The plan's readings side by side (see :func:`readings_table`); with ``lang``, one labelled name column.

        Each reading is a fit of its own (computed here, not in :meth:`fit`, so a slider's refit stays fast).
        """
        self._check_fitted()
        if not self.plan.readings:
            raise ParameterError("the plan has no readings; add some under 'readings:' (see data/seed_case_2012.yaml).")
        table = readings_table(self, self.history_, self.forecast_)
        return table if lang is None else _label_reading(table, check_lang(lang))

    def summary(self) -> dict:
        """Headline figures, raw numbers (yuan as floats).

        Keys: ``year``, ``target_kind`` (net_profit / gross_profit / revenue), ``target_yuan``,
        ``net_profit_yuan``, ``gross_profit_required_yuan``, ``revenue_required_yuan`` (both
        exact to the fen), ``effective_margin`` (fraction), ``branches`` (count),
        ``new_branches`` (names), ``capacity_gross_profit_yuan`` (what today's team delivers in the year
        at today's productivity), ``capacity_existing_yuan`` / ``capacity_new_branches_yuan`` (its two
        parts), ``capacity_phased_yuan`` (if productivity grew like the target: comparison only),
        ``capacity_multiple`` (required / today's capacity), ``uplift_needed_pct`` (percent),
        ``extra_heads_needed`` (people the staffing plan adds), ``staffing_cost_yuan``,
        ``gross_profit_with_staffing_yuan`` / ``revenue_with_staffing_yuan`` (the requirement with their
        cost), ``staffing_iterations``, ``open_gap_yuan`` (what no hire can close in time),
        ``cells_flagged`` (branch-months above the realistic multiple), ``peak_vs_today``,
        ``peak_branch``, ``peak_month`` (the most demanding branch-month per head).
        """
        self._check_fitted()
        req = self.requirement_
        n_old = len(self.plan.branches)
        cap = float(self.today_capacity_.sum())
        gp = req.gross_profit_fen / 100
        ratio = self.per_head_["required_vs_today"]
        peak = ratio.idxmax() if ratio.notna().any() else None
        return {
            "year": self.plan.year,
            "target_kind": req.target_kind,
            "target_yuan": float(req.target_yuan),
            "net_profit_yuan": float(req.net_profit),
            "gross_profit_required_yuan": gp,
            "revenue_required_yuan": req.revenue_fen / 100,
            "effective_margin": req.effective_margin,
            "branches": len(self.branch_names_),
            "new_branches": [nb.branch for nb in self.plan.new_branches],
            "capacity_gross_profit_yuan": cap,
            "capacity_existing_yuan": float(self.today_capacity_[:n_old].sum()),
            "capacity_new_branches_yuan": float(self.today_capacity_[n_old:].sum()),
            "capacity_phased_yuan": float(self.phased_capacity_.sum()),
            "capacity_multiple": gp / cap if cap > 0 else float("nan"),
            "uplift_needed_pct": gp / cap * 100 - 100 if cap > 0 else float("nan"),
            "extra_heads_needed": float(self.staffing_.hires_total),
            "staffing_cost_yuan": self.staffing_.cost_fen / 100,
            "gross_profit_with_staffing_yuan": self.staffed_requirement_.gross_profit_fen / 100,
            "revenue_with_staffing_yuan": self.staffed_requirement_.revenue_fen / 100,
            "staffing_iterations": self.staffing_.iterations,
            "open_gap_yuan": float(self.staffing_.open_gap.sum()),
            "cells_flagged": int(self.per_head_["flagged"].sum()),
            "peak_vs_today": float(ratio[peak]) if peak is not None else float("nan"),
            "peak_branch": self.per_head_.at[peak, S.BRANCH] if peak is not None else None,
            "peak_month": self.per_head_.at[peak, S.MONTH] if peak is not None else None,
        }

    def assumptions(self, lang: str = "zh") -> pd.DataFrame:
        """The settings and documented assumptions used: columns ``item``, ``value`` (words, formatted)."""
        self._check_fitted()
        return assumptions_table(self.plan, lang)

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Every table with labelled headers and values: ``sales_matrix``, ``gross_profit_matrix``,
        ``tasks``, ``salesperson_tasks`` (with a roster), ``staffing_check``, ``required_per_head``,
        ``hires_matrix``, ``staffing_plan``, ``org_structure``, ``mix_<dimension>`` (with a mix),
        ``sensitivity`` (with readings), ``assumptions``."""
        self._check_fitted()
        return labelled_tables(self, lang)

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheets for the Excel output, named in ``lang``: the :meth:`tables`."""
        return {sheet_name(name, lang): frame for name, frame in self.tables(lang).items()}

    # -- goal seek -----------------------------------------------------------
    def delivered(self, plan: Plan | None = None, history: pd.DataFrame | None = None) -> float:
        """What today's team delivers at today's productivity, in the unit of the plan's target (yuan).

        Without ``plan``: the fitted plan; with ``plan``: that plan.
        """
        if plan is not None:
            return delivered(plan, history)
        self._check_fitted()
        return _delivered(self.plan, self._arrays())

    def goal_seek(self, parameter: str, history: pd.DataFrame | None = None) -> GoalSeekResult:
        """The value of ``parameter`` at which today's capacity reaches the target (see :func:`goal_seek`)."""
        return goal_seek(self.plan, parameter, history)


def plan_backward(plan: Plan, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None) -> BackwardPlanner:
    """Convenience: ``BackwardPlanner(plan).fit(history, forecast)``."""
    return BackwardPlanner(plan).fit(history=history, forecast=forecast)
