"""团队编制: the org table by role that a team of salespeople needs, and what it costs a month.

The handbook asks "规划出与目标达成相匹配的团队编制…几位总经理、几位副总、几位项目经理、几位技术服务人员、
多少人的基层团队".  Each role of the plan's ``roles`` is either a fixed number in every open branch
(``per_branch``: one 总经理) or one per N salespeople, rounded up (``per_salespeople``: one 副总 per
30).  Counts are whole people; pay is per head per month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema as S
from .plan import Role

#: the row of the org table that carries the salespeople themselves (基层团队)
SALESPEOPLE = "salesperson"


def role_pay(roles: tuple[Role, ...]) -> np.ndarray:
    """Monthly pay per head of each role (yuan), in the plan's order."""
    return np.array([float(r.pay_per_head_month_yuan) for r in roles], dtype=float)


def role_counts(salespeople: np.ndarray, opened: np.ndarray, roles: tuple[Role, ...]) -> np.ndarray:
    """People of each role (roles x branches [x months]) for the given salespeople (same shape as ``opened``).

    A closed branch (not yet opened) has nobody; an open one has its ``per_branch`` people, and one of a
    ``per_salespeople`` role per N salespeople or part of N (an expected 54.5 salespeople count as 55).
    """
    people = np.ceil(np.round(np.asarray(salespeople, dtype=float), 6))
    out = np.zeros((len(roles), *people.shape))
    for i, role in enumerate(roles):
        if role.per_branch is not None:
            count = np.full(people.shape, np.ceil(round(role.per_branch, 6)))
        else:
            count = np.ceil(np.round(people / role.per_salespeople, 6))
        out[i] = np.where(opened, count, 0.0)
    return out


def org_frame(names: list[str], today: np.ndarray, staffed: np.ndarray, opened_today: np.ndarray, opened_staffed: np.ndarray,
              roles: tuple[Role, ...], salesperson_pay: float) -> pd.DataFrame:
    """Each branch's org table, long format: one row per branch x role (salespeople first).

    ``today`` / ``staffed``: salespeople per branch today (the plan's team) and with the staffing plan
    (e.g. December's expected team).  Columns: branch, role, today, staffed, added,
    pay_per_head_month, monthly_cost_today, monthly_cost_staffed (yuan).
    """
    sales_today = np.where(opened_today, np.ceil(np.round(today, 6)), 0.0)
    sales_staffed = np.where(opened_staffed, np.ceil(np.round(staffed, 6)), 0.0)
    counts_today = role_counts(sales_today, opened_today, roles)
    counts_staffed = role_counts(sales_staffed, opened_staffed, roles)
    codes = [SALESPEOPLE, *[r.role for r in roles]]
    pay = np.concatenate([[salesperson_pay], role_pay(roles)])
    t = np.vstack([sales_today[None, :], counts_today])        # roles+1 x branches
    s = np.vstack([sales_staffed[None, :], counts_staffed])
    n, k = len(names), len(codes)
    frame = pd.DataFrame({
        S.BRANCH: np.tile(np.asarray(names, dtype=object), k).astype(str),
        "role": np.repeat(codes, n),
        "today": t.reshape(-1),
        "staffed": s.reshape(-1),
        "added": (s - t).reshape(-1),
        "pay_per_head_month": np.repeat(pay, n),
        "monthly_cost_today": (t * pay[:, None]).reshape(-1),
        "monthly_cost_staffed": (s * pay[:, None]).reshape(-1),
    })
    order = np.argsort(np.tile(np.arange(n), k), kind="stable")  # branch by branch, roles in the plan's order
    return frame.iloc[order].reset_index(drop=True)


def org_wide(org: pd.DataFrame, names: list[str], column: str = "staffed") -> pd.DataFrame:
    """One row per branch plus the total: people by role (role codes as columns), all people and the monthly cost."""
    cost = "monthly_cost_staffed" if column == "staffed" else "monthly_cost_today"
    wide = org.pivot(index=S.BRANCH, columns="role", values=column).reindex(names)
    wide = wide[list(dict.fromkeys(org["role"]))]
    wide["people_total"] = wide.sum(axis=1)
    wide["monthly_cost"] = org.groupby(S.BRANCH)[cost].sum().reindex(names)
    return wide
