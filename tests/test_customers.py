"""资产客户 vs 负债客户: value, time, the handbook's opportunity cost, classes with reasons, advice, lifetime value, bad input."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesanalytics.adapters import cli, io
from salesanalytics.core.exceptions import DataError, NotFittedError, ParameterError
from salesanalytics.methods import clv, datagen
from salesanalytics.methods.customers import CustomerValue, CustomerWarning, Rules, opportunity_cost

from . import test_contract as contract
from .test_contract import Case

MONTH_HOURS = 176.0  # one month of work: 22 days x 8 hours


def deals(rows, **extra):
    """rows: (date, deal_id, salesperson, customer, gross_profit[, share])."""
    frame = pd.DataFrame(
        [(pd.Timestamp(r[0]), r[1], "北京", r[2], r[3], r[4] * 10, r[4], r[5] if len(r) > 5 else 100.0) for r in rows],
        columns=["date", "deal_id", "branch", "salesperson", "customer_id", "revenue", "gross_profit", "share"],
    )
    return frame.assign(**extra)


def acts(rows, **extra):
    """rows: (date, salesperson, customer, hours[, activity])."""
    frame = pd.DataFrame([(pd.Timestamp(r[0]), "北京", r[1], r[2], r[3], r[4] if len(r) > 4 else "visit") for r in rows],
                         columns=["date", "branch", "salesperson", "customer_id", "hours", "activity"])
    return frame.assign(**extra)


def handbook():
    """One salesperson, one month on an asset customer (300,000 yuan) and one on a liability (100,000 yuan)."""
    d = deals([("2026-03-10", "D1", "张三", "A", 300_000.0), ("2026-03-20", "D2", "张三", "B", 100_000.0)])
    a = pd.DataFrame({"month": pd.to_datetime(["2026-03-01", "2026-03-01"]), "branch": "北京", "salesperson": "张三",
                      "customer_id": ["A", "B"], "hours": MONTH_HOURS})  # monthly records: one month on each
    return d, a


def fit(d, a=None, c=None, **settings_):
    settings_.setdefault("lifetime", False)
    return CustomerValue(settings_.pop("rules", None), **settings_).fit(d, a, c)


def by_id(model):
    return model.customers().set_index("customer_id")


# ----------------------------------------------------------------------------
# the handbook
# ----------------------------------------------------------------------------
def test_handbook_month_loses_200000_yuan():
    """在负债客户身上花了1个月时间,赚了10万 ... 花在资产客户身上,我们可以赚30万 ... 我们其实损失了20万."""
    assert opportunity_cost(MONTH_HOURS, 300_000 / MONTH_HOURS, 100_000) == pytest.approx(200_000)
    d, a = handbook()
    model = fit(d, a, as_of="2026-03-31", start="2026-03-01", rules=Rules(asset_top_share=0.5))
    c = by_id(model)
    assert c.at["A", "customer_class"] == "asset" and c.at["B", "customer_class"] == "liability"
    assert c.at["B", "opportunity_cost"] == 200_000.00  # exact, in fen
    assert c.at["B", "potential_gp"] == 300_000.00 and c.at["B", "asset_rate"] == pytest.approx(300_000 / MONTH_HOURS)
    assert c.at["A", "opportunity_cost"] == 0.0
    person = model.salespeople().iloc[0]
    assert person["rate_basis"] == "salesperson" and person["liability_hours"] == MONTH_HOURS
    months = model.base_.months
    assert person["net_gain_per_month"] == pytest.approx(200_000 / months)
    assert person["hours_freed_per_month"] == pytest.approx(MONTH_HOURS / months)
    reason = model.tables("zh")["customers"].set_index("客户编号").at["B", "判定依据"]
    for figure in ("176.0 小时", "300,000 元", "100,000 元", "200,000 元", "67%"):
        assert figure in reason
    en = model.tables("en")["customers"].set_index("Customer id").at["B", "Why this class"]
    assert "200,000 yuan lost" in en


def test_the_rate_falls_back_from_person_to_branch_to_company():
    d = deals([("2026-03-10", "D1", "甲", "A", 30_000.0), ("2026-03-11", "D2", "乙", "B", 1_000.0), ("2026-03-12", "D3", "乙", "C", 100.0)])
    a = acts([("2026-03-02", "甲", "A", 8.0), ("2026-03-03", "甲", "A", 8.0), ("2026-03-02", "乙", "B", 8.0), ("2026-03-03", "乙", "C", 8.0)])
    # nobody has 40 asset hours: the branch has 16 → company (16 h on A at 30,000 → 1,875 per hour)
    model = fit(d, a, rules={"asset_top_share": 0.34})
    people = model.salespeople().set_index("salesperson")
    assert set(people["rate_basis"]) == {"company"}
    assert people.at["乙", "asset_rate"] == pytest.approx(30_000 / 16)
    model = fit(d, a, rules={"asset_top_share": 0.34, "min_rate_hours": 10})
    people = model.salespeople().set_index("salesperson")
    assert people.at["甲", "rate_basis"] == "salesperson" and people.at["乙", "rate_basis"] == "branch"


def test_referrals_count_into_value_and_make_an_asset():
    d = deals([("2026-03-10", "D1", "甲", "R", 1_000.0), ("2026-03-11", "D2", "甲", "X", 5_000.0), ("2026-03-12", "D3", "甲", "Y", 3_000.0),
               ("2026-03-13", "D4", "甲", "Z", 20_000.0)])
    a = acts([("2026-03-02", "甲", "R", 10.0), ("2026-03-03", "甲", "X", 4.0), ("2026-03-04", "甲", "Y", 4.0), ("2026-03-05", "甲", "Z", 8.0)])
    customers = pd.DataFrame({"customer_id": ["R", "X", "Y", "Z"], "referred_by": [None, "R", "R", None]})
    c = by_id(fit(d, a, customers, rules={"asset_top_share": 0.25, "referral_credit": 0.5}))
    assert c.at["R", "referrals"] == 2 and c.at["R", "referral_value"] == 4_000.0
    assert c.at["R", "value"] == 5_000.0 and c.at["R", "customer_class"] == "asset"
    assert c.at["R", "reason_code"] == "asset_referrals"
    assert c.at["X", "referred_by"] == "R"
    c = by_id(fit(d, a, customers, rules={"asset_top_share": 0.25, "asset_min_referrals": 0}))
    assert c.at["R", "customer_class"] != "asset"


def test_with_rules_reclassifies_without_refitting():
    d, a = handbook()
    model = fit(d, a, rules={"asset_top_share": 0.5})
    loose = model.with_rules(liability_oc_share=0.9)
    assert by_id(loose).at["B", "customer_class"] == "watch" and by_id(loose).at["B", "reason_code"] == "watch_earns"
    assert loose.base_ is model.base_ and by_id(model).at["B", "customer_class"] == "liability"
    few = model.with_rules(liability_min_hours=200)
    assert by_id(few).at["B", "reason_code"] == "watch_little_time"


@pytest.mark.parametrize("rules, words", [
    ({"liability_oc_shar": 0.5}, "Did you mean 'liability_oc_share'"),
    ({"asset_top_share": 1.5}, "between 0 and 1"),
    ({"liability_min_hours": -1}, ">= 0"),
    ({"asset_min_referrals": 1.5}, "whole number"),
])
def test_bad_rules_are_clear_errors(rules, words):
    d, a = handbook()
    with pytest.raises(ParameterError, match=re.escape(words)):
        fit(d, a, rules=rules)


def test_actions_for_liabilities():
    rows = [("2026-03-02", f"D{i}", "甲", "A", 22_500.0) for i in range(2)]
    rows += [("2026-03-03", "L1", "甲", "LOWM", 500.0), ("2026-03-04", "S1", "甲", "SMALL", 50.0), ("2026-03-05", "H1", "甲", "BIG", 6_000.0)]
    d = deals(rows)
    d.loc[d["customer_id"] == "LOWM", "revenue"] = 50_000.0  # a 1 % margin against the branch's ~10 %
    a = acts([("2026-03-02", "甲", "A", 20.0), ("2026-03-03", "甲", "A", 20.0), ("2026-03-04", "甲", "NOBUY", 20.0),
              ("2026-03-05", "甲", "LOWM", 20.0), ("2026-03-06", "甲", "SMALL", 20.0), ("2026-03-07", "甲", "BIG", 20.0),
              ("2026-03-08", "乙", "A", 12.0)])
    d2 = pd.concat([d, deals([("2026-03-09", "X1", "乙", "A", 100.0)])], ignore_index=True)
    c = by_id(fit(d2, a, rules={"asset_top_share": 0.2, "min_rate_hours": 10}))
    assert (c.loc[["NOBUY", "LOWM", "SMALL", "BIG"], "customer_class"] == "liability").all()
    assert c.at["NOBUY", "action"] == "cheaper_channel" and c.at["NOBUY", "action_reason"] == "no_purchase"
    assert c.at["LOWM", "action"] == "reprice"
    assert c.at["SMALL", "action"] == "cheaper_channel" and c.at["SMALL", "action_reason"] == "small_orders"
    assert c.at["BIG", "action"] == "hand_over" and c.at["BIG", "hand_over_to"] == "乙"


# ----------------------------------------------------------------------------
# time: defaults, formats, payment
# ----------------------------------------------------------------------------
def test_default_hours_per_activity_type_and_counts():
    d, _ = handbook()
    long = acts([("2026-03-02", "张三", "A", None, "拜访"), ("2026-03-02", "张三", "A", None, "电话"), ("2026-03-03", "张三", "B", 3.0, "报价")])
    c = by_id(fit(d, long))
    assert c.at["A", "hours"] == 2.0 + 0.25 and c.at["B", "hours"] == 3.0
    assert c.at["A", "visit_share_pct"] == pytest.approx(2.0 / 2.25 * 100)
    wide = pd.DataFrame({"month": pd.to_datetime(["2026-03-01"]), "salesperson": ["张三"], "customer_id": ["A"], "visits": [3],
                         "calls": [4], "quotes": [1], "hours": [np.nan]})
    c = by_id(fit(d, wide, default_hours={"visit": 1.5}))
    assert c.at["A", "hours"] == 3 * 1.5 + 4 * 0.25 + 1 * 1.0
    with pytest.raises(ParameterError, match="unknown activity type 'vist'"):
        fit(d, wide, default_hours={"vist": 1})


def test_collection_days_and_open_revenue():
    d = deals([("2026-03-01", "D1", "甲", "A", 100.0), ("2026-03-11", "D2", "甲", "A", 100.0), ("2026-03-21", "D3", "甲", "A", 100.0)])
    d["revenue"] = [1_000.0, 3_000.0, 2_000.0]
    d["collected_date"] = pd.to_datetime(["2026-03-31", "2026-03-21", "2026-04-30"])
    c = by_id(fit(d, as_of="2026-03-31"))
    assert c.at["A", "collection_days"] == pytest.approx((30 * 1_000 + 10 * 3_000) / 4_000)
    assert c.at["A", "open_revenue"] == 2_000.0 and c.at["A", "oldest_open_days"] == 10


def test_shared_deals_are_credited_to_the_fen():
    d = deals([("2026-03-01", "D1", "甲", "A", 100.01, 60.0), ("2026-03-01", "D1", "乙", "A", 100.01, 40.0),
               ("2026-03-02", "D2", "乙", "B", 10.0)])
    model = fit(d)
    people = model.salespeople().set_index("salesperson")
    assert people.at["甲", "gross_profit"] + people.at["乙", "gross_profit"] == pytest.approx(110.01, abs=1e-9)
    assert by_id(model).at["A", "gross_profit"] == 100.01 and by_id(model).at["A", "deals"] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-50_000, 900_000), st.sampled_from([(100,), (50, 50), (70, 30), (40, 30, 30)]),
                          st.integers(0, 3)), min_size=2, max_size=25),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 80)), min_size=1, max_size=20))
def test_totals_add_up_at_every_level(deal_specs, time_specs):
    """Gross profit and hours of customers (+ unassigned) = salespeople = branches = company, to the fen."""
    people = ["甲", "乙", "丙", "丁"]
    rows = []
    for k, (cust, gp_fen, shares, who) in enumerate(deal_specs):
        for j, share in enumerate(shares):
            rows.append(("2026-03-02", f"D{k}", people[(who + j) % 4], None if cust == 5 else f"C{cust}", gp_fen / 100, share))
    d = deals(rows)
    d["branch"] = np.where(d["salesperson"].isin(["甲", "乙"]), "北京", "上海")
    a = acts([(f"2026-03-{3 + i:02d}", people[w], None if c == 5 else f"C{c}", h / 10) for i, (c, w, h) in enumerate(time_specs)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CustomerWarning)
        model = fit(d, a)
    total_gp = sum(round(gp / 100 * 100) for _, gp, shares, _ in deal_specs) / 100
    c, p, b, co = model.customers(), model.salespeople(), model.branches(), model.company().iloc[0]
    assert c["gross_profit"].sum() == pytest.approx(total_gp, abs=1e-6)
    assert p["gross_profit"].sum() == pytest.approx(total_gp, abs=1e-6) == pytest.approx(co["gross_profit"], abs=1e-6)
    assert b["gross_profit"].sum() == pytest.approx(total_gp, abs=1e-6)
    assert c["hours"].sum() == pytest.approx(a["hours"].sum()) == pytest.approx(co["hours"])
    liab = c[c["customer_class"] == "liability"]
    assert liab["opportunity_cost"].sum() == pytest.approx(co["opportunity_cost"], abs=1e-6)
    assert set(c["customer_class"]) <= {"asset", "watch", "liability", "unassigned"}


# ----------------------------------------------------------------------------
# bad input: a clear error or an explicit warning
# ----------------------------------------------------------------------------
def _list(**columns):
    return pd.DataFrame(columns)


BAD = [
    ("negative hours", lambda: (handbook()[0], acts([("2026-03-02", "张三", "A", -2.0)]), None), DataError,
     ["cannot be negative", "row 2", "hours"]),
    ("over 24 hours a day", lambda: (handbook()[0], acts([("2026-03-02", "张三", "A", 20.0), ("2026-03-02", "张三", "B", 6.0)]), None), DataError,
     ["张三 has 26.0 hours on 2026-03-02", "more than 24 hours", "rows 2, 3"]),
    ("over 24 hours a day in a month", lambda: (handbook()[0], pd.DataFrame({"month": pd.to_datetime(["2026-02-01"]), "salesperson": ["张三"],
                                                                            "customer_id": ["A"], "hours": [700.0]}), None), DataError,
     ["on 2026-02", "more than 24 hours a day"]),
    ("customer referring itself", lambda: (*handbook(), _list(customer_id=["A", "B"], referred_by=["A", None])), DataError,
     ["'A' is recorded as referred by itself", "row 2"]),
    ("referral cycle", lambda: (*handbook(), _list(customer_id=["A", "B", "C"], referred_by=["C", "A", "B"])), DataError,
     ["referral cycle", "→", "rows 2, 3, 4"]),
    ("unknown activity type", lambda: (handbook()[0], acts([("2026-03-02", "张三", "A", 1.0, "拜仿")]), None), DataError,
     ["'拜仿' is not an activity type", "Did you mean '拜访'"]),
    ("deals without gross profit", lambda: (handbook()[0].drop(columns=["gross_profit"]), None, None), DataError, ["no gross-profit column"]),
    ("deals without a customer column", lambda: (handbook()[0].drop(columns=["customer_id"]), None, None), DataError, ["no customer column"]),
    ("process records instead of customer time", lambda: (handbook()[0], handbook()[1].drop(columns=["customer_id"]), None), DataError,
     ["daily process records"]),
    ("shares not 100", lambda: (deals([("2026-03-01", "D1", "甲", "A", 10.0, 60.0), ("2026-03-01", "D1", "乙", "A", 10.0, 30.0)]), None, None),
     DataError, ["do not sum to 100%", "rows 2, 3"]),
    ("one deal, two customers", lambda: (deals([("2026-03-01", "D1", "甲", "A", 10.0, 50.0), ("2026-03-01", "D1", "乙", "B", 10.0, 50.0)]), None, None),
     DataError, ["different customers"]),
    ("a duplicated customer", lambda: (*handbook(), _list(customer_id=["A", "A"])), DataError, ["listed more than once", "rows 2, 3"]),
]


@pytest.mark.parametrize("name, make, error, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error(name, make, error, words):
    d, a, c = make()
    with pytest.raises(error) as info:
        fit(d, a, c)
    for w in words:
        assert w in str(info.value), f"{name}: '{w}' not in: {info.value}"


WARNED = [
    ("deals without customer ids", lambda: (deals([("2026-03-10", "D1", "张三", "A", 300.0), ("2026-03-11", "D2", "张三", None, 100.0)]),
                                            None, None), ["1 deal line(s) have no customer id", "25.0% of the gross profit", "unassigned"]),
    ("time without a customer", lambda: (handbook()[0], acts([("2026-03-02", "张三", "A", 3.0), ("2026-03-02", "张三", None, 2.0)]), None),
     ["1 activity record(s) have no customer id (2.0 hours)"]),
    ("unknown customers in the activities", lambda: (*handbook()[:1], acts([("2026-03-02", "张三", "ZZ", 3.0)]), _list(customer_id=["A", "B"])),
     ["1 customer(s) in the activities are not in the customer list", "ZZ"]),
    ("unknown referrer", lambda: (*handbook(), _list(customer_id=["A", "B"], referred_by=[None, "Q"])),
     ["name a referrer that is not in the list (Q)", "ignored"]),
]


@pytest.mark.parametrize("name, make, words", WARNED, ids=[w[0] for w in WARNED])
def test_usable_but_incomplete_input_is_an_explicit_warning(name, make, words):
    d, a, c = make()
    with pytest.warns(CustomerWarning) as caught:
        model = fit(d, a, c)
    message = " ".join(str(w.message) for w in caught)
    for w in words:
        assert w in message, f"{name}: '{w}' not in: {message}"
    if name == "deals without customer ids":
        c = by_id(model)
        assert c.at["unassigned", "customer_class"] == "unassigned" and c.at["unassigned", "gross_profit"] == 100.0
        assert model.summary()["unassigned_lines"] == 1 and model.company().iloc[0]["gross_profit"] == 400.0
        assert "未指定客户" in model.tables("zh")["customers"]["客户编号"].tolist()


def test_period_errors():
    d, a = handbook()
    with pytest.raises(ParameterError, match="after as_of"):
        fit(d, a, as_of="2026-03-01", start="2026-04-01")
    with pytest.raises(NotFittedError):
        CustomerValue().customers()


# ----------------------------------------------------------------------------
# lifetime value (BG/NBD + Gamma-Gamma)
# ----------------------------------------------------------------------------
CDNOW = (0.243, 4.414, 0.793, 2.426)  # Fader, Hardie & Lee (2005): the CDNOW sample's parameters


def test_bgnbd_reproduces_the_published_example():
    # the paper's example customer: x = 2, t_x = 30.43, T = 38.86 weeks -> 1.226 purchases in the next 39 weeks
    assert clv.bgnbd_expected(CDNOW, 39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    assert clv.bgnbd_p_alive(CDNOW, 0, 0, 38.86) == 1.0
    assert 0 < clv.bgnbd_p_alive(CDNOW, 2, 30.43, 38.86) < 1
    # Gamma-Gamma with the paper's spend parameters: a weighted mean of the population's and the customer's
    p, q, v = 6.25, 3.74, 15.44
    assert clv.gamma_gamma_expected((p, q, v), 0, np.nan) == pytest.approx(p * v / (q - 1))
    assert clv.gamma_gamma_expected((p, q, v), 10, 40.0) == pytest.approx(p * (v + 400) / (p * 10 + q - 1))


def _simulate_bgnbd(n, r, alpha, a, b, T, seed):
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    return x, tx, np.full(n, T)


def test_bgnbd_recovers_its_parameters():
    x, tx, T = _simulate_bgnbd(3000, 0.8, 6.0, 1.2, 4.0, 40.0, seed=1)
    model = clv.BetaGeo().fit(x, tx, T)
    got = model.params_
    assert got["r"] == pytest.approx(0.8, rel=0.2) and got["alpha"] == pytest.approx(6.0, rel=0.25)
    assert got["a"] / (got["a"] + got["b"]) == pytest.approx(1.2 / 5.2, rel=0.3)
    assert model.cov_ is not None and np.all(np.diag(model.cov_) > 0)


def test_lifetime_value_has_a_range_and_a_calibration():
    ds = datagen.make_dataset(branches=3, people_scale=0.3, seed=11, ratings=False)
    a = ds["actuals"][~ds["actuals"]["deal_id"].duplicated()]
    lt = clv.LifetimeValue(12, n_draws=100, seed=1).fit(a["customer_id"], a["date"], a["gross_profit"], "2026-09-30")
    v = lt.predict()
    assert (v["clv_lo"] <= v["clv_hi"]).all() and (v["clv"] >= 0).all()
    inside = ((v["clv"] >= v["clv_lo"]) & (v["clv"] <= v["clv_hi"])).mean()
    assert inside > 0.8
    table = clv.calibration(a["customer_id"], a["date"], a["gross_profit"], split="2026-06-30", end="2026-09-30")
    total = table.loc["total"]
    assert total["predicted"] == pytest.approx(total["actual"], rel=0.25)
    assert list(table.index[:3]) == [0, 1, 2]


# ----------------------------------------------------------------------------
# the estimator contract, labels, the bundled-style data end to end
# ----------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::salesanalytics.methods.clv.LifetimeValueWarning")  # random inputs: a weak fit is expected
@pytest.mark.parametrize("case", [
    Case("CustomerValue", lambda: (CustomerValue, ({"asset_top_share": 0.5},), {"lifetime": False}), lambda o: o.fit(*handbook()),
         [("customers", ()), ("salespeople", ()), ("branches", ()), ("company", ()), ("actions", ()), ("time_map", ()),
          ("summary", ()), ("tables", ("zh",)), ("excel_sheets", ("en",)), ("with_rules", ())]),
    Case("LifetimeValue", lambda: (clv.LifetimeValue, (6.0,), {"n_draws": 20, "seed": 2}),
         lambda o: o.fit(*_lifetime_inputs()), [("predict", ()), ("summary", ())]),
], ids=["CustomerValue", "LifetimeValue"])
def test_customer_estimators_follow_the_contract(case):
    contract.test_estimator_contract(case)


def _lifetime_inputs():
    rng = np.random.default_rng(0)
    n = 300
    cust = np.repeat(np.arange(60), 5)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 250, n), unit="D")
    return cust, days, rng.gamma(2, 500, n), "2026-09-30"


@pytest.fixture(scope="module")
def small_year(tmp_path_factory):
    ds = datagen.make_dataset(branches=3, people_scale=0.25, seed=7, until="2026-06-30", ratings=False)
    folder = tmp_path_factory.mktemp("customers")
    io.write_table(ds["actuals"], folder / "actuals_2026.csv")
    io.write_table(ds["customers"], folder / io.CUSTOMERS_FILE)
    io.write_table(ds["customer_activities"], folder / io.CUSTOMER_ACTIVITIES_FILE)
    return ds, folder


@pytest.mark.filterwarnings("ignore::salesanalytics.methods.clv.LifetimeValueWarning")  # half a year of three small branches
def test_the_synthetic_year_end_to_end(small_year):
    ds, folder = small_year
    inputs = io.read_customer_inputs(folder)
    assert inputs["activities"].attrs["granularity"] == "month"
    model = CustomerValue(n_draws=50).fit(inputs["deals"], inputs["activities"], inputs["customers"])
    c = model.customers()
    assert len(c) == len(ds["customers"]) and set(c["customer_class"]) == {"asset", "watch", "liability"}
    for lang in ("zh", "en"):
        tables = model.tables(lang)
        reasons = tables["customers"].iloc[:, 7]
        assert reasons.str.len().min() > 10  # every customer says why
        raw = re.compile(r"^[a-z]+(_[a-z0-9]+)+$")
        for name, frame in tables.items():
            assert not [h for h in frame.columns if raw.match(str(h))], name
            for col in frame.columns:
                if frame[col].dtype == object:
                    assert not frame[col].astype(str).str.fullmatch(r"[a-z]+(_[a-z0-9]+)+|None|nan|True|False").any(), (name, col)
        # a page asks only for the tables it shows: the same tables, nothing else built
        some = model.tables(lang, names=("time_map", "top_actions", "rules"))
        assert list(some) == ["time_map", "rules", "top_actions"]
        for name, frame in some.items():
            pd.testing.assert_frame_equal(frame, tables[name])
    with pytest.raises(ParameterError, match="unknown customer tables"):
        model.tables("zh", names=("clients",))
    seg = ds["customer_segments"].reindex(c["customer_id"]).to_numpy()
    liab = c["customer_class"].to_numpy() == "liability"
    assert liab[seg == "sink"].mean() > 0.8  # the customers that absorb visits and return little
    assert liab[seg == "key"].mean() < 0.3


def test_cli_prints_the_summary_and_writes_every_table(small_year, tmp_path, capsys):
    _, folder = small_year
    out = tmp_path / "customers.xlsx"
    code = cli.main(["customers", "--data-dir", str(folder), "--no-lifetime", "--rule", "liability_oc_share=0.6", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "资产客户与负债客户" in printed and "机会成本" in printed and out.exists()
    sheets = pd.ExcelFile(out).sheet_names
    assert sheets[:3] == ["客户价值", "行动清单", "销售员建议"]


@pytest.mark.parametrize("argv, words", [
    (["--rule", "liabilty_oc_share=0.6"], "Did you mean 'liability_oc_share'"),
    (["--rule", "asset_top_share"], "NAME=VALUE"),
    (["--deals", "nowhere.csv"], "file not found"),
])
def test_cli_bad_input_is_one_line(small_year, capsys, argv, words):
    _, folder = small_year
    code = cli.main(["customers", "--data-dir", str(folder), "--no-lifetime", *argv])
    err = capsys.readouterr().err
    assert code == 2 and words in err and "Traceback" not in err


def test_chinese_headers_are_read(tmp_path):
    path = tmp_path / "时间.csv"
    path.write_text("日期,销售员,客户编号,活动类型,拜访时长\n2026-03-02,张三,A,拜访,\n2026-03-02,张三,B,电话,0.5\n", encoding="utf-8")
    frame = io.read_customer_activities(path)
    assert frame.attrs["granularity"] == "day" and list(frame["hours"].fillna(-1)) == [-1, 0.5]
    lst = tmp_path / "客户.csv"
    lst.write_text("客户编号,客户,介绍人\nA,甲公司,\nB,乙公司,A\n", encoding="utf-8")
    customers = io.read_customers(lst)
    assert list(customers["referred_by"].fillna("")) == ["", "A"] and list(customers["customer_name"]) == ["甲公司", "乙公司"]
    model = fit(handbook()[0], frame, customers)
    assert by_id(model).at["A", "hours"] == 2.0


def test_the_page_and_its_threshold_sliders(small_year):
    """The report page's tables and chart, and the sliders: a move re-classifies without refitting."""
    from salesanalytics.adapters import customer_pages

    _, folder = small_year
    model = customer_pages.customers_from_parameters(str(folder), "2026Q2", lifetime=False)
    assert model.as_of_ == pd.Timestamp("2026-06-30")
    page = customer_pages.page_tables(model, "en", top=5)
    assert {"classes", "top_assets", "largest_costs", "time_map", "people", "branches", "rules"} <= set(page)
    assert len(page["largest_costs"]) == 5 and page["time_map"].iloc[-1, 0] == "Total"
    assert customer_pages.time_map_chart(model, "zh").axes
    panel = customer_pages.customers_explorer(model, lang="en", top=5)
    before = panel.model.summary()["liability_customers"]
    slider = next(w for w in panel.children if customer_pages.CSS["liability_oc_share"] in w._dom_classes)
    slider.value = 0.95
    assert panel.model.summary()["liability_customers"] < before and panel.model.base_ is model.base_


def test_the_page_says_so_when_the_deals_name_no_customer(tmp_path):
    from salesanalytics.adapters import customer_pages

    d, _ = handbook()
    io.write_table(d.drop(columns=["customer_id"]), tmp_path / "actuals_2026.csv")
    assert customer_pages.customers_from_parameters(str(tmp_path)) is None
    assert "客户编号" in customer_pages.no_customers("zh")
