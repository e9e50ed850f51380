"""Benchmark of "can this team make it" (capacity, staffing plan, org by role, mix, readings).

Run: .venv/bin/python benchmarks/bench_staffing.py

Measures, on this machine (median of repeated runs, after a warm-up):
* the staffing solve (exact fixed point with pay, recruiting, attrition, lead time and four roles whose
  pay feeds back) plus the org table by role, for 500 branches x 10,000 salespeople;
* the whole backward fit of that company (tasks, roster split in fen, capacity, per head, staffing, org);
* the product split of its 10,000 x 12 salesperson tasks (three products, exact in fen);
* the handbook's seed case with its five readings side by side (six fits).
Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import platform
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def big_plan():
    import numpy as np
    import pandas as pd

    from salesanalytics.methods.plan import Plan

    rng = np.random.default_rng(0)
    n_branches, per_branch = 500, 20
    branches = [{"branch": f"B{i:03d}", "headcount": per_branch, "gp_per_head_month": float(rng.integers(8000, 12000))}
                for i in range(n_branches)]
    roster = pd.DataFrame({
        "branch": np.repeat([b["branch"] for b in branches], per_branch),
        "salesperson": [f"P{i:05d}" for i in range(n_branches * per_branch)],
        "weight": rng.lognormal(0, 0.25, n_branches * per_branch),
    })
    return Plan.from_dict({
        "year": 2026, "target": {"kind": "net_profit", "amount_yuan": 680_000_000}, "gross_margin": 0.08,
        "costs": {"fixed_per_month_yuan": 1_000_000, "per_head_per_month_yuan": 4000},
        "phasing": {"method": "compound_growth", "monthly_growth": 0.03}, "branches": branches,
        "staffing": {"attrition_rate_annual": 0.15, "lead_time_months": 1, "recruiting_cost_per_hire_yuan": 3000},
        "roles": [{"role": "总经理", "per_branch": 1, "pay_per_head_month_yuan": 20000},
                  {"role": "副总", "per_salespeople": 30, "pay_per_head_month_yuan": 12000},
                  {"role": "项目经理", "per_salespeople": 10, "pay_per_head_month_yuan": 8000},
                  {"role": "技术服务", "per_salespeople": 8, "pay_per_head_month_yuan": 6000}],
        "mix": {"product": {"shares": {"工业设备": 50, "耗材配件": 35, "技术服务": 15}}},
    }, roster=roster)


def main() -> None:
    from decimal import Decimal

    import numpy as np

    from salesanalytics.adapters.io import read_plan
    from salesanalytics.methods import staffing as st
    from salesanalytics.methods.backward import BackwardPlanner, requirement, staffing_pay
    from salesanalytics.methods.roles import org_frame

    plan = big_plan()
    bw = BackwardPlanner(plan).fit()
    s = bw.summary()
    rows = []

    inputs = st.StaffingInputs(bw.branch_names_, bw.heads_, bw.productivity_, bw.ramp_, bw.opening_, bw.earliest_)
    base = bw.requirement_

    def gp_for(cost_fen: int) -> int:
        return requirement(plan, bw.weights_, bw.margin_, bw.heads_, bw.opening_, Decimal(cost_fen) / 100).gross_profit_fen

    pass_through = float(base.gross_profit / (base.gross_profit - base.revenue_costs))

    def solve_and_org():
        sp = st.solve_staffing(inputs, bw.weights_ / bw.weights_.sum(), gp_for, plan.staffing, staffing_pay(plan), plan.roles,
                               pass_through=pass_through)
        everywhere = np.ones(len(bw.branch_names_), dtype=bool)
        org = org_frame(bw.branch_names_, bw.heads_, sp.salespeople[:, 11], everywhere, everywhere, plan.roles, float(staffing_pay(plan)))
        assert sp.cost_fen == bw.staffing_.cost_fen and len(org) == 500 * 5
        return sp

    rows.append((f"staffing solve + org by role, 500 branches x 10,000 people ({s['staffing_iterations']} rounds to the fixed point, "
                 f"{int(s['extra_heads_needed']):,} hires)", f"{timed(solve_and_org, 10) * 1000:.0f} ms", "< 1 s"))

    def fit():
        p = BackwardPlanner(plan).fit()
        assert int(p.person_tasks_["gross_profit_task_fen"].sum()) == p.requirement_.gross_profit_fen

    rows.append(("whole backward fit of that company (tasks, roster split, capacity, per head, staffing, org)", f"{timed(fit, 5) * 1000:.0f} ms", ""))

    def mix():
        m = bw.mix_targets("product", "salesperson")
        assert len(m) == 10_000 * 12 * 3 and int(m["sales_task_fen"].sum()) == bw.requirement_.revenue_fen

    rows.append(("product targets of 10,000 salespeople x 12 months x 3 products, exact in fen", f"{timed(mix, 5) * 1000:.0f} ms", ""))

    seed = read_plan(ROOT / "data" / "seed_case_2012.yaml")

    def seed_case():
        BackwardPlanner(seed).fit()

    def seed_readings():
        assert len(BackwardPlanner(seed).fit().sensitivity()) == 6

    rows.append(("seed case: fit incl. capacity, staffing fixed point and org (14 branches)", f"{timed(seed_case, 20) * 1000:.0f} ms", ""))
    rows.append(("seed case with its five readings side by side (six fits)", f"{timed(seed_readings, 10) * 1000:.0f} ms", ""))

    print(f"Machine: {platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores; date {time.strftime('%Y-%m-%d')}\n")
    print("| measure | result | target |\n|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} |")


if __name__ == "__main__":
    main()
