"""Column orders, the summary and the labelled tables of :class:`salesanalytics.methods.customers.CustomerValue`.

Every class comes with the figures that decided it: :func:`reasons` writes them into one
sentence per customer (zh or en) from the reason code, the customer's figures and the rules.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.exceptions import ParameterError
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


def _numbers(frame: pd.DataFrame, *keys: str) -> dict[str, np.ndarray]:
    """Each column as floats with a missing value (or a missing column) read as 0."""
    n = len(frame)
    return {k: (pd.to_numeric(frame[k], errors="coerce").astype(float).fillna(0.0).to_numpy() if k in frame.columns else np.zeros(n))
            for k in keys}


def _codes(frame: pd.DataFrame, column: str) -> list:
    return [None if (c is None or c != c) else c for c in frame[column].astype(object).tolist()] if column in frame.columns else [None] * len(frame)


def reasons(frame: pd.DataFrame, rules, lang: str = "zh") -> list[str]:
    """The sentence that says why each customer is in its class, with the deciding figures.

    Column-wise (one pass over plain Python values, no row objects): the customer table has a row
    per customer, tens of thousands in a large company.
    """
    f = _numbers(frame, "total_value", "value_threshold", "referrals", "hours", "asset_rate", "potential_gp", "gross_profit",
                 "referral_value", "net_opportunity_cost", "oc_share_pct")
    classes = frame["customer_class"].astype(object).tolist() if "customer_class" in frame.columns else [None] * len(frame)
    unassigned = text("reason_unassigned", lang)
    out = []
    for i, code in enumerate(_codes(frame, "reason_code")):
        if code is None:
            out.append(unassigned if classes[i] == "unassigned" else "")
            continue
        share = float(f["oc_share_pct"][i])
        out.append(text(f"reason_{code}", lang, total=float(f["total_value"][i]), top=rules.asset_top_share * 100,
                        threshold=float(f["value_threshold"][i]), referrals=int(f["referrals"][i]), min=rules.asset_min_referrals,
                        hours=float(f["hours"][i]), rate=float(f["asset_rate"][i]), potential=float(f["potential_gp"][i]),
                        earned=float(f["gross_profit"][i] + f["referral_value"][i]), net=float(f["net_opportunity_cost"][i]),
                        share=share, limit=rules.liability_oc_share * 100, min_hours=rules.liability_min_hours,
                        pct=100 - share, bar=100 - rules.liability_oc_share * 100))
    return out


def action_reasons(frame: pd.DataFrame, lang: str = "zh") -> list[str]:
    f = _numbers(frame, "margin_pct", "branch_margin_pct", "gp_per_deal", "branch_median_deal_gp")
    to = frame["hand_over_to"].astype(object).tolist() if "hand_over_to" in frame.columns else [None] * len(frame)
    out = []
    for i, code in enumerate(_codes(frame, "action_reason")):
        if code is None:
            out.append("")
            continue
        to_text = text("action_to", lang, name=to[i]) if isinstance(to[i], str) and to[i] else ""
        out.append(text(f"action_{code}", lang, margin=float(f["margin_pct"][i]), branch=float(f["branch_margin_pct"][i]),
                        deal=float(f["gp_per_deal"][i]), median=float(f["branch_median_deal_gp"][i]), to=to_text))
    return out


def _words(column: pd.Series, kind: str, lang: str) -> pd.Series:
    """Codes to words, looked up once per distinct code (not per row); other values kept."""
    words = {v: value(kind, v, lang) for v in column.dropna().unique() if isinstance(v, str)}
    return column.astype(object).map(lambda v: words.get(v, v) if isinstance(v, str) else v)


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
        special = value("customer_special", "unassigned", lang)
        out[S.CUSTOMER_ID] = out[S.CUSTOMER_ID].astype(object).map(lambda v: special if v == "unassigned" else v)
    for col, kind in _VALUE_KINDS.items():
        if col in out.columns:
            out[col] = _words(out[col], kind, lang)
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].where(out[col].notna(), "")
    return label_columns(out, lang, DOMAIN)


def _with_total(frame: pd.DataFrame, company: pd.DataFrame, lang: str) -> pd.DataFrame:
    total = company.assign(**{S.BRANCH: text("total", lang)})
    return pd.concat([frame, total[[c for c in frame.columns if c in total.columns]]], ignore_index=True)


#: the tables :func:`tables` builds, in order
TABLES = ("customers", "salespeople", "branches", "company", "actions", "time_map", "rules", "advice", "top_actions", "lifetime")


def tables(model, lang: str = "zh", names=None) -> dict[str, pd.DataFrame]:
    """The labelled tables; ``names`` picks some of :data:`TABLES` (default: all), each built only when asked."""
    check_lang(lang)
    wanted = TABLES if names is None else tuple(names)
    unknown = [n for n in wanted if n not in TABLES]
    if unknown:
        raise ParameterError(f"unknown customer tables {unknown}; known: {', '.join(TABLES)}")
    rules = model.rules_
    company = model.company()

    def branches():
        return _with_total(model.branches(), company, lang)

    def time_map():
        frame = model.time_map()
        co_time = company[["asset_hours", "watch_hours", "liability_hours", "unassigned_hours"]].copy()
        whole = co_time.sum(axis=1).replace(0, np.nan)
        for k in ("asset", "watch", "liability", "unassigned"):
            co_time[f"{k}_share_pct"] = co_time[f"{k}_hours"] / whole * 100
        return display(_with_total(frame[TIME_MAP_COLUMNS], co_time.assign(**{S.BRANCH: ""}), lang), lang)

    def advice():
        frame = branches()
        return display(frame[[c for c in ADVICE_COMPACT if c in frame.columns]], lang)

    build = {
        "customers": lambda: display(model.customers(), lang, rules),
        "salespeople": lambda: display(model.salespeople(), lang),
        "branches": lambda: display(branches(), lang),
        "company": lambda: display(company, lang),
        "actions": lambda: display(model.actions(), lang),
        "time_map": time_map,
        "rules": lambda: _rules_table(model, lang),
        "advice": advice,
        "top_actions": lambda: display(model.actions()[ACTIONS_COMPACT], lang),
        "lifetime": lambda: _lifetime_table(model, lang) if model.lifetime_ is not None else None,
    }
    out = {name: build[name]() for name in TABLES if name in wanted}
    return {name: frame for name, frame in out.items() if frame is not None}


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
