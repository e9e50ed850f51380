"""资产客户 vs 负债客户: which customers are worth the team's time (the handbook's 开拓力).

The handbook divides customers in two: 资产客户 have lifetime value and influence (终身价值、
影响力中心); 负债客户 are those whose opportunity cost is large — "在负债客户身上花了1个月时间,
赚了10万,但如果同样1个月时间花在资产客户身上,我们可以赚30万,那么,我们其实损失了20万".

For the period ``start`` … ``as_of`` (default: 1 January of the as-of year to the last deal or activity record),
per customer:

* **gross profit** of its deals (a shared deal credited to each salesperson by share, exact
  in fen), **hours** spent on it (activity records; a record without hours counts the
  documented default of its activity type, :data:`DEFAULT_HOURS`), gross profit per hour;
* **payment**: revenue-weighted days from deal to cash (deals collected by ``as_of``), the
  revenue still open at ``as_of`` and the oldest open deal's age;
* **lifetime value**: expected gross profit over the next ``horizon_months`` from a BG/NBD +
  Gamma-Gamma model of all deals up to ``as_of`` (:mod:`salesanalytics.methods.clv`), with
  its ``level`` % range;
* **influence**: customers it referred (``referred_by`` in the customer list) who bought in
  the period; ``referral_credit`` of their gross profit (and of their lifetime value) is
  counted into the referrer's value.

**Classes** (rules in :class:`Rules`, every threshold configurable):

1. *资产 asset* — total value (period gross profit + referral credit + lifetime value) in the
   top ``asset_top_share`` of customers and at least ``asset_min_value``; or at least
   ``asset_min_referrals`` referred customers who bought.  Time does not enter, so the
   asset set is fixed before any rate is computed (no circularity).
2. The **asset rate** of a salesperson is their gross profit per hour on their asset
   customers; with fewer than ``min_rate_hours`` asset hours the branch's asset rate is used,
   then the company's.
3. **Opportunity cost exactly as the handbook computes it**: hours x the asset rate of the
   salesperson who spent them − the gross profit earned (summed over the salespeople serving
   the customer).  The handbook's month: 300,000 − 100,000 = 200,000 lost.
4. *负债 liability* — not an asset, at least ``liability_min_hours`` hours, and the
   opportunity cost net of the referral credit is at least ``liability_oc_share`` of what the
   hours would have earned with asset customers.
5. *观察 watch* — everyone else.  Every class comes with the figures that decided it.

**Advice**: per salesperson, the hours a month spent on liabilities (what moving them to asset
customers frees), the gross profit those hours would bring at the asset rate, what is given up
and the net gain; branch and company totals; per liability customer one action — *re-price*
(margin well below the branch's), *cheaper channel* (no purchase, or small orders) or
*hand over* (to the branch colleague whose time costs least).  The net gain assumes asset customers
absorb the freed hours at their rate: an upper bound, as the handbook's arithmetic is.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import NotFittedError, ParameterError, reject_unknown_keys
from . import _customer_tables as T
from ._customer_tables import display as display_table
from ._customer_tables import top_assets
from ._customer_data import DEFAULT_HOURS, CustomerWarning, check_hours_table, prepare_activities, prepare_customers, prepare_deals
from .clv import DAYS_PER_MONTH, LifetimeValue, LifetimeValueWarning

__all__ = ["Rules", "CustomerValue", "opportunity_cost", "DEFAULT_HOURS", "CustomerWarning", "UNASSIGNED", "CLASSES", "ACTIONS",
           "display_table", "top_assets"]

#: The customer code of deals and time without a customer id (shown as 未指定客户 / unassigned).
UNASSIGNED = "unassigned"
CLASSES = ("asset", "watch", "liability")
ACTIONS = ("reprice", "cheaper_channel", "hand_over")


def opportunity_cost(hours, asset_rate, gross_profit):
    """The handbook's opportunity cost: what the hours would have earned with asset customers minus what they earned."""
    return np.asarray(hours, float) * np.asarray(asset_rate, float) - np.asarray(gross_profit, float)


@dataclass(frozen=True)
class Rules:
    """The classification and advice thresholds (docs/data-format.md, 客户价值)."""

    asset_top_share: float = 0.2  # 资产: total value in the top 20 % of customers ...
    asset_min_value: float = 0.0  # ... and at least this much (yuan)
    asset_min_referrals: int = 2  # or at least this many referred customers who bought (0: referrals alone never make an asset)
    liability_oc_share: float = 0.65  # 负债: net opportunity cost >= 65 % of what the hours would earn with asset customers
    liability_min_hours: float = 8.0  # ... and at least a day's work in the period
    referral_credit: float = 0.5  # share of a referred customer's gross profit (and lifetime value) counted for the referrer
    min_rate_hours: float = 40.0  # asset hours a salesperson needs for their own asset rate (else the branch's, then the company's)
    reprice_margin_gap: float = 0.015  # re-price a liability whose margin is this far below its branch's
    small_order_share: float = 1.0  # cheaper channel: the average deal's gross profit below this share of the branch's median deal

    @classmethod
    def from_mapping(cls, mapping: Mapping | None) -> "Rules":
        mapping = dict(mapping or {})
        reject_unknown_keys(mapping, [f.name for f in dataclasses.fields(cls)], where="customer rules", error=ParameterError)
        return cls(**mapping).checked()

    def checked(self) -> "Rules":
        for name in ("asset_top_share", "liability_oc_share", "referral_credit"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0 <= v <= 1):
                raise ParameterError(f"customer rules: {name} must be a fraction between 0 and 1, not {v!r}.")
        for name in ("asset_min_value", "liability_min_hours", "min_rate_hours", "reprice_margin_gap", "small_order_share"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v >= 0):
                raise ParameterError(f"customer rules: {name} must be a number >= 0, not {v!r}.")
        if not (isinstance(self.asset_min_referrals, (int, np.integer)) and self.asset_min_referrals >= 0):
            raise ParameterError(f"customer rules: asset_min_referrals must be a whole number >= 0, not {self.asset_min_referrals!r}.")
        return self

    def replace(self, **changes) -> "Rules":
        reject_unknown_keys(changes, [f.name for f in dataclasses.fields(self)], where="customer rules", error=ParameterError)
        return dataclasses.replace(self, **changes).checked()


# ----------------------------------------------------------------------------
# the data of a period, aggregated once (classification is recomputed from it)
# ----------------------------------------------------------------------------
@dataclass
class Base:
    as_of: pd.Timestamp
    start: pd.Timestamp
    months: float
    cust: pd.DataFrame  # per customer (code order): descriptive columns, ``b`` (branch code) and the period's figures
    pairs: pd.DataFrame  # per salesperson x customer: p, c (-1 = none), b (branch code), gp_fen, revenue_fen, hours, visit_hours
    people: pd.DataFrame  # per salesperson code: salesperson, branch, b
    branches: pd.Index  # branch names by code
    branch_margin: np.ndarray  # per branch code: gross margin of the period
    branch_deal_gp: np.ndarray  # per branch code: median gross profit of a deal in the period
    unassigned: dict  # deal lines, gross profit and hours without a customer
    notes: list  # (code, fields) of what was noticed in the data
    lifetime: LifetimeValue | None


def _period(deals, acts, as_of, start):
    """as_of: given, else the last day with a deal or an activity record; start: given, else 1 January of as_of's year."""
    days = [deals.date.max()] if len(deals.date) else []
    if acts is not None and len(acts.start):
        days.append(acts.start.max())
    last = pd.Timestamp(max(days)) if days else None
    try:
        as_of = pd.Timestamp(as_of).normalize() if as_of is not None else last
        start = pd.Timestamp(start).normalize() if start is not None else (pd.Timestamp(as_of.year, 1, 1) if as_of is not None else None)
    except (TypeError, ValueError):
        raise ParameterError(f"as_of / start must be dates (YYYY-MM-DD), not {as_of!r} / {start!r}.") from None
    if as_of is None:
        raise ParameterError("the deals are empty: no period to analyse. Give deals with dates, or an as_of date.")
    if start > as_of:
        raise ParameterError(f"start {start:%Y-%m-%d} is after as_of {as_of:%Y-%m-%d}.")
    return as_of, start


def _mode_codes(keys: np.ndarray, vals: np.ndarray, weights: np.ndarray, n: int, V: int) -> np.ndarray:
    """For each key 0..n-1 the value code with the largest total weight (-1 where the key has none)."""
    out = np.full(n, -1, dtype=np.int64)
    ok = (keys >= 0) & (vals >= 0) & (weights > 0)
    if not ok.any():
        return out
    V = max(V, 1)
    comb = keys[ok].astype(np.int64) * V + vals[ok]
    if n * V <= 20_000_000:  # one dense count (at most 160 MB, briefly)
        sums = np.bincount(comb, weights=weights[ok], minlength=n * V)
        uniq = np.flatnonzero(sums > 0)
        sums = sums[uniq]
    else:
        inv, uniq = pd.factorize(comb)
        sums = np.bincount(inv, weights=weights[ok])
    k, v = uniq // V, uniq % V
    order = np.lexsort((-sums, k))
    first = order[np.r_[True, k[order][1:] != k[order][:-1]]]
    out[k[first]] = v[first]
    return out


def _top_of_pairs(keys: np.ndarray, vals: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Like :func:`_mode_codes` when each (key, value) appears once (pairs): the value of largest weight per key."""
    out = np.full(n, -1, dtype=np.int64)
    ok = weights > 0
    keys, vals, weights = keys[ok], vals[ok], weights[ok]
    if not len(keys):
        return out
    order = np.lexsort((vals, -weights, keys))
    first = order[np.r_[True, keys[order][1:] != keys[order][:-1]]]
    out[keys[first]] = vals[first]
    return out


def _union(*arrays) -> pd.Index:
    parts = [np.asarray(a, dtype=object) for a in arrays if a is not None and len(a)]
    return pd.Index(pd.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=object), dtype=object)


def build_base(deals, activities, customers, *, as_of, start, hours_table, lifetime: LifetimeValue | None, notes: list) -> Base:
    """Check, code and aggregate the inputs of one period (the expensive part, done once per fit); everything on integer codes."""
    d = prepare_deals(deals)
    m = prepare_customers(customers) if customers is not None else None
    a = prepare_activities(activities, hours_table) if activities is not None else None
    as_of, start = _period(d, a, as_of, start)
    hist = d.date <= np.datetime64(as_of)
    inp = hist & (d.date >= np.datetime64(start))
    later = int((~hist).sum())
    if later:
        notes.append(("note_after_as_of", {"n": later}))
    a_in = (a.end >= np.datetime64(start)) & (a.start <= np.datetime64(as_of)) if a is not None else None
    # -- code spaces: customers (the list, then the deals, then the activities), salespeople, branches
    ids = _union(m.frame[S.CUSTOMER_ID].to_numpy(object) if m is not None else None, d.customer.used(hist),
                 a.customer.used(a_in) if a is not None else None)
    C = len(ids)
    dc = d.customer.recode(ids)
    ac = a.customer.recode(ids) if a is not None else np.zeros(0, dtype=np.int64)
    if m is not None:
        listed = ids.isin(m.frame[S.CUSTOMER_ID])
        for what, codes, mask, src in (("deals", dc, hist, d.source), ("activities", ac, a_in, a.source if a is not None else "")):
            if mask is None:
                continue
            used = np.flatnonzero(np.bincount(codes[mask & (codes >= 0)], minlength=C) > 0)
            unknown = used[~listed[used]]
            if unknown.size:
                shown = ", ".join(map(str, ids[unknown[:5]]))
                warnings.warn(f"{src}: {unknown.size} customer(s) in the {what} are not in the customer list {m.source} "
                              f"({shown}{' …' if unknown.size > 5 else ''}); they are kept.", CustomerWarning, stacklevel=4)
                notes.append((f"note_unknown_{what}", {"n": int(unknown.size), "ids": shown}))
    people = _union(d.person.used(inp), a.person.used(a_in) if a is not None else None)
    P = len(people)
    dp = d.person.recode(people)
    ap = a.person.recode(people) if a is not None else np.zeros(0, dtype=np.int64)
    listed_branch = m.frame[S.BRANCH].dropna().to_numpy(object) if m is not None and S.BRANCH in m.frame else None
    branches = _union(d.branch.uniques, a.branch.uniques if a is not None else None, listed_branch)
    B = len(branches)
    db = d.branch.recode(branches)
    ab = a.branch.recode(branches) if a is not None else np.zeros(0, dtype=np.int64)
    p_b = _mode_codes(dp[inp], db[inp], np.ones(int(inp.sum())), P, B)
    if a is not None and (p_b < 0).any():
        p_b = np.where(p_b < 0, _mode_codes(ap[a_in], ab[a_in], np.ones(int(a_in.sum())), P, B), p_b)
    # -- per customer: the list's description, the branch (the list's, else the deals', else the activities')
    cust = pd.DataFrame({S.CUSTOMER_ID: np.asarray(ids, dtype=object)})
    info = m.frame.set_index(S.CUSTOMER_ID) if m is not None else pd.DataFrame()
    for col in (S.CUSTOMER_NAME, S.INDUSTRY, S.CUSTOMER_CITY, S.SALESPERSON, S.BRANCH):
        cust[col] = info[col].reindex(ids).to_numpy(object) if col in info.columns else None
    c_b = branches.get_indexer(pd.Index(cust[S.BRANCH].to_numpy(object)))
    c_b = np.where(c_b < 0, _mode_codes(dc[hist], db[hist], np.abs(d.gp_fen[hist]).astype(float) + 1, C, B), c_b)
    if a is not None:
        c_b = np.where(c_b < 0, _mode_codes(ac[a_in], ab[a_in], a.hours[a_in] + 1e-9, C, B), c_b)
    # -- pairs salesperson x customer (both shifted by one: -1 = none)
    span = C + 1
    keys = [(dp[inp] + 1) * span + dc[inp] + 1] + ([(ap[a_in] + 1) * span + ac[a_in] + 1] if a is not None else [])
    inverse, pair_keys = pd.factorize(np.concatenate(keys))
    K, nd = len(pair_keys), int(inp.sum())
    inv_d, inv_a = inverse[:nd], inverse[nd:]
    pairs = pd.DataFrame({"p": pair_keys // span - 1, "c": pair_keys % span - 1})
    pairs["gp_fen"] = np.bincount(inv_d, weights=d.gp_fen[inp], minlength=K).round().astype(np.int64)
    pairs["revenue_fen"] = np.bincount(inv_d, weights=d.revenue_fen[inp], minlength=K).round().astype(np.int64)
    pairs["hours"] = np.bincount(inv_a, weights=a.hours[a_in], minlength=K) if a is not None else 0.0
    pairs["visit_hours"] = np.bincount(inv_a, weights=a.visit_hours[a_in], minlength=K) if a is not None else 0.0
    pp, pc = pairs["p"].to_numpy(), pairs["c"].to_numpy()
    pairs["b"] = np.where(pp >= 0, np.append(p_b, -1)[pp], np.append(c_b, -1)[pc])
    has_c = pc >= 0
    for col in ("gp_fen", "revenue_fen", "hours", "visit_hours"):
        cust[col] = np.bincount(pc[has_c], weights=pairs[col].to_numpy(float)[has_c], minlength=C)
    cust["gp_fen"] = cust["gp_fen"].round().astype(np.int64)
    cust["revenue_fen"] = cust["revenue_fen"].round().astype(np.int64)
    cust["deals"] = np.bincount(dc[inp & d.first_line & (dc >= 0)], minlength=C)
    both = (pp >= 0) & has_c
    main = _top_of_pairs(pc[both], pp[both], pairs["hours"].to_numpy(float)[both], C)
    main = np.where(main < 0, _top_of_pairs(pc[both], pp[both], pairs["gp_fen"].to_numpy(float)[both], C), main)
    main_name = np.append(np.asarray(people, dtype=object), None)[main]
    cust[S.SALESPERSON] = np.where(pd.isna(cust[S.SALESPERSON].to_numpy(object)), main_name, cust[S.SALESPERSON].to_numpy(object))
    cust["b"] = c_b
    cust[S.BRANCH] = np.append(np.asarray(branches, dtype=object), None)[c_b]
    _collection(cust, d, dc, inp & d.first_line, as_of)
    _referrals(cust, ids, m)
    unassigned = _unassigned(d, dc, inp, a, ac, a_in, notes)
    if a is None:
        notes.append(("note_no_activities", {}))
    elif a.defaulted:
        notes.append(("note_default_hours", {"n": a.defaulted}))
    gp_b = np.bincount(db[inp], weights=d.gp_fen[inp], minlength=B)
    rev_b = np.bincount(db[inp], weights=d.revenue_fen[inp], minlength=B)
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(rev_b != 0, gp_b / np.where(rev_b != 0, rev_b, 1), np.nan)
    firsts = inp & d.first_line
    median = pd.Series(d.deal_gp_fen[firsts] / 100).groupby(db[firsts]).median().reindex(np.arange(B)).to_numpy(float)
    if lifetime is not None:
        lifetime = _fit_lifetime(lifetime, cust, C, d, dc, hist, as_of, notes)
    people_frame = pd.DataFrame({S.SALESPERSON: np.asarray(people, dtype=object), "b": p_b,
                                 S.BRANCH: np.append(np.asarray(branches, dtype=object), None)[p_b]})
    months = ((as_of - start).days + 1) / DAYS_PER_MONTH
    return Base(as_of, start, months, cust, pairs, people_frame, branches, margin, median, unassigned, notes, lifetime)


def _unassigned(d, dc, inp, a, ac, a_in, notes) -> dict:
    """Deal lines and time without a customer: counted in every total, and said so."""
    lines = inp & (dc < 0)
    out = {"lines": int(lines.sum()), "gp_fen": int(d.gp_fen[lines].sum()), "revenue_fen": int(d.revenue_fen[lines].sum()),
           "hours": float(a.hours[a_in & (ac < 0)].sum()) if a is not None else 0.0,
           "records": int((a_in & (ac < 0)).sum()) if a is not None else 0}
    if out["lines"]:
        share = out["gp_fen"] / max(int(d.gp_fen[inp].sum()), 1)
        warnings.warn(f"{d.source}: {out['lines']} deal line(s) have no customer id ({share:.1%} of the gross profit); "
                      "they are counted as 'unassigned' in the totals.", CustomerWarning, stacklevel=5)
        notes.append(("note_unassigned_deals", {"n": out["lines"], "share": share * 100}))
    if out["records"]:
        warnings.warn(f"{a.source}: {out['records']} activity record(s) have no customer id ({out['hours']:,.1f} hours); "
                      "they are counted as 'unassigned' in the totals.", CustomerWarning, stacklevel=5)
        notes.append(("note_unassigned_time", {"n": out["records"], "hours": out["hours"]}))
    return out


def _collection(cust: pd.DataFrame, d, dc, deals_in: np.ndarray, as_of: pd.Timestamp) -> None:
    """Days from deal to cash (revenue-weighted, deals collected by as_of), revenue still open, age of the oldest open deal."""
    C = len(cust)
    if d.collected is None:
        for col in ("collection_days", "open_revenue_fen", "oldest_open_days"):
            cust[col] = np.nan
        return
    sel = deals_in & (dc >= 0)
    c, day, paid, rev = dc[sel], d.date[sel], d.collected[sel], d.deal_revenue_fen[sel].astype(float)
    end = np.datetime64(as_of)
    done = ~np.isnat(paid) & (paid <= end)
    days = (paid - day) / np.timedelta64(1, "D")
    w = np.bincount(c[done], weights=rev[done], minlength=C)
    with np.errstate(invalid="ignore", divide="ignore"):
        cust["collection_days"] = np.where(w > 0, np.bincount(c[done], weights=(days * rev)[done], minlength=C) / np.where(w > 0, w, 1), np.nan)
    cust["open_revenue_fen"] = np.bincount(c[~done], weights=rev[~done], minlength=C).round()
    age = pd.Series((end - day[~done]) / np.timedelta64(1, "D")).groupby(c[~done]).max()
    cust["oldest_open_days"] = age.reindex(np.arange(C)).to_numpy(float)


def _referrals(cust: pd.DataFrame, ids: pd.Index, m) -> None:
    """Referred customers who bought in the period and their gross profit, per referrer (direct referrals only)."""
    C = len(ids)
    cust["referrals"] = 0
    cust["referral_gp_fen"] = 0
    cust["referrer_code"] = -1
    cust[S.REFERRED_BY] = None
    if m is None or m.referred_by.empty:
        return
    child = ids.get_indexer(m.referred_by.index)
    parent = ids.get_indexer(pd.Index(m.referred_by.to_numpy(object)))
    ok = (child >= 0) & (parent >= 0)
    child, parent = child[ok], parent[ok]
    code = np.full(C, -1, dtype=np.int64)
    code[child] = parent
    cust["referrer_code"] = code
    cust[S.REFERRED_BY] = np.append(np.asarray(ids, dtype=object), None)[code]
    bought = cust["deals"].to_numpy()[child] > 0
    cust["referrals"] = np.bincount(parent[bought], minlength=C)
    cust["referral_gp_fen"] = np.bincount(parent, weights=cust["gp_fen"].to_numpy(float)[child], minlength=C).round().astype(np.int64)


def _fit_lifetime(lifetime: LifetimeValue, cust, C, d, dc, hist, as_of, notes):
    """The lifetime-value model on every deal up to as_of (one value per deal: its full gross profit)."""
    sel = hist & d.first_line & (dc >= 0)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", LifetimeValueWarning)
            lifetime.fit(dc[sel], d.date[sel], d.deal_gp_fen[sel] / 100.0, as_of)
        for w in caught:
            warnings.warn(str(w.message), w.category, stacklevel=5)
            notes.append(("note_clv_weak", {}))
    except ParameterError as exc:
        warnings.warn(f"no lifetime value: {exc}", CustomerWarning, stacklevel=5)
        notes.append(("note_clv_none", {}))
        return None
    values = lifetime.predict()
    for col in ("clv", "clv_lo", "clv_hi", "p_alive", "expected_purchases"):
        cust[col] = values[col].reindex(np.arange(C)).to_numpy(float)
    return lifetime


# ----------------------------------------------------------------------------
# classes, opportunity cost and advice (cheap: recomputed when a threshold moves)
# ----------------------------------------------------------------------------
def _rates(base: Base, asset: np.ndarray, rules: Rules):
    """Asset rate (yuan per hour) per salesperson with its basis, per branch code, and the company's."""
    pairs = base.pairs
    p, c, b = pairs["p"].to_numpy(), pairs["c"].to_numpy(), pairs["b"].to_numpy()
    hours, gp = pairs["hours"].to_numpy(float), pairs["gp_fen"].to_numpy(float) / 100
    on_asset = (c >= 0) & np.append(asset, False)[c]
    enough = float(rules.min_rate_hours)
    total_h = hours[on_asset].sum()
    company = gp[on_asset].sum() / total_h if total_h > 0 else (gp.sum() / hours.sum() if hours.sum() > 0 else 0.0)
    company = max(float(company), 0.0)
    B = len(base.branches)
    sel = on_asset & (b >= 0)
    b_h = np.bincount(b[sel], weights=hours[sel], minlength=B)
    b_g = np.bincount(b[sel], weights=gp[sel], minlength=B)
    with np.errstate(invalid="ignore", divide="ignore"):
        branch_rate = np.where((b_h >= enough) & (b_h > 0), np.maximum(b_g / np.where(b_h > 0, b_h, 1), 0), np.nan)
    P = len(base.people)
    sel = on_asset & (p >= 0)
    p_h = np.bincount(p[sel], weights=hours[sel], minlength=P)
    p_g = np.bincount(p[sel], weights=gp[sel], minlength=P)
    own_b = np.append(branch_rate, np.nan)[base.people["b"].to_numpy()] if P else np.zeros(0)
    own = (p_h >= enough) & (p_h > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_rate = np.where(own, np.maximum(p_g / np.where(p_h > 0, p_h, 1), 0), np.where(np.isnan(own_b), company, own_b))
    basis = np.where(own, "salesperson", np.where(np.isnan(own_b), "company", "branch")).astype(object)
    return p_rate, basis, branch_rate, company


def classify(base: Base, rules: Rules) -> dict:
    """Classes, opportunity cost, advice and the time map of a period under ``rules`` (tidy frames, codes not words)."""
    cust, pairs = base.cust.copy(), base.pairs
    C = len(cust)
    credit = float(rules.referral_credit)
    gp_fen = cust["gp_fen"].to_numpy(np.int64)
    gp = gp_fen / 100
    ref_fen = np.round(credit * cust["referral_gp_fen"].to_numpy(float))
    clv = np.nan_to_num(cust["clv"].to_numpy(float)) if "clv" in cust else np.zeros(C)
    parent = cust["referrer_code"].to_numpy()
    ref_clv = np.bincount(parent[parent >= 0], weights=clv[parent >= 0], minlength=C)
    value = gp + ref_fen / 100
    lifetime = clv + credit * ref_clv
    total = value + lifetime
    positive = total > 0
    threshold = np.inf
    if rules.asset_top_share > 0 and positive.any():
        threshold = max(float(np.quantile(total[positive], 1 - float(rules.asset_top_share))), float(rules.asset_min_value))
    by_value = positive & (total >= threshold)
    by_ref = (cust["referrals"].to_numpy() >= rules.asset_min_referrals) if rules.asset_min_referrals > 0 else np.zeros(C, bool)
    asset = by_value | by_ref
    p_rate, basis, branch_rate, company_rate = _rates(base, asset, rules)

    p, c, b = pairs["p"].to_numpy(), pairs["c"].to_numpy(), pairs["b"].to_numpy()
    pair_branch_rate = np.append(branch_rate, np.nan)[b]
    rate = np.where(p >= 0, np.append(p_rate, 0.0)[p], np.where(np.isnan(pair_branch_rate), company_rate, pair_branch_rate))
    hours_pair = pairs["hours"].to_numpy(float)
    potential_pair = np.round(hours_pair * rate * 100).astype(np.int64)
    has_c = c >= 0
    potential = np.bincount(c[has_c], weights=potential_pair[has_c], minlength=C).round().astype(np.int64)
    oc_fen = potential - gp_fen
    net_fen = oc_fen - ref_fen.astype(np.int64)
    hours = cust["hours"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        oc_share = np.where(potential > 0, net_fen / np.where(potential > 0, potential, 1), np.nan)
        asset_rate = np.where(hours > 0, potential / 100 / np.where(hours > 0, hours, 1), np.nan)
    liability = ~asset & (hours >= rules.liability_min_hours) & (potential > 0) & (net_fen > 0) & (oc_share >= rules.liability_oc_share)
    klass = np.where(asset, "asset", np.where(liability, "liability", "watch")).astype(object)
    reason = np.select(
        [by_value & by_ref, by_value, by_ref, liability, hours <= 0, hours < rules.liability_min_hours],
        ["asset_value_referrals", "asset_value", "asset_referrals", "liability_oc", "watch_no_time", "watch_little_time"],
        default="watch_earns").astype(object)
    revenue = cust["revenue_fen"].to_numpy(float) / 100
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(revenue != 0, gp / np.where(revenue != 0, revenue, 1), np.nan)
        visit_share = np.where(hours > 0, cust["visit_hours"].to_numpy(float) / np.where(hours > 0, hours, 1), np.nan)
        per_hour = np.where(hours > 0, gp / np.where(hours > 0, hours, 1), np.nan)
    out = cust.assign(
        customer_class=klass, reason_code=reason, revenue=revenue, gross_profit=gp, margin=margin, visit_share=visit_share,
        gp_per_hour=per_hour, asset_rate=asset_rate, potential_gp=potential / 100, opportunity_cost=oc_fen / 100,
        referral_value=ref_fen / 100, net_opportunity_cost=net_fen / 100, oc_share=oc_share, value=value,
        lifetime_value=lifetime, total_value=total, value_threshold=threshold if np.isfinite(threshold) else np.nan,
    )
    out = _actions(out, base, rules, p_rate, basis)
    out = out.assign(margin_pct=out["margin"] * 100, visit_share_pct=out["visit_share"] * 100, oc_share_pct=out["oc_share"] * 100,
                     branch_margin_pct=out["branch_margin"] * 100)
    if "p_alive" in out:
        out["p_alive_pct"] = out["p_alive"] * 100
    frames = _advice(out, base, klass, p_rate, basis, branch_rate, company_rate, potential_pair)
    frames["customers"] = _customer_frame(out, base)
    frames["rates"] = {"company": company_rate, "threshold": threshold}
    return frames


def _actions(out: pd.DataFrame, base: Base, rules: Rules, p_rate, basis) -> pd.DataFrame:
    """One action per liability: re-price, a cheaper channel or hand over (to the colleague whose time costs least)."""
    liab = (out["customer_class"] == "liability").to_numpy()
    cb = out["b"].to_numpy()
    bm = np.append(base.branch_margin, np.nan)[cb]
    median = np.append(base.branch_deal_gp, np.nan)[cb]
    deals = out["deals"].to_numpy()
    no_buy = (deals == 0) | (out["gross_profit"].to_numpy() <= 0)
    low_margin = np.nan_to_num(out["margin"].to_numpy(float), nan=np.inf) < bm - rules.reprice_margin_gap
    with np.errstate(invalid="ignore", divide="ignore"):
        per_deal = np.where(deals > 0, out["gross_profit"].to_numpy(float) / np.maximum(deals, 1), np.nan)
    small = np.nan_to_num(per_deal, nan=np.inf) < rules.small_order_share * median
    action = np.select([no_buy, low_margin, small], ["cheaper_channel", "reprice", "cheaper_channel"], default="hand_over")
    why = np.select([no_buy, low_margin, small], ["no_purchase", "low_margin", "small_orders"], default="time_heavy")
    out["branch_margin"] = bm
    out["gp_per_deal"] = per_deal
    out["branch_median_deal_gp"] = median
    out["action"] = np.where(liab, action, None)
    out["action_reason"] = np.where(liab, why, None)
    # the two colleagues of each branch whose own asset rate is lowest: the first unless it is the customer's own salesperson
    ppl = base.people.assign(rate=p_rate, basis=basis)
    ppl = ppl[(ppl["basis"] == "salesperson") & (ppl["b"] >= 0)].sort_values(["rate", S.SALESPERSON], kind="stable")
    B = len(base.branches)
    first, second = np.full(B + 1, None, dtype=object), np.full(B + 1, None, dtype=object)
    for code, group in ppl.groupby("b", sort=False):
        names = group[S.SALESPERSON].tolist()
        first[code] = names[0]
        second[code] = names[1] if len(names) > 1 else None
    own = out[S.SALESPERSON].to_numpy(object)
    to = np.where(first[cb] == own, second[cb], first[cb])
    out["hand_over_to"] = np.where(liab & (action == "hand_over"), to, None)
    return out


def _advice(out: pd.DataFrame, base: Base, klass, p_rate, basis, branch_rate, company_rate, potential_pair) -> dict:
    """Per salesperson, branch and company: hours and gross profit by class, what moving the liability hours would bring."""
    pairs = base.pairs
    p, c, b = pairs["p"].to_numpy(), pairs["c"].to_numpy(), pairs["b"].to_numpy()
    kinds = ("asset", "watch", "liability", "unassigned")
    k_of = {"asset": 0, "watch": 1, "liability": 2}
    kcode = np.where(c >= 0, np.append(pd.Series(klass, dtype=object).map(k_of).to_numpy(np.int64), 3)[c], 3)
    hours, gp_fen = pairs["hours"].to_numpy(float), pairs["gp_fen"].to_numpy(float)
    liab = kcode == 2
    months = base.months

    def totals(group: np.ndarray, n: int) -> pd.DataFrame:
        ok = group >= 0
        key = group[ok] * 4 + kcode[ok]
        H = np.bincount(key, weights=hours[ok], minlength=n * 4).reshape(n, 4)
        G = np.bincount(key, weights=gp_fen[ok], minlength=n * 4).reshape(n, 4)
        lp = np.bincount(group[ok & liab], weights=potential_pair[ok & liab], minlength=n)
        distinct = pd.unique(group[ok & liab] * (len(out) + 1) + c[ok & liab])
        n_liab = np.bincount(distinct // (len(out) + 1), minlength=n) if len(distinct) else np.zeros(n, dtype=np.int64)
        frame = pd.DataFrame({f"{k}_hours": H[:, i] for i, k in enumerate(kinds)})
        lg = G[:, 2]
        return frame.assign(
            hours=H.sum(axis=1), gross_profit=G.sum(axis=1) / 100, asset_gp=G[:, 0] / 100, liability_gp=lg / 100,
            liability_customers=n_liab, opportunity_cost=(lp - lg) / 100, hours_freed_per_month=H[:, 2] / months,
            gp_at_asset_rate_per_month=lp / 100 / months, gp_given_up_per_month=lg / 100 / months,
            net_gain_per_month=(lp - lg) / 100 / months,
        )

    P, B = len(base.people), len(base.branches)
    person = pd.concat([base.people[[S.BRANCH, S.SALESPERSON]].reset_index(drop=True), totals(p, P)], axis=1)
    person["asset_rate"] = p_rate
    person["rate_basis"] = basis
    branch = pd.concat([pd.DataFrame({S.BRANCH: np.asarray(base.branches, dtype=object)}), totals(b, B)], axis=1)
    branch["asset_rate"] = np.where(np.isnan(branch_rate), company_rate, branch_rate)
    branch["people"] = np.bincount(base.people["b"].to_numpy()[base.people["b"].to_numpy() >= 0], minlength=B)
    branch = branch[(branch["hours"] > 0) | (branch["gross_profit"] != 0) | (branch["people"] > 0)].reset_index(drop=True)
    company = totals(np.zeros(len(p), dtype=np.int64), 1)
    company["asset_rate"] = company_rate
    company["people"] = P
    company["customers"] = int(len(out))
    for k in CLASSES:
        company[f"{k}_customers"] = int((out["customer_class"] == k).sum())
    time_map = branch[[S.BRANCH] + [f"{k}_hours" for k in kinds]].copy()
    total_h = time_map.iloc[:, 1:].sum(axis=1).replace(0, np.nan)
    for k in kinds:
        time_map[f"{k}_share_pct"] = time_map[f"{k}_hours"] / total_h * 100
    return {"salespeople": person, "branches": branch, "company": company, "time_map": time_map}


def _customer_frame(out: pd.DataFrame, base: Base) -> pd.DataFrame:
    """The per-customer table (yuan), largest total value first, the unassigned row last."""
    out = out.assign(collection_days=out["collection_days"], open_revenue=out["open_revenue_fen"] / 100)
    out = out.sort_values(["total_value", S.CUSTOMER_ID], ascending=[False, True], kind="stable").reset_index(drop=True)
    u = base.unassigned
    if u["lines"] or u["records"]:
        row = {S.CUSTOMER_ID: UNASSIGNED, "customer_class": "unassigned", "deals": u["lines"], "gross_profit": u["gp_fen"] / 100,
               "revenue": u["revenue_fen"] / 100, "hours": u["hours"], "value": u["gp_fen"] / 100, "total_value": u["gp_fen"] / 100}
        out = pd.concat([out, pd.DataFrame([row])], ignore_index=True)
    return out


# ----------------------------------------------------------------------------
# the estimator
# ----------------------------------------------------------------------------
def _resolve_rules(rules) -> Rules:
    if rules is None:
        return Rules()
    if isinstance(rules, Rules):
        return rules.checked()
    if isinstance(rules, Mapping):
        return Rules.from_mapping(rules)
    raise ParameterError(f"rules must be a Rules object or a mapping of thresholds, not {type(rules).__name__}.")


class CustomerValue:
    """资产客户 vs 负债客户 for a period: value, time, opportunity cost, classes with reasons, advice.

    Settings: ``rules`` (:class:`Rules` or a mapping of its thresholds), ``as_of`` / ``start``
    (the period; default the last deal or activity record and 1 January of its year), ``default_hours`` (hours
    per activity type where a record gives none; :data:`DEFAULT_HOURS` for the rest),
    ``lifetime`` (fit the lifetime-value model), ``horizon_months``, ``level``, ``n_draws`` and
    ``seed`` of the lifetime value's range.

    ``fit(deals, activities=None, customers=None)``: deals with ``customer_id`` (blank =
    unassigned), ``gross_profit`` and optionally ``salesperson``, ``deal_id`` + ``share``,
    ``collected_date``; time records with ``salesperson``, ``customer_id`` and ``hours`` or an
    ``activity`` type or counts (visits, calls, quotes); the customer list with ``referred_by``.
    Results (tidy frames, codes): :meth:`customers`, :meth:`salespeople`, :meth:`branches`,
    :meth:`company`, :meth:`actions`, :meth:`time_map`; :meth:`summary`; labelled:
    :meth:`tables`, :meth:`excel_sheets`.  :meth:`with_rules` re-classifies without refitting.
    """

    def __init__(self, rules: Rules | Mapping | None = None, *, as_of=None, start=None, default_hours: Mapping | None = None,
                 lifetime: bool = True, horizon_months: float = 12.0, level: float = 80.0, n_draws: int = 100, seed: int = 0):
        self.rules = rules
        self.as_of = as_of
        self.start = start
        self.default_hours = default_hours
        self.lifetime = lifetime
        self.horizon_months = horizon_months
        self.level = level
        self.n_draws = n_draws
        self.seed = seed

    def fit(self, deals: pd.DataFrame, activities: pd.DataFrame | None = None, customers: pd.DataFrame | None = None) -> "CustomerValue":
        rules = _resolve_rules(self.rules)
        hours = check_hours_table(self.default_hours)
        lifetime = LifetimeValue(self.horizon_months, level=self.level, n_draws=self.n_draws, seed=self.seed) if self.lifetime else None
        if lifetime is not None:
            lifetime._check()
        notes: list = []
        base = build_base(deals, activities, customers, as_of=self.as_of, start=self.start, hours_table=hours,
                          lifetime=lifetime, notes=notes)
        self.rules_ = rules
        self.default_hours_ = hours
        self.base_ = base
        self.as_of_, self.start_ = base.as_of, base.start
        self.lifetime_ = base.lifetime
        self.result_ = classify(base, rules)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "result_"):
            raise NotFittedError("call CustomerValue.fit(deals, activities, customers) first.")

    def with_rules(self, **changes) -> "CustomerValue":
        """A copy classified with some thresholds changed (the data and the lifetime value are not refitted)."""
        self._fitted()
        rules = self.rules_.replace(**changes)
        other = CustomerValue(rules, as_of=self.as_of, start=self.start, default_hours=self.default_hours, lifetime=self.lifetime,
                              horizon_months=self.horizon_months, level=self.level, n_draws=self.n_draws, seed=self.seed)
        other.rules_, other.default_hours_, other.base_ = rules, self.default_hours_, self.base_
        other.as_of_, other.start_, other.lifetime_ = self.as_of_, self.start_, self.lifetime_
        other.result_ = classify(self.base_, rules)
        return other

    # -- tidy results -------------------------------------------------------
    def customers(self) -> pd.DataFrame:
        """One row per customer (largest total value first), then the unassigned row: figures, class, reason, action."""
        self._fitted()
        return self.result_["customers"][[c for c in T.CUSTOMER_COLUMNS if c in self.result_["customers"].columns]].copy()

    def salespeople(self) -> pd.DataFrame:
        """Per salesperson: asset rate and its basis, hours and gross profit by class, what moving the liability hours brings a month."""
        self._fitted()
        return self.result_["salespeople"][T.ADVICE_COLUMNS_PERSON].copy()

    def branches(self) -> pd.DataFrame:
        self._fitted()
        return self.result_["branches"][T.ADVICE_COLUMNS_BRANCH].copy()

    def company(self) -> pd.DataFrame:
        self._fitted()
        return self.result_["company"][T.ADVICE_COLUMNS_COMPANY].copy()

    def actions(self) -> pd.DataFrame:
        """The liability customers with their action (re-price, cheaper channel, hand over), largest opportunity cost first."""
        self._fitted()
        c = self.result_["customers"]
        liab = c[c["customer_class"] == "liability"].sort_values("opportunity_cost", ascending=False, kind="stable")
        months = self.base_.months
        return liab.assign(hours_per_month=liab["hours"] / months, gp_per_month=liab["gross_profit"] / months)[T.ACTION_COLUMNS].reset_index(drop=True)

    def time_map(self) -> pd.DataFrame:
        """Per branch: hours on asset, watch, liability and unassigned customers, and their shares."""
        self._fitted()
        return self.result_["time_map"].copy()

    def summary(self) -> dict:
        self._fitted()
        return T.summary(self)

    # -- labelled -----------------------------------------------------------
    def tables(self, lang: str = "zh", names=None) -> dict[str, pd.DataFrame]:
        """Every table with labelled headers and values (customers with the reason of their class).

        ``names``: only those tables (a page that shows a few need not write a reason for every customer).
        """
        self._fitted()
        return T.tables(self, lang, names)

    def excel_sheets(self, lang: str = "zh") -> dict[str, pd.DataFrame]:
        self._fitted()
        return T.excel_sheets(self, lang)
