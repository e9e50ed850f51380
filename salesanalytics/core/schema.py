"""Column names, the Chinese header alias table, and the pandera schemas.

The data model is long format: one row per month x branch (optionally x
salesperson, x product).  Every entry point validates its frame with one of
the schemas below; :func:`salesanalytics.core.validation.validate` turns pandera's
failure cases into a :class:`~salesanalytics.exceptions.DataError` that names
the file, sheet, rows, column and the fix.

Header aliases (case-insensitive for Latin names, surrounding spaces ignored):

=====================  ==========================================================
canonical column       accepted headers
=====================  ==========================================================
``month``              月份, 月, 年月, 日期, date, period, ds
``branch``             分公司, 城市, 分支机构, 区域, city, region, unique_id
``salesperson``        销售员, 业务员, 销售人员, 姓名, rep, sales_rep
``product``            产品, 品类, product_line
``revenue``            销售额, 营业额, 收入, 销售收入, sales, y
``gross_profit``       毛利, 毛利额, gp
``headcount``          人数, 人员, 销售人数, heads
``gp_per_head_month``  人均毛利, 月人均毛利, 月人均毛利单产, 毛利单产
``gross_margin``       毛利率, margin
``weight``             权重, 系数, productivity, 人效
``year``               年, 年份
``market_size``        市场规模, 行业规模, market_size_yuan
``kind``               类型
=====================  ==========================================================
"""

from __future__ import annotations

import pandera.pandas as pa

from .numbers import MAX_AMOUNT_YUAN

MONTH = "month"
BRANCH = "branch"
SALESPERSON = "salesperson"
PRODUCT = "product"
REVENUE = "revenue"
GROSS_PROFIT = "gross_profit"
HEADCOUNT = "headcount"
GP_PER_HEAD = "gp_per_head_month"
GROSS_MARGIN = "gross_margin"
WEIGHT = "weight"
YEAR = "year"
MARKET_SIZE = "market_size"
KIND = "kind"
RATER = "rater"
DIMENSION = "dimension"
SCORE = "score"

#: Optional key columns of a long-format frame, outermost first.
KEY_COLUMNS = (BRANCH, SALESPERSON, PRODUCT)

ALIASES: dict[str, tuple[str, ...]] = {
    MONTH: ("月份", "月", "年月", "日期", "date", "period", "ds"),
    BRANCH: ("分公司", "城市", "分支机构", "区域", "city", "region", "unique_id"),
    SALESPERSON: ("销售员", "业务员", "销售人员", "姓名", "rep", "sales_rep"),
    PRODUCT: ("产品", "品类", "product_line"),
    REVENUE: ("销售额", "营业额", "收入", "销售收入", "sales", "y"),
    GROSS_PROFIT: ("毛利", "毛利额", "gp"),
    HEADCOUNT: ("人数", "人员", "销售人数", "heads"),
    GP_PER_HEAD: ("人均毛利", "月人均毛利", "月人均毛利单产", "毛利单产"),
    GROSS_MARGIN: ("毛利率", "margin"),
    WEIGHT: ("权重", "系数", "productivity", "人效"),  # a roster may give productivity instead of a weight
    YEAR: ("年", "年份"),
    MARKET_SIZE: ("市场规模", "行业规模", "market_size_yuan"),
    KIND: ("类型",),
    # scorecard: ratings
    RATER: ("评分人", "评价人", "考评人"),
    DIMENSION: ("维度", "考核维度", "评价维度"),
    SCORE: ("评分", "分数"),
    # tracking: deal-level actuals and activity records
    "deal_id": ("单号", "订单号", "合同号", "成交单号", "deal", "order_id"),
    "share": ("分成比例", "贡献比例", "业绩比例", "业绩分成", "share_pct", "contribution_pct"),
    "visits": ("拜访", "拜访量", "拜访次数"),
    "new_customers": ("新客户", "新增客户", "新客户数"),
    "quotes": ("报价", "报价数", "报价次数"),
    "deals": ("成交", "成交数", "成交笔数"),
    "cash_collected": ("回款", "回款额", "cash"),
    # combined plan: manager adjustments of targets (their month column is read as text, see io.read_adjustments)
    "amount_yuan": ("新金额", "调整后金额", "调整后目标", "new_amount"),
    "change_pct": ("调整比例", "调整幅度", "变动比例", "change_percent"),
    "reason": ("原因", "调整原因", "理由"),
    "author": ("调整人", "提出人", "批准人", "by"),
    "adjusted_on": ("调整日期", "adjusted_date", "decided_on"),
}

#: columns holding money in yuan: bounded per value and per column total by MAX_AMOUNT_YUAN
AMOUNT_COLUMNS = frozenset({REVENUE, GROSS_PROFIT, MARKET_SIZE, "sales_task", "gross_profit_task",
                            "cash_collected", "amount_yuan", "actual", "target", "prior_actual", "collected"})
AMOUNT_BOUND_CHECK = "amount within the largest amount the tool accepts"


def alias_lookup() -> dict[str, str]:
    """Map every accepted header (normalised) to its canonical column name."""
    table = {}
    for canonical, aliases in ALIASES.items():
        table[normalise_header(canonical)] = canonical
        for alias in aliases:
            table[normalise_header(alias)] = canonical
    return table


def normalise_header(name: object) -> str:
    text = str(name).strip().lower()
    for unit in ("(元)", "（元）", "(yuan)", "_yuan"):
        if text.endswith(unit) and text != unit:
            text = text[: -len(unit)].strip()
    return text


def _month_start(series):
    """True where the value is the first day of a month (what a month key must be)."""
    return series.dt.day == 1


_month_col = pa.Column(
    "datetime64[ns]",
    checks=pa.Check(_month_start, element_wise=False, error="month must be a calendar month"),
    nullable=False,
    coerce=True,
)
_key = pa.Column(str, nullable=False, coerce=True, checks=pa.Check.str_length(min_value=1))
#: every amount of money is within ±MAX_AMOUNT_YUAN (and so is a column's total: core.validation.finish)
_bounded = pa.Check(lambda s: s.abs() <= MAX_AMOUNT_YUAN, error=AMOUNT_BOUND_CHECK)
_money = pa.Column(float, checks=_bounded, nullable=False, coerce=True)
_nonneg = pa.Column(float, checks=pa.Check.ge(0), nullable=False, coerce=True)
_opt_amount = pa.Column(float, checks=_bounded, nullable=True, coerce=True, required=False)
_nonneg_amount = pa.Column(float, checks=[pa.Check.ge(0), _bounded], nullable=False, coerce=True)
_opt_nonneg_amount = pa.Column(float, checks=[pa.Check.ge(0), _bounded], nullable=True, coerce=True, required=False)
_opt_nonneg = pa.Column(float, checks=pa.Check.ge(0), nullable=True, coerce=True, required=False)
_date_col = pa.Column("datetime64[ns]", nullable=False, coerce=True)

#: Monthly history / actuals: month x branch [x salesperson x product].
HISTORY_SCHEMA = pa.DataFrameSchema(
    {
        MONTH: _month_col,
        BRANCH: _key,
        SALESPERSON: pa.Column(str, nullable=False, coerce=True, required=False),
        PRODUCT: pa.Column(str, nullable=False, coerce=True, required=False),
        REVENUE: _money,
        GROSS_PROFIT: _opt_amount,
        HEADCOUNT: _opt_nonneg,
    },
    strict=False,
    coerce=True,
    name="history",
)

#: The branch table of a plan: one row per existing branch.
BRANCH_TABLE_SCHEMA = pa.DataFrameSchema(
    {
        BRANCH: _key,
        HEADCOUNT: _nonneg,
        GP_PER_HEAD: _opt_nonneg,
        GROSS_MARGIN: pa.Column(
            float,
            checks=[pa.Check.gt(0), pa.Check.lt(1)],
            nullable=True,
            coerce=True,
            required=False,
        ),
        WEIGHT: _opt_nonneg,
    },
    unique=[BRANCH],
    strict=False,
    coerce=True,
    name="branches",
)

#: A salesperson roster: which person sits in which branch, with a split weight.
ROSTER_SCHEMA = pa.DataFrameSchema(
    {
        BRANCH: _key,
        SALESPERSON: _key,
        WEIGHT: pa.Column(float, checks=pa.Check.ge(0), nullable=False, coerce=True, required=False),
    },
    unique=[BRANCH, SALESPERSON],
    strict=False,
    coerce=True,
    name="roster",
)

#: Industry market size: annual, ``kind`` is ``actual`` or ``outlook``.
INDUSTRY_SCHEMA = pa.DataFrameSchema(
    {
        YEAR: pa.Column(int, checks=pa.Check.in_range(1900, 2200), nullable=False, coerce=True),
        MARKET_SIZE: pa.Column(float, checks=[pa.Check.gt(0), _bounded], nullable=False, coerce=True),
        KIND: pa.Column(str, checks=pa.Check.isin(["actual", "outlook"]), nullable=False, coerce=True, required=False),
    },
    unique=[YEAR],
    strict=False,
    coerce=True,
    name="industry",
)

#: Targets in long format (as the backward / combined plans produce them).
TARGETS_SCHEMA = pa.DataFrameSchema(
    {
        MONTH: _month_col,
        BRANCH: _key,
        SALESPERSON: pa.Column(str, nullable=False, coerce=True, required=False),
        PRODUCT: pa.Column(str, nullable=False, coerce=True, required=False),
        "sales_task": _nonneg_amount,
        "gross_profit_task": _opt_nonneg_amount,
    },
    strict=False,
    coerce=True,
    name="targets",
)

_count = pa.Column(float, checks=pa.Check.ge(0), nullable=False, coerce=True, required=False)
_actual_columns = {
    BRANCH: _key,
    SALESPERSON: pa.Column(str, nullable=False, coerce=True, required=False),
    PRODUCT: pa.Column(str, nullable=True, coerce=True, required=False),
    "deal_id": pa.Column(str, nullable=True, coerce=True, required=False),
    # contribution share of one credit line in percent; the lines of a deal sum to 100
    "share": pa.Column(float, checks=[pa.Check.gt(0), pa.Check.le(100)], nullable=False, coerce=True, required=False),
    REVENUE: _money,
    GROSS_PROFIT: _opt_amount,
}

#: Actuals (tracking) by day: one row per sale or credit line of a deal (date = the day).
ACTUALS_DAILY_SCHEMA = pa.DataFrameSchema(
    {"date": _date_col, **_actual_columns},
    strict=False,
    coerce=True,
    name="actuals",
)

#: Actuals (tracking) by month: like monthly history, with optional deal id and share.
ACTUALS_MONTHLY_SCHEMA = pa.DataFrameSchema(
    {MONTH: _month_col, **_actual_columns},
    strict=False,
    coerce=True,
    name="actuals",
)

#: Activity records (process targets): one row per day x salesperson.
ACTIVITIES_SCHEMA = pa.DataFrameSchema(
    {
        "date": _date_col,
        BRANCH: _key,
        SALESPERSON: pa.Column(str, nullable=False, coerce=True, required=False),
        "visits": _count,
        "new_customers": _count,
        "quotes": _count,
        "deals": _count,
        "cash_collected": pa.Column(float, checks=_bounded, nullable=False, coerce=True, required=False),
    },
    strict=False,
    coerce=True,
    name="activities",
)

#: Manager adjustments of the combined plan's targets (see salesanalytics.methods.adjustments).
#: ``period`` stays text here: '2026-03', '2026年3月', '2026' / '全年' / blank (whole year) are parsed there.
ADJUSTMENTS_SCHEMA = pa.DataFrameSchema(
    {
        BRANCH: _key,
        "period": pa.Column(str, nullable=True, coerce=True),
        "amount_yuan": pa.Column(float, checks=[pa.Check.ge(0), _bounded], nullable=True, coerce=True),
        "change_pct": pa.Column(float, nullable=True, coerce=True),
        "reason": pa.Column(str, nullable=False, coerce=True, checks=pa.Check.str_length(min_value=1)),
        "author": pa.Column(str, nullable=False, coerce=True, checks=pa.Check.str_length(min_value=1)),
        "adjusted_on": pa.Column("datetime64[ns]", nullable=True, coerce=True),
    },
    strict=False,
    coerce=True,
    name="adjustments",
)

_opt_num = pa.Column(float, nullable=True, coerce=True, required=False)

#: Per-person KPIs of a scorecard period (one row per salesperson; money in yuan).
KPI_SCHEMA = pa.DataFrameSchema(
    {
        SALESPERSON: _key,
        BRANCH: _key,
        "actual": _money,
        "target": pa.Column(float, checks=[pa.Check.gt(0), _bounded], nullable=False, coerce=True),
        GROSS_PROFIT: _opt_amount,
        "prior_actual": _opt_nonneg_amount,
        "new_customers": _opt_nonneg,
        "collected": _opt_nonneg_amount,
    },
    unique=[SALESPERSON],
    strict=False,
    coerce=True,
    name="kpis",
)

#: Ratings of the scorecard's rated dimensions, long format: one row per rater x person x dimension.
RATINGS_SCHEMA = pa.DataFrameSchema(
    {
        RATER: _key,
        SALESPERSON: _key,
        DIMENSION: _key,
        SCORE: pa.Column(float, nullable=False, coerce=True),
    },
    unique=[RATER, SALESPERSON, DIMENSION],
    strict=False,
    coerce=True,
    name="ratings",
)

#: What each column is and how to fix it: used in error messages.
FIX_HINTS = {
    MONTH: "write the month as YYYY-MM (e.g. 2025-03) or a date on the 1st of the month",
    BRANCH: "give every row a branch (分公司) name",
    SALESPERSON: "give every row a salesperson (销售员) name",
    REVENUE: "write amounts as plain numbers in yuan, e.g. 1250000 (no units or text)",
    GROSS_PROFIT: "write gross profit as a plain number in yuan",
    HEADCOUNT: "write the headcount as digits, e.g. 13, and not below 0",
    GP_PER_HEAD: "write the monthly gross profit per head as a number in yuan, e.g. 1800",
    GROSS_MARGIN: "write the gross margin as a fraction between 0 and 1, e.g. 0.08",
    WEIGHT: "write weights as numbers >= 0",
    YEAR: "write the year as four digits, e.g. 2025",
    MARKET_SIZE: "write the market size as a positive number in yuan",
    KIND: "use 'actual' for history and 'outlook' for forecast years",
    "sales_task": "write the sales task as a number >= 0 in yuan",
    "date": "write the date as YYYY-MM-DD (e.g. 2026-03-15)",
    "deal_id": "give every credit line of a deal the same deal id",
    "share": "write the contribution share in percent, e.g. 60 for 60%; the shares of one deal sum to 100",
    "visits": "write counts as whole numbers >= 0",
    "new_customers": "write counts as whole numbers >= 0",
    "quotes": "write counts as whole numbers >= 0",
    "deals": "write counts as whole numbers >= 0",
    "cash_collected": "write cash collected as a plain number in yuan",
    "period": "write the month as YYYY-MM, or the year / 全年 / blank for a whole-year adjustment",
    "amount_yuan": "write the new target as a plain number in yuan >= 0",
    "change_pct": "write the change in percent as a number, e.g. 10 or -5",
    "reason": "every adjustment needs a reason (it is an audit trail)",
    "author": "every adjustment needs the name of who made it",
    "adjusted_on": "write the date of the adjustment as YYYY-MM-DD",
}

# ----------------------------------------------------------------------------
# customers (资产客户 / 负债客户): the customer dimension of deals and activities
# ----------------------------------------------------------------------------
CUSTOMER_ID = "customer_id"
CUSTOMER_NAME = "customer_name"
INDUSTRY = "industry"
#: a customer's city; not ``city``, which is already a header alias of ``branch``
CUSTOMER_CITY = "customer_city"
REFERRED_BY = "referred_by"
ACTIVITY = "activity"
HOURS = "hours"
CALLS = "calls"
COLLECTED_DATE = "collected_date"

# 客户 alone is usually the customer's name in a CRM export that also has 客户编号; a file with
# only a name column uses the name as the id (see salesanalytics.methods.customers).
ALIASES.update({
    CUSTOMER_ID: ("客户编号", "客户代码", "客户号", "客户id", "customer", "cust_id", "client_id"),
    CUSTOMER_NAME: ("客户", "客户名称", "客户名", "客户全称", "customer_full_name", "client"),
    INDUSTRY: ("行业", "所属行业", "客户行业"),
    CUSTOMER_CITY: ("客户城市", "所在城市", "所在地", "customer_location"),
    REFERRED_BY: ("介绍人", "推荐人", "转介绍人", "推荐客户", "介绍客户", "referrer", "referred_by_id"),
    ACTIVITY: ("活动类型", "活动", "拜访方式", "跟进方式", "activity_type"),
    HOURS: ("拜访时长", "时长", "用时", "工时", "小时", "小时数", "duration_hours", "duration"),
    CALLS: ("电话", "电话次数", "通话", "通话次数", "phone_calls"),
    COLLECTED_DATE: ("回款日期", "收款日期", "到账日期", "paid_date", "payment_date"),
})

_opt_text = pa.Column(str, nullable=True, coerce=True, required=False)

#: The customer master: one row per customer (owner salesperson and branch optional).
CUSTOMERS_SCHEMA = pa.DataFrameSchema(
    {
        CUSTOMER_ID: _key,
        CUSTOMER_NAME: _opt_text,
        INDUSTRY: _opt_text,
        CUSTOMER_CITY: _opt_text,
        BRANCH: _opt_text,
        SALESPERSON: _opt_text,
        REFERRED_BY: _opt_text,
    },
    unique=[CUSTOMER_ID],
    strict=False,
    coerce=True,
    name="customers",
)

#: Deals with their customer: the daily actuals plus customer_id (blank = unassigned) and the day the cash came in.
CUSTOMER_DEALS_SCHEMA = pa.DataFrameSchema(
    {
        "date": _date_col,
        **_actual_columns,
        CUSTOMER_ID: _opt_text,
        CUSTOMER_NAME: _opt_text,
        COLLECTED_DATE: pa.Column("datetime64[ns]", nullable=True, coerce=True, required=False),
    },
    strict=False,
    coerce=True,
    name="deals",
)

#: Time spent on customers: one row per activity (``activity`` + optional ``hours``) or per
#: day/month x salesperson x customer with counts (visits, calls, quotes) and optional hours.
#: Negative hours and more than 24 hours a day are checked by the customers method (with rows).
CUSTOMER_ACTIVITIES_SCHEMA = pa.DataFrameSchema(
    {
        "date": _date_col,
        BRANCH: _opt_text,
        SALESPERSON: _key,
        CUSTOMER_ID: _opt_text,
        CUSTOMER_NAME: _opt_text,
        ACTIVITY: _opt_text,
        "visits": _count,
        CALLS: _count,
        "quotes": _count,
        HOURS: pa.Column(float, nullable=True, coerce=True, required=False),
    },
    strict=False,
    coerce=True,
    name="customer activities",
)

FIX_HINTS.update({
    CUSTOMER_ID: "give each customer one id (客户编号), the same in the deals, the activities and the customer list",
    CUSTOMER_NAME: "write the customer's name as text",
    INDUSTRY: "write the industry as text, e.g. 制造业",
    CUSTOMER_CITY: "write the customer's city as text",
    REFERRED_BY: "write the id of the customer who referred this one, or leave it blank",
    ACTIVITY: "write the activity type: 拜访/visit, 电话/call, 报价/quote, 会议/meeting or 其他/other",
    HOURS: "write the time in hours as a number between 0 and 24 per day, e.g. 1.5; leave it blank for the default of the activity type",
    CALLS: "write counts as whole numbers >= 0",
    COLLECTED_DATE: "write the day the cash came in as YYYY-MM-DD, or leave it blank if not collected yet",
})
