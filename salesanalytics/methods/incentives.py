"""Incentive plans (激励: 提成, 奖金, 团队奖, 分公司奖金池) and what they cost.

The handbook wants pay that clearly differentiates (薪酬体系必须产生绝对差异化)
while keeping reward and penalty clear (赏罚清楚).  With a gross margin of only
about 8 %, a generous-looking commission can pay away a large share of the gross
profit; commission tools rarely show that.  This module

* reads incentive plans from a mapping (``data/incentive_plans.yaml``) and checks
  them: tier bands must start at 0 and follow each other without gap or overlap,
  the cap must not sit below the threshold, rates must be ≥ 0;
* computes each person's payout for the actual year, exact in fen;
* simulates the plans under the forecast distribution of the year and reports
  P10 / P50 / P90 of total cost, cost as % of revenue and of gross profit, and
  how differentiating each plan is (top vs bottom quintile).

Plan arithmetic (one plan, one person; attainment ``a = basis / target``)
-------------------------------------------------------------------------
* **basis**: ``signed`` (签单额, the ``actual`` column) or ``collected`` (回款,
  the ``collected`` column).  Attainment, threshold, bands and cap are all
  measured on the basis amount.
* **threshold**: if ``a < threshold`` the commission is 0 (a cliff: at the
  threshold the whole commission from the first band is paid).
* **cap**: attainment above ``cap`` earns nothing more; optional
  ``max_payout_yuan`` caps the commission amount itself.
* **flat**: ``rate × min(basis, cap × target)``.
* **tiered**: marginal bands on attainment; each band pays its rate on the part
  of the basis that falls inside it::

      commission = Σ_k rate_k × target × clip(min(a, cap) − from_k, 0, to_k − from_k)

  Rates above 100 % attainment that exceed the rate below are the accelerators.
  The last band may be open (``to: null``) when there is no cap.
* **team bonus**: a fixed amount per member when the branch's attainment (Σ
  basis / Σ target) reaches ``min_branch_attainment``; only members whose own
  attainment reaches ``min_member_attainment`` (default 0) receive it.
* **branch pool**: ``pct_of_gross_profit × branch gross profit`` (rounded to the
  fen) when the branch reaches ``min_branch_attainment``; split among its
  eligible members by ``split`` (``equal``, ``actual``, ``target`` or
  ``score``) with the largest-remainder method, so the parts add up to the pool
  exactly (:func:`salesanalytics.money.allocate_grouped`).

Every person's commission is rounded to the fen, half up; the team bonus and
pool are exact in fen.

Simulation under the forecast distribution
------------------------------------------
With forecast draws (annual revenue per branch for each draw, e.g. from
:meth:`salesanalytics.forward.Forecaster.simulate` summed over the year's
months: :func:`annual_branch_draws`), each person's signed revenue in draw ``d``
is ``draw[d, branch] × target / branch target × ε``, where ε is a mean-one
log-normal person effect whose spread is measured in the actual year (standard
deviation of log(person attainment / branch attainment)).  Branches the
forecast does not cover (new branches) follow the company-wide draw factor
applied to their actual revenue.  Without forecast draws the simulator uses a
**bootstrap of attainment**: in each draw each branch's attainment is drawn (with
replacement) from the observed branch attainments and each person's
deviation from their branch from the observed deviations; revenue = target ×
branch attainment × deviation.  Collected cash and gross profit follow revenue
at each person's actual collection rate and margin.  Everything is vectorised
over draws × people (numpy); the pool is totalled per draw, not split.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.exceptions import DataError, NotFittedError, ParameterError, reject_unknown_keys
from ..core.labels import check_lang, label, label_columns, text, value
from ..core.money import allocate_grouped
from ..core.numbers import parse_number
from ..core.schema import BRANCH, KPI_SCHEMA, SALESPERSON
from .scorecard import DOMAIN, check_frame

BASES = ("signed", "collected")
BASIS_COLUMN = {"signed": "actual", "collected": "collected"}
SPLITS = ("equal", "actual", "target", "score")


# ----------------------------------------------------------------------------
# plan definitions
# ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Band:
    start: float  # attainment, inclusive
    end: float  # attainment, exclusive; inf for an open last band
    rate: float


@dataclass(frozen=True)
class TeamBonus:
    amount_yuan: float
    min_branch_attainment: float = 1.0
    min_member_attainment: float = 0.0


@dataclass(frozen=True)
class BranchPool:
    pct_of_gross_profit: float
    min_branch_attainment: float = 1.0
    min_member_attainment: float = 0.0
    split: str = "actual"


@dataclass(frozen=True)
class IncentivePlan:
    """A validated incentive plan (see the module docstring for the arithmetic)."""

    name: str
    kind: str  # "flat" or "tiered"
    bands: tuple[Band, ...]  # a flat plan is one open band from 0
    basis: str = "signed"
    threshold: float = 0.0
    cap: float | None = None
    max_payout_yuan: float | None = None
    team_bonus: TeamBonus | None = None
    branch_pool: BranchPool | None = None
    label_zh: str = ""
    label_en: str = ""

    def label(self, lang: str = "zh") -> str:
        """The plan's name from the plans file in ``lang`` (its key when the file gives none)."""
        return getattr(self, f"label_{check_lang(lang)}") or self.name


@dataclass(frozen=True)
class PlanSet:
    """The plans of one file plus the cost-flag setting."""

    plans: dict[str, IncentivePlan]
    gross_profit_flag_share: float = 0.25
    source: str = "plans"


_PLAN_KEYS = ("label_zh", "label_en", "basis", "commission", "threshold", "cap", "max_payout_yuan", "team_bonus", "branch_pool", "notes")


def _num(value, where: str, source: str, fix: str, *, low: float | None = 0.0) -> float:
    out = parse_number(value, where, error=DataError, source=source, fix=fix)
    if low is not None and out < low:  # "is -0.06, below 0" reads better here than a range
        raise DataError(f"{where} is {out:g}, below {low:g}.", source=source, fix=fix)
    return out


def _parse_bands(specs, where: str, source: str, cap: float | None) -> tuple[Band, ...]:
    if not isinstance(specs, list) or not specs:
        raise DataError(f"{where}: 'bands' must be a non-empty list of {{from, to, rate}}.", source=source,
                        fix="e.g. bands: [{from: 0, to: 1.0, rate: 0.004}, {from: 1.0, to: null, rate: 0.008}]")
    bands = []
    for k, spec in enumerate(specs, start=1):
        w = f"{where}.bands[{k}]"
        if not isinstance(spec, Mapping):
            raise DataError(f"{w} must be a mapping {{from, to, rate}}.", source=source, fix="e.g. {from: 0.8, to: 1.0, rate: 0.005}")
        reject_unknown_keys(spec, ("from", "to", "rate"), where=f"{source}, {w}", error=DataError)
        start = _num(spec.get("from"), f"{w}.from", source, "attainment as a fraction, e.g. 0.8 for 80 %")
        end = math.inf if spec.get("to") is None else _num(spec.get("to"), f"{w}.to", source, "attainment as a fraction, or null for no upper end")
        rate = _num(spec.get("rate"), f"{w}.rate", source, "a commission rate as a fraction, e.g. 0.005 for 0.5 %")
        if end <= start:
            raise DataError(f"{w}: 'to' {end:g} is not above 'from' {start:g}.", source=source, fix="each band must end above where it starts")
        bands.append(Band(start, end, rate))
    if bands[0].start != 0:
        raise DataError(f"{where}: the first band starts at {bands[0].start:g}, not 0: attainment below it has no rate (a gap).",
                        source=source, fix="start the first band at 0 and use 'threshold' for a minimum attainment")
    for k, (a, b) in enumerate(zip(bands, bands[1:]), start=1):
        if b.start < a.end:
            raise DataError(f"{where}: bands {k} and {k + 1} overlap ({a.start:g}–{a.end:g} and {b.start:g}–{b.end:g}).",
                            source=source, fix=f"start band {k + 1} where band {k} ends ({a.end:g})")
        if b.start > a.end:
            raise DataError(f"{where}: gap between bands {k} and {k + 1}: nothing covers {a.end:g}–{b.start:g}.",
                            source=source, fix=f"start band {k + 1} where band {k} ends ({a.end:g})")
    top = cap if cap is not None else math.inf
    if bands[-1].end < top:
        what = f"the cap {cap:g}" if cap is not None else "no cap (open end)"
        raise DataError(f"{where}: the last band ends at {bands[-1].end:g} but the plan has {what}: attainment above {bands[-1].end:g} has no rate (a gap).",
                        source=source, fix="end the last band at the cap, or write 'to: null' and no cap")
    return tuple(bands)


def parse_plan(name: str, spec: Mapping, *, source: str = "plans") -> IncentivePlan:
    """Validate one plan mapping (as in ``data/incentive_plans.yaml``)."""
    where = f"plans.{name}"
    if not isinstance(spec, Mapping):
        raise DataError(f"{where} must be a mapping.", source=source, fix="see data/incentive_plans.yaml")
    reject_unknown_keys(spec, _PLAN_KEYS, where=f"{source}, {where}", error=DataError)
    basis = spec.get("basis", "signed")
    if basis not in BASES:
        raise DataError(f"{where}.basis must be 'signed' or 'collected', not '{basis}'.", source=source,
                        fix="signed = 签单额 (the actual column), collected = 回款 (the collected column)")
    threshold = _num(spec.get("threshold", 0), f"{where}.threshold", source, "attainment as a fraction, e.g. 0.6")
    cap = None if spec.get("cap") is None else _num(spec["cap"], f"{where}.cap", source, "attainment as a fraction, e.g. 1.5")
    if cap is not None and cap < threshold:
        raise DataError(f"{where}: cap {cap:g} is below the threshold {threshold:g}: nobody could ever be paid.", source=source,
                        fix="raise the cap above the threshold (e.g. threshold 0.6, cap 1.5)")
    if cap is not None and cap <= 0:
        raise DataError(f"{where}: cap must be above 0, not {cap:g}.", source=source, fix="e.g. cap: 1.5 for 150 % attainment")
    comm = spec.get("commission")
    if not isinstance(comm, Mapping):
        raise DataError(f"{where}: 'commission' is missing.", source=source, fix="commission: {kind: flat, rate: 0.005} or {kind: tiered, bands: [...]}")
    kind = comm.get("kind")
    if kind == "flat":
        reject_unknown_keys(comm, ("kind", "rate"), where=f"{source}, {where}.commission", error=DataError)
        rate = _num(comm.get("rate"), f"{where}.commission.rate", source, "a rate as a fraction, e.g. 0.005 for 0.5 %")
        bands = (Band(0.0, math.inf, rate),)
    elif kind == "tiered":
        reject_unknown_keys(comm, ("kind", "bands"), where=f"{source}, {where}.commission", error=DataError)
        bands = _parse_bands(comm.get("bands"), f"{where}.commission", source, cap)
    else:
        raise DataError(f"{where}.commission.kind must be 'flat' or 'tiered', not '{kind}'.", source=source, fix="kind: flat or kind: tiered")
    max_payout = None if spec.get("max_payout_yuan") is None else _num(spec["max_payout_yuan"], f"{where}.max_payout_yuan", source, "yuan, e.g. 200000")
    team = None
    if spec.get("team_bonus"):
        tb = spec["team_bonus"]
        reject_unknown_keys(tb, ("amount_yuan", "min_branch_attainment", "min_member_attainment"), where=f"{source}, {where}.team_bonus", error=DataError)
        team = TeamBonus(
            amount_yuan=_num(tb.get("amount_yuan"), f"{where}.team_bonus.amount_yuan", source, "yuan per member, e.g. 3000"),
            min_branch_attainment=_num(tb.get("min_branch_attainment", 1.0), f"{where}.team_bonus.min_branch_attainment", source, "e.g. 1.0"),
            min_member_attainment=_num(tb.get("min_member_attainment", 0.0), f"{where}.team_bonus.min_member_attainment", source, "e.g. 0.8"),
        )
    pool = None
    if spec.get("branch_pool"):
        bp = spec["branch_pool"]
        reject_unknown_keys(bp, ("pct_of_gross_profit", "min_branch_attainment", "min_member_attainment", "split"),
                            where=f"{source}, {where}.branch_pool", error=DataError)
        pct = _num(bp.get("pct_of_gross_profit"), f"{where}.branch_pool.pct_of_gross_profit", source, "a fraction, e.g. 0.03 for 3 %")
        if pct > 1:
            raise DataError(f"{where}.branch_pool.pct_of_gross_profit is {pct:g}, above 1.", source=source, fix="write 3 % as 0.03")
        split = bp.get("split", "actual")
        if split not in SPLITS:
            raise DataError(f"{where}.branch_pool.split must be one of {', '.join(SPLITS)}, not '{split}'.", source=source, fix="e.g. split: actual")
        pool = BranchPool(
            pct_of_gross_profit=pct,
            min_branch_attainment=_num(bp.get("min_branch_attainment", 1.0), f"{where}.branch_pool.min_branch_attainment", source, "e.g. 1.0"),
            min_member_attainment=_num(bp.get("min_member_attainment", 0.0), f"{where}.branch_pool.min_member_attainment", source, "e.g. 0.8"),
            split=split,
        )
    return IncentivePlan(name=str(name), kind=kind, bands=bands, basis=basis, threshold=threshold, cap=cap,
                         max_payout_yuan=max_payout, team_bonus=team, branch_pool=pool,
                         label_zh=str(spec.get("label_zh", "")), label_en=str(spec.get("label_en", "")))


def parse_plans(data: Mapping, *, source: str = "plans") -> PlanSet:
    """Validate a plans file mapping: ``plans: {name: {...}, ...}`` and ``gross_profit_flag_share``."""
    if not isinstance(data, Mapping):
        raise DataError("an incentive plans file must be a mapping.", source=source, fix="see data/incentive_plans.yaml")
    reject_unknown_keys(data, ("name", "plans", "gross_profit_flag_share", "notes"), where=source, error=DataError)
    specs = data.get("plans")
    if not isinstance(specs, Mapping) or not specs:
        raise DataError("'plans' must map each plan name to its settings.", source=source, fix="see data/incentive_plans.yaml")
    plans = {str(n): parse_plan(str(n), s, source=source) for n, s in specs.items()}
    share = _num(data.get("gross_profit_flag_share", 0.25), "gross_profit_flag_share", source, "a fraction, e.g. 0.25")
    return PlanSet(plans=plans, gross_profit_flag_share=share, source=source)


# ----------------------------------------------------------------------------
# numeric kernels (arrays of any shape: people, or draws x people)
# ----------------------------------------------------------------------------
def _commission_yuan(basis: np.ndarray, target: np.ndarray, plan: IncentivePlan) -> np.ndarray:
    """Commission in yuan (float) for basis amounts against targets; see the module docstring."""
    basis = np.asarray(basis, dtype=float)
    target = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(target > 0, basis / target, 0.0)
    np.maximum(att, 0.0, out=att)
    capped = np.minimum(att, plan.cap) if plan.cap is not None else att
    # Σ rate_k × clip(a − from_k, 0, width_k), times the target once at the end (in place: draws × people arrays)
    rate_sum = np.zeros(att.shape)
    inside = np.empty(att.shape)
    for band in plan.bands:
        if not band.rate:
            continue
        np.subtract(capped, band.start, out=inside)
        np.clip(inside, 0.0, band.end - band.start, out=inside)
        inside *= band.rate
        rate_sum += inside
    amount = rate_sum * target
    amount[att < plan.threshold - 1e-12] = 0.0
    if plan.max_payout_yuan is not None:
        amount = np.minimum(amount, plan.max_payout_yuan)
    return amount


def _yuan_to_fen(amount: np.ndarray) -> np.ndarray:
    """Round yuan to integer fen, half up (a tiny epsilon absorbs float drift like x.4999999)."""
    return np.floor(np.asarray(amount, dtype=float) * 100.0 + 0.5 + 1e-6).astype(np.int64)


def commission(basis, target, plan: IncentivePlan) -> np.ndarray:
    """Commission per person in integer fen (rounded half up)."""
    return _yuan_to_fen(_commission_yuan(basis, target, plan))


def _branch_sums(values: np.ndarray, codes: np.ndarray, n_branches: int) -> np.ndarray:
    """Sum the last axis of ``values`` per branch code -> (..., n_branches)."""
    onehot = np.zeros((codes.size, n_branches))
    onehot[np.arange(codes.size), codes] = 1.0
    return values @ onehot


# ----------------------------------------------------------------------------
# the actual year, exact
# ----------------------------------------------------------------------------
def _people_arrays(people: pd.DataFrame, plans: list[IncentivePlan], source: str = "kpis") -> pd.DataFrame:
    people = check_frame(people, KPI_SCHEMA, getattr(people, "attrs", {}).get("source", source))
    for plan in plans:
        col = BASIS_COLUMN[plan.basis]
        if col not in people.columns or people[col].isna().any():
            raise DataError(f"plan '{plan.name}' pays on {plan.basis} amounts but the KPI frame has no complete '{col}' column.",
                            source=source, column=col, fix=f"add '{col}' for every person, or set basis: signed")
        if plan.branch_pool is not None and ("gross_profit" not in people.columns or people["gross_profit"].isna().any()):
            raise DataError(f"plan '{plan.name}' has a branch pool on gross profit but the KPI frame has no complete 'gross_profit' column.",
                            source=source, column="gross_profit", fix="add gross_profit for every person, or remove branch_pool")
    return people


def plan_payouts(people: pd.DataFrame, plan: IncentivePlan, *, scores: pd.Series | None = None) -> pd.DataFrame:
    """Payout per person for the actual year, exact in fen.

    ``people``: the KPI frame (salesperson, branch, actual, target, [collected,
    gross_profit]).  ``scores`` (index = salesperson) is needed only for a pool
    split by score.  Returns salesperson, branch, basis, attainment,
    commission_fen, team_bonus_fen, pool_fen, total_fen and total_yuan.
    """
    return _plan_payouts(_people_arrays(people, [plan]), plan, scores)


def _plan_payouts(people: pd.DataFrame, plan: IncentivePlan, scores: pd.Series | None) -> pd.DataFrame:
    basis = people[BASIS_COLUMN[plan.basis]].to_numpy(float)
    target = people["target"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(target > 0, basis / target, 0.0)
    codes, branches = pd.factorize(people[BRANCH])
    nb = len(branches)
    comm = commission(basis, target, plan)
    b_basis = np.bincount(codes, weights=basis, minlength=nb)
    b_target = np.bincount(codes, weights=target, minlength=nb)
    b_att = np.divide(b_basis, b_target, out=np.zeros(nb), where=b_target > 0)
    team = np.zeros(len(people), dtype=np.int64)
    if plan.team_bonus is not None:
        tb = plan.team_bonus
        ok = (b_att[codes] >= tb.min_branch_attainment - 1e-12) & (att >= tb.min_member_attainment - 1e-12)
        team = np.where(ok, _yuan_to_fen(tb.amount_yuan), 0).astype(np.int64)
    pool = np.zeros(len(people), dtype=np.int64)
    if plan.branch_pool is not None:
        bp = plan.branch_pool
        gp = people["gross_profit"].to_numpy(float)
        b_gp = np.bincount(codes, weights=gp, minlength=nb)
        member_ok = att >= bp.min_member_attainment - 1e-12
        if bp.split == "equal":
            w = np.ones(len(people))
        elif bp.split == "score":
            if scores is None:
                raise ParameterError(f"plan '{plan.name}' splits its pool by score: pass scores (index = salesperson).")
            w = pd.Series(scores).reindex(people[SALESPERSON]).fillna(0).clip(lower=0).to_numpy(float)
        else:
            w = np.clip(people[bp.split].to_numpy(float), 0, None)  # "actual" (signed) or "target"
        w = np.where(member_ok, w, 0.0)
        has_members = np.bincount(codes, weights=w, minlength=nb) > 0
        totals = np.where((b_att >= bp.min_branch_attainment - 1e-12) & has_members & (b_gp > 0),
                          _yuan_to_fen(bp.pct_of_gross_profit * np.maximum(b_gp, 0)), 0).astype(np.int64)
        pool = allocate_grouped(totals, codes, w)
    total = comm + team + pool
    return pd.DataFrame({
        SALESPERSON: people[SALESPERSON].to_numpy(), BRANCH: people[BRANCH].to_numpy(),
        "basis": basis, "attainment": att, "branch_attainment": b_att[codes],
        "commission_fen": comm, "team_bonus_fen": team, "pool_fen": pool,
        "total_fen": total, "total_yuan": total / 100.0,
    })


def differentiation(payout: np.ndarray, performance: np.ndarray) -> dict:
    """Spread of pay between the top and bottom quintile of performance.

    People are ranked by ``performance`` (score or attainment; ties by order);
    quintile 5 is the best 20 %.  Returns the mean payout of the top and bottom
    quintile, their ratio (inf when the bottom gets nothing), and the top
    quintile's share of everything paid.
    """
    payout = np.asarray(payout, dtype=float)
    perf = np.asarray(performance, dtype=float)
    n = payout.size
    if n == 0:
        return {"top_quintile_mean": np.nan, "bottom_quintile_mean": np.nan, "top_bottom_ratio": np.nan, "top_quintile_share": np.nan}
    order = np.argsort(np.nan_to_num(perf, nan=-np.inf), kind="stable")
    q = np.empty(n, dtype=int)
    q[order] = (np.arange(n) * 5) // n  # 0 = bottom 20 %, 4 = top 20 %
    top = payout[q == 4].mean() if (q == 4).any() else np.nan  # fewer than 5 people: no complete quintile
    bottom = payout[q == 0].mean()
    total = payout.sum()
    ratio = top / bottom if bottom > 0 else (np.inf if top > 0 else np.nan)
    return {"top_quintile_mean": top, "bottom_quintile_mean": bottom, "top_bottom_ratio": ratio,
            "top_quintile_share": payout[q == 4].sum() / total if total > 0 else np.nan}


# ----------------------------------------------------------------------------
# draws
# ----------------------------------------------------------------------------
def annual_branch_draws(forecaster, *, n_draws: int = 1000, seed: int = 0, months=None) -> pd.DataFrame:
    """Annual revenue per branch for each draw of a fitted forward Forecaster.

    Sums ``forecaster.simulate(n_draws, seed)`` over the horizon months (or only
    ``months``); series are the branch names (branch-level history) or
    (branch, …) tuples, which are summed to their branch.  Returns a frame
    draws × branches (yuan).
    """
    sims = np.asarray(forecaster.simulate(n_draws=n_draws, seed=seed), dtype=float)
    if months is not None:
        keep = np.asarray(pd.DatetimeIndex(forecaster.months_).isin(pd.DatetimeIndex(months)))
        sims = sims[:, :, keep]
    annual = sims.sum(axis=2)
    series = list(forecaster.series_)
    branches = [s[0] if isinstance(s, tuple) else s for s in series]
    frame = pd.DataFrame(annual, columns=pd.Index(branches))
    return frame.T.groupby(level=0, sort=False).sum().T


def _person_revenue_draws(people: pd.DataFrame, branch_draws: pd.DataFrame | None, n_draws: int, rng: np.random.Generator,
                          person_sigma: float | None) -> tuple[np.ndarray, str, float]:
    actual = people["actual"].to_numpy(float)
    target = people["target"].to_numpy(float)
    codes, branches = pd.factorize(people[BRANCH])
    nb = len(branches)
    b_actual = np.bincount(codes, weights=actual, minlength=nb)
    b_target = np.bincount(codes, weights=target, minlength=nb)
    b_att = np.divide(b_actual, b_target, out=np.ones(nb), where=b_target > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        dev = np.where((target > 0) & (b_att[codes] > 0), (actual / target) / b_att[codes], np.nan)
    logdev = np.log(dev[np.isfinite(dev) & (dev > 0)])
    sigma = float(np.std(logdev)) if person_sigma is None and logdev.size > 1 else (0.15 if person_sigma is None else float(person_sigma))
    if branch_draws is None:
        # bootstrap of attainment: branch attainment and person deviation resampled from the actual year
        obs_b = b_att[b_target > 0]
        obs_dev = dev[np.isfinite(dev) & (dev > 0)]
        if obs_dev.size == 0:
            obs_dev = np.ones(1)
        a = obs_b[rng.integers(0, obs_b.size, size=(n_draws, nb))]
        d = obs_dev[rng.integers(0, obs_dev.size, size=(n_draws, len(people)))]
        return target[None, :] * a[:, codes] * d, "bootstrap", sigma
    draws = branch_draws.to_numpy(float)
    if draws.shape[0] < n_draws:
        raise ParameterError(f"branch_draws has {draws.shape[0]} draws, fewer than n_draws={n_draws}.")
    draws = draws[:n_draws]
    cols = [str(c) for c in branch_draws.columns]
    eps = np.exp(rng.normal(-0.5 * sigma**2, sigma, size=(n_draws, len(people)))) if sigma > 0 else np.ones((n_draws, len(people)))
    company = draws.sum(axis=1)
    company_factor = company / company.mean()
    out = np.empty((n_draws, len(people)))
    covered = np.array([str(b) in cols for b in branches])
    share = np.divide(target, b_target[codes], out=np.zeros(len(people)), where=b_target[codes] > 0)
    col_of = np.array([cols.index(str(b)) if str(b) in cols else 0 for b in branches])
    person_cov = covered[codes]
    out[:, person_cov] = draws[:, col_of[codes[person_cov]]] * share[person_cov]
    out[:, ~person_cov] = company_factor[:, None] * actual[None, ~person_cov]
    return out * eps, "forecast", sigma


# ----------------------------------------------------------------------------
# the simulator
# ----------------------------------------------------------------------------
class PlanSimulator:
    """Payouts per person for the actual year and total cost under forecast draws, per plan.

    >>> sim = PlanSimulator(plans, n_draws=1000, seed=0).fit(kpis, branch_draws=draws, scores=card.scores_)
    >>> sim.summary_        # one row per plan: actual cost, % revenue, % GP, P10/P50/P90, spread, flag
    >>> sim.payouts_        # one row per plan x person, exact fen
    >>> sim.draws_          # one row per plan x draw: total cost, revenue, gross profit
    """

    def __init__(self, plans: PlanSet | Mapping, *, n_draws: int = 1000, seed: int = 0, person_sigma: float | None = None,
                 gross_profit_flag_share: float | None = None):
        self.plans = plans
        self.n_draws = n_draws
        self.seed = seed
        self.person_sigma = person_sigma
        self.gross_profit_flag_share = gross_profit_flag_share

    def fit(self, people: pd.DataFrame, *, branch_draws: pd.DataFrame | None = None, scores: pd.DataFrame | pd.Series | None = None) -> PlanSimulator:
        """``people``: the KPI frame; ``branch_draws``: draws × branch annual revenue (None: bootstrap);
        ``scores``: the scorecard's ``scores_`` (or a Series salesperson → score) for differentiation and score-split pools."""
        planset = self.plans if isinstance(self.plans, PlanSet) else parse_plans(self.plans)
        if int(self.n_draws) < 1:
            raise ParameterError(f"n_draws must be at least 1, not {self.n_draws}.")
        flag_share = planset.gross_profit_flag_share if self.gross_profit_flag_share is None else float(self.gross_profit_flag_share)
        plans = list(planset.plans.values())
        people = _people_arrays(people, plans)
        if isinstance(scores, pd.DataFrame):
            scores = scores.set_index(SALESPERSON)["score"]
        self.scores_ = scores
        rng = np.random.default_rng(self.seed)
        n = int(self.n_draws)
        rev, method, sigma = _person_revenue_draws(people, branch_draws, n, rng, self.person_sigma)
        self.method_, self.person_sigma_ = method, sigma
        actual = people["actual"].to_numpy(float)
        target = people["target"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            coll_rate = np.where(actual > 0, people["collected"].to_numpy(float) / actual, 1.0) if "collected" in people else np.ones(len(people))
            margin_p = np.where(actual > 0, people["gross_profit"].to_numpy(float) / actual, np.nan) if "gross_profit" in people else np.full(len(people), np.nan)
        coll_rate = np.nan_to_num(coll_rate, nan=1.0)
        company_margin = (people["gross_profit"].sum() / actual.sum()) if "gross_profit" in people and actual.sum() > 0 else np.nan
        margin_p = np.where(np.isfinite(margin_p), margin_p, company_margin)
        codes, branches = pd.factorize(people[BRANCH])
        nb = len(branches)
        rev_total = rev.sum(axis=1)
        gp_draw = rev * margin_p[None, :]
        gp_total = gp_draw.sum(axis=1)
        perf = scores.reindex(people[SALESPERSON]).to_numpy(float) if scores is not None else actual / target
        revenue_actual = float(actual.sum())
        gp_actual = float(people["gross_profit"].sum()) if "gross_profit" in people else np.nan
        payouts, summary, draws_long = [], [], []
        for plan in plans:
            pay = _plan_payouts(people, plan, scores)
            payouts.append(pay.assign(plan=plan.name))
            basis = rev * coll_rate[None, :] if plan.basis == "collected" else rev
            cost = _commission_yuan(basis, target[None, :], plan).sum(axis=1)
            att = basis / np.where(target > 0, target, np.inf)[None, :]
            b_att = None
            if plan.team_bonus is not None or plan.branch_pool is not None:
                b_basis = _branch_sums(basis, codes, nb)
                b_target = np.bincount(codes, weights=target, minlength=nb)
                b_att = b_basis / np.where(b_target > 0, b_target, np.inf)[None, :]
            if plan.team_bonus is not None:
                tb = plan.team_bonus
                ok = (b_att[:, codes] >= tb.min_branch_attainment - 1e-12) & (att >= tb.min_member_attainment - 1e-12)
                cost = cost + ok.sum(axis=1) * tb.amount_yuan
            if plan.branch_pool is not None:
                bp = plan.branch_pool
                b_gp = _branch_sums(gp_draw, codes, nb)
                members = _branch_sums((att >= bp.min_member_attainment - 1e-12).astype(float), codes, nb) > 0
                ok = (b_att >= bp.min_branch_attainment - 1e-12) & members
                cost = cost + (bp.pct_of_gross_profit * np.maximum(b_gp, 0) * ok).sum(axis=1)
            total_fen = int(pay["total_fen"].sum())
            total = total_fen / 100.0
            spread = differentiation(pay["total_yuan"].to_numpy(), perf)
            p10, p50, p90 = np.percentile(cost, [10, 50, 90])
            share_gp_draws = cost / gp_total
            row = {
                "plan": plan.name, "label_zh": plan.label("zh"), "label_en": plan.label("en"), "basis": plan.basis,
                "total_cost_yuan": total, "total_cost_fen": total_fen,
                "commission_yuan": pay["commission_fen"].sum() / 100.0, "team_bonus_yuan": pay["team_bonus_fen"].sum() / 100.0,
                "pool_yuan": pay["pool_fen"].sum() / 100.0,
                "revenue_yuan": revenue_actual, "gross_profit_yuan": gp_actual,
                "cost_pct_revenue": total / revenue_actual if revenue_actual else np.nan,
                "cost_pct_gross_profit": total / gp_actual if gp_actual else np.nan,
                "paid_people": int((pay["total_fen"] > 0).sum()), "people": len(pay),
                "cost_p10_yuan": p10, "cost_p50_yuan": p50, "cost_p90_yuan": p90,
                "cost_pct_gross_profit_p50": float(np.median(share_gp_draws)),
                "cost_pct_gross_profit_p90": float(np.percentile(share_gp_draws, 90)),
                **spread,
            }
            row["flag_gross_profit"] = bool((row["cost_pct_gross_profit"] > flag_share) or (row["cost_pct_gross_profit_p90"] > flag_share))
            summary.append(row)
            draws_long.append(pd.DataFrame({"plan": plan.name, "draw": np.arange(n), "total_cost_yuan": cost,
                                            "revenue_yuan": rev_total, "gross_profit_yuan": gp_total}))
        self.flag_share_ = flag_share
        self.payouts_ = pd.concat(payouts, ignore_index=True)[["plan", SALESPERSON, BRANCH, "basis", "attainment", "branch_attainment",
                                                             "commission_fen", "team_bonus_fen", "pool_fen", "total_fen", "total_yuan"]]
        self.summary_ = pd.DataFrame(summary)
        self.draws_ = pd.concat(draws_long, ignore_index=True)
        self.plan_set_ = planset
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "summary_"):
            raise NotFittedError("this PlanSimulator is not fitted yet: call fit(kpis) first.")

    def comparison(self, lang: str = "zh") -> pd.DataFrame:
        """The plan comparison table for a report: one column per plan, one row per measure."""
        self._check_fitted()
        check_lang(lang)

        def flag(r) -> str:
            return text("gp_flag", lang, share=f"{self.flag_share_:.0%}") if r["flag_gross_profit"] else text("no_flag", lang)

        rows = {
            "basis": lambda r: value("basis", r["basis"], lang),
            "total_cost_yuan": lambda r: f"{r['total_cost_yuan']:,.2f}",
            "cost_pct_revenue": lambda r: f"{r['cost_pct_revenue']:.2%}",
            "cost_pct_gross_profit": lambda r: f"{r['cost_pct_gross_profit']:.1%}",
            "cost_p10_yuan": lambda r: f"{r['cost_p10_yuan']:,.0f}",
            "cost_p50_yuan": lambda r: f"{r['cost_p50_yuan']:,.0f}",
            "cost_p90_yuan": lambda r: f"{r['cost_p90_yuan']:,.0f}",
            "cost_pct_gross_profit_p90": lambda r: f"{r['cost_pct_gross_profit_p90']:.1%}",
            "top_quintile_mean": lambda r: f"{r['top_quintile_mean']:,.0f}",
            "bottom_quintile_mean": lambda r: f"{r['bottom_quintile_mean']:,.0f}",
            "top_bottom_ratio": lambda r: "∞" if r["top_bottom_ratio"] == np.inf else f"{r['top_bottom_ratio']:.1f}",
            "top_quintile_share": lambda r: f"{r['top_quintile_share']:.0%}",
            "paid_people": lambda r: f"{r['paid_people']} / {r['people']}",
            "flag_gross_profit": flag,
        }
        table = {r[f"label_{lang}"]: [_shown(fmt(r)) for fmt in rows.values()] for _, r in self.summary_.iterrows()}
        index = pd.Index([label(key, lang, DOMAIN) for key in rows], name=label("measure", lang, DOMAIN))
        return pd.DataFrame(table, index=index).reset_index()

    def cost_percentiles(self, lang: str | None = None) -> pd.DataFrame:
        """P10 / P50 / P90 of total cost per plan under the draws (long: plan, percentile, cost_yuan); labelled with ``lang``."""
        self._check_fitted()
        out = self.summary_.melt(id_vars="plan", value_vars=["cost_p10_yuan", "cost_p50_yuan", "cost_p90_yuan"],
                                 var_name="percentile", value_name="cost_yuan").assign(
            percentile=lambda f: f["percentile"].str.extract(r"p(\d+)")[0].astype(int))
        if lang is None:
            return out
        return label_columns(out.assign(plan=out["plan"].map(self._plan_names(lang))), lang, DOMAIN)

    def _plan_names(self, lang: str) -> dict[str, str]:
        return dict(zip(self.summary_["plan"], self.summary_[f"label_{check_lang(lang)}"]))

    def payouts_by_person(self, lang: str = "zh") -> pd.DataFrame:
        """Total pay per person (rows) and plan (columns, by the plans' names), yuan."""
        self._check_fitted()
        return payouts_wide(self.payouts_, self._plan_names(lang), lang)

    def payout_detail(self, lang: str = "zh") -> pd.DataFrame:
        """``payouts_`` labelled: one row per plan × person, exact fen."""
        self._check_fitted()
        return payouts_table(self.payouts_, self._plan_names(lang), lang)

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        """Sheet name -> labelled frame: plan comparison, payouts by person, payout detail, cost percentiles."""
        self._check_fitted()
        check_lang(lang)
        return {
            text("sheet_plan_comparison", lang): self.comparison(lang),
            text("sheet_payouts_by_person", lang): self.payouts_by_person(lang),
            text("sheet_payout_detail", lang): self.payout_detail(lang),
            text("sheet_cost_percentiles", lang): self.cost_percentiles(lang),
        }


def _shown(cell: str) -> str:
    """A formatted figure of the comparison; a missing one (no gross profit given) reads as a dash."""
    return "—" if cell.strip() in ("nan", "nan%", "nan / nan") else cell


def payouts_wide(payouts: pd.DataFrame, plan_names: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """Total pay per person and plan from ``PlanSimulator.payouts_`` (columns: the plans' names)."""
    wide = payouts.pivot_table(index=[SALESPERSON, BRANCH], columns="plan", values="total_yuan", aggfunc="sum", sort=False).reset_index()
    wide.columns.name = None
    return label_columns(wide, lang, DOMAIN, keep={p: plan_names.get(p, p) for p in payouts["plan"].unique()})


def payouts_table(payouts: pd.DataFrame, plan_names: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """``PlanSimulator.payouts_`` with the plans' names and labelled headers."""
    out = payouts.assign(plan=payouts["plan"].map(lambda p: plan_names.get(p, p))).rename(columns={"basis": "basis_amount"})
    return label_columns(out, lang, DOMAIN)
