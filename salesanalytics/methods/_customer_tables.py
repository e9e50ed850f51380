"""Column orders, the summary and the labelled tables of :class:`salesanalytics.methods.customers.CustomerValue`.

Every class comes with the figures that decided it: :func:`reasons` writes them into one
sentence per customer (zh or en) from the reason code, the customer's figures and the rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.labels import check_lang, label_columns, text, value

DOMAIN = "customers"
CUSTOMER_COLUMNS = [
    S.CUSTOMER_ID, S.CUSTOMER_NAME, S.BRANCH, S.SALESPERSON, S.INDUSTRY, S.CUSTOMER_CITY, "customer_class", "reason_code",
    "deals", "revenue", "gross_profit", "margin_pct", "hours", "visit_share_pct", "gp_per_hour", "asset_rate", "potential_gp",
    "opportunity_cost", "referrals", "referral_value", "net_opportunity_cost", "oc_share_pct", "value", "clv", "clv_lo", "clv_hi",
    "p_alive_pct", "expected_purchases", "lifetime_value", "total_value", "value_threshold", "collection_days", "open_revenue",
    "oldest_open_days", S.REFERRED_BY, "action", "action_reason", "hand_over_to",
]
_PER_CLASS = ["hours", "asset_hours", "watch_hours", "liability_hours", "unassigned_hours", "gross_profit", "asset_gp", "liability_gp",
              "liability_customers", "opportunity_cost", "hours_freed_per_month", "gp_at_asset_rate_per_month", "gp_given_up_per_month",
              "net_gain_per_month"]
ADVICE_COLUMNS_PERSON = [S.BRANCH, S.SALESPERSON, "asset_rate", "rate_basis", *_PER_CLASS]
ADVICE_COLUMNS_BRANCH = [S.BRANCH, "people", "asset_rate", *_PER_CLASS]
ADVICE_COLUMNS_COMPANY = ["people", "customers", "asset_customers", "watch_customers", "asset_rate", *_PER_CLASS]
ACTION_COLUMNS = [S.BRANCH, S.SALESPERSON, S.CUSTOMER_ID, S.CUSTOMER_NAME, "action", "action_reason", "hours", "hours_per_month",
                  "gross_profit", "gp_per_month", "deals", "gp_per_deal", "branch_median_deal_gp", "margin_pct", "branch_margin_pct",
                  "visit_share_pct", "asset_rate", "opportunity_cost", "hand_over_to"]
ADVICE_COMPACT = [S.BRANCH, "people", "asset_rate", "hours", "liability_hours", "liability_customers", "hours_freed_per_month",
                  "gp_at_asset_rate_per_month", "net_gain_per_month"]
ACTIONS_COMPACT = [S.BRANCH, S.SALESPERSON, S.CUSTOMER_NAME, "action", "hours_per_month", "gp_per_month", "opportunity_cost", "hand_over_to"]
TIME_MAP_COLUMNS = [S.BRANCH, "asset_hours", "watch_hours", "liability_hours", "unassigned_hours",
                    "asset_share_pct", "watch_share_pct", "liability_share_pct", "unassigned_share_pct"]
_OPTIONAL = (S.CUSTOMER_NAME, S.INDUSTRY, S.CUSTOMER_CITY, S.REFERRED_BY, "hand_over_to", "collection_days", "open_revenue",
             "oldest_open_days", "clv", "clv_lo", "clv_hi", "p_alive_pct", "expected_purchases")
_VALUE_KINDS = {"customer_class": "customer_class", "action": "customer_action", "rate_basis": "rate_basis"}


def summary(model) -> dict:
    """The headline figures of a fitted model (yuan, hours, percent)."""
    base, res = model.base_, model.result_
    co = res["company"].iloc[0]
    hours = float(co["hours"])
    gp = float(co["gross_profit"])
    pct = (lambda part, whole: float(part) / whole * 100 if whole else float("nan"))
    out = {
        "as_of": f"{base.as_of:%Y-%m-%d}", "start": f"{base.start:%Y-%m-%d}", "months": round(base.months, 2),
        "customers": int(co["customers"]), "asset_customers": int(co["asset_customers"]), "watch_customers": int(co["watch_customers"]),
        "liability_customers": int((res["customers"]["customer_class"] == "liability").sum()),
        "hours": hours, "gross_profit": gp, "company_asset_rate": float(co["asset_rate"]),
        "asset_hours_pct": pct(co["asset_hours"], hours), "watch_hours_pct": pct(co["watch_hours"], hours),
        "liability_hours_pct": pct(co["liability_hours"], hours), "unassigned_hours_pct": pct(co["unassigned_hours"], hours),
        "asset_gp_pct": pct(co["asset_gp"], gp), "liability_gp_pct": pct(co["liability_gp"], gp),
        "opportunity_cost": float(co["opportunity_cost"]), "hours_freed_per_month": float(co["hours_freed_per_month"]),
        "gp_at_asset_rate_per_month": float(co["gp_at_asset_rate_per_month"]),
        "gp_given_up_per_month": float(co["gp_given_up_per_month"]), "net_gain_per_month": float(co["net_gain_per_month"]),
        "unassigned_lines": base.unassigned["lines"], "unassigned_gross_profit": base.unassigned["gp_fen"] / 100,
        "unassigned_hours": base.unassigned["hours"], "value_threshold": float(res["rates"]["threshold"]),
        "notes": [code for code, _ in base.notes],
    }
    if model.lifetime_ is not None:
        s = model.lifetime_.summary()
        out.update({"clv_total": s["clv_total"], "clv_customers": s["customers"], "clv_repeat_buyers": s["repeat_buyers"],
                    "clv_horizon_months": s["horizon_months"],
                    **{k: v for k, v in s.items() if k.startswith(("bgnbd_", "gamma_gamma_"))}})
    return out


def _fields(row, rules) -> dict:
    g = (lambda k: row[k] if pd.notna(row.get(k, np.nan)) else 0.0)
    return {
        "total": g("total_value"), "top": rules.asset_top_share * 100, "threshold": g("value_threshold"),
        "referrals": int(g("referrals")), "min": rules.asset_min_referrals, "hours": g("hours"), "rate": g("asset_rate"),
        "potential": g("potential_gp"), "earned": g("gross_profit") + g("referral_value"), "net": g("net_opportunity_cost"),
        "share": g("oc_share_pct"), "limit": rules.liability_oc_share * 100, "min_hours": rules.liability_min_hours,
        "pct": 100 - g("oc_share_pct"), "bar": 100 - rules.liability_oc_share * 100,
    }


def reasons(frame: pd.DataFrame, rules, lang: str = "zh") -> list[str]:
    """The sentence that says why each customer is in its class, with the deciding figures."""
    out = []
    for row in frame.to_dict("records"):
        code = row.get("reason_code")
        if code is None or code != code:
            out.append(text("reason_unassigned", lang) if row.get("customer_class") == "unassigned" else "")
            continue
        out.append(text(f"reason_{code}", lang, **_fields(row, rules)))
    return out


def action_reasons(frame: pd.DataFrame, lang: str = "zh") -> list[str]:
    out = []
    for row in frame.to_dict("records"):
        code = row.get("action_reason")
        if code is None or code != code:
            out.append("")
            continue
        to = row.get("hand_over_to")
        to_text = text("action_to", lang, name=to) if isinstance(to, str) and to else ""
        num = (lambda k: row[k] if pd.notna(row.get(k, np.nan)) else 0.0)
        out.append(text(f"action_{code}", lang, margin=num("margin_pct"), branch=num("branch_margin_pct"),
                        deal=num("gp_per_deal"), median=num("branch_median_deal_gp"), to=to_text))
    return out


def display(frame: pd.DataFrame, lang: str, rules=None) -> pd.DataFrame:
    """Codes to words (classes, actions, rate basis, the unassigned row), reasons written out, headers labelled."""
    out = frame.copy()
    for col in _OPTIONAL:  # descriptive columns the inputs did not have
        if col in out.columns and out[col].isna().all():
            out = out.drop(columns=[col])
    if "reason_code" in out.columns:
        out["reason_code"] = reasons(out, rules, lang)
    if "action_reason" in out.columns:
        out["action_reason"] = action_reasons(out, lang)
    if S.CUSTOMER_ID in out.columns:
        out[S.CUSTOMER_ID] = [value("customer_special", "unassigned", lang) if v == "unassigned" else v for v in out[S.CUSTOMER_ID]]
    for col, kind in _VALUE_KINDS.items():
        if col in out.columns:
            out[col] = [value(kind, v, lang) if isinstance(v, str) else v for v in out[col]]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].where(out[col].notna(), "")
    return label_columns(out, lang, DOMAIN)


def _with_total(frame: pd.DataFrame, company: pd.DataFrame, lang: str) -> pd.DataFrame:
    total = company.assign(**{S.BRANCH: text("total", lang)})
    return pd.concat([frame, total[[c for c in frame.columns if c in total.columns]]], ignore_index=True)


def tables(model, lang: str = "zh") -> dict[str, pd.DataFrame]:
    check_lang(lang)
    rules = model.rules_
    company = model.company()
    branches = _with_total(model.branches(), company, lang)
    time_map = model.time_map()
    co_time = company[["asset_hours", "watch_hours", "liability_hours", "unassigned_hours"]].copy()
    whole = co_time.sum(axis=1).replace(0, np.nan)
    for k in ("asset", "watch", "liability", "unassigned"):
        co_time[f"{k}_share_pct"] = co_time[f"{k}_hours"] / whole * 100
    time_map = _with_total(time_map[TIME_MAP_COLUMNS], co_time.assign(**{S.BRANCH: ""}), lang)
    out = {
        "customers": display(model.customers(), lang, rules),
        "salespeople": display(model.salespeople(), lang),
        "branches": display(branches, lang),
        "company": display(company, lang),
        "actions": display(model.actions(), lang),
        "time_map": display(time_map, lang),
        "rules": _rules_table(model, lang),
        "advice": display(branches[[c for c in ADVICE_COMPACT if c in branches.columns]], lang),
        "top_actions": display(model.actions()[ACTIONS_COMPACT], lang),
    }
    if model.lifetime_ is not None:
        out["lifetime"] = _lifetime_table(model, lang)
    return out


def top_assets(model, n: int = 20, lang: str = "zh") -> pd.DataFrame:
    """The ``n`` asset customers of largest total value, for the report page."""
    c = model.customers()
    cols = [S.CUSTOMER_ID, S.CUSTOMER_NAME, S.BRANCH, S.SALESPERSON, "gross_profit", "hours", "gp_per_hour", "referrals", "clv",
            "clv_lo", "clv_hi", "total_value", "reason_code"]
    return display(c[c["customer_class"] == "asset"].head(int(n))[[k for k in cols if k in c.columns]], lang, model.rules_)


def largest_costs(model, n: int = 20, lang: str = "zh") -> pd.DataFrame:
    """The ``n`` liability customers of largest opportunity cost, with their action."""
    a = model.actions().head(int(n))
    return display(a, lang)


def _rules_table(model, lang: str) -> pd.DataFrame:
    rules = model.rules_
    rows = [(text(f"rule_{k}", lang), getattr(rules, k)) for k in rules.__dataclass_fields__]
    rows += [(text("rule_default_hours", lang, activity=value("activity_type", k, lang)), v) for k, v in model.default_hours_.items()]
    rows += [(text("rule_value_threshold", lang), model.result_["rates"]["threshold"]),
             (text("rule_company_rate", lang), model.result_["rates"]["company"])]
    return pd.DataFrame(rows, columns=[text("rule_item", lang), text("rule_value", lang)])


def _lifetime_table(model, lang: str) -> pd.DataFrame:
    s = model.lifetime_.summary()
    keys = ["customers", "repeat_buyers", "horizon_months", "level", "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b",
            "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_v", "expected_purchases", "clv_total"]
    return pd.DataFrame([(text(f"clv_{k}", lang), s[k]) for k in keys], columns=[text("rule_item", lang), text("rule_value", lang)])


SHEETS = ("customers", "actions", "salespeople", "branches", "company", "time_map", "rules", "lifetime")


def excel_sheets(model, lang: str = "zh") -> dict[str, pd.DataFrame]:
    labelled = tables(model, lang)
    return {text(f"customers_sheet_{k}", lang): labelled[k] for k in SHEETS if k in labelled}
