"""A backward plan's settings: what must be achieved and the facts it is split by.

:class:`Plan` is built from a plain mapping (the YAML file in ``data/``) by
:meth:`Plan.from_dict`, which checks every key and value and raises
:class:`~salesanalytics.core.exceptions.PlanError` / ``DataError`` with the fix.
No file is read here: :func:`salesanalytics.adapters.io.read_plan` reads the YAML and any
branch table it points to, then calls :meth:`Plan.from_dict`.

Every ambiguity of the handbook's worked case is one of these fields, never a
constant buried in code (see ``data/seed_case_2012.yaml``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from ..core import schema as S
from ..core.validation import frame_from_records
from ..core.exceptions import PlanError, reject_unknown_keys, suggest
from ..core.numbers import check_amount, parse_amount, parse_fraction, parse_number

TARGET_KINDS = ("net_profit", "gross_profit", "revenue")
ALLOCATIONS = ("capacity", "weights", "forecast")
PHASINGS = ("compound_growth", "linear_growth", "yoy_growth", "seasonal", "flat")
#: Default ramp of a new branch (and of a new hire): share of full productivity in its first months.
DEFAULT_RAMP = (0.3, 0.6, 0.9, 1.0)
#: Where a realistic-productivity flag measures from: today's best branch, or the branch's own level.
REALISTIC_BASES = ("best", "own")
#: Roles of the org table (团队编制), besides the salespeople themselves; the plan may name them in Chinese.
ROLE_CODES = ("general_manager", "deputy_general_manager", "sales_manager", "project_manager",
              "technical_service", "customer_service", "finance", "admin")
ROLE_ALIASES = {
    "总经理": "general_manager", "分公司总经理": "general_manager",
    "副总": "deputy_general_manager", "副总经理": "deputy_general_manager",
    "销售经理": "sales_manager", "项目经理": "project_manager",
    "技术服务": "technical_service", "技术服务人员": "technical_service", "技术": "technical_service",
    "客服": "customer_service", "客户服务": "customer_service", "财务": "finance", "行政": "admin",
}
#: What a target may be broken down by besides branch x month (x salesperson).
MIX_DIMENSIONS = ("product", "market", "customer_type")


@dataclass(frozen=True)
class Costs:
    """Cost lines between gross profit and net profit (all default to 0: the seed ignores them)."""

    fixed_per_month_yuan: Decimal = Decimal(0)
    per_head_per_month_yuan: Decimal = Decimal(0)
    pct_of_revenue: float = 0.0
    income_tax_rate: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str) -> Costs:
        data = dict(data or {})
        reject_unknown_keys(data, [f.name for f in dataclasses.fields(cls)], where=where)
        out = {}
        for key in ("fixed_per_month_yuan", "per_head_per_month_yuan"):
            if key in data:
                out[key] = parse_amount(data[key], f"{where}.{key}")
        if "pct_of_revenue" in data:
            out["pct_of_revenue"] = parse_fraction(data["pct_of_revenue"], f"{where}.pct_of_revenue", high_open=True)
        if "income_tax_rate" in data:
            out["income_tax_rate"] = parse_fraction(data["income_tax_rate"], f"{where}.income_tax_rate", high_open=True)
        return cls(**out)


@dataclass(frozen=True)
class NewBranch:
    """A branch that opens during the plan year (the seed's 海口 and 厦门)."""

    branch: str
    opening_month: int  # 1..12 in the plan year
    headcount: float
    gp_per_head_month: float | None = None  # None: the company median, or `comparable`'s
    comparable: str | None = None
    ramp: tuple[float, ...] = DEFAULT_RAMP
    gross_margin: float | None = None
    weight: float | None = None

    KEYS = ("branch", "opening_month", "headcount", "gp_per_head_month", "comparable", "ramp", "gross_margin", "weight")


@dataclass(frozen=True)
class Phasing:
    """How a year's task is spread over its months.

    * ``compound_growth``: month m weighs (1 + monthly_growth)^(m-1) (the seed's "月销售额增长30%").
    * ``linear_growth``: month m weighs 1 + monthly_growth x (m-1): each month adds the same share of
      January (30 % of January a month: December is 4.3 x January, against 17.9 x compounding).
    * ``yoy_growth``: last year's same month from history, times (1 + yoy_growth).
    * ``seasonal``: 12 shares that sum to 100% (given, or measured from history if omitted).
    * ``flat``: every month the same.
    """

    method: str = "flat"
    monthly_growth: float = 0.0
    yoy_growth: float = 0.0
    shares: tuple[float, ...] | None = None

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str) -> Phasing:
        data = dict(data or {})
        reject_unknown_keys(data, ["method", "monthly_growth", "yoy_growth", "shares"], where=where)
        method = data.get("method", "flat")
        if method not in PHASINGS:
            raise PlanError(f"{where}.method: unknown phasing '{method}'.{suggest(method, PHASINGS)} Valid: {', '.join(PHASINGS)}.")
        monthly = parse_fraction(data.get("monthly_growth", 0), f"{where}.monthly_growth", low=-1, high=10, low_open=True)
        yoy = parse_fraction(data.get("yoy_growth", 0), f"{where}.yoy_growth", low=-1, high=100, low_open=True)
        shares = data.get("shares")
        if shares is not None:
            if not isinstance(shares, Sequence) or isinstance(shares, str) or len(shares) != 12:
                raise PlanError(f"{where}.shares: give exactly 12 monthly percentages (January first).")
            values = [parse_number(v, f"{where}.shares[{i + 1}]") for i, v in enumerate(shares)]
            if any(v < 0 for v in values):
                raise PlanError(f"{where}.shares: shares must not be negative.")
            total = sum(values)
            if abs(total - 100) > 1e-6:
                raise PlanError(
                    f"{where}.shares: the 12 monthly shares sum to {total:g}%, not 100%. "
                    "Fix: adjust them so they add up to exactly 100."
                )
            shares = tuple(values)
        if method in ("compound_growth", "linear_growth") and "monthly_growth" not in data:
            raise PlanError(f"{where}: {method} needs monthly_growth (e.g. 0.30 for 30% a month).")
        if method == "linear_growth" and 1 + 11 * monthly <= 0:
            raise PlanError(
                f"{where}.monthly_growth: linear growth of {monthly:.2%} a month leaves December with no task. "
                f"Fix: a value above {-1 / 11:.2%}."
            )
        return cls(method=method, monthly_growth=monthly, yoy_growth=yoy, shares=shares)


def _month(value, where: str, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PlanError(f"{where}: '{value}' must be {what} {low}..{high}. Fix: write a whole number, e.g. {max(low, 1)}.")
    return value


def _ramp(value, where: str) -> tuple[float, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        raise PlanError(f"{where}: give a list of fractions of full productivity, e.g. [0.3, 0.6, 0.9, 1.0].")
    ramp = tuple(parse_fraction(r, where, high=2.0) for r in value)
    if max(ramp) <= 0:
        raise PlanError(f"{where}: every step is 0, so a new person never produces anything. Fix: e.g. [0.3, 0.6, 0.9, 1.0].")
    return ramp


def _percent(value, where: str) -> float:
    """A share written as a percentage: 50, '50%' or '50 %' (of 100)."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith("%"):
        text = text[:-1]
    return parse_number(text, where, low=0, fix="write a percentage >= 0, e.g. 50 for 50%")


@dataclass(frozen=True)
class Capacity:
    """What today's team delivers, apart from the target's phasing (现有产能).

    Capacity of a branch in month m = headcount x productivity(m) x ramp(m), where
    productivity(m) = gp_per_head_month x (1 + productivity_growth)^(m - anchor_month), capped at
    ``productivity_ceiling_yuan``.  The target's phasing never enters it: a target that grows 30 % a
    month does not make each salesperson 30 % more productive each month.

    * ``productivity_growth``: monthly growth of gross profit per head (default 0: today's level all year).
    * ``anchor_month``: the month whose productivity the branch table describes (1 = January of the
      plan year, 0 = the December before it, so January is already one month of growth later).
    * ``productivity_ceiling_yuan``: the most gross profit one head can make a month; growth stops there.
    * ``realistic_multiple`` / ``realistic_base``: a branch-month whose task needs more gross profit per
      head than this multiple of today's best branch (``best``) or of the branch's own level (``own``)
      is flagged as unrealistic.
    """

    productivity_growth: float = 0.0
    anchor_month: int = 1
    productivity_ceiling_yuan: float | None = None
    realistic_multiple: float = 1.5
    realistic_base: str = "best"

    KEYS = ("productivity_growth", "anchor_month", "productivity_ceiling_yuan", "realistic_multiple", "realistic_base")

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str, base: Capacity | None = None) -> Capacity:
        data = dict(data or {})
        reject_unknown_keys(data, cls.KEYS, where=where)
        out = dataclasses.asdict(base or cls())
        if "productivity_growth" in data:
            out["productivity_growth"] = parse_fraction(data["productivity_growth"], f"{where}.productivity_growth",
                                                        low=-1, high=10, low_open=True)
        if "anchor_month" in data:
            out["anchor_month"] = _month(data["anchor_month"], f"{where}.anchor_month", 0, 12, "a month number")
        if "productivity_ceiling_yuan" in data:
            value = data["productivity_ceiling_yuan"]
            out["productivity_ceiling_yuan"] = None if value is None else float(parse_amount(value, f"{where}.productivity_ceiling_yuan"))
        if "realistic_multiple" in data:
            out["realistic_multiple"] = parse_number(data["realistic_multiple"], f"{where}.realistic_multiple", low=0, low_open=True,
                                                     fix="a multiple > 0, e.g. 1.5 for 1.5 x today's best branch")
        if "realistic_base" in data:
            if data["realistic_base"] not in REALISTIC_BASES:
                raise PlanError(f"{where}.realistic_base: unknown '{data['realistic_base']}'.{suggest(str(data['realistic_base']), REALISTIC_BASES)} "
                                f"Valid: {', '.join(REALISTIC_BASES)}.")
            out["realistic_base"] = data["realistic_base"]
        return cls(**out)


@dataclass(frozen=True)
class Staffing:
    """How a staffing plan closes the gap between the task and today's capacity (招聘计划).

    A hire joins (is on board) in some month and then produces the branch's productivity x ``ramp``
    (the share of full productivity in the first months), leaving at ``attrition_rate_annual``.
    Recruiting starts ``lead_time_months`` before a hire joins and never before ``start_month``; nobody
    joins before the plan's ``hires_productive_from`` nor before the branch opens.  Hires for a month's
    shortfall join ``hire_ahead_months`` earlier (default: the ramp's length - 1, so they are fully
    productive when needed) or as early as allowed.  Each hire costs ``pay_per_head_month_yuan`` a month
    (default: the plan's ``costs.per_head_per_month_yuan``) and ``recruiting_cost_per_hire_yuan`` once.
    """

    ramp: tuple[float, ...] = DEFAULT_RAMP
    attrition_rate_annual: float = 0.0
    lead_time_months: int = 0
    start_month: int = 1
    hire_ahead_months: int | None = None
    pay_per_head_month_yuan: Decimal | None = None
    recruiting_cost_per_hire_yuan: Decimal = Decimal(0)

    KEYS = ("ramp", "attrition_rate_annual", "lead_time_months", "start_month", "hire_ahead_months",
            "pay_per_head_month_yuan", "recruiting_cost_per_hire_yuan")

    @classmethod
    def from_dict(cls, data: Mapping | None, where: str) -> Staffing:
        data = dict(data or {})
        reject_unknown_keys(data, cls.KEYS, where=where)
        out = {}
        if "ramp" in data:
            out["ramp"] = _ramp(data["ramp"], f"{where}.ramp")
        if "attrition_rate_annual" in data:
            out["attrition_rate_annual"] = parse_fraction(data["attrition_rate_annual"], f"{where}.attrition_rate_annual", high_open=True)
        if "lead_time_months" in data:
            out["lead_time_months"] = _month(data["lead_time_months"], f"{where}.lead_time_months", 0, 11, "a number of months")
        if "start_month" in data:
            out["start_month"] = _month(data["start_month"], f"{where}.start_month", 1, 12, "a month number")
        if data.get("hire_ahead_months") is not None:
            out["hire_ahead_months"] = _month(data["hire_ahead_months"], f"{where}.hire_ahead_months", 0, 11, "a number of months")
        if data.get("pay_per_head_month_yuan") is not None:
            out["pay_per_head_month_yuan"] = parse_amount(data["pay_per_head_month_yuan"], f"{where}.pay_per_head_month_yuan")
        if "recruiting_cost_per_hire_yuan" in data:
            out["recruiting_cost_per_hire_yuan"] = parse_amount(data["recruiting_cost_per_hire_yuan"], f"{where}.recruiting_cost_per_hire_yuan")
        return cls(**out)

    @property
    def ahead(self) -> int:
        return self.hire_ahead_months if self.hire_ahead_months is not None else len(self.ramp) - 1

    @property
    def keep_per_month(self) -> float:
        """Expected share of people still there one month later."""
        return (1.0 - self.attrition_rate_annual) ** (1.0 / 12.0)


@dataclass(frozen=True)
class Role:
    """One role of the org table (团队编制): ``per_branch`` people in every open branch, or one per
    ``per_salespeople`` salespeople (rounded up), each paid ``pay_per_head_month_yuan``."""

    role: str
    per_branch: float | None = None
    per_salespeople: float | None = None
    pay_per_head_month_yuan: Decimal = Decimal(0)

    KEYS = ("role", "per_branch", "per_salespeople", "pay_per_head_month_yuan")

    @classmethod
    def from_dict(cls, rec, where: str) -> Role:
        if not isinstance(rec, Mapping):
            raise PlanError(f"{where}: expected 'role: 副总, per_salespeople: 30' (one role per item).")
        reject_unknown_keys(rec, cls.KEYS, where=where)
        if "role" not in rec:
            raise PlanError(f"{where}: missing 'role'. Valid roles: {', '.join(ROLE_CODES)} (or 总经理, 副总, 项目经理, 技术服务 ...).")
        given = str(rec["role"]).strip()
        code = ROLE_ALIASES.get(given, given)
        if code not in ROLE_CODES:
            raise PlanError(f"{where}.role: unknown role '{given}'.{suggest(given, [*ROLE_CODES, *ROLE_ALIASES])} "
                            f"Valid: {', '.join(ROLE_CODES)} or {', '.join(ROLE_ALIASES)}.")
        where = f"{where.rsplit(' item', 1)[0]} {given}"
        given_keys = [k for k in ("per_branch", "per_salespeople") if rec.get(k) is not None]
        if len(given_keys) != 1:
            raise PlanError(f"{where}: give exactly one of per_branch (people in every branch) or per_salespeople "
                            "(one per N salespeople). Fix: e.g. per_branch: 1 or per_salespeople: 30.")
        key = given_keys[0]
        ratio = parse_number(rec[key], f"{where}.{key}", low=0, low_open=True,
                             fix="a ratio > 0, e.g. per_branch: 1 or per_salespeople: 30; leave the role out if the plan has none")
        pay = parse_amount(rec["pay_per_head_month_yuan"], f"{where}.pay_per_head_month_yuan") if "pay_per_head_month_yuan" in rec else Decimal(0)
        return cls(code, ratio if key == "per_branch" else None, ratio if key == "per_salespeople" else None, pay)


@dataclass(frozen=True)
class Mix:
    """How a target splits by product line, market or customer type (产品/市场/客户类型).

    ``shares``: category -> percentage of sales (summing to 100), ``gross_profit_shares`` likewise for
    gross profit (default: the sales shares); or ``source='history'``: each branch's shares in a
    history frame that has the dimension's column (the company's shares where a branch has none).
    """

    dimension: str
    source: str = "shares"
    shares: tuple[tuple[str, float], ...] = ()
    gross_profit_shares: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_dict(cls, dimension: str, data, where: str) -> Mix:
        if dimension not in MIX_DIMENSIONS:
            raise PlanError(f"{where}: unknown dimension '{dimension}'.{suggest(str(dimension), MIX_DIMENSIONS)} "
                            f"Valid: {', '.join(MIX_DIMENSIONS)}.")
        where = f"{where}.{dimension}"
        if not isinstance(data, Mapping):
            raise PlanError(f"{where}: give 'shares: {{工业设备: 50, 耗材配件: 50}}' (percentages summing to 100) or 'from: history'.")
        reject_unknown_keys(data, ["shares", "gross_profit_shares", "from"], where=where)
        source = data.get("from", "shares" if "shares" in data else None)
        if source == "history":
            if "shares" in data or "gross_profit_shares" in data:
                raise PlanError(f"{where}: give either 'from: history' or 'shares', not both.")
            return cls(dimension, "history")
        if source != "shares" or "shares" not in data:
            raise PlanError(f"{where}: give 'shares' (percentages summing to 100) or 'from: history'.")
        shares = cls._shares(data["shares"], f"{where}.shares")
        gp = cls._shares(data["gross_profit_shares"], f"{where}.gross_profit_shares") if "gross_profit_shares" in data else shares
        if sorted(k for k, _ in gp) != sorted(k for k, _ in shares):
            raise PlanError(f"{where}.gross_profit_shares: name the same {dimension} values as shares "
                            f"({', '.join(k for k, _ in shares)}), in any order.")
        gp_by = dict(gp)
        return cls(dimension, "shares", shares, tuple((k, gp_by[k]) for k, _ in shares))

    @staticmethod
    def _shares(data, where: str) -> tuple[tuple[str, float], ...]:
        if not isinstance(data, Mapping) or not data:
            raise PlanError(f"{where}: give each value's percentage, e.g. {{工业设备: 50, 耗材配件: 35, 技术服务: 15}}.")
        pairs = [(str(k).strip(), _percent(v, f"{where}.{k}")) for k, v in data.items()]
        total = sum(v for _, v in pairs)
        if abs(total - 100) > 1e-6:
            raise PlanError(f"{where}: the shares sum to {total:g}%, not 100%. Fix: adjust them so they add up to exactly 100.")
        return tuple(pairs)


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguous plan (the handbook case has three), run side by side with the plan's own.

    Changes only what it names: gross profit per head of some branches (existing or new), the
    phasing, and the capacity settings.
    """

    name: tuple[str, str]
    gp_per_head: tuple[tuple[str, float], ...] = ()
    phasing: Phasing | None = None
    capacity: Mapping | None = None

    KEYS = ("name", "gp_per_head_month", "phasing", "capacity")

    @classmethod
    def from_dict(cls, rec, where: str, names: list[str]) -> Reading:
        if not isinstance(rec, Mapping):
            raise PlanError(f"{where}: expected 'name: {{zh: ..., en: ...}}' and the settings this reading changes.")
        reject_unknown_keys(rec, cls.KEYS, where=where)
        name = rec.get("name")
        if isinstance(name, Mapping) and set(name) == {"zh", "en"}:
            pair = (str(name["zh"]), str(name["en"]))
        elif isinstance(name, str) and name.strip():
            pair = (name.strip(), name.strip())
        else:
            raise PlanError(f"{where}.name: give the reading's name in both languages, e.g. {{zh: 天津=1800, en: Tianjin = 1800}}.")
        gph = rec.get("gp_per_head_month") or {}
        if not isinstance(gph, Mapping):
            raise PlanError(f"{where}.gp_per_head_month: give branch: amount pairs, e.g. {{天津: 1800}}.")
        for branch in gph:
            if branch not in names:
                raise PlanError(f"{where}.gp_per_head_month: '{branch}' is not a branch of the plan.{suggest(str(branch), names)}")
        pairs = tuple((str(b), float(parse_amount(v, f"{where}.gp_per_head_month.{b}"))) for b, v in gph.items())
        phasing = Phasing.from_dict(rec["phasing"], f"{where}.phasing") if rec.get("phasing") is not None else None
        capacity = rec.get("capacity")
        if capacity is not None:
            Capacity.from_dict(capacity, f"{where}.capacity")  # checked now, applied over the plan's own later
            capacity = dict(capacity)
        if not (pairs or phasing or capacity):
            raise PlanError(f"{where}: the reading changes nothing. Fix: give gp_per_head_month, phasing or capacity.")
        return cls(pair, pairs, phasing, capacity)


@dataclass(frozen=True)
class Plan:
    """Everything the backward method needs (倒推法).

    ``branches`` is a frame with columns branch, headcount, gp_per_head_month
    [, gross_margin, weight] for branches open the whole year.
    """

    year: int
    target_kind: str
    target_yuan: Decimal
    gross_margin: float
    branches: pd.DataFrame
    new_branches: tuple[NewBranch, ...] = ()
    costs: Costs = field(default_factory=Costs)
    phasing: Phasing = field(default_factory=Phasing)
    allocation: str = "capacity"
    hires_productive_from: int = 1
    roster: pd.DataFrame | None = None
    name: str = ""
    notes: tuple[str, ...] = ()
    source: str = "<plan>"
    capacity: Capacity = field(default_factory=Capacity)
    staffing: Staffing = field(default_factory=Staffing)
    roles: tuple[Role, ...] = ()
    mix: tuple[Mix, ...] = ()
    readings: tuple[Reading, ...] = ()

    TOP_KEYS = (
        "name", "year", "target", "gross_margin", "costs", "phasing", "allocation",
        "branches", "new_branches", "hires_productive_from", "roster", "notes",
        "capacity", "staffing", "roles", "mix", "readings",
    )

    # -- construction --------------------------------------------------------
    @classmethod
    def from_dict(
        cls,
        data: Mapping,
        *,
        source: str = "<plan>",
        branches: pd.DataFrame | None = None,
        roster: pd.DataFrame | None = None,
    ) -> Plan:
        """Build and check a plan from a mapping.

        ``branches`` / ``roster`` are pre-read frames when the YAML points to
        files; otherwise ``data['branches']`` is an inline list of mappings.
        """

        reject_unknown_keys(data, cls.TOP_KEYS, where=source)
        for key in ("year", "target", "gross_margin", "branches"):
            if key not in data:
                raise PlanError(f"{source}: missing '{key}'. Fix: see data/seed_case_2012.yaml for a complete plan.")
        year = data["year"]
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise PlanError(f"{source}.year: '{year}' is not a year. Fix: write four digits, e.g. 2026.")

        target = data["target"]
        if not isinstance(target, Mapping):
            raise PlanError(f"{source}.target: expected 'kind' and 'amount_yuan' under it.")
        reject_unknown_keys(target, ["kind", "amount_yuan"], where=f"{source}.target")
        kind = target.get("kind", "net_profit")
        if kind not in TARGET_KINDS:
            raise PlanError(f"{source}.target.kind: unknown '{kind}'.{suggest(kind, TARGET_KINDS)} Valid: {', '.join(TARGET_KINDS)}.")
        if "amount_yuan" not in target:
            raise PlanError(f"{source}.target: missing amount_yuan (e.g. 68000000).")
        amount = parse_amount(target["amount_yuan"], f"{source}.target.amount_yuan", allow_negative=True)
        if amount <= 0:
            raise PlanError(f"{source}.target.amount_yuan: {target['amount_yuan']} must be greater than 0.")

        margin = parse_fraction(data["gross_margin"], f"{source}.gross_margin", low_open=True, high_open=True)

        if branches is None:
            records = data["branches"]
            if not isinstance(records, list) or not records:
                raise PlanError(f"{source}.branches: give a list of branches (branch, headcount, gp_per_head_month).")
            for i, rec in enumerate(records, start=1):
                if not isinstance(rec, Mapping):
                    raise PlanError(f"{source}.branches item {i}: expected 'branch: ..., headcount: ...'.")
            branches = frame_from_records(records, S.BRANCH_TABLE_SCHEMA, source=f"{source}, branches (item)", keys=[S.BRANCH])
        allocation = data.get("allocation", "capacity")
        if allocation not in ALLOCATIONS:
            raise PlanError(f"{source}.allocation: unknown '{allocation}'.{suggest(allocation, ALLOCATIONS)} Valid: {', '.join(ALLOCATIONS)}.")
        if allocation == "capacity":
            if S.GP_PER_HEAD not in branches.columns or branches[S.GP_PER_HEAD].isna().any():
                rows = [] if S.GP_PER_HEAD not in branches.columns else branches.index[branches[S.GP_PER_HEAD].isna()].tolist()
                names = branches.loc[rows, S.BRANCH].tolist() if rows else ["all"]
                raise PlanError(
                    f"{source}.branches: gp_per_head_month (月人均毛利) is missing for {', '.join(map(str, names))}. "
                    "Fix: capacity allocation needs every branch's monthly gross profit per head."
                )
        if allocation == "weights" and (S.WEIGHT not in branches.columns or branches[S.WEIGHT].isna().any()):
            raise PlanError(f"{source}.branches: allocation 'weights' needs a weight for every branch.")
        if S.GP_PER_HEAD not in branches.columns:
            branches = branches.assign(**{S.GP_PER_HEAD: float("nan")})
        for name, gph in zip(branches[S.BRANCH], branches[S.GP_PER_HEAD]):
            if gph == gph:  # NaN: not given (allowed unless allocation is capacity, checked above)
                check_amount(gph, f"{source}.branches {name}.gp_per_head_month", allow_negative=False)

        existing = branches[S.BRANCH].tolist()
        new = tuple(cls._new_branch(rec, i, year, existing, source) for i, rec in enumerate(data.get("new_branches") or [], start=1))
        names = existing + [nb.branch for nb in new]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise PlanError(f"{source}: branch {', '.join(dupes)} is listed twice (existing and new_branches). Fix: list each branch once.")
        if allocation == "weights":
            missing = [nb.branch for nb in new if nb.weight is None]
            if missing:
                raise PlanError(f"{source}.new_branches: allocation 'weights' needs a weight for {', '.join(missing)}.")

        hires_from = data.get("hires_productive_from", 1)
        if isinstance(hires_from, bool) or not isinstance(hires_from, int) or not 1 <= hires_from <= 12:
            raise PlanError(f"{source}.hires_productive_from: '{hires_from}' must be a month number 1..12.")

        if roster is not None:
            unknown = sorted(set(roster[S.BRANCH]) - set(names))
            if unknown:
                rows = (roster.index[roster[S.BRANCH].isin(unknown)] + 2).tolist()
                raise PlanError(
                    f"{source}.roster: row(s) {', '.join(map(str, rows[:10]))} name branch(es) {', '.join(unknown)} that the plan does not have."
                    f"{suggest(unknown[0], names)} Fix: correct the branch name or add the branch to the plan."
                )
        notes = data.get("notes") or ()
        if isinstance(notes, str):
            notes = (notes,)
        roles = data.get("roles") or []
        if not isinstance(roles, list):
            raise PlanError(f"{source}.roles: give a list, e.g. - {{role: 总经理, per_branch: 1}}.")
        roles = tuple(Role.from_dict(rec, f"{source}.roles item {i}") for i, rec in enumerate(roles, start=1))
        dupes = sorted({r.role for r in roles if [x.role for x in roles].count(r.role) > 1})
        if dupes:
            raise PlanError(f"{source}.roles: {', '.join(dupes)} is listed twice. Fix: list each role once.")
        mix = data.get("mix") or {}
        if not isinstance(mix, Mapping):
            raise PlanError(f"{source}.mix: give one entry per dimension, e.g. product: {{shares: {{工业设备: 60, 耗材配件: 40}}}}.")
        mix = tuple(Mix.from_dict(str(dim), spec, f"{source}.mix") for dim, spec in mix.items())
        readings = data.get("readings") or []
        if not isinstance(readings, list):
            raise PlanError(f"{source}.readings: give a list of readings, each with a name and what it changes.")
        readings = tuple(Reading.from_dict(rec, f"{source}.readings item {i}", names) for i, rec in enumerate(readings, start=1))
        plan = cls(
            year=year,
            target_kind=kind,
            target_yuan=amount,
            gross_margin=margin,
            branches=branches.reset_index(drop=True),
            new_branches=new,
            costs=Costs.from_dict(data.get("costs"), f"{source}.costs"),
            phasing=Phasing.from_dict(data.get("phasing"), f"{source}.phasing"),
            allocation=allocation,
            hires_productive_from=hires_from,
            roster=roster,
            name=str(data.get("name", "")),
            notes=tuple(str(n) for n in notes),
            source=source,
            capacity=Capacity.from_dict(data.get("capacity"), f"{source}.capacity"),
            staffing=Staffing.from_dict(data.get("staffing"), f"{source}.staffing"),
            roles=roles,
            mix=mix,
            readings=readings,
        )
        plan.check_ceiling()
        for reading in plan.readings:
            plan.with_reading(reading).check_ceiling(f"{source}.readings {reading.name[1]}")
        return plan

    @staticmethod
    def _new_branch(rec, i: int, year: int, existing: list[str], source: str) -> NewBranch:
        where = f"{source}.new_branches item {i}"
        if not isinstance(rec, Mapping):
            raise PlanError(f"{where}: expected 'branch: ..., opening_month: ..., headcount: ...'.")
        reject_unknown_keys(rec, NewBranch.KEYS, where=where)
        for key in ("branch", "opening_month", "headcount"):
            if key not in rec:
                raise PlanError(f"{where}: missing '{key}'.")
        name = str(rec["branch"]).strip()
        where = f"{source}.new_branches {name}"
        opening = rec["opening_month"]
        month = None
        if isinstance(opening, int) and not isinstance(opening, bool):
            month = opening
        else:
            try:
                ts = pd.Timestamp(str(opening))
            except (ValueError, TypeError):
                raise PlanError(f"{where}.opening_month: '{opening}' is not a month. Fix: write {year}-04 or 4.") from None
            if ts.year != year:
                raise PlanError(
                    f"{where}.opening_month: {opening} is outside the plan year {year}. "
                    f"Fix: open it between {year}-01 and {year}-12, or leave it out of this plan."
                )
            month = ts.month
        if not 1 <= month <= 12:
            raise PlanError(
                f"{where}.opening_month: {opening} is outside the plan year {year}. Fix: a month number 1..12 or {year}-MM."
            )
        heads = parse_number(rec["headcount"], f"{where}.headcount", low=0, fix="a headcount >= 0")
        gph = rec.get("gp_per_head_month")
        if gph is not None:
            gph = float(parse_amount(gph, f"{where}.gp_per_head_month"))
        comparable = rec.get("comparable")
        if comparable is not None and comparable not in existing:
            raise PlanError(f"{where}.comparable: '{comparable}' is not an existing branch.{suggest(comparable, existing)}")
        ramp = rec.get("ramp", DEFAULT_RAMP)
        if not isinstance(ramp, Sequence) or isinstance(ramp, str) or not ramp:
            raise PlanError(f"{where}.ramp: give a list of fractions of full productivity, e.g. [0.3, 0.6, 0.9, 1.0].")
        ramp = tuple(parse_fraction(r, f"{where}.ramp", high=2.0) for r in ramp)
        margin = rec.get("gross_margin")
        if margin is not None:
            margin = parse_fraction(margin, f"{where}.gross_margin", low_open=True, high_open=True)
        weight = rec.get("weight")
        if weight is not None:
            weight = parse_number(weight, f"{where}.weight")
        return NewBranch(name, month, heads, gph, comparable, ramp, margin, weight)

    # -- convenience ---------------------------------------------------------
    def today_productivity(self) -> dict[str, float]:
        """Each branch's gross profit per head per month today (a new branch: its own, its comparable's or the median)."""
        gph = self.branches[S.GP_PER_HEAD].to_numpy(dtype=float)
        median = float(np.nanmedian(gph)) if np.isfinite(gph).any() else float("nan")
        out = dict(zip(self.branches[S.BRANCH], gph))
        for nb in self.new_branches:
            out[nb.branch] = nb.gp_per_head_month if nb.gp_per_head_month is not None else (
                out[nb.comparable] if nb.comparable is not None else median)
        return out

    def check_ceiling(self, where: str | None = None) -> None:
        """A productivity ceiling below a branch's productivity today is a mistake, not a plan."""
        ceiling = self.capacity.productivity_ceiling_yuan
        if ceiling is None:
            return
        today = {b: v for b, v in self.today_productivity().items() if v == v}
        above = {b: v for b, v in today.items() if v > ceiling}
        if above:
            branch = max(above, key=above.get)
            raise PlanError(
                f"{where or self.source}.capacity.productivity_ceiling_yuan: {ceiling:,.2f} yuan is below today's productivity of "
                f"{branch} ({above[branch]:,.2f} yuan of gross profit a head a month). Fix: raise the ceiling to at least "
                f"{max(above.values()):,.2f}, or remove it (no ceiling)."
            )

    def with_reading(self, reading: Reading) -> Plan:
        """The plan as ``reading`` reads it (everything it does not name stays as it is; no readings, no roster)."""
        gph = dict(reading.gp_per_head)
        branches = self.branches.copy()
        hit = branches[S.BRANCH].isin(list(gph))
        if hit.any():
            branches.loc[hit, S.GP_PER_HEAD] = branches.loc[hit, S.BRANCH].map(gph).astype(float)
        new = tuple(dataclasses.replace(nb, gp_per_head_month=gph[nb.branch]) if nb.branch in gph else nb for nb in self.new_branches)
        capacity = Capacity.from_dict(reading.capacity, f"{self.source}.readings {reading.name[1]}.capacity", base=self.capacity) \
            if reading.capacity else self.capacity
        return dataclasses.replace(self, branches=branches, new_branches=new, phasing=reading.phasing or self.phasing,
                                   capacity=capacity, readings=(), roster=None)

    @property
    def branch_names(self) -> list[str]:
        return self.branches[S.BRANCH].tolist() + [nb.branch for nb in self.new_branches]

    @property
    def months(self) -> pd.DatetimeIndex:
        return pd.date_range(f"{self.year}-01-01", periods=12, freq="MS")

    def replace(self, **changes) -> Plan:
        """A copy with some settings changed (what a slider does).

        Accepts the dataclass fields plus the shortcuts ``monthly_growth``,
        ``yoy_growth`` and ``target_yuan`` given as a number.
        """
        phasing_changes = {k: changes.pop(k) for k in ("monthly_growth", "yoy_growth") if k in changes}
        if phasing_changes:
            changes["phasing"] = dataclasses.replace(changes.get("phasing", self.phasing), **phasing_changes)
        if "target_yuan" in changes:
            changes["target_yuan"] = parse_amount(changes["target_yuan"], "target_yuan", allow_negative=True)
            if changes["target_yuan"] <= 0:
                raise PlanError(f"target_yuan: {changes['target_yuan']} must be greater than 0.")
        if "gross_margin" in changes:
            changes["gross_margin"] = parse_fraction(changes["gross_margin"], "gross_margin", low_open=True, high_open=True)
        return dataclasses.replace(self, **changes)
