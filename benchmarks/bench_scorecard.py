"""Benchmark: scorecards for 5,000 salespeople and 3 incentive plans x 1,000 forecast draws (target < 10 s).

Run: ``.venv/bin/python benchmarks/bench_scorecard.py [--people 5000] [--draws 1000] [--repeat 3]``.
Data are generated in memory (SYNTHETIC): 50 branches, 5 raters per person on
four dimensions (~100,000 ratings), branch draws log-normal around the targets.
Prints one line per stage and the best total of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from salesanalytics.adapters import io
from salesanalytics.core.config import data_path
from salesanalytics.methods.incentives import PlanSimulator
from salesanalytics.methods.scorecard import Scorecard


def make_inputs(n_people: int, n_draws: int, n_branches: int = 50, seed: int = 0):
    rng = np.random.default_rng(seed)
    people = [f"P{i:05d}" for i in range(n_people)]
    branch = np.array([f"B{b:02d}" for b in rng.integers(0, n_branches, n_people)])
    target = rng.uniform(5e5, 2e6, n_people)
    actual = target * rng.lognormal(0, 0.25, n_people)
    kpis = pd.DataFrame({
        "salesperson": people, "branch": branch, "actual": actual, "target": target,
        "gross_profit": actual * rng.normal(0.08, 0.006, n_people), "prior_actual": target / 1.1 * rng.lognormal(0, 0.1, n_people),
        "new_customers": rng.poisson(8, n_people).astype(float), "collected": actual * rng.uniform(0.75, 1.0, n_people),
    })
    rows = []
    managers = {b: f"M_{b}" for b in np.unique(branch)}
    dims = ["collaboration", "innovation", "customer_satisfaction", "peer_360"]
    for i, p in enumerate(people):
        raters = [managers[branch[i]]] + [people[j] for j in rng.choice(n_people, 4, replace=False) if j != i]
        for r in raters:
            for d in dims:
                rows.append((r, p, d, float(rng.integers(1, 6))))
    ratings = pd.DataFrame(rows, columns=["rater", "salesperson", "dimension", "score"]).drop_duplicates(["rater", "salesperson", "dimension"])
    b_target = kpis.groupby("branch")["target"].sum()
    draws = pd.DataFrame(b_target.to_numpy()[None, :] * rng.lognormal(0, 0.08, (n_draws, len(b_target))), columns=b_target.index)
    return kpis, ratings, draws


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    scheme = io.read_scorecard_scheme(data_path("scorecard_scheme.yaml"))
    plans = io.read_incentive_plans(data_path("incentive_plans.yaml"))
    kpis, ratings, draws = make_inputs(args.people, args.draws)
    print(f"{args.people} people, {len(ratings)} ratings, {len(plans.plans)} plans x {args.draws} draws")
    best = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        card = Scorecard(scheme).fit(kpis, ratings)
        card.ranking("zh")
        cards = card.cards("zh")
        card.fairness_flags("zh")
        t1 = time.perf_counter()
        sim = PlanSimulator(plans, n_draws=args.draws, seed=0).fit(kpis, branch_draws=draws, scores=card.scores_)
        sim.comparison("zh")
        t2 = time.perf_counter()
        print(f"scorecard {t1 - t0:.2f} s ({len(cards)} card lines) · simulation {t2 - t1:.2f} s · total {t2 - t0:.2f} s")
        best = min(best, t2 - t0)
    print(f"best total {best:.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
