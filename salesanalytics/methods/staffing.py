"""Can this team make it, and what team can: capacity at today's productivity and the staffing plan.

Three steps, all per branch x month, all independent of how the target is phased over the months:

1. **Capacity** (现有产能) = headcount x productivity x ramp, where productivity is today's gross
   profit per head, grown by the plan's own ``capacity.productivity_growth`` (default 0) from its
   ``anchor_month`` and capped at ``capacity.productivity_ceiling_yuan``.  The target's phasing shapes
   the *task*; it never makes a salesperson more productive.
2. **Required per head** = the month's gross-profit task / the branch's headcount, against what a head
   delivers today; a cell is flagged when it needs more than ``realistic_multiple`` x today's best
   branch (or the branch's own level).
3. **Staffing plan** (招聘计划): month by month, the people a branch must add so that its team
   (today's, leaving at the attrition rate, plus the hires ramping up) delivers each month's task.
   Hires for a shortfall join ``hire_ahead_months`` earlier (fully productive when needed) or as
   early as the lead time, ``hires_productive_from`` and the branch's opening allow; what no hire can
   close in time stays open.  Hires cost pay and recruiting, and the extra managers they need (the
   org table, :mod:`salesanalytics.methods.roles`) cost their pay: that cost goes back into the
   requirement (more people need more gross profit), solved as an exact fixed point in fen, or a
   :class:`~salesanalytics.core.exceptions.PlanError` when no team size pays for itself.

Arrays in, arrays out; :class:`~salesanalytics.methods.backward.BackwardPlanner` holds the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import PlanError
from ..core.numbers import MAX_AMOUNT_YUAN
from .plan import Capacity, Role, Staffing
from .roles import role_counts, role_pay

#: at most this many rounds of "cost -> requirement -> hires -> cost" before giving up
MAX_ITERATIONS = 500
#: a shortfall below half a fen is no shortfall (tasks are exact to the fen)
_HALF_FEN = 0.005


# ----------------------------------------------------------------------------
# capacity and required gross profit per head
# ----------------------------------------------------------------------------
def productivity_matrix(gph: np.ndarray, capacity: Capacity) -> np.ndarray:
    """Gross profit one head makes in each month (branches x 12): today's, grown from the anchor, capped."""
    months = np.arange(1, 13)
    growth = (1.0 + capacity.productivity_growth) ** (months - capacity.anchor_month)
    prod = np.asarray(gph, dtype=float)[:, None] * growth[None, :]
    if capacity.productivity_ceiling_yuan is not None:
        prod = np.minimum(prod, capacity.productivity_ceiling_yuan)
    return prod


def realistic_limit(gph: np.ndarray, capacity: Capacity) -> np.ndarray:
    """The gross profit per head a month above which a task is flagged, per branch."""
    gph = np.asarray(gph, dtype=float)
    base = np.full(gph.shape, np.nanmax(gph) if np.isfinite(gph).any() else np.nan) if capacity.realistic_base == "best" else gph
    return capacity.realistic_multiple * base


def per_head_frame(names: list[str], months: pd.DatetimeIndex, task_gp: np.ndarray, heads: np.ndarray, opening: np.ndarray,
                   productivity: np.ndarray, ramp: np.ndarray, limit: np.ndarray) -> pd.DataFrame:
    """Per branch x month: the gross profit per head the task requires against what a head delivers today.

    Columns: month, branch, headcount, gross_profit_task, required_per_head, today_per_head,
    required_vs_today (a multiple), realistic_limit, flagged.  Months before a branch opens have no
    per-head figures (NaN) and are never flagged.
    """
    n = len(names)
    opened = np.arange(12)[None, :] >= (np.asarray(opening)[:, None] - 1)
    heads_m = np.where(opened & (heads[:, None] > 0), heads[:, None], np.nan)
    today = np.where(opened, productivity * ramp, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        required = task_gp / heads_m
        ratio = np.where(today > 0, required / today, np.nan)
    limit_m = np.broadcast_to(limit[:, None], (n, 12))
    flagged = np.nan_to_num(required, nan=-1.0) > limit_m
    return pd.DataFrame({
        S.MONTH: np.tile(months.to_numpy(), n),
        S.BRANCH: np.repeat(np.asarray(names, dtype=object), 12).astype(str),
        S.HEADCOUNT: np.where(opened, heads[:, None], 0.0).reshape(-1),
        "gross_profit_task": task_gp.reshape(-1),
        "required_per_head": np.round(required, 2).reshape(-1),
        "today_per_head": np.round(today, 2).reshape(-1),
        "required_vs_today": np.round(ratio, 4).reshape(-1),
        "realistic_limit": np.where(opened, limit_m, np.nan).reshape(-1),
        "flagged": flagged.reshape(-1),
    })


# ----------------------------------------------------------------------------
# the staffing plan
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffingInputs:
    """What the staffing plan works from, per branch (plan order) and month."""

    names: list[str]
    heads: np.ndarray          # today's (planned) salespeople, per branch
    productivity: np.ndarray   # branches x 12, gross profit per head at full productivity
    ramp: np.ndarray           # branches x 12, the branch's own ramp (0 before it opens)
    opening: np.ndarray        # opening month 1..12
    earliest: np.ndarray       # earliest month a hire can join, 1..12 (13: never this year)


@dataclass(frozen=True)
class StaffingPlan:
    """The people to add by branch x month they join, what they deliver and cost (yuan), and the requirement.

    ``hires`` are whole people (int) by the month they join; recruiting for them starts
    ``lead_time_months`` earlier (``recruiting_cost`` is booked then).  ``salespeople`` is the expected
    team (today's after attrition plus the hires still there).  ``cost_fen`` = pay + recruiting + the
    extra roles' pay, fed back into ``gross_profit_fen``, the requirement the hires were sized for.
    """

    hires: np.ndarray
    task: np.ndarray
    existing_output: np.ndarray
    hire_output: np.ndarray
    open_gap: np.ndarray
    salespeople: np.ndarray
    pay_cost: np.ndarray
    recruiting_cost: np.ndarray
    role_cost: np.ndarray
    cost_fen: int
    gross_profit_fen: int
    iterations: int

    @property
    def hires_total(self) -> int:
        return int(self.hires.sum())


def _kernels(settings: Staffing) -> tuple[np.ndarray, np.ndarray]:
    """T[j, k]: share of full productivity of a hire who joined in month j, in month k (ramp x still there);
    K[j, k]: the expected share of them still there.  Zero before they join."""
    age = np.arange(12)[None, :] - np.arange(12)[:, None]
    ramp = np.asarray(settings.ramp, dtype=float)
    steps = np.where(age < len(ramp), ramp[np.clip(age, 0, len(ramp) - 1)], 1.0)
    stay = np.where(age >= 0, settings.keep_per_month ** np.clip(age, 0, None), 0.0)
    return np.where(age >= 0, steps, 0.0) * stay, stay


def _existing(inp: StaffingInputs, settings: Staffing) -> tuple[np.ndarray, np.ndarray]:
    """Today's team: its expected people and their gross profit per month (leaving at the attrition rate)."""
    age = np.arange(12)[None, :] - (inp.opening[:, None] - 1)
    stay = np.where(age >= 0, settings.keep_per_month ** np.clip(age, 0, None), 0.0)
    people = inp.heads[:, None] * stay
    return people, people * inp.productivity * inp.ramp


def hire_pass(task: np.ndarray, inp: StaffingInputs, settings: Staffing, stay: np.ndarray, existing: np.ndarray) -> np.ndarray:
    """Whole hires by branch x joining month: the team that, once ramped up, delivers every month's task.

    Months in order: the shortfall left after today's team and the hires so far (counted at full
    productivity, still there after attrition) is covered by hires who join ``ahead`` months earlier,
    so that they are ramped up when needed, or as early as allowed.  A team is sized at full
    productivity: paying three people to do one ramping person's month is not a plan.  What the ramp
    (or a late start) leaves short is the staffing plan's open gap.
    """
    n = task.shape[0]
    hires = np.zeros((n, 12), dtype=np.int64)
    earliest0 = inp.earliest - 1
    rows = np.arange(n)
    for m in range(12):
        at_full = (hires @ stay[:, m]) * inp.productivity[:, m]
        need = task[:, m] - existing[:, m] - at_full
        join = np.maximum(earliest0, m - settings.ahead)
        ok = (need > _HALF_FEN) & (join <= m)
        if not ok.any():
            continue
        factor = inp.productivity[:, m] * stay[np.minimum(join, 11), m]
        ok &= factor > 0
        r = rows[ok]
        count = np.ceil(np.round(need[r] / factor[r], 9))
        hires[r, join[r]] += count.astype(np.int64)
    return hires


def _outcome(task, inp, settings, kernel, stay, existing_people, existing, hires, roles, pay, today_counts):
    hire_output = (hires @ kernel) * inp.productivity
    hired_people = hires @ stay
    salespeople = existing_people + hired_people
    pay_cost = float(pay) * hired_people
    recruiting = np.zeros_like(pay_cost)
    if settings.recruiting_cost_per_hire_yuan:
        start = np.arange(12) - settings.lead_time_months  # earliest() keeps it within the year
        np.add.at(recruiting, (slice(None), np.clip(start, 0, 11)), hires * float(settings.recruiting_cost_per_hire_yuan))
    role_cost = np.zeros_like(pay_cost)
    if roles and hires.any():
        opened = np.arange(12)[None, :] >= (inp.opening[:, None] - 1)
        staffed = role_counts(salespeople, opened, roles)
        role_cost = np.einsum("r,rbm->bm", role_pay(roles), np.maximum(staffed - today_counts, 0))
    open_gap = np.maximum(task - existing - hire_output, 0.0)
    open_gap = np.where(open_gap > _HALF_FEN, open_gap, 0.0)
    return hire_output, salespeople, pay_cost, recruiting, role_cost, open_gap


def _cost_fen(pay_cost, recruiting, role_cost) -> int:
    return int(round((pay_cost.sum() + recruiting.sum() + role_cost.sum()) * 100))


def solve_staffing(inp: StaffingInputs, shares: np.ndarray, gross_profit_fen_for: Callable[[int], int], settings: Staffing,
                   pay: Decimal, roles: tuple[Role, ...] = (), *, costs_count: bool = True, pass_through: float = 1.0,
                   source: str = "<plan>") -> StaffingPlan:
    """The smallest team that delivers every month's task once its own cost is in the requirement.

    ``shares``: each branch-month's share of the company gross profit (branches x 12, summing to 1);
    ``gross_profit_fen_for(cost_fen)``: the requirement in fen when the staffing costs ``cost_fen``;
    ``costs_count``: False when the target is gross profit or revenue (costs sit below it: one pass);
    ``pass_through``: gross profit a yuan of cost needs (1 / (1 - costs as a share of gross profit)).
    The requirement grows with the cost and the hires with the requirement, so iterating from no
    cost climbs to the least fixed point; it is reached exactly (same hires, same cost to the fen).
    """
    kernel, stay = _kernels(settings)
    existing_people, existing = _existing(inp, settings)
    opened = np.arange(12)[None, :] >= (inp.opening[:, None] - 1)
    today_counts = role_counts(np.where(opened, inp.heads[:, None], 0.0), opened, roles) if roles else None
    cost_fen = 0
    steps: list[int] = []
    for iteration in range(1, MAX_ITERATIONS + 1):
        gp_fen = gross_profit_fen_for(cost_fen)
        task = shares * (gp_fen / 100)
        hires = hire_pass(task, inp, settings, stay, existing)
        outcome = _outcome(task, inp, settings, kernel, stay, existing_people, existing, hires, roles, pay, today_counts)
        new_cost = _cost_fen(*outcome[2:5])
        if iteration == 1 and costs_count and new_cost > 0:
            _check_hires_can_pay(inp, settings, kernel, stay, hires, pay, roles, pass_through, source)
        if not costs_count or new_cost == cost_fen:
            hire_output, salespeople, pay_cost, recruiting, role_cost, open_gap = outcome
            return StaffingPlan(hires, task, existing, hire_output, open_gap, salespeople, pay_cost, recruiting, role_cost,
                                new_cost, gp_fen, iteration)
        steps.append(new_cost - cost_fen)
        if new_cost / 100 > MAX_AMOUNT_YUAN or _diverging(steps, len(inp.names), settings, pay):
            raise _no_convergence(source, steps, gp_fen, new_cost)
        cost_fen = new_cost
    raise _no_convergence(source, steps, gp_fen, cost_fen)


def _diverging(steps: list[int], n_branches: int, settings: Staffing, pay: Decimal) -> bool:
    """Three rounds in a row where the added cost did not shrink, well above rounding (a hire per branch-month)."""
    if len(steps) < 4:
        return False
    noise = n_branches * 12 * 100 * (float(pay) * 12 + float(settings.recruiting_cost_per_hire_yuan) + 1)
    last = steps[-4:]
    return all(b >= a > noise for a, b in zip(last, last[1:]))


def _no_convergence(source: str, steps: list[int], gp_fen: int, cost_fen: int) -> PlanError:
    ratio = steps[-1] / steps[-2] if len(steps) >= 2 and steps[-2] else float("nan")
    return PlanError(
        f"{source}.staffing: no team size converges: each round of hires adds {ratio:.2f} yuan of cost for every yuan of the "
        f"round before (cost {cost_fen / 100:,.2f} yuan on a requirement of {gp_fen / 100:,.2f} yuan of gross profit), "
        "because a hire costs about as much as the gross profit they bring. Fix: lower staffing.pay_per_head_month_yuan, "
        "staffing.recruiting_cost_per_hire_yuan or the roles' pay, raise productivity (capacity.productivity_growth), "
        "or lower the target."
    )


def _check_hires_can_pay(inp, settings, kernel, stay, hires, pay, roles, pass_through, source) -> None:
    """Fail fast when no hire, in any branch that needs one, earns more gross profit than the requirement its cost adds."""
    need = hires.sum(axis=1) > 0
    join = np.clip(inp.earliest - 1, 0, 11)
    earns = np.einsum("bk,bk->b", inp.productivity, kernel[join])
    months_paid = stay[join].sum(axis=1)
    per_salesperson_roles = sum(float(r.pay_per_head_month_yuan) / r.per_salespeople for r in roles if r.per_salespeople)
    costs = ((float(pay) + per_salesperson_roles) * months_paid + float(settings.recruiting_cost_per_hire_yuan)) * pass_through
    if need.any() and np.all(earns[need] <= costs[need]):
        best = int(np.flatnonzero(need)[np.argmax((earns - costs)[need])])
        raise PlanError(
            f"{source}.staffing: every team size is unprofitable: a hire in {inp.names[best]} joining in month {join[best] + 1} "
            f"brings {earns[best]:,.2f} yuan of gross profit this year but needs {costs[best]:,.2f} yuan of it to pay for "
            f"(pay {float(pay):,.2f} a month, recruiting {float(settings.recruiting_cost_per_hire_yuan):,.2f}, their share of the "
            "managers' pay), so each hire widens the gap. Fix: lower staffing.pay_per_head_month_yuan, "
            "staffing.recruiting_cost_per_hire_yuan or the roles' pay, or raise productivity (capacity.productivity_growth)."
        )


def earliest_join(opening: np.ndarray, settings: Staffing, hires_productive_from: int) -> np.ndarray:
    """The first month a hire can join, per branch: after recruiting's lead time, the plan's start, the opening."""
    first = max(settings.start_month + settings.lead_time_months, hires_productive_from)
    return np.maximum(first, np.asarray(opening, dtype=int))


def hires_frame(names: list[str], months: pd.DatetimeIndex, plan: StaffingPlan, lead_time: int) -> pd.DataFrame:
    """Tidy staffing plan: one row per branch x month with hires joining, recruiting start, people, output and costs."""
    n = len(names)
    start = [months[max(m - lead_time, 0)] for m in range(12)]
    return pd.DataFrame({
        S.MONTH: np.tile(months.to_numpy(), n),
        S.BRANCH: np.repeat(np.asarray(names, dtype=object), 12).astype(str),
        "new_hires": plan.hires.reshape(-1),
        "start_hiring": np.tile(np.asarray(start, dtype="datetime64[ns]"), n),
        "salespeople": np.round(plan.salespeople, 2).reshape(-1),
        "gross_profit_task": np.round(plan.task, 2).reshape(-1),
        "existing_output": np.round(plan.existing_output, 2).reshape(-1),
        "hire_output": np.round(plan.hire_output, 2).reshape(-1),
        "open_gap": np.round(plan.open_gap, 2).reshape(-1),
        "pay_cost": np.round(plan.pay_cost, 2).reshape(-1),
        "recruiting_cost": np.round(plan.recruiting_cost, 2).reshape(-1),
        "role_cost": np.round(plan.role_cost, 2).reshape(-1),
    })


__all__ = ["MAX_ITERATIONS", "StaffingInputs", "StaffingPlan", "earliest_join", "hire_pass", "hires_frame", "per_head_frame",
           "productivity_matrix", "realistic_limit", "solve_staffing"]
