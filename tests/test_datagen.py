"""The synthetic data: one process for history and plan year, reproducible, valid, sized, and telling the documented story."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from salesanalytics.adapters import cli
from salesanalytics.core import schema as S
from salesanalytics.core.exceptions import ParameterError
from salesanalytics.core.validation import validate
from salesanalytics.methods import datagen

from .conftest import DATA


@pytest.fixture(scope="module")
def bundled():
    return datagen.make_dataset(ratings=False)


@pytest.fixture(scope="module")
def small():
    return datagen.make_dataset(branches=3, people_scale=0.2, seed=7, until="2026-03-31", ratings=False)


def test_generator_reproduces_the_bundled_files(tmp_path):
    written = cli.write_synthetic_data(tmp_path)
    assert written
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes(), f"data/{path.name} differs from the generator's output"


def test_same_seed_same_data_other_seed_other_data(small):
    again = datagen.make_dataset(branches=3, people_scale=0.2, seed=7, until="2026-03-31", ratings=False)
    for key in ("history", "roster", "actuals", "activities"):
        pd.testing.assert_frame_equal(small[key], again[key])
    other = datagen.make_dataset(branches=3, people_scale=0.2, seed=8, until="2026-03-31", ratings=False)
    assert not np.allclose(small["history"]["revenue"], other["history"]["revenue"])


def test_frames_pass_the_input_schemas(small):
    ctx = {"source": "datagen", "original": {}}
    validate(small["history"], S.HISTORY_SCHEMA, ctx)
    validate(small["industry"], S.INDUSTRY_SCHEMA, ctx)
    validate(small["roster"], S.ROSTER_SCHEMA, ctx)
    validate(small["actuals"], S.ACTUALS_DAILY_SCHEMA, ctx)
    validate(small["activities"], S.ACTIVITIES_SCHEMA, ctx)


def test_columns_match_the_bundled_files(bundled):
    for key, name in (("history", "history_monthly.csv"), ("actuals", "actuals_2026.csv"), ("activities", "activities_2026.csv"),
                      ("roster", "roster_2026.csv"), ("industry", "industry_market_size.csv")):
        header = pd.read_csv(DATA / name, nrows=0, encoding="utf-8-sig").columns.tolist()
        assert bundled[key].columns.tolist() == header, name


def test_shares_sum_to_100_per_deal_and_deals_fall_on_working_days(small):
    a = small["actuals"]
    assert np.allclose(a.groupby("deal_id")["share"].sum(), 100.0)
    assert not a.duplicated(["deal_id", "salesperson"]).any()  # nobody twice on a deal
    assert (a.groupby("deal_id")["branch"].nunique() == 1).all()
    from salesanalytics.core.calendar_cn import is_workday

    assert all(is_workday(d) for d in pd.unique(a["date"]))
    acts = small["activities"]
    lines = a.groupby(["date", "salesperson"]).size()
    assert (acts.set_index(["date", "salesperson"])["deals"].reindex(lines.index) == lines).all()


def test_plan_year_is_the_same_process_continued(small):
    """The deals of a branch-month add up to the process's value for that month."""
    a = small["actuals"]
    credited = (a["revenue"] * a["share"] / 100).groupby([a["branch"], a["date"].dt.to_period("M").dt.to_timestamp()]).sum()
    path = datagen.simulate_monthly(3, "2026-01", "2026-03", seed=7, people_scale=0.2).set_index(["branch", "month"])["revenue"]
    got = credited.reindex(path.index)
    assert np.allclose(got, path, rtol=1e-6, atol=1.0)


def test_spring_festival_moves_with_the_lunar_calendar():
    months = pd.date_range("2023-01", "2026-12", freq="MS")
    eff = pd.Series(datagen.calendar_effect(months), index=months)
    # 春节 2023-01-22: January loses, February recovers part; 2024-02-10: the other way round
    assert eff["2023-01-01"] < eff["2023-02-01"] - 0.05
    assert eff["2024-02-01"] < eff["2024-01-01"] - 0.05
    assert eff["2024-03-01"] > eff["2023-03-01"]  # some of February 2024's loss made up in March
    assert eff["2026-02-01"] == eff.min()
    assert datagen.spring_festival_days(2024, 2) >= 7
    assert datagen.spring_festival_days(2025, 1) >= 2
    # beyond chinesecalendar's years: the lunar date (2028-01-26) and the 8-day rule of calendar_cn
    assert datagen.spring_festival_days(2028, 1) == 7 and datagen.spring_festival_days(2028, 2) == 1


def test_shocks_persist_over_months():
    """Residuals of log revenue around trend x season x calendar are positively autocorrelated."""
    p = datagen.simulate_monthly(6, "2020-01", "2030-12", seed=3, story=False)
    pattern = np.log(datagen.month_pattern(pd.DatetimeIndex(pd.unique(p["month"]))))
    acs = []
    for _, g in p.groupby("branch"):
        y = np.log(g["revenue"].to_numpy()) - pattern
        t = np.arange(len(y))
        X = np.column_stack([np.ones_like(t), t] + [(t % 12 == k).astype(float) for k in range(1, 12)])
        r = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
        acs.append(np.corrcoef(r[:-1], r[1:])[0, 1])
    assert np.mean(acs) > 0.3
    # and the company-wide factor correlates the branches
    wide = p.pivot(index="month", columns="branch", values="revenue")
    d = np.diff(np.log(wide.to_numpy()), n=12, axis=0)
    c = np.corrcoef(d.T)
    assert c[np.triu_indices_from(c, 1)].mean() > 0.2


def test_sizes_are_honoured():
    names = datagen.branch_names(30)
    assert names[:14] == list(datagen.BRANCHES) and names[14] == "北京2" and names[29] == "上海3"
    roster = datagen.make_roster(2026, branches=30, people_per_branch=10)
    assert roster["branch"].nunique() == 30 and abs(len(roster) / 30 - 10) < 1
    assert roster["salesperson"].is_unique
    h = datagen.make_history(branches=30, people_per_branch=10)
    assert h["branch"].nunique() == 30 and len(h) == 30 * 36
    # a bigger company keeps the bundled branches' own path
    base = datagen.make_history()
    pd.testing.assert_frame_equal(h[h["branch"].isin(datagen.BRANCHES)].reset_index(drop=True)[["month", "branch"]], base[["month", "branch"]])
    scaled = datagen.make_history(people_scale=2.0)
    assert np.allclose(scaled["revenue"].sum() / base["revenue"].sum(), 2.0, rtol=0.01)
    with pytest.raises(ParameterError):
        datagen.branch_names(0)


def test_history_keeps_the_plan_and_makes_it_a_stretch(bundled):
    h = bundled["history"]
    assert len(h) == 14 * 36 and (h["revenue"] > 0).all()
    plan = yaml.safe_load((DATA / "plan_2026.yaml").read_text(encoding="utf-8"))
    assert bundled["plan"]["branches"] == plan["branches"]  # the bundled plan is derived from this history
    yearly = h.groupby(h["month"].dt.year)["revenue"].sum()
    required = 15_000_000 / 0.75 + 12 * 250_000  # net profit -> before tax, + fixed costs
    required /= 0.08 - 0.01  # gross margin minus costs in % of revenue
    assert 1.10 < required / yearly[2025] < 1.14
    total = h.groupby("month")["revenue"].sum()
    for year in (2023, 2024, 2025):  # year-end push: December is the biggest month
        assert total[total.index.year == year].idxmax().month == 12


def test_the_2026_story(bundled):
    h, a = bundled["history"], bundled["actuals"]
    credited = (a["revenue"] * a["share"] / 100).groupby(a["branch"]).sum()
    last = h[(h["month"].dt.year == 2025) & (h["month"].dt.month <= 9)].groupby("branch")["revenue"].sum()
    yoy = credited.reindex(last.index) / last - 1
    assert yoy[["杭州", "成都", "深圳"]].min() > 0.15  # clearly ahead of the plan's ~+10 %
    assert yoy[["天津", "武汉"]].max() < 0.0  # behind: lost / postponed key accounts
    assert yoy["沈阳"] < 0.03
    company = credited.reindex(last.index).sum() / last.sum() - 1
    assert 0.05 < company < 0.09  # growing faster than the history, slower than the plan needs
    assert set(credited.index) == set(datagen.BRANCHES) | {"三亚", "珠海"}
    assert a["date"].max() <= pd.Timestamp("2026-09-30") and a.loc[a["branch"] == "珠海", "date"].min() >= pd.Timestamp("2026-09-01")


def test_industry_covers_history_and_outlook(bundled):
    h, ind = bundled["history"], bundled["industry"]
    assert ind["year"].tolist() == [2023, 2024, 2025, 2026, 2027, 2028]
    share = h.groupby(h.month.dt.year)["revenue"].sum().to_numpy() / ind["market_size"].to_numpy()[:3]
    assert np.all((share > 0.005) & (share < 0.012))
    assert (ind["kind"] == "actual").sum() == 3


# ----------------------------------------------------------------------------
# customers (资产客户 / 负债客户): their own random stream, consistent with the deals and the daily records
# ----------------------------------------------------------------------------
def test_customers_leave_every_other_value_as_it_was(small):
    plain = datagen.make_dataset(branches=3, people_scale=0.2, seed=7, until="2026-03-31", ratings=False, customers=False)
    for key in ("history", "roster", "activities"):
        pd.testing.assert_frame_equal(small[key], plain[key])
    pd.testing.assert_frame_equal(small["actuals"][plain["actuals"].columns], plain["actuals"])
    assert small["actuals"].columns.tolist()[-2:] == ["customer_id", "collected_date"]


def test_customer_files_are_what_the_generator_makes(bundled, tmp_path):
    from salesanalytics.adapters import io

    for key, name in (("customers", io.CUSTOMERS_FILE), ("customer_activities", io.CUSTOMER_ACTIVITIES_FILE)):
        written = io.write_table(bundled[key], tmp_path / name)
        assert written.read_bytes() == (DATA / name).read_bytes(), f"data/{name} differs from the generator's output"


def test_customer_time_spreads_the_daily_records_and_deals_go_to_their_sellers_accounts(small):
    log, acts, deals, customers = small["customer_activities"], small["activities"], small["actuals"], small["customers"]
    month = acts["date"].dt.to_period("M").dt.to_timestamp()
    for col in ("visits", "quotes"):
        daily = acts.groupby([acts["salesperson"], month])[col].sum()
        spread = log.groupby(["salesperson", "month"])[col].sum().reindex(daily.index, fill_value=0)
        assert (spread == daily).all(), col
    first = deals[~deals["deal_id"].duplicated()]
    owner = customers.set_index("customer_id")["salesperson"]
    assert (owner.reindex(first["customer_id"]).to_numpy() == first["salesperson"].to_numpy()).all()
    assert (deals.groupby("deal_id")["customer_id"].nunique() == 1).all()
    paid = deals["collected_date"].dropna()
    assert (paid >= deals.loc[paid.index, "date"]).all() and paid.max() <= pd.Timestamp("2026-03-31")
    hours = log["hours"].dropna()
    assert (hours > 0).all() and log["hours"].isna().mean() < 0.2  # some records leave hours to the defaults


def test_referrals_point_back_in_time_never_in_a_circle(bundled):
    c = bundled["customers"]
    parent = c.set_index("customer_id")["referred_by"].dropna()
    assert parent.isin(c["customer_id"]).all() and (parent.index != parent.to_numpy()).all()
    up = parent.to_dict()
    for start in up:
        seen, node = set(), start
        while node in up:
            assert node not in seen
            seen.add(node)
            node = up[node]
    assert c["customer_id"].is_unique and c["customer_name"].is_unique


def test_the_customer_story(bundled):
    """A few large loyal accounts, many small ones, some that absorb visits and return little, some that refer others."""
    from salesanalytics.methods.customers import CustomerValue

    seg = bundled["customer_segments"]
    assert seg.value_counts().idxmax() == "regular" and (seg == "key").mean() < 0.1
    model = CustomerValue(lifetime=False).fit(bundled["actuals"], bundled["customer_activities"], bundled["customers"])
    c = model.customers().set_index("customer_id")
    c = c[c["customer_class"] != "unassigned"]
    kind = seg.reindex(c.index)
    gp_share = c["gross_profit"].groupby(kind).sum() / c["gross_profit"].sum()
    hours_share = c["hours"].groupby(kind).sum() / c["hours"].sum()
    assert gp_share["key"] > 2 * (kind == "key").mean()  # large accounts: far more than their share of customers
    assert hours_share["sink"] > 0.2 and gp_share["sink"] < 0.05  # absorb time, return little
    liability = c["customer_class"] == "liability"
    assert liability[kind == "sink"].mean() > 0.9 and liability[kind == "key"].mean() < 0.15
    assert c["referrals"].groupby(kind).mean().idxmax() == "referrer"
    assert c["collection_days"].groupby(kind).mean()["sink"] > c["collection_days"].groupby(kind).mean()["key"] + 15
