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
from ..core.money import allocate_grouped, allocate_matrix, to_fen
from .plan import Plan

UNASSIGNED = "待招聘 (to hire)"
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
    ``capacity_`` (the staffing check) and ``weights_`` (branch x month).
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
        self.branch_names_ = plan.branch_names
        self._setup_arrays()
        self.phase_ = self._phase_index(history)
        capacity = self.cap_ * self.phase_  # gross profit per month the team delivers, yuan
        if plan.allocation == "capacity":
            weights = capacity
        elif plan.allocation == "weights":
            weights = self.weight_[:, None] * self.ramp_ * self.phase_
        else:
            weights = self._forecast_weights(forecast, capacity)
        if not np.isfinite(weights).all() or weights.sum() <= 0:
            raise PlanError(f"{plan.source}: every branch has zero capacity/weight; nothing to allocate the target over.")
        self.weights_ = weights
        self.capacity_gp_ = capacity
        self.requirement_ = self._requirement(weights)
        self._allocate()
        self.capacity_ = self._capacity_check()
        return self

    def _setup_arrays(self) -> None:
        plan = self.plan
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
                value = nb.gp_per_head_month
            elif nb.comparable is not None:
                value = by_name[nb.comparable]
            else:
                value = median
            heads.append(nb.headcount)
            gph.append(value)
            margins.append(nb.gross_margin if nb.gross_margin is not None else plan.gross_margin)
            weights.append(nb.weight if nb.weight is not None else np.nan)
            opening.append(nb.opening_month)
            ramps.append(nb.ramp)
        self.heads_ = np.asarray(heads, dtype=float)
        self.gph_ = np.nan_to_num(np.asarray(gph, dtype=float))
        self.margin_ = np.asarray(margins, dtype=float)
        self.weight_ = np.asarray(weights, dtype=float)
        self.opening_ = np.asarray(opening, dtype=int)
        self.ramp_ = _ramp_matrix(self.opening_, ramps)
        self.cap_ = (self.heads_ * self.gph_)[:, None] * self.ramp_

    def _phase_index(self, history: pd.DataFrame | None) -> np.ndarray:
        """Month weights per branch (rows) x month (cols) under the plan's phasing."""
        ph = self.plan.phasing
        n = len(self.branch_names_)
        if ph.method == "flat":
            return np.ones((n, 12))
        if ph.method == "compound_growth":
            return np.tile((1.0 + ph.monthly_growth) ** np.arange(12), (n, 1))
        if ph.method == "seasonal" and ph.shares is not None:
            return np.tile(np.asarray(ph.shares) / 100.0 * 12, (n, 1))
        # yoy_growth and seasonal-from-history need last year's months
        if history is None:
            raise PlanError(
                f"{self.plan.source}.phasing: '{ph.method}' needs the monthly history of {self.plan.year - 1}. "
                "Fix: pass --history FILE, or give 12 seasonal shares, or use compound_growth/flat."
            )
        last = history[history[S.MONTH].dt.year == self.plan.year - 1]
        if last.empty:
            raise PlanError(f"history has no months of {self.plan.year - 1}, which '{ph.method}' phasing needs.")
        table = last.groupby([S.BRANCH, last[S.MONTH].dt.month])[S.REVENUE].sum().unstack().reindex(columns=range(1, 13))
        company = table.sum(axis=0).to_numpy(dtype=float)
        if not np.all(np.isfinite(company)) or company.sum() <= 0:
            raise PlanError(f"history for {self.plan.year - 1} must cover all 12 months with positive sales for '{ph.method}' phasing.")
        company_profile = company / company.mean()
        out = np.empty((n, 12))
        for i, name in enumerate(self.branch_names_):
            row = table.loc[name].to_numpy(dtype=float) if name in table.index else None
            if row is not None and np.all(np.isfinite(row)) and np.all(row > 0):
                out[i] = row / row.mean()
            else:
                out[i] = company_profile  # new or incomplete branches follow the company's shape
        if ph.method == "yoy_growth":
            out = out * (1.0 + ph.yoy_growth)
        return out

    def _forecast_weights(self, forecast: pd.DataFrame | None, capacity: np.ndarray) -> np.ndarray:
        if forecast is None:
            raise PlanError(f"{self.plan.source}: allocation 'forecast' needs a forecast. Fix: pass --forecast FILE or fit(forecast=...).")
        value_col = "mean" if "mean" in forecast.columns else S.REVENUE
        fc = forecast[forecast[S.MONTH].dt.year == self.plan.year]
        table = fc.groupby([S.BRANCH, fc[S.MONTH].dt.month])[value_col].sum().unstack().reindex(columns=range(1, 13))
        out = capacity.copy()
        known = set(table.index)
        for i, name in enumerate(self.branch_names_):
            if name in known:
                row = table.loc[name].to_numpy(dtype=float)
                if not np.all(np.isfinite(row)):
                    raise PlanError(f"the forecast for {name} does not cover all 12 months of {self.plan.year}.")
                # revenue forecast -> gross profit, so new branches' capacity weights share its unit
                out[i] = np.clip(row, 0, None) * self.margin_[i] * self.ramp_[i]
            elif self.opening_[i] == 1:
                raise PlanError(f"the forecast has no rows for branch {name}.{suggest(name, known)}")
        return out

    def _requirement(self, weights: np.ndarray) -> Requirement:
        plan, costs = self.plan, self.plan.costs
        row_w = weights.sum(axis=1)
        uniform = np.allclose(self.margin_, self.margin_[0])
        if uniform:
            rev_per_gp = Decimal(1) / Decimal(str(self.margin_[0]))
        else:
            rev_per_gp = Decimal(repr(float(np.sum(row_w / self.margin_) / row_w.sum())))
        fixed = costs.fixed_per_month_yuan * 12
        head = costs.per_head_per_month_yuan * Decimal(repr(_head_months(self.heads_, self.opening_)))
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
            target_kind=plan.target_kind,
            target_yuan=amount,
            net_profit=net,
            pretax_profit=pretax,
            fixed_costs=fixed,
            head_costs=head,
            revenue_costs=revenue_costs,
            gross_profit=gp,
            revenue=revenue,
            gross_profit_fen=to_fen(gp),
            revenue_fen=to_fen(revenue),
        )

    def _allocate(self) -> None:
        plan, req, w = self.plan, self.requirement_, self.weights_
        gp_cells = allocate_matrix(req.gross_profit_fen, w)
        sales_cells = allocate_matrix(req.revenue_fen, w / self.margin_[:, None])
        n = len(self.branch_names_)
        months = plan.months
        tasks = pd.DataFrame(
            {
                S.MONTH: np.tile(months.to_numpy(), n),
                S.BRANCH: np.repeat(np.asarray(self.branch_names_, dtype=object), 12),
                "is_new_branch": np.repeat(self.opening_ > 1, 12) | np.repeat(np.arange(n) >= len(plan.branches), 12),
                "gross_profit_task_fen": gp_cells.reshape(-1),
                "sales_task_fen": sales_cells.reshape(-1),
            }
        )
        tasks[S.BRANCH] = tasks[S.BRANCH].astype(str)
        tasks["gross_profit_task"] = tasks["gross_profit_task_fen"] / 100
        tasks["sales_task"] = tasks["sales_task_fen"] / 100
        self.tasks_ = tasks
        self.person_tasks_ = self._split_people(tasks) if plan.roster is not None else None

    def _split_people(self, tasks: pd.DataFrame) -> pd.DataFrame:
        roster = self.plan.roster.copy()
        if S.WEIGHT not in roster.columns:
            roster[S.WEIGHT] = 1.0
        staffed = set(roster[S.BRANCH])
        missing = [b for b in self.branch_names_ if b not in staffed]
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

    def _capacity_check(self) -> pd.DataFrame:
        """团队编制: what today's team delivers under the same phasing vs the task."""
        task_fen = self.tasks_.groupby(S.BRANCH, sort=False)["gross_profit_task_fen"].sum().reindex(self.branch_names_)
        task = task_fen.to_numpy(dtype=float) / 100
        cap = self.capacity_gp_.sum(axis=1)
        gap = task - cap
        start = self.plan.hires_productive_from
        productive = np.maximum(start, self.opening_)
        months_idx = np.arange(1, 13)
        per_hire = np.array(
            [self.gph_[i] * self.phase_[i, months_idx >= productive[i]].sum() for i in range(len(task))]
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            uplift = np.where(cap > 0, task / cap - 1.0, np.nan)
            extra = np.where(gap > 0, np.where(per_hire > 0, np.ceil(np.round(gap / per_hire, 9)), np.nan), 0.0)
        year = self.plan.year
        return pd.DataFrame(
            {
                S.BRANCH: self.branch_names_,
                "headcount": self.heads_,
                "gp_per_head_month": self.gph_,
                "opening_month": [pd.Timestamp(year=year, month=int(m), day=1) for m in self.opening_],
                "capacity_gross_profit": np.round(cap, 2),
                "gross_profit_task": task,
                "gap_gross_profit": np.round(gap, 2),
                "uplift_needed_pct": np.round(uplift * 100, 2),
                "extra_heads_needed": extra,
                "hires_productive_from": [pd.Timestamp(year=year, month=int(m), day=1) for m in productive],
            }
        )

    # -- views ---------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "tasks_"):
            raise NotFittedError("BackwardPlanner is not fitted yet; call fit() first.")

    def tasks(self, level: str = "branch") -> pd.DataFrame:
        """Tidy tasks: ``level='branch'`` (branch x month) or ``'salesperson'``."""
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
        fen = self.tasks_.pivot(index=S.BRANCH, columns=S.MONTH, values=f"{value}_fen").reindex(self.branch_names_)
        total_label, branch_label = ("合计", "分公司") if lang == "zh" else ("Total", "Branch")
        fen.columns = [f"{m.month}月" if lang == "zh" else m.strftime("%b") for m in fen.columns]
        fen[total_label] = fen.sum(axis=1)
        fen.loc[total_label] = fen.sum(axis=0)
        out = fen / 100
        out.index.name = branch_label
        return out

    def summary(self) -> dict:
        """Headline numbers (floats in yuan) for printing and reports."""
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

    def assumptions(self) -> pd.DataFrame:
        """The settings and documented assumptions used, as a two-column table."""
        p = self.plan
        rows = [
            ("plan", p.name),
            ("source", p.source),
            ("year", p.year),
            ("target", f"{p.target_kind} {p.target_yuan:,} yuan"),
            ("gross_margin", p.gross_margin),
            ("costs", str(p.costs)),
            ("phasing", f"{p.phasing.method} (monthly_growth={p.phasing.monthly_growth}, yoy_growth={p.phasing.yoy_growth}, shares={p.phasing.shares})"),
            ("allocation", p.allocation),
            ("hires_productive_from", p.hires_productive_from),
            ("rounding", "integer fen, largest remainder: months first, then branches, then salespeople"),
        ]
        for nb in p.new_branches:
            rows.append((f"new branch {nb.branch}", f"opens month {nb.opening_month}, {nb.headcount:g} heads, gp/head {nb.gp_per_head_month or ('as ' + nb.comparable if nb.comparable else 'company median')}, ramp {list(nb.ramp)}"))
        rows += [("note", n) for n in p.notes]
        return pd.DataFrame(rows, columns=["setting", "value"]).astype({"value": str})

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheets for the Excel output: matrix, tidy tasks, staffing check, assumptions."""
        self._check_fitted()
        zh = lang == "zh"
        sheets = {
            ("销售任务分解表" if zh else "sales_matrix"): self.matrix("sales_task", lang).reset_index(),
            ("毛利任务分解表" if zh else "gross_profit_matrix"): self.matrix("gross_profit_task", lang).reset_index(),
            ("任务明细" if zh else "tasks"): self.tasks_.drop(columns=["gross_profit_task_fen", "sales_task_fen"]),
        }
        if self.person_tasks_ is not None:
            sheets["销售员任务" if zh else "salesperson_tasks"] = self.person_tasks_.drop(columns=["gross_profit_task_fen", "sales_task_fen"])
        sheets["团队编制" if zh else "staffing_check"] = self.capacity_
        sheets["假设" if zh else "assumptions"] = self.assumptions()
        return sheets

    # -- goal seek -----------------------------------------------------------
    def delivered(self, plan: Plan | None = None) -> float:
        """What the team's capacity delivers, in the unit of the plan's target (yuan)."""
        if plan is None:
            self._check_fitted()
        planner = self if plan is None else BackwardPlanner(plan)
        if plan is not None:
            planner.branch_names_ = plan.branch_names
            planner._setup_arrays()
            planner.phase_ = planner._phase_index(getattr(self, "_history", None))
        gp = planner.cap_ * planner.phase_
        gp_total = gp.sum()
        revenue = float(np.sum(gp.sum(axis=1) / planner.margin_))
        p = planner.plan
        if p.target_kind == "gross_profit":
            return float(gp_total)
        if p.target_kind == "revenue":
            return revenue
        c = p.costs
        pretax = (
            gp_total
            - float(c.fixed_per_month_yuan) * 12
            - float(c.per_head_per_month_yuan) * _head_months(planner.heads_, planner.opening_)
            - c.pct_of_revenue * revenue
        )
        return pretax * (1 - c.income_tax_rate) if pretax > 0 else pretax

    def goal_seek(self, parameter: str, history: pd.DataFrame | None = None) -> GoalSeekResult:
        """Solve for the value of one input at which today's team capacity reaches the target.

        ``parameter``: ``monthly_growth`` / ``yoy_growth`` (the phasing's growth),
        ``gross_margin``, ``headcount`` (a factor on every branch's headcount) or
        ``gp_per_head`` (a factor on every branch's productivity).
        """
        from scipy.optimize import brentq  # scipy comes with statsmodels; imported only here

        if parameter not in GOAL_SEEK_PARAMETERS:
            raise ParameterError(f"cannot goal-seek '{parameter}'.{suggest(parameter, GOAL_SEEK_PARAMETERS)} Valid: {', '.join(GOAL_SEEK_PARAMETERS)}.")
        self._history = history
        p = self.plan
        target = float(p.target_yuan)
        if parameter == "monthly_growth" and p.phasing.method != "compound_growth":
            raise GoalSeekError("monthly_growth only moves the plan under compound_growth phasing.")
        if parameter == "yoy_growth" and p.phasing.method != "yoy_growth":
            raise GoalSeekError("yoy_growth only moves the plan under yoy_growth phasing.")

        def with_value(x: float) -> Plan:
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

        bounds = {
            "monthly_growth": (-0.5, 3.0),
            "yoy_growth": (-0.9, 20.0),
            "gross_margin": (0.001, 0.999),
            "headcount": (0.0, 1000.0),
            "gp_per_head": (0.0, 1000.0),
        }[parameter]

        def f(x: float) -> float:
            return self.delivered(with_value(x)) - target

        lo, hi = bounds
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
        value = brentq(f, lo, hi, xtol=1e-10)
        current = {
            "monthly_growth": p.phasing.monthly_growth,
            "yoy_growth": p.phasing.yoy_growth,
            "gross_margin": p.gross_margin,
            "headcount": 1.0,
            "gp_per_head": 1.0,
        }[parameter]
        if parameter == "headcount":
            heads_now = float(p.branches[S.HEADCOUNT].sum() + sum(nb.headcount for nb in p.new_branches))
            detail = f"headcount x{value:.4f}: {math.ceil(heads_now * value - 1e-9):,} people instead of {heads_now:,.0f}"
        elif parameter == "gp_per_head":
            detail = f"gross profit per head x{value:.4f} of today's"
        else:
            detail = f"{parameter} = {value:.4%} (now {current:.4%})"
        return GoalSeekResult(parameter, float(value), target, self.delivered(with_value(value)) + 0.0, detail)


def plan_backward(plan: Plan, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None) -> BackwardPlanner:
    """Convenience: ``BackwardPlanner(plan).fit(history, forecast)``."""
    return BackwardPlanner(plan).fit(history=history, forecast=forecast)
