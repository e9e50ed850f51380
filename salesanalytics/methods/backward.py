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
   branch-month over its salespeople.

Everything is computed by :meth:`BackwardPlanner.fit`; the outputs are tidy
frames (long format) and a wide 任务分解表 view made at the edge.

Rhythm (the estimator contract of every method class): the plan is a *setting*
(configuration read from a YAML), data go to ``fit``::

    planner = BackwardPlanner(plan).fit(history=None)   # returns the planner
    planner.tasks()      # month, branch, sales_task, gross_profit_task (+ fen columns): the targets format
    planner.summary()    # headline figures, raw numbers (see its docstring)
    planner.tables("zh") # every table with labelled headers

The numeric steps are module functions (arrays in, arrays out); the class holds the
settings and the fitted state.
"""

from __future__ import annotations

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
from .plan import Plan

#: the salesperson name a branch's task goes to when the roster has nobody there: "待招聘 (to hire)",
#: one name in both languages because it is data (a key of the targets file), not a header
UNASSIGNED = f"{text('bw_unassigned', 'zh')} ({text('bw_unassigned', 'en')})"
GOAL_SEEK_PARAMETERS = ("monthly_growth", "yoy_growth", "gross_margin", "headcount", "gp_per_head")


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


def requirement(plan: Plan, weights: np.ndarray, margin: np.ndarray, heads: np.ndarray, opening: np.ndarray) -> Requirement:
    """The chain from the plan's target to the gross profit and revenue required (exact Decimal, then fen)."""
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
        gp = (pretax + fixed + head) / denom
        revenue = gp * rev_per_gp
    revenue_costs = pct * revenue
    pretax = gp - fixed - head - revenue_costs
    net = pretax * (1 - tax) if pretax > 0 else pretax
    if gp <= 0:
        raise PlanError(f"{plan.source}: the target needs no gross profit; check the target and the costs.")
    return Requirement(
        target_kind=plan.target_kind, target_yuan=amount, net_profit=net, pretax_profit=pretax, fixed_costs=fixed,
        head_costs=head, revenue_costs=revenue_costs, gross_profit=gp, revenue=revenue,
        gross_profit_fen=to_fen(gp), revenue_fen=to_fen(revenue),
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


def capacity_check(plan: Plan, tasks: pd.DataFrame, arrays: dict, capacity_gp: np.ndarray, phase: np.ndarray) -> pd.DataFrame:
    """团队编制: what today's team delivers under the same phasing vs the task."""
    names = arrays["names"]
    task_fen = tasks.groupby(S.BRANCH, sort=False)["gross_profit_task_fen"].sum().reindex(names)
    task = task_fen.to_numpy(dtype=float) / 100
    cap = capacity_gp.sum(axis=1)
    gap = task - cap
    productive = np.maximum(plan.hires_productive_from, arrays["opening"])
    months_idx = np.arange(1, 13)
    gph = arrays["gph"]
    per_hire = np.array([gph[i] * phase[i, months_idx >= productive[i]].sum() for i in range(len(task))])
    with np.errstate(divide="ignore", invalid="ignore"):
        uplift = np.where(cap > 0, task / cap - 1.0, np.nan)
        extra = np.where(gap > 0, np.where(per_hire > 0, np.ceil(np.round(gap / per_hire, 9)), np.nan), 0.0)
    year = plan.year
    return pd.DataFrame(
        {
            S.BRANCH: names,
            "headcount": arrays["heads"],
            "gp_per_head_month": gph,
            "opening_month": [pd.Timestamp(year=year, month=int(m), day=1) for m in arrays["opening"]],
            "capacity_gross_profit": np.round(cap, 2),
            "gross_profit_task": task,
            "gap_gross_profit": np.round(gap, 2),
            "uplift_needed_pct": np.round(uplift * 100, 2),
            "extra_heads_needed": extra,
            "hires_productive_from": [pd.Timestamp(year=year, month=int(m), day=1) for m in productive],
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
    items += [(text("bw_item_note", lang), n) for n in p.notes]
    return pd.DataFrame(items, columns=["item", "value"]).astype({"value": str})


def _delivered(plan: Plan, arrays: dict, phase: np.ndarray) -> float:
    gp = arrays["cap"] * phase
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
    """What the plan's team capacity delivers, in the unit of the plan's target (yuan)."""
    arrays = branch_arrays(plan)
    return _delivered(plan, arrays, phase_index(plan, arrays["names"], history))


_GOAL_SEEK_BOUNDS = {
    "monthly_growth": (-0.5, 3.0),
    "yoy_growth": (-0.9, 20.0),
    "gross_margin": (0.001, 0.999),
    "headcount": (0.0, 1000.0),
    "gp_per_head": (0.0, 1000.0),
}


def _with_value(p: Plan, parameter: str, x: float) -> Plan:
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

    ``parameter``: ``monthly_growth`` / ``yoy_growth`` (the phasing's growth),
    ``gross_margin``, ``headcount`` (a factor on every branch's headcount) or
    ``gp_per_head`` (a factor on every branch's productivity).
    """
    from scipy.optimize import brentq  # scipy comes with statsmodels; imported only here, for speed

    if parameter not in GOAL_SEEK_PARAMETERS:
        raise ParameterError(f"cannot goal-seek '{parameter}'.{suggest(parameter, GOAL_SEEK_PARAMETERS)} Valid: {', '.join(GOAL_SEEK_PARAMETERS)}.")
    p = plan
    target = float(p.target_yuan)
    if parameter == "monthly_growth" and p.phasing.method != "compound_growth":
        raise GoalSeekError("monthly_growth only moves the plan under compound_growth phasing.")
    if parameter == "yoy_growth" and p.phasing.method != "yoy_growth":
        raise GoalSeekError("yoy_growth only moves the plan under yoy_growth phasing.")

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
# the planner
# ----------------------------------------------------------------------------
class BackwardPlanner:
    """Derive monthly tasks from a required target (倒推法).

    Parameters
    ----------
    plan : Plan
        The settings (target, margin, costs, branches, phasing, allocation).

    After :meth:`fit`: ``requirement_`` (the chain), ``tasks_`` (tidy, one row
    per branch x month with integer-fen columns and yuan columns),
    ``person_tasks_`` (per salesperson, when the plan has a roster),
    ``capacity_`` (the staffing check), ``weights_`` (branch x month) and the
    per-branch arrays ``branch_names_``, ``heads_``, ``gph_``, ``margin_``,
    ``weight_``, ``opening_``, ``ramp_``, ``cap_``, ``phase_``, ``capacity_gp_``.
    """

    def __init__(self, plan: Plan):
        self.plan = plan

    # -- fit -----------------------------------------------------------------
    def fit(self, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None) -> BackwardPlanner:
        """Compute the requirement, the allocation and the staffing check.

        ``history``: monthly history (long format) for yoy / seasonal phasing.
        ``forecast``: a forward forecast (columns branch, month, mean) for
        ``allocation: forecast``; new branches keep their capacity weights.
        """
        plan = self.plan
        arrays = branch_arrays(plan)
        self.branch_names_ = arrays["names"]
        self.heads_, self.gph_, self.margin_ = arrays["heads"], arrays["gph"], arrays["margin"]
        self.weight_, self.opening_, self.ramp_, self.cap_ = arrays["weight"], arrays["opening"], arrays["ramp"], arrays["cap"]
        self.phase_ = phase_index(plan, self.branch_names_, history)
        capacity = self.cap_ * self.phase_  # gross profit per month the team delivers, yuan
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
        self.capacity_ = capacity_check(plan, self.tasks_, arrays, capacity, self.phase_)
        return self

    def _arrays(self) -> dict:
        return {"names": self.branch_names_, "heads": self.heads_, "gph": self.gph_, "margin": self.margin_,
                "weight": self.weight_, "opening": self.opening_, "ramp": self.ramp_, "cap": self.cap_}

    # -- views ---------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "tasks_"):
            raise NotFittedError("BackwardPlanner is not fitted yet; call fit() first.")

    def tasks(self, level: str = "branch") -> pd.DataFrame:
        """Tidy tasks in the targets format that tracking reads.

        ``level='branch'``: month, branch, is_new_branch, gross_profit_task_fen, sales_task_fen,
        gross_profit_task, sales_task (yuan); ``'salesperson'``: month, branch, salesperson and
        the same task columns.  Both sum exactly (in fen) to the requirement.
        """
        self._check_fitted()
        if level == "branch":
            return self.tasks_.copy()
        if level == "salesperson":
            if self.person_tasks_ is None:
                raise ParameterError("the plan has no roster; give one (roster: FILE) to split tasks per salesperson.")
            return self.person_tasks_.copy()
        raise ParameterError(f"level must be 'branch' or 'salesperson', not '{level}'.")

    def matrix(self, value: str = "sales_task", lang: str = "zh") -> pd.DataFrame:
        """The wide 任务分解表: branches x 12 months plus totals, in yuan."""
        self._check_fitted()
        if value not in ("sales_task", "gross_profit_task"):
            raise ParameterError(f"value must be 'sales_task' or 'gross_profit_task', not '{value}'.{suggest(value, ['sales_task', 'gross_profit_task'])}")
        return wide_matrix(self.tasks_, self.branch_names_, f"{value}_fen", lang)

    def summary(self) -> dict:
        """Headline figures, raw numbers (yuan as floats).

        Keys: ``year``, ``target_kind`` (net_profit / gross_profit / revenue), ``target_yuan``,
        ``net_profit_yuan``, ``gross_profit_required_yuan``, ``revenue_required_yuan`` (both
        exact to the fen), ``effective_margin`` (fraction), ``branches`` (count),
        ``new_branches`` (names), ``capacity_gross_profit_yuan`` (what today's team delivers),
        ``uplift_needed_pct`` (percent), ``extra_heads_needed``.
        """
        self._check_fitted()
        req = self.requirement_
        cap = self.capacity_
        return {
            "year": self.plan.year,
            "target_kind": req.target_kind,
            "target_yuan": float(req.target_yuan),
            "net_profit_yuan": float(req.net_profit),
            "gross_profit_required_yuan": req.gross_profit_fen / 100,
            "revenue_required_yuan": req.revenue_fen / 100,
            "effective_margin": req.effective_margin,
            "branches": len(self.branch_names_),
            "new_branches": [nb.branch for nb in self.plan.new_branches],
            "capacity_gross_profit_yuan": float(cap["capacity_gross_profit"].sum()),
            "uplift_needed_pct": float((req.gross_profit_fen / 100) / cap["capacity_gross_profit"].sum() * 100 - 100),
            "extra_heads_needed": float(np.nansum(cap["extra_heads_needed"])),
        }

    def assumptions(self, lang: str = "zh") -> pd.DataFrame:
        """The settings and documented assumptions used: columns ``item``, ``value`` (words, formatted)."""
        self._check_fitted()
        return assumptions_table(self.plan, lang)

    def tables(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Every table with labelled headers and values: ``sales_matrix``, ``gross_profit_matrix``,
        ``tasks``, ``salesperson_tasks`` (with a roster), ``staffing_check``, ``assumptions``."""
        self._check_fitted()
        check_lang(lang)
        fen = ["gross_profit_task_fen", "sales_task_fen"]
        raw = {"tasks": self.tasks_.drop(columns=fen)}
        if self.person_tasks_ is not None:
            raw["salesperson_tasks"] = self.person_tasks_.drop(columns=fen)
        raw["staffing_check"] = self.capacity_
        raw["assumptions"] = self.assumptions(lang)
        out = {
            "sales_matrix": self.matrix("sales_task", lang).reset_index(),
            "gross_profit_matrix": self.matrix("gross_profit_task", lang).reset_index(),
        }
        for name, frame in raw.items():
            out[name] = label_columns(label_values(frame, lang, {"is_new_branch": "bool"}), lang, "backward")
        return out

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheets for the Excel output, named in ``lang``: the :meth:`tables`."""
        return {text(f"bw_sheet_{name}", lang): frame for name, frame in self.tables(lang).items()}

    # -- goal seek -----------------------------------------------------------
    def delivered(self, plan: Plan | None = None, history: pd.DataFrame | None = None) -> float:
        """What the team's capacity delivers, in the unit of the plan's target (yuan).

        Without ``plan``: the fitted plan (its phasing as fitted); with ``plan``: that plan,
        phased with ``history`` when its phasing needs one.
        """
        if plan is not None:
            return delivered(plan, history)
        self._check_fitted()
        return _delivered(self.plan, self._arrays(), self.phase_)

    def goal_seek(self, parameter: str, history: pd.DataFrame | None = None) -> GoalSeekResult:
        """The value of ``parameter`` at which today's capacity reaches the target (see :func:`goal_seek`)."""
        return goal_seek(self.plan, parameter, history)


def plan_backward(plan: Plan, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None) -> BackwardPlanner:
    """Convenience: ``BackwardPlanner(plan).fit(history, forecast)``."""
    return BackwardPlanner(plan).fit(history=history, forecast=forecast)
