"""Benchmark: 资产客户 vs 负债客户 on 1,000,000 deal lines, 100,000 customers, 2,000,000 activity records (target < 5 s, < 2 GB).

Run: ``.venv/bin/python benchmarks/bench_customers.py [--lines 1000000] [--customers 100000] [--records 2000000] [--repeat 3]``.

Stages, each printed:

1. **value, opportunity cost and classes** — ``CustomerValue(lifetime=False).fit(deals, activities, customers)``
   (checks, exact crediting of shared deals, hours with defaults, 24-hour check, referral
   checks, pairs salesperson x customer, rates, opportunity cost, classes, advice), timed in a
   fresh child process that reads the inputs from Parquet first (reading not timed); its peak
   memory (``ru_maxrss``) is printed.  Target: < 5 s and < 2 GB.
2. a **slider move** — ``with_rules`` (re-classification, no refit).
3. the **lifetime-value fit** (BG/NBD + Gamma-Gamma by maximum likelihood, 200 simulated
   draws per customer for the range), documented separately.
4. **CLV calibration**: predicted vs actual repeat purchases on a held-back period of the
   SYNTHETIC data set (``datagen.make_dataset``: fit on January–June 2026, compare July–
   September), for the bundled year and a 100-branch company.

The inputs of stages 1–3 are generated in memory (SYNTHETIC, numpy, seed 0): 100 branches,
4,000 salespeople, customers owned by one salesperson each, deals drawn by a customer weight
(15 % shared by two people), one activity record per visit / call / quote with its hours (5 %
left blank for the defaults), 5 % of customers referred by an earlier one.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from salesanalytics.methods import clv, datagen  # noqa: E402
from salesanalytics.methods.customers import CustomerValue  # noqa: E402


def make_inputs(n_lines: int, n_customers: int, n_records: int, *, people: int = 4000, branches: int = 100, seed: int = 0):
    rng = np.random.default_rng(seed)
    names = np.array([f"P{i:05d}" for i in range(people)], dtype=object)
    branch_of = np.array([f"B{b:03d}" for b in np.arange(people) % branches], dtype=object)
    ids = np.array([f"C{i:07d}" for i in range(n_customers)], dtype=object)
    owner = rng.integers(0, people, n_customers)
    buy = rng.gamma(0.8, 1.0, n_customers)
    size = rng.lognormal(0, 0.6, n_customers)
    delay = rng.gamma(4, 10, n_customers)
    # deals: 15 % shared by two colleagues of the same branch, so lines = deals + shared
    n_deals = int(round(n_lines / 1.15))
    shared = n_lines - n_deals
    cust = rng.choice(n_customers, n_deals, p=buy / buy.sum())
    day = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 273, n_deals), unit="D")
    gp = np.round(rng.gamma(2.0, 450, n_deals) * size[cust], 2)
    revenue = np.round(gp / rng.normal(0.08, 0.01, n_deals).clip(0.03), 2)
    is_shared = np.zeros(n_deals, bool)
    is_shared[rng.choice(n_deals, shared, replace=False)] = True
    lines = 1 + is_shared
    d = np.repeat(np.arange(n_deals), lines)
    second = np.arange(len(d)) - np.repeat(np.cumsum(lines) - lines, lines) == 1
    seller = owner[cust[d]]
    colleague = (seller + branches * rng.integers(1, people // branches, len(d))) % people  # same branch: same index mod branches
    seller = np.where(second, colleague, seller)
    share = np.where(is_shared[d], np.where(second, 40.0, 60.0), 100.0)
    paid = day[d] + pd.to_timedelta(np.round(delay[cust[d]]), unit="D")
    deals = pd.DataFrame({
        "date": day[d], "deal_id": np.array([f"D{k:07d}" for k in range(n_deals)], dtype=object)[d], "branch": branch_of[seller],
        "salesperson": names[seller], "share": share, "revenue": revenue[d], "gross_profit": gp[d], "customer_id": ids[cust[d]],
        "collected_date": paid.where(paid <= pd.Timestamp("2026-09-30")),
    })
    # activity records: one per visit / call / quote, spread evenly over each salesperson's days (never 24 h)
    visit_w = rng.gamma(1.5, 1.0, n_customers) * np.where(rng.random(n_customers) < 0.15, 4.0, 1.0)
    a_cust = rng.choice(n_customers, n_records, p=visit_w / visit_w.sum())
    a_person = owner[a_cust]
    order = np.argsort(a_person, kind="stable")
    rank = np.empty(n_records, dtype=np.int64)
    rank[order] = np.arange(n_records) - np.searchsorted(a_person[order], a_person[order])
    kind = rng.choice(np.array(["visit", "call", "quote"], dtype=object), n_records, p=[0.6, 0.3, 0.1])
    mean = pd.Series(kind).map({"visit": 2.0, "call": 0.25, "quote": 1.0}).to_numpy()
    hours = np.minimum(np.round(rng.gamma(4, mean / 4), 2), 3.0)
    hours[rng.random(n_records) < 0.05] = np.nan
    acts = pd.DataFrame({
        "date": pd.Timestamp("2026-01-01") + pd.to_timedelta(rank % 273, unit="D"), "branch": branch_of[a_person],
        "salesperson": names[a_person], "customer_id": ids[a_cust], "activity": kind, "hours": hours,
    })
    referred = np.flatnonzero(rng.random(n_customers) < 0.05)
    referred = referred[referred > 0]
    ref = np.full(n_customers, None, dtype=object)
    ref[referred] = ids[(rng.random(len(referred)) * referred).astype(np.int64)]
    customers = pd.DataFrame({"customer_id": ids, "customer_name": np.char.add("客户", ids.astype(str)).astype(object),
                              "branch": branch_of[owner], "salesperson": names[owner], "referred_by": ref})
    return deals, acts, customers


def child(folder: str, repeat: int) -> None:
    """Stage 1 and 2 in a fresh process: its peak memory is the analysis's, not the generator's."""
    deals = pd.read_parquet(Path(folder) / "deals.parquet")
    acts = pd.read_parquet(Path(folder) / "acts.parquet")
    customers = pd.read_parquet(Path(folder) / "customers.parquet")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = CustomerValue(lifetime=False).fit(deals, acts, customers)
        best = min(best, time.perf_counter() - t0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = model.summary()
    print(f"  value, opportunity cost, classes: {best:.2f} s (best of {repeat}); peak memory {peak:,.0f} MB "
          f"(inputs loaded: {rss0:,.0f} MB)")
    print(f"    {s['customers']:,} customers: {s['asset_customers']:,} asset / {s['watch_customers']:,} watch / "
          f"{s['liability_customers']:,} liability; {s['liability_hours_pct']:.1f}% of {s['hours']:,.0f} hours on liabilities")
    t0 = time.perf_counter()
    moved = model.with_rules(liability_oc_share=0.5, asset_top_share=0.25)
    print(f"  slider move (with_rules, no refit): {time.perf_counter() - t0:.2f} s -> {moved.summary()['liability_customers']:,} liabilities")


def calibration_table(dataset: dict, label: str) -> None:
    a = dataset["actuals"]
    a = a[~a["deal_id"].duplicated()]
    table = clv.calibration(a["customer_id"], a["date"], a["gross_profit"], split="2026-06-30", end="2026-09-30")
    p = table.attrs["params"]
    print(f"  {label}: fit 2026-01..06 ({int(table.loc['total', 'customers']):,} customers), hold-out 2026-07..09; "
          f"BG/NBD r={p['r']:.3f} alpha={p['alpha']:.2f} a={p['a']:.3f} b={p['b']:.3f}")
    print("    repeat purchases Jan-Jun | customers | actual Jul-Sep per customer | predicted | predicted / actual")
    for idx, row in table.iterrows():
        name = f"{idx}+" if idx == table.index[-2] else str(idx)
        ratio = row["predicted"] / row["actual"] if row["actual"] else float("nan")
        print(f"    {name:>24} | {int(row['customers']):>9,} | {row['actual_per_customer']:>27.2f} | {row['predicted_per_customer']:>9.2f} | {ratio:>6.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    t0 = time.perf_counter()
    deals, acts, customers = make_inputs(args.lines, args.customers, args.records)
    print(f"{len(deals):,} deal lines, {len(customers):,} customers, {len(acts):,} activity records "
          f"(generated in {time.perf_counter() - t0:.1f} s)")
    with tempfile.TemporaryDirectory() as tmp:
        deals.to_parquet(Path(tmp) / "deals.parquet")
        acts.to_parquet(Path(tmp) / "acts.parquet")
        customers.to_parquet(Path(tmp) / "customers.parquet")
        subprocess.run([sys.executable, __file__, "--child", tmp, "--repeat", str(args.repeat)], check=True)
    first = deals[~deals["deal_id"].duplicated()]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", clv.LifetimeValueWarning)
        lt = clv.LifetimeValue(12, n_draws=args.draws, seed=0).fit(first["customer_id"], first["date"], first["gross_profit"], "2026-09-30")
    s = lt.summary()
    print(f"  lifetime-value fit (BG/NBD + Gamma-Gamma, {args.draws} draws per customer): {time.perf_counter() - t0:.2f} s "
          f"for {s['customers']:,} customers ({s['repeat_buyers']:,} repeat buyers)")
    print("CLV calibration on the SYNTHETIC data set (datagen):")
    calibration_table(datagen.make_dataset(ratings=False), "bundled year (14 + 2 branches)")
    calibration_table(datagen.make_dataset(branches=100, people_per_branch=49, ratings=False), "100 branches, 4,932 people")


if __name__ == "__main__":
    main()
